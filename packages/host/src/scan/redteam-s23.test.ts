/**
 * Red team, session 23 (S23R): the excerpt's linked definitions (php-excerpts.ts), commentInCall
 * walked by hand, and the flow pass's helper calls. Reproductions: bench/redteam/rt23-*.mjs;
 * the table: bench/redteam/README-s23.md.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';
import { phpExcerpts } from './php-excerpts.js';
import { commentInCall, stripComments } from './php-flow.js';
import { longFile } from './scan-test-kit.js';

const scanner = createScanner({});
const scan = (src: string) => scanner.scanBuffer(Buffer.from(src, 'latin1'), '/www/shop/util.php');
const host = longFile(120);
const atTop = (def: string) => host.replace('<?php\n', `<?php\n${def}\n`);
const decoys = (n: number) => Array.from({ length: n }, (_, i) => `function pad_${i}() { return shell_exec("uptime"); }`).join('\n');
const MIB = 1 << 20;

describe('S23R: the definitions an excerpt of a large PHP file is read with', () => {
  it('S23R-1: finding a definition\'s body is linear (a search of the rest of the file per definition was quadratic)', () => {
    // (at 1 MiB the first took 73 s, the others 8-23 s at 4 MiB)
    const head = '<?php $a = $_GET["x"]; function u() { return system("uptime"); }\n';
    const fill = (unit: string) => head + unit.repeat(Math.floor((4 * MIB - 4096) / unit.length));
    for (const unit of ['$a=fn(\n', 'function a(\n', '$a=fn()=>1\n', 'function a(){\n']) {
      const src = fill(unit);
      const t = performance.now();
      phpExcerpts(src, 32 * 1024);
      const ms = performance.now() - t;
      assert.ok(ms < 5000, `${JSON.stringify(unit)}: ${ms.toFixed(0)} ms`);
    }
  });

  it('S23R-3: a helper called by its qualified name, in a small file and in a long one', async () => {
    const small = '<?php\nfunction fmt($c) { return shell_exec($c); }\necho \\fmt($_GET["x"]);\n';
    assert.equal((await scan(small)).verdict, 'malicious');
    const large = atTop('function fmt($c) { return shell_exec($c); }') + '\necho \\Shop\\Util\\fmt($_GET["x"]);\n';
    assert.equal((await scan(large)).verdict, 'malicious');
  });

  it('S23R-4: an arrow function that returns by reference, fn&($c) => system($c)', async () => {
    for (const def of ['$fmt = fn&($c) => system($c);', '$fmt = static fn&($c) => system($c);', '$fmt = FN ($c) => system($c);']) {
      const r = await scan(atTop(def) + '\necho $fmt($_GET["x"]);\n');
      assert.equal(r.verdict, 'malicious', `${def} ${JSON.stringify(r.findings)}`);
    }
  });

  it('S23R-5: 33 definitions that run a fixed command before the shell\'s closure', async () => {
    const r = await scan(atTop(`${decoys(33)}\n$fmt = function ($c) { return shell_exec($c); };`) + '\necho $fmt($_GET["x"]);\n');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });

  it('S23R-6: four such definitions called in the excerpt before the closure', async () => {
    const r = await scan(atTop(`${decoys(4)}\n$fmt = function ($c) { return shell_exec($c); };`) + '\necho pad_0(), pad_1(), pad_2(), pad_3(), $fmt($_GET["x"]);\n');
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    // and an excerpt calling more than its readings hold is said to be
    const many = await scan(atTop(`${decoys(17)}\n$fmt = function ($c) { return shell_exec($c); };`) + `\necho ${Array.from({ length: 17 }, (_, i) => `pad_${i}()`).join(', ')}, $fmt($_GET["x"]);\n`);
    assert.notEqual(many.verdict, 'clean', JSON.stringify(many.findings));
    assert.ok(many.findings.some((f) => f.rule === 'mamori:excerpts-capped'), JSON.stringify(many.findings));
  });

  it('S23R-16: decoy excerpts that decode payloads do not spend the readings of the excerpts after them', async () => {
    // (64 excerpts decoding three payloads each spent the one budget of 256: the shell's excerpt was not read)
    const filler = longFile(5).replace('<?php\n', '').replace(/namespace [^;]*;/, '');
    const b64 = Buffer.from('just some harmless text that decodes to words '.repeat(3)).toString('base64');
    const block = (i: number) => `$t${i} = base64_decode('${b64}'); $u${i} = base64_decode('${b64}'); $v${i} = base64_decode('${b64}'); echo htmlspecialchars($t${i} . $u${i} . $v${i} . $_GET["q"]); call_user_func('strtoupper', $_GET["q"]);\n${filler}`;
    const src = `<?php\n$fmt = function ($c) { return shell_exec($c); };\n${Array.from({ length: 64 }, (_, i) => block(i)).join('')}echo $fmt($_GET["x"]);\n`;
    const r = await scan(src);
    assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings.map((f) => f.rule)));
  });

  it('not malicious: benign long files whose helpers run commands safely, or fixed ones', async () => {
    const benign = [
      atTop('function run_cmd($c) { exec($c, $out); return $out; }') + '\n$log = run_cmd("git log --oneline " . escapeshellarg($_GET["branch"] ?? "main"));\n',
      atTop('function tail_log($n) { return shell_exec("tail -n " . $n . " /var/log/app.log"); }') + '\necho htmlspecialchars(tail_log((int) $_GET["n"]));\n',
      atTop('function backup_db() { return shell_exec("mysqldump shop > /tmp/shop.sql"); }') + '\nif (($_POST["action"] ?? "") === "backup") { echo backup_db(); }\n',
      atTop('$ping = fn($h) => shell_exec("ping -c 1 " . escapeshellarg($h));') + '\necho htmlspecialchars($ping($_GET["host"]));\n',
      atTop(`${decoys(40)}\n$say = function ($m) { error_log($m); };`) + '\n$say("visit " . $_SERVER["REMOTE_ADDR"]); echo pad_0(), pad_39();\n',
    ];
    for (const src of benign) {
      const r = await scan(src);
      assert.notEqual(r.verdict, 'malicious', JSON.stringify(r.findings));
    }
  });
});

describe('S23R: commentInCall and stripComments', () => {
  it('S23R-2: a "/*" in a string before the shell does not end the walk, nor carry it over the call', async () => {
    for (const src of [
      '<?php $s = "a/*"; system#x\n($_GET[1]);\n',
      '<?php $s = "a/*"; system#x\n($_GET[1]); $t = "*/";\n',
      "<?php $s = 'a//'; system/*x*/($_GET[1]);\n",
      '<?php $h = <<<EOT\na/*\nEOT;\nsystem#x\n($_GET[1]);\n',
    ]) {
      assert.equal(commentInCall(src), true, src);
      assert.equal((await scan(src)).verdict, 'malicious', src);
    }
    // (a comment in a string, or in HTML, is none; one after "?>" is HTML)
    assert.equal(commentInCall('<?php $s = "f/**/(1)";\n'), false);
    assert.equal(commentInCall('<p>f/**/(1)</p><?php echo 1;\n'), false);
    assert.equal(commentInCall('<?php f // x ?>\n(1)'), false);
  });

  it('S23R-2: the walk stays linear and stack-free on hostile comment runs', () => {
    for (const src of ['a' + ' '.repeat(16 * MIB) + '(', 'a /**/'.repeat((8 * MIB) / 6), 'a/*'.repeat((8 * MIB) / 3), 'a #\n'.repeat((8 * MIB) / 4), 'a' + '# x\n'.repeat(4 * MIB) + '(', '"a/*'.repeat(MIB)]) {
      const t = performance.now();
      commentInCall(src);
      assert.ok(performance.now() - t < 5000, `${JSON.stringify(src.slice(0, 8))}: ${(performance.now() - t).toFixed(0)} ms`);
    }
  });

  it('S23R-9: blanking the comments of a file without newlines is linear (a newline was looked for to the file\'s end per comment)', () => {
    // (4 MiB of `a /**/` on one line: about 40 s before, and its whole scan 47 s)
    const src = '<?php ' + 'a /**/'.repeat((4 * MIB) / 6);
    const t = performance.now();
    const out = stripComments(src);
    const ms = performance.now() - t;
    assert.equal(out.length, src.length);
    assert.ok(ms < 5000, `${ms.toFixed(0)} ms`);
  });
});

