/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed pseudorandom function
 * for short inputs, here in 32-bit halves so it runs in plain JavaScript
 * with no allocation per call. mamori uses it where an identifier must be
 * keyed-hashed on every request (account names on the login hot path): an
 * HMAC-SHA256 through node:crypto costs microseconds there, this a few
 * hundred nanoseconds. Checked against the reference test vectors.
 */

export interface SipKey {
  readonly k0hi: number;
  readonly k0lo: number;
  readonly k1hi: number;
  readonly k1lo: number;
}

/** A key from 16 bytes (little-endian words, as in the reference). */
export function sipKey(bytes: Uint8Array): SipKey {
  if (bytes.length < 16) throw new RangeError('SipHash needs a 16-byte key');
  // Signed words: V8 keeps them as small integers in the key object (see murmurFinish).
  const w = (o: number) => bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24);
  return { k0lo: w(0), k0hi: w(4), k1lo: w(8), k1hi: w(12) };
}

/** The 64-bit result as two 32-bit halves, written into `out` [hi, lo]. */
export function sipHash24(key: SipKey, data: Uint8Array, len: number, out: Uint32Array): void {
  let v0h = (key.k0hi ^ 0x736f6d65) >>> 0, v0l = (key.k0lo ^ 0x70736575) >>> 0;
  let v1h = (key.k1hi ^ 0x646f7261) >>> 0, v1l = (key.k1lo ^ 0x6e646f6d) >>> 0;
  let v2h = (key.k0hi ^ 0x6c796765) >>> 0, v2l = (key.k0lo ^ 0x6e657261) >>> 0;
  let v3h = (key.k1hi ^ 0x74656462) >>> 0, v3l = (key.k1lo ^ 0x79746573) >>> 0;
  let t: number, th: number, tl: number;
  const full = len - (len % 8);
  const blocks = full / 8 + 1; // the whole 8-byte words, then the last (padded) one
  let mh = 0, ml = 0;
  // Each step: absorb a block with two rounds; the final step runs four rounds.
  // One loop with the round written once (a closure over these locals would be far slower).
  for (let b = 0; b <= blocks; b++) {
    let n: number;
    if (b < blocks) {
      const i = b * 8;
      if (i < full) {
        ml = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0;
        mh = (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24)) >>> 0;
      } else {
        // The remaining bytes, and the length's low byte on top.
        ml = 0;
        mh = (len & 0xff) << 24;
        for (let j = 0; j < len - full; j++) {
          const x = data[full + j]!;
          if (j < 4) ml |= x << (8 * j);
          else mh |= x << (8 * (j - 4));
        }
        ml >>>= 0;
        mh >>>= 0;
      }
      v3h = (v3h ^ mh) >>> 0; v3l = (v3l ^ ml) >>> 0;
      n = 2;
    } else {
      v2l = (v2l ^ 0xff) >>> 0;
      n = 4;
    }
    for (let r = 0; r < n; r++) {
      // v0 += v1; v1 <<<= 13; v1 ^= v0; v0 <<<= 32
      t = (v0l + v1l) >>> 0; v0h = (v0h + v1h + (t < v0l ? 1 : 0)) >>> 0; v0l = t;
      th = ((v1h << 13) | (v1l >>> 19)) >>> 0; tl = ((v1l << 13) | (v1h >>> 19)) >>> 0;
      v1h = (th ^ v0h) >>> 0; v1l = (tl ^ v0l) >>> 0;
      t = v0h; v0h = v0l; v0l = t;
      // v2 += v3; v3 <<<= 16; v3 ^= v2
      t = (v2l + v3l) >>> 0; v2h = (v2h + v3h + (t < v2l ? 1 : 0)) >>> 0; v2l = t;
      th = ((v3h << 16) | (v3l >>> 16)) >>> 0; tl = ((v3l << 16) | (v3h >>> 16)) >>> 0;
      v3h = (th ^ v2h) >>> 0; v3l = (tl ^ v2l) >>> 0;
      // v0 += v3; v3 <<<= 21; v3 ^= v0
      t = (v0l + v3l) >>> 0; v0h = (v0h + v3h + (t < v0l ? 1 : 0)) >>> 0; v0l = t;
      th = ((v3h << 21) | (v3l >>> 11)) >>> 0; tl = ((v3l << 21) | (v3h >>> 11)) >>> 0;
      v3h = (th ^ v0h) >>> 0; v3l = (tl ^ v0l) >>> 0;
      // v2 += v1; v1 <<<= 17; v1 ^= v2; v2 <<<= 32
      t = (v2l + v1l) >>> 0; v2h = (v2h + v1h + (t < v2l ? 1 : 0)) >>> 0; v2l = t;
      th = ((v1h << 17) | (v1l >>> 15)) >>> 0; tl = ((v1l << 17) | (v1h >>> 15)) >>> 0;
      v1h = (th ^ v2h) >>> 0; v1l = (tl ^ v2l) >>> 0;
      t = v2h; v2h = v2l; v2l = t;
    }
    if (b < blocks) {
      v0h = (v0h ^ mh) >>> 0; v0l = (v0l ^ ml) >>> 0;
    }
  }
  out[0] = (v0h ^ v1h ^ v2h ^ v3h) >>> 0;
  out[1] = (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
}

import { WASM_SIP_MAX_BYTES, WasmSipHash } from './siphash-wasm.js';

/**
 * A fold table for StringHasher.wordsAsciiLower: for each ASCII code, its
 * lower-case byte when `take` accepts the character, else 0 (NUL is never taken).
 */
