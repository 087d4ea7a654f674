import { MamoriError, parseDuration, formatDuration } from 'mamori';
import {
  INDICATOR_KINDS,
  checkSourceName,
  IocStore,
  iocStorePath,
  loadIocMatcher,
  parseIndicators,
  readIndicatorFile,
  refreshSources,
  watchSources,
  type IndicatorKind,
  type IocFormat,
  type IocHit,
  type SourceRefresh,
} from '@mamori/host';
import { parse } from '../command.js';
import { readConfig } from '../runtime.js';
import { table } from '../render.js';

export const help = `Usage:
  mamori ioc import FILE --source NAME [--format stix|misp|csv|auto] [--replace] [--json]
  mamori ioc list    [--source NAME] [--kind KIND] [--all] [--limit N] [--json]
  mamori ioc stats   [--json]
  mamori ioc remove  (--source NAME [--forget] | --expired) [--json]
  mamori ioc source  NAME --url URL [--every 6h] [--format F]
                     [--allow-private-redirects | --refuse-private-redirects]
  mamori ioc sources [--json]
  mamori ioc fetch   [--source NAME] [--force] [--watch] [--allow-private-redirects] [--json]
  mamori ioc match   VALUE... [--no-proxyware] [--json]

Indicators of compromise: file hashes (MD5, SHA-1, SHA-256), file names and
paths, IPs and CIDR ranges, domains and URLs, kept in <dataDir>/ioc.db with
their source, first seen and expiry. \`import\` reads a STIX 2.1 bundle, a MISP
event (JSON) or a CSV / plain list (one value a line, # comments); entries it
cannot use are counted by reason. --replace drops the source's indicators the
file does not carry. \`source\` gives a source a feed URL (https) and how often
\`fetch\` refreshes it; \`fetch --watch\` keeps refreshing while it runs. A feed
that redirects from a public address to a private, loopback or link-local one
is refused (a feed mirrored on your network): \`source NAME
--allow-private-redirects\` allows it for that source from then on (kept in the
store; --refuse-private-redirects takes it back; without either a source keeps
what it had while its feed stays on the same host, and a new one refuses), \`fetch --allow-private-redirects\` for
every source, this run only. A source already defined can be changed without
--url (its URL, interval and format stay unless given).
\`match\` looks values up (an IP, a domain, a URL, a hash, a file name) as the
scanner, the proxy and \`mamori host check\` do, with mamori's proxyware set;
it exits 1 when something matched, 0 when nothing did.
Kinds: ${INDICATOR_KINDS.join(', ')}. Common options: --config FILE.
`;

