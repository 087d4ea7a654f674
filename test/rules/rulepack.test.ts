/**
 * mamori's own rule pack (rules/*.conf) against its go-ftw tests (rules/tests/), through the same
 * in-process runner as CRS's suite: (a) the pack alone, where it must block on its own; (b) the
 * pack loaded where CRS loads its plugins, where its scores must reach CRS's 949110; and CRS's
 * own regression suite with the pack loaded, where no test CRS expects to be benign may log a
 * pack rule and no CRS test may fail that does not fail without the pack.
 * CRS is read from ../shared/data/crs (or MAMORI_CRS_DIR); (b) is skipped, with the reason, without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { sharedData } from 'mamori/testing';
import { crsSetup, crsTestSetup, ftwTestFiles, loadWaf, parseFtwFile, runFtwTests, runStage, type FtwTest, type MatchedRule, type Transaction, type Waf } from 'mamori/waf';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RULES = join(ROOT, 'packages', 'mamori', 'rules');
const PACK_INCLUDE = `Include "${join(RULES, 'mamori-*.conf').replace(/["\\]/g, (c) => `\\${c}`)}"`;
/** How many test cases rules/tests holds: a file that stops being read fails this. */
const PACK_CASES = 213;
const PACK_IDS = { from: 36100000, to: 36199999 };
const BLOCKING_ID = 36109100;

// (the pack's SQL-injection rules read libinjection's data: where a clone lacks it, the pack's tests are
// skipped with the reason, as CRS's are)
const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');

const isPack = (id: number): boolean => id >= PACK_IDS.from && id <= PACK_IDS.to;
const critical = (m: MatchedRule): boolean => m.severity === 'CRITICAL' || m.severity === '2';

function packTests(): FtwTest[] {
  const tests: FtwTest[] = [];
  for (const f of ftwTestFiles(join(RULES, 'tests'))) {
    const file = parseFtwFile(readFileSync(f, 'utf8'), f);
    assert.deepEqual(file.warnings, [], `${f}: unknown fields`);
    tests.push(...file.tests);
  }
  return tests;
}

/** The pack alone under an engine that refuses, at a paranoia level. */
function packAlone(paranoia: number): Waf {
  const text = ['SecRuleEngine On', 'SecRequestBodyAccess On', `SecAction "id:1,phase:1,pass,nolog,setvar:tx.mamori_paranoia_level=${paranoia}"`, PACK_INCLUDE, ''].join('\n');
  return loadWaf({ text, file: join(RULES, 'test-setup.conf'), sqliDataDir: libinjection.dir });
}

/** The paranoia level each pack rule is tagged with. */
function ruleLevels(waf: Waf): Map<number, number> {
  const levels = new Map<number, number>();
  for (const phase of waf.rules.phases) {
    for (const r of phase ?? []) {
      const tag = r.tags.find((t) => t.startsWith('paranoia-level/'));
      if (r.id > 0 && isPack(r.id) && tag) levels.set(r.id, Number(tag.slice('paranoia-level/'.length)));
    }
  }
  return levels;
}

const positive = (t: FtwTest): boolean => t.stages.some((s) => s.output.expectIds.length > 0);

function assertAllPass(results: ReturnType<typeof runFtwTests>, what: string): void {
  const failed = results.filter((r) => r.outcome !== 'passed').map((r) => `${r.test.ruleId}-${r.test.testId} (${r.test.location}): ${r.reason}`);
  assert.deepEqual(failed, [], `${what}: every case passes`);
}

