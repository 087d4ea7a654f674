/**
 * The SQLite store's counters: kept in memory, in the same fixed-size
 * CounterTable as the memory store (a hard cap, and floors so that no flood
 * lowers a count), and written behind to the database file.
 *
 * Why not a row per counter: a login failure changes five to seven
 * counters, and an upsert into a B-tree of random 16-byte keys costs about
 * 10 us of CPU each here, which made a failed login through the proxy five
 * times the cost of a page. Instead every `flushMs` the entries that changed
 * are appended as one blob of fixed-size records to `counter_log` (a
 * sequential insert: about 0.5 us per record), and when the log holds well
 * more records than the table has entries, it is replaced by a snapshot of
 * the table. Opening the store reads the log back in order (later records
 * win).
 *
 * What a crash (SIGKILL, a power cut after the OS wrote the WAL) loses: the
 * counter changes of at most the last `flushMs` (100 ms by default).
 * Decisions (a closed account, a blocked source) and single-use claims are
 * not counters: they are written before the call returns.
 *
 * Keys are never stored: each is replaced by its first two characters (its
 * kind) and a keyed SipHash-2-4 of the whole key, and the table's own hash
 * of that (seeded from the store secret, so every process finds the same
 * entries) is what the log holds.
 *
 * One process counts at a time (the proxy); another process sharing the
 * file (the CLI deleting a decision) asks for counters to be reset through
 * `counter_resets`, which the counting process reads at its next flush.
 */
import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { MamoriError, type Clock, type CounterOp, type DistinctOp } from 'mamori';
import { CounterTable, StringHasher, hmac, idKey, liveFloorsOf, type LiveFloor, type Random } from 'mamori/internal';

export interface SqliteCountersOptions {
  /** Bytes of memory for the table (it never grows past them). */
  maxBytes: number;
  /** How often changes are written (ms). */
  flushMs: number;
  /** Receives write failures (never thrown into a caller). */
  onError: (err: unknown) => void;
}

/** Bytes per log record: hi, lo (int32), count (uint32), expiry (float64, ms since the epoch; 0 deletes). */
const RECORD = 20;
/** Slots a compaction step reads (at 16 bytes a slot, 2 MiB of the table; up to 2.6 MB of records). */
const COMPACT_SLOTS = 131_072;
/** The log is compacted once it holds this many records and twice the table's entries. */
const COMPACT_MIN = 100_000;
/** Bytes of records kept for the next flush when a write fails (about 800,000 changes). */
const MAX_UNWRITTEN = 16 * 1024 * 1024;
/** Keys longer than this are hashed with SHA-256 first (the SipHash buffer is this long). */
const MAX_KEY = 512;

/**
 * A counter_resets row that drops floors rather than deleting a key: this, then the kinds as
 * JSON (null: every kind). No key the table holds starts so (a key's second character is never
 * NUL followed by "floors").
 */
const FLOOR_RESET = '\u0000floors:';

/** Random for the table's seed: the store derives it, so the table never asks. */
const NO_RANDOM: Random = {
  bytes(): Buffer {
    throw new Error('the SQLite store seeds its counter table from its secret');
  },
};

export class SqliteCounters {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #opts: SqliteCountersOptions;
  readonly #secret: Buffer;
  /** Built on first use: a process that only reads decisions or events never loads the counters. */
  #t: CounterTable | undefined;
  readonly #keys: StringHasher;
  #timer: NodeJS.Timeout | undefined;
  /** Records in counter_log now. */
  #logged = 0;
  /** The table's kinds as last written (see CounterTable.kinds). */
  #kindsWritten = '';
  /** The last counter_resets row applied, and the database's data_version when it was read. */
  #resetsSeen = 0;
  #dataVersion = -1;
  #buf = Buffer.alloc(RECORD * 1024);
  #stopped = false;
  /** Records a failed write could not write, written first at the next flush. */
  #unwritten: Buffer[] = [];
  /** A compaction under way (see #compactStep): the last record before it, the next slot, the records it wrote. */
  #compaction: { boundary: number; next: number; records: number; generation: number } | undefined;
  /** Records the flushes wrote since the compaction under way began. */
  #sinceCompaction = 0;
  /** This process has changed counters: it is the one that counts (see reset). */
  #counting = false;
  /**
   * This table's name in counter_state 'writer', written at its first write: when another
   * table's name is found there later, another process counts on the file too (see #checkWriter).
   */
  readonly #writer = randomBytes(8).toString('hex');
  #wroteWriter = false;
  #warnedWriter = false;
  /** The table's floorsVersion when its floors were last written to counter_state. */
  #floorsWritten = 0;

