// Session 30: the scan's CPU on shells with a long run of padding put at every token boundary, for
// each of eleven fillers (spaces, newlines, comments, VBScript continuations, byte-order marks ...).
// Prints every scan over a bound and a count. Before session 30, 20,000 spaces after `$_POST[` cost
// 0.7 s and 100,000 between `eval(` and its argument 19.7 s (patterns of the form \s*X?\s*, which
// backtrack quadratically on a run of white space); after, 8,547 scans at 100,000 characters of
// padding, none over 400 ms.
// node bench/redteam/rt30-padding-cost.mjs [PADDING_CHARACTERS=20000] [BOUND_MS=300]
import { createScanner } from '../../packages/host/dist/scan/scanner.js';
const scanner = createScanner({});
const SHELLS = [
  ['p.php', `<?php @eval(base64_decode($_POST['x'])); $a = $_GET['c']; system($a); $f = "sys"."tem"; $f($_REQUEST['q']); preg_replace('/.*/e', $_POST['z'], ''); echo \`$_GET[d]\`; include($_FILES['f']['tmp_name']); assert(gzinflate(str_rot13($x))); $b = create_function('', $_COOKIE['k']); array_map('ass'.'ert', array($_POST['m'])); if (isset($_GET['u'])) { move_uploaded_file($_FILES['u']['tmp_name'], $_POST['to']); } $h = fopen('x.php', 'w'); fwrite($h, $_POST['code']); ?>`],
  ['c.jsp', `<%@ page import="java.io.*" %><% String c = request.getParameter("c"); Process p = Runtime.getRuntime().exec(new String[]{"/bin/sh", "-c", c}); BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream())); String l; while ((l = r.readLine()) != null) out.println(l); Class.forName("java.lang.Runtime"); new ProcessBuilder(c).start(); %>`],
  ['e.aspx', `<%@ Page Language="C#" %><%@ Import Namespace="System.Diagnostics" %><script runat="server">void Page_Load(object s, EventArgs e) { var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.Arguments = "/c " + Request["c"]; p.StartInfo.RedirectStandardOutput = true; p.Start(); Response.Write(p.StandardOutput.ReadToEnd()); System.Reflection.Assembly.Load(Convert.FromBase64String(Request.Form["k"])).CreateInstance("U"); }</script>`],
  ['j.aspx', `<%@ Page Language="Jscript" %><% eval(Request.Item["z"], "unsafe"); var o = new ActiveXObject("WScript.Shell"); o.Exec("cmd /c " + Request.QueryString("c")); %>`],
  ['v.asp', `<% Dim c : c = Request("c") : Set o = Server.CreateObject("WScript.Shell") : Set e = o.Exec("cmd /c " & c) : Response.Write e.StdOut.ReadAll() : Execute(Request("x")) : eval request("y") %>`],
];
const FILLERS = [['spaces', ' '], ['newlines', '\n'], ['tabs+nl', '\t\r\n'], ['comments', '/**/'], ['linecomments', '//x\n'], ['hash', '#x\n'], ['vbcont', ' _\r\n'], ['at', '@'], ['bom', '\u00ef\u00bb\u00bf'], ['nbsp', '\u00c2\u00a0'], ['parens', '(']];
const N = +(process.argv[2] ?? 20000);
const BOUND = +(process.argv[3] ?? 300);
scanner.scanBuffer(Buffer.from('<?php echo 1;'), '/w/a.php');
let worst = [];
let runs = 0;
for (const [name, src] of SHELLS) {
  const cuts = new Set();
  for (const m of src.matchAll(/\b|(?<=\W)(?=\W)/g)) cuts.add(m.index);
  for (const [fname, fill] of FILLERS) {
    const pad = fill.repeat(Math.ceil(N / fill.length));
    for (const at of cuts) {
      const text = src.slice(0, at) + pad + src.slice(at);
      const t = process.cpuUsage();
      scanner.scanBuffer(Buffer.from(text, 'latin1'), '/www/' + name);
      const c = process.cpuUsage(t);
      const ms = (c.user + c.system) / 1e3;
      runs++;
      if (ms > BOUND) { worst.push([ms, name, fname, at, JSON.stringify(src.slice(Math.max(0, at - 25), at)) + ' ^ ' + JSON.stringify(src.slice(at, at + 15))]); console.log(ms.toFixed(0), name, fname, at, worst.at(-1)[4]); }
    }
  }
}
console.log(`${runs} scans, ${worst.length} over ${BOUND} ms`);
