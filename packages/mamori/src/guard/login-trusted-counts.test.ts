/**
 * What a trusted device's login writes: its pair's count and its day's budgets, nothing of the
 * account's, the site's, the source's or a password's. Before, its check added 0 to the account's
 * and the site's counts, which made them (empty) when absent: the account's window then opened at
 * the owner's login, and an attacker's failures late in it were forgotten with it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { SeededRandom } from '../core/random.js';
import { MemoryStore } from '../core/memory-store.js';
import type { CounterOp, Store } from '../core/store.js';
import { LOGIN_DEFAULTS } from '../config/config.js';
import { LoginGuard, type LoginAttempt } from './login.js';

const SECRET = Buffer.from('test-secret-test-secret-test-secret!');
const HOUR = 3_600_000;

function setup() {
  const clock = new ManualClock();
  const memory = new MemoryStore({ clock, random: new SeededRandom(7), maxCounterBytes: 1 << 20 });
  // Every increment the guard asks for, by key.
  const increments: CounterOp[] = [];
  const store: Store = {
    name: memory.name,
    clock: memory.clock,
    decisions: memory.decisions,
    events: memory.events,
    increment: (ops) => (increments.push(...ops), memory.increment(ops)),
    read: (keys) => memory.read(keys),
    reset: (keys) => memory.reset(keys),
    addDistinct: (ops) => memory.addDistinct(ops),
    removeDistinct: (ops) => memory.removeDistinct(ops),
    claim: (key, ttlMs) => memory.claim(key, ttlMs),
    close: () => memory.close(),
  };
  const guard = new LoginGuard(LOGIN_DEFAULTS, { store, clock, random: new SeededRandom(9), secret: SECRET, events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
  return { clock, store, guard, increments };
}

async function trustedDevice(guard: LoginGuard, owner: LoginAttempt): Promise<LoginAttempt> {
  const { deviceToken } = await guard.report({ ...owner }, true);
  assert.ok(deviceToken);
  return { ...owner, deviceToken };
}

describe('login protection: what a trusted device counts', () => {
  it('a trusted login touches only its pair and its day budgets', async () => {
    const { guard, increments } = setup();
    const owner = { ip: '192.0.2.10', username: 'olivia', password: 'correct horse' };
    const a = await trustedDevice(guard, owner);
    const keys = guard.counterKeys(a);
    increments.length = 0;
    assert.equal((await guard.check(a)).trustedDevice, true);
    await guard.report(a, true);
    const touched = new Set(increments.map((op) => op.key));
    assert.ok(touched.has(keys.userSource), 'the pair is counted (a reservation)');
    assert.ok(!touched.has(keys.user), 'no op on the account count');
    assert.ok(!touched.has(keys.spray!), 'no op on the password count');
    assert.ok(![...touched].some((k) => /^lw/.test(k)), `no op on a site window: ${[...touched].join(' ')}`);
    assert.ok(increments.every((op) => op.by !== 0), 'no op adds 0');
  });

  it("the owner's trusted login does not open the account's window: failures late in it still count after it", async () => {
    const { guard, clock } = setup();
    const owner = { ip: '192.0.2.10', username: 'peggy' };
    const a = await trustedDevice(guard, owner);
    assert.equal((await guard.check(a)).trustedDevice, true);
    await guard.report(a, true);
    // An attacker's failures from many sources, an hour before a day from the owner's login.
    clock.advance(LOGIN_DEFAULTS.user.windowMs - HOUR);
    for (let i = 0; i < LOGIN_DEFAULTS.user.challengeAfter; i++) {
      const x = { ip: `198.51.100.${i + 1}`, username: 'peggy', password: `guess-${i}` };
      if ((await guard.check(x)).action === 'allow') await guard.report(x, false);
    }
    // Two hours later: past a day from the owner's login, within one from the first failure.
    clock.advance(2 * HOUR);
    const v = await guard.check({ ip: '203.0.113.77', username: 'peggy', password: 'another' });
    assert.equal(v.action, 'challenge', 'the account is still challenged');
    assert.equal(v.ruleId, 'login.user');
  });

  it("a trusted success still reads the account's failures for the owner's notice", async () => {
    const events: string[] = [];
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, random: new SeededRandom(7), maxCounterBytes: 1 << 20 });
    const guard = new LoginGuard(LOGIN_DEFAULTS, { store, clock, random: new SeededRandom(9), secret: SECRET, events: { emit: (e) => events.push(e['event.action']) }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
    const a = await trustedDevice(guard, { ip: '192.0.2.10', username: 'quentin' });
    for (let i = 0; i < LOGIN_DEFAULTS.notifyAfterFailures; i++) {
      const x = { ip: `198.51.100.${i + 1}`, username: 'quentin', password: `guess-${i}` };
      if ((await guard.check(x)).action === 'allow') await guard.report(x, false);
    }
    events.length = 0;
    assert.equal((await guard.check(a)).trustedDevice, true);
    await guard.report(a, true);
    assert.ok(events.includes('login-success-after-failures'), events.join(' '));
  });
});
