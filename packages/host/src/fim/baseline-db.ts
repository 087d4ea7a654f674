/**
 * Baselines in their own SQLite file (`<data_dir>/fim.db`, WAL), by name, each signed:
 * HMAC-SHA256 under the baseline key over its name, rules, times, history and a SHA-256 of
 * every record in path order. `load` verifies before it returns anything, so a record, rule
 * or history line edited outside mamori (or a baseline signed with another key) is
 * MAMORI_ERR_FIM_SIGNATURE, never a check that passes.
 *
 * Copies of small text files (rules with `diff: true`) sit beside the records; they are not
 * signed themselves, and a copy is used only when its SHA-256 is the signed one.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import Database from 'better-sqlite3';
import { MamoriError } from 'mamori';
import type { FimRulesInput } from './rules.js';
import type { FileType, FimEntry } from './types.js';

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
}

export interface Baseline extends BaselineMeta {
  readonly entries: ReadonlyMap<string, FimEntry>;
}

const FORMAT = 'mamori-fim-1';
const MAX_HISTORY = 1000;

/** A record's canonical bytes: every field NUL-terminated (no path or link target holds a NUL). */
function canonical(e: FimEntry): string {
  return `${e.path}\0${e.type}\0${e.size}\0${e.mode}\0${e.uid}\0${e.gid}\0${e.dev}\0${e.ino}\0${e.nlink}\0${e.mtime}\0${e.ctime}\0${e.sha256 ?? '-'}\0${e.target === null ? '-' : `=${e.target}`}\0${e.attrs}\0${e.error === null ? '-' : `=${e.error}`}\0`;
}

function signature(key: Buffer, meta: { name: string; rules: string; createdAt: string; updatedAt: string; count: number; history: string }, entries: Iterable<FimEntry>): string {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const h = createHash('sha256');
  for (const e of sorted) h.update(canonical(e));
  const mac = createHmac('sha256', key);
  for (const part of [FORMAT, meta.name, meta.rules, meta.createdAt, meta.updatedAt, String(meta.count), meta.history, h.digest('hex')]) {
    mac.update(`${Buffer.byteLength(part)}:`).update(part);
  }
  return mac.digest('hex');
}

const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

interface Row {
  path: string;
  type: string;
  size: bigint;
  mode: bigint;
  uid: bigint;
  gid: bigint;
  dev: bigint;
  ino: bigint;
  nlink: bigint;
  mtime: bigint;
  ctime: bigint;
  sha256: Buffer | null;
  target: string | null;
  attrs: bigint;
  error: string | null;
}

export class FimDb {
  readonly file: string;
  readonly #db: Database.Database;

  private constructor(file: string, db: Database.Database) {
    this.file = file;
    this.#db = db;
  }

