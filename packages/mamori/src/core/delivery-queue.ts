/**
 * Sending things somewhere slow (webhooks, chat, mail, syslog) off the caller's path: `push`
 * only queues. A bounded queue (a full one drops the oldest, counted), one delivery at a time,
 * a timeout per attempt, a few retries with doubling pauses. A dead or slow receiver fills the
 * queue and costs drops, never a wait in the caller; a sender that throws, rejects, or never
 * settles (whether or not it heeds its signal) is cut off at its timeout and counted. Nothing
 * a sender or a callback throws reaches the caller, and no promise of the queue's rejects.
 *
 * Example:
 *   const q = new DeliveryQueue<Notice>({ send: (n, signal) => post(n, signal), onFailed: (n, err) => log(err) });
 *   q.push(notice);
 *   await q.close(5000); // what is queued gets 5 s, the rest is dropped
 */

/** Why `onDrop` was called: the queue was full (the oldest went), or it was closing or closed. */
export type DropReason = 'full' | 'closed';

export interface DeliveryQueueOptions<T> {
  /** Delivers one item; must give up when `signal` aborts (the queue stops waiting for it then anyway). */
  send: (item: T, signal: AbortSignal) => Promise<void> | void;
  /** Items waiting at most (1 to 1,000,000); default 1000. */
  maxQueue?: number | undefined;
  /** Per attempt, ms; default 5000. */
  timeoutMs?: number | undefined;
  /** Attempts after the first (0 to 10); default 2. */
  retries?: number | undefined;
  /** The pause before the first retry, ms, doubled for each next one; default 500. */
  retryDelayMs?: number | undefined;
  /** A failure that retrying cannot help (a 4xx answer, a refused recipient): no more attempts. */
  permanent?: ((err: unknown) => boolean) | undefined;
  /** An item given up after its attempts, with the last attempt's error. */
  onFailed?: ((item: T, err: unknown) => void) | undefined;
  /** Called after each drop is counted. */
  onDrop?: ((reason: DropReason) => void) | undefined;
}

const MAX_TIMER = 2_147_483_647;

function whole(v: number | undefined, fallback: number, min: number, max: number): number {
  return v !== undefined && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.trunc(v))) : fallback;
}

export class DeliveryQueue<T> {
  readonly #send: (item: T, signal: AbortSignal) => Promise<void> | void;
  readonly #maxQueue: number;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #permanent: (err: unknown) => boolean;
  readonly #onFailed: ((item: T, err: unknown) => void) | undefined;
  readonly #onDrop: ((reason: DropReason) => void) | undefined;
  readonly #queue: T[] = [];
  /** Aborts what is in flight once the queue is closed. */
  readonly #closing = new AbortController();
  #busy = false;
  #idle: (() => void)[] = [];
  #delivered = 0;
  #failed = 0;
  #dropped = 0;

  constructor(o: DeliveryQueueOptions<T>) {
    this.#send = o.send;
    this.#maxQueue = whole(o.maxQueue, 1000, 1, 1_000_000);
    this.#timeoutMs = whole(o.timeoutMs, 5000, 1, MAX_TIMER);
    this.#retries = whole(o.retries, 2, 0, 10);
    this.#retryDelayMs = whole(o.retryDelayMs, 500, 0, MAX_TIMER);
    this.#permanent = o.permanent ?? (() => false);
    this.#onFailed = o.onFailed;
    this.#onDrop = o.onDrop;
  }

  /** Items delivered. */
  get delivered(): number {
    return this.#delivered;
  }

  /** Items given up after their attempts. */
  get failed(): number {
    return this.#failed;
  }

  /** Items dropped: pushed out by a full queue, or left when it closed. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Items waiting (not the one in flight). */
  get queued(): number {
    return this.#queue.length;
  }

  /** True once `close` stopped the queue: a push is dropped. */
  get closed(): boolean {
    return this.#closing.signal.aborted;
  }

  /** Queues an item (a full queue drops its oldest); false when closed (the item is dropped). */
  push(item: T): boolean {
    if (this.closed) {
      this.#drop(1, 'closed');
      return false;
    }
    if (this.#queue.length >= this.#maxQueue) {
      this.#queue.shift();
      this.#drop(1, 'full');
    }
    this.#queue.push(item);
    if (!this.#busy) void this.#pump();
    return true;
  }

  /**
   * Resolves when the queue is empty and nothing is in flight: true; or after `timeoutMs`,
   * when one is given and it has not emptied by then (a receiver that never answers must not
   * hold a shutdown): false.
   */
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
        }, Math.max(0, Math.min(MAX_TIMER, timeoutMs)));
      }
    });
  }

  /**
   * Stops the queue: what is queued gets `timeoutMs` to go out, then whatever is left (queued
   * or in flight) is dropped and counted, and nothing more is sent.
   */
  async close(timeoutMs = 5000): Promise<void> {
    const emptied = await this.drain(timeoutMs);
    if (!emptied) {
      const left = this.#queue.length;
      this.#queue.length = 0;
      if (left > 0) this.#drop(left, 'closed');
    }
    this.#closing.abort();
    if (!emptied) await this.drain(timeoutMs);
  }

  #drop(n: number, reason: DropReason): void {
    this.#dropped += n;
    if (this.#onDrop) safely(() => this.#onDrop!(reason));
  }

  async #pump(): Promise<void> {
    this.#busy = true;
    try {
      while (this.#queue.length && !this.closed) await this.#deliver(this.#queue.shift()!);
    } finally {
      this.#busy = false;
      for (const r of this.#idle.splice(0)) r();
    }
  }

  async #deliver(item: T): Promise<void> {
    const closing = this.#closing.signal;
    let last: unknown;
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      if (attempt > 0 && this.#retryDelayMs > 0) await pause(this.#retryDelayMs * 2 ** (attempt - 1), closing);
      if (closing.aborted) {
        this.#drop(1, 'closed');
        return;
      }
      // One controller an attempt, its timer and its listener on `closing` gone when it ends
      // (AbortSignal.any on a signal that lives as long as the queue keeps every attempt's signal).
      const attemptAc = new AbortController();
      const timer = setTimeout(() => attemptAc.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), this.#timeoutMs);
      timer.unref();
      const onClose = (): void => attemptAc.abort(closing.reason);
      closing.addEventListener('abort', onClose, { once: true });
      try {
        await withSignal(() => this.#send(item, attemptAc.signal), attemptAc.signal);
        this.#delivered++;
        return;
      } catch (err) {
        last = err;
        let stop = false;
        safely(() => (stop = this.#permanent(err)));
        if (stop) break;
      } finally {
        clearTimeout(timer);
        closing.removeEventListener('abort', onClose);
      }
    }
    this.#failed++;
    if (this.#onFailed) safely(() => this.#onFailed!(item, last));
  }
}

/** Runs a callback of the caller's; whatever it throws stays here. */
function safely(f: () => void): void {
  try {
    f();
  } catch {
    // A handler that throws has nowhere left to go.
  }
}

/**
 * What `send` gives, or a rejection once the signal aborts: a sender that ignores its signal, or
 * throws at once, or returns no promise, cannot hold the queue or escape it.
 */
function withSignal(send: () => Promise<void> | void, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(reasonOf(signal));
  let p: Promise<void>;
  try {
    p = Promise.resolve(send());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(reasonOf(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function reasonOf(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** A pause that ends early when `signal` aborts (at once when it already has). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((r) => {
    const t = setTimeout(done, Math.min(MAX_TIMER, ms));
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      r();
    }
    signal.addEventListener('abort', done);
  });
}
