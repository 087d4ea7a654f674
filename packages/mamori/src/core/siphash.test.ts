import { it } from 'node:test';
import assert from 'node:assert/strict';
import { asciiFold, idKey, idString, sipHash24, sipKey, StringHasher } from './siphash.js';
import { WASM_SIP_MAX_BYTES, WasmSipHash } from './siphash-wasm.js';
import { SeededRandom } from './random.js';

// The 64 SipHash-2-4 reference vectors: key 00..0f, message 00..(n-1) for n = 0..63.
const VECTORS = [
  '726fdb47dd0e0e31', '74f839c593dc67fd', '0d6c8009d9a94f5a', '85676696d7fb7e2d', 'cf2794e0277187b7', '18765564cd99a68d', 'cbc9466e58fee3ce', 'ab0200f58b01d137',
  '93f5f5799a932462', '9e0082df0ba9e4b0', '7a5dbbc594ddb9f3', 'f4b32f46226bada7', '751e8fbc860ee5fb', '14ea5627c0843d90', 'f723ca908e7af2ee', 'a129ca6149be45e5',
  '3f2acc7f57c29bdb', '699ae9f52cbe4794', '4bc1b3f0968dd39c', 'bb6dc91da77961bd', 'bed65cf21aa2ee98', 'd0f2cbb02e3b67c7', '93536795e3a33e88', 'a80c038ccd5ccec8',
  'b8ad50c6f649af94', 'bce192de8a85b8ea', '17d835b85bbb15f3', '2f2e6163076bcfad', 'de4daaaca71dc9a5', 'a6a2506687956571', 'ad87a3535c49ef28', '32d892fad841c342',
  '7127512f72f27cce', 'a7f32346f95978e3', '12e0b01abb051238', '15e034d40fa197ae', '314dffbe0815a3b4', '027990f029623981', 'cadcd4e59ef40c4d', '9abfd8766a33735c',
  '0e3ea96b5304a7d0', 'ad0c42d6fc585992', '187306c89bc215a9', 'd4a60abcf3792b95', 'f935451de4f21df2', 'a9538f0419755787', 'db9acddff56ca510', 'd06c98cd5c0975eb',
  'e612a3cb9ecba951', 'c766e62cfcadaf96', 'ee64435a9752fe72', 'a192d576b245165a', '0a8787bf8ecb74b2', '81b3e73d20b49b6f', '7fa8220ba3b2ecea', '245731c13ca42499',
  'b78dbfaf3a8d83bd', 'ea1ad565322a1a0b', '60e61c23a3795013', '6606d7e446282b93', '6ca4ecb15c5f91e1', '9f626da15c9625f3', 'e51b38608ef25f57', '958a324ceb064572',
];

it('matches all 64 SipHash-2-4 reference vectors', () => {
  const key = sipKey(Uint8Array.from({ length: 16 }, (_, i) => i));
  const msg = Uint8Array.from({ length: 64 }, (_, i) => i);
  const out = new Uint32Array(2);
  let ran = 0;
  for (let n = 0; n < 64; n++) {
    sipHash24(key, msg, n, out);
    assert.equal(out[0]!.toString(16).padStart(8, '0') + out[1]!.toString(16).padStart(8, '0'), VECTORS[n], `length ${n}`);
    ran++;
  }
  assert.equal(ran, 64);
});

it('the WebAssembly SipHash-2-4 matches all 64 reference vectors', () => {
  const w = WasmSipHash.create(Uint8Array.from({ length: 16 }, (_, i) => i));
  assert.ok(w, 'WebAssembly is available to the tests');
  const out = new Uint32Array(2);
  let ran = 0;
  for (let n = 0; n < 64; n++) {
    w.input.set(Uint8Array.from({ length: n }, (_, i) => i));
    w.hash(n, out);
    assert.equal(out[0]!.toString(16).padStart(8, '0') + out[1]!.toString(16).padStart(8, '0'), VECTORS[n], `length ${n}`);
    ran++;
  }
  assert.equal(ran, 64);
});

it('the WebAssembly and JavaScript SipHash agree on random keys and messages, whatever lies past the message', () => {
  const rnd = new SeededRandom(11);
  const a = new Uint32Array(2);
  const b = new Uint32Array(2);
  let ran = 0;
  for (const n of [...Array.from({ length: 300 }, (_, i) => i), 1023, 2049, WASM_SIP_MAX_BYTES]) {
    const key = rnd.bytes(16);
    const w = WasmSipHash.create(key)!;
    const msg = rnd.bytes(n);
    // Garbage after the message (a longer earlier one): it must not count.
    w.input.fill(0xa5, 0, Math.min(n + 16, WASM_SIP_MAX_BYTES));
    w.input.set(msg);
    w.hash(n, b);
    sipHash24(sipKey(key), msg, n, a);
    assert.deepEqual([...b], [...a], `length ${n}`);
    ran++;
  }
  assert.equal(ran, 303);
  assert.throws(() => WasmSipHash.create(new Uint8Array(16))!.hash(WASM_SIP_MAX_BYTES + 1, a), RangeError);
  assert.throws(() => WasmSipHash.create(new Uint8Array(8)), RangeError);
});