  static open(file: string): FimDb {
    let db: Database.Database;
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(`
        CREATE TABLE IF NOT EXISTS baselines (
          name TEXT PRIMARY KEY, rules TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
          count INTEGER NOT NULL, history TEXT NOT NULL, signature TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS entries (
          baseline TEXT NOT NULL, path TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL, mode INTEGER NOT NULL,
          uid INTEGER NOT NULL, gid INTEGER NOT NULL, dev INTEGER NOT NULL, ino INTEGER NOT NULL, nlink INTEGER NOT NULL,
          mtime INTEGER NOT NULL, ctime INTEGER NOT NULL, sha256 BLOB, target TEXT, attrs INTEGER NOT NULL, error TEXT,
          PRIMARY KEY (baseline, path)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS contents (
          baseline TEXT NOT NULL, path TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (baseline, path)
        ) WITHOUT ROWID;
      `);
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `cannot open the baseline database ${file}: ${(err as Error).message}`, { cause: err });
    }
    return new FimDb(file, db);
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
    const meta = this.#db.prepare('SELECT * FROM baselines WHERE name = ?').get(name) as
      | { name: string; rules: string; created_at: string; updated_at: string; count: number; history: string; signature: string }
      | undefined;
    if (!meta) throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `no baseline named "${name.slice(0, 80)}" in ${this.file}: run \`mamori fim init\` first`);
    const entries = new Map<string, FimEntry>();
    const stmt = this.#db.prepare('SELECT path, type, size, mode, uid, gid, dev, ino, nlink, mtime, ctime, sha256, target, attrs, error FROM entries WHERE baseline = ?').safeIntegers(true);
    for (const r of stmt.iterate(name) as IterableIterator<Row>) {
      entries.set(r.path, {
        path: r.path,
        type: r.type as FileType,
        size: Number(r.size),
        mode: Number(r.mode),
        uid: Number(r.uid),
        gid: Number(r.gid),
        dev: u64(r.dev),
        ino: u64(r.ino),
        nlink: Number(r.nlink),
        mtime: r.mtime,
        ctime: r.ctime,
        sha256: r.sha256 ? r.sha256.toString('hex') : null,
        target: r.target,
        attrs: Number(r.attrs),
        error: r.error,
      });
    }
    const fields = { name: meta.name, rules: meta.rules, createdAt: meta.created_at, updatedAt: meta.updated_at, count: Number(meta.count), history: meta.history };
    const expected = Buffer.from(signature(key, fields, entries.values()), 'hex');
    const got = Buffer.from(/^[0-9a-f]{64}$/.test(meta.signature) ? meta.signature : '', 'hex');
    if (got.length !== expected.length || !timingSafeEqual(got, expected) || entries.size !== fields.count) {
      throw new MamoriError(
        'MAMORI_ERR_FIM_SIGNATURE',
        `the baseline "${name.slice(0, 80)}" in ${this.file} does not match its signature: it was changed outside mamori, or signed with another key. Treat the monitored files as suspect`,
      );
    }
    let rules: FimRulesInput;
    let history: HistoryRecord[];
    try {
      rules = JSON.parse(meta.rules) as FimRulesInput;
      history = JSON.parse(meta.history) as HistoryRecord[];
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `the baseline "${name}" holds unreadable rules or history`, { cause: err });
    }
    return { name, rules, createdAt: meta.created_at, updatedAt: meta.updated_at, count: entries.size, history, entries };
  }

  /**
   * Writes a baseline whole (init), or its changes (accept: `changed` paths upserted from
   * `entries`, paths missing from it deleted), and signs the result.
   */
  save(
    key: Buffer,
    b: { name: string; rules: FimRulesInput; createdAt: string; updatedAt: string; history: readonly HistoryRecord[]; entries: ReadonlyMap<string, FimEntry> },
    opts: { changed?: readonly string[]; contents?: ReadonlyMap<string, Uint8Array | null> } = {},
  ): void {
    const history = b.history.slice(-MAX_HISTORY);
    const fields = { name: b.name, rules: JSON.stringify(b.rules), createdAt: b.createdAt, updatedAt: b.updatedAt, count: b.entries.size, history: JSON.stringify(history) };
    const sig = signature(key, fields, b.entries.values());
    const insert = this.#db.prepare(
      'INSERT OR REPLACE INTO entries (baseline, path, type, size, mode, uid, gid, dev, ino, nlink, mtime, ctime, sha256, target, attrs, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
    );
    const del = this.#db.prepare('DELETE FROM entries WHERE baseline = ? AND path = ?');
    const put = (e: FimEntry): void => {
      insert.run(b.name, e.path, e.type, e.size, e.mode, e.uid, e.gid, s64(e.dev), s64(e.ino), e.nlink, e.mtime, e.ctime, e.sha256 ? Buffer.from(e.sha256, 'hex') : null, e.target, e.attrs, e.error);
    };
    const putContent = this.#db.prepare('INSERT OR REPLACE INTO contents (baseline, path, data) VALUES (?,?,?)');
    const delContent = this.#db.prepare('DELETE FROM contents WHERE baseline = ? AND path = ?');
    try {
      this.#db.transaction(() => {
        if (opts.changed === undefined) {
          this.#db.prepare('DELETE FROM entries WHERE baseline = ?').run(b.name);
          this.#db.prepare('DELETE FROM contents WHERE baseline = ?').run(b.name);
          for (const e of b.entries.values()) put(e);
        } else {
          for (const p of opts.changed) {
            const e = b.entries.get(p);
            if (e) put(e);
            else {
              del.run(b.name, p);
              delContent.run(b.name, p);
            }
          }
        }
        for (const [p, data] of opts.contents ?? []) {
          if (data) putContent.run(b.name, p, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
          else delContent.run(b.name, p);
        }
        this.#db
          .prepare('INSERT OR REPLACE INTO baselines (name, rules, created_at, updated_at, count, history, signature) VALUES (?,?,?,?,?,?,?)')
          .run(b.name, fields.rules, fields.createdAt, fields.updatedAt, fields.count, fields.history, sig);
      })();
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `cannot write the baseline "${b.name}" to ${this.file}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The kept copy of a small text file, if there is one. */
  content(name: string, path: string): Buffer | undefined {
    return (this.#db.prepare('SELECT data FROM contents WHERE baseline = ? AND path = ?').get(name, path) as { data: Buffer } | undefined)?.data;
  }
}
