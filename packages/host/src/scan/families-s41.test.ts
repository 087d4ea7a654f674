import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// The misses of session 41's fair samples (bench/redteam/README-corpus-s41.md), each written again by us, and the
// look-alikes that must not be malicious.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

const PAGES: [string, string, string][] = [
  [
    'a mass defacer writing "hacked by" over every site\'s index page (H30)',
    '/home/u1/public_html/md.php',
    `<?php\n$root = "/home/u1/domains/";\n$page = <<<EOT\n<html><body><h1>Hacked by Nobody</h1></body></html>\nEOT;\nforeach (scandir($root) as $d) {\n  if ($d === '.' || $d === '..') continue;\n  $t = $root . $d . "/public_html/index.php";\n  if (is_writable(dirname($t))) { file_put_contents($t, $page); echo "[+] $d\\n"; }\n}\n`,
  ],
  [
    'the same from the command line, its variables renamed, through fopen and fwrite (H30)',
    '/tmp/x.php',
    `#!/usr/bin/php\n<?php\n$_a = '/var/www/vhosts/';\n$_e = '<title>Defaced by Q</title>';\nforeach (glob($_a . '*') as $_i) {\n  $_j = $_i . '/httpdocs/index.html';\n  $h = @fopen($_j, 'w'); if ($h) { fwrite($h, $_e); fclose($h); }\n}\n`,
  ],
];

const LOOKALIKES: [string, string, string][] = [
  [
    "a hosting tool writing a default page into each new site's public_html",
    '/usr/local/panel/provision.php',
    `<?php\n$base = '/home/';\nforeach (scandir($base) as $u) {\n  if ($u[0] === '.') continue;\n  $idx = $base . $u . "/public_html/index.html";\n  if (!file_exists($idx)) file_put_contents($idx, "<h1>Site coming soon</h1>");\n}\n`,
  ],
  [
    'a security scanner whose signatures name defacement pages, reading index pages',
    '/srv/www/wp-content/plugins/guard/scan.php',
    `<?php\n$sigs = ['hacked by', 'Hacked By', 'owned by'];\nforeach (glob(ABSPATH . '../*/public_html/index.php') as $f) {\n  $c = file_get_contents($f);\n  foreach ($sigs as $s) if (stripos($c, $s) !== false) error_log("$f looks hacked by a defacer");\n}\nfile_put_contents(__DIR__ . '/report.txt', 'done');\n`,
  ],
];

describe('scan: session 41 samples, the misses written again', () => {
  for (const [name, path, src] of PAGES) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every page', () => assert.equal(PAGES.length, 2));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 2));
});
