import { MamoriError, parseDuration } from 'mamori';
import { UPDATABLE_FEEDS, VulnFeedStore, importFeedDir, updateFeeds, vulnFeedsPath, watchFeeds, type FeedUpdate, type FeedUrls, type UpdatableFeed } from '@mamori/vuln';
import { parse } from '../command.js';
import { readConfig } from '../runtime.js';
import { table } from '../render.js';

export const help = `Usage:
  mamori vuln update [--feed kev,nvd,epss,osv,cve5,jvn,debian,ipa] [--force] [--watch] [--json]
  mamori vuln update --import DIR [--json]

Brings the vulnerability feeds in <dataDir>/vuln-feeds.db up to date: CISA KEV
and EPSS (whole files, only when changed), NVD (the records modified since the
last update, page by page), OSV (npm, and the distributions named by
--osv-ecosystems), CVE 5 records of KEV CVEs NVD has not analysed, JVN (the past
week), the Debian security tracker (its JSON export, only when changed) and IPA's
urgent security alerts (重要なセキュリティ情報, RSS). Each feed has its own interval
(KEV 6h, NVD 2h, EPSS 24h, OSV 24h, CVE 5 24h, JVN 24h, Debian 12h, IPA 6h); a
feed not due is left alone unless --force. A feed that fails is reported and the others go on; the store keeps what
it had. --watch keeps updating while it runs (Ctrl-C stops).

--import DIR reads feeds from files instead, for a machine that is not online: a
directory laid out as kev/, nvd-api-2.0/, cve-json-5/, osv-npm/ (and osv-debian/,
osv-ubuntu/, osv-almalinux/ ... for distributions' records), epss/, jvn/,
debian-tracker/ (the tracker's JSON export) and ipa/ (the alerts' RSS file).

  --feed LIST          only these feeds
  --url NAME=URL       another address for a feed (kev, nvd, epss, osvBase, osvApi,
                       cve5Api, jvn, debianTracker, ipa): a mirror; https, or http to
                       127.0.0.1 only
  --osv-ecosystems L   the OSV archives to fetch (default npm): npm,Debian,Ubuntu,
                       AlmaLinux,"Rocky Linux","Red Hat"
  --every DURATION     with --watch: how often to look for due feeds (default 10m)
  --allow-private-redirects
                       a feed whose public address redirects to a private, loopback or
                       link-local one is followed (a feed mirrored on your network;
                       refused by default, as for \`mamori ioc fetch\`)
  --nvd-api-key-env V  read an NVD API key from environment variable V (never printed)
Common options: --config FILE, --json.
`;

const URL_NAMES = ['kev', 'nvd', 'epss', 'osvBase', 'osvApi', 'cve5Api', 'jvn', 'debianTracker', 'ipa'] as const;

function feedsOf(list: string | undefined): UpdatableFeed[] | undefined {
  if (list === undefined) return undefined;
  const feeds = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of feeds) if (!(UPDATABLE_FEEDS as readonly string[]).includes(f)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--feed: "${f.slice(0, 40)}" is not one of ${UPDATABLE_FEEDS.join(', ')}`);
  return feeds as UpdatableFeed[];
}

function urlsOf(pairs: readonly string[] | undefined): Partial<Record<keyof FeedUrls, string>> {
  const urls: Partial<Record<keyof FeedUrls, string>> = {};
  for (const p of pairs ?? []) {
    const eq = p.indexOf('=');
    const name = eq > 0 ? p.slice(0, eq) : '';
    if (!(URL_NAMES as readonly string[]).includes(name)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--url NAME=URL: NAME is one of ${URL_NAMES.join(', ')}`);
    urls[name as keyof FeedUrls] = p.slice(eq + 1);
  }
  return urls;
}

function rows(updates: readonly FeedUpdate[]): string {
  return table(
    ['FEED', 'STATUS', 'RECORDS', 'REQUESTS', 'NOTE'],
    updates.map((u) => [u.feed, u.status, u.records === undefined ? '' : String(u.records), u.requests === undefined ? '' : String(u.requests), u.error ?? (u.problems?.length ? `${u.problems.length} records skipped` : '')]),
  );
}

export async function run(argv: string[]): Promise<number> {
  const args = argv[0] === 'update' ? argv.slice(1) : argv;
  const { values, positionals } = parse(
    args,
    {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      feed: { type: 'string' },
      force: { type: 'boolean' },
      watch: { type: 'boolean' },
      import: { type: 'string' },
      url: { type: 'string', multiple: true },
      every: { type: 'string' },
      'nvd-api-key-env': { type: 'string' },
      'osv-ecosystems': { type: 'string' },
      'allow-private-redirects': { type: 'boolean' },
    },
    help,
  );
  if (positionals.length) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `unexpected ${JSON.stringify(positionals[0]!.slice(0, 40))}\n\n${help}`);
  const feeds = feedsOf(values.feed);
  const urls = urlsOf(values.url);
  const every = values.every === undefined ? 600_000 : parseDuration(values.every, '--every');
  let nvdApiKey: string | undefined;
  if (values['nvd-api-key-env'] !== undefined) {
    nvdApiKey = process.env[values['nvd-api-key-env']];
    if (!nvdApiKey) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `--nvd-api-key-env: the environment variable ${values['nvd-api-key-env'].slice(0, 60)} is not set`);
  }
  const path = vulnFeedsPath(readConfig(values.config).dataDir);
  let store: VulnFeedStore;
  try {
    store = VulnFeedStore.open(path);
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_VULN_FEED', `${path}: cannot open the feed store: ${(err as Error).message}`, { cause: err });
  }
  try {
    if (values.import !== undefined) {
      const r = importFeedDir(store, values.import);
      if (values.json) process.stdout.write(`${JSON.stringify({ imported: r.counts, problems: r.problems })}\n`);
      else {
        const counts = Object.entries(r.counts);
        process.stdout.write(counts.length ? `${counts.map(([k, n]) => `${k}: ${n} records`).join('\n')}\n` : `nothing imported from ${values.import}\n`);
        for (const p of r.problems.slice(0, 20)) process.stderr.write(`skipped ${p.where}: ${p.message}\n`);
        if (r.problems.length > 20) process.stderr.write(`... and ${r.problems.length - 20} more skipped records\n`);
      }
      return Object.keys(r.counts).length ? 0 : 1;
    }
    const osvEcosystems = values['osv-ecosystems']?.split(',').map((e) => e.trim()).filter(Boolean);
    const options = { store, now: Date.now, urls, force: values.force === true, addresses: { allowPrivateRedirects: values['allow-private-redirects'] === true }, ...(feeds ? { feeds } : {}), ...(nvdApiKey ? { nvdApiKey } : {}), ...(osvEcosystems?.length ? { osvEcosystems } : {}) };
    const show = (updates: readonly FeedUpdate[]): void => {
      if (values.json) for (const u of updates) process.stdout.write(`${JSON.stringify(u)}\n`);
      else process.stdout.write(rows(updates));
    };
    if (!values.watch) {
      const updates = await updateFeeds(options);
      show(updates);
      return updates.some((u) => u.status === 'failed') ? 1 : 0;
    }
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await watchFeeds({ ...options, tickMs: every, signal: ac.signal, onUpdate: show });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  } finally {
    store.close();
  }
}
