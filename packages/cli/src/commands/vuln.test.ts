import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedData } from 'mamori/testing';
import { VulnFeedStore, vulnFeedsPath } from '@mamori/vuln';
import { help, helpFor, run } from './vuln.js';
import { capture as captureRun } from './capture.case.js';

const root = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
const shared = sharedData('vuln-feeds', 'MAMORI_VULN_FEEDS');
const FEEDS = shared.dir;
const skip = shared.missing ?? false;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(): { dir: string; config: string; dataDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-vuln-cli-'));
  dirs.push(dir);
  const dataDir = join(dir, 'data');
  writeFileSync(join(dir, 'mamori.yaml'), `data_dir: ${dataDir}\n`);
  return { dir, config: join(dir, 'mamori.yaml'), dataDir };
}

const capture = (argv: string[]) => captureRun(run, argv);

describe('mamori vuln: the subcommands', () => {
  it('names every subcommand in its help, gives each its own help, and refuses an unknown one', async () => {
    for (const sub of ['check', 'plan', 'finding', 'asset', 'discover', 'update']) {
      assert.match(help, new RegExp(`^  ${sub} `, 'm'));
      assert.match(await helpFor([sub, '--help']), /Usage/);
      assert.notEqual(await helpFor([sub]), help, `${sub} has help of its own`);
    }
    await assert.rejects(run(['patch']), (e: Error & { code?: string }) => e.code === 'MAMORI_ERR_CLI_USAGE' && /unknown subcommand "patch"/.test(e.message));
    await assert.rejects(run([]), (e: Error & { code?: string }) => e.code === 'MAMORI_ERR_CLI_USAGE' && /name a subcommand/.test(e.message));
  });

  it('update --import DIR fills the feed store, and check reads it without --feeds', { skip }, async () => {
    const p = project();
    const imported = await capture(['update', '--import', FEEDS, '--config', p.config, '--json']);
    assert.equal(imported.code, 0, imported.err);
    const counts = (JSON.parse(imported.out) as { imported: Record<string, number> }).imported;
    assert.ok((counts.kev ?? 0) > 1000, `KEV imported: ${JSON.stringify(counts)}`);
    const inv = join(p.dir, 'inventory.yaml');
    writeFileSync(inv, 'assets:\n  - { name: edge-vpn, type: appliance, product: FortiOS, version: "6.0.4", exposure: internet, criticality: critical }\n');
    const checked = await capture(['check', '--inventory', inv, '--config', p.config, '--json']);
    const findings = checked.out.trim().split('\n').map((l) => JSON.parse(l) as { cve: string; status: string });
    assert.equal(findings.find((f) => f.cve === 'CVE-2018-13379')?.status, 'affected', 'FortiOS 6.0.4 is in CVE-2018-13379 (6.0.0 to 6.0.4)');
    assert.equal(checked.code, 1);
  });

  it('update fetches KEV from a mirror given by --url (only when it changed), and says a failing feed failed', { skip }, async () => {
    const p = project();
    const body = readFileSync(join(FEEDS, 'kev', 'known_exploited_vulnerabilities.json'));
    let served = 0;
    const server: Server = createServer((req, res) => {
      if (req.url === '/kev.json') {
        if (req.headers['if-none-match'] === '"v1"') {
          res.writeHead(304).end();
          return;
        }
        served++;
        res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' }).end(body);
        return;
      }
      res.writeHead(500).end('down');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const first = await capture(['update', '--feed', 'kev', '--url', `kev=${base}/kev.json`, '--config', p.config, '--json']);
      assert.equal(first.code, 0, first.err);
      assert.equal((JSON.parse(first.out.trim()) as { status: string }).status, 'updated');
      const again = await capture(['update', '--feed', 'kev', '--force', '--url', `kev=${base}/kev.json`, '--config', p.config, '--json']);
      assert.equal((JSON.parse(again.out.trim()) as { status: string }).status, 'not-modified');
      assert.equal(served, 1, 'the second fetch was answered 304');
      const store = VulnFeedStore.open(vulnFeedsPath(p.dataDir));
      store.close();
      const failing = await capture(['update', '--feed', 'epss', '--force', '--url', `epss=${base}/missing.csv.gz`, '--config', p.config, '--json']);
      assert.equal(failing.code, 1);
      assert.equal((JSON.parse(failing.out.trim()) as { status: string }).status, 'failed');
    } finally {
      server.close();
    }
  });

  it('update refuses an unknown feed and a --url name it does not know', async () => {
    const p = project();
    await assert.rejects(run(['update', '--feed', 'kev,exploitdb', '--config', p.config]), /"exploitdb" is not one of/);
    await assert.rejects(run(['update', '--url', 'ftp=http://127.0.0.1/x', '--config', p.config]), /NAME is one of/);
  });
});
