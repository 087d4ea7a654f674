/**
 * mamori's own events (the proxy's logins, WAF blocks, decisions) as lines whose text is
 * the event's JSON, two ways:
 *
 * - `MamoriStoreSource` tails the `events` table of mamori's SQLite store, where every
 *   process that records events writes. It works across processes (the proxy and
 *   `mamori watch` are usually two) and across restarts: its position is the table's
 *   sequence number (which only grows), checkpointed after each acknowledged batch. This
 *   is the one to use.
 * - `MamoriBusSource` subscribes to an EventBus in the same process (`bus.subscribe(source.sink)`),
 *   for an embedded watcher; it sees events live but keeps no position: what is emitted
 *   while nothing listens is not seen.
 */
import Database from 'better-sqlite3';
import { MamoriError, systemClock, type Clock, type EventSink, type SecurityEvent } from 'mamori';
import type { RawLine } from '../model.js';
import type { CheckpointStore } from './checkpoint.js';
import { cutText } from './lines.js';
import { Outbox } from './outbox.js';
import { batchBound, bucketFor, countDelivered, countError, lineBound, newCounters, sleep, type BatchConsumer, type LogSource, type SourceCounters, type SourceLimits } from './source.js';

function eventLine(body: string, maxLine: number, receivedAt: number): RawLine {
  const c = cutText(body, maxLine);
  let time: number | undefined;
  const m = /"@timestamp":"([^"]{1,40})"/.exec(body.slice(0, 400));
  if (m) {
    const t = Date.parse(m[1]!);
    if (Number.isFinite(t)) time = t;
  }
  const line: RawLine = { text: c.text, input: 'mamori', receivedAt, ...(time !== undefined ? { meta: { time } } : {}) };
  return c.truncated ? { ...line, truncated: true } : line;
}

export interface MamoriStoreSourceOptions extends SourceLimits {
  /** mamori's SQLite store (`<data_dir>/mamori.db`). */
  path: string;
  checkpoints?: CheckpointStore;
  /** Without a checkpoint: only events recorded from now on (`end`, the default), or every event kept. */
  startAt?: 'start' | 'end';
  /** How often to look for new events, ms (default 1000). */
  pollMs?: number;
  retryMs?: number;
}

export class MamoriStoreSource implements LogSource {
  readonly input = 'mamori';
  readonly counters: SourceCounters = newCounters();
  readonly done: Promise<void>;
  readonly #opts: MamoriStoreSourceOptions;
  readonly #clock: Clock;
  readonly #key: string;
  #db: Database.Database | undefined;
  #last: number | undefined;
  #consumer: BatchConsumer | undefined;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #resolveDone!: () => void;

  constructor(opts: MamoriStoreSourceOptions) {
    if (typeof opts.path !== 'string' || opts.path === '') throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', 'the mamori event source needs the store\'s path');
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#key = `mamori-events:${opts.path}`;
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  async start(consumer: BatchConsumer): Promise<void> {
    if (this.#consumer) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', 'the mamori event source was started twice');
    this.#consumer = consumer;
    const cp = this.#opts.checkpoints?.get(this.#key);
    if (cp) this.#last = cp.offset;
    this.#loop = this.#run().finally(() => {
      this.#db?.close();
      this.#db = undefined;
      this.#resolveDone();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    if (this.#loop) await this.#loop;
    else this.#resolveDone();
  }

  async #run(): Promise<void> {
    const maxBatch = batchBound(this.#opts);
    const maxLine = lineBound(this.#opts);
    const bucket = bucketFor(this.#opts, this.#clock);
    while (!this.#stopped) {
      let more = false;
      try {
        if (!this.#db) {
          // Read-only: the watcher never writes mamori's store. Absent yet: looked for again.
          try {
            this.#db = new Database(this.#opts.path, { readonly: true, fileMustExist: true });
          } catch {
            this.#db = undefined;
          }
        }
        const db = this.#db;
        if (db) {
          const max = (db.prepare('SELECT max(seq) FROM events').pluck().get() as number | null) ?? 0;
          if (this.#last === undefined) this.#last = this.#opts.startAt === 'start' ? 0 : max;
          // Sequence numbers only grow; a smaller maximum is another store at the same path.
          if (max < this.#last) this.#last = 0;
          const rows = db.prepare('SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?').raw().all(this.#last, maxBatch) as [number, string][];
          if (rows.length) {
            const now = this.#clock.now();
            const batch = rows.map(([, body]) => eventLine(body, maxLine, now));
            this.counters.bytes += rows.reduce((n, [, b]) => n + b.length, 0);
            if (bucket) {
              for (let w = bucket.waitMs(batch.length); w > 0; w = bucket.waitMs(batch.length)) {
                this.counters.throttled++;
                await sleep(w);
              }
              bucket.take(batch.length);
            }
            await this.#consumer!(batch);
            countDelivered(this.counters, batch);
            this.#last = rows[rows.length - 1]![0];
            try {
              this.#opts.checkpoints?.put({ key: this.#key, offset: this.#last });
            } catch (err) {
              countError(this.counters, err);
            }
            more = rows.length === maxBatch;
          }
        }
      } catch (err) {
        // A refused batch, or a store being migrated: the same rows are read again later.
        countError(this.counters, err);
        this.#db?.close();
        this.#db = undefined;
        await sleep(this.#opts.retryMs ?? 1000);
      }
      if (!more && !this.#stopped) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, this.#opts.pollMs ?? 1000);
          this.#wake = () => {
            clearTimeout(t);
            r();
          };
        });
        this.#wake = undefined;
      }
    }
  }
}

export interface MamoriBusSourceOptions extends SourceLimits {
  /** Events waiting for the consumer at most (default 10,000); more are dropped, counted. */
  maxQueued?: number;
}

export class MamoriBusSource implements LogSource {
  readonly input = 'mamori';
  readonly counters: SourceCounters = newCounters();
  readonly done: Promise<void>;
  /** Subscribe this to the EventBus: `bus.subscribe(source.sink)`. It never throws. */
  readonly sink: EventSink;
  readonly #opts: MamoriBusSourceOptions;
  readonly #clock: Clock;
  #outbox: Outbox | undefined;
  #resolveDone!: () => void;

  constructor(opts: MamoriBusSourceOptions = {}) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.done = new Promise((r) => (this.#resolveDone = r));
    const maxLine = lineBound(opts);
    this.sink = {
      emit: (event: SecurityEvent) => {
        if (!this.#outbox) return;
        try {
          const body = JSON.stringify(event);
          this.counters.bytes += body.length;
          this.#outbox.offer(eventLine(body, maxLine, this.#clock.now()));
        } catch (err) {
          countError(this.counters, err);
        }
      },
    };
  }

  async start(consumer: BatchConsumer): Promise<void> {
    if (this.#outbox) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', 'the mamori event source was started twice');
    this.#outbox = new Outbox(consumer, this.counters, { maxBatch: batchBound(this.#opts), maxQueued: Math.max(1, this.#opts.maxQueued ?? 10_000), bucket: bucketFor(this.#opts, this.#clock) });
  }

  async stop(): Promise<void> {
    await this.#outbox?.close();
    this.#resolveDone();
  }
}
