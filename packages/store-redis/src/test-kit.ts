/**
 * For this package's tests (not shipped): the machine's Redis, fresh key
 * prefixes, and their removal afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.MAMORI_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SECRET = 'test-secret-of-at-least-32-bytes!!';

/**
 * Why the tests that need Redis are skipped (false: they run). In CI
 * (MAMORI_REQUIRE_SERVICES=1, where .ci/run starts Redis) a skip would hide a
 * lost test, so it throws instead.
 */
export async function redisSkip(): Promise<string | false> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  let skip: string | false = false;
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    skip = `no Redis at ${REDIS_URL} (${err instanceof Error ? err.message : String(err)}; apt-get install redis-server)`;
  } finally {
    r.disconnect();
  }
  if (skip && process.env.MAMORI_REQUIRE_SERVICES === '1') throw new Error(`CI needs Redis for the Redis store's tests: ${skip}`);
  if (skip) console.log(`# skipping the Redis store's tests: ${skip}`);
  return skip;
}

/** Fresh key prefixes, and a sweep of every key under them. */
export class Prefixes {
  readonly #made: string[] = [];
  fresh(): string {
    const p = `mamori-test:${randomBytes(6).toString('hex')}:`;
    this.#made.push(p);
    return p;
  }
  get last(): string {
    return this.#made[this.#made.length - 1]!;
  }
  async sweep(url = REDIS_URL): Promise<number> {
    const r = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    let n = 0;
    try {
      await r.connect();
      for (const p of this.#made.splice(0)) {
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', `${p}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) n += await r.unlink(...keys);
        } while (cursor !== '0');
      }
    } finally {
      r.disconnect();
    }
    return n;
  }
}
