/**
 * A fixed-size table of expiring counters with a hard memory cap.
 *
 * Keys are reduced to a 64-bit seeded hash (two MurmurHash3 lanes, secret seeds),
 * so the table never holds attacker-supplied strings and its size is fixed
 * when it is built: `capacity * 20` bytes, whatever arrives.
 *
 * A key lives in a window of `WINDOW` slots from its home slot. When the
 * window is full, the entry with the smallest count (then the soonest to
 * expire) is evicted. A flood of fresh keys therefore displaces other
 * count-1 entries, not an attacker's high counter: to evict a counter of n,
 * a flood must fill all of that key's window with counts above n, and
 * which slots those are depends on a secret seed.
 */
import type { Random } from './random.js';

const WINDOW = 16;
/** Bytes per slot: two hash words, a count, and an expiry. */
export const BYTES_PER_SLOT = 4 + 4 + 4 + 8;

export class CounterTable {
  readonly capacity: number;
  readonly #hi: Uint32Array;
  readonly #lo: Uint32Array;
  readonly #val: Uint32Array;
  /** Expiry in ms since epoch; 0 marks an empty slot. */
  readonly #exp: Float64Array;
  readonly #seedA: number;
  readonly #seedB: number;
  #size = 0;
  evictions = 0;

  constructor(maxBytes: number, random: Random) {
    this.capacity = Math.max(WINDOW, Math.floor(maxBytes / BYTES_PER_SLOT));
    this.#hi = new Uint32Array(this.capacity);
    this.#lo = new Uint32Array(this.capacity);
    this.#val = new Uint32Array(this.capacity);
    this.#exp = new Float64Array(this.capacity);
    const seed = random.bytes(8);
    this.#seedA = seed.readUInt32LE(0);
    this.#seedB = seed.readUInt32LE(4);
  }

  get bytes(): number {
    return this.capacity * BYTES_PER_SLOT;
  }

  /** Occupied slots (expired entries count until they are reused). */
  get size(): number {
    return this.#size;
  }

  #hi0 = 0;
  #lo0 = 0;

  /**
   * Both hash words of a key in one pass over it (MurmurHash3's 32-bit
   * mixing, run with two secret seeds side by side); left in #hi0 / #lo0.
   */
  #hash(s: string): void {
    let a = this.#seedA;
    let b = this.#seedB;
    const len = s.length;
    let i = 0;
    for (; i + 1 < len; i += 2) {
      let k = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)) >>> 0;
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      a ^= k;
      a = (a << 13) | (a >>> 19);
      a = (Math.imul(a, 5) + 0xe6546b64) | 0;
      b ^= k;
      b = (b << 13) | (b >>> 19);
      b = (Math.imul(b, 5) + 0xe6546b64) | 0;
    }
    if (i < len) {
      let k = s.charCodeAt(i);
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      a ^= k;
      b ^= k;
    }
    a ^= len;
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    a = Math.imul(a, 0xc2b2ae35);
    a ^= a >>> 16;
    b ^= len;
    b ^= b >>> 16;
    b = Math.imul(b, 0x85ebca6b);
    b ^= b >>> 13;
    b = Math.imul(b, 0xc2b2ae35);
    b ^= b >>> 16;
    this.#hi0 = a >>> 0;
    this.#lo0 = b >>> 0;
  }

  /**
   * The live slot holding (hi, lo), or -1. Scanning stops at a slot that was
   * never used (expiry 0): no key can lie past one, since inserts take the
   * first free slot and deletes leave a tombstone (expiry 1), not a hole.
   */
  #find(hi: number, lo: number, now: number): number {
    const cap = this.capacity;
    let i = hi % cap;
    for (let n = 0; n < WINDOW; n++) {
      const exp = this.#exp[i]!;
      if (exp === 0) return -1;
      if (this.#hi[i] === hi && this.#lo[i] === lo && exp > now) return i;
      if (++i === cap) i = 0;
    }
    return -1;
  }

  get(key: string, now: number): number {
    this.#hash(key);
    const i = this.#find(this.#hi0, this.#lo0, now);
    return i < 0 ? 0 : this.#val[i]!;
  }

  /** Adds `by` (saturating at 0 and 2^32-1); returns the new count. */
  add(key: string, by: number, ttlMs: number, now: number): number {
    this.#hash(key);
    return this.#add(this.#hi0, this.#lo0, by, ttlMs, now);
  }

  #add(hi: number, lo: number, by: number, ttlMs: number, now: number): number {
    const cap = this.capacity;
    let i = hi % cap;
    let free = -1;
    let victim = -1;
    for (let n = 0; n < WINDOW; n++) {
      const exp = this.#exp[i]!;
      if (exp > now) {
        if (this.#hi[i] === hi && this.#lo[i] === lo) {
          // Clamped to [0, 2^32-1]: a Uint32Array would wrap a negative sum to 4 billion.
          const v = Math.max(0, Math.min(0xffffffff, this.#val[i]! + by));
          this.#val[i] = v;
          return v;
        }
        if (victim < 0 || this.#val[i]! < this.#val[victim]! || (this.#val[i] === this.#val[victim] && exp < this.#exp[victim]!)) victim = i;
      } else {
        if (free < 0) free = i;
        if (exp === 0) break; // never used: the key is not further on
      }
      if (++i === cap) i = 0;
    }
    let slot = free;
    if (slot < 0) {
      slot = victim;
      this.evictions++;
    } else if (this.#exp[slot]! <= 1) {
      this.#size++;
    }
    this.#hi[slot] = hi;
    this.#lo[slot] = lo;
    const v = Math.min(0xffffffff, Math.max(0, by));
    this.#val[slot] = v;
    this.#exp[slot] = now + Math.max(1, ttlMs);
    return v;
  }

  /** Sets a counter only if absent; true when this call created it. */
  setIfAbsent(key: string, value: number, ttlMs: number, now: number): boolean {
    this.#hash(key);
    const hi = this.#hi0;
    const lo = this.#lo0;
    if (this.#find(hi, lo, now) >= 0) return false;
    this.#add(hi, lo, value, ttlMs, now);
    return true;
  }

  delete(key: string, now: number): void {
    this.#hash(key);
    const i = this.#find(this.#hi0, this.#lo0, now);
    if (i >= 0) {
      this.#exp[i] = 1; // a tombstone: free for reuse, but scans go on past it
      this.#val[i] = 0;
      this.#size--;
    }
  }
}
