import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import { SeededRandom } from '../core/random.js';
import { LOGIN_DEFAULTS } from '../config/config.js';
import { LoginGuard } from '../guard/login.js';
import { FLOOD_SHAPES, runFlood } from './flood.js';

const SECRET = Buffer.from('flood-test-secret-flood-test-secret-0123');

/**
 * The flood property at small size (bench/flood.mjs runs it with 10 million keys): a table of
 * 1,024 slots, a flood of 30 times that, in every shape the attacker may choose.
 */
describe('flood: guesses on one account per hour never exceed the account-wide limit', () => {
  let ran = 0;
  for (const shape of FLOOD_SHAPES) {
    it(`${shape}: at most close_after guesses in the hour, and the account stays closed`, async () => {
      const clock = new ManualClock(Date.UTC(2026, 11, 1));
      const store = new MemoryStore({ maxCounterBytes: 16 * 1024, maxDecisions: 200, clock, random: new SeededRandom(3) });
      const guard = new LoginGuard(LOGIN_DEFAULTS, { store, clock, random: new SeededRandom(4), secret: SECRET, events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
      const r = await runFlood({ guard, clock, shape, attempts: 30_000, bursts: 10 });
      assert.ok(store.table.evictions > 10_000, `the table was flooded: ${store.table.evictions} evictions`);
      assert.ok(r.guesses <= r.limit, `${r.guesses} guesses reached the site (limit ${r.limit})`);
      assert.ok(r.guesses >= LOGIN_DEFAULTS.user.challengeAfter, `the attacker did get its guesses up to the limit: ${r.guesses}`);
      assert.equal(r.closedAtEnd, true, 'the account is still closed');
      ran++;
    });
  }
  it('ran every shape', () => assert.equal(ran, FLOOD_SHAPES.length));
});