describe('S23R-15: uploads under a .php name or the client\'s', () => {
  it('S23R-15: an upload saved under a .php name put together, or under the client\'s name by a register_globals uploader', async () => {
    for (const src of [
      "<?php move_uploaded_file($f, 'x.ph' . 'p');\n",
      "<?php $t = 'x.php'; move_uploaded_file($f, $t);\n",
      '<?php copy($userfile, $userfile_name);\n',
      '<?php if (isset($userfile)) { move_uploaded_file($userfile, $userfile_name); }\n',
    ]) {
      assert.equal((await scan(src)).verdict, 'malicious', src);
    }
  });

  it('S23R-15: not malicious: an upload saved under a name the code makes, or by a helper given its arguments', async () => {
    for (const src of [
      "<?php $file = $_FILES['doc']['tmp_name']; $file_name = md5(uniqid()); move_uploaded_file($file, $dir . $file_name);\n",
      "<?php function keep($file, $file_name) { return copy($file, '/backup/' . $file_name); }\n",
      "<?php $f = $_FILES['img']; $ext = strtolower(pathinfo($f['name'], PATHINFO_EXTENSION)); if (in_array($ext, ['jpg', 'png'], true)) { move_uploaded_file($f['tmp_name'], 'uploads/' . bin2hex(random_bytes(8)) . '.' . $ext); }\n",
    ]) {
      assert.notEqual((await scan(src)).verdict, 'malicious', src);
    }
  });
});

