/**
 * The feeds as mamori keeps them: one SQLite file (`<dataDir>/vuln-feeds.db`, mode 0600)
 * holding each feed's records as read (normalised JSON with the path of every fact), an
 * index from product keys (`cpe:fortinet:fortios`, `cve5:citrix|netscaler adc`,
 * `osv:npm:lodash`, `kev:ivanti|pulse connect secure`) to records, the CVE ids each record
 * is about, EPSS scores, and each feed's fetch state (ETag, Last-Modified, NVD's last
 * modification window). `--feeds DIR` imports a directory into an in-memory store, so
 * matching has one path either way.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteFile } from 'mamori/internal';
import { cpeKey } from './cpe.js';
import { cve5Key, isNa, type Cve5Record } from './cve5.js';
import type { EpssRow } from './epss.js';
import type { JvnRecord } from './jvn.js';
import { kevKey, type KevEntry } from './kev.js';
import type { NvdRecord } from './nvd.js';
import { osvKey, type OsvRecord } from './osv.js';
import { parseCpe } from './cpe.js';
import { DEBIAN_CODENAMES, distAnyKey, distKey, osvEcosystemRelease } from './distro.js';
import type { DebianTrackerRecord } from './debian-tracker.js';
import type { IpaAlert } from './ipa.js';

const CODENAME_RELEASE = new Map(Object.entries(DEBIAN_CODENAMES).map(([r, c]) => [c, r]));

export type FeedName = 'nvd' | 'cve5' | 'osv' | 'kev' | 'jvn' | 'debian' | 'ipa';

export interface FeedState {
  readonly feed: string;
  readonly etag: string | null;
  readonly lastModified: string | null;
  readonly fetchedAt: number | null;
  /** NVD: the end of the last modification window read; EPSS: the score date. */
  readonly cursor: string | null;
  readonly note: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (feed TEXT NOT NULL, id TEXT NOT NULL, modified TEXT, body TEXT NOT NULL, PRIMARY KEY (feed, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS keys (key TEXT NOT NULL, feed TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (key, feed, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS keys_by_record ON keys (feed, id);
CREATE TABLE IF NOT EXISTS cves (cve TEXT NOT NULL, feed TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (cve, feed, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cves_by_record ON cves (feed, id);
CREATE TABLE IF NOT EXISTS epss (cve TEXT PRIMARY KEY, probability REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS feed_state (feed TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, fetched_at INTEGER, cursor TEXT, note TEXT);
`;

export function vulnFeedsPath(dataDir: string): string {
  return join(dataDir, 'vuln-feeds.db');
}

/** The product keys a record is found by. */
export function recordKeys(feed: FeedName, rec: unknown): Set<string> {
  const keys = new Set<string>();
  if (feed === 'nvd') {
    for (const c of (rec as NvdRecord).configurations) for (const n of c.nodes) for (const m of n.matches) if (m.vulnerable) keys.add(cpeKey(m.cpe.vendor, m.cpe.product));
  } else if (feed === 'cve5') {
    for (const a of (rec as Cve5Record).affected) {
      if (!isNa(a.vendor) || !isNa(a.product)) keys.add(cve5Key(a.vendor, a.product));
      for (const c of a.cpes) {
        const p = parseCpe(c);
        if (!('problem' in p)) keys.add(cpeKey(p.vendor, p.product));
      }
    }
  } else if (feed === 'osv') {
    for (const a of (rec as OsvRecord).affected) {
      // a distribution's package is found by its release (dist:debian:12:openssh), and by its family for assets whose release is not known
      const d = osvEcosystemRelease(a.ecosystem);
      if (d) {
        keys.add(distKey(d.key, a.name));
        keys.add(distAnyKey(d.family, a.name));
      } else keys.add(osvKey(a.ecosystem, a.name));
    }
  } else if (feed === 'debian') {
    const r = rec as DebianTrackerRecord;
    keys.add(distAnyKey('deb', r.package));
    for (const rel of r.releases) {
      const n = CODENAME_RELEASE.get(rel.codename);
      if (n) keys.add(distKey(`debian:${n}`, r.package));
    }
  } else if (feed === 'ipa') {
    // IPA's alerts name products in words: found by CVE (they mark CVEs other feeds connect), not by product
  } else if (feed === 'kev') {
    const e = rec as KevEntry;
    keys.add(kevKey(e.vendorProject, e.product));
  } else {
    for (const c of (rec as JvnRecord).cpes) {
      const p = parseCpe(c);
      if (!('problem' in p)) keys.add(cpeKey(p.vendor, p.product));
    }
  }
  return keys;
}

function recordCves(feed: FeedName, rec: { id?: string; cve?: string; aliases?: readonly string[]; cves?: readonly string[] }): string[] {
  if (feed === 'nvd' || feed === 'cve5') return [rec.id!];
  if (feed === 'kev' || feed === 'debian') return [rec.cve!];
  const isCve = (a: string) => /^CVE-\d{4}-\d{4,8}$/.test(a);
  if (feed === 'osv') {
    const o = rec as unknown as OsvRecord;
    let ids = [...o.aliases, ...(o.upstream ?? [])].filter(isCve);
    // a distribution's errata (ALSA, RLSA) name the CVEs they fix as related
    if (ids.length === 0 && o.affected.some((a) => osvEcosystemRelease(a.ecosystem))) ids = (o.related ?? []).filter(isCve);
    return ids.length > 0 ? [...new Set(ids)] : [o.id];
  }
  const list = rec.cves?.filter(isCve) ?? [];
  return list.length > 0 ? list : [rec.id!];
}

export class VulnFeedStore {
  private readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** Opens (creating, mode 0600) the store at `path`; `:memory:` for a store that lives as long as the process. */
  static open(path: string): VulnFeedStore {
    // SCHEMA is migration 1: a file made before user_version was kept has its tables and is only stamped.
    return new VulnFeedStore(openSqliteFile(path, { driver: Database, what: 'the vulnerability feed store', migrations: [SCHEMA] }));
  }

  close(): void {
    this.db.close();
  }

  /** Adds or replaces records of one feed, re-indexing each; one transaction. */
  put(feed: FeedName, records: readonly (NvdRecord | Cve5Record | OsvRecord | KevEntry | JvnRecord | DebianTrackerRecord | IpaAlert)[]): void {
    const del = [this.db.prepare('DELETE FROM keys WHERE feed = ? AND id = ?'), this.db.prepare('DELETE FROM cves WHERE feed = ? AND id = ?')];
    const ins = this.db.prepare('INSERT OR REPLACE INTO records (feed, id, modified, body) VALUES (?, ?, ?, ?)');
    const key = this.db.prepare('INSERT OR IGNORE INTO keys (key, feed, id) VALUES (?, ?, ?)');
    const cve = this.db.prepare('INSERT OR IGNORE INTO cves (cve, feed, id) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const rec of records) {
        const r = rec as { id?: string; cve?: string; lastModified?: string; modified?: string; updated?: string };
        const id = feed === 'kev' ? r.cve! : r.id!;
        for (const d of del) d.run(feed, id);
        ins.run(feed, id, r.lastModified ?? r.modified ?? r.updated ?? (rec as { date?: string }).date ?? null, JSON.stringify(rec));
        for (const k of recordKeys(feed, rec)) key.run(k, feed, id);
        for (const c of recordCves(feed, rec as never)) cve.run(c, feed, id);
      }
    })();
  }

  /**
   * Replaces every record of a feed with what `fill` puts, in one transaction: when `fill`
   * throws, the store keeps what it had (the Debian tracker is the whole tracker each time).
   */
  replace(feed: FeedName, fill: (put: (records: readonly DebianTrackerRecord[]) => void) => void): void {
    this.db.transaction(() => {
      this.clear(feed);
      fill((records) => this.put(feed, records));
    })();
  }

  /** Drops every record of a feed (KEV is the whole list each time). */
  clear(feed: FeedName): void {
    this.db.transaction(() => {
      for (const t of ['records', 'keys', 'cves']) this.db.prepare(`DELETE FROM ${t} WHERE feed = ?`).run(feed);
    })();
  }

  replaceEpss(rows: readonly EpssRow[]): void {
    const ins = this.db.prepare('INSERT OR REPLACE INTO epss (cve, probability, percentile) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM epss').run();
      for (const r of rows) ins.run(r.cve, r.probability, r.percentile);
    })();
  }

  /** The CVE (or advisory) ids of records found by any of `keys`. */
  candidates(keys: readonly string[]): Set<string> {
    const out = new Set<string>();
    const q = this.db.prepare('SELECT c.cve AS cve FROM keys k JOIN cves c ON c.feed = k.feed AND c.id = k.id WHERE k.key = ?');
    for (const k of keys) for (const row of q.iterate(k) as Iterable<{ cve: string }>) out.add(row.cve);
    return out;
  }

  /**
   * Whether any record names a package of this release (`debian:12`): a release no feed covers
   * (an archived release, a feed not imported, a typo such as debian:21) cannot be checked.
   */
  coversRelease(release: string): boolean {
    return this.db.prepare('SELECT 1 FROM keys WHERE key >= ? AND key < ? LIMIT 1').get(`dist:${release}:`, `dist:${release};`) !== undefined;
  }

  /** Every record of `feed`, newest modification first, at most `limit` (IPA's alerts, to list them). */
  list<T>(feed: FeedName, limit: number): T[] {
    const rows = this.db.prepare('SELECT body FROM records WHERE feed = ? ORDER BY modified DESC, id LIMIT ?').all(feed, limit) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as T);
  }

  /** The records of `feed` about `cve`. */
  records<T>(feed: FeedName, cve: string): T[] {
    const rows = this.db.prepare('SELECT r.body AS body FROM cves c JOIN records r ON r.feed = c.feed AND r.id = c.id WHERE c.cve = ? AND c.feed = ?').all(cve, feed) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as T);
  }

  /** CVE ids that `have` has records for and `feed` has none for (the CVE 5 records to fetch for KEV's CVEs). */
  missing(feed: FeedName, have: FeedName, limit: number): string[] {
    const rows = this.db.prepare('SELECT DISTINCT h.cve AS cve FROM cves h WHERE h.feed = ? AND NOT EXISTS (SELECT 1 FROM cves c WHERE c.cve = h.cve AND c.feed = ?) ORDER BY h.cve DESC LIMIT ?').all(have, feed, limit) as { cve: string }[];
    return rows.map((r) => r.cve);
  }

  epss(cve: string): { probability: number; percentile: number } | undefined {
    return this.db.prepare('SELECT probability, percentile FROM epss WHERE cve = ?').get(cve) as { probability: number; percentile: number } | undefined;
  }

  count(feed: FeedName | 'epss'): number {
    const row = (feed === 'epss' ? this.db.prepare('SELECT count(*) AS n FROM epss').get() : this.db.prepare('SELECT count(*) AS n FROM records WHERE feed = ?').get(feed)) as { n: number };
    return row.n;
  }

  state(feed: string): FeedState {
    const row = this.db.prepare('SELECT etag, last_modified AS lastModified, fetched_at AS fetchedAt, cursor, note FROM feed_state WHERE feed = ?').get(feed) as Omit<FeedState, 'feed'> | undefined;
    return { feed, etag: null, lastModified: null, fetchedAt: null, cursor: null, note: null, ...row };
  }

  setState(feed: string, s: Partial<Omit<FeedState, 'feed'>>): void {
    const cur = this.state(feed);
    const n = { ...cur, ...s };
    this.db.prepare('INSERT OR REPLACE INTO feed_state (feed, etag, last_modified, fetched_at, cursor, note) VALUES (?, ?, ?, ?, ?, ?)').run(feed, n.etag, n.lastModified, n.fetchedAt, n.cursor, n.note);
  }
}
