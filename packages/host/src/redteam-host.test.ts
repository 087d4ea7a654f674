/**
 * Red team of `mamori scan`, the IoC parsers and matcher, and `mamori fim` (issue 12): one test
 * per finding of bench/redteam/README-host.md, named by its number. Each fixed finding's test
 * failed before its fix; the open ones are skipped with their reason.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner, type FileResult } from './scan/scanner.js';
import { parseIndicators } from './ioc/read.js';
import { parseStixPattern } from './ioc/stix.js';
import { normalizeIndicator } from './ioc/indicator.js';
import { IocMatcherBuilder } from './ioc/matcher.js';
import { IocStore } from './ioc/store.js';
import { DEFAULT_FEED_LIMITS, refreshSources, watchSources } from './ioc/fetch.js';
import { addressClass, checkedLookup } from 'mamori/internal';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { FimDb } from './fim/baseline-db.js';
import { acceptChanges, initBaseline, checkBaseline } from './fim/check.js';
import { generationsFileFor } from './fim/generations.js';
import { isMamoriError } from 'mamori/errors';
import { ensureKey } from './fim/key.js';
import { RuleSet } from './fim/rules.js';

const scanner = createScanner();
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'mamori-rthost-'));
  dirs.push(d);
  return d;
}
const scan = (text: string, path = '/var/www/x.php'): FileResult => scanner.scanBuffer(Buffer.from(text, 'latin1'), path);
const why = (r: FileResult) => JSON.stringify(r.findings.map((f) => `${f.technique}: ${f.description}`));

describe('red team host: scanner evasions (fixed)', () => {
  it('H1: a comment between a function name and its "(" (PHP skips it, the patterns did not)', () => {
    for (const src of ["<?php system/**/($_GET['c']);", "<?php eval/*a*/(/*b*/$_POST/*c*/['c']);", "<?php system#x\n($_GET['c']);", "<?php shell_exec// x\n ($_REQUEST['c']);"]) {
      const r = scan(src);
      assert.equal(r.verdict, 'malicious', `${src}: ${why(r)}`);
    }
    // A comment between a name and "(" in ordinary code is not a finding by itself.
    assert.equal(scan("<?php\nfunction f /* x */ ($a) { return strlen($a); }\necho f($_GET['n']);").verdict, 'clean');
  });

  it('H2: request input through $GLOBALS or a variable variable ($n = "_GET"; $$n)', () => {
    for (const src of [
      "<?php $GLOBALS['_GET']['f']($GLOBALS['_GET']['a']);",
      "<?php $x = $GLOBALS['_REQUEST']['c']; system($x);",
      "<?php $n = '_POST'; $p = $$n; $f = $p['f']; $f($p['a']);",
      "<?php $n = '_GET'; eval(${$n}['c']);",
    ]) {
      const r = scan(src);
      assert.equal(r.verdict, 'malicious', `${src}: ${why(r)}`);
    }
    assert.equal(scan("<?php $name = '_GET'; $t = $$name ?? []; echo count($t);").verdict, 'clean');
  });

  it('H3: callbacks the flow pass did not name: preg_replace_callback, set_exception_handler, filter_var FILTER_CALLBACK, ReflectionFunction, mb_ereg_replace "e"', () => {
    for (const src of [
      "<?php preg_replace_callback('/.+/', $_GET['f'], $_GET['a']);",
      "<?php set_exception_handler($_GET['f']); throw new Exception($_GET['a']);",
      "<?php filter_var($_GET['a'], FILTER_CALLBACK, ['options' => $_GET['f']]);",
      "<?php filter_var($_GET['a'], FILTER_CALLBACK, ['options' => 'system']);",
      "<?php $f = new ReflectionFunction($_GET['f']); $f->invoke($_GET['a']);",
      "<?php (new ReflectionFunction('system'))->invoke($_GET['a']);",
      "<?php mb_ereg_replace('.*', $_REQUEST['c'], '', 'e');",
    ]) {
      const r = scan(src);
      assert.equal(r.verdict, 'malicious', `${src}: ${why(r)}`);
    }
    // Callbacks an application writes itself.
    assert.equal(scan("<?php echo preg_replace_callback('/\\d+/', fn($m) => $m[0] * 2, $_GET['s']); set_error_handler('my_handler');").verdict, 'clean');
    assert.equal(scan("<?php $n = filter_var($_GET['n'], FILTER_CALLBACK, ['options' => 'trim']);").verdict, 'clean');
  });

  it('H4: the short open tag "<? " in an image or a file of another name', () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("junk<? system($_GET['c']); ?>")]);
    const r = scanner.scanBuffer(jpeg, '/var/www/uploads/a.jpg');
    assert.equal(r.verdict, 'malicious', why(r));
    assert.equal(scan("notes\n<? system($_GET['c']); ?>", '/var/www/inc/a.txt').verdict, 'malicious');
    // An image's XMP packet is not PHP.
    const xmp = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), Buffer.from('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta/>')]);
    assert.equal(scanner.scanBuffer(xmp, '/var/www/uploads/b.jpg').verdict, 'clean');
  });

  it('H5: .htaccess: <FilesMatch> with SetHandler on its own line, ForceType, a quoted type', () => {
    for (const src of [
      '<FilesMatch "\\.jpe?g$">\nSetHandler application/x-httpd-php\n</FilesMatch>\n',
      '<Files "a.jpg">\nForceType application/x-httpd-php\n</Files>\n',
      'AddType "application/x-httpd-php" .jpg\n',
      '# uploads\nSetHandler application/x-httpd-php\n',
    ]) {
      const r = scan(src, '/var/www/uploads/.htaccess');
      assert.notEqual(r.verdict, 'clean', `${src}: ${why(r)}`);
    }
    assert.equal(scan('<FilesMatch "\\.php$">\nSetHandler "proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost"\n</FilesMatch>\n', '/var/www/.htaccess').verdict, 'clean');
  });

  it('H6: a PHP file padded past the bytes scanned is not clean', () => {
    const small = createScanner({ maxFileBytes: 4096 });
    const d = tmp();
    const f = join(d, 'pad.php');
    writeFileSync(f, `<?php\n/*${'x'.repeat(8000)}*/\nsystem($_GET['c']);\n`);
    const r = small.scanFile(f);
    assert.notEqual(r.verdict, 'clean', why(r));
    assert.ok(r.findings.some((x) => x.technique === 'unscanned-remainder'));
    // A large image is not flagged for its size.
    const img = join(d, 'big.png');
    writeFileSync(img, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(9000)]));
    assert.equal(small.scanFile(img).verdict, 'clean');
  });

  it('H7: a symlink in the tree to code outside it (the web server follows it): the target is scanned', () => {
    const d = tmp();
    mkdirSync(join(d, 'www'));
    mkdirSync(join(d, 'outside'));
    writeFileSync(join(d, 'outside', 'x.txt'), "<?php system($_GET['c']);");
    writeFileSync(join(d, 'outside', 'notes.txt'), 'plain text');
    symlinkSync('../outside/x.txt', join(d, 'www', 'shell.php'));
    symlinkSync('../outside/notes.txt', join(d, 'www', 'notes.txt'));
    const w = scanner.walk([join(d, 'www')]);
    assert.deepEqual(w.files, [join(d, 'outside', 'x.txt')]);
    assert.match(w.skipped.find((s) => s.path.endsWith('shell.php'))!.why, /outside the scanned paths: its target is scanned/);
    assert.equal(w.skipped.find((s) => s.path.endsWith('notes.txt'))!.why, 'a symlink, not followed');
    assert.equal(scanner.scanFile(w.files[0]!).verdict, 'malicious');
  });

  it('H8: a file or directory whose name is not valid UTF-8 is scanned (it was "vanished")', () => {
    const d = tmp();
    const www = join(d, 'www');
    mkdirSync(www);
    const bad = Buffer.concat([Buffer.from(`${www}/`), Buffer.from([0xff, 0xfe]), Buffer.from('.php')]);
    writeFileSync(bad, "<?php system($_GET['c']);");
    const badDir = Buffer.concat([Buffer.from(`${www}/`), Buffer.from([0xc3, 0x28])]);
    mkdirSync(badDir);
    writeFileSync(Buffer.concat([badDir, Buffer.from('/k.php')]), "<?php eval($_POST['c']);");
    const w = scanner.walk([www]);
    assert.deepEqual(w.skipped, []);
    assert.equal(w.rawFiles.length, 2);
    const results = w.rawFiles.map((f) => scanner.scanFile(f));
    assert.deepEqual(results.map((r) => r.verdict), ['malicious', 'malicious']);
    assert.deepEqual(results.map((r) => r.path.slice(www.length)).sort(), ['/\\xc3(/k.php', '/\\xff\\xfe.php']);
  });
});

