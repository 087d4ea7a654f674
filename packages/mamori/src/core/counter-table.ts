/**
 * A fixed-size table of expiring counters with a hard memory cap.
 *
 * Keys are reduced to a 64-bit seeded hash (two MurmurHash3 lanes, secret
 * seeds), so the table never holds attacker-supplied strings and its size
 * is fixed when it is built: `capacity * 16` bytes, whatever arrives.
 *
 * A slot is four 32-bit words side by side in one array (hash high, hash
 * low, count, expiry), so a probe reads one cache line, not four. Expiry is
 * kept in milliseconds from a base the table moves forward as time passes;
 * 0 marks a slot never used and 1 a deleted one. Lifetimes are capped at
 * 24 days.
 *
 * A key lives in a window of `WINDOW` slots from its home slot. When the
 * window is full, the entry with the smallest count (then the soonest to
 * expire) is evicted. A flood of fresh keys therefore displaces other
 * count-1 entries, not an attacker's high counter: to evict a counter of n,
 * a flood must fill all of that key's window with counts above n, and
 * which slots those are depends on a secret seed.
 */
import type { Random } from './random.js';
import { murmurFinish, murmurMix, murmurScramble } from './murmur.js';

const WINDOW = 16;
/** Keys hashed and touched together by `batch`. */
export const BATCH = 8;
/** Bytes per slot: two hash words, a count, and an expiry. */
export const BYTES_PER_SLOT = 16;
/** Longest lifetime a counter can have (ms). */
export const MAX_COUNTER_TTL_MS = 2 ** 31 - 1;
const NEVER = 0;
const TOMBSTONE = 1;
/** Past this distance from the base, the base moves (all expiries are shifted once). */
const REBASE_AT = 2 ** 31;

export class CounterTable {
  readonly capacity: number;
  /** [hi, lo, count, expiry] per slot. */
  readonly #w: Uint32Array;
  readonly #seedA: number;
  readonly #seedB: number;
  #base = Number.NaN;
  #size = 0;
  evictions = 0;

  constructor(maxBytes: number, random: Random) {
    this.capacity = Math.max(WINDOW, Math.floor(maxBytes / BYTES_PER_SLOT));
    this.#w = new Uint32Array(this.capacity * 4);
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

  /** `now` as table time (≥ 2), moving the base when time has run far from it (either way). */
  #rel(now: number): number {
    if (Number.isNaN(this.#base)) this.#base = now - 2;
    let r = now - this.#base;
    if (r < 2 || r >= REBASE_AT) {
      this.#shift(r - 2);
      r = 2;
    }
    return r;
  }

  /** Moves the base forward by `d` ms (back when negative), keeping every expiry's meaning. */
  #shift(d: number): void {
    const w = this.#w;
    for (let i = 3; i < w.length; i += 4) {
      const e = w[i]!;
      if (e <= TOMBSTONE) continue;
      const moved = e - d;
      w[i] = moved < 2 ? TOMBSTONE : Math.min(0xffffffff, moved);
    }
    this.#base += d;
  }

  #hi0 = 0;
  #lo0 = 0;
  /** Running state of the two lanes while a key is absorbed. */
  #ha = 0;
  #hb = 0;

  /**
   * Both hash words of a key in one pass over it (MurmurHash3's 32-bit
   * mixing, run with two secret seeds side by side); left in #hi0 / #lo0.
   */
  #hash(s: string): void {
    this.#ha = this.#seedA;
    this.#hb = this.#seedB;
    this.#absorb(s);
    this.#finish(s.length);
  }

