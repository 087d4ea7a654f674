import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { Asset, Finding } from '../model.js';
import { Matcher } from '../match/match.js';
import { parseInventory } from '../match/read-inventory.js';
import { parseDpkgQuery, parseDpkgStatus, parseRpmQuery } from '../inventory/discover/system-packages.js';
import { prioritise } from '../plan/priority.js';
import { readDebianTracker } from './debian-tracker.js';
import { osvEcosystemRelease, parseDistro, parseOsRelease } from './distro.js';
import { importFeedDir, importFile } from './import-dir.js';
import { readIpaAlerts } from './ipa.js';
import { parseJson } from './json.js';
import { readNvdCve } from './nvd.js';
import { VulnFeedStore } from './store.js';
import { updateFeeds } from './update.js';

// Written for these tests from public advisories: testdata/distro-feeds/SOURCES.md cites each fact.
const FIXTURES = fileURLToPath(new URL('../../testdata/distro-feeds/', import.meta.url));

function pkg(product: string, version: string, more: Partial<Asset> = {}): Asset {
  return { name: `${product}@${version}`, type: 'deb', product, version, exposure: 'internet', criticality: 'medium', ...more };
}

describe('distribution releases', () => {
  it('reads releases as users, OSV and /etc/os-release write them', () => {
    assert.equal((parseDistro('debian:12') as { key: string }).key, 'debian:12');
    assert.equal((parseDistro('Debian 12') as { codename: string }).codename, 'bookworm');
    assert.equal((parseDistro('bookworm') as { key: string }).key, 'debian:12');
    assert.equal((parseDistro('AlmaLinux 9.4') as { key: string }).key, 'almalinux:9');
    assert.equal((parseDistro('Rocky Linux:9') as { family: string }).family, 'rpm');
    assert.match((parseDistro('gentoo:1') as { problem: string }).problem, /not a distribution release mamori knows/);
    assert.match((parseDistro('ubuntu:22') as { problem: string }).problem, /not a distribution release/);
    assert.deepEqual(['Debian:12', 'Ubuntu:22.04:LTS', 'Ubuntu:23.10', 'AlmaLinux:9', 'Rocky Linux:9', 'Red Hat:enterprise_linux:9::baseos', 'Ubuntu:Pro:16.04:LTS', 'npm'].map((e) => osvEcosystemRelease(e)?.key ?? null), ['debian:12', 'ubuntu:22.04', 'ubuntu:23.10', 'almalinux:9', 'rocky:9', 'rhel:9', null, null]);
    assert.equal((parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n', 'os-release') as { key: string }).key, 'debian:12');
    assert.equal((parseOsRelease('ID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n', 'os-release') as { key: string }).key, 'almalinux:9');
    assert.match((parseOsRelease('ID=debian\nVERSION_CODENAME=trixie\n', 'os-release') as { problem: string }).problem, /os-release: no ID and VERSION_ID \(a testing or unstable release, trixie/);
    // nothing is expanded: a value with $( ) is not a value
    assert.match((parseOsRelease('ID=$(reboot)\nVERSION_ID=12\n', 'os-release') as { problem: string }).problem, /no ID and VERSION_ID/);
  });
});

describe('the Debian security tracker export', () => {
  it('reads package -> CVE -> releases; TEMP- ids counted, bad entries reported with their path', () => {
    const d = readDebianTracker(parseJson(readFileSync(`${FIXTURES}debian-tracker/tracker.json`), 'tracker.json'), 'tracker.json');
    assert.deepEqual(d.records.map((r) => r.id), ['openssh/CVE-2024-6387', 'openssh/CVE-2023-38408', 'openssh/CVE-2023-51767', 'openssl/CVE-2023-5363', 'busybox/CVE-2018-1000500', 'curl/CVE-2023-38545']);
    assert.equal(d.temp, 1);
    assert.deepEqual(d.problems.map((p) => p.where), ['tracker.json: "Bad Name"', 'tracker.json: curl.CVE-2023-38545.releases.bookworm']);
    const bookworm = d.records[0]!.releases.find((r) => r.codename === 'bookworm')!;
    assert.deepEqual([bookworm.status, bookworm.fixedVersion, bookworm.path], ['resolved', '1:9.2p1-2+deb12u3', 'openssh.CVE-2024-6387.releases.bookworm']);
    assert.throws(() => readDebianTracker([1, 2], 'x.json'), /x\.json: the Debian tracker export is an object of source packages/);
  });

  it('a hostile export is refused with its file, and the store keeps the tracker it had', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-dt-'));
    try {
      const store = VulnFeedStore.open(':memory:');
      importFile(store, 'debian', `${FIXTURES}debian-tracker/tracker.json`);
      writeFileSync(join(dir, 'deep.json'), `{"a":${'{"b":'.repeat(50)}1${'}'.repeat(50)}}`);
      const deep = importFile(store, 'debian', join(dir, 'deep.json'));
      assert.match(deep.problems[0]!.message, /deep\.json: nested deeper than 8/);
      writeFileSync(join(dir, 'empty.json'), '{"openssh": {"TEMP-0000000-000000": {}}}');
      assert.match(importFile(store, 'debian', join(dir, 'empty.json')).problems[0]!.message, /no \(package, CVE\) entry could be read; the tracker data in the store is kept/);
      writeFileSync(join(dir, 'broken.json.gz'), gzipSync('{"openssh": ').subarray(0, 20));
      assert.match(importFile(store, 'debian', join(dir, 'broken.json.gz')).problems[0]!.message, /unexpected end of file/);
      assert.equal(store.count('debian'), 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deb and rpm packages matched per release', () => {
  let store: VulnFeedStore;
  let m: Matcher;
  before(() => {
    store = VulnFeedStore.open(':memory:');
    const r = importFeedDir(store, FIXTURES);
    assert.deepEqual(r.counts, { debian: 6, osv: 3, ipa: 3 });
    m = new Matcher(store);
  });
  const find = (a: Asset, cve: string): Finding | undefined => m.asset(a).findings.find((f) => f.cve === cve);
  const status = (a: Asset, cve: string) => find(a, cve)?.status;
  const bookworm = { distro: 'debian:12', source: 'openssh' };

  it('Debian 12: the tracker and OSV agree; provenance of each', () => {
    const a = pkg('openssh-server', '1:9.2p1-2+deb12u2', bookworm);
    const f = find(a, 'CVE-2024-6387')!;
    assert.equal(f.status, 'affected');
    assert.match(f.evidence!.find((e) => e.source.feed === 'debian')!.reason, /1:9\.2p1-2\+deb12u2 is below 1:9\.2p1-2\+deb12u3, the fix in Debian 12 \(bookworm\) \(Debian security tracker, openssh, the source package of openssh-server\)/);
    assert.deepEqual(f.evidence!.map((e) => `${e.source.feed}:${e.source.id}:${e.source.path}:${e.status}`).sort(), ['debian:CVE-2024-6387:openssh.CVE-2024-6387.releases.bookworm:affected', 'osv:DEBIAN-CVE-2024-6387:affected[0].ranges[0].events[0]:affected']);
    assert.equal(status(pkg('openssh-server', '1:9.2p1-2+deb12u3', bookworm), 'CVE-2024-6387'), 'not_affected');
    // deb12u2 is above CVE-2023-38408's fix deb12u1
    assert.equal(status(a, 'CVE-2023-38408'), 'not_affected');
    assert.equal(status(pkg('openssh-server', '1:9.2p1-2', bookworm), 'CVE-2023-38408'), 'affected');
  });

  it('traps: the epoch, ~ pre-releases, <not-affected>, unfixed, end-of-life', () => {
    // without its epoch 9.9p1 is epoch 0, below 1:9.2p1: dpkg says older, so affected
    assert.equal(status(pkg('openssh-server', '9.9p1-1', bookworm), 'CVE-2024-6387'), 'affected');
    assert.equal(status(pkg('openssh-server', '1:9.9p1-1', bookworm), 'CVE-2024-6387'), 'not_affected');
    const ssl = { distro: 'debian:12', source: 'openssl' };
    assert.equal(status(pkg('libssl3', '3.0.11-1~deb12u1', ssl), 'CVE-2023-5363'), 'affected');
    assert.equal(status(pkg('libssl3', '3.0.11-1~deb12u2', ssl), 'CVE-2023-5363'), 'not_affected');
    assert.equal(status(pkg('libssl3', '3.0.11-1', ssl), 'CVE-2023-5363'), 'not_affected', '3.0.11-1 sorts above 3.0.11-1~deb12u2');
    assert.equal(status(pkg('libssl3', '3.0.11~rc1-1', ssl), 'CVE-2023-5363'), 'affected', 'a ~ pre-release sorts below the release');
    // Debian 11 never had the regression: <not-affected>, whatever the version
    const bullseye = { distro: 'debian:11', source: 'openssh' };
    const na = find(pkg('openssh-server', '1:8.4p1-5+deb11u1', bullseye), 'CVE-2024-6387')!;
    assert.equal(na.status, 'not_affected');
    assert.match(na.reason, /marks Debian 11 \(bullseye\) as not affected \(<not-affected>/);
    assert.equal(status(pkg('openssh-server', '1:8.4p1-5+deb11u1', bullseye), 'CVE-2023-38408'), 'affected');
    // unfixed: affected, with no fix version to move to
    const open = find(pkg('openssh-server', '1:9.2p1-2+deb12u3', bookworm), 'CVE-2023-51767')!;
    assert.equal(open.status, 'affected');
    assert.match(open.reason, /has no fix for Debian 12 \(bookworm\) yet \(<unfixed>, urgency unimportant\): every version is affected until a fixed version is released/);
    // end-of-life: affected, and no fix will come
    const eol = find(pkg('busybox', '1:1.30.1-4', { distro: 'debian:10' }), 'CVE-2018-1000500')!;
    assert.equal(eol.status, 'affected');
    assert.match(eol.reason, /end-of-life in Debian 10 \(buster\): no security support there, and no fix will come/);
  });

  it('the tracker is keyed by source package: a binary named otherwise needs its Source', () => {
    assert.equal(status(pkg('libssl3', '3.0.11-1~deb12u1', { distro: 'debian:12' }), 'CVE-2023-5363'), undefined);
    // a binNMU: dpkg gives the source version apart, and it is the one compared
    const binnmu = find(pkg('libssl3', '3.0.11-1~deb12u1+b1', { distro: 'debian:12', source: 'openssl (3.0.11-1~deb12u1)' }), 'CVE-2023-5363')!;
    assert.equal(binnmu.status, 'affected');
    assert.match(binnmu.reason, /3\.0\.11-1~deb12u1 \(source openssl\) is below 3\.0\.11-1~deb12u2/);
  });

  it('a package whose release is not known is unknown, with the reason, never not affected', () => {
    for (const v of ['1:9.2p1-2+deb12u2', '1:9.9p1-1']) {
      const f = find(pkg('openssh-server', v, { source: 'openssh' }), 'CVE-2024-6387')!;
      assert.equal(f.status, 'unknown', v);
      assert.match(f.reason, /the distribution release of this deb package is not known/);
    }
    const odd = find(pkg('openssh-server', '1:9.9p1-1', { source: 'openssh', distro: 'gentoo:1' }), 'CVE-2024-6387')!;
    assert.equal(odd.status, 'unknown');
    // a release no record covers is not a guess either way: unknown, saying so (red team 2, finding 3; it was silence)
    assert.equal(status(pkg('openssh-server', '1:9.2p1-2', { distro: 'debian:9', source: 'openssh' }), 'CVE-2024-6387'), 'unknown');
    assert.match(find(pkg('openssh-server', '1:9.2p1-2', { distro: 'debian:9', source: 'openssh' }), 'CVE-2024-6387')!.reason, /no feed in the store has a record for Debian 9/);
    assert.match(m.asset(pkg('openssh-server', '1', { distro: 'almalinux:9' })).problem!, /almalinux:9 is a rpm distribution, but the asset is a deb package/);
  });

  it('Ubuntu and AlmaLinux through OSV, rpm versions by rpmvercmp; Ubuntu Pro entries are not read', () => {
    const jammy = { distro: 'ubuntu:22.04', source: 'openssh' };
    assert.equal(status(pkg('openssh-server', '1:8.9p1-3ubuntu0.6', jammy), 'CVE-2024-6387'), 'affected');
    assert.equal(status(pkg('openssh-server', '1:8.9p1-3ubuntu0.10', jammy), 'CVE-2024-6387'), 'not_affected');
    // only a Pro entry names 16.04, which is not read: no feed covers the release, so unknown (red team 2, finding 3)
    assert.equal(status(pkg('openssh-server', '1:7.2p2-4ubuntu2.10', { distro: 'ubuntu:16.04', source: 'openssh' }), 'CVE-2024-6387'), 'unknown');
    const el = (v: string, more: Partial<Asset> = {}): Asset => ({ ...pkg('openssh-server', v, { distro: 'almalinux:9', ...more }), type: 'rpm' });
    const f = find(el('8.7p1-38.el9'), 'CVE-2024-6387')!;
    assert.equal(f.status, 'affected');
    assert.equal(f.sources[0]!.id, 'ALSA-2024:4312');
    assert.equal(status(el('8.7p1-38.el9_4.1'), 'CVE-2024-6387'), 'not_affected');
    assert.equal(status(el('8.7p1-38.el9_4.4'), 'CVE-2024-6387'), 'not_affected');
    assert.equal(status(el('0:8.7p1-38.el9_4.1'), 'CVE-2024-6387'), 'not_affected', 'epoch 0 written out is no epoch');
    // AlmaLinux errata say nothing of Rocky, and no Rocky feed is loaded: unknown, never silence (red team 2, finding 3)
    assert.equal(status(el('8.7p1-38.el9', { distro: 'rocky:9' }), 'CVE-2024-6387'), 'unknown');
    assert.equal(status(el('8.7p1-38.el9', { distro: undefined }), 'CVE-2024-6387'), 'unknown');
  });

  it('inventory files, dpkg and rpm discovery carry the release and the source package', () => {
    const inv = parseInventory('assets:\n  - { name: web/ssh, type: deb, product: openssh-server, version: "1:9.2p1-2+deb12u2", distro: "debian:12", source: openssh }\n', 'inv.yaml');
    assert.deepEqual([inv[0]!.distro, inv[0]!.source], ['debian:12', 'openssh']);
    assert.equal(status(inv[0]!, 'CVE-2024-6387'), 'affected');
    assert.throws(() => parseInventory('assets:\n  - { name: a, type: npm, product: lodash, version: "1", distro: "debian:12" }\n', 'inv.yaml'), /inv\.yaml:2: assets\[0\]: distro and source are for deb and rpm packages only/);
    assert.throws(() => parseInventory('assets:\n  - { name: a, type: deb, product: x, version: "1", distro: "debian:sid" }\n', 'inv.yaml'), /assets\[0\]\.distro: "debian:sid" is not a distribution release/);
    const status1 = parseDpkgStatus('Package: openssh-server\nStatus: install ok installed\nSource: openssh\nVersion: 1:9.2p1-2+deb12u2\n\nPackage: libssl3\nStatus: install ok installed\nSource: openssl (3.0.11-1~deb12u1)\nVersion: 3.0.11-1~deb12u1+b1\n\nPackage: busybox\nStatus: install ok installed\nVersion: 1:1.35.0-4\n', 'status', { distro: 'debian:12' });
    assert.deepEqual(status1.assets.map((a) => [a.product, a.source ?? null, a.distro]), [['openssh-server', 'openssh', 'debian:12'], ['libssl3', 'openssl (3.0.11-1~deb12u1)', 'debian:12'], ['busybox', null, 'debian:12']]);
    const q = parseDpkgQuery('openssh-server\t1:9.2p1-2+deb12u2\tinstall ok installed\topenssh\t1:9.2p1-2+deb12u2\nlibssl3\t3.0.11-1~deb12u1+b1\tinstall ok installed\topenssl\t3.0.11-1~deb12u1\nbash\t5.2.15-2+b2\tinstall ok installed\tbash\t5.2.15-2\n', 'dpkg-query');
    assert.deepEqual(q.assets.map((a) => a.source ?? null), ['openssh', 'openssl (3.0.11-1~deb12u1)', 'bash (5.2.15-2)']);
    const r = parseRpmQuery('openssh-server\t(none)\t8.7p1\t38.el9\topenssh-8.7p1-38.el9.src.rpm\n', 'rpm -qa', { distro: 'almalinux:9' });
    assert.deepEqual(r.assets.map((a) => [a.version, a.source, a.distro]), [['8.7p1-38.el9', 'openssh', 'almalinux:9']]);
  });
});

describe('IPA urgent security alerts', () => {
  const text = () => readFileSync(`${FIXTURES}ipa/alert-rss.rdf`, 'utf8');

  it('reads the items, pulls out CVE ids, keeps alerts without one, reports the item without a link', () => {
    const r = readIpaAlerts(text(), 'alert-rss.rdf');
    assert.deepEqual(r.alerts.map((a) => a.cves), [['CVE-2023-46805', 'CVE-2024-21887'], ['CVE-2024-21762'], []]);
    assert.equal(r.alerts[1]!.description, '境界外書き込みの脆弱性 (CVE-2024-21762) が悪用されている可能性があります。 & アップデートしてください。');
    assert.deepEqual([r.alerts[2]!.title, r.alerts[2]!.link, r.alerts[2]!.date], ['Microsoft 製品の脆弱性対策について(2024年2月)', 'https://www.ipa.go.jp/security/security-alert/2024/0214-ms.html', '2024-02-14T12:00:00+09:00']);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!.message, /リンクのない項目.*is not an address: skipped/);
    assert.match(r.problems[0]!.where, /alert-rss\.rdf:\d+$/);
  });

  it('hostile documents: a DTD, an entity, deep nesting and a document that is not RSS are refused with where', () => {
    assert.throws(() => readIpaAlerts('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rdf:RDF/>', 'x.rdf'), /x\.rdf:1: DOCTYPE and DTDs are not read/);
    assert.throws(() => readIpaAlerts('<rdf:RDF><item><title>&xxe;</title></item></rdf:RDF>', 'x.rdf'), /unknown entity &xxe;/);
    assert.throws(() => readIpaAlerts(`<rdf:RDF>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</rdf:RDF>`, 'x.rdf'), /nested deeper than 16/);
    assert.throws(() => readIpaAlerts('<rss version="2.0"><channel/></rss>', 'x.rdf'), /x\.rdf: not an RSS 1\.0 document/);
  });

  it("marks a CVE's findings with the alert, and an alert raises priority as KEV does, in words", () => {
    const store = VulnFeedStore.open(':memory:');
    importFeedDir(store, FIXTURES);
    store.put('nvd', [readNvdCve({ id: 'CVE-2024-21762', configurations: [{ nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*', versionStartIncluding: '7.2.0', versionEndExcluding: '7.2.7' }] }] }] }, 'n.json')]);
    const f = new Matcher(store).asset({ name: 'fw', type: 'appliance', product: 'FortiOS', version: '7.2.4', exposure: 'internet', criticality: 'medium' }).findings.find((x) => x.cve === 'CVE-2024-21762')!;
    assert.equal(f.status, 'affected');
    assert.deepEqual(f.ipa, [{ title: 'FortiOS の SSL-VPN 機能の脆弱性対策について', link: 'https://www.ipa.go.jp/security/security-alert/2024/alert20240209.html', date: '2024-02-09T15:00:00+09:00' }]);
    assert.ok(f.sources.some((s) => s.feed === 'ipa'));
    const p = prioritise(f, { exposure: 'internet', criticality: 'medium' });
    assert.equal(p.priority, 'P1');
    assert.match(p.explanation, /^P1: IPA urgent security alert of 2024-02-09 \(FortiOS の SSL-VPN 機能の脆弱性対策について, https:\/\/www\.ipa\.go\.jp\/.*\): IPA warns of exploitation, ranked as KEV is; internet-facing/);
    // internal: P2; a low-criticality asset is not moved down for an alerted flaw
    assert.equal(prioritise(f, { exposure: 'internal', criticality: 'low' }).priority, 'P2');
    // the advisory without a CVE stays listed with its link
    assert.ok(store.list<{ title: string; cves: string[] }>('ipa', 10).some((a) => a.cves.length === 0 && a.title.startsWith('Microsoft')));
  });
});

describe('distribution feeds and IPA from a local server', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers['if-none-match'] ?? ''}`);
      if (req.url === '/tracker/data/json') {
        if (req.headers['if-none-match'] === '"t1"') return res.writeHead(304).end();
        return res.writeHead(200, { etag: '"t1"' }).end(readFileSync(`${FIXTURES}debian-tracker/tracker.json`));
      }
      if (req.url === '/alert-rss.rdf') {
        if (req.headers['if-none-match'] === '"r1"') return res.writeHead(304).end();
        return res.writeHead(200, { etag: '"r1"' }).end(readFileSync(`${FIXTURES}ipa/alert-rss.rdf`));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  it('fetches the Debian tracker and the IPA alerts, conditionally; a failed fetch keeps what the store had', async () => {
    const store = VulnFeedStore.open(':memory:');
    const urls = { debianTracker: `${base}/tracker/data/json`, ipa: `${base}/alert-rss.rdf` };
    const first = await updateFeeds({ store, now: () => 0, feeds: ['debian', 'ipa'], urls });
    assert.deepEqual(first.map((u) => `${u.feed}:${u.status}:${u.records}`), ['debian:updated:6', 'ipa:updated:3']);
    assert.equal(store.state('debian').note, '1 entries without a CVE id (TEMP-) not kept');
    const again = await updateFeeds({ store, now: () => 1, feeds: ['debian', 'ipa'], urls, force: true });
    assert.deepEqual(again.map((u) => u.status), ['not-modified', 'not-modified']);
    assert.deepEqual(seen.slice(-2), ['/tracker/data/json "t1"', '/alert-rss.rdf "r1"']);
    const broken = await updateFeeds({ store, now: () => 2, feeds: ['debian'], urls: { debianTracker: `${base}/nothing` }, force: true });
    assert.equal(broken[0]!.status, 'failed');
    assert.equal(store.count('debian'), 6);
    const f = new Matcher(store).asset(pkg('openssh-server', '1:9.2p1-2+deb12u2', { distro: 'debian:12', source: 'openssh' })).findings.find((x) => x.cve === 'CVE-2024-6387');
    assert.equal(f?.status, 'affected');
  });
});
