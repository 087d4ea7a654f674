import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryQueue, type DropReason } from './delivery-queue.js';

/** Lets the queue's promises run (setImmediate is not mocked). */
const flush = async (rounds = 5): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
};

/** A sender whose deliveries wait until the test settles them. */
function heldSender(): { send: (item: string, signal: AbortSignal) => Promise<void>; pending: { item: string; signal: AbortSignal; ok: () => void; fail: (e: unknown) => void }[] } {
  const pending: { item: string; signal: AbortSignal; ok: () => void; fail: (e: unknown) => void }[] = [];
  return {
    pending,
    send: (item, signal) => new Promise<void>((ok, fail) => void pending.push({ item, signal, ok, fail })),
  };
}

afterEach(() => mock.timers.reset());

describe('DeliveryQueue', () => {
  it('delivers in order, one at a time, and drains', async () => {
    const got: string[] = [];
    let inFlight = 0;
    let most = 0;
    const q = new DeliveryQueue<string>({
      send: async (s) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await flush(1);
        got.push(s);
        inFlight--;
      },
    });
    for (const s of ['a', 'b', 'c']) assert.equal(q.push(s), true);
    assert.equal(await q.drain(), true);
    assert.deepEqual(got, ['a', 'b', 'c']);
    assert.equal(most, 1);
    assert.deepEqual([q.delivered, q.failed, q.dropped, q.queued], [3, 0, 0, 0]);
  });

  it('is bounded: a full queue drops its oldest, counts it and says so', async () => {
    const s = heldSender();
    const drops: DropReason[] = [];
    const q = new DeliveryQueue<string>({ send: s.send, maxQueue: 3, onDrop: (r) => drops.push(r) });
    for (let i = 0; i < 10; i++) q.push(`n${i}`);
    assert.equal(q.queued, 3);
    assert.equal(q.dropped, 6, 'one in flight, three queued, six dropped');
    assert.deepEqual(drops, Array(6).fill('full'));
    const delivered: string[] = [];
    while (q.delivered + q.failed < 4) {
      await flush();
      const p = s.pending.shift();
      if (p) {
        delivered.push(p.item);
        p.ok();
      }
    }
    assert.deepEqual(delivered, ['n0', 'n7', 'n8', 'n9'], 'the newest are kept');
    assert.equal(await q.drain(), true);
  });

  it('retries with doubling pauses, then gives up and reports the last error', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    let calls = 0;
    const failed: [string, unknown][] = [];
    const q = new DeliveryQueue<string>({
      send: async () => {
        calls++;
        throw new Error(`attempt ${calls}`);
      },
      retries: 3,
      retryDelayMs: 100,
      onFailed: (item, err) => failed.push([item, err]),
    });
    q.push('x');
    await flush();
    assert.equal(calls, 1);
    mock.timers.tick(99);
    await flush();
    assert.equal(calls, 1, 'not before the first pause (100 ms) is over');
    mock.timers.tick(1);
    await flush();
    assert.equal(calls, 2);
    mock.timers.tick(199);
    await flush();
    assert.equal(calls, 2, 'the second pause is 200 ms');
    mock.timers.tick(1);
    await flush();
    assert.equal(calls, 3);
    mock.timers.tick(400);
    await flush();
    assert.equal(calls, 4);
    assert.equal(await q.drain(), true);
    assert.deepEqual([q.delivered, q.failed], [0, 1]);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]![0], 'x');
    assert.equal((failed[0]![1] as Error).message, 'attempt 4');
  });

  it('a retry that succeeds counts as delivered; a permanent failure is not retried', async () => {
    let calls = 0;
    const q = new DeliveryQueue<string>({
      send: async (item) => {
        calls++;
        if (item === 'refused') throw new RangeError('the receiver answered 404');
        if (calls === 1) throw new Error('503');
      },
      retries: 2,
      retryDelayMs: 0,
      permanent: (e) => e instanceof RangeError,
    });
    q.push('flaky');
    assert.equal(await q.drain(), true);
    assert.deepEqual([calls, q.delivered, q.failed], [2, 1, 0]);
    q.push('refused');
    assert.equal(await q.drain(), true);
    assert.deepEqual([calls, q.delivered, q.failed], [3, 1, 1], 'one attempt only');
  });

  it('cuts off a sender that never settles and ignores its signal, at the attempt timeout', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const signals: AbortSignal[] = [];
    const errors: unknown[] = [];
    const q = new DeliveryQueue<string>({
      send: (_i, signal) => {
        signals.push(signal);
        return new Promise<void>(() => {});
      },
      timeoutMs: 1000,
      retries: 0,
      onFailed: (_i, e) => errors.push(e),
    });
    q.push('a');
    q.push('b');
    await flush();
    assert.equal(signals.length, 1);
    assert.equal(await Promise.race([q.drain(), flush().then(() => 'pending')]), 'pending');
    mock.timers.tick(1000);
    await flush();
    assert.equal(signals[0]!.aborted, true, 'the sender was told to give up');
    assert.equal(signals.length, 2, 'the next one went out');
    mock.timers.tick(1000);
    await flush();
    assert.equal(await q.drain(), true);
    assert.equal(q.failed, 2);
    assert.match(String((errors[0] as Error).message), /timeout/);
  });

  it('a drain with a deadline does not wait on a stuck delivery', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const s = heldSender();
    const q = new DeliveryQueue<string>({ send: s.send, timeoutMs: 60_000 });
    q.push('a');
    const d = q.drain(50);
    mock.timers.tick(50);
    assert.equal(await d, false);
    assert.equal(q.delivered, 0);
    s.pending[0]!.ok();
    assert.equal(await q.drain(), true);
    assert.equal(q.delivered, 1);
  });

  it('close: what is queued gets the time given, the rest and what is in flight is dropped, nothing more is sent', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const s = heldSender();
    const drops: DropReason[] = [];
    const q = new DeliveryQueue<string>({ send: s.send, timeoutMs: 60_000, retries: 2, retryDelayMs: 1000, onDrop: (r) => drops.push(r) });
    for (const x of ['a', 'b', 'c']) q.push(x);
    await flush();
    const closing = q.close(100);
    await flush();
    s.pending.shift()!.ok(); // a goes out within the time
    await flush();
    assert.equal(s.pending[0]!.item, 'b');
    mock.timers.tick(100);
    await flush();
    await closing;
    assert.equal(q.closed, true);
    assert.equal(s.pending[0]!.signal.aborted, true, 'the delivery in flight is aborted');
    assert.deepEqual([q.delivered, q.failed, q.dropped], [1, 0, 2], 'b (in flight) and c (queued) dropped, not retried');
    assert.deepEqual(drops.sort(), ['closed', 'closed']);
    assert.equal(q.push('d'), false);
    assert.equal(q.dropped, 3);
    await flush();
    assert.equal(s.pending.length, 1, 'nothing sent after the close');
    // A queue that empties in time closes at once.
    const quick = new DeliveryQueue<string>({ send: async () => {} });
    quick.push('x');
    await quick.close(100);
    assert.deepEqual([quick.delivered, quick.dropped, quick.closed], [1, 0, true]);
  });

  it('nothing a sender or a handler throws reaches the caller or becomes an unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown): void => void rejections.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      const failures: string[] = [];
      const q = new DeliveryQueue<number>({
        send: ((n: number) => {
          if (n === 0) throw new Error('thrown at once');
          if (n === 1) return Promise.reject('a string'); // eslint-disable-line prefer-promise-reject-errors
          if (n === 2) return undefined; // no promise: done
          if (n === 3) return { then: 'not a function' };
          return Promise.reject(new Error('rejected'));
        }) as never,
        retries: 1,
        retryDelayMs: 0,
        maxQueue: 4,
        permanent: () => {
          throw new Error('from permanent');
        },
        onFailed: (n, e) => {
          failures.push(`${n}: ${e instanceof Error ? e.message : String(e)}`);
          throw new Error('from onFailed');
        },
        onDrop: () => {
          throw new Error('from onDrop');
        },
      });
      for (const n of [0, 1, 2, 3, 4]) assert.doesNotThrow(() => q.push(n));
      assert.equal(await q.drain(), true);
      await q.close(10);
      assert.doesNotThrow(() => q.push(5));
      await flush();
      assert.deepEqual(rejections, []);
      assert.equal(q.dropped, 1, 'the push after the close');
      assert.deepEqual(failures, ['0: thrown at once', '1: a string', '4: rejected']);
      assert.equal(q.delivered, 2, 'no promise, or an object that is not one, counts as done');
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('takes out-of-range settings as the nearest allowed, non-numbers as the defaults', async () => {
    const q = new DeliveryQueue<string>({ send: () => new Promise<void>(() => {}), maxQueue: 0, retries: Number.NaN, timeoutMs: 1e12 });
    q.push('a');
    q.push('b');
    q.push('c');
    assert.equal(q.queued, 1, 'maxQueue 0 is 1');
    assert.equal(q.dropped, 1);
    assert.equal(await q.drain(0), false);
    await q.close(0);
    assert.equal(q.dropped, 3);
  });
});
