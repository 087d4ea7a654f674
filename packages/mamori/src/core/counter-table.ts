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
 * A key lives in a window of `WINDOW` slots from its home slot. The home
 * slot comes from every character of the key but its second: mamori's keys
 * are a namespace character, a kind character, then the subject, so one
 * subject's counters of different kinds (a login pair's failures and its
 * lock's end) share a window, and reading both costs one cache miss, not
 * two. A set's member marker can be placed beside another key's counters in
 * the same way (`addMember`'s `near`). When the window is full, the entry with the smallest count (then the soonest to
 * expire) is evicted. A flood of fresh keys therefore displaces other
 * count-1 entries, not an attacker's high counter: to evict a counter of n,
 * a flood must fill all of that key's window with counts above n, and
 * which slots those are depends on a secret seed.
 */
import type { Random } from './random.js';
import { murmurFinish, murmurMix, murmurScramble } from './murmur.js';

const WINDOW = 16;

/** absorb's results: the two lanes. */
const LANES = new Int32Array(2);

/**
 * MurmurHash3's body over the characters of `s` from `from` on, two to a 32-bit word, in two
 * lanes at once (states `a` and `b`, each with its own seed); the lanes end in LANES.
 */
function absorb(s: string, from: number, a: number, b: number): void {
  const len = s.length;
  let i = from;
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
  LANES[0] = a;
  LANES[1] = b;
}
/** Keys hashed and touched together by `batch`. */
export const BATCH = 8;
/** Bytes per slot: two hash words, a count, and an expiry. */
export const BYTES_PER_SLOT = 16;
/** Most slots a table has (a word offset, 4 per slot, stays below 2^31): 8 GiB. */
export const MAX_SLOTS = 2 ** 29 - 1;
/** Longest lifetime a counter can have (ms). */
export const MAX_COUNTER_TTL_MS = 2 ** 31 - 1;
const NEVER = 0;
const TOMBSTONE = 1;
/** A lifetime as the table keeps it: at least 1 ms, at most MAX_COUNTER_TTL_MS. */
function ttlOf(ttlMs: number): number {
  return Math.max(1, Math.min(MAX_COUNTER_TTL_MS, ttlMs));
}

/** Past this distance from the base, the base moves (all expiries are shifted once). */
const REBASE_AT = 2 ** 31;

export class CounterTable {
  readonly capacity: number;
  /** [hi, lo, count, expiry] per slot. */
  readonly #w: Uint32Array;
  readonly #seedA: number;
  readonly #seedB: number;
  /** capacity / 2^32: maps a 32-bit hash to a slot (#slotOf). */
  readonly #scale: number;
  #base = Number.NaN;
  #size = 0;
  evictions = 0;