describe('red team host: a tree nested past PATH_MAX', () => {
  it('H18: a tree deeper than PATH_MAX is reported in skipped, not an ENAMETOOLONG that ended the whole scan', () => {
    const d = mkdtempSync(join(tmpdir(), 'mamori-rthost-deep-'));
    try {
      writeFileSync(join(d, 'shell.php'), "<?php system($_GET['c']);");
      // 17 names of 250 bytes, made one below the other (relative paths: no absolute path is that long).
      const made = spawnSync(process.execPath, ['-e', "const fs = require('fs'); process.chdir(process.argv[1]); for (let i = 0; i < 17; i++) { fs.mkdirSync(process.argv[2]); process.chdir(process.argv[2]); } fs.writeFileSync('f.txt', 'x');", d, 'n'.repeat(250)]);
      assert.equal(made.status, 0, String(made.stderr));
      const w = scanner.walk([d]);
      assert.deepEqual(w.files, [join(d, 'shell.php')]);
      assert.equal(w.skipped.length, 1);
      assert.match(w.skipped[0]!.why, /a path longer than the system allows \(\d+ bytes\): not scanned/);
    } finally {
      spawnSync('rm', ['-rf', d]); // Node's rmSync cannot remove what lies past PATH_MAX
    }
  });
  it('H19: a deep tree (400 levels) is walked and checked; a change at the bottom is found', async () => {
    // The cost that made this a finding (22 s of CPU at 1,000 levels: two realpath calls per
    // directory) went with the walker's one-lstat check; README-host.md has the measurements.
    const base = tmp();
    const tree = join(base, 'www');
    const deep = join(tree, ...Array.from({ length: 400 }, () => 'a'));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'f.php'), '<?php echo 1;');
    const db = FimDb.open(join(base, 'data', 'fim.db'));
    const { key } = ensureKey(join(base, 'data', 'fim.key'));
    const rules = new RuleSet({ paths: [{ path: tree }] });
    await initBaseline(db, key, 'default', rules, { who: 'test' });
    writeFileSync(join(deep, 'f.php'), "<?php system($_GET['c']);");
    const r = await checkBaseline(db, key, 'default', { mode: 'full' });
    assert.deepEqual(r.changed.map((c) => c.path), [join(deep, 'f.php')]);
    db.close();
  });
});

