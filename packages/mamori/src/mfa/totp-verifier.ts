/**
 * Which TOTP codes are accepted: mamori's policy over the arithmetic in otp.ts.
 *
 * - At most one time step of drift either way (RFC 6238 §5.2 recommends one backward step; a
 *   phone whose clock runs a little fast gets one forward).
 * - A code is accepted once: accepting the code of step s claims s in the store, and burns the
 *   earlier steps that are still inside the drift window, so a code seen over the person's
 *   shoulder (or phished a moment earlier) is refused after the person's own login.
 * - Guesses are limited per account: 6 digits leave an attacker 3 chances in a million per try
 *   (three steps are accepted), so tries are what must be scarce. `maxFailures` in `windowMs`
 *   (default 5 in 15 minutes), and at most `maxFailuresPerDay` (default 50) in a day, after
 *   which the account's second factor is locked until the day's window ends. With the defaults
 *   an attacker gets at most 50 tries a day: about one chance in 6,700 a day.
 * - Every candidate code is computed and compared in constant time, whichever matches.
 */
import { safeEqual } from '../core/crypto.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { Store } from '../core/store.js';
import { hotp, totpStep, type OtpAlgorithm } from './otp.js';

export interface TotpPolicy {
  /** Tries (wrong or replayed codes) per account per window before it is refused. Default 5. */
  maxFailures?: number;
  /** Default 15 minutes. */
  windowMs?: number;
  /** Tries per account per 24 hours before its second factor is locked for the rest of the day. Default 50. */
  maxFailuresPerDay?: number;
}

export interface TotpSecret {
  secret: Uint8Array;
  algorithm?: OtpAlgorithm;
  digits?: number;
  period?: number;
}

export type TotpResult =
  | { ok: true; /** The time step the code was for. */ step: number; /** -1, 0 or +1: the code's step against the server's. */ drift: number }
  | {
      ok: false;
      /**
       * `malformed`: not a code of the right length (not counted); `invalid`: no code of the
       * window matches; `replayed`: the code (or a later one) was accepted already; `locked`:
       * too many tries, nothing was checked.
       */
      reason: 'malformed' | 'invalid' | 'replayed' | 'locked';
      /** With `locked`: how long until a try is counted again. */
      retryAfterMs?: number;
    };

const DAY_MS = 86_400_000;

export class TotpVerifier {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #maxPerDay: number;
  readonly #ns: string;

  /**
   * `namespace` keeps two verifiers on one store apart (two sites' accounts). Account ids
   * given to `verify` should already be keyed hashes of the name: the store hashes its keys
   * again, but a caller's id is also what appears in its own logs.
   */
  constructor(deps: { store: Store; clock?: Clock; namespace?: string }, policy: TotpPolicy = {}) {
    this.#store = deps.store;
    this.#clock = deps.clock ?? systemClock;
    this.#ns = deps.namespace ?? 'mfa';
    this.#maxFailures = positiveInt(policy.maxFailures ?? 5, 'maxFailures');
    this.#windowMs = positiveInt(policy.windowMs ?? 15 * 60_000, 'windowMs');
    this.#maxPerDay = positiveInt(policy.maxFailuresPerDay ?? 50, 'maxFailuresPerDay');
  }

  /** Checks `code` for `account`, whose enrolment is `s`. Never throws for a bad code; a store failure rejects. */
  async verify(account: string, s: TotpSecret, code: string): Promise<TotpResult> {
    const digits = s.digits ?? 6;
    const period = s.period ?? 30;
    const c = typeof code === 'string' ? code.replace(/[\s-]/g, '') : '';
    if (c.length !== digits || !/^[0-9]+$/.test(c)) return { ok: false, reason: 'malformed' };
    const shortKey = `${this.#ns}:totp-fail:${account}`;
    const dayKey = `${this.#ns}:totp-fail-day:${account}`;
    // The try is counted before the code is checked, and given back when it was right: tries sent
    // all at once each see the ones before them, so a thousand parallel guesses get `maxFailures`.
    // (floor: a store at its memory cap must not forget them to a flood of other keys.)
    const [short = 0, day = 0] = await this.#store.increment([
      { key: shortKey, by: 1, ttlMs: this.#windowMs, floor: true },
      { key: dayKey, by: 1, ttlMs: DAY_MS, floor: true },
    ]);
    if (short > this.#maxFailures) return { ok: false, reason: 'locked', retryAfterMs: this.#windowMs };
    if (day > this.#maxPerDay) return { ok: false, reason: 'locked', retryAfterMs: DAY_MS };

    const now = totpStep(this.#clock.now(), period);
    let matched = Number.NaN;
    for (let d = -1; d <= 1; d++) {
      // Every candidate computed and compared in constant time; the first match kept.
      const hit = safeEqual(hotp(s.secret, now + d, { algorithm: s.algorithm ?? 'sha1', digits }), c);
      if (hit && Number.isNaN(matched)) matched = now + d;
    }
    if (Number.isNaN(matched)) return { ok: false, reason: 'invalid' };
    const ttl = period * 1000 * 4;
    if (!(await this.#store.claim(`${this.#ns}:totp-used:${account}:${matched}`, ttl))) return { ok: false, reason: 'replayed' };
    // Codes of the earlier steps still inside the window can no longer be used.
    const burn: Promise<boolean>[] = [];
    for (let st = now - 1; st < matched; st++) burn.push(this.#store.claim(`${this.#ns}:totp-used:${account}:${st}`, ttl));
    await Promise.all(burn);
    // A right code: the window's tries start again; the day's count keeps this one back.
    await Promise.all([this.#store.reset([shortKey]), this.#store.increment([{ key: dayKey, by: -1, ttlMs: DAY_MS, floor: true }])]);
    return { ok: true, step: matched, drift: matched - now };
  }

  /** Clears an account's tries (an operator reset its second factor). */
  async reset(account: string): Promise<void> {
    await this.#store.reset([`${this.#ns}:totp-fail:${account}`, `${this.#ns}:totp-fail-day:${account}`]);
  }
}

function positiveInt(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`TotpPolicy.${name} must be a positive integer`);
  return n;
}
