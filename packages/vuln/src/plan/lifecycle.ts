/**
 * The findings' lifecycle in vuln.db:
 *
 * - a check's `affected` (or `unknown`) finding not seen before is **open** (event
 *   `vuln-finding`);
 * - **accepted risk**: someone accepts it, with a reason and an expiry (`vuln-risk-accepted`);
 *   when the expiry passes it is open again (`vuln-finding-reopened`);
 * - **fixed**: a later check covered the asset and no longer says affected (or unknown) for that
 *   CVE: the new version is verified by the inventory, not by someone's word
 *   (`vuln-finding-fixed`); if a check says affected again, it is open again;
 * - **closed: asset-removed**: the asset left the inventory (`mamori vuln asset remove`, an
 *   inventory loaded with `--sync`, a discovery saved with `--sync`, a `--complete` check whose
 *   inventory no longer has it): its open and accepted findings leave the plan, kept with when
 *   and why (`vuln-finding-closed`); if the asset comes back they take up the state they left,
 *   their first-seen date (and so their due date) unchanged (`vuln-finding-reopened`);
 * - **deadlines**: an open finding whose due date is near (`warnBefore`) or past sends
 *   `vuln-deadline` once for each.
 *
 * A check covers the assets it mentions (any status), or, with `complete`, every asset of the
 * inventory: an asset a check never mentioned is not known to be fixed.
 */
import type { EventSink, SecurityEvent } from 'mamori';
import { MamoriError } from 'mamori';
import type { Asset, Finding } from '../model.js';
import type { FindingHistoryEntry, StoredFinding, VulnDb } from '../inventory/db.js';
import { planItem, isoDate, DEFAULT_DEADLINES, type Deadlines, type PlanInput, type PlanItem } from './plan.js';
import type { Priority } from './priority.js';

/** A SecurityEvent about a finding, with ECS's `vulnerability.*` fields and mamori's own. */
export type VulnEvent = SecurityEvent & {
  'vulnerability.id': string;
  'vulnerability.score.base'?: number;
  'mamori.vuln.asset': string;
  'mamori.vuln.priority'?: Priority;
  'mamori.vuln.due'?: string;
  'mamori.vuln.owner'?: string;
};

const SEVERITY: Record<Priority, number> = { P1: 73, P2: 50, P3: 30, P4: 20 };

function event(action: string, at: number, reason: string, f: Finding, item?: PlanItem): VulnEvent {
  return {
    '@timestamp': new Date(at).toISOString(),
    'event.action': action,
    'event.category': 'vulnerability',
    'event.module': 'vuln',
    'event.severity': item && (action === 'vuln-finding' || action === 'vuln-deadline' || action === 'vuln-finding-reopened') ? SEVERITY[item.priority] : 20,
    'event.reason': reason,
    'rule.id': f.cve,
    'rule.name': f.asset,
    'vulnerability.id': f.cve,
    ...(item?.assessment.cvss ? { 'vulnerability.score.base': item.assessment.cvss.baseScore } : {}),
    'mamori.vuln.asset': f.asset,
    ...(item ? { 'mamori.vuln.priority': item.priority, 'mamori.vuln.due': item.due, 'mamori.vuln.owner': item.owner } : {}),
  };
}

export interface LifecycleOptions {
  readonly now: number;
  readonly deadlines?: Deadlines;
  /** The inventory, for priorities and owners; the database's assets when absent. */
  readonly assets?: ReadonlyMap<string, Asset>;
}

export interface CheckOutcome {
  readonly opened: number;
  readonly updated: number;
  readonly fixed: number;
  readonly reappeared: number;
  /** Findings closed because their asset is no longer in the inventory. */
  readonly closed: number;
  /** Closed findings whose asset is back, restored to the state they left. */
  readonly returned: number;
  readonly events: VulnEvent[];
}

/**
 * The open and accepted findings of assets that left the inventory leave the plan: closed,
 * reason `asset-removed`, with when and why in the finding and its history, and one
 * `vuln-finding-closed` event each. Nothing is deleted.
 */
export function closeRemovedAssets(db: VulnDb, names: Iterable<string>, opts: { now: number; who?: string; why: string }): VulnEvent[] {
  const events: VulnEvent[] = [];
  const who = opts.who ?? 'mamori';
  db.transaction(() => {
    for (const name of new Set(names)) {
      for (const f of db.findings({ asset: name })) {
        if (f.state !== 'open' && f.state !== 'accepted') continue;
        const why = opts.why.slice(0, 500);
        db.putFinding({ ...f, state: 'closed', closed: { reason: 'asset-removed', at: opts.now, why, from: f.state }, notified: null });
        history(db, f, opts.now, 'closed', who, `asset-removed: ${why}${f.state === 'accepted' ? ' (it was an accepted risk)' : ''}`);
        events.push(event('vuln-finding-closed', opts.now, `${f.asset}: ${f.cve} closed (asset-removed): ${why}`, f.finding));
      }
    }
  });
  return events;
}

