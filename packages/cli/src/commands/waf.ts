import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MamoriError } from 'mamori';
import { runFtwTestsThroughProxy } from 'mamori/internal';
import { countUsage, crsTestSetup, ftwTestFiles, formatErrors, loadSecLangFiles, loadWaf, parseFtwFile, runFtwTests, supportMatrix, type FtwTest } from 'mamori/waf';
import { parse as parseYaml } from 'yaml';
import { parse } from '../command.js';

export const help = `Usage:
  mamori waf lint FILE...            read SecLang rule files (Includes followed): every problem with
                                     file:line; then what the engine compiled, phase by phase
        --matrix                     print the SecLang support matrix (markdown), with the files' usage
  mamori waf test DIR --rules CRS    run go-ftw YAML tests (CRS's tests/regression/tests) in process
                                     against the rules in CRS (a CRS release directory), set up as
                                     CRS's tests expect; prints passed / failed / skipped per folder
        --overrides FILE             tests expected to fail ({ overrides: [{ rule_id, test_ids, reason }] }):
                                     the exit status is 1 only for a failure not listed there
        --libinjection DIR           libinjection's data for @detectSQLi (default: MAMORI_LIBINJECTION_DIR)
        --show N                     print the first N failures (default 20)
        --http                       send each test's bytes over HTTP through mamori's proxy (as
                                     mamori up runs it) to a backend that answers as go-ftw's does,
                                     instead of in process; the rules each request logged are read
                                     from its WAF transaction
`;


export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    { matrix: { type: 'boolean' }, rules: { type: 'string' }, overrides: { type: 'string' }, libinjection: { type: 'string' }, show: { type: 'string' }, http: { type: 'boolean' } },
    help,
  );
  const [sub, ...rest] = positionals;
  if (sub === 'lint' && (rest.length > 0 || values.matrix)) {
    if (rest.length === 0) {
      process.stdout.write(supportMatrix());
      return 0;
    }
    const loaded = loadSecLangFiles(rest.map((f) => resolve(f)));
    if (!loaded.ok) {
      process.stderr.write(`${formatErrors(loaded.errors)}\n`);
      return 1;
    }
    if (values.matrix) {
      process.stdout.write(supportMatrix({ usage: countUsage(loaded.config), usageLabel: 'These files' }));
      return 0;
    }
    const waf = loadWaf({ files: rest.map((f) => resolve(f)), sqliDataDir: values.libinjection, unrunnable: 'drop' });
    // Rules mamori loads but leaves out (as `mamori up` does), each named: a warning, not a failure.
    for (const r of waf.left) process.stderr.write(`warning: ${r.file}:${r.line}: rule ${r.id} is left out when mamori runs these rules: ${r.why}\n`);
    const perPhase = waf.rules.phases.slice(1).map((p, i) => `phase ${i + 1}: ${p.filter((r) => r.marker === undefined).length}`);
    process.stdout.write(`${loaded.config.files.length} file(s), ${loaded.config.rules.length} rule(s): OK (${perPhase.join(', ')}; engine ${waf.rules.policy.mode})\n`);
    return 0;
  }
  if (sub === 'test' && rest.length === 1 && values.rules) {
    const crs = resolve(values.rules);
    // (Loaded in process either way: a rule set that cannot load says so before any server starts.)
    const waf = loadWaf({ text: crsTestSetup(crs), file: join(crs, 'mamori-test-setup.conf'), sqliDataDir: values.libinjection });
    const tests: FtwTest[] = [];
    for (const f of ftwTestFiles(resolve(rest[0]!))) {
      const file = parseFtwFile(readFileSync(f, 'utf8'), f);
      for (const w of file.warnings) process.stderr.write(`warning: ${w}\n`);
      tests.push(...file.tests);
    }
    const listed = new Map<string, string>();
    if (values.overrides) {
      const o = parseYaml(readFileSync(values.overrides, 'utf8')) as { overrides?: { rule_id: number; test_ids: number[]; reason: string }[] } | null;
      for (const x of o?.overrides ?? []) for (const id of x.test_ids ?? []) listed.set(`${x.rule_id}-${id}`, x.reason);
    }
    const results = values.http ? await runFtwTestsThroughProxy(tests, { text: crsTestSetup(crs), file: join(crs, 'mamori-test-setup.conf'), sqliDataDir: values.libinjection }) : runFtwTests(tests, (req) => waf.transaction(req));
    const folders = new Map<string, [number, number, number]>();
    for (const r of results) {
      const f = r.test.location.split('/').at(-2) ?? '';
      const t = folders.get(f) ?? [0, 0, 0];
      t[r.outcome === 'passed' ? 0 : r.outcome === 'failed' ? 1 : 2]++;
      folders.set(f, t);
    }
    const width = Math.max(...[...folders.keys()].map((k) => k.length), 6);
    for (const [f, [p, x, s]] of folders) process.stdout.write(`${f.padEnd(width)}  ${String(p).padStart(5)} passed  ${String(x).padStart(4)} failed  ${String(s).padStart(3)} skipped\n`);
    const failed = results.filter((r) => r.outcome === 'failed');
    const unexpected = failed.filter((r) => !listed.has(`${r.test.ruleId}-${r.test.testId}`));
    const show = Number(values.show ?? 20);
    for (const r of unexpected.slice(0, show)) process.stdout.write(`FAILED ${r.test.ruleId}-${r.test.testId} (${r.test.location}): ${r.reason}\n`);
    const passed = results.filter((r) => r.outcome === 'passed').length;
    const skipped = results.length - passed - failed.length;
    process.stdout.write(`${passed} passed, ${failed.length} failed (${failed.length - unexpected.length} of them listed in the overrides), ${skipped} skipped\n`);
    return unexpected.length > 0 ? 1 : 0;
  }
  throw new MamoriError('MAMORI_ERR_CLI_USAGE', `expected "lint FILE..." or "test DIR --rules CRS"\n\n${help}`);
}
