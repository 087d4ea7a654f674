/**
 * What the Redis store adds to the contract: calls made in one turn share one
 * script call and each gets its own answers; long batches are split; events are
 * capped; two stores on one prefix see each other's decisions and counts; with
 * no clock given, time is Redis's.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { isMamoriError } from 'mamori';
import { ManualClock } from 'mamori/testing';
import { Redis } from 'ioredis';
import { RedisStore } from './redis-store.js';
import { Prefixes, REDIS_URL, SECRET, redisSkip } from './test-kit.js';

const skip = await redisSkip();
const prefixes = new Prefixes();
after(() => prefixes.sweep());

const MIN = 60_000;

async function counting(prefix = prefixes.fresh(), clock: ManualClock | null = new ManualClock()): Promise<{ store: RedisStore; commands: string[] }> {
  const store = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix, ...(clock ? { clock } : {}) });
  const commands: string[] = [];
  const client = store.client;
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((cmd: { name: string }) => {
    commands.push(cmd.name);
    return send(cmd as never);
  }) as typeof client.sendCommand;
  return { store, commands };
}

describe('the Redis store', { skip, timeout: 120_000 }, () => {
  it('sends the calls of one turn as one command, and gives each caller its own answers', async () => {
    const { store, commands } = await counting();
    try {
      await store.decisions.add({ action: 'block', scope: 'ip', value: '192.0.2.7', expiresAt: Date.UTC(2026, 0, 2), origin: 'test', reason: 'r' });
      // A batch before counting: on a Redis that has not seen the script (a fresh server, SCRIPT
      // FLUSH), the first EVALSHA is answered NOSCRIPT and sent again as EVAL.
      await store.read(['warm-up']);
      commands.length = 0;
      const calls = Array.from({ length: 50 }, (_, i) => store.increment([{ key: `k${i}`, by: i + 1, ttlMs: MIN }]));
      const [incs, reads, sets, claim, found, more] = await Promise.all([
        Promise.all(calls),
        store.read(['k3', 'absent', 'k49']),
        store.addDistinct([{ key: 'set', member: 'a', ttlMs: MIN }, { key: 'set', member: 'b', ttlMs: MIN }]),
        store.claim('token', MIN),
        store.decisions.match({ ip: '192.0.2.7' }),
        store.increment([{ key: 'k0', ttlMs: MIN }]),
      ]);
      assert.deepEqual(commands, ['evalsha'], 'one command for all of them');
      assert.deepEqual(incs, Array.from({ length: 50 }, (_, i) => [i + 1]));
      assert.deepEqual(reads, [4, 0, 50], 'a read issued after increments in the same turn sees them');
      assert.deepEqual(sets, [1, 2]);
      assert.equal(claim, true);
      assert.deepEqual(found.map((d) => d.value), ['192.0.2.7']);
      assert.deepEqual(more, [2]);
    } finally {
      await store.close();
    }
  });

  it('in one batch, a key written many times is written once with its last state, and keeps Redis expiry right', async () => {
    const clock = new ManualClock();
    const prefix = prefixes.fresh();
    const { store, commands } = await counting(prefix, clock);
    const admin = new Redis(REDIS_URL, { lazyConnect: true });
    await admin.connect();
    try {
      // An existing counter: its Redis expiry must stay what it was made with.
      assert.deepEqual(await store.increment([{ key: 'old', ttlMs: 10 * MIN }]), [1]);
      const keysOf = async (): Promise<string[]> => (await admin.keys(`${prefix}c:*`)).sort();
      const [oldKey] = await keysOf();
      clock.advance(MIN);
      commands.length = 0;
      const [a, b, gone, again, read, old] = await Promise.all([
        store.increment(Array.from({ length: 20 }, () => ({ key: 'hot', ttlMs: 2 * MIN }))),
        store.read(['hot']),
        store.reset(['hot']),
        store.increment([{ key: 'hot', by: 5, ttlMs: 3 * MIN }]),
        store.read(['hot', 'never']),
        store.increment([{ key: 'old', by: 2, ttlMs: MIN }]),
      ]);
      assert.deepEqual(commands, ['evalsha'], 'one command');
      assert.deepEqual(a, Array.from({ length: 20 }, (_, i) => i + 1), 'each increment sees the ones before it');
      assert.deepEqual(b, [20]);
      assert.equal(gone, undefined);
      assert.deepEqual(again, [5], 'made afresh after the reset in the same batch');
      assert.deepEqual(read, [5, 0]);
      assert.deepEqual(old, [3]);
      const keys = await keysOf();
      assert.equal(keys.length, 2, 'nothing stored for a key only read');
      const hot = keys.find((k) => k !== oldKey)!;
      // The last state, made afresh with a 3-minute life: Redis's expiry is that plus the grace.
      const [value, hotTtl, oldTtl] = await Promise.all([admin.get(hot), admin.pttl(hot), admin.pttl(oldKey!)]);
      assert.equal(value, `5 ${clock.now() + 3 * MIN}`);
      assert.ok(hotTtl > 3 * MIN && hotTtl <= 4 * MIN, `Redis expiry of the remade key: ${hotTtl} ms`);
      assert.ok(oldTtl > 10 * MIN - 5_000 && oldTtl <= 11 * MIN, `an existing key keeps the expiry it was made with: ${oldTtl} ms`);
      // Past the remade key's own life (Redis still holds it, for the grace), it reads 0 and counts afresh.
      clock.advance(3 * MIN);
      assert.deepEqual(await store.read(['hot']), [0]);
      assert.deepEqual(await store.increment([{ key: 'hot', ttlMs: MIN }]), [1]);
    } finally {
      admin.disconnect();
      await store.close();
    }
  });

  it('in one batch, a key that ends as it began is not written again (a take-back and the next count)', async () => {
    const clock = new ManualClock();
    const prefix = prefixes.fresh();
    const { store } = await counting(prefix, clock);
    const admin = new Redis(REDIS_URL);
    const monitor = await admin.monitor();
    const writes: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      const name = String(args[0]).toUpperCase();
      if ((name === 'SET' || name === 'DEL') && String(args[1]).startsWith(prefix)) writes.push(`${name} ${String(args[2] ?? '').split(' ')[0]}`);
    });
    try {
      assert.deepEqual(await store.increment([{ key: 'same', by: 3, ttlMs: MIN }, { key: 'moved', ttlMs: MIN }]), [3, 1]);
      assert.deepEqual(await store.addDistinct([{ key: 'set', member: 'a', ttlMs: MIN }, { key: 'set', member: 'b', ttlMs: MIN }]), [1, 2]);
      clock.advance(1000);
      // What MONITOR showed of the writes so far has arrived; only the batch below is counted.
      await new Promise((r) => setTimeout(r, 100));
      writes.length = 0;
      const [back, again, moved, held, given, taken] = await Promise.all([
        store.increment([{ key: 'same', by: -1, ttlMs: MIN }]),
        store.increment([{ key: 'same', by: 1, ttlMs: MIN }]),
        store.increment([{ key: 'moved', ttlMs: MIN }]),
        // A second hold on a member, given back: the marker and the set end as they began.
        store.addDistinct([{ key: 'set', member: 'a', ttlMs: MIN }]),
        store.removeDistinct([{ key: 'set', member: 'a', ttlMs: MIN }]),
        store.read(['same', 'moved']),
      ]);
      assert.deepEqual([back, again, moved, held, given, taken], [[2], [3], [2], [2], [2], [3, 2]]);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(writes, ['SET 2'], 'only the counter that changed is written');
      assert.deepEqual(await store.read(['same', 'moved']), [3, 2]);
      // The entries kept their own expiry: past it they read 0.
      clock.advance(MIN);
      assert.deepEqual(await store.read(['same']), [0]);
      assert.deepEqual(await store.addDistinct([{ key: 'set', member: 'c', ttlMs: MIN }]), [1]);
    } finally {
      monitor.disconnect();
      admin.disconnect();
      await store.close();
    }
  });

  it('splits a turn of more than 1,024 operations over several commands, and answers each caller', async () => {
    const { store, commands } = await counting();
    try {
      const calls = Array.from({ length: 30 }, (_, c) => store.increment(Array.from({ length: 100 }, (_, i) => ({ key: `c${c}-${i % 10}`, ttlMs: MIN }))));
      const big = store.increment(Array.from({ length: 2500 }, (_, i) => ({ key: `big${i % 7}`, ttlMs: MIN })));
      const answers = await Promise.all(calls);
      for (const a of answers) assert.deepEqual(a, Array.from({ length: 100 }, (_, i) => Math.floor(i / 10) + 1));
      const b = await big;
      assert.equal(b.length, 2500);
      assert.deepEqual(b.slice(-7), [357, 357, 357, 357, 357, 357, 358]);
      assert.ok(commands.length >= 4, `${commands.length} commands for 5,500 operations`);
    } finally {
      await store.close();
    }
  });

  it('keeps the newest maxEvents events', async () => {
    const store = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix: prefixes.fresh(), maxEvents: 3 });
    try {
      for (let i = 0; i < 5; i++) store.events.append({ '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), 'event.action': `a${i}`, 'event.category': 'authentication' });
      await store.events.flush();
      assert.deepEqual((await store.events.query()).map((e) => e['event.action']), ['a4', 'a3', 'a2']);
    } finally {
      await store.close();
    }
  });

  it('finds events past the first page of the list', async () => {
    const store = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix: prefixes.fresh() });
    try {
      const at = (i: number): string => new Date(Date.UTC(2026, 0, 1) + i).toISOString();
      store.events.append({ '@timestamp': at(0), 'event.action': 'the-old-one', 'event.category': 'authentication' });
      for (let i = 1; i <= 2100; i++) store.events.append({ '@timestamp': at(i), 'event.action': 'noise', 'event.category': 'authentication' });
      await store.events.flush();
      assert.deepEqual((await store.events.query({ action: 'the-old-one' })).map((e) => e['@timestamp']), [at(0)]);
      assert.equal((await store.events.query({ limit: 1500 })).length, 1500);
    } finally {
      await store.close();
    }
  });

  it('two stores on one prefix share counts, sets, claims and decisions', async () => {
    const prefix = prefixes.fresh();
    const clock = new ManualClock();
    const a = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix, clock });
    const b = await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix, clock });
    const other = await RedisStore.open({ url: REDIS_URL, secret: `${SECRET}-another`, prefix, clock });
    try {
      await a.increment([{ key: 'login:alice', by: 2, ttlMs: MIN }]);
      assert.deepEqual(await b.increment([{ key: 'login:alice', ttlMs: MIN }]), [3]);
      assert.deepEqual(await other.read(['login:alice']), [0], 'another secret finds nothing: the keys are keyed hashes');
      await a.addDistinct([{ key: 'users-from:x', member: 'alice', ttlMs: MIN }]);
      assert.deepEqual(await b.addDistinct([{ key: 'users-from:x', member: 'bob', ttlMs: MIN }]), [2]);
      assert.equal(await a.claim('code:123456', MIN), true);
      assert.equal(await b.claim('code:123456', MIN), false, 'a code used on one process is used on all');
      const d = await a.decisions.add({ action: 'block', scope: 'range', value: '203.0.113.0/24', expiresAt: clock.now() + MIN, origin: 'test', reason: 'r' });
      assert.deepEqual(await b.decisions.match({ ip: '203.0.113.9' }), [d]);
      assert.equal(await b.decisions.delete(d.id), true);
      assert.deepEqual(await a.decisions.match({ ip: '203.0.113.9' }), []);
    } finally {
      await a.close();
      await b.close();
      await other.close();
    }
  });

  it('works on a client of the caller\u2019s, and leaves it open at close; refuses a short secret', async () => {
    const client = new Redis(REDIS_URL, { enableOfflineQueue: false, commandTimeout: 1000, lazyConnect: true });
    await client.connect();
    try {
      const store = await RedisStore.open({ client, secret: SECRET, prefix: prefixes.fresh() });
      assert.deepEqual(await store.increment([{ key: 'k', ttlMs: MIN }]), [1]);
      await store.close();
      assert.equal(await client.ping(), 'PONG', 'the caller\u2019s client is still open');
      await assert.rejects(() => RedisStore.open({ client, secret: 'too short' }), (err) => isMamoriError(err, 'MAMORI_ERR_CONFIG_SECRET'));
    } finally {
      client.disconnect();
    }
  });

  it('without a clock reads Redis\u2019s time, and says so by having none', async () => {
    const { store } = await counting(prefixes.fresh(), null);
    try {
      assert.equal(store.clock, undefined);
      assert.deepEqual(await store.increment([{ key: 'k', ttlMs: MIN }, { key: 'k', ttlMs: MIN }]), [1, 2]);
      const d = await store.decisions.add({ action: 'block', scope: 'ip', value: '192.0.2.1', expiresAt: Date.now() + MIN, origin: 'test', reason: 'r' });
      assert.ok(Math.abs(d.createdAt - Date.now()) < MIN, 'createdAt is Redis\u2019s time (this machine\u2019s)');
      assert.deepEqual(await store.decisions.match({ ip: '192.0.2.1' }), [d]);
      assert.equal(await store.claim('once', MIN), true);
      assert.equal(await store.claim('once', MIN), false);
    } finally {
      await store.close();
    }
  });
});
