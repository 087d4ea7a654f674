import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Padding at every token boundary (session 30): a run of a language's own white space or comments, 5,000
// characters, put between each two tokens of small shells (outside their literals), must leave each
// malicious; the same padding in harmless pages must leave them clean. YARA-X reads at most 4 KB into one
// match and the analysers' patterns are bounded, so each way of padding needs a layer that takes it out.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

type Lang = 'php' | 'java' | 'cs' | 'js' | 'vb';
// [file name, language, source]
const SHELLS: [string, Lang, string][] = [
  ['p.php', 'php', `<?php @eval(base64_decode($_POST['x'])); ?>`],
  ['q.php', 'php', `<?php $a = $_GET['c']; system($a); ?>`],
  ['r.php', 'php', `<?php $f = "sys"."tem"; $f($_REQUEST['q']); ?>`],
  ['s.php', 'php', `<?php echo \`$_GET[d]\`; ?>`],
  ['t.php', 'php', `<?php include($_FILES['f']['tmp_name']); ?>`],
  ['u.php', 'php', `<?php $b = create_function('', $_COOKIE['k']); $b(); ?>`],
  ['v.php', 'php', `<?php array_map('ass'.'ert', array($_POST['m'])); ?>`],
  ['w.php', 'php', `<?php move_uploaded_file($_FILES['u']['tmp_name'], $_POST['to']); ?>`],
  ['x.php', 'php', `<?php $h = fopen($_POST['n'], 'w'); fwrite($h, $_POST['code']); ?>`],
  ['y.php', 'php', `<?php passthru($_REQUEST['cmd']); ?>`],
  ['z.php', 'php', `<?php preg_replace('/.*/e', $_POST['z'], ''); ?>`],
  ['c.jsp', 'java', `<% String c = request.getParameter("c"); Process p = Runtime.getRuntime().exec(c); %>`],
  ['d.jsp', 'java', `<% new ProcessBuilder(request.getParameter("c")).start(); %>`],
  ['e.aspx', 'cs', `<%@ Page Language="C#" %><% System.Diagnostics.Process.Start("cmd.exe", "/c " + Request["c"]); %>`],
  ['f.aspx', 'cs', `<%@ Page Language="C#" %><% System.Reflection.Assembly.Load(Convert.FromBase64String(Request.Form["k"])).CreateInstance("U"); %>`],
  ['j.aspx', 'js', `<%@ Page Language="Jscript" %><% eval(Request.Item["z"], "unsafe"); %>`],
  ['v.asp', 'vb', `<% Execute(Request("x")) %>`],
  ['w.asp', 'vb', `<% Set o = Server.CreateObject("WScript.Shell") : Set e = o.Exec("cmd /c " & Request("c")) : Response.Write e.StdOut.ReadAll() %>`],
];
const HARMLESS: [string, Lang, string][] = [
  ['form.php', 'php', `<?php $name = htmlspecialchars($_POST['name'] ?? ''); include __DIR__ . '/header.php'; echo "<p>Thanks, $name</p>"; ?>`],
  ['list.php', 'php', `<?php $rows = $db->query('SELECT id, title FROM posts LIMIT 10'); foreach ($rows as $r) { echo '<li>' . htmlspecialchars($r['title']) . '</li>'; } ?>`],
  ['hello.jsp', 'java', `<% String n = request.getParameter("n"); out.println("Hello " + org.owasp.encoder.Encode.forHtml(n)); %>`],
  ['hello.aspx', 'cs', `<%@ Page Language="C#" %><% Response.Write(Server.HtmlEncode(Request.QueryString["name"])); %>`],
  ['hello.asp', 'vb', `<% Response.Write Server.HTMLEncode(Request.QueryString("name")) %>`],
];
// (UTF-8 bytes written as latin1 characters, as the scanner reads them)
const FILL: Record<Lang, [string, string][]> = {
  php: [['spaces', ' '], ['newlines', '\n'], ['tabs', '\t\r\n'], ['block comments', '/**/'], ['line comments', '//x\n'], ['hash comments', '#x\n']],
  java: [['spaces', ' '], ['newlines', '\n'], ['block comments', '/**/'], ['form feeds', '\f']],
  cs: [['spaces', ' '], ['newlines', '\r\n'], ['block comments', '/**/'], ['no-break spaces', '\u00c2\u00a0'], ['vertical tabs', '\v']],
  js: [['spaces', ' '], ['newlines', '\r\n'], ['block comments', '/**/'], ['byte-order marks', '\u00ef\u00bb\u00bf'], ['no-break spaces', '\u00c2\u00a0']],
  vb: [['spaces', ' '], ['continued lines', ' _\r\n']],
};
const N = 5000;
/** How many padded harmless pages variants() makes (each counted once, when the test was written). */
const HARMLESS_VARIANTS = 732;

