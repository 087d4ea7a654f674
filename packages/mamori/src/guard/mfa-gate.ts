/**
 * The MFA gate: for a site with no second factor of its own (a CMS's admin area, an appliance's
 * web UI), mamori puts paths behind its own sign-in, a password and a TOTP code (or a recovery
 * code), before any request to them reaches the site.
 *
 * - A request to a gated path without a valid gate session is sent to the sign-in page
 *   (`GET /.mamori/signin?next=...`, 303) or, when it is not a GET or HEAD, refused (401).
 * - The sign-in form posts to `/.mamori/signin`: the login protection counts it like any login
 *   (lockouts, challenges, decisions), then the password (scrypt) and the code (one step of drift,
 *   used once, tries limited per account) are checked. Success sets the gate cookie: the user's
 *   name and an expiry, MACed with a key derived from the instance secret.
 * - The gate cookie is taken out of the request before it is forwarded: the site never sees it.
 * - A user removed with `mamori users remove` is out at their next request.
 * - Passkeys (with `mfa_gate.webauthn`): the password alone (no code) opens a pending sign-in, a
 *   short-lived cookie of its own (the user, their generation, an id, MACed), and the page asks
 *   for one of the user's passkeys; a user of passkeys only who has none yet registers the first
 *   one there, within the window `mamori users add --passkey` opened. A signed-in user registers
 *   more at `/.mamori/signin?passkeys` (with a sign-in of the last ten minutes).
 * - A pending sign-in completes once: its id is claimed in the store when it does (the same
 *   single-use claim as challenges and recovery codes), and the answer that signs in expires the
 *   pending cookie; a copy of it taken earlier opens nothing after the user signed in.
 *
 * Users live in `<data_dir>/users.json` (mfa/users.ts), managed by `mamori users`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { isMamoriError } from '../core/errors.js';
import { safeEqual, hmac } from '../core/crypto.js';
import type { Store } from '../core/store.js';
import type { EventSink } from '../core/events.js';
import { TotpVerifier } from '../mfa/totp-verifier.js';
import { hashRecoveryCode, useRecoveryCode } from '../mfa/recovery-codes.js';
import { UserDirectory, mfaKeyRing, type GateUser } from '../mfa/users.js';
import { PasskeyVerifier, CHALLENGE_MS, type StoredPasskey } from '../mfa/webauthn.js';
import type { WebAuthnConfig } from '../mfa/webauthn-config.js';
import { HTML, SIGNIN_PATH, enrolPage, esc, managePage, passkeyPage } from './mfa-gate-pages.js';
import { compilePattern, policyPathViews } from './access-policy.js';
import { readCookie, serializeCookie } from './cookies.js';
import { header, type RenderedResponse, type RequestInfo } from './verdict.js';

export { SIGNIN_PATH };

export interface MfaGateConfig {
  paths: string[];
  issuer: string;
  sessionMs: number;
  cookie: string;
  webauthn?: WebAuthnConfig;
}

export type GateDecision = { pass: true; user: string } | { pass: false; answer: RenderedResponse };

/** A pending sign-in (the password was right; a passkey is next) lasts as long as its challenge. */
const PENDING_MS = CHALLENGE_MS;
/** How long a completed pending sign-in's claim is kept: past its cookie's expiry, with room for clocks apart. */
const PENDING_CLAIM_MS = PENDING_MS + 60_000;
/** Registering another passkey needs a sign-in this recent. */
const FRESH_MS = 10 * 60_000;

interface Pending {
  user: string;
  generation: string;
  id: string;
  /** `a`: sign in with a passkey; `e`: register the first one. */
  kind: 'a' | 'e';
}

/**
 * Where to go after signing in: a path of this site only (never `//host` or a scheme), in
 * printable ASCII as the gate's own redirect writes it (percent-encoded): anything else could not
 * go in the Location header, and the sign-in would end in an error after the code was used.
 */
function safeNext(next: string | null | undefined): string {
  if (typeof next !== 'string' || next.length > 2048 || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[^\x21-\x7e]/.test(next)) return '/';
  return next;
}

