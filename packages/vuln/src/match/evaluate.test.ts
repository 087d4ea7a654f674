/**
 * Matching rules on small records written for these tests (the fixtures' table is in
 * correctness.test.ts): AND configurations whose hardware the inventory does not give,
 * negated nodes, OSV last_affected, CVE 5 changes and defaultStatus, versions that are not
 * comparable, and hostile record sizes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Asset, AssetType } from '../model.js';
import { readCve5 } from '../feeds/cve5.js';
import { readNvdCve } from '../feeds/nvd.js';
import { readOsv } from '../feeds/osv.js';
import { VulnFeedStore } from '../feeds/store.js';
import { Matcher } from './match.js';

const asset = (type: AssetType, product: string, version: string): Asset => ({ name: 'x', type, product, version, exposure: 'internet', criticality: 'high' });
const cpe = (part: string, vp: string, v = '*', ed = '*') => `cpe:2.3:${part}:${vp}:${v}:*:*:*:${ed}:*:*:*`;

function storeWith(nvd: unknown[] = [], cve5: unknown[] = [], osv: unknown[] = []): Matcher {
  const s = VulnFeedStore.open(':memory:');
  s.put('nvd', nvd.map((r, i) => readNvdCve(r, `nvd${i}`)));
  s.put('cve5', cve5.map((r, i) => readCve5(r, `cve5${i}`)));
  s.put('osv', osv.map((r, i) => readOsv(r, `osv${i}`)));
  return new Matcher(s);
}
const one = (m: Matcher, a: Asset, cve: string) => m.asset(a).findings.find((f) => f.cve === cve);

describe('vuln matching rules', () => {
  it('an AND with hardware the inventory does not name is unknown, with the reason', () => {
    const m = storeWith([
      {
        id: 'CVE-2030-0001',
        vulnStatus: 'Analyzed',
        configurations: [{ operator: 'AND', nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: cpe('o', 'fortinet:fortios'), versionStartIncluding: '7.0.0', versionEndExcluding: '7.0.9' }] }, { operator: 'OR', cpeMatch: [{ vulnerable: false, criteria: cpe('h', 'fortinet:fortigate_7000', '-') }] }] }],
      },
    ]);
    const f = one(m, asset('appliance', 'FortiOS', '7.0.5'), 'CVE-2030-0001')!;
    assert.equal(f.status, 'unknown');
    assert.match(f.reason, /applies only with cpe:2\.3:h:fortinet:fortigate_7000.*which the inventory does not say/);
    assert.equal(f.sources[0]!.path, 'configurations[0].nodes[1].cpeMatch[0]');
    assert.equal(one(m, asset('appliance', 'FortiOS', '7.0.9'), 'CVE-2030-0001')!.status, 'not_affected', 'outside the range, the hardware does not matter');
  });

  it('a negated node excludes what it names', () => {
    const m = storeWith([
      {
        id: 'CVE-2030-0002',
        configurations: [{ operator: 'AND', nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: cpe('o', 'paloaltonetworks:pan-os'), versionStartIncluding: '10.2.0', versionEndExcluding: '10.2.9' }] }, { operator: 'OR', negate: true, cpeMatch: [{ vulnerable: true, criteria: cpe('o', 'paloaltonetworks:pan-os', '10.2.5') }] }] }],
      },
    ]);
    assert.equal(one(m, asset('appliance', 'PAN-OS', '10.2.4'), 'CVE-2030-0002')!.status, 'affected');
    assert.equal(one(m, asset('appliance', 'PAN-OS', '10.2.5'), 'CVE-2030-0002')!.status, 'not_affected');
  });

  it('OSV: last_affected is inclusive, introduced respected, several introduced in one range', () => {
    const m = storeWith([], [], [
      { id: 'GHSA-test-0001', aliases: ['CVE-2030-0003'], affected: [{ package: { ecosystem: 'npm', name: 'pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.2.0' }, { last_affected: '1.4.0' }, { introduced: '2.0.0-rc.1' }, { fixed: '2.1.0' }] }] }] },
    ]);
    const s = (v: string) => one(m, asset('npm', 'pkg', v), 'CVE-2030-0003')!.status;
    assert.deepEqual(['1.1.9', '1.2.0', '1.4.0', '1.4.1', '2.0.0-beta', '2.0.0-rc.1', '2.0.5', '2.1.0'].map(s), ['not_affected', 'affected', 'affected', 'not_affected', 'not_affected', 'affected', 'affected', 'not_affected']);
    assert.equal(one(m, asset('npm', 'pkg', 'latest'), 'CVE-2030-0003')!.status, 'unknown');
  });

  it('CVE 5: changes, unaffected entries, defaultStatus affected or missing, n/a', () => {
    const rec = (id: string, affected: unknown[]) => ({ cveMetadata: { cveId: id, state: 'PUBLISHED' }, containers: { cna: { affected } } });
    const m = storeWith([], [
      rec('CVE-2030-0004', [{ vendor: 'Palo Alto Networks', product: 'PAN-OS', defaultStatus: 'affected', versions: [{ version: '9.1.0', status: 'unaffected', lessThan: '9.2.0' }] }]),
      rec('CVE-2030-0005', [{ vendor: 'Palo Alto Networks', product: 'PAN-OS', versions: [{ version: '11.0.0', status: 'affected', lessThan: '11.0.3' }] }]),
      rec('CVE-2030-0006', [{ vendor: 'Palo Alto Networks', product: 'PAN-OS', defaultStatus: 'unaffected', versions: [{ version: '11.1.0', status: 'affected', lessThan: '11.1.*', changes: [{ at: '11.1.2-h1', status: 'unaffected' }] }] }]),
    ]);
    const s = (v: string, cve: string) => one(m, asset('appliance', 'PAN-OS', v), cve)!;
    assert.equal(s('9.1.5', 'CVE-2030-0004').status, 'not_affected');
    assert.equal(s('10.0.1', 'CVE-2030-0004').status, 'affected');
    assert.match(s('10.0.1', 'CVE-2030-0004').reason, /defaultStatus affected/);
    assert.equal(s('11.0.2', 'CVE-2030-0005').status, 'affected');
    assert.equal(s('11.0.3', 'CVE-2030-0005').status, 'unknown');
    assert.match(s('11.0.3', 'CVE-2030-0005').reason, /sets no defaultStatus/);
    assert.equal(s('11.1.2', 'CVE-2030-0006').status, 'unknown', 'a bound of 11.1.* is not a PAN-OS version');
  });

  it('unknown when the installed version is not comparable; unknowns carry every reason', () => {
    const m = storeWith([{ id: 'CVE-2030-0007', configurations: [{ nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: cpe('a', 'citrix:netscaler_application_delivery_controller', '*', '-'), versionStartIncluding: '13.1', versionEndExcluding: '13.1-49.15' }] }] }] }]);
    const f = one(m, asset('appliance', 'NetScaler ADC', '13.1 build forty'), 'CVE-2030-0007')!;
    assert.equal(f.status, 'unknown');
    assert.match(f.reason, /the installed version is not comparable .*not a NetScaler version/);
    assert.equal(one(m, asset('appliance', 'NetScaler ADC', '13.1-37.164 FIPS'), 'CVE-2030-0007'), undefined, 'a FIPS appliance is another product than the standard edition');
  });

  it('hostile record sizes are refused with the path, not matched', () => {
    const many = { id: 'CVE-2030-0008', configurations: [{ nodes: [{ operator: 'OR', cpeMatch: Array.from({ length: 6000 }, () => ({ vulnerable: true, criteria: cpe('o', 'fortinet:fortios') })) }] }] };
    assert.throws(() => readNvdCve(many, 'big.json'), /big\.json: configurations\[0\]\.nodes\[0\]\.cpeMatch: more than 5000 entries/);
    assert.throws(() => readNvdCve({ id: 'CVE-2030-0009', configurations: [{ nodes: [{ operator: 'XOR', cpeMatch: [] }] }] }, 'op.json'), /operator "XOR" is neither AND nor OR/);
    assert.throws(() => readNvdCve({ id: 'CVE-2030-0010', configurations: [{ nodes: [{ cpeMatch: [{ vulnerable: true, criteria: `cpe:2.3:a:${'v'.repeat(600)}:p:*:*:*:*:*:*:*:*` }] }] }] }, 'long.json'), /longer than 512/);
  });
});
