import { join } from 'node:path';
import { MamoriError, parseDuration } from 'mamori';
import { formatIp, tryParseIp } from 'mamori/internal';
import { AlertDb, type AlertFilter, type StoredAlert } from '@mamori/detect';
import { parse } from '../command.js';
import { readConfig } from '../runtime.js';
import { table } from '../render.js';

export const help = `Usage:
  mamori alerts list [--json] [--since 24h|2026-12-01] [--detector ID] [--ip IP] [--limit 50]
  mamori alerts show ID [--json]      (ID: the whole id, or a unique start of it, 4 characters at least)

Alerts are what log detection (mamori watch, mamori replay) raised: a scenario
or a Sigma rule that matched, with a few of the events as evidence (account
names in them replaced by keyed hashes) and the decision the alert made, if
any. They are kept in <data_dir>/alerts.db, newest (by event time) first.
The decisions themselves are listed by \`mamori decisions list\` (origin
watch.<detector>, the alert's id in the reason). Common options: --config FILE.

  --since    alerts whose event is at most this old (24h, 7d) or after a date
  --ip       alerts about this source address
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      since: { type: 'string' },
      detector: { type: 'string' },
      ip: { type: 'string' },
      source: { type: 'string' },
      limit: { type: 'string' },
    },
    help,
  );
  const [sub, id] = positionals;
  if (sub !== 'list' && sub !== 'show') throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected list or show\n\n${help}`);
  const config = readConfig(values.config, { existing: true });
  const path = join(config.dataDir, 'alerts.db');
  if (sub === 'show' && !id) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `say which alert: mamori alerts show ID\n\n${help}`);
  let filter: AlertFilter | undefined;
  if (sub === 'list') {
    const ipText = values.ip ?? values.source;
    let sourceIp: string | undefined;
    if (ipText !== undefined) {
      const ip = tryParseIp(ipText);
      if (!ip) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--ip: "${ipText.slice(0, 64)}" is not an IP address`);
      sourceIp = formatIp(ip);
    }
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--limit must be a whole number from 1 to 100000');
    filter = {
      ...(values.since !== undefined ? { since: since(values.since) } : {}),
      ...(values.detector !== undefined ? { detector: values.detector } : {}),
      ...(sourceIp !== undefined ? { sourceIp } : {}),
      limit,
    };
  }
  let db: AlertDb;
  try {
    db = AlertDb.open({ path, readonly: true });
  } catch (err) {
    // Nothing recorded yet is an empty list, not a failure.
    if (sub === 'list' && err instanceof MamoriError && /no alert has been recorded/.test(err.message)) {
      process.stdout.write(values.json ? '[]\n' : 'No alerts recorded.\n');
      return 0;
    }
    throw err;
  }
  try {
    if (sub === 'list') {
      const list = db.list(filter!);
      if (values.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else process.stdout.write(list.length ? render(list) : 'No alerts match.\n');
      return 0;
    }
    const found = db.find(id!);
    if (found.length !== 1) {
      const why = found.length === 0 ? `no alert has id ${id!.slice(0, 128)}` : `${found.length} alerts have ids starting with ${id!.slice(0, 128)}: give more of it (${found.slice(0, 5).map((a) => a.id).join(', ')})`;
      throw new MamoriError('MAMORI_ERR_ALERT_NOT_FOUND', `${why} (mamori alerts list shows them)`);
    }
    const a = found[0]!;
    process.stdout.write(values.json ? `${JSON.stringify(a, null, 2)}\n` : detail(a));
    return 0;
  } finally {
    db.close();
  }
}

function since(text: string): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (Number.isFinite(t)) return t;
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--since: "${text.slice(0, 40)}" is not a date`);
  }
  return Date.now() - parseDuration(text, '--since');
}

function decisionText(a: StoredAlert): string {
  const d = a.decision;
  if (a.simulated) return 'simulated';
  if (!d) return a.remedy ? 'pending' : '';
  if (d.state === 'added') return `${d.action} ${d.scope === 'range' ? d.value : ''}`.trim();
  return d.state;
}

function render(list: readonly StoredAlert[]): string {
  return table(
    ['ID', 'TIME', 'SEVERITY', 'DETECTOR', 'SOURCE', 'EVENTS', 'DECISION', 'TITLE'],
    list.map((a) => [a.id.slice(0, 16), new Date(a.time).toISOString().replace(/\.\d{3}Z$/, 'Z'), a.severity, a.detector, a.sourceIp ?? '', a.count, decisionText(a), a.title]),
    48,
  );
}

/** One alert in full; control characters of log text shown as ?, as the tables do. */
function detail(a: StoredAlert): string {
  const clean = (s: string): string => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
  const lines = [
    `${a.title} (${a.detector}, ${a.kind})`,
    `  id:        ${a.id}`,
    `  severity:  ${a.severity}${a.simulated ? ' (simulated: detect-only, no decision)' : ''}`,
    `  time:      ${new Date(a.time).toISOString()} (first event ${new Date(a.firstTime).toISOString()})`,
    `  events:    ${a.count}`,
    ...(a.sourceIp ? [`  source:    ${a.sourceIp}`] : []),
    ...Object.entries(a.group).map(([k, v]) => `  group:     ${k}=${String(v)}`),
    ...(a.mitre.length ? [`  MITRE:     ${a.mitre.join(', ')}`] : []),
    ...(a.remedy ? [`  remedy:    ${a.remedy.action} ${a.remedy.scope} ${a.remedy.value} for ${Math.round(a.remedy.ttlMs / 60_000)}m`] : []),
  ];
  const d = a.decision;
  if (d?.state === 'added') lines.push(`  decision:  ${d.action} ${d.scope} ${d.value} until ${new Date(d.expiresAt).toISOString()} (id ${d.id})`);
  else if (d) lines.push(`  decision:  ${d.state}: ${d.reason}`);
  lines.push(`  recorded:  ${new Date(a.recordedAt).toISOString()}`, '', `Samples (${a.samples.length}):`);
  for (const s of a.samples) lines.push(`  ${new Date(s.time).toISOString()} ${clean(s.input)}${s.truncated ? ' (cut)' : ''}`, `    ${clean(s.text)}`);
  return `${lines.map(clean).join('\n')}\n`;
}
