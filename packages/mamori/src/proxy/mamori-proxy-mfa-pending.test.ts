/**
 * The MFA gate's pending sign-in (the password was right, the second factor not yet given)
 * through the proxy: the answer that signs in expires its cookie, with the attributes it was set
 * with, and a copy of the cookie taken before opens nothing once the sign-in completed, even
 * with a good passkey answer to a new challenge.
 */
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
import { SoftKey, b64u, create, get } from '../mfa/soft-authenticator.case.js';
import { startMamoriProxy } from './mamori-proxy.js';
import type { RunningProxy } from './http-proxy.js';
import { echoUpstream, request, type Reply, passkeyOptions } from './test-harness.js';

const SECRET = Buffer.alloc(32, 11);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const PASSWORD = 'a long admin password';
const ORIGIN = 'http://localhost:8080';
const PENDING = 'mamori_mfa_pending';

function setCookies(r: Reply): string[] {
  const sc = r.headers['set-cookie'];
  return Array.isArray(sc) ? sc : sc ? [sc] : [];
}

/** The Set-Cookie of this cookie name in the answer (one at most). */
function setCookie(r: Reply, name: string): string | undefined {
  const all = setCookies(r).filter((c) => c.startsWith(`${name}=`));
  assert.ok(all.length <= 1, `${name} set twice: ${all.join(' | ')}`);
  return all[0];
}

function valueOf(c: string | undefined): string | undefined {
  return c === undefined ? undefined : c.slice(c.indexOf('=') + 1).split(';')[0];
}

/** A Set-Cookie's attributes other than the value and Max-Age, for comparing a cookie with its expiry. */
function attributes(c: string): string[] {
  return c.split(';').slice(1).map((a) => a.trim()).filter((a) => !/^max-age=/i.test(a)).sort();
}

const optionsOf = (r: Reply): { challenge: string } => passkeyOptions(r.body);

