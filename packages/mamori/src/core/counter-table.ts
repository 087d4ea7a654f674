/**
 * A fixed-size table of expiring counters with a hard memory cap.
 *
 * Keys are reduced to a 64-bit seeded hash (two MurmurHash3 lanes, secret
 * seeds), so the table never holds attacker-supplied strings, and its size
 * has a hard cap set when it is built (`maxCapacity * 16` bytes), whatever
 * arrives.
 *
 * The table starts small (INITIAL_SLOTS) and doubles when it is half full,
 * or when a key finds its window full, until it reaches the cap; nothing is
 * evicted before then. A table sized to the keys it holds stays in the CPU's
 * caches, where one of 64 MiB spread over a few thousand keys misses on
 * nearly every read (bench/README.md, "A table that grows"). While it
 * doubles, the old and the new arrays are both held: at the last doubling,
 * 1.5 times the cap for the moment of the copy.
 *
 * A slot is four 32-bit words side by side in one array (hash high, hash
 * low, count, expiry), so a probe reads one cache line, not four. Expiry is
 * kept in milliseconds from a base the table moves forward as time passes;
 * 0 marks a slot never used and 1 a deleted one. Lifetimes are capped at
 * 24 days.
 *
 * A key lives in a window of `WINDOW` slots from its home slot. When the
 * window is full, the entry with the smallest count (then the soonest to
 * expire) is evicted: a flood of fresh keys displaces other count-1
 * entries first.
 *
 * Keys come in kinds, told apart by their first two characters (mamori's
 * keys are a namespace, a kind, then the subject; 254 kinds are told apart,
 * later ones share one). A kind may ask to be floored (`add`'s `floor`):
 * then eviction never lowers its counts. It gets a floor, the highest count
 * of that kind evicted, until the last such entry would have expired; a key
 * of that kind that is not in the table reads as the floor, and a counter of
 * it made anew starts from the floor. So no flood can push such a counter
 * out to buy back what it counted; what a flood can do is raise the floor,
 * the same for every absent key of that kind, so under a flood that
 * overflows the table that kind errs on the strict side. Other kinds are
 * evicted plainly (lowest first). Until a floored kind loses an entry, its
 * floor is 0 and costs nothing.
 *
 * With `journal`, the table also notes which entries changed, for a store
 * that writes them behind to disk (`drain`) and puts them back after a
 * restart (`load`); `seed` then makes the hashes the same in every process.
 */
import type { Random } from './random.js';
import { murmurFinish, murmurMix, murmurScramble } from './murmur.js';

const WINDOW = 16;
/** Slots a table starts with (1 MiB), unless its cap is lower. */
export const INITIAL_SLOTS = 2 ** 16;
/**
 * A slot's low identity word carries its kind in its low 8 bits (the identity is the other 56
 * bits). Kind 0 is a member marker's, which has no floor; 255 is shared by kinds past 254.
 */
const KIND_BITS = 0xff;
const KIND_MASK = ~KIND_BITS;
const MARKER = 0;
const KINDS = 256;

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

export interface CounterTableOptions {
  /** The hash seeds (8 bytes). Default: drawn from the table's Random. The same seed gives the same hashes in every process (see `load`). */
  seed?: Uint8Array;
  /** Note which entries change, for `drain`. */
  journal?: boolean;
}

/** An entry as `drain` hands it out and `load` takes it back: its identity, count and expiry (ms since the epoch; 0 for a deleted key). */
export type TableVisitor = (hi: number, lo: number, count: number, expiresAt: number) => void;

/** The slot of the window from `home` (a word offset) with the lowest count, then the soonest expiry: the one evicted. */
function lowest(w: Uint32Array, home: number): number {
  let slot = home;
  let o = home;
  for (let n = 1; n < WINDOW; n++) {
    o += 4;
    if (o === w.length) o = 0;
    if (w[o + 2]! < w[slot + 2]! || (w[o + 2] === w[slot + 2] && w[o + 3]! < w[slot + 3]!)) slot = o;
  }
  return slot;
}

