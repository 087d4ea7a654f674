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
function stack(raw: Record<string, unknown> = {}, normalize?: 'exact' | 'lowercase' | 'wordpress') {
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
    assert.equal(guard.login.devices.verify(r.setCookie!.split(';')[0]!.split('=')[1])?.userHash, guard.login.deviceUserHash('admin', 'exact', 'wordpress'));
  });

  it('when the site logged in another account, the success proves nothing for the one read, and the device is for the site\'s', async () => {
    const { guard, endpoint, req, answer } = setup();
    const p = await guard.checkLogin(endpoint, req, { username: 'victim', password: 'pw' });
    const r = guard.settleLogin(p, answer('attacker'));
    await r.done;
    assert.equal(r.outcome, 'neutral');
    const claims = guard.login.devices.verify(r.setCookie!.split(';')[0]!.split('=')[1]);
    assert.equal(claims?.userHash, guard.login.deviceUserHash('attacker', 'exact', 'wordpress'));
    assert.notEqual(claims?.userHash, guard.login.deviceUserHash('victim', 'exact', 'wordpress'));
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

describe('guard: one account name in two applications (account_scope)', () => {
  /** WordPress and phpMyAdmin behind one mamori, both with an account named admin. */
  const setup = (raw: Record<string, unknown> = {}) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 2));
    const store = new MemoryStore({ clock, random: new SeededRandom(3) });
    const config = defaultConfig({ logins: [{ preset: 'wordpress' }, { preset: 'phpmyadmin' }], ...raw });
    const guard = createGuard(config, { store, secret: SECRET, clock, random: new SeededRandom(9) });
    const wp = config.logins.find((l) => l.name === 'wordpress-login')!;
    const pma = config.logins.find((l) => l.name === 'phpmyadmin-login')!;
    const wpWin = { status: 302, body: '', setCookies: ['wordpress_logged_in_abc=admin%7C1764000000%7Ctok%7Chmac; path=/'] };
    const wpFail = { status: 200, body: '<div id="login_error">wrong</div>', setCookies: [] };
    const pmaWin = { status: 302, body: '', setCookies: ['pmaAuth-1=x; path=/phpmyadmin/'] };
    const pmaFail = { status: 200, body: 'denied', setCookies: [] };
    const attempt = async (e: typeof wp, ip: string, answer: typeof wpWin, cookie?: string) => {
      const req: RequestInfo = { ip, path: e.path, method: 'POST', headers: cookie ? { cookie } : {} };
      const inspected = await guard.inspect(req);
      if (guard.enforced(inspected)) return { action: inspected.action, trusted: false, ruleId: inspected.ruleId };
      const p = await guard.checkLogin(e, req, { username: 'admin', password: 'guess' });
      if (guard.enforced(p.verdict)) return { action: p.verdict.action, trusted: p.verdict.trustedDevice, ruleId: p.verdict.ruleId };
      const r = await guard.reportLogin(p, answer);
      return { action: 'allow', trusted: p.verdict.trustedDevice, cookie: r.setCookie?.split(';')[0], ruleId: p.verdict.ruleId };
    };
    return { clock, store, guard, wp, pma, wpWin, wpFail, pmaWin, pmaFail, attempt };
  };

  it('presets give each application its own scope and trusted-device cookie', () => {
    const { wp, pma, guard } = setup();
    assert.equal(wp.accountScope, 'wordpress');
    assert.equal(pma.accountScope, 'phpmyadmin');
    assert.equal(guard.deviceCookie('wordpress'), 'mamori_device-wordpress');
    assert.equal(guard.deviceCookie(undefined), 'mamori_device');
  });

  it("WordPress admin's trusted device is not trusted for phpMyAdmin's admin, under any cookie name", async () => {
    const { wp, pma, wpWin, pmaFail, attempt } = setup();
    const owner = await attempt(wp, '192.0.2.10', wpWin);
    assert.ok(owner.cookie?.startsWith('mamori_device-wordpress='));
    assert.equal((await attempt(wp, '192.0.2.10', wpWin, owner.cookie)).trusted, true, 'trusted where it was earned');
    const token = owner.cookie!.slice(owner.cookie!.indexOf('=') + 1);
    for (const name of ['mamori_device-wordpress', 'mamori_device-phpmyadmin', 'mamori_device']) {
      const r = await attempt(pma, '192.0.2.10', pmaFail, `${name}=${token}`);
      assert.equal(r.trusted, false, `${name} carrying WordPress's token`);
    }
  });

  it("a success on WordPress does not clear the same source's failures on phpMyAdmin", async () => {
    const { wp, pma, wpWin, pmaFail, attempt, clock } = setup();
    const ip = '198.51.100.20';
    // The attacker owns the WordPress admin account (or logs in as admin there) and guesses phpMyAdmin's.
    let reached = 0;
    let refused: string | undefined;
    for (let i = 0; i < 40 && !refused; i++) {
      const r = await attempt(pma, ip, pmaFail);
      if (r.action !== 'allow') refused = r.ruleId;
      else {
        reached++;
        assert.equal((await attempt(wp, ip, wpWin)).action, 'allow');
      }
      clock.advance(1000);
    }
    assert.equal(refused, 'login.user-source', 'stopped by the pair count, as if WordPress had not been touched');
    assert.equal(reached, 5);
  });

  it('both applications count apart: failures on one do not close the other to its owner', async () => {
    const { wp, pma, wpFail, pmaWin, attempt, clock } = setup();
    for (let i = 0; i < 30; i++) {
      await attempt(wp, `203.0.113.${i + 1}`, wpFail);
      clock.advance(1000);
    }
    const owner = await attempt(pma, '192.0.2.50', pmaWin);
    assert.equal(owner.action, 'allow', `phpMyAdmin's admin still logs in: ${owner.ruleId}`);
  });

  it("an operator's decision on an account name holds in every application", async () => {
    const { guard, wp, pma, wpWin, pmaWin, attempt, store, clock } = setup();
    await store.decisions.add({ action: 'block', scope: 'user', value: guard.login.userHash('admin'), expiresAt: clock.now() + HOUR, origin: 'cli', reason: 'compromised' });
    assert.equal((await attempt(wp, '192.0.2.60', wpWin)).action, 'block');
    assert.equal((await attempt(pma, '192.0.2.60', pmaWin)).action, 'block');
  });

  it("deleting the login protection's closure of an account opens it again in the application that closed it", async () => {
    // Seen on the real apps (scripts/real-apps, challenge_after = close_after = 6): WordPress's
    // alice closed after 6 failures, `mamori decisions delete --user alice`, then alice from a new
    // address was still challenged ("6 failures for this account"): the decision names the account
    // unscoped, and LoginGuard.lift reset the unscoped count, not WordPress's.
    const { guard, wp, pma, wpWin, wpFail, pmaWin, attempt, store } = setup({ login_protection: { user: { challenge_after: 50, close_after: 50 } } });
    for (let i = 0; i < 50; i++) assert.equal((await attempt(wp, `198.51.${i}.1`, wpFail)).action, 'allow');
    assert.equal((await attempt(wp, '192.0.2.80', wpWin)).action, 'block', 'closed');
    // The closure is WordPress's: phpMyAdmin's admin, another account, is not closed by it.
    assert.equal((await attempt(pma, '192.0.2.80', pmaWin)).action, 'allow', "phpMyAdmin's admin is another account");
    const [closure] = await store.decisions.list();
    assert.ok(guard.accountDecisionValues('admin').includes(closure!.value), 'found by the name, as `decisions delete --user admin` looks');
    assert.equal(await guard.deleteDecisions({ scope: 'user', value: closure!.value }), 1);
    assert.equal((await store.decisions.list()).length, 0);
    const p = await attempt(pma, '192.0.2.81', pmaWin);
    assert.equal(p.action, 'allow', `phpMyAdmin's admin opens again: ${p.ruleId}`);
    const w = await attempt(wp, '192.0.2.81', wpWin);
    assert.equal(w.action, 'allow', `WordPress's admin opens again: ${w.ruleId}`);
  });

  it("a policy rule's require_device.account_scope takes only devices trusted in that application", async () => {
    const { wp, pma, wpWin, pmaWin, attempt, guard } = setup({
      policy: [
        { name: 'pma', paths: ['/phpmyadmin'], except_paths: ['/phpmyadmin/index.php'], require_device: { accounts: ['admin'], account_scope: 'phpmyadmin' } },
        { name: 'wpa', paths: ['/wp-admin'], require_device: { accounts: ['admin'] } },
      ],
    });
    const fromWp = await attempt(wp, '192.0.2.70', wpWin);
    const page = (cookie?: string, path = '/phpmyadmin/sql.php') => guard.inspect({ ip: '192.0.2.70', path, method: 'GET', headers: cookie ? { cookie } : {} });
    assert.equal((await page(fromWp.cookie)).action, 'block', "WordPress's device does not open phpMyAdmin's pages");
    assert.equal((await page(fromWp.cookie, '/wp-admin/')).action, 'allow', 'a rule without account_scope takes the account in any application');
    const fromPma = await attempt(pma, '192.0.2.70', pmaWin);
    assert.ok(fromPma.cookie?.startsWith('mamori_device-phpmyadmin='));
    // Both cookies together: each application's pages open.
    const both = `${fromWp.cookie}; ${fromPma.cookie}`;
    assert.equal((await page(both)).action, 'allow');
    assert.equal((await page(both, '/wp-admin/')).action, 'allow');
  });
});

