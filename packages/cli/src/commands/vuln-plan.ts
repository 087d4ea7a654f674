import { existsSync, readFileSync, statSync } from 'node:fs';
import { MamoriError, parseDuration } from 'mamori';
import {
  DEFAULT_DEADLINES,
  assetsWithFindings,
  buildPlan,
  loadInventoryFile,
  loadRulePackIndex,
  parseDeadlines,
  parseCheckOutput,
  recordCheck,
  storedPlanInputs,
  sweep,
  wafAdvice,
  type Asset,
  type CheckOutcome,
  type Finding,
  type Plan,
  type PlanInput,
  type VulnEvent,
  vulnDbPath,
} from '@mamori/vuln';
import { parse } from '../command.js';
import { table } from '../render.js';
import { readConfig } from '../runtime.js';
import { clock, deadlines as deadlinesFor, failed, json, openDb, out, sendEvents } from './vuln-common.js';

const days = (ms: number): string => `${Math.round(ms / 86_400_000)}d`;

export const help = `Usage: mamori vuln plan [FINDINGS | -] [options]

What to patch, in which order, by which date, and who owns it. FINDINGS is the
output of \`mamori vuln check --json\` (JSON lines; - reads stdin). It is recorded
in <dataDir>/vuln.db as one check: new findings open (event vuln-finding), the
ones a check of the same asset no longer reports are fixed (vuln-finding-fixed).
With --complete, the findings of assets the inventory no longer has are closed
(asset-removed, vuln-finding-closed), and reopen if the asset comes back.
Without FINDINGS the plan is made from the open findings already recorded.
Accepted risks whose expiry has passed reopen; open findings due within --warn
(or past due) send vuln-deadline once. Events go to mamori's store and webhooks.

Each finding's priority (P1 to P4) is explained in words: CISA KEV (and its due
date), EPSS, CVSS, internet exposure and the asset's criticality (docs/vuln.md,
"Priorities and the plan"). Due: first seen + the priority's deadline, or the
KEV due date when earlier.

  --deadlines P1=7d,...  deadlines per priority (default P1=${days(DEFAULT_DEADLINES.P1)},P2=${days(DEFAULT_DEADLINES.P2)},P3=${days(DEFAULT_DEADLINES.P3)},P4=${days(DEFAULT_DEADLINES.P4)});
                         kept in vuln.db for the next plans and mamori vuln finding
  --warn 3d              how early a deadline notice goes out
  --inventory FILE       take assets (exposure, criticality, owner) from this
                         inventory YAML instead of the database (repeatable)
  --complete             the findings are a check of the whole inventory: an asset
                         they do not mention counts as checked (its findings fixed);
                         needs check's summary line last (a failed check is refused)
  --no-record            plan the findings given without recording them
  --no-events            send no events
  --waf                  print the WAF rule pack's virtual patches for internet-facing
                         appliances and CMS findings, and the mamori.yaml lines
  --now DATE             take this date as today (to replay a plan)
  --table                one line per finding: order, priority, due date, owner,
                         asset, version, CVE (the reasons only in the default output)
  --json                 the plan as JSON
Common options: --config FILE.
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  deadlines: { type: 'string' },
  warn: { type: 'string' },
  inventory: { type: 'string', multiple: true },
  complete: { type: 'boolean' },
  'no-record': { type: 'boolean' },
  'no-events': { type: 'boolean' },
  waf: { type: 'boolean' },
  table: { type: 'boolean' },
  now: { type: 'string' },
} as const;

const MAX_INPUT = 256 * 1024 * 1024;

async function readInput(path: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_INPUT) throw new MamoriError('MAMORI_ERR_VULN_FINDINGS', `stdin: more than ${MAX_INPUT} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_INPUT) throw new Error(`larger than ${MAX_INPUT} bytes`);
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_VULN_FINDINGS', `${path}: could not be read: ${(err as Error).message}`, { cause: err });
  }
}