it('StringHasher gives the same words through WebAssembly and through JavaScript', () => {
  const key = new Uint8Array(16).fill(9);
  const viaWasm = new StringHasher(key, 1024);
  const viaJs = new StringHasher(key, 40_000); // too long for the WebAssembly page: the JavaScript path
  const allowed = asciiFold((c) => c > ' ' && c < '\x7f');
  let ran = 0;
  for (const name of ['', 'a', 'alice@example.com', 'ALICE@Example.com', '日本語のユーザー', 'é', 'x'.repeat(1024), 'ab\u0000cd']) {
    assert.deepEqual([...viaWasm.words(name)], [...viaJs.words(name)], name);
    assert.deepEqual([...(viaWasm.wordsAsciiLower(name, allowed) ?? [])], [...(viaJs.wordsAsciiLower(name, allowed) ?? [])], name);
    ran++;
  }
  assert.equal(ran, 8);
});

it('StringHasher: keyed, stable, 11 characters, different keys differ', () => {
  const k1 = new Uint8Array(16).fill(1);
  const k2 = new Uint8Array(16).fill(2);
  const a = new StringHasher(k1);
  assert.equal(a.hash('alice'), a.hash('alice'));
  assert.notEqual(a.hash('alice'), a.hash('alicf'));
  assert.notEqual(a.hash('alice'), new StringHasher(k2).hash('alice'));
  assert.match(a.hash('日本語のユーザー'), /^[A-Za-z0-9_-]{11}$/);
  assert.equal(a.hash('x'.repeat(5000)), a.hash('x'.repeat(1024)), 'cut at maxChars');
  assert.equal(a.hash('日'.repeat(5000)), a.hash('日'.repeat(1024)), 'cut at maxChars (UTF-16)');
  // One byte per character when every one fits, UTF-16 otherwise, told apart by a last byte:
  // 'ĀA' is 00 01 41 00 in UTF-16LE, the bytes of '\x00\x01A\x00' in Latin-1.
  assert.notEqual(a.hash('\u0100A'), a.hash('\x00\x01A\x00'));
  assert.notEqual(a.hash('é'), a.hash('\u00e9\u0000'));
  assert.notEqual(a.hash('A'), a.hash('A\u0000'));
  assert.notEqual(a.hash(''), a.hash('\u0000'));
  const direct = (bytes: number[]) => {
    const out = new Uint32Array(2);
    sipHash24(sipKey(k1), Uint8Array.from(bytes), bytes.length, out);
    return [...out];
  };
  assert.deepEqual([...a.words('ab')], direct([0x61, 0x62, 0x4c]));
  assert.deepEqual([...a.words('a日')], direct([0x61, 0x00, 0xe5, 0x65, 0x55]));
});

it('idString is the base64url text of the 8 big-endian bytes; idKey holds the same 64 bits in five characters', () => {
  const words = [[0, 0], [0xffffffff, 0xffffffff], [0x80000000, 1], [0x12345678, 0x9abcdef0], [3, 0xf0000000]];
  for (let i = 0; i < 200; i++) words.push([(Math.random() * 2 ** 32) >>> 0, (Math.random() * 2 ** 32) >>> 0]);
  for (const [hi, lo] of words) {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(hi!, 0);
    b.writeUInt32BE(lo!, 4);
    assert.equal(idString(hi!, lo!), b.toString('base64url'));
    const key = idKey(0x6c, 0x75, hi!, lo!);
    assert.equal(key.length, 7);
    assert.equal(key.slice(0, 2), 'lu');
    // The five characters give the 64 bits back (13 + 13 + 13 + 13 + 12), and none is a surrogate.
    const v = [...key.slice(2)].map((c) => c.charCodeAt(0) - 0x4e00);
    assert.ok(v.every((x) => x >= 0 && x < 8192));
    const bits = (BigInt(v[0]!) << 51n) | (BigInt(v[1]!) << 38n) | (BigInt(v[2]!) << 25n) | (BigInt(v[3]!) << 12n) | BigInt(v[4]!);
    assert.equal(bits, (BigInt(hi!) << 32n) | BigInt(lo!));
    assert.equal(Buffer.from(key, 'utf8').toString('utf8'), key, 'survives UTF-8');
  }
  const h = new StringHasher(new Uint8Array(16).fill(7));
  const text = h.hash('alice');
  const [hi, lo] = h.words('alice');
  assert.equal(idString(hi!, lo!), text);
});

it('wipe destroys the key: the WebAssembly memory holds zeros, and a wiped StringHasher refuses to hash', () => {
  const key = new SeededRandom(5).bytes(16);
  const w = WasmSipHash.create(key)!;
  w.input.set([1, 2, 3]);
  const out = new Uint32Array(2);
  w.hash(3, out);
  w.wipe();
  assert.ok(w.input.every((b) => b === 0), 'the last message is gone');
  // With the key's bytes zeroed, the instance now computes SipHash under the all-zero key.
  const zero = new Uint32Array(2);
  sipHash24(sipKey(new Uint8Array(16)), new Uint8Array(0), 0, zero);
  w.hash(0, out);
  assert.deepEqual([...out], [...zero]);
  let ran = 0;
  for (const maxChars of [64, 40_000]) {
    // 64: the WebAssembly path; 40,000: too long for its page, the JavaScript one.
    const h = new StringHasher(key, maxChars);
    const before = h.hash('Summer2026!');
    assert.notEqual(before, new StringHasher(new Uint8Array(16), maxChars).hash('Summer2026!'));
    h.wipe();
    assert.throws(() => h.words('Summer2026!'), /wiped/);
    assert.deepEqual([...h.out], [0, 0]);
    ran++;
  }
  assert.equal(ran, 2);
});
