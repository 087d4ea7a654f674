/**
 * What every log source shares: how the pipeline starts it and acknowledges what it
 * delivered, the counters `mamori watch` shows, the per-source rate bound, and the serial
 * queue network sources hand their lines through.
 *
 * Delivery is at-least-once. A source hands one batch at a time to the consumer and waits
 * for the consumer's promise; only then does it record its position (a file's offset, a
 * journal cursor, an event store's sequence number). A crash between the two re-delivers
 * that one batch after the restart, never more and never less, and the alert side drops
 * the repeat by `Alert.id`, which is stable for the same input. Exactly-once would need
 * the checkpoint and everything the consumer does in one transaction, which the parts of
 * `mamori watch` do not share.
 */
import type { Clock } from 'mamori';
import type { RawLine } from '../model.js';

/**
 * Takes one batch. The source waits for the returned promise before it records its
 * position and delivers the next batch; a rejection is counted (`errors`) and the batch is
 * delivered again after a pause for sources that can re-read it (files, the journal, the
 * event store), or dropped (counted) for those that cannot.
 */
export type BatchConsumer = (lines: readonly RawLine[]) => Promise<void> | void;

export interface LogSource {
  /** The `RawLine.input` of its lines: a file path, `stdin`, `syslog-udp`, ... */
  readonly input: string;
  /** Starts reading (or listening); resolves once it does. Call once. */
  start(consumer: BatchConsumer): Promise<void>;
  /** Stops reading, waits for the batch in flight to be acknowledged, releases everything. */
  stop(): Promise<void>;
  /** Settles when the source has ended by itself (stdin's end, a replayed file's end) or was stopped. */
  readonly done: Promise<void>;
  /** Live counters, for `mamori watch` status. */
  readonly counters: SourceCounters;
}

/** Counted per source; every line the source read falls in exactly one of the first five. */
export interface SourceCounters {
  /** Lines handed to the consumer and acknowledged. */
  delivered: number;
  /** Lines dropped over the source's rate (sources that cannot push back). */
  overRate: number;
  /** Lines dropped because the consumer was behind and the queue was full. */
  queueFull: number;
  /** Lines skipped as unreadable (only NULs, a record that is not JSON, a frame too long to resynchronise). */
  skipped: number;
  /** Lines the consumer refused (its promise rejected) and that could not be read again. */
  failed: number;
  /** Of the delivered, lines cut at the length bound. */
  truncated: number;
  /** Of the delivered, lines passed with what could be read: bad UTF-8, NULs, a bad syslog header. */
  malformed: number;
  /** Bytes read. */
  bytes: number;
  /** Files: rotations followed (rename, or another file at the path). */
  rotations: number;
  /** Files: truncations seen (copytruncate, or a file rewritten in place). */
  truncations: number;
  /** Times the source waited for its rate bound instead of dropping (files, stdin). */
  throttled: number;
  /** Errors met and survived (an unreadable file, a refused batch, a journalctl that exited). */
  errors: number;
  lastError: string | undefined;
  /** Receive time of the newest delivered line, ms since epoch. */
  lastLineAt: number | undefined;
}

export function newCounters(): SourceCounters {
  return {
    delivered: 0,
    overRate: 0,
    queueFull: 0,
    skipped: 0,
    failed: 0,
    truncated: 0,
    malformed: 0,
    bytes: 0,
    rotations: 0,
    truncations: 0,
    throttled: 0,
    errors: 0,
    lastError: undefined,
    lastLineAt: undefined,
  };
}

/** Records an error on the counters; messages are cut so a hostile path cannot fill memory. */
export function countError(c: SourceCounters, err: unknown): void {
  c.errors++;
  const m = err instanceof Error ? err.message : String(err);
  c.lastError = m.length > 300 ? `${m.slice(0, 300)}…` : m;
}

/** Counts a delivered batch. */
export function countDelivered(c: SourceCounters, lines: readonly RawLine[]): void {
  c.delivered += lines.length;
  for (const l of lines) if (l.truncated) c.truncated++;
  const last = lines[lines.length - 1];
  if (last) c.lastLineAt = last.receivedAt;
}

/** Options every source takes. */
export interface SourceLimits {
  /** Longest line kept, in bytes of UTF-8; the rest is cut (`RawLine.truncated`). Default 16 KiB. */
  maxLineBytes?: number;
  /** Lines per second the source lets through on average; 0 or absent: no bound. */
  ratePerSecond?: number;
  /** Lines the rate bound lets through at once. Default: one second's worth. */
  burst?: number;
  /** Most lines in one batch. Default 1000. */
  maxBatch?: number;
  clock?: Clock;
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024;
export const DEFAULT_MAX_BATCH = 1000;
/** The bound on any one line whatever the config says: 1 MiB. */
export const MAX_LINE_BYTES_CEILING = 1024 * 1024;

export function lineBound(limits: SourceLimits): number {
  const n = limits.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isInteger(n) || n < 64) return 64;
  return Math.min(n, MAX_LINE_BYTES_CEILING);
}

export function batchBound(limits: SourceLimits): number {
  const n = limits.maxBatch ?? DEFAULT_MAX_BATCH;
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 100_000) : DEFAULT_MAX_BATCH;
}

/**
 * A token bucket on the source's clock. `take(n)` lets through what the bucket holds;
 * `waitMs(n)` says how long until n tokens are there, for sources that wait instead of
 * dropping.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #at: number;

  constructor(ratePerSecond: number, burst: number, clock: Clock) {
    this.#rate = ratePerSecond;
    this.#burst = Math.max(1, burst);
    this.#clock = clock;
    this.#tokens = this.#burst;
    this.#at = clock.now();
  }

  #refill(): void {
    const now = this.#clock.now();
    // A clock that steps back refills nothing and does not go into debt either.
    if (now > this.#at) this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) * this.#rate) / 1000);
    this.#at = now;
  }

  /** Takes up to n tokens; returns how many it took. */
  take(n: number): number {
    this.#refill();
    const got = Math.min(n, Math.floor(this.#tokens));
    this.#tokens -= got;
    return got;
  }

  /** Takes n tokens if the bucket holds them all, else none. */
  tryTake(n: number): boolean {
    this.#refill();
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }

  /** Milliseconds until n tokens (at most the burst) are in the bucket. */
  waitMs(n: number): number {
    this.#refill();
    const want = Math.min(n, this.#burst);
    if (this.#tokens >= want) return 0;
    return Math.ceil(((want - this.#tokens) * 1000) / this.#rate);
  }
}

/** The source's bucket, or undefined when it has no rate bound. */
export function bucketFor(limits: SourceLimits, clock: Clock): TokenBucket | undefined {
  const r = limits.ratePerSecond;
  if (r === undefined || !(r > 0)) return undefined;
  return new TokenBucket(r, limits.burst ?? Math.max(1, Math.ceil(r)), clock);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
