import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { feedFixtures } from '../match/fixtures.js';
import { Matcher } from '../match/match.js';
import { readCve5 } from './cve5.js';
import { readEpss } from './epss.js';
import { importFeedDir, importFile } from './import-dir.js';
import { parseJson, RecordError } from './json.js';
import { cpe22to23, readJvn } from './jvn.js';
import { readNvdCve } from './nvd.js';
import { VulnFeedStore, vulnFeedsPath } from './store.js';
import { JVN_DETAIL, JVN_OVERVIEW } from './testdata.js';
import { updateFeeds, watchFeeds, type FeedUpdate } from './update.js';
import { readZip } from './zip.js';

const dir = feedFixtures();
const skip = dir ? false : 'no vuln feed fixtures (set MAMORI_VULN_FEEDS or provide ../shared/data/vuln-feeds)';

function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = deflateRawSync(Buffer.from(text));
    const n = Buffer.from(name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(8, 8);
    lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(Buffer.byteLength(text), 22);
    lh.writeUInt16LE(n.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(8, 10);
    ch.writeUInt32LE(data.length, 20);
    ch.writeUInt32LE(Buffer.byteLength(text), 24);
    ch.writeUInt16LE(n.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, n, data);
    central.push(ch, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe('vuln feeds: reading', () => {
  it('refuses hostile JSON with its location, without recursion or crash', () => {
    assert.throws(() => parseJson('{"a":', 'x.json'), (e: Error) => e instanceof RecordError && /x\.json: not JSON/.test(e.message));
    assert.throws(() => parseJson('['.repeat(100_000) + ']'.repeat(100_000), 'deep.json'), (e: Error) => e instanceof RecordError && /deep\.json: nested deeper than 64/.test(e.message));
    assert.throws(() => parseJson(JSON.stringify(new Array(100).fill(0)), 'many.json', { maxBytes: 1e6, maxDepth: 64, maxNodes: 50 }), /more than 50 values/);
    assert.throws(() => parseJson('x'.repeat(200), 'big.json', { maxBytes: 100, maxDepth: 64, maxNodes: 50 }), /more than the 100 allowed/);
  });
  it('reports a bad field of a record with its path', () => {
    const bad = { id: 'CVE-2024-0001', configurations: [{ nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:x:broken' }] }] }] };
    assert.throws(() => readNvdCve(bad, 'f.json'), /f\.json: configurations\[0\]\.nodes\[0\]\.cpeMatch\[0\]\.criteria: .*not 11|part/);
    assert.throws(() => readNvdCve({ id: 'CVE-1', configurations: [] }, 'g.json'), /g\.json: id: "CVE-1" is not a CVE id/);
    assert.throws(() => readCve5({ cveMetadata: { cveId: 'CVE-2024-0001' }, containers: { cna: { affected: 'n/a' } } }, 'h.json'), /h\.json: containers\.cna\.affected: not a list/);
  });
  it('JVN: overview list (JVNRSS) and detail (VULDEF), bad items reported by line, DTDs refused', () => {
    const o = readJvn(JVN_OVERVIEW, 'overview.xml');
    assert.equal(o.records.length, 1);
    const r = o.records[0]!;
    assert.equal(r.id, 'JVNDB-2023-001111');
    assert.deepEqual(r.cves, ['CVE-2023-27997']);
    assert.deepEqual(r.cpes, ['cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*', 'cpe:2.3:a:fortinet:fortiproxy:*:*:*:*:*:*:*:*']);
    assert.equal(r.title, 'Heap overflow in Fortinet FortiOS SSL-VPN & FortiProxy');
    assert.equal(r.cvss[0]!.baseScore, 9.8);
    assert.equal(o.problems.length, 1);
    assert.match(o.problems[0]!.where, /^overview\.xml:15$/);
    const d = readJvn(JVN_DETAIL, 'detail.xml');
    assert.deepEqual(d.problems, []);
    assert.deepEqual(d.records[0]!.cves, ['CVE-2024-3400']);
    assert.equal(d.records[0]!.products[0]!.versions, '10.2 before 10.2.9-h1; 11.0 before 11.0.4-h1');
    assert.throws(() => readJvn('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', 'dtd.xml'), /DOCTYPE/);
    assert.throws(() => readJvn(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`, 'deep.xml'), /nested deeper/);
    assert.throws(() => readJvn('<a><b></a>', 'cross.xml'), /does not close/);
    assert.equal(cpe22to23('cpe:/a:dendai.ac.jp:myjvn_api'), 'cpe:2.3:a:dendai.ac.jp:myjvn_api:*:*:*:*:*:*:*:*');
    assert.equal(cpe22to23('not a cpe'), null);
  });
  it('XML, CPE and EPSS readers on pathological input: refused or read in one pass, bounded', () => {
    assert.throws(() => readJvn(`<a ${Array.from({ length: 100 }, (_, i) => `x${i}="1"`).join(' ')}/>`, 'attrs.xml'), /more than 64 attributes/);
    assert.throws(() => readJvn(`<a x="${'a'.repeat(1_000_000)}`, 'open.xml'), /open\.xml:1: bad attribute/);
    assert.throws(() => readJvn('<'.repeat(100_000), 'lt.xml'), /bad start tag/);
    assert.deepEqual(readJvn(`<a>${'&amp'.repeat(100_000)}</a>`, 'amp.xml').records, []);
    assert.throws(() => readJvn(`<a>${'&nbsp;'.repeat(10)}</a>`, 'ent.xml'), /ent\.xml:1: unknown entity &nbsp;/);
    const big = readJvn(`<a>${'x'.repeat(1_000_000)}</a>`, 'text.xml');
    assert.deepEqual(big.records, []);
    assert.throws(() => readJvn(`<a>${'<b/>'.repeat(600_000)}</a>`, 'many.xml'), /more than 500000 elements/);
    const e = readEpss(`cve,epss,percentile\n${'9'.repeat(1_000_000)}\nCVE-2024-0001,0.5,0.9\n`, 'e.csv');
    assert.equal(e.rows.length, 1);
    assert.deepEqual(e.problems.map((p) => p.where), ['e.csv:2']);
  });

  it('ZIP: entries read, bombs stopped at the cap, garbage refused', () => {
    const z = zip({ 'a.json': '{"id":"A"}', 'b.json': '{"id":"B"}' });
    const seen: string[] = [];
    assert.equal(readZip(z, 'z.zip', (n, d) => seen.push(`${n}=${d.toString()}`)), 2);
    assert.deepEqual(seen, ['a.json={"id":"A"}', 'b.json={"id":"B"}']);
    const bomb = zip({ 'x.json': ' '.repeat(5_000_000) });
    assert.throws(() => readZip(bomb, 'bomb.zip', () => {}, { maxEntries: 10, maxEntryBytes: 1000, maxTotalBytes: 1e6 }), /bomb\.zip: x\.json: 5000000 bytes uncompressed/);
    assert.throws(() => readZip(Buffer.from('not a zip at all, really not'), 'g.zip', () => {}), /g\.zip: not a ZIP archive/);
  });
});

describe('vuln feeds: the store and imports', { skip }, () => {
  let tmp: string;
  before(() => (tmp = mkdtempSync(join(tmpdir(), 'mamori-vuln-feeds-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('imports the fixture directory into vuln-feeds.db (mode 0600), indexed by product', () => {
    const path = vulnFeedsPath(tmp);
    const store = VulnFeedStore.open(path);
    const r = importFeedDir(store, dir!);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.counts, { cve5: 11, epss: 20, kev: 1404, nvd: 10, osv: 3 });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    for (const side of [`${path}-wal`, `${path}-shm`]) assert.equal(statSync(side).mode & 0o777, 0o600, side);
    assert.equal(store.count('kev'), 1404);
    const c = store.candidates(['cpe:fortinet:fortios']);
    assert.deepEqual([...c].sort(), ['CVE-2018-13379', 'CVE-2023-27997']);
    assert.ok(store.candidates(['kev:ivanti|pulse connect secure']).has('CVE-2019-11510'));
    assert.ok(store.candidates(['osv:npm:lodash']).has('CVE-2020-8203'));
    assert.deepEqual(store.epss('CVE-1999-0001'), { probability: 0.03351, percentile: 0.88255 });
    assert.equal(store.epss('CVE-1999-0020'), undefined, 'the excerpt has no score for CVE-1999-0020');
    assert.equal(store.state('epss').cursor, '2026-09-29');
    store.close();
  });

  it('reports each bad file and record with its location, keeps the rest', () => {
    const d = join(tmp, 'hostile');
    mkdirSync(join(d, 'nvd-api-2.0'), { recursive: true });
    mkdirSync(join(d, 'kev'), { recursive: true });
    mkdirSync(join(d, 'osv-npm'), { recursive: true });
    writeFileSync(join(d, 'nvd-api-2.0', 'CVE-2099-0001.json'), '{"id": "CVE-2099-0001", "configurations": [');
    writeFileSync(join(d, 'nvd-api-2.0', 'deep.json'), '['.repeat(5000) + ']'.repeat(5000));
    writeFileSync(join(d, 'nvd-api-2.0', 'page.json'), JSON.stringify({ totalResults: 2, vulnerabilities: [{ cve: JSON.parse(readFileSync(join(dir!, 'nvd-api-2.0', 'CVE-2020-25213.json'), 'utf8')) }, { cve: { id: 'nope' } }] }));
    writeFileSync(join(d, 'kev', 'kev.json'), JSON.stringify({ catalogVersion: 'x', vulnerabilities: [{ cveID: 'CVE-2021-44228', vendorProject: 'Apache', product: 'Log4j2', dateAdded: '2021-12-10', dueDate: '2021-12-24' }, { cveID: 12 }] }));
    writeFileSync(join(d, 'osv-npm', 'x.json'), JSON.stringify({ id: 'GHSA-x', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1.0.0' }] }] }] }));
    const store = VulnFeedStore.open(':memory:');
    const r = importFeedDir(store, d);
    const where = r.problems.map((p) => `${p.where.replace(d, '')} | ${p.message.replace(d, '')}`);
    assert.equal(where.length, 5, where.join('\n'));
    assert.ok(where.some((w) => w.startsWith('/kev/kev.json: vulnerabilities[1]') && /cveID: not a string/.test(w)));
    assert.ok(where.some((w) => /CVE-2099-0001\.json \| .*not JSON/.test(w)));
    assert.ok(where.some((w) => /deep\.json \| .*nested deeper/.test(w)));
    assert.ok(where.some((w) => /page\.json: vulnerabilities\[1\] \| .*"nope" is not a CVE id/.test(w)));
    assert.ok(where.some((w) => /x\.json \| .*affected\[0\]\.ranges\[0\]\.events\[0\]: an event has exactly one/.test(w)));
    assert.equal(store.count('nvd'), 1);
    assert.equal(store.count('kev'), 1);
  });

  it('imports JVN and shows it as evidence for the products it names', () => {
    const store = VulnFeedStore.open(':memory:');
    importFeedDir(store, dir!);
    const f = join(tmp, 'jvn.xml');
    writeFileSync(f, JVN_OVERVIEW);
    const r = importFile(store, 'jvn', f);
    assert.equal(r.counts.jvn, 1);
    const m = new Matcher(store);
    const fi = m.asset({ name: 'fw', type: 'appliance', product: 'FortiOS', version: '7.2.4', exposure: 'internet', criticality: 'high' }).findings.find((x) => x.cve === 'CVE-2023-27997')!;
    assert.equal(fi.status, 'affected');
    assert.ok(fi.sources.some((s) => s.feed === 'jvn' && s.id === 'JVNDB-2023-001111'));
  });
});

describe('vuln feeds: updating from a local server', { skip }, () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  let nvdModified: unknown[] = [];
  const kevBody = () => readFileSync(join(dir!, 'kev', 'known_exploited_vulnerabilities.json'));
  before(async () => {
    nvdModified = readdirSync(join(dir!, 'nvd-api-2.0')).sort().map((f) => JSON.parse(readFileSync(join(dir!, 'nvd-api-2.0', f), 'utf8')));
    server = createServer((req, res) => {
      const u = new URL(req.url!, 'http://127.0.0.1');
      seen.push(`${u.pathname}${u.search}`);
      if (u.pathname === '/kev.json') {
        if (req.headers['if-none-match'] === '"v1"') return res.writeHead(304).end();
        return res.writeHead(200, { etag: '"v1"', 'content-type': 'application/json' }).end(kevBody());
      }
      if (u.pathname === '/nvd') {
        // pages of 4; a lastMod window answers only the records "modified" in it (the last one)
        const all = u.searchParams.has('lastModStartDate') ? nvdModified.slice(-1) : nvdModified;
        const start = Number(u.searchParams.get('startIndex'));
        const page = all.slice(start, start + 4);
        return res.writeHead(200).end(JSON.stringify({ resultsPerPage: page.length, startIndex: start, totalResults: all.length, format: 'NVD_CVE', version: '2.0', vulnerabilities: page.map((cve) => ({ cve })) }));
      }
      if (u.pathname === '/epss.csv.gz') return res.writeHead(200).end(gzipSync(readFileSync(join(dir!, 'epss', 'epss_scores-excerpt.csv'))));
      if (u.pathname === '/osv/npm/all.zip') {
        const files: Record<string, string> = {};
        for (const f of readdirSync(join(dir!, 'osv-npm'))) files[f] = readFileSync(join(dir!, 'osv-npm', f), 'utf8');
        files['broken.json'] = '{"id": 5}';
        return res.writeHead(200, { etag: '"z1"' }).end(zip(files));
      }
      if (u.pathname.startsWith('/cve/')) {
        const f = join(dir!, 'cve-json-5', `${u.pathname.slice(5)}.json`);
        let body: Buffer;
        try {
          body = readFileSync(f);
        } catch {
          return res.writeHead(404).end();
        }
        return res.writeHead(200).end(body);
      }
      if (u.pathname === '/myjvn') return res.writeHead(200).end(JVN_OVERVIEW);
      // mamori's own fixtures for the Debian tracker and IPA's alerts (testdata/distro-feeds/SOURCES.md)
      if (u.pathname === '/tracker') return res.writeHead(200).end(readFileSync(new URL('../../testdata/distro-feeds/debian-tracker/tracker.json', import.meta.url)));
      if (u.pathname === '/ipa.rdf') return res.writeHead(200).end(readFileSync(new URL('../../testdata/distro-feeds/ipa/alert-rss.rdf', import.meta.url)));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  it('fetches every feed, conditionally and incrementally, on schedule', async () => {
    const store = VulnFeedStore.open(':memory:');
    let now = Date.parse('2026-01-01T00:00:00Z');
    const urls = { kev: `${base}/kev.json`, nvd: `${base}/nvd`, epss: `${base}/epss.csv.gz`, osvBase: `${base}/osv`, cve5Api: `${base}/cve`, jvn: `${base}/myjvn`, debianTracker: `${base}/tracker`, ipa: `${base}/ipa.rdf` };
    const sleeps: number[] = [];
    const opts = { store, now: () => now, urls, sleep: async (ms: number) => void sleeps.push(ms), cve5Ids: ['CVE-2024-3400', 'CVE-2099-0001'] };
    const first = await updateFeeds(opts);
    const by = Object.fromEntries(first.map((u) => [u.feed, u]));
    assert.deepEqual(first.map((u) => `${u.feed}:${u.status}`), ['kev:updated', 'nvd:updated', 'epss:updated', 'osv:updated', 'cve5:updated', 'jvn:updated', 'debian:updated', 'ipa:updated']);
    assert.equal(by.kev!.records, 1404);
    assert.equal(by.nvd!.records, 10);
    assert.equal(by.nvd!.requests, 3, 'ten records in pages of four');
    assert.deepEqual(sleeps, [6000, 6000], 'NVD asks for a pause between pages without an API key');
    assert.equal(by.epss!.records, 20);
    assert.equal(by.osv!.records, 3);
    assert.equal(by.osv!.problems!.length, 1);
    assert.match(by.osv!.problems![0]!.where, /all\.zip!broken\.json$/);
    assert.equal(by.cve5!.records, 1);
    assert.equal(by.jvn!.records, 1);
    // nothing is due an hour later
    now += 3_600_000;
    assert.ok((await updateFeeds(opts)).every((u) => u.status === 'not-due'));
    // a day later: KEV answers 304, NVD asks only for the window since the last run
    now += 24 * 3_600_000;
    seen.length = 0;
    const second = await updateFeeds({ ...opts, feeds: ['kev', 'nvd'] });
    assert.deepEqual(second.map((u) => `${u.feed}:${u.status}:${u.records ?? '-'}`), ['kev:not-modified:-', 'nvd:updated:1']);
    const nvdQuery = seen.find((s) => s.startsWith('/nvd'))!;
    assert.match(nvdQuery, /lastModStartDate=2026-01-01T00%3A00%3A00\.000Z&lastModEndDate=2026-01-02T01%3A00%3A00\.000Z/);
    assert.equal(store.state('nvd').cursor, '2026-01-02T01:00:00.000Z');
    assert.equal(store.count('nvd'), 10);
    // what was fetched matches like an import
    const f = new Matcher(store).asset({ name: 'pa', type: 'appliance', product: 'PAN-OS', version: '10.2.9', exposure: 'internet', criticality: 'high' }).findings.find((x) => x.cve === 'CVE-2024-3400');
    assert.equal(f?.status, 'affected');
  });

  it('watchFeeds updates what is due on each tick until aborted', async () => {
    const store = VulnFeedStore.open(':memory:');
    let now = 0;
    const ticks: FeedUpdate[][] = [];
    const ac = new AbortController();
    await watchFeeds({
      store,
      now: () => now,
      feeds: ['kev'],
      urls: { kev: `${base}/kev.json` },
      signal: ac.signal,
      onUpdate: (u) => ticks.push(u),
      wait: async (ms) => {
        now += ms;
        if (ticks.length === 3) ac.abort();
      },
      tickMs: 4 * 3_600_000,
    });
    // KEV is due every 6 h: fetched at 0 h, not due at 4 h, a 304 at 8 h
    assert.deepEqual(ticks.map((t) => t[0]!.status), ['updated', 'not-due', 'not-modified']);
  });

  it('a failing feed is recorded and the others go on; http is refused unless to 127.0.0.1', async () => {
    const store = VulnFeedStore.open(':memory:');
    const r = await updateFeeds({ store, now: () => 0, feeds: ['kev', 'epss'], urls: { kev: 'http://example.invalid/kev.json', epss: `${base}/epss.csv.gz` } });
    assert.equal(r[0]!.status, 'failed');
    assert.match(r[0]!.error!, /only https:\/\/ feeds are fetched/);
    assert.equal(r[1]!.status, 'updated');
    assert.match(store.state('kev').note!, /^failed: /);
    const missing = await updateFeeds({ store, now: () => 0, feeds: ['kev'], force: true, urls: { kev: `${base}/nothing.json` } });
    assert.match(missing[0]!.error!, /answered 404/);
  });
});
