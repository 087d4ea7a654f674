/**
 * The correctness table: (product, installed version, CVE) → expected answer, each case
 * checked against the real records in the shared fixtures and citing the record and path
 * its answer rests on. Covers the traps: NVD with no configurations for a KEV CVE (Awaiting
 * Analysis, Received), CVE 5 records saying n/a or free text, vendor ranges wrong as written
 * (NetScaler builds without their train, Ivanti single-release ranges, PAN-OS hotfixes),
 * editions as identity, introduced versions respected, AND configurations with hardware.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import type { AssetType, FindingStatus } from '../model.js';
import { importFeedDir } from '../feeds/import-dir.js';
import { VulnFeedStore } from '../feeds/store.js';
import { feedFixtures } from './fixtures.js';
import { Matcher } from './match.js';

type Case = readonly [type: AssetType, product: string, version: string, cve: string, expected: FindingStatus, cites: string];

const A = 'appliance';
const N18 = 'nvd-api-2.0/CVE-2018-13379.json';
const N23 = 'nvd-api-2.0/CVE-2023-27997.json';
const N11510 = 'nvd-api-2.0/CVE-2019-11510.json';
const N21887 = 'nvd-api-2.0/CVE-2024-21887.json';
const N4966 = 'nvd-api-2.0/CVE-2023-4966.json';
const N5777 = 'nvd-api-2.0/CVE-2025-5777.json';
const N19781 = 'nvd-api-2.0/CVE-2019-19781.json';

export const CASES: readonly Case[] = [
  // FortiOS, CVE-2018-13379: ranges with versionStartIncluding / versionEndExcluding; the CVE 5 record's versions are free text
  [A, 'FortiOS', '5.4.5', 'CVE-2018-13379', 'not_affected', `${N18} configurations[0].nodes[0].cpeMatch[2] (starts at 5.4.6: introduced respected)`],
  [A, 'FortiOS', '5.4.6', 'CVE-2018-13379', 'affected', `${N18} configurations[0].nodes[0].cpeMatch[2]`],
  [A, 'FortiOS', '5.4.12', 'CVE-2018-13379', 'affected', `${N18} configurations[0].nodes[0].cpeMatch[2]`],
  [A, 'FortiOS', '5.4.13', 'CVE-2018-13379', 'not_affected', `${N18} configurations[0].nodes[0].cpeMatch[2] (versionEndExcluding 5.4.13)`],
  [A, 'FortiOS', '5.6.2', 'CVE-2018-13379', 'not_affected', `${N18} configurations[0].nodes[0].cpeMatch[3] (starts at 5.6.3)`],
  [A, 'FortiOS', '5.6.7', 'CVE-2018-13379', 'affected', `${N18} configurations[0].nodes[0].cpeMatch[3]`],
  [A, 'FortiOS', '6.0.4', 'CVE-2018-13379', 'affected', `${N18} configurations[0].nodes[0].cpeMatch[4]`],
  [A, 'FortiOS', 'v6.0.4,build0231,190107 (GA)', 'CVE-2018-13379', 'affected', `${N18} configurations[0].nodes[0].cpeMatch[4] (device string)`],
  [A, 'FortiOS', '6.0.5', 'CVE-2018-13379', 'not_affected', `${N18} configurations[0].nodes[0].cpeMatch[4]; cve-json-5/CVE-2018-13379.json containers.cna.affected[0].versions[0] is free text`],
  [A, 'FortiOS', '6.2.0', 'CVE-2018-13379', 'not_affected', `${N18} configurations[0]`],
  [A, 'FortiProxy', '2.0.0', 'CVE-2018-13379', 'affected', `${N18} configurations[0].nodes[0].cpeMatch[1] (exact 2.0.0)`],
  [A, 'FortiProxy', '2.0.1', 'CVE-2018-13379', 'not_affected', `${N18} configurations[0].nodes[0].cpeMatch[0..1]`],
  [A, 'FortiProxy', '1.2.8', 'CVE-2018-13379', 'affected', `${N18} configurations[0].nodes[0].cpeMatch[0] (versionEndExcluding 1.2.9, no start)`],
  [A, 'FortiOS', 'seven', 'CVE-2018-13379', 'unknown', 'the installed version is not comparable in the FortiOS grammar'],
  // FortiOS, CVE-2023-27997: versionEndIncluding; an AND configuration with h:fortigate_6000/7000
  [A, 'FortiOS', '7.2.4', 'CVE-2023-27997', 'affected', `${N23} configurations[0].nodes[0].cpeMatch[9] (versionEndIncluding 7.2.4)`],
  [A, 'FortiOS', 'v7.2.4,build1396,230131 (GA.F)', 'CVE-2023-27997', 'affected', `${N23} configurations[0].nodes[0].cpeMatch[9]`],
  [A, 'FortiOS', '7.2.5', 'CVE-2023-27997', 'not_affected', `${N23} configurations[0].nodes[0].cpeMatch[9]; cve-json-5/CVE-2023-27997.json containers.cna.affected[2] defaultStatus unaffected`],
  [A, 'FortiOS', '7.0.11', 'CVE-2023-27997', 'affected', `${N23} configurations[0].nodes[0].cpeMatch[8]`],
  [A, 'FortiOS', '7.0.12', 'CVE-2023-27997', 'not_affected', `${N23} configurations[0].nodes[0].cpeMatch[8]`],
  [A, 'FortiOS', '6.4.13', 'CVE-2023-27997', 'not_affected', `${N23} configurations[0].nodes[0].cpeMatch[7]`],
  [A, 'FortiOS', '5.6.14', 'CVE-2023-27997', 'not_affected', `${N23} configurations[0..1]; cve-json-5/CVE-2023-27997.json containers.cna.affected[2]`],
  [A, 'FortiProxy', '7.2.3', 'CVE-2023-27997', 'affected', `${N23} configurations[0].nodes[0].cpeMatch[4]`],
  [A, 'FortiProxy', '7.2.4', 'CVE-2023-27997', 'not_affected', `${N23} configurations[0].nodes[0].cpeMatch[4]`],
  // Ivanti / Pulse Secure: enumerated 8.2:r1.0 … forms, GA releases, single-release CVE 5 ranges
  [A, 'Ivanti Connect Secure', '9.0R3.3', 'CVE-2019-11510', 'affected', `${N11510} configurations[0].nodes[0].cpeMatch[36] (9.0:r3.3)`],
  [A, 'Ivanti Connect Secure', '9.0R3.4', 'CVE-2019-11510', 'not_affected', `${N11510} configurations[0].nodes[0] (not enumerated); cve-json-5/CVE-2019-11510.json says n/a`],
  [A, 'Ivanti Connect Secure', '8.2R1', 'CVE-2019-11510', 'affected', `${N11510} configurations[0].nodes[0].cpeMatch[0] (8.2:r1.0 = 8.2R1)`],
  [A, 'Pulse Connect Secure', '8.3R7', 'CVE-2019-11510', 'affected', `${N11510} configurations[0].nodes[0].cpeMatch[29]; kev vendorProject Ivanti, product Pulse Connect Secure`],
  [A, 'Ivanti Connect Secure', '9.1R17', 'CVE-2024-21887', 'affected', `${N21887} configurations[0].nodes[0].cpeMatch[17] (9.1:r17); the CVE 5 range 9.1R18..9.1R18 alone would not say`],
  [A, 'Ivanti Connect Secure', '22.2 GA', 'CVE-2024-21887', 'affected', `${N21887} configurations[0].nodes[0].cpeMatch[35] (22.2:-, the GA release)`],
  // red-team finding 7: a bare train names no release; 22.2:- and the 22.2 releases NVD lists differ from those it does not
  [A, 'Ivanti Connect Secure', '22.2', 'CVE-2024-21887', 'unknown', `${N21887} configurations[0].nodes[0].cpeMatch[35] (22.2:-, one release of train 22.2)`],
  [A, 'Ivanti Connect Secure', '22.2R1', 'CVE-2024-21887', 'affected', `${N21887} configurations[0].nodes[0].cpeMatch[36]`],
  [A, 'Ivanti Connect Secure', '22.6R2', 'CVE-2024-21887', 'affected', `${N21887} configurations[0].nodes[0].cpeMatch[43]; cve-json-5/CVE-2024-21887.json containers.cna.affected[0].versions[1]`],
  [A, 'Ivanti Connect Secure', '9.0R3.1', 'CVE-2024-21887', 'affected', `${N21887} configurations[0].nodes[0].cpeMatch[0] (9.0 with update *: the whole train)`],
  [A, 'Ivanti Connect Secure', '22.7R2.3', 'CVE-2024-21887', 'not_affected', `${N21887} configurations[0].nodes[0]; cve-json-5/CVE-2024-21887.json containers.cna.affected[0] defaultStatus unaffected`],
  [A, 'Ivanti Policy Secure', '22.6R1', 'CVE-2024-21887', 'affected', `${N21887} configurations[0].nodes[0].cpeMatch[80]; cve-json-5/CVE-2024-21887.json containers.cna.affected[1].versions[1]`],
  [A, 'Ivanti Connect Secure', '9.1R18', 'CVE-2023-46805', 'affected', 'cve-json-5/CVE-2023-46805.json containers.cna.affected[0].versions[0]'],
  [A, 'Ivanti Connect Secure', '9.1R17', 'CVE-2023-46805', 'unknown', 'cve-json-5/CVE-2023-46805.json containers.cna.affected[0].versions[0] (9.1R18 <= v <= 9.1R18: one release as written)'],
  [A, 'Ivanti Connect Secure', '22.7R2.3', 'CVE-2023-46805', 'not_affected', 'cve-json-5/CVE-2023-46805.json containers.cna.affected[0] defaultStatus unaffected'],
  // NetScaler, CVE-2023-4966: train-build pairs, editions (FIPS, NDcPP) as identity, CVE 5 bounds written without the train
  [A, 'NetScaler ADC', '13.1-49.14', 'CVE-2023-4966', 'affected', `${N4966} configurations[0].nodes[0].cpeMatch[4]; cve-json-5/CVE-2023-4966.json containers.cna.affected[0].versions[1] (lessThan 49.15)`],
  [A, 'NetScaler ADC', '13.1-49.15', 'CVE-2023-4966', 'not_affected', `${N4966} configurations[0].nodes[0].cpeMatch[4]`],
  [A, 'NetScaler ADC FIPS', '13.1-37.163', 'CVE-2023-4966', 'affected', `${N4966} configurations[0].nodes[0].cpeMatch[3] (sw_edition fips); cve-json-5/CVE-2023-4966.json containers.cna.affected[0].versions[3] (13.1-FIPS)`],
  [A, 'NetScaler ADC FIPS', '13.1-37.164', 'CVE-2023-4966', 'not_affected', `${N4966} configurations[0].nodes[0].cpeMatch[3]; the standard range below 13.1-49.15 is not the FIPS product's`],
  [A, 'NetScaler ADC', '14.1-8.49', 'CVE-2023-4966', 'affected', `${N4966} configurations[0].nodes[0].cpeMatch[5]`],
  [A, 'NetScaler ADC', 'NS13.0: Build 92.19.nc', 'CVE-2023-4966', 'not_affected', `${N4966} configurations[0].nodes[0].cpeMatch[2] (versionEndExcluding 13.0-92.19)`],
  [A, 'NetScaler ADC NDcPP', '12.1-55.299', 'CVE-2023-4966', 'affected', `${N4966} configurations[0].nodes[0].cpeMatch[1]; cve-json-5/CVE-2023-4966.json containers.cna.affected[0].versions[5]`],
  [A, 'NetScaler ADC', '12.1-55.299', 'CVE-2023-4966', 'not_affected', `${N4966} configurations[0].nodes[0] (12.1 only for fips and ndcpp)`],
  [A, 'NetScaler Gateway', '13.0-92.18', 'CVE-2023-4966', 'affected', `${N4966} configurations[0].nodes[0].cpeMatch[6]; cve-json-5/CVE-2023-4966.json containers.cna.affected[1].versions[2]`],
  // NetScaler, CVE-2025-5777 and CVE-2025-7775
  [A, 'NetScaler ADC', '14.1-43.55', 'CVE-2025-5777', 'affected', `${N5777} configurations[0].nodes[0].cpeMatch[4]; cve-json-5/CVE-2025-5777.json containers.cna.affected[0].versions[0]`],
  [A, 'NetScaler ADC', '14.1-43.56', 'CVE-2025-5777', 'not_affected', `${N5777} configurations[0].nodes[0].cpeMatch[4]`],
  [A, 'NetScaler ADC FIPS', '12.1-55.327', 'CVE-2025-5777', 'affected', `${N5777} configurations[0].nodes[0].cpeMatch[0] (fips, below 12.1-55.328)`],
  [A, 'NetScaler ADC FIPS', '13.1-37.235', 'CVE-2025-5777', 'not_affected', `${N5777} configurations[0].nodes[0].cpeMatch[1]; the CVE 5 13.1 < 58.32 range is the standard edition's`],
  [A, 'NetScaler ADC FIPS', '13.1-37.240', 'CVE-2025-7775', 'affected', 'cve-json-5/CVE-2025-7775.json containers.cna.affected[0].versions[2] (13.1 FIPS and NDcPP, lessThan 37.241)'],
  [A, 'NetScaler ADC', '13.1-59.21', 'CVE-2025-7775', 'affected', 'cve-json-5/CVE-2025-7775.json containers.cna.affected[0].versions[1]'],
  [A, 'NetScaler ADC', '13.1-59.22', 'CVE-2025-7775', 'not_affected', 'cve-json-5/CVE-2025-7775.json containers.cna.affected[0].versions[1]'],
  [A, 'NetScaler ADC FIPS', '14.1-47.40', 'CVE-2025-7775', 'not_affected', 'cve-json-5/CVE-2025-7775.json containers.cna.affected[0] (no FIPS 14.1 entry; defaultStatus unaffected)'],
  // NetScaler, CVE-2019-19781: firmware CPE with the train only, AND with the appliance's h: CPE; CVE 5 says n/a
  [A, 'NetScaler ADC', '12.1-50.28', 'CVE-2019-19781', 'affected', `${N19781} configurations[0].nodes[0].cpeMatch[3] AND configurations[0].nodes[1].cpeMatch[0]`],
  [A, 'NetScaler ADC', '13.1-12.50', 'CVE-2019-19781', 'not_affected', `${N19781} configurations[0].nodes[0] (13.1 not listed)`],
  [A, 'NetScaler Gateway', '13.0-47.22', 'CVE-2019-19781', 'affected', `${N19781} configurations[2] (gateway_firmware 13.0 AND h:citrix:gateway)`],
  // PAN-OS, CVE-2024-3400: NVD Awaiting Analysis with no configurations; CVE 5 ranges with hotfix changes; the vendor's fixed hotfix list
  [A, 'PAN-OS', '10.2.9', 'CVE-2024-3400', 'affected', 'cve-json-5/CVE-2024-3400.json containers.cna.affected[0].versions[4]; data/panos-fixes.ts (10.2.9-h1)'],
  [A, 'PAN-OS', '10.2.9-h1', 'CVE-2024-3400', 'not_affected', 'cve-json-5/CVE-2024-3400.json containers.cna.affected[0].versions[4].changes[0]'],
  [A, 'PAN-OS', '10.2.8-h3', 'CVE-2024-3400', 'not_affected', 'data/panos-fixes.ts (10.2.8-h3 fixed); the record as written (< 10.2.9-h1) would say affected'],
  [A, 'PAN-OS', '10.2.8-h2', 'CVE-2024-3400', 'affected', 'cve-json-5/CVE-2024-3400.json containers.cna.affected[0].versions[4]; data/panos-fixes.ts'],
  [A, 'PAN-OS', '11.1.2-h3', 'CVE-2024-3400', 'not_affected', 'cve-json-5/CVE-2024-3400.json containers.cna.affected[0].versions[6].changes[0]'],
  [A, 'PAN-OS', '11.0.3-h9', 'CVE-2024-3400', 'affected', 'cve-json-5/CVE-2024-3400.json containers.cna.affected[0].versions[5]; data/panos-fixes.ts (11.0.3-h10)'],
  [A, 'PAN-OS', '10.1.12', 'CVE-2024-3400', 'not_affected', 'cve-json-5/CVE-2024-3400.json containers.cna.affected[0] defaultStatus unaffected'],
  [A, 'PAN-OS', '9.1.0', 'CVE-2024-3400', 'not_affected', 'cve-json-5/CVE-2024-3400.json containers.cna.affected[0].versions[1] (unaffected)'],
  [A, 'PAN-OS', '10.2.10', 'CVE-2024-3400', 'not_affected', 'cve-json-5/CVE-2024-3400.json containers.cna.affected[0].versions[4] (above 10.2.9-h1)'],
  // WordPress plugins: webdesi9:file_manager with target_sw wordpress; Really Simple Security with NVD Received
  ['wordpress-plugin', 'wp-file-manager', '6.8', 'CVE-2020-25213', 'affected', 'nvd-api-2.0/CVE-2020-25213.json configurations[0].nodes[0].cpeMatch[0] (versionEndExcluding 6.9)'],
  ['wordpress-plugin', 'wp-file-manager', '6.9', 'CVE-2020-25213', 'not_affected', 'nvd-api-2.0/CVE-2020-25213.json configurations[0].nodes[0].cpeMatch[0]'],
  ['wordpress-plugin', 'wp-file-manager', '6.0', 'CVE-2020-25213', 'affected', 'nvd-api-2.0/CVE-2020-25213.json configurations[0].nodes[0].cpeMatch[0] (no start)'],
  ['wordpress-plugin', 'File Manager', '6.8', 'CVE-2020-25213', 'affected', 'nvd-api-2.0/CVE-2020-25213.json; kev WordPress / File Manager Plugin'],
  ['wordpress-plugin', 'really-simple-ssl', '9.1.1.1', 'CVE-2024-10924', 'affected', 'cve-json-5/CVE-2024-10924.json containers.cna.affected[1].versions[0]; nvd-api-2.0/CVE-2024-10924.received.json has no configurations'],
  ['wordpress-plugin', 'really-simple-ssl', '9.1.2', 'CVE-2024-10924', 'not_affected', 'cve-json-5/CVE-2024-10924.json containers.cna.affected[1].versions[0] (lessThanOrEqual 9.1.1.1)'],
  ['wordpress-plugin', 'really-simple-ssl', '8.9', 'CVE-2024-10924', 'not_affected', 'cve-json-5/CVE-2024-10924.json containers.cna.affected[1].versions[0] (starts at 9.0.0: introduced respected)'],
  // npm (OSV, GitHub Advisory Database)
  ['npm', 'lodash', '4.17.19', 'CVE-2020-8203', 'affected', 'osv-npm/GHSA-p6mc-m468-83gw.json affected[0].ranges[0]'],
  ['npm', 'lodash', '4.17.20', 'CVE-2020-8203', 'not_affected', 'osv-npm/GHSA-p6mc-m468-83gw.json affected[0].ranges[0].events[1] (fixed)'],
  ['npm', 'lodash-es', '4.17.15', 'CVE-2020-8203', 'affected', 'osv-npm/GHSA-p6mc-m468-83gw.json affected[1].ranges[0]'],
  ['npm', 'semver', '7.5.1', 'CVE-2022-25883', 'affected', 'osv-npm/GHSA-c2qf-rxjj-qqgw.json affected[0].ranges[0]'],
  ['npm', 'semver', '7.5.2', 'CVE-2022-25883', 'not_affected', 'osv-npm/GHSA-c2qf-rxjj-qqgw.json affected[0].ranges[0].events[1]'],
  ['npm', 'semver', '6.3.0', 'CVE-2022-25883', 'affected', 'osv-npm/GHSA-c2qf-rxjj-qqgw.json affected[1].ranges[0]'],
  ['npm', 'semver', '6.3.1', 'CVE-2022-25883', 'not_affected', 'osv-npm/GHSA-c2qf-rxjj-qqgw.json affected[1].ranges[0].events[1]'],
  ['npm', 'semver', '5.7.1', 'CVE-2022-25883', 'affected', 'osv-npm/GHSA-c2qf-rxjj-qqgw.json affected[2].ranges[0] (introduced 0)'],
  ['npm', 'express', '4.19.1', 'CVE-2024-29041', 'affected', 'osv-npm/GHSA-rv95-896h-c2vc.json affected[0].ranges[0]'],
  ['npm', 'express', '5.0.0-beta.1', 'CVE-2024-29041', 'affected', 'osv-npm/GHSA-rv95-896h-c2vc.json affected[1].ranges[0] (prerelease line)'],
  ['npm', 'express', '5.0.0-beta.3', 'CVE-2024-29041', 'not_affected', 'osv-npm/GHSA-rv95-896h-c2vc.json affected[1].ranges[0].events[1]'],
  ['npm', 'express', '5.0.0-alpha.0', 'CVE-2024-29041', 'not_affected', 'osv-npm/GHSA-rv95-896h-c2vc.json affected[1].ranges[0].events[0] (introduced 5.0.0-alpha.1 respected)'],
  ['npm', 'express', '5.0.0', 'CVE-2024-29041', 'not_affected', 'osv-npm/GHSA-rv95-896h-c2vc.json affected[0..1]'],
  // in KEV with no NVD or CVE 5 record among the fixtures: unknown, shown
  [A, 'FortiOS', '7.2.4', 'CVE-2022-42475', 'unknown', 'kev/known_exploited_vulnerabilities.json vulnerabilities[541] (Fortinet FortiOS; no versions)'],
  [A, 'PAN-OS', '10.2.9', 'CVE-2024-0012', 'unknown', 'kev/known_exploited_vulnerabilities.json vulnerabilities[188]'],
];

const dir = feedFixtures();

describe('vuln matching: the correctness table', { skip: dir ? false : 'no vuln feed fixtures (set MAMORI_VULN_FEEDS or provide ../shared/data/vuln-feeds)' }, () => {
  let matcher: Matcher;
  before(() => {
    const store = VulnFeedStore.open(':memory:');
    const r = importFeedDir(store, dir!);
    assert.deepEqual(r.problems, []);
    matcher = new Matcher(store);
  });
  it(`answers the ${CASES.length} cases as the records say`, () => {
    let ran = 0;
    const wrong: string[] = [];
    for (const [type, product, version, cve, expected, cites] of CASES) {
      const r = matcher.asset({ name: 'a', type, product, version, exposure: 'internet', criticality: 'high' });
      assert.equal(r.problem, undefined, `${product}: ${r.problem}`);
      const f = r.findings.find((x) => x.cve === cve);
      ran++;
      if (f?.status !== expected) wrong.push(`${product} ${version} ${cve}: expected ${expected}, got ${f?.status ?? 'no finding'} (${f?.reason ?? ''}) [${cites}]`);
      if (f) {
        assert.ok(f.reason.length > 0);
        assert.ok(f.sources.length > 0 && f.sources.every((s) => s.feed && s.id));
      }
    }
    assert.deepEqual(wrong, []);
    assert.equal(ran, 89);
    assert.ok(ran >= 50);
  });
});
