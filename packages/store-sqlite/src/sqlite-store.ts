/**
 * A Store on one SQLite file (better-sqlite3), shared by the proxy and the
 * CLI: WAL journal, synchronous=NORMAL, and a busy timeout so a second
 * process can write while the first holds the lock.
 *
 * Counter keys, set members and claimed keys are stored only as a keyed
 * hash (HMAC-SHA256 with the store secret, first 16 bytes). Changing the
 * secret therefore forgets every counter, which expire anyway; decisions
 * and events are unaffected.
 *
 * Bounded: every few writes the store drops expired counters, members and
 * claims, then evicts past `maxCounters` (lowest count, then soonest to
 * expire, so a flood of fresh keys evicts other fresh keys and not an
 * attacker's high counter). Events are capped at `maxEvents`, decisions at
 * `maxDecisions`.
 *
 *   const store = SqliteStore.open({ path: 'mamori.db', secret: process.env.MAMORI_SECRET! });
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import {
  MamoriError,
  MIN_SECRET_LENGTH,
  systemClock,
  type Clock,
  type CounterOp,
  type DecisionStore,
  type DistinctOp,
  type Store,
} from 'mamori';
import { migrate } from './schema.js';
import { SqliteDecisions } from './decisions.js';
import { SqliteEvents } from './events.js';

export interface SqliteStoreOptions {
  /** The database file (created if missing), or `:memory:`. */
  path: string;
  /** Keys the hashes of counter keys and set members; at least 16 bytes. */
  secret: Buffer | string;
  clock?: Clock;
  /** Rows kept in each of the counter, set-member and claim tables. Default 1,000,000. */
  maxCounters?: number;
  /** Default 1,000,000. */
  maxEvents?: number;
  /** Default 100,000. */
  maxDecisions?: number;
  /** Receives event write failures (never thrown into the caller). Default: a process warning. */
  onError?: (err: unknown) => void;
  /** Events are written when this many are queued... Default 256. */
  eventBatchSize?: number;
  /** ...or this long after the first was queued. Default 200 ms. */
  eventFlushMs?: number;
  /** How long a write waits for another process's lock. Default 5000 ms. */
  busyTimeoutMs?: number;
}

export interface SqliteStoreSize {
  counters: number;
  members: number;
  claims: number;
  decisions: number;
  events: number;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Expired rows removed per table per maintenance pass, so one pass stays short. */
const PRUNE_BATCH = 10_000;

function hashKey(secret: Buffer, kind: string, ...parts: string[]): Buffer {
  const h = createHmac('sha256', secret);
  h.update(kind);
  // Length-prefixed, so no two (key, member) pairs hash the same input.
  for (const p of parts) h.update(`\0${p.length}:`).update(p);
  return h.digest().subarray(0, 16);
}

function ttlOf(ms: number): number {
  return Number.isFinite(ms) ? Math.max(1, Math.trunc(ms)) : 1;
}

function amountOf(by: number | undefined): number {
  if (by === undefined) return 1;
  return Number.isFinite(by) ? Math.trunc(by) : 0;
}

function defaultOnError(err: unknown): void {
  process.emitWarning(`mamori SQLite store: ${err instanceof Error ? err.message : String(err)}`, { code: 'MAMORI_STORE_SQLITE' });
}

export class SqliteStore implements Store {
  readonly name = 'sqlite';
  readonly path: string;
  readonly decisions: DecisionStore;
  readonly events: SqliteEvents;
  readonly #db: Database.Database;
  readonly #secret: Buffer;
  readonly #clock: Clock;
  get clock(): Clock {
    return this.#clock;
  }
  readonly #maxCounters: number;
  readonly #maintainEvery: number;
  readonly #onError: (err: unknown) => void;
  #writes = 0;
  #closed = false;

  readonly #incr: Statement;
  readonly #read: Statement;
  readonly #reset: Statement;
  readonly #addMember: Statement;
  readonly #removeMember: Statement;
  readonly #dropMember: Statement;
  readonly #decrement: Statement;
  readonly #claim: Statement;
  readonly #incrementTx: Database.Transaction<(ops: readonly CounterOp[], now: number) => number[]>;
  readonly #resetTx: Database.Transaction<(keys: readonly string[]) => void>;
  readonly #distinctTx: Database.Transaction<(ops: readonly DistinctOp[], now: number) => number[]>;
  readonly #undistinctTx: Database.Transaction<(ops: readonly DistinctOp[], now: number) => number[]>;
  readonly #maintainTx: Database.Transaction<(now: number) => void>;
  readonly #sizeStmts: Record<keyof SqliteStoreSize, Statement>;