describe('guard: the secret', () => {
  it('is 32 bytes at least, as MAMORI_SECRET, the config and data_dir/secret require', () => {
    assert.throws(() => createGuard(defaultConfig(), { store: new MemoryStore(), secret: Buffer.alloc(16, 1) }), /MAMORI_ERR_CONFIG_SECRET|at least 32 bytes/);
    assert.ok(createGuard(defaultConfig(), { store: new MemoryStore(), secret: Buffer.alloc(32, 1) }));
  });
});

describe("guard: the library form's success does not wait for its bookkeeping", () => {
  const req = (ip: string): RequestInfo => ({ ip, method: 'POST', path: '/login', headers: {} });

  it('reportCredentials resolves before the take-back lands; the counts land by settle, and a failure of them reaches onError', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    const errors: unknown[] = [];
    const guard = createGuard(defaultConfig(), { store, secret: Buffer.alloc(32, 3), clock, onError: (e) => errors.push(e) });
    // One failure on the pair, then a success: the success clears the pair's count.
    const p1 = await guard.checkCredentials(req('192.0.2.7'), { username: 'alice@example.com', password: 'wrong' });
    await guard.reportCredentials(p1, false);
    const keys = guard.login.counterKeys({ ip: '192.0.2.7', username: 'alice@example.com' });
    assert.deepEqual(await store.read([keys.userSource]), [1]);
    const p2 = await guard.checkCredentials(req('192.0.2.7'), { username: 'alice@example.com', password: 'right' });
    // Hold the store's writes from here: the success must still be answered.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const increment = store.increment.bind(store);
    const reset = store.reset.bind(store);
    store.increment = async (ops) => {
      await held;
      return increment(ops);
    };
    store.reset = async (ks) => {
      await held;
      return reset(ks);
    };
    await guard.reportCredentials(p2, true);
    assert.deepEqual(await store.read([keys.userSource]), [2], 'answered while the clearing is still held (check counted this attempt)');
    release();
    await guard.login.settle();
    assert.deepEqual(await store.read([keys.userSource]), [0], 'the success cleared the pair once its writes landed');
    // A store that fails the bookkeeping: the login is still answered, the error reported.
    store.reset = async () => {
      throw new Error('store down');
    };
    const p3 = await guard.checkCredentials(req('192.0.2.8'), { username: 'bob@example.com', password: 'right' });
    await guard.reportCredentials(p3, true);
    await guard.login.settle();
    assert.equal(errors.length, 1);
    assert.match(String((errors[0] as Error).message), /store down/);
    await guard.close();
  });
});
