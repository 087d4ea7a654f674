/**
 * Red team: the login protection's writes that no answer waits for (a refused attempt's
 * take-back, the library form's success bookkeeping: LoginGuard #background / settle). The
 * claim attacked: until the writes land the counts err high, never low; their failures go to
 * onError; guard.close() loses none. An attacker's tools: parallel guesses, a slow store, a
 * store that fails the take-back. bench/redteam/README-passkeys.md has the results.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import type { CounterOp, DistinctOp } from '../core/store.js';
import { defaultConfig } from '../config/config.js';
import { createGuard, type Guard } from './guard.js';
import type { RequestInfo } from './verdict.js';

const SECRET = Buffer.alloc(32, 8);
const req = (ip: string): RequestInfo => ({ ip, method: 'POST', path: '/login', headers: {} });

/** A store whose writes land late but in the order they were made (as one networked connection's do), until `flush`. */
class SlowStore extends MemoryStore {
  #queue: (() => void)[] = [];
  holding = false;
  #later<T>(run: () => Promise<T>): Promise<T> {
    if (!this.holding) return run();
    return new Promise<T>((resolve, reject) => this.#queue.push(() => run().then(resolve, reject)));
  }
  /** Lets every held write land, in order. */
  flush(): void {
    this.holding = false;
    for (const f of this.#queue.splice(0)) f();
  }
  get held(): number {
    return this.#queue.length;
  }
  override increment(ops: readonly CounterOp[]): Promise<number[]> {
    // Reads and reservations (positive counts) answer; take-backs (negative counts) are held.
    return ops.some((o) => (o.by ?? 1) < 0) ? this.#later(() => super.increment(ops)) : super.increment(ops);
  }
  override removeDistinct(ops: readonly DistinctOp[]): Promise<number[]> {
    return this.#later(() => super.removeDistinct(ops));
  }
  override reset(keys: readonly string[]): Promise<void> {
    return this.#later(() => super.reset(keys));
  }
}

/** A store that fails every take-back (a networked store timing out on them). */
class FailingTakeBacks extends MemoryStore {
  failures = 0;
  override increment(ops: readonly CounterOp[]): Promise<number[]> {
    if (ops.some((o) => (o.by ?? 1) < 0)) {
      this.failures++;
      return Promise.reject(new Error('take-back timed out'));
    }
    return super.increment(ops);
  }
  override removeDistinct(): Promise<number[]> {
    this.failures++;
    return Promise.reject(new Error('take-back timed out'));
  }
}

/**
 * An attacker's guesses at one account from one source: `rounds` rounds of `parallel` guesses
 * sent at once, each checked, and a guess let through reported as a failure. How many the
 * login protection let through (each one a password tried).
 */
async function guesses(guard: Guard, ip: string, rounds: number, parallel: number): Promise<number> {
  let through = 0;
  for (let r = 0; r < rounds; r++) {
    await Promise.all(
      Array.from({ length: parallel }, async (_, i) => {
        const p = await guard.checkCredentials(req(ip), { username: 'victim@example.com', password: `guess ${r}.${i}` });
        if (guard.enforced(p.verdict)) return;
        through++;
        await guard.reportCredentials(p, false);
      }),
    );
  }
  return through;
}

describe('red team: login protection writes answered before they land', () => {
  it('gives an attacker no more guesses with a slow store than with a fast one (parallel guesses)', async (t) => {
    const fast = createGuard(defaultConfig(), { store: new MemoryStore({ clock: new ManualClock() }), secret: SECRET, clock: new ManualClock() });
    const baseline = await guesses(fast, '192.0.2.10', 6, 20);
    const clock = new ManualClock();
    const slow = new SlowStore({ clock });
    const errors: unknown[] = [];
    const guard = createGuard(defaultConfig(), { store: slow, secret: SECRET, clock, onError: (e) => errors.push(e) });
    slow.holding = true;
    const held = await guesses(guard, '192.0.2.10', 6, 20);
    assert.ok(slow.held > 0, 'refusals were answered with their take-backs still held');
    t.diagnostic(`120 parallel guesses: ${held} through with held take-backs, ${baseline} with the in-process store`);
    assert.ok(held <= baseline, `slow store: ${held} guesses through, fast store: ${baseline}`);
    assert.ok(held > 0 && baseline > 0);
    slow.flush();
    await guard.login.settle();
    // Once the take-backs land, the counts are those of the fast store: the failures let through.
    const keys = guard.login.counterKeys({ ip: '192.0.2.10', username: 'victim@example.com' });
    const fastKeys = fast.login.counterKeys({ ip: '192.0.2.10', username: 'victim@example.com' });
    assert.deepEqual(await slow.read([keys.userSource, keys.user]), [held, held]);
    assert.deepEqual(await fast.store.read([fastKeys.userSource, fastKeys.user]), [baseline, baseline]);
    // After the lock's time the attacker gets no more with the late take-backs than without.
    clock.advance(61_000);
    const more = await guesses(guard, '192.0.2.10', 3, 20);
    assert.ok(more <= 1, `${more} more guesses after the lock ran out`);
    assert.deepEqual(errors, []);
    await guard.close();
    await fast.close();
  });

  it('gives an attacker no extra guesses when the store fails every take-back, and reports each failure', async (t) => {
    const clock = new ManualClock();
    const store = new FailingTakeBacks({ clock });
    const errors: unknown[] = [];
    const guard = createGuard(defaultConfig(), { store, secret: SECRET, clock, onError: (e) => errors.push(e) });
    const fast = createGuard(defaultConfig(), { store: new MemoryStore({ clock: new ManualClock() }), secret: SECRET, clock: new ManualClock() });
    const through = await guesses(guard, '192.0.2.11', 6, 20);
    const baseline = await guesses(fast, '192.0.2.11', 6, 20);
    await guard.login.settle();
    t.diagnostic(`120 parallel guesses: ${through} through with failing take-backs, ${baseline} without; ${errors.length} errors reported`);
    assert.ok(through <= baseline, `${through} through with failing take-backs, ${baseline} without`);
    assert.ok(store.failures > 0);
    assert.ok(errors.length > 0 && errors.every((e) => /take-back timed out/.test(String((e as Error).message))), 'every failure reached onError');
    // The refusals the store could not take back still count: the counts err high.
    const keys = guard.login.counterKeys({ ip: '192.0.2.11', username: 'victim@example.com' });
    const [pair = 0] = await store.read([keys.userSource]);
    assert.ok(pair >= through, `pair count ${pair}, failures let through ${through}`);
    await guard.close();
    await fast.close();
  });

  it('lands every held write at guard.close(), before it resolves', async () => {
    const clock = new ManualClock();
    const slow = new SlowStore({ clock });
    const guard = createGuard(defaultConfig(), { store: slow, secret: SECRET, clock });
    // A failure, then the owner's success, then refusals: each leaves a write behind.
    const f = await guard.checkCredentials(req('192.0.2.12'), { username: 'owner@example.com', password: 'typo' });
    await guard.reportCredentials(f, false);
    slow.holding = true;
    const ok = await guard.checkCredentials(req('192.0.2.12'), { username: 'owner@example.com', password: 'right' });
    await guard.reportCredentials(ok, true);
    assert.ok(slow.held > 0);
    let closed = false;
    const closing = guard.close().then(() => (closed = true));
    // (Each turn of the event loop lets close() run as far as it can; it must still wait.)
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(closed, false, 'close() waits for the held writes');
    slow.flush();
    await closing;
    const keys = guard.login.counterKeys({ ip: '192.0.2.12', username: 'owner@example.com' });
    assert.deepEqual(await slow.read([keys.userSource, keys.user]), [0, 1], "the success cleared the pair and took its own count back; the typo's stays on the account");
    await slow.close();
  });

  it("reports to onError, and still answers, a store that throws at once (not a rejected promise) on a success's bookkeeping", async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    const errors: unknown[] = [];
    const guard = createGuard(defaultConfig(), { store, secret: SECRET, clock, onError: (e) => errors.push(e) });
    const p = await guard.checkCredentials(req('192.0.2.13'), { username: 'owner@example.com', password: 'right' });
    store.increment = () => {
      throw new Error('driver threw');
    };
    store.reset = () => {
      throw new Error('driver threw');
    };
    await assert.doesNotReject(guard.reportCredentials(p, true));
    await guard.login.settle();
    assert.ok(errors.length > 0 && errors.every((e) => /driver threw/.test(String((e as Error).message))));
    await guard.close();
  });
});
