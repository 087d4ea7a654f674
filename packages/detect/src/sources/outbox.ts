/**
 * The serial queue of sources that are pushed to (syslog, HTTP, mamori's event bus): lines
 * wait here, bounded, while the consumer works on the batch before them. A source that
 * can push back (TCP) pauses its senders while the queue is `full` and resumes them on
 * `onDrain`; one that cannot (UDP) drops, counted in `queueFull`.
 */
import type { RawLine } from '../model.js';
import { countDelivered, countError, type BatchConsumer, type SourceCounters, type TokenBucket } from './source.js';

export interface OutboxOptions {
  maxBatch: number;
  /** Lines queued at most; beyond, offers are refused. */
  maxQueued: number;
  bucket: TokenBucket | undefined;
}

interface Waiter {
  at: number;
  resolve: () => void;
}

export class Outbox {
  readonly #consumer: BatchConsumer;
  readonly #counters: SourceCounters;
  readonly #opts: OutboxOptions;
  #queue: RawLine[] = [];
  #head = 0;
  #flight: Promise<void> | undefined;
  /** Lines offered and accepted so far, and lines the consumer has settled (acknowledged or failed). */
  #accepted = 0;
  #settled = 0;
  #waiters: Waiter[] = [];
  #drainListeners: (() => void)[] = [];
  #wasFull = false;
  #closed = false;
  #scheduled = false;

  constructor(consumer: BatchConsumer, counters: SourceCounters, opts: OutboxOptions) {
    this.#consumer = consumer;
    this.#counters = counters;
    this.#opts = opts;
  }

  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** True above the high-water mark (three quarters of the bound): push back now. */
  get full(): boolean {
    return this.queued >= (this.#opts.maxQueued * 3) / 4;
  }

  /** Called each time the queue falls back under half the bound after being full. */
  onDrain(fn: () => void): void {
    this.#drainListeners.push(fn);
  }

  /** Queues one line; false when it was dropped (over rate or queue full; counted). */
  offer(line: RawLine): boolean {
    if (this.#closed) return false;
    if (this.#opts.bucket && this.#opts.bucket.take(1) === 0) {
      this.#counters.overRate++;
      return false;
    }
    if (this.queued >= this.#opts.maxQueued) {
      this.#counters.queueFull++;
      return false;
    }
    this.#push(line);
    return true;
  }

  /**
   * Queues all the lines or none: `rate` when the rate bound does not let them all
   * through, `full` when the queue has no room for them all. Nothing is counted as dropped:
   * the sender is told and may send again (HTTP answers 429 or 503).
   */
  offerAll(lines: readonly RawLine[]): 'ok' | 'rate' | 'full' | 'closed' {
    if (this.#closed) return 'closed';
    if (this.queued + lines.length > this.#opts.maxQueued) return 'full';
    if (this.#opts.bucket && !this.#opts.bucket.tryTake(lines.length)) return 'rate';
    for (const l of lines) this.#push(l);
    return 'ok';
  }

  #push(line: RawLine): void {
    this.#queue.push(line);
    this.#accepted++;
    if (this.full) this.#wasFull = true;
    // Pumped once the current burst of offers is over, so they go out as one batch.
    if (!this.#scheduled && !this.#flight) {
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#pump();
      });
    }
  }

  /** Resolves once every line accepted before the call has been settled by the consumer. */
  settled(): Promise<void> {
    if (this.#settled >= this.#accepted) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ at: this.#accepted, resolve }));
  }

  #pump(): void {
    if (this.#flight || this.queued === 0) return;
    const end = Math.min(this.#queue.length, this.#head + this.#opts.maxBatch);
    const batch = this.#queue.slice(this.#head, end);
    this.#head = end;
    // Compact once the consumed part dominates, so the array does not grow forever.
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#flight = this.#deliver(batch).finally(() => {
      this.#flight = undefined;
      this.#settled += batch.length;
      if (this.#waiters.length) {
        const still: Waiter[] = [];
        for (const w of this.#waiters) (w.at <= this.#settled ? w.resolve() : still.push(w));
        this.#waiters = still;
      }
      if (this.#wasFull && this.queued <= this.#opts.maxQueued / 2) {
        this.#wasFull = false;
        for (const fn of this.#drainListeners) fn();
      }
      this.#pump();
    });
  }

  async #deliver(batch: RawLine[]): Promise<void> {
    try {
      await this.#consumer(batch);
      countDelivered(this.#counters, batch);
    } catch (err) {
      // A pushed line cannot be read again: the refusal is counted and the batch is gone.
      this.#counters.failed += batch.length;
      countError(this.#counters, err);
    }
  }

  /** Refuses new lines and waits until the queued ones are settled. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.settled();
  }
}
