/**
 * alerts.db: the alerts mamori raised, in SQLite (better-sqlite3, WAL), beside the store in
 * data_dir. Its own file rather than mamori's event store because an alert needs what an
 * EventStore cannot give: a unique id (a replayed or restarted stream must never raise the
 * same alert twice, so the insert itself answers "new or seen"), its samples, its decision
 * written back once the store answered, and queries by detector and source.
 *
 * Inserts are grouped into one transaction that commits within `commitMs` (default 50 ms)
 * or at `batch` rows: a flood of alerts costs a few microseconds each, not an fsync each.
 * The table keeps at most `maxAlerts` rows (default 100,000), the oldest low and medium ones going first.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { MamoriError } from 'mamori';
import { openSqliteFile } from 'mamori/internal';
import type { DecisionRecord, StoredAlert } from './stored.js';

export interface AlertDbOptions {
  /** The file (created 0600 when missing, its folder 0700), or `:memory:`. */
  path: string;
  maxAlerts?: number;
  commitMs?: number;
  batch?: number;
  /** Open an existing file for reading only (the CLI). */
  readonly?: boolean;
}

export interface AlertFilter {
  /** Alerts whose event time is at or after this, ms since epoch. */
  since?: number;
  detector?: string;
  sourceIp?: string;
  limit?: number;
}

export class AlertDb {
  readonly #db: Database.Database;
  readonly #insert: Statement | undefined;
  readonly #setDecision: Statement | undefined;
  readonly #has: Statement;
  readonly #maxAlerts: number;
  readonly #commitMs: number;
  readonly #batch: number;
  #inTx = 0;
  #timer: NodeJS.Timeout | undefined;
  #rows: number;
  #closed = false;

  private constructor(db: Database.Database, o: AlertDbOptions) {
    this.#db = db;
    this.#maxAlerts = Math.max(1, Math.trunc(o.maxAlerts ?? 100_000));
    this.#commitMs = Math.max(0, Math.trunc(o.commitMs ?? 50));
    this.#batch = Math.max(1, Math.trunc(o.batch ?? 1000));
    if (!o.readonly) {
      this.#insert = db.prepare(
        'INSERT OR IGNORE INTO alerts (id, detector, severity, time, source_ip, recorded_at, simulated, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      this.#setDecision = db.prepare('UPDATE alerts SET decision = ? WHERE id = ?');
    }
    this.#has = db.prepare('SELECT 1 FROM alerts WHERE id = ?').pluck();
    this.#rows = (db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n;
  }

