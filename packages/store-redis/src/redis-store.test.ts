import { after } from 'node:test';
import { ManualClock, runStoreConformance } from 'mamori/testing';
import { RedisStore } from './redis-store.js';
import { Prefixes, REDIS_URL, SECRET, redisSkip } from './test-kit.js';

const skip = await redisSkip();
const prefixes = new Prefixes();
after(() => prefixes.sweep());

if (!skip) {
  const open = (clock: ManualClock, prefix: string, maxDecisions?: number) =>
    RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix, clock, ...(maxDecisions ? { maxDecisions } : {}) });
  runStoreConformance('redis', async ({ clock }) => open(clock, prefixes.fresh()), {
    reopen: async ({ clock }) => open(clock, prefixes.last),
    makeWithMaxDecisions: async ({ clock }, max) => open(clock, prefixes.fresh(), max),
  });
}
