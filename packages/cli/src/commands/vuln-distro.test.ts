import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './vuln.js';
import { capture as captureRun } from './capture.case.js';

// mamori's own fixtures for distributions and IPA (packages/vuln/testdata/distro-feeds/SOURCES.md cites each fact)
const root = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
const FIXTURES = join(root, 'packages', 'vuln', 'testdata', 'distro-feeds');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-vuln-distro-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'mamori.yaml'), `data_dir: ${join(dir, 'data')}\n`);
  return { dir, config: join(dir, 'mamori.yaml') };
}

const capture = (argv: string[]) => captureRun(run, argv);

const INVENTORY = `assets:
  - { name: web/openssh-server, type: deb, product: openssh-server, version: "1:9.2p1-2+deb12u2", distro: "debian:12", source: openssh, exposure: internet }
  - { name: old/openssh-server, type: deb, product: openssh-server, version: "1:8.4p1-5+deb11u1", distro: bullseye, source: openssh, exposure: internal }
  - { name: lost/openssh-server, type: deb, product: openssh-server, version: "1:9.2p1-2+deb12u2", source: openssh }
  - { name: el/openssh-server, type: rpm, product: openssh-server, version: "8.7p1-38.el9", distro: "almalinux:9" }
`;

describe('mamori vuln: deb and rpm packages, the Debian tracker and IPA alerts', () => {
  it('check --feeds: per release, unknown without one, with the IPA alert that names no CVE listed', async () => {
    const p = project();
    writeFileSync(join(p.dir, 'inventory.yaml'), INVENTORY);
    const r = await capture(['check', '--inventory', join(p.dir, 'inventory.yaml'), '--feeds', FIXTURES, '--json', '--all']);
    assert.equal(r.code, 1, r.err);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { asset: string; cve: string; status: string; reason: string });
    const of = (asset: string, cve: string) => lines.find((l) => l.asset === asset && l.cve === cve)?.status;
    assert.equal(of('web/openssh-server', 'CVE-2024-6387'), 'affected');
    assert.equal(of('old/openssh-server', 'CVE-2024-6387'), 'not_affected');
    assert.equal(of('lost/openssh-server', 'CVE-2024-6387'), 'unknown');
    assert.equal(of('el/openssh-server', 'CVE-2024-6387'), 'affected');
    const text = await capture(['check', '--inventory', join(p.dir, 'inventory.yaml'), '--feeds', FIXTURES]);
    assert.match(text.out, /IPA alert without a CVE id \(2024-02-14\): Microsoft 製品の脆弱性対策について\(2024年2月\) https:\/\/www\.ipa\.go\.jp\/security\/security-alert\/2024\/0214-ms\.html\n/);
  });

  describe('update', () => {
    let server: Server;
    let base: string;
    before(async () => {
      server = createServer((req, res) => {
        if (req.url === '/tracker.json') return res.writeHead(200, { etag: '"a"' }).end(readFileSync(join(FIXTURES, 'debian-tracker', 'tracker.json')));
        if (req.url === '/alerts.rdf') return res.writeHead(200).end(readFileSync(join(FIXTURES, 'ipa', 'alert-rss.rdf')));
        res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    it('--import DIR and --url debianTracker=/ipa= fill the store the check reads', async () => {
      const p = project();
      const imported = await capture(['update', '--import', FIXTURES, '--config', p.config, '--json']);
      assert.equal(imported.code, 0, imported.err);
      assert.deepEqual(JSON.parse(imported.out).imported, { debian: 6, osv: 3, ipa: 3 });
      const q = project();
      const fetched = await capture(['update', '--feed', 'debian,ipa', '--url', `debianTracker=${base}/tracker.json`, '--url', `ipa=${base}/alerts.rdf`, '--config', q.config, '--json']);
      assert.equal(fetched.code, 0, fetched.err);
      assert.deepEqual(fetched.out.trim().split('\n').map((l) => { const u = JSON.parse(l) as { feed: string; status: string; records: number }; return `${u.feed}:${u.status}:${u.records}`; }), ['debian:updated:6', 'ipa:updated:3']);
      writeFileSync(join(q.dir, 'inventory.yaml'), INVENTORY);
      const r = await capture(['check', '--inventory', join(q.dir, 'inventory.yaml'), '--config', q.config, '--json']);
      const web = r.out.trim().split('\n').map((l) => JSON.parse(l) as { asset: string; cve: string; status: string; sources: { feed: string; path?: string }[] }).find((l) => l.asset === 'web/openssh-server' && l.cve === 'CVE-2024-6387')!;
      assert.equal(web.status, 'affected');
      assert.deepEqual(web.sources.map((s) => `${s.feed}:${s.path}`), ['debian:openssh.CVE-2024-6387.releases.bookworm']);
    });
  });
});
