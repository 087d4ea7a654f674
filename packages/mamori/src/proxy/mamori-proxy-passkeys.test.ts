/**
 * Passkeys in the MFA gate through the proxy, with the software authenticator standing in for
 * the browser's: the pages' options read from the HTML, the answers posted as the page's script
 * posts them. (test/e2e/passkeys-browser.test.ts does the same in Chromium.)
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
import type { SecurityEvent } from '../core/events.js';
import { createGuard, type Guard } from '../guard/guard.js';
import { parseOtpauthUri, totp } from '../mfa/otp.js';
import { UserDirectory, mfaKeyRing } from '../mfa/users.js';
import { SoftKey, create, get } from '../mfa/soft-authenticator.case.js';
import { startMamoriProxy } from './mamori-proxy.js';
import type { RunningProxy } from './http-proxy.js';
import { echoUpstream, request, type Reply, passkeyOptions } from './test-harness.js';

const SECRET = Buffer.alloc(32, 6);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const PASSWORD = 'a long admin password';
const ORIGIN = 'http://localhost:8080';

function cookies(r: Reply): Record<string, string> {
  const sc = r.headers['set-cookie'];
  const out: Record<string, string> = {};
  for (const c of Array.isArray(sc) ? sc : sc ? [sc] : []) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    out[pair!.slice(0, eq)] = pair!.slice(eq + 1);
  }
  return out;
}

/** The options a passkey page carries for its script (HTML-escaped JSON in data-options). */
const optionsOf = (r: Reply) => passkeyOptions(r.body);

