import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CounterTable, BYTES_PER_SLOT, INITIAL_SLOTS } from './counter-table.js';
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

  it('starts small and doubles as keys arrive, evicting nothing before its cap, every count kept', () => {
    const t = new CounterTable(16 << 20, new SeededRandom(21));
    assert.equal(t.capacity, INITIAL_SLOTS);
    assert.equal(t.maxCapacity, (16 << 20) / BYTES_PER_SLOT);
    const n = 300_000;
    for (let i = 0; i < n; i++) t.add(`lp:k${i}`, (i % 7) + 1, HOUR, T);
    assert.equal(t.evictions, 0, 'nothing evicted below the cap');
    assert.ok(t.generation >= 3, `doubled ${t.generation} times`);
    assert.ok(t.capacity >= 2 * n && t.capacity <= t.maxCapacity, `capacity ${t.capacity}`);
    for (let i = 0; i < n; i++) assert.equal(t.get(`lp:k${i}`, T), (i % 7) + 1, `lp:k${i}`);
    // At the cap it evicts as before, and never grows past it.
    for (let i = 0; i < 1_500_000; i++) t.add(`lf:${i}`, 1, HOUR, T);
    assert.equal(t.capacity, t.maxCapacity);
    assert.ok(t.evictions > 0);
    assert.ok(t.bytes <= 16 << 20);
  });

  it('leaves expired entries behind when it doubles', () => {
    const t = new CounterTable(16 << 20, new SeededRandom(22));
    for (let i = 0; i < 20_000; i++) t.add(`lp:old${i}`, 1, 1000, T);
    for (let i = 0; i < 40_000; i++) t.add(`lp:new${i}`, 2, HOUR, T + 5000);
    assert.equal(t.get('lp:old0', T + 5000), 0);
    assert.equal(t.get('lp:new39999', T + 5000), 2);
    assert.ok(t.size <= 40_000 + 20_000);
  });

  it('keeps a batch, a set and the journal right across a doubling in the middle of them', () => {
    const seed = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const t = new CounterTable(64 << 20, new SeededRandom(23), { seed, journal: true });
    // Batches of new keys until one of them doubles the table in its middle.
    let batchesAcross = 0;
    for (let b = 0; batchesAcross < 3 && b < 100_000; b++) {
      t.add(`lp:dirty${b}`, 41, HOUR, T); // waiting for drain when the table doubles
      const gen = t.generation;
      t.batchStart(T);
      const keys = Array.from({ length: 6 }, (_, j) => `lb:${b}:${j}`);
      for (const k of keys) t.batchKey(k);
      t.batchTouch();
      keys.forEach((_, j) => t.batchAdd(j, j + 1, HOUR));
      keys.forEach((_, j) => assert.equal(t.batchGet(j), j + 1));
      if (t.generation === gen) continue;
      batchesAcross++;
      keys.forEach((k, j) => assert.equal(t.get(k, T), j + 1, k));
      const drained: number[] = [];
      t.drain((_hi, _lo, count) => drained.push(count));
      assert.ok(drained.includes(41), 'a change made before the doubling is still handed to drain');
    }
    assert.equal(batchesAcross, 3);
    // A set whose member's marker doubles the table before the set's own counter is added.
    let setsAcross = 0;
    for (let m = 0; setsAcross < 3 && m < 1_000_000; m++) {
      const gen = t.generation;
      assert.equal(t.addMember(`ls:src${m}`, 'alice', HOUR, T), 1);
      if (t.generation === gen) continue;
      setsAcross++;
      assert.equal(t.addMember(`ls:src${m}`, 'bob', HOUR, T), 2);
      assert.equal(t.removeMember(`ls:src${m}`, 'alice', T), 1);
    }
    assert.equal(setsAcross, 3);
    // The entries put back the same counts into a fresh table with the same seed.
    const u = new CounterTable(64 << 20, new SeededRandom(0), { seed });
    assert.ok(u.loadKinds(t.kinds));
    t.entries(T, (hi, lo, count, exp) => u.load(hi, lo, count, exp, T));
    assert.equal(u.get('lp:dirty0', T), 41);
    assert.equal(u.get('lb:0:5', T), 6);
    assert.equal(u.size, t.size);
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

  it('spreads keys over the table: homes come from every character', () => {
    const t = new CounterTable(1 << 20, new SeededRandom(5));
    const homes = new Set<number>();
    for (let i = 0; i < 2000; i++) homes.add(t.homeSlot(`lp\u4e00${String.fromCharCode(0x4e00 + i)}`));
    assert.ok(homes.size > 1900, `homes spread over the table: ${homes.size} of 2000`);
    assert.notEqual(t.homeSlot('lpa'), t.homeSlot('lba'));
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

  it('counts a set\'s members once each, and gives holds back one by one', () => {
    const t = new CounterTable(1 << 20, new SeededRandom(6));
    for (let i = 0; i < 500; i++) {
      assert.equal(t.addMember('ls:src', `user-${i}`, HOUR, T), i + 1);
      assert.ok(t.memberSlot('ls:src', `user-${i}`, T) >= 0);
      assert.equal(t.addMember('ls:src', `user-${i}`, HOUR, T), i + 1, 'counted once');
    }
    assert.equal(t.get('ls:src', T), 500);
    assert.equal(t.removeMember('ls:src', 'user-0', T), 500, 'one of two holds given back: still a member');
    assert.equal(t.removeMember('ls:src', 'user-0', T), 499, 'the last hold: it leaves the set');
    assert.equal(t.memberSlot('ls:src', 'user-0', T), -1);
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
    const kept = (t: CounterTable) => Array.from({ length: 40 }, (_, i) => i).filter((i) => t.slotOf(`k${i}`, T) >= 0);
    assert.equal(a.get('k39', T), 40);
    assert.equal(b.get('k39', T), 40);
    assert.equal(a.evictions, 24);
    assert.deepEqual(kept(a), Array.from({ length: 16 }, (_, i) => 24 + i), 'the 16 highest stay in the table');
    assert.deepEqual(kept(b), Array.from({ length: 16 }, (_, i) => 24 + i));
    // A kind not floored is evicted plainly: the evicted ones read 0.
    for (let i = 0; i < 24; i++) assert.equal(a.get(`k${i}`, T), 0);
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

describe('CounterTable: floors (a flood never lowers a count)', () => {
  it('keeps an evicted counter at least as high as it was, and counts on from there', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(11));
    for (let i = 0; i < 7; i++) t.add('lu:victim', 1, HOUR, T, true);
    // A flood of keys of its kind whose counts are all above the victim's: it is evicted for sure.
    for (let i = 0; i < 20_000; i++) t.add(`lu:flood:${i}`, 9, HOUR, T + 1, true);
    assert.equal(t.slotOf('lu:victim', T + 2), -1, 'evicted from the table');
    assert.ok(t.spilled > 0);
    assert.ok(t.get('lu:victim', T + 2) >= 7, `reads ${t.get('lu:victim', T + 2)}`);
    assert.ok(t.add('lu:victim', 1, HOUR, T + 3, true) >= 8, 'counts on from the floor');
    assert.equal(t.get('lu:someone-else', T + 2 * HOUR + 2), 0, 'the floor goes when what raised it would have expired');
  });

  it('keeps kinds apart: a flood of one kind raises no other kind, and kinds not floored have no floor', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(12));
    t.add('lu:x', 1, HOUR, T, true);
    for (let i = 0; i < 20_000; i++) t.add(`lp:${i}`, 5, HOUR, T);
    assert.equal(t.get('lp:absent', T), 0, 'not floored: evicted plainly');
    for (let i = 0; i < 20_000; i++) t.add(`lb:${i}`, 1_800_000_000, HOUR, T, true);
    assert.ok(t.get('lb:absent', T) >= 1_800_000_000, 'its own kind reads the floor');
    assert.ok(t.get('lu:absent', T) <= 1, 'the other floored kind: at most what its own evicted entry held');
    assert.equal(t.get('lp:absent', T), 0);
  });

  it('never reads above 0 for an absent key before anything was evicted', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(12));
    t.add('lu:a', 3, HOUR, T, true);
    assert.equal(t.spilled, 0);
    assert.equal(t.get('lu:b', T), 0);
    assert.equal(t.setIfAbsent('c:c', 1, HOUR, T), true);
  });

  it('holds a claim through eviction: setIfAbsent stays false', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(13));
    assert.equal(t.setIfAbsent('c:claim', 5, HOUR, T), true);
    t.add('c:first', 1, HOUR, T, true);
    for (let i = 0; i < 20_000; i++) t.add(`c:flood:${i}`, 50, HOUR, T + 1);
    assert.equal(t.slotOf('c:claim', T + 2), -1);
    assert.equal(t.setIfAbsent('c:claim', 5, HOUR, T + 2), false);
  });

  it('lists its live floors by kind, and drops them on request with the counts that started from them (one kind, or all)', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(12));
    t.add('lp:pair', 1, HOUR, T);
    for (let i = 0; i < 7; i++) t.add('lu:victim', 1, HOUR, T, true);
    t.add('lc:closed', 1_900_000_000, HOUR, T, true);
    assert.deepEqual(t.liveFloors(T), [], 'no floor before an eviction');
    const changed = t.floorsVersion;
    for (let i = 0; i < 20_000; i++) {
      t.add(`lu:flood:${i}`, 9, HOUR, T + 1, true);
      t.add(`lc:flood:${i}`, 1_900_000_000, 2 * HOUR, T + 1, true);
    }
    assert.ok(t.floorsVersion > changed, 'a rise is noted for a store that writes floors');
    const live = t.liveFloors(T + 2);
    assert.deepEqual(live.map((f) => f.kind).sort(), ['lc', 'lu'], 'the floored kinds, not the plain one');
    const lu = live.find((f) => f.kind === 'lu')!;
    assert.equal(lu.count, t.get('lu:never-seen', T + 2), 'what an absent key reads');
    assert.ok(lu.expiresAt > T + 2 && lu.expiresAt <= T + 1 + HOUR);
    let held = 19_999;
    while (t.slotOf(`lu:flood:${held}`, T + 2) === -1) held--;
    assert.ok(t.get(`lu:flood:${held}`, T + 2) > 9, 'a counter made during the flood started from the floor');
    const size = t.size;
    assert.equal(t.resetFloors(T + 2, ['lu']), 1);
    assert.equal(t.get('lu:never-seen', T + 2), 0, 'absent keys of the kind read 0 again');
    assert.equal(t.get(`lu:flood:${held}`, T + 2), 0, 'and the counts that started from the floor are forgotten');
    assert.ok(t.size < size, 'their slots are free');
    assert.deepEqual(t.liveFloors(T + 3).map((f) => f.kind), ['lc']);
    assert.ok(t.get('lc:never-seen', T + 3) >= 1_900_000_000, 'the other kind keeps its floor');
    assert.equal(t.resetFloors(T + 3, ['zz']), 0, 'a kind the table never numbered: nothing');
    assert.equal(t.resetFloors(T + 3), 1, 'all kinds: the one left');
    assert.deepEqual(t.liveFloors(T + 3), []);
    // (red team S45C-1: one new account after the reset evicted a counter made from the floor and raised it again)
    for (let i = 0; i < 200; i++) assert.equal(t.add(`lu:after:${i}`, 1, HOUR, T + 3, true), 1, 'new accounts count from 0');
    assert.deepEqual(t.liveFloors(T + 3), [], 'the floors stay down');
    assert.equal(t.get('lp:pair', T + 3), t.slotOf('lp:pair', T + 3) === -1 ? 0 : 1, 'a kind that is not floored keeps what it holds');
    assert.equal(t.resetFloors(T + 3), 0, 'nothing left to drop');
  });

  it('puts a log back without folding when asked: what the load evicts leaves no floor', () => {
    const seed = Buffer.alloc(8, 7);
    const a = new CounterTable(64 * 1024, new SeededRandom(3), { seed, journal: true });
    const records: [number, number, number, number][] = [];
    for (let i = 0; i < 20_000; i++) a.add(`lu:k${i}`, 5, HOUR, T, true);
    a.drain((hi, lo, count, exp) => records.push([hi, lo, count, exp]));
    const folded = new CounterTable(64 * 1024, new SeededRandom(3), { seed });
    const plain = new CounterTable(64 * 1024, new SeededRandom(3), { seed });
    assert.equal(folded.loadKinds(a.kinds), true);
    assert.equal(plain.loadKinds(a.kinds), true);
    // (a table of the cap evicts as the log is read back: 20,000 entries, 4,096 slots)
    for (let i = 0; i < 20_000; i++) a.add(`lu:more${i}`, 5, HOUR, T, true);
    a.drain((hi, lo, count, exp) => records.push([hi, lo, count, exp]));
    for (const [hi, lo, count, exp] of records) {
      folded.load(hi, lo, count, exp, T);
      plain.load(hi, lo, count, exp, T, false);
    }
    assert.ok(folded.get('lu:absent', T) > 0, 'read back folding, the evictions raise the floor');
    assert.equal(plain.get('lu:absent', T), 0, 'read back without, they do not');
  });

  it('under a count-1 flood, the floor rises by about the flood over the slots', () => {
    const t = new CounterTable(64 * 1024, new SeededRandom(14));
    const n = 100_000;
    for (let i = 0; i < n; i++) t.add(`lu:flood:${i}`, 1, HOUR, T, true);
    const floor = t.get('lu:innocent', T);
    assert.ok(floor >= 1, 'absent keys read the floor');
    assert.ok(floor <= Math.ceil((2 * n) / t.capacity) + 1, `floor ${floor} with ${n} keys over ${t.capacity} slots`);
  });

  it('member markers have no floor: a lost marker makes its member count again', () => {
    const t = new CounterTable(16 * 16, new SeededRandom(15));
    for (let i = 0; i < 200; i++) t.addMember('ls:set', `m${i}`, HOUR, T);
    const n = t.get('ls:set', T);
    assert.ok(n >= 200, `the set errs high, never low: ${n}`);
  });
});

