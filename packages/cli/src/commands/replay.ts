import { createHmac } from 'node:crypto';
import { MamoriError, isMamoriError, parseDuration, type SecurityEvent } from 'mamori';
import { resolveSecret } from 'mamori/internal';
import {
  ScenarioEngine,
  builtinScenarioDir,
  loadBuiltinScenarios,
  loadScenarioFiles,
  parseJsonLine,
  renderTimeline,
  replayFiles,
  type Alert,
  type Detector,
  type LogEvent,
  type ParseFn,
  type ReplaySummary,
  type Scenario,
} from '@mamori/detect';
import { parse } from '../command.js';
import { openRuntime, readConfig } from '../runtime.js';

export const help = `Usage:
  mamori replay FILE... [--scenarios PATH]... [--no-builtin] [--only ID]...
                        [--simulate] [--allow IP|CIDR]... [--reorder 5s]
                        [--max-groups N] [--store] [--json] [--config FILE]

Reads log files (plain or gzip) through the log parsers and mamori's detection
scenarios on the events' own times, so a month of logs replays in seconds,
and prints a timeline per source and per account: who tried what, when, from
where, and what succeeded. --scenarios adds scenario files or directories to
the built-in set (--no-builtin leaves it out); --only runs the scenarios
named; --simulate marks every alert detect-only (no remedy); --allow never
alerts on an address or range. --store records each alert as a
scenario-alert event in mamori's store, for the console (account names as
keyed hashes only). Exit codes: 0 no alert, 1 alerts (or a usage error),
2 an error (a scenario file, a log file, the store).
`;

/**
 * Lines to events. The format-detecting parsers of @mamori/detect replace this
 * default (ECS JSON lines) when they land.
 */
export const DEFAULT_PARSE: ParseFn = parseJsonLine;

export async function run(argv: string[]): Promise<number> {
  return replayCommand(argv, { parse: DEFAULT_PARSE });
}

export interface ReplayCommandDeps {
  readonly parse: ParseFn;
  /** Detectors run beside the scenario engine (the Sigma engine). */
  readonly detectors?: readonly Detector[];
}

export async function replayCommand(argv: string[], deps: ReplayCommandDeps): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      scenarios: { type: 'string', multiple: true },
      'no-builtin': { type: 'boolean' },
      only: { type: 'string', multiple: true },
      simulate: { type: 'boolean' },
      allow: { type: 'string', multiple: true },
      reorder: { type: 'string' },
      'max-groups': { type: 'string' },
      store: { type: 'boolean' },
    },
    help,
  );
  if (positionals.length === 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `give the log files to replay\n\n${help}`);
  const maxGroups = values['max-groups'] === undefined ? undefined : Number(values['max-groups']);
  if (maxGroups !== undefined && (!Number.isInteger(maxGroups) || maxGroups < 1 || maxGroups > 10_000_000)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--max-groups must be a whole number from 1 to 10000000');
  const reorderMs = values.reorder === undefined ? undefined : parseDuration(values.reorder, '--reorder');
  let summary: ReplaySummary;
  let scenarios: Scenario[];
  try {
    scenarios = pickScenarios(values['no-builtin'] ?? false, values.scenarios ?? [], values.only ?? []);
    const engine = new ScenarioEngine(scenarios, {
      ...(values.simulate ? { simulate: true } : {}),
      ...(values.allow?.length ? { allow: { ips: values.allow } } : {}),
      ...(maxGroups !== undefined ? { maxGroups } : {}),
    });
    summary = await replayFiles(positionals, { parse: deps.parse, detectors: [engine, ...(deps.detectors ?? [])], ...(reorderMs !== undefined ? { reorderMs } : {}) });
    if (values.store && summary.alertsTotal > 0) await storeAlerts(values.config, summary.alerts);
  } catch (err) {
    if (isMamoriError(err) && err.code === 'MAMORI_ERR_CLI_USAGE') throw err;
    const e = err as { code?: string; message?: string };
    process.stderr.write(`mamori: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
    return 2;
  }
  const timeline = summary.activity.timeline(summary.alerts);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          files: summary.files,
          lines: summary.lines,
          events: summary.events,
          skipped: summary.skipped,
          firstTime: summary.firstTime === undefined ? null : new Date(summary.firstTime).toISOString(),
          lastTime: summary.lastTime === undefined ? null : new Date(summary.lastTime).toISOString(),
          scenarios: scenarios.length,
          alertsTotal: summary.alertsTotal,
          late: summary.pipeline.late,
          alerts: summary.alerts.map(alertJson),
          timeline,
        },
        null,
        2,
      )}\n`,
    );
  } else process.stdout.write(renderReport(summary, scenarios.length, renderTimeline(timeline)));
  return summary.alertsTotal > 0 ? 1 : 0;
}

