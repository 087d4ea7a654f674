/**
 * End to end: two mamori proxies in front of one site, sharing one Redis. A
 * brute force on one account whose attempts alternate between the proxies
 * (as a round-robin load balancer would send them) is stopped at the sixth
 * attempt, as against one proxy; the site sees five.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuard, defaultConfig, MemoryStore, startMamoriProxy, type Guard, type Store } from 'mamori';
import { RedisStore } from './redis-store.js';
import { Prefixes, REDIS_URL, SECRET, redisSkip } from './test-kit.js';

const skip = await redisSkip();
const prefixes = new Prefixes();
after(() => prefixes.sweep());

/** The site: every login fails (401); counts the attempts that reach it. */
async function site(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/login') hits++;
      res.writeHead(401, { 'content-type': 'text/plain' }).end('wrong email or password');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const LOGINS = { logins: [{ path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }] };

/** Eight wrong passwords for one account, alternating between two proxies on the stores `open` gives: their statuses, and how many reached the site. */
async function attack(open: () => Promise<Store>): Promise<{ statuses: number[]; hits: number }> {
  const up = await site();
  const guards: Guard[] = [];
  const proxies: Awaited<ReturnType<typeof startMamoriProxy>>[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const guard = createGuard(defaultConfig(LOGINS as never), { store: await open(), secret: Buffer.from(SECRET) });
      guards.push(guard);
      proxies.push(await startMamoriProxy({ guard, upstream: up.url }));
    }
    const statuses: number[] = [];
    for (let i = 1; i <= 8; i++) {
      const res = await fetch(`${proxies[i % 2]!.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `email=alice%40example.com&password=guess-${i}`,
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    return { statuses, hits: up.hits() };
  } finally {
    for (const p of proxies) await p.close();
    for (const g of guards) {
      await g.close();
      await g.store.close();
    }
    await up.close();
  }
}

describe('two mamori proxies on one Redis', { skip }, () => {
  it('stop a brute force split between them at the sixth attempt, as one proxy does', async () => {
    const prefix = prefixes.fresh();
    const shared = await attack(() => RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix }));
    assert.deepEqual(shared.statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    assert.equal(shared.hits, 5, 'the site saw five attempts, not eight');
    // Without shared state each proxy counts half the attack: all eight get through.
    const apart = await attack(async () => new MemoryStore());
    assert.deepEqual(apart.statuses, [401, 401, 401, 401, 401, 401, 401, 401]);
    assert.equal(apart.hits, 8);
  });
});