describe('red team host: scanner evasions (H9, fixed after the merge)', () => {
  const fixed = [
    ['JSP: Runtime held in a variable', '<% String c = request.getParameter("c"); java.lang.Runtime r = java.lang.Runtime.getRuntime(); r.exec(c); %>', '/var/www/a.jsp'],
    ['ASPX: Process with StartInfo set field by field', '<%@ Page Language="C#" %><% var p = new System.Diagnostics.Process(); p.StartInfo.FileName = "cmd"; p.StartInfo.Arguments = "/c " + Request.Form["c"]; p.Start(); %>', '/var/www/a.aspx'],
    ['ASP: WScript.Shell Run of a parameter', '<% Set s = CreateObject("WScript.Shell"): s.Run Request("c") %>', '/var/www/a.asp'],
    ['CGI: Python os.system of a form field', "import os,cgi\nos.system(cgi.FieldStorage().getvalue('c'))", '/var/www/cgi-bin/a.py'],
    ['CGI: Perl system of any CGI object\'s param()', "#!/usr/bin/perl\nuse CGI; my $q=CGI->new; system($q->param('c'));", '/usr/lib/cgi-bin/a.pl'],
  ] as const;
  for (const [name, src, path] of fixed) {
    it(`H9: ${name}`, () => {
      const r = scan(src, path);
      assert.notEqual(r.verdict, 'clean', why(r));
    });
  }
  it('H9: look-alikes stay clean (memory figures from Runtime, a process started with fixed arguments, Python reading a form without running it)', () => {
    const clean = [
      ['<% long free = Runtime.getRuntime().freeMemory(); String q = request.getParameter("q"); %><p><%= free %></p>', '/var/www/status.jsp'],
      ['<%@ Page Language="C#" %><% var p = new System.Diagnostics.Process(); p.StartInfo.FileName = "backup.exe"; p.Start(); %>', '/var/www/backup.aspx'],
      ["import cgi\nform = cgi.FieldStorage()\nprint('Hello ' + form.getvalue('name', ''))", '/var/www/cgi-bin/hello.py'],
      ["#!/usr/bin/perl\nuse CGI; my $q=CGI->new; system('/usr/bin/uptime'); print $q->header, $q->escapeHTML($q->param('name'));", '/usr/lib/cgi-bin/hello.pl'],
    ] as const;
    for (const [src, path] of clean) {
      const r = scan(src, path);
      assert.equal(r.verdict, 'clean', `${path}: ${why(r)}`);
    }
  });
});

