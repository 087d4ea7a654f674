import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner } from './scanner.js';

// Request input handed on by a function's return: a named function, a method, a closure invoked
// at once, held in a variable or given to call_user_func, and a closure's use() list. Each was
// clean before (the S18 note's open gap). Where PHP's CLI is here, each sample is also run by
// PHP with a harmless command in the request, to show PHP reads it as the working shell the
// scanner calls it; the benign samples are run too, and run nothing.
const scanner = createScanner({});
const dir = mkdtempSync(join(tmpdir(), 'mamori-flow-returns-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const php = spawnSync('php', ['-v'], { encoding: 'utf8' }).status === 0;
if (!php) console.log('# PHP CLI not found: the samples are scanned but not run by PHP');

const MARK = `ran-${process.pid}`;

/** What PHP prints when it includes `src` with the request's c, x and z set to run `echo MARK`. */
function runByPhp(name: string, src: string): string {
  const f = join(dir, name);
  writeFileSync(f, src);
  const boot = '$c = "echo ' + MARK + '"; $_GET["c"] = $_POST["c"] = $_POST["x"] = $_REQUEST["c"] = $c; $_REQUEST["z"] = base64_encode("echo \\"' + MARK + '\\";"); include $argv[1];';
  const r = spawnSync('php', ['-d', 'display_errors=stderr', '-r', boot, f], { encoding: 'utf8', timeout: 20_000 });
  return r.stdout;
}

const SHELLS: [string, string][] = [
  ['a closure invoked at once, assigned', `<?php $c = (function(){ return $_GET["c"]; })(); system($c);`],
  ['a closure invoked at once, as the argument', `<?php system((function(){ return $_GET["c"]; })());`],
  ['a closure held in a variable', `<?php $f = function() { return $_POST['x']; }; system($f());`],
  ['a named function', `<?php function g(){ return $_GET['c']; } system(g());`],
  ['a closure with statements before its return', `<?php $f = function($a) { $t = 1; return base64_decode($_REQUEST['z']); }; eval($f(1));`],
  ['a closure given to call_user_func', `<?php $c = call_user_func(function(){ return $_GET["c"]; }); passthru($c);`],
  ['a static method', `<?php class K { static function v(){ return $_GET['c']; } } system(K::v());`],
  ['a method of an anonymous class', `<?php $o = new class { function v(){ return $_GET['c']; } }; system($o->v());`],
  ['an arrow function held in a variable', `<?php $f = fn() => $_GET['c']; system($f());`],
  ['closures within closures', `<?php system((function(){ return (function(){ $t = 1; return $_GET["c"]; })(); })());`],
  ['a closure that takes the input through use()', `<?php\n$c = $_GET['c'];\n$run = function () use ($c) { system($c); };\n$run();\n`],
  ['input assigned between two function definitions', `<?php\nfunction helper() { return 1; }\n$c = $_POST['c'];\nfunction other($x) { return $x + 1; }\npassthru($c);\n`],
  ['a local of the function, returned', `<?php function g(){ $v = $_GET['c']; return trim($v); } shell_exec(g()) . print(shell_exec(g()));`],
];

describe('scan: request input returned by a function reaches the sinks', () => {
  for (const [name, src] of SHELLS) {
    it(name, () => {
      const r = scanner.scanBuffer(Buffer.from(src), '/www/x.php');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.technique === 'request-input-exec'), JSON.stringify(r.findings));
      if (php) assert.match(runByPhp('shell.php', src), new RegExp(MARK), 'PHP runs the sample as a shell');
    });
  }
  it(`ran all ${SHELLS.length} samples`, () => assert.equal(SHELLS.length, 13));
});

const BENIGN: [string, string][] = [
  // An accessor of the request held in a variable and then called is not request input called as a function.
  ['an arrow-function accessor of $_GET', `<?php\n$get = fn($k) => $_GET[$k] ?? null;\n$page = $get('page');\necho htmlspecialchars((string) $page);\n`],
  [
    'a closure accessor, a function accessor, and dispatch through a table',
    `<?php\n$get = function ($k) { return $_GET[$k] ?? null; };\n$page = $get('page');\necho htmlspecialchars((string) $page);\nfunction param($k) { return isset($_REQUEST[$k]) ? $_REQUEST[$k] : ''; }\n$x = param('x');\n$handlers = ['home' => 'strtoupper'];\n$cb = $handlers[param('action')] ?? 'strtolower';\necho $cb('ok');\n`,
  ],
  ['a function returning input, escaped before the shell', `<?php function file_arg(){ return $_GET['c']; } system('ls -- ' . escapeshellarg(file_arg()));`],
  ['input in one function, a command in another', `<?php function a(){ $c = $_GET['c']; return strlen($c); } function b(){ $c = 'date'; system($c); } echo a();`],
];

describe('scan: accessors of the request that run nothing stay clean', () => {
  for (const [name, src] of BENIGN) {
    it(name, () => {
      const r = scanner.scanBuffer(Buffer.from(src), '/www/x.php');
      assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
      if (php) assert.doesNotMatch(runByPhp('benign.php', src), new RegExp(`^${MARK}`, 'm'), 'PHP runs nothing of the request');
    });
  }
});

describe('scan: the flow pass stays linear', () => {
  // Each cost the square of its length before (a list of offsets searched and scanned per
  // assignment); the timeout only stops a hang from holding the suite.
  const shapes: [string, string][] = [
    ['100,000 assignments of input to one variable', `<?php ${'$x = $_GET[1]; '.repeat(100_000)} system($x);`],
    ['100,000 closures that never close', `<?php $_GET; ${'$f = function(){ ; '.repeat(100_000)}`],
    ['functions nested 100,000 deep', `<?php $_GET; ${'function a(){ '.repeat(100_000)}${'}'.repeat(100_000)}`],
    ['100,000 calls of a function that returns input', `<?php function g(){ return $_GET[1]; } ${'$x = g(g(g(1))); '.repeat(100_000)}`],
  ];
  for (const [name, src] of shapes) {
    it(`${name}: scanned to a verdict`, { timeout: 120_000 }, () => {
      const r = scanner.scanBuffer(Buffer.from(src), '/www/hostile.php');
      assert.ok(['clean', 'suspicious', 'malicious'].includes(r.verdict));
    });
  }
  it('the assignments are still followed to their sink', () => {
    assert.equal(scanner.scanBuffer(Buffer.from(shapes[0]![1]), '/www/hostile.php').verdict, 'malicious');
  });
});
