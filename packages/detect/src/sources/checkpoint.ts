/**
 * Where each source has read to, in its own SQLite file (WAL): for a file, its identity
 * (device and inode, and a SHA-256 of its first bytes, which tells a reused inode or a
 * file rewritten in place) and the offset just past the last line the consumer
 * acknowledged; for the journal, a cursor; for mamori's event store, a sequence number.
 *
 * A write is one statement in autocommit: durable against a crash of the process (kill -9)
 * as soon as it returns. One watcher should own a store: two following the same file would
 * each move its offset (SQLite keeps the file consistent, not the two watchers' intent).
 */
import Database from 'better-sqlite3';
import { MamoriError, systemClock, type Clock } from 'mamori';
import { openSqliteFile } from 'mamori/internal';

export interface FileIdentity {
  /** Device and inode as decimal strings (they may not fit a double). */
  readonly dev: string;
  readonly ino: string;
  /** How many of the file's first bytes `head` hashes, and their SHA-256 (hex). */
  readonly headLen: number;
  readonly head: string;
}

export interface Checkpoint {
  /** The source's key: a file's path, `journal`, `mamori-events:<db path>`. */
  readonly key: string;
  /** Files: the identity of the file the offset belongs to. */
  readonly file?: FileIdentity;
  /** Files: bytes. The event store: the last sequence number read. */
  readonly offset: number;
  /** The journal: the last record's __CURSOR. */
  readonly cursor?: string;
  /** When it was written, ms since epoch. */
  readonly updatedAt: number;
}

const MAX_KEY = 4096;
const MAX_CURSOR = 1024;

export class CheckpointStore {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;
  readonly #del: Database.Statement;
  #closed = false;

  private constructor(db: Database.Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#get = db.prepare('SELECT key, dev, ino, head_len, head, offset, cursor, updated_at FROM checkpoints WHERE key = ?');
    this.#put = db.prepare(
      `INSERT INTO checkpoints (key, dev, ino, head_len, head, offset, cursor, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET dev = excluded.dev, ino = excluded.ino, head_len = excluded.head_len,
         head = excluded.head, offset = excluded.offset, cursor = excluded.cursor, updated_at = excluded.updated_at`,
    );
    this.#del = db.prepare('DELETE FROM checkpoints WHERE key = ?');
  }

  /** Opens (creating, mode 0600) the store at `path`; `:memory:` for one that lasts as long as the process. */
  static open(path: string, clock: Clock = systemClock): CheckpointStore {
    try {
      // WAL with synchronous NORMAL is durable against a crash of the process, which is what a checkpoint must survive.
      const db = openSqliteFile(path, { driver: Database, what: 'the checkpoint store', migrations: [`CREATE TABLE IF NOT EXISTS checkpoints (
        key TEXT PRIMARY KEY,
        dev TEXT,
        ino TEXT,
        head_len INTEGER,
        head TEXT,
        offset INTEGER NOT NULL,
        cursor TEXT,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID`] });
      return new CheckpointStore(db, clock);
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_WATCH_CHECKPOINT', `the checkpoint store ${path} could not be opened: ${(err as Error).message}`, { cause: err });
    }
  }

  get(key: string): Checkpoint | undefined {
    this.#open();
    const r = this.#get.get(key) as
      | { key: string; dev: string | null; ino: string | null; head_len: number | null; head: string | null; offset: number; cursor: string | null; updated_at: number }
      | undefined;
    if (!r) return undefined;
    const file = r.dev !== null && r.ino !== null && r.head !== null ? { dev: r.dev, ino: r.ino, headLen: r.head_len ?? 0, head: r.head } : undefined;
    return { key: r.key, offset: r.offset, updatedAt: r.updated_at, ...(file ? { file } : {}), ...(r.cursor !== null ? { cursor: r.cursor } : {}) };
  }

  /** Records a position; throws MAMORI_ERR_WATCH_CHECKPOINT when it cannot (the source counts it and goes on). */
  put(cp: Omit<Checkpoint, 'updatedAt'>): void {
    this.#open();
    if (cp.key.length > MAX_KEY || (cp.cursor !== undefined && cp.cursor.length > MAX_CURSOR)) {
      throw new MamoriError('MAMORI_ERR_WATCH_CHECKPOINT', 'a checkpoint key or cursor is too long to store');
    }
    try {
      const f = cp.file;
      this.#put.run(cp.key, f?.dev ?? null, f?.ino ?? null, f?.headLen ?? null, f?.head ?? null, cp.offset, cp.cursor ?? null, this.#clock.now());
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_WATCH_CHECKPOINT', `the checkpoint of ${cp.key.slice(0, 200)} could not be written: ${(err as Error).message}`, { cause: err });
    }
  }

  delete(key: string): void {
    this.#open();
    this.#del.run(key);
  }

  /** Every checkpoint, for `mamori watch` status. */
  list(): Checkpoint[] {
    this.#open();
    const keys = this.#db.prepare('SELECT key FROM checkpoints ORDER BY key').pluck().all() as string[];
    return keys.map((k) => this.get(k)).filter((c): c is Checkpoint => c !== undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #open(): void {
    if (this.#closed) throw new MamoriError('MAMORI_ERR_WATCH_CHECKPOINT', 'the checkpoint store was used after it was closed');
  }
}
