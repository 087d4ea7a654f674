import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner } from './scanner.js';
import { foldVariables } from './php-fold.js';

// The techniques of the public webshell families that a measurement on 111 real PHP webshells
// (kept outside the project; bench/README.md, "scan on real webshells") found clean or only
// suspicious, each written here by us in a shape of our own: names built in variables (folded by
// php-fold.ts), callbacks of the array_u* family and of ob_start, bare names, assignments inside
// brackets, reflection, traits, a function given a sink's name, input kept in the session, remote
// code, mailers and uploaders. Where PHP 8.2 is here, each sample that can run without mail or
// a network is run by it (the request set up in PHP) and prints the mark its command echoes.
const scanner = createScanner({});
const dir = mkdtempSync(join(tmpdir(), 'mamori-families-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const php = spawnSync('php', ['-v'], { encoding: 'utf8' }).status === 0;

const MARK = `fam${process.pid}`;
const GET = `$_GET = ['c' => 'echo ${MARK}', 'f' => 'system'];`;

/** Two strings whose XOR is `s` (the first of printable characters of our choosing). */
function xorPair(s: string): [string, string] {
  let a = '';
  let b = '';
  for (let i = 0; i < s.length; i++) {
    const k = 0x40 | (i % 8);
    a += String.fromCharCode(s.charCodeAt(i) ^ k);
    b += String.fromCharCode(k);
  }
  return [a, b];
}
const [xa, xb] = xorPair('system');
// '_GET' as chr(a)^chr(b) pieces, the numbers ours
const chrGet = [...'_GET'].map((c, i) => `(chr(${33 + i * 7})^chr(${c.charCodeAt(0) ^ (33 + i * 7)}))`).join('.');

interface Sample {
  name: string;
  src: string;
  boot?: string;
  /** false: not run by PHP (it would send mail, fetch, or needs PHP 7's bare names) */
  run?: boolean;
}

const SAMPLES: Sample[] = [
  // names built in variables
  { name: 'strrev of a variable', src: `$a = 'metsys'; $a = strrev($a); $a($_GET['c']);`, boot: GET },
  { name: 'strtr', src: `$f = strtr('sxstqm', 'xq', 'ye'); $f($_GET['c']);`, boot: GET },
  { name: 'substr_replace', src: `$f = substr_replace("syzzzz", "stem", 2); $f($_GET['c']);`, boot: GET },
  { name: 'trim', src: `$f = trim("  system \\n"); $f($_GET['c']);`, boot: GET },
  { name: 'XOR of two literals', src: `$f = '${xa}' ^ '${xb}'; $f($_GET['c']);`, boot: GET },
  { name: 'chr()^chr() pieces naming $_GET', src: `system(\${${chrGet}}['c']);`, boot: GET },
  { name: '$$b with $b joined', src: `$b = '_' . 'G' . 'ET'; $c = $$b; system($c['c']);`, boot: GET },
  { name: '${$g} with $g from chr arithmetic', src: `$g = chr(31 ^ 64) . chr(7 ^ 64) . chr(5 ^ 64) . chr(20 ^ 64); system(\${$g}['c']);`, boot: GET },
  { name: 'foreach over a superglobal name', src: `foreach (array('_GET') as $r) { foreach ($$r as $k => $v) { if ($k === 'c') system($v); } }`, boot: GET },
  { name: 'eval of code joined from variables', src: `$p = 'sys'; $q = 'tem($_GET["c"]);'; eval($p . $q);`, boot: GET },
  { name: 'implode of array() pieces', src: `$f = implode('', array('sy', 'st', 'em')); $f($_GET['c']);`, boot: GET },
  { name: 'explode, then elements joined', src: `$p = explode('|', 'x|sys|tem'); $f = $p[1] . $p[2]; $f($_GET['c']);`, boot: GET },
  { name: 'str_replace of junk', src: `$f = str_replace('#', '', 's#y#s#t#e#m'); $f($_GET['c']);`, boot: GET },
  // callbacks
  { name: 'array_intersect_ukey with the callback last', src: `array_intersect_ukey(array($_GET['c'] => 1), array(1 => 1), 'system');`, boot: GET },
  { name: 'array_udiff with the callback last', src: `array_udiff(array($_GET['c']), array('x'), 'system');`, boot: GET },
  { name: 'ob_start with a closure that runs the output', src: `ob_start(function ($out) { return shell_exec($out); }); echo $_GET['c']; ob_end_flush();`, boot: GET },
  { name: 'ob_start with a closure handing the output to a caller', src: `ob_start(function ($o) { return call_user_func('shell_exec', $o); }); echo $_GET['c']; ob_end_flush();`, boot: GET },
  { name: 'call_user_func_array with a bare name (PHP 7)', src: `call_user_func_array(system, array($_GET['c']));`, run: false },
  { name: 'assignments inside brackets, then a caller', src: `($f = 'system') && ($c = $_GET['c']) && call_user_func_array($f, array($c));`, boot: GET },
  // objects, functions, the session
  { name: 'ReflectionClass::newInstance runs the constructor', src: `class K { function __construct($f, $a) { $f($a); } }\n$r = new ReflectionClass('K'); $r->newInstance($_GET['f'], $_GET['c']);`, boot: GET },
  { name: "a trait's method calling its parameter", src: `trait T { function go($f, $a) { $f($a); } }\nclass K { use T; }\n$k = new K; $k->go($_GET['f'], $_GET['c']);`, boot: GET },
  { name: "a function given a sink's name calls it with input", src: `function g($f) { $f($_GET['c']); }\ng('system');`, boot: GET },
  { name: 'request input kept in the session, then run', src: `@session_start(); if (isset($_GET['c'])) { $_SESSION['k'] = $_GET['c']; }\nsystem($_SESSION['k']);`, boot: GET },
  { name: 'str_replace of the subject, then eval', src: `$c = str_replace('?>', '', $_GET['e']); eval($c);`, boot: `$_GET = ['e' => 'echo "${MARK}";'];` },
  // what runs without request input, and the other kinds
  { name: 'code fetched from a URL in a variable, run in a loop', src: `$u = 'http://127.0.0.1:9/next.txt';\nwhile ($code = @file_get_contents($u)) { eval($code); sleep(5); }`, run: false },
  { name: 'a mailer: recipients, message and sender from the request', src: `$to = explode("\\n", $_POST['list']);\nforeach ($to as $t) { mail($t, $_POST['subject'], $_POST['body'], 'From: ' . $_POST['from']); }`, run: false },
  { name: "what a call given request input returns, called", src: `trim($_GET['f'])($_GET['c']);`, boot: GET },
  { name: 'preg_replace /e with the replacement from the request (PHP 5)', src: `$r = $_GET['c']; preg_replace('/x/e', ' ' . $r, 'x');`, run: false },
  { name: 'a dropper: decoded content written where a cookie says', src: `if (!empty($_COOKIE['p'])) file_put_contents($_COOKIE['p'], base64_decode('PD9waHAgZWNobyAxOw=='));`, run: false },
  { name: 'login records and histories deleted', src: `foreach (array('/var/log/wtmp', '/var/log/lastlog', '/var/run/utmp', '/root/.bash_history', '/var/log/btmp') as $f) { @unlink($f); }`, run: false },
  { name: "an uploader that keeps the client's file name", src: `$dest = getcwd() . '/' . basename($_FILES['f']['name']);\nif (move_uploaded_file($_FILES['f']['tmp_name'], $dest)) echo 'ok';`, run: false },
];

/** Benign code shaped like the above: none of it malicious. */
const BENIGN: [string, string][] = [
  ['a contact form mailing its own address', `mail('owner@example.com', $_POST['subject'], $_POST['message'], 'From: site@example.com');`],
  ['an uploader that checks the extension and names the file itself', `$ext = strtolower(pathinfo($_FILES['f']['name'], PATHINFO_EXTENSION));\nif (!in_array($ext, ['jpg', 'png'], true)) exit;\nmove_uploaded_file($_FILES['f']['tmp_name'], 'uploads/' . bin2hex(random_bytes(8)) . '.' . $ext);`],
  ['register_globals emulation that escapes', `foreach (array('_GET', '_POST') as $g) { foreach ($$g as $k => $v) { $$k = htmlspecialchars($v); } }\necho $title ?? '';`],
  ['JSON fetched from an API and printed', `$j = json_decode(file_get_contents('https://api.example.com/v1/info'), true);\necho htmlspecialchars($j['name'] ?? '');`],
  ['a string reversed for display', `$s = strrev('olleh'); echo $s, ' ', trim($_GET['name'] ?? '');`],
  ['a filter table of string functions', `$filters = ['upper' => 'strtoupper', 'lower' => 'strtolower'];\n$f = $filters[$_GET['f'] ?? 'upper'] ?? 'strtoupper';\necho htmlspecialchars($f('Title'));`],
  ['array_udiff with a comparison closure', `$d = array_udiff($_POST['a'] ?? [], ['x'], function ($a, $b) { return strcmp($a, $b); }); echo count($d);`],
  ['a command function used where it exists', `if (function_exists('exec')) { exec('uptime', $out); echo htmlspecialchars(implode("\\n", $out)); }`],
  ['a log viewer that reads /var/log', `foreach (array('/var/log/messages', '/var/log/secure') as $f) { echo htmlspecialchars(@file_get_contents($f)); }`],
  ['PHP with a function named execute and chr() arithmetic (an ASP rule must not read PHP)', `function execute($q) { return $q; }\n$ok = execute(trim($sql ?? ''));\nfor ($i = 0; $i < 3; $i++) { $c = chr(ord($t[$i]) - 3); }`],
  ['ob_start with a minifying closure', `ob_start(function ($html) { return preg_replace('/\\s+/', ' ', $html); }); echo htmlspecialchars($_GET['q'] ?? ''); ob_end_flush();`],
];

function runByPhp(s: Sample): string | undefined {
  if (!php || s.run === false) return undefined;
  const f = join(dir, 'shell.php');
  writeFileSync(f, `<?php\n${s.src}\n`);
  return spawnSync('php', ['-d', 'display_errors=stderr', '-r', `${s.boot ?? ''} include $argv[1];`, f], { encoding: 'utf8', timeout: 20_000 }).stdout;
}

describe('scan: techniques of the public webshell families, in samples of our own', () => {
  it(`has ${SAMPLES.length} samples and ${BENIGN.length} look-alikes`, () => {
    assert.equal(SAMPLES.length, 31);
    assert.equal(BENIGN.length, 11);
  });
  for (const s of SAMPLES) {
    it(`malicious: ${s.name}`, () => {
      const r = scanner.scanBuffer(Buffer.from(`<?php\n${s.src}\n`), '/www/x.php');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      const out = runByPhp(s);
      if (out !== undefined) assert.match(out, new RegExp(MARK), 'PHP runs it');
    });
  }
  for (const [name, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scanner.scanBuffer(Buffer.from(`<?php\n${src}\n`), '/www/x.php');
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
});

describe('scan: command functions tried one after another', () => {
  const cascade = (input: string) => `<?php\nfunction run($c) {\n  if (is_callable('system')) { ob_start(); system($c); return ob_get_clean(); }\n  if (is_callable('shell_exec')) return shell_exec($c);\n  if (is_callable('exec')) { exec($c, $o); return implode("\\n", $o); }\n  if (is_callable('passthru')) { ob_start(); passthru($c); return ob_get_clean(); }\n}\necho run(${input});\n`;
  it('is suspicious alone, malicious when the request gives the command', () => {
    assert.equal(scanner.scanBuffer(Buffer.from(cascade("'uptime'")), '/www/x.php').verdict, 'suspicious');
    assert.equal(scanner.scanBuffer(Buffer.from(cascade("$_POST['c']")), '/www/x.php').verdict, 'malicious');
  });
});

describe('scan: php-fold (variables of known value written in)', () => {
  it('folds through strrev, joins and $$', () => {
    const out = foldVariables(`<?php $a = 'lave'; $a = strrev($a); $b = '_PO' . 'ST'; @assert($a . '(' . $$b['x'] . ')');`);
    assert.ok(out !== undefined);
    // ($$b is ${'_POST'}, and ${'name'} is written $name)
    assert.match(out, /assert\('eval' \. '\(' \. \$_POST\['x'\]/);
  });
  it('leaves a variable of no interest, and one of unknown value, as they are', () => {
    assert.equal(foldVariables(`<?php $t = 'Title'; echo $t; $u = get_user(); echo $u;`), undefined);
  });
  it('takes the last assignment before each use', () => {
    const out = foldVariables(`<?php $f = 'system'; $f('a'); $f = 'trim'; $f('b');`);
    assert.ok(out !== undefined);
    assert.match(out, /'system'\('a'\)/);
    assert.match(out, /\$f\('b'\)/);
  });
  it('reads XOR, chr arithmetic, substr and pack', () => {
    const out = foldVariables(`<?php $a = '${xa}' ^ '${xb}'; $b = chr(97) . substr('xxssert', 2); $c = pack('H*', '6576616c'); $a(1); $b(2); $c(3);`);
    assert.ok(out !== undefined);
    assert.match(out, /'system'\(1\)/);
    assert.match(out, /'assert'\(2\)/);
    assert.match(out, /'eval'\(3\)/);
  });
  it('is bounded: a value past 4 KiB is not kept', () => {
    assert.equal(foldVariables(`<?php $a = str_repeat('eval', 2000); $a(1);`), undefined);
  });
});

describe('scan: classic ASP running a string it builds', () => {
  // written by us: "Response.Write(1)" from numbers, from pieces split and joined, reversed
  const codes = [...'Response.Write(1)'].map((c) => c.charCodeAt(0)).join(', ');
  const SHELLS: [string, string][] = [
    ['Chr() of an array of numbers', `<%\nDim a, s, i\na = Array(${codes})\nFor i = 0 To UBound(a)\n  s = s & Chr(a(i))\nNext\nExecute s\n%>`],
    ['pieces split and joined', `<%\nDim p, c\np = "R!e!s!p!o!n!s!e!.!W!r!i!t!e!(!1!)"\nc = Join(Split(p, "!"), "")\nExecute(c)\n%>`],
    ['a reversed string', `<%\nDim c\nc = StrReverse(")1(etirW.esnopseR")\nExecuteGlobal c\n%>`],
  ];
  const PAGES: [string, string][] = [
    ['a page that joins a list for display', `<%\nDim p\np = Join(Split("a,b,c", ","), " / ")\nResponse.Write p\n%>`],
    ['a page that runs a fixed statement', `<%\nDim n\nn = Chr(65)\nExecute "Response.Write ""x"""\n%>`],
  ];
  for (const [name, src] of SHELLS) {
    it(`malicious: ${name}`, () => {
      const r = scanner.scanBuffer(Buffer.from(src), '/srv/www/x.asp');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  for (const [name, src] of PAGES) {
    it(`not malicious: ${name}`, () => {
      assert.notEqual(scanner.scanBuffer(Buffer.from(src), '/srv/www/x.asp').verdict, 'malicious');
    });
  }
});