describe('red team host: scanner evasions (H9: the closure and the XOR decoder, fixed)', () => {
  const shells = [
    ['preg_replace_callback with a closure running its match', "<?php preg_replace_callback('/.*/', function($m){ return system($m[0]); }, $_GET['c']);"],
    ['preg_replace_callback with an arrow function', "<?php preg_replace_callback('/.+/', fn($m) => passthru($m[0]), $_POST['c']);"],
    ['a closure held in a variable, its match copied first', "<?php $f = function ($x) use ($y) { $c = $x[0]; return shell_exec($c); }; echo preg_replace_callback('~.+~s', $f, $_REQUEST['c']);"],
    ['a typed static closure running its match in backticks', "<?php echo preg_replace_callback('/.+/', static function(array $m): string { return `{$m[0]}`; }, $_COOKIE['c']);"],
    ['a closure calling its match as a function', "<?php preg_replace_callback('/(.+)/', function($m){ return $m[1]($_GET['a']); }, $_GET['f']);"],
    ['array_map of a closure that evals', "<?php array_map(function($c){ eval($c); }, $_POST);"],
    ['a payload decoded by an XOR loop of our own, then eval', "<?php $k='abcdef'; $p=base64_decode('EhsQEAALSUZCKzg1NS0yLEQ='); $o=''; for($i=0;$i<strlen($p);$i++)$o.=$p[$i]^$k[$i%6]; eval($o);"],
    ['an XOR of ord() values in a foreach, eval of "?>" and it', "<?php $k=7; $p=file_get_contents(__FILE__, false, null, 200); $o=''; foreach(str_split($p) as $i=>$c){ $o .= chr(ord($c) ^ $k); } eval('?>'.$o);"],
    ['two strings XORed inside eval', "<?php $a='x1y2'; $b='AZBY'; eval($a ^ $b);"],
    ['a string XORed in place, then create_function', "<?php $d=base64_decode('abc'); for($i=0;$i<strlen($d);$i++){ $d[$i] = $d[$i] ^ 'k'; } $f = create_function('', $d); $f();"],
  ] as const;
  for (const [name, src] of shells) {
    it(`H9: ${name}`, () => {
      const r = scan(src);
      assert.notEqual(r.verdict, 'clean', why(r));
    });
  }
  it('H9: look-alikes stay clean (a callback that formats its match, a command with fixed arguments, an XOR cipher whose output is printed, XOR hashing)', () => {
    const clean = [
      "<?php echo preg_replace_callback('/\\d+/', function($m){ return strtoupper($m[0]); }, $_GET['q']);",
      "<?php echo preg_replace_callback('/x/', function($m){ exec('date', $out); return $m[0]; }, $_GET['q']);",
      "<?php function enc($p,$k){ $o=''; for($i=0;$i<strlen($p);$i++) $o .= $p[$i]^$k[$i%strlen($k)]; return $o; } echo bin2hex(enc($_GET['t'], 'key'));",
      "<?php $x = $a ^ $b; assert($x !== 0); eval($config);",
      "<?php $h = 0; foreach ($bytes as $b) { $h = ($h ^ ord($b)) * 16777619; } echo $h;",
    ];
    for (const src of clean) {
      const r = scan(src);
      assert.equal(r.verdict, 'clean', `${src}: ${why(r)}`);
    }
  });
});

