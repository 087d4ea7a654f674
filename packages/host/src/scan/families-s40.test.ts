import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';

// Session 40: red team S39R's open /e variants, written by us: preg_replace given an /e pattern that the code works out
// from literals (sprintf, implode or join of an array, str_repeat, a delimiter or the modifier held in a variable),
// with the replacement taken from the request. Look-alikes: the same constructions without /e, or with no request input.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;

const MALICIOUS: [string, string][] = [
  ['sprintf of four pieces, kept in a variable', `<?php\n$p = sprintf('%s%s%s%s', '/', '.*', '/', 'e');\npreg_replace($p, $_POST['c'], 'x');\n`],
  ['sprintf with the delimiters in its format', `<?php\npreg_replace(sprintf('/%s/%s', '.*', 'e'), $_COOKIE['c'], 'x');\n`],
  ['implode of an array() of pieces', `<?php\npreg_replace(implode('', array('/', '.*', '/', 'e')), $_POST['c'], 'x');\n`],
  ['join of an array kept in a variable', `<?php\n$parts = ['/', '.*', '/e'];\npreg_replace(join('', $parts), $_POST['c'], 'x');\n`],
  ['the delimiter in a variable', `<?php\n$d = '/';\npreg_replace($d . '.*' . $d . 'e', $_REQUEST['c'], 'x');\n`],
  ['str_repeat of the delimiter', `<?php\npreg_replace(str_repeat('/', 1) . '.*' . str_repeat('/', 1) . 'e', $_GET['c'], 'x');\n`],
  ['the delimiter and the modifier in two variables, inside a function', `<?php\nfunction f() {\n  $d = '#'; $m = strtoupper('e');\n  @preg_replace($d . '^' . $d . strtolower($m), $_POST['z'], '');\n}\nf();\n`],
];

const BENIGN: [string, string][] = [
  ['a pattern built by sprintf without /e, over posted text', `<?php\n$tag = 'b';\n$p = sprintf('/\\[%s\\](.*?)\\[\\/%s\\]/is', 'b', 'b');\necho preg_replace($p, '<b>$1</b>', $_POST['text']);\n`],
  ["an /e pattern worked out from literals, its replacement the code's own, the subject a constant", `<?php\n$p = sprintf('/%s/%s', '(\\d+)', 'e');\necho preg_replace($p, "'\\\\1' * 2", '21');\n`],
  ['implode of a list of words as a pattern, /i only, the replacement from a form', `<?php\n$words = ['spam', 'ham'];\n$p = '/' . implode('|', $words) . '/i';\necho preg_replace($p, $_POST['mask'], 'some spam here');\n`],
];

describe('scan: /e patterns the code works out (session 40)', () => {
  for (const [name, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, '/var/www/html/p.php');
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every variant', () => assert.equal(MALICIOUS.length, 7));
  for (const [name, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, '/var/www/html/p.php');
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(BENIGN.length, 3));
});
