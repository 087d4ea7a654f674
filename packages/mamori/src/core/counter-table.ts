/**
 * A fixed-size table of expiring counters with a hard memory cap.
 *
 * Keys are reduced to a 64-bit keyed hash (two seeded MurmurHash3 words),
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
import { murmur32 } from './crypto.js';
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

  #find(hi: number, lo: number, now: number): number {
    const cap = this.capacity;
    let i = hi % cap;
    for (let n = 0; n < WINDOW; n++) {
      if (this.#hi[i] === hi && this.#lo[i] === lo && this.#exp[i]! > now) return i;
      if (++i === cap) i = 0;
    }
    return -1;
  }

  get(key: string, now: number): number {
    const i = this.#find(murmur32(key, this.#seedA), murmur32(key, this.#seedB), now);
    return i < 0 ? 0 : this.#val[i]!;
  }

  /** Adds `by` (saturating at 0 and 2^32-1); returns the new count. */
  add(key: string, by: number, ttlMs: number, now: number): number {
    const hi = murmur32(key, this.#seedA);
    const lo = murmur32(key, this.#seedB);
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
      } else if (free < 0) {
        free = i;
      }
      if (++i === cap) i = 0;
    }
    let slot = free;
    if (slot < 0) {
      slot = victim;
      this.evictions++;
    } else if (this.#exp[slot] === 0) {
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
    if (this.#find(murmur32(key, this.#seedA), murmur32(key, this.#seedB), now) >= 0) return false;
    this.add(key, value, ttlMs, now);
    return true;
  }

  delete(key: string, now: number): void {
    const i = this.#find(murmur32(key, this.#seedA), murmur32(key, this.#seedB), now);
    if (i >= 0) {
      this.#exp[i] = 0;
      this.#val[i] = 0;
      this.#size--;
    }
  }
}