export class CounterTable {
  /** The most slots the table may grow to (its memory cap). */
  readonly maxCapacity: number;
  /** [hi, lo, count, expiry] per slot. */
  #w: Uint32Array;
  readonly #seedA: number;
  readonly #seedB: number;
  /** capacity / 2^32: maps a 32-bit hash to a slot (#slotOf). */
  #scale: number;
  /** Times the table has doubled (a store walking it in steps starts again when this changes). */
  generation = 0;
  #base = Number.NaN;
  #size = 0;
  evictions = 0;

  /** Per kind: the highest count evicted, and until when (table time; 0: no floor). */
  readonly #floorN = new Uint32Array(KINDS);
  readonly #floorE = new Uint32Array(KINDS);
  /** Counted entries evicted so far. */
  #spilled = 0;
  /** Moves whenever a floor may have risen or been dropped (see floorsVersion). */
  #floorsVersion = 0;
  /**
   * Per kind: 1 once an entry of it was evicted into its floor since the table was made or its
   * floors were last reset: from then on, counters of it made anew started from a floor, and
   * what the table holds of it may be more than was counted (see resetFloors).
   */
  readonly #spilledKind = new Uint8Array(KINDS);
  /** Per kind: 1 when it is floored (see the class comment). */
  readonly #floored = new Uint8Array(KINDS);
  /** A kind's number by its first two characters ((c0 << 8) | c1, both below 256); 0: none yet. */
  readonly #kindOf = new Uint8Array(65536);
  /** Kinds numbered so far, in order (their two characters). */
  readonly #kindNames: string[] = [];

  readonly #journal: boolean;
  /** One bit per slot: already in #dirty. */
  #dirtyBits: Uint32Array;
  /** Word offsets of the slots changed since the last drain. */
  #dirty: number[] = [];
  /** Identities (hi, lo) deleted since the last drain. */
  #removed: number[] = [];

  constructor(maxBytes: number, random: Random, opts: CounterTableOptions = {}) {
    // (At most MAX_SLOTS: slot offsets are kept in 32-bit signed words.)
    this.maxCapacity = Math.min(MAX_SLOTS, Math.max(WINDOW, Math.floor(maxBytes / BYTES_PER_SLOT)));
    const start = Math.min(this.maxCapacity, INITIAL_SLOTS);
    this.#scale = start / 2 ** 32;
    this.#w = new Uint32Array(start * 4);
    const seed = opts.seed ?? random.bytes(8);
    if (seed.length < 8) throw new RangeError('a counter table seed is 8 bytes');
    const view = new DataView(seed.buffer, seed.byteOffset, 8);
    this.#seedA = view.getInt32(0, true);
    this.#seedB = view.getInt32(4, true);
    this.#journal = opts.journal === true;
    this.#dirtyBits = new Uint32Array(this.#journal ? Math.ceil(start / 32) : 0);
  }

  /** Slots the table has now (it grows up to maxCapacity). */
  get capacity(): number {
    return this.#w.length >>> 2;
  }

  /** Bytes the table's slots take now. */
  get bytes(): number {
    return this.capacity * BYTES_PER_SLOT;
  }

  /** Bytes the table may grow to (its cap). */
  get maxBytes(): number {
    return this.maxCapacity * BYTES_PER_SLOT;
  }

  /** Occupied slots (expired entries count until they are reused). */
  get size(): number {
    return this.#size;
  }

  /** Counted entries evicted (0: nothing ever was, and absent keys read 0). */
  get spilled(): number {
    return this.#spilled;
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
    const f = this.#floorE;
    for (let i = 0; i < f.length; i++) {
      if (f[i] === 0) continue;
      const moved = f[i]! - d;
      f[i] = moved < 2 ? 0 : Math.min(0xffffffff, moved);
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
  /** #absorb's results: the two lanes. */
  readonly #lanes = new Int32Array(2);

  /**
   * MurmurHash3's body over the characters of `s` from `from` on, two to a 32-bit word, in two
   * lanes at once (states `a` and `b`, each with its own seed); the lanes end in #lanes.
   */
  #absorb(s: string, from: number, a: number, b: number): void {
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
    this.#lanes[0] = a;
    this.#lanes[1] = b;
  }

  /**
   * A key's identity (two MurmurHash3 lanes under the two seeds, its kind in the low bits of the
   * second) and its home, derived from the first word.
   */
  #hash(s: string): void {
    this.#absorb(s, 0, this.#seedA, this.#seedB);
    const len = s.length;
    this.#home(murmurFinish(this.#lanes[0]! ^ len), (murmurFinish(this.#lanes[1]! ^ len) & KIND_MASK) | this.#kind(s));
  }

