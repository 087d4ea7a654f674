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
];

const LOOKALIKES: [string, string, string][] = [
  ['yaml_parse with a date tag callback of the application\'s own', '/var/www/html/cfg.php', `<?php\nfunction to_date($v) { return new DateTime($v); }\n$cb = array('!date' => 'to_date');\n$cfg = yaml_parse(trim(file_get_contents(__DIR__ . '/app.yml')), 0, $n, $cb);\n`],
  ['a register_globals status page running only the commands its list has, asked by isset of the list\'s element', '/var/www/html/status.php', `<?php\n$allowed = array('uptime' => 1, 'df -h' => 1);\nif (isset($cmd) && isset($allowed[$cmd])) { echo '<pre>'; system($cmd); echo '</pre>'; }\n?>\n<form method="post"><select name="cmd"><option>uptime</option></select></form>\n`],
];

describe('scan: the techniques of held-out sets H14 and H15 (session 36)', () => {
  for (const [name, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every malicious form', () => assert.equal(MALICIOUS.length, 3));

  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`);
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 2));
});
