/**
 * `<dataDir>/vuln.db`: the inventory (assets) and the findings' lifecycle (open, accepted risk,
 * fixed) with its history. One SQLite file, mode 0600 (it says what is unpatched where), WAL.
 * Times are ms since epoch, given by the caller (a clock, never `Date.now()` here).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MamoriError } from 'mamori';
import { openSqliteFile } from 'mamori/internal';
import type { Asset, Finding } from '../model.js';

export const VULN_SCHEMA_VERSION = 3;

export function vulnDbPath(dataDir: string): string {
  return join(dataDir, 'vuln.db');
}

/**
 * Where a finding stands: to patch, accepted for a while, gone in a later check, or closed
 * because its asset left the inventory (it reopens if the asset comes back).
 */
export type FindingState = 'open' | 'accepted' | 'fixed' | 'closed';

export const FINDING_STATES: readonly FindingState[] = ['open', 'accepted', 'fixed', 'closed'];

/** Why a finding was closed without a fix: only `asset-removed` so far. */
export interface FindingClosure {
  readonly reason: 'asset-removed';
  readonly at: number;
  /** In words: which inventory no longer had the asset. */
  readonly why: string;
  /** The state it left, restored when the asset comes back. */
  readonly from: 'open' | 'accepted';
}

export interface StoredFinding {
  readonly asset: string;
  readonly cve: string;
  readonly state: FindingState;
  /** The last check's finding (its status is `affected` or `unknown`). */
  readonly finding: Finding;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly fixedAt: number | null;
  readonly accepted: { readonly by: string; readonly reason: string; readonly at: number; readonly until: number } | null;
  /** The deadline notice last sent: `soon`, `overdue`, or null. */
  readonly notified: string | null;
  /**
   * The asset as the check knew it (exposure, criticality, owner), for when it is not in this
   * database's inventory (the check used an inventory file): later commands rank it the same.
   */
  readonly assetFacts?: Asset | null;
  /** Set while the state is `closed`. */
  readonly closed?: FindingClosure | null;
}

export interface FindingHistoryEntry {
  readonly asset: string;
  readonly cve: string;
  readonly at: number;
  /** `new`, `accepted`, `reopened`, `expired`, `fixed`, `reappeared`, `closed` (asset removed), `asset-back`. */
  readonly action: string;
  readonly who: string;
  readonly why: string;
}

const MIGRATIONS = [
  `CREATE TABLE assets (
     name TEXT PRIMARY KEY,
     type TEXT NOT NULL,
     product TEXT NOT NULL,
     version TEXT NOT NULL,
     exposure TEXT NOT NULL,
     criticality TEXT NOT NULL,
     owner TEXT,
     origin TEXT,
     added_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE findings (
     asset TEXT NOT NULL,
     cve TEXT NOT NULL,
     state TEXT NOT NULL,
     finding TEXT NOT NULL,
     first_seen INTEGER NOT NULL,
     last_seen INTEGER NOT NULL,
     fixed_at INTEGER,
     accepted_by TEXT,
     accepted_reason TEXT,
     accepted_at INTEGER,
     accepted_until INTEGER,
     notified TEXT,
     asset_facts TEXT,
     PRIMARY KEY (asset, cve)
   ) WITHOUT ROWID;
   CREATE INDEX findings_state ON findings (state);
   CREATE TABLE finding_history (
     asset TEXT NOT NULL,
     cve TEXT NOT NULL,
     at INTEGER NOT NULL,
     action TEXT NOT NULL,
     who TEXT NOT NULL,
     why TEXT NOT NULL
   );
   CREATE INDEX finding_history_key ON finding_history (asset, cve, at);
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`,
  // 2: findings closed because their asset left the inventory (closed: asset-removed)
  `ALTER TABLE findings ADD COLUMN closed_reason TEXT;
   ALTER TABLE findings ADD COLUMN closed_at INTEGER;
   ALTER TABLE findings ADD COLUMN closed_why TEXT;
   ALTER TABLE findings ADD COLUMN closed_from TEXT;`,
  // 3: a package's distribution release and source package (deb, rpm)
  `ALTER TABLE assets ADD COLUMN distro TEXT;
   ALTER TABLE assets ADD COLUMN source TEXT;`,
];

export class VulnDb {
  readonly #db: Database.Database;
  readonly path: string;
  // Statements prepared once: a check of thousands of findings runs the same few again and again.
  readonly #statements = new Map<string, Database.Statement>();