  /** A key's kind (1 to 255), from its first two characters. */
  #kind(s: string): number {
    const c0 = s.charCodeAt(0);
    const c1 = s.charCodeAt(1);
    // (NaN for a key shorter than two: `| 0` makes it 0.)
    if (((c0 | c1) & ~0xff) !== 0) return KINDS - 1;
    const i = ((c0 | 0) << 8) | (c1 | 0);
    const k = this.#kindOf[i]!;
    return k !== 0 ? k : this.#newKind(i);
  }

  #newKind(i: number): number {
    if (this.#kindNames.length >= KINDS - 2) return KINDS - 1;
    this.#kindNames.push(String.fromCharCode(i >>> 8, i & 0xff));
    this.#kindOf[i] = this.#kindNames.length;
    return this.#kindNames.length;
  }

  /** The kinds numbered so far, in order (for a store that puts entries back: see `load`); a floored one ends in '+'. */
  get kinds(): readonly string[] {
    return this.#kindNames.map((n, i) => (this.#floored[i + 1] === 1 ? `${n}+` : n));
  }

  /**
   * Numbers kinds as another table did (its `kinds`), before its entries are loaded: false, and
   * nothing changed, when this table already numbered a kind otherwise.
   */
  loadKinds(given: readonly string[]): boolean {
    // A name is its two characters, and a '+' after them when the kind is floored.
    const names = given.map((n) => String(n).slice(0, 2));
    for (let n = 0; n < names.length && n < this.#kindNames.length; n++) if (names[n] !== this.#kindNames[n]) return false;
    for (let n = this.#kindNames.length; n < names.length && n < KINDS - 2; n++) {
      const name = names[n]!;
      const i = ((name.charCodeAt(0) & 0xff) << 8) | (name.charCodeAt(1) & 0xff);
      if (this.#kindOf[i] !== 0) return false;
      this.#kindNames.push(name);
      this.#kindOf[i] = this.#kindNames.length;
    }
    for (let n = 0; n < given.length && n < KINDS - 2; n++) if (String(given[n]).length === 3 && String(given[n]).endsWith('+')) this.#floored[n + 1] = 1;
    return true;
  }


  #home(hi: number, lo: number): void {
    const o = this.#h;
    o[0] = this.#slotOf(hi);
    o[1] = hi;
    o[2] = lo;
  }

  /**
   * The identity of a (set, member) pair, as if of one key made of both, but
   * without joining them: the joined string would be a rope the hash first
   * has to copy out. The set's length is mixed in between, so no other
   * split of the same characters gives the same stream.
   */
  #hashPair(s: string, t: string): void {
    this.#absorb(s, 0, this.#seedA, this.#seedB);
    const k = murmurScramble(s.length ^ 0x9e3779b9);
    this.#absorb(t, 0, murmurMix(this.#lanes[0]!, k), murmurMix(this.#lanes[1]!, k));
    const len = s.length + t.length + 2;
    this.#home(murmurFinish(this.#lanes[0]! ^ len), (murmurFinish(this.#lanes[1]! ^ len) & KIND_MASK) | MARKER);
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

  /** Raises the floor of an evicted entry's kind to its count, until its expiry. */
  #fold(lo: number, count: number, exp: number, t: number): void {
    const k = lo & KIND_BITS;
    if (this.#floored[k] === 0 || count === 0) return;
    this.#spilled++;
    this.#spilledKind[k] = 1;
    this.#floorsVersion++;
    if (this.#floorE[k]! <= t) {
      this.#floorN[k] = count;
      this.#floorE[k] = exp;
    } else {
      if (count > this.#floorN[k]!) this.#floorN[k] = count;
      if (exp > this.#floorE[k]!) this.#floorE[k] = exp;
    }
  }

  /** What an absent key reads: its kind's floor (0 for a kind not floored, or before any eviction of it). */
  #absent(lo: number, t: number): number {
    const k = lo & KIND_BITS;
    return this.#floorE[k]! > t ? this.#floorN[k]! : 0;
  }

  /** Notes a changed slot for drain. */
  #note(o: number): void {
    const s = o >>> 2;
    const bit = 1 << (s & 31);
    const i = s >>> 5;
    if ((this.#dirtyBits[i]! & bit) !== 0) return;
    this.#dirtyBits[i] = this.#dirtyBits[i]! | bit;
    this.#dirty.push(o);
  }

  /** Empties a slot (its key is deleted); notes the deletion for drain. */
  #clear(o: number): void {
    const w = this.#w;
    if (this.#journal) this.#removed.push(w[o]! | 0, w[o + 1]! | 0);
    w[o + 3] = TOMBSTONE; // free for reuse, but scans go on past it
    w[o + 2] = 0;
    this.#size--;
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
  memberSlot(key: string, member: string, now: number): number {
    const t = this.#rel(now);
    this.#hashPair(key, member);
    const o = this.#find(this.#h[0]!, this.#h[1]!, this.#h[2]!, t);
    return o < 0 ? -1 : o / 4;
  }

  /** Hashes of a batch of keys, [home, hi, lo] per key, filled by `batchKey`. */
  readonly #bh = new Int32Array(BATCH * 3);
  #bn = 0;
  #bt = 0;
  /** Folded reads of home slots, kept so the engine does not drop the loads. */
  #sink = 0;

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
    const w = this.#w;
    const h = this.#bh;
    let x = this.#sink;
    for (let i = 0; i < this.#bn; i++) x ^= w[this.#slotOf(h[3 * i + 1]!) + 3]!;
    this.#sink = x;
  }

  /** The count of the batch's key `i` (see `batchStart`). */
  batchGet(i: number): number {
    if (i >= this.#bn) throw new RangeError('not in the batch');
    const hi = this.#bh[3 * i + 1]!;
    const lo = this.#bh[3 * i + 2]!;
    const o = this.#find(this.#slotOf(hi), hi, lo, this.#bt);
    return o < 0 ? this.#absent(lo, this.#bt) : this.#w[o + 2]!;
  }

  /** `add` for the batch's key `i` (see `batchStart`). */
  batchAdd(i: number, by: number, ttlMs: number, floor = false): number {
    if (i >= this.#bn) throw new RangeError('not in the batch');
    if (floor) this.#floored[this.#bh[3 * i + 2]! & KIND_BITS] = 1;
    return this.#add(this.#bh[3 * i + 1]!, this.#bh[3 * i + 2]!, by, ttlMs, this.#bt, true);
  }

  get(key: string, now: number): number {
    const t = this.#rel(now);
    this.#hash(key);
    const hi = this.#h[1]!;
    const lo = this.#h[2]!;
    const o = this.#find(this.#h[0]!, hi, lo, t);
    return o < 0 ? this.#absent(lo, t) : this.#w[o + 2]!;
  }

  /**
   * Adds `by` (saturating at 0 and 2^32-1); returns the new count. With `floor`, the key's kind
   * is floored from now on (see the class comment).
   */
  add(key: string, by: number, ttlMs: number, now: number, floor = false): number {
    const t = this.#rel(now);
    this.#hash(key);
    if (floor) this.#floored[this.#h[2]! & KIND_BITS] = 1;
    return this.#add(this.#h[1]!, this.#h[2]!, by, ttlMs, t, true);
  }

  /**
   * Adds to the entry (hi, lo), or makes it: a counter made anew starts from its kind's floor
   * (`floor`; a claim does not, nor does a marker, whose kind has none).
   */
  #add(hi: number, lo: number, by: number, ttlMs: number, t: number, floor: boolean): number {
    const w = this.#w;
    const home = this.#slotOf(hi);
    const end = w.length;
    let o = home;
    let free = -1;
    for (let n = 0; n < WINDOW; n++) {
      const exp = w[o + 3]!;
      if (exp > t) {
        if ((w[o]! | 0) === hi && (w[o + 1]! | 0) === lo) {
          // Clamped to [0, 2^32-1]: a Uint32Array would wrap a negative sum to 4 billion.
          const v = Math.max(0, Math.min(0xffffffff, w[o + 2]! + by));
          w[o + 2] = v;
          if (this.#journal) this.#note(o);
          return v;
        }
      } else {
        if (free < 0) free = o;
        if (exp === NEVER) break; // the key is not further on
      }
      o += 4;
      if (o === end) o = 0;
    }
    // (A fresh window from now: the key's older count, if it had one, is in the floor until it would have expired.)
    const expiry = Math.min(0xffffffff, t + ttlOf(ttlMs));
    const v = Math.min(0xffffffff, Math.max(0, (floor ? this.#absent(lo, t) : 0) + by));
    this.#place(home, free, hi, lo, v, expiry, t, this.#journal);
    return v;
  }

  /**
   * Puts a new entry in `free` (a slot of its window, or -1: none free), else in place of the
   * window's lowest entry (then the soonest to expire), which raises its kind's floor.
   */
  #place(home: number, free: number, hi: number, lo: number, v: number, expiry: number, t: number, note: boolean, fold = true): void {
    if ((free < 0 || this.#size * 2 >= this.capacity) && this.capacity < this.maxCapacity) {
      // A full window, or a table half full: below the cap, the table doubles instead of
      // evicting, and the entry goes to its home in the larger table.
      this.#grow(t);
      home = this.#slotOf(hi);
      free = this.#freeIn(home, t);
    }
    const w = this.#w;
    let slot = free;
    if (slot < 0) {
      slot = lowest(w, home);
      this.evictions++;
      if (fold) this.#fold(w[slot + 1]! | 0, w[slot + 2]!, w[slot + 3]!, t);
      // (put back without folding, a table's log read back under floors of its own snapshot: the entry is gone, and
      // where it was from a flood, it left its count in those floors when it was evicted the first time)
      else this.#spilledKind[w[slot + 1]! & KIND_BITS] = this.#floored[w[slot + 1]! & KIND_BITS]!;
    } else if (w[slot + 3]! <= TOMBSTONE) {
      this.#size++;
    }
    w[slot] = hi;
    w[slot + 1] = lo;
    w[slot + 2] = v;
    w[slot + 3] = expiry;
    if (note) this.#note(slot);
  }

  /** The first reusable slot of the window from `home` (a word offset), or -1. */
  #freeIn(home: number, t: number): number {
    const w = this.#w;
    let o = home;
    for (let n = 0; n < WINDOW; n++) {
      if (w[o + 3]! <= t) return o;
      o += 4;
      if (o === w.length) o = 0;
    }
    return -1;
  }

  /**
   * Doubles the table (or more, until every live entry has a slot in its window; at the cap, a
   * window that still overflows evicts as #place does). Expired entries are left behind: they
   * read as absent either way. Changes waiting for drain follow their entries.
   */
  #grow(t: number): void {
    const old = this.#w;
    const oldBits = this.#dirtyBits;
    let cap = Math.min(this.maxCapacity, this.capacity * 2);
    for (;;) {
      const w = new Uint32Array(cap * 4);
      const scale = cap / 2 ** 32;
      const bits = new Uint32Array(this.#journal ? Math.ceil(cap / 32) : 0);
      const dirty: number[] = [];
      let size = 0;
      let overflow = false;
      for (let s = 0; s < old.length && !overflow; s += 4) {
        const exp = old[s + 3]!;
        if (exp <= t) continue;
        const hi = old[s]!;
        let o = Math.floor(hi * scale) * 4;
        let slot = -1;
        for (let n = 0; n < WINDOW; n++) {
          if (w[o + 3] === NEVER) {
            slot = o;
            break;
          }
          o += 4;
          if (o === w.length) o = 0;
        }
        if (slot < 0) {
          if (cap < this.maxCapacity) {
            overflow = true;
            break;
          }
          // At the cap: the window's lowest entry (then the soonest to expire) gives way, as in #place.
          slot = lowest(w, Math.floor(hi * scale) * 4);
          if (old[s + 2]! < w[slot + 2]! || (old[s + 2] === w[slot + 2] && exp < w[slot + 3]!)) {
            // The one moving is the lowest: it gives way itself.
            this.evictions++;
            this.#fold(old[s + 1]! | 0, old[s + 2]!, exp, t);
            continue;
          }
          this.evictions++;
          this.#fold(w[slot + 1]! | 0, w[slot + 2]!, w[slot + 3]!, t);
          size--;
        }
        w[slot] = hi;
        w[slot + 1] = old[s + 1]!;
        w[slot + 2] = old[s + 2]!;
        w[slot + 3] = exp;
        size++;
        if (this.#journal) {
          const os = s >>> 2;
          if ((oldBits[os >>> 5]! & (1 << (os & 31))) !== 0) {
            const ns = slot >>> 2;
            if ((bits[ns >>> 5]! & (1 << (ns & 31))) === 0) {
              bits[ns >>> 5] = bits[ns >>> 5]! | (1 << (ns & 31));
              dirty.push(slot);
            }
          }
        }
      }
      if (overflow) {
        cap = Math.min(this.maxCapacity, cap * 2);
        continue;
      }
      this.#w = w;
      this.#scale = scale;
      this.#dirtyBits = bits;
      this.#dirty = dirty;
      this.#size = size;
      this.generation++;
      return;
    }
  }

  /**
   * Sets a counter only if absent (and its kind's floor is 0); true when this call created it.
   * With `floor`, its kind is floored (a claim: evicted last, and never claimable again by an
   * eviction).
   */
  setIfAbsent(key: string, value: number, ttlMs: number, now: number, floor = false): boolean {
    const t = this.#rel(now);
    this.#hash(key);
    const home = this.#h[0]!;
    const hi = this.#h[1]!;
    const lo = this.#h[2]!;
    if (floor) this.#floored[lo & KIND_BITS] = 1;
    if (this.#find(home, hi, lo, t) >= 0 || this.#absent(lo, t) > 0) return false;
    this.#add(hi, lo, value, ttlMs, t, false);
    return true;
  }

  /**
   * Adds `member` to the set `key`: returns the set's distinct count after it.
   * Each member has a marker entry whose count is how many holds it has; the
   * set counts the members with at least one. This call takes one hold, so
   * that removeMember can give back exactly this call's (see Store.removeDistinct).
   * A marker lost to eviction makes its member count again: the set errs high.
   */
  addMember(key: string, member: string, ttlMs: number, now: number): number {
    const t = this.#rel(now);
    this.#hashPair(key, member);
    const mo = this.#h[0]!;
    const mh = this.#h[1]!;
    const ml = this.#h[2]!;
    this.#hash(key);
    const ko = this.#h[0]!;
    const kh = this.#h[1]!;
    const kl = this.#h[2]!;
    // Both home slots read back to back, so their cache misses overlap (see batchStart).
    this.#sink ^= this.#w[mo + 3]! ^ this.#w[ko + 3]!;
    const m = this.#find(mo, mh, ml, t);
    if (m < 0) {
      this.#add(mh, ml, 1, ttlMs, t, false);
      return this.#add(kh, kl, 1, ttlMs, t, true);
    }
    this.#w[m + 2] = Math.min(0xffffffff, this.#w[m + 2]! + 1);
    if (this.#journal) this.#note(m);
    const o = this.#find(ko, kh, kl, t);
    return o < 0 ? this.#absent(kl, t) : this.#w[o + 2]!;
  }

  /**
   * Gives back one hold on `member` in the set `key`; when it was the last, the member leaves
   * the set and the set's count drops by one. Returns the set's count after. A marker made
   * after `heldAt` (it had expired and came back, with `ttlMs` of life) is not that hold's.
   */
  removeMember(key: string, member: string, now: number, ttlMs?: number, heldAt?: number): number {
    const t = this.#rel(now);
    this.#hashPair(key, member);
    const h = this.#h;
    let mo = this.#find(h[0]!, h[1]!, h[2]!, t);
    this.#hash(key);
    const kh = h[1]!;
    const kl = h[2]!;
    const ko = this.#find(h[0]!, kh, kl, t);
    const w = this.#w;
    if (mo >= 0 && heldAt !== undefined && ttlMs !== undefined && w[mo + 3]! - ttlOf(ttlMs) > heldAt - this.#base) mo = -1;
    if (mo >= 0 && w[mo + 2]! > 1) {
      w[mo + 2] = w[mo + 2]! - 1;
      if (this.#journal) this.#note(mo);
    } else if (mo >= 0) {
      this.#clear(mo);
      if (ko >= 0) {
        w[ko + 2] = Math.max(0, w[ko + 2]! - 1);
        if (this.#journal) this.#note(ko);
      }
    }
    return ko < 0 ? this.#absent(kl, t) : w[ko + 2]!;
  }

  delete(key: string, now: number): void {
    const t = this.#rel(now);
    this.#hash(key);
    const o = this.#find(this.#h[0]!, this.#h[1]!, this.#h[2]!, t);
    if (o >= 0) this.#clear(o);
  }

  /**
   * Hands out what changed since the last drain (with `journal`): first the deleted keys (count
   * and expiry 0), then the changed entries as they are now; an entry evicted since is not
   * handed out (its kind's floor holds it). Then starts afresh.
   */
  drain(visit: TableVisitor): void {
    const removed = this.#removed;
    const dirty = this.#dirty;
    this.#removed = [];
    this.#dirty = [];
    for (let i = 0; i < removed.length; i += 2) visit(removed[i]!, removed[i + 1]!, 0, 0);
    const w = this.#w;
    for (const o of dirty) {
      const s = o >>> 2;
      this.#dirtyBits[s >>> 5] = this.#dirtyBits[s >>> 5]! & ~(1 << (s & 31));
      if (w[o + 3]! > TOMBSTONE) visit(w[o]! | 0, w[o + 1]! | 0, w[o + 2]!, this.#base + w[o + 3]!);
    }
  }

  /** Changes waiting for drain. */
  get pending(): number {
    return this.#dirty.length + this.#removed.length / 2;
  }

  /** Every live entry, as drain hands them out (for a snapshot). */
  entries(now: number, visit: TableVisitor, fromSlot = 0, toSlot = this.capacity): void {
    const t = this.#rel(now);
    const w = this.#w;
    const end = Math.min(this.capacity, toSlot) * 4;
    for (let o = Math.max(0, fromSlot) * 4; o < end; o += 4) if (w[o + 3]! > t) visit(w[o]! | 0, w[o + 1]! | 0, w[o + 2]!, this.#base + w[o + 3]!);
  }

  /**
   * Puts back an entry that drain or entries handed out (a table built with the same seed and
   * capacity finds it under its key): sets it, or deletes it when `expiresAt` is 0. Expired
   * ones are skipped. Not noted for drain. Without `fold`, an entry this evicts leaves nothing
   * in its kind's floor (for a store that loads the floors of its own snapshot after).
   */
  load(hi: number, lo: number, count: number, expiresAt: number, now: number, fold = true): void {
    const t = this.#rel(now);
    hi |= 0;
    lo |= 0;
    this.#home(hi, lo);
    const home = this.#h[0]!;
    const o = this.#find(home, hi, lo, t);
    if (expiresAt === 0) {
      if (o >= 0) {
        this.#w[o + 3] = TOMBSTONE;
        this.#w[o + 2] = 0;
        this.#size--;
      }
      return;
    }
    const exp = expiresAt - this.#base;
    if (!(exp > t)) return;
    const v = Math.max(0, Math.min(0xffffffff, Math.trunc(count)));
    if (o >= 0) {
      this.#w[o + 2] = v;
      this.#w[o + 3] = Math.min(0xffffffff, exp);
      return;
    }
    this.#place(home, this.#freeIn(home, t), hi, lo, v, Math.min(0xffffffff, exp), t, false, fold);
  }

  /** The floors as they stand, for a snapshot: per kind (see `kinds`; index 0 unused) a count and an expiry (ms since the epoch; 0: none). */
  floors(now: number): { counts: number[]; expires: number[] } {
    const t = this.#rel(now);
    const counts: number[] = [];
    const expires: number[] = [];
    for (let k = 0; k < KINDS; k++) {
      const live = this.#floorE[k]! > t;
      counts.push(live ? this.#floorN[k]! : 0);
      expires.push(live ? this.#base + this.#floorE[k]! : 0);
    }
    return { counts, expires };
  }

  /**
   * What an absent key of `key`'s kind reads now: the kind's floor (0 when the kind has none, or
   * was never numbered). Looks nothing up in the table and numbers no kind.
   */
  floorOf(key: string, now: number): number {
    const c0 = key.charCodeAt(0);
    const c1 = key.charCodeAt(1);
    let k: number;
    if (((c0 | c1) & ~0xff) !== 0) k = KINDS - 1;
    else k = this.#kindOf[((c0 | 0) << 8) | (c1 | 0)]! || (this.#kindNames.length >= KINDS - 2 ? KINDS - 1 : 0);
    return k !== 0 && this.#floorE[k]! > this.#rel(now) ? this.#floorN[k]! : 0;
  }

  /** Moves whenever a floor may have risen or been dropped: a store that writes the floors compares it with what it wrote. */
  get floorsVersion(): number {
    return this.#floorsVersion;
  }

  /**
   * The live floors by kind name (see `kinds`): what every absent key of that kind reads now, and
   * until when (ms since the epoch). Kinds with no floor are left out.
   */
  liveFloors(now: number): LiveFloor[] {
    return liveFloorsOf(this.kinds, this.floors(now), now);
  }

  /**
   * Drops the floors of the kinds named (all kinds when none is), and forgets what the table
   * holds of those kinds if a floor of them was ever raised since the last reset: each counter
   * made while the floor stood started from it, and would raise it again as soon as it is
   * evicted (red team S45C-1: one login after a reset brought the floor back). So after a reset
   * every key of those kinds reads 0 and counts afresh; kinds never spilled keep their counts.
   * The forgotten entries are journaled as deletions. Returns how many live floors were
   * dropped. (An operator's act after a flood: while one goes on, the floor is what keeps its
   * evicted accounts from starting over.)
   */
  resetFloors(now: number, kinds?: readonly string[]): number {
    const t = this.#rel(now);
    const names = kinds === undefined ? undefined : new Set(kinds.map((n) => String(n).slice(0, 2)));
    const drop = new Uint8Array(KINDS);
    let n = 0;
    let any = false;
    for (let k = 1; k < KINDS; k++) {
      if (names !== undefined && (k - 1 >= this.#kindNames.length || k === KINDS - 1 || !names.has(this.#kindNames[k - 1]!))) continue;
      if (this.#floorE[k]! > t && this.#floorN[k]! > 0) n++;
      if (this.#floorE[k] !== 0) this.#floorsVersion++;
      this.#floorN[k] = 0;
      this.#floorE[k] = 0;
      if (this.#spilledKind[k] === 1) {
        drop[k] = 1;
        any = true;
        this.#spilledKind[k] = 0;
      }
    }
    if (any) {
      const w = this.#w;
      for (let o = 0; o < w.length; o += 4) if (w[o + 3]! > TOMBSTONE && drop[w[o + 1]! & KIND_BITS] === 1) this.#clear(o);
    }
    return n;
  }

  /** Raises the floors to a snapshot's (floors of a table whose kinds this one loaded). */
  loadFloors(counts: readonly number[], expires: readonly number[], now: number): void {
    const t = this.#rel(now);
    for (let k = 1; k < KINDS && k < counts.length; k++) {
      const e = Number(expires[k]) - this.#base;
      const n = Math.max(0, Math.min(0xffffffff, Math.trunc(Number(counts[k]))));
      if (e > t && n > 0) this.#fold(k, n, Math.min(0xffffffff, e), t);
    }
  }
}

/** A floor that stands: its kind's name, what an absent key of it reads, until when (ms since the epoch). */
export interface LiveFloor {
  kind: string;
  count: number;
  expiresAt: number;
}

/**
 * The live floors of a snapshot (`floors`), by kind name: index k of its arrays is kind k, named
 * `kinds[k - 1]` (a '+' after the name is dropped); kind 255, shared by the kinds past 254, has
 * no one name. For the table and for a store reading the snapshot another process wrote.
 */
export function liveFloorsOf(kinds: readonly string[], f: { readonly counts: readonly number[]; readonly expires: readonly number[] }, now: number): LiveFloor[] {
  const out: LiveFloor[] = [];
  for (let k = 1; k < f.counts.length; k++) {
    const count = f.counts[k]!;
    const expiresAt = f.expires[k] ?? 0;
    if (!(count > 0) || !(expiresAt > now)) continue;
    out.push({ kind: k < KINDS - 1 ? String(kinds[k - 1] ?? '').slice(0, 2) : '', count, expiresAt });
  }
  return out;
}
