/**
 * IoC lookups at a million indicators (issue 12, section 4).
 *
 * mamori: `IocMatcher` from @mamori/host, built from N indicators of every kind
 * (hashes, domains, URLs, IPv4/IPv6 addresses and CIDR ranges, file names),
 * then `matchIp`, `matchDomain`, `matchUrl` and `matchFile` on lookups of which
 * about half hit. Figures: lookups per CPU-second for each, memory of the
 * matcher (live heap after a full collection, with and without it), the time
 * to build it, and (unless --no-store) the time to import the N indicators
 * into the SQLite store and to load the matcher back from it.
 *
 * Also printed: the same lookups against a matcher of N/10 indicators. The
 * probes per lookup are the same at both sizes; the difference is the CPU
 * caches, which hold more of the smaller tables.
 *
 * Peer: Node's own `net.BlockList` (what a Node program reaches for to check an
 * address against a list), given the same IPv4 addresses and CIDR ranges; its
 * `check` walks its rules, so it runs fewer lookups (--peer-lookups). The two
 * must agree on every one of them.
 */
import { BlockList } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { IocMatcherBuilder, IocStore } from '../packages/host/dist/index.js';
import { ensureExposeGc, liveMemory, median, mib, num, printTable, settle, verdictLine, writeResult } from './lib.mjs';

if (await ensureExposeGc(import.meta.url)) process.exit();

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    lookups: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    'peer-lookups': { type: 'string', default: '2000' },
    'no-store': { type: 'boolean', default: false },
  },
});
const N = Number(args.count);
const LOOKUPS = Number(args.lookups);
const ROUNDS = Number(args.rounds);
const PEER_LOOKUPS = Number(args['peer-lookups']);

// A seeded generator: the same indicators and lookups every run.
let seed = 0x9e3779b9;
const rand = () => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 2 ** 32;
};
const int = (n) => Math.floor(rand() * n);
const hex = (len) => {
  let s = '';
  while (s.length < len) s += (int(2 ** 30)).toString(16).padStart(8, '0').slice(0, 8);
  return s.slice(0, len);
};
const word = () => {
  const a = 'abcdefghijklmnopqrstuvwxyz';
  let s = '';
  const n = 4 + int(9);
  for (let i = 0; i < n; i++) s += a[int(26)];
  return s;
};
const TLDS = ['com', 'net', 'org', 'info', 'xyz', 'top', 'ru', 'cn', 'jp', 'io'];
const domain = () => `${word()}${int(1000)}.${TLDS[int(TLDS.length)]}`;
const v4 = () => `${1 + int(223)}.${int(256)}.${int(256)}.${int(256)}`;
const v6 = () => `2001:db8:${int(65536).toString(16)}:${int(65536).toString(16)}::${int(65536).toString(16)}`;
const maskV4 = (ip, p) => {
  const n = ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  const m = p === 0 ? 0 : (n & ((0xffffffff << (32 - p)) >>> 0)) >>> 0;
  return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}`;
};

/** A flat copy of a string built by concatenation (a rope would be flattened, and its parts freed, by the first lookup). */
const flat = (v) => Buffer.from(v, 'latin1').toString('latin1');

/** N indicators in normal form, by the mix a feed collection has (mostly hashes and domains). */
function makeIndicators(n) {
  const mix = [
    ['sha256', 0.35, () => hex(64)],
    ['md5', 0.1, () => hex(32)],
    ['sha1', 0.05, () => hex(40)],
    ['domain', 0.2, domain],
    ['url', 0.1, () => `http://${domain()}/${word()}/${word()}.php`],
    ['ip', 0.12, v4],
    ['cidr', 0.03, () => {
      // Feeds' ranges: mostly /24 to /32 hosting blocks, some up to /16.
      const p = rand() < 0.8 ? 24 + int(8) : 16 + int(8);
      return `${maskV4(v4(), p)}/${p}`;
    }],
    ['ip6', 0.03, v6],
    ['cidr6', 0.01, () => `2001:db8:${int(65536).toString(16)}::/48`],
    ['file-name', 0.01, () => `${word()}.exe`],
  ];
  const out = [];
  for (const [kind, share, gen] of mix) {
    const k = Math.round(n * share);
    for (let i = 0; i < k; i++) out.push([kind === 'ip6' ? 'ip' : kind === 'cidr6' ? 'cidr' : kind, flat(gen())]);
  }
  return out;
}

