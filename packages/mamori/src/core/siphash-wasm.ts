/**
 * SipHash-2-4 as a small WebAssembly function, built here from its opcodes
 * (no toolchain, no binary blob): WebAssembly has 64-bit integer adds and
 * rotates, which JavaScript can only emulate in 32-bit halves, so the same
 * function runs several times faster. siphash.ts keeps the JavaScript
 * version as the reference and the fallback (WebAssembly is absent under
 * `node --jitless`); tests hold both to the reference vectors and to each other.
 *
 * One instance per key: the message goes at the start of the instance's
 * memory, the key and the result sit in its last 32 bytes.
 */

/** Where the key (k0, k1) and the result live in the instance's one 64 KiB page. */
const PAGE = 65536;
const KEY_AT = PAGE - 32;
const OUT_AT = PAGE - 16;
/** Longest message: the tail read may look 8 bytes past the message's end, still below the key. */
export const WASM_SIP_MAX_BYTES = KEY_AT - 16;

// Opcodes used (WebAssembly core spec, section 5.4).
const BLOCK = 0x02, LOOP = 0x03, BR_IF = 0x0d, BR = 0x0c, END = 0x0b, VOID = 0x40;
const GET = 0x20, SET = 0x21;
const I32_CONST = 0x41, I64_CONST = 0x42;
const I64_LOAD = 0x29, I64_STORE = 0x37;
const I32_LT_U = 0x49, I32_ADD = 0x6a, I32_AND = 0x71, I32_SHL = 0x74;
const I64_ADD = 0x7c, I64_AND = 0x83, I64_OR = 0x84, I64_XOR = 0x85, I64_SHL = 0x86, I64_SUB = 0x7d, I64_ROTL = 0x89;
const I64_EXTEND_I32_U = 0xad;
const T_I32 = 0x7f, T_I64 = 0x7e;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 64-bit value. */
function sleb64(v: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const signBit = (b & 0x40) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function i64const(v: bigint): number[] {
  return [I64_CONST, ...sleb64(BigInt.asIntN(64, v))];
}

/** A section: id, then its contents with their length. */
function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** A vector: its length, then its items. */
function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** The module: one memory page and `sip(len)`, exported as `m` and `sip`. */
function moduleBytes(): Uint8Array {
  // Locals: 0 len (param, i32); 1 i (i32); 2 end (i32); 3-6 v0-v3, 7 m, 8 b (i64).
  const LEN = 0, I = 1, END_ = 2, V0 = 3, V1 = 4, V2 = 5, V3 = 6, M = 7, B = 8;
  const get = (l: number) => [GET, l];
  const set = (l: number) => [SET, l];
  const mem = (op: number, offset: number) => [op, 3, ...uleb(offset)]; // align 2^3
  /** va += vb; vb = rotl(vb, r); vb ^= va */
  const half = (va: number, vb: number, r: number) => [
    ...get(va), ...get(vb), I64_ADD, ...set(va),
    ...get(vb), ...i64const(BigInt(r)), I64_ROTL, ...get(va), I64_XOR, ...set(vb),
  ];
  const rot32 = (v: number) => [...get(v), ...i64const(32n), I64_ROTL, ...set(v)];
  const round = [...half(V0, V1, 13), ...rot32(V0), ...half(V2, V3, 16), ...half(V0, V3, 21), ...half(V2, V1, 17), ...rot32(V2)];
  /** v3 ^= m; two rounds; v0 ^= m */
  const absorb = [...get(V3), ...get(M), I64_XOR, ...set(V3), ...round, ...round, ...get(V0), ...get(M), I64_XOR, ...set(V0)];
  const body = [
    // v0..v3 from the key and the constants ("somepseudorandomlygeneratedbytes").
    I32_CONST, 0, ...mem(I64_LOAD, KEY_AT), ...i64const(0x736f6d6570736575n), I64_XOR, ...set(V0),
    I32_CONST, 0, ...mem(I64_LOAD, KEY_AT + 8), ...i64const(0x646f72616e646f6dn), I64_XOR, ...set(V1),
    I32_CONST, 0, ...mem(I64_LOAD, KEY_AT), ...i64const(0x6c7967656e657261n), I64_XOR, ...set(V2),
    I32_CONST, 0, ...mem(I64_LOAD, KEY_AT + 8), ...i64const(0x7465646279746573n), I64_XOR, ...set(V3),
    // end = len & ~7; b = len << 56
    ...get(LEN), I32_CONST, ...sleb64(-8n), I32_AND, ...set(END_),
    ...get(LEN), I64_EXTEND_I32_U, ...i64const(56n), I64_SHL, ...set(B),
    // The whole 8-byte words.
    BLOCK, VOID, LOOP, VOID,
    ...get(I), ...get(END_), I32_LT_U, I32_CONST, 1, 0x73 /* i32.xor */, BR_IF, 1,
    ...get(I), ...mem(I64_LOAD, 0), ...set(M),
    ...absorb,
    ...get(I), I32_CONST, 8, I32_ADD, ...set(I),
    BR, 0,
    END, END,
    // The last word: the remaining (len & 7) bytes, masked, under b.
    ...get(END_), ...mem(I64_LOAD, 0),
    ...i64const(1n), ...get(LEN), I32_CONST, 7, I32_AND, I32_CONST, 3, I32_SHL, I64_EXTEND_I32_U, I64_SHL, ...i64const(1n), I64_SUB,
    I64_AND, ...get(B), I64_OR, ...set(M),
    ...absorb,
    // Finalisation: v2 ^= 0xff; four rounds; the result is v0 ^ v1 ^ v2 ^ v3.
    ...get(V2), ...i64const(0xffn), I64_XOR, ...set(V2),
    ...round, ...round, ...round, ...round,
    I32_CONST, 0,
    ...get(V0), ...get(V1), I64_XOR, ...get(V2), I64_XOR, ...get(V3), I64_XOR,
    ...mem(I64_STORE, OUT_AT),
    END,
  ];
  const locals = vec([[2, T_I32], [6, T_I64]]);
  const code = [...locals, ...body];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
    ...section(1, vec([[0x60, 1, T_I32, 0]])), // type 0: (i32) -> ()
    ...section(3, vec([[0]])), // function 0 has type 0
    ...section(5, vec([[0x00, 1]])), // one memory, 1 page, no maximum
    ...section(7, vec([[1, 0x6d, 0x02, 0], [3, 0x73, 0x69, 0x70, 0x00, 0]])), // export "m" memory 0, "sip" func 0
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

/** The part of the WebAssembly API used here (TypeScript declares it only with the DOM library). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => { readonly exports: Record<string, unknown> };
}
type WasmModule = { readonly __wasmModule?: never };
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: WasmModule | null | undefined;

/** WebAssembly memory is little-endian; the result is read through a typed array, which is the host's order. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** The compiled module, or null where WebAssembly is not available (or the host is big-endian). */
function sipModule(): WasmModule | null {
  if (compiled === undefined) compiled = wasmApi && LITTLE_ENDIAN ? new wasmApi.Module(moduleBytes()) : null;
  return compiled;
}

/** SipHash-2-4 under one key, in WebAssembly. */
export class WasmSipHash {
  /** The message is written here (from byte 0) before `hash`. */
  readonly input: Uint8Array;
  readonly #out: Int32Array;
  readonly #run: (len: number) => void;
  readonly #memory: Uint8Array;

  private constructor(exports: Record<string, unknown>, key: Uint8Array) {
    const memory = exports.m as { readonly buffer: ArrayBuffer };
    this.#memory = new Uint8Array(memory.buffer);
    this.input = new Uint8Array(memory.buffer, 0, WASM_SIP_MAX_BYTES);
    this.#out = new Int32Array(memory.buffer, OUT_AT, 2);
    new Uint8Array(memory.buffer, KEY_AT, 16).set(key.subarray(0, 16));
    this.#run = exports.sip as (len: number) => void;
  }

  /** An instance for a 16-byte key, or undefined where WebAssembly is not available. */
  static create(key: Uint8Array): WasmSipHash | undefined {
    if (key.length < 16) throw new RangeError('SipHash needs a 16-byte key');
    const m = sipModule();
    return m && wasmApi ? new WasmSipHash(new wasmApi.Instance(m).exports, key) : undefined;
  }

  /** The hash of input[0, len) into out as [hi, lo], as sipHash24 gives it. */
  hash(len: number, out: Uint32Array): void {
    if (len > WASM_SIP_MAX_BYTES) throw new RangeError('message too long');
    this.#run(len);
    out[0] = this.#out[1]!;
    out[1] = this.#out[0]!;
  }

  /** Zero-fills the instance's memory: the key, the last message and the last result. */
  wipe(): void {
    this.#memory.fill(0);
  }
}
