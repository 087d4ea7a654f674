/**
 * A device's line for its trusted rounds (LoginGuard's turn, S19T-1): one trusted round of a
 * device at a time in a process, and the line's bounds: a long line or a round that holds its
 * turn past a second sends the attempt to the untrusted round instead of waiting, so that a
 * flood with a cookie, or a store call that hangs, cannot hold that cookie's other attempts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { SeededRandom } from '../core/random.js';
import { MemoryStore } from '../core/memory-store.js';
import type { Store } from '../core/store.js';
import { LOGIN_DEFAULTS } from '../config/config.js';
import { LoginGuard } from './login.js';

const SECRET = Buffer.from('login-turn-test-secret-0123456789abcdef');
const U = 'owner@example.com';

function setup(hang?: { first: Promise<void> }) {
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock, random: new SeededRandom(3), maxCounterBytes: 1 << 22 });
  let calls = 0;
  let active = 0;
  let most = 0;
  // Increments with the device's day counter ('d') are trusted rounds: how many run at once.
  const store: Store = {
    name: memory.name,
    clock: memory.clock,
    decisions: memory.decisions,
    events: memory.events,
    increment: async (ops) => {
      const trusted = ops.some((o) => o.key[1] === 'd');
      if (trusted) {
        active++;
        most = Math.max(most, active);
      }
      try {
        if (trusted && calls++ === 0 && hang) await hang.first;
        await new Promise((r) => setImmediate(r));
        return await memory.increment(ops);
      } finally {
        if (trusted) active--;
      }
    },
    read: (keys) => memory.read(keys),
    reset: (keys) => memory.reset(keys),
    addDistinct: (ops) => memory.addDistinct(ops),
    removeDistinct: (ops) => memory.removeDistinct(ops),
    claim: (key, ttlMs) => memory.claim(key, ttlMs),
    close: () => memory.close(),
  };
  const guard = new LoginGuard(LOGIN_DEFAULTS, { store, clock, random: new SeededRandom(5), secret: SECRET, events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
  return { guard, most: () => most };
}

describe("a device's line for its trusted rounds", () => {
  it('one trusted round of a device at a time; a burst past the line is counted untrusted, and the other device stays trusted', async () => {
    const t = setup();
    const mine = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    const other = (await t.guard.report({ ip: '192.0.2.11', username: U }, true)).deviceToken!;
    const burst = Array.from({ length: 2000 }, (_, i) => ({ ip: `198.51.100.${(i % 200) + 1}`, username: U, deviceToken: other }));
    const verdicts = await Promise.all([...burst.map((a) => t.guard.check(a)), t.guard.check({ ip: '192.0.2.10', username: U, deviceToken: mine })]);
    // At most one of the burst's rounds ran trusted at a time, plus the owner's own device.
    assert.ok(t.most() <= 2, `${t.most()} trusted rounds at once`);
    const trusted = verdicts.slice(0, -1).filter((v) => v.trustedDevice).length;
    // The line holds 16 waiting: the rest were counted untrusted at once.
    assert.ok(trusted >= 1 && trusted <= 17, `${trusted} of the burst trusted`);
    assert.equal(verdicts.at(-1)!.trustedDevice, true);
    assert.equal(verdicts.at(-1)!.action, 'allow');
  });

  it("a round that holds its turn past a second does not hold the device's next attempt", async () => {
    let open!: () => void;
    const first = new Promise<void>((r) => (open = r));
    const t = setup({ first });
    const tok = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    const stuck = t.guard.check({ ip: '192.0.2.10', username: U, deviceToken: tok });
    await new Promise((r) => setTimeout(r, 1100));
    // (the held round ends only when open() is called below: had the next attempt waited for its
    // turn, it would still be pending when the race's 10 s are up)
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([t.guard.check({ ip: '192.0.2.12', username: U, deviceToken: tok }), new Promise<'waited'>((r) => (timer = setTimeout(() => r('waited'), 10_000)))]);
    clearTimeout(timer);
    assert.notEqual(next, 'waited', 'the next attempt waited for the held turn');
    assert.equal(next !== 'waited' && next.trustedDevice, false, 'counted as untrusted');
    open();
    assert.equal((await stuck).trustedDevice, true);
  });
});