function build(indicators) {
  const b = new IocMatcherBuilder();
  for (const [kind, value] of indicators) b.addNormalized(kind, value, `feed-${value.length % 7}`);
  return b.build();
}

/** Lookups, about half of them hits (taken from the indicators), the rest random. */
function makeLookups(indicators, count) {
  const by = {};
  for (const [kind, value] of indicators) (by[kind] ??= []).push(value);
  const pick = (k) => by[k][int(by[k].length)];
  const ips = [];
  const domains = [];
  const urls = [];
  const files = [];
  for (let i = 0; i < count; i++) {
    const hit = rand() < 0.5;
    if (!hit) ips.push(rand() < 0.9 ? v4() : v6());
    else if (rand() < 0.8) ips.push(pick('ip'));
    else {
      const c = pick('cidr');
      if (c.includes(':')) ips.push(c.replace('::/48', `:${int(65536).toString(16)}::1`));
      else ips.push(c.split('/')[0].replace(/\.0$/, `.${1 + int(200)}`));
    }
    domains.push(flat(hit ? `www.${pick('domain')}` : `cdn.${domain()}`));
    urls.push(flat(hit ? pick('url') : `http://${domain()}/${word()}.php`));
    files.push(hit ? { path: flat(`/srv/x/${pick('file-name')}`), name: pick('file-name'), sha256: pick('sha256') } : { path: '/srv/x/a.php', name: 'a.php', sha256: flat(hex(64)), md5: flat(hex(32)) });
  }
  for (let i = 0; i < ips.length; i++) ips[i] = flat(ips[i]);
  return { ips, domains, urls, files };
}

function timeLookups(m, lookups) {
  const out = {};
  const runs = {
    ip: () => {
      let h = 0;
      for (const x of lookups.ips) h += m.matchIp(x).length;
      return h;
    },
    domain: () => {
      let h = 0;
      for (const x of lookups.domains) h += m.matchDomain(x).length;
      return h;
    },
    url: () => {
      let h = 0;
      for (const x of lookups.urls) h += m.matchUrl(x).length;
      return h;
    },
    file: () => {
      let h = 0;
      for (const x of lookups.files) h += m.matchFile(x).length;
      return h;
    },
  };
  for (const [name, fn] of Object.entries(runs)) {
    const rates = [];
    let hits = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const c0 = process.cpuUsage();
      hits = fn();
      const c = process.cpuUsage(c0);
      rates.push(lookups.ips.length / ((c.user + c.system) / 1e6));
    }
    out[name] = { perSecond: median(rates), hits };
  }
  return out;
}

console.log(`IoC matcher: ${num(N)} indicators, ${num(LOOKUPS)} lookups of each kind, ${ROUNDS} rounds (median)`);
const indicators = makeIndicators(N);
const lookups = makeLookups(indicators, LOOKUPS);
// The matcher's memory with strings of its own (as when loaded from the store), not shared with `indicators`.
const fresh = flat;
await settle();
const before = liveMemory();
let t0 = process.cpuUsage();
const b0 = new IocMatcherBuilder();
for (const [kind, value] of indicators) b0.addNormalized(kind, fresh(value), `feed-${value.length % 7}`);
const m = b0.build();
let c = process.cpuUsage(t0);
const buildCpu = (c.user + c.system) / 1e6;
await settle();
const after = liveMemory();
const matcherBytes = after.live - before.live;
console.log(`built in ${num(buildCpu, 2)} CPU s; ${num(m.size)} entries; IP prefix lengths probed: ${m.ipProbes.v4} (IPv4), ${m.ipProbes.v6} (IPv6)`);
console.log(`memory of the matcher: ${mib(matcherBytes)} live (heap and typed arrays, ${num(matcherBytes / m.size, 0)} bytes an indicator, its strings included; ${mib(m.tableBytes)} of it in the hash and IPv4 tables); process RSS ${mib(after.rss)}`);

const big = timeLookups(m, lookups);
const small = timeLookups(build(indicators.filter((_, i) => i % 10 === 0)), lookups);