describe('red team host: hostile indicator feeds', () => {
  it('H10: a /0 range or a top-level domain from a feed is refused (it flagged every address or every .com)', () => {
    const r = parseIndicators('0.0.0.0/0\n::/0\n10.0.0.0/7\n2001::/15\n*.com\n10.0.0.0/8\n2001:db8::/32\nevil.example\n', 'feed.txt');
    assert.deepEqual(r.indicators.map((i) => i.value), ['10.0.0.0/8', '2001:db8::/32', 'evil.example']);
    assert.equal(Object.entries(r.skippedByReason).filter(([k]) => /too broad|top-level/.test(k)).reduce((n, [, v]) => n + v, 0), 5);
    const stix = parseStixPattern("[ipv4-addr:value = '0.0.0.0/0'] OR [domain-name:value = 'com']");
    assert.ok('terms' in stix);
    for (const t of stix.terms) assert.ok('error' in normalizeIndicator(t.kind, t.value), `${t.kind} ${t.value}`);
    // Rows a store took before this fix are not matched either.
    const b = new IocMatcherBuilder();
    b.addNormalized('cidr', '0.0.0.0/0', 'old');
    b.addNormalized('domain', 'com', 'old');
    b.addNormalized('cidr', '198.51.100.0/24', 'old');
    const m = b.build();
    assert.deepEqual(m.matchIp('8.8.8.8'), []);
    assert.deepEqual(m.matchDomain('google.com'), []);
    assert.equal(m.matchIp('198.51.100.9').length, 1);
  });
});