/**
 * Findings closed because their asset left the inventory, for assets that are back: they
 * take up the state they left (an acceptance that has ended in the meantime leaves them open),
 * with their first-seen date, so the deadline is the one they had.
 */
export function reopenReturnedAssets(db: VulnDb, names: Iterable<string>, opts: LifecycleOptions & { who?: string }): { returned: number; events: VulnEvent[] } {
  const events: VulnEvent[] = [];
  const assets = assetsOf(db, opts);
  const who = opts.who ?? 'mamori';
  let returned = 0;
  db.transaction(() => {
    for (const name of new Set(names)) {
      for (const f of db.findings({ asset: name, state: 'closed' })) {
        const stillAccepted = f.closed?.from === 'accepted' && f.accepted !== null && f.accepted.until > opts.now;
        const back: StoredFinding = { ...f, state: stillAccepted ? 'accepted' : 'open', closed: null, notified: null, ...(stillAccepted ? {} : { accepted: null }) };
        db.putFinding(back);
        const since = f.closed ? ` (closed on ${isoDate(f.closed.at)}: ${f.closed.why})` : '';
        history(db, f, opts.now, 'asset-back', who, `${f.asset} is in the inventory again${since}; ${back.state === 'accepted' ? 'still an accepted risk' : 'open'}`);
        const it = planItem({ finding: f.finding, firstSeen: f.firstSeen }, assetFor(assets, f), { now: opts.now, ...(opts.deadlines ? { deadlines: opts.deadlines } : {}) });
        events.push(event('vuln-finding-reopened', opts.now, `${f.asset}: ${f.cve} ${back.state === 'accepted' ? 'back as an accepted risk' : 'open again'}: the asset is in the inventory again${since}; ${it.explanation}; due ${it.due}`, f.finding, back.state === 'open' ? it : undefined));
        returned++;
      }
    }
  });
  return { returned, events };
}

function assetsOf(db: VulnDb, opts: LifecycleOptions): ReadonlyMap<string, Asset> {
  return opts.assets ?? new Map(db.assets().map((a) => [a.name, a]));
}

/** The asset of a stored finding: the inventory's, else the one the check knew. */
function assetFor(assets: ReadonlyMap<string, Asset>, f: StoredFinding): Asset | undefined {
  return assets.get(f.asset) ?? f.assetFacts ?? undefined;
}

/**
 * The inventory with the assets stored findings remember added where it has none of that
 * name, so that a plan made from the database ranks them as the check did.
 */
export function assetsWithFindings(db: VulnDb, base: ReadonlyMap<string, Asset>): Map<string, Asset> {
  const out = new Map(base);
  for (const f of db.findings({ state: 'open' })) if (!out.has(f.asset) && f.assetFacts) out.set(f.asset, f.assetFacts);
  return out;
}

function history(db: VulnDb, f: { asset: string; cve: string }, at: number, action: string, who: string, why: string): void {
  const e: FindingHistoryEntry = { asset: f.asset, cve: f.cve, at, action, who: who.slice(0, 200), why: why.slice(0, 1000) };
  db.addHistory(e);
}

