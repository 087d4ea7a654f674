/**
 * Passkeys (WebAuthn) as a second factor: mamori's policy around @simplewebauthn/server, which
 * does the parsing and the signature checks.
 *
 * - Challenges carry their own state: a purpose (`reg` or `auth`), a keyed hash of what they are
 *   bound to (a pending sign-in, a session), an expiry and a random nonce, MACed under a key
 *   derived from the instance secret. Nothing is stored when a challenge is handed out, so a
 *   flood of sign-in pages costs no memory; a challenge is used once by claiming its nonce in the
 *   store once the response verified (the same `claim` that records used TOTP steps, so it works
 *   on every store backend, Redis included).
 * - Origins and the rp id are compared with the configuration (webauthn-config.ts), never with
 *   the request.
 * - An assertion is checked only against the passkeys of the user who gave the password: a
 *   credential of another user is unknown here.
 * - Signature counters: an authenticator that counts must count up. A response whose counter is
 *   not above the stored one (both not zero) may come from a cloned authenticator; it is refused
 *   (WebAuthn Level 3 §6.1.1 leaves the choice to the relying party) and reported as `counter`.
 * - With `userVerification: required` a response without the UV flag is refused; with
 *   `preferred` (the default) the password already is the knowledge factor.
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { safeEqual } from '../core/crypto.js';
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/store.js';
import type { WebAuthnConfig } from './webauthn-config.js';
import type { NewPasskey } from './users.js';

/** How long a challenge (and the browser's prompt) lasts. */
export const CHALLENGE_MS = 5 * 60_000;
/** A response larger than this is not one a browser sends (mamori asks for no attestation). */
const MAX_RESPONSE = 6000;
const B64URL = /^[A-Za-z0-9_-]*$/;
const TRANSPORTS: readonly AuthenticatorTransportFuture[] = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'];

export type PasskeyPurpose = 'reg' | 'auth';

export interface StoredPasskey {
  id: string;
  publicKey: Uint8Array;
  counter: number;
  transports: readonly string[];
}

export type PasskeyFailure =
  | 'malformed' // not a WebAuthn response of the expected shape
  | 'challenge' // not a challenge of ours for this purpose and this sign-in
  | 'expired' // ours, but past its time
  | 'replayed' // ours, and used already
  | 'unknown-credential' // not a passkey of this user
  | 'counter' // the signature counter went back: a cloned authenticator?
  | 'invalid'; // the library refused it: origin, rp id, flags, signature

export type RegistrationResult = { ok: true; passkey: NewPasskey; userVerified: boolean } | { ok: false; reason: PasskeyFailure; detail?: string };
export type AssertionResult = { ok: true; id: string; newCounter: number; userVerified: boolean } | { ok: false; reason: PasskeyFailure; detail?: string };

export class PasskeyVerifier {
  readonly config: WebAuthnConfig;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #key: Buffer;
  readonly #ns: string;

  /** `key`: the challenges' MAC key (derived from the instance secret); `namespace` keeps two gates on one store apart. */
  constructor(config: WebAuthnConfig, deps: { store: Store; clock: Clock; key: Buffer; namespace?: string }) {
    this.config = config;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#key = deps.key;
    this.#ns = deps.namespace ?? 'mg';
  }

