/**
 * Recovery codes: single-use codes a person writes down at enrolment, for the day the phone is
 * lost. Each is 10 characters of Crockford's Base32 (50 random bits), shown as `XXXXX-XXXXX`;
 * what is typed back is read leniently (case, spaces, hyphens, and the look-alikes O/0 and
 * I/L/1 are one). Only keyed hashes are stored: HMAC-SHA256 under a key of the site's, so a
 * copy of the database cannot be checked offline against guesses (50 bits already make
 * guessing online hopeless under the verifier's attempt limits).
 */
import { createHmac, randomInt } from 'node:crypto';
import { safeEqual } from '../core/crypto.js';

// Crockford's Base32: no I, L, O or U.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 10;

export interface RecoveryCodes {
  /** To show the person once; never stored. */
  codes: string[];
  /** To store. */
  hashes: string[];
}

/** `count` new codes (default 10) and their hashes under `key`. */
export function newRecoveryCodes(key: Uint8Array, count = 10): RecoveryCodes {
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new RangeError('recovery codes: count is 1 to 100');
  const codes: string[] = [];
  const seen = new Set<string>();
  while (codes.length < count) {
    let c = '';
    for (let i = 0; i < LENGTH; i++) c += ALPHABET[randomInt(32)];
    if (seen.has(c)) continue;
    seen.add(c);
    codes.push(`${c.slice(0, 5)}-${c.slice(5)}`);
  }
  return { codes, hashes: codes.map((c) => hashRecoveryCode(key, c)!) };
}

/** A code as typed, in its one spelling; undefined when it cannot be a code. */
export function normalizeRecoveryCode(typed: string): string | undefined {
  if (typeof typed !== 'string' || typed.length > 64) return undefined;
  let out = '';
  for (const ch of typed.toUpperCase()) {
    if (ch === '-' || ch === ' ' || ch === '\t') continue;
    const c = ch === 'O' ? '0' : ch === 'I' || ch === 'L' ? '1' : ch;
    if (!ALPHABET.includes(c)) return undefined;
    out += c;
  }
  return out.length === LENGTH ? out : undefined;
}

export function hashRecoveryCode(key: Uint8Array, typed: string): string | undefined {
  const c = normalizeRecoveryCode(typed);
  return c === undefined ? undefined : createHmac('sha256', key).update('mamori recovery code\0').update(c).digest('base64url');
}

/**
 * Uses a code: when `typed` is one of `hashes`, the hashes left (that one removed: a code works
 * once); otherwise undefined. Every stored hash is compared, in constant time. The caller
 * stores the list left in the same transaction it read the old one in, or claims the used hash
 * (`Store.claim`) first, so two requests racing with one code cannot both use it.
 */
export function useRecoveryCode(key: Uint8Array, hashes: readonly string[], typed: string): string[] | undefined {
  const h = hashRecoveryCode(key, typed) ?? '';
  let at = -1;
  for (let i = 0; i < hashes.length; i++) {
    if (safeEqual(hashes[i]!, h) && h !== '' && at < 0) at = i;
  }
  return at < 0 ? undefined : hashes.filter((_, i) => i !== at);
}
