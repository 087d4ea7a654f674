import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CounterTable, BYTES_PER_SLOT } from './counter-table.js';
import { SeededRandom } from './random.js';

const T = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

describe('CounterTable', () => {
  it('never holds more than maxBytes, whatever arrives', () => {
    for (const max of [64 * 1024, 1000, 1024 * 1024]) {
      const t = new CounterTable(max, new SeededRandom(1));
      assert.ok(t.bytes <= max, `${t.bytes} > ${max}`);
      assert.equal(t.bytes, t.capacity * BYTES_PER_SLOT);
      for (let i = 0; i < 50_000; i++) t.add(`k${i}`, 1, HOUR, T);
      assert.ok(t.bytes <= max);
      assert.ok(t.size <= t.capacity);
    }
  });

  it('counts, reads and deletes', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(2));
    assert.equal(t.get('a', T), 0);
    assert.equal(t.add('a', 1, HOUR, T), 1);
    assert.equal(t.add('a', 4, HOUR, T), 5);
    assert.equal(t.add('b', 2, HOUR, T), 2);
    assert.equal(t.get('a', T), 5);
    assert.equal(t.size, 2);
    t.delete('a', T);
    assert.equal(t.get('a', T), 0);
    assert.equal(t.get('b', T), 2);
    assert.equal(t.size, 1);
  });

  it('gives keys that differ only in their second character one home, and keeps them apart', () => {
    const t = new CounterTable(1 << 20, new SeededRandom(5));
    const homes = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const id = `\u4e00${String.fromCharCode(0x4e00 + i)}\u5000\u5001\u5002`;
      const home = t.homeSlot(`lp${id}`);
      assert.equal(t.homeSlot(`lb${id}`), home);
      assert.equal(t.homeSlot(`lu${id}`), home);
      homes.add(home);
      t.add(`lp${id}`, 2, HOUR, T);
      assert.equal(t.get(`lb${id}`, T), 0, 'a kind never reads another kind of the same subject');
      t.add(`lb${id}`, 9, HOUR, T);
      assert.equal(t.get(`lp${id}`, T), 2);
      // Side by side: the two entries lie in the same window (most often the same cache line).
      const gap = (t.slotOf(`lb${id}`, T) - t.slotOf(`lp${id}`, T) + t.capacity) % t.capacity;
      assert.ok(gap > 0 && gap < 16, `gap ${gap}`);
    }
    assert.ok(homes.size > 1900, `homes spread over the table: ${homes.size} of 2000`);
    // Other characters still choose the home.
    assert.notEqual(t.homeSlot('lpa'), t.homeSlot('mpa'));
  });

  it('keeps every id-form key apart (ids, kinds, namespaces), and from look-alikes outside the form', () => {
    const t = new CounterTable(1 << 22, new SeededRandom(8));
    const rnd = new SeededRandom(9);
    const id = (hi: number, lo: number) => String.fromCharCode(0x4e00 + (hi >>> 19), 0x4e00 + ((hi >>> 6) & 0x1fff), 0x4e00 + (((hi & 0x3f) << 7) | (lo >>> 25)), 0x4e00 + ((lo >>> 12) & 0x1fff), 0x4e00 + (lo & 0xfff));
    const keys: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const b = rnd.bytes(8);
      const hi = b.readUInt32LE(0);
      const lo = b.readUInt32LE(4);
      // Ids one bit apart at either end, as well as random ones.
      for (const [h, l] of [[hi, lo], [hi ^ 1, lo], [hi, lo ^ 1], [hi ^ 0x80000000, lo], [hi, lo ^ 0x80000000]] as const) keys.push(`lp${id(h, l)}`);
      keys.push(`lb${id(hi, lo)}`, `mp${id(hi, lo)}`);
    }
    // Look-alikes: a last character past the id range, characters below it, other lengths.
    keys.push('lp\u4e00\u4e00\u4e00\u4e00\u5e00', 'lp\u4e00\u4e00\u4e00\u4e01\u4e00', 'lp\u4dff\u4e00\u4e00\u4e00\u4e00', 'lp\u4e00\u4e00\u4e00\u4e00', 'lpabcde');
    const unique = [...new Set(keys)];
    unique.forEach((k, i) => t.add(k, (i % 1000) + 1, HOUR, T));
    let ran = 0;
    unique.forEach((k, i) => {
      assert.equal(t.get(k, T), (i % 1000) + 1, `key ${i}`);
      ran++;
    });
    assert.equal(ran, unique.length);
    assert.ok(ran > 20_000);
  });

  it('keeps a member marker beside the key named as near, counting as without it', () => {
    const t = new CounterTable(1 << 20, new SeededRandom(6));
    for (let i = 0; i < 500; i++) {
      t.add(`lp:${i}`, 1, HOUR, T);
      assert.equal(t.addMember('ls:src', `user-${i}`, HOUR, T, `lp:${i}`), i + 1);
      const gap = (t.memberSlot('ls:src', `user-${i}`, T, `lp:${i}`) - t.homeSlot(`lp:${i}`) + t.capacity) % t.capacity;
      assert.ok(gap < 16, `marker ${i} in the window of its near key (gap ${gap})`);
      assert.equal(t.addMember('ls:src', `user-${i}`, HOUR, T, `lp:${i}`), i + 1, 'counted once');
    }
    assert.equal(t.get('ls:src', T), 500);
  });

  it('expires entries and keeps the first expiry on later adds', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(3));
    t.add('a', 1, 1000, T);
    t.add('a', 1, 1000, T + 600);
    assert.equal(t.get('a', T + 999), 2);
    assert.equal(t.get('a', T + 1000), 0);
    assert.equal(t.add('a', 1, 1000, T + 1000), 1);
  });

  it('saturates instead of wrapping', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(4));
    t.add('a', 0xfffffff0, HOUR, T);
    assert.equal(t.add('a', 100, HOUR, T), 0xffffffff);
    t.add('b', 1, HOUR, T);
    assert.equal(t.add('b', -5, HOUR, T), 0, 'a negative amount stops at 0');
  });

  it('setIfAbsent is true only for the first call while the entry lives', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(5));
    assert.equal(t.setIfAbsent('x', 7, 1000, T), true);
    assert.equal(t.setIfAbsent('x', 7, 1000, T + 999), false);
    assert.equal(t.get('x', T), 7);
    assert.equal(t.setIfAbsent('x', 7, 1000, T + 1000), true);
  });

  it('survives a flood of 1,000,000 fresh keys without resetting a high counter', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(6));
    for (let i = 0; i < 20; i++) t.add('attacker:192.0.2.1', 1, HOUR, T);
    for (let i = 0; i < 1_000_000; i++) t.add(`flood:${i}`, 1, HOUR, T + 1);
    assert.equal(t.get('attacker:192.0.2.1', T + 2), 20);
    assert.ok(t.evictions >= 1_000_000 - t.capacity, `only ${t.evictions} evictions`);
    assert.ok(t.bytes <= 64 * 1024);
  });

  it('evicts the lowest counters when a window is full, whatever the seed', () => {
    const a = new CounterTable(16 * BYTES_PER_SLOT, new SeededRandom(7));
    const b = new CounterTable(16 * BYTES_PER_SLOT, new SeededRandom(8));
    for (let i = 0; i < 40; i++) {
      a.add(`k${i}`, i + 1, HOUR, T);
      b.add(`k${i}`, i + 1, HOUR, T);
    }
    const kept = (t: CounterTable) => Array.from({ length: 40 }, (_, i) => t.get(`k${i}`, T)).join(',');
    assert.equal(a.get('k39', T), 40);
    assert.equal(b.get('k39', T), 40);
    assert.equal(a.evictions, 24);
    assert.equal(kept(a).split(',').filter((x) => x !== '0').length, 16);
    assert.equal(kept(b).split(',').filter((x) => x !== '0').length, 16);
  });
});

describe('CounterTable: expiry across long uptimes', () => {
  it('keeps meaning when time runs past the 32-bit range of its base (weeks of uptime)', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(3));
    const T = Date.UTC(2026, 0, 1);
    const DAY = 86_400_000;
    t.add('short', 5, 10_000, T);
    t.add('long', 7, 20 * DAY, T + 20 * DAY);
    assert.equal(t.get('short', T + 30 * DAY), 0, 'expired long ago');
    assert.equal(t.get('long', T + 30 * DAY), 7, 'still alive after the base moved');
    assert.equal(t.get('long', T + 39 * DAY), 7);
    assert.equal(t.get('long', T + 41 * DAY), 0);
    for (let i = 0; i < 60; i++) t.add(`k${i}`, 1, 1000, T + i * DAY);
    assert.equal(t.get('k59', T + 59 * DAY + 999), 1);
  });

  it('survives the clock going backwards', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(4));
    const T = Date.UTC(2026, 0, 1);
    t.add('a', 3, 60_000, T);
    assert.equal(t.get('a', T - 5_000), 3);
    assert.equal(t.get('a', T + 59_999), 3);
    assert.equal(t.get('a', T + 60_000), 0);
  });
});
