/**
 * Red-team findings on @mamori/vuln, one test each (bench/redteam/README-vuln.md lists them):
 * hostile feed files, inventories and feed servers, and records that must never turn into a
 * wrong "not_affected". The matching cases found by the independent table are in
 * match/independent.test.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson } from './feeds/json.js';
import { readNvdCve } from './feeds/nvd.js';
import { readCve5 } from './feeds/cve5.js';
import { readOsv } from './feeds/osv.js';
import { VulnFeedStore } from './feeds/store.js';
import { updateFeeds } from './feeds/update.js';
import { parseInventoryYaml } from './inventory/inventory-file.js';
import { parseDpkgStatus } from './inventory/discover/system-packages.js';
import { parsePackageLock, parseYarnLock } from './inventory/discover/npm.js';
import { parseCycloneDx } from './inventory/discover/cyclonedx.js';
import { Matcher } from './match/match.js';
import { parseInventory, readInventory } from './match/read-inventory.js';
import type { Asset } from './model.js';

const asset = (product: string, version: string, type: Asset['type'] = 'appliance'): Asset => ({ name: 'a', type, product, version, exposure: 'internet', criticality: 'high', owner: 'x' });

function matchOne(a: Asset, put: (s: VulnFeedStore) => void) {
  const store = VulnFeedStore.open(':memory:');
  put(store);
  const r = new Matcher(store).asset(a);
  store.close();
  return r.findings;
}

describe('red team: hostile feed files', () => {
  it('finding 3: deep JSON is refused by a linear scan before JSON.parse builds it', () => {
    // Unterminated, so JSON.parse alone would say "not JSON" after building a million arrays.
    assert.throws(() => parseJson('['.repeat(1_000_000), 'nvd-api-2.0/deep.json'), /nvd-api-2\.0\/deep\.json: nested deeper than 64 levels/);
  });

  it('brackets inside strings are not nesting', () => {
    assert.deepEqual(parseJson(`{"a":"${'['.repeat(100)}\\"{{{"}`, 'ok.json'), { a: `${'['.repeat(100)}"{{{` });
  });

  it('finding 4: a CVSS base score outside 0..10 is refused with its path (NVD and CVE 5)', () => {
    const nvd = { id: 'CVE-2024-0001', metrics: { cvssMetricV31: [{ cvssData: { version: '3.1', baseScore: 1e308, vectorString: 'CVSS:3.1/AV:N' } }] } };
    assert.throws(() => readNvdCve(nvd, 'n.json'), /n\.json: metrics\.cvssMetricV31\[0\]\.cvssData\.baseScore: 1e\+308 is not a CVSS score/);
    const cve5 = { cveMetadata: { cveId: 'CVE-2024-0001' }, containers: { cna: { metrics: [{ cvssV3_1: { version: '3.1', baseScore: -3, vectorString: 'x' } }] } } };
    assert.throws(() => readCve5(cve5, 'c.json'), /c\.json: containers\.cna\.metrics\[0\]\.cvssV3_1\.baseScore: -3 is not a CVSS score/);
  });

  it('bounds a record cannot read make the answer unknown, never not_affected', () => {
    const nvd = readNvdCve({ id: 'CVE-2024-0002', configurations: [{ nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*', versionStartIncluding: '7.2.0', versionEndExcluding: '7.2.x' }] }] }] }, 'n.json');
    const cve5 = readCve5({ cveMetadata: { cveId: 'CVE-2024-0003' }, containers: { cna: { affected: [{ vendor: 'Fortinet', product: 'FortiOS', defaultStatus: 'unaffected', versions: [{ version: '7.2.0', lessThan: 'see advisory', status: 'affected' }] }] } } }, 'c.json');
    const f = matchOne(asset('FortiOS', '7.2.4'), (s) => {
      s.put('nvd', [nvd]);
      s.put('cve5', [cve5]);
    });
    assert.deepEqual(f.map((x) => [x.cve, x.status]), [['CVE-2024-0002', 'unknown'], ['CVE-2024-0003', 'unknown']]);
  });

  it('finding 6: an OSV advisory for the package with GIT ranges only gives unknown, not silence', () => {
    const osv = readOsv({ id: 'GHSA-xxxx-xxxx-xxxx', aliases: ['CVE-2024-0004'], affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'GIT', repo: 'https://example.invalid/x', events: [{ introduced: '0' }, { fixed: 'abcdef1' }] }] }] }, 'osv.json');
    const f = matchOne(asset('left-pad', '1.3.0', 'npm'), (s) => s.put('osv', [osv]));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.status, 'unknown');
    assert.match(f[0]!.reason, /GIT ranges only/);
  });
});

describe('red team: hostile inventories', () => {
  it('finding 5: bidirectional overrides in a name are refused with their location', () => {
    const r = parseInventoryYaml('assets:\n  - { name: "edge\u202egpv", type: appliance, product: FortiOS, version: "7.2.4" }\n', 'inventory.yaml');
    assert.equal(r.ok, false);
    assert.match(JSON.stringify(r), /inventory\.yaml:2:\d+.*name holds a control character/);
  });
});

describe('red team: hostile feed servers', () => {
  let server: Server;
  let base = '';
  const open = new Set<import('node:http').ServerResponse>();
  before(async () => {
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (u.pathname === '/redirect-http') return res.writeHead(302, { location: `http://localhost:${(server.address() as { port: number }).port}/kev.json` }).end();
      if (u.pathname === '/hang') {
        open.add(res);
        return res.writeHead(200); // headers, then nothing
      }
      if (u.pathname === '/endless') {
        // Far more than the limit, sent until the client goes away.
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (res.write(chunk)) if (res.destroyed) return;
          res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        return pump();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    for (const r of open) r.destroy();
    server.closeAllConnections();
    server.close();
  });

  it('a redirect to plain http elsewhere, a server that hangs, and an endless body each fail the feed, cleanly', async () => {
    const store = VulnFeedStore.open(':memory:');
    const limits = { maxBytes: 1024 * 1024, timeoutMs: 20_000, idleMs: 300, maxRedirects: 5 };
    const r1 = await updateFeeds({ store, now: () => 0, feeds: ['kev'], force: true, limits, urls: { kev: `${base}/redirect-http` } });
    assert.equal(r1[0]!.status, 'failed');
    assert.match(r1[0]!.error!, /only https:\/\//);
    const r2 = await updateFeeds({ store, now: () => 0, feeds: ['kev'], force: true, limits, urls: { kev: `${base}/hang` } });
    assert.equal(r2[0]!.status, 'failed');
    assert.match(r2[0]!.error!, /no data for/);
    const r3 = await updateFeeds({ store, now: () => 0, feeds: ['kev'], force: true, limits, urls: { kev: `${base}/endless` } });
    assert.equal(r3[0]!.status, 'failed');
    assert.match(r3[0]!.error!, /more than the 1048576 bytes allowed/);
    assert.equal(store.records('kev', 'CVE-2024-3400').length, 0);
    store.close();
  });
});

describe('red team: installed versions matching must not misread', () => {
  it('finding 8: a NetScaler version naming two editions, or another edition than the product, is not comparable', () => {
    const cve5 = readCve5({ cveMetadata: { cveId: 'CVE-2023-4966' }, containers: { cna: { affected: [{ vendor: 'Citrix', product: 'NetScaler ADC', defaultStatus: 'unaffected', versions: [{ version: '13.1', lessThan: '49.15', status: 'affected' }, { version: '12.1-FIPS', lessThan: '55.300', status: 'affected' }, { version: '12.1-NDcPP', lessThan: '55.300', status: 'affected' }] }] } } }, 'cve-json-5/CVE-2023-4966.json');
    const both = matchOne(asset('NetScaler ADC', '12.1-55.299 FIPS NDcPP'), (s) => s.put('cve5', [cve5]));
    assert.equal(both[0]?.status, 'unknown', JSON.stringify(both[0]));
    assert.match(both[0]!.reason, /names 2 editions/);
    const clash = matchOne(asset('NetScaler ADC FIPS', '12.1-55.300 NDcPP'), (s) => s.put('cve5', [cve5]));
    assert.equal(clash[0]?.status, 'unknown', JSON.stringify(clash[0]));
    const one = matchOne(asset('NetScaler ADC', '12.1-55.299 FIPS'), (s) => s.put('cve5', [cve5]));
    assert.equal(one[0]?.status, 'affected');
  });

  it('finding 7: an Ivanti version naming only a train is unknown, not read as the GA release', () => {
    const nvd = readNvdCve({ id: 'CVE-2024-21887', configurations: [{ nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:a:ivanti:connect_secure:9.1:r1:*:*:*:*:*:*' }, { vulnerable: true, criteria: 'cpe:2.3:a:ivanti:connect_secure:9.1:r18:*:*:*:*:*:*' }] }] }] }, 'n.json');
    const f = matchOne(asset('Ivanti Connect Secure', '9.1'), (s) => s.put('nvd', [nvd]));
    assert.equal(f[0]?.status, 'unknown');
    assert.match(f[0]!.reason, /the version 9\.1 names a train, not a release/);
  });

  it('finding 7: a bare train is decided where every release of the train compares the same', () => {
    const ranged = readNvdCve({ id: 'CVE-2024-21887', configurations: [{ nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:a:ivanti:connect_secure:*:*:*:*:*:*:*:*', versionStartIncluding: '9.0', versionEndExcluding: '22.7:r2.5' }] }] }] }, 'n.json');
    // every 9.1 release (GA to R18 and beyond) lies inside 9.0 <= v < 22.7R2.5
    assert.equal(matchOne(asset('Ivanti Connect Secure', '9.1'), (s) => s.put('nvd', [ranged]))[0]?.status, 'affected');
    // no 22.8 release lies inside it
    assert.equal(matchOne(asset('Ivanti Connect Secure', '22.8'), (s) => s.put('nvd', [ranged]))[0]?.status, 'not_affected');
    // the bound 22.7R2.5 falls inside train 22.7: some releases are in, some are not
    const mid = matchOne(asset('Ivanti Connect Secure', '22.7'), (s) => s.put('nvd', [ranged]))[0]!;
    assert.equal(mid.status, 'unknown');
    assert.match(mid.reason, /names a train, not a release.*some releases of the train are within/);
    // a listed release of another train says nothing of 9.1's releases: not affected
    const other = readNvdCve({ id: 'CVE-2024-21887', configurations: [{ nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:a:ivanti:connect_secure:22.7:r2.3:*:*:*:*:*:*' }] }] }] }, 'n.json');
    assert.equal(matchOne(asset('Ivanti Connect Secure', '9.1'), (s) => s.put('nvd', [other]))[0]?.status, 'not_affected');
    // a release written out is compared as before
    assert.equal(matchOne(asset('Ivanti Connect Secure', '9.1R18'), (s) => s.put('nvd', [ranged]))[0]?.status, 'affected');
  });
});

describe('red team: hostile dpkg status files', () => {
  it('finding 9: a stanza with Version: (or Package:, Status:) twice is skipped with a note, not read as its last value', () => {
    const d = parseDpkgStatus('Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u1\nVersion: 99.0\n\nPackage: curl\nStatus: install ok installed\nVersion: 7.88.1-10\n', 'status');
    assert.deepEqual(d.assets.map((a) => [a.product, a.version]), [['curl', '7.88.1-10']]);
    assert.match(d.notes.join('\n'), /status:1: openssl: the field Version appears twice: skipped/);
  });
});

describe('red team: npm aliases in lock files', () => {
  it('finding 10: an aliased package (npm:real@version) is discovered as the real package, so its advisories match', () => {
    const v1 = parsePackageLock(JSON.stringify({ lockfileVersion: 1, dependencies: { 'lodash-old': { version: 'npm:lodash@4.17.19' }, '@s/x': { version: 'npm:@scope/real@1.0.0' } } }), 'package-lock.json');
    assert.deepEqual(v1.assets.map((a) => [a.product, a.version]), [['lodash', '4.17.19'], ['@scope/real', '1.0.0']]);
    const yarn1 = parseYarnLock('"lodash-old@npm:lodash@^4.17.0":\n  version "4.17.19"\n\n"@s/y@npm:@scope/real@^1":\n  version "1.0.0"\n\nplain@^2:\n  version "2.0.0"\n', 'yarn.lock');
    assert.deepEqual(yarn1.assets.map((a) => [a.product, a.version]), [['lodash', '4.17.19'], ['@scope/real', '1.0.0'], ['plain', '2.0.0']]);
    const berry = parseYarnLock('__metadata:\n  version: 6\n"lodash@npm:^4.17.0":\n  version: 4.17.19\n  resolution: "lodash@npm:4.17.19"\n', 'yarn.lock');
    assert.deepEqual(berry.assets.map((a) => [a.product, a.version]), [['lodash', '4.17.19']]);
  });
});

describe('red team: CycloneDX purls', () => {
  it('finding 11: the epoch qualifier of a deb or rpm purl is kept in the version; a purl and version that disagree are noted', () => {
    const d = parseCycloneDx(JSON.stringify({ bomFormat: 'CycloneDX', components: [
      { type: 'library', name: 'openssl', purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&epoch=1' },
      { type: 'library', name: 'openssl', purl: 'pkg:rpm/redhat/openssl@3.0.7-24.el9?epoch=1' },
      { type: 'library', name: 'bash', purl: 'pkg:deb/debian/bash@5.2.15-2?epoch=0' },
      { type: 'library', name: 'evil', purl: 'pkg:deb/debian/evil@1.0?epoch=x' },
      { type: 'library', name: 'lodash', version: '4.17.21', purl: 'pkg:npm/lodash@4.17.19' },
    ] }), 'sbom.json');
    assert.deepEqual(d.assets.map((a) => [a.type, a.product, a.version]), [['deb', 'openssl', '1:3.0.11-1~deb12u1'], ['rpm', 'openssl', '1:3.0.7-24.el9'], ['deb', 'bash', '5.2.15-2'], ['npm', 'lodash', '4.17.19']]);
    assert.match(d.notes.join('\n'), /components\[3\]: evil: epoch "x" is not a number: skipped/);
    assert.match(d.notes.join('\n'), /components\[4\]: lodash: the purl says "4\.17\.19", the component's version "4\.17\.21"/);
  });
});

describe('red team: the inventory as mamori vuln check reads it', () => {
  it('finding 12: the documented example is read (internet-facing), exposure defaults to internet, deep nesting, control characters and FIFOs are refused', () => {
    const doc = parseInventory('assets:\n  - name: edge-vpn\n    type: appliance\n    product: Ivanti Connect Secure\n    version: "22.7R2.3"\n    exposure: internet-facing\n  - { name: shop/wp-file-manager, type: wordpress-plugin, product: wp-file-manager, version: "6.8" }\n', 'inventory.yaml');
    assert.deepEqual(doc.map((a) => a.exposure), ['internet', 'internet']);
    assert.throws(() => parseInventory(`assets: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, 'inventory.yaml'), /inventory\.yaml:1:\d+: not read: collections nested deeper than 64/);
    assert.throws(() => parseInventory('assets:\n  - { name: "a\\u001b[31mb", type: npm, product: lodash, version: "4.17.19" }\n', 'inventory.yaml'), /inventory\.yaml:2: assets\[0\]: name holds a control character/);
    const dir = mkdtempSync(join(tmpdir(), 'mamori-rt-'));
    try {
      const fifo = join(dir, 'inventory.yaml');
      execFileSync('mkfifo', [fifo]);
      assert.throws(() => readInventory(fifo), /inventory\.yaml: cannot read the inventory: not a regular file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