/** Takes in one check's findings: new ones opened, gone ones fixed, returning ones reopened. */
export function recordCheck(db: VulnDb, findings: readonly Finding[], opts: LifecycleOptions & { complete?: boolean; who?: string }): CheckOutcome {
  const now = opts.now;
  const who = opts.who ?? 'mamori vuln check';
  const assets = assetsOf(db, opts);
  const events: VulnEvent[] = [];
  let opened = 0;
  let updated = 0;
  let fixed = 0;
  let reappeared = 0;
  const covered = new Set(findings.map((f) => f.asset));
  if (opts.complete) for (const name of assets.keys()) covered.add(name);
  // Assets this check shows are there: in the inventory, or reported on by the check.
  const present = new Set([...assets.keys(), ...covered]);
  let closed = 0;
  let returned = 0;
  // What this check says of each (asset, CVE); `affected` wins over `unknown` over `not_affected`.
  const said = new Map<string, Finding>();
  const rank = { affected: 0, unknown: 1, not_affected: 2 } as const;
  for (const f of findings) {
    const k = `${f.asset}\u0000${f.cve}`;
    const prev = said.get(k);
    if (!prev || rank[f.status] < rank[prev.status]) said.set(k, f);
  }
  const item = (f: Finding, firstSeen: number): PlanItem => planItem({ finding: f, firstSeen }, assets.get(f.asset), { now, ...(opts.deadlines ? { deadlines: opts.deadlines } : {}) });
  db.transaction(() => {
    // Findings closed when their asset left the inventory take up their state again when it is back.
    const back = [...new Set(db.findings({ state: 'closed' }).map((f) => f.asset))].filter((a) => present.has(a));
    if (back.length > 0) {
      const r = reopenReturnedAssets(db, back, { ...opts, assets, who });
      returned += r.returned;
      events.push(...r.events);
    }
    for (const f of said.values()) {
      const old = db.finding(f.asset, f.cve);
      if (f.status === 'not_affected') continue;
      const assetFacts = assets.get(f.asset) ?? old?.assetFacts ?? null;
      if (!old) {
        db.putFinding({ asset: f.asset, cve: f.cve, state: 'open', finding: f, firstSeen: now, lastSeen: now, fixedAt: null, accepted: null, notified: null, assetFacts });
        history(db, f, now, 'new', who, f.reason);
        const it = item(f, now);
        events.push(event('vuln-finding', now, `${f.asset} (${f.product} ${f.version}): ${f.cve}, ${it.explanation}; due ${it.due}, owner ${it.owner}`, f, it));
        opened++;
      } else if (old.state === 'fixed') {
        db.putFinding({ ...old, state: 'open', finding: f, firstSeen: now, lastSeen: now, fixedAt: null, accepted: null, notified: null, assetFacts });
        history(db, f, now, 'reappeared', who, `the check says ${f.status} again: ${f.reason}`);
        const it = item(f, now);
        events.push(event('vuln-finding', now, `${f.asset} (${f.product} ${f.version}): ${f.cve} is back after being fixed, ${it.explanation}; due ${it.due}, owner ${it.owner}`, f, it));
        reappeared++;
      } else {
        db.putFinding({ ...old, finding: f, lastSeen: now, assetFacts });
        updated++;
      }
    }
    // A check of the whole inventory: the findings of assets it no longer has leave the plan.
    // (An empty inventory says nothing: the check may have used a file this database never saw.)
    if (opts.complete && assets.size > 0) {
      const gone = [...db.findings({ state: 'open' }), ...db.findings({ state: 'accepted' })].map((f) => f.asset).filter((a) => !present.has(a));
      const ev = closeRemovedAssets(db, gone, { now, who, why: `the check of ${isoDate(now)} covered the whole inventory, which no longer has the asset` });
      closed += ev.length;
      events.push(...ev);
    }
    for (const old of [...db.findings({ state: 'open' }), ...db.findings({ state: 'accepted' })]) {
      if (!covered.has(old.asset)) continue;
      const now_ = said.get(`${old.asset}\u0000${old.cve}`);
      if (now_ && now_.status !== 'not_affected') continue;
      const why = now_ ? `the check of ${isoDate(now)} says not affected: ${now_.reason}` : `the check of ${isoDate(now)} covered ${old.asset} and no longer reports ${old.cve}`;
      db.putFinding({ ...old, state: 'fixed', fixedAt: now, lastSeen: now, ...(now_ ? { finding: now_ } : {}) });
      history(db, old, now, 'fixed', who, why);
      events.push(event('vuln-finding-fixed', now, `${old.asset}: ${old.cve} fixed: ${why}`, old.finding));
      fixed++;
    }
  });
  return { opened, updated, fixed, reappeared, closed, returned, events };
}