describe('red team host: hostile indicator feeds (memory, emptiness)', () => {
  it('H15: JSON far denser than any feed ("{}," repeated: 2.1 GB and 33 s for 64 MiB) is refused before parsing', () => {
    const objects = `[${'{},'.repeat(400_000)}{}]`;
    assert.throws(() => parseIndicators(objects, 'dense.json', 'stix'), (e: Error & { code?: string }) => e.code === 'MAMORI_ERR_IOC_PARSE' && /dense\.json: 400002 JSON objects and arrays .* refused before parsing/.test(e.message));
    const values = `[${'1,'.repeat(1_200_000)}1]`;
    assert.throws(() => parseIndicators(values, 'values.json', 'stix'), /JSON values in .* refused before parsing/);
    // A real-shaped bundle of many indicators is read.
    const one = (i: number) => `{"type":"indicator","id":"indicator--${String(i).padStart(8, '0')}-0000-4000-8000-000000000000","spec_version":"2.1","pattern_type":"stix","pattern":"[ipv4-addr:value = '198.51.${(i >> 8) & 255}.${i & 255}']","valid_from":"2026-01-01T00:00:00Z"}`;
    const bundle = `{"type":"bundle","id":"bundle--1","objects":[${Array.from({ length: 20_000 }, (_, i) => one(i)).join(',')}]}`;
    assert.equal(parseIndicators(bundle, 'bundle.json').indicators.length, 20_000);
  });

  it('H16: a feed that answers 200 with nothing in it does not silently empty its source', async () => {
    let body = '198.51.100.7\nevil.example\n';
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.txt`;
    const s = IocStore.open(':memory:');
    try {
      s.setSource({ name: 'feed', url, format: 'auto', refreshMs: 60_000 });
      const first = await refreshSources(s, { now: () => 1_000, force: true });
      assert.equal(first[0]!.status, 'updated');
      for (const empty of ['', '[]', '{"type":"bundle","id":"bundle--1","objects":[]}', '# nothing today\n']) {
        body = empty;
        const r = await refreshSources(s, { now: () => 2_000, force: true });
        assert.equal(r[0]!.status, 'failed', JSON.stringify(empty));
        assert.match(r[0]!.error!, /holds no indicators; the source keeps its 2/);
        assert.equal(s.matcher(2_000).matchIp('198.51.100.7').length, 1);
      }
    } finally {
      s.close();
      server.close();
    }
  });
});

/**
 * A feed server that redirects (302) to an "inside" server, both on 127.0.0.1; `hits()` counts
 * the requests that reached the inside one.
 */
async function redirectingFeed(insidePath: string) {
  let n = 0;
  const inside = createServer((_req, res) => {
    n++;
    res.end('198.51.100.7\n');
  });
  await new Promise<void>((done) => inside.listen(0, '127.0.0.1', done));
  const insideUrl = `http://127.0.0.1:${(inside.address() as AddressInfo).port}${insidePath}`;
  const feed = createServer((_req, res) => {
    res.writeHead(302, { location: insideUrl });
    res.end();
  });
  await new Promise<void>((done) => feed.listen(0, '127.0.0.1', done));
  return { inside, feed, feedPort: String((feed.address() as AddressInfo).port), hits: () => n };
}

describe('red team host: a feed that redirects into the network mamori runs in', () => {
  it('H21: a redirect from a public address to a private, loopback or link-local one is refused before connecting; allowed on request', async () => {
    const { inside, feed, feedPort, hits: seen } = await redirectingFeed('/latest/meta-data');
    // Every test server is 127.0.0.1: the classifier says the feed's port is "public", as a feed on the internet would be.
    const classify = (address: string, url: URL) => (url.port === feedPort ? 'public' : addressClass(address));
    const s = IocStore.open(':memory:');
    try {
      s.setSource({ name: 'feed', url: `http://127.0.0.1:${feedPort}/feed.txt`, format: 'auto', refreshMs: 60_000 });
      const refused = await refreshSources(s, { now: () => 1_000, force: true, addresses: { classify } });
      assert.equal(refused[0]!.status, 'failed');
      assert.match(refused[0]!.error!, /meta-data: a redirect from a public address leads to 127\.0\.0\.1, a private, loopback or link-local address: refused .*--allow-private-redirects/);
      assert.equal(seen(), 0, 'no request reached the inside server');
      const allowed = await refreshSources(s, { now: () => 2_000, force: true, addresses: { classify, allowPrivateRedirects: true } });
      assert.equal(allowed[0]!.status, 'updated');
      assert.equal(seen(), 1);
      // A feed whose own address is private (the user's network) may redirect within it.
      const own = await refreshSources(s, { now: () => 3_000, force: true });
      assert.equal(own[0]!.status, 'updated');
    } finally {
      s.close();
      feed.close();
      inside.close();
    }
  });

  it('H21: a source kept with allow_private_redirects may be redirected into the private network on every fetch, --watch included; the others still may not', async () => {
    const { inside, feed, feedPort, hits: seen } = await redirectingFeed('/mirror/feed.txt');
    const classify = (address: string, url: URL) => (url.port === feedPort ? 'public' : addressClass(address));
    const s = IocStore.open(':memory:');
    try {
      const url = `http://127.0.0.1:${feedPort}/feed.txt`;
      assert.equal(s.setSource({ name: 'mirrored', url, refreshMs: 60_000, allowPrivateRedirects: true }).allowPrivateRedirects, true);
      assert.equal(s.setSource({ name: 'other', url, refreshMs: 60_000 }).allowPrivateRedirects, false, 'a new source refuses by default');
      const r = await refreshSources(s, { now: () => 1_000, force: true, addresses: { classify } });
      assert.deepEqual(r.map((x) => [x.source, x.status]), [['mirrored', 'updated'], ['other', 'failed']]);
      assert.equal(seen(), 1, 'only the allowed source reached the inside server');
      assert.match(r[1]!.error!, /refused .*`mamori ioc source other --allow-private-redirects` allows it for this source \(allow_private_redirects/);
      // Changing something else keeps the setting; taking it back refuses again.
      assert.equal(s.setSource({ name: 'mirrored', url, refreshMs: 120_000 }).allowPrivateRedirects, true);
      s.setSource({ name: 'mirrored', allowPrivateRedirects: false });
      const again = await refreshSources(s, { now: () => 2_000, force: true, only: 'mirrored', addresses: { classify } });
      assert.equal(again[0]!.status, 'failed');
      assert.equal(seen(), 1);
      // The per-run flag still allows every source.
      const flagged = await refreshSources(s, { now: () => 3_000, force: true, addresses: { classify, allowPrivateRedirects: true } });
      assert.deepEqual(flagged.map((x) => x.status), ['updated', 'updated']);
      // The long-running refresher reads the setting from the store too.
      s.setSource({ name: 'mirrored', allowPrivateRedirects: true });
      const results: string[] = [];
      const w = watchSources(s, { now: () => 10_000_000, addresses: { classify }, onResult: (x) => results.push(`${x.source}:${x.status}`), sleep: async () => void w.stop() });
      await w.done;
      assert.deepEqual(results, ['mirrored:updated', 'other:failed']);
    } finally {
      s.close();
      feed.close();
      inside.close();
    }
  });

  it('H21: names are resolved by mamori\'s lookup and a private answer is refused before the connection (DNS rebinding)', async () => {
    let calls = 0;
    // public on the first answer, the metadata service on the next: the address checked is the one handed to the connection
    const resolve = (_h: string, cb: (err: Error | null, a: readonly { address: string; family: number }[]) => void) => cb(null, [{ address: calls++ === 0 ? '203.0.113.9' : '169.254.169.254', family: 4 }]);
    const url = new URL('https://feed.example/x');
    const o = { code: 'MAMORI_ERR_IOC_FETCH' as const, limits: DEFAULT_FEED_LIMITS, headers: {}, addresses: { resolve } };
    const lookup = checkedLookup(url, { mustBePublic: true }, o);
    const ask = () => new Promise<{ err: Error | null; address: unknown }>((done) => lookup('feed.example', { all: true }, (err, address) => done({ err, address })));
    assert.deepEqual(await ask(), { err: null, address: [{ address: '203.0.113.9', family: 4 }] });
    const second = await ask();
    assert.match(second.err!.message, /leads to 169\.254\.169\.254 \(feed\.example\), a private, loopback or link-local address: refused/);
  });

  it('H21: the address classes (IPv4, IPv6, and IPv6 carrying IPv4)', () => {
    for (const a of ['10.1.2.3', '127.0.0.1', '169.254.169.254', '172.31.255.1', '192.168.1.1', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1%eth0', 'fd00:ec2::254', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::a00:1', '2002:0a00:0001::1', 'not an address']) {
      assert.equal(addressClass(a), 'private', a);
    }
    for (const a of ['8.8.8.8', '203.0.113.9', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '2606:4700::1111']) assert.equal(addressClass(a), 'public', a);
  });
});

describe('red team host: URL indicators', () => {
  it('H17: a URL indicator is not evaded by spellings servers read alike (%78, an empty "?", user@)', () => {
    const b = new IocMatcherBuilder();
    assert.ok(b.add('url', 'http://site.example/wp-content/x.php', 'urlfeed'));
    const m = b.build();
    for (const q of ['http://site.example/wp-content/%78.php', 'http://site.example/wp-content/x.php?', 'http://user:pw@site.example/wp-content/x.php', 'http://site.example/wp-content/%2e/x.php', 'http://SITE.example:80/wp-content/x.php#f']) {
      assert.equal(m.matchUrl(q).filter((h) => h.kind === 'url').length, 1, q);
    }
    assert.equal(m.matchUrl('http://site.example/wp-content/x.php?a=1').length, 0);
    assert.equal(m.matchUrl('http://site.example/wp-content/%2F.php').length, 0);
    assert.deepEqual(normalizeIndicator('url', 'http://a.example/%7euser/%2f?q=%41'), { kind: 'url', value: 'http://a.example/~user/%2F?q=A' });
  });
});

describe('red team host: fim', () => {
  it('H11: a directory named like an excluded file ("x.log/") no longer hides the files below it', async () => {
    const base = tmp();
    const tree = join(base, 'www');
    mkdirSync(join(tree, 'uploads'), { recursive: true });
    writeFileSync(join(tree, 'index.php'), '<?php echo 1;');
    writeFileSync(join(tree, 'uploads', 'access.log'), 'a log line');
    const db = FimDb.open(join(base, 'data', 'fim.db'));
    const { key } = ensureKey(join(base, 'data', 'fim.key'));
    const rules = new RuleSet({ paths: [{ path: tree, exclude: ['*.log', '/cache'] }] });
    await initBaseline(db, key, 'default', rules, { who: 'test' });
    mkdirSync(join(tree, 'uploads', 'x.log'));
    writeFileSync(join(tree, 'uploads', 'x.log', 'shell.php'), "<?php system($_GET['c']);");
    mkdirSync(join(tree, 'cache'));
    writeFileSync(join(tree, 'cache', 'page.html'), 'cached');
    writeFileSync(join(tree, 'uploads', 'new.log'), 'another log');
    const r = await checkBaseline(db, key, 'default');
    const added = r.added.map((a) => a.path.slice(tree.length)).sort();
    assert.deepEqual(added, ['/uploads/x.log', '/uploads/x.log/shell.php'], 'the PHP file under x.log/ is reported; a .log file and the excluded /cache are not');
    // fim watch asks the same rules: a directory named x.log is watched, a file named so is not.
    assert.equal(rules.covers(join(tree, 'uploads', 'x.log'), true), true);
    assert.equal(rules.covers(join(tree, 'uploads', 'x.log', 'shell.php')), true);
    assert.equal(rules.covers(join(tree, 'uploads', 'new.log')), false);
    assert.equal(rules.covers(join(tree, 'cache', 'page.html')), false);
    db.close();
  });
  it('H13: an older signed baseline put back (with the generation record beside the key) is refused, and said so', async () => {
    const base = tmp();
    const tree = join(base, 'www');
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'index.php'), '<?php echo 1;');
    const dbFile = join(base, 'data', 'fim.db');
    const keyFile = join(base, 'keys', 'fim.key');
    const generations = generationsFileFor(keyFile);
    const notices: string[] = [];
    const open = () => FimDb.open(dbFile, { generations, onNotice: (m) => notices.push(m) });
    const { key } = ensureKey(keyFile);
    const rules = new RuleSet({ paths: [{ path: tree }] });
    let db = open();
    await initBaseline(db, key, 'default', rules, { who: 'test' });
    db.close();
    assert.deepEqual(notices, [], 'a write records its generation without a notice');
    copyFileSync(dbFile, join(base, 'old.db'));
    writeFileSync(join(tree, 'index.php'), '<?php echo 2; // release 2');
    db = open();
    await acceptChanges(db, key, 'default', { who: 'test', why: 'release 2' });
    assert.equal(db.loadMeta('default', key).generation, 2);
    db.close();
    // the attacker puts back the old baseline (and would put back the old index.php with it)
    copyFileSync(join(base, 'old.db'), dbFile);
    db = open();
    await assert.rejects(checkBaseline(db, key, 'default'), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_SIGNATURE') && /is generation 1, older than generation 2 recorded in .*fim\.key\.generations: an older copy of the baseline was put back/.test((e as Error).message));
    // the record cannot be lowered without the key
    const rec = JSON.parse(readFileSync(generations, 'utf8')) as { baselines: Record<string, { generation: number }> };
    const saved = readFileSync(generations);
    for (const v of Object.values(rec.baselines)) v.generation = 1;
    writeFileSync(generations, JSON.stringify(rec));
    assert.throws(() => db.loadMeta('default', key), /generation record .* does not match its signature/);
    writeFileSync(generations, saved);
    // `fim init --force` writes a baseline newer than both, which loads again
    await initBaseline(db, key, 'default', rules, { who: 'test' });
    assert.equal(db.loadMeta('default', key).generation, 3);
    assert.equal((await checkBaseline(db, key, 'default')).changed.length, 0);
    db.close();
    // first use of the record (or an upgrade): said, then recorded; a copy older than that is refused after
    rmSync(generations);
    db = open();
    db.loadMeta('default', key);
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /no generation recorded for the baseline "default" .* recording generation 3 now/);
    db.loadMeta('default', key);
    assert.equal(notices.length, 1, 'said once');
    db.close();
    // a record that cannot be written (a key on read-only media; here a folder in its place) is said, and the check goes on
    const blocked: string[] = [];
    const ro = FimDb.open(dbFile, { generations: join(base, 'keys', 'no-such-dir', 'x.generations'), onNotice: (m) => blocked.push(m) });
    assert.equal((await checkBaseline(ro, key, 'default')).changed.length, 0);
    assert.match(blocked.join('\n'), /cannot write the baseline generation record .*: an older copy of the baseline "default" put back cannot be told apart until it can be written/);
    ro.close();
    // without the record (a library caller that does not pass it) generations are not compared
    const plain = FimDb.open(dbFile);
    assert.equal(plain.loadMeta('default', key).generation, 3);
    plain.close();
  });
});