describe('CounterTable: journal (drain and load)', () => {
  const seed = Buffer.alloc(8, 7);

  it('hands out what changed and puts it back in a table with the same seed', () => {
    const a = new CounterTable(64 * 1024, new SeededRandom(1), { seed, journal: true });
    a.add('x', 3, HOUR, T);
    a.add('y', 1, HOUR, T);
    a.addMember('set', 'm1', HOUR, T);
    a.addMember('set', 'm2', HOUR, T);
    a.delete('y', T);
    const records: [number, number, number, number][] = [];
    a.drain((hi, lo, n, exp) => records.push([hi, lo, n, exp]));
    assert.equal(a.pending, 0);
    assert.ok(records.some((r) => r[2] === 0 && r[3] === 0), 'the deletion of y');
    const b = new CounterTable(64 * 1024, new SeededRandom(2), { seed, journal: true });
    assert.equal(b.loadKinds(a.kinds), true);
    for (const r of records) b.load(r[0], r[1], r[2], r[3], T);
    assert.equal(b.pending, 0, 'loading is not a change');
    assert.equal(b.get('x', T), 3);
    assert.equal(b.get('y', T), 0);
    assert.equal(b.get('set', T), 2);
    assert.equal(b.addMember('set', 'm1', HOUR, T), 2, 'the member markers came back too');
    assert.equal(b.get('x', T + HOUR), 0, 'with their expiry');
    // Another seed finds nothing.
    const c = new CounterTable(64 * 1024, new SeededRandom(3), { seed: Buffer.alloc(8, 9) });
    c.loadKinds(a.kinds);
    for (const r of records) c.load(r[0], r[1], r[2], r[3], T);
    assert.equal(c.get('x', T), 0);
  });

  it('a later record wins, a deletion after a change deletes, and entries() is a full snapshot', () => {
    const a = new CounterTable(64 * 1024, new SeededRandom(1), { seed, journal: true });
    const b = new CounterTable(64 * 1024, new SeededRandom(1), { seed });
    const apply = () => {
      b.loadKinds(a.kinds);
      a.drain((hi, lo, n, exp) => b.load(hi, lo, n, exp, T));
    };
    a.add('k', 1, HOUR, T);
    apply();
    a.add('k', 4, HOUR, T);
    a.delete('k', T);
    a.add('k', 2, HOUR, T);
    apply();
    assert.equal(b.get('k', T), 2);
    a.delete('k', T);
    apply();
    assert.equal(b.get('k', T), 0);
    for (let i = 0; i < 100; i++) a.add(`s${i}`, i + 1, HOUR, T);
    const c = new CounterTable(64 * 1024, new SeededRandom(1), { seed });
    c.loadKinds(a.kinds);
    let n = 0;
    a.entries(T, (hi, lo, v, exp) => {
      n++;
      c.load(hi, lo, v, exp, T);
    });
    assert.equal(n, 100);
    for (let i = 0; i < 100; i++) assert.equal(c.get(`s${i}`, T), i + 1);
  });

  it('carries the kinds and floors over in a snapshot, and refuses kinds numbered otherwise', () => {
    const a = new CounterTable(64 * 1024, new SeededRandom(1), { seed });
    for (let i = 0; i < 6; i++) a.add('lu:victim', 1, HOUR, T, true);
    for (let i = 0; i < 20_000; i++) a.add(`lu:flood:${i}`, 9, HOUR, T);
    const f = a.floors(T);
    const b = new CounterTable(64 * 1024, new SeededRandom(1), { seed });
    assert.equal(b.loadKinds(a.kinds), true);
    assert.deepEqual(b.kinds, ['lu+']);
    b.loadFloors(f.counts, f.expires, T);
    assert.ok(b.get('lu:victim', T) >= 6);
    const c = new CounterTable(64 * 1024, new SeededRandom(1), { seed });
    c.add('xx:first', 1, HOUR, T);
    assert.equal(c.loadKinds(a.kinds), false, 'its first kind is another');
  });
});