// The peer: net.BlockList with the same IPv4 rules.
const bl = new BlockList();
t0 = process.cpuUsage();
let peerRules = 0;
for (const [kind, value] of indicators) {
  if (value.includes(':')) continue;
  if (kind === 'ip') {
    bl.addAddress(value, 'ipv4');
    peerRules++;
  } else if (kind === 'cidr') {
    const [a, p] = value.split('/');
    bl.addSubnet(a, Number(p), 'ipv4');
    peerRules++;
  }
}
c = process.cpuUsage(t0);
const peerBuildCpu = (c.user + c.system) / 1e6;
const peerSample = lookups.ips.filter((x) => !x.includes(':')).slice(0, PEER_LOOKUPS);
t0 = process.cpuUsage();
const peerAnswers = peerSample.map((x) => bl.check(x, 'ipv4'));
c = process.cpuUsage(t0);
const peerRate = peerSample.length / ((c.user + c.system) / 1e6);
t0 = process.cpuUsage();
const ourAnswers = peerSample.map((x) => m.matchIp(x).length > 0);
c = process.cpuUsage(t0);
const ourSampleRate = peerSample.length / ((c.user + c.system) / 1e6);
const disagree = peerAnswers.filter((a, i) => a !== ourAnswers[i]).length;

let storeFigures;
if (!args['no-store']) {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-ioc-'));
  try {
    const store = IocStore.open(join(dir, 'ioc.db'));
    const rows = indicators.map(([kind, value]) => ({ kind, value }));
    t0 = process.cpuUsage();
    let w = Date.now();
    store.importIndicators('bench', rows, { now: Date.now() });
    c = process.cpuUsage(t0);
    const importCpu = (c.user + c.system) / 1e6;
    const importWall = (Date.now() - w) / 1000;
    t0 = process.cpuUsage();
    w = Date.now();
    const loaded = store.matcher(Date.now());
    c = process.cpuUsage(t0);
    storeFigures = { importCpu, importWall, loadCpu: (c.user + c.system) / 1e6, loadWall: (Date.now() - w) / 1000, loaded: loaded.size };
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('');
printTable(
  ['lookup', `lookups/CPU-s at ${num(N)}`, `at ${num(N / 10)}`, 'ratio', 'hits'],
  Object.keys(big).map((k) => [k, num(big[k].perSecond), num(small[k].perSecond), num(small[k].perSecond / big[k].perSecond, 2), num(big[k].hits)]),
);
console.log('');
printTable(
  ['IPv4 check', 'rules', 'build CPU s', 'lookups/CPU-s'],
  [
    ['mamori IocMatcher.matchIp', num(peerRules), num(buildCpu, 2), num(ourSampleRate)],
    ['node:net BlockList.check', num(peerRules), num(peerBuildCpu, 2), num(peerRate)],
  ],
);
console.log(`mamori / BlockList: ${num(ourSampleRate / peerRate, 0)}x on ${num(peerSample.length)} IPv4 lookups; answers that differ: ${disagree}`);
if (storeFigures) {
  console.log(`SQLite store: import of ${num(N)} indicators ${num(storeFigures.importCpu, 1)} CPU s (${num(storeFigures.importWall, 1)} s), matcher loaded back in ${num(storeFigures.loadCpu, 1)} CPU s (${num(storeFigures.loadWall, 1)} s), ${num(storeFigures.loaded)} entries`);
}
const slowest = Math.min(...Object.values(big).map((x) => x.perSecond));
const worstRatio = Math.max(...Object.keys(big).map((k) => small[k].perSecond / big[k].perSecond));
console.log(`N/10 over N, per lookup: at most ${num(worstRatio, 2)}x. The probes per lookup do not grow with N (one per hash, name, path or URL, one per label, one per prefix length present); what grows is the share of probes that miss the CPU caches.`);
verdictLine(slowest >= 200_000, 'at least 200,000 lookups per CPU-second of every kind at 1,000,000 indicators', `slowest ${num(slowest)}`);
verdictLine(disagree === 0, 'the same answers as net.BlockList on every peer lookup');
writeResult('ioc', {
  indicators: N,
  lookups: LOOKUPS,
  rounds: ROUNDS,
  matcher: { entries: m.size, buildCpuSeconds: buildCpu, liveBytes: matcherBytes, rssBytes: after.rss, ipProbes: m.ipProbes },
  perSecond: Object.fromEntries(Object.entries(big).map(([k, v]) => [k, v.perSecond])),
  perSecondAtTenth: Object.fromEntries(Object.entries(small).map(([k, v]) => [k, v.perSecond])),
  slowestPerSecond: slowest,
  peer: { name: 'node:net BlockList', rules: peerRules, buildCpuSeconds: peerBuildCpu, lookups: peerSample.length, perSecond: peerRate, oursPerSecond: ourSampleRate, disagree },
  store: storeFigures,
});
if (disagree > 0) process.exitCode = 1;