describe('S23R-13: a bare name that is a constant the file defines', () => {
  it('not malicious: the constant names another function', async () => {
    const src = "<?php define('EXEC', 'run_job'); function run_job($a) { return (int) $a; } $f = EXEC; echo $f($_GET['c']);\n";
    assert.notEqual((await scan(src)).verdict, 'malicious');
  });

  it('malicious: the constant names a command function, or no constant has the name', async () => {
    for (const src of ["<?php define('EXEC', 'system'); $f = EXEC; echo $f($_GET['c']);\n", "<?php const EXEC = 'system'; $f = EXEC; echo $f($_GET['c']);\n", "<?php $f = passthru; $f($_GET['c']);\n"]) {
      assert.equal((await scan(src)).verdict, 'malicious', src);
    }
  });
});

describe('S23R-10: a helper that runs its parameter in backticks', () => {
  it('malicious: in a small file and in a long one', async () => {
    const def = 'function fmt($c) { return `$c`; }';
    assert.equal((await scan(`<?php\n${def}\necho fmt($_GET["x"]);\n`)).verdict, 'malicious');
    assert.equal((await scan(atTop(def) + '\necho fmt($_GET["x"]);\n')).verdict, 'malicious');
  });

  it('a long file whose helpers write SQL with backticks and variables takes no definition', () => {
    const src = atTop('function col($db, $c) { return $db->query("SELECT `$c` FROM `items`"); }') + '\necho count(col($db, preg_replace("/\\W/", "", $_GET["c"])));\n';
    const excerpts = phpExcerpts(src, 32 * 1024);
    assert.ok(excerpts.every((e) => e.defs === undefined), JSON.stringify(excerpts));
  });

  it('not malicious: backticks of SQL in a helper\'s strings, and a fixed command', async () => {
    for (const src of [
      '<?php\nfunction col($db, $c) { return $db->query("SELECT `$c` FROM `items`"); }\necho count(col($db, preg_replace("/\\W/", "", $_GET["c"])));\n',
      '<?php\nfunction up() { return `uptime`; }\necho htmlspecialchars($_GET["q"] ?? ""), up();\n',
    ]) {
      assert.notEqual((await scan(src)).verdict, 'malicious', src);
    }
  });
});

describe('S23R-12: a closure copied to another variable before its call', () => {
  it('malicious: in a small file, and in a long one with the copy beside the closure or beside the call', async () => {
    const def = '$fmt = function ($c) { return shell_exec($c); };';
    assert.equal((await scan(`<?php\n${def}\n$g = $fmt;\necho $g($_GET["x"]);\n`)).verdict, 'malicious');
    assert.equal((await scan(atTop(`${def}\n$g = $fmt;`) + '\necho $g($_GET["x"]);\n')).verdict, 'malicious');
    assert.equal((await scan(atTop(def) + '\n$g = $fmt;\necho $g($_GET["x"]);\n')).verdict, 'malicious');
    assert.equal((await scan(atTop(`${decoys(4)}\n${def}\n$g = $fmt;`) + '\necho pad_0(), pad_1(), pad_2(), $g($_GET["x"]);\n')).verdict, 'malicious');
  });

  it('not malicious: a copy of a closure that escapes its argument', async () => {
    const src = atTop('$ping = function ($h) { return shell_exec("ping -c 1 " . escapeshellarg($h)); };\n$p = $ping;') + '\necho htmlspecialchars($p($_GET["host"]));\n';
    assert.notEqual((await scan(src)).verdict, 'malicious');
  });
});

