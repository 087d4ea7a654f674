/**
 * MurmurHash3's 32-bit pieces (Austin Appleby, public domain algorithm),
 * for mixing inside this process only: the counter table's seeded key hash
 * and the login guard's ids. Not a keyed PRF: where an attacker chooses the
 * input and must not aim for collisions, mamori uses SipHash (siphash.ts).
 */

/** A 32-bit block scrambled before it is mixed in. */
export function murmurScramble(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** Mixes a scrambled block into the state `h`. */
export function murmurMix(h: number, scrambled: number): number {
  h ^= scrambled;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * The finaliser: every input bit reaches every output bit. Returns a signed
 * 32-bit value: V8 keeps those as small integers in object fields and across
 * calls, where an unsigned value of 2^31 or more becomes a heap number (and a
 * field that has held both kinds makes the code that reads it slower).
 */
export function murmurFinish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