  constructor(maxBytes: number, random: Random) {
    // (At most MAX_SLOTS: slot offsets are kept in 32-bit signed words.)
    this.capacity = Math.min(MAX_SLOTS, Math.max(WINDOW, Math.floor(maxBytes / BYTES_PER_SLOT)));
    this.#scale = this.capacity / 2 ** 32;
    this.#w = new Uint32Array(this.capacity * 4);
    const seed = random.bytes(8);
    this.#seedA = seed.readInt32LE(0);
    this.#seedB = seed.readInt32LE(4);
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

  /**
   * A 32-bit hash's slot, as a word offset: the hash scaled to [0, capacity) by one
   * floating-point multiplication (a division, as `%` would take, costs several times more;
   * the product's rounding error stays far below one slot).
   */
  #slotOf(h: number): number {
    return Math.floor((h >>> 0) * this.#scale) * 4;
  }

  /**
   * The last hash: its home slot's word offset, and its two identity words (signed 32-bit,
   * see murmurFinish). In a typed array rather than three fields: stores there are plain
   * 32-bit writes, where a field holding a number the engine typed as a double is boxed.
   */
  readonly #h = new Int32Array(3);

  /**
   * A key's home and identity in one pass over it: MurmurHash3's 32-bit
   * mixing run with two secret seeds side by side. Lane A skips the second
   * character and gives the home; lane B takes every character. The identity
   * is lane A's result with the second character mixed back in, and lane B's:
   * keys differing in their second character share a home, never an identity.
   */
  #hash(s: string): void {
    const len = s.length;
    let c1 = 0;
    if (len >= 2) {
      // The first two characters: lane A takes the first alone, lane B both.
      c1 = s.charCodeAt(1);
      const c0 = s.charCodeAt(0);
      absorb(s, 2, murmurMix(this.#seedA, murmurScramble(c0)), murmurMix(this.#seedB, murmurScramble((c0 | (c1 << 16)) >>> 0)));
    } else {
      absorb(s, 0, this.#seedA, this.#seedB);
    }
    const h = murmurFinish(LANES[0]! ^ len);
    const o = this.#h;
    o[0] = this.#slotOf(h);
    o[1] = murmurFinish(h ^ murmurScramble(c1));
    o[2] = murmurFinish(LANES[1]! ^ len);
  }

  /**
   * The identity of a (set, member) pair, as if of one key made of both, but
   * without joining them: the joined string would be a rope the hash first
   * has to copy out. The set's length is mixed in between, so no other
   * split of the same characters gives the same stream. Its home is the
   * key `near`'s when one is given, else its own.
   */
  #hashPair(s: string, t: string, near: string | undefined): void {
    absorb(s, 0, this.#seedA, this.#seedB);
    const k = murmurScramble(s.length ^ 0x9e3779b9);
    absorb(t, 0, murmurMix(LANES[0]!, k), murmurMix(LANES[1]!, k));
    const len = s.length + t.length + 2;
    const hi = murmurFinish(LANES[0]! ^ len);
    const lo = murmurFinish(LANES[1]! ^ len);
    if (near === undefined) this.#h[0] = this.#slotOf(hi);
    else this.#hash(near);
    this.#h[1] = hi;
    this.#h[2] = lo;
  }


  /**
   * The word offset of the live slot holding (hi, lo) in the window from
   * `home` (a word offset), or -1. Scanning stops at a slot never used: no key
   * can lie past one, since inserts take the first free slot and deletes
   * leave a tombstone, not a hole.
   */
  #find(home: number, hi: number, lo: number, t: number): number {
    const w = this.#w;
    const end = w.length;
    let o = home;
    for (let n = 0; n < WINDOW; n++) {
      const exp = w[o + 3]!;
      if (exp === NEVER) return -1;
      if ((w[o]! | 0) === hi && (w[o + 1]! | 0) === lo && exp > t) return o;
      o += 4;
      if (o === end) o = 0;
    }
    return -1;
  }

  /** The slot where a key's window starts (for tests and tools). */
  homeSlot(key: string): number {
    this.#hash(key);
    return this.#h[0]! / 4;
  }

  /** The slot holding a live key, or -1 (for tests and tools). */
  slotOf(key: string, now: number): number {
    const t = this.#rel(now);
    this.#hash(key);
    const o = this.#find(this.#h[0]!, this.#h[1]!, this.#h[2]!, t);
    return o < 0 ? -1 : o / 4;
  }

  /** The slot holding a set's member marker, or -1 (for tests and tools). */
  memberSlot(key: string, member: string, now: number, near?: string): number {
    const t = this.#rel(now);
    this.#hashPair(key, member, near);
    const o = this.#find(this.#h[0]!, this.#h[1]!, this.#h[2]!, t);
    return o < 0 ? -1 : o / 4;
  }

  /** Hashes of a batch of keys, [home, hi, lo] per key, filled by `batchKey`. */
  readonly #bh = new Int32Array(BATCH * 3);
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
    this.#bh[3 * i] = this.#h[0]!;
    this.#bh[3 * i + 1] = this.#h[1]!;
    this.#bh[3 * i + 2] = this.#h[2]!;
    this.#bn = i + 1;
    return i;
  }

  batchTouch(): void {
    this.#touch(this.#bn);
  }

  #touch(n: number): void {
    const w = this.#w;
    const h = this.#bh;
    let x = 0;
    for (let i = 0; i < n; i++) x ^= w[h[3 * i]! + 3]!;
    this.touched = x;
  }

