/** `mfa_gate` through `mamori up`: an admin area behind mamori's own password + TOTP sign-in. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { hmac } from '../core/crypto.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import { createGuard, type Guard } from '../guard/guard.js';
import { parseOtpauthUri, totp } from '../mfa/otp.js';
import { UserDirectory, mfaKeyRing } from '../mfa/users.js';
import { startMamoriProxy } from './mamori-proxy.js';
import type { RunningProxy } from './http-proxy.js';
import { echoUpstream, request } from './test-harness.js';

const SECRET = Buffer.alloc(32, 5);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const PASSWORD = 'a long admin password';

describe('mamori proxy: the MFA gate', () => {
  let up: Awaited<ReturnType<typeof echoUpstream>>;
  let proxy: RunningProxy;
  let guard: Guard;
  let clock: ManualClock;
  let dir: string;
  let secret: Uint8Array;
  let recovery: string[];
  let users: UserDirectory;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-gate-'));
    users = new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, true, {}), hmac(SECRET, 'mamori recovery codes'));
    const e = await users.add('admin', PASSWORD, { issuer: 'Shop' });
    secret = parseOtpauthUri(e.otpauth).secret;
    recovery = e.recoveryCodes;
    up = await echoUpstream();
    clock = new ManualClock(Date.now());
    guard = createGuard(defaultConfig({ data_dir: dir, mfa_gate: { paths: ['/admin'], issuer: 'Shop' } }), { store: new MemoryStore({ clock }), secret: SECRET, clock });
    proxy = await startMamoriProxy({ guard, upstream: up.url, trustedProxies: ['127.0.0.1/32'] });
  });
  after(async () => {
    await proxy.close();
    await up.close();
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signin = (fields: Record<string, string>, source = '192.0.2.50') =>
    request(`${proxy.url}/.mamori/signin`, { method: 'POST', headers: { ...FORM, 'x-forwarded-for': source }, body: new URLSearchParams(fields).toString() });
  const gateCookie = (r: { headers: Record<string, string | string[] | undefined> }) => {
    const sc = r.headers['set-cookie'];
    const list = Array.isArray(sc) ? sc : sc ? [sc] : [];
    return list.find((c) => c.startsWith('mamori_mfa='))?.split(';')[0];
  };

  it('sends a visitor of a gated path to the sign-in page, and refuses other methods', async () => {
    for (const path of ['/admin', '/admin/settings?tab=1', '/Admin', '/x/../admin', '/%61dmin', '/admin%09', '/admin%0a', '/ad%09min', '/admin%c2%a0', '/ad%e3%80%80min', '/%2561dmin', '/admin%7f']) {
      const r = await request(`${proxy.url}${path}`);
      assert.equal(r.status, 303, path);
      assert.match(String(r.headers['location']), /^\/\.mamori\/signin\?next=/);
    }
    assert.equal((await request(`${proxy.url}/admin`, { method: 'POST', headers: FORM, body: 'a=1' })).status, 401);
    assert.equal((await request(`${proxy.url}/`)).status, 200, 'the rest of the site is not gated');
    const page = await request(`${proxy.url}/.mamori/signin?next=%2Fadmin`);
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /name="code"/);
    assert.ok(!up.seen.some((s) => s.url.startsWith('/admin')), 'the site saw none of it');
  });

  it('signs in with password and code, once per code; the site never sees the gate cookie', async () => {
    const code = totp(secret, clock.now());
    const wrong = await signin({ user: 'admin', password: PASSWORD, code: code === '000000' ? '000001' : '000000', next: '/admin' });
    assert.equal(wrong.status, 401);
    assert.equal(gateCookie(wrong), undefined);
    const badPassword = await signin({ user: 'admin', password: 'not the password', code, next: '/admin' });
    assert.equal(badPassword.status, 401);
    const ok = await signin({ user: 'admin', password: PASSWORD, code, next: '/admin' });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers['location'], '/admin');
    const cookie = gateCookie(ok);
    assert.ok(cookie);
    const again = await signin({ user: 'admin', password: PASSWORD, code, next: '/admin' }, '192.0.2.51');
    assert.equal(again.status, 401, 'the same code a second time');
    const inside = await request(`${proxy.url}/admin`, { headers: { cookie: `${cookie}; site=1` } });
    assert.equal(inside.status, 200);
    const seen = up.seen.at(-1)!;
    assert.equal(seen.headers['cookie'], 'site=1', "the site's own cookie goes on, the gate's does not");
    const forged = await request(`${proxy.url}/admin`, { headers: { cookie: `${cookie!.slice(0, -2)}xx` } });
    assert.equal(forged.status, 303, 'a changed cookie is no session');
  });

  it('takes a recovery code once, and never redirects off the site', async () => {
    const r = await signin({ user: 'admin', password: PASSWORD, code: recovery[0]!.toLowerCase(), next: '//evil.example/x' }, '192.0.2.52');
    assert.equal(r.status, 303);
    assert.equal(r.headers['location'], '/', 'next must be a path of this site');
    assert.equal((await signin({ user: 'admin', password: PASSWORD, code: recovery[0]!, next: '/admin' }, '192.0.2.53')).status, 401, 'used');
    assert.equal(new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, false, {}), hmac(SECRET, 'mamori recovery codes')).get('admin')!.recovery.length, 9);
  });

  it('ends older sessions when the second factor is reset', async () => {
    clock.advance(30_000);
    const ok = await signin({ user: 'admin', password: PASSWORD, code: totp(secret, clock.now()), next: '/admin' }, '192.0.2.55');
    const cookie = gateCookie(ok)!;
    assert.equal((await request(`${proxy.url}/admin`, { headers: { cookie } })).status, 200);
    const other = new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, false, {}), hmac(SECRET, 'mamori recovery codes'));
    secret = parseOtpauthUri((await other.resetMfa('admin', { issuer: 'Shop' })).otpauth).secret;
    clock.advance(1500);
    assert.equal((await request(`${proxy.url}/admin`, { headers: { cookie } })).status, 303, 'the lost phone\'s session is over');
  });

  it('ends the sessions of a removed user', async () => {
    clock.advance(60_000);
    const ok = await signin({ user: 'admin', password: PASSWORD, code: totp(secret, clock.now()), next: '/admin' }, '192.0.2.54');
    const cookie = gateCookie(ok)!;
    assert.equal((await request(`${proxy.url}/admin`, { headers: { cookie } })).status, 200);
    const other = new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, false, {}), hmac(SECRET, 'mamori recovery codes'));
    assert.equal(await other.remove('admin'), true);
    clock.advance(1500);
    assert.equal((await request(`${proxy.url}/admin`, { headers: { cookie } })).status, 303);
  });

  it('counts sign-ins with the login protection: a guessing source is locked out', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signin({ user: 'admin', password: `guess ${i} guess guess`, code: '123456', next: '/admin' }, '198.51.100.77')).status);
    assert.ok(statuses.slice(-2).every((s) => s === 429), JSON.stringify(statuses));
  });
});