describe('S23R-8: PHP 7 reads "#[" as a line comment', () => {
  it('malicious: a "#[" comment between a name and its parenthesis (a call to PHP 7, a parse error to PHP 8)', async () => {
    for (const src of ['<?php system#[x\n($_GET[1]);\n', '<?php system #[x\n#[y\n ($_GET[1]);\n', '<?php $f = $_GET; system#[x\n/* c */($f[1]);\n']) {
      assert.equal((await scan(src)).verdict, 'malicious', src);
    }
  });

  it('not malicious: attributes', async () => {
    for (const src of [
      '<?php\n#[Route("/x")]\n#[IsGranted("ROLE")]\nfunction a($b) { return strlen($_GET["x"]); }\n',
      '<?php\nclass A { #[Pure] function b(#[Sensitive] $p) { return $p; } }\n$x = array_map(#[Pure] fn($v) => $v, [$_GET[1]]);\n',
      '<?php\n$a = [1];\n#[Attr]\n(function () { echo htmlspecialchars($_GET["q"]); })();\n',
    ]) {
      assert.equal((await scan(src)).verdict, 'clean', src);
    }
  });
});

describe('S23R: the open ones, fixed in session 24', () => {
  it('S23R-7: a helper that calls a helper that runs the command, in a small file', async () => {
    const src = '<?php\nfunction run1($c) { return shell_exec($c); }\nfunction fmt($c) { return run1($c); }\necho fmt($_GET["x"]);\n';
    assert.equal((await scan(src)).verdict, 'malicious');
  });

  it('S23R-7: three levels, and two in a long file; not malicious when the last escapes its argument', async () => {
    assert.equal((await scan('<?php\nfunction run1($c) { return shell_exec($c); }\nfunction run2($c) { return run1($c); }\nfunction fmt($c) { return run2($c); }\necho fmt($_GET["x"]);\n')).verdict, 'malicious');
    assert.equal((await scan(atTop('function run1($c) { return shell_exec($c); }\nfunction fmt($c) { return run1($c); }') + '\necho fmt($_GET["x"]);\n')).verdict, 'malicious');
    assert.notEqual((await scan('<?php\nfunction run1($c) { return shell_exec("ping -c1 " . escapeshellarg($c)); }\nfunction fmt($c) { return run1($c); }\necho fmt($_GET["x"]);\n')).verdict, 'malicious');
  });


  it('S23R-11: a helper given by name to array_map with request input', async () => {
    const src = '<?php\nfunction fmt($c) { return shell_exec($c); }\necho implode(array_map("fmt", [$_GET["x"]]));\n';
    assert.equal((await scan(src)).verdict, 'malicious');
  });

  it('S23R-11: not malicious: array_map of a helper on fixed values, or of a harmless helper on request input', async () => {
    for (const src of [
      '<?php\nfunction fmt($c) { return shell_exec($c); }\necho implode(array_map("fmt", ["uptime", "df -h"]));\n',
      '<?php\nfunction up($s) { return htmlspecialchars(strtoupper($s)); }\necho implode(array_map("up", $_GET));\n',
    ]) assert.notEqual((await scan(src)).verdict, 'malicious', src);
  });



  it('S23R-14: not malicious: a long file whose helper runs a command only for names on an allow list', async () => {
    const src = atTop('function svc($n) { return shell_exec("systemctl status " . $n); }') + '\n$n = $_GET["svc"]; if (in_array($n, ["nginx", "php-fpm"], true)) { echo htmlspecialchars(svc($n)); }\n';
    assert.notEqual((await scan(src)).verdict, 'malicious');
  });

  it('S23R-14: not malicious: a name matched by an anchored pattern first, or a command line of a fixed program through escapeshellcmd', async () => {
    for (const src of [
      atTop('function conv($f) { return shell_exec("convert " . $f . " out.png"); }') + '\n$f = $_GET["f"] ?? ""; if (preg_match("/^[a-z0-9]+\\.jpg$/", $f)) { echo conv($f); }\n',
      atTop('function run_tool($a) { return shell_exec(escapeshellcmd("/usr/bin/convert " . $a)); }') + '\necho run_tool($_GET["size"]);\n',
      atTop('function svc($n) { return shell_exec("systemctl status " . $n); }') + '\n$n = $_GET["svc"]; if (!in_array($n, ["nginx", "php-fpm"], true)) { exit("no"); }\necho htmlspecialchars(svc($n));\n',
    ]) assert.notEqual((await scan(src)).verdict, 'malicious', src.slice(-200));
  });

  it('S23R-14: still malicious: checks that let any command through, an "or", a negated check that does not leave, escapeshellcmd of the request\'s own program', async () => {
    for (const src of [
      "<?php $c = $_GET['c']; if (preg_match('/^.*$/s', $c)) { system($c); }\n",
      "<?php $c = $_GET['c']; if (ctype_print($c)) { system($c); }\n",
      "<?php $c = $_GET['c']; if (in_array($c, ['a']) || 1) { system($c); }\n",
      "<?php $c = $_GET['c']; if (!in_array($c, ['a'])) { echo 'x'; } system($c);\n",
      "<?php $c = $_GET['c']; echo shell_exec(escapeshellcmd($c));\n",
      "<?php $p = $_GET['p']; echo shell_exec(escapeshellcmd($p . ' -la'));\n",
      "<?php $p = $_POST['p']; $c = $_POST['c']; if ($p == 'secret') { system($c); }\n",
      // (a pattern or a type lets a one-word command through when the value is the whole command)
      "<?php $c = $_GET['c']; if (ctype_alnum($c)) { system($c); }\n",
      "<?php $c = $_GET['c']; if (preg_match('/^[a-z]+$/', $c)) { system($c); }\n",
      "<?php $c = $_GET['c']; if (!ctype_alnum($c)) { exit; } system($c);\n",
      // (an allow list from the request, a literal that is not whole)
      "<?php $c = $_GET['c']; if (in_array($c, $_GET['ok'])) { system($c); }\n",
      "<?php $c = $_GET['c']; if ($c == '' . $c) { system($c); }\n",
    ]) assert.equal((await scan(src)).verdict, 'malicious', src);
  });

  it('S23R-14: not malicious: an argument of a fixed program checked for its shape, a command checked against a set or a literal', async () => {
    for (const src of [
      "<?php $h = $_GET['h']; if (ctype_alnum($h)) { system('ping -c1 ' . $h); }\n",
      "<?php $h = $_GET['h']; if (!ctype_alnum($h)) { exit; } system('ping -c1 ' . $h);\n",
      "<?php $c = $_GET['c']; if (in_array($c, ['uptime', 'df'])) { system($c); }\n",
      "<?php $c = $_GET['c']; if ($c === 'uptime') { system($c); }\n",
      "<?php $c = $_GET['c']; if ('uptime' === $c && $ok) { system($c); }\n",
    ]) assert.notEqual((await scan(src)).verdict, 'malicious', src);
  });


  it('S23R-17: a helper that calls the function it is given, called with a command function\'s name and input, in a long file', async () => {
    const src = atTop('function fmt($f, $c) { return $f($c); }') + '\necho fmt("system", $_GET["x"]);\n';
    assert.equal((await scan(src)).verdict, 'malicious');
  });

  it('S23R-17: not malicious: the same helper given a harmless function\'s name', async () => {
    const src = atTop('function fmt($f, $c) { return $f($c); }') + '\necho fmt("strtoupper", $_GET["x"]);\n';
    assert.notEqual((await scan(src)).verdict, 'malicious');
  });

  it('S23R-18: a helper called through a use function alias, in a long file', async () => {
    const src = atTop('function fmt($c) { return shell_exec($c); }').replace('namespace Shop\\Util;', 'namespace Shop\\Util;\nuse function Shop\\Util\\fmt as pretty;') + '\necho pretty($_GET["x"]);\n';
    assert.equal((await scan(src)).verdict, 'malicious');
  });
});
