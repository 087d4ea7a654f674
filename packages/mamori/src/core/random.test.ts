import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cryptoRandom } from './random.js';

test('cryptoRandom: the asked length, never the same bytes twice, each caller its own copy', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const b = cryptoRandom.bytes(16);
    assert.equal(b.length, 16);
    const hex = b.toString('hex');
    assert.ok(!seen.has(hex), 'a repeat');
    seen.add(hex);
    // Changing what one caller got changes nothing another gets.
    b.fill(0);
  }
  // Past the pool's end, and larger than the pool hands out: still the length asked.
  assert.equal(cryptoRandom.bytes(0).length, 0);
  assert.equal(cryptoRandom.bytes(257).length, 257);
  assert.equal(cryptoRandom.bytes(4096 * 3).length, 4096 * 3);
  // Not all zero: the pool's wiping is of what was handed out, not of what is handed out.
  let zeros = 0;
  for (let i = 0; i < 100; i++) if (cryptoRandom.bytes(8).every((x) => x === 0)) zeros++;
  assert.equal(zeros, 0);
});
