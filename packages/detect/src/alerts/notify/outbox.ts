/**
 * Delivery for one channel, off the detection path: `push` only queues. A bounded queue (a
 * full one drops the oldest, counted), one delivery at a time, a timeout per attempt, a few
 * retries with growing pauses. A dead or slow receiver fills the queue and costs drops,
 * never a wait in the caller. Nothing a transport throws reaches the caller: failures are
 * counted and go to `onError`.
 */
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
  readonly #queue: Notice[] = [];
  readonly #maxQueue: number;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #onError: (err: unknown) => void;
  readonly #closing = new AbortController();
  #busy = false;
  #idle: (() => void)[] = [];
  delivered = 0;
  failed = 0;
  dropped = 0;

  constructor(t: Transport, o: OutboxOptions = {}) {
    this.transport = t;
    this.#maxQueue = Math.max(1, Math.trunc(o.maxQueue ?? 100));
    this.#timeoutMs = Math.max(1, Math.trunc(o.timeoutMs ?? 10_000));
    this.#retries = Math.max(0, Math.min(10, Math.trunc(o.retries ?? 2)));
    this.#retryDelayMs = Math.max(0, Math.trunc(o.retryDelayMs ?? 1000));
    this.#onError = o.onError ?? (() => {});
  }

  get queued(): number {
    return this.#queue.length;
  }

  push(n: Notice): void {
    if (this.#closing.signal.aborted) {
      this.dropped++;
      return;
    }
    if (this.#queue.length >= this.#maxQueue) {
      this.#queue.shift();
      this.dropped++;
    }
    this.#queue.push(n);
    if (!this.#busy) void this.#pump();
  }

  /** True once the queue is empty; false when `timeoutMs` passed first. */
  drain(timeoutMs?: number): Promise<boolean> {
    if (!this.#busy && this.#queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        resolve(true);
      };
      this.#idle.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#idle = this.#idle.filter((f) => f !== done);
          resolve(false);
        }, timeoutMs);
      }
    });
  }

  /** What is queued gets `timeoutMs` to go out; the rest is dropped (counted). */
  async close(timeoutMs = 5000): Promise<void> {
    const emptied = await this.drain(timeoutMs);
    if (!emptied) {
      this.dropped += this.#queue.length;
      this.#queue.length = 0;
    }
    this.#closing.abort();
    await this.drain(timeoutMs);
    try {
      await this.transport.close?.();
    } catch (err) {
      this.#report(err);
    }
  }

  #report(err: unknown): void {
    try {
      this.#onError(err);
    } catch {
      // An error handler that throws has nowhere left to go.
    }
  }

  async #pump(): Promise<void> {
    this.#busy = true;
    try {
      while (this.#queue.length && !this.#closing.signal.aborted) {
        const n = this.#queue.shift()!;
        await this.#deliver(n);
      }
    } finally {
      this.#busy = false;
      for (const r of this.#idle.splice(0)) r();
    }
  }

  async #deliver(n: Notice): Promise<void> {
    let last: unknown;
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      if (attempt > 0 && this.#retryDelayMs > 0) await pause(this.#retryDelayMs * 2 ** (attempt - 1), this.#closing.signal);
      if (this.#closing.signal.aborted) {
        this.dropped++;
        return;
      }
      try {
        const signal = AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#closing.signal]);
        await withSignal(this.transport.send(n, signal), signal);
        this.delivered++;
        return;
      } catch (err) {
        last = err;
        if (err instanceof PermanentError) break;
      }
    }
    this.failed++;
    this.#report(new Error(`${this.transport.name}: a ${n.kind} notice was not delivered: ${last instanceof Error ? last.message : String(last)}`));
  }
}

/** The transport's promise, or a rejection once the signal aborts (a transport that ignores its signal cannot hold the queue). */
function withSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      r();
    }
    signal.addEventListener('abort', done);
  });
}
