import { MamoriError, parseDuration } from 'mamori';
import { acceptRisk, planItem, reopenFinding, sweep, type FindingState, type VulnEvent } from '@mamori/vuln';
import { parse } from '../command.js';
import { readConfig } from '../runtime.js';
import { table } from '../render.js';
import { clock, dateOrDuration, deadlines as deadlinesFor, failed, json, openDb, out, sendEvents, who } from './vuln-common.js';

const MAX_ACCEPT_MS = 366 * 86_400_000;

export const help = `Usage:
  mamori vuln finding list [--state open|accepted|fixed|closed|all] [--asset NAME] [--json]
  mamori vuln finding accept ASSET CVE --reason WHY --until DATE|DURATION [--by WHO]
  mamori vuln finding reopen ASSET CVE [--reason WHY] [--by WHO]
  mamori vuln finding history [ASSET [CVE]] [--json]

The findings recorded by \`mamori vuln plan\`, and their lifecycle: open, accepted
risk (with a reason, who, and an expiry of at most a year: --until 2027-03-31 or
--until 90d), fixed (a later check of the asset no longer reports it), closed
(asset-removed: the asset left the inventory; it reopens if the asset comes
back). An acceptance past its expiry reopens the finding. accept and reopen send the events
vuln-risk-accepted and vuln-finding-reopened to mamori's store and webhooks.
Options: --now DATE (take this date as today), --no-events, --config FILE.
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  state: { type: 'string' },
  asset: { type: 'string' },
  reason: { type: 'string' },
  until: { type: 'string' },
  by: { type: 'string' },
  now: { type: 'string' },
  'no-events': { type: 'boolean' },
} as const;

const iso = (ms: number | null | undefined): string => (ms ? new Date(ms).toISOString().slice(0, 10) : '');

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, OPTIONS, help);
    const [sub, asset, cve, ...extra] = positionals;
    if (sub !== 'list' && sub !== 'accept' && sub !== 'reopen' && sub !== 'history') throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected list, accept, reopen or history\n\n${help}`);
    if (extra.length) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `too many arguments\n\n${help}`);
    const now = clock(values.now);
    // The arguments are checked before anything is opened or changed.
    let until = 0;
    if (sub === 'accept' || sub === 'reopen') {
      if (!asset || !cve) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `name the finding: ASSET CVE\n\n${help}`);
    }
    if (sub === 'accept') {
      if (!values.reason?.trim()) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'say why the risk is accepted: --reason WHY');
      if (!values.until) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'an accepted risk ends: --until DATE (2027-03-31) or a duration (90d), a year at most');
      until = dateOrDuration(values.until, now, '--until', parseDuration);
      if (until - now > MAX_ACCEPT_MS) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--until is at most a year away: accept again when it ends');
    }
    if (values.state !== undefined && !['open', 'accepted', 'fixed', 'closed', 'all'].includes(values.state)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--state is open, accepted, fixed, closed or all');
    const config = readConfig(values.config);
    const db = openDb(config);
    const events: VulnEvent[] = [];
    try {
      // Time's own changes first: an acceptance past its expiry is open again whoever looks.
      const deadlines = deadlinesFor(db, undefined);
      events.push(...sweep(db, { now, deadlines }));
      if (sub === 'list') {
        const state = values.state ?? 'open';
        const list = db.findings({ ...(state === 'all' ? {} : { state: state as FindingState }), ...(values.asset ? { asset: values.asset } : {}) });
        const inventory = new Map(db.assets().map((a) => [a.name, a]));
        const rows = list.map((f) => {
          const it = planItem({ finding: f.finding, firstSeen: f.firstSeen }, inventory.get(f.asset) ?? f.assetFacts ?? undefined, { now, deadlines });
          return { asset: f.asset, cve: f.cve, state: f.state, status: f.finding.status, priority: it.priority, due: f.state === 'open' ? it.due : null, owner: it.owner, firstSeen: iso(f.firstSeen), lastSeen: iso(f.lastSeen), fixedAt: f.fixedAt ? iso(f.fixedAt) : null, closed: f.closed ? { reason: f.closed.reason, at: iso(f.closed.at), why: f.closed.why } : null, accepted: f.accepted ? { by: f.accepted.by, reason: f.accepted.reason, at: iso(f.accepted.at), until: iso(f.accepted.until) } : null, explanation: it.explanation };
        });
        if (values.json) json(rows);
        else if (rows.length === 0) out(`No ${state === 'all' ? '' : `${state} `}findings.\n`);
        else {
          out(
            table(
              ['ASSET', 'CVE', 'STATE', 'PRI', 'DUE', 'OWNER', 'NOTE'],
              rows.map((r) => [r.asset, r.cve, r.state, r.priority, r.due ?? '', r.owner, r.closed ? `closed ${r.closed.at}: ${r.closed.reason} (${r.closed.why})` : r.accepted ? `accepted by ${r.accepted.by} until ${r.accepted.until}: ${r.accepted.reason}` : r.fixedAt ? `fixed ${r.fixedAt}` : r.status === 'unknown' ? 'unconfirmed' : '']),
              80,
            ),
          );
        }
      } else if (sub === 'history') {
        const h = db.history(asset, cve);
        if (values.json) json(h.map((e) => ({ ...e, at: new Date(e.at).toISOString() })));
        else if (h.length === 0) out('No history.\n');
        else out(table(['TIME', 'ASSET', 'CVE', 'ACTION', 'BY', 'WHY'], h.map((e) => [new Date(e.at).toISOString().replace('T', ' ').slice(0, 16), e.asset, e.cve, e.action, e.who, e.why]), 80));
      } else {
        const by = who(values.by);
        if (!asset || !cve) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'name the finding: ASSET CVE');
        if (sub === 'accept') {
          const r = acceptRisk(db, asset, cve, { by, reason: values.reason ?? '', until, now });
          events.push(r.event);
          if (values.json) json({ asset, cve, state: r.finding.state, accepted: { ...r.finding.accepted!, at: iso(r.finding.accepted!.at), until: iso(r.finding.accepted!.until) } });
          else out(`${cve} on ${asset}: risk accepted by ${by} until ${iso(until)}.\n`);
        } else {
          const r = reopenFinding(db, asset, cve, { by, reason: values.reason ?? '', now, deadlines });
          events.push(r.event);
          if (values.json) json({ asset, cve, state: r.finding.state });
          else out(`${cve} on ${asset}: open again.\n`);
        }
      }
    } finally {
      db.close();
    }
    if (!values['no-events']) await sendEvents(config, events);
    return 0;
  } catch (err) {
    return failed(err);
  }
}