/** %XX escapes decoded as bytes, then read as UTF-8 (an invalid sequence stays a replacement character). */
function decodeBytes(s: string): string {
  if (!s.includes('%')) return s;
  return Buffer.from(s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

/** Without control characters, Unicode spaces and format characters, which some servers drop or trim. */
function stripInvisible(s: string): string {
  return s.replace(/[\x00-\x20\x7f-\xa0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff\ufffd]/g, '');
}

export class MfaGate {
  readonly config: MfaGateConfig;
  readonly #matchers: ((p: string) => boolean)[];
  readonly #dataDir: string;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #sessionKey: Buffer;
  readonly #recoveryKey: Buffer;
  #dir: UserDirectory | undefined;
  #dirError: string | undefined;
  #checkedAt = 0;
  readonly #totp: TotpVerifier;
  readonly #passkeys: PasskeyVerifier | undefined;

  readonly #onError: (err: unknown) => void;
  readonly #events: EventSink | undefined;
  readonly #userHash: ((name: string) => string) | undefined;

  constructor(
    config: MfaGateConfig,
    deps: { dataDir: string; store: Store; clock: Clock; secret: Buffer; onError?: (err: unknown) => void; events?: EventSink; userHash?: (name: string) => string },
  ) {
    this.#onError = deps.onError ?? (() => undefined);
    this.#events = deps.events;
    this.#userHash = deps.userHash;
    this.config = config;
    this.#matchers = config.paths.map((p, i) => compilePattern(p, `mfa_gate.paths[${i}]`));
    this.#dataDir = deps.dataDir;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#sessionKey = hmac(deps.secret, 'mamori mfa gate session v1');
    this.#recoveryKey = hmac(deps.secret, 'mamori recovery codes');
    this.#totp = new TotpVerifier({ store: deps.store, clock: deps.clock, namespace: 'mg' });
    this.#passkeys = config.webauthn ? new PasskeyVerifier(config.webauthn, { store: deps.store, clock: deps.clock, key: hmac(deps.secret, 'mamori webauthn challenges'), namespace: 'mg' }) : undefined;
  }

  get #pendingCookie(): string {
    return `${this.config.cookie}_pending`;
  }

  /**
   * Whether the gate covers this path: any reading of it, so that a `..`, an escape, a control
   * character or a Unicode space (`/admin%09`, `/ad%e3%80%80min`, a server that decodes twice)
   * does not get round it.
   */
  covers(path: string): boolean {
    const raw = path.split(/[?#]/)[0]!;
    const once = decodeBytes(raw);
    // (An ordinary path reads the same every way: its readings are worked out once.)
    const readings = new Set([raw, stripInvisible(once), stripInvisible(decodeBytes(once))]);
    for (const p of readings) for (const v of policyPathViews(p)) if (this.#matchers.some((m) => m(v))) return true;
    return false;
  }

  /** The users, read again at most once a second (a change by `mamori users` is seen within it). */
  #users(): UserDirectory | undefined {
    const now = this.#clock.now();
    if (this.#dir && now - this.#checkedAt < 1000) return this.#dir;
    this.#checkedAt = now;
    try {
      if (!this.#dir) this.#dir = new UserDirectory(`${this.#dataDir}/users.json`, mfaKeyRing(this.#dataDir, false), this.#recoveryKey);
      else this.#dir.reload();
      this.#dirError = undefined;
    } catch (err) {
      // Fail closed: no readable users file, no way in (and say why on the page).
      this.#dirError = (err as Error).message;
      this.#dir = undefined;
      this.#onError(err);
    }
    return this.#dir;
  }

  /** A session: the user, an expiry and the user's generation (a reset of the factor or the password ends older sessions), MACed. */
  #token(user: string, exp: number, generation: string): string {
    const body = `${Buffer.from(user).toString('base64url')}.${Math.floor(exp / 1000)}.${generation}`;
    return `${body}.${createHmac('sha256', this.#sessionKey).update(body).digest('base64url').slice(0, 32)}`;
  }

  /** The signed-in user of the request's gate cookie, when it is valid, unexpired and the user still exists. */
  session(req: RequestInfo): string | undefined {
    return this.#session(req)?.user;
  }

  /** The session with its expiry and MAC (which names this session: a registration is bound to it). */
  #session(req: RequestInfo): { user: string; expMs: number; mac: string } | undefined {
    const v = readCookie(req.headers['cookie'], this.config.cookie);
    if (!v || v.length > 512) return undefined;
    const parts = v.split('.');
    if (parts.length !== 4) return undefined;
    const [u, e, g, mac] = parts as [string, string, string, string];
    const want = createHmac('sha256', this.#sessionKey).update(`${u}.${e}.${g}`).digest('base64url').slice(0, 32);
    if (!safeEqual(mac, want)) return undefined;
    if (!/^\d{1,12}$/.test(e) || Number(e) * 1000 <= this.#clock.now()) return undefined;
    const user = Buffer.from(u, 'base64url').toString('utf8');
    const current = this.#users()?.get(user);
    return current && (current.generation ?? '') === g ? { user, expMs: Number(e) * 1000, mac } : undefined;
  }

  /** A pending sign-in's cookie value: MACed under a key of its own use, so a session is never one. */
  #pendingToken(p: Pending, exp: number): string {
    const body = `p.${Buffer.from(p.user).toString('base64url')}.${Math.floor(exp / 1000)}.${p.generation}.${p.id}.${p.kind}`;
    return `${body}.${createHmac('sha256', this.#sessionKey).update(body).digest('base64url').slice(0, 32)}`;
  }

  /** The request's pending sign-in, when valid, unexpired, and its user's generation is still current. */
  #pending(req: RequestInfo): { p: Pending; u: GateUser; dir: UserDirectory } | undefined {
    const v = readCookie(req.headers['cookie'], this.#pendingCookie);
    if (!v || v.length > 512) return undefined;
    const parts = v.split('.');
    if (parts.length !== 7 || parts[0] !== 'p') return undefined;
    const [, u, e, g, id, kind, mac] = parts as [string, string, string, string, string, string, string];
    const want = createHmac('sha256', this.#sessionKey).update(parts.slice(0, 6).join('.')).digest('base64url').slice(0, 32);
    if (!safeEqual(mac, want)) return undefined;
    if (!/^\d{1,12}$/.test(e) || Number(e) * 1000 <= this.#clock.now() || (kind !== 'a' && kind !== 'e')) return undefined;
    const user = Buffer.from(u, 'base64url').toString('utf8');
    const dir = this.#users();
    const current = dir?.get(user);
    if (!dir || !current || (current.generation ?? '') !== g) return undefined;
    return { p: { user, generation: g, id, kind }, u: current, dir };
  }

  #secure(req: RequestInfo): boolean {
    return req.secure === true || header(req, 'x-forwarded-proto') === 'https';
  }

  /** The pending sign-in's Set-Cookie: for the sign-in page only, Strict; `maxAgeSec` 0 expires it. */
  #pendingSetCookie(req: RequestInfo, value: string, maxAgeSec: number): string {
    return `${this.#pendingCookie}=${value}; Max-Age=${maxAgeSec}; Path=${SIGNIN_PATH}; HttpOnly; SameSite=Strict${this.#secure(req) ? '; Secure' : ''}`;
  }

  /** The Set-Cookie headers that expire the pending sign-in's cookie, when the request brings one. */
  #endPending(req: RequestInfo): string[] {
    return readCookie(req.headers['cookie'], this.#pendingCookie) === undefined ? [] : [this.#pendingSetCookie(req, '', 0)];
  }

  /** Marks a pending sign-in used: true only the first time (it completes once, on every store backend). */
  #claimPending(p: Pending): Promise<boolean> {
    return this.#store.claim(`mg:pending:${p.id}`, PENDING_CLAIM_MS);
  }

  /** The answer to a pending sign-in that completed already (a copy of its cookie): start again. */
  #pendingUsed(req: RequestInfo, next: string): RenderedResponse {
    return { ...this.page(next, 'This sign-in was completed already: start again.', 401), setCookies: this.#endPending(req) };
  }

  /** The answer of a complete sign-in: the gate cookie, the pending sign-in's cookie expired, and on to `next`. */
  #signedIn(req: RequestInfo, u: GateUser, next: string): RenderedResponse {
    const cookie = serializeCookie(this.config.cookie, this.#token(u.name, this.#clock.now() + this.config.sessionMs, u.generation ?? ''), { maxAgeSec: this.config.sessionMs / 1000, secure: this.#secure(req) });
    const ended = this.#endPending(req);
    return { status: 303, headers: { location: next, 'set-cookie': cookie, 'cache-control': 'no-store' }, body: '', ...(ended.length > 0 ? { setCookies: ended } : {}) };
  }

  /**
   * What a visitor is told when a change to the users file failed: the refusal itself when it
   * is about the account (a passkey registered already, too many); anything else (the file's
   * lock held too long, a disk error, a broken file) is the operator's to read, reported.
   */
  #writeFailed(err: unknown): string {
    if (isMamoriError(err, 'MAMORI_ERR_MFA_USERS') && err.location === undefined) return err.message;
    this.#onError(err);
    return 'The sign-in could not be recorded just now: try again in a moment.';
  }

  /** The user's passkeys with their public keys opened; one whose seal does not open is left out (and reported). */
  #storedPasskeys(dir: UserDirectory, u: GateUser): StoredPasskey[] {
    const out: StoredPasskey[] = [];
    for (const k of u.passkeys ?? []) {
      try {
        out.push({ id: k.id, publicKey: dir.passkeyKey(u, k), counter: k.counter, transports: k.transports });
      } catch (err) {
        this.#onError(err);
      }
    }
    return out;
  }

  /** Whether this user may register a first passkey after the password alone (add --passkey opened a window). */
  #mayEnrol(u: GateUser): boolean {
    return u.totp === '' && (u.passkeys?.length ?? 0) === 0 && u.passkeyEnrolUntil !== undefined && Date.parse(u.passkeyEnrolUntil) > this.#clock.now();
  }

  /** For a request to a gated path: through (with the user), or the answer that sends it to sign in. */
  check(req: RequestInfo, url: string): GateDecision {
    const user = this.session(req);
    if (user) return { pass: true, user };
    if (req.method === 'GET' || req.method === 'HEAD') {
      return { pass: false, answer: { status: 303, headers: { location: `${SIGNIN_PATH}?next=${encodeURIComponent(url)}`, 'cache-control': 'no-store' }, body: '' } };
    }
    return { pass: false, answer: { status: 401, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: '{"error":"sign_in_required","signin":"/.mamori/signin"}' } };
  }

  /** The sign-in page. */
  page(next: string, message?: string, status = 200): RenderedResponse {
    // (What went wrong is the operator's to read, in mamori's output, not a visitor's.)
    const problem = this.#dirError ? '<p class="e">Sign-in is not available: the list of users could not be read.</p>' : '';
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Sign in: ${esc(this.config.issuer)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;font-size:1rem;box-sizing:border-box}button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem}.e{color:#a00}</style></head>
<body><h1>${esc(this.config.issuer)}</h1><p>This area needs a password and a code from your authenticator app${this.#passkeys ? ', or a passkey' : ''}.</p>${problem}${message ? `<p class="e">${esc(message)}</p>` : ''}
<form method="post" action="${SIGNIN_PATH}"><input type="hidden" name="next" value="${esc(next)}">
<label for="u">User</label><input id="u" name="user" autocomplete="username" required>
<label for="p">Password</label><input id="p" name="password" type="password" autocomplete="current-password" required>
<label for="c">Code (or a recovery code)${this.#passkeys ? '; empty to use a passkey' : ''}</label><input id="c" name="code" inputmode="numeric" autocomplete="one-time-code"${this.#passkeys ? '' : ' required'}>
<button type="submit">Sign in</button></form></body></html>`;
    return { status, headers: HTML, body };
  }

  /** `GET /.mamori/signin`, and with `?passkeys` a signed-in user's passkeys (`req` gives the cookie). */
  async signinPage(url: string, req?: RequestInfo): Promise<RenderedResponse> {
    this.#users();
    const q = url.indexOf('?');
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1).slice(0, 4096));
    if (this.#passkeys && req && query.has('passkeys')) return this.#manage(req);
    return this.page(safeNext(query.get('next')));
  }

  /** The list of the signed-in user's passkeys, and (with a fresh sign-in) a form to register another. */
  async #manage(req: RequestInfo, message?: string, status = 200): Promise<RenderedResponse> {
    const s = this.#session(req);
    const dir = this.#users();
    const u = s && dir?.get(s.user);
    if (!s || !dir || !u) return { status: 303, headers: { location: `${SIGNIN_PATH}?next=${encodeURIComponent(`${SIGNIN_PATH}?passkeys`)}`, 'cache-control': 'no-store' }, body: '' };
    const fresh = s.expMs - this.config.sessionMs > this.#clock.now() - FRESH_MS;
    const options = fresh ? await this.#passkeys!.registrationOptions(u.name, `s:${s.mac}`, this.#storedPasskeys(dir, u)) : undefined;
    return managePage({ issuer: this.config.issuer, user: u.name, passkeys: u.passkeys ?? [], options, message, status });
  }

  /** The page asking for one of the user's passkeys, with a new challenge for this pending sign-in. */
  async #askPasskey(dir: UserDirectory, u: GateUser, p: Pending, next: string, message?: string, status = 200): Promise<RenderedResponse> {
    const options = await this.#passkeys!.authenticationOptions(p.id, this.#storedPasskeys(dir, u));
    return passkeyPage({ issuer: this.config.issuer, user: u.name, next, options, message, status });
  }

  async #askEnrol(u: GateUser, p: Pending, next: string, message?: string, status = 200): Promise<RenderedResponse> {
    const options = await this.#passkeys!.registrationOptions(u.name, p.id, []);
    return enrolPage({ issuer: this.config.issuer, user: u.name, next, options, message, status });
  }

  /** After a right password without a code: a pending sign-in, and the passkey page (or the first registration). */
  async #startPending(req: RequestInfo, dir: UserDirectory, u: GateUser, next: string): Promise<RenderedResponse | undefined> {
    if (!this.#passkeys) return undefined;
    const kind = (u.passkeys?.length ?? 0) > 0 ? 'a' : this.#mayEnrol(u) ? 'e' : undefined;
    if (!kind) return undefined;
    const p: Pending = { user: u.name, generation: u.generation ?? '', id: randomBytes(16).toString('base64url'), kind };
    const answer = kind === 'a' ? await this.#askPasskey(dir, u, p, next) : await this.#askEnrol(u, p, next);
    const cookie = this.#pendingSetCookie(req, this.#pendingToken(p, this.#clock.now() + PENDING_MS), PENDING_MS / 1000);
    return { ...answer, headers: { ...answer.headers, 'set-cookie': cookie } };
  }

  /**
   * A passkey event for the owner and the operator (a passkey added to an account, or one whose
   * counter went backwards: a copy). The account as mamori stores accounts, a keyed hash.
   */
  #passkeyEvent(action: 'mfa-passkey-added' | 'mfa-passkey-cloned', req: RequestInfo, user: string, reason: string): void {
    if (!this.#events) return;
    this.#events.emit({
      '@timestamp': new Date(this.#clock.now()).toISOString(),
      'event.action': action,
      'event.category': 'authentication',
      'event.module': 'guard.mfa-gate',
      'event.outcome': action === 'mfa-passkey-added' ? 'success' : 'failure',
      'event.severity': action === 'mfa-passkey-added' ? 50 : 73,
      'event.reason': reason,
      'source.ip': req.ip,
      ...(this.#userHash ? { 'user.id': this.#userHash(user) } : {}),
    });
  }

  /** `step=passkey`: the assertion for a pending sign-in. */
  async #passkeySignin(req: RequestInfo, form: URLSearchParams): Promise<{ ok: boolean; answer: RenderedResponse }> {
    const next = safeNext(form.get('next'));
    const pending = this.#pending(req);
    if (!this.#passkeys || !pending || pending.p.kind !== 'a') return { ok: false, answer: this.page(next, 'The sign-in took too long or was not started: start again.', 401) };
    const { p, u, dir } = pending;
    const r = await this.#passkeys.verifyAssertion(p.id, form.get('response') ?? '', this.#storedPasskeys(dir, u));
    if (!r.ok) {
      if (r.reason === 'counter') this.#passkeyEvent('mfa-passkey-cloned', req, u.name, "a passkey's signature counter went backwards: the authenticator may have been copied");
      const why = r.reason === 'counter' ? "This passkey's counter went backwards: it may have been copied. Use another passkey or a code, and tell the administrator." : r.reason === 'expired' ? 'That took too long: try again.' : 'That passkey did not sign in: try again, or another one.';
      return { ok: false, answer: await this.#askPasskey(dir, u, p, next, why, 401) };
    }
    // The counter is checked again against the file as it is now: two answers of one counter
    // value verified at once (a clone racing its original) both saw the older count.
    let counted: boolean;
    try {
      counted = await dir.passkeyUsed(u.name, r.id, r.newCounter, this.#clock.now());
    } catch (err) {
      return { ok: false, answer: await this.#askPasskey(dir, u, p, next, this.#writeFailed(err), 503) };
    }
    if (!counted) {
      this.#passkeyEvent('mfa-passkey-cloned', req, u.name, "a passkey's signature counter went backwards: the authenticator may have been copied");
      return { ok: false, answer: await this.#askPasskey(dir, u, p, next, "This passkey's counter went backwards: it may have been copied. Use another passkey or a code, and tell the administrator.", 401) };
    }
    // The pending sign-in completes once: a copy of its cookie, with another answer of this
    // passkey, signs nobody in again.
    if (!(await this.#claimPending(p))) return { ok: false, answer: this.#pendingUsed(req, next) };
    return { ok: true, answer: this.#signedIn(req, u, next) };
  }

  /** `step=register`: a new passkey, for a pending first registration or a fresh session. */
  async #passkeyRegister(req: RequestInfo, form: URLSearchParams): Promise<{ ok: boolean; answer: RenderedResponse }> {
    const next = safeNext(form.get('next'));
    const name = (form.get('name') ?? '').slice(0, 256);
    if (!this.#passkeys) return { ok: false, answer: this.page(next, 'Passkeys are not set up here.', 404) };
    const pending = this.#pending(req);
    if (pending && pending.p.kind === 'e') {
      const { p, u, dir } = pending;
      if (!this.#mayEnrol(u)) return { ok: false, answer: this.page(next, 'This account has a passkey already, or its time to register one ended: sign in again.', 401) };
      const r = await this.#passkeys.verifyRegistration(p.id, form.get('response') ?? '', name);
      if (!r.ok) return { ok: false, answer: await this.#askEnrol(u, p, next, 'That passkey could not be registered: try again.', 400) };
      // Claimed before anything is written: a pending registration completes once.
      if (!(await this.#claimPending(p))) return { ok: false, answer: this.#pendingUsed(req, next) };
      try {
        await dir.addPasskey(u.name, r.passkey, this.#clock.now(), { first: true });
      } catch (err) {
        return { ok: false, answer: { ...this.page(next, this.#writeFailed(err), 409), setCookies: this.#endPending(req) } };
      }
      this.#passkeyEvent('mfa-passkey-added', req, u.name, "the account's first passkey, registered after its password");
      return { ok: true, answer: this.#signedIn(req, dir.get(u.name) ?? u, next) };
    }
    const s = this.#session(req);
    const dir = this.#users();
    const u = s && dir?.get(s.user);
    if (!s || !dir || !u) return { ok: false, answer: this.page(next, 'Sign in first.', 401) };
    if (s.expMs - this.config.sessionMs <= this.#clock.now() - FRESH_MS) return { ok: false, answer: await this.#manage(req, 'Sign in again to register a passkey.', 401) };
    const r = await this.#passkeys.verifyRegistration(`s:${s.mac}`, form.get('response') ?? '', name);
    if (!r.ok) return { ok: false, answer: await this.#manage(req, 'That passkey could not be registered: try again.', 400) };
    try {
      await dir.addPasskey(u.name, r.passkey, this.#clock.now());
    } catch (err) {
      return { ok: false, answer: await this.#manage(req, this.#writeFailed(err), 409) };
    }
    this.#passkeyEvent('mfa-passkey-added', req, u.name, 'a passkey added from a signed-in session');
    return { ok: true, answer: { status: 303, headers: { location: `${SIGNIN_PATH}?passkeys`, 'cache-control': 'no-store' }, body: '' } };
  }

  /**
   * `POST /.mamori/signin` with the form, once the login protection let the attempt through:
   * checks password and code; on success the answer sets the gate cookie and goes to `next`.
   * `ok` says whether the credentials were right (for the login protection's report).
   */
  async signin(req: RequestInfo, form: URLSearchParams): Promise<{ ok: boolean | 'pending'; answer: RenderedResponse }> {
    const step = form.get('step');
    if (step === 'passkey') return this.#passkeySignin(req, form);
    if (step === 'register') return this.#passkeyRegister(req, form);
    if (step === 'signout') return { ok: true, answer: { status: 303, headers: { location: SIGNIN_PATH, 'set-cookie': serializeCookie(this.config.cookie, '', { maxAgeSec: 0, secure: this.#secure(req) }), 'cache-control': 'no-store' }, body: '', setCookies: this.#endPending(req) } };
    const next = safeNext(form.get('next'));
    // Any other step is refused before the password is read: a form with a step is not counted by
    // the login protection (isPasskeyStep), so checking its password would give unlimited guesses.
    if (step !== null) return { ok: false, answer: this.page(next, 'Send the sign-in form.', 400) };
    // A longer name is nobody's (users' names are 128 characters at most): cut, it would be
    // another account's than the one the login protection counted.
    const sent = form.get('user') ?? '';
    const name = sent.length > 128 ? '' : sent;
    const password = form.get('password') ?? '';
    const code = (form.get('code') ?? '').slice(0, 64);
    const dir = this.#users();
    const wrong = { ok: false, answer: this.page(next, 'Wrong user, password or code.', 401) };
    if (!dir) return wrong;
    // Checked whatever the name (verifyPassword is as slow for an unknown one), so the time says nothing.
    const passwordOk = await dir.verifyPassword(name, password);
    const u = dir.get(name);
    if (!passwordOk || !u) return wrong;
    if (code.trim() === '') {
      // No code: a passkey is next, when the user has one (or may register a first one).
      const answer = await this.#startPending(req, dir, u, next);
      return answer ? { ok: 'pending', answer } : wrong;
    }
    let codeOk = false;
    if (u.totp !== '' && /^[0-9\s-]{6,10}$/.test(code)) {
      const r = await this.#totp.verify(name, { secret: dir.totpSecret(u), algorithm: u.algorithm, digits: u.digits, period: u.period }, code);
      codeOk = r.ok;
      if (!r.ok && r.reason === 'locked') return { ok: false, answer: this.page(next, 'Too many wrong codes for this user: try again later, or use a recovery code.', 429) };
    } else {
      // A recovery code: claimed in the store first, so two sign-ins racing with it cannot both use it.
      const used = hashRecoveryCode(dir.recoveryKey, code);
      if (used !== undefined && useRecoveryCode(dir.recoveryKey, u.recovery, code) && (await this.#store.claim(`mg:recovery:${name}:${used}`, 400 * 86_400_000))) {
        // Used up by the claim already: a failed write of the file is the operator's to see, not a refusal.
        await dir.dropRecovery(name, used).catch((err: unknown) => this.#onError(err));
        codeOk = true;
      }
    }
    if (!codeOk) return wrong;
    // A passkey sign-in this browser started and left for a code ends with it.
    const left = this.#pending(req);
    if (left && left.p.user === u.name) await this.#claimPending(left.p);
    return { ok: true, answer: this.#signedIn(req, u, next) };
  }

  /** Whether a sign-in form post is a passkey step (no password in it: the login protection does not count it). */
  static isPasskeyStep(form: URLSearchParams): boolean {
    return form.has('step');
  }

  /** The Cookie header without the gate's cookie (what the site is sent), or undefined when nothing is left. */
  stripCookie(cookieHeader: string | string[] | undefined): string | undefined {
    if (cookieHeader === undefined) return undefined;
    const all = Array.isArray(cookieHeader) ? cookieHeader.join('; ') : cookieHeader;
    const kept = all
      .split(';')
      .map((p) => p.trim())
      .filter((p) => {
        const name = p.split('=')[0]!.trim();
        return p !== '' && name !== this.config.cookie && name !== this.#pendingCookie;
      });
    return kept.length ? kept.join('; ') : undefined;
  }
}