function pickScenarios(noBuiltin: boolean, paths: readonly string[], only: readonly string[]): Scenario[] {
  let list: Scenario[];
  if (paths.length === 0) list = noBuiltin ? [] : [...loadBuiltinScenarios().scenarios];
  else {
    // User files may use the built-in lists (@sensitive-files); lists and scenarios load as one set.
    const user = loadScenarioFiles(noBuiltin ? paths : [builtinScenarioDir(), ...paths]);
    list = [...user.scenarios];
  }
  if (only.length > 0) {
    const unknown = only.filter((id) => !list.some((s) => s.id === id));
    if (unknown.length) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no scenario ${unknown.map((u) => `"${u.slice(0, 64)}"`).join(', ')} (there are ${list.map((s) => s.id).join(', ')})`);
    list = list.filter((s) => only.includes(s.id));
  }
  if (list.length === 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'no scenario to run: give --scenarios, or leave out --no-builtin');
  return list;
}

function alertJson(a: Alert): unknown {
  return {
    ...a,
    time: new Date(a.time).toISOString(),
    firstTime: new Date(a.firstTime).toISOString(),
    samples: a.samples.map((e: LogEvent) => ({ time: new Date(e.time).toISOString(), input: e.line.input, line: e.line.text.slice(0, 2048), fields: e.fields })),
  };
}

function renderReport(s: ReplaySummary, scenarios: number, timeline: string): string {
  const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));
  const out: string[] = [];
  for (const f of s.files) out.push(`${f.path}: ${f.lines} lines, ${f.events} events, ${f.skipped} not parsed${f.truncated ? `, ${f.truncated} cut at the line bound` : ''}`);
  out.push(`${s.events} events from ${iso(s.firstTime)} to ${iso(s.lastTime)} through ${scenarios} scenarios: ${s.alertsTotal} alert${s.alertsTotal === 1 ? '' : 's'}${s.pipeline.late ? ` (${s.pipeline.late} events arrived out of order beyond the reorder window)` : ''}`);
  const by = new Map<string, number>();
  for (const a of s.alerts) by.set(a.detector, (by.get(a.detector) ?? 0) + 1);
  for (const [d, n] of [...by].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))) out.push(`  ${String(n).padStart(6)}  ${d}`);
  out.push('');
  if (s.alertsTotal > 0) out.push(timeline);
  return `${out.join('\n')}\n`;
}

async function storeAlerts(configPath: string | undefined, alerts: readonly Alert[]): Promise<void> {
  const config = readConfig(configPath);
  const secret = resolveSecret(config);
  const rt = await openRuntime(config);
  try {
    for (const a of alerts) {
      const user = a.group['user.name'] ?? a.samples[a.samples.length - 1]?.fields['user.name'];
      const ip = a.group['source.ip'] ?? a.samples[a.samples.length - 1]?.fields['source.ip'];
      const country = a.samples[a.samples.length - 1]?.fields['source.geo.country_iso_code'];
      const e: SecurityEvent = {
        '@timestamp': new Date(a.time).toISOString(),
        'event.action': 'scenario-alert',
        'event.category': 'intrusion_detection',
        'event.module': 'detect.replay',
        'event.severity': { low: 21, medium: 47, high: 73, critical: 99 }[a.severity],
        'event.reason': a.title,
        'rule.id': a.detector,
        'rule.name': a.title,
        'mamori.count': a.count,
        ...(typeof ip === 'string' ? { 'source.ip': ip } : {}),
        ...(typeof country === 'string' ? { 'source.geo.country_iso_code': country } : {}),
        // The account as a keyed hash: the name itself is never stored.
        ...(typeof user === 'string' ? { 'user.id': createHmac('sha256', secret).update(`account\u0000${user}`).digest('hex').slice(0, 32) } : {}),
        ...(a.simulated ? { 'mamori.detect_only': true } : {}),
      };
      rt.guard.events.emit(e);
    }
    await rt.store.events.flush();
  } finally {
    await rt.close();
  }
}