test("the pack's rules keep its conventions, and each has attacks and lookalikes among the tests", { skip: libinjection.missing }, () => {
  const waf = packAlone(4);
  const tests = packTests();
  const wrong: string[] = [];
  let detections = 0;
  for (const [phase, rules] of waf.rules.phases.entries()) {
    for (const r of rules ?? []) {
      // (The test's own setup line is not the pack's.)
      if (r.marker !== undefined || !r.location.includes('/rules/mamori-')) continue;
      const at = `${r.id} (${r.location})`;
      if (!isPack(r.id)) wrong.push(`${at}: an id outside 36100000-36199999`);
      // (36100005 notices, in phase 1, whether CRS's rules came before the pack.)
      if (phase !== 2 && r.id !== 36100005) wrong.push(`${at}: phase ${phase}, not 2`);
      if (!r.tags.includes('mamori-rules')) wrong.push(`${at}: no mamori-rules tag`);
      const level = r.tags.find((t) => t.startsWith('paranoia-level/'));
      if (level === undefined) continue;
      detections++;
      if (!r.tags.some((t) => /^(?:cve\/CVE-\d{4}-\d+|cwe\/\d+|capec\/\d+)$/.test(t))) wrong.push(`${at}: no source tag (cve/, cwe/ or capec/)`);
      if (r.disruptive !== 'block' || r.severity === undefined || r.msg === undefined) wrong.push(`${at}: block, a severity and a msg`);
      // The score goes to the level's variable, in the rule or the last link of its chain.
      let link = r;
      while (link.chain) link = link.chain;
      const scores = link.setVars.map((v) => v.key.source.toLowerCase());
      if (scores.join() !== `inbound_anomaly_score_pl${level.slice('paranoia-level/'.length)}`) wrong.push(`${at}: adds to ${scores.join() || 'nothing'}`);
      const own = tests.filter((t) => t.ruleId === r.id);
      if (!own.some(positive) || !own.some((t) => !positive(t))) wrong.push(`${at}: needs attacks and lookalikes in rules/tests`);
    }
  }
  assert.equal(detections, 44, 'detection rules in the pack');
  assert.deepEqual(wrong, []);
});

test('the rule pack alone (paranoia level 4): every case passes, attacks are refused with 403, lookalikes pass', { skip: libinjection.missing }, () => {
  const tests = packTests();
  assert.equal(tests.length, PACK_CASES, 'every case of rules/tests was read');
  const waf = packAlone(4);
  const levels = ruleLevels(waf);
  for (const t of tests) assert.ok(levels.has(t.ruleId), `${t.ruleId}: a rule of the pack, tagged with its paranoia level`);
  const results = runFtwTests(tests, (req) => waf.transaction(req));
  assert.equal(results.length, PACK_CASES);
  assertAllPass(results, 'pack alone');
  const wrong: string[] = [];
  for (const t of tests) {
    const run = runStage(t.stages[0]!, (req) => waf.transaction(req));
    const ids = run.logged.map((m) => m.id);
    if (positive(t) && run.logged.some((m) => isPack(m.id) && critical(m))) {
      if (run.status !== 403 || !ids.includes(BLOCKING_ID)) wrong.push(`${t.ruleId}-${t.testId}: an attack answered ${run.status} (logged ${ids.join(', ')})`);
    }
    if (!positive(t) && run.status !== 200) wrong.push(`${t.ruleId}-${t.testId}: a lookalike answered ${run.status} (logged ${ids.join(', ')})`);
  }
  assert.deepEqual(wrong, []);
  console.log(`# rule pack alone: ${results.length} cases passed (${tests.filter(positive).length} attacks, ${tests.filter((t) => !positive(t)).length} lookalikes), ${levels.size} rules`);
});

test('the rule pack alone at paranoia level 1: level-1 rules match their attacks, rules of higher levels stay quiet', { skip: libinjection.missing }, () => {
  const tests = packTests();
  const waf = packAlone(1);
  const levels = ruleLevels(waf);
  const wrong: string[] = [];
  let ran = 0;
  for (const t of tests) {
    const level = levels.get(t.ruleId)!;
    const run = runStage(t.stages[0]!, (req) => waf.transaction(req));
    ran++;
    const logged = run.logged.some((m) => m.id === t.ruleId);
    if (positive(t) && level === 1 && !logged) wrong.push(`${t.ruleId}-${t.testId}: not logged at level 1`);
    if (level > 1 && logged) wrong.push(`${t.ruleId}-${t.testId}: a level-${level} rule logged at level 1`);
    if (level > 1 && run.logged.some((m) => isPack(m.id) && (levels.get(m.id) ?? 1) > 1)) wrong.push(`${t.ruleId}-${t.testId}: a rule above level 1 logged`);
    if (!positive(t) && run.status !== 200) wrong.push(`${t.ruleId}-${t.testId}: a lookalike answered ${run.status}`);
  }
  assert.equal(ran, PACK_CASES);
  assert.deepEqual(wrong, []);
});

const crs = sharedData('crs', 'MAMORI_CRS_DIR');
const noCrs = crs.missing ?? libinjection.missing;

