/**
 * The layout of a store on Redis's clock (no clock given: BATCH_NATIVE): counts as plain integers
 * with Redis's own expiry, under key names of their own. The conformance suite runs on a caller's
 * clock (ManualClock), which this layout does not read, so its semantics are checked here again in
 * real time: lifetimes of a few hundred milliseconds, with margins for a loaded machine.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from 'mamori/testing';
import { Redis } from 'ioredis';
import { RedisStore } from './redis-store.js';
import { Prefixes, REDIS_URL, SECRET, redisSkip } from './test-kit.js';

const skip = await redisSkip();
const prefixes = new Prefixes();
after(() => prefixes.sweep());

const MIN = 60_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function withStore(fn: (s: RedisStore, prefix: string) => Promise<void>, prefix = prefixes.fresh()): Promise<void> {
  const s = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix });
  try {
    await fn(s, prefix);
  } finally {
    await s.close();
  }
}

async function withAdmin<T>(fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(REDIS_URL, { lazyConnect: true });
  await r.connect();
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

describe('the Redis store on Redis\u2019s clock (integer entries, Redis\u2019s expiry)', { skip }, () => {
  it('counts, reads, resets, and clamps at 0 and at 2^32 - 1', () =>
    withStore(async (s) => {
      assert.deepEqual(await s.increment([{ key: 'a', ttlMs: MIN }, { key: 'a', by: 4, ttlMs: MIN }, { key: 'b', by: 0, ttlMs: MIN }]), [1, 5, 0]);
      assert.deepEqual(await s.read(['a', 'b', 'never']), [5, 0, 0]);
      assert.deepEqual(await s.increment([{ key: 'a', by: -7, ttlMs: MIN }]), [0], 'stops at 0');
      assert.deepEqual(await s.increment([{ key: 'a', by: 2, ttlMs: MIN }]), [2]);
      assert.deepEqual(await s.increment([{ key: 'big', by: 2 ** 32 + 5, ttlMs: MIN }, { key: 'big', by: 1, ttlMs: MIN }]), [2 ** 32 - 1, 2 ** 32 - 1]);
      assert.deepEqual(await s.increment([{ key: 'gone', by: -1, ttlMs: MIN }]), [0], 'a take-back on an absent counter reads 0');
      await s.reset(['a']);
      assert.deepEqual(await s.read(['a', 'big']), [0, 2 ** 32 - 1]);
      const [inc, read, , again] = await Promise.all([
        s.increment([{ key: 'c', by: 3, ttlMs: MIN }]),
        s.read(['c']),
        s.reset(['c']),
        s.increment([{ key: 'c', ttlMs: MIN }]),
      ]);
      assert.deepEqual([inc, read, again], [[3], [3], [1]], 'in one batch, in order');
    }));

  it('stores plain integers with Redis\u2019s expiry, under names of their own; a key only read is not stored', () =>
    withStore(async (s, prefix) => {
      await s.increment([{ key: 'k', by: 7, ttlMs: 10 * MIN }]);
      await s.read(['only-read']);
      await withAdmin(async (r) => {
        const keys = await r.keys(`${prefix}*`);
        assert.equal(keys.length, 1);
        assert.match(keys[0]!, new RegExp(`^${prefix}nc:[0-9a-f]{32}$`));
        assert.equal(await r.get(keys[0]!), '7');
        const ttl = await r.pttl(keys[0]!);
        assert.ok(ttl > 10 * MIN - 5000 && ttl <= 10 * MIN, `Redis expiry is the lifetime itself: ${ttl} ms`);
      });
    }));

  it('changes a stored count in later calls as plain integer text, keeping its first lifetime (small, large, negative and clamped changes)', () =>
    withStore(async (s, prefix) => {
      await s.increment([{ key: 'k', by: 1, ttlMs: 10 * MIN }]);
      const steps: [number, number][] = [[1, 2], [-1, 1], [25, 26], [-20, 6], [2 ** 32, 2 ** 32 - 1], [-(2 ** 32 - 11), 10], [-1, 9], [-100, 0], [3, 3]];
      await withAdmin(async (r) => {
        const [key] = await r.keys(`${prefix}nc:*`);
        for (const [by, want] of steps) {
          // Each in a call of its own, with a long lifetime that must not replace the first.
          assert.deepEqual(await s.increment([{ key: 'k', by, ttlMs: 60 * MIN }]), [want], `by ${by}`);
          assert.equal(await r.get(key!), String(want), `stored as the integer's text after by ${by}`);
          const ttl = await r.pttl(key!);
          assert.ok(ttl > 0 && ttl <= 10 * MIN, `the first lifetime kept after by ${by}: ${ttl} ms`);
        }
      });
    }));

  it('never shares counts with the text layout of a store on a caller\u2019s clock (an older mamori keeps its own)', async () => {
    const prefix = prefixes.fresh();
    const text = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix, clock: new ManualClock(Date.now()) });
    try {
      await text.increment([{ key: 'shared', by: 3, ttlMs: MIN }]);
      await withStore(async (s) => {
        assert.deepEqual(await s.read(['shared']), [0], 'the text entry is not read as an integer');
        assert.deepEqual(await s.increment([{ key: 'shared', ttlMs: MIN }]), [1]);
      }, prefix);
      assert.deepEqual(await text.read(['shared']), [3], 'nor the integer as text');
    } finally {
      await text.close();
    }
  });

  it('with readTextEntries, takes over the counts, holds and claims an older mamori left as text, with their expiry', async () => {
    const prefix = prefixes.fresh();
    // An older mamori on Redis's clock: text entries whose expiries are Redis's (this machine's) time.
    const old = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix, clock: { now: () => Date.now() } });
    const s = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix, readTextEntries: true });
    const plain = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix });
    try {
      await old.increment([{ key: 'fails', by: 7, ttlMs: 10 * MIN }, { key: 'short', by: 2, ttlMs: 400 }, { key: 'reset-me', by: 4, ttlMs: MIN }]);
      await old.addDistinct([{ key: 'accounts', member: 'a', ttlMs: MIN }, { key: 'accounts', member: 'b', ttlMs: MIN }]);
      assert.equal(await old.claim('token', MIN), true);
      assert.deepEqual(await plain.read(['fails']), [0], 'without the option, the old counts are not seen');
      assert.deepEqual(await s.read(['fails', 'short', 'never']), [7, 2, 0]);
      assert.deepEqual(await s.increment([{ key: 'fails', ttlMs: MIN }]), [8], 'counted on from the old count');
      assert.equal(await s.claim('token', MIN), false, 'a claim made by the older version holds');
      assert.deepEqual(await s.addDistinct([{ key: 'accounts', member: 'a', ttlMs: MIN }]), [2], 'a member the older version held is not new');
      assert.deepEqual(await s.removeDistinct([{ key: 'accounts', member: 'b', ttlMs: MIN, heldAt: Date.now() + 5000 }]), [1], 'and its hold can be given back');
      assert.deepEqual(await s.addDistinct([{ key: 'accounts', member: 'b', ttlMs: MIN }]), [2], 'not taken over again once given back');
      await s.reset(['reset-me']);
      assert.deepEqual(await s.read(['reset-me']), [0], 'a reset is not undone by the old entry');
      assert.deepEqual(await plain.read(['fails']), [8], 'taken over into the new layout');
      await withAdmin(async (r) => {
        const keys = await r.keys(`${prefix}nc:*`);
        assert.ok(keys.length >= 3, 'the counts were written under the new names');
        const ttls = await Promise.all(keys.map((k) => r.pttl(k)));
        assert.ok(ttls.every((t) => t > 0 && t <= 10 * MIN), `expiries kept: ${ttls.join(', ')}`);
      });
      await sleep(600);
      assert.deepEqual(await s.read(['short']), [0], 'the old expiry holds');
    } finally {
      await old.close();
      await s.close();
      await plain.close();
    }
  });

  it('expires a counter after its lifetime, and keeps the first expiry when counted again', () =>
    withStore(async (s) => {
      await s.increment([{ key: 'k', ttlMs: 600 }]);
      await sleep(250);
      assert.deepEqual(await s.increment([{ key: 'k', ttlMs: 60 * MIN }]), [2], 'still there, counted again');
      await sleep(550);
      assert.deepEqual(await s.read(['k']), [0], 'gone at its first expiry, not the second op\u2019s');
      assert.deepEqual(await s.increment([{ key: 'k', ttlMs: MIN }]), [1], 'made afresh');
    }));

  it('counts distinct members once, with holds, and forgets them after their lifetime', () =>
    withStore(async (s) => {
      const a = { key: 'set', member: 'a', ttlMs: 500 };
      const b = { key: 'set', member: 'b', ttlMs: 500 };
      assert.deepEqual(await s.addDistinct([a, a, b]), [1, 1, 2]);
      assert.deepEqual(await s.read(['set']), [2], 'read() sees the count');
      assert.deepEqual(await s.removeDistinct([a]), [2], 'a keeps one hold');
      assert.deepEqual(await s.removeDistinct([a]), [1], 'its last hold goes');
      assert.deepEqual(await s.removeDistinct([a, { key: 'set', member: 'never', ttlMs: 500 }]), [1, 1], 'absent members change nothing');
      await sleep(800);
      assert.deepEqual(await s.read(['set']), [0]);
      assert.deepEqual(await s.removeDistinct([b]), [0], 'nothing to take after the lifetime');
      assert.deepEqual(await s.addDistinct([b]), [1]);
    }));

  it('removeDistinct with heldAt leaves a member whose marker was made after it (Redis\u2019s time)', () =>
    withStore(async (s) => {
      const op = { key: 'set', member: 'm', ttlMs: 400 };
      assert.deepEqual(await s.addDistinct([op]), [1]);
      const oldHold = Date.now() + 50;
      await sleep(700); // the marker (and the set) expire
      assert.deepEqual(await s.addDistinct([op]), [1], 'made anew');
      await sleep(50);
      const newHold = Date.now() + 50;
      assert.deepEqual(await s.removeDistinct([{ ...op, heldAt: oldHold }]), [1], 'the old hold went with the old marker');
      assert.deepEqual(await s.removeDistinct([{ ...op, heldAt: newHold }]), [0], 'the new one is given back');
    }));

  it('matches decisions in the batch by Redis’s time, not once they have expired', () =>
    withStore(async (s) => {
      const d = await s.decisions.add({ action: 'block', scope: 'range', value: '203.0.113.0/24', expiresAt: Date.now() + 400, origin: 'test', reason: 'r' });
      const [counts, found] = await Promise.all([s.increment([{ key: 'k', ttlMs: MIN }]), s.decisions.match({ ip: '203.0.113.9', userHash: 'u' })]);
      assert.deepEqual(counts, [1]);
      assert.deepEqual(found.map((x) => x.id), [d.id]);
      await sleep(700);
      assert.deepEqual(await s.decisions.match({ ip: '203.0.113.9' }), []);
    }));

  it('claims a key once within its lifetime, and again after it', () =>
    withStore(async (s) => {
      assert.equal(await s.claim('token', 400), true);
      assert.equal(await s.claim('token', 400), false);
      await sleep(700);
      assert.equal(await s.claim('token', 400), true);
    }));

  it('names each key once per call, however many operations name it, past 4,096 keys', () =>
    withStore(async (s) => {
      const ops = Array.from({ length: 5000 }, (_, i) => ({ key: `k${i}`, by: i, ttlMs: MIN }));
      const [first, again, sets] = await Promise.all([
        s.increment(ops),
        s.increment([{ key: 'k4999', ttlMs: MIN }, { key: 'k0', ttlMs: MIN }, { key: 'k4096', ttlMs: MIN }]),
        s.addDistinct([{ key: 'k4097', member: 'x', ttlMs: MIN }, { key: 'set', member: 'x', ttlMs: MIN }]),
      ]);
      assert.deepEqual(first, Array.from({ length: 5000 }, (_, i) => i));
      assert.deepEqual(again, [5000, 1, 4097]);
      assert.deepEqual(sets, [4098, 1]);
      assert.deepEqual(await s.read(['k4097', 'k4999', 'k1234']), [4098, 5000, 1234]);
    }));

  it('two stores on one prefix never lose an update, and a reservation cannot be raced past a limit', async () => {
    const prefix = prefixes.fresh();
    const one = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix });
    const two = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix });
    try {
      const counts = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 ? one : two).increment([{ key: 'hot', ttlMs: MIN }])));
      assert.deepEqual(
        counts.map(([n]) => n).sort((x, y) => x! - y!),
        Array.from({ length: 400 }, (_, i) => i + 1),
        'every increment saw a count of its own',
      );
      const members = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? one : two).addDistinct([{ key: 'accounts', member: `u${i % 50}`, ttlMs: MIN }])));
      assert.equal(Math.max(...members.map(([n]) => n!)), 50, 'each member counted once across the two');
      assert.deepEqual(await one.read(['hot', 'accounts']), [400, 50]);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
