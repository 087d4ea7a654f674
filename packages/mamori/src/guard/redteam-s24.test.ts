/**
 * Red team s24 of b3759a9 (a device's trusted login rounds one at a time per process: LoginGuard
 * #turn, #rounds). bench/redteam/README-s24.md has the findings table.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { SeededRandom } from '../core/random.js';
import { MemoryStore } from '../core/memory-store.js';
import type { CounterOp } from '../core/store.js';
import { LOGIN_DEFAULTS, type LoginProtectionConfig } from '../config/config.js';
import { LoginGuard, type LoginAttempt } from './login.js';

const SECRET = Buffer.from('redteam-s24-secret-0123456789abcdef');
const U = 'owner@example.com';

function setup(over: Partial<LoginProtectionConfig> = {}) {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock, random: new SeededRandom(24), maxCounterBytes: 1 << 24 });
  const dayKeys = new Set<string>();
  const increment = store.increment.bind(store);
  /** When set, decides per call what increment does instead: 'reject' or 'hang' (or undefined to pass). */
  let fault: ((ops: readonly CounterOp[]) => 'reject' | 'hang' | undefined) | undefined;
  store.increment = (ops: readonly CounterOp[]) => {
    for (const op of ops) if (op.key[1] === 'd' || op.key[1] === 't') dayKeys.add(op.key);
    const f = fault?.(ops);
    if (f === 'reject') return Promise.reject(new Error('store down'));
    if (f === 'hang') return new Promise(() => {});
    return increment(ops);
  };
  const guard = new LoginGuard({ ...LOGIN_DEFAULTS, ...over }, { store, clock, random: new SeededRandom(9), secret: SECRET, events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
  const dayCounts = async () => {
    const keys = [...dayKeys];
    const values = await store.read(keys);
    return { device: values.filter((_, i) => keys[i]![1] === 'd'), account: values.filter((_, i) => keys[i]![1] === 't') };
  };
  return { clock, store, guard, dayCounts, setFault: (f: typeof fault) => (fault = f) };
}

/** Resolves to the promise's value, or to 'timeout' after ms. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout;
  return Promise.race([p.finally(() => clearTimeout(timer)), new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]);
}

const touchesDevice = (ops: readonly CounterOp[]) => ops.some((op) => op.key[1] === 'd');

describe('a device\'s trusted rounds one at a time (red team s24, b3759a9)', () => {
  it('a round whose store write rejects ends its turn: the next check with the same cookie goes on, and is trusted', async () => {
    const t = setup();
    const tok = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    let failing = 3;
    t.setFault((ops) => (touchesDevice(ops) && failing-- > 0 ? 'reject' : undefined));
    const bad = Array.from({ length: 3 }, (_, i): LoginAttempt => ({ ip: `192.0.2.${20 + i}`, username: U, deviceToken: tok }));
    const results = await Promise.allSettled(bad.map((a) => t.guard.check(a)));
    assert.ok(results.every((r) => r.status === 'rejected'), 'the store error reaches the caller');
    const next: LoginAttempt = { ip: '192.0.2.10', username: U, deviceToken: tok };
    const v = await within(t.guard.check(next), 2000);
    assert.notEqual(v, 'timeout', 'the chain was released by the failed rounds');
    assert.equal(v !== 'timeout' && v.trustedDevice, true);
    await t.guard.release(next);
    assert.deepEqual((await t.dayCounts()).device, [0]);
  });

  it('a second round (retract, then untrusted) that rejects ends the turn too', async () => {
    const t = setup({ trustedDevice: { ...LOGIN_DEFAULTS.trustedDevice, maxFailuresPerDevice: 1 } });
    const tok = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    await t.guard.report({ ip: '192.0.2.10', username: U, deviceToken: tok }, false);
    // The device's day is used up: the next trusted round finds it, retracts and goes again untrusted; its retract fails.
    let n = 0;
    t.setFault((ops) => (ops.some((op) => (op.by ?? 1) < 0) && n++ === 0 ? 'reject' : undefined));
    await assert.rejects(t.guard.check({ ip: '192.0.2.10', username: U, deviceToken: tok }));
    const v = await within(t.guard.check({ ip: '192.0.2.10', username: U, deviceToken: tok }), 2000);
    assert.notEqual(v, 'timeout');
  });

  it("an attacker without the owner's cookie does not wait in the owner's line, nor delay it: a hung round of another device leaves the owner's device alone", async () => {
    const t = setup();
    const owner = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    const other = (await t.guard.report({ ip: '192.0.2.11', username: U }, true)).deviceToken!;
    // The other device's rounds hang (a store call that never answers).
    let hung = 0;
    t.setFault((ops) => (ops.some((op) => op.key[1] === 'd') && hung++ < 1 ? 'hang' : undefined));
    void t.guard.check({ ip: '203.0.113.1', username: U, deviceToken: other });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(hung, 1, "the other device's round hangs");
    // A forged, expired or other account's token is no device: it never enters a line.
    const forged = Array.from({ length: 2000 }, (_, i): LoginAttempt => ({ ip: `203.0.113.${(i % 200) + 2}`, username: U, deviceToken: owner.slice(0, -2) + (owner.endsWith('AA') ? 'AB' : 'AA') }));
    const flood = forged.map((a) => t.guard.check(a));
    const v = await within(t.guard.check({ ip: '192.0.2.10', username: U, deviceToken: owner }), 2000);
    assert.notEqual(v, 'timeout');
    assert.equal(v !== 'timeout' && v.trustedDevice, true);
    await Promise.all(flood);
  });

  it('S24R-1: a store call that never answers closes the device to logins in this process for good (every later check of that cookie waits behind it)', async () => {
    // The store's own time limit bounds it (the Redis store's commandTimeoutMs, 1 s by default);
    // a store or client without one leaves the device's line blocked. Before b3759a9 only the one
    // check waited.
    const t = setup();
    const tok = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    let hung = 0;
    t.setFault((ops) => (touchesDevice(ops) && hung++ < 1 ? 'hang' : undefined));
    void t.guard.check({ ip: '192.0.2.10', username: U, deviceToken: tok });
    const v = await within(t.guard.check({ ip: '192.0.2.10', username: U, deviceToken: tok }), 1500);
    assert.notEqual(v, 'timeout', "the owner's next login waits for ever");
  });

  it('a flood of parallel checks with one cookie takes time linear in its size (no quadratic chain), and the line is emptied', async () => {
    const t = setup({
      user: { ...LOGIN_DEFAULTS.user, challengeAfter: 1e9, closeAfter: 1e9 },
      userSource: { ...LOGIN_DEFAULTS.userSource, challengeAfter: 1e9, blockAfter: 1e9 },
    });
    const tok = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    const run = async (n: number) => {
      const as = Array.from({ length: n }, (_, i): LoginAttempt => ({ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, username: U, deviceToken: tok }));
      const t0 = performance.now();
      const vs = await Promise.all(as.map((a) => t.guard.check(a)));
      const ms = performance.now() - t0;
      const trusted = vs.filter((v) => v.trustedDevice).length;
      await Promise.all(as.map((a) => t.guard.release(a)));
      await t.guard.settle();
      return { ms, trusted };
    };
    await run(2000); // warm up
    const small = await run(5_000);
    const large = await run(20_000);
    assert.ok(small.trusted <= LOGIN_DEFAULTS.trustedDevice.maxFailuresPerDevice && large.trusted <= LOGIN_DEFAULTS.trustedDevice.maxFailuresPerDevice);
    // (how long each took is printed, not asserted: timed assertions do not belong in tests; bench/redteam/README-s24.md has the figures)
    console.log(`# 5,000 checks: ${small.ms.toFixed(0)} ms; 20,000: ${large.ms.toFixed(0)} ms`);
    // The owner, after the flood, is not held back by it (the line was emptied).
    const v = await within(t.guard.check({ ip: '192.0.2.10', username: U, deviceToken: tok }), 1000);
    assert.notEqual(v, 'timeout');
  });

  it("S24R-2: a stolen cookie's flood whose attempts are challenged (refunded, so the device's day never fills and #spent is never set) puts every one of them in the device's line: the owner's login with that cookie waits for as many store rounds as the flood has in flight", async () => {
    // Defaults: the stolen cookie's guesses are challenged after 5 failures ('5 consecutive failures
    // from this source'); a challenged attempt is refunded, so the device's day stays at 5 and each
    // of the flood's attempts makes a full trusted round, one at a time. With a store 2 ms away,
    // 1,000 in flight held the owner's check 3.5 s (000849d: 0.8 s); the wait grows with the flood.
    const t = setup();
    const tok = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    let calls = 0;
    t.setFault((ops) => {
      if (touchesDevice(ops) && ops.some((op) => (op.by ?? 1) > 0)) calls++;
      return undefined;
    });
    const flood = Array.from({ length: 5000 }, (_, i): LoginAttempt => ({ ip: `10.1.${(i >> 8) & 255}.${i & 255}`, username: U, deviceToken: tok }));
    const ps = flood.map((a) => t.guard.check(a));
    const mine: LoginAttempt = { ip: '192.0.2.10', username: U, deviceToken: tok };
    await t.guard.check(mine);
    // The device's trusted rounds that ran before the owner's: at most the budget and one that found it spent.
    assert.ok(calls <= LOGIN_DEFAULTS.trustedDevice.maxFailuresPerDevice + 2, `${calls} trusted rounds`);
    await Promise.all(ps);
  });

  it('budgets hold with the line: 20 trusted failures a device a day, 50 for the account, across many devices in parallel bursts', async () => {
    const t = setup({
      user: { ...LOGIN_DEFAULTS.user, challengeAfter: 1e9, closeAfter: 1e9 },
      userSource: { ...LOGIN_DEFAULTS.userSource, challengeAfter: 1e9, blockAfter: 1e9 },
    });
    const toks: string[] = [];
    for (let i = 0; i < 6; i++) toks.push((await t.guard.report({ ip: `192.0.2.${10 + i}`, username: U }, true)).deviceToken!);
    const perDevice = new Map<string, number>();
    let k = 0;
    for (let round = 0; round < 6; round++) {
      const as = Array.from({ length: 300 }, (_, i): LoginAttempt => ({ ip: `10.2.${(k >> 8) & 255}.${k++ & 255}`, username: U, deviceToken: toks[i % toks.length]! }));
      // Some checked twice (the re-check of one attempt), in parallel with the rest.
      const vs = await Promise.all(as.map((a) => t.guard.check(a)));
      const again = await Promise.all(as.map((a, i) => (vs[i]!.action === 'allow' && i % 3 === 0 ? t.guard.check(a) : vs[i]!)));
      await Promise.all(
        as.map((a, i) => {
          const v = again[i]!;
          if (v.action !== 'allow') return undefined;
          if (v.trustedDevice) perDevice.set(a.deviceToken!, (perDevice.get(a.deviceToken!) ?? 0) + 1);
          return t.guard.report(a, false);
        }),
      );
      await t.guard.settle();
      t.clock.advance(60_000);
    }
    const total = [...perDevice.values()].reduce((x, y) => x + y, 0);
    for (const [, n] of perDevice) assert.ok(n <= LOGIN_DEFAULTS.trustedDevice.maxFailuresPerDevice, `a device had ${n} trusted failures`);
    assert.ok(total <= LOGIN_DEFAULTS.trustedDevice.maxFailuresPerAccount, `the account had ${total} trusted failures`);
    const day = await t.dayCounts();
    assert.deepEqual(day.account, [total]);
  });

  it('S24R-3 (fixed in session 25: one check of an attempt at a time): two checks of one attempt object at once, then its release: no reservation is left behind', async () => {
    const t = setup();
    const tok = (await t.guard.report({ ip: '192.0.2.10', username: U }, true)).deviceToken!;
    const a: LoginAttempt = { ip: '192.0.2.10', username: U, deviceToken: tok };
    await Promise.all([t.guard.check(a), t.guard.check(a)]);
    await t.guard.release(a);
    await t.guard.settle();
    const { userSource } = t.guard.counterKeys(a);
    assert.deepEqual(await t.store.read([userSource]), [0], 'the pair count');
    assert.deepEqual((await t.dayCounts()).device, [0], 'the device day');
  });

  it('S24R-3 (fixed in session 25): the same for an untrusted attempt, three checks at once: the pair and the account back to 0', async () => {
    const t = setup();
    const a: LoginAttempt = { ip: '192.0.2.11', username: U };
    await Promise.all([t.guard.check(a), t.guard.check(a), t.guard.check(a)]);
    await t.guard.release(a);
    await t.guard.settle();
    const { userSource, user } = t.guard.counterKeys(a);
    assert.deepEqual(await t.store.read([userSource, user]), [0, 0]);
  });
});
