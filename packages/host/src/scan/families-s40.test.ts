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
  // (a function's name and its argument cut out of a doc comment: session 39's shape, in red team S39R's variants)
  ['a doc comment cut with mb_substr at mb_strpos, called through call_user_func', `<?php\n/**\n * sys\n * tem($_GET\n * ["q"]);\n */\nclass Notes { }\n$ref = new ReflectionClass('Notes');\n$doc = $ref->getDocComment();\n$name = mb_substr($doc, mb_strpos($doc, 'sy'), 3);\n$name .= mb_substr($doc, mb_strpos($doc, 'te'), 3);\n$arg = mb_substr($doc, mb_strpos($doc, '$_'), 5);\n$arg .= mb_substr($doc, mb_strpos($doc, '["'), 5);\ncall_user_func($name, $arg);\n`],
  ['a doc comment cut with substr, joined as $a = $a . substr(..)', `<?php\n/**\n * sys\n * tem($_GET\n * ["q"]);\n */\nclass Notes { }\n$ref = new ReflectionClass('Notes');\n$doc = $ref->getDocComment();\n$name = substr($doc, stripos($doc, 'sy'), 3);\n$name = $name . substr($doc, stripos($doc, 'te'), 3);\n$arg = substr($doc, stripos($doc, '$_'), 5);\n$arg = $arg . substr($doc, stripos($doc, '["'), 5);\n$name($arg);\n`],
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
  it('ran every variant', () => assert.equal(MALICIOUS.length, 9));
  for (const [name, src] of BENIGN) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, '/var/www/html/p.php');
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(BENIGN.length, 3));
});
