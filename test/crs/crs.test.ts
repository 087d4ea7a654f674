/**
 * CRS's own regression suite (go-ftw YAML, 5,003 tests in CRS v4.28.0) run in process through
 * mamori's WAF with CRS loaded as its tests expect (waf/ftw/crs-setup.ts). Every test passes
 * except those listed, each with its reason, in overrides.yaml; a test that fails and is not
 * listed fails this, and so does a listed test that now passes (the list stays true).
 * The same suite runs again over HTTP through mamori's proxy (the bytes as go-ftw sends them, to
 * a backend that answers as go-ftw's), with what the proxy refuses before the rules listed apart
 * in overrides-http.yaml.
 * CRS is read from ../shared/data/crs (or MAMORI_CRS_DIR); skipped, with the reason, without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { sharedData } from 'mamori/testing';
import { crsTestSetup, ftwTestFiles, loadWaf, parseFtwFile, runFtwTests, type FtwResult, type FtwTest } from 'mamori/waf';
import { runFtwTestsThroughProxy } from 'mamori/internal';

const crs = sharedData('crs', 'MAMORI_CRS_DIR');
const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');


interface Override {
  rule_id: number;
  test_ids: number[];
  reason: string;
}

/** Overrides by test key (`ruleId-testId`), from each file given, with its reason. */
function readOverrides(...files: string[]): Map<string, string> {
  const listed = new Map<string, string>();
  for (const file of files) {
    const overrides = parse(readFileSync(new URL(`../../crs/${file}`, import.meta.url), 'utf8')) as { overrides: Override[] };
    for (const o of overrides.overrides) {
      assert.ok(o.reason && o.reason.length > 10, `${file}: ${o.rule_id}: a reason`);
      for (const id of o.test_ids) listed.set(`${o.rule_id}-${id}`, o.reason);
    }
  }
  return listed;
}

function crsTests(): FtwTest[] {
  const tests: FtwTest[] = [];
  for (const f of ftwTestFiles(join(crs.dir, 'tests', 'regression', 'tests'))) tests.push(...parseFtwFile(readFileSync(f, 'utf8'), f).tests);
  return tests;
}

/** Prints the tally per folder and checks the failures against the overrides, both ways. */
function judge(results: readonly FtwResult[], listed: Map<string, string>, label: string, files: string): void {
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
  for (const [folder, t] of byFolder) console.log(`# ${label}: ${folder}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  const passed = results.filter((r) => r.outcome === 'passed').length;
  console.log(`# ${label}: ${passed} of ${results.length} passed, ${listed.size} listed in ${files}`);
  assert.equal(results.length, 5003, 'every test of CRS v4.28.0 ran');
  assert.deepEqual(unexpected, [], `failures not listed in ${files}`);
  assert.deepEqual(fixed, [], `listed in ${files} but passing now: take them out`);
}

test("CRS's regression suite: every test passes but the listed ones", { skip: crs.missing ?? libinjection.missing }, () => {
  const listed = readOverrides('overrides.yaml');
  const waf = loadWaf({ text: crsTestSetup(crs.dir), file: join(crs.dir, 'mamori-test-setup.conf'), sqliDataDir: libinjection.dir });
  judge(runFtwTests(crsTests(), (req) => waf.transaction(req)), listed, 'CRS regression suite', 'crs/overrides.yaml');
});

test("CRS's regression suite over HTTP through mamori's proxy: every test passes but the listed ones", { skip: crs.missing ?? libinjection.missing }, async () => {
  // What the proxy refuses before any rule runs (Node's HTTP reader, mamori's own checks) is
  // listed apart: those requests never reach the WAF, as in-process they do.
  const listed = readOverrides('overrides.yaml', 'overrides-http.yaml');
  const results = await runFtwTestsThroughProxy(crsTests(), { text: crsTestSetup(crs.dir), file: join(crs.dir, 'mamori-test-setup.conf'), sqliDataDir: libinjection.dir });
  judge(results, listed, 'CRS regression suite over HTTP', 'crs/overrides.yaml and crs/overrides-http.yaml');
});
