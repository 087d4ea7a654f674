/**
 * The independent table: (product, installed version, CVE) cases worked out by hand from the
 * fixture records and each vendor's version grammar by someone who did not write the matcher,
 * then checked against what `mamori vuln check --feeds DIR --json --all` prints. Boundaries
 * above all: exactly the fixed version, one below it, the introduced version, one below it;
 * editions that do not match; versions a grammar cannot read (unknown, never not_affected);
 * KEV entries with no versions (unknown, shown). Each case cites the file and JSON path its
 * answer rests on.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AssetType, Finding, FindingStatus } from '../model.js';
import { feedFixtures } from './fixtures.js';

type Case = readonly [type: AssetType, product: string, version: string, cve: string, expected: FindingStatus, cites: string];

export const INDEPENDENT: readonly Case[] = [
  ["appliance", "FortiOS", "6.0.16", "CVE-2023-27997", "affected", "nvd-api-2.0/CVE-2023-27997.json configurations[0].nodes[0].cpeMatch[5] (versionEndIncluding 6.0.16: the bound itself)"],
  ["appliance", "FortiOS", "6.0.17", "CVE-2023-27997", "not_affected", "nvd-api-2.0/CVE-2023-27997.json configurations[0].nodes[0].cpeMatch[5]; cve-json-5/CVE-2023-27997.json containers.cna.affected[2].versions[4] lessThanOrEqual 6.0.16, defaultStatus unaffected"],
  ["appliance", "FortiOS", "6.0.0", "CVE-2023-27997", "affected", "nvd-api-2.0/CVE-2023-27997.json configurations[0].nodes[0].cpeMatch[5] (versionStartIncluding 6.0.0: the introduced version)"],
  ["appliance", "FortiOS", "7.2", "CVE-2023-27997", "affected", "nvd-api-2.0/CVE-2023-27997.json configurations[0].nodes[0].cpeMatch[9] (7.2 is 7.2.0, the start)"],
  ["appliance", "FortiOS", "6.2.14", "CVE-2023-27997", "not_affected", "nvd-api-2.0/CVE-2023-27997.json configurations[0].nodes[0].cpeMatch[6] (versionEndIncluding 6.2.13)"],
  ["appliance", "FortiOS", "7.2.4-beta1", "CVE-2023-27997", "unknown", "FortiOS grammar has no prerelease form: not comparable"],
  ["appliance", "FortiProxy", "1.1.0", "CVE-2023-27997", "affected", "nvd-api-2.0/CVE-2023-27997.json configurations[0].nodes[0].cpeMatch[0] (versionStartIncluding 1.1.0)"],
  ["appliance", "FortiProxy", "1.0.9", "CVE-2023-27997", "not_affected", "nvd-api-2.0/CVE-2023-27997.json configurations[0].nodes[0].cpeMatch[0] (one below introduced 1.1.0); cve-json-5 containers.cna.affected[1] defaultStatus unaffected"],
  ["appliance", "FortiOS", "5.6.3", "CVE-2018-13379", "affected", "nvd-api-2.0/CVE-2018-13379.json configurations[0].nodes[0].cpeMatch[3] (versionStartIncluding 5.6.3)"],
  ["appliance", "FortiOS", "5.6.8", "CVE-2018-13379", "not_affected", "nvd-api-2.0/CVE-2018-13379.json configurations[0].nodes[0].cpeMatch[3] (versionEndExcluding 5.6.8)"],
  ["appliance", "FortiProxy", "1.2.9", "CVE-2018-13379", "not_affected", "nvd-api-2.0/CVE-2018-13379.json configurations[0].nodes[0].cpeMatch[0] (versionEndExcluding 1.2.9)"],
  ["appliance", "FortiProxy", "1.0.0", "CVE-2018-13379", "affected", "nvd-api-2.0/CVE-2018-13379.json configurations[0].nodes[0].cpeMatch[0] (no start)"],
  ["appliance", "NetScaler ADC", "14.1-8.50", "CVE-2023-4966", "not_affected", "nvd-api-2.0/CVE-2023-4966.json configurations[0].nodes[0].cpeMatch[5] (versionEndExcluding 14.1-8.50: the fix)"],
  ["appliance", "NetScaler ADC", "14.1-8.49", "CVE-2023-4966", "affected", "nvd-api-2.0/CVE-2023-4966.json configurations[0].nodes[0].cpeMatch[5]; cve-json-5/CVE-2023-4966.json containers.cna.affected[0].versions[0]"],
  ["appliance", "NetScaler ADC", "13.0-92.18", "CVE-2023-4966", "affected", "nvd-api-2.0/CVE-2023-4966.json configurations[0].nodes[0].cpeMatch[2]; cve-json-5/CVE-2023-4966.json containers.cna.affected[0].versions[2]"],
  ["appliance", "NetScaler ADC FIPS", "12.1-55.300", "CVE-2023-4966", "not_affected", "nvd-api-2.0/CVE-2023-4966.json configurations[0].nodes[0].cpeMatch[0] (fips, versionEndExcluding 12.1-55.300)"],
  ["appliance", "NetScaler ADC FIPS", "12.1-55.299", "CVE-2023-4966", "affected", "nvd-api-2.0/CVE-2023-4966.json configurations[0].nodes[0].cpeMatch[0]; cve-json-5/CVE-2023-4966.json containers.cna.affected[0].versions[4] (12.1-FIPS lessThan 55.300)"],
  ["appliance", "NetScaler ADC NDcPP", "13.1-37.163", "CVE-2023-4966", "not_affected", "nvd-api-2.0/CVE-2023-4966.json configurations[0].nodes[0] (no ndcpp 13.1 entry; the fips one is another edition)"],
  ["appliance", "NetScaler ADC", "13.1-37.163 FIPS", "CVE-2023-4966", "affected", "nvd-api-2.0/CVE-2023-4966.json configurations[0].nodes[0].cpeMatch[3] (edition read from the version text)"],
  ["appliance", "NetScaler ADC", "13.1-49.15.beta", "CVE-2023-4966", "unknown", "NetScaler grammar: not a train-build pair"],
  ["appliance", "NetScaler Gateway", "13.1-58.31", "CVE-2025-5777", "affected", "nvd-api-2.0/CVE-2025-5777.json configurations[0].nodes[0].cpeMatch[5]; cve-json-5/CVE-2025-5777.json containers.cna.affected[1].versions[1]"],
  ["appliance", "NetScaler Gateway", "13.1-58.32", "CVE-2025-5777", "not_affected", "nvd-api-2.0/CVE-2025-5777.json configurations[0].nodes[0].cpeMatch[5] (the fix)"],
  ["appliance", "NetScaler ADC NDcPP", "13.1-37.234", "CVE-2025-5777", "affected", "nvd-api-2.0/CVE-2025-5777.json configurations[0].nodes[0].cpeMatch[2] (ndcpp)"],
  ["appliance", "NetScaler ADC NDcPP", "12.1-55.329", "CVE-2025-7775", "affected", "cve-json-5/CVE-2025-7775.json containers.cna.affected[0].versions[3] (12.1 FIPS and NDcPP lessThan 55.330)"],
  ["appliance", "NetScaler ADC NDcPP", "12.1-55.330", "CVE-2025-7775", "not_affected", "cve-json-5/CVE-2025-7775.json containers.cna.affected[0].versions[3] (the fix)"],
  ["appliance", "NetScaler ADC", "14.1-47.48", "CVE-2025-7775", "not_affected", "cve-json-5/CVE-2025-7775.json containers.cna.affected[0].versions[0] (lessThan 47.48)"],
  ["appliance", "NetScaler ADC", "14.1-47.47", "CVE-2025-7775", "affected", "cve-json-5/CVE-2025-7775.json containers.cna.affected[0].versions[0]"],
  ["appliance", "Ivanti Connect Secure", "9.0R3.4", "CVE-2019-11510", "not_affected", "nvd-api-2.0/CVE-2019-11510.json configurations[0].nodes[0] (9.0:r3.3 is the last listed; 9.0R3.4 the fix)"],
  ["appliance", "Ivanti Connect Secure", "8.2R12", "CVE-2019-11510", "affected", "nvd-api-2.0/CVE-2019-11510.json configurations[0].nodes[0].cpeMatch[3] (8.2:r12.0)"],
  ["appliance", "Ivanti Connect Secure", "8.2R12.1", "CVE-2019-11510", "not_affected", "nvd-api-2.0/CVE-2019-11510.json configurations[0].nodes[0] (8.2R12.1 not listed: the fix)"],
  ["appliance", "Ivanti Connect Secure", "9.0R3.4", "CVE-2024-21887", "affected", "nvd-api-2.0/CVE-2024-21887.json configurations[0].nodes[0].cpeMatch[0] (9.0 update *: the whole train)"],
  ["appliance", "Ivanti Connect Secure", "22.6 GA", "CVE-2024-21887", "affected", "nvd-api-2.0/CVE-2024-21887.json configurations[0].nodes[0] connect_secure:22.6:- (the GA release)"],
  ["appliance", "Ivanti Connect Secure", "22.6R2", "CVE-2023-46805", "affected", "cve-json-5/CVE-2023-46805.json containers.cna.affected[0].versions[1] (lessThanOrEqual 22.6R2: the bound)"],
  ["appliance", "Ivanti Connect Secure", "22.5R1", "CVE-2023-46805", "unknown", "cve-json-5/CVE-2023-46805.json containers.cna.affected[0].versions[1] writes 22.6R2 <= v <= 22.6R2, one release; 22.5R1 is below it and not stated (the vendor fixed 22.5 in 22.5R1.1)"],
  ["appliance", "Ivanti Connect Secure", "22.7R2.3 build 1337", "CVE-2023-46805", "not_affected", "cve-json-5/CVE-2023-46805.json containers.cna.affected[0] defaultStatus unaffected (above every range)"],
  ["appliance", "Ivanti Connect Secure", "22.7 R2.3 beta", "CVE-2023-46805", "unknown", "Ivanti grammar: not comparable"],
  ["appliance", "PAN-OS", "10.2.0", "CVE-2024-3400", "affected", "cve-json-5/CVE-2024-3400.json containers.cna.affected[0].versions[4] (version 10.2.0: introduced)"],
  ["appliance", "PAN-OS", "10.2.0-h3", "CVE-2024-3400", "not_affected", "data/panos-fixes.ts 10.2.0-h3 (vendor hotfix list)"],
  ["appliance", "PAN-OS", "11.0.4", "CVE-2024-3400", "affected", "cve-json-5/CVE-2024-3400.json containers.cna.affected[0].versions[5] (lessThan 11.0.4-h1)"],
  ["appliance", "PAN-OS", "11.0.4-h1", "CVE-2024-3400", "not_affected", "cve-json-5/CVE-2024-3400.json containers.cna.affected[0].versions[5].changes[0] (at 11.0.4-h1)"],
  ["appliance", "PAN-OS", "10.1.99", "CVE-2024-3400", "not_affected", "cve-json-5/CVE-2024-3400.json containers.cna.affected[0] defaultStatus unaffected (below 10.2.0)"],
  ["appliance", "PAN-OS", "10.2.9-h1-xfr", "CVE-2024-3400", "unknown", "PAN-OS grammar: not comparable; nvd-api-2.0/CVE-2024-3400.awaiting-analysis.json has no configurations"],
  ["wordpress-plugin", "wp-file-manager", "6.9-beta", "CVE-2020-25213", "affected", "nvd-api-2.0/CVE-2020-25213.json configurations[0].nodes[0].cpeMatch[0] (version_compare 6.9-beta < 6.9)"],
  ["wordpress-plugin", "wp-file-manager", "6.9rc1", "CVE-2020-25213", "affected", "nvd-api-2.0/CVE-2020-25213.json configurations[0].nodes[0].cpeMatch[0] (version_compare 6.9rc1 < 6.9)"],
  ["wordpress-plugin", "wp-file-manager", "6.9.0", "CVE-2020-25213", "not_affected", "nvd-api-2.0/CVE-2020-25213.json configurations[0].nodes[0].cpeMatch[0] (version_compare 6.9.0 > 6.9)"],
  ["wordpress-plugin", "wp-file-manager", "6.9pl1", "CVE-2020-25213", "not_affected", "nvd-api-2.0/CVE-2020-25213.json configurations[0].nodes[0].cpeMatch[0] (version_compare pl ranks above release)"],
  ["wordpress-plugin", "really-simple-ssl", "9.0.0", "CVE-2024-10924", "affected", "cve-json-5/CVE-2024-10924.json containers.cna.affected[1].versions[0] (version 9.0.0: introduced)"],
  ["wordpress-plugin", "really-simple-ssl", "9.1.1.2", "CVE-2024-10924", "not_affected", "cve-json-5/CVE-2024-10924.json containers.cna.affected[1].versions[0] (lessThanOrEqual 9.1.1.1)"],
  ["wordpress-plugin", "really-simple-ssl", "9.0.0-beta", "CVE-2024-10924", "not_affected", "cve-json-5/CVE-2024-10924.json containers.cna.affected[1].versions[0] (version_compare 9.0.0-beta < 9.0.0, below introduced)"],
  ["npm", "express", "4.19.2", "CVE-2024-29041", "not_affected", "osv-npm/GHSA-rv95-896h-c2vc.json affected[0].ranges[0].events[1] (fixed 4.19.2)"],
  ["npm", "express", "4.19.2-rc.1", "CVE-2024-29041", "affected", "osv-npm/GHSA-rv95-896h-c2vc.json affected[0].ranges[0] (prerelease of the fix sorts below it)"],
  ["npm", "express", "5.0.0-alpha.1", "CVE-2024-29041", "affected", "osv-npm/GHSA-rv95-896h-c2vc.json affected[1].ranges[0].events[0] (introduced 5.0.0-alpha.1)"],
  ["npm", "express", "5.0.0-beta.2", "CVE-2024-29041", "affected", "osv-npm/GHSA-rv95-896h-c2vc.json affected[1].ranges[0] (one below fixed 5.0.0-beta.3)"],
  ["npm", "semver", "7.0.0", "CVE-2022-25883", "affected", "osv-npm/GHSA-c2qf-rxjj-qqgw.json affected[0].ranges[0].events[0] (introduced 7.0.0)"],
  ["npm", "semver", "7.0.0-rc.1", "CVE-2022-25883", "not_affected", "osv-npm/GHSA-c2qf-rxjj-qqgw.json affected[0].ranges[0].events[0] (one below introduced 7.0.0: a prerelease sorts below it) and affected[2].ranges[0].events[1] (above fixed 5.7.2)"],
  ["npm", "semver", "5.7.2", "CVE-2022-25883", "not_affected", "osv-npm/GHSA-c2qf-rxjj-qqgw.json affected[2].ranges[0].events[1] (fixed 5.7.2)"],
  ["npm", "lodash", "latest", "CVE-2020-8203", "unknown", "npm grammar: \"latest\" is not a version"],
  ["npm", "lodash", "4.17.20+build.1", "CVE-2020-8203", "not_affected", "osv-npm/GHSA-p6mc-m468-83gw.json affected[0].ranges[0].events[1] (build metadata ignored)"],
  ["appliance", "NetScaler ADC", "12.1-55.299 FIPS NDcPP", "CVE-2023-4966", "unknown", "nvd-api-2.0/CVE-2023-4966.json configurations[0].nodes[0].cpeMatch[0..1] (fips and ndcpp both below 12.1-55.300; the standard edition has no 12.1 range): a version naming two editions cannot be matched"],
  ["appliance", "NetScaler ADC FIPS", "12.1-55.300 NDcPP", "CVE-2023-4966", "unknown", "nvd-api-2.0/CVE-2023-4966.json configurations[0].nodes[0].cpeMatch[0..1]: the version names NDcPP, the product FIPS"],
  ["appliance", "FortiOS", "7.2.1", "CVE-2022-40684", "unknown", "kev/known_exploited_vulnerabilities.json CVE-2022-40684 (Fortinet \"Multiple Products\"; no versions)"],
  ["appliance", "Ivanti Connect Secure", "22.5R2.1", "CVE-2024-21893", "unknown", "kev/known_exploited_vulnerabilities.json CVE-2024-21893 (Ivanti \"Connect Secure, Policy Secure, and Neurons\"; no versions)"],
];

const dir = feedFixtures();
const cli = resolve(fileURLToPath(new URL('../../../cli/bin/mamori.js', import.meta.url)));
const skip = !dir ? 'no vuln feed fixtures (set MAMORI_VULN_FEEDS or provide ../shared/data/vuln-feeds)' : !existsSync(cli) ? `${cli} is not there (build the cli package)` : false;

function check(inventory: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    execFile(process.execPath, [cli, 'vuln', 'check', '--inventory', inventory, '--feeds', dir!, '--json', '--all'], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      // exit 1 means "something affected", which this table expects
      if (err && (err as { code?: unknown }).code !== 1) rej(new Error(`${err.message}\n${stderr}`));
      else res({ stdout, stderr });
    });
  });
}

describe('vuln matching: the independent table, through mamori vuln check', { skip }, () => {
  let found: Map<string, Finding>;
  let tmp: string;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'mamori-indep-'));
    const inv = join(tmp, 'inventory.yaml');
    const assets = INDEPENDENT.map(([type, product, version], i) => `  - { name: c${i}, type: ${type}, product: ${JSON.stringify(product)}, version: ${JSON.stringify(version)} }`);
    writeFileSync(inv, `assets:\n${assets.join('\n')}\n`);
    const out = await check(inv);
    found = new Map();
    for (const line of out.stdout.split('\n')) {
      if (!line) continue;
      const f = JSON.parse(line) as Finding;
      found.set(`${f.asset} ${f.cve}`, f);
    }
    rmSync(tmp, { recursive: true, force: true });
  });
  it(`gives the hand-worked answer for each of the ${INDEPENDENT.length} cases`, () => {
    let ran = 0;
    const wrong: string[] = [];
    for (const [i, [, product, version, cve, expected, cites]] of INDEPENDENT.entries()) {
      const f = found.get(`c${i} ${cve}`);
      ran++;
      if (f?.status !== expected) wrong.push(`${product} ${version} ${cve}: expected ${expected}, got ${f?.status ?? 'no finding'} (${f?.reason ?? ''}) [${cites}]`);
      else assert.ok(f.reason.length > 0 && f.sources.length > 0, `${product} ${version} ${cve}: a reason and sources`);
    }
    assert.deepEqual(wrong, []);
    assert.equal(ran, 62);
  });
});
