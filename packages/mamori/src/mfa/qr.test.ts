/**
 * QR codes, checked two ways: figures from the standard (byte-mode capacities, format bits),
 * and a differential test: every version at every level drawn, then read back by zbar
 * (`zbarimg`, Debian's zbar-tools), an independent decoder, which must return the bytes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeQr, qrCapacity, qrSvg, type QrCode, type QrLevel } from './qr.js';

const capacity = qrCapacity;

const LEVELS: QrLevel[] = ['L', 'M', 'Q', 'H'];

function pgm(q: QrCode, scale = 3, margin = 4): Buffer {
  const n = (q.size + 2 * margin) * scale;
  const px = Buffer.alloc(n * n, 255);
  for (let y = 0; y < q.size; y++) {
    for (let x = 0; x < q.size; x++) {
      if (!q.modules[y * q.size + x]) continue;
      for (let dy = 0; dy < scale; dy++) px.fill(0, ((y + margin) * scale + dy) * n + (x + margin) * scale, ((y + margin) * scale + dy) * n + (x + margin + 1) * scale);
    }
  }
  return Buffer.concat([Buffer.from(`P5\n${n} ${n}\n255\n`), px]);
}

const zbar = spawnSync('zbarimg', ['--version'], { encoding: 'utf8' });
const noZbar = zbar.error || zbar.status !== 0 ? 'zbarimg is not installed (Debian: apt-get install zbar-tools)' : undefined;
if (noZbar && process.env.MAMORI_REQUIRE_SERVICES === '1') throw new Error(`CI needs the QR decode test: ${noZbar}`);
if (noZbar) console.log(`# skipping the QR decode test: ${noZbar}`);

describe('QR codes', () => {
  it("hold the standard's byte-mode capacities at versions 1, 2, 10 and 40", () => {
    const expected: Record<number, number[]> = { 1: [17, 14, 11, 7], 2: [32, 26, 20, 14], 10: [271, 213, 151, 119], 40: [2953, 2331, 1663, 1273] };
    for (const [v, caps] of Object.entries(expected)) {
      LEVELS.forEach((level, i) => assert.equal(capacity(Number(v), level), caps[i], `version ${v}-${level}`));
    }
    for (const level of LEVELS) {
      // The payload that fills a version takes it; one byte more takes the next.
      for (const v of [1, 9, 10, 26]) {
        assert.equal(encodeQr(Buffer.alloc(capacity(v, level), 0x41), level).version, v);
        assert.equal(encodeQr(Buffer.alloc(capacity(v, level) + 1, 0x41), level).version, v + 1);
      }
    }
    assert.throws(() => encodeQr(Buffer.alloc(2954), 'L'), RangeError);
  });

  it('draws the finder patterns, timing patterns and the format bits where the standard puts them', () => {
    const q = encodeQr('hello', 'M');
    assert.equal(q.version, 1);
    assert.equal(q.size, 21);
    const at = (x: number, y: number): number => q.modules[y * q.size + x]!;
    // Finder rings: dark edge, light ring, dark centre.
    for (const [cx, cy] of [[3, 3], [17, 3], [3, 17]]) {
      assert.equal(at(cx! - 3, cy!), 1);
      assert.equal(at(cx! - 2, cy!), 0);
      assert.equal(at(cx!, cy!), 1);
    }
    for (let i = 8; i < 13; i++) assert.equal(at(i, 6), i % 2 === 0 ? 1 : 0, 'timing');
    assert.equal(at(8, 13), 1, 'the dark module');
    // Level M, mask m: BCH(00mmm) XOR 101010000010010, bit 14 first along row 8 from the left.
    const bits: number[] = [];
    for (let x = 0; x <= 5; x++) bits.push(at(x, 8));
    bits.push(at(7, 8), at(8, 8), at(8, 7));
    for (let y = 5; y >= 0; y--) bits.push(at(8, y));
    const format = parseInt(bits.join(''), 2) ^ 0x5412;
    assert.equal(format >> 13, 0, 'level M is 00');
    assert.equal((format >> 10) & 7, q.mask);
    // The second copy says the same.
    const second: number[] = [];
    for (let y = 20; y >= 14; y--) second.push(at(8, y));
    for (let x = 13; x <= 20; x++) second.push(at(x, 8));
    assert.deepEqual(second, bits);
  });

  it('writes SVG with one dark square per dark module and a quiet zone', () => {
    const q = encodeQr('otpauth://totp/x?secret=AAAA', 'M');
    const svg = qrSvg(q, { title: '<Scan & enrol>' });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
    assert.ok(svg.includes(`viewBox="0 0 ${q.size + 8} ${q.size + 8}"`));
    assert.ok(svg.includes('<title>&#60;Scan &#38; enrol&#62;</title>'));
    // The path, drawn back into a matrix, is the symbol, offset by the quiet zone.
    const drawn = new Uint8Array(q.size * q.size);
    let runs = 0;
    for (const m of svg.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
      const [x, y, w] = [Number(m[1]) - 4, Number(m[2]) - 4, Number(m[3])];
      assert.equal(Number(m[4]), w);
      for (let i = 0; i < w; i++) drawn[y * q.size + x + i] = 1;
      runs++;
    }
    assert.ok(runs > 10);
    assert.deepEqual(drawn, q.modules);
  });

  it('is read back by zbar at every version and level', { skip: noZbar }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-qr-'));
    try {
      const files: string[] = [];
      const payloads: string[] = [];
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:/?&=%.-_';
      let seed = 7;
      for (const level of LEVELS) {
        let prev = 0;
        for (let v = 1; v <= 40; v++) {
          const cap = capacity(v, level);
          // Just past the previous version's room: the version itself is chosen.
          const len = Math.min(cap, prev + 1 + ((v * 7) % Math.max(1, cap - prev)));
          prev = cap;
          let s = '';
          for (let i = 0; i < len; i++) {
            seed = (seed * 1103515245 + 12345) & 0x7fffffff;
            s += alphabet[seed % alphabet.length];
          }
          const q = encodeQr(s, level);
          assert.equal(q.version, v, `${len} bytes at ${level} take version ${v}`);
          const file = join(dir, `${level}-${String(v).padStart(2, '0')}.pgm`);
          writeFileSync(file, pgm(q));
          files.push(file);
          payloads.push(s);
        }
      }
      const out = execFileSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', ...files], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
      const lines = out.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 160, 'one symbol read from each of the 160 images');
      lines.forEach((l, i) => assert.equal(l, payloads[i], `${files[i]}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