describe('mamori proxy: passkeys in the MFA gate', () => {
  let up: Awaited<ReturnType<typeof echoUpstream>>;
  let proxy: RunningProxy;
  let guard: Guard;
  let clock: ManualClock;
  let dir: string;
  let totpSecret: Uint8Array;
  const seen: SecurityEvent[] = [];
  const key = new SoftKey();
  const phone = new SoftKey();
  const users = () => new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, false, {}), hmac(SECRET, 'mamori recovery codes'));
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-passkeys-'));
    const u = new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, true, {}), hmac(SECRET, 'mamori recovery codes'));
    await u.add('pk', PASSWORD, { issuer: 'Shop', passkeyOnly: true, now: Date.now() });
    totpSecret = parseOtpauthUri((await u.add('ops', PASSWORD, { issuer: 'Shop' })).otpauth).secret;
    up = await echoUpstream();
    clock = new ManualClock(Date.now());
    guard = createGuard(defaultConfig({ data_dir: dir, mfa_gate: { paths: ['/admin'], issuer: 'Shop', webauthn: { rp_id: 'localhost', origins: [ORIGIN] } } }), { store: new MemoryStore({ clock }), secret: SECRET, clock });
    proxy = await startMamoriProxy({ guard, upstream: up.url, trustedProxies: ['127.0.0.1/32'] });
    guard.events.subscribe({ emit: (e) => void seen.push(e) });
  });
  after(async () => {
    await proxy.close();
    await up.close();
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (fields: Record<string, string>, cookie?: string, source = '192.0.2.80') =>
    request(`${proxy.url}/.mamori/signin`, { method: 'POST', headers: { ...FORM, 'x-forwarded-for': source, ...(cookie ? { cookie } : {}) }, body: new URLSearchParams(fields).toString() });

  it('has a user of passkeys only register one after the password, signed in at once', async () => {
    const page = await post({ user: 'pk', password: PASSWORD, code: '', next: '/admin' });
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /Register a passkey/);
    const csp = String(page.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && page.body.toString().includes(`<script nonce="${nonce}">`), 'the inline script runs by its nonce, nothing else does');
    const pending = cookies(page)['mamori_mfa_pending'];
    assert.ok(pending);
    const options = optionsOf(page);
    assert.equal(options.rp?.id, 'localhost');
    const done = await post({ step: 'register', response: create(key, options, { origin: ORIGIN }), name: 'laptop <b>', next: '/admin' }, `mamori_mfa_pending=${pending}`);
    assert.equal(done.status, 303, done.body.toString().slice(0, 300));
    assert.equal(done.headers['location'], '/admin');
    const session = cookies(done)['mamori_mfa'];
    assert.ok(session);
    const inside = await request(`${proxy.url}/admin`, { headers: { cookie: `mamori_mfa=${session}; mamori_mfa_pending=${pending}; site=1` } });
    assert.equal(inside.status, 200);
    assert.equal(up.seen.at(-1)!.headers['cookie'], 'site=1', "the gate's cookies stay with mamori");
    const stored = users().get('pk')!;
    assert.equal(stored.passkeys?.length, 1);
    assert.equal(stored.passkeys![0]!.name, 'laptop <b>');
    assert.equal(stored.passkeyEnrolUntil, undefined, 'the window closes with the first passkey');
    assert.ok(!stored.passkeys![0]!.key.includes(Buffer.from(key.cose).toString('base64url')), 'the public key is sealed');
    // The same pending sign-in cannot register a second one.
    const twice = await post({ step: 'register', response: create(phone, optionsOf(page), { origin: ORIGIN }), name: 'x', next: '/admin' }, `mamori_mfa_pending=${pending}`);
    assert.equal(twice.status, 401);
    // The owner and the operator hear of it, the account as a keyed hash.
    const added = seen.filter((e) => e['event.action'] === 'mfa-passkey-added');
    assert.equal(added.length, 1);
    assert.equal(added[0]!['user.id'], guard.login.userHash('pk', 'mamori-gate'));
    assert.equal(added[0]!['source.ip'], '192.0.2.80');
    assert.doesNotMatch(JSON.stringify(added), /"pk"/);
  });

  it('says so when a passkey answer comes with a counter that went backwards (a copied authenticator)', async () => {
    const signIn = async (counter: number) => {
      clock.advance(2000);
      const page = await post({ user: 'pk', password: PASSWORD, code: '', next: '/admin' });
      const pending = `mamori_mfa_pending=${cookies(page)['mamori_mfa_pending']}`;
      return post({ step: 'passkey', response: get(key, optionsOf(page), { origin: ORIGIN, counter }), next: '/admin' }, pending);
    };
    assert.equal((await signIn(7)).status, 303);
    const before = seen.length;
    const stale = await signIn(3);
    assert.equal(stale.status, 401);
    const cloned = seen.slice(before).filter((e) => e['event.action'] === 'mfa-passkey-cloned');
    assert.equal(cloned.length, 1, JSON.stringify(seen.slice(before).map((e) => e['event.action'])));
    assert.equal(cloned[0]!['user.id'], guard.login.userHash('pk', 'mamori-gate'));
    key.counter = users().get('pk')!.passkeys![0]!.counter;
  });

  it('signs in with password then passkey; the answer works once; a forged pending sign-in does nothing', async () => {
    clock.advance(2000);
    const page = await post({ user: 'pk', password: PASSWORD, code: '', next: '/admin/x' });
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /Use a passkey/);
    const options = optionsOf(page);
    assert.deepEqual(options.allowCredentials?.map((c) => c.id), [Buffer.from(key.id).toString('base64url')]);
    const pending = `mamori_mfa_pending=${cookies(page)['mamori_mfa_pending']}`;
    const answer = get(key, options, { origin: ORIGIN });
    const forged = await post({ step: 'passkey', response: answer, next: '/admin/x' }, `${pending.slice(0, -3)}abc`);
    assert.equal(forged.status, 401);
    const ok = await post({ step: 'passkey', response: answer, next: '/admin/x' }, pending);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers['location'], '/admin/x');
    assert.ok(cookies(ok)['mamori_mfa']);
    const replay = await post({ step: 'passkey', response: answer, next: '/admin/x' }, pending);
    assert.equal(replay.status, 401);
    assert.equal(cookies(replay)['mamori_mfa'], undefined);
    clock.advance(1500);
    assert.equal(users().get('pk')!.passkeys![0]!.counter, key.counter, 'the counter is kept');
  });

  it('refuses a passkey answer from another origin, or past the pending sign-in', async () => {
    clock.advance(2000);
    const page = await post({ user: 'pk', password: PASSWORD, code: '', next: '/admin' });
    const pending = `mamori_mfa_pending=${cookies(page)['mamori_mfa_pending']}`;
    const evil = await post({ step: 'passkey', response: get(key, optionsOf(page), { origin: 'https://evil.example' }), next: '/admin' }, pending);
    assert.equal(evil.status, 401);
    assert.match(evil.body.toString(), /did not sign in/);
    // The refusal page has a new challenge; five minutes on, the pending sign-in is over.
    clock.advance(5 * 60_000 + 1000);
    const late = await post({ step: 'passkey', response: get(key, optionsOf(evil), { origin: ORIGIN }), next: '/admin' }, pending);
    assert.equal(late.status, 401);
    assert.match(late.body.toString(), /start again/);
  });

  it('lets a freshly signed-in user register another passkey, and not a stale session', async () => {
    clock.advance(2000);
    const page = await post({ user: 'pk', password: PASSWORD, code: '', next: '/admin' });
    const ok = await post({ step: 'passkey', response: get(key, optionsOf(page), { origin: ORIGIN }), next: '/admin' }, `mamori_mfa_pending=${cookies(page)['mamori_mfa_pending']}`);
    const session = `mamori_mfa=${cookies(ok)['mamori_mfa']}`;
    const manage = await request(`${proxy.url}/.mamori/signin?passkeys`, { headers: { cookie: session } });
    assert.equal(manage.status, 200);
    assert.match(manage.body.toString(), /laptop &#60;b&#62;/, 'names are escaped');
    const options = optionsOf(manage);
    assert.deepEqual(options.excludeCredentials?.map((c) => c.id), [Buffer.from(key.id).toString('base64url')]);
    const added = await post({ step: 'register', response: create(phone, options, { origin: ORIGIN }), name: 'phone' }, session);
    assert.equal(added.status, 303);
    assert.equal(added.headers['location'], '/.mamori/signin?passkeys');
    clock.advance(11 * 60_000);
    const stale = await request(`${proxy.url}/.mamori/signin?passkeys`, { headers: { cookie: session } });
    assert.equal(stale.status, 200);
    assert.doesNotMatch(stale.body.toString(), /id="wa"/);
    assert.match(stale.body.toString(), /phone/);
    const late = await post({ step: 'register', response: create(new SoftKey(), options, { origin: ORIGIN }), name: 'late' }, session);
    assert.equal(late.status, 401);
    assert.equal(users().get('pk')!.passkeys?.length, 2);
    assert.equal((await request(`${proxy.url}/.mamori/signin?passkeys`)).status, 303, 'no session: sign in first');
  });

  it('leaves a TOTP user on codes: no code is a wrong sign-in, a code still works', async () => {
    clock.advance(2000);
    assert.equal((await post({ user: 'ops', password: PASSWORD, code: '', next: '/admin' }, undefined, '192.0.2.81')).status, 401);
    const ok = await post({ user: 'ops', password: PASSWORD, code: totp(totpSecret, clock.now()), next: '/admin' }, undefined, '192.0.2.81');
    assert.equal(ok.status, 303);
    assert.doesNotMatch((await request(`${proxy.url}/.mamori/signin`)).body.toString(), /name="code"[^>]*required/, 'the code may be left empty for a passkey');
  });

  it('does not count a right password going on to a passkey as a failure', async () => {
    // Twelve wrong passwords lock a source out (the TOTP suite shows it); twelve right ones with a passkey next do not.
    for (let i = 0; i < 12; i++) {
      clock.advance(1000);
      const r = await post({ user: 'pk', password: PASSWORD, code: '', next: '/admin' }, undefined, '198.51.100.90');
      assert.equal(r.status, 200, `try ${i}`);
    }
  });

  it('ends sessions and forgets passkeys when the second factor is reset; a removed passkey no longer signs in', async () => {
    clock.advance(2000);
    let page = await post({ user: 'pk', password: PASSWORD, code: '', next: '/admin' });
    let ok = await post({ step: 'passkey', response: get(phone, optionsOf(page), { origin: ORIGIN }), next: '/admin' }, `mamori_mfa_pending=${cookies(page)['mamori_mfa_pending']}`);
    assert.equal(ok.status, 303);
    const session = `mamori_mfa=${cookies(ok)['mamori_mfa']}`;
    assert.equal((await request(`${proxy.url}/admin`, { headers: { cookie: session } })).status, 200);
    const u = users();
    const gone = await u.removePasskey('pk', Buffer.from(phone.id).toString('base64url').slice(0, 10));
    assert.equal(gone?.name, 'phone');
    clock.advance(1500);
    assert.equal((await request(`${proxy.url}/admin`, { headers: { cookie: session } })).status, 303, "the removed passkey's session is over");
    page = await post({ user: 'pk', password: PASSWORD, code: '', next: '/admin' });
    ok = await post({ step: 'passkey', response: get(phone, optionsOf(page), { origin: ORIGIN }), next: '/admin' }, `mamori_mfa_pending=${cookies(page)['mamori_mfa_pending']}`);
    assert.equal(ok.status, 401);
    await u.resetMfa('pk', { issuer: 'Shop' });
    assert.equal(u.get('pk')!.passkeys, undefined);
    clock.advance(1500);
    assert.equal((await post({ user: 'pk', password: PASSWORD, code: '', next: '/admin' })).status, 401, 'no passkeys, and a TOTP secret now');
  });

  it('signs out', async () => {
    const out = await post({ step: 'signout' });
    assert.equal(out.status, 303);
    assert.match(String(out.headers['set-cookie']), /^mamori_mfa=; Max-Age=0/);
  });
});
