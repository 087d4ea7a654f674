import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { SeededRandom } from '../core/random.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import { createGuard } from './guard.js';
import type { RequestInfo } from './verdict.js';

const SECRET = Buffer.from('guard-test-secret-guard-test-secret!');
const HOUR = 3_600_000;

/** A guard on a memory store with one login endpoint (`username.normalize` as given) and the rest of `raw`. */
function stack(raw: Record<string, unknown> = {}, normalize?: string) {
  const clock = new ManualClock(Date.UTC(2026, 10, 27));
  const store = new MemoryStore({ clock, random: new SeededRandom(3) });
  const username = normalize ? { form: 'email', normalize } : { form: 'email' };
  const config = defaultConfig({
    logins: [{ name: 'shop', path: '/login', username, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }],
    ...raw,
  });
  const guard = createGuard(config, { store, secret: SECRET, clock, random: new SeededRandom(5) });
  const endpoint = config.logins[0]!;
  const req = (ip: string, path: string, cookie?: string, method = 'GET'): RequestInfo => ({ ip, path, method, headers: cookie ? { cookie } : {} });
  /** A login through the guard as the proxy runs it: inspect, check, the site's answer; the device cookie it sets. */
  const login = async (ip: string, username: string, ok: boolean, cookie?: string) => {
    const r = req(ip, '/login', cookie, 'POST');
    const inspected = await guard.inspect(r);
    if (guard.enforced(inspected)) return { action: inspected.action, stage: 'inspect', trusted: false };
    const p = await guard.checkLogin(endpoint, r, { username, password: 'pw' });
    if (guard.enforced(p.verdict)) return { action: p.verdict.action, stage: 'check', trusted: p.verdict.trustedDevice };
    const { setCookie } = await guard.reportLogin(p, { status: ok ? 302 : 401, setCookies: [] });
    return { action: 'allow', stage: 'site', trusted: p.verdict.trustedDevice, cookie: setCookie?.split(';')[0] };
  };
  const page = (ip: string, path: string, cookie?: string) => guard.inspect(req(ip, path, cookie));
  const claims = (cookie: string | undefined) => guard.login.devices.verify(cookie?.slice(cookie.indexOf('=') + 1));
  return { clock, store, guard, login, page, claims };
}

const ADMIN_RULE = {
  roles: { admin: ['admin@example.com'] },
  policy: [{ name: 'admin', paths: ['/admin'], require_device: { roles: ['admin'] } }],
};

describe('guard: whose trusted device a policy rule takes', () => {
  it("a customer's device cookie does not pass a rule for the admins' devices; an admin's does", async () => {
    const { login, page } = stack(ADMIN_RULE);
    const customer = await login('192.0.2.7', 'customer@example.com', true);
    const admin = await login('192.0.2.8', 'admin@example.com', true);
    assert.ok(customer.cookie && admin.cookie);
    const v = await page('192.0.2.7', '/admin/users', customer.cookie);
    assert.equal(v.action, 'block');
    assert.equal(v.ruleId, 'policy:admin');
    assert.equal((await page('192.0.2.8', '/admin/users', admin.cookie)).action, 'allow');
    assert.equal((await page('192.0.2.8', '/admin/users')).action, 'block', 'no cookie, no entry');
  });

  it('require_device: true still takes any trusted device', async () => {
    const { login, page } = stack({ policy: [{ name: 'members', paths: ['/members'], require_device: true }] });
    const customer = await login('192.0.2.7', 'customer@example.com', true);
    assert.equal((await page('192.0.2.7', '/members', customer.cookie)).action, 'allow');
  });

  it('on a case-sensitive site, the device of a look-alike account is not the admin\'s', async () => {
    // The attacker signed up as "Admin@example.com", which this site keeps apart from "admin@example.com".
    const exact = stack(ADMIN_RULE);
    const lookAlike = await exact.login('203.0.113.9', 'Admin@example.com', true);
    assert.equal((await exact.page('203.0.113.9', '/admin', lookAlike.cookie)).action, 'block');
    // Where the login says the site ignores case, the two names are one account, and its device passes.
    const folded = stack(ADMIN_RULE, 'lowercase');
    const same = await folded.login('192.0.2.8', 'Admin@example.com', true);
    assert.equal((await folded.page('192.0.2.8', '/admin', same.cookie)).action, 'allow');
  });

  it('on a case-sensitive site, the look-alike\'s device does not open the victim\'s closed account', async () => {
    const { login, clock } = stack({ login_protection: { user: { challenge_after: 20, close_after: 20 } } });
    const attacker = await login('203.0.113.9', 'Alice', true);
    for (let i = 0; i < 20; i++) await login(`198.51.100.${i + 1}`, 'alice', false);
    clock.advance(1000);
    const v = await login('203.0.113.9', 'alice', true, attacker.cookie);
    assert.equal(v.action, 'block');
    assert.equal(v.trusted, false);
  });
});