describe('mamori proxy: the MFA gate ends a pending sign-in when it completes', () => {
  let up: Awaited<ReturnType<typeof echoUpstream>>;
  let proxy: RunningProxy;
  let guard: Guard;
  let clock: ManualClock;
  let dir: string;
  let totpSecret: Uint8Array;
  const key = new SoftKey();
  const opsKey = new SoftKey();
  const newcomer = new SoftKey();
  const users = () => new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, false, {}), hmac(SECRET, 'mamori recovery codes'));
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-mfa-pending-'));
    const u = new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, true, {}), hmac(SECRET, 'mamori recovery codes'));
    await u.add('pk', PASSWORD, { issuer: 'Shop', passkeyOnly: true });
    await u.addPasskey('pk', { id: b64u(key.id), publicKey: key.cose, counter: 0, transports: [], aaguid: '', name: 'k' }, Date.now(), { first: true });
    await u.add('new', PASSWORD, { issuer: 'Shop', passkeyOnly: true, now: Date.now() });
    // A user of TOTP who has a passkey too: either completes the sign-in.
    totpSecret = parseOtpauthUri((await u.add('ops', PASSWORD, { issuer: 'Shop' })).otpauth).secret;
    await u.addPasskey('ops', { id: b64u(opsKey.id), publicKey: opsKey.cose, counter: 0, transports: [], aaguid: '', name: 'k' }, Date.now());
    up = await echoUpstream();
    clock = new ManualClock(Date.now());
    guard = createGuard(defaultConfig({ data_dir: dir, mfa_gate: { paths: ['/admin'], issuer: 'Shop', webauthn: { rp_id: 'localhost', origins: [ORIGIN] } } }), { store: new MemoryStore({ clock }), secret: SECRET, clock });
    proxy = await startMamoriProxy({ guard, upstream: up.url, trustedProxies: ['127.0.0.1/32'] });
  });
  after(async () => {
    await proxy.close();
    await up.close();
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (fields: Record<string, string>, cookie?: string, extra: Record<string, string> = {}) =>
    request(`${proxy.url}/.mamori/signin`, { method: 'POST', headers: { ...FORM, 'x-forwarded-for': '192.0.2.90', ...extra, ...(cookie ? { cookie } : {}) }, body: new URLSearchParams(fields).toString() });

  /** The password step: the passkey page and its pending cookie (the Set-Cookie and the Cookie to send back). */
  const passwordStep = async (user: string, extra: Record<string, string> = {}) => {
    clock.advance(2000);
    const page = await post({ user, password: PASSWORD, code: '', next: '/admin' }, undefined, extra);
    assert.equal(page.status, 200, page.body.toString().slice(0, 300));
    const set = setCookie(page, PENDING);
    assert.ok(set, 'a pending sign-in');
    return { page, set, cookie: `${PENDING}=${valueOf(set)}` };
  };

  it('expires the pending cookie when the passkey signs in, and a copy of it then opens nothing', async () => {
    const { page, set, cookie } = await passwordStep('pk');
    const ok = await post({ step: 'passkey', response: get(key, optionsOf(page), { origin: ORIGIN }), next: '/admin' }, cookie);
    assert.equal(ok.status, 303);
    assert.ok(valueOf(setCookie(ok, 'mamori_mfa')), 'signed in');
    const ended = setCookie(ok, PENDING);
    assert.ok(ended, `the pending cookie is expired: ${setCookies(ok).join(' | ')}`);
    assert.equal(valueOf(ended), '');
    assert.match(ended, /; Max-Age=0(;|$)/);
    assert.deepEqual(attributes(ended), attributes(set), 'same path and attributes as when it was set');
    assert.ok(attributes(set).includes('Path=/.mamori/signin'));

    // Someone who copied the pending cookie gets a new challenge with it (a wrong answer is
    // answered with one)...
    clock.advance(2000);
    const again = await post({ step: 'passkey', response: '{}', next: '/admin' }, cookie);
    assert.equal(again.status, 401);
    // ...and even a good answer to it (here from the user's own passkey) no longer signs in.
    const replay = await post({ step: 'passkey', response: get(key, optionsOf(again), { origin: ORIGIN }), next: '/admin' }, cookie);
    assert.equal(replay.status, 401);
    assert.match(replay.body.toString(), /completed already/);
    assert.equal(setCookie(replay, 'mamori_mfa'), undefined);
    assert.match(setCookie(replay, PENDING) ?? '', /^mamori_mfa_pending=; Max-Age=0;/, 'and the copy is expired too');

    // The user signs in again as before: a new pending sign-in of their own.
    const next = await passwordStep('pk');
    const ok2 = await post({ step: 'passkey', response: get(key, optionsOf(next.page), { origin: ORIGIN }), next: '/admin' }, next.cookie);
    assert.equal(ok2.status, 303);
  });

  it('keeps Secure on the expiry behind HTTPS', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    const { page, set, cookie } = await passwordStep('pk', https);
    assert.match(set, /; Secure/);
    const ok = await post({ step: 'passkey', response: get(key, optionsOf(page), { origin: ORIGIN }), next: '/admin' }, cookie, https);
    assert.equal(ok.status, 303);
    const ended = setCookie(ok, PENDING)!;
    assert.match(ended, /; Max-Age=0;/);
    assert.deepEqual(attributes(ended), attributes(set));
  });

  it('expires it when the first passkey is registered', async () => {
    const { page, set, cookie } = await passwordStep('new');
    assert.match(page.body.toString(), /Register a passkey/);
    const done = await post({ step: 'register', response: create(newcomer, optionsOf(page), { origin: ORIGIN }), name: 'laptop', next: '/admin' }, cookie);
    assert.equal(done.status, 303, done.body.toString().slice(0, 300));
    assert.ok(valueOf(setCookie(done, 'mamori_mfa')));
    const ended = setCookie(done, PENDING)!;
    assert.match(ended, /; Max-Age=0;/);
    assert.deepEqual(attributes(ended), attributes(set));
    clock.advance(1500);
    assert.equal(users().get('new')!.passkeys?.length, 1);
  });

  it('ends a pending sign-in left for a TOTP code: the code signs in, the pending cookie no longer does', async () => {
    const { page, cookie } = await passwordStep('ops');
    assert.match(page.body.toString(), /Use a passkey/);
    const ok = await post({ user: 'ops', password: PASSWORD, code: totp(totpSecret, clock.now()), next: '/admin' }, cookie);
    assert.equal(ok.status, 303);
    assert.ok(valueOf(setCookie(ok, 'mamori_mfa')));
    assert.match(setCookie(ok, PENDING) ?? '', /^mamori_mfa_pending=; Max-Age=0;/);
    const late = await post({ step: 'passkey', response: get(opsKey, optionsOf(page), { origin: ORIGIN }), next: '/admin' }, cookie);
    assert.equal(late.status, 401);
    assert.equal(setCookie(late, 'mamori_mfa'), undefined);
  });

  it('sets no pending expiry on a sign-in that had none, and signing out expires both cookies', async () => {
    clock.advance(31_000);
    const ok = await post({ user: 'ops', password: PASSWORD, code: totp(totpSecret, clock.now()), next: '/admin' });
    assert.equal(ok.status, 303);
    assert.deepEqual(setCookies(ok).map((c) => c.split('=')[0]), ['mamori_mfa']);
    const { cookie } = await passwordStep('pk');
    const out = await post({ step: 'signout' }, `mamori_mfa=${valueOf(setCookie(ok, 'mamori_mfa'))}; ${cookie}`);
    assert.equal(out.status, 303);
    assert.match(setCookie(out, 'mamori_mfa') ?? '', /^mamori_mfa=; Max-Age=0;/);
    assert.match(setCookie(out, PENDING) ?? '', /^mamori_mfa_pending=; Max-Age=0;/);
  });
});
