/**
 * Trusted-device tokens. Issued to a browser when its user logs in, they
 * let that device in while the account is closed to everyone else, so an
 * attacker cannot use a lockout to keep the owner out.
 *
 * Format: `d1.<device id>.<user hash>.<expiry seconds>.<mac>`, the MAC an
 * HMAC-SHA256 over the rest with the instance secret. The user appears only
 * as the keyed hash mamori stores anyway. Revoke one with a `device`
 * decision on its id.
 */
import { hmac, safeEqual } from '../core/crypto.js';
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';

export interface DeviceClaims {
  readonly deviceId: string;
  readonly userHash: string;
  readonly expiresAt: number;
}

const MAX_TOKEN = 256;

export class DeviceTokens {
  readonly #key: Buffer;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly ttlMs: number;

  constructor(secret: Buffer, clock: Clock, random: Random, ttlMs: number) {
    this.#key = hmac(secret, 'mamori-device-token-v1');
    this.#clock = clock;
    this.#random = random;
    this.ttlMs = ttlMs;
  }

  #mac(body: string): string {
    return hmac(this.#key, body).subarray(0, 24).toString('base64url');
  }

  issue(userHash: string, deviceId?: string): { token: string; claims: DeviceClaims } {
    const id = deviceId ?? this.#random.bytes(16).toString('base64url');
    const exp = Math.floor((this.#clock.now() + this.ttlMs) / 1000);
    const body = `d1.${id}.${userHash}.${exp}`;
    return { token: `${body}.${this.#mac(body)}`, claims: { deviceId: id, userHash, expiresAt: exp * 1000 } };
  }

  /** The claims of a valid, unexpired token; undefined for anything else. */
  verify(token: string | undefined): DeviceClaims | undefined {
    if (!token || token.length > MAX_TOKEN) return undefined;
    const parts = token.split('.');
    if (parts.length !== 5 || parts[0] !== 'd1') return undefined;
    const [, id, userHash, expText, mac] = parts as [string, string, string, string, string];
    if (!/^\d{1,12}$/.test(expText)) return undefined;
    if (!safeEqual(mac, this.#mac(`d1.${id}.${userHash}.${expText}`))) return undefined;
    const expiresAt = Number(expText) * 1000;
    if (expiresAt <= this.#clock.now()) return undefined;
    return { deviceId: id, userHash, expiresAt };
  }
}
