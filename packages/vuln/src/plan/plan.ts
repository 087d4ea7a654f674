/**
 * The patch plan: what to patch, in which order, by which date, and who owns it.
 *
 * Each open finding (affected, or unknown: to be checked by hand) gets its priority
 * (priority.ts) and a due date: the day it was first seen plus its priority's deadline (P1 7
 * days, P2 30, P3 90, P4 180 by default; configurable), or CISA's KEV due date when that is
 * earlier. Findings are ordered by priority, then due date, then EPSS, then CVSS; assets are
 * ordered by their most urgent finding, since one update fixes all of an asset's findings.
 */
import { MamoriError, formatDuration, parseDuration } from 'mamori';
import type { Asset, Finding } from '../model.js';
import type { FindingState } from '../inventory/db.js';
import { ASSET_DEFAULTS } from '../inventory/asset.js';
import { PRIORITIES, comparePriority, prioritise, type Assessment, type Priority } from './priority.js';

const DAY = 86_400_000;
export type Deadlines = Readonly<Record<Priority, number>>;
export const DEFAULT_DEADLINES: Deadlines = { P1: 7 * DAY, P2: 30 * DAY, P3: 90 * DAY, P4: 180 * DAY };

/** `P1=3d,P2=14d`: the priorities named take those deadlines, the others keep theirs. */
export function parseDeadlines(spec: string, base: Deadlines = DEFAULT_DEADLINES): Deadlines {
  const out: Record<Priority, number> = { ...base };
  for (const part of spec.split(',')) {
    const m = /^\s*(P[1-4])\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--deadlines takes P1=7d,P2=30d,...: ${JSON.stringify(part.slice(0, 40))} is not PRIORITY=DURATION`);
    const ms = parseDuration(m[2]!, `--deadlines ${m[1]}`);
    if (ms < 3_600_000 || ms > 3 * 365 * DAY) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--deadlines ${m[1]} must be an hour to three years`);
    out[m[1] as Priority] = ms;
  }
  for (let i = 1; i < PRIORITIES.length; i++) {
    if (out[PRIORITIES[i]!] < out[PRIORITIES[i - 1]!]) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--deadlines: ${PRIORITIES[i]} cannot be due sooner than ${PRIORITIES[i - 1]}`);
  }
  return out;
}

/** `P1=7d,P2=30d,P3=90d,P4=180d`: what parseDeadlines reads back. */
export function formatDeadlines(d: Deadlines): string {
  return PRIORITIES.map((p) => `${p}=${formatDuration(d[p])}`).join(',');
}

export interface PlanInput {
  readonly finding: Finding;
  /** When mamori first saw it (the store); now when it comes straight from a check. */
  readonly firstSeen?: number;
  readonly state?: FindingState;
}

export interface PlanItem {
  readonly priority: Priority;
  /** YYYY-MM-DD. */
  readonly due: string;
  /** What set the date: the priority's deadline or CISA's KEV due date. */
  readonly dueBy: 'deadline' | 'kev';
  readonly overdue: boolean;
  readonly asset: string;
  readonly type?: Asset['type'];
  readonly product: string;
  readonly version: string;
  readonly owner: string;
  readonly exposure: Asset['exposure'];
  readonly criticality: Asset['criticality'];
  readonly cve: string;
  readonly status: Finding['status'];
  readonly explanation: string;
  /** Matching's reason (what is affected and what fixes it). */
  readonly reason: string;
  readonly title?: string;
  readonly firstSeen: string;
  readonly inInventory: boolean;
  readonly assessment: Assessment;
  readonly finding: Finding;
}

export interface AssetPlan {
  readonly asset: string;
  readonly product: string;
  readonly version: string;
  readonly owner: string;
  readonly priority: Priority;
  readonly due: string;
  readonly cves: readonly string[];
}

export interface Plan {
  readonly generatedAt: string;
  readonly items: readonly PlanItem[];
  readonly byAsset: readonly AssetPlan[];
  readonly counts: Readonly<Record<Priority, number>>;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A plan item for one finding. */
export function planItem(input: PlanInput, asset: Asset | undefined, opts: { now: number; deadlines?: Deadlines }): PlanItem {
  const f = input.finding;
  const a = prioritise(f, asset);
  const start = input.firstSeen ?? opts.now;
  let due = isoDate(start + (opts.deadlines ?? DEFAULT_DEADLINES)[a.priority]);
  let dueBy: PlanItem['dueBy'] = 'deadline';
  if (f.kev && f.kev.dueDate < due) {
    due = f.kev.dueDate;
    dueBy = 'kev';
  }
  return {
    priority: a.priority,
    due,
    dueBy,
    overdue: due < isoDate(opts.now),
    asset: f.asset,
    ...(asset ? { type: asset.type } : {}),
    product: f.product,
    version: f.version,
    owner: asset?.owner ?? ASSET_DEFAULTS.owner,
    exposure: asset?.exposure ?? ASSET_DEFAULTS.exposure,
    criticality: asset?.criticality ?? ASSET_DEFAULTS.criticality,
    cve: f.cve,
    status: f.status,
    explanation: a.explanation,
    reason: f.reason,
    ...(f.title ? { title: f.title } : {}),
    firstSeen: isoDate(start),
    inInventory: asset !== undefined,
    assessment: a,
    finding: f,
  };
}

// Code-unit order: dates, CVE ids and names sort the same on every machine, and fast.
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareItems(x: PlanItem, y: PlanItem): number {
  return (
    comparePriority(x.priority, y.priority) ||
    cmp(x.due, y.due) ||
    (y.finding.epss?.probability ?? -1) - (x.finding.epss?.probability ?? -1) ||
    (y.assessment.cvss?.baseScore ?? -1) - (x.assessment.cvss?.baseScore ?? -1) ||
    cmp(x.asset, y.asset) ||
    cmp(x.cve, y.cve)
  );
}

/**
 * The plan for these findings. `not_affected` findings, and accepted or fixed ones, are left
 * out; the same (asset, CVE) twice counts once, `affected` over `unknown`.
 */
export function buildPlan(inputs: readonly PlanInput[], assets: ReadonlyMap<string, Asset>, opts: { now: number; deadlines?: Deadlines }): Plan {
  const best = new Map<string, PlanInput>();
  for (const i of inputs) {
    if (i.finding.status === 'not_affected' || (i.state && i.state !== 'open')) continue;
    const k = `${i.finding.asset}\u0000${i.finding.cve}`;
    const prev = best.get(k);
    if (!prev || (prev.finding.status === 'unknown' && i.finding.status === 'affected')) best.set(k, i);
  }
  const items = [...best.values()].map((i) => planItem(i, assets.get(i.finding.asset), opts)).sort(compareItems);
  const groups = new Map<string, PlanItem[]>();
  for (const it of items) {
    const g = groups.get(it.asset);
    if (g) g.push(it);
    else groups.set(it.asset, [it]);
  }
  // Items are sorted, so each group's first item is its most urgent, and the groups' order
  // of first appearance is the order to patch the assets in.
  const byAsset: AssetPlan[] = [...groups.values()].map((g) => ({
    asset: g[0]!.asset,
    product: g[0]!.product,
    version: g[0]!.version,
    owner: g[0]!.owner,
    priority: g[0]!.priority,
    due: g.reduce((d, i) => (i.due < d ? i.due : d), g[0]!.due),
    cves: g.map((i) => i.cve),
  }));
  const counts = { P1: 0, P2: 0, P3: 0, P4: 0 };
  for (const it of items) counts[it.priority]++;
  return { generatedAt: new Date(opts.now).toISOString(), items, byAsset, counts };
}