describe('guard: a device token and source blocks', () => {
  it("a device token of one account does not lift its source's block for a login to another account", async () => {
    const { store, clock, login } = stack();
    const mine = await login('192.0.2.7', 'mallory@example.com', true);
    await store.decisions.add({ action: 'block', scope: 'ip', value: '198.51.100.9', expiresAt: clock.now() + HOUR, origin: 'guard.login', reason: 'credential stuffing' });
    const other = await login('198.51.100.9', 'victim@example.com', false, mine.cookie);
    assert.deepEqual([other.action, other.stage], ['block', 'check']);
    const own = await login('198.51.100.9', 'mallory@example.com', true, mine.cookie);
    assert.equal(own.action, 'allow', 'for its own account it does (the owner behind a blocked NAT)');
  });

  it('a device past its day\'s cap on the account no longer lifts the block for it either', async () => {
    const { store, clock, login } = stack({ login_protection: { trusted_device: { max_failures_per_device: 2, max_failures_per_account: 2 } } });
    const mine = await login('192.0.2.7', 'owner@example.com', true);
    await store.decisions.add({ action: 'block', scope: 'ip', value: '198.51.100.9', expiresAt: clock.now() + HOUR, origin: 'guard.login', reason: 'credential stuffing' });
    for (let i = 0; i < 2; i++) assert.equal((await login('198.51.100.9', 'owner@example.com', false, mine.cookie)).trusted, true);
    const past = await login('198.51.100.9', 'owner@example.com', true, mine.cookie);
    assert.deepEqual([past.action, past.stage, past.trusted], ['block', 'check', false]);
  });
});

describe('guard: the trusted-device cookie a login earns', () => {
  it('is for the account as the login tells accounts apart', async () => {
    const { guard, login, claims } = stack({}, 'lowercase');
    const r = await login('192.0.2.7', 'Alice@Example.com', true);
    assert.equal(claims(r.cookie)!.userHash, guard.login.deviceUserHash('alice@example.com'));
    const exact = stack();
    const e = await exact.login('192.0.2.7', 'Alice@Example.com', true);
    assert.equal(exact.claims(e.cookie)!.userHash, exact.guard.login.deviceUserHash('Alice@Example.com'));
    assert.notEqual(exact.claims(e.cookie)!.userHash, exact.guard.login.deviceUserHash('alice@example.com'));
  });

  it('keeps the device id of a trusted device, and gives a new one to a device past its cap', async () => {
    const { login, claims } = stack({ login_protection: { trusted_device: { max_failures_per_device: 1, max_failures_per_account: 5 } } });
    const first = await login('192.0.2.7', 'owner@example.com', true);
    const again = await login('192.0.2.7', 'owner@example.com', true, first.cookie);
    assert.equal(again.trusted, true);
    assert.equal(claims(again.cookie)!.deviceId, claims(first.cookie)!.deviceId);
    await login('192.0.2.7', 'owner@example.com', false, first.cookie);
    const past = await login('192.0.2.7', 'owner@example.com', true, first.cookie);
    assert.equal(past.trusted, false);
    assert.notEqual(claims(past.cookie)!.deviceId, claims(first.cookie)!.deviceId, 'a stolen copy of the old cookie keeps the used-up id');
    assert.equal((await login('192.0.2.7', 'owner@example.com', true, past.cookie)).trusted, true);
  });
});

describe('guard: the account the site logged in (success.account_cookie)', () => {
  const setup = () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 2));
    const config = defaultConfig({ logins: [{ preset: 'wordpress' }] });
    const guard = createGuard(config, { store: new MemoryStore({ clock }), secret: SECRET, clock, random: new SeededRandom(9) });
    const endpoint = config.logins[0]!;
    const req: RequestInfo = { ip: '192.0.2.9', path: '/wp-login.php', method: 'POST', headers: {} };
    const answer = (account: string) => ({ status: 302, body: '', setCookies: ['wordpress_test_cookie=WP', `wordpress_logged_in_abc=${encodeURIComponent(account)}%7C1764000000%7Ctok%7Chmac; path=/`] });
    return { guard, endpoint, req, answer };
  };

  it("a success for the account mamori read counts as one, and the device is that account's", async () => {
    const { guard, endpoint, req, answer } = setup();
    const p = await guard.checkLogin(endpoint, req, { username: 'Admin', password: 'pw' });
    const r = guard.settleLogin(p, answer('admin'));
    await r.done;
    assert.equal(r.outcome, 'success');
    assert.equal(guard.login.devices.verify(r.setCookie!.split(';')[0]!.split('=')[1])?.userHash, guard.login.deviceUserHash('admin', 'exact'));
  });

  it('when the site logged in another account, the success proves nothing for the one read, and the device is for the site\'s', async () => {
    const { guard, endpoint, req, answer } = setup();
    const p = await guard.checkLogin(endpoint, req, { username: 'victim', password: 'pw' });
    const r = guard.settleLogin(p, answer('attacker'));
    await r.done;
    assert.equal(r.outcome, 'neutral');
    const claims = guard.login.devices.verify(r.setCookie!.split(';')[0]!.split('=')[1]);
    assert.equal(claims?.userHash, guard.login.deviceUserHash('attacker', 'exact'));
    assert.notEqual(claims?.userHash, guard.login.deviceUserHash('victim', 'exact'));
  });

  it('a success cookie that names no account is no success', async () => {
    const { guard, endpoint, req } = setup();
    const p = await guard.checkLogin(endpoint, req, { username: 'admin', password: 'pw' });
    const r = guard.settleLogin(p, { status: 302, body: '', setCookies: ['wordpress_logged_in_abc=garbage; path=/'] });
    await r.done;
    assert.equal(r.outcome, 'unknown');
    assert.equal(r.setCookie, undefined);
  });
});
