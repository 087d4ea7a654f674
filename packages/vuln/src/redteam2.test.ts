/**
 * The second red team of @mamori/vuln (bench/redteam/README-vuln-2.md lists the findings): the
 * distributions' packages, IPA's alerts and the closed-finding life cycle. One test per finding,
 * each failing on the code before its fix; the matching cases are in
 * match/independent-distro.test.ts (the table).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { addressClass } from 'mamori/internal';
import { VulnFeedStore } from './feeds/store.js';
import { updateFeeds } from './feeds/update.js';
import { readOsv } from './feeds/osv.js';
import { readDebianTracker } from './feeds/debian-tracker.js';
import { readIpaAlerts } from './feeds/ipa.js';
import { parseXml } from './feeds/xml.js';
import { VulnDb } from './inventory/db.js';
import { parseDpkgStatus } from './inventory/discover/system-packages.js';
import { matchInventory } from './match/match.js';
import { parseCheckOutput, parseFindings } from './plan/findings-input.js';
import type { Asset } from './model.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = process.env.MAMORI_RT2_CLI ?? resolve(here, '../../cli/bin/mamori.js');
const FEEDS = resolve(here, '../testdata/distro-feeds');
const noCli = existsSync(cli) ? false : `${cli} is not there (build the cli package)`;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-rt2-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'mamori.yaml'), 'data_dir: ./data\n');
  const env = { ...process.env };
  delete env.MAMORI_CONFIG;
  delete env.MAMORI_SECRET;
  const run = (args: string[], stdin = '') =>
    new Promise<{ code: number; out: string; err: string }>((done) => {
      const child = execFile(process.execPath, [cli, 'vuln', ...args], { cwd: dir, env, maxBuffer: 16 << 20 }, (err, out, errText) => {
        done({ code: err ? ((err as { code?: number }).code ?? -1) : 0, out, err: errText });
      });
      child.stdin!.end(stdin);
    });
  return { dir, run };
}

const INVENTORY = `assets:
  - { name: web-01/openssh-server, type: deb, product: openssh-server, version: "1:9.2p1-2+deb12u2", distro: "debian:12", source: openssh }
  - { name: web-01/libssl3, type: deb, product: libssl3, version: "3.0.11-1~deb12u1", distro: "debian:12", source: openssl }
`;

/** A project whose inventory has two packages with three open findings, recorded from a real check. */
async function withFindings() {
  const p = project();
  writeFileSync(join(p.dir, 'inv.yaml'), INVENTORY);
  assert.equal((await p.run(['asset', 'add', '--file', 'inv.yaml', '--no-events'])).code, 0);
  const check = await p.run(['check', '--inventory', 'inv.yaml', '--feeds', FEEDS, '--json']);
  assert.equal(check.code, 1, check.err);
  const rec = await p.run(['plan', '-', '--no-events', '--complete', '--inventory', 'inv.yaml'], check.out);
  assert.equal(rec.code, 0, rec.err);
  const open = async () => (JSON.parse((await p.run(['finding', 'list', '--json', '--no-events'])).out) as { asset: string; cve: string; state: string }[]).filter((f) => f.state === 'open').length;
  assert.equal(await open(), 3);
  return { ...p, check: check.out, open };
}