/** CRS as its regression tests expect it (waf/ftw/crs-setup.ts), with the pack where CRS loads its plugins' rules. */
function crsWithPack(): Waf {
  const lines = crsTestSetup(crs.dir).split('\n');
  const at = lines.findIndex((l) => l.startsWith('Include ') && l.endsWith('rules/*.conf"'));
  assert.ok(at > 0, "crsTestSetup includes CRS's rules on a line of its own");
  lines.splice(at, 0, PACK_INCLUDE);
  return loadWaf({ text: lines.join('\n'), file: join(crs.dir, 'mamori-test-setup.conf'), sqliDataDir: libinjection.dir });
}

test('the rule pack with CRS: every case passes, and attacks reach CRS\'s 949110 through the pack\'s scores', { skip: noCrs }, () => {
  const tests = packTests();
  const waf = crsWithPack();
  const results = runFtwTests(tests, (req) => waf.transaction(req));
  assert.equal(results.length, PACK_CASES);
  assertAllPass(results, 'pack with CRS');
  const wrong: string[] = [];
  let gapAttacks = 0;
  for (const t of tests) {
    if (!positive(t)) continue;
    const run = runStage(t.stages[0]!, (req) => waf.transaction(req));
    const ids = run.logged.map((m) => m.id);
    if (ids.includes(BLOCKING_ID)) wrong.push(`${t.ruleId}-${t.testId}: the pack blocked on its own beside CRS`);
    if (run.logged.some((m) => isPack(m.id) && critical(m)) && !ids.includes(949110)) wrong.push(`${t.ruleId}-${t.testId}: CRS's 949110 did not log (logged ${ids.join(', ')})`);
    // The gap closers' attacks are ones CRS's attack rules (930-944) miss at every level.
    if (t.location.includes('/gap-closers/')) {
      gapAttacks++;
      const seen = ids.filter((id) => id >= 930000 && id < 945000);
      if (seen.length) wrong.push(`${t.ruleId}-${t.testId}: CRS already catches this (${seen.join(', ')}); not a gap`);
    }
  }
  assert.ok(gapAttacks > 0, 'the gap closers have attacks to check');
  assert.deepEqual(wrong, []);
});

for (const order of ['before', 'after'] as const) {
  test(`CRS at paranoia level 1, the pack included ${order} CRS's rules: every level-1 attack of the pack is refused${order === 'before' ? " by CRS's 949110, through the scores the pack adds" : ' by the pack, since 949110 has decided before its scores'}`, { skip: noCrs }, () => {
    const tests = packTests();
    const setup = (withPack: boolean) => {
      const text = crsSetup(crs.dir, { engine: 'On', paranoia: 1, before: withPack && order === 'before' ? [PACK_INCLUDE] : [] });
      return loadWaf({ text: withPack && order === 'after' ? `${text}${PACK_INCLUDE}\n` : text, file: join(crs.dir, 'mamori-pl1.conf'), sqliDataDir: libinjection.dir });
    };
    const withPack = setup(true);
    const alone = setup(false);
    const levels = ruleLevels(withPack);
    const decides = order === 'before' ? 949110 : BLOCKING_ID;
    const wrong: string[] = [];
    let attacks = 0;
    let crsMissed = 0;
    for (const t of tests) {
      if (levels.get(t.ruleId) !== 1) continue;
      const run = runStage(t.stages[0]!, (req) => withPack.transaction(req));
      const ids = run.logged.map((m) => m.id);
      if (!positive(t)) {
        // A lookalike CRS lets through, the pack lets through too.
        if (runStage(t.stages[0]!, (req) => alone.transaction(req)).status === 200 && run.status !== 200) wrong.push(`${t.ruleId}-${t.testId}: a lookalike answered ${run.status} (logged ${ids.join(', ')})`);
        continue;
      }
      attacks++;
      const crsAlone = runStage(t.stages[0]!, (req) => alone.transaction(req));
      if (crsAlone.status === 200) crsMissed++;
      if (run.status !== 403) wrong.push(`${t.ruleId}-${t.testId}: answered ${run.status} (logged ${ids.join(', ')})`);
      // Where CRS alone lets it through, the refusal is the one that sees the pack's score.
      else if (crsAlone.status === 200 && !ids.includes(decides)) wrong.push(`${t.ruleId}-${t.testId}: refused, but not by ${decides} (logged ${ids.join(', ')})`);
      if (order === 'before' && ids.includes(BLOCKING_ID)) wrong.push(`${t.ruleId}-${t.testId}: the pack blocked on its own beside CRS`);
    }
    console.log(`# CRS at paranoia level 1, the pack ${order} CRS's rules: the pack's ${attacks} level-1 attacks all refused; CRS alone lets ${crsMissed} of them through`);
    assert.ok(attacks > 50);
    assert.deepEqual(wrong, []);
  });
}