  static open(o: AlertDbOptions): AlertDb {
    let db: Database.Database | undefined;
    try {
      const file = o.path !== ':memory:';
      if (file && o.readonly && !existsSync(o.path)) {
        throw new MamoriError('MAMORI_ERR_STORE_OPEN', `${o.path} does not exist: no alert has been recorded yet (mamori watch or mamori replay records them)`);
      }
      // Readable by its owner only, like the store: it holds addresses and keyed hashes of accounts.
      db = openSqliteFile(o.path, { driver: Database, what: 'the alerts database', migrations: MIGRATIONS, readonly: o.readonly === true });
      return new AlertDb(db, o);
    } catch (err) {
      try {
        db?.close();
      } catch {
        // Already failing: the first error is the one to report.
      }
      if (err instanceof MamoriError) throw err;
      throw new MamoriError('MAMORI_ERR_STORE_OPEN', `cannot open the alerts database ${o.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  /** Records an alert; false when one with its id is already recorded (nothing changes then). */
  insert(a: StoredAlert): boolean {
    if (!this.#insert || this.#closed) throw new MamoriError('MAMORI_ERR_STORE_OPEN', 'the alerts database is closed or read-only');
    this.#begin();
    const { decision: _d, ...body } = a;
    const r = this.#insert.run(a.id, a.detector, a.severity, a.time, a.sourceIp ?? null, a.recordedAt, a.simulated ? 1 : 0, JSON.stringify(body));
    if (r.changes === 0) return false;
    this.#rows++;
    if (this.#rows > this.#maxAlerts + Math.min(1000, Math.ceil(this.#maxAlerts / 10))) this.#prune();
    if (++this.#inTx >= this.#batch) this.commit();
    return true;
  }

  /** True when an alert with this id is recorded. */
  has(id: string): boolean {
    return this.#has.get(id) !== undefined;
  }

  /** Writes what the alert's decision became. */
  setDecision(id: string, d: DecisionRecord): void {
    if (!this.#setDecision || this.#closed) return;
    this.#begin();
    this.#setDecision.run(JSON.stringify(d), id);
    if (++this.#inTx >= this.#batch) this.commit();
  }

  /** Makes what was inserted durable now. */
  commit(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#inTx > 0 || this.#db.inTransaction) {
      this.#inTx = 0;
      if (this.#db.inTransaction) this.#db.exec('COMMIT');
    }
  }

  #begin(): void {
    if (this.#db.inTransaction) return;
    this.#db.exec('BEGIN');
    this.#timer = setTimeout(() => this.commit(), this.#commitMs);
    this.#timer.unref();
  }

  #prune(): void {
    const drop = this.#rows - this.#maxAlerts;
    // Low and medium alerts go first, oldest first: an attacker who can raise cheap alerts
    // at will (a scanner's User-Agent from many addresses) must not push out the record of
    // the high one that mattered. Both scans walk the seq order, no sort.
    const low = this.#db
      .prepare("DELETE FROM alerts WHERE seq IN (SELECT seq FROM alerts WHERE severity IN ('low', 'medium') ORDER BY seq LIMIT ?)")
      .run(drop).changes;
    if (low < drop) this.#db.prepare('DELETE FROM alerts WHERE seq IN (SELECT seq FROM alerts ORDER BY seq LIMIT ?)').run(drop - low);
    this.#rows = this.#maxAlerts;
  }

  get size(): number {
    return this.#rows;
  }

  /** Newest (event time) first. */
  list(f: AlertFilter = {}): StoredAlert[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.since !== undefined) {
      where.push('time >= ?');
      args.push(f.since);
    }
    if (f.detector !== undefined) {
      where.push('detector = ?');
      args.push(f.detector);
    }
    if (f.sourceIp !== undefined) {
      where.push('source_ip = ?');
      args.push(f.sourceIp);
    }
    const limit = Math.max(1, Math.min(100_000, Math.trunc(f.limit ?? 100)));
    const sql = `SELECT body, decision FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, seq DESC LIMIT ${limit}`;
    return (this.#db.prepare(sql).all(...args) as Row[]).map(fromRow);
  }

  /** The alerts whose id is `id` or starts with it (a prefix of 4 characters at least); at most 10. */
  find(id: string): StoredAlert[] {
    const exact = this.#db.prepare('SELECT body, decision FROM alerts WHERE id = ?').get(id) as Row | undefined;
    if (exact) return [fromRow(exact)];
    if (id.length < 4) return [];
    // A range on the unique index instead of LIKE: an id may hold % or _.
    const rows = this.#db.prepare('SELECT body, decision FROM alerts WHERE id >= ? AND id < ? ORDER BY id LIMIT 10').all(id, `${id}\uffff`) as Row[];
    return rows.map(fromRow).filter((a) => a.id.startsWith(id));
  }

  close(): void {
    if (this.#closed) return;
    if (this.#insert) this.commit();
    this.#closed = true;
    this.#db.close();
  }
}

interface Row {
  body: string;
  decision: string | null;
}

function fromRow(r: Row): StoredAlert {
  const a = JSON.parse(r.body) as StoredAlert;
  return r.decision ? { ...a, decision: JSON.parse(r.decision) as DecisionRecord } : a;
}

const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS alerts (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      detector TEXT NOT NULL,
      severity TEXT NOT NULL,
      time INTEGER NOT NULL,
      source_ip TEXT,
      recorded_at INTEGER NOT NULL,
      simulated INTEGER NOT NULL,
      body TEXT NOT NULL,
      decision TEXT
    );
    CREATE INDEX IF NOT EXISTS alerts_time ON alerts (time);
    CREATE INDEX IF NOT EXISTS alerts_detector ON alerts (detector, time);
    CREATE INDEX IF NOT EXISTS alerts_source ON alerts (source_ip, time);`,
];
