import { MamoriError, isMamoriError, openCountryDatabase, parseDuration, type CountryLookup } from 'mamori';
import {
  AlertCenter,
  Enricher,
  createParsers,
  loadSigmaRules,
  validateAlertsConfig,
  ScenarioEngine,
  builtinScenarioDir,
  loadBuiltinScenarios,
  loadScenarioFiles,
  parseJsonLine,
  renderTimeline,
  replayFiles,
  type Alert,
  type Detector,
  type LineParser,
  type LogEvent,
  type ParseFn,
  type RawLine,
  type ReplaySummary,
  type Scenario,
} from '@mamori/detect';
import { parse } from '../command.js';
import { openRuntime, readConfig } from '../runtime.js';
import { reportError } from '../error-line.js';
import { stdinStream } from '../stdin.js';
import { isatty } from 'node:tty';

export const help = `Usage:
  mamori replay FILE|-... [--scenarios PATH]... [--no-builtin] [--only ID]...
                        [--sigma PATH]... [--simulate] [--allow IP|CIDR]...
                        [--reorder 5s] [--max-groups N] [--store [--decide]]
                        [--json] [--config FILE]

Reads log files (plain or gzip) through the log parsers (nginx and Apache access
and error logs, sshd and PAM, FortiGate and the VPN appliances' logins, JSON,
logfmt, mamori's own events: each file's format is recognised line by line) and
mamori's detection scenarios on the events' own times, so a month of logs
replays in seconds, and prints a timeline per source and per account: who tried
what, when, from where, and what succeeded. \`-\` reads standard input; a pipe
or \`<(zcat old.log.gz)\` reads as a file does.

  --scenarios PATH   scenario files or directories, added to the built-in set
                     (--no-builtin leaves it out)
  --only ID          run only the scenarios named
  --sigma PATH       Sigma rule files or directories, run beside the scenarios
                     (rules mamori cannot run are counted on stderr: mamori sigma check says why)
  --simulate         mark every alert detect-only (no remedy)
  --allow IP|CIDR    never alert on an address or range
  --store            record the alerts in <dataDir>/alerts.db and as log-alert
                     events, for mamori alerts and the console (account names
                     as keyed hashes only); no notifier is told
  --decide           with --store: alerts whose remedy has not run out yet make
                     decisions, as mamori watch does (default: none)

Exit codes: 0 no alert, 1 alerts (or a usage error), 2 an error (a scenario or
rule file, a log file, the store). A log file that cannot be read to its end
(missing, a truncated gzip) does not stop the others: they are replayed and
reported, the file's error is said on stderr, and the exit code is 2.
`;

/** A file's lines: each input gets its own format detector (it keeps the format the file showed). */
export function logParser(): ParseFn {
  const parsers = createParsers();
  const byInput = new Map<string, LineParser>();
  let country: CountryLookup | undefined;
  try {
    country = openCountryDatabase();
  } catch {
    country = undefined; // no country database: no country on events (impossible travel stays quiet)
  }
  const enrich = new Enricher(country ? { country } : {});
  return (raw: RawLine): LogEvent | null => {
    let p = byInput.get(raw.input);
    if (!p) byInput.set(raw.input, (p = parsers.get('auto')));
    const e = p.parse(raw) ?? parseJsonLine(raw);
    return e === null ? null : enrich.enrichSync(e);
  };
}

export async function run(argv: string[]): Promise<number> {
  return replayCommand(argv, { parse: logParser() });
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
      decide: { type: 'boolean' },
      sigma: { type: 'string', multiple: true },
    },
    help,
  );
  if (positionals.length === 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `give the log files to replay\n\n${help}`);
  if (positionals.filter((p) => p === '-').length > 1) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'standard input (-) can be read once');
  const inputs = positionals.map((p) => (p === '-' ? { path: '(stdin)', open: stdinStream } : p));
  // A person at a terminal who typed `-` is told what the silence means.
  if (inputs.some((i) => typeof i !== 'string') && isatty(0)) process.stderr.write('mamori replay: reading log lines from standard input (the terminal); end with Ctrl-D\n');
  if (values.decide && !values.store) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--decide goes with --store');
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
    const detectors: Detector[] = [engine, ...(deps.detectors ?? [])];
    for (const path of values.sigma ?? []) {
      const loaded = loadSigmaRules(path);
      if (loaded.problems.length) process.stderr.write(`${path}: ${loaded.problems.length} Sigma rule${loaded.problems.length === 1 ? '' : 's'} not loaded (mamori sigma check ${path} says why)\n`);
      detectors.push(loaded.detector);
    }
    const store = values.store ? await openAlertStore(values.config, values.decide === true) : undefined;
    try {
      summary = await replayFiles(inputs, { parse: deps.parse, detectors, continueOnError: true, ...(store ? { sink: store.center } : {}), ...(reorderMs !== undefined ? { reorderMs } : {}) });
      await store?.center.settled();
    } finally {
      await store?.close();
    }
  } catch (err) {
    if (isMamoriError(err) && err.code === 'MAMORI_ERR_CLI_USAGE') throw err;
    reportError(err);
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
  // An input that could not be read to its end: the others were replayed and reported, and the
  // replay ends as an error does (exit 2), each input's error said once on stderr.
  const failed = summary.files.filter((f) => f.error !== undefined);
  for (const f of failed) process.stderr.write(`mamori: ${f.error}\n`);
  if (failed.length > 0) return 2;
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
  for (const f of s.files) out.push(`${f.path}: ${f.lines} lines, ${f.events} events, ${f.skipped} not parsed${f.truncated ? `, ${f.truncated} cut at the line bound` : ''}${f.error !== undefined ? '; not read to its end (the error is on stderr)' : ''}`);
  out.push(`${s.events} events from ${iso(s.firstTime)} to ${iso(s.lastTime)} through ${scenarios} scenarios: ${s.alertsTotal} alert${s.alertsTotal === 1 ? '' : 's'}${s.pipeline.late ? ` (${s.pipeline.late} events arrived out of order beyond the reorder window)` : ''}`);
  const by = new Map<string, number>();
  for (const a of s.alerts) by.set(a.detector, (by.get(a.detector) ?? 0) + 1);
  for (const [d, n] of [...by].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))) out.push(`  ${String(n).padStart(6)}  ${d}`);
  out.push('');
  if (s.alertsTotal > 0) out.push(timeline);
  return `${out.join('\n')}\n`;
}

/**
 * The alert store of mamori watch, for a replay: alerts.db and log-alert events; no notifier
 * (old logs tell nobody anything new), and decisions only when asked (--decide).
 */
async function openAlertStore(configPath: string | undefined, decide: boolean): Promise<{ center: AlertCenter; close: () => Promise<void> }> {
  const config = readConfig(configPath);
  const raw: Record<string, unknown> = { ...(config.alerts ?? {}), notifiers: [] };
  if (!decide) {
    delete raw.firewall;
    raw.decisions = { ...((raw.decisions as Record<string, unknown> | undefined) ?? {}), enabled: false };
  }
  const alertsConfig = validateAlertsConfig(raw, 'alerts');
  const rt = await openRuntime(config, { admin: true });
  const center = AlertCenter.forMamori(rt, alertsConfig, { timer: false });
  return {
    center,
    close: async () => {
      await center.close();
      await rt.close();
    },
  };
}