interface Override {
  rule_id: number;
  test_ids: number[];
}

/** CRS's attack rules: scanner detection (913) and 921 to 944 (protocol attacks, multipart, LFI, RFI, RCE, PHP, generic, XSS, SQLi, session fixation, Java). */
const isCrsAttack = (id: number): boolean => (id >= 913000 && id < 914000) || (id >= 921000 && id < 945000);

test("CRS's regression suite with the pack loaded: no benign test logs a pack rule, no new failure", { skip: noCrs }, () => {
  const waf = crsWithPack();
  const overrides = parse(readFileSync(join(ROOT, 'test', 'crs', 'overrides.yaml'), 'utf8')) as { overrides: Override[] };
  const listed = new Set(overrides.overrides.flatMap((o) => o.test_ids.map((id) => `${o.rule_id}-${id}`)));
  const tests: FtwTest[] = [];
  for (const f of ftwTestFiles(join(crs.dir, 'tests', 'regression', 'tests'))) tests.push(...parseFtwFile(readFileSync(f, 'utf8'), f).tests);
  let noExpect = 0;
  let benign = 0;
  let ran = 0;
  const falsePositives: string[] = [];
  const onAttacksCrsSaw: string[] = [];
  const newFailures: string[] = [];
  const attackHits = new Map<number, number>();
  for (const t of tests) {
    const opened: Transaction[] = [];
    const [r] = runFtwTests([t], (req) => {
      const tx = waf.transaction(req);
      opened.push(tx);
      return tx;
    });
    ran++;
    if (r!.outcome === 'failed' && !listed.has(`${t.ruleId}-${t.testId}`)) newFailures.push(`${t.ruleId}-${t.testId}: ${r!.reason}`);
    const logged = opened.flatMap((tx) => tx.matched.filter((m) => m.logged).map((m) => m.id));
    const packIds = [...new Set(logged.filter(isPack))];
    // A test that expects no rule (and no log text) to match, and in which none of CRS's attack
    // rules logged either (CRS at paranoia level 4): benign. A test that only says "not this rule"
    // (no_expect_ids) often carries a real attack that other rules are there to catch.
    const expectsNothing = t.stages.every((s) => s.output.expectIds.length === 0 && s.output.logContains === undefined && s.output.matchRegex === undefined);
    if (expectsNothing) noExpect++;
    if (expectsNothing && !logged.some(isCrsAttack)) {
      benign++;
      if (packIds.length) falsePositives.push(`${t.ruleId}-${t.testId} (${t.location}): ${packIds.join(', ')}`);
    } else if (expectsNothing && packIds.length) onAttacksCrsSaw.push(`${t.ruleId}-${t.testId}: ${packIds.join(', ')}`);
    if (!expectsNothing) for (const id of packIds) attackHits.set(id, (attackHits.get(id) ?? 0) + 1);
  }
  console.log(`# CRS suite with the pack: ${ran} tests; ${noExpect} expect no match, ${benign} of them benign (no CRS attack rule logs): ${falsePositives.length} logged a pack rule`);
  console.log(`# tests that expect no match of one rule but carry an attack CRS's other rules log, where the pack also logged (${onAttacksCrsSaw.length}): ${onAttacksCrsSaw.join('; ')}`);
  console.log(`# pack rules matching CRS's attack tests (${[...attackHits.values()].reduce((a, b) => a + b, 0)}): ${[...attackHits].sort((a, b) => b[1] - a[1]).map(([id, n]) => `${id}: ${n}`).join(', ')}`);
  assert.equal(ran, 5003, 'every test of CRS v4.28.0 ran');
  assert.ok(benign > 500, 'the benign tests were found');
  assert.deepEqual(falsePositives, [], "CRS's benign tests that log a pack rule");
  assert.deepEqual(newFailures, [], 'CRS tests that fail with the pack loaded and are not in crs/overrides.yaml');
});
