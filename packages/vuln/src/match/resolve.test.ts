import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRODUCTS } from '../data/products.js';
import { PANOS_FIXES } from '../data/panos-fixes.js';
import { kevKey } from '../feeds/kev.js';
import { GRAMMARS } from '../versions/builtins.js';
import { isVersion } from '../versions/grammar.js';
import { feedFixtures } from './fixtures.js';
import { resolveProduct, type ResolvedProduct } from './resolve.js';

const resolved = (type: Parameters<typeof resolveProduct>[0]['type'], product: string): ResolvedProduct => {
  const r = resolveProduct({ type, product });
  assert.ok(!('problem' in r), `${product}: ${'problem' in r ? r.problem : ''}`);
  return r;
};

describe('product name mapping (data)', () => {
  it('user names resolve to one product, its grammar and its names in each feed', () => {
    const fortios = resolved('appliance', 'FortiOS');
    assert.equal(fortios.grammar.name, 'fortios');
    assert.ok(fortios.keys.includes('cpe:fortinet:fortios'));
    const ics = resolved('appliance', 'Ivanti Connect Secure');
    assert.equal(resolved('appliance', 'pulse connect secure').spec, ics.spec);
    assert.ok(ics.keys.includes('kev:ivanti|pulse connect secure'));
    assert.ok(ics.keys.includes('kev:pulse secure|pulse connect secure'));
    assert.ok(ics.keys.includes('cpe:ivanti:connect_secure'));
    const fips = resolved('appliance', 'NetScaler ADC FIPS');
    assert.equal(fips.spec.edition, 'fips');
    assert.ok(fips.keys.includes('cpe:citrix:netscaler_application_delivery_controller'));
    assert.equal(resolved('appliance', 'netscaler adc').spec.edition, undefined);
    assert.equal(resolved('appliance', 'PAN-OS').grammar.name, 'panos');
    assert.ok(resolved('appliance', 'PAN-OS').keys.includes('cpe:paloaltonetworks:pan-os'));
    const wfm = resolved('wordpress-plugin', 'wp-file-manager');
    assert.equal(wfm.spec.targetSw, 'wordpress');
    assert.ok(wfm.keys.includes('cpe:webdesi9:file_manager'));
    assert.ok(wfm.keys.includes('kev:wordpress|file manager plugin'));
    const npm = resolved('npm', 'lodash');
    assert.deepEqual(npm.keys, ['osv:npm:lodash']);
    assert.equal(npm.byName, true);
  });
  it('refuses what it does not know, and a product under the wrong type', () => {
    assert.match((resolveProduct({ type: 'appliance', product: 'SomeRouter' }) as { problem: string }).problem, /not in mamori's product name mapping/);
    assert.match((resolveProduct({ type: 'wordpress-plugin', product: 'FortiOS' }) as { problem: string }).problem, /is a appliance product, not a wordpress-plugin/);
  });
  it('every entry is well formed: known grammar, lower-case feed names, no name claimed twice', () => {
    const seen = new Map<string, string>();
    for (const p of PRODUCTS) {
      assert.ok(GRAMMARS.has(p.grammar), `${p.name}: grammar ${p.grammar}`);
      for (const c of p.cpe) assert.match(c, /^[a-z0-9_.-]+:[a-z0-9_.-]+$/, `${p.name}: cpe ${c}`);
      for (const k of [...p.cve5, ...p.kev]) assert.equal(k, k.toLowerCase(), `${p.name}: ${k}`);
      for (const n of [p.name, ...p.aliases]) {
        const key = n.toLowerCase();
        assert.ok(!seen.has(key) || seen.get(key) === p.name, `${n} is claimed by ${seen.get(key)} and ${p.name}`);
        seen.set(key, p.name);
      }
      assert.ok(p.seen.length > 0);
    }
  });
  it('the PAN-OS fixed hotfixes are PAN-OS versions of their maintenance release', () => {
    const g = GRAMMARS.get('panos')!;
    for (const [cve, f] of Object.entries(PANOS_FIXES)) {
      for (const [release, fix] of Object.entries(f.fixed)) {
        const v = g.parse(fix);
        assert.ok(isVersion(v), `${cve} ${fix}`);
        assert.equal(g.train!(v), release);
        assert.ok(f.trains.includes(release.split('.').slice(0, 2).join('.')));
      }
    }
  });
  it('the KEV names in the mapping are the names the catalog uses', { skip: feedFixtures() ? false : 'no vuln feed fixtures' }, () => {
    const kev = JSON.parse(readFileSync(join(feedFixtures()!, 'kev', 'known_exploited_vulnerabilities.json'), 'utf8')) as { vulnerabilities: { cveID: string; vendorProject: string; product: string }[] };
    const names = new Set(kev.vulnerabilities.map((v) => kevKey(v.vendorProject, v.product)));
    const byCve = new Map(kev.vulnerabilities.map((v) => [v.cveID, kevKey(v.vendorProject, v.product)]));
    // the fixture CVEs' KEV entries are each found under the product they are about
    const expect: [string, string][] = [
      ['CVE-2019-11510', 'Ivanti Connect Secure'],
      ['CVE-2024-21887', 'Ivanti Connect Secure'],
      ['CVE-2018-13379', 'FortiOS'],
      ['CVE-2023-27997', 'FortiOS'],
      ['CVE-2023-4966', 'NetScaler ADC FIPS'],
      ['CVE-2025-5777', 'NetScaler Gateway'],
      ['CVE-2019-19781', 'NetScaler ADC'],
      ['CVE-2024-3400', 'PAN-OS'],
      ['CVE-2020-25213', 'wp-file-manager'],
    ];
    for (const [cve, product] of expect) {
      const type = product === 'wp-file-manager' ? 'wordpress-plugin' : 'appliance';
      assert.ok(resolved(type, product).keys.includes(byCve.get(cve)!), `${cve}: ${byCve.get(cve)} for ${product}`);
    }
    // and no KEV name in the mapping is a typo: each is used by at least one catalog entry
    const unused = PRODUCTS.flatMap((p) => p.kev.map((k) => `kev:${k}`)).filter((k) => !names.has(k));
    assert.deepEqual(unused, []);
  });
});
