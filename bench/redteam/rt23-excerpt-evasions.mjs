// S23R: split shells in a long PHP file that the excerpt linking (php-excerpts.ts) misses.
// node bench/redteam/rt23-excerpt-evasions.mjs
import { createScanner } from '../../packages/host/dist/scan/scanner.js';
import { longFile } from '../../packages/host/dist/scan/scan-test-kit.js';

const scanner = createScanner({});
const host = longFile(120);
const atTop = (def) => host.replace('<?php\n', `<?php\n${def}\n`);
const pad = (n) => Array.from({ length: n }, (_, i) => `function pad_${i}() { return shell_exec("uptime"); }`).join('\n');
export const cases = [
  ['control: closure', atTop('$fmt = function ($c) { return shell_exec($c); };') + '\necho $fmt($_GET["x"]);\n'],
  ['control: function', atTop('function fmt($c) { return shell_exec($c); }') + '\necho fmt($_GET["x"]);\n'],
  ['fully qualified call \\Shop\\Util\\fmt(', atTop('function fmt($c) { return shell_exec($c); }') + '\necho \\Shop\\Util\\fmt($_GET["x"]);\n'],
  ['alias of the closure variable', atTop('$fmt = function ($c) { return shell_exec($c); };') + '\n$g = $fmt;\necho $g($_GET["x"]);\n'],
  ['static method', atTop('class H { static function fmt($c) { return shell_exec($c); } }') + '\necho H::fmt($_GET["x"]);\n'],
  ['method', atTop('class H { function fmt($c) { return shell_exec($c); } }') + '\n$h = new H; echo $h->fmt($_GET["x"]);\n'],
  ['new class __invoke', atTop('$h = new class { function __invoke($c) { return shell_exec($c); } };') + '\necho $h($_GET["x"]);\n'],
  ['callable string call_user_func', atTop('function fmt($c) { return shell_exec($c); }') + '\necho call_user_func("fmt", $_GET["x"]);\n'],
  ['callable string array_map', atTop('function fmt($c) { return shell_exec($c); }') + '\necho implode(array_map("fmt", [$_GET["x"]]));\n'],
  ['callable string in var', atTop('function fmt($c) { return shell_exec($c); }') + '\n$n = "fmt"; echo $n($_GET["x"]);\n'],
  ['two levels', atTop('function run1($c) { return shell_exec($c); }\nfunction fmt($c) { return run1($c); }') + '\necho fmt($_GET["x"]);\n'],
  ['backticks helper', atTop('function fmt($c) { return `$c`; }') + '\necho fmt($_GET["x"]);\n'],
  ['dynamic-call helper', atTop('function fmt($f, $c) { return $f($c); }') + '\necho fmt("system", $_GET["x"]);\n'],
  ['def over 4 KiB', atTop('function fmt($c) {\n' + '    $pad = 1;\n'.repeat(400) + ' return shell_exec($c); }') + '\necho fmt($_GET["x"]);\n'],
  ['33 decoy runners first', atTop(pad(33) + '\nfunction fmt($c) { return shell_exec($c); }') + '\necho fmt($_GET["x"]);\n'],
  ['4 decoy runners called first', atTop(pad(4) + '\nfunction fmt($c) { return shell_exec($c); }') + '\necho pad_0(), pad_1(), pad_2(), pad_3(), fmt($_GET["x"]);\n'],
  ['name in other case', atTop('function FMT($c) { return shell_exec($c); }') + '\necho fmt($_GET["x"]);\n'],
  ['closure in $GLOBALS', atTop('$GLOBALS["fmt"] = function ($c) { return shell_exec($c); };') + '\necho $GLOBALS["fmt"]($_GET["x"]);\n'],
  ['closure in array', atTop('$h = ["fmt" => function ($c) { return shell_exec($c); }];') + '\necho $h["fmt"]($_GET["x"]);\n'],
  ['Closure::fromCallable', atTop('$fmt = Closure::fromCallable("shell_exec");') + '\necho $fmt($_GET["x"]);\n'],
  ['closure with string brace before', atTop('$fmt = function ($c = "{") { return shell_exec($c); };') + '\necho $fmt($_GET["x"]);\n'],
  ['def with namespaced exec \\shell_exec', atTop('function fmt($c) { return \\shell_exec($c); }') + '\necho fmt($_GET["x"]);\n'],
  ['def in comment-like closing', atTop('function fmt($c) { /* } */ return shell_exec($c); }') + '\necho fmt($_GET["x"]);\n'],
  ['input in variable far from call', atTop('function fmt($c) { return shell_exec($c); }\n$in = $_GET["x"];') + '\necho fmt($in);\n'],
  ['def after the call (hoisted)', host + '\necho fmt($_GET["x"]);\n' + 'function fmt($c) { return shell_exec($c); }\n'],
  ['by-ref name &fmt', atTop('function &fmt($c) { $r = shell_exec($c); return $r; }') + '\necho fmt($_GET["x"]);\n'],
  ['if-wrapped def', atTop('if (!function_exists("fmt")) { function fmt($c) { return shell_exec($c); } }') + '\necho fmt($_GET["x"]);\n'],
  ['use keyword alias', atTop('function fmt($c) { return shell_exec($c); }').replace('namespace Shop\\Util;', 'namespace Shop\\Util;\nuse function Shop\\Util\\fmt as pretty;') + '\necho pretty($_GET["x"]);\n'],
];
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, src] of cases) {
    const t = performance.now();
    const r = await scanner.scanBuffer(Buffer.from(src, 'latin1'), '/www/shop/util.php');
    console.log(`${r.verdict.padEnd(10)} ${(performance.now() - t).toFixed(0).padStart(5)}ms  ${name}  ${r.findings.map((f) => f.rule).join(',').slice(0, 140)}`);
  }
}
