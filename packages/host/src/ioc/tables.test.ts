import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { HexHashTable, V4Table, type Sources } from './tables.js';

describe('HexHashTable', () => {
  it('finds every key it holds, in any case, and nothing else', () => {
    const m = new Map<string, Sources>();
    for (let i = 0; i < 5000; i++) m.set(randomBytes(32).toString('hex'), i % 3 === 0 ? [i % 5, 7] : i % 5);
    const t = new HexHashTable(32, m);
    assert.equal(t.size, 5000);
    for (const [k, v] of m) assert.deepEqual(t.get(k.toUpperCase()), v);
    for (let i = 0; i < 5000; i++) assert.equal(t.get(randomBytes(32).toString('hex')), undefined);
    assert.equal(t.get('zz'.repeat(32)), undefined);
    assert.equal(t.get('ab'), undefined);
  });
  it('keeps working when a feed lines keys up (the same first 8 bytes): the slot hash is seeded, probes stay correct', () => {
    const m = new Map<string, Sources>();
    const prefix = 'a'.repeat(16);
    for (let i = 0; i < 3000; i++) m.set(prefix + i.toString(16).padStart(16, '0'), i);
    const t = new HexHashTable(16, m);
    for (const [k, v] of m) assert.equal(t.get(k), v);
    assert.equal(t.get(prefix + 'f'.repeat(16)), undefined);
  });
  it('an empty table answers nothing', () => {
    assert.equal(new HexHashTable(20, new Map()).get('0'.repeat(40)), undefined);
  });
});

describe('V4Table', () => {
  it('finds (prefix, masked address) pairs, and lists of sources', () => {
    const by = new Map<number, Map<number, Sources>>([
      [32, new Map<number, Sources>([[0xc0000201, 0], [0xc0000202, [1, 2]]])],
      [24, new Map<number, Sources>([[0xc0000200, 3]])],
    ]);
    const t = new V4Table(by);
    assert.deepEqual(t.prefixes, [32, 24]);
    assert.equal(t.get(0xc0000201, 32), 0);
    assert.deepEqual(t.get(0xc0000202, 32), [1, 2]);
    assert.equal(t.get(0xc0000200, 24), 3);
    assert.equal(t.get(0xc0000200, 32), undefined);
    assert.equal(t.get(0xc0000201, 24), undefined);
  });
});
