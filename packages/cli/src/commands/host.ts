import { readFileSync, statSync } from 'node:fs';
import { MamoriError, isMamoriError } from 'mamori';
import { checkHost, hostCheckEvents, loadIocMatcher, proxywareEntry, PROXYWARE_SOURCE, type HostCheckReport, type HostFinding } from '@mamori/host';
import { parse } from '../command.js';
import { openRuntime, readConfig } from '../runtime.js';
import { table } from '../render.js';
import { reportError } from '../error-line.js';

export const help = `Usage:
  mamori host check [--allow PORTS]... [--allow-file FILE] [--include-loopback] [--no-hash] [--no-proxyware]
                    [--record] [--json]

Checks this Linux host against indicators of compromise: every process's
name, command line and executable (SHA-256), and every connection's remote
address, read from /proc, matched against the indicators in <dataDir>/ioc.db
(mamori ioc import, mamori ioc fetch) and mamori's own set for proxyware and
residential-proxy clients (--no-proxyware leaves it out). Listening services
whose port is not allowed are reported as unknown listeners: the attack
surface to keep small. --allow takes ports (22,80,443, or tcp/22, udp/53);
--allow-file reads them from a file (one or more a line, # comments);
services bound to loopback only are left out unless --include-loopback.

--record also stores each finding as an event (ioc-match, unknown-listener):
\`mamori events\` shows them, and webhooks that list them send them.

Run as root to see every process: another user's executables and sockets are
hidden from others, and counted as such. Exit code: 0 nothing found, 1
findings, 2 the check could not run. Common options: --config FILE.
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      allow: { type: 'string', multiple: true },
      'allow-file': { type: 'string' },
      'include-loopback': { type: 'boolean' },
      'no-hash': { type: 'boolean' },
      'no-proxyware': { type: 'boolean' },
      record: { type: 'boolean' },
    },
    help,
  );
  if (positionals[0] !== 'check' || positionals.length > 1) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected check\n\n${help}`);
  let report: HostCheckReport;
  try {
    const config = readConfig(values.config);
    const matcher = loadIocMatcher({ dataDir: config.dataDir, now: Date.now(), proxyware: !values['no-proxyware'] });
    const allow = [...(values.allow ?? []), ...(values['allow-file'] ? readAllowFile(values['allow-file']) : [])];
    report = await checkHost({ matcher, allow, includeLoopback: values['include-loopback'] ?? false, hashExecutables: !values['no-hash'] });
    if (values.record && report.findings.length > 0) {
      const rt = await openRuntime(config, { admin: true });
      try {
        for (const e of hostCheckEvents(report, rt.guard.clock.now())) rt.guard.events.emit(e);
        await rt.store.events.flush();
      } finally {
        await rt.close();
      }
    }
  } catch (err) {
    if (isMamoriError(err) && err.code === 'MAMORI_ERR_CLI_USAGE') throw err;
    reportError(err);
    return 2;
  }
  if (values.json) process.stdout.write(`${JSON.stringify(withCitations(report), null, 2)}\n`);
  else process.stdout.write(render(report));
  return report.findings.length > 0 ? 1 : 0;
}

/** Ports from a file: one or more a line (commas or spaces), `#` comments; at most 64 KiB. */
function readAllowFile(path: string): string[] {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > 64 * 1024) throw new Error(st.isFile() ? 'larger than 64 KiB' : 'not a file');
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--allow-file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const p of line.replace(/#.*/, '').split(/[\s,]+/)) {
      if (p === '') continue;
      if (!/^(?:(?:tcp|udp)\/)?\d{1,5}$/i.test(p)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `${path}:${i + 1}: a port like 22, tcp/443 or udp/53, not ${JSON.stringify(p.slice(0, 40))}`);
      out.push(p);
    }
  });
  return out;
}

/** The shipped set's hits carry their service and reports. */
function withCitations(r: HostCheckReport) {
  return {
    ...r,
    findings: r.findings.map((f) => ({
      ...f,
      hits: f.hits.map((h) => {
        const e = h.source === PROXYWARE_SOURCE ? proxywareEntry(h.kind, h.indicator) : undefined;
        return e ? { ...h, service: e.service, what: e.what, reports: e.cited } : h;
      }),
    })),
  };
}

const TITLES: Record<HostFinding['kind'], string> = {
  'ioc-process-name': 'process name',
  'ioc-exe-hash': 'executable hash',
  'ioc-exe-path': 'executable path',
  'ioc-cmdline': 'command line',
  'ioc-connection': 'connection',
  'unknown-listener': 'unknown listener',
};

/**
 * A line safe for a terminal: process names are the process's own to choose (`prctl`,
 * `process.title`), control characters included, and a `\r` or an escape sequence in one
 * would rewrite the line it is printed on (the table cells are cleaned the same way).
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
}

function render(r: HostCheckReport): string {
  const lines: string[] = [];
  const iocs = r.findings.filter((f) => f.kind !== 'unknown-listener');
  const listeners = r.findings.filter((f) => f.kind === 'unknown-listener');
  if (iocs.length) {
    lines.push(
      table(
        ['FINDING', 'PID', 'PROCESS', 'WHAT', 'INDICATOR', 'SOURCE'],
        iocs.flatMap((f) =>
          f.hits.map((h) => {
            const e = h.source === PROXYWARE_SOURCE ? proxywareEntry(h.kind, h.indicator) : undefined;
            return [TITLES[f.kind], f.pid, f.process, f.detail, `${h.kind} ${h.indicator}`, e ? `${h.source} (${e.service})` : h.source];
          }),
        ),
        80,
      ).trimEnd(),
    );
    const cited = new Map<string, string>();
    for (const f of iocs) for (const h of f.hits) if (h.source === PROXYWARE_SOURCE) for (const c of proxywareEntry(h.kind, h.indicator)?.cited ?? []) cited.set(c.url, `${c.publisher}, ${c.title} (${c.year}), ${c.url}`);
    if (cited.size) lines.push('', 'Reports behind mamori:proxyware:', ...[...cited.values()].map((c) => `  ${c}`));
  }
  if (listeners.length) {
    if (lines.length) lines.push('');
    lines.push('Unknown listeners (allow the expected ones with --allow):', ...listeners.map((f) => `  ${printable(f.detail)}`));
  }
  if (lines.length) lines.push('');
  lines.push(
    `Checked ${r.processes} processes (${r.exeHashed} executables hashed${r.exeNotHashed ? `, ${r.exeNotHashed} not` : ''}), ${r.connections} connections, ${r.listeners.length} listening sockets: ${iocs.length} IoC finding${iocs.length === 1 ? '' : 's'}, ${listeners.length} unknown listener${listeners.length === 1 ? '' : 's'}.`,
  );
  if (r.permissionDenied) lines.push(`${r.permissionDenied} process${r.permissionDenied === 1 ? '' : 'es'} could not be read in full (another user's): run as root to check ${r.permissionDenied === 1 ? 'it' : 'them'}.`);
  return `${lines.join('\n')}\n`;
}