const FORMATS: IocFormat[] = ['stix', 'misp', 'csv', 'auto'];

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      source: { type: 'string' },
      format: { type: 'string' },
      replace: { type: 'boolean' },
      kind: { type: 'string' },
      all: { type: 'boolean' },
      limit: { type: 'string' },
      forget: { type: 'boolean' },
      expired: { type: 'boolean' },
      url: { type: 'string' },
      every: { type: 'string' },
      force: { type: 'boolean' },
      watch: { type: 'boolean' },
      'allow-private-redirects': { type: 'boolean' },
      'refuse-private-redirects': { type: 'boolean' },
      'no-proxyware': { type: 'boolean' },
    },
    help,
  );
  const [sub, ...rest] = positionals;
  const subs = ['import', 'list', 'stats', 'remove', 'source', 'sources', 'fetch', 'match'];
  if (!sub || !subs.includes(sub)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected ${subs.join(', ')}\n\n${help}`);
  const config = readConfig(values.config);
  const now = () => Date.now();
  const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  const format = (values.format ?? 'auto') as IocFormat;
  if (!FORMATS.includes(format)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--format must be one of ${FORMATS.join(', ')}`);

  if (sub === 'match') {
    if (rest.length === 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `give the values to look up\n\n${help}`);
    const m = loadIocMatcher({ dataDir: config.dataDir, now: now(), proxyware: !values['no-proxyware'] });
    const results = rest.map((v) => ({ value: v, hits: lookup(m, v) }));
    if (values.json) out(results);
    else {
      const rows = results.flatMap((r) => (r.hits.length ? r.hits.map((h) => [r.value, h.kind, h.indicator, h.source]) : [[r.value, '', '(no match)', '']]));
      process.stdout.write(table(['VALUE', 'KIND', 'INDICATOR', 'SOURCE'], rows, 80));
    }
    return results.some((r) => r.hits.length > 0) ? 1 : 0;
  }

  const store = IocStore.open(iocStorePath(config.dataDir));
  try {
    if (sub === 'import') {
      const file = rest[0];
      if (!file) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `give the file to import\n\n${help}`);
      if (!values.source) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'say where the indicators come from: --source NAME (a feed, a report, a vendor)');
      checkSourceName(values.source);
      const parsed = parseIndicators(readIndicatorFile(file), file, format);
      const r = store.importIndicators(values.source, parsed.indicators, { now: now(), replace: values.replace ?? false });
      const skipped = Object.values(parsed.skippedByReason).reduce((n, x) => n + x, 0);
      if (values.json) out({ ...r, format: parsed.format, read: parsed.indicators.length, skipped, skippedByReason: parsed.skippedByReason, firstSkipped: parsed.skipped.slice(0, 20) });
      else {
        process.stdout.write(`Read ${parsed.indicators.length} indicators from ${file} (${parsed.format}); source ${r.source}: ${r.added} added, ${r.updated} updated, ${r.removed} removed, ${r.total} held.\n`);
        if (skipped > 0) {
          process.stdout.write(`Skipped ${skipped}:\n`);
          for (const [reason, n] of Object.entries(parsed.skippedByReason).sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${String(n).padStart(6)}  ${reason}\n`);
          for (const s of parsed.skipped.slice(0, 5)) process.stdout.write(`  e.g. ${s.where}: ${s.reason}\n`);
        }
      }
      return 0;
    }
    if (sub === 'list') {
      if (values.kind && !(INDICATOR_KINDS as readonly string[]).includes(values.kind)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--kind must be one of ${INDICATOR_KINDS.join(', ')}`);
      const limit = values.limit ? Number(values.limit) : 100;
      if (!Number.isInteger(limit) || limit < 1) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--limit must be a positive whole number');
      const list = store.list({ now: now(), source: values.source, kind: values.kind as IndicatorKind | undefined, includeExpired: values.all ?? false, limit });
      if (values.json) out(list);
      else if (list.length === 0) process.stdout.write('No indicators.\n');
      else {
        const t = now();
        process.stdout.write(
          table(
            ['KIND', 'VALUE', 'SOURCE', 'FIRST SEEN', 'EXPIRES', 'NOTE'],
            list.map((i) => [i.kind, i.value, i.source, new Date(i.firstSeen).toISOString().slice(0, 10), i.expires === null ? '' : i.expires <= t ? 'expired' : new Date(i.expires).toISOString().slice(0, 10), i.note ?? '']),
            80,
          ),
        );
      }
      return 0;
    }
    if (sub === 'stats') {
      const s = store.stats(now());
      if (values.json) out(s);
      else if (s.total === 0) process.stdout.write(`No indicators in ${store.path}.\n`);
      else {
        process.stdout.write(table(['SOURCE', 'KIND', 'COUNT', 'EXPIRED'], s.bySource.map((r) => [r.source, r.kind, r.count, r.expired])));
        process.stdout.write(`${s.total} indicators, ${s.expired} expired (mamori ioc remove --expired deletes them).\n`);
      }
      return 0;
    }
    if (sub === 'remove') {
      if (values.expired) {
        const n = store.removeExpired(now());
        if (values.json) out({ removed: n });
        else process.stdout.write(`Removed ${n} expired indicator${n === 1 ? '' : 's'}.\n`);
        return 0;
      }
      if (!values.source) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'say which: --source NAME, or --expired');
      const n = store.remove(values.source, { forget: values.forget ?? false });
      if (values.json) out({ removed: n });
      else process.stdout.write(`Removed ${n} indicator${n === 1 ? '' : 's'} of ${values.source}${values.forget ? ', and the source' : ''}.\n`);
      return 0;
    }
    if (sub === 'source') {
      const name = rest[0];
      const known = name ? store.source(name) : undefined;
      if (!name || !(values.url ?? known?.url)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `give the source's name and --url\n\n${help}`);
      if (values['allow-private-redirects'] && values['refuse-private-redirects']) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--allow-private-redirects or --refuse-private-redirects, not both');
      const url = values.url ?? known!.url!;
      const u = URL.canParse(url) ? new URL(url) : undefined;
      if (!u || !(u.protocol === 'https:' || (u.protocol === 'http:' && u.hostname === '127.0.0.1'))) {
        throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--url must be an https:// URL (http:// only to 127.0.0.1), not ${JSON.stringify(url.slice(0, 200))}`);
      }
      const refreshMs = values.every ? parseDuration(values.every, '--every') : (known?.refreshMs ?? 6 * 3_600_000);
      if (refreshMs < 60_000) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--every must be a minute or more');
      // A permission given for one feed's host is not carried to another: a new --url on another
      // host refuses private redirects again unless --allow-private-redirects is given with it.
      const movedHost = known?.url && values.url !== undefined && URL.canParse(known.url) && new URL(known.url).host !== u.host;
      const allowPrivateRedirects = values['allow-private-redirects'] ? true : values['refuse-private-redirects'] || (movedHost && known?.allowPrivateRedirects) ? false : undefined;
      if (movedHost && known?.allowPrivateRedirects && !values['allow-private-redirects']) {
        process.stderr.write(`mamori: ${name}: the feed moved to another host (${u.host}): private redirects are refused again (--allow-private-redirects allows them for it)\n`);
      }
      const s = store.setSource({ name, url, format: values.format === undefined && known ? known.format : format, refreshMs, ...(allowPrivateRedirects === undefined ? {} : { allowPrivateRedirects }) });
      process.stdout.write(`Source ${s.name}: ${s.url}, refreshed every ${formatDuration(s.refreshMs ?? refreshMs)} by mamori ioc fetch${s.allowPrivateRedirects ? '; its feed may redirect into private addresses (allow_private_redirects)' : ''}.\n`);
      return 0;
    }
    if (sub === 'sources') {
      const list = store.sources();
      if (values.json) out(list);
      else if (list.length === 0) process.stdout.write('No sources.\n');
      else {
        process.stdout.write(
          table(
            ['SOURCE', 'URL', 'EVERY', 'PRIVATE REDIRECTS', 'LAST FETCH', 'STATUS'],
            list.map((s) => [s.name, s.url ?? '(imported by hand)', s.refreshMs ? formatDuration(s.refreshMs) : '', s.url ? (s.allowPrivateRedirects ? 'allowed' : 'refused') : '', s.lastFetch ? new Date(s.lastFetch).toISOString().replace('T', ' ').slice(0, 19) : '', s.lastStatus ?? '']),
            80,
          ),
        );
      }
      return 0;
    }
    // fetch
    if (values['refuse-private-redirects']) throw new MamoriError('MAMORI_ERR_CLI_USAGE', '--refuse-private-redirects goes with `mamori ioc source NAME` (a fetch refuses them unless the source or --allow-private-redirects allows them)');
    if (values.source && !store.source(values.source)?.url) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no source ${values.source} with a URL (mamori ioc source NAME --url URL adds one)`);
    const addresses = { allowPrivateRedirects: values['allow-private-redirects'] === true };
    const once = async (force = false) => {
      const r = await refreshSources(store, { now, force, only: values.source, addresses });
      if (values.json) out(r);
      else for (const x of r) process.stdout.write(`${describe(x)}\n`);
      return r;
    };
    const first = await once(values.force ?? false);
    if (!values.watch) return first.some((x) => x.status === 'failed') ? 1 : 0;
    return await watch(store, values.json ?? false, now, addresses);
  } finally {
    store.close();
  }
}

function describe(r: SourceRefresh): string {
  if (r.status === 'updated') return `${r.source}: updated, ${r.import!.added} added, ${r.import!.removed} removed, ${r.import!.total} held${r.skipped ? `, ${r.skipped} skipped` : ''}`;
  if (r.status === 'not-modified') return `${r.source}: not modified`;
  if (r.status === 'not-due') return `${r.source}: not due yet (--force fetches anyway)`;
  return `${r.source}: failed: ${r.error}`;
}

/** `fetch --watch`: refresh each source when it is due, until SIGINT or SIGTERM. */
async function watch(store: IocStore, json: boolean, now: () => number, addresses: { allowPrivateRedirects: boolean }): Promise<number> {
  const w = watchSources(store, { now, addresses, onResult: (r) => process.stdout.write(json ? `${JSON.stringify(r)}\n` : `${new Date(now()).toISOString()} ${describe(r)}\n`) });
  const stop = () => void w.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await w.done;
  return 0;
}

function lookup(m: ReturnType<typeof loadIocMatcher>, v: string): readonly IocHit[] {
  if (/^[0-9a-fA-F]{32}$|^[0-9a-fA-F]{40}$|^[0-9a-fA-F]{64}$/.test(v)) return m.matchHash(v);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return m.matchUrl(v);
  const asHost = m.matchDomain(v);
  if (asHost.length > 0) return asHost;
  return m.matchName(v);
}
