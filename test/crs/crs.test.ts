/**
 * CRS's own regression suite (go-ftw YAML, 5,003 tests in CRS v4.28.0) run in process through
 * mamori's WAF with CRS loaded as its tests expect (waf/ftw/crs-setup.ts). Every test passes
 * except those listed, each with its reason, in overrides.yaml; a test that fails and is not
 * listed fails this, and so does a listed test that now passes (the list stays true).
 * CRS is read from ../shared/data/crs (or MAMORI_CRS_DIR); skipped, with the reason, without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { sharedData } from 'mamori/testing';
import { crsTestSetup, ftwTestFiles, loadWaf, parseFtwFile, runFtwTests, type FtwTest } from 'mamori/waf';

const crs = sharedData('crs', 'MAMORI_CRS_DIR');
const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');


interface Override {
  rule_id: number;
  test_ids: number[];
  reason: string;
}

test("CRS's regression suite: every test passes but the listed ones", { skip: crs.missing ?? libinjection.missing }, () => {
  const overrides = parse(readFileSync(new URL('../../crs/overrides.yaml', import.meta.url), 'utf8')) as { overrides: Override[] };
  const listed = new Map<string, string>();
  for (const o of overrides.overrides) {
    assert.ok(o.reason && o.reason.length > 10, `${o.rule_id}: a reason`);
    for (const id of o.test_ids) listed.set(`${o.rule_id}-${id}`, o.reason);
  }
  const waf = loadWaf({ text: crsTestSetup(crs.dir), file: join(crs.dir, 'mamori-test-setup.conf'), sqliDataDir: libinjection.dir });
  const tests: FtwTest[] = [];
  for (const f of ftwTestFiles(join(crs.dir, 'tests', 'regression', 'tests'))) tests.push(...parseFtwFile(readFileSync(f, 'utf8'), f).tests);
  const results = runFtwTests(tests, (req) => waf.transaction(req));
  const byFolder = new Map<string, { passed: number; failed: number; skipped: number }>();
  const unexpected: string[] = [];
  const fixed: string[] = [];
  for (const r of results) {
    const folder = r.test.location.split('/').at(-2)!;
    const tally = byFolder.get(folder) ?? { passed: 0, failed: 0, skipped: 0 };
    tally[r.outcome]++;
    byFolder.set(folder, tally);
    const key = `${r.test.ruleId}-${r.test.testId}`;
    if (r.outcome === 'failed' && !listed.has(key)) unexpected.push(`${key}: ${r.reason}`);
    if (r.outcome === 'passed' && listed.has(key)) fixed.push(key);
  }
  for (const [folder, t] of byFolder) console.log(`# ${folder}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  const passed = results.filter((r) => r.outcome === 'passed').length;
  console.log(`# CRS regression suite: ${passed} of ${results.length} passed, ${listed.size} listed in crs/overrides.yaml`);
  assert.equal(results.length, 5003, 'every test of CRS v4.28.0 ran');
  assert.deepEqual(unexpected, [], 'failures not listed in crs/overrides.yaml');
  assert.deepEqual(fixed, [], 'listed in crs/overrides.yaml but passing now: take them out');
});