  readonly #append: Statement;
  readonly #maxLogId: Statement;
  readonly #deleteLogUpTo: Statement;
  readonly #setState: Statement;
  readonly #resetsAfter: Statement;
  readonly #addReset: Statement;
  readonly #getState: Statement;

  constructor(db: Database.Database, secret: Buffer, clock: Clock, opts: SqliteCountersOptions) {
    this.#db = db;
    this.#clock = clock;
    this.#opts = opts;
    this.#secret = secret;
    this.#keys = new StringHasher(hmac(secret, 'mamori-sqlite-counter-key-v1'), MAX_KEY);
    this.#append = db.prepare('INSERT INTO counter_log (records) VALUES (?)');
    this.#maxLogId = db.prepare('SELECT max(id) FROM counter_log').pluck();
    this.#deleteLogUpTo = db.prepare('DELETE FROM counter_log WHERE id <= ?');
    this.#setState = db.prepare('INSERT INTO counter_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
    this.#resetsAfter = db.prepare('SELECT id, k FROM counter_resets WHERE id > ? ORDER BY id');
    // (an id above every row and above the last one applied: compaction empties the table, and SQLite would then hand
    // out 1 again, a row the counting process takes as read; red team S45C-2)
    this.#addReset = db.prepare(
      "INSERT INTO counter_resets (id, k) VALUES (max(coalesce((SELECT max(id) FROM counter_resets), 0), coalesce((SELECT CAST(value AS INTEGER) FROM counter_state WHERE name = 'resets_seen'), 0)) + 1, ?)",
    );
    this.#getState = db.prepare('SELECT value FROM counter_state WHERE name = ?').pluck();
  }

  /**
   * Names this table as the file's counter writer at its first write, and says so (once) when
   * another has named itself since. Counters are not shared between processes: two that count on
   * one file (two proxies on one data directory, an application run in several processes) each
   * hold their own counts, so an attacker spreading guesses over them gets each one's limit, and
   * the log read back at the next start keeps whichever wrote last. Red team, issue 10: nothing
   * said so. (In a transaction.)
   */
  #checkWriter(): void {
    // (A process that only reads and resets counts, the CLI, writes its resets' deletions too.)
    if (!this.#counting) return;
    if (!this.#wroteWriter) {
      this.#setState.run('writer', this.#writer);
      this.#wroteWriter = true;
      return;
    }
    const now = this.#getState.get('writer') as string | undefined;
    if (now === this.#writer || this.#warnedWriter) return;
    this.#warnedWriter = true;
    this.#opts.onError(
      new Error(
        'another process counts on this store file too (a second mamori up on the same data directory, or an application in several processes): counters are not shared between processes, so each keeps its own counts and login limits hold per process; run one counting process per file (during a restart that overlaps the old process, this is expected once)',
      ),
    );
  }

  /** A key as the table holds it: its kind, then a keyed hash of the whole key. */
  #key(key: string): string {
    const s = String(key);
    const w = this.#keys.words(s.length > MAX_KEY ? createHash('sha256').update(s).digest('base64') : s);
    // (A key of one character has no second: 0 stands in, as the table takes it.)
    return idKey(s.charCodeAt(0) || 0, s.charCodeAt(1) || 0, w[0]! | 0, w[1]! | 0);
  }

  get #table(): CounterTable {
    return this.#t ?? this.#load();
  }

  /** The table, for a change: this process counts from now on. */
  get #counted(): CounterTable {
    this.#counting = true;
    return this.#t ?? this.#load();
  }

  /**
   * Loads the table now when it is not yet (see SqliteStore.warmCounters): only the process that
   * will count calls this, so it counts from now on (it writes the floors it reads back and the
   * resets it applies at start, red team S45C-3, before its first login).
   */
  warm(): void {
    this.#counting = true;
    if (this.#t === undefined) this.#load();
  }

  /** Reads the log back into a new table, then starts writing behind. */
  #load(): CounterTable {
    const seed = hmac(this.#secret, 'mamori-sqlite-counter-table-v1').subarray(0, 8);
    const t = new CounterTable(this.#opts.maxBytes, NO_RANDOM, { seed, journal: true });
    this.#t = t;
    const now = this.#clock.now();
    try {
      this.#db.transaction(() => {
        const state = new Map((this.#db.prepare('SELECT name, value FROM counter_state').all() as { name: string; value: string }[]).map((r) => [r.name, r.value]));
        const kinds = parseJson(state.get('kinds'), 'kinds');
        if (Array.isArray(kinds) && !t.loadKinds(kinds.map(String))) throw new Error('the counter log names its kinds inconsistently');
        this.#kindsWritten = t.kinds.join('\n');
        this.#resetsSeen = Number(state.get('resets_seen') ?? 0) || 0;
        // The floors as last written (at every flush that changed them): the log is read back under them, its
        // evictions leaving nothing in them, so that floors dropped since are not raised again by reading entries
        // the reset deleted later in the log (red team S45C-3). A file that has none written (an older version's)
        // or a damaged one has its floors made again by the reading, as before; a damaged one is said, and the
        // counts are kept (S45C-4: the whole log was thrown away).
        const floorsText = state.get('floors');
        const floors = floorsOf(floorsText);
        if (floorsText !== undefined && floors === undefined) this.#opts.onError(new Error("the counter floors written in the store file cannot be read: they are made again from the counter log"));
        for (const row of this.#db.prepare('SELECT records FROM counter_log ORDER BY id').iterate() as IterableIterator<{ records: Buffer }>) {
          const b = row.records;
          if (!Buffer.isBuffer(b) || b.length % RECORD !== 0) throw new Error('a counter log record has the wrong length');
          for (let o = 0; o < b.length; o += RECORD) t.load(b.readInt32LE(o), b.readInt32LE(o + 4), b.readUInt32LE(o + 8), b.readDoubleLE(o + 12), now, floors === undefined);
          this.#logged += b.length / RECORD;
        }
        if (floors) t.loadFloors(floors.counts, floors.expires, now);
      })();
    } catch (err) {
      // A damaged log must not stop the store: the counts start over (they expire anyway), and say so.
      this.#opts.onError(new Error(`the counter log could not be read back, counting starts afresh: ${err instanceof Error ? err.message : String(err)}`));
      this.#t = new CounterTable(this.#opts.maxBytes, NO_RANDOM, { seed, journal: true });
      this.#logged = Number.POSITIVE_INFINITY; // compacted (rewritten whole) at the first flush
    }
    this.#applyResets();
    this.#timer = setInterval(() => this.flush(), this.#opts.flushMs);
    this.#timer.unref();
    return this.#t;
  }

  increment(ops: readonly CounterOp[]): number[] {
    const t = this.#counted;
    const now = this.#clock.now();
    return ops.map((op) => t.add(this.#key(op.key), amountOf(op.by), op.ttlMs, now, op.floor === true));
  }

  read(keys: readonly string[]): number[] {
    const t = this.#table;
    const now = this.#clock.now();
    return keys.map((k) => t.get(this.#key(k), now));
  }

  addDistinct(ops: readonly DistinctOp[]): number[] {
    const t = this.#counted;
    const now = this.#clock.now();
    return ops.map((op) => t.addMember(this.#key(op.key), this.#key(String(op.member)), op.ttlMs, now));
  }

  removeDistinct(ops: readonly DistinctOp[]): number[] {
    const t = this.#counted;
    const now = this.#clock.now();
    return ops.map((op) => t.removeMember(this.#key(op.key), this.#key(String(op.member)), now, op.ttlMs, heldAtOf(op.heldAt)));
  }

  /**
   * Deletes counters. In the process that counts (it has changed counters) the deletion is
   * written behind with the other changes; a process that does not count (the CLI lifting a
   * decision) asks the counting one through counter_resets, written before this returns and read
   * at that process's next flush (or at its next start).
   */
  reset(keys: readonly string[]): void {
    if (keys.length === 0) return;
    const hashed = keys.map((k) => this.#key(k));
    if (this.#t) {
      const now = this.#clock.now();
      for (const k of hashed) this.#t.delete(k, now);
      if (this.#counting) return;
    }
    this.#db.transaction(() => {
      for (const k of hashed) this.#addReset.run(k);
    }).immediate();
  }

  /** What an absent key of `key`'s kind reads in the table of the process that counts (0 elsewhere, or with no floor). */
  floorOf(key: string): number {
    return this.#counting && this.#t ? this.#t.floorOf(key, this.#clock.now()) : 0;
  }

  /**
   * The live floors: from the table in the process that counts, else as that process last
   * wrote them (at its last flush that changed them), each marked `pending` when a reset of its
   * kind was asked for since and not applied yet. Throws when the written floors cannot be read.
   */
  floors(): (LiveFloor & { pending?: boolean })[] {
    const now = this.#clock.now();
    if (this.#counting && this.#t) return this.#t.liveFloors(now);
    const [kindsText, floorsText, rows] = this.#db.transaction(() => {
      const seen = Number(this.#getState.get('resets_seen') ?? 0) || 0;
      // (the prefix tested here, not in SQL: SQLite's text functions stop at its NUL)
      const asked = (this.#db.prepare("SELECT k FROM counter_resets WHERE id > ? AND typeof(k) = 'text'").pluck().all(seen) as string[]).filter((k) => k.startsWith(FLOOR_RESET));
      return [this.#getState.get('kinds') as string | undefined, this.#getState.get('floors') as string | undefined, asked];
    })() as [string | undefined, string | undefined, string[]];
    if (floorsText === undefined) return [];
    const state = floorState(kindsText, floorsText);
    if (state === undefined) throw new MamoriError('MAMORI_ERR_STORE_DAMAGED', "the counter floors the proxy wrote in the store file cannot be read (counter_state 'floors' is not what mamori writes); the proxy makes them again from its counter log at its next start");
    const asked = rows.map((k) => floorKinds(k.slice(FLOOR_RESET.length))).filter((k) => k !== false);
    return liveFloorsOf(state.kinds, state, now).map((f) => (asked.some((k) => k === undefined || k.includes(f.kind)) ? { ...f, pending: true } : f));
  }

  /**
   * Drops the floors of the kinds named (every kind when none is), and the counts of those kinds
   * that started from them (CounterTable.resetFloors). In the process that counts, at once
   * (written at the next flush); from another (the CLI), a row of counter_resets the counting
   * process applies at its next flush or start. Returns how many live floors were dropped, or
   * asked to be (as the counting process last wrote them).
   */
  resetFloors(kinds?: readonly string[]): number {
    const now = this.#clock.now();
    const names = kinds?.map((k) => String(k).slice(0, 2));
    if (this.#t && this.#counting) return this.#t.resetFloors(now, names);
    let n = 0;
    this.#db.transaction(() => {
      const state = floorState(this.#getState.get('kinds') as string | undefined, this.#getState.get('floors') as string | undefined);
      n = state ? liveFloorsOf(state.kinds, state, now).filter((f) => names === undefined || names.includes(f.kind)).length : 0;
      this.#addReset.run(FLOOR_RESET + JSON.stringify(names ?? null));
    }).immediate();
    return n;
  }

  /** Entries in the table (member markers included); 0 before it is loaded. */
  get size(): number {
    return this.#t?.size ?? 0;
  }

  /** Counter changes not yet written. */
  get pending(): number {
    return this.#t?.pending ?? 0;
  }

  /** Applies resets other processes asked for since the last look (only when the file changed). */
  #applyResets(): void {
    const v = Number(this.#db.pragma('data_version', { simple: true }));
    if (v === this.#dataVersion) return;
    this.#dataVersion = v;
    const t = this.#t;
    const now = this.#clock.now();
    for (const r of this.#resetsAfter.all(this.#resetsSeen) as { id: number; k: unknown }[]) {
      // (a row that is not text is passed over: it stopped the proxy from starting, red team S45C-9)
      if (typeof r.k === 'string') {
        if (!r.k.startsWith(FLOOR_RESET)) t?.delete(r.k, now);
        else {
          const kinds = floorKinds(r.k.slice(FLOOR_RESET.length));
          if (kinds !== false) t?.resetFloors(now, kinds);
        }
      }
      this.#resetsSeen = r.id;
    }
  }

  /**
   * Writes what changed since the last flush (and compacts the log when it has grown). Never
   * throws. A write that fails (the file locked past the busy timeout, a full disk) is reported,
   * and its records are kept and written first at the next flush (at most MAX_UNWRITTEN bytes of
   * them: past that the oldest go, reported too).
   */
  flush(): void {
    const t = this.#t;
    if (!t || this.#stopped) return;
    // What the transaction changes in this object, put back if it fails.
    const saved = { compaction: this.#compaction && { ...this.#compaction }, logged: this.#logged, kinds: this.#kindsWritten, since: this.#sinceCompaction };
    let records: Buffer[] = [];
    try {
      this.#applyResets();
      const compact = this.#compaction !== undefined || (this.#logged > COMPACT_MIN && this.#logged > 2 * t.size);
      if (!compact && t.pending === 0 && this.#unwritten.length === 0 && t.kinds.join('\n') === this.#kindsWritten && t.floorsVersion === this.#floorsWritten) return;
      records = [...this.#unwritten, ...this.#drain(t)];
      this.#unwritten = [];
      const now = this.#clock.now();
      this.#db.transaction(() => {
        this.#checkWriter();
        this.#writeKinds(t);
        for (const b of records) this.#append.run(b);
        this.#setState.run('resets_seen', String(this.#resetsSeen));
        // The floors as they stand, for an operator's look from another process (mamori counters).
        if (this.#counting && t.floorsVersion !== this.#floorsWritten) this.#setState.run('floors', JSON.stringify(t.floors(now)));
        if (compact) this.#compactStep(t, now);
      }).immediate();
      this.#floorsWritten = t.floorsVersion;
      let n = 0;
      for (const b of records) n += b.length / RECORD;
      this.#logged += n;
      this.#sinceCompaction = this.#compaction ? this.#sinceCompaction + n : 0;
    } catch (err) {
      this.#compaction = saved.compaction;
      this.#logged = saved.logged;
      this.#kindsWritten = saved.kinds;
      this.#sinceCompaction = saved.since;
      this.#keepUnwritten(records);
      this.#opts.onError(err);
    }
  }

  /** Keeps records a failed write could not write, for the next flush, within MAX_UNWRITTEN bytes. */
  #keepUnwritten(records: Buffer[]): void {
    let bytes = records.reduce((n, b) => n + b.length, 0);
    let dropped = 0;
    while (bytes > MAX_UNWRITTEN && records.length > 0) {
      const b = records.shift()!;
      bytes -= b.length;
      dropped += b.length / RECORD;
    }
    this.#unwritten = records;
    if (dropped > 0) this.#opts.onError(new Error(`${dropped} counter changes could not be written and were dropped (writes kept failing)`));
  }


  /** The table's changes as record blobs (the table forgets them: a failed write loses them, and is reported). */
  #drain(t: CounterTable): Buffer[] {
    const out: Buffer[] = [];
    let b = this.#buf;
    let o = 0;
    t.drain((hi, lo, count, expiresAt) => {
      if (o + RECORD > b.length) {
        out.push(Buffer.from(b.subarray(0, o)));
        o = 0;
      }
      writeRecord(b, o, hi, lo, count, expiresAt);
      o += RECORD;
    });
    if (o > 0) out.push(Buffer.from(b.subarray(0, o)));
    this.#buf = b;
    return out;
  }

  #writeKinds(t: CounterTable): void {
    const kinds = t.kinds.join('\n');
    if (kinds === this.#kindsWritten) return;
    this.#setState.run('kinds', JSON.stringify(t.kinds));
    this.#kindsWritten = kinds;
  }

  /**
   * One step of compacting the log, in the flush's transaction: the first step notes the last
   * record written so far; each step appends the live entries of the next COMPACT_SLOTS slots
   * as they stand; the last deletes every record up to the one noted, and writes the kinds and
   * floors. Every record holds a whole value and records are read back in order, so the chunks
   * and the changes written between them read back as the table (a crash in the middle leaves
   * the old records too, read back first). In steps, so that a full 64 MiB table holds the
   * event loop for a few milliseconds per flush rather than a second at once.
   */
  #compactStep(t: CounterTable, now: number): void {
    let c = this.#compaction;
    if (!c) {
      c = { boundary: Number(this.#maxLogId.get() ?? 0), next: 0, records: 0, generation: t.generation };
      this.#compaction = c;
    }
    if (c.generation !== t.generation) {
      // The table doubled since the walk began and its entries moved. (Doubling keeps their
      // order, so the walk would still meet each one; it does not rely on that.) The walk starts
      // again; what it wrote so far stays in the log, after the boundary, and is kept.
      c.next = 0;
      c.generation = t.generation;
    }
    const chunk: Buffer[] = [];
    let b = Buffer.alloc(Math.min(COMPACT_SLOTS, t.capacity) * RECORD);
    let o = 0;
    t.entries(
      now,
      (hi, lo, count, expiresAt) => {
        writeRecord(b, o, hi, lo, count, expiresAt);
        o += RECORD;
      },
      c.next,
      c.next + COMPACT_SLOTS,
    );
    if (o > 0) chunk.push(b.subarray(0, o));
    for (const x of chunk) this.#append.run(x);
    c.records += o / RECORD;
    c.next += COMPACT_SLOTS;
    if (c.next < t.capacity) return;
    this.#deleteLogUpTo.run(c.boundary);
    this.#kindsWritten = '';
    this.#writeKinds(t);
    this.#setState.run('floors', JSON.stringify(t.floors(now)));
    this.#db.prepare('DELETE FROM counter_resets WHERE id <= ?').run(this.#resetsSeen);
    // What is left: the chunks, and the changes written since the first step.
    this.#logged = c.records + this.#sinceCompaction;
    this.#compaction = undefined;
  }


  /** Writes what is pending and stops writing behind. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.flush();
    this.#stopped = true;
  }
}

/** One log record at `o`: identity, count, expiry (see RECORD). */
function writeRecord(b: Buffer, o: number, hi: number, lo: number, count: number, expiresAt: number): void {
  b.writeInt32LE(hi, o);
  b.writeInt32LE(lo, o + 4);
  b.writeUInt32LE(count, o + 8);
  b.writeDoubleLE(expiresAt, o + 12);
}

function parseJson(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the counter state '${what}' is not JSON`);
  }
}

function amountOf(by: number | undefined): number {
  if (by === undefined) return 1;
  return Number.isFinite(by) ? Math.trunc(by) : 0;
}

function heldAtOf(heldAt: number | undefined): number | undefined {
  return heldAt === undefined || !Number.isFinite(heldAt) ? undefined : heldAt;
}

/** The kinds a floor-reset row names: undefined for every kind (null), false for a damaged row (none: S45C-10). */
function floorKinds(text: string): string[] | undefined | false {
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null) return undefined;
    return Array.isArray(v) && v.every((k) => typeof k === 'string') ? (v as string[]) : false;
  } catch {
    return false;
  }
}

/** Counts a floor can hold, and times an expiry can be (ms since the epoch, within JavaScript's dates). */
const MAX_COUNT = 0xffffffff;
const MAX_TIME = 8.64e15;

/**
 * The floors of counter_state as `CounterTable.floors` wrote them; undefined where the text is not
 * what it writes (a damaged or crafted text: red team S45C-4, -8), so that nothing reads a count or
 * a time it could not hold.
 */
function floorsOf(floorsText: string | undefined): { counts: number[]; expires: number[] } | undefined {
  if (floorsText === undefined) return undefined;
  try {
    const f = JSON.parse(floorsText) as { counts?: unknown; expires?: unknown } | null;
    if (!f || !Array.isArray(f.counts) || !Array.isArray(f.expires) || f.counts.length > 256 || f.expires.length > 256) return undefined;
    const counts = f.counts as unknown[];
    const expires = f.expires as unknown[];
    if (!counts.every((c) => Number.isInteger(c) && (c as number) >= 0 && (c as number) <= MAX_COUNT)) return undefined;
    if (!expires.every((e) => typeof e === 'number' && Number.isFinite(e) && e >= 0 && e <= MAX_TIME)) return undefined;
    return { counts: counts as number[], expires: expires as number[] };
  } catch {
    return undefined;
  }
}

/** The kinds and floors of counter_state, read apart (undefined where either is damaged). */
function floorState(kindsText: string | undefined, floorsText: string | undefined): { kinds: string[]; counts: number[]; expires: number[] } | undefined {
  const f = floorsOf(floorsText);
  if (f === undefined) return undefined;
  try {
    const kinds = kindsText === undefined ? [] : (JSON.parse(kindsText) as unknown);
    return Array.isArray(kinds) ? { kinds: kinds.map(String), ...f } : undefined;
  } catch {
    return undefined;
  }
}
