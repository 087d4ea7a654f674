/**
 * Red team of the trusted device's one-round check (commit f3df55c; bench/redteam/README-trusted-s19.md):
 * the round made as trusted, taken back (retract) and made again as untrusted when the counts its
 * own increments return say the device's day is used up. A stolen cookie sent in parallel bursts,
 * checks repeated on one attempt, releases and reports interleaved; and the owner's other device
 * while the stolen one is over its budget.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { SeededRandom } from '../core/random.js';
import { MemoryStore } from '../core/memory-store.js';
import type { CounterOp } from '../core/store.js';
import { LOGIN_DEFAULTS, type LoginProtectionConfig } from '../config/config.js';
import { LoginGuard, NIST_MAX_FAILURES, type LoginAttempt } from './login.js';

const SECRET = Buffer.from('trusted-round-redteam-secret-0123456789');
const U = 'victim@example.com';

function setup(over: Partial<LoginProtectionConfig> = {}) {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock, random: new SeededRandom(7), maxCounterBytes: 1 << 22 });
  // The device-day keys ('d': a device's, 't': all the account's devices'), as the guard names them.
  const dayKeys = new Set<string>();
  const increment = store.increment.bind(store);
  store.increment = (ops: readonly CounterOp[]) => {
    for (const op of ops) if (op.key[1] === 'd' || op.key[1] === 't') dayKeys.add(op.key);
    return increment(ops);
  };
  const guard = new LoginGuard({ ...LOGIN_DEFAULTS, ...over }, { store, clock, random: new SeededRandom(9), secret: SECRET, events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
  const dayCounts = async () => {
    const keys = [...dayKeys];
    const values = await store.read(keys);
    return { device: values.filter((_, i) => keys[i]![1] === 'd'), account: values.filter((_, i) => keys[i]![1] === 't') };
  };
  return { clock, store, guard, dayCounts };
}

describe('the trusted device in one round, attacked (red team s19, trusted)', () => {
  it("S19T-1: a stolen cookie over its day's budget, sent in parallel, does not push the owner's other device out of trust", async () => {
    // Defaults: 20 failures a day per device, 50 for the account's devices together.
    const t = setup();
    const owner = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    const stolen = (await t.guard.report({ ip: '192.0.2.11', username: U }, true)).deviceToken!;
    // The stolen cookie's day is used up; untrusted guesses from many sources closed the account.
    for (let i = 0; i < 20; i++) await t.guard.report({ ip: '203.0.113.5', username: U, deviceToken: stolen }, false);
    t.clock.advance(3_600_000);
    for (let i = 0; i < 50; i++) await t.guard.report({ ip: `198.51.100.${i + 1}`, username: U }, false);
    assert.deepEqual((await t.dayCounts()).account, [20]);
    // Alone, the owner's device is trusted and gets in.
    const alone = { ip: '192.0.2.10', username: U, deviceToken: owner };
    assert.equal((await t.guard.check(alone)).trustedDevice, true);
    await t.guard.release(alone);
    // The attacker's proxy sends 60 guesses with the stolen cookie at once; the owner logs in meanwhile.
    const burst = Array.from({ length: 60 }, (_, i) => ({ ip: `203.0.113.${i + 10}`, username: U, deviceToken: stolen }));
    const mine = { ip: '192.0.2.10', username: U, deviceToken: owner };
    const verdicts = await Promise.all([...burst.map((a) => t.guard.check(a)), t.guard.check(mine)]);
    assert.ok(verdicts.slice(0, -1).every((v) => v.action === 'block' && !v.trustedDevice), 'the stolen cookie is untrusted, and the account closed to it');
    const v = verdicts.at(-1)!;
    // On f3df55c each of the 60 is counted on the account's device day (60 + 20 >= 50) before it is
    // taken back: the owner's device reads as over the account's budget, untrusted, and closed out.
    assert.equal(v.trustedDevice, true, JSON.stringify(v));
    assert.equal(v.action, 'allow', JSON.stringify(v));
  });

  it("S19T-1, once seen: a stolen cookie found over its day's budget goes straight to the untrusted round, and the owner stays trusted", async () => {
    const t = setup();
    const owner = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    const stolen = (await t.guard.report({ ip: '192.0.2.11', username: U }, true)).deviceToken!;
    for (let i = 0; i < 20; i++) await t.guard.report({ ip: '203.0.113.5', username: U, deviceToken: stolen }, false);
    t.clock.advance(3_600_000);
    for (let i = 0; i < 50; i++) await t.guard.report({ ip: `198.51.100.${i + 1}`, username: U }, false);
    // One guess with the stolen cookie: its round finds the device's own day used up.
    const first = { ip: '203.0.113.9', username: U, deviceToken: stolen };
    assert.equal((await t.guard.check(first)).trustedDevice, false);
    // Then the flood, and the owner among it: the flood no longer counts on the account's device day in flight.
    const burst = Array.from({ length: 60 }, (_, i) => ({ ip: `203.0.113.${i + 10}`, username: U, deviceToken: stolen }));
    const mine = { ip: '192.0.2.10', username: U, deviceToken: owner };
    const verdicts = await Promise.all([...burst.map((a) => t.guard.check(a)), t.guard.check(mine)]);
    assert.ok(verdicts.slice(0, -1).every((v) => !v.trustedDevice));
    const v = verdicts.at(-1)!;
    assert.equal(v.trustedDevice, true, JSON.stringify(v));
    assert.equal(v.action, 'allow', JSON.stringify(v));
  });

  it('parallel bursts with a stolen cookie: never more guesses a day than the budget plus the untrusted limits', async () => {
    const budget = LOGIN_DEFAULTS.trustedDevice.maxFailuresPerDevice;
    for (const plan of [{ seq: 30, bursts: [200, 200, 200] }, { seq: 0, bursts: [300, 300, 300] }, { seq: 0, bursts: Array<number>(40).fill(50) }]) {
      const t = setup();
      const tok = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
      let k = 0;
      let trusted = 0;
      let untrusted = 0;
      const next = (): LoginAttempt => ({ ip: `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k++ & 255}`, username: U, deviceToken: tok, challengePassed: true });
      for (let i = 0; i < plan.seq; i++) {
        const a = next();
        const v = await t.guard.check(a);
        if (v.action === 'allow') {
          if (v.trustedDevice) trusted++;
          else untrusted++;
          await t.guard.report(a, false);
        }
        t.clock.advance(20_000);
      }
      for (const n of plan.bursts) {
        const as = Array.from({ length: n }, next);
        const vs = await Promise.all(as.map((a) => t.guard.check(a)));
        for (const v of vs) if (v.action === 'allow') v.trustedDevice ? trusted++ : untrusted++;
        await Promise.all(as.map((a, i) => (vs[i]!.action === 'allow' ? t.guard.report(a, false) : t.guard.release(a))));
        await t.guard.settle();
        t.clock.advance(20_000);
      }
      assert.ok(trusted <= budget, `${JSON.stringify(plan)}: ${trusted} trusted guesses`);
      assert.ok(untrusted <= NIST_MAX_FAILURES, `${JSON.stringify(plan)}: ${untrusted} untrusted guesses`);
      assert.deepEqual((await t.dayCounts()).device, [trusted], 'the device day holds exactly the trusted failures');
    }
  });

  it('bursts with checks repeated on one attempt, releases, successes and failures: the counts are the failures reported', async () => {
    const t = setup({
      trustedDevice: { ...LOGIN_DEFAULTS.trustedDevice, maxFailuresPerDevice: 3, maxFailuresPerAccount: 8 },
      user: { ...LOGIN_DEFAULTS.user, challengeAfter: 1000, closeAfter: 1000 },
      userSource: { ...LOGIN_DEFAULTS.userSource, challengeAfter: 1000, blockAfter: 1000 },
    });
    const tok = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    let trustedFailures = 0;
    let untrustedFailures = 0;
    for (let round = 0; round < 8; round++) {
      const burst = Array.from({ length: 9 }, (_, i): LoginAttempt => ({ ip: `198.51.100.${1 + (i % 3)}`, username: U, deviceToken: tok }));
      const first = await Promise.all(burst.map((a) => t.guard.check(a)));
      // Every other let-through attempt is checked again before its report (its reservation taken back, made anew).
      const last = await Promise.all(burst.map((a, i) => (first[i]!.action === 'allow' && i % 2 === 1 ? t.guard.check(a) : first[i]!)));
      await Promise.all(
        burst.map((a, i) => {
          const v = last[i]!;
          if (v.action !== 'allow') return undefined;
          if ((i + round) % 4 === 0) return t.guard.release(a);
          if ((i + round) % 4 === 1) return t.guard.report(a, true);
          if (v.trustedDevice) trustedFailures++;
          else untrustedFailures++;
          return t.guard.report(a, false);
        }),
      );
      await t.guard.settle();
    }
    assert.ok(trustedFailures <= 3);
    assert.ok(untrustedFailures > 0, 'the bursts went past the budget');
    const { user } = t.guard.counterKeys({ ip: '198.51.100.1', username: U });
    assert.deepEqual(await t.store.read([user]), [untrustedFailures], "the account's count: its untrusted failures, no more, no fewer");
    const day = await t.dayCounts();
    assert.deepEqual(day.device, [trustedFailures]);
    assert.deepEqual(day.account, [trustedFailures]);
  });
});
