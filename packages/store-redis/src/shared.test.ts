/**
 * Two guards on one Redis act as one: a brute force on one account, its
 * attempts alternating between them, is stopped at the same attempt as
 * against one guard. And what the store keeps in Redis never names an
 * account, and a login check costs one command.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, defaultConfig, MemoryStore, type Guard, type RequestInfo, type Store } from 'mamori';
import { Redis } from 'ioredis';
import { RedisStore } from './redis-store.js';
import { Prefixes, REDIS_URL, SECRET, redisSkip } from './test-kit.js';

const skip = await redisSkip();
const prefixes = new Prefixes();
after(() => prefixes.sweep());

const MAX_ATTEMPTS = 40;

function info(ip: string): RequestInfo {
  return { ip, method: 'POST', path: '/login', headers: { 'user-agent': 'test' } };
}

/** Wrong passwords for `username`, attempt i through guards[i % n]: the attempt mamori refused first (0: none within MAX_ATTEMPTS). */
async function bruteForce(guards: readonly Guard[], username: string, ipOf: (i: number) => string): Promise<number> {
  for (let i = 1; i <= MAX_ATTEMPTS; i++) {
    const g = guards[i % guards.length]!;
    const p = await g.checkCredentials(info(ipOf(i)), { username, password: `guess-${i}` });
    if (g.enforced(p.verdict)) return i;
    await g.reportCredentials(p, false);
  }
  return 0;
}

async function withGuards<T>(stores: Store[], fn: (guards: Guard[]) => Promise<T>): Promise<T> {
  const guards = stores.map((store) => createGuard(defaultConfig({}), { store, secret: Buffer.from(SECRET) }));
  try {
    return await fn(guards);
  } finally {
    for (const g of guards) await g.close();
    for (const s of stores) await s.close();
  }
}

const redisStore = (prefix: string): Promise<RedisStore> => RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix });

describe('guards sharing one Redis', { skip }, () => {
  for (const [name, ipOf] of [
    ['from one source', () => '192.0.2.10'],
    ['from a new source each attempt', (i: number) => `198.51.100.${i}`],
  ] as const) {
    it(`stop a brute force ${name} split over two guards at the same attempt as one guard`, async () => {
      const alone = await withGuards([new MemoryStore()], (gs) => bruteForce(gs, 'alice@example.com', ipOf));
      assert.ok(alone > 1, `one guard stops the attack (at attempt ${alone})`);
      const oneOnRedis = await withGuards([await redisStore(prefixes.fresh())], (gs) => bruteForce(gs, 'alice@example.com', ipOf));
      assert.equal(oneOnRedis, alone, 'one guard on Redis stops it where one on memory does');
      const prefix = prefixes.fresh();
      const two = await withGuards([await redisStore(prefix), await redisStore(prefix)], (gs) => bruteForce(gs, 'alice@example.com', ipOf));
      assert.equal(two, alone, 'two guards on one Redis stop it at the same attempt');
      // The point: two guards that do not share state let the attacker through twice as long.
      const apart = await withGuards([new MemoryStore(), new MemoryStore()], (gs) => bruteForce(gs, 'alice@example.com', ipOf));
      console.log(`${name}: one guard stops it at attempt ${alone}, two on one Redis at ${two}, two apart at ${apart || "none"}`);
      assert.ok(apart === 0 || apart > alone, `two guards with their own stores stop it later (${apart}) than one (${alone})`);
    });
  }

  it('keeps no account name, member or claimed key in Redis, and checks a login in one command', async () => {
    const prefix = prefixes.fresh();
    const store = await redisStore(prefix);
    const commands: string[] = [];
    const client = store.client;
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((cmd: { name: string }) => {
      commands.push(cmd.name);
      return send(cmd as never);
    }) as typeof client.sendCommand;
    await withGuards([store], async ([g]) => {
      const p = await g!.checkCredentials(info('203.0.113.5'), { username: 'carol@example.com', password: 'wrong' });
      assert.deepEqual(commands, ['evalsha'], 'the check is one script call');
      commands.length = 0;
      await g!.reportCredentials(p, false);
      assert.ok(commands.length <= 2, `the report: ${commands.join(', ')}`);
      await store.claim('single-use:carol@example.com', 60_000);
      await store.addDistinct([{ key: 'users-from:203.0.113.5', member: 'carol@example.com', ttlMs: 60_000 }]);
    });
    const r = new Redis(REDIS_URL);
    try {
      const keys = await r.keys(`${prefix}*`);
      assert.ok(keys.length > 0);
      const dump = [...keys, ...(await Promise.all(keys.map(async (k) => ((await r.type(k)) === 'string' ? ((await r.get(k)) ?? '') : ''))))].join('\n');
      for (const secret of ['carol', 'example.com', 'single-use', 'users-from', '203.0.113.5']) assert.ok(!dump.includes(secret), `Redis holds "${secret}"`);
    } finally {
      r.disconnect();
    }
  });
});
