import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedData } from 'mamori/testing';
import { run } from './vuln-check.js';
import { run as runAsset } from './vuln-asset.js';
import { capture as captureRun } from './capture.case.js';

const root = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
const shared = sharedData('vuln-feeds', 'MAMORI_VULN_FEEDS');
const FEEDS = shared.dir;
const skip = shared.missing ?? false;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const capture = (argv: string[]) => captureRun(run, argv);

function inventory(text: string): string {
  const d = mkdtempSync(join(tmpdir(), 'mamori-vuln-check-'));
  dirs.push(d);
  writeFileSync(join(d, 'inventory.yaml'), text);
  return join(d, 'inventory.yaml');
}

/** A mamori.yaml whose data directory is a fresh temporary folder; returns the file's path. */
function project(): string {
  const d = mkdtempSync(join(tmpdir(), 'mamori-vuln-check-db-'));
  dirs.push(d);
  writeFileSync(join(d, 'mamori.yaml'), `data_dir: ${JSON.stringify(join(d, 'data'))}\n`);
  return join(d, 'mamori.yaml');
}

const INVENTORY = `assets:
  - { name: edge-vpn, type: appliance, product: FortiOS, version: "v7.2.4,build1396,230131 (GA.F)", exposure: internet, owner: netops, criticality: critical }
  - { name: adc-fips, type: appliance, product: NetScaler ADC FIPS, version: "13.1-37.164", exposure: internet, criticality: high }
  - { name: fw-1, type: appliance, product: PAN-OS, version: "10.2.8-h3", exposure: internet, criticality: high }
  - { name: shop/wp-file-manager, type: wordpress-plugin, product: wp-file-manager, version: "6.8", exposure: internet, criticality: medium }
  - { name: api/express, type: npm, product: express, version: "4.19.1", exposure: internal, criticality: low }
  - { name: legacy, type: appliance, product: SomeRouter, version: "1.0", exposure: internal, criticality: low }
`;