/** Accepts a finding's risk until a date, with who and why. */
export function acceptRisk(db: VulnDb, asset: string, cve: string, a: { by: string; reason: string; until: number; now: number }): { finding: StoredFinding; event: VulnEvent } {
  const old = db.finding(asset, cve);
  if (!old) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no finding ${cve} on ${asset} (mamori vuln finding list shows them)`);
  if (old.state === 'fixed') throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${cve} on ${asset} was fixed on ${isoDate(old.fixedAt ?? a.now)}: nothing to accept`);
  if (old.state === 'closed') throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${cve} on ${asset} was closed on ${isoDate(old.closed?.at ?? a.now)}: ${old.closed?.why ?? 'the asset left the inventory'}; nothing to accept`);
  if (a.reason.trim() === '') throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'accepting a risk needs a reason');
  if (a.until <= a.now) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'an acceptance must end in the future');
  const accepted = { by: a.by.slice(0, 200), reason: a.reason.slice(0, 1000), at: a.now, until: a.until };
  const f: StoredFinding = { ...old, state: 'accepted', accepted };
  db.transaction(() => {
    db.putFinding(f);
    history(db, f, a.now, 'accepted', accepted.by, `until ${isoDate(a.until)}: ${accepted.reason}`);
  });
  return { finding: f, event: event('vuln-risk-accepted', a.now, `${asset}: ${cve} accepted by ${accepted.by} until ${isoDate(a.until)}: ${accepted.reason}`, old.finding) };
}

/** Puts an accepted (or fixed) finding back to open. */
export function reopenFinding(db: VulnDb, asset: string, cve: string, r: { by: string; reason: string; now: number; deadlines?: Deadlines }): { finding: StoredFinding; event: VulnEvent } {
  const old = db.finding(asset, cve);
  if (!old) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no finding ${cve} on ${asset} (mamori vuln finding list shows them)`);
  if (old.state === 'open') throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${cve} on ${asset} is open already`);
  const f: StoredFinding = { ...old, state: 'open', accepted: null, fixedAt: null, notified: null, closed: null };
  db.transaction(() => {
    db.putFinding(f);
    history(db, f, r.now, 'reopened', r.by.slice(0, 200), `${r.reason || 'reopened by hand'}${old.state === 'closed' ? ` (it was closed: ${old.closed?.reason ?? 'asset-removed'})` : ''}`);
  });
  const it = planItem({ finding: old.finding, firstSeen: old.firstSeen }, db.asset(asset) ?? old.assetFacts ?? undefined, { now: r.now, ...(r.deadlines ? { deadlines: r.deadlines } : {}) });
  return { finding: f, event: event('vuln-finding-reopened', r.now, `${asset}: ${cve} reopened by ${r.by}${r.reason ? `: ${r.reason}` : ''}; ${it.explanation}; due ${it.due}`, old.finding, it) };
}

/**
 * What time alone changes: acceptances past their expiry reopen; open findings whose due date
 * is within `warnBefore` (default 3 days), or past, send one notice each.
 */
export function sweep(db: VulnDb, opts: LifecycleOptions & { warnBefore?: number }): VulnEvent[] {
  const now = opts.now;
  const assets = assetsOf(db, opts);
  const warn = opts.warnBefore ?? 3 * 86_400_000;
  const events: VulnEvent[] = [];
  db.transaction(() => {
    for (const f of db.findings({ state: 'accepted' })) {
      if (!f.accepted || f.accepted.until > now) continue;
      const back: StoredFinding = { ...f, state: 'open', accepted: null, notified: null };
      db.putFinding(back);
      history(db, f, now, 'expired', 'mamori', `the acceptance by ${f.accepted.by} ended on ${isoDate(f.accepted.until)}`);
      const it = planItem({ finding: f.finding, firstSeen: f.firstSeen }, assetFor(assets, f), { now, deadlines: opts.deadlines ?? DEFAULT_DEADLINES });
      events.push(event('vuln-finding-reopened', now, `${f.asset}: ${f.cve} open again: the risk accepted by ${f.accepted.by} until ${isoDate(f.accepted.until)} is no longer accepted; ${it.explanation}; due ${it.due}`, f.finding, it));
    }
    for (const f of db.findings({ state: 'open' })) {
      const it = planItem({ finding: f.finding, firstSeen: f.firstSeen }, assetFor(assets, f), { now, deadlines: opts.deadlines ?? DEFAULT_DEADLINES });
      const stage = it.overdue ? 'overdue' : it.due <= isoDate(now + warn) ? 'soon' : null;
      if (!stage || f.notified === stage || (f.notified === 'overdue' && stage === 'soon')) continue;
      db.putFinding({ ...f, notified: stage });
      const when = stage === 'overdue' ? `overdue since ${it.due}` : `due ${it.due}`;
      events.push(event('vuln-deadline', now, `${f.asset} (${f.finding.product} ${f.finding.version}): ${f.cve} ${when}${it.dueBy === 'kev' ? ' (CISA KEV due date)' : ''}, owner ${it.owner}; ${it.explanation}`, f.finding, it));
    }
  });
  return events;
}

/** The open findings of the database, ready for buildPlan. */
export function storedPlanInputs(db: VulnDb): PlanInput[] {
  return db.findings({ state: 'open' }).map((f) => ({ finding: f.finding, firstSeen: f.firstSeen, state: f.state }));
}

/** Sends events to a sink (mamori's store and webhooks); a sink that throws does not stop the rest. */
export function emitAll(sink: EventSink, events: readonly VulnEvent[]): void {
  for (const e of events) {
    try {
      sink.emit(e);
    } catch {
      // sinks report their own failures
    }
  }
}
