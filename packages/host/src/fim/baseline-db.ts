/**
 * Baselines in their own SQLite file (`<data_dir>/fim.db`, WAL), by name, each signed:
 * HMAC-SHA256 under the baseline key over its name, rules, times, history and the SHA-256 of
 * each block of records. `load` verifies before it parses anything, so a record, rule or
 * history line edited outside mamori (or a baseline signed with another key) is
 * MAMORI_ERR_FIM_SIGNATURE, never a check that passes.
 *
 * Records are stored in blocks of RECORDS_PER_BLOCK, each the records' fields NUL-terminated
 * (no path or link target can hold a NUL): reading 50,000 records is one query of 25 rows
 * and one split, several times cheaper than a row each.
 *
 * Copies of small text files (rules with `diff: true`) sit beside the records; they are not
 * signed themselves, and a copy is used only when its SHA-256 is the signed one.
 *
 * Each write raises the baseline's generation (signed with it). Opened with `generations` (the
 * record beside the key, generations.ts), a baseline older than the recorded generation is
 * refused (MAMORI_ERR_FIM_SIGNATURE): an older signed copy of fim.db put back (H13).
 */
import { chmodSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import Database from 'better-sqlite3';
import { MamoriError, isMamoriError } from 'mamori/errors';
import type { FimRulesInput } from './rules.js';
import type { FileType, FimEntry } from './types.js';
import { readGenerations, recordGeneration } from './generations.js';

export interface HistoryRecord {
  readonly at: string;
  readonly who: string;
  readonly why: string;
  /** `init`, or `accept` with the paths taken in. */
  readonly action: 'init' | 'accept';
  readonly count: number;
  readonly paths: readonly string[];
}

export interface BaselineMeta {
  readonly name: string;
  readonly rules: FimRulesInput;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly count: number;
  readonly history: readonly HistoryRecord[];
  /** Raised by every write (0: written before generations were kept). */
  readonly generation: number;
}

export interface Baseline extends BaselineMeta {
  readonly entries: RecordMap;
}

const FORMAT = 'mamori-fim-1';
const MAX_HISTORY = 1000;

const FIELDS = 15;
const RECORDS_PER_BLOCK = 2048;

const opt = (v: string | null): string => (v === null ? '' : `=${v}`);
const unopt = (v: string): string | null => (v === '' ? null : v.slice(1));

/** One record's bytes: every field NUL-terminated. */
function encode(e: FimEntry): string {
  return `${e.path}\0${encodeTail(e)}`;
}

/** The fields after the path, as stored. */
function encodeTail(e: FimEntry): string {
  return `${e.type}\0${e.size}\0${e.mode}\0${e.uid}\0${e.gid}\0${e.dev}\0${e.ino}\0${e.nlink}\0${e.mtime}\0${e.ctime}\0${e.sha256 ?? ''}\0${opt(e.target)}\0${e.attrs}\0${opt(e.error)}\0`;
}

/** One record's fields after its path (`tail`, as stored), as an entry. */
function decodeTail(path: string, tail: string): FimEntry {
  const f = tail.split('\0');
  if (f.length !== FIELDS) throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `the baseline record of ${path.slice(0, 200)} is cut short`);
  try {
    return {
      path,
      type: f[0] as FileType,
      size: Number(f[1]),
      mode: Number(f[2]),
      uid: Number(f[3]),
      gid: Number(f[4]),
      dev: BigInt(f[5]!),
      ino: BigInt(f[6]!),
      nlink: Number(f[7]),
      mtime: BigInt(f[8]!),
      ctime: BigInt(f[9]!),
      sha256: f[10] || null,
      target: unopt(f[11]!),
      attrs: Number(f[12]),
      error: unopt(f[13]!),
    };
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `the baseline record of ${path.slice(0, 200)} is unreadable: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * A loaded baseline's records, decoded only when asked for. A fast check compares most
 * records in their stored form (`tail`) with what lstat says, so the 50,000 records of an
 * unchanged tree are never made into objects of four BigInts each; the few that differ are.
 * Read-only; iterating decodes as it goes (nothing is kept).
 */
export class RecordMap implements ReadonlyMap<string, FimEntry> {
  readonly #tails = new Map<string, string>();

  /** Splits the blocks into path and tail; signature checked before, so only the framing is checked here. */
  static fromBlocks(data: readonly Buffer[]): RecordMap {
    const m = new RecordMap();
    for (const block of data) {
      const s = block.toString('utf8');
      let at = 0;
      while (at < s.length) {
        const p = s.indexOf('\0', at);
        let end = p;
        for (let k = 1; k < FIELDS && end >= 0; k++) end = s.indexOf('\0', end + 1);
        if (p < 0 || end < 0) throw new Error('a block of records is cut short');
        m.#tails.set(s.slice(at, p), s.slice(p + 1, end + 1));
        at = end + 1;
      }
    }
    return m;
  }

  /**
   * Whether the stored record of `e.path` is `e`, field for field (so no attribute changed):
   * one string comparison, where decoding the record (four BigInts) and comparing it cost
   * several times more, for each of the paths of a full check.
   */
  unchanged(e: FimEntry): boolean {
    return this.#tails.get(e.path) === encodeTail(e);
  }

  /** The stored fields after the path (type ... error, each NUL-terminated), or undefined. */
  tail(path: string): string | undefined {
    return this.#tails.get(path);
  }

  get size(): number {
    return this.#tails.size;
  }

  has(path: string): boolean {
    return this.#tails.has(path);
  }

  get(path: string): FimEntry | undefined {
    const t = this.#tails.get(path);
    return t === undefined ? undefined : decodeTail(path, t);
  }

  keys(): MapIterator<string> {
    return this.#tails.keys();
  }

  *values(): MapIterator<FimEntry> {
    for (const [p, t] of this.#tails) yield decodeTail(p, t);
  }

  *entries(): MapIterator<[string, FimEntry]> {
    for (const [p, t] of this.#tails) yield [p, decodeTail(p, t)];
  }

  [Symbol.iterator](): MapIterator<[string, FimEntry]> {
    return this.entries();
  }

  forEach(cb: (value: FimEntry, key: string, map: ReadonlyMap<string, FimEntry>) => void, thisArg?: unknown): void {
    for (const [p, e] of this.entries()) cb.call(thisArg, e, p, this);
  }
}

function blocks(entries: ReadonlyMap<string, FimEntry>): Buffer[] {
  const out: Buffer[] = [];
  let parts: string[] = [];
  for (const e of entries.values()) {
    parts.push(encode(e));
    if (parts.length === RECORDS_PER_BLOCK) {
      out.push(Buffer.from(parts.join(''), 'utf8'));
      parts = [];
    }
  }
  if (parts.length) out.push(Buffer.from(parts.join(''), 'utf8'));
  return out;
}

interface SignedFields {
  name: string;
  rules: string;
  createdAt: string;
  updatedAt: string;
  count: number;
  history: string;
  generation: number;
}

function signature(key: Buffer, meta: SignedFields, data: readonly Buffer[]): string {
  const mac = createHmac('sha256', key);
  const parts = [FORMAT, meta.name, meta.rules, meta.createdAt, meta.updatedAt, String(meta.count), meta.history, String(data.length)];
  // Generation 0 is a baseline written before generations were kept: signed as it was then.
  if (meta.generation > 0) parts.push(`generation ${meta.generation}`);
  for (const b of data) parts.push(createHash('sha256').update(b).digest('hex'));
  for (const part of parts) mac.update(`${Buffer.byteLength(part)}:`).update(part);
  return mac.digest('hex');
}

export interface FimDbOptions {
  /**
   * The generation record (generationsFileFor(keyFile)): a baseline older than what it holds is
   * refused, and every write updates it. Without it generations are signed but not compared.
   */
  readonly generations?: string;
  /** Told what the record had to say (first use, a write the record missed). */
  readonly onNotice?: (message: string) => void;
  /**
   * Whether a load records a generation the record does not hold yet (default true: a baseline
   * first used, or from an older mamori, is recorded from then on). A reader that writes no
   * baseline (`mamori scan --baseline`) passes false: it never starts or moves a record, so a
   * wrong `--generations` path cannot make a trust-on-first-use record of a copy put back.
   */
  readonly recordOnLoad?: boolean;
}

export class FimDb {
  readonly file: string;
  readonly #db: Database.Database;
  readonly #opts: FimDbOptions;
  /** This database in the generation record: its resolved path. */
  readonly #id: string;

  private constructor(file: string, db: Database.Database, opts: FimDbOptions) {
    this.file = file;
    this.#db = db;
    this.#opts = opts;
    let id = resolve(file);
    try {
      id = realpathSync(file);
    } catch {
      // :memory:, or a file that cannot be resolved: its path as given
    }
    this.#id = id;
  }

  static open(file: string, opts: FimDbOptions = {}): FimDb {
    let db: Database.Database;
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const fresh = !existsSync(file);
      db = new Database(file);
      // kept copies of small files may hold what only their owners should read
      if (fresh) chmodSync(file, 0o600);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // read through a mapping: loading a baseline's blocks (megabytes) is then no stream of reads
      db.pragma('mmap_size = 268435456');
      db.exec(`
        CREATE TABLE IF NOT EXISTS baselines (
          name TEXT PRIMARY KEY, rules TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
          count INTEGER NOT NULL, history TEXT NOT NULL, signature TEXT NOT NULL, generation INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS records (
          baseline TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (baseline, seq)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS contents (
          baseline TEXT NOT NULL, path TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (baseline, path)
        ) WITHOUT ROWID;
      `);
      // a database from before generations were kept
      if (!(db.prepare('PRAGMA table_info(baselines)').all() as { name: string }[]).some((c) => c.name === 'generation')) {
        db.exec('ALTER TABLE baselines ADD COLUMN generation INTEGER NOT NULL DEFAULT 0');
      }
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `cannot open the baseline database ${file}: ${(err as Error).message}`, { cause: err });
    }
    return new FimDb(file, db, opts);
  }

  close(): void {
    this.#db.close();
  }

  /** The baselines' names and metadata (unverified: `load` verifies). */
  list(): { name: string; count: number; createdAt: string; updatedAt: string }[] {
    return this.#db.prepare('SELECT name, count, created_at AS createdAt, updated_at AS updatedAt FROM baselines ORDER BY name').all() as {
      name: string;
      count: number;
      createdAt: string;
      updatedAt: string;
    }[];
  }

  /** When the baseline last changed (a cheap look, for the watcher), or undefined. */
  updatedAt(name: string): string | undefined {
    return (this.#db.prepare('SELECT updated_at AS u FROM baselines WHERE name = ?').get(name) as { u: string } | undefined)?.u;
  }

  /** The baseline, its signature verified under `key`. */
  load(name: string, key: Buffer): Baseline {
    const { meta, data } = this.#verified(name, key);
    let entries: RecordMap;
    try {
      entries = RecordMap.fromBlocks(data);
      if (entries.size !== meta.count) throw new Error(`${meta.count} records signed, ${entries.size} read`);
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `the baseline "${name}" holds unreadable records: ${(err as Error).message}`, { cause: err });
    }
    return { ...meta, entries };
  }

  /**
   * The baseline's metadata and history, its signature verified under `key` as `load` does
   * (every block's SHA-256), without splitting its records: what a baseline recorded again
   * carries over.
   */
  loadMeta(name: string, key: Buffer): BaselineMeta {
    return this.#verified(name, key).meta;
  }

  #verified(name: string, key: Buffer): { meta: BaselineMeta; data: Buffer[] } {
    const row = this.#db.prepare('SELECT * FROM baselines WHERE name = ?').get(name) as
      | { name: string; rules: string; created_at: string; updated_at: string; count: number; history: string; signature: string; generation: number }
      | undefined;
    if (!row) throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `no baseline named "${name.slice(0, 80)}" in ${this.file}: run \`mamori fim init\` first`);
    const data = (this.#db.prepare('SELECT data FROM records WHERE baseline = ? ORDER BY seq').all(name) as { data: Buffer }[]).map((r) => r.data);
    const generation = Number(row.generation);
    const fields: SignedFields = { name: row.name, rules: row.rules, createdAt: row.created_at, updatedAt: row.updated_at, count: Number(row.count), history: row.history, generation };
    const expected = Buffer.from(signature(key, fields, data), 'hex');
    const got = Buffer.from(/^[0-9a-f]{64}$/.test(row.signature) ? row.signature : '', 'hex');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new MamoriError(
        'MAMORI_ERR_FIM_SIGNATURE',
        `the baseline "${name.slice(0, 80)}" in ${this.file} does not match its signature: it was changed outside mamori, or signed with another key. Treat the monitored files as suspect`,
      );
    }
    this.#checkGeneration(name, generation, row.signature, key);
    let rules: FimRulesInput;
    let history: HistoryRecord[];
    try {
      rules = JSON.parse(row.rules) as FimRulesInput;
      history = JSON.parse(row.history) as HistoryRecord[];
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `the baseline "${name}" holds unreadable rules or history: ${(err as Error).message}`, { cause: err });
    }
    return { meta: { name, rules, createdAt: row.created_at, updatedAt: row.updated_at, count: fields.count, history, generation }, data };
  }

  /** Record key of a baseline: this database and the baseline's name. */
  #recordId(name: string): string {
    return `${this.#id}\n${name}`;
  }

  /** Refuses a verified baseline older than the record; records it when the record does not know it yet. */
  #checkGeneration(name: string, generation: number, sig: string, key: Buffer): void {
    const file = this.#opts.generations;
    if (!file) return;
    const had = readGenerations(file, key)?.[this.#recordId(name)];
    const shown = name.slice(0, 80);
    if (had && (generation < had.generation || (generation === had.generation && sig !== had.signature))) {
      throw new MamoriError(
        'MAMORI_ERR_FIM_SIGNATURE',
        generation < had.generation
          ? `the baseline "${shown}" in ${this.file} is generation ${generation}, older than generation ${had.generation} recorded in ${file}: an older copy of the baseline was put back (its signature is valid, but it is not the latest). Treat the monitored files as suspect; \`mamori fim init --force\` records a new baseline`
          : `the baseline "${shown}" in ${this.file} is generation ${generation} but not the one recorded for that generation in ${file}. Treat the monitored files as suspect; \`mamori fim init --force\` records a new baseline`,
      );
    }
    if (had && generation === had.generation) return;
    if (this.#opts.recordOnLoad === false) {
      this.#opts.onNotice?.(
        had
          ? `the baseline "${shown}" is generation ${generation}, newer than the ${had.generation} in ${file}: used as it is (mamori fim records it)`
          : `no generation recorded for the baseline "${shown}" of ${this.file} in ${file}: an older copy put back cannot be told apart here. If mamori fim keeps its record elsewhere, give that path with --generations`,
      );
      return;
    }
    this.#opts.onNotice?.(
      had
        ? `the baseline "${shown}" is generation ${generation}, newer than the ${had.generation} in ${file} (a write whose record was not finished): recorded now`
        : `no generation recorded for the baseline "${shown}" of ${this.file} in ${file} (first use, or a baseline from an older mamori): recording generation ${generation} now; from here on an older copy put back is refused`,
    );
    this.#record(name, generation, sig, key);
  }

  /** Writes the record; one that cannot be written (a key on read-only media) is said, not thrown: the baseline itself is sound. */
  #record(name: string, generation: number, sig: string, key: Buffer): void {
    const file = this.#opts.generations!;
    try {
      recordGeneration(file, key, this.#recordId(name), { generation, signature: sig });
    } catch (err) {
      if (!isMamoriError(err, 'MAMORI_ERR_FIM_BASELINE')) throw err;
      this.#opts.onNotice?.(`${(err as Error).message}: an older copy of the baseline "${name.slice(0, 80)}" put back cannot be told apart until it can be written (--generations FILE puts it elsewhere; docs/fim.md)`);
    }
  }

  /**
   * Writes a baseline (its records whole; the kept copies of small text files as `contents`
   * says: a buffer to keep, null to drop; `replaceContents` drops all others first) and signs it.
   */
  save(
    key: Buffer,
    b: { name: string; rules: FimRulesInput; createdAt: string; updatedAt: string; history: readonly HistoryRecord[]; entries: ReadonlyMap<string, FimEntry> },
    opts: { contents?: ReadonlyMap<string, Uint8Array | null>; replaceContents?: boolean } = {},
  ): void {
    const history = b.history.slice(-MAX_HISTORY);
    // One above both what the database holds and what the record holds: a new baseline written
    // over an older copy put back (`fim init --force`) is then the newest again.
    const inDb = Number((this.#db.prepare('SELECT generation AS g FROM baselines WHERE name = ?').get(b.name) as { g: number } | undefined)?.g ?? 0);
    const genFile = this.#opts.generations;
    const recorded = genFile ? (readGenerations(genFile, key)?.[this.#recordId(b.name)]?.generation ?? 0) : 0;
    const generation = Math.max(inDb, recorded) + 1;
    const fields: SignedFields = { name: b.name, rules: JSON.stringify(b.rules), createdAt: b.createdAt, updatedAt: b.updatedAt, count: b.entries.size, history: JSON.stringify(history), generation };
    const data = blocks(b.entries);
    const sig = signature(key, fields, data);
    const putContent = this.#db.prepare('INSERT OR REPLACE INTO contents (baseline, path, data) VALUES (?,?,?)');
    const delContent = this.#db.prepare('DELETE FROM contents WHERE baseline = ? AND path = ?');
    try {
      this.#db.transaction(() => {
        this.#db.prepare('DELETE FROM records WHERE baseline = ?').run(b.name);
        const put = this.#db.prepare('INSERT INTO records (baseline, seq, data) VALUES (?,?,?)');
        data.forEach((d, i) => put.run(b.name, i, d));
        if (opts.replaceContents) this.#db.prepare('DELETE FROM contents WHERE baseline = ?').run(b.name);
        for (const [p, c] of opts.contents ?? []) {
          if (c) putContent.run(b.name, p, Buffer.from(c.buffer, c.byteOffset, c.byteLength));
          else delContent.run(b.name, p);
        }
        this.#db
          .prepare('INSERT OR REPLACE INTO baselines (name, rules, created_at, updated_at, count, history, signature, generation) VALUES (?,?,?,?,?,?,?,?)')
          .run(b.name, fields.rules, fields.createdAt, fields.updatedAt, fields.count, fields.history, sig, generation);
      })();
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `cannot write the baseline "${b.name}" to ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    // After the commit: a record that could not be written leaves a baseline newer than the
    // record, which the next load takes (and says so), never one refused.
    if (genFile) this.#record(b.name, generation, sig, key);
  }

  /** The kept copy of a small text file, if there is one. */
  content(name: string, path: string): Buffer | undefined {
    return (this.#db.prepare('SELECT data FROM contents WHERE baseline = ? AND path = ?').get(name, path) as { data: Buffer } | undefined)?.data;
  }
}