/** Each token boundary of the code (after the last "<%" or "<?php", before the last "%>" or "?>"), outside literals. */
function cuts(src: string, lang: Lang): number[] {
  const open = lang === 'php' ? src.indexOf('<?php') + 5 : src.lastIndexOf('<%') + 2;
  const close = lang === 'php' ? src.lastIndexOf('?>') : src.lastIndexOf('%>');
  const inLiteral: boolean[] = new Array<boolean>(src.length).fill(false);
  let quote: string | undefined;
  for (let i = open; i < close; i++) {
    const c = src[i]!;
    if (quote !== undefined) {
      inLiteral[i] = true;
      if (c === '\\' && lang !== 'vb') {
        inLiteral[++i] = true;
        continue;
      }
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === '`' || (c === "'" && lang === 'php')) {
      quote = c;
      inLiteral[i] = true;
    }
  }
  const out: number[] = [];
  for (let i = open + 1; i < close; i++) {
    const a = src[i - 1]!;
    const b = src[i]!;
    // (not inside a literal, a name, or a two-character operator)
    if (inLiteral[i - 1] && inLiteral[i]) continue;
    if (/\w/.test(a) && /\w/.test(b)) continue;
    if (a === '$' || (a === '-' && b === '>') || (a === '=' && b === '>') || (a === ':' && b === ':')) continue;
    out.push(i);
  }
  return out;
}

function variants(list: [string, Lang, string][]): { name: string; fill: string; at: number; text: string }[] {
  const out: { name: string; fill: string; at: number; text: string }[] = [];
  for (const [name, lang, src] of list) {
    for (const [fill, unit] of FILL[lang]) {
      const pad = unit.repeat(Math.ceil(N / unit.length));
      for (const at of cuts(src, lang)) out.push({ name, fill, at, text: src.slice(0, at) + pad + src.slice(at) });
    }
  }
  return out;
}

/** Each file padded at all its boundaries at once, with `k` characters of each filler. */
function allAtOnce(list: [string, Lang, string][], k: number): { name: string; fill: string; text: string }[] {
  const out: { name: string; fill: string; text: string }[] = [];
  for (const [name, lang, src] of list) {
    for (const [fill, unit] of FILL[lang]) {
      const pad = unit.repeat(Math.ceil(k / unit.length));
      let text = '';
      let last = 0;
      for (const at of cuts(src, lang)) {
        text += src.slice(last, at) + pad;
        last = at;
      }
      out.push({ name, fill, text: text + src.slice(last) });
    }
  }
  return out;
}
// (runs under the squeezed layer's bounds, 96 inside a statement, and over them: 40 at each boundary kept
// 'ass' . 'ert' apart for the string joiner, and 500 made a 9 KB file of a 70-byte uploader, session 30)
const AT_ONCE = [30, 40, 95, 96, 500, 1024];

describe('scan: padding at every token boundary', () => {
  for (const k of AT_ONCE) {
    it(`leaves every shell malicious and every harmless page clean, ${k} characters at all boundaries at once`, () => {
      const bad = allAtOnce(SHELLS, k).filter((v) => scan(v.text, `/www/${v.name}`).verdict !== 'malicious').map((v) => `${v.name} ${v.fill}`);
      assert.deepEqual(bad, []);
      const flagged = allAtOnce(HARMLESS, k).filter((v) => scan(v.text, `/www/${v.name}`).verdict !== 'clean').map((v) => `${v.name} ${v.fill}`);
      assert.deepEqual(flagged, []);
      assert.equal(allAtOnce(SHELLS, k).length + allAtOnce(HARMLESS, k).length, 93 + 23);
    });
  }
  it('leaves every shell malicious', () => {
    for (const [name, , src] of SHELLS) assert.equal(scan(src, `/www/${name}`).verdict, 'malicious', name);
    const all = variants(SHELLS);
    const missed = all.filter((v) => scan(v.text, `/www/${v.name}`).verdict !== 'malicious').map((v) => `${v.name} ${v.fill} at ${v.at}`);
    assert.deepEqual(missed, []);
    assert.equal(all.length, 1657);
  });
  it('leaves every harmless page clean', () => {
    for (const [name, , src] of HARMLESS) assert.equal(scan(src, `/www/${name}`).verdict, 'clean', name);
    const all = variants(HARMLESS);
    const flagged = all.filter((v) => scan(v.text, `/www/${v.name}`).verdict !== 'clean').map((v) => `${v.name} ${v.fill} at ${v.at}`);
    assert.deepEqual(flagged, []);
    assert.equal(all.length, HARMLESS_VARIANTS);
  });
});