describe('red team 2: the closed-finding life cycle', { skip: noCli }, () => {
  it('finding 1: a check that failed (an empty pipe) or was cut short never marks the findings --complete did not see as fixed', async () => {
    const p = await withFindings();
    // `mamori vuln check ... --json | mamori vuln plan - --complete`: the check failed, the plan read nothing
    const empty = await p.run(['plan', '-', '--complete', '--inventory', 'inv.yaml', '--no-events'], '');
    assert.equal(empty.code, 2, empty.out);
    assert.match(empty.err, /--complete needs the whole output of mamori vuln check --json.*nothing recorded/);
    assert.equal(await p.open(), 3, 'nothing fixed');
    // cut short: the first finding only, no summary line
    const cut = await p.run(['plan', '-', '--complete', '--inventory', 'inv.yaml', '--no-events'], `${p.check.split('\n')[0]}\n`);
    assert.equal(cut.code, 2);
    assert.equal(await p.open(), 3);
    // the whole output still works, and a check that finds nothing left fixes them
    assert.match(p.check.trimEnd().split('\n').at(-1)!, /^\{"check":"done","assets":2,/);
    const fixedInv = INVENTORY.replace('+deb12u2"', '+deb12u3"').replace('~deb12u1"', '~deb12u2"').replace('"debian:12", source: openssh', '"debian:11", source: openssh');
    writeFileSync(join(p.dir, 'inv2.yaml'), fixedInv);
    const clean = await p.run(['check', '--inventory', 'inv2.yaml', '--feeds', FEEDS, '--json']);
    const rec = await p.run(['plan', '-', '--complete', '--inventory', 'inv2.yaml', '--no-events'], clean.out);
    assert.equal(rec.code, 0, rec.err);
    assert.equal(await p.open(), 0);
  });

  it('finding 1: the summary line is passed over by plan without --complete, and refused when it is not the last line', () => {
    const f = JSON.stringify({ asset: 'a', product: 'p', version: '1', cve: 'CVE-2024-0001', status: 'affected', reason: 'r', sources: [] });
    const s = JSON.stringify({ check: 'done', assets: 1, pairs: 1 });
    assert.equal(parseFindings(`${f}\n${s}\n`, 'x').length, 1);
    assert.deepEqual(parseCheckOutput(`${f}\n${s}\n`, 'x').summary, { assets: 1, pairs: 1 });
    assert.equal(parseCheckOutput(`${f}\n`, 'x').summary, undefined);
    assert.throws(() => parseCheckOutput(`${s}\n${f}\n`, 'x'), /x:1: a check's summary line that is not the last line/);
  });

  it('finding 2: --sync with an empty inventory file, or a discovery that found nothing or could not read all, removes nothing', async () => {
    const p = await withFindings();
    const count = async () => (JSON.parse((await p.run(['asset', 'list', '--json'])).out) as unknown[]).length;
    writeFileSync(join(p.dir, 'empty.yaml'), '');
    const e = await p.run(['asset', 'add', '--file', 'empty.yaml', '--replace', '--sync', '--no-events']);
    assert.equal(e.code, 2);
    assert.match(e.err, /--sync: empty\.yaml has no assets/);
    // a status file that is garbage, and one cut short inside its second stanza
    writeFileSync(join(p.dir, 'garbage'), '\u0000\u00ff not a status file\n');
    const g = await p.run(['discover', 'dpkg', '--status', 'garbage', '--distro', 'debian:12', '--prefix', 'web-01/', '--save', '--sync', '--no-events']);
    assert.equal(g.code, 2);
    assert.match(g.err, /--sync: this discovery found no dpkg assets/);
    writeFileSync(join(p.dir, 'cut'), 'Package: openssh-server\nStatus: install ok installed\nSource: openssh\nVersion: 1:9.2p1-2+deb12u2\n\nPackage: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1');
    const c = await p.run(['discover', 'dpkg', '--status', 'cut', '--distro', 'debian:12', '--prefix', 'web-01/', '--save', '--sync', '--no-events']);
    assert.equal(c.code, 2);
    assert.match(c.err, /--sync: 1 entry could not be read.*cut:9: the file ends inside a line/);
    assert.equal(await count(), 2);
    assert.equal(await p.open(), 3, 'no finding closed');
    // without --sync what was read is saved, and nothing else changes
    const saved = await p.run(['discover', 'dpkg', '--status', 'cut', '--distro', 'debian:12', '--prefix', 'web-01/', '--save', '--no-events']);
    assert.equal(saved.code, 0, saved.err);
    assert.equal(await count(), 2);
  });

  it('finding 2: a dpkg status file cut inside a Version: line does not give the cut version (3.0.11-1 would read as newer than 3.0.11-1~deb12u2)', () => {
    const d = parseDpkgStatus('Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1', 'status');
    assert.deepEqual(d.assets, []);
    assert.equal(d.unread, 1);
    assert.match(d.notes[0]!, /status:3: the file ends inside a line/);
    assert.equal(parseDpkgStatus('Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\n', 'status').assets[0]!.version, '3.0.11-1~deb12u2');
  });

  it('finding 11: discover --save --sync without --prefix (or with a shorter one) leaves other hosts\' assets alone', async () => {
    const p = project();
    const stanza = (pkg: string) => `Package: ${pkg}\nStatus: install ok installed\nVersion: 1.0-1\n\n`;
    writeFileSync(join(p.dir, 'status'), stanza('openssh-server') + stanza('curl'));
    writeFileSync(join(p.dir, 'status-less'), stanza('openssh-server'));
    const discover = (file: string, more: string[]) => p.run(['discover', 'dpkg', '--status', file, '--distro', 'debian:12', '--save', '--no-events', ...more]);
    for (const prefix of ['web-01/', 'dc1/web-02/']) assert.equal((await discover('status', ['--prefix', prefix])).code, 0);
    const names = async () => (JSON.parse((await p.run(['asset', 'list', '--json'])).out) as { name: string }[]).map((a) => a.name).sort();
    // this host's own packages, without a prefix: the other hosts' are not "no longer found"
    const own = await discover('status-less', ['--sync']);
    assert.equal(own.code, 0, own.err);
    const sub = await discover('status-less', ['--prefix', 'dc1/', '--sync']);
    assert.equal(sub.code, 0, sub.err);
    assert.deepEqual(await names(), ['dc1/openssh-server', 'dc1/web-02/curl', 'dc1/web-02/openssh-server', 'openssh-server', 'web-01/curl', 'web-01/openssh-server']);
    // the same prefix: curl was uninstalled on web-01, and only there
    const web01 = await discover('status-less', ['--prefix', 'web-01/', '--sync']);
    assert.match(web01.out, /1 removed/);
    assert.deepEqual(await names(), ['dc1/openssh-server', 'dc1/web-02/curl', 'dc1/web-02/openssh-server', 'openssh-server', 'web-01/openssh-server']);
    // a WordPress site's themes (blog/themes/x) and plugins are still its own
    const wp = join(p.dir, 'wp');
    mkdirSync(join(wp, 'wp-includes'), { recursive: true });
    writeFileSync(join(wp, 'wp-includes', 'version.php'), "<?php\n$wp_version = '6.4.2';\n");
    mkdirSync(join(wp, 'wp-content', 'themes', 'tt'), { recursive: true });
    writeFileSync(join(wp, 'wp-content', 'themes', 'tt', 'style.css'), '/*\nTheme Name: TT\nVersion: 1.0\n*/\n');
    mkdirSync(join(wp, 'wp-content', 'plugins', 'akismet'), { recursive: true });
    writeFileSync(join(wp, 'wp-content', 'plugins', 'akismet', 'akismet.php'), '<?php\n/*\nPlugin Name: Akismet\nVersion: 5.3\n*/\n');
    const wpRun = () => p.run(['discover', 'wordpress', wp, '--site', 'blog', '--save', '--sync', '--no-events']);
    assert.equal((await wpRun()).code, 0);
    assert.ok((await names()).includes('blog/themes/tt'));
    rmSync(join(wp, 'wp-content', 'themes', 'tt'), { recursive: true });
    rmSync(join(wp, 'wp-content', 'plugins', 'akismet'), { recursive: true });
    const gone = await wpRun();
    assert.match(gone.out, /2 removed/, gone.out + gone.err);
    assert.deepEqual((await names()).filter((n) => n.startsWith('blog/')), ['blog/wordpress']);
  });

  it('held: an accepted risk whose asset is removed and added again is accepted again, with its reason and history', async () => {
    const p = await withFindings();
    const acc = await p.run(['finding', 'accept', 'web-01/libssl3', 'CVE-2023-5363', '--reason', 'compensating control', '--until', '30d', '--no-events']);
    assert.equal(acc.code, 0, acc.err);
    const before = (JSON.parse((await p.run(['finding', 'list', '--state', 'all', '--json', '--no-events'])).out) as { asset: string; cve: string; state: string; due?: string }[]).find((f) => f.cve === 'CVE-2023-5363')!;
    assert.equal((await p.run(['asset', 'remove', 'web-01/libssl3', '--no-events'])).code, 0);
    const closed = JSON.parse((await p.run(['finding', 'list', '--state', 'closed', '--json', '--no-events'])).out) as { cve: string }[];
    assert.deepEqual(closed.map((c) => c.cve), ['CVE-2023-5363']);
    assert.equal((await p.run(['asset', 'add', '--file', 'inv.yaml', '--replace', '--no-events'])).code, 0);
    const back = (JSON.parse((await p.run(['finding', 'list', '--state', 'all', '--json', '--no-events'])).out) as { cve: string; state: string; accepted?: { reason: string } }[]).find((f) => f.cve === 'CVE-2023-5363')!;
    assert.equal(back.state, 'accepted');
    assert.equal(back.accepted?.reason, 'compensating control');
    const hist = JSON.parse((await p.run(['finding', 'history', 'web-01/libssl3', '--json', '--no-events'])).out) as { action: string }[];
    assert.deepEqual(hist.map((h) => h.action), ['new', 'accepted', 'closed', 'asset-back']);
    assert.ok(before.state === 'accepted');
  });
});

describe('red team 2: the inventory database under concurrent runs', () => {
  it('finding 4: a transaction that read before another process wrote still commits (BEGIN IMMEDIATE), instead of failing with SQLITE_BUSY', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-rt2-db-'));
    dirs.push(dir);
    const path = join(dir, 'vuln.db');
    const db = VulnDb.open(path);
    const other = new Database(path);
    other.pragma('busy_timeout = 0');
    const a = (name: string): Asset => ({ name, type: 'npm', product: 'lodash', version: '4.17.20', exposure: 'internet', criticality: 'medium', owner: 'x' });
    let otherWrote: boolean | undefined;
    try {
      db.transaction(() => {
        db.assets(); // read first, as recordCheck and saveInventory do
        try {
          other.prepare('BEGIN IMMEDIATE').run();
          other.prepare('COMMIT').run();
          otherWrote = true;
        } catch {
          otherWrote = false; // the write lock is ours: the other run waits for it (its busy timeout)
        }
        db.putAssets([a('one')], 1);
      });
      assert.equal(otherWrote, false);
      assert.deepEqual(db.assets().map((x) => x.name), ['one']);
    } finally {
      other.close();
      db.close();
    }
  });
});

describe('red team 2: exit codes', { skip: noCli }, () => {
  it('finding 5: mamori vuln check that cannot run exits 2 (1 means "something affected")', async () => {
    const p = project();
    writeFileSync(join(p.dir, 'inv.yaml'), INVENTORY);
    mkdirSync(join(p.dir, 'empty'));
    const r = await p.run(['check', '--inventory', 'inv.yaml', '--feeds', 'empty', '--json']);
    assert.equal(r.code, 2);
    assert.match(r.err, /no feed found/);
    const noStore = await p.run(['check', '--inventory', 'inv.yaml']);
    assert.equal(noStore.code, 2);
  });
});

describe('red team 2: releases no feed covers', () => {
  it('finding 3: a package of a release no feed has a record for is unknown (not silence), with one problem line per release', () => {
    const store = VulnFeedStore.open(':memory:');
    const rec = readOsv({ id: 'DEBIAN-CVE-2024-6387', upstream: ['CVE-2024-6387'], modified: '2024-07-10T00:00:00Z', affected: [{ package: { ecosystem: 'Debian:12', name: 'openssh' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:9.2p1-2+deb12u3' }] }] }] }, 'f');
    store.put('osv', [rec]);
    const pkg = (name: string, distro: string): Asset => ({ name, type: 'deb', product: 'openssh-server', version: '1:9.2p1-2+deb12u2', distro, source: 'openssh', exposure: 'internet', criticality: 'medium', owner: 'x' });
    const r = matchInventory(store, [pkg('old-1', 'debian:10'), pkg('old-2', 'debian:10'), pkg('cur', 'debian:12')]);
    store.close();
    assert.deepEqual(r.findings.map((f) => [f.asset, f.status]), [['old-1', 'unknown'], ['old-2', 'unknown'], ['cur', 'affected']]);
    assert.match(r.findings[0]!.reason, /no feed in the store has a record for Debian 10 \(debian:10\)/);
    assert.deepEqual(r.problems.map((p) => p.asset), ['old-1 and 1 more']);
  });
});

describe('red team 2: IPA alerts', () => {
  const rss = (title: string, desc = '') => `<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"><item rdf:about="https://www.ipa.go.jp/a"><title>${title}</title><link>https://www.ipa.go.jp/a</link><description>${desc}</description></item></rdf:RDF>`;
  it('finding 6: CVE ids are whole words: not the first digits of a longer number, not inside another id', () => {
    const r = readIpaAlerts(rss('FortiOS の脆弱性対策について(CVE-2024-21762等)', 'CVE-2024-217621234, xCVE-2023-46805, <![CDATA[CVE-2023-4966]]>'), 'f');
    assert.deepEqual(r.alerts[0]!.cves, ['CVE-2024-21762', 'CVE-2023-4966']);
  });
  it('finding 7: text past the 64 KiB an element keeps is not decoded (8 MiB of &amp; took 4 s to decode and drop)', () => {
    const doc = parseXml(`<a>${'x'.repeat(100_000)}&#0;</a>`, 'f');
    assert.equal(doc.children[0]!.text.length, 65_536 + 16);
    assert.throws(() => parseXml(`<a>x&#0;</a>`, 'f'), /bad character reference/);
  });
  it('held: DTDs (billion laughs, XXE with file://), undeclared entities, unclosed and deep elements are refused with the line', () => {
    assert.throws(() => readIpaAlerts(`<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><rdf:RDF/>`, 'f'), /f:2: DOCTYPE and DTDs are not read/);
    assert.throws(() => readIpaAlerts(`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rdf:RDF>&x;</rdf:RDF>`, 'f'), /DOCTYPE and DTDs are not read/);
    assert.throws(() => readIpaAlerts(rss('&xxe;'), 'f'), /unknown entity &xxe;/);
    assert.throws(() => readIpaAlerts(rss('<b>open'), 'f'), /does not close/);
    assert.throws(() => readIpaAlerts(`<rdf:RDF>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</rdf:RDF>`, 'f'), /nested deeper than 16/);
  });
});

describe('red team 2: a feed that shrinks', () => {
  const kev = (n: number) =>
    JSON.stringify({
      catalogVersion: `2024.01.${n}`,
      dateReleased: '2024-01-31T00:00:00.000Z',
      count: n,
      vulnerabilities: Array.from({ length: n }, (_, i) => ({ cveID: `CVE-2024-${String(10000 + i)}`, vendorProject: 'Fortinet', product: 'FortiOS', vulnerabilityName: 'x', dateAdded: '2024-01-10', shortDescription: 'x', requiredAction: 'x', dueDate: '2024-01-31', knownRansomwareCampaignUse: 'Unknown', notes: '' })),
    });
  const tracker = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`pkg${i}`, { [`CVE-2024-${20000 + i}`]: { releases: { bookworm: { status: 'open', urgency: 'low' } } } }])));

  it('finding 8: a KEV catalog or a tracker export with fewer than half the entries held is refused, and the store keeps what it had', async () => {
    let size = 300;
    const server = createServer((req, res) => {
      const body = req.url === '/kev.json' ? kev(size) : tracker(size);
      res.writeHead(200, { etag: `"${size}"`, 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const store = VulnFeedStore.open(':memory:');
    try {
      const opts = { store, now: () => Date.parse('2024-02-01'), feeds: ['kev', 'debian'] as const, force: true, urls: { kev: `${base}/kev.json`, debianTracker: `${base}/tracker.json` } };
      const first = await updateFeeds(opts);
      assert.deepEqual(first.map((u) => `${u.feed}:${u.status}:${u.records}`), ['kev:updated:300', 'debian:updated:300']);
      size = 12; // a cut or stale copy (a mirror, a cache)
      const second = await updateFeeds(opts);
      assert.deepEqual(second.map((u) => `${u.feed}:${u.status}`), ['kev:failed', 'debian:failed']);
      assert.match(second[0]!.error!, /12 KEV entries, fewer than half of the 300 the store has/);
      assert.match(second[1]!.error!, /12 \(package, CVE\) entries, fewer than half of the 300 the store has/);
      assert.equal(store.count('kev'), 300);
      assert.equal(store.count('debian'), 300);
      size = 200; // growth and small changes still go through
      const third = await updateFeeds(opts);
      assert.deepEqual(third.map((u) => `${u.feed}:${u.status}:${u.records}`), ['kev:updated:200', 'debian:updated:200']);
    } finally {
      store.close();
      server.close();
    }
  });
});

describe('red team 2: Debian kernel images', () => {
  it('finding 10: linux-image-* (Source: linux-signed-amd64 (6.1.170+3), Version: 6.1.170-3) is matched as linux, whose records the tracker files kernel flaws under', () => {
    // the shapes as Debian 12's archive has them (apt-cache show linux-image-6.1.0-47-amd64)
    const store = VulnFeedStore.open(':memory:');
    store.put('debian', readDebianTracker({ linux: { 'CVE-2024-26925': { releases: { bookworm: { status: 'resolved', fixed_version: '6.1.170-3', urgency: 'not yet assigned' } } } } }, 't').records);
    const img = (version: string, src: string): Asset => ({ name: `k-${version}`, type: 'deb', product: 'linux-image-6.1.0-47-amd64', version, distro: 'debian:12', source: src, exposure: 'internet', criticality: 'medium', owner: 'x' });
    const r = matchInventory(store, [img('6.1.164-1', 'linux-signed-amd64 (6.1.164+1)'), img('6.1.170-3', 'linux-signed-amd64 (6.1.170+3)')]);
    store.close();
    assert.deepEqual(r.findings.map((f) => [f.asset, f.status]), [['k-6.1.164-1', 'affected'], ['k-6.1.170-3', 'not_affected']]);
    assert.match(r.findings[0]!.reason, /6\.1\.164-1 is below 6\.1\.170-3, the fix in Debian 12 \(bookworm\)/);
  });
});

describe('red team 2: a feed that redirects into the network mamori runs in', () => {
  it('a redirect from a public address to a private one is refused, naming --allow-private-redirects; allowed with it', async () => {
    let hits = 0;
    const inside = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ catalogVersion: '2024.01.1', dateReleased: '2024-01-31T00:00:00.000Z', count: 1, vulnerabilities: [{ cveID: 'CVE-2024-10000', vendorProject: 'Fortinet', product: 'FortiOS', vulnerabilityName: 'x', dateAdded: '2024-01-10', shortDescription: 'x', requiredAction: 'x', dueDate: '2024-01-31', knownRansomwareCampaignUse: 'Unknown', notes: '' }] }));
    });
    await new Promise<void>((r) => inside.listen(0, '127.0.0.1', r));
    const insideUrl = `http://127.0.0.1:${(inside.address() as AddressInfo).port}/mirror/kev.json`;
    const feed = createServer((_req, res) => res.writeHead(302, { location: insideUrl }).end());
    await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
    const feedPort = String((feed.address() as AddressInfo).port);
    // Every test server is 127.0.0.1: the feed's port is classed "public", as a feed on the internet would be.
    const classify = (address: string, url: URL) => (url.port === feedPort ? 'public' as const : addressClass(address));
    const store = VulnFeedStore.open(':memory:');
    try {
      const opts = { store, now: () => Date.parse('2024-02-01'), feeds: ['kev'] as const, force: true, urls: { kev: `http://127.0.0.1:${feedPort}/kev.json` } };
      const refused = await updateFeeds({ ...opts, addresses: { classify } });
      assert.equal(refused[0]!.status, 'failed');
      assert.match(refused[0]!.error!, /kev\.json: a redirect from a public address leads to 127\.0\.0\.1, .*refused .*`mamori vuln update --allow-private-redirects`/);
      assert.equal(hits, 0, 'no request reached the inside server');
      const allowed = await updateFeeds({ ...opts, addresses: { classify, allowPrivateRedirects: true } });
      assert.equal(hits, 1);
      assert.equal(`${allowed[0]!.status}:${allowed[0]!.records}`, 'updated:1', allowed[0]!.error);
    } finally {
      store.close();
      feed.close();
      inside.close();
    }
  });
});

describe('red team 2: a feed server that redirects to another host', () => {
  it('finding 12: the NVD API key goes to the feed\'s own origin only, never on to the host a redirect names', async () => {
    const seen: { where: string; apiKey: string | undefined }[] = [];
    const other = createServer((req, res) => {
      seen.push({ where: 'other', apiKey: req.headers.apikey as string | undefined });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ resultsPerPage: 0, startIndex: 0, totalResults: 0, format: 'NVD_CVE', version: '2.0', timestamp: '2024-01-01T00:00:00.000', vulnerabilities: [] }));
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const feed = createServer((req, res) => {
      seen.push({ where: 'feed', apiKey: req.headers.apikey as string | undefined });
      res.writeHead(302, { location: `${otherBase}/collect${req.url!.slice(req.url!.indexOf('?'))}` }).end();
    });
    await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
    const store = VulnFeedStore.open(':memory:');
    try {
      await updateFeeds({ store, now: () => Date.parse('2024-02-01'), feeds: ['nvd'], force: true, nvdApiKey: 'secret-key-123', sleep: async () => {}, urls: { nvd: `http://127.0.0.1:${(feed.address() as AddressInfo).port}/rest/json/cves/2.0` } });
      assert.deepEqual(seen.slice(0, 2), [{ where: 'feed', apiKey: 'secret-key-123' }, { where: 'other', apiKey: undefined }]);
    } finally {
      store.close();
      feed.close();
      other.close();
    }
  });
});
