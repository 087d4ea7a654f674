/**
 * Delivery for one channel, off the detection path: `push` only queues. A bounded queue (a
 * full one drops the oldest, counted), one delivery at a time, a timeout per attempt, a few
 * retries with growing pauses. A dead or slow receiver fills the queue and costs drops,
 * never a wait in the caller. Nothing a transport throws reaches the caller: failures are
 * counted and go to `onError`. The queue is mamori's DeliveryQueue (core/delivery-queue.ts),
 * which the webhook sink of the guard uses too.
 */
import { DeliveryQueue } from 'mamori/internal';
import type { Notice } from './notice.js';

/** Sends one notice; must give up when `signal` aborts. */
export interface Transport {
  /** For messages: the receiver without credentials (`webhook https://h/path`, `smtp mail.example:587`). */
  readonly name: string;
  send(n: Notice, signal: AbortSignal): Promise<void>;
  close?(): Promise<void> | void;
}

/** A failure worth no retry (a 4xx answer, a refused recipient). */
export class PermanentError extends Error {}

export interface OutboxOptions {
  maxQueue?: number;
  timeoutMs?: number;
  retries?: number;
  retryDelayMs?: number;
  onError?: (err: unknown) => void;
}

export class Outbox {
  readonly transport: Transport;
  readonly #queue: DeliveryQueue<Notice>;
  readonly #onError: (err: unknown) => void;

  constructor(t: Transport, o: OutboxOptions = {}) {
    this.transport = t;
    const onError = o.onError ?? (() => {});
    this.#onError = onError;
    this.#queue = new DeliveryQueue<Notice>({
      send: (n, signal) => t.send(n, signal),
      maxQueue: o.maxQueue ?? 100,
      timeoutMs: o.timeoutMs ?? 10_000,
      retries: o.retries ?? 2,
      retryDelayMs: o.retryDelayMs ?? 1000,
      permanent: (err) => err instanceof PermanentError,
      onFailed: (n, last) => onError(new Error(`${t.name}: a ${n.kind} notice was not delivered: ${last instanceof Error ? last.message : String(last)}`)),
    });
  }

  get delivered(): number {
    return this.#queue.delivered;
  }

  get failed(): number {
    return this.#queue.failed;
  }

  get dropped(): number {
    return this.#queue.dropped;
  }

  get queued(): number {
    return this.#queue.queued;
  }

  push(n: Notice): void {
    this.#queue.push(n);
  }

  /** True once the queue is empty; false when `timeoutMs` passed first. */
  drain(timeoutMs?: number): Promise<boolean> {
    return this.#queue.drain(timeoutMs);
  }

  /** What is queued gets `timeoutMs` to go out; the rest is dropped (counted). */
  async close(timeoutMs = 5000): Promise<void> {
    await this.#queue.close(timeoutMs);
    try {
      await this.transport.close?.();
    } catch (err) {
      try {
        this.#onError(err);
      } catch {
        // An error handler that throws has nowhere left to go.
      }
    }
  }
}