function render(plan: Plan, notes: string[]): string {
  const lines: string[] = [];
  const c = plan.counts;
  if (plan.items.length === 0) lines.push('Nothing to patch: no open findings.');
  else {
    lines.push(`Patch plan: ${plan.byAsset.length} asset${plan.byAsset.length === 1 ? '' : 's'}, ${plan.items.length} finding${plan.items.length === 1 ? '' : 's'} (P1 ${c.P1}, P2 ${c.P2}, P3 ${c.P3}, P4 ${c.P4}), in this order:`);
    plan.byAsset.forEach((a, i) => {
      lines.push('');
      lines.push(clean(`${i + 1}. ${a.asset}: ${a.product} ${a.version}, owner ${a.owner}, ${a.priority}, by ${a.due}`));
      for (const it of plan.items.filter((x) => x.asset === a.asset)) {
        lines.push(`   ${it.priority}  ${it.cve}  due ${it.due}${it.dueBy === 'kev' ? ' (CISA KEV due date)' : ''}${it.overdue ? ' OVERDUE' : ''}`);
        lines.push(`       ${clean(it.explanation.slice(4))}`);
        lines.push(`       ${clean(it.reason)}`);
      }
    });
  }
  for (const n of notes) lines.push(`note: ${clean(n)}`);
  return `${lines.join('\n')}\n`;
}

