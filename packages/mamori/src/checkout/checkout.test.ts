import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import type { SecurityEvent } from '../core/events.js';
import { withCheckDigit } from './card.js';
import { CheckoutGuard, type CheckoutAttempt, type CheckoutPolicy } from './checkout.js';

const SECRET = Buffer.from('checkout-test-secret-0123456789abcdef');

/** The n-th Luhn-valid number of a BIN, its account digits n * step apart. */
function nth(bin: string, n: number, step = 1000): string {
  return withCheckDigit(bin + String(n * step).padStart(15 - bin.length, '0'));
}

function setup(policy: Partial<CheckoutPolicy> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 11, 3, 12));
  const store = new MemoryStore({ clock, maxCounterBytes: 1 << 20 });
  const events: SecurityEvent[] = [];
  const guard = new CheckoutGuard(policy, { store, clock, secret: SECRET, events: { emit: (e) => void events.push(e) } });
  return { clock, store, events, guard };
}

const attempt = (number: string, more: Partial<CheckoutAttempt> = {}): CheckoutAttempt => ({
  ip: '198.51.100.7',
  card: { number, expMonth: 12, expYear: 2029, cvc: '123' },
  amount: 5000,
  currency: 'JPY',
  account: 'alice',
  ...more,
});

describe('CheckoutGuard', () => {
  it('rejects an invalid card before the gateway, and keeps no more of it than BIN and last four', async () => {
    const { guard, events } = setup();
    const p = await guard.check(attempt('4111111111111112'));
    assert.equal(p.verdict.action, 'reject');
    assert.equal(p.verdict.problem, 'luhn');
    assert.equal(events[0]?.['event.action'], 'checkout-rejected');
    assert.equal(events[0]?.['mamori.card.last4'], '1112');
    assert.ok(!JSON.stringify(events).includes('4111111111111112'));
    assert.ok(!/\d{12}/.test(JSON.stringify(events)), 'no run of 12 digits in any event');
  });

  it('lets ordinary customers through: approvals take back what check counted', async () => {
    const { guard } = setup();
    for (let i = 0; i < 30; i++) {
      const p = await guard.check(attempt('4111111111111111'));
      assert.equal(p.verdict.action, 'allow', `purchase ${i + 1}`);
      await guard.report(p, { approved: true });
    }
  });

  it('blocks a card and source after 3 failures in the hour (Hyperswitch: 3 per card and IP)', async () => {
    const { guard, clock } = setup();
    for (let i = 0; i < 3; i++) {
      const p = await guard.check(attempt('4111111111111111', { card: { number: '4111111111111111', expMonth: 12, expYear: 2029 } }));
      assert.equal(p.verdict.action, 'allow');
      await guard.report(p, { approved: false, declineCode: 'do_not_honor' });
    }
    const fourth = await guard.check(attempt('4111111111111111', { card: { number: '4111111111111111', expMonth: 12, expYear: 2029 } }));
    assert.equal(fourth.verdict.action, 'block');
    assert.equal(fourth.verdict.ruleId, 'checkout.failures-card-source');
    const other = await guard.check(attempt('4111111111111111', { ip: '203.0.113.5', card: { number: '4111111111111111', expMonth: 12, expYear: 2029 } }));
    assert.equal(other.verdict.action, 'step-up', 'the same card from elsewhere is not over its own limit yet (its BIN, declined 3 times, asks for 3-D Secure)');
    assert.equal(other.verdict.ruleId, 'checkout.bin-declines');
    clock.advance(3_600_001);
    const later = await guard.check(attempt('4111111111111111', { card: { number: '4111111111111111', expMonth: 12, expYear: 2029 } }));
    assert.equal(later.verdict.action, 'allow', 'the window ended');
  });

  it('holds parallel attempts to the limit: each is counted as a failure before the gateway answers any', async () => {
    const { guard } = setup();
    const c = { number: '5555555555554444', expMonth: 12, expYear: 2029 };
    const ps = await Promise.all(Array.from({ length: 20 }, () => guard.check(attempt('', { card: c }))));
    assert.equal(ps.filter((p) => p.verdict.action === 'allow').length, 3);
    assert.equal(ps.filter((p) => p.verdict.ruleId === 'checkout.failures-card-source').length, 17);
  });

  it('counts distinct cards per source, a guest weighing more, and blocks the source with a decision', async () => {
    const { guard, store, events } = setup();
    const guest = (n: number) => guard.check(attempt(nth('41111111', n), { account: undefined }));
    const actions: string[] = [];
    for (let n = 1; n <= 5; n++) {
      const p = await guest(n);
      actions.push(p.verdict.action);
      if (p.verdict.action === 'allow') await guard.report(p, { approved: false, declineCode: 'card_declined' });
    }
    // Guest weight 1.5: 2 cards weigh 3 (challenge), 4 weigh 6 (block).
    assert.deepEqual(actions, ['allow', 'challenge', 'challenge', 'block', 'block']);
    const d = await store.decisions.match({ ip: '198.51.100.7' });
    assert.equal(d.length, 1);
    assert.equal(d[0]!.origin, 'guard.checkout');
    assert.ok(events.some((e) => e['event.action'] === 'card-testing'));
    // The decision now refuses the source before anything else is read.
    const next = await guard.check(attempt('4111111111111111'));
    assert.equal(next.verdict.action, 'block');
    assert.match(next.verdict.ruleId!, /^decision:/);
  });

  it('a logged-in customer with several cards is held to the plain thresholds', async () => {
    const { guard } = setup();
    const actions: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const p = await guard.check(attempt(nth('55555555', n)));
      actions.push(p.verdict.action);
      if (p.verdict.action === 'allow') await guard.report(p, { approved: true });
    }
    assert.deepEqual(actions, ['allow', 'allow', 'challenge']);
  });

  it('a solved challenge buys the attempt past a challenge, never past a block', async () => {
    const { guard } = setup();
    for (let n = 1; n <= 2; n++) await guard.check(attempt(nth('52000000', n), { account: undefined }));
    const challenged = await guard.check(attempt(nth('52000000', 3), { account: undefined }));
    assert.equal(challenged.verdict.action, 'challenge');
    const solved = await guard.check(attempt(nth('52000000', 3), { account: undefined, challengePassed: true }));
    assert.equal(solved.verdict.action, 'allow');
    const blocked = await guard.check(attempt(nth('52000000', 4), { account: undefined, challengePassed: true }));
    assert.equal(blocked.verdict.action, 'block');
  });

  it('blocks one card tried with many expiry dates or security codes', async () => {
    const { guard } = setup();
    const actions: string[] = [];
    for (const [m, cvc] of [[1, '111'], [2, '111'], [2, '222']] as const) {
      const p = await guard.check(attempt('', { ip: `203.0.113.${m}${cvc[0]}`, card: { number: '3530111333300000', expMonth: m, expYear: 2029, cvc } }));
      actions.push(p.verdict.ruleId ?? p.verdict.action);
    }
    assert.deepEqual(actions, ['allow', 'allow', 'checkout.card-variants']);
  });

  it('sees numbers walked in sequence through a BIN, from different sources', async () => {
    const { guard } = setup();
    const rules: string[] = [];
    for (let n = 0; n < 3; n++) {
      const p = await guard.check(attempt(nth('45454545', 500 + n, 1), { ip: `192.0.2.${10 + n}` }));
      rules.push(p.verdict.ruleId ?? 'allow');
    }
    assert.deepEqual(rules, ['allow', 'allow', 'checkout.sequence']);
  });

  it('challenges guests on a BIN hit from many sources, and steps up a BIN hit by many cards', async () => {
    const { guard } = setup({ bin: { windowMs: 600_000, stepUpAtCards: 6, stepUpAtDeclines: 1000, challengeAtSources: 4 } });
    const verdicts: string[] = [];
    for (let n = 1; n <= 6; n++) {
      const p = await guard.check(attempt(nth('41414141', n, 100_000), { ip: `198.18.${n}.1`, account: n % 2 ? undefined : `user${n}` }));
      verdicts.push(`${p.verdict.action}:${p.verdict.ruleId ?? ''}`);
    }
    assert.deepEqual(verdicts, ['allow:', 'allow:', 'allow:', 'allow:', 'challenge:checkout.bin-sources', 'step-up:checkout.bin-cards']);
  });

  it('a BIN many real customers share, each paying, is not taken for one under attack', async () => {
    const { guard } = setup();
    for (let n = 1; n <= 30; n++) {
      const p = await guard.check(attempt(nth('42424242', n, 100_000), { ip: `198.18.${n}.7`, account: undefined }));
      assert.equal(p.verdict.action, 'allow', `customer ${n}: ${p.verdict.ruleId}`);
      await guard.report(p, { approved: true });
    }
  });

  it('does not pause guest checkout for declines of payments it stepped up (3-D Secure failed: no authorization)', async () => {
    const { guard, events } = setup({ declines: { sourceMin: 1000, sourceRatio: 1, siteWindowMs: 600_000, siteMin: 5, siteRatio: 0.5, pauseMs: 900_000 } });
    for (let n = 0; n < 20; n++) {
      const p = await guard.check(attempt(nth('49490000', n, 100_000), { ip: `100.66.${n}.1`, account: `b${n}` }));
      await guard.report(p, { approved: false });
    }
    // The first 3 declines are authorizations; then the BIN steps up, and its declines do not count.
    assert.equal(events.filter((e) => e['event.action'] === 'checkout-paused').length, 0);
    assert.equal((await guard.check(attempt('4111111111111111', { ip: '100.67.0.1', account: undefined }))).verdict.ruleId, undefined);
  });

  it('steps every checkout with a BIN up to 3-D Secure once its cards were declined 3 times in 10 minutes', async () => {
    const { guard } = setup();
    const rules: string[] = [];
    for (let n = 1; n <= 4; n++) {
      const p = await guard.check(attempt(nth('49490000', n, 100_000), { ip: `198.18.${n}.9`, account: `buyer${n}` }));
      rules.push(p.verdict.ruleId ?? 'allow');
      await guard.report(p, { approved: false, declineCode: 'do_not_honor' });
    }
    assert.deepEqual(rules, ['allow', 'allow', 'allow', 'checkout.bin-declines']);
    const other = await guard.check(attempt('4111111111111111', { ip: '198.18.9.9', account: 'someone' }));
    assert.equal(other.verdict.action, 'allow', 'another BIN pays on');
  });

  it('steps a guest up to 3-D Secure for a very small amount; a customer pays on', async () => {
    const { guard } = setup();
    const guest = await guard.check(attempt('4111111111111111', { account: undefined, amount: 50 }));
    assert.equal(guest.verdict.action, 'step-up');
    assert.equal(guest.verdict.ruleId, 'checkout.small-amount');
    const customer = await guard.check(attempt('4242424242424242', { amount: 50 }));
    assert.equal(customer.verdict.action, 'allow');
  });

  it('pauses guest checkout site-wide when most payments are declined, and says so once', async () => {
    const { guard, events } = setup({ declines: { sourceMin: 1000, sourceRatio: 1, siteWindowMs: 600_000, siteMin: 10, siteRatio: 0.5, pauseMs: 900_000 } });
    for (let n = 0; n < 12; n++) {
      // Each from its own BIN, so that no BIN steps up to 3-D Secure first.
      const p = await guard.check(attempt(nth(`49${String(n).padStart(4, '0')}`, n, 10_000), { ip: `100.64.${n}.1`, account: `buyer${n}` }));
      await guard.report(p, { approved: false, declineCode: 'insufficient_funds' });
    }
    assert.equal(events.filter((e) => e['event.action'] === 'checkout-paused').length, 1);
    const g = await guard.check(attempt('4111111111111111', { ip: '100.65.0.1', account: undefined }));
    assert.equal(g.verdict.action, 'block');
    assert.equal(g.verdict.ruleId, 'checkout.paused');
    const c = await guard.check(attempt('4111111111111111', { ip: '100.65.0.2', account: 'carol' }));
    assert.equal(c.verdict.action, 'allow', 'customers who are logged in still pay');
  });

  it('the circuit breaker counts payments the gateway answered: free rejects cannot dilute it, nor a window boundary split it', async () => {
    const declines = { sourceMin: 1000, sourceRatio: 1, siteWindowMs: 600_000, siteMin: 10, siteRatio: 0.5, pauseMs: 900_000 };
    const { guard, clock, events } = setup({ declines });
    // Ten minutes are cut at a round 10: start just before a boundary.
    clock.set(Math.ceil(clock.now() / 600_000) * 600_000 - 30_000);
    for (let n = 0; n < 12; n++) {
      // Two Luhn-invalid numbers (rejected by mamori, no fee) beside each real decline.
      for (let k = 0; k < 2; k++) await guard.check(attempt('4111111111111112', { ip: `100.70.${n}.${k}`, account: `pad${n}${k}` }));
      const p = await guard.check(attempt(nth(`49${String(n).padStart(4, '0')}`, n, 10_000), { ip: `100.71.${n}.1`, account: `buyer${n}` }));
      await guard.report(p, { approved: false });
      clock.advance(5_000); // 6 before the boundary, 6 after it
    }
    assert.equal(events.filter((e) => e['event.action'] === 'checkout-paused').length, 1);
  });

  it('in detect mode records what it would do and refuses nothing', async () => {
    const { guard, store, events } = setup({ mode: 'detect' });
    const actions: string[] = [];
    for (let n = 1; n <= 5; n++) {
      const p = await guard.check(attempt(nth('41111111', n), { account: undefined }));
      actions.push(`${p.verdict.action}${p.verdict.detectOnly ? ' (detect)' : ''}`);
      await guard.report(p, { approved: false });
    }
    assert.deepEqual(actions, ['allow', 'challenge (detect)', 'challenge (detect)', 'block (detect)', 'block (detect)']);
    const d = await store.decisions.list();
    assert.ok(d.length >= 1 && d.every((x) => x.detectOnly === true), 'decisions recorded, never enforced');
    assert.ok(events.every((e) => e['mamori.detect_only'] === true));
  });

  it('an operator allow decision on a source lets its checkouts through, an invalid card still rejected', async () => {
    const { guard, store } = setup();
    await store.decisions.add({ action: 'allow', scope: 'ip', value: '198.51.100.7', expiresAt: Date.UTC(2027, 0, 1), origin: 'cli', reason: 'our test server' });
    for (let n = 1; n <= 8; n++) {
      const p = await guard.check(attempt(nth('41111111', n), { account: undefined }));
      assert.equal(p.verdict.action, 'allow');
      await guard.report(p, { approved: false });
    }
    assert.equal((await guard.check(attempt('4111111111111112'))).verdict.action, 'reject');
  });

  it('settles each attempt once: a second report changes nothing', async () => {
    const { guard } = setup();
    const p = await guard.check(attempt('4111111111111111'));
    await guard.report(p, { approved: true });
    await guard.report(p, { approved: true });
    for (let i = 0; i < 3; i++) {
      const q = await guard.check(attempt('4111111111111111'));
      await guard.report(q, { approved: false });
    }
    assert.equal((await guard.check(attempt('4111111111111111'))).verdict.action, 'block', 'the double approval did not buy an extra failure');
  });
});
