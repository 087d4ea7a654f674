/**
 * What the `mamori vuln` subcommands share: the database in the data directory, who is acting,
 * the clock (`--now` replays a day), and events sent to mamori's store and webhooks.
 */
import { MamoriError, type MamoriConfig } from 'mamori';
import { DEFAULT_DEADLINES, VulnDb, closeRemovedAssets, emitAll, formatDeadlines, parseDeadlines, reopenReturnedAssets, vulnDbPath, type Asset, type Deadlines, type VulnEvent } from '@mamori/vuln';
import { openRuntime } from '../runtime.js';
import { reportError } from '../error-line.js';
import { operatorName } from '../render.js';

export function openDb(config: MamoriConfig): VulnDb {
  return VulnDb.open(vulnDbPath(config.dataDir));
}

/**
 * The deadlines per priority: `--deadlines` (then kept in the database, so that every later
 * command, and the deadline notices, use the same), else the ones kept, else the defaults.
 */
export function deadlines(db: VulnDb | undefined, flag: string | undefined): Deadlines {
  if (flag !== undefined) {
    const d = parseDeadlines(flag);
    db?.setSetting('deadlines', formatDeadlines(d));
    return d;
  }
  const kept = db?.setting('deadlines');
  return kept ? parseDeadlines(kept) : DEFAULT_DEADLINES;
}

/** `--by`, else the user (the one behind sudo) at this host. */
export function who(by: string | undefined): string {
  return operatorName(by);
}

/** `--now`: an ISO date or time taken as the present (to replay or test a plan); else the clock. */
export function clock(now: string | undefined): number {
  if (now === undefined) return Date.now();
  const t = /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?$/.test(now) ? Date.parse(now) : Number.NaN;
  if (!Number.isFinite(t)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--now takes a date (2026-12-03) or a UTC time (2026-12-03T10:00:00Z), not ${JSON.stringify(now.slice(0, 40))}`);
  return t;
}

/** A date (`2027-03-01`) or a duration from now (`90d`) as ms since epoch. */
export function dateOrDuration(v: string, now: number, flag: string, parseDuration: (s: string, w: string) => number): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const t = Date.parse(`${v}T23:59:59Z`);
    if (Number.isFinite(t)) return t;
  }
  return now + parseDuration(v, flag);
}

/**
 * Sends events to mamori's store and webhooks (the config's); a runtime that cannot be opened
 * is a warning on stderr, never a lost report or exit code.
 */
export async function sendEvents(config: MamoriConfig, events: readonly VulnEvent[]): Promise<void> {
  if (events.length === 0) return;
  let rt: Awaited<ReturnType<typeof openRuntime>> | undefined;
  try {
    rt = await openRuntime(config, { admin: true });
    emitAll(rt.guard.events, events);
  } catch (err) {
    reportError(err, 'warning: events not recorded: ');
  } finally {
    await rt?.close();
  }
}

/** Prints an error the way every command does; 2 is the exit code for it. */
export function failed(err: unknown): number {
  reportError(err);
  return 2;
}

export const out = (s: string): void => void process.stdout.write(s);
export const json = (v: unknown): void => out(`${JSON.stringify(v, null, 2)}\n`);

export interface InventoryChange {
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Assets taken out of the inventory (`--sync`). */
  readonly removed: string[];
  /** Findings closed because their asset left; findings back because their asset returned. */
  readonly closed: number;
  readonly returned: number;
  readonly events: VulnEvent[];
}

/**
 * Saves assets to the inventory, and keeps the findings in step: the findings of an asset that
 * is back reopen; with `sync`, the assets of the same scope this inventory no longer has are
 * removed and their findings closed (asset-removed).
 */
export function saveInventory(db: VulnDb, assets: readonly Asset[], o: { now: number; deadlines?: Deadlines; sync?: { scope: (a: Asset) => boolean; why: string } }): InventoryChange {
  return db.transaction(() => {
    const r = db.putAssets(assets, o.now);
    const names = new Set(assets.map((a) => a.name));
    const removed = o.sync ? db.assets().filter((a) => o.sync!.scope(a) && !names.has(a.name)).map((a) => a.name) : [];
    if (removed.length) db.removeAssets(removed);
    const closedEvents = o.sync ? closeRemovedAssets(db, removed, { now: o.now, who: who(undefined), why: o.sync.why }) : [];
    const back = reopenReturnedAssets(db, names, { now: o.now, who: who(undefined), ...(o.deadlines ? { deadlines: o.deadlines } : {}) });
    return { ...r, removed, closed: closedEvents.length, returned: back.returned, events: [...closedEvents, ...back.events] };
  });
}
