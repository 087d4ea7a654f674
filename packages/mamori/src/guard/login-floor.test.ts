import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { SeededRandom } from '../core/random.js';
import { MemoryStore } from '../core/memory-store.js';
import type { SecurityEvent } from '../core/events.js';
import { LOGIN_DEFAULTS } from '../config/config.js';
import { LoginGuard } from './login.js';

const SECRET = Buffer.from('test-secret-test-secret-test-secret!');
const DAY = 86_400_000;

/** A guard on a small memory store, and a flood that fills its table with accounts' counts of `by` failures each. */
function setup() {
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  const store = new MemoryStore({ clock, random: new SeededRandom(3), maxCounterBytes: 64 * 1024 });
  const events: SecurityEvent[] = [];
  const guard = new LoginGuard(LOGIN_DEFAULTS, { store, clock, random: new SeededRandom(4), secret: SECRET, events: { emit: (e) => events.push(e) }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
  // Keys of the kind the guard counts an account's failures under ('l' namespace, 'u': the account), as a
  // flood of failing accounts leaves them: the table does not know who wrote them.
  // Until the first eviction, so that the floor is `by` (a key made anew after it starts from the floor).
  const flood = async (by: number) => {
    for (let i = 0; i < 100_000 && store.floorOf('lu') === 0; i++) await store.increment([{ key: `lu:flood:${i}`, by, ttlMs: DAY, floor: true }]);
  };
  return { clock, store, guard, events, flood };
}

describe('login protection: a floor a flood raised is said in the events it causes', () => {
  it('a challenge of an account the attacker never touched names the floor', async () => {
    const { guard, events, flood, store } = setup();
    await flood(LOGIN_DEFAULTS.user.challengeAfter);
    const floor = (await store.floors()).find((f) => f.kind === 'lu');
    assert.equal(floor?.count, LOGIN_DEFAULTS.user.challengeAfter, 'the flood raised the accounts\' floor');
    const v = await guard.check({ ip: '192.0.2.10', username: 'never-attacked@example.com' });
    assert.equal(v.action, 'challenge');
    assert.equal(v.ruleId, 'login.user');
    assert.doesNotMatch(v.reason, /floor/, "the verdict's reason (the page) is the account's count");
    const e = events.find((x) => x['event.action'] === 'login-challenged');
    assert.equal(e?.['mamori.counter_floor'], floor.count);
    assert.match(e!['event.reason']!, new RegExp(`a flood has left the counter table a floor of ${floor.count} \\(mamori counters floors\\): if this account's count was evicted during it, up to ${floor.count} of these may not be its own`));
  });

  it("an account closed by the floor says so on its decision and its event", async () => {
    const { guard, events, flood, store } = setup();
    await flood(LOGIN_DEFAULTS.user.closeAfter - 1);
    const floor = (await store.floors()).find((f) => f.kind === 'lu')!;
    assert.equal(floor.count, LOGIN_DEFAULTS.user.closeAfter - 1);
    const a = { ip: '192.0.2.11', username: 'first-typo@example.com', challengePassed: true };
    const v = await guard.check(a);
    assert.equal(v.action, 'allow', 'a challenge passed');
    await guard.report(a, false);
    const closed = events.find((x) => x['event.action'] === 'account-closed');
    assert.equal(closed?.['mamori.counter_floor'], floor.count);
    assert.match(closed!['event.reason']!, /a flood has left the counter table a floor of \d+/);
    const [d] = await store.decisions.list({ scope: 'user' });
    assert.match(d!.reason, /after \d+ failures; a flood has left the counter table a floor of \d+ .*may not be its own/);
  });

  it('without a flood nothing is said of floors', async () => {
    const { guard, events, store } = setup();
    const a = { ip: '192.0.2.12', username: 'hammered@example.com' };
    for (let i = 0; i < LOGIN_DEFAULTS.user.challengeAfter; i++) {
      await guard.check({ ...a, ip: `192.0.2.${20 + i}`, challengePassed: true });
      await guard.report({ ...a, ip: `192.0.2.${20 + i}` }, false);
    }
    assert.deepEqual(await store.floors(), []);
    const v = await guard.check({ ...a, ip: '192.0.2.99' });
    assert.equal(v.action, 'challenge');
    assert.equal(v.ruleId, 'login.user');
    const e = events.find((x) => x['event.action'] === 'login-challenged');
    assert.ok(e);
    assert.equal(e['mamori.counter_floor'], undefined);
    assert.doesNotMatch(e['event.reason']!, /floor/);
  });
});
