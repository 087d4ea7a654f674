/**
 * Red team: passkeys in the MFA gate, attacked through a real mamori proxy (and, for races that
 * need two answers in flight at once, through guard.handleSignin, the proxy's own entry).
 * Each `finding N` test reproduced a hole before its fix; the others are attacks that failed,
 * kept so that they keep failing. bench/redteam/README-passkeys.md lists the findings.
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
import type { RenderedResponse, RequestInfo } from '../guard/verdict.js';
import { parseOtpauthUri, totp } from '../mfa/otp.js';
import { UserDirectory, mfaKeyRing } from '../mfa/users.js';
import { SoftKey, b64u, cbor, create, get, UP, type Cbor } from '../mfa/soft-authenticator.case.js';
import { startMamoriProxy } from './mamori-proxy.js';
import type { RunningProxy } from './http-proxy.js';
import { echoUpstream, request, type Reply, passkeyOptions } from './test-harness.js';

const SECRET = Buffer.alloc(32, 9);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const PASSWORD = 'a long admin password';
const ORIGIN = 'http://localhost:8080';

function cookies(r: { headers: Record<string, unknown> }): Record<string, string> {
  const sc = r.headers['set-cookie'];
  const out: Record<string, string> = {};
  for (const c of Array.isArray(sc) ? (sc as string[]) : typeof sc === 'string' ? [sc] : []) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    out[pair!.slice(0, eq)] = pair!.slice(eq + 1);
  }
  return out;
}

type Options = { challenge: string; allowCredentials?: { id: string }[]; excludeCredentials?: { id: string }[]; user?: { id: string; name: string } };
const optionsOf = (body: string | Buffer): Options => passkeyOptions<Options>(body);

/** A registration response whose attestation object is `att` (the rest as a browser sends it). */
function withAttestation(key: SoftKey, options: Options, att: Buffer): string {
  const r = JSON.parse(create(key, options, { origin: ORIGIN })) as { response: { attestationObject: string } };
  r.response.attestationObject = b64u(att);
  return JSON.stringify(r);
}

