/**
 * Card testing split over two checkout guards on one Redis: the attack's
 * numbers, from one source, alternate between the guards (as a load balancer
 * sends them). What reaches the gateway, and the first refusal, are as
 * against one guard.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, type Store } from 'mamori';
import { ManualClock } from 'mamori/testing';
import { CheckoutGuard, luhnValid } from 'mamori/internal';
import { RedisStore } from './redis-store.js';
import { Prefixes, REDIS_URL, SECRET, redisSkip } from './test-kit.js';

const skip = await redisSkip();
const prefixes = new Prefixes();
after(() => prefixes.sweep());

const ATTEMPTS = 40;

/** A Luhn-valid 16-digit number of the BIN, its account digits from `n`. */
function card(bin: string, n: number): string {
  const body = (bin + String(n).padStart(15 - bin.length, '0')).slice(0, 15);
  for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

/** The attack through guards[i % n], every authorization declined: each attempt's verdict, and how many reached the gateway. */
async function attack(open: (clock: ManualClock) => Promise<Store[]>): Promise<{ verdicts: string[]; gateway: number }> {
  const clock = new ManualClock();
  const stores = await open(clock);
  const guards = stores.map((store) => new CheckoutGuard({}, { store, clock, secret: Buffer.from(SECRET), events: { emit: () => {} }, cardKey: Buffer.alloc(32, 9) }));
  const verdicts: string[] = [];
  let gateway = 0;
  try {
    for (let i = 0; i < ATTEMPTS; i++) {
      clock.advance(2000);
      const g = guards[i % guards.length]!;
      // Numbers far apart in one BIN (a list bought or generated), each with a guessed expiry.
      const p = await g.check({ ip: '198.51.100.23', card: { number: card('453201', 7919 * (i + 1)), expMonth: 1 + (i % 12), expYear: 2028 }, amount: 300, currency: 'JPY' });
      verdicts.push(p.verdict.action);
      if (p.verdict.action === 'allow' || p.verdict.action === 'step-up') {
        gateway++;
        await g.report(p, { approved: false, declineCode: 'invalid_number' });
      }
    }
    return { verdicts, gateway };
  } finally {
    for (const s of stores) await s.close();
  }
}

describe('checkout guards sharing one Redis', { skip }, () => {
  it('stop card testing split over two guards as one guard does', async () => {
    const one = await attack(async (clock) => [new MemoryStore({ clock })]);
    assert.ok(one.gateway < ATTEMPTS / 2, `one guard lets ${one.gateway} of ${ATTEMPTS} reach the gateway`);
    const prefix = prefixes.fresh();
    const open = (clock: ManualClock): Promise<RedisStore> => RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix, clock });
    const two = await attack(async (clock) => [await open(clock), await open(clock)]);
    assert.deepEqual(two.verdicts, one.verdicts, 'the same verdict at every attempt');
    assert.equal(two.gateway, one.gateway);
    const apart = await attack(async (clock) => [new MemoryStore({ clock }), new MemoryStore({ clock })]);
    console.log(`card testing, ${ATTEMPTS} numbers: ${one.gateway} reach the gateway through one guard, ${two.gateway} through two on one Redis, ${apart.gateway} through two apart; verdicts ${one.verdicts.join(' ')}`);
    assert.ok(apart.gateway > one.gateway, `two guards apart let ${apart.gateway} through, one ${one.gateway}`);
  });
});