  /**
   * The hash of a (set, member) pair, as if of one key made of both, but
   * without joining them: the joined string would be a rope the hash first
   * has to copy out. The set's length is mixed in between, so no other
   * split of the same characters gives the same stream.
   */
  #hashPair(s: string, t: string): void {
    this.#ha = this.#seedA;
    this.#hb = this.#seedB;
    this.#absorb(s);
    this.#mixWord(s.length ^ 0x9e3779b9);
    this.#absorb(t);
    this.#finish(s.length + t.length + 2);
  }

  #mixWord(k: number): void {
    const x = murmurScramble(k);
    this.#ha = murmurMix(this.#ha, x);
    this.#hb = murmurMix(this.#hb, x);
  }

  #absorb(s: string): void {
    let a = this.#ha;
    let b = this.#hb;
    const len = s.length;
    let i = 0;
    for (; i + 1 < len; i += 2) {
      const k = murmurScramble((s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)) >>> 0);
      a = murmurMix(a, k);
      b = murmurMix(b, k);
    }
    if (i < len) {
      // The tail, as MurmurHash3 takes it: scrambled and folded in, not mixed.
      const k = murmurScramble(s.charCodeAt(i));
      a ^= k;
      b ^= k;
    }
    this.#ha = a;
    this.#hb = b;
  }

  #finish(len: number): void {
    this.#hi0 = murmurFinish(this.#ha ^ len);
    this.#lo0 = murmurFinish(this.#hb ^ len);
  }

  /**
   * The word offset of the live slot holding (hi, lo), or -1. Scanning stops
   * at a slot never used: no key can lie past one, since inserts take the
   * first free slot and deletes leave a tombstone, not a hole.
   */
  #find(hi: number, lo: number, t: number): number {
    const w = this.#w;
    const end = w.length;
    let o = (hi % this.capacity) * 4;
    for (let n = 0; n < WINDOW; n++) {
      const exp = w[o + 3]!;
      if (exp === NEVER) return -1;
      if (w[o] === hi && w[o + 1] === lo && exp > t) return o;
      o += 4;
      if (o === end) o = 0;
    }
    return -1;
  }

  /** Hashes of a batch of keys, [hi, lo] per key, filled by `batchKey`. */
  readonly #bh = new Uint32Array(BATCH * 2);
  #bn = 0;
  #bt = 0;
  /** Folded touches of home slots; read by nobody, kept so the loads are not dropped. */
  touched = 0;

  /**
   * A batch: up to BATCH keys hashed first (`batchKey`), then their home
   * slots read one after another (`batchTouch`). The table is far larger than
   * the cache, so each key's first read is a miss; issued back to back, the
   * misses overlap instead of waiting one after another. Then `batchGet` and
   * `batchAdd` work on the keys by position. Nothing else may use the table
   * between `batchStart` and the batch's last operation.
   */
  batchStart(now: number): void {
    this.#bt = this.#rel(now);
    this.#bn = 0;
  }

  /** Adds a key to the batch; returns its position, or -1 when the batch is full. */
  batchKey(key: string): number {
    const i = this.#bn;
    if (i >= BATCH) return -1;
    this.#hash(key);
    this.#bh[2 * i] = this.#hi0;
    this.#bh[2 * i + 1] = this.#lo0;
    this.#bn = i + 1;
    return i;
  }

  batchTouch(): void {
    this.#touch(this.#bn);
  }

  #touch(n: number): void {
    const w = this.#w;
    const h = this.#bh;
    const cap = this.capacity;
    let x = 0;
    for (let i = 0; i < n; i++) x ^= w[(h[2 * i]! % cap) * 4 + 3]!;
    this.touched = x;
  }

  /** The count of the batch's key `i` (see `batchStart`). */
  batchGet(i: number): number {
    if (i >= this.#bn) throw new RangeError('not in the batch');
    const o = this.#find(this.#bh[2 * i]!, this.#bh[2 * i + 1]!, this.#bt);
    return o < 0 ? 0 : this.#w[o + 2]!;
  }

  /** `add` for the batch's key `i` (see `batchStart`). */
  batchAdd(i: number, by: number, ttlMs: number): number {
    if (i >= this.#bn) throw new RangeError('not in the batch');
    return this.#add(this.#bh[2 * i]!, this.#bh[2 * i + 1]!, by, ttlMs, this.#bt);
  }

  get(key: string, now: number): number {
    const t = this.#rel(now);
    this.#hash(key);
    const o = this.#find(this.#hi0, this.#lo0, t);
    return o < 0 ? 0 : this.#w[o + 2]!;
  }

  /** Adds `by` (saturating at 0 and 2^32-1); returns the new count. */
  add(key: string, by: number, ttlMs: number, now: number): number {
    const t = this.#rel(now);
    this.#hash(key);
    return this.#add(this.#hi0, this.#lo0, by, ttlMs, t);
  }

  #add(hi: number, lo: number, by: number, ttlMs: number, t: number): number {
    const w = this.#w;
    const end = w.length;
    let o = (hi % this.capacity) * 4;
    let free = -1;
    let victim = -1;
    for (let n = 0; n < WINDOW; n++) {
      const exp = w[o + 3]!;
      if (exp > t) {
        if (w[o] === hi && w[o + 1] === lo) {
          // Clamped to [0, 2^32-1]: a Uint32Array would wrap a negative sum to 4 billion.
          const v = Math.max(0, Math.min(0xffffffff, w[o + 2]! + by));
          w[o + 2] = v;
          return v;
        }
        if (victim < 0 || w[o + 2]! < w[victim + 2]! || (w[o + 2] === w[victim + 2] && exp < w[victim + 3]!)) victim = o;
      } else {
        if (free < 0) free = o;
        if (exp === NEVER) break; // the key is not further on
      }
      o += 4;
      if (o === end) o = 0;
    }
    let slot = free;
    if (slot < 0) {
      slot = victim;
      this.evictions++;
    } else if (w[slot + 3]! <= TOMBSTONE) {
      this.#size++;
    }
    const v = Math.min(0xffffffff, Math.max(0, by));
    w[slot] = hi;
    w[slot + 1] = lo;
    w[slot + 2] = v;
    w[slot + 3] = Math.min(0xffffffff, t + Math.max(1, Math.min(MAX_COUNTER_TTL_MS, ttlMs)));
    return v;
  }

  /** Sets a counter only if absent; true when this call created it. */
  setIfAbsent(key: string, value: number, ttlMs: number, now: number): boolean {
    const t = this.#rel(now);
    this.#hash(key);
    const hi = this.#hi0;
    const lo = this.#lo0;
    if (this.#find(hi, lo, t) >= 0) return false;
    this.#add(hi, lo, value, ttlMs, t);
    return true;
  }

  /**
   * Adds `member` to the set `key` (a marker entry per member, then the
   * set's count): returns the set's distinct count after it.
   */
  addMember(key: string, member: string, ttlMs: number, now: number): number {
    const t = this.#rel(now);
    this.#hashPair(key, member);
    const mh = this.#hi0;
    const ml = this.#lo0;
    this.#hash(key);
    const kh = this.#hi0;
    const kl = this.#lo0;
    // Both home slots read back to back, so their cache misses overlap (see batchStart).
    this.touched = this.#w[(mh % this.capacity) * 4 + 3]! ^ this.#w[(kh % this.capacity) * 4 + 3]!;
    if (this.#find(mh, ml, t) < 0) {
      this.#add(mh, ml, 1, ttlMs, t);
      return this.#add(kh, kl, 1, ttlMs, t);
    }
    const o = this.#find(kh, kl, t);
    return o < 0 ? 0 : this.#w[o + 2]!;
  }

  delete(key: string, now: number): void {
    const t = this.#rel(now);
    this.#hash(key);
    const o = this.#find(this.#hi0, this.#lo0, t);
    if (o >= 0) {
      this.#w[o + 3] = TOMBSTONE; // free for reuse, but scans go on past it
      this.#w[o + 2] = 0;
      this.#size--;
    }
  }
}
