/**
 * The indicator store: one SQLite file (`<dataDir>/ioc.db`, WAL) holding every
 * indicator with its source, first seen, last seen and expiry, and the sources
 * with their feed URL, refresh interval and the last fetch's ETag.
 *
 * One (kind, value) may come from several sources: each source's row is its
 * own, and `remove(source)` takes only that source's. Times are ms since epoch,
 * given by the caller (a clock, never `Date.now()` here).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MamoriError } from 'mamori/errors';
import { openSqliteFile } from 'mamori/internal/sqlite-file';
import { INDICATOR_KINDS, type IndicatorKind, type ParsedIndicator } from './indicator.js';
import { IocMatcherBuilder, type IocMatcher } from './matcher.js';
import { addProxywareIndicators } from './proxyware.js';

export const IOC_SCHEMA_VERSION = 1;

export interface StoredIndicator {
  readonly kind: IndicatorKind;
  readonly value: string;
  readonly source: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly expires: number | null;
  readonly note: string | null;
}

export type IocFormat = 'stix' | 'misp' | 'csv' | 'auto';

export interface IocSource {
  readonly name: string;
  readonly url: string | null;
  readonly format: IocFormat;
  /** How often `mamori ioc fetch` refreshes it, ms; null: only when asked. */
  readonly refreshMs: number | null;
  readonly lastFetch: number | null;
  readonly etag: string | null;
  readonly lastModified: string | null;
  /** What the last fetch did: `200 (1234 indicators)`, `304 not modified`, or the error. */
  readonly lastStatus: string | null;
  /**
   * The feed may redirect from a public address to a private, loopback or link-local one (a
   * feed mirrored on the user's own network; boundedGet refuses it otherwise). Default false.
   */
  readonly allowPrivateRedirects: boolean;
}

export interface ImportOutcome {
  readonly source: string;
  readonly added: number;
  readonly updated: number;
  /** Rows of the source that the import did not carry again (`replace`). */
  readonly removed: number;
  readonly total: number;
}

export interface IocStats {
  readonly total: number;
  readonly expired: number;
  readonly bySource: { source: string; kind: IndicatorKind; count: number; expired: number }[];
}

const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function checkSourceName(name: string): string {
  if (typeof name !== 'string' || !SOURCE_NAME.test(name)) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', `a source name is 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit, not ${JSON.stringify(String(name).slice(0, 70))}`);
  }
  return name;
}

const MIGRATIONS = [
  `CREATE TABLE sources (
     name TEXT PRIMARY KEY,
     url TEXT,
     format TEXT NOT NULL DEFAULT 'auto',
     refresh_ms INTEGER,
     last_fetch INTEGER,
     etag TEXT,
     last_modified TEXT,
     last_status TEXT
   );
   CREATE TABLE indicators (
     kind TEXT NOT NULL,
     value TEXT NOT NULL,
     source TEXT NOT NULL,
     first_seen INTEGER NOT NULL,
     last_seen INTEGER NOT NULL,
     expires INTEGER,
     meta TEXT,
     PRIMARY KEY (kind, value, source)
   ) WITHOUT ROWID;
   CREATE INDEX indicators_source ON indicators (source, last_seen);`,
  `ALTER TABLE sources ADD COLUMN allow_private_redirects INTEGER NOT NULL DEFAULT 0;`,
];

export class IocStore {
  readonly #db: Database.Database;
  readonly path: string;

  private constructor(db: Database.Database, path: string) {
    this.#db = db;
    this.path = path;
  }

  /** Opens (creating when missing, mode 0600) the store at `path`; `:memory:` for tests. */
  static open(path: string): IocStore {
    let db: Database.Database;
    try {
      db = openSqliteFile(path, { driver: Database, what: 'the IoC store', migrations: MIGRATIONS });
    } catch (err) {
      if (err instanceof MamoriError) throw err;
      throw new MamoriError('MAMORI_ERR_STORE_OPEN', `${path}: the IoC store could not be opened: ${(err as Error).message}`, { cause: err });
    }
    return new IocStore(db, path);
  }

  close(): void {
    this.#db.close();
  }

