/**
 * Events in SQLite. `append` only queues: the queue is written in one
 * transaction when it reaches `batchSize`, on a short timer, and on
 * `flush()`/`close()`. A failed write goes to `onError` and the batch stays
 * queued (the queue is bounded) for the next attempt; nothing is thrown
 * into the caller. The table keeps at most `maxEvents` rows, oldest dropped.
 */
import type { Database, Statement } from 'better-sqlite3';
import { boundEvent, MamoriError, type Clock, type EventQuery, type EventStore, type SecurityEvent } from 'mamori';
import { where } from './where.js';

interface Row {
  ts: number;
  action: string;
  sourceIp: string | null;
  userId: string | null;
  body: string;
}

export interface SqliteEventsOptions {
  maxEvents: number;
  batchSize: number;
  flushIntervalMs: number;
  /** Queued events beyond this are dropped, oldest first, while writes fail. */
  maxPending: number;
  onError: (err: unknown) => void;
}

export class SqliteEvents implements EventStore {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #opts: SqliteEventsOptions;
  readonly #isClosed: () => boolean;
  readonly #cache = new Map<string, Statement>();
  readonly #write: (rows: readonly Row[]) => void;
  #pending: Row[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  /** The last event's @timestamp and its parse (Date.parse; NaN when it is not a time). */
  #lastIso: unknown = undefined;
  #lastTs = NaN;
  /** Events dropped because the queue was full while writes failed. */
  dropped = 0;

  constructor(db: Database, clock: Clock, opts: SqliteEventsOptions, isClosed: () => boolean) {
    this.#db = db;
    this.#clock = clock;
    this.#opts = opts;
    this.#isClosed = isClosed;
    // (Positional parameters: binding an object's properties by name costs more per row.)
    const insert = db.prepare('INSERT INTO events (ts, action, source_ip, user_id, body) VALUES (?, ?, ?, ?, ?)');
    // Sequence numbers only grow, so "beyond the newest maxEvents" is one range delete on the primary key.
    const trim = db.prepare('DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - ?');
    this.#write = db.transaction((rows: readonly Row[]) => {
      for (const r of rows) insert.run(r.ts, r.action, r.sourceIp, r.userId, r.body);
      trim.run(this.#opts.maxEvents);
    });
  }

  append(event: SecurityEvent): void {
    if (this.#isClosed()) {
      this.#opts.onError(new MamoriError('MAMORI_ERR_STORE_CLOSED', 'an event was appended after the SQLite store was closed; it was dropped'));
      return;
    }
    let row: Row;
    try {
      const e = boundEvent(event);
      // Events come many to a millisecond with the same time text: parsed once for them all.
      const iso = e['@timestamp'];
      if (iso !== this.#lastIso) {
        this.#lastIso = iso;
        this.#lastTs = Date.parse(iso);
      }
      const t = this.#lastTs;
      row = {
        ts: Number.isFinite(t) ? t : this.#clock.now(),
        action: String(e['event.action'] ?? ''),
        sourceIp: typeof e['source.ip'] === 'string' ? e['source.ip'] : null,
        userId: typeof e['user.id'] === 'string' ? e['user.id'] : null,
        body: JSON.stringify(e),
      };
    } catch (err) {
      this.#opts.onError(err);
      return;
    }
    this.#pending.push(row);
    if (this.#pending.length > this.#opts.maxPending) {
      this.#pending.splice(0, this.#pending.length - this.#opts.maxPending);
      this.dropped++;
    }
    if (this.#pending.length >= this.#opts.batchSize) {
      // Written soon, but never inside the caller's call.
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined;
        this.writePending();
      });
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.writePending();
      }, this.#opts.flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** Writes the queue now; on failure reports to onError and keeps it for the next try. */
  writePending(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.length === 0 || this.#isClosed()) return;
    const batch = this.#pending;
    this.#pending = [];
    try {
      this.#write(batch);
    } catch (err) {
      this.#pending = batch.concat(this.#pending);
      if (this.#pending.length > this.#opts.maxPending) {
        this.dropped += this.#pending.length - this.#opts.maxPending;
        this.#pending.splice(0, this.#pending.length - this.#opts.maxPending);
      }
      this.#opts.onError(err);
    }
  }

  /** Stops the timers; called by the store before it closes the database. */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }

  async flush(): Promise<void> {
    this.writePending();
  }

  get pending(): number {
    return this.#pending.length;
  }

  async query(q: EventQuery = {}): Promise<SecurityEvent[]> {
    if (this.#isClosed()) throw new MamoriError('MAMORI_ERR_STORE_CLOSED', 'the SQLite store was closed; open it again');
    // What this process appended is visible to its own queries at once.
    this.writePending();
    const { key, sql, params } = where([
      ['ts >= @since', 'since', q.since],
      ['ts <= @until', 'until', q.until],
      ['action = @action', 'action', q.action || undefined],
      ['source_ip = @sourceIp', 'sourceIp', q.sourceIp || undefined],
      ['user_id = @userId', 'userId', q.userId || undefined],
    ]);
    let s = this.#cache.get(key);
    if (!s) {
      s = this.#db.prepare(`SELECT body FROM events ${sql} ORDER BY ts DESC, seq DESC LIMIT @limit`).pluck();
      this.#cache.set(key, s);
    }
    const limit = q.limit === undefined ? 100 : Math.max(0, Math.trunc(q.limit));
    return (s.all({ ...params, limit }) as string[]).map((b) => JSON.parse(b) as SecurityEvent);
  }
}