  /** The count of the batch's key `i` (see `batchStart`). */
  batchGet(i: number): number {
    if (i >= this.#bn) throw new RangeError('not in the batch');
    const o = this.#find(this.#bh[3 * i]!, this.#bh[3 * i + 1]!, this.#bh[3 * i + 2]!, this.#bt);
    return o < 0 ? 0 : this.#w[o + 2]!;
  }

  /** `add` for the batch's key `i` (see `batchStart`). */
  batchAdd(i: number, by: number, ttlMs: number): number {
    if (i >= this.#bn) throw new RangeError('not in the batch');
    return this.#add(this.#bh[3 * i]!, this.#bh[3 * i + 1]!, this.#bh[3 * i + 2]!, by, ttlMs, this.#bt);
  }

  get(key: string, now: number): number {
    const t = this.#rel(now);
    this.#hash(key);
    const o = this.#find(this.#h[0]!, this.#h[1]!, this.#h[2]!, t);
    return o < 0 ? 0 : this.#w[o + 2]!;
  }

  /** Adds `by` (saturating at 0 and 2^32-1); returns the new count. */
  add(key: string, by: number, ttlMs: number, now: number): number {
    const t = this.#rel(now);
    this.#hash(key);
    return this.#add(this.#h[0]!, this.#h[1]!, this.#h[2]!, by, ttlMs, t);
  }

  #add(home: number, hi: number, lo: number, by: number, ttlMs: number, t: number): number {
    const w = this.#w;
    const end = w.length;
    let o = home;
    let free = -1;
    let victim = -1;
    for (let n = 0; n < WINDOW; n++) {
      const exp = w[o + 3]!;
      if (exp > t) {
        if ((w[o]! | 0) === hi && (w[o + 1]! | 0) === lo) {
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
    w[slot + 3] = Math.min(0xffffffff, t + ttlOf(ttlMs));
    return v;
  }

  /** Sets a counter only if absent; true when this call created it. */
  setIfAbsent(key: string, value: number, ttlMs: number, now: number): boolean {
    const t = this.#rel(now);
    this.#hash(key);
    const home = this.#h[0]!;
    const hi = this.#h[1]!;
    const lo = this.#h[2]!;
    if (this.#find(home, hi, lo, t) >= 0) return false;
    this.#add(home, hi, lo, value, ttlMs, t);
    return true;
  }

  /**
   * Adds `member` to the set `key`: returns the set's distinct count after it.
   * Each member has a marker entry whose count is how many holds it has; the
   * set counts the members with at least one. This call takes one hold, so
   * that removeMember can give back exactly this call's (see Store.removeDistinct).
   * The marker is kept in the window of the key `near` when one is given (a key
   * the caller touches in the same request, so the marker costs no cache miss
   * of its own).
   */
  addMember(key: string, member: string, ttlMs: number, now: number, near?: string): number {
    const t = this.#rel(now);
    this.#hashPair(key, member, near);
    const mo = this.#h[0]!;
    const mh = this.#h[1]!;
    const ml = this.#h[2]!;
    this.#hash(key);
    const ko = this.#h[0]!;
    const kh = this.#h[1]!;
    const kl = this.#h[2]!;
    // Both home slots read back to back, so their cache misses overlap (see batchStart).
    this.touched = this.#w[mo + 3]! ^ this.#w[ko + 3]!;
    const m = this.#find(mo, mh, ml, t);
    if (m < 0) {
      this.#add(mo, mh, ml, 1, ttlMs, t);
      return this.#add(ko, kh, kl, 1, ttlMs, t);
    }
    this.#w[m + 2] = Math.min(0xffffffff, this.#w[m + 2]! + 1);
    const o = this.#find(ko, kh, kl, t);
    return o < 0 ? 0 : this.#w[o + 2]!;
  }

  /**
   * Gives back one hold on `member` in the set `key` (its marker, looked for beside `near`
   * as addMember put it); when it was the last, the member leaves the set and the set's
   * count drops by one. Returns the set's count after.
   */
  removeMember(key: string, member: string, now: number, near?: string, ttlMs?: number, heldAt?: number): number {
    const t = this.#rel(now);
    this.#hashPair(key, member, near);
    const h = this.#h;
    let mo = this.#find(h[0]!, h[1]!, h[2]!, t);
    this.#hash(key);
    const ko = this.#find(h[0]!, h[1]!, h[2]!, t);
    const w = this.#w;
    // A marker made after the hold was taken (it had expired and came back) is not that hold's.
    if (mo >= 0 && heldAt !== undefined && ttlMs !== undefined && w[mo + 3]! - ttlOf(ttlMs) > heldAt - this.#base) mo = -1;
    if (mo >= 0 && w[mo + 2]! > 1) {
      w[mo + 2] = w[mo + 2]! - 1;
    } else if (mo >= 0) {
      w[mo + 3] = TOMBSTONE;
      w[mo + 2] = 0;
      this.#size--;
      if (ko >= 0) w[ko + 2] = Math.max(0, w[ko + 2]! - 1);
    }
    return ko < 0 ? 0 : w[ko + 2]!;
  }

  delete(key: string, now: number): void {
    const t = this.#rel(now);
    this.#hash(key);
    const o = this.#find(this.#h[0]!, this.#h[1]!, this.#h[2]!, t);
    if (o >= 0) {
      this.#w[o + 3] = TOMBSTONE; // free for reuse, but scans go on past it
      this.#w[o + 2] = 0;
      this.#size--;
    }
  }
}
