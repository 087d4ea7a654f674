/**
 * The store conformance suite: every backend runs it, so the memory store,
 * SQLite and later Redis/PostgreSQL agree on one contract (core/store.ts).
 *
 *   runStoreConformance('memory', async ({ clock }) => new MemoryStore({ clock }));
 *
 * `make` must return a fresh, empty store that reads time from `clock`.
 * `reopen`, when given, opens the store that the last `make` created again
 * (same file or database) after it was closed: the persistence cases use it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from './clock.js';
import { isMamoriError, type ErrorCode } from './errors.js';
import type { Decision, DecisionInput } from './decisions.js';
import type { SecurityEvent } from './events.js';
import type { Store } from './store.js';

export interface StoreFactoryContext {
  clock: ManualClock;
}

export interface StoreConformanceOptions {
  reopen?: (ctx: StoreFactoryContext) => Promise<Store>;
  /** A fresh store holding at most `max` decisions: the cap cases use it. */
  makeWithMaxDecisions?: (ctx: StoreFactoryContext, max: number) => Promise<Store>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

function code(c: ErrorCode): (err: unknown) => boolean {
  return (err) => {
    assert.ok(isMamoriError(err, c), `expected ${c}, got ${String((err as Error)?.message ?? err)}`);
    return true;
  };
}

function decision(clock: ManualClock, over: Partial<DecisionInput> = {}): DecisionInput {
  return { action: 'block', scope: 'ip', value: '192.0.2.1', expiresAt: clock.now() + HOUR, origin: 'test', reason: 'conformance', ...over };
}

function event(t: number, action: string, extra: Partial<SecurityEvent> = {}): SecurityEvent {
  return { '@timestamp': new Date(t).toISOString(), 'event.action': action, 'event.category': 'authentication', ...extra };
}

function ids(ds: readonly Decision[]): string[] {
  return ds.map((d) => d.id);
}