describe('red team: passkeys in the MFA gate through the proxy', () => {
  let up: Awaited<ReturnType<typeof echoUpstream>>;
  let proxy: RunningProxy;
  let guard: Guard;
  let clock: ManualClock;
  let dir: string;
  let totpSecret: Uint8Array;
  let longSecret: Uint8Array;
  /** A user name of the longest length a users file takes. */
  const LONG = `${'n'.repeat(120)}@example`;
  const errors: unknown[] = [];
  const alice = new SoftKey(); // alice's passkey
  const bob = new SoftKey(); // bob's passkey
  const users = () => new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, false, {}), hmac(SECRET, 'mamori recovery codes'));
  const register = (u: UserDirectory, name: string, key: SoftKey) => u.addPasskey(name, { id: b64u(key.id), publicKey: key.cose, counter: 0, transports: ['usb'], aaguid: '', name: `${name}'s key` }, Date.now());

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-passkeys-rt-'));
    const u = new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, true, {}), hmac(SECRET, 'mamori recovery codes'));
    await u.add('alice', PASSWORD, { issuer: 'Shop', passkeyOnly: true });
    await u.add('bob', PASSWORD, { issuer: 'Shop', passkeyOnly: true });
    await u.add('fresh', PASSWORD, { issuer: 'Shop', passkeyOnly: true });
    await u.add('fresh2', PASSWORD, { issuer: 'Shop', passkeyOnly: true });
    totpSecret = parseOtpauthUri((await u.add('ops', PASSWORD, { issuer: 'Shop' })).otpauth).secret;
    longSecret = parseOtpauthUri((await u.add(LONG, PASSWORD, { issuer: 'Shop' })).otpauth).secret;
    await register(u, 'alice', alice);
    await register(u, 'bob', bob);
    up = await echoUpstream();
    clock = new ManualClock(Date.now());
    guard = createGuard(defaultConfig({ data_dir: dir, mfa_gate: { paths: ['/admin'], issuer: 'Shop', webauthn: { rp_id: 'localhost', origins: [ORIGIN] } } }), {
      store: new MemoryStore({ clock }),
      secret: SECRET,
      clock,
      onError: (e) => errors.push(e),
    });
    proxy = await startMamoriProxy({ guard, upstream: up.url, trustedProxies: ['127.0.0.1/32'] });
  });
  after(async () => {
    await proxy.close();
    await up.close();
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let sourceN = 1;
  /** A source of its own for each test: the login protection's counts of one test stay out of the next. */
  const newSource = () => `198.51.100.${sourceN++}`;
  const post = (fields: Record<string, string>, cookie: string | undefined, source: string, extra: Record<string, string> = {}) =>
    request(`${proxy.url}/.mamori/signin`, { method: 'POST', headers: { ...FORM, 'x-forwarded-for': source, ...(cookie ? { cookie } : {}), ...extra }, body: new URLSearchParams(fields).toString() });
  /** Password step: the passkey page and its pending cookie. */
  const start = async (user: string, source: string): Promise<{ page: Reply; pending: string; options: Options }> => {
    clock.advance(1100);
    const page = await post({ user, password: PASSWORD, code: '', next: '/admin' }, undefined, source);
    assert.equal(page.status, 200, page.body.toString().slice(0, 300));
    const pending = cookies(page)['mamori_mfa_pending'];
    assert.ok(pending);
    return { page, pending: `mamori_mfa_pending=${pending}`, options: optionsOf(page.body.toString()) };
  };

  it('finding 1: a form with any other `step` is not a passkey step: the password is never checked there, uncounted', async () => {
    const source = newSource();
    // With step=<anything> the sign-in skipped the login protection and went on to check the
    // password: right and with the code left empty, the passkey page (an oracle for unlimited
    // password guesses); with a right TOTP code, a full sign-in.
    for (const step of ['x', '', 'Passkey', 'signin']) {
      const r = await post({ step, user: 'alice', password: PASSWORD, code: '', next: '/admin' }, undefined, source);
      assert.equal(cookies(r)['mamori_mfa_pending'], undefined, `step=${step}: no pending sign-in`);
      assert.doesNotMatch(r.body.toString(), /Use a passkey/, `step=${step}: no passkey page`);
      assert.equal(r.status, 400, `step=${step}`);
    }
    const code = totp(totpSecret, clock.now());
    const r = await post({ step: 'x', user: 'ops', password: PASSWORD, code, next: '/admin' }, undefined, source);
    assert.equal(cookies(r)['mamori_mfa'], undefined, 'no session from an uncounted sign-in');
    // Twelve wrong guesses this way, then the ordinary form: the guesses bought nothing (each
    // was refused before any password check), and the ordinary form is counted as before.
    for (let i = 0; i < 12; i++) assert.equal((await post({ step: 'x', user: 'ops', password: `guess ${i} guess`, code: '123456' }, undefined, source)).status, 400);
    const right = await post({ user: 'ops', password: PASSWORD, code: totp(totpSecret, clock.now() + 30_000), next: '/admin' }, undefined, source);
    assert.equal(right.status, 303);
  });

  it('finding 2: a cloned authenticator answering twice at once with one counter value signs in once', async () => {
    const source = newSource();
    const one = await start('alice', source);
    const two = await start('alice', source);
    const next = alice.counter + 1;
    const a1 = get(alice, one.options, { origin: ORIGIN, counter: next });
    const a2 = get(alice, two.options, { origin: ORIGIN, counter: next });
    // Through guard.handleSignin (the proxy's entry for this POST), both in flight together, as a
    // clone and its original racing would be.
    const req = (pending: string): RequestInfo => ({ ip: source, method: 'POST', path: '/.mamori/signin', headers: { ...FORM, cookie: pending } });
    const body = (response: string) => Buffer.from(new URLSearchParams({ step: 'passkey', response, next: '/admin' }).toString());
    const answers: RenderedResponse[] = await Promise.all([guard.handleSignin(req(one.pending), body(a1)), guard.handleSignin(req(two.pending), body(a2))]);
    const signedIn = answers.filter((a) => a.status === 303 && cookies(a)['mamori_mfa']);
    assert.equal(signedIn.length, 1, `answers: ${answers.map((a) => a.status).join(',')}`);
    const refused = answers.find((a) => a !== signedIn[0])!;
    assert.match(refused.body, /counter went backwards/);
    clock.advance(1100);
    assert.equal(users().get('alice')!.passkeys![0]!.counter, next);
  });

  it('finding 3: a sign-in form posted from another site (login CSRF, sign-out CSRF) is refused', async () => {
    const source = newSource();
    const cross = { 'sec-fetch-site': 'cross-site' };
    // Logging the victim's browser in as the attacker (whose password and code the attacker has).
    const login = await post({ user: 'ops', password: PASSWORD, code: totp(totpSecret, clock.now()), next: '/admin' }, undefined, source, cross);
    assert.equal(login.status, 403);
    assert.equal(cookies(login)['mamori_mfa'], undefined);
    const out = await post({ step: 'signout' }, 'mamori_mfa=x', source, cross);
    assert.equal(out.status, 403);
    assert.equal(cookies(out)['mamori_mfa'], undefined, 'no cookie cleared from another site');
    // Same-site, and older browsers that send no Sec-Fetch-Site, are served as before.
    assert.equal((await post({ step: 'signout' }, undefined, source, { 'sec-fetch-site': 'same-origin' })).status, 303);
    assert.equal((await post({ step: 'signout' }, undefined, source)).status, 303);
  });

  it('finding 6: a `next` a header cannot carry (a crafted sign-in link) does not turn a good sign-in into a 500', async () => {
    const source = newSource();
    clock.advance(120_000); // past the TOTP steps earlier tests used
    for (const next of ['/\u0100', '/admin\x7f', '/\u2028x', '/admin/\u00e9t\u00e9']) {
      clock.advance(31_000);
      const r = await post({ user: 'ops', password: PASSWORD, code: totp(totpSecret, clock.now()), next }, undefined, source);
      assert.equal(r.status, 303, JSON.stringify(next));
      assert.equal(r.headers['location'], '/');
      assert.ok(cookies(r)['mamori_mfa']);
    }
    // A path as the gate's own redirect writes it (percent-encoded) goes through unchanged.
    clock.advance(31_000);
    const ok = await post({ user: 'ops', password: PASSWORD, code: totp(totpSecret, clock.now()), next: '/admin/%C3%A9t%C3%A9?a=1&b=%20' }, undefined, source);
    assert.equal(ok.headers['location'], '/admin/%C3%A9t%C3%A9?a=1&b=%20');
  });

  it('finding 7: a name longer than 128 characters is not cut to a user of the first 128 (the login protection counted another account)', async () => {
    const source = newSource();
    assert.equal(LONG.length, 128);
    clock.advance(120_000);
    // The login protection counted the name as sent; the gate cut it to 128 characters and
    // checked that user's password: each suffix a fresh account to the per-account limits.
    const r = await post({ user: `${LONG}-1`, password: PASSWORD, code: totp(longSecret, clock.now()), next: '/admin' }, undefined, source);
    assert.equal(r.status, 401);
    assert.equal(cookies(r)['mamori_mfa'], undefined);
    const ok = await post({ user: LONG, password: PASSWORD, code: totp(longSecret, clock.now()), next: '/admin' }, undefined, source);
    assert.equal(ok.status, 303, 'the name itself signs in');
  });

  it("refuses another user's passkey, a challenge of another pending sign-in, and a registration challenge as a sign-in", async () => {
    const source = newSource();
    const a = await start('alice', source);
    // bob's key, bob's credential id, alice's challenge: not a passkey of alice.
    const cross = await post({ step: 'passkey', response: get(bob, a.options, { origin: ORIGIN }), next: '/admin' }, a.pending, source);
    assert.equal(cross.status, 401);
    assert.equal(cookies(cross)['mamori_mfa'], undefined);
    // bob's pending sign-in's challenge answered by... bob, but sent with alice's pending cookie.
    const b = await start('bob', source);
    const swapped = await post({ step: 'passkey', response: get(bob, b.options, { origin: ORIGIN }), next: '/admin' }, a.pending, source);
    assert.equal(swapped.status, 401);
    // alice's challenge from one pending sign-in, with another of hers.
    const a2 = await start('alice', source);
    const other = await post({ step: 'passkey', response: get(alice, a.options, { origin: ORIGIN }), next: '/admin' }, a2.pending, source);
    assert.equal(other.status, 401);
    // A registration challenge (fresh's enrolment) answered as a sign-in, and a sign-in challenge as a registration.
    const f = await start('fresh', source);
    const asGet = await post({ step: 'passkey', response: get(alice, f.options, { origin: ORIGIN, type: 'webauthn.get' }), next: '/admin' }, a.pending, source);
    assert.equal(asGet.status, 401);
    const asCreate = await post({ step: 'register', response: create(new SoftKey(), a.options, { origin: ORIGIN }), name: 'x', next: '/admin' }, f.pending, source);
    assert.equal(asCreate.status, 400);
    // An enrolment's pending cookie does not stand for a sign-in with a passkey, nor the reverse.
    assert.equal((await post({ step: 'passkey', response: get(alice, f.options, { origin: ORIGIN }), next: '/admin' }, f.pending, source)).status, 401);
    assert.equal((await post({ step: 'register', response: create(new SoftKey(), a.options, { origin: ORIGIN }), name: 'x' }, a.pending, source)).status, 401);
    assert.equal(users().get('fresh')!.passkeys, undefined);
  });

  it('takes origins and the rp id from the config, whatever Host and X-Forwarded-Host say', async () => {
    const source = newSource();
    const tricks = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    clock.advance(1100);
    const page = await post({ user: 'alice', password: PASSWORD, code: '', next: '/admin' }, undefined, source, tricks);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.body.toString(), /evil/);
    const options = optionsOf(page.body.toString());
    const pending = `mamori_mfa_pending=${cookies(page)['mamori_mfa_pending']}`;
    for (const o of [
      { origin: 'https://evil.example' },
      { origin: 'http://evil.example' },
      { origin: ORIGIN, rpId: 'evil.example' },
      { origin: 'http://localhost:8080.evil.example' },
      { origin: 'http://localhost' },
    ]) {
      const r = await post({ step: 'passkey', response: get(alice, options, o), next: '/admin' }, pending, source, tricks);
      assert.equal(r.status, 401, JSON.stringify(o));
    }
  });

  it('refuses a counter that goes back, and one that stays put, one after the other', async () => {
    const source = newSource();
    const s = await start('bob', source);
    assert.equal((await post({ step: 'passkey', response: get(bob, s.options, { origin: ORIGIN, counter: 50 }), next: '/admin' }, s.pending, source)).status, 303);
    for (const counter of [49, 50, 0]) {
      const t = await start('bob', source);
      const r = await post({ step: 'passkey', response: get(bob, t.options, { origin: ORIGIN, counter }), next: '/admin' }, t.pending, source);
      assert.equal(r.status, 401, `counter ${counter}`);
      assert.match(r.body.toString(), /counter went backwards/);
    }
    const t = await start('bob', source);
    assert.equal((await post({ step: 'passkey', response: get(bob, t.options, { origin: ORIGIN, counter: 51 }), next: '/admin' }, t.pending, source)).status, 303);
  });

  it('answers malformed, oversized and hostile CBOR and JSON with a refusal, never a crash or a hang', async () => {
    const source = newSource();
    const f = await start('fresh', source);
    const key = new SoftKey();
    const nest = (depth: number, major: number) => Buffer.concat([Buffer.alloc(depth, (major << 5) | 1), Buffer.from([0])]);
    const attestations: [string, Buffer][] = [
      ['arrays nested 4000 deep', nest(4000, 4)],
      ['maps nested 2000 deep', Buffer.concat([Buffer.alloc(2000 * 2).map((_, i) => (i % 2 === 0 ? 0xa1 : 0x00)), Buffer.from([0])])],
      ['tags nested 4000 deep', Buffer.concat([Buffer.alloc(4000, 0xc6), Buffer.from([0])])],
      ['a byte string of 2^32 bytes', Buffer.from([0x5a, 0xff, 0xff, 0xff, 0xff, 1, 2, 3])],
      ['a byte string of 2^64-1 bytes', Buffer.from([0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1])],
      ['an array of 2^32 items', Buffer.from([0x9a, 0xff, 0xff, 0xff, 0xff, 0])],
      ['a map of 2^64-1 pairs', Buffer.from([0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0])],
      ['an indefinite map never closed', Buffer.concat([Buffer.from([0xbf]), Buffer.alloc(3000, 0x00)])],
      ['reserved additional info', Buffer.from([0x1c, 0x3d, 0x5e])],
      ['nothing', Buffer.alloc(0)],
      ['a map with authData of a huge credential id length', cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', Buffer.concat([Buffer.alloc(37, 0x41), Buffer.alloc(16), Buffer.from([0xff, 0xff]), Buffer.alloc(20)])]]))],
      ['authData whose public key is nested arrays', cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', Buffer.concat([Buffer.alloc(32), Buffer.from([UP | 0x40, 0, 0, 0, 0]), Buffer.alloc(16), Buffer.from([0, 16]), key.id, nest(3000, 4)])]]))],
    ];
    for (const [what, att] of attestations) {
      const r = await post({ step: 'register', response: withAttestation(key, f.options, att), name: 'x', next: '/admin' }, f.pending, source);
      assert.equal(r.status, 400, what);
    }
    const weird = [
      '['.repeat(5000),
      JSON.stringify({ id: 'a', rawId: 'a', type: 'public-key', response: { clientDataJSON: b64u('['.repeat(3000)), attestationObject: 'AA' } }),
      JSON.stringify({ id: 'a', rawId: 'a', type: 'public-key', response: { clientDataJSON: b64u(JSON.stringify({ challenge: { toString: 1 } })), attestationObject: 'AA' } }),
      JSON.stringify({ id: 'a', rawId: 'a', type: 'public-key', response: { clientDataJSON: b64u(JSON.stringify({ challenge: 'x'.repeat(190) })), attestationObject: 'AA' } }),
      JSON.stringify({ id: 'a'.repeat(5000), rawId: 'a'.repeat(5000), type: 'public-key', response: {} }),
      JSON.stringify({ __proto__: { type: 'public-key' }, id: 'a', rawId: 'a', response: { clientDataJSON: 'AA', attestationObject: 'AA' } }),
      'x'.repeat(7000),
    ];
    for (const w of weird) {
      const r = await post({ step: 'register', response: w, name: 'x', next: '/admin' }, f.pending, source);
      assert.equal(r.status, 400, w.slice(0, 60));
    }
    // And on the sign-in side: a hostile extension block in the authenticator data.
    const a = await start('alice', source);
    const assertion = JSON.parse(get(alice, a.options, { origin: ORIGIN })) as { response: { authenticatorData: string } };
    const ad = Buffer.from(assertion.response.authenticatorData, 'base64url');
    ad[32] = ad[32]! | 0x80; // ED: extensions follow
    assertion.response.authenticatorData = b64u(Buffer.concat([ad, nest(3000, 5)]));
    assert.equal((await post({ step: 'passkey', response: JSON.stringify(assertion), next: '/admin' }, a.pending, source)).status, 401);
    // The proxy still answers.
    assert.equal((await request(`${proxy.url}/.mamori/signin`)).status, 200);
    assert.equal(users().get('fresh')!.passkeys, undefined);
  });

  it('shows hostile passkey names as text, under a CSP that runs only the nonce script', async () => {
    const source = newSource();
    const f = await start('fresh2', source);
    const name = '</script><script>alert(1)</script>"><img src=x onerror=alert(2)>\u202e\u0007\u001b[31m';
    const done = await post({ step: 'register', response: create(new SoftKey(), f.options, { origin: ORIGIN }), name, next: '/admin' }, f.pending, source);
    assert.equal(done.status, 303);
    const session = `mamori_mfa=${cookies(done)['mamori_mfa']}`;
    const page = await request(`${proxy.url}/.mamori/signin?passkeys`, { headers: { cookie: session } });
    const html = page.body.toString();
    assert.equal(html.match(/<script/g)?.length, 1, 'one script element: the nonce one');
    assert.doesNotMatch(html, /<img/);
    assert.doesNotMatch(html, /[\u202e\u0007\u001b]/, 'no control or bidi characters');
    assert.match(String(page.headers['content-security-policy']), /script-src 'nonce-[^']+'$/);
    const stored = users().get('fresh2')!.passkeys![0]!.name;
    assert.doesNotMatch(stored, /[\u0000-\u001f\u202e]/, 'stored clean too: `mamori users passkeys` prints it to a terminal');
  });

  it('lets only one of two racing enrolments in the window register a first passkey', async () => {
    const source = newSource();
    const u = users();
    await u.resetMfa('fresh', { issuer: 'Shop', passkeyOnly: true });
    clock.advance(1100);
    const one = await start('fresh', source);
    const two = await start('fresh', source);
    const req = (pending: string): RequestInfo => ({ ip: source, method: 'POST', path: '/.mamori/signin', headers: { ...FORM, cookie: pending } });
    const body = (response: string) => Buffer.from(new URLSearchParams({ step: 'register', response, name: 'k', next: '/admin' }).toString());
    const answers = await Promise.all([guard.handleSignin(req(one.pending), body(create(new SoftKey(), one.options, { origin: ORIGIN }))), guard.handleSignin(req(two.pending), body(create(new SoftKey(), two.options, { origin: ORIGIN })))]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [303, 409]);
    clock.advance(1100);
    assert.equal(users().get('fresh')!.passkeys?.length, 1);
  });

  it('ends the sessions and pending sign-ins of a user whose passkey is removed or whose MFA is reset', async () => {
    const source = newSource();
    const s = await start('bob', source);
    const ok = await post({ step: 'passkey', response: get(bob, s.options, { origin: ORIGIN }), next: '/admin' }, s.pending, source);
    assert.equal(ok.status, 303);
    const session = `mamori_mfa=${cookies(ok)['mamori_mfa']}`;
    const waiting = await start('bob', source);
    assert.equal((await request(`${proxy.url}/admin`, { headers: { cookie: session } })).status, 200);
    // As `mamori users remove-passkey` does, from another process.
    await users().removePasskey('bob', b64u(bob.id));
    clock.advance(1100);
    assert.equal((await request(`${proxy.url}/admin`, { headers: { cookie: session } })).status, 303);
    const late = await post({ step: 'passkey', response: get(bob, waiting.options, { origin: ORIGIN }), next: '/admin' }, waiting.pending, source);
    assert.equal(late.status, 401);
    assert.equal(cookies(late)['mamori_mfa'], undefined);
    assert.match(late.body.toString(), /start again/);
  });

  it('signs in with a new session cookie, never one the client brought (no fixation)', async () => {
    const source = newSource();
    const s = await start('alice', source);
    const planted = 'mamori_mfa=YWxpY2U.9999999999.x.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const ok = await post({ step: 'passkey', response: get(alice, s.options, { origin: ORIGIN }), next: '/admin' }, `${s.pending}; ${planted}`, source);
    assert.equal(ok.status, 303);
    const issued = cookies(ok)['mamori_mfa'];
    assert.ok(issued && `mamori_mfa=${issued}` !== planted);
    assert.equal((await request(`${proxy.url}/admin`, { headers: { cookie: planted } })).status, 303, 'the planted one opens nothing');
    assert.deepEqual(errors, []);
  });
});

describe('red team: two proxies on one users file and one store', () => {
  it('lets a cloned authenticator sign in once when its two answers reach two proxies at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-passkeys-rt2-'));
    const clock = new ManualClock(Date.now());
    const store = new MemoryStore({ clock });
    const config = defaultConfig({ data_dir: dir, mfa_gate: { paths: ['/admin'], issuer: 'Shop', webauthn: { rp_id: 'localhost', origins: [ORIGIN] } } });
    const u = new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, true, {}), hmac(SECRET, 'mamori recovery codes'));
    await u.add('alice', PASSWORD, { issuer: 'Shop', passkeyOnly: true });
    const key = new SoftKey();
    await u.addPasskey('alice', { id: b64u(key.id), publicKey: key.cose, counter: 3, transports: [], aaguid: '', name: 'k' }, Date.now(), { first: true });
    key.counter = 3;
    const guards = [createGuard(config, { store, secret: SECRET, clock }), createGuard(config, { store, secret: SECRET, clock })];
    try {
      const form = (fields: Record<string, string>) => Buffer.from(new URLSearchParams(fields).toString());
      const req = (cookie?: string): RequestInfo => ({ ip: '203.0.113.5', method: 'POST', path: '/.mamori/signin', headers: { ...FORM, ...(cookie ? { cookie } : {}) } });
      const pages = await Promise.all(guards.map((g) => g.handleSignin(req(), form({ user: 'alice', password: PASSWORD, code: '', next: '/admin' }))));
      const next = key.counter + 1;
      const answers = await Promise.all(
        guards.map((g, i) => {
          const page = pages[i]!;
          const pending = `mamori_mfa_pending=${cookies(page)['mamori_mfa_pending']}`;
          return g.handleSignin(req(pending), form({ step: 'passkey', response: get(key, optionsOf(page.body), { origin: ORIGIN, counter: next }), next: '/admin' }));
        }),
      );
      assert.deepEqual(answers.map((a) => a.status).sort(), [303, 401]);
    } finally {
      for (const g of guards) await g.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