  private constructor(db: Database.Database, opts: SqliteStoreOptions, secret: Buffer) {
    this.#db = db;
    this.path = opts.path;
    this.#secret = secret;
    this.#clock = opts.clock ?? systemClock;
    this.#maxCounters = Math.max(1, opts.maxCounters ?? 1_000_000);
    this.#maintainEvery = Math.max(1, Math.min(1024, Math.ceil(this.#maxCounters / 8)));
    this.#onError = opts.onError ?? defaultOnError;
    const check = (): void => this.#check();

    this.#incr = db
      .prepare(
        `INSERT INTO counters (k, n, exp) VALUES (@k, min(max(0, @by), ${MAX_SAFE}), @exp)
         ON CONFLICT (k) DO UPDATE SET
           n = CASE WHEN counters.exp > @now THEN min(max(0, counters.n + @by), ${MAX_SAFE}) ELSE excluded.n END,
           exp = CASE WHEN counters.exp > @now THEN counters.exp ELSE excluded.exp END
         RETURNING n`,
      )
      .pluck();
    this.#read = db.prepare('SELECT n FROM counters WHERE k = ? AND exp > ?').pluck();
    this.#reset = db.prepare('DELETE FROM counters WHERE k = ?');
    // Inserts a member with one hold, or revives an expired one; RETURNING n is 1 exactly when
    // the member was not there (a live one only gains a hold).
    this.#addMember = db
      .prepare(
        `INSERT INTO members (k, exp, n) VALUES (@k, @exp, 1) ON CONFLICT (k) DO UPDATE SET
           n = CASE WHEN members.exp > @now THEN min(members.n + 1, ${MAX_SAFE}) ELSE 1 END,
           exp = CASE WHEN members.exp > @now THEN members.exp ELSE excluded.exp END
         RETURNING n`,
      )
      .pluck();
    // One hold given back; the row goes with its last (RETURNING n is then 0).
    this.#removeMember = db
      .prepare('UPDATE members SET n = n - 1 WHERE k = @k AND exp > @now AND (@since IS NULL OR exp - @ttl <= @since) RETURNING n')
      .pluck();
    this.#dropMember = db.prepare('DELETE FROM members WHERE k = ?');
    this.#decrement = db.prepare('UPDATE counters SET n = max(0, n - 1) WHERE k = ? AND exp > ? RETURNING n').pluck();
    this.#claim = db.prepare(
      'INSERT INTO claims (k, exp) VALUES (@k, @exp) ON CONFLICT (k) DO UPDATE SET exp = excluded.exp WHERE claims.exp <= @now',
    );

