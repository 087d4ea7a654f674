/**
 * The matcher's compact tables: open addressing over typed arrays, so a
 * million hashes or addresses cost bytes, not objects. Slots are found by a
 * hash keyed with a random seed per table (a feed cannot line its values up
 * into one long probe run), linear probing, load at most 0.7.
 */
import { randomBytes } from 'node:crypto';

/** A value's sources: one index into the source table, or several. */
export type Sources = number | number[];

function capacityFor(count: number): number {
  let cap = 16;
  while (cap * 0.7 < count) cap *= 2;
  return cap;
}

function seeds(): [number, number] {
  const b = randomBytes(8);
  return [b.readUInt32LE(0), b.readUInt32LE(4)];
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Sources packed in an Int32Array slot: n >= 0 one source; -(i + 1) a list; 0 is kept free by storing index + 1. */
class SourceSlots {
  readonly vals: Int32Array;
  readonly lists: number[][] = [];
  constructor(cap: number) {
    this.vals = new Int32Array(cap);
  }
  set(i: number, s: Sources): void {
    if (typeof s === 'number') this.vals[i] = s + 1;
    else {
      this.lists.push(s);
      this.vals[i] = -this.lists.length;
    }
  }
  get(i: number): Sources {
    const v = this.vals[i]!;
    return v > 0 ? v - 1 : this.lists[-v - 1]!;
  }
}

/** IPv4 addresses and ranges, keyed by (prefix length, masked address). */
export class V4Table {
  readonly #keys: Uint32Array;
  readonly #prefix: Uint8Array; // prefix + 1; 0 marks an empty slot
  readonly #vals: SourceSlots;
  readonly #mask: number;
  readonly #seed: number;
  /** Prefix lengths present, longest first. */
  readonly prefixes: readonly number[];

  constructor(byPrefix: Map<number, Map<number, Sources>>) {
    let count = 0;
    for (const m of byPrefix.values()) count += m.size;
    const cap = capacityFor(count);
    this.#keys = new Uint32Array(cap);
    this.#prefix = new Uint8Array(cap);
    this.#vals = new SourceSlots(cap);
    this.#mask = cap - 1;
    this.#seed = seeds()[0];
    for (const [prefix, m] of byPrefix) {
      for (const [key, src] of m) {
        let i = this.#hash(key, prefix) & this.#mask;
        while (this.#prefix[i] !== 0) i = (i + 1) & this.#mask;
        this.#keys[i] = key;
        this.#prefix[i] = prefix + 1;
        this.#vals.set(i, src);
      }
    }
    this.prefixes = Object.freeze([...byPrefix.keys()].sort((a, b) => b - a));
  }

  #hash(key: number, prefix: number): number {
    return mix((key ^ Math.imul(prefix + 1, 0x9e3779b1) ^ this.#seed) | 0);
  }

  get(key: number, prefix: number): Sources | undefined {
    const p = prefix + 1;
    for (let i = this.#hash(key, prefix) & this.#mask; ; i = (i + 1) & this.#mask) {
      const q = this.#prefix[i]!;
      if (q === 0) return undefined;
      if (q === p && this.#keys[i] === key) return this.#vals.get(i);
    }
  }

  get bytes(): number {
    return this.#keys.byteLength + this.#prefix.byteLength + this.#vals.vals.byteLength;
  }
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * File hashes of one length (MD5, SHA-1, SHA-256) as raw bytes: 16, 20 or 32
 * bytes a slot instead of a 32-to-64-character string and a Map entry.
 */
export class HexHashTable {
  readonly #width: number;
  readonly #keys: Uint8Array;
  readonly #used: Uint8Array;
  readonly #vals: SourceSlots;
  readonly #mask: number;
  readonly #seed: [number, number];
  readonly #scratch: Uint8Array;
  readonly size: number;

  /** `values`: lowercase hex of `width` bytes (normalised), each with its sources. */
  constructor(width: number, values: Map<string, Sources>) {
    this.#width = width;
    const cap = capacityFor(values.size);
    this.#keys = new Uint8Array(cap * width);
    this.#used = new Uint8Array(cap);
    this.#vals = new SourceSlots(cap);
    this.#mask = cap - 1;
    this.#seed = seeds();
    this.#scratch = new Uint8Array(width);
    let n = 0;
    for (const [hex, src] of values) {
      if (!this.#decode(hex)) continue;
      let i = this.#hash() & this.#mask;
      while (this.#used[i] !== 0) {
        if (this.#equal(i)) break; // the same bytes twice (cannot happen for normalised keys; kept safe)
        i = (i + 1) & this.#mask;
      }
      if (this.#used[i] === 0) n++;
      this.#keys.set(this.#scratch, i * width);
      this.#used[i] = 1;
      this.#vals.set(i, src);
    }
    this.size = n;
  }

  /** Hex into the scratch bytes; false when it is not `width` bytes of hex. */
  #decode(hex: string): boolean {
    const w = this.#width;
    if (hex.length !== w * 2) return false;
    const out = this.#scratch;
    for (let i = 0; i < w; i++) {
      const hi = hexNibble(hex.charCodeAt(2 * i));
      const lo = hexNibble(hex.charCodeAt(2 * i + 1));
      if (hi < 0 || lo < 0) return false;
      out[i] = (hi << 4) | lo;
    }
    return true;
  }

  #hash(): number {
    const b = this.#scratch;
    const a = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) ^ this.#seed[0];
    const c = (b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24)) ^ this.#seed[1];
    return mix(mix(a) ^ c);
  }

  #equal(i: number): boolean {
    const w = this.#width;
    const k = this.#keys;
    const s = this.#scratch;
    const at = i * w;
    for (let j = 0; j < w; j++) if (k[at + j] !== s[j]) return false;
    return true;
  }

  /** The sources of a hash given as hex (any case), or undefined. */
  get(hex: string): Sources | undefined {
    if (this.size === 0 || !this.#decode(hex)) return undefined;
    for (let i = this.#hash() & this.#mask; ; i = (i + 1) & this.#mask) {
      if (this.#used[i] === 0) return undefined;
      if (this.#equal(i)) return this.#vals.get(i);
    }
  }

  get bytes(): number {
    return this.#keys.byteLength + this.#used.byteLength + this.#vals.vals.byteLength;
  }
}
