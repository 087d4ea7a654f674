import { existsSync } from 'node:fs';
import { MamoriError } from 'mamori';
import { checkSummaryLine, importFeedDir, matchInventory, readInventory, VulnFeedStore, vulnFeedsPath, type Finding, type IpaAlert } from '@mamori/vuln';
import { parse } from '../command.js';
import { readConfig } from '../runtime.js';
import { openDb } from './vuln-common.js';
import { table } from '../render.js';

export const help = `Usage:
  mamori vuln check [--inventory FILE] [--feeds DIR] [--all] [--json]

Matches an inventory against the vulnerability feeds: CISA KEV, NVD,
CVE 5 records, OSV (npm and distributions), the Debian security tracker, EPSS,
JVN and IPA's urgent alerts. Versions are read in each product's own grammar
(FortiOS, Ivanti, NetScaler with its editions, PAN-OS hotfixes, WordPress, npm,
Debian, RPM); deb and rpm packages are matched in their release (distro:). Each (asset, CVE) gets one of three answers: affected,
not_affected, or unknown with the reason (a version that is not comparable, a
record without product data, an analysis NVD has not done, a deb or rpm package
whose distribution release is not known). Unknowns are always
shown; --all shows the not_affected pairs too. Each answer names the feed
records (and the path in them) it comes from.

--inventory FILE reads an inventory YAML file (assets: a list of { name, type,
product, version, exposure, owner, criticality }); without it the inventory kept
in <dataDir>/vuln.db is checked (what asset add and discover --save put there).
--feeds DIR reads a directory laid out like the downloads (kev/, nvd-api-2.0/,
cve-json-5/, osv-npm/, osv-debian/ ..., epss/, jvn/, debian-tracker/, ipa/)
instead of <dataDir>/vuln-feeds.db. IPA alerts that name no CVE are listed after
the table with their link (read them: they concern products by name).
--json prints one finding per line (asset, product, version, cve, status,
reason, sources, evidence, kev, epss, cvss), then a summary line
({"check":"done",...}) that plan --complete needs; problems go to stderr.
Exit codes: 0 nothing affected, 1 something affected, 2 usage or input errors.
Common options: --config FILE.
`;

function loadStore(feeds: string | undefined, configPath: string | undefined): { store: VulnFeedStore; notes: string[] } {
  if (feeds) {
    if (!existsSync(feeds)) throw new MamoriError('MAMORI_ERR_VULN_FEED', `${feeds}: no such feed directory`);
    const store = VulnFeedStore.open(':memory:');
    const r = importFeedDir(store, feeds);
    if (Object.keys(r.counts).length === 0) throw new MamoriError('MAMORI_ERR_VULN_FEED', `${feeds}: no feed found (expected kev/, nvd-api-2.0/, cve-json-5/, osv-npm/, epss/, jvn/, debian-tracker/ or ipa/)`);
    return { store, notes: r.problems.map((p) => `${p.where}: ${p.message}`) };
  }
  const path = vulnFeedsPath(readConfig(configPath).dataDir);
  if (!existsSync(path)) throw new MamoriError('MAMORI_ERR_VULN_FEED', `${path} does not exist: update the feeds first, or pass --feeds DIR`);
  try {
    return { store: VulnFeedStore.open(path), notes: [] };
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_VULN_FEED', `${path}: cannot open the feed store: ${(err as Error).message}`, { cause: err });
  }
}

// what came from a feed never reaches the terminal as a control character
const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');

const SHOWN_SOURCES = (f: Finding) =>
  f.sources
    .filter((s) => s.feed !== 'epss')
    .map((s) => `${s.feed}${s.path ? `:${s.path}` : ''}`)
    .join(' ');

/** The inventory kept in <dataDir>/vuln.db; an empty one is a usage error, not a clean bill. */
function storedInventory(configPath: string | undefined) {
  const db = openDb(readConfig(configPath));
  try {
    const assets = db.assets();
    if (assets.length === 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no assets in ${db.path}: add some (mamori vuln asset add, mamori vuln discover ... --save) or give --inventory FILE\n\n${help}`);
    return assets;
  } finally {
    db.close();
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = argv[0] === 'check' ? argv.slice(1) : argv;
  const { values, positionals } = parse(
    args,
    { config: { type: 'string', short: 'c' }, inventory: { type: 'string', short: 'i' }, feeds: { type: 'string' }, json: { type: 'boolean' }, all: { type: 'boolean' } },
    help,
  );
  if (positionals.length > 0) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `unexpected ${JSON.stringify(positionals[0])}\n\n${help}`);
  const assets = values.inventory ? readInventory(values.inventory) : storedInventory(values.config);
  const { store, notes } = loadStore(values.feeds, values.config);
  let report;
  let advisories: IpaAlert[];
  try {
    report = matchInventory(store, assets);
    // IPA's alerts without a CVE id match nothing, so they are listed, never dropped
    advisories = store.list<IpaAlert>('ipa', 200).filter((a) => a.cves.length === 0).slice(0, 10);
  } finally {
    store.close();
  }
  const problems = [...notes.map((n) => `feed: ${n}`), ...report.problems.map((p) => `${p.asset}: ${p.message}`)];
  const affected = report.findings.filter((f) => f.status === 'affected').length;
  if (values.json) {
    for (const f of report.findings) if (values.all || f.status !== 'not_affected') process.stdout.write(`${JSON.stringify(f)}\n`);
    // the last line says the check ran to its end (plan --complete needs it)
    const n = (st: string) => report.findings.filter((f) => f.status === st).length;
    process.stdout.write(`${checkSummaryLine({ assets: report.assets, pairs: report.pairs, affected, unknown: n('unknown'), not_affected: n('not_affected') })}\n`);
    for (const p of problems) process.stderr.write(`${p}\n`);
    return affected > 0 ? 1 : 0;
  }
  const shown = report.findings.filter((f) => values.all || f.status !== 'not_affected');
  const rows = shown.map((f) => [f.asset, f.product, f.version, f.cve, f.status, f.kev ? `KEV ${f.kev.dateAdded}` : '', f.epss ? f.epss.probability.toFixed(3) : '', f.reason, SHOWN_SOURCES(f)]);
  if (rows.length > 0) process.stdout.write(table(['ASSET', 'PRODUCT', 'VERSION', 'CVE', 'STATUS', 'KEV', 'EPSS', 'REASON', 'SOURCES'], rows, 120));
  const count = (s: string) => report.findings.filter((f) => f.status === s).length;
  process.stdout.write(`${report.assets} assets, ${report.pairs} (asset, CVE) pairs: ${count('affected')} affected, ${count('unknown')} unknown, ${count('not_affected')} not affected${values.all ? '' : ' (not shown; --all shows them)'}\n`);
  for (const a of advisories) process.stdout.write(`IPA alert without a CVE id${a.date ? ` (${a.date.slice(0, 10)})` : ''}: ${clean(a.title)} ${a.link}\n`);
  for (const p of problems) process.stdout.write(`problem: ${p}\n`);
  return affected > 0 ? 1 : 0;
}