  private constructor(db: Database.Database, path: string) {
    this.#db = db;
    this.path = path;
  }

  /** Opens (creating when missing, mode 0600) the database at `path`; `:memory:` for tests. */
  static open(path: string): VulnDb {
    let db: Database.Database;
    try {
      db = openSqliteFile(path, { driver: Database, what: 'the vulnerability database', migrations: MIGRATIONS });
    } catch (err) {
      if (err instanceof MamoriError) throw err;
      throw new MamoriError('MAMORI_ERR_STORE_OPEN', `${path}: the vulnerability database could not be opened: ${(err as Error).message}`, { cause: err });
    }
    return new VulnDb(db, path);
  }

  close(): void {
    this.#db.close();
  }

  #prepare(sql: string): Database.Statement {
    let st = this.#statements.get(sql);
    if (!st) {
      st = this.#db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }

  /**
   * Runs `fn` in one transaction, taking the write lock first (BEGIN IMMEDIATE): a deferred
   * transaction that reads and then writes while another process wrote meanwhile fails at once
   * with SQLITE_BUSY (the busy timeout cannot help it), so two `mamori vuln plan` runs on one
   * vuln.db (cron and a person) would lose one. Nested calls are savepoints as before.
   */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  // ---- settings (the plan's deadlines, kept so that every command uses the same)

  setting(key: string): string | undefined {
    const r = this.#prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value;
  }

  setSetting(key: string, value: string): void {
    this.#prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  // ---- assets

  asset(name: string): Asset | undefined {
    const r = this.#prepare('SELECT * FROM assets WHERE name = ?').get(name) as Record<string, unknown> | undefined;
    return r ? toAsset(r) : undefined;
  }

  assets(): Asset[] {
    return (this.#prepare('SELECT * FROM assets ORDER BY name').all() as Record<string, unknown>[]).map(toAsset);
  }

  /** Adds or replaces assets; returns how many were new and how many changed. */
  putAssets(list: readonly Asset[], now: number): { added: number; updated: number; unchanged: number } {
    const get = this.#prepare('SELECT * FROM assets WHERE name = ?');
    const ins = this.#prepare(
      `INSERT INTO assets (name, type, product, version, exposure, criticality, owner, origin, distro, source, added_at, updated_at)
       VALUES (@name, @type, @product, @version, @exposure, @criticality, @owner, @origin, @distro, @source, @now, @now)
       ON CONFLICT(name) DO UPDATE SET type = @type, product = @product, version = @version, exposure = @exposure,
         criticality = @criticality, owner = @owner, origin = @origin, distro = @distro, source = @source, updated_at = @now`,
    );
    let added = 0;
    let updated = 0;
    let unchanged = 0;
    this.transaction(() => {
      for (const a of list) {
        const old = get.get(a.name) as Record<string, unknown> | undefined;
        const row = { name: a.name, type: a.type, product: a.product, version: a.version, exposure: a.exposure, criticality: a.criticality, owner: a.owner ?? null, origin: a.origin ?? null, distro: a.distro ?? null, source: a.source ?? null, now };
        if (old && sameAsset(toAsset(old), a)) {
          unchanged++;
          continue;
        }
        ins.run(row);
        if (old) updated++;
        else added++;
      }
    });
    return { added, updated, unchanged };
  }

  removeAssets(names: readonly string[]): number {
    const del = this.#prepare('DELETE FROM assets WHERE name = ?');
    return this.transaction(() => names.reduce((n, name) => n + del.run(name).changes, 0));
  }

  // ---- findings

  finding(asset: string, cve: string): StoredFinding | undefined {
    const r = this.#prepare('SELECT * FROM findings WHERE asset = ? AND cve = ?').get(asset, cve) as Record<string, unknown> | undefined;
    return r ? toFinding(r) : undefined;
  }

  findings(filter: { state?: FindingState; asset?: string } = {}): StoredFinding[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.state) {
      where.push('state = ?');
      args.push(filter.state);
    }
    if (filter.asset) {
      where.push('asset = ?');
      args.push(filter.asset);
    }
    const sql = `SELECT * FROM findings ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY asset, cve`;
    return (this.#prepare(sql).all(...args) as Record<string, unknown>[]).map(toFinding);
  }

  /** Writes a finding's row whole (the lifecycle decides what it holds). */
  putFinding(f: StoredFinding): void {
    this.#prepare(
        `INSERT INTO findings (asset, cve, state, finding, first_seen, last_seen, fixed_at, accepted_by, accepted_reason, accepted_at, accepted_until, notified, asset_facts, closed_reason, closed_at, closed_why, closed_from)
         VALUES (@asset, @cve, @state, @finding, @firstSeen, @lastSeen, @fixedAt, @by, @reason, @at, @until, @notified, @facts, @closedReason, @closedAt, @closedWhy, @closedFrom)
         ON CONFLICT(asset, cve) DO UPDATE SET state = @state, finding = @finding, first_seen = @firstSeen, last_seen = @lastSeen,
           fixed_at = @fixedAt, accepted_by = @by, accepted_reason = @reason, accepted_at = @at, accepted_until = @until, notified = @notified,
           asset_facts = @facts, closed_reason = @closedReason, closed_at = @closedAt, closed_why = @closedWhy, closed_from = @closedFrom`,
      )
      .run({
        asset: f.asset,
        cve: f.cve,
        state: f.state,
        finding: JSON.stringify(f.finding),
        firstSeen: f.firstSeen,
        lastSeen: f.lastSeen,
        fixedAt: f.fixedAt,
        by: f.accepted?.by ?? null,
        reason: f.accepted?.reason ?? null,
        at: f.accepted?.at ?? null,
        until: f.accepted?.until ?? null,
        notified: f.notified,
        facts: f.assetFacts ? JSON.stringify(f.assetFacts) : null,
        // only a closed finding keeps its closure
        closedReason: f.state === 'closed' ? (f.closed?.reason ?? null) : null,
        closedAt: f.state === 'closed' ? (f.closed?.at ?? null) : null,
        closedWhy: f.state === 'closed' ? (f.closed?.why ?? null) : null,
        closedFrom: f.state === 'closed' ? (f.closed?.from ?? null) : null,
      });
  }

  addHistory(e: FindingHistoryEntry): void {
    this.#prepare('INSERT INTO finding_history (asset, cve, at, action, who, why) VALUES (@asset, @cve, @at, @action, @who, @why)').run(e);
  }

  history(asset?: string, cve?: string): FindingHistoryEntry[] {
    const rows = asset
      ? this.#prepare('SELECT * FROM finding_history WHERE asset = ? AND (? IS NULL OR cve = ?) ORDER BY at, rowid').all(asset, cve ?? null, cve ?? null)
      : this.#prepare('SELECT * FROM finding_history ORDER BY at, rowid').all();
    return rows as FindingHistoryEntry[];
  }
}

function sameAsset(a: Asset, b: Asset): boolean {
  return a.type === b.type && a.product === b.product && a.version === b.version && a.exposure === b.exposure && a.criticality === b.criticality && (a.owner ?? null) === (b.owner ?? null) && (a.origin ?? null) === (b.origin ?? null) && (a.distro ?? null) === (b.distro ?? null) && (a.source ?? null) === (b.source ?? null);
}

function toAsset(r: Record<string, unknown>): Asset {
  return {
    name: r.name as string,
    type: r.type as Asset['type'],
    product: r.product as string,
    version: r.version as string,
    exposure: r.exposure as Asset['exposure'],
    criticality: r.criticality as Asset['criticality'],
    ...(r.owner ? { owner: r.owner as string } : {}),
    ...(r.origin ? { origin: r.origin as string } : {}),
    ...(r.distro ? { distro: r.distro as string } : {}),
    ...(r.source ? { source: r.source as string } : {}),
  };
}

function toFinding(r: Record<string, unknown>): StoredFinding {
  return {
    asset: r.asset as string,
    cve: r.cve as string,
    state: r.state as FindingState,
    finding: JSON.parse(r.finding as string) as Finding,
    firstSeen: r.first_seen as number,
    lastSeen: r.last_seen as number,
    fixedAt: (r.fixed_at as number | null) ?? null,
    accepted:
      r.accepted_by === null || r.accepted_by === undefined
        ? null
        : { by: r.accepted_by as string, reason: r.accepted_reason as string, at: r.accepted_at as number, until: r.accepted_until as number },
    notified: (r.notified as string | null) ?? null,
    assetFacts: typeof r.asset_facts === 'string' ? (JSON.parse(r.asset_facts) as Asset) : null,
    closed:
      r.state === 'closed' && r.closed_reason
        ? { reason: r.closed_reason as FindingClosure['reason'], at: r.closed_at as number, why: (r.closed_why as string | null) ?? '', from: r.closed_from === 'accepted' ? 'accepted' : 'open' }
        : null,
  };
}