    const incrOne = (key: string, by: number, ttlMs: number, now: number): number =>
      this.#incr.get({ k: hashKey(secret, 'counter', key), by, exp: now + ttlOf(ttlMs), now }) as number;
    this.#incrementTx = db.transaction((ops: readonly CounterOp[], now: number) =>
      ops.map((op) => incrOne(op.key, amountOf(op.by), op.ttlMs, now)),
    );
    this.#resetTx = db.transaction((keys: readonly string[]) => {
      for (const k of keys) this.#reset.run(hashKey(secret, 'counter', k));
    });
    this.#distinctTx = db.transaction((ops: readonly DistinctOp[], now: number) =>
      ops.map((op) => {
        const fresh = this.#addMember.get({ k: hashKey(secret, 'member', op.key, op.member), exp: now + ttlOf(op.ttlMs), now }) === 1;
        if (fresh) return incrOne(op.key, 1, op.ttlMs, now);
        return (this.#read.get(hashKey(secret, 'counter', op.key), now) as number | undefined) ?? 0;
      }),
    );

    this.#undistinctTx = db.transaction((ops: readonly DistinctOp[], now: number) =>
      ops.map((op) => {
        const counter = hashKey(secret, 'counter', op.key);
        const member = hashKey(secret, 'member', op.key, op.member);
        // (A marker made after the hold was taken, `heldAt`, is somebody else's: left alone.)
        const since = op.heldAt === undefined || !Number.isFinite(op.heldAt) ? null : op.heldAt;
        const holds = this.#removeMember.get({ k: member, now, since, ttl: ttlOf(op.ttlMs) }) as number | undefined;
        if (holds !== undefined && holds <= 0) this.#dropMember.run(member);
        const n = holds !== undefined && holds <= 0 ? this.#decrement.get(counter, now) : this.#read.get(counter, now);
        return (n as number | undefined) ?? 0;
      }),
    );

    const expired = (t: string): Statement => db.prepare(`DELETE FROM ${t} WHERE k IN (SELECT k FROM ${t} WHERE exp <= ? LIMIT ${PRUNE_BATCH})`);
    const count = (t: string): Statement => db.prepare(`SELECT count(*) FROM ${t}`).pluck();
    const evict = (t: string, order: string): Statement => db.prepare(`DELETE FROM ${t} WHERE k IN (SELECT k FROM ${t} ORDER BY ${order} LIMIT ?)`);
    const tables = [
      { expired: expired('counters'), count: count('counters'), evict: evict('counters', 'n ASC, exp ASC') },
      { expired: expired('members'), count: count('members'), evict: evict('members', 'exp ASC') },
      { expired: expired('claims'), count: count('claims'), evict: evict('claims', 'exp ASC') },
    ];
    this.#maintainTx = db.transaction((now: number) => {
      for (const t of tables) {
        t.expired.run(now);
        const n = t.count.get() as number;
        if (n > this.#maxCounters) t.evict.run(n - this.#maxCounters);
      }
    });
    this.#sizeStmts = {
      counters: tables[0]!.count,
      members: tables[1]!.count,
      claims: tables[2]!.count,
      decisions: count('decisions'),
      events: count('events'),
    };

    this.decisions = new SqliteDecisions(db, this.#clock, opts.maxDecisions ?? 100_000, check);
    this.events = new SqliteEvents(
      db,
      this.#clock,
      {
        maxEvents: Math.max(1, opts.maxEvents ?? 1_000_000),
        batchSize: Math.max(1, opts.eventBatchSize ?? 256),
        flushIntervalMs: Math.max(1, opts.eventFlushMs ?? 200),
        maxPending: Math.max(1, opts.eventBatchSize ?? 256) * 64,
        onError: this.#onError,
      },
      () => this.#closed,
    );
  }

  /** Opens (and creates or migrates) the store; a file that is not a mamori SQLite store gives MAMORI_ERR_STORE_OPEN. */
  static open(opts: SqliteStoreOptions): SqliteStore {
    const secret = typeof opts.secret === 'string' ? Buffer.from(opts.secret) : opts.secret;
    // The one minimum mamori has everywhere (MAMORI_SECRET, secret:, createGuard): 32 bytes.
    if (!Buffer.isBuffer(secret) || secret.length < MIN_SECRET_LENGTH) {
      throw new MamoriError('MAMORI_ERR_CONFIG_SECRET', `the SQLite store needs a secret of at least ${MIN_SECRET_LENGTH} bytes (${MIN_SECRET_LENGTH} characters of text) to hash counter keys, as mamori does everywhere`);
    }
    let db: Database.Database | undefined;
    try {
      // A new database file is readable by its owner only (SQLite gives its -wal and -shm files
      // the same mode): it holds decisions, addresses and keyed hashes of account names.
      if (opts.path !== ':memory:' && !opts.path.startsWith('file:') && !existsSync(opts.path)) closeSync(openSync(opts.path, 'a', 0o600));
      db = new Database(opts.path, { timeout: opts.busyTimeoutMs ?? 5000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Reads the header now, so a damaged file fails here and not on first use.
      db.pragma('quick_check(1)');
      migrate(db, opts.path);
      return new SqliteStore(db, opts, Buffer.from(secret));
    } catch (err) {
      try {
        db?.close();
      } catch {
        // Already failing; the first error is the one to report.
      }
      if (err instanceof MamoriError) throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new MamoriError(
        'MAMORI_ERR_STORE_OPEN',
        `could not open the SQLite store at ${opts.path}: ${why}. Check that the directory exists and is writable; if the file is damaged or not a mamori store, move it aside and a new one is created.`,
        { cause: err },
      );
    }
  }

  #check(): void {
    if (this.#closed) throw new MamoriError('MAMORI_ERR_STORE_CLOSED', `the SQLite store at ${this.path} was closed; open it again`);
  }

  #wrote(n: number): void {
    this.#writes += n;
    if (this.#writes >= this.#maintainEvery) {
      this.#writes = 0;
      this.prune();
    }
  }

  async increment(ops: readonly CounterOp[]): Promise<number[]> {
    this.#check();
    if (ops.length === 0) return [];
    const out = this.#incrementTx.immediate(ops, this.#clock.now());
    this.#wrote(ops.length);
    return out;
  }

  async read(keys: readonly string[]): Promise<number[]> {
    this.#check();
    const now = this.#clock.now();
    return keys.map((k) => (this.#read.get(hashKey(this.#secret, 'counter', k), now) as number | undefined) ?? 0);
  }

  async reset(keys: readonly string[]): Promise<void> {
    this.#check();
    if (keys.length > 0) this.#resetTx.immediate(keys);
  }

  async addDistinct(ops: readonly DistinctOp[]): Promise<number[]> {
    this.#check();
    if (ops.length === 0) return [];
    const out = this.#distinctTx.immediate(ops, this.#clock.now());
    this.#wrote(ops.length);
    return out;
  }

  async removeDistinct(ops: readonly DistinctOp[]): Promise<number[]> {
    this.#check();
    if (ops.length === 0) return [];
    const out = this.#undistinctTx.immediate(ops, this.#clock.now());
    this.#wrote(ops.length);
    return out;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    this.#check();
    const now = this.#clock.now();
    const fresh = this.#claim.run({ k: hashKey(this.#secret, 'claim', key), exp: now + ttlOf(ttlMs), now }).changes > 0;
    this.#wrote(1);
    return fresh;
  }

  /**
   * Drops expired counters, members and claims and evicts past maxCounters.
   * Runs by itself every few writes; exposed for the CLI and tests.
   */
  prune(): void {
    this.#check();
    this.#maintainTx.immediate(this.#clock.now());
  }

  /** Row counts, for status pages and tests. */
  size(): SqliteStoreSize {
    this.#check();
    const n = (k: keyof SqliteStoreSize): number => this.#sizeStmts[k].get() as number;
    return { counters: n('counters'), members: n('members'), claims: n('claims'), decisions: n('decisions'), events: n('events') };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.events.writePending();
    this.events.stop();
    this.#closed = true;
    try {
      this.#db.pragma('optimize');
    } catch {
      // Only a planner hint.
    }
    this.#db.close();
  }
}
