/**
 * Trusted-device tokens. Issued to a browser when its user logs in, they
 * let that device in while the account is closed to everyone else, so an
 * attacker cannot use a lockout to keep the owner out.
 *
 * Format: `d2.<device id>.<user hash>.<expiry seconds>.<mac>`, the MAC 128
 * bits: two SipHash-2-4 (a PRF built for short messages) over the rest,
 * under two keys derived from the instance secret. The user appears only as
 * the keyed hash mamori stores anyway. Revoke one with a `device` decision
 * on its id. Tokens of the first format (`d1`, an HMAC-SHA256 MAC) issued
 * before are still honoured until they expire.
 *
 * Why not HMAC-SHA256 for both: a successful login verifies the cookie the
 * browser brought and issues a fresh one, and through node:crypto those
 * HMACs were about a sixth of a returning user's login (bench/README.md);
 * SipHash runs in WebAssembly here (core/siphash-wasm.ts) in a fraction of it.
 */
import { hmac, safeEqual } from '../core/crypto.js';
import { StringHasher, idString } from '../core/siphash.js';
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';

export interface DeviceClaims {
  readonly deviceId: string;
  readonly userHash: string;
  readonly expiresAt: number;
}

const MAX_TOKEN = 256;
const EXP = /^\d{1,12}$/;

export class DeviceTokens {
  /** d1's HMAC key (verification only). */
  readonly #v1: Buffer;
  /** d2's two SipHash keys. */
  readonly #a: StringHasher;
  readonly #b: StringHasher;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly ttlMs: number;
  /**
   * The last token verified and what it said: one request verifies its cookie at several steps
   * (the access policy, the check, the settling), and each would recompute the MAC.
   */
  #lastToken = '';
  #lastClaims: DeviceClaims | undefined;

  constructor(secret: Buffer, clock: Clock, random: Random, ttlMs: number) {
    this.#v1 = hmac(secret, 'mamori-device-token-v1');
    this.#a = new StringHasher(hmac(secret, 'mamori-device-token-v2a').subarray(0, 16), MAX_TOKEN);
    this.#b = new StringHasher(hmac(secret, 'mamori-device-token-v2b').subarray(0, 16), MAX_TOKEN);
    this.#clock = clock;
    this.#random = random;
    this.ttlMs = ttlMs;
  }

  #mac(body: string): string {
    const a = this.#a.words(body);
    const ha = a[0]!;
    const la = a[1]!;
    const b = this.#b.words(body);
    return idString(ha, la) + idString(b[0]!, b[1]!);
  }

  issue(userHash: string, deviceId?: string): { token: string; claims: DeviceClaims } {
    const id = deviceId ?? this.#random.bytes(16).toString('base64url');
    const exp = Math.floor((this.#clock.now() + this.ttlMs) / 1000);
    const body = `d2.${id}.${userHash}.${exp}`;
    return { token: `${body}.${this.#mac(body)}`, claims: { deviceId: id, userHash, expiresAt: exp * 1000 } };
  }

  /** The claims of a valid, unexpired token; undefined for anything else. */
  verify(token: string | undefined): DeviceClaims | undefined {
    if (!token || token.length > MAX_TOKEN) return undefined;
    let claims: DeviceClaims | undefined;
    if (token === this.#lastToken) {
      claims = this.#lastClaims;
    } else {
      claims = this.#check(token);
      this.#lastToken = token;
      this.#lastClaims = claims;
    }
    return claims && claims.expiresAt > this.#clock.now() ? claims : undefined;
  }

  /** What a well-formed token with a right MAC says (its expiry not yet checked). */
  #check(token: string): DeviceClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 5 || (parts[0] !== 'd2' && parts[0] !== 'd1')) return undefined;
    const [v, id, userHash, expText, mac] = parts as [string, string, string, string, string];
    if (!EXP.test(expText)) return undefined;
    // (The token up to its last dot: the same text as the parts joined again.)
    const body = token.slice(0, token.length - mac.length - 1);
    const expected = v === 'd2' ? this.#mac(body) : hmac(this.#v1, body).subarray(0, 24).toString('base64url');
    if (!safeEqual(mac, expected)) return undefined;
    return { deviceId: id, userHash, expiresAt: Number(expText) * 1000 };
  }
}
