import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from './memory-store.js';
import { ManualClock } from './clock.js';
import { SeededRandom } from './random.js';
import { runStoreConformance } from './store.case.js';
import { hasFloors } from './store.js';

runStoreConformance('memory', async ({ clock }) => new MemoryStore({ clock, random: new SeededRandom(7), maxCounterBytes: 1024 * 1024 }), {
  makeWithMaxDecisions: async ({ clock }, max) => new MemoryStore({ clock, random: new SeededRandom(7), maxCounterBytes: 1024 * 1024, maxDecisions: max }),
});

describe('MemoryStore', () => {
  it('keeps at most maxDecisions, dropping the one that lapses soonest', async () => {
    const clock = new ManualClock();
    const s = new MemoryStore({ clock, maxDecisions: 3 });
    const base = { action: 'block', scope: 'ip', origin: 't', reason: 'r' } as const;
    await s.decisions.add({ ...base, value: '192.0.2.1', expiresAt: clock.now() + 3000 });
    await s.decisions.add({ ...base, value: '192.0.2.2', expiresAt: clock.now() + 1000 });
    await s.decisions.add({ ...base, value: '192.0.2.3', expiresAt: clock.now() + 2000 });
    await s.decisions.add({ ...base, value: '192.0.2.4', expiresAt: clock.now() + 4000 });
    const values = (await s.decisions.list()).map((d) => d.value).sort();
    assert.deepEqual(values, ['192.0.2.1', '192.0.2.3', '192.0.2.4']);
    assert.deepEqual(await s.decisions.match({ ip: '192.0.2.2' }), [], 'a dropped decision no longer matches');
  });

  it('at a big cap drops a hundredth of it at once, the soonest to lapse (one sort, not a scan per decision)', async () => {
    const clock = new ManualClock();
    const s = new MemoryStore({ clock, maxDecisions: 1000 });
    const base = { action: 'block', scope: 'ip', origin: 't', reason: 'r' } as const;
    for (let i = 0; i < 1000; i++) await s.decisions.add({ ...base, value: `10.0.${i >> 8}.${i & 255}`, expiresAt: clock.now() + 10_000 + i });
    await s.decisions.add({ ...base, value: '192.0.2.1', expiresAt: clock.now() + 5000 });
    const held = await s.decisions.list();
    assert.equal(held.length, 991);
    assert.deepEqual(await s.decisions.match({ ip: '10.0.0.9' }), [], 'the ten soonest to lapse went');
    assert.equal((await s.decisions.match({ ip: '10.0.0.10' })).length, 1);
  });

  it('lists decisions added in the same millisecond newest first', async () => {
    const clock = new ManualClock();
    const s = new MemoryStore({ clock });
    const base = { action: 'block', scope: 'ip', origin: 't', reason: 'r', expiresAt: clock.now() + 1000 } as const;
    const a = await s.decisions.add({ ...base, value: '192.0.2.1' });
    const b = await s.decisions.add({ ...base, value: '192.0.2.2' });
    assert.deepEqual((await s.decisions.list()).map((d) => d.id), [b.id, a.id]);
  });

  it('matches ranges of many prefix lengths and forgets a prefix once its ranges are gone', async () => {
    const clock = new ManualClock();
    const s = new MemoryStore({ clock });
    const base = { action: 'block', scope: 'range', origin: 't', reason: 'r', expiresAt: clock.now() + 1000 } as const;
    const wide = await s.decisions.add({ ...base, value: '10.0.0.0/8' });
    const narrow = await s.decisions.add({ ...base, value: '10.1.2.0/24' });
    const v6 = await s.decisions.add({ ...base, value: '2001:db8::/32' });
    assert.deepEqual((await s.decisions.match({ ip: '10.1.2.3' })).map((d) => d.id).sort(), [wide.id, narrow.id].sort());
    assert.deepEqual((await s.decisions.match({ ip: '2001:db8:ffff::1' })).map((d) => d.id), [v6.id]);
    assert.equal(await s.decisions.delete(wide.id), true);
    assert.deepEqual((await s.decisions.match({ ip: '10.1.2.3' })).map((d) => d.id), [narrow.id]);
    assert.deepEqual(await s.decisions.match({ ip: '10.9.9.9' }), []);
  });

  it('keeps a ring of at most maxEvents, newest first', async () => {
    const s = new MemoryStore({ maxEvents: 3 });
    for (let i = 0; i < 5; i++) s.events.append({ '@timestamp': new Date(i * 1000).toISOString(), 'event.action': `e${i}`, 'event.category': 'web' });
    assert.deepEqual((await s.events.query()).map((e) => e['event.action']), ['e4', 'e3', 'e2']);
  });

  it('holds counters in a table of the configured size', () => {
    const s = new MemoryStore({ maxCounterBytes: 64 * 1024, random: new SeededRandom(1) });
    assert.ok(s.table.bytes <= 64 * 1024);
  });
});


describe('MemoryStore: floors', () => {
  it('shows the floors a flood raised, in words, and drops them', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const s = new MemoryStore({ maxCounterBytes: 64 * 1024, random: new SeededRandom(2), clock });
    assert.ok(hasFloors(s));
    assert.deepEqual(await s.floors(), []);
    for (let b = 0; b < 20; b++) await s.increment(Array.from({ length: 1000 }, (_, i) => ({ key: `cf:src:${b}-${i}`, by: 2, ttlMs: 3_600_000, floor: true })));
    const [f] = await s.floors();
    assert.equal(f?.kind, 'cf');
    assert.match(f!.label, /checkout: failed payments/);
    assert.equal(f!.count, (await s.read(['cf:src:never']))[0]);
    assert.equal(await s.resetFloors(), 1);
    assert.deepEqual(await s.read(['cf:src:never']), [0]);
    await s.close();
    await assert.rejects(s.floors(), /closed/);
  });
});