export function runStoreConformance(
  name: string,
  make: (ctx: StoreFactoryContext) => Promise<Store>,
  opts: StoreConformanceOptions = {},
): void {
  async function withStore(fn: (store: Store, clock: ManualClock) => Promise<void>): Promise<void> {
    const clock = new ManualClock();
    const store = await make({ clock });
    try {
      await fn(store, clock);
    } finally {
      await store.close();
    }
  }

  describe(`store conformance: ${name}`, () => {
    const capped = opts.makeWithMaxDecisions;
    if (capped) {
      it('at its decision cap drops decisions on sources before those on accounts, then the soonest to lapse', async () => {
        const clock = new ManualClock();
        const s = await capped({ clock }, 3);
        try {
          const add = (scope: 'ip' | 'user', value: string, minutes: number) =>
            s.decisions.add({ action: 'block', scope, value, expiresAt: clock.now() + minutes * MIN, origin: 'guard.login', reason: 'r' });
          await add('user', 'closed-first', 10);
          await add('ip', '192.0.2.1', 60);
          await add('ip', '192.0.2.2', 30);
          await add('ip', '192.0.2.3', 90);
          assert.deepEqual((await s.decisions.list()).map((d) => d.value).sort(), ['192.0.2.1', '192.0.2.3', 'closed-first']);
          assert.equal((await s.decisions.match({ ip: '192.0.2.2' })).length, 0);
          await add('user', 'closed-second', 5);
          await add('user', 'closed-third', 5);
          assert.deepEqual((await s.decisions.list()).map((d) => d.value).sort(), ['closed-first', 'closed-second', 'closed-third']);
          assert.equal((await s.decisions.match({ userHash: 'closed-first' })).length, 1);
        } finally {
          await s.close();
        }
      });
    }

    describe('counters', () => {
      it('increments a batch and returns the new values in order', () =>
        withStore(async (s) => {
          const r = await s.increment([
            { key: 'a', ttlMs: MIN },
            { key: 'b', ttlMs: MIN },
            { key: 'a', ttlMs: MIN },
            { key: 'c', ttlMs: MIN, by: 7 },
          ]);
          assert.deepEqual(r, [1, 1, 2, 7]);
          assert.deepEqual(await s.increment([{ key: 'a', ttlMs: MIN }]), [3]);
          assert.deepEqual(await s.increment([]), []);
        }));

      it('adds `by`', () =>
        withStore(async (s) => {
          assert.deepEqual(await s.increment([{ key: 'k', by: 5, ttlMs: MIN }]), [5]);
          assert.deepEqual(await s.increment([{ key: 'k', by: 3, ttlMs: MIN }]), [8]);
          assert.deepEqual(await s.read(['k']), [8]);
        }));

      it('reads absent counters as 0 and present ones in order', () =>
        withStore(async (s) => {
          assert.deepEqual(await s.read(['nothing']), [0]);
          await s.increment([{ key: 'x', by: 2, ttlMs: MIN }, { key: 'y', by: 4, ttlMs: MIN }]);
          assert.deepEqual(await s.read(['y', 'nothing', 'x']), [4, 0, 2]);
          assert.deepEqual(await s.read([]), []);
        }));

      it('tells keys apart (near-identical, long and non-ASCII keys)', () =>
        withStore(async (s) => {
          const long = 'k'.repeat(10_000);
          await s.increment([
            { key: 'user:alice', ttlMs: MIN },
            { key: 'user:alicf', by: 2, ttlMs: MIN },
            { key: long, by: 3, ttlMs: MIN },
            { key: 'ユーザー:守り', by: 4, ttlMs: MIN },
          ]);
          assert.deepEqual(await s.read(['user:alice', 'user:alicf', long, `${long}k`, 'ユーザー:守り', 'ユーザー:守']), [1, 2, 3, 0, 4, 0]);
        }));

      it('expires a counter after its TTL', () =>
        withStore(async (s, clock) => {
          await s.increment([{ key: 'k', ttlMs: 1000 }]);
          clock.advance(999);
          assert.deepEqual(await s.read(['k']), [1]);
          clock.advance(1);
          assert.deepEqual(await s.read(['k']), [0]);
          // An expired counter starts again from `by` with a fresh lifetime.
          assert.deepEqual(await s.increment([{ key: 'k', by: 2, ttlMs: 1000 }]), [2]);
          clock.advance(999);
          assert.deepEqual(await s.read(['k']), [2]);
        }));

      it('keeps the expiry of an existing counter when it is incremented again', () =>
        withStore(async (s, clock) => {
          await s.increment([{ key: 'k', ttlMs: 1000 }]);
          clock.advance(600);
          assert.deepEqual(await s.increment([{ key: 'k', ttlMs: 1000 }]), [2]);
          clock.advance(399);
          assert.deepEqual(await s.read(['k']), [2]);
          clock.advance(1);
          assert.deepEqual(await s.read(['k']), [0], 'the second increment must not extend the window');
        }));

      it('keeps keys that differ only in their second character apart (one subject, several kinds)', () =>
        withStore(async (s) => {
          const subjects = Array.from({ length: 200 }, (_, i) => `:subject-${i}`);
          await s.increment(subjects.map((x) => ({ key: `lp${x}`, by: 3, ttlMs: MIN })));
          await s.increment(subjects.map((x) => ({ key: `lb${x}`, by: 5, ttlMs: MIN })));
          assert.deepEqual(await s.read(subjects.map((x) => `lp${x}`)), subjects.map(() => 3));
          assert.deepEqual(await s.read(subjects.map((x) => `lb${x}`)), subjects.map(() => 5));
          assert.deepEqual(await s.read(subjects.map((x) => `lu${x}`)), subjects.map(() => 0));
          await s.reset(subjects.map((x) => `lb${x}`));
          assert.deepEqual(await s.read(subjects.map((x) => `lp${x}`)), subjects.map(() => 3));
        }));

      it('resets counters without touching others', () =>
        withStore(async (s) => {
          await s.increment([{ key: 'a', by: 3, ttlMs: MIN }, { key: 'b', by: 4, ttlMs: MIN }]);
          await s.reset(['a', 'never-set']);
          assert.deepEqual(await s.read(['a', 'b']), [0, 4]);
          assert.deepEqual(await s.increment([{ key: 'a', ttlMs: MIN }]), [1]);
          await s.reset([]);
        }));
    });

    describe('addDistinct', () => {
      it('counts a member once however often it is added', () =>
        withStore(async (s) => {
          assert.deepEqual(await s.addDistinct([{ key: 'set', member: 'alice', ttlMs: MIN }]), [1]);
          assert.deepEqual(await s.addDistinct([{ key: 'set', member: 'alice', ttlMs: MIN }]), [1]);
          assert.deepEqual(await s.addDistinct([{ key: 'set', member: 'bob', ttlMs: MIN }]), [2]);
          assert.deepEqual(
            await s.addDistinct([
              { key: 'set', member: 'carol', ttlMs: MIN },
              { key: 'set', member: 'alice', ttlMs: MIN },
              { key: 'set', member: 'dave', ttlMs: MIN },
            ]),
            [3, 3, 4],
          );
        }));

      it('keeps sets with different keys independent', () =>
        withStore(async (s) => {
          const r = await s.addDistinct([
            { key: 'one', member: 'm', ttlMs: MIN },
            { key: 'two', member: 'm', ttlMs: MIN },
            { key: 'two', member: 'n', ttlMs: MIN },
          ]);
          assert.deepEqual(r, [1, 1, 2]);
          assert.deepEqual(await s.addDistinct([{ key: 'one', member: 'n', ttlMs: MIN }]), [2]);
        }));

      it('reads a set\u2019s distinct count through read()', () =>
        withStore(async (s) => {
          await s.addDistinct([{ key: 'users-from-x', member: 'a', ttlMs: MIN }, { key: 'users-from-x', member: 'b', ttlMs: MIN }]);
          assert.deepEqual(await s.read(['users-from-x']), [2]);
        }));

      it('removeDistinct takes a member back out once; absent members change nothing', () =>
        withStore(async (s) => {
          await s.addDistinct([{ key: 'set', member: 'a', ttlMs: MIN }, { key: 'set', member: 'b', ttlMs: MIN }, { key: 'other', member: 'a', ttlMs: MIN }]);
          assert.deepEqual(await s.removeDistinct([{ key: 'set', member: 'a', ttlMs: MIN }]), [1]);
          assert.deepEqual(await s.removeDistinct([{ key: 'set', member: 'a', ttlMs: MIN }, { key: 'set', member: 'never', ttlMs: MIN }, { key: 'none', member: 'a', ttlMs: MIN }]), [1, 1, 0]);
          assert.deepEqual(await s.removeDistinct([{ key: 'set', member: 'b', ttlMs: MIN }]), [0]);
          assert.deepEqual(await s.read(['set', 'other']), [0, 1], 'other sets untouched');
          // Taken out, a member counts again when it comes back.
          assert.deepEqual(await s.addDistinct([{ key: 'set', member: 'a', ttlMs: MIN }]), [1]);
          assert.deepEqual(await s.removeDistinct([]), []);
        }));

      it('a member stays in its set while any addition still holds it', () =>
        withStore(async (s) => {
          const op = { key: 'set', member: 'a', ttlMs: MIN };
          assert.deepEqual(await s.addDistinct([op]), [1]);
          assert.deepEqual(await s.addDistinct([op, op]), [1, 1], 'three holds, one member');
          assert.deepEqual(await s.removeDistinct([op]), [1]);
          assert.deepEqual(await s.removeDistinct([op]), [1]);
          assert.deepEqual(await s.removeDistinct([op]), [0], 'the last hold given back');
          assert.deepEqual(await s.removeDistinct([op]), [0], 'nothing left to give back');
          assert.deepEqual(await s.addDistinct([op]), [1]);
        }));

      it('removeDistinct with heldAt leaves a member whose marker was made after it', () =>
        withStore(async (s, clock) => {
          const op = { key: 'set', member: 'a', ttlMs: 1000 };
          await s.addDistinct([op]);
          const oldHold = clock.now();
          clock.advance(1000); // the marker expires
          await s.addDistinct([op]); // and is made anew, with one hold
          const newHold = clock.now();
          clock.advance(10);
          assert.deepEqual(await s.removeDistinct([{ ...op, heldAt: oldHold }]), [1], 'the old hold went with the old marker');
          assert.deepEqual(await s.removeDistinct([{ ...op, heldAt: newHold }]), [0], 'the new one is given back');
        }));

      it('removeDistinct after the TTL finds nothing to take', () =>
        withStore(async (s, clock) => {
          await s.addDistinct([{ key: 'set', member: 'a', ttlMs: 1000 }]);
          clock.advance(1000);
          assert.deepEqual(await s.removeDistinct([{ key: 'set', member: 'a', ttlMs: 1000 }]), [0]);
          assert.deepEqual(await s.addDistinct([{ key: 'set', member: 'a', ttlMs: 1000 }]), [1]);
        }));

      it('forgets members and counts after their TTL', () =>
        withStore(async (s, clock) => {
          await s.addDistinct([{ key: 'set', member: 'a', ttlMs: 1000 }, { key: 'set', member: 'b', ttlMs: 1000 }]);
          clock.advance(999);
          assert.deepEqual(await s.addDistinct([{ key: 'set', member: 'a', ttlMs: 1000 }]), [2]);
          clock.advance(1);
          assert.deepEqual(await s.read(['set']), [0]);
          assert.deepEqual(await s.addDistinct([{ key: 'set', member: 'a', ttlMs: 1000 }]), [1]);
        }));
    });

    describe('claim', () => {
      it('is true once, false within the TTL, true again after it', () =>
        withStore(async (s, clock) => {
          assert.equal(await s.claim('token-1', 1000), true);
          assert.equal(await s.claim('token-1', 1000), false);
          assert.equal(await s.claim('token-2', 1000), true, 'another key is independent');
          clock.advance(999);
          assert.equal(await s.claim('token-1', 1000), false);
          clock.advance(1);
          assert.equal(await s.claim('token-1', 1000), true);
          assert.equal(await s.claim('token-1', 1000), false);
        }));
    });

    describe('decisions', () => {
      it('adds a decision with an id, its creation time and a canonical value', () =>
        withStore(async (s, clock) => {
          const d = await s.decisions.add(decision(clock, { scope: 'ip', value: '2001:DB8:0:0:0:0:0:1' }));
          assert.equal(typeof d.id, 'string');
          assert.ok(d.id.length > 0);
          assert.equal(d.createdAt, clock.now());
          assert.equal(d.value, '2001:db8::1');
          assert.equal(d.action, 'block');
          assert.equal(d.origin, 'test');
          assert.equal(d.reason, 'conformance');
          assert.equal((await s.decisions.add(decision(clock, { value: '::ffff:192.0.2.7' }))).value, '192.0.2.7');
          assert.equal((await s.decisions.add(decision(clock, { scope: 'range', value: '10.1.2.3/8' }))).value, '10.0.0.0/8');
          assert.equal((await s.decisions.add(decision(clock, { scope: 'range', value: '2001:db8:0:0:1::/64' }))).value, '2001:db8::/64');
          assert.equal((await s.decisions.add(decision(clock, { scope: 'country', value: 'jp' }))).value, 'JP');
          const other = await s.decisions.add(decision(clock));
          assert.notEqual(other.id, d.id);
        }));

      it('keeps the detect-only mark through add, list and match, and only when it is set', () =>
        withStore(async (s, clock) => {
          const detected = await s.decisions.add(decision(clock, { origin: 'guard.login', detectOnly: true }));
          const enforced = await s.decisions.add(decision(clock, { value: '192.0.2.2' }));
          assert.equal(detected.detectOnly, true);
          assert.ok(!('detectOnly' in enforced));
          assert.deepEqual(await s.decisions.list(), [enforced, detected]);
          assert.deepEqual(await s.decisions.match({ ip: '192.0.2.1' }), [detected]);
          assert.deepEqual(await s.decisions.match({ ip: '192.0.2.2' }), [enforced]);
          const marked = await s.decisions.add(decision(clock, { value: '192.0.2.3', detectOnly: false as never }));
          assert.ok(!('detectOnly' in marked), 'only true marks');
        }));

      it('rejects invalid scopes, actions and values with MAMORI_ERR_DECISION_INVALID', () =>
        withStore(async (s, clock) => {
          const bad: Partial<DecisionInput>[] = [
            { scope: 'planet' as never },
            { action: 'nuke' as never },
            { value: 'not-an-ip' },
            { value: '1.2.3.04' },
            { scope: 'range', value: '10.0.0.0/33' },
            { scope: 'range', value: 'x/8' },
            { scope: 'country', value: 'JPN' },
            { scope: 'user', value: '' },
            { scope: 'device', value: 'a\nb' },
            { expiresAt: Number.NaN },
          ];
          for (const over of bad) {
            await assert.rejects(() => s.decisions.add(decision(clock, over)), code('MAMORI_ERR_DECISION_INVALID'), JSON.stringify(over));
          }
          assert.deepEqual(await s.decisions.list({ includeExpired: true }), []);
        }));

      it('lists newest first, with filters, limit and includeExpired', () =>
        withStore(async (s, clock) => {
          const a = await s.decisions.add(decision(clock, { value: '192.0.2.1', origin: 'guard.login' }));
          clock.advance(1000);
          const b = await s.decisions.add(decision(clock, { value: '192.0.2.2', action: 'challenge' }));
          clock.advance(1000);
          const c = await s.decisions.add(decision(clock, { scope: 'country', value: 'KP' }));
          clock.advance(1000);
          const short = await s.decisions.add(decision(clock, { value: '192.0.2.9', expiresAt: clock.now() + 500 }));
          assert.deepEqual(ids(await s.decisions.list()), [short.id, c.id, b.id, a.id]);
          clock.advance(500);
          assert.deepEqual(ids(await s.decisions.list()), [c.id, b.id, a.id], 'expired decisions are left out');
          assert.deepEqual(ids(await s.decisions.list({ includeExpired: true })), [short.id, c.id, b.id, a.id]);
          assert.deepEqual(ids(await s.decisions.list({ scope: 'ip' })), [b.id, a.id]);
          assert.deepEqual(ids(await s.decisions.list({ scope: 'ip', value: '192.0.2.1' })), [a.id]);
          assert.deepEqual(ids(await s.decisions.list({ action: 'challenge' })), [b.id]);
          assert.deepEqual(ids(await s.decisions.list({ origin: 'guard.login' })), [a.id]);
          assert.deepEqual(ids(await s.decisions.list({ limit: 2 })), [c.id, b.id]);
          assert.deepEqual(ids(await s.decisions.list({ scope: 'user' })), []);
          assert.deepEqual(ids(await s.decisions.list({ id: b.id })), [b.id]);
          assert.deepEqual(ids(await s.decisions.list({ id: short.id })), []);
          assert.deepEqual(ids(await s.decisions.list({ id: short.id, includeExpired: true })), [short.id]);
          assert.deepEqual(ids(await s.decisions.list({ id: 'no-such-id' })), []);
          const listed = (await s.decisions.list({ value: '192.0.2.2' }))[0];
          assert.deepEqual(listed, b, 'a listed decision has every field it was added with');
        }));

      it('deletes by id', () =>
        withStore(async (s, clock) => {
          const a = await s.decisions.add(decision(clock));
          const b = await s.decisions.add(decision(clock, { value: '192.0.2.2' }));
          assert.equal(await s.decisions.delete(a.id), true);
          assert.equal(await s.decisions.delete(a.id), false);
          assert.equal(await s.decisions.delete('no-such-id'), false);
          assert.deepEqual(ids(await s.decisions.list()), [b.id]);
          assert.deepEqual(await s.decisions.match({ ip: '192.0.2.1' }), []);
        }));

      it('deletes every active decision matching a filter', () =>
        withStore(async (s, clock) => {
          await s.decisions.add(decision(clock, { value: '192.0.2.1', origin: 'watch.ssh' }));
          clock.advance(1);
          await s.decisions.add(decision(clock, { value: '192.0.2.2', origin: 'watch.ssh' }));
          clock.advance(1);
          const keep = await s.decisions.add(decision(clock, { value: '192.0.2.3', origin: 'cli' }));
          assert.equal(await s.decisions.deleteWhere({ origin: 'watch.ssh' }), 2);
          assert.deepEqual(ids(await s.decisions.list()), [keep.id]);
          assert.equal(await s.decisions.deleteWhere({ origin: 'watch.ssh' }), 0);
          assert.equal(await s.decisions.deleteWhere({ scope: 'ip', value: '192.0.2.3' }), 1);
          assert.deepEqual(await s.decisions.list(), []);
        }));

      it('matches a subject by ip, by a range holding it, by user, device and country', () =>
        withStore(async (s, clock) => {
          const ip4 = await s.decisions.add(decision(clock, { value: '192.0.2.10' }));
          const ip6 = await s.decisions.add(decision(clock, { value: '2001:db8::10', action: 'challenge' }));
          const r4 = await s.decisions.add(decision(clock, { scope: 'range', value: '198.51.100.0/24' }));
          const r6 = await s.decisions.add(decision(clock, { scope: 'range', value: '2001:db8:1::/48' }));
          const r0 = await s.decisions.add(decision(clock, { scope: 'range', value: '203.0.113.128/25', action: 'allow' }));
          const user = await s.decisions.add(decision(clock, { scope: 'user', value: 'u-hash-1' }));
          const dev = await s.decisions.add(decision(clock, { scope: 'device', value: 'dev-1' }));
          const jp = await s.decisions.add(decision(clock, { scope: 'country', value: 'JP', action: 'challenge' }));
          const sorted = async (subject: Parameters<Store['decisions']['match']>[0]) => ids(await s.decisions.match(subject)).sort();

          assert.deepEqual(await sorted({ ip: '192.0.2.10' }), [ip4.id]);
          assert.deepEqual(await sorted({ ip: '::ffff:192.0.2.10' }), [ip4.id], 'an IPv4-mapped address matches its IPv4 decision');
          assert.deepEqual(await sorted({ ip: '2001:DB8:0::10' }), [ip6.id], 'any spelling of an IPv6 address matches');
          assert.deepEqual(await sorted({ ip: '192.0.2.11' }), []);
          assert.deepEqual(await sorted({ ip: '198.51.100.77' }), [r4.id]);
          assert.deepEqual(await sorted({ ip: '198.51.101.1' }), []);
          assert.deepEqual(await sorted({ ip: '2001:db8:1:ffff::1' }), [r6.id]);
          assert.deepEqual(await sorted({ ip: '2001:db8:2::1' }), []);
          assert.deepEqual(await sorted({ ip: '203.0.113.200' }), [r0.id]);
          assert.deepEqual(await sorted({ ip: '203.0.113.100' }), []);
          assert.deepEqual(await sorted({ userHash: 'u-hash-1' }), [user.id]);
          assert.deepEqual(await sorted({ userHash: 'u-hash-2' }), []);
          assert.deepEqual(await sorted({ device: 'dev-1' }), [dev.id]);
          assert.deepEqual(await sorted({ country: 'JP' }), [jp.id]);
          assert.deepEqual(await sorted({ country: 'US' }), []);
          assert.deepEqual(await sorted({}), []);
          assert.deepEqual(await sorted({ ip: 'garbage' }), []);
          assert.deepEqual(
            await sorted({ ip: '198.51.100.1', userHash: 'u-hash-1', device: 'dev-1', country: 'JP' }),
            [r4.id, user.id, dev.id, jp.id].sort(),
          );
          const [m] = await s.decisions.match({ device: 'dev-1' });
          assert.deepEqual(m, dev, 'a matched decision has every field');
        }));

      it('does not match expired decisions', () =>
        withStore(async (s, clock) => {
          await s.decisions.add(decision(clock, { value: '192.0.2.1', expiresAt: clock.now() + 1000 }));
          await s.decisions.add(decision(clock, { scope: 'range', value: '192.0.2.0/24', expiresAt: clock.now() + 1000 }));
          await s.decisions.add(decision(clock, { scope: 'user', value: 'u', expiresAt: clock.now() + 1000 }));
          assert.equal((await s.decisions.match({ ip: '192.0.2.1', userHash: 'u' })).length, 3);
          clock.advance(1000);
          assert.deepEqual(await s.decisions.match({ ip: '192.0.2.1', userHash: 'u' }), []);
        }));
    });

    describe('events', () => {
      const T0 = Date.UTC(2026, 0, 1);
      async function seed(s: Store): Promise<void> {
        s.events.append(event(T0, 'login-failure', { 'source.ip': '192.0.2.1', 'user.id': 'u1' }));
        s.events.append(event(T0 + 1000, 'login-failure', { 'source.ip': '192.0.2.2', 'user.id': 'u1' }));
        s.events.append(event(T0 + 2000, 'login-success', { 'source.ip': '192.0.2.1', 'user.id': 'u2', 'event.outcome': 'success' }));
        s.events.append(event(T0 + 3000, 'request-blocked', { 'source.ip': '192.0.2.1', 'mamori.count': 3, 'mamori.detect_only': false }));
        await s.events.flush();
      }
      const actions = (es: readonly SecurityEvent[]): string[] => es.map((e) => `${e['event.action']}@${Date.parse(e['@timestamp']) - T0}`);

      it('returns appended events newest first, whole', () =>
        withStore(async (s) => {
          await seed(s);
          const all = await s.events.query();
          assert.deepEqual(actions(all), ['request-blocked@3000', 'login-success@2000', 'login-failure@1000', 'login-failure@0']);
          assert.deepEqual(all[0], event(T0 + 3000, 'request-blocked', { 'source.ip': '192.0.2.1', 'mamori.count': 3, 'mamori.detect_only': false }));
          assert.equal(all[1]!['event.outcome'], 'success');
        }));

      it('filters by since/until (inclusive), action, source ip, user id, and limits', () =>
        withStore(async (s) => {
          await seed(s);
          assert.deepEqual(actions(await s.events.query({ since: T0 + 1000 })), ['request-blocked@3000', 'login-success@2000', 'login-failure@1000']);
          assert.deepEqual(actions(await s.events.query({ until: T0 + 1000 })), ['login-failure@1000', 'login-failure@0']);
          assert.deepEqual(actions(await s.events.query({ since: T0 + 1000, until: T0 + 2000 })), ['login-success@2000', 'login-failure@1000']);
          assert.deepEqual(actions(await s.events.query({ action: 'login-failure' })), ['login-failure@1000', 'login-failure@0']);
          assert.deepEqual(actions(await s.events.query({ sourceIp: '192.0.2.1' })), ['request-blocked@3000', 'login-success@2000', 'login-failure@0']);
          assert.deepEqual(actions(await s.events.query({ userId: 'u1' })), ['login-failure@1000', 'login-failure@0']);
          assert.deepEqual(actions(await s.events.query({ sourceIp: '192.0.2.1', action: 'login-failure' })), ['login-failure@0']);
          assert.deepEqual(actions(await s.events.query({ limit: 2 })), ['request-blocked@3000', 'login-success@2000']);
          assert.deepEqual(actions(await s.events.query({ action: 'login-failure', limit: 1 })), ['login-failure@1000']);
          assert.deepEqual(await s.events.query({ action: 'nothing-like-this' }), []);
        }));
    });

    describe('negative increments (taking back a count)', () => {
      it('subtract, and stop at 0', () =>
        withStore(async (s) => {
          assert.deepEqual(await s.increment([{ key: 'n', by: 3, ttlMs: MIN }]), [3]);
          assert.deepEqual(await s.increment([{ key: 'n', by: -1, ttlMs: MIN }]), [2]);
          assert.deepEqual(await s.increment([{ key: 'n', by: -5, ttlMs: MIN }]), [0]);
          assert.deepEqual(await s.increment([{ key: 'absent', by: -1, ttlMs: MIN }]), [0]);
          assert.deepEqual(await s.increment([{ key: 'n', ttlMs: MIN }]), [1]);
        }));
    });

    describe('batches', () => {
      it('increment counts repeats of a key in one call and across calls; read sees the sums', () =>
        withStore(async (s) => {
          // 20 ops on 7 keys (repeats inside one call, more ops than a backend may handle at once), then 12 reads, some of absent keys.
          const ops = Array.from({ length: 20 }, (_, i) => ({ key: `b${i % 7}`, by: i + 1, ttlMs: MIN }));
          const keys = Array.from({ length: 12 }, (_, i) => `b${i}`);
          const want = new Map<string, number>();
          const counted = ops.map((op) => want.set(op.key, (want.get(op.key) ?? 0) + op.by).get(op.key));
          assert.deepEqual(await s.increment(ops), counted);
          assert.deepEqual(await s.read(keys), keys.map((k) => want.get(k) ?? 0));
          assert.deepEqual(await s.increment([{ key: 'b0', by: -1000, ttlMs: MIN }]), [0]);
          assert.deepEqual(await s.read(['b0', 'b6']), [0, want.get('b6')]);
        }));
    });

    describe('close', () => {
      it('rejects use after close with MAMORI_ERR_STORE_CLOSED', async () => {
        const clock = new ManualClock();
        const s = await make({ clock });
        await s.close();
        const closed = code('MAMORI_ERR_STORE_CLOSED');
        await assert.rejects(() => s.increment([{ key: 'k', ttlMs: MIN }]), closed);
        await assert.rejects(() => s.read(['k']), closed);
        await assert.rejects(() => s.reset(['k']), closed);
        await assert.rejects(() => s.addDistinct([{ key: 'k', member: 'm', ttlMs: MIN }]), closed);
        await assert.rejects(() => s.removeDistinct([{ key: 'k', member: 'm', ttlMs: MIN }]), closed);
        await assert.rejects(() => s.claim('k', MIN), closed);
        await assert.rejects(() => s.decisions.add(decision(clock)), closed);
        await assert.rejects(() => s.decisions.list(), closed);
        await assert.rejects(() => s.decisions.match({ ip: '192.0.2.1' }), closed);
        await assert.rejects(() => s.events.query(), closed);
        // append never throws into the caller, even after close; close is idempotent.
        s.events.append(event(clock.now(), 'late'));
        await s.close();
      });
    });

    const reopen = opts.reopen;
    if (reopen) {
      describe('persistence', () => {
        it('keeps counters, sets, claims, decisions and events across close and reopen', async () => {
          const clock = new ManualClock();
          const first = await make({ clock });
          await first.increment([{ key: 'kept', by: 5, ttlMs: 1000 }, { key: 'gone', ttlMs: 100 }]);
          await first.addDistinct([{ key: 'set', member: 'a', ttlMs: MIN }, { key: 'set', member: 'b', ttlMs: MIN }]);
          assert.equal(await first.claim('token', MIN), true);
          const d = await first.decisions.add(decision(clock, { scope: 'range', value: '192.0.2.0/24' }));
          const detected = await first.decisions.add(decision(clock, { value: '198.51.100.1', detectOnly: true }));
          first.events.append(event(clock.now(), 'login-failure', { 'source.ip': '192.0.2.1' }));
          await first.close();

          clock.advance(500);
          const second = await reopen({ clock });
          try {
            assert.deepEqual(await second.read(['kept', 'gone']), [5, 0]);
            assert.deepEqual(await second.increment([{ key: 'kept', ttlMs: 1000 }]), [6]);
            assert.deepEqual(await second.addDistinct([{ key: 'set', member: 'a', ttlMs: MIN }]), [2]);
            assert.equal(await second.claim('token', MIN), false);
            assert.deepEqual(await second.decisions.list(), [detected, d]);
            assert.deepEqual(await second.decisions.match({ ip: '198.51.100.1' }), [detected]);
            assert.deepEqual(ids(await second.decisions.match({ ip: '192.0.2.99' })), [d.id]);
            const evs = await second.events.query();
            assert.equal(evs.length, 1);
            assert.equal(evs[0]!['event.action'], 'login-failure');
            assert.equal(evs[0]!['source.ip'], '192.0.2.1');
            clock.advance(500);
            assert.deepEqual(await second.read(['kept']), [0], 'a counter keeps its expiry across reopen');
          } finally {
            await second.close();
          }
        });
      });
    }
  });
}