  #mac(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64url').slice(0, 32);
  }

  /** A new challenge for `purpose`, bound to `binding` (a pending sign-in's id, a session). */
  challenge(purpose: PasskeyPurpose, binding: string): Uint8Array<ArrayBuffer> {
    const exp = Math.ceil((this.#clock.now() + CHALLENGE_MS) / 1000);
    const body = `${purpose}.${this.#mac(`bind:${binding}`).slice(0, 22)}.${exp}.${randomBytes(16).toString('base64url')}`;
    return new Uint8Array(Buffer.from(`${body}.${this.#mac(`challenge:${body}`)}`, 'utf8'));
  }

  /** What a challenge from a response is: ours for this purpose and binding, expired, or not ours. */
  #readChallenge(b64: string, purpose: PasskeyPurpose, binding: string): { nonce: string; exp: number } | 'challenge' | 'expired' {
    if (b64.length > 200 || !B64URL.test(b64)) return 'challenge';
    const parts = Buffer.from(b64, 'base64url').toString('utf8').split('.');
    if (parts.length !== 5) return 'challenge';
    const [p, bound, exp, nonce, mac] = parts as [string, string, string, string, string];
    if (!safeEqual(mac, this.#mac(`challenge:${p}.${bound}.${exp}.${nonce}`))) return 'challenge';
    if (p !== purpose || !safeEqual(bound, this.#mac(`bind:${binding}`).slice(0, 22))) return 'challenge';
    if (!/^\d{1,12}$/.test(exp)) return 'challenge';
    if (Number(exp) * 1000 <= this.#clock.now()) return 'expired';
    return { nonce, exp: Number(exp) * 1000 };
  }

  /** Options for navigator.credentials.create: a new passkey for `user`, none of `existing` again. */
  registrationOptions(user: string, binding: string, existing: readonly StoredPasskey[]): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return generateRegistrationOptions({
      rpName: this.config.rpName,
      rpID: this.config.rpId,
      userName: user,
      userDisplayName: user,
      // The user handle: stable for the user, and no name in it (an authenticator may show or sync it).
      userID: new Uint8Array(createHmac('sha256', this.#key).update(`user:${user}`).digest().subarray(0, 16)),
      challenge: this.challenge('reg', binding),
      timeout: CHALLENGE_MS - 30_000,
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.id, transports: knownTransports(c.transports) })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: this.config.userVerification },
    });
  }

  /** Options for navigator.credentials.get: one of the user's passkeys. */
  authenticationOptions(binding: string, passkeys: readonly StoredPasskey[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return generateAuthenticationOptions({
      rpID: this.config.rpId,
      allowCredentials: passkeys.map((c) => ({ id: c.id, transports: knownTransports(c.transports) })),
      challenge: this.challenge('auth', binding),
      timeout: CHALLENGE_MS - 30_000,
      userVerification: this.config.userVerification,
    });
  }

  /** Checks a registration response (JSON text from the page); on success, what to store. */
  async verifyRegistration(binding: string, responseText: string, name: string): Promise<RegistrationResult> {
    const response = parseResponse(responseText, 'attestationObject') as RegistrationResponseJSON | undefined;
    if (!response) return { ok: false, reason: 'malformed' };
    const seen = this.#challengeOf(response.response.clientDataJSON, 'reg', binding);
    if (typeof seen === 'string') return { ok: false, reason: seen };
    let info;
    try {
      const v = await verifyRegistrationResponse({
        response,
        expectedChallenge: () => true, // checked above, and claimed below
        expectedOrigin: this.config.origins,
        expectedRPID: this.config.rpId,
        requireUserVerification: this.config.userVerification === 'required',
      });
      if (!v.verified) return { ok: false, reason: 'invalid' };
      info = v.registrationInfo;
    } catch (err) {
      return { ok: false, reason: 'invalid', detail: String((err as Error).message).slice(0, 200) };
    }
    if (info.fmt !== 'none' && info.fmt !== 'packed') return { ok: false, reason: 'invalid', detail: `attestation format ${info.fmt} was not asked for` };
    if (!(await this.#claim(seen))) return { ok: false, reason: 'replayed' };
    const c = info.credential;
    return {
      ok: true,
      userVerified: info.userVerified,
      passkey: { id: c.id, publicKey: c.publicKey, counter: c.counter, transports: knownTransports(response.response.transports ?? []), aaguid: info.aaguid, name },
    };
  }

  /** Checks an assertion (JSON text from the page) against the passkeys of the user who gave the password. */
  async verifyAssertion(binding: string, responseText: string, passkeys: readonly StoredPasskey[]): Promise<AssertionResult> {
    const response = parseResponse(responseText, 'signature') as AuthenticationResponseJSON | undefined;
    if (!response) return { ok: false, reason: 'malformed' };
    const seen = this.#challengeOf(response.response.clientDataJSON, 'auth', binding);
    if (typeof seen === 'string') return { ok: false, reason: seen };
    const cred = passkeys.find((p) => p.id === response.id);
    if (!cred) return { ok: false, reason: 'unknown-credential' };
    let info;
    try {
      const v = await verifyAuthenticationResponse({
        response,
        expectedChallenge: () => true, // checked above, and claimed below
        expectedOrigin: this.config.origins,
        expectedRPID: this.config.rpId,
        credential: { id: cred.id, publicKey: new Uint8Array(cred.publicKey), counter: cred.counter, transports: knownTransports(cred.transports) },
        requireUserVerification: this.config.userVerification === 'required',
      });
      if (!v.verified) return { ok: false, reason: 'invalid' };
      info = v.authenticationInfo;
    } catch (err) {
      const detail = String((err as Error).message).slice(0, 200);
      return { ok: false, reason: /counter value/i.test(detail) ? 'counter' : 'invalid', detail };
    }
    if (!(await this.#claim(seen))) return { ok: false, reason: 'replayed' };
    return { ok: true, id: cred.id, newCounter: info.newCounter, userVerified: info.userVerified };
  }

  /** The challenge named in clientDataJSON, read before anything else is (and bounded). */
  #challengeOf(clientDataB64: string, purpose: PasskeyPurpose, binding: string): { nonce: string; exp: number } | PasskeyFailure {
    let challenge: unknown;
    try {
      challenge = (JSON.parse(Buffer.from(clientDataB64, 'base64url').toString('utf8')) as { challenge?: unknown } | null)?.challenge;
    } catch {
      return 'malformed';
    }
    if (typeof challenge !== 'string') return 'malformed';
    return this.#readChallenge(challenge, purpose, binding);
  }

  #claim(c: { nonce: string; exp: number }): Promise<boolean> {
    return this.#store.claim(`${this.#ns}:webauthn-challenge:${c.nonce}`, Math.max(1000, c.exp - this.#clock.now() + 60_000));
  }
}

function knownTransports(list: readonly string[]): AuthenticatorTransportFuture[] {
  return list.filter((t): t is AuthenticatorTransportFuture => (TRANSPORTS as readonly string[]).includes(t));
}

/** The response's JSON, when it has the shape of a WebAuthn response (bounded strings, base64url fields). */
function parseResponse(text: string, kind: 'attestationObject' | 'signature'): RegistrationResponseJSON | AuthenticationResponseJSON | undefined {
  if (typeof text !== 'string' || text.length > MAX_RESPONSE) return undefined;
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch {
    return undefined;
  }
  const x = r as { id?: unknown; rawId?: unknown; type?: unknown; response?: Record<string, unknown>; clientExtensionResults?: unknown } | null;
  if (x === null || typeof x !== 'object' || x.type !== 'public-key') return undefined;
  if (typeof x.id !== 'string' || x.id.length > 1366 || !B64URL.test(x.id) || x.rawId !== x.id) return undefined;
  const resp = x.response;
  if (resp === null || typeof resp !== 'object') return undefined;
  const fields = kind === 'signature' ? ['clientDataJSON', 'authenticatorData', 'signature'] : ['clientDataJSON', 'attestationObject'];
  for (const f of fields) if (typeof resp[f] !== 'string' || !B64URL.test(resp[f] as string) || (resp[f] as string).length === 0) return undefined;
  if (resp['userHandle'] !== undefined && (typeof resp['userHandle'] !== 'string' || !B64URL.test(resp['userHandle']))) return undefined;
  if (resp['transports'] !== undefined && (!Array.isArray(resp['transports']) || resp['transports'].length > 8 || !resp['transports'].every((t) => typeof t === 'string'))) return undefined;
  const out = { id: x.id, rawId: x.id, type: 'public-key', clientExtensionResults: {}, response: { ...resp } };
  return out as unknown as RegistrationResponseJSON | AuthenticationResponseJSON;
}