  /**
   * Adds or changes a source (its feed URL, format, refresh interval, whether its feed may
   * redirect into private addresses). What is left out keeps its value (a new source: no
   * private redirects).
   */
  setSource(s: { name: string; url?: string | null; format?: IocFormat; refreshMs?: number | null; allowPrivateRedirects?: boolean }): IocSource {
    checkSourceName(s.name);
    const allow = s.allowPrivateRedirects === undefined ? null : s.allowPrivateRedirects ? 1 : 0;
    this.#db
      .prepare(
        `INSERT INTO sources (name, url, format, refresh_ms, allow_private_redirects) VALUES (@name, @url, @format, @refresh, coalesce(@allow, 0))
         ON CONFLICT(name) DO UPDATE SET url = coalesce(@url, url), format = @format, refresh_ms = coalesce(@refresh, refresh_ms), allow_private_redirects = coalesce(@allow, allow_private_redirects)`,
      )
      .run({ name: s.name, url: s.url ?? null, format: s.format ?? 'auto', refresh: s.refreshMs ?? null, allow });
    return this.source(s.name)!;
  }

  source(name: string): IocSource | undefined {
    const r = this.#db.prepare('SELECT * FROM sources WHERE name = ?').get(name) as Record<string, unknown> | undefined;
    return r ? toSource(r) : undefined;
  }

  sources(): IocSource[] {
    return (this.#db.prepare('SELECT * FROM sources ORDER BY name').all() as Record<string, unknown>[]).map(toSource);
  }

  /** Records a fetch: when, what it answered, and the validators for the next conditional GET. */
  recordFetch(name: string, f: { at: number; status: string; etag?: string | null; lastModified?: string | null }): void {
    this.#db
      .prepare('UPDATE sources SET last_fetch = @at, last_status = @status, etag = coalesce(@etag, etag), last_modified = coalesce(@lm, last_modified) WHERE name = @name')
      .run({ name, at: f.at, status: f.status.slice(0, 500), etag: f.etag ?? null, lm: f.lastModified ?? null });
  }

  /**
   * Adds a source's indicators in one transaction. A value already held from
   * this source keeps its first-seen time and takes the new last-seen, expiry
   * and note. With `replace`, the source's indicators this import did not
   * carry are removed (a feed that is a full list each time).
   */
  importIndicators(source: string, indicators: Iterable<ParsedIndicator>, opts: { now: number; replace?: boolean }): ImportOutcome {
    checkSourceName(source);
    const db = this.#db;
    return db.transaction((): ImportOutcome => {
      if (!this.source(source)) db.prepare('INSERT INTO sources (name) VALUES (?)').run(source);
      const count = db.prepare('SELECT count(*) AS n FROM indicators WHERE source = ?').pluck();
      const before = count.get(source) as number;
      // This import's rows are the ones whose last_seen is `stamp`: later than any row before it.
      const prev = (db.prepare('SELECT max(last_seen) FROM indicators WHERE source = ?').pluck().get(source) as number | null) ?? 0;
      const stamp = Math.max(opts.now, prev + 1);
      const upsert = db.prepare(
        `INSERT INTO indicators (kind, value, source, first_seen, last_seen, expires, meta) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(kind, value, source) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen), last_seen = excluded.last_seen,
           expires = excluded.expires, meta = coalesce(excluded.meta, meta)`,
      );
      let seen = 0;
      for (const i of indicators) {
        upsert.run(i.kind, i.value, source, Math.round(i.firstSeen ?? opts.now), stamp, i.expires === undefined ? null : Math.round(i.expires), i.note ?? null);
        seen++;
      }
      const removed = opts.replace ? db.prepare('DELETE FROM indicators WHERE source = ? AND last_seen < ?').run(source, stamp).changes : 0;
      const after = count.get(source) as number;
      const added = after - before + removed;
      return { source, added, updated: seen - added, removed, total: after };
    })();
  }

  /** Removes a source's indicators (and the source, with `forget`); returns how many indicators went. */
  remove(source: string, opts: { forget?: boolean } = {}): number {
    return this.#db.transaction(() => {
      const n = this.#db.prepare('DELETE FROM indicators WHERE source = ?').run(source).changes;
      if (opts.forget) this.#db.prepare('DELETE FROM sources WHERE name = ?').run(source);
      return n;
    })();
  }

  removeExpired(now: number): number {
    return this.#db.prepare('DELETE FROM indicators WHERE expires IS NOT NULL AND expires <= ?').run(now).changes;
  }

  list(q: { now: number; source?: string; kind?: IndicatorKind; includeExpired?: boolean; limit?: number; offset?: number }): StoredIndicator[] {
    const where: string[] = [];
    const args: Record<string, unknown> = { now: q.now, limit: Math.max(1, Math.min(q.limit ?? 100, 1_000_000)), offset: Math.max(0, q.offset ?? 0) };
    if (q.source !== undefined) {
      where.push('source = @source');
      args.source = q.source;
    }
    if (q.kind !== undefined) {
      where.push('kind = @kind');
      args.kind = q.kind;
    }
    if (!q.includeExpired) where.push('(expires IS NULL OR expires > @now)');
    const sql = `SELECT * FROM indicators ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY source, kind, value LIMIT @limit OFFSET @offset`;
    return (this.#db.prepare(sql).all(args) as Record<string, unknown>[]).map(toIndicator);
  }

  stats(now: number): IocStats {
    const rows = this.#db
      .prepare('SELECT source, kind, count(*) AS count, sum(CASE WHEN expires IS NOT NULL AND expires <= ? THEN 1 ELSE 0 END) AS expired FROM indicators GROUP BY source, kind ORDER BY source, kind')
      .all(now) as { source: string; kind: IndicatorKind; count: number; expired: number }[];
    return { total: rows.reduce((n, r) => n + r.count, 0), expired: rows.reduce((n, r) => n + r.expired, 0), bySource: rows };
  }

  /** Every unexpired indicator, into a builder (a new one unless given: the shipped set may go in first). */
  loadInto(builder: IocMatcherBuilder, now: number): number {
    const stmt = this.#db.prepare('SELECT kind, value, source FROM indicators WHERE expires IS NULL OR expires > ?').raw(true);
    let n = 0;
    for (const row of stmt.iterate(now) as IterableIterator<[string, string, string]>) {
      if (!(INDICATOR_KINDS as readonly string[]).includes(row[0])) continue;
      builder.addNormalized(row[0] as IndicatorKind, row[1], row[2]);
      n++;
    }
    return n;
  }

  matcher(now: number): IocMatcher {
    const b = new IocMatcherBuilder();
    this.loadInto(b, now);
    return b.build();
  }
}

