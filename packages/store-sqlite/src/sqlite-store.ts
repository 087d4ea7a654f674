/**
 * A Store on one SQLite file (better-sqlite3), shared by the proxy and the
 * CLI: WAL journal, synchronous=NORMAL, and a busy timeout so a second
 * process can write while the first holds the lock.
 *
 * Counters and set members live in memory and are written behind (see
 * counters.ts: what a crash can lose, and why). Counter keys, set members
 * and claimed keys are stored only as keyed hashes (SipHash-2-4 for
 * counters, HMAC-SHA256 for claims, under keys derived from the store
 * secret). Changing the secret therefore forgets every counter, which
 * expire anyway; decisions and events are unaffected.
 *
 * Bounded: counters take at most `maxCounterBytes` of memory (a flood
 * evicts the lowest counts first, and never lowers what a key reads: see
 * CounterTable); every few claims the store drops expired ones and evicts
 * the soonest to expire past `maxCounters`. Events are capped at
 * `maxEvents`, decisions at `maxDecisions`.
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
  type CounterFloor,
  type FlooredStore,
} from 'mamori';
import { floorLabel } from 'mamori/internal';
import { migrate } from './schema.js';
import { SqliteDecisions } from './decisions.js';
import { SqliteEvents } from './events.js';
import { SqliteCounters } from './counters.js';

export interface SqliteStoreOptions {
  /** The database file (created if missing), or `:memory:`. */
  path: string;
  /** Keys the hashes of counter keys and set members; at least 16 bytes. */
  secret: Buffer | string;
  clock?: Clock;
  /** Memory for counters and set members (bytes; the table starts at 1 MiB and doubles up to it, never past it). Default 64 MiB. */
  maxCounterBytes?: number;
  /** How often changed counters are written to the file (ms): what a crash can lose. Default 100. */
  counterFlushMs?: number;
  /** Rows kept in the claim table. Default 1,000,000. */
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
  /** Entries in the counter table (set members included); 0 until the first counter operation. */
  counters: number;
  claims: number;
  decisions: number;
  events: number;
}

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

function defaultOnError(err: unknown): void {
  process.emitWarning(`mamori SQLite store: ${err instanceof Error ? err.message : String(err)}`, { code: 'MAMORI_STORE_SQLITE' });
}

export class SqliteStore implements Store, FlooredStore {
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

  readonly #counters: SqliteCounters;
  readonly #claim: Statement;
  readonly #maintainTx: Database.Transaction<(now: number) => void>;
  readonly #sizeStmts: Record<'claims' | 'decisions' | 'events', Statement>;

  private constructor(db: Database.Database, opts: SqliteStoreOptions, secret: Buffer) {
    this.#db = db;
    this.path = opts.path;
    this.#secret = secret;
    this.#clock = opts.clock ?? systemClock;
    this.#maxCounters = Math.max(1, opts.maxCounters ?? 1_000_000);
    this.#maintainEvery = Math.max(1, Math.min(1024, Math.ceil(this.#maxCounters / 8)));
    this.#onError = opts.onError ?? defaultOnError;
    const check = (): void => this.#check();

    this.#counters = new SqliteCounters(db, secret, this.#clock, {
      maxBytes: Math.max(1024, opts.maxCounterBytes ?? 64 * 1024 * 1024),
      flushMs: Math.max(1, opts.counterFlushMs ?? 100),
      onError: this.#onError,
    });
    this.#claim = db.prepare(
      'INSERT INTO claims (k, exp) VALUES (@k, @exp) ON CONFLICT (k) DO UPDATE SET exp = excluded.exp WHERE claims.exp <= @now',
    );

    const count = (t: string): Statement => db.prepare(`SELECT count(*) FROM ${t}`).pluck();
    const expiredClaims = db.prepare(`DELETE FROM claims WHERE k IN (SELECT k FROM claims WHERE exp <= ? LIMIT ${PRUNE_BATCH})`);
    const evictClaims = db.prepare('DELETE FROM claims WHERE k IN (SELECT k FROM claims ORDER BY exp ASC LIMIT ?)');
    const claims = count('claims');
    this.#maintainTx = db.transaction((now: number) => {
      expiredClaims.run(now);
      const n = claims.get() as number;
      if (n > this.#maxCounters) evictClaims.run(n - this.#maxCounters);
    });
    this.#sizeStmts = { claims, decisions: count('decisions'), events: count('events') };

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
    return this.#counters.increment(ops);
  }

  async read(keys: readonly string[]): Promise<number[]> {
    this.#check();
    return this.#counters.read(keys);
  }

  async reset(keys: readonly string[]): Promise<void> {
    this.#check();
    this.#counters.reset(keys);
  }

  async addDistinct(ops: readonly DistinctOp[]): Promise<number[]> {
    this.#check();
    return this.#counters.addDistinct(ops);
  }

  async removeDistinct(ops: readonly DistinctOp[]): Promise<number[]> {
    this.#check();
    return this.#counters.removeDistinct(ops);
  }

  /**
   * Reads the counter log back now, not at the first count (a process that only reads decisions
   * or events never needs it). A counting process (the proxy) calls this before it takes requests:
   * at a full 64 MiB table the read takes most of a second, which would otherwise stall the
   * first request after a start. Calling it again does nothing.
   */
  warmCounters(): void {
    this.#check();
    this.#counters.warm();
  }

  /** The floors a flood raised (see FlooredStore in mamori): this process's, or the counting process's as last written. */
  async floors(): Promise<CounterFloor[]> {
    this.#check();
    return this.#counters.floors().map((f) => ({ ...f, label: floorLabel(f.kind) }));
  }

  /** The floor of a key's kind in this process, if it counts (see FlooredStore in mamori); 0 otherwise. */
  floorOf(key: string): number {
    return this.#closed ? 0 : this.#counters.floorOf(key);
  }

  /**
   * Drops floors (see FlooredStore in mamori). From a process that does not count (the CLI), the
   * process that does applies it at its next counter flush (within counterFlushMs), or at its
   * next start.
   */
  async resetFloors(kinds?: readonly string[]): Promise<number> {
    this.#check();
    return this.#counters.resetFloors(kinds);
  }

  /** Writes the counter changes not yet written (the store does so every counterFlushMs by itself). */
  flushCounters(): void {
    this.#check();
    this.#counters.flush();
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    this.#check();
    const now = this.#clock.now();
    const fresh = this.#claim.run({ k: hashKey(this.#secret, 'claim', key), exp: now + ttlOf(ttlMs), now }).changes > 0;
    this.#wrote(1);
    return fresh;
  }

  /**
   * Drops expired claims and evicts past maxCounters (counters expire in their table).
   * Runs by itself every few claims; exposed for the CLI and tests.
   */
  prune(): void {
    this.#check();
    this.#maintainTx.immediate(this.#clock.now());
  }

  /** Row counts, for status pages and tests. */
  size(): SqliteStoreSize {
    this.#check();
    const n = (k: 'claims' | 'decisions' | 'events'): number => this.#sizeStmts[k].get() as number;
    return { counters: this.#counters.size, claims: n('claims'), decisions: n('decisions'), events: n('events') };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.events.writePending();
    this.events.stop();
    this.#counters.close();
    this.#closed = true;
    try {
      this.#db.pragma('optimize');
    } catch {
      // Only a planner hint.
    }
    this.#db.close();
  }
}