export function asciiFold(take: (c: string) => boolean): Uint8Array {
  return Uint8Array.from({ length: 128 }, (_, c) => {
    const ch = String.fromCharCode(c);
    return c !== 0 && take(ch) ? ch.toLowerCase().charCodeAt(0) : 0;
  });
}

/** base64url's alphabet, as character codes. */
const B64U = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (c) => c.charCodeAt(0));

/**
 * 64 bits (two 32-bit halves) as 11 base64url characters, the same text as
 * `Buffer.toString('base64url')` of the 8 big-endian bytes, built as one flat
 * string with no Buffer in between.
 */
export function idString(hi: number, lo: number): string {
  const a = B64U;
  return String.fromCharCode(
    a[hi >>> 26]!, a[(hi >>> 20) & 63]!, a[(hi >>> 14) & 63]!, a[(hi >>> 8) & 63]!, a[(hi >>> 2) & 63]!,
    a[((hi & 3) << 4) | (lo >>> 28)]!, a[(lo >>> 22) & 63]!, a[(lo >>> 16) & 63]!, a[(lo >>> 10) & 63]!, a[(lo >>> 4) & 63]!,
    a[(lo & 15) << 2]!,
  );
}

/** Where idKey's characters start: the CJK block U+4E00-U+6DFF, 8192 assigned characters, none a surrogate. */
const ID_BASE = 0x4e00;

/**
 * A store key: a namespace character, a kind character, then the 64-bit id
 * as five characters of 13 bits each (from U+4E00). Seven characters, built
 * in one call as one flat string: a counter table hashes keys character by
 * character, and these are half as long as the id's base64url text. No
 * surrogates, so every store that encodes keys as UTF-8 keeps them apart.
 */
export function idKey(ns: number, kind: number, hi: number, lo: number): string {
  return String.fromCharCode(
    ns,
    kind,
    ID_BASE + (hi >>> 19),
    ID_BASE + ((hi >>> 6) & 0x1fff),
    ID_BASE + (((hi & 0x3f) << 7) | (lo >>> 25)),
    ID_BASE + ((lo >>> 12) & 0x1fff),
    ID_BASE + (lo & 0xfff),
  );
}

/**
 * A keyed 64-bit hash of a string (SipHash-2-4 over its code units),
 * as 11 base64url characters. Strings are cut at `maxChars`. 64 bits keep
 * accidental collisions negligible for any account population (about one
 * in 300,000 for ten million names), and without the key nobody can aim for one.
 */
export class StringHasher {
  /** Undefined once wiped. */
  #key: SipKey | undefined;
  #buf: Uint8Array;
  /** The same function in WebAssembly, several times faster; absent where WebAssembly is (and once wiped). */
  #wasm: WasmSipHash | undefined;
  /** The last result's halves [hi, lo], after `hash` or `words`. */
  readonly out = new Uint32Array(2);
  readonly maxChars: number;

  constructor(key: Uint8Array, maxChars = 1024) {
    this.#key = sipKey(key);
    this.maxChars = maxChars;
    const bytes = maxChars * 2 + 1;
    this.#wasm = bytes <= WASM_SIP_MAX_BYTES ? WasmSipHash.create(key) : undefined;
    // With WebAssembly, the message is written straight into the instance's memory.
    this.#buf = this.#wasm ? this.#wasm.input : new Uint8Array(bytes);
  }

  #sip(len: number): void {
    if (this.#wasm) this.#wasm.hash(len, this.out);
    else if (this.#key) sipHash24(this.#key, this.#buf, len, this.out);
    else throw new Error('this hasher was wiped');
  }

  /**
   * Destroys the key: zero-fills the WebAssembly memory (key, last message and result) and
   * the message buffer, and drops the key's words. Every later call throws. (The engine may
   * still hold copies of the key's words in memory it has freed, until that is reused.)
   */
  wipe(): void {
    this.#wasm?.wipe();
    this.#wasm = undefined;
    this.#buf.fill(0);
    // A message written after this goes nowhere (a typed array drops writes past its end).
    this.#buf = new Uint8Array(0);
    this.#key = undefined;
    this.out.fill(0);
  }

  /**
   * The hash as two 32-bit halves, in `out` (overwritten by the next call).
   * A string whose code units all fit a byte (ASCII, Latin-1: most names) is
   * hashed one byte per character, half the work; any other as UTF-16LE. The
   * last byte tells which ('L' or 'U'), so no two strings share a message.
   */
  words(s: string): Uint32Array {
    const n = Math.min(s.length, this.maxChars);
    const buf = this.#buf;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) break;
      buf[i] = c;
    }
    let len: number;
    if (i === n) {
      buf[n] = 0x4c;
      len = n + 1;
    } else {
      for (let j = 0; j < n; j++) {
        const c = s.charCodeAt(j);
        buf[2 * j] = c & 0xff;
        buf[2 * j + 1] = c >>> 8;
      }
      buf[2 * n] = 0x55;
      len = 2 * n + 1;
    }
    this.#sip(len);
    return this.out;
  }

  /**
   * `words(s.toLowerCase())` for a string of ASCII characters, folding the case on the way
   * in through `fold` (indexed by code: the byte to hash, or 0 for a character this path
   * does not take); undefined, having hashed nothing, as soon as a character is not taken.
   * See asciiFold for such a table.
   */
  wordsAsciiLower(s: string, fold: Uint8Array): Uint32Array | undefined {
    const n = Math.min(s.length, this.maxChars);
    const buf = this.#buf;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      const b = c < 128 ? fold[c]! : 0;
      if (b === 0) return undefined;
      buf[i] = b;
    }
    buf[n] = 0x4c;
    this.#sip(n + 1);
    return this.out;
  }

  hash(s: string): string {
    const out = this.words(s);
    return idString(out[0]!, out[1]!);
  }
}