// What came from a file never reaches the terminal as a control character.
const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv, OPTIONS, help);
    if (positionals.length > 1) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `one findings file at a time\n\n${help}`);
    const now = clock(values.now);
    // Checked before anything is read or recorded; kept in the database below.
    if (values.deadlines !== undefined) parseDeadlines(values.deadlines);
    const warnBefore = values.warn ? parseDuration(values.warn, '--warn') : undefined;
    const record = !values['no-record'];
    const config = readConfig(values.config);
    const input = positionals[0];
    let findings: Finding[] | undefined;
    if (input !== undefined) {
      const where = input === '-' ? 'stdin' : input;
      const parsed = parseCheckOutput(await readInput(input), where);
      // --complete fixes what the input does not mention: only a check that ran to its end may say that
      if (values.complete && !parsed.summary) throw new MamoriError('MAMORI_ERR_VULN_FINDINGS', `${where}: --complete needs the whole output of mamori vuln check --json, which ends with its summary line ({"check":"done",...}); this input has none (did the check fail, or was its output cut short?): nothing recorded, no finding marked fixed`);
      findings = parsed.findings;
    }
    let fromFiles: Map<string, Asset> | undefined;
    if (values.inventory?.length) {
      fromFiles = new Map();
      for (const f of values.inventory) for (const a of loadInventoryFile(f)) fromFiles.set(a.name, a);
    }

    const events: VulnEvent[] = [];
    let outcome: CheckOutcome | undefined;
    let inputs: PlanInput[];
    let assets: Map<string, Asset>;
    const notes: string[] = [];
    let closedList: { asset: string; cve: string; state: 'closed'; reason: string; at: string; why: string }[] = [];
    let deadlineSet = DEFAULT_DEADLINES;
    if (record || !findings) {
      const db = openDb(config);
      try {
        const deadlines = (deadlineSet = deadlinesFor(db, values.deadlines));
        assets = fromFiles ?? new Map(db.assets().map((a) => [a.name, a]));
        if (findings) {
          outcome = recordCheck(db, findings, { now, deadlines, assets, ...(values.complete ? { complete: true } : {}) });
          events.push(...outcome.events);
        }
        events.push(...sweep(db, { now, deadlines, assets, ...(warnBefore !== undefined ? { warnBefore } : {}) }));
        inputs = storedPlanInputs(db);
        assets = assetsWithFindings(db, assets);
        closedList = db.findings({ state: 'closed' }).map((f) => ({ asset: f.asset, cve: f.cve, state: 'closed', reason: f.closed?.reason ?? 'asset-removed', at: new Date(f.closed?.at ?? now).toISOString().slice(0, 10), why: f.closed?.why ?? '' }));
        const accepted = db.findings({ state: 'accepted' }).length;
        if (accepted) notes.push(`${accepted} accepted risk${accepted === 1 ? '' : 's'} not in the plan (mamori vuln finding list --state accepted)`);
      } finally {
        db.close();
      }
    } else {
      assets = fromFiles ?? new Map();
      inputs = findings.map((f) => ({ finding: f }));
      // Nothing is recorded: the kept deadlines are read, if there is a database, not changed.
      if (values.deadlines !== undefined) deadlineSet = parseDeadlines(values.deadlines);
      else if (existsSync(vulnDbPath(config.dataDir))) {
        const db = openDb(config);
        try {
          deadlineSet = deadlinesFor(db, undefined);
        } finally {
          db.close();
        }
      }
    }
    const plan = buildPlan(inputs, assets, { now, deadlines: deadlineSet });
    const unknownAssets = [...new Set(plan.items.filter((i) => !i.inInventory).map((i) => i.asset))];
    if (unknownAssets.length) notes.push(`not in the inventory, so taken as internet-facing, medium criticality, unassigned: ${unknownAssets.slice(0, 10).join(', ')}${unknownAssets.length > 10 ? ` and ${unknownAssets.length - 10} more` : ''}`);
    if (outcome) notes.push(`recorded: ${outcome.opened} new, ${outcome.reappeared} back after a fix, ${outcome.fixed} fixed, ${outcome.updated} still open${outcome.closed ? `, ${outcome.closed} closed (asset-removed: the inventory no longer has the asset)` : ''}${outcome.returned ? `, ${outcome.returned} back with their asset` : ''}`);
    if (closedList.length) notes.push(`${closedList.length} finding${closedList.length === 1 ? '' : 's'} closed, not in the plan: ${closedList.slice(0, 5).map((c) => `${c.cve} on ${c.asset} (${c.reason} ${c.at})`).join(', ')}${closedList.length > 5 ? ` and ${closedList.length - 5} more` : ''} (mamori vuln finding list --state closed)`);

    const advice = values.waf ? wafAdvice(plan.items, loadRulePackIndex(), config) : undefined;
    if (values.json) {
      json({
        generatedAt: plan.generatedAt,
        counts: plan.counts,
        byAsset: plan.byAsset,
        items: plan.items.map(({ assessment: _a, finding: _f, ...rest }) => ({ ...rest, reasons: _a.reasons, unconfirmed: _a.unconfirmed, ...(_a.cvss ? { cvss: _a.cvss } : {}) })),
        ...(outcome ? { recorded: { opened: outcome.opened, reappeared: outcome.reappeared, fixed: outcome.fixed, updated: outcome.updated, closed: outcome.closed, returned: outcome.returned } } : {}),
        closed: closedList,
        ...(advice ? { waf: advice } : {}),
        notes,
      });
    } else if (advice) {
      if (advice.ruleIds.length === 0) out('No virtual patch: the rule pack has no rule for the internet-facing appliance and CMS findings of the plan.\n');
      else {
        out(advice.snippet);
        out(`Rule ids: ${advice.ruleIds.join(' ')}\n`);
      }
      for (const p of advice.problems) out(`warning: ${p}\n`);
      if (advice.uncovered.length) out(`No rule in the pack for: ${advice.uncovered.map((u) => `${u.cve} (${u.asset})`).join(', ')}\n`);
    } else if (values.table) {
      out(
        plan.items.length
          ? table(['#', 'PRI', 'DUE', 'OWNER', 'ASSET', 'VERSION', 'CVE', 'STATUS'], plan.items.map((i, n) => [n + 1, i.priority, `${i.due}${i.overdue ? ' (overdue)' : ''}`, i.owner, i.asset, i.version, i.cve, i.status === 'unknown' ? 'unconfirmed' : i.status]), 80)
          : 'Nothing to patch: no open findings.\n',
      );
      for (const n of notes) out(`note: ${clean(n)}\n`);
    } else out(render(plan, notes));
    if (!values['no-events'] && record) await sendEvents(config, events);
    return 0;
  } catch (err) {
    return failed(err);
  }
}