function toSource(r: Record<string, unknown>): IocSource {
  return {
    name: r.name as string,
    url: (r.url as string | null) ?? null,
    format: ((r.format as string) ?? 'auto') as IocFormat,
    refreshMs: (r.refresh_ms as number | null) ?? null,
    lastFetch: (r.last_fetch as number | null) ?? null,
    etag: (r.etag as string | null) ?? null,
    lastModified: (r.last_modified as string | null) ?? null,
    lastStatus: (r.last_status as string | null) ?? null,
    allowPrivateRedirects: r.allow_private_redirects === 1,
  };
}

function toIndicator(r: Record<string, unknown>): StoredIndicator {
  return {
    kind: r.kind as IndicatorKind,
    value: r.value as string,
    source: r.source as string,
    firstSeen: r.first_seen as number,
    lastSeen: r.last_seen as number,
    expires: (r.expires as number | null) ?? null,
    note: (r.meta as string | null) ?? null,
  };
}

/** Where the store lives under a data dir. */
export function iocStorePath(dataDir: string): string {
  return join(dataDir, 'ioc.db');
}

/**
 * The matcher the scanner, the proxy and the host check use: the store's
 * unexpired indicators (when `<dataDir>/ioc.db` exists; it is not created
 * here) and, unless `proxyware: false`, mamori's shipped proxyware set.
 */
export function loadIocMatcher(opts: { dataDir: string; now: number; proxyware?: boolean }): IocMatcher {
  const b = new IocMatcherBuilder();
  if (opts.proxyware !== false) addProxywareIndicators(b);
  const path = iocStorePath(opts.dataDir);
  if (existsSync(path)) {
    const s = IocStore.open(path);
    try {
      s.loadInto(b, opts.now);
    } finally {
      s.close();
    }
  }
  return b.build();
}
