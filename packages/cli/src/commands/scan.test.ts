import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/mamori.js', import.meta.url));
const TESTDATA = fileURLToPath(new URL('../../../host/src/scan/testdata/', import.meta.url));
/** The benign look-alikes: every one must come out clean. */
const CLEAN = readdirSync(join(TESTDATA, 'clean')).length;
const ASP = readdirSync(join(TESTDATA, 'asp')).length;

function mamori(args: string[], cwd = TESTDATA): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, 'scan', ...args], { cwd, encoding: 'utf8', env: { ...process.env, MAMORI_SECRET: 'cli-scan-test-secret-0123456789abcdef' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('mamori scan', () => {
  it('takes what a verified fim baseline recorded as known good, and matches the IoC store and its indicators', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-scan-wiring-'));
    const run = (cmd: string, args: string[]) => spawnSync(process.execPath, [BIN, cmd, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, MAMORI_SECRET: 'cli-scan-test-secret-0123456789abcdef' } });
    writeFileSync(join(dir, 'index.php'), '<?php echo "hello"; ?>\n');
    writeFileSync(join(dir, 'shell.php'), '<?php @eval($_POST["x"]); ?>\n');
    assert.equal(run('scan', ['--no-progress', 'index.php', 'shell.php']).status, 2);
    // A baseline recorded (here, with the shell in it: the baseline is what the operator vouched for).
    assert.equal(run('fim', ['init', 'index.php', 'shell.php']).status, 0);
    const known = run('scan', ['--no-progress', '--baseline', 'default', 'index.php', 'shell.php']);
    assert.equal(known.status, 0, known.stdout + known.stderr);
    writeFileSync(join(dir, 'shell.php'), '<?php @eval($_POST["y"]); ?>\n');
    assert.equal(run('scan', ['--no-progress', '--baseline', 'default', 'shell.php']).status, 2, 'changed since the baseline: judged again');
    // An indicator on index.php's hash, imported with mamori ioc.
    const sha = createHash('sha256').update('<?php echo "hello"; ?>\n').digest('hex');
    writeFileSync(join(dir, 'iocs.csv'), `type,value\nsha256,${sha}\n`);
    assert.equal(run('ioc', ['import', 'iocs.csv', '--source', 'test']).status, 0);
    const hit = run('scan', ['--no-progress', 'index.php']);
    assert.equal(hit.status, 2);
    assert.match(hit.stdout, /matches the sha256 indicator/);
    assert.equal(run('scan', ['--no-progress', '--no-ioc', 'index.php']).status, 0);
  });

  it('--generations FILE: the generation record kept apart from the key; an older baseline put back is refused with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-scan-generations-'));
    const run = (cmd: string, args: string[]) => spawnSync(process.execPath, [BIN, cmd, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, MAMORI_SECRET: 'cli-scan-test-secret-0123456789abcdef' } });
    mkdirSync(join(dir, 'record'));
    writeFileSync(join(dir, 'shell.php'), '<?php @eval($_POST["x"]); ?>\n');
    const gen = ['--generations', join(dir, 'record', 'fim.generations')];
    assert.equal(run('fim', ['init', 'shell.php', ...gen]).status, 0);
    assert.ok(existsSync(join(dir, 'record', 'fim.generations')));
    assert.ok(!existsSync(join(dir, '.mamori', 'fim.key.generations')), 'the record went where it was told');
    copyFileSync(join(dir, '.mamori', 'fim.db'), join(dir, 'old.db'));
    // The shell is found and taken out of the baseline (a newer generation); the old baseline, which vouched for it, is put back.
    writeFileSync(join(dir, 'shell.php'), '<?php echo 1; ?>\n');
    assert.equal(run('fim', ['accept', '--all', '--reason', 'cleaned', ...gen]).status, 0);
    writeFileSync(join(dir, 'shell.php'), '<?php @eval($_POST["x"]); ?>\n');
    copyFileSync(join(dir, 'old.db'), join(dir, '.mamori', 'fim.db'));
    const refused = run('scan', ['--no-progress', '--baseline', 'default', ...gen, 'shell.php']);
    assert.equal(refused.status, 70, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /is generation 1, older than generation 2 recorded in .*record\/fim\.generations/);
    assert.match(run('scan', ['--no-progress', ...gen, 'shell.php']).stderr, /--key and --generations go with --baseline/);
    // Without the record's path (S16H-9), scan says it cannot tell, and never starts a record of its own at the default path.
    const unaware = run('scan', ['--no-progress', '--baseline', 'default', 'shell.php']);
    assert.match(unaware.stderr, /notice: no generation recorded .*an older copy put back cannot be told apart here.*--generations/);
    assert.ok(!existsSync(join(dir, '.mamori', 'fim.key.generations')), 'scan wrote no record');
    assert.equal(run('scan', ['--no-progress', '--baseline', 'default', ...gen, 'shell.php']).status, 70, 'and the record kept apart still refuses the copy');
  });

  it('--file-timeout: a file that takes too long is stopped and reported suspicious, not passed; scan.file_timeout in the config; off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-scan-timeout-'));
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'scan', '--no-progress', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, MAMORI_CONFIG: '', MAMORI_SECRET: 'cli-scan-test-secret-0123456789abcdef' } });
    // H20: PHP of `$_GET[` repeated costs the rules about a second of CPU per MB (bench/redteam/host-scan-cpu.mjs).
    writeFileSync(join(dir, 'costly.php'), `<?php ${'$_GET['.repeat(200_000)}`);
    writeFileSync(join(dir, 'small.php'), '<?php echo "hello"; ?>\n');
    const stopped = run(['--json', '--file-timeout', '50ms', 'costly.php', 'small.php']);
    assert.equal(stopped.status, 1, stopped.stdout + stopped.stderr);
    const lines = stopped.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const costly = lines.find((l) => l['path'] === 'costly.php') as { verdict: string; score: number; note: string; sha256: string; findings: { technique: string }[] };
    assert.equal(costly.verdict, 'suspicious');
    assert.equal(costly.score, 35);
    assert.equal(costly.note, 'scan timed out after 50 ms: not fully checked');
    assert.deepEqual(costly.findings.map((f) => f.technique), ['scan-timeout']);
    assert.equal(costly.sha256, createHash('sha256').update(readFileSync(join(dir, 'costly.php'))).digest('hex'), 'hashed whole all the same');
    const summary = lines.at(-1)!;
    assert.deepEqual([summary['suspicious'], summary['clean'], summary['timedOut']], [1, 1, 1]);
    const table = run(['--file-timeout', '50ms', 'costly.php']);
    assert.match(table.stdout, /SUSPICIOUS\s+35\s+costly\.php\s+scan timed out after 50 ms, so it was not fully checked/);
    assert.match(table.stdout, /1 not fully checked \(scan timed out: counted as suspicious\)/);
    // The same from the config; the flag overrides it.
    writeFileSync(join(dir, 'mamori.yaml'), 'data_dir: ./data\nscan:\n  file_timeout: 50ms\n');
    assert.equal(run(['costly.php']).status, 1);
    const whole = run(['--json', '--file-timeout', 'off', 'costly.php']);
    assert.equal(whole.status, 0, 'scanned whole, the file is clean');
    assert.equal((JSON.parse(whole.stdout.trim().split('\n').at(-1)!) as { timedOut: number }).timedOut, 0);
    assert.match(run(['--file-timeout', '0', 'small.php']).stderr, /--file-timeout must be more than 0/);
    assert.equal(run(['--file-timeout', 'soon', 'small.php']).status, 64);
  });

  it('exits 2 when a file is malicious, and lists it in the table with its reason', () => {
    const r = mamori(['php', 'clean']);
    assert.equal(r.code, 2, r.err);
    assert.match(r.out, /^VERDICT\s+SCORE\s+FILE\s+REASON/m);
    assert.match(r.out, /MALICIOUS\s+100\s+php\/chopper\.php\s+request input passed straight/);
    assert.doesNotMatch(r.out, /clean\/installer\.php/);
    assert.match(r.out, /Scanned \d+ files .*malicious, \d+ suspicious, \d+ clean/);
  });
  it('exits 1 for suspicious only, 0 for clean only', () => {
    // (a known shell's name alone is suspicious; a mailer, since session 20, is malicious)
    assert.equal(mamori(['php/known-name.php', 'clean']).code, 1);
    const clean = mamori(['clean']);
    assert.equal(clean.code, 0);
    assert.ok(CLEAN >= 10);
    assert.match(clean.out, new RegExp(`0 malicious, 0 suspicious, ${CLEAN} clean`));
  });
  it('usage errors exit 64, apart from every verdict', () => {
    assert.equal(mamori([]).code, 64);
    assert.equal(mamori(['--format', 'xml', 'php']).code, 64);
    assert.equal(mamori(['--bogus', 'php']).code, 64);
    assert.equal(mamori(['--rule-score', '300', 'php']).code, 64);
    assert.equal(mamori(['--no-builtin', 'php']).code, 64);
    const missing = mamori(['php', 'no-such-dir']);
    assert.equal(missing.code, 64);
    assert.match(missing.err, /no such file or directory: .*no-such-dir/);
  });
  it('--json: one JSON object per listed file, then a summary', () => {
    const r = mamori(['--json', '--all', 'clean', 'asp']);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const files = lines.filter((l) => l['type'] === 'file');
    assert.equal(files.length, CLEAN + ASP);
    const summary = lines.at(-1)!;
    assert.equal(summary['type'], 'summary');
    assert.equal(summary['malicious'], ASP);
    assert.equal(summary['clean'], CLEAN);
    assert.equal(summary['worst'], 'malicious');
    const chopper = files.find((f) => f['path'] === 'asp/chopper.aspx') as { verdict: string; findings: { technique: string }[] };
    assert.equal(chopper.verdict, 'malicious');
    assert.equal(chopper.findings[0]!.technique, 'asp-eval');
  });
  it('--format sarif: SARIF 2.1.0, error for malicious, warning for suspicious, relative URIs with lines', () => {
    const r = mamori(['--format', 'sarif', 'php/chopper.php', 'php/known-name.php', 'clean']);
    assert.equal(r.code, 2);
    const sarif = JSON.parse(r.out) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    const results = sarif.runs[0]!.results;
    const chopper = results.find((x) => x.ruleId === 'mamori_php_input_to_exec')!;
    assert.equal(chopper.level, 'error');
    assert.equal(chopper.locations[0]!.physicalLocation.artifactLocation.uri, 'php/chopper.php');
    assert.equal(chopper.locations[0]!.physicalLocation.region?.startLine, 1);
    assert.equal(results.find((x) => x.ruleId === 'mamori_php_known_shell_names')?.level, 'warning');
    assert.ok(results.every((x) => !x.locations[0]!.physicalLocation.artifactLocation.uri.startsWith('clean/')));
    assert.ok(sarif.runs[0]!.tool.driver.rules.some((x) => x.id === 'mamori_php_input_to_exec'));
  });
  it('--rules: a rule file that cannot load is reported with file, line and reason; the others run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-cli-scan-'));
    writeFileSync(join(dir, 'ok.yar'), 'rule find_hello { strings: $a = "Hello, <c:out" condition: $a }\n');
    writeFileSync(join(dir, 'broken.yar'), 'rule broken {\n  condition: nosuch\n}\n');
    const r = mamori(['--rules', dir, 'clean/hello.jsp']);
    assert.match(r.err, /broken\.yar:2:14: rule file left out: .*unknown identifier `nosuch`/);
    assert.equal(r.code, 2);
    assert.match(r.out, /MALICIOUS\s+75\s+clean\/hello\.jsp\s+find_hello/);
    assert.equal(mamori(['--rules', dir, '--rule-score', '40', 'clean/hello.jsp']).code, 1);
    assert.equal(mamori(['--no-builtin', '--rules', join(dir, 'broken.yar'), 'clean']).code, 64);
  });
});
