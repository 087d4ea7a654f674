/**
 * mamori vuln: matching an inventory of 1,000 assets against a synthetic NVD mirror of
 * ~300,000 CVEs, and an incremental NVD update that touches only what changed.
 *
 *   node bench/vuln.mjs [--cves 300000] [--assets 1000] [--changed 1000] [--keep]
 *
 * The mirror is generated at run time into a temporary directory (never committed) from the
 * shapes of the real records in the shared fixtures (MAMORI_VULN_FEEDS or
 * ../shared/data/vuln-feeds): API 2.0 pages of 2,000 `cve` objects with their metrics and
 * weaknesses, configurations with ranges, exact versions, editions and AND platforms. About
 * 2% of the CVEs name the products users write (FortiOS, NetScaler ADC and its FIPS edition,
 * Ivanti Connect Secure, PAN-OS, wp-file-manager), the rest 30,000 other products.
 * Each stage runs in its own process, so its peak memory is its own:
 *
 *   import   the pages into <tmp>/data/vuln-feeds.db (with KEV and EPSS from the fixtures);
 *   match    the inventory against the store (index by vendor:product);
 *   naive    the peer: every asset against every record, no index, measured on a few assets
 *            and scaled to the inventory;
 *   update   an NVD update through a 127.0.0.1 server answering the lastMod window with the
 *            changed records, then matching again.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, num, printTable, rng, verdictLine, writeResult } from './lib.mjs';

const { values: args } = parseArgs({
  options: { cves: { type: 'string', default: '300000' }, assets: { type: 'string', default: '1000' }, changed: { type: 'string', default: '1000' }, keep: { type: 'boolean' }, stage: { type: 'string' }, dir: { type: 'string' }, naive: { type: 'string', default: '3' } },
});
const FEEDS = process.env.MAMORI_VULN_FEEDS ?? resolve(BENCH_DIR, '../../shared/data/vuln-feeds');
const vuln = () => import('../packages/vuln/dist/index.js');

function measure(fn) {
  return async (...a) => {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const extra = await fn(...a);
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    return { wallS, cpuS: (c.user + c.system) / 1e6, peakRssMiB: process.resourceUsage().maxRSS / 1024, ...extra };
  };
}

// ---------- generation (in the parent) ----------

const MAPPED = [
  { cpe: 'o:fortinet:fortios', kind: 'fortios' },
  { cpe: 'a:citrix:netscaler_application_delivery_controller', kind: 'netscaler' },
  { cpe: 'a:ivanti:connect_secure', kind: 'ivanti' },
  { cpe: 'o:paloaltonetworks:pan-os', kind: 'panos' },
  { cpe: 'a:webdesi9:file_manager', kind: 'wordpress' },
];

function generate(dir, count) {
  const templates = readdirSync(join(FEEDS, 'nvd-api-2.0')).map((f) => JSON.parse(readFileSync(join(FEEDS, 'nvd-api-2.0', f), 'utf8')));
  const r = rng(15);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const int = (n) => Math.floor(r() * n);
  const dotted = () => `${1 + int(9)}.${int(5)}.${int(20)}`;
  const matchesFor = (kind, cpe) => {
    const crit = (v = '*', ed = '*', tsw = '*') => `cpe:2.3:${cpe}:${v}:*:*:*:${ed}:${tsw}:*:*`;
    switch (kind) {
      case 'fortios': {
        const a = 5 + int(3), b = int(5);
        return [{ vulnerable: true, criteria: crit(), versionStartIncluding: `${a}.${b}.0`, versionEndIncluding: `${a}.${b}.${int(17)}` }, { vulnerable: true, criteria: crit(`${a}.${b}.${int(17)}`) }];
      }
      case 'netscaler': {
        const t = pick(['12.1', '13.0', '13.1', '14.1']);
        return [{ vulnerable: true, criteria: crit('*', pick(['-', 'fips', 'ndcpp'])), versionStartIncluding: t, versionEndExcluding: `${t}-${int(60)}.${int(300)}` }];
      }
      case 'ivanti':
        return Array.from({ length: 3 + int(6) }, () => ({ vulnerable: true, criteria: `cpe:2.3:${cpe}:${pick(['9.1', '22.5', '22.6', '22.7'])}:r${1 + int(18)}${r() < 0.5 ? `.${int(5)}` : ''}:*:*:*:*:*:*` }));
      case 'panos': {
        const t = pick(['10.1', '10.2', '11.0', '11.1']);
        return [{ vulnerable: true, criteria: crit(), versionStartIncluding: `${t}.0`, versionEndExcluding: `${t}.${int(12)}-h${1 + int(9)}` }];
      }
      case 'wordpress':
        return [{ vulnerable: true, criteria: crit('*', '*', 'wordpress'), versionEndExcluding: `${1 + int(8)}.${int(10)}` }];
      default:
        return [{ vulnerable: true, criteria: crit(), ...(r() < 0.5 ? { versionStartIncluding: dotted() } : {}), versionEndExcluding: dotted() }];
    }
  };
  mkdirSync(join(dir, 'feeds', 'nvd-api-2.0'), { recursive: true });
  const PAGE = 2000;
  let page = [];
  let pages = 0;
  const flush = () => {
    writeFileSync(join(dir, 'feeds', 'nvd-api-2.0', `page-${String(pages++).padStart(4, '0')}.json`), JSON.stringify({ resultsPerPage: page.length, startIndex: 0, totalResults: page.length, format: 'NVD_CVE', version: '2.0', vulnerabilities: page.map((cve) => ({ cve })) }));
    page = [];
  };
  for (let i = 0; i < count; i++) {
    const t = templates[i % templates.length];
    const mapped = r() < 0.02 ? pick(MAPPED) : null;
    const cpe = mapped ? mapped.cpe : `a:vendor${int(3000)}:product${int(10)}`;
    const matches = matchesFor(mapped?.kind ?? 'generic', cpe);
    const nodes = [{ operator: 'OR', negate: false, cpeMatch: matches }];
    const and = r() < 0.1;
    if (and) nodes.push({ operator: 'OR', negate: false, cpeMatch: [{ vulnerable: false, criteria: `cpe:2.3:h:${cpe.split(':')[1]}:appliance${int(5)}:-:*:*:*:*:*:*:*` }] });
    const year = 2000 + (i % 26);
    const id = `CVE-${year}-${String(100000 + i).padStart(6, '0')}`;
    const status = r() < 0.05 ? 'Awaiting Analysis' : 'Analyzed';
    page.push({
      id,
      sourceIdentifier: t.sourceIdentifier,
      published: `${year}-03-01T10:00:00.000`,
      lastModified: `${year}-04-01T10:00:00.000`,
      vulnStatus: status,
      descriptions: [{ lang: 'en', value: `Synthetic record ${i} shaped like ${t.id}.` }],
      metrics: t.metrics,
      weaknesses: t.weaknesses,
      ...(status === 'Analyzed' ? { configurations: [{ ...(and ? { operator: 'AND' } : {}), nodes }] } : {}),
    });
    if (page.length === PAGE) flush();
  }
  if (page.length) flush();
  mkdirSync(join(dir, 'feeds', 'kev'), { recursive: true });
  writeFileSync(join(dir, 'feeds', 'kev', 'kev.json'), readFileSync(join(FEEDS, 'kev', 'known_exploited_vulnerabilities.json')));
  mkdirSync(join(dir, 'feeds', 'epss'), { recursive: true });
  writeFileSync(join(dir, 'feeds', 'epss', 'epss.csv'), readFileSync(join(FEEDS, 'epss', 'epss_scores-excerpt.csv')));
  return pages;
}

function inventory(count) {
  const r = rng(16);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const int = (n) => Math.floor(r() * n);
  const products = [
    () => ['FortiOS', `${5 + int(3)}.${int(5)}.${int(17)}`],
    () => ['FortiOS', `v7.${int(5)}.${int(17)},build${1000 + int(900)},230131 (GA.F)`],
    () => [pick(['NetScaler ADC', 'NetScaler ADC FIPS']), `${pick(['12.1', '13.0', '13.1', '14.1'])}-${int(60)}.${int(300)}`],
    () => ['Ivanti Connect Secure', `${pick(['9.1', '22.5', '22.6', '22.7'])}R${1 + int(18)}${r() < 0.5 ? `.${int(5)}` : ''}`],
    () => ['PAN-OS', `${pick(['10.1', '10.2', '11.0', '11.1'])}.${int(12)}${r() < 0.5 ? `-h${int(10)}` : ''}`],
    () => ['wp-file-manager', `${1 + int(8)}.${int(10)}`],
  ];
  return Array.from({ length: count }, (_, i) => {
    const [product, version] = pick(products)();
    return { name: `asset-${i}`, type: product === 'wp-file-manager' ? 'wordpress-plugin' : 'appliance', product, version, exposure: r() < 0.5 ? 'internet' : 'internal', criticality: pick(['low', 'medium', 'high', 'critical']) };
  });
}

// ---------- stages (each in a child) ----------

const STAGES = {
  import: measure(async (dir) => {
    const { VulnFeedStore, importFeedDir, vulnFeedsPath } = await vuln();
    const store = VulnFeedStore.open(vulnFeedsPath(join(dir, 'data')));
    const r = importFeedDir(store, join(dir, 'feeds'));
    store.setState('nvd', { cursor: '2026-01-01T00:00:00.000Z', fetchedAt: 0 });
    const out = { counts: r.counts, problems: r.problems.length };
    store.close();
    return out;
  }),
  match: measure(async (dir) => {
    const { VulnFeedStore, matchInventory, vulnFeedsPath } = await vuln();
    const store = VulnFeedStore.open(vulnFeedsPath(join(dir, 'data')));
    const assets = JSON.parse(readFileSync(join(dir, 'inventory.json'), 'utf8'));
    const rep = matchInventory(store, assets);
    const by = { affected: 0, not_affected: 0, unknown: 0 };
    for (const f of rep.findings) by[f.status]++;
    store.close();
    const distinct = new Set(assets.map((a) => `${a.product}\n${a.version}`)).size;
    return { assets: rep.assets, distinct, pairs: rep.pairs, ...by, problems: rep.problems.length };
  }),
  naive: measure(async (dir, n) => {
    // The peer: no index. Every record of the mirror is read and each asset's product is looked for in its configurations.
    const { readNvdPage, resolveProduct } = await vuln();
    const assets = JSON.parse(readFileSync(join(dir, 'inventory.json'), 'utf8')).slice(0, n);
    const wanted = assets.map((a) => new Set(resolveProduct(a).spec.cpe));
    let hits = 0;
    let records = 0;
    for (const f of readdirSync(join(dir, 'feeds', 'nvd-api-2.0')).sort()) {
      const page = readNvdPage(JSON.parse(readFileSync(join(dir, 'feeds', 'nvd-api-2.0', f), 'utf8')), f);
      for (const rec of page.records) {
        records++;
        for (const w of wanted) if (rec.configurations.some((c) => c.nodes.some((nd) => nd.matches.some((m) => w.has(`${m.cpe.vendor}:${m.cpe.product}`))))) hits++;
      }
    }
    return { assetsScanned: n, records, hits };
  }),
  update: measure(async (dir, changed) => {
    const { VulnFeedStore, updateFeeds, vulnFeedsPath } = await vuln();
    const store = VulnFeedStore.open(vulnFeedsPath(join(dir, 'data')));
    const before = store.count('nvd');
    // the changed records: the first `changed` CVEs of the mirror, re-analysed with a later lastModified and a moved fix
    const first = JSON.parse(readFileSync(join(dir, 'feeds', 'nvd-api-2.0', 'page-0000.json'), 'utf8')).vulnerabilities.slice(0, changed).map(({ cve }) => ({ ...cve, lastModified: '2026-01-01T12:00:00.000', vulnStatus: 'Modified' }));
    let windows = 0;
    const server = createServer((req, res) => {
      const u = new URL(req.url, 'http://127.0.0.1');
      if (!u.searchParams.has('lastModStartDate')) return res.writeHead(400).end();
      windows++;
      const start = Number(u.searchParams.get('startIndex'));
      const page = first.slice(start, start + 2000);
      res.writeHead(200).end(JSON.stringify({ resultsPerPage: page.length, startIndex: start, totalResults: first.length, vulnerabilities: page.map((cve) => ({ cve })) }));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const t0 = process.hrtime.bigint();
    const [u] = await updateFeeds({ store, now: () => Date.parse('2026-01-02T00:00:00Z'), feeds: ['nvd'], force: true, urls: { nvd: `http://127.0.0.1:${server.address().port}/nvd` }, sleep: async () => {} });
    const updateS = Number(process.hrtime.bigint() - t0) / 1e9;
    server.close();
    const after = store.count('nvd');
    store.close();
    return { status: u.status, records: u.records, requests: u.requests, windows, before, after, updateS };
  }),
};

if (args.stage) {
  const extra = args.stage === 'naive' ? Number(args.naive) : args.stage === 'update' ? Number(args.changed) : undefined;
  const out = await STAGES[args.stage](args.dir, extra);
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}

if (!existsSync(join(FEEDS, 'nvd-api-2.0'))) {
  console.log(`skipped: no vuln feed fixtures at ${FEEDS} (set MAMORI_VULN_FEEDS)`);
  process.exit(0);
}
const cves = Number(args.cves);
const assetsN = Number(args.assets);
const dir = mkdtempSync(join(tmpdir(), 'mamori-vuln-bench-'));
const stage = (name, extra = []) => {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--stage', name, '--dir', dir, ...extra], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`stage ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
try {
  const g0 = Date.now();
  const pages = generate(dir, cves);
  writeFileSync(join(dir, 'inventory.json'), JSON.stringify(inventory(assetsN)));
  console.log(`generated ${num(cves)} CVEs in ${pages} API pages and ${num(assetsN)} assets into ${dir} in ${((Date.now() - g0) / 1000).toFixed(1)} s`);
  const imp = stage('import');
  const match = stage('match');
  const naive = stage('naive', ['--naive', args.naive]);
  const upd = stage('update', ['--changed', args.changed]);
  const rematch = stage('match');
  const naiveScaled = (naive.wallS * assetsN) / naive.assetsScanned;
  const row = (name, m, extra) => [name, m.wallS.toFixed(2), m.cpuS.toFixed(2), num(m.peakRssMiB), extra];
  printTable(
    ['stage', 'wall s', 'cpu s', 'peak RSS MiB', 'what'],
    [
      row('import (sqlite, indexed)', imp, `${num(imp.counts.nvd)} NVD, ${num(imp.counts.kev)} KEV, ${num(imp.counts.epss ?? 0)} EPSS; ${imp.problems} problems`),
      row('match, mamori (index)', match, `${num(match.assets)} assets (${num(match.distinct)} distinct product+version), ${num(match.pairs)} pairs: ${num(match.affected)} affected, ${num(match.unknown)} unknown, ${num(match.not_affected)} not affected`),
      row(`naive scan, ${naive.assetsScanned} assets`, naive, `every record for every asset; ${num(naive.records)} records each`),
      ['naive scan, scaled', naiveScaled.toFixed(0), '', '', `${num(assetsN)} assets x ${num(naive.records)} records`],
      row('NVD update (incremental)', upd, `${num(upd.records)} changed records in ${upd.requests} requests (${upd.updateS.toFixed(2)} s in updateFeeds); store ${num(upd.before)} -> ${num(upd.after)} records`),
      row('match after update', rematch, `${num(rematch.pairs)} pairs: ${num(rematch.affected)} affected`),
    ],
  );
  console.log(`ratio: the naive scan would take ${(naiveScaled / match.wallS).toFixed(0)}x mamori's matching time`);
  // CPU seconds: on a shared machine the wall clock also measures the neighbours
  verdictLine(match.cpuS < 60 && upd.cpuS < 10, 'match 1,000 assets against ~300,000 CVEs in under 60 CPU s; an incremental update of 1,000 records in under 10 CPU s', `${match.cpuS.toFixed(1)} s, ${upd.cpuS.toFixed(1)} s`);
  writeResult('vuln', { cves, assets: assetsN, import: imp, match, naive: { ...naive, scaledS: naiveScaled }, update: upd, rematch });
} finally {
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
}