describe('mamori vuln check', { skip }, () => {
  it('--json: one finding per line with its sources; exit 1 when something is affected', async () => {
    const r = await capture(['check', '--inventory', inventory(INVENTORY), '--feeds', FEEDS, '--json']);
    assert.equal(r.code, 1, r.err);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown> & { sources: { feed: string; id: string; path?: string }[] });
    const get = (asset: string, cve: string) => lines.find((l) => l.asset === asset && l.cve === cve);
    const fortios = get('edge-vpn', 'CVE-2023-27997')!;
    assert.deepEqual(Object.keys(fortios).slice(0, 7), ['asset', 'product', 'version', 'cve', 'status', 'reason', 'sources']);
    assert.equal(fortios.status, 'affected');
    assert.ok(fortios.sources.some((s) => s.feed === 'nvd' && s.path === 'configurations[0].nodes[0].cpeMatch[9]'));
    assert.ok(fortios.sources.some((s) => s.feed === 'kev'));
    assert.deepEqual((fortios as { kev?: unknown }).kev, { dateAdded: '2023-06-13', dueDate: '2023-07-04', ransomware: true });
    assert.equal(get('adc-fips', 'CVE-2023-4966'), undefined, 'not_affected pairs are left out without --all');
    assert.equal(get('shop/wp-file-manager', 'CVE-2020-25213')!.status, 'affected');
    assert.equal(get('api/express', 'CVE-2024-29041')!.status, 'affected');
    assert.equal(get('fw-1', 'CVE-2024-3400'), undefined, '10.2.8-h3 carries the fix');
    assert.ok(lines.some((l) => l.status === 'unknown'), 'unknowns are shown');
    assert.match(r.err, /legacy: "SomeRouter" is not in mamori's product name mapping/);
    const all = await capture(['--inventory', inventory(INVENTORY), '--feeds', FEEDS, '--json', '--all']);
    const adc = all.out.trim().split('\n').map((l) => JSON.parse(l) as { asset: string; cve: string; status: string; reason: string }).find((l) => l.asset === 'adc-fips' && l.cve === 'CVE-2023-4966')!;
    assert.equal(adc.status, 'not_affected');
  });

  it('a table by default, with the counts and the problems', async () => {
    const r = await capture(['check', '--inventory', inventory(INVENTORY), '--feeds', FEEDS]);
    assert.equal(r.code, 1);
    assert.match(r.out, /^ASSET +PRODUCT +VERSION +CVE +STATUS/);
    assert.match(r.out, /edge-vpn +FortiOS +v7\.2\.4,build1396,230131 \(GA\.F\) +CVE-2023-27997 +affected +KEV 2023-06-13/);
    assert.match(r.out, /6 assets, \d+ \(asset, CVE\) pairs: \d+ affected, \d+ unknown, \d+ not affected \(not shown; --all shows them\)/);
    assert.match(r.out, /problem: legacy: /);
  });

  it('exit 0 when nothing is affected', async () => {
    const r = await capture(['check', '--inventory', inventory('assets:\n  - { name: a, type: npm, product: lodash, version: "4.17.21", exposure: internal, criticality: low }\n'), '--feeds', FEEDS, '--json']);
    assert.equal(r.code, 0);
    // no finding, only the summary line that says the check ran to its end (plan --complete needs it)
    assert.equal(r.out, '{"check":"done","assets":1,"pairs":1,"affected":0,"unknown":0,"not_affected":1}\n');
  });

  it('refuses a bad inventory with file:line, and usage errors', async () => {
    const bad = inventory('assets:\n  - { name: a, type: npm, product: lodash, version: "1.0.0", exposure: internet, criticality: low }\n  - { name: b, type: router, product: x, version: "1", exposure: internet, criticality: low }\n');
    await assert.rejects(capture(['check', '--inventory', bad, '--feeds', FEEDS]), (e: Error & { code?: string }) => e.code === 'MAMORI_ERR_VULN_INVENTORY' && /inventory\.yaml:3: type must be one of/.test(e.message));
    const num = inventory('assets:\n  - name: a\n    type: wordpress-plugin\n    product: wp-file-manager\n    version: 6.10\n');
    await assert.rejects(capture(['check', '--inventory', num, '--feeds', FEEDS]), /inventory\.yaml:5: assets\[0\]\.version is a number; quote it/);
    const unknownKey = inventory('assets:\n  - { name: a, type: npm, product: x, version: "1.0.0", colour: red }\n');
    await assert.rejects(capture(['check', '--inventory', unknownKey, '--feeds', FEEDS]), /unknown key "colour"/);
    await assert.rejects(capture(['check', '--feeds', FEEDS, '--config', project()]), (e: Error & { code?: string }) => e.code === 'MAMORI_ERR_CLI_USAGE' && /no assets in .*vuln\.db/.test(e.message));
    await assert.rejects(capture(['check', '--inventory', bad, '--feeds', join(FEEDS, 'nope')]), (e: Error & { code?: string }) => e.code === 'MAMORI_ERR_VULN_INVENTORY' || e.code === 'MAMORI_ERR_VULN_FEED');
  });
  it('without --inventory: the inventory kept in vuln.db (asset add, discover --save) is checked', async () => {
    const config = project();
    const added = await captureRun(runAsset, ['add', '--file', inventory(INVENTORY), '--config', config]);
    assert.equal(added.code, 0, added.err);
    const fromDb = await capture(['check', '--feeds', FEEDS, '--json', '--config', config]);
    const fromFile = await capture(['check', '--inventory', inventory(INVENTORY), '--feeds', FEEDS, '--json']);
    assert.equal(fromDb.code, 1, fromDb.err);
    const sorted = (out: string) => out.trim().split('\n').sort();
    assert.deepEqual(sorted(fromDb.out), sorted(fromFile.out), 'the same answers as the file the database was filled from');
    assert.match(fromDb.out, /"asset":"edge-vpn".*"cve":"CVE-2023-27997".*"status":"affected"/);
  });
});
