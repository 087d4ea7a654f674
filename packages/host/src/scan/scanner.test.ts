import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScanner, type FileIndicatorSource, type FileResult } from './scanner.js';

const TESTDATA = fileURLToPath(new URL('../../src/scan/testdata/', import.meta.url));
const scanner = createScanner();

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(relative(TESTDATA, p));
  }
  return out;
}

function techniques(r: FileResult): string[] {
  return r.findings.map((f) => f.technique);
}

describe('scan: fixtures (testdata/cases.json)', () => {
  const manifest = JSON.parse(readFileSync(join(TESTDATA, 'cases.json'), 'utf8')) as { cases: { file: string; verdict: string; technique?: string; layers?: string[] }[] };
  it('lists every fixture file', () => {
    const listed = new Set(manifest.cases.map((c) => c.file));
    const files = listFiles(TESTDATA).filter((f) => f !== 'cases.json' && f !== 'README.md');
    assert.deepEqual(files.filter((f) => !listed.has(f)), []);
    assert.deepEqual([...listed].filter((f) => !files.includes(f)), []);
  });
  let ran = 0;
  for (const c of manifest.cases) {
    it(`${c.file}: ${c.verdict}${c.technique ? ` (${c.technique})` : ''}`, () => {
      const r = scanner.scanFile(join(TESTDATA, c.file));
      ran++;
      assert.equal(r.verdict, c.verdict, JSON.stringify(r.findings, null, 1));
      if (c.technique) assert.ok(techniques(r).includes(c.technique), `techniques: ${techniques(r).join(', ')}`);
      if (c.verdict === 'clean') assert.ok(r.score < 35);
      if (c.layers) assert.ok(r.findings.some((f) => JSON.stringify(f.layers) === JSON.stringify(c.layers) && f.score >= 75), `layers: ${JSON.stringify(r.findings.map((f) => f.layers))}`);
      assert.match(r.sha256, /^[0-9a-f]{64}$/);
    });
  }
  it('ran every case', () => assert.equal(ran, manifest.cases.length));
  it('has at least 50 cases, a dozen of them clean', () => {
    assert.ok(manifest.cases.length >= 50);
    assert.ok(manifest.cases.filter((c) => c.verdict === 'clean').length >= 12);
  });
});

describe('scan: variants', () => {
  it('renamed variables: the flow is followed whatever the names', () => {
    const names = ['a', 'cmd_line', 'x1', '_', 'Z9z', 'veryLongNameOfAVariable'];
    for (const n of names) {
      const src = `<?php\n$${n} = $_REQUEST['k'] ?? '';\n$${n}2 = base64_decode($${n});\n@passthru($${n}2);\n`;
      const r = scanner.scanBuffer(Buffer.from(src), `/www/${n}.php`);
      assert.equal(r.verdict, 'malicious', `${n}: ${JSON.stringify(r.findings)}`);
    }
  });

  it('a variable is request input only in its own function', () => {
    const src = `<?php
function save() { $data = $_POST['body']; $fp = $_POST['name']; store($fp, $data); }
function download($url, $file) { $data = fetch($url); $fp = fopen($file, 'w'); fwrite($fp, $data); }
function run() { $cmd = 'uptime'; return shell_exec($cmd); }
`;
    assert.equal(scanner.scanBuffer(Buffer.from(src), '/www/lib.php').verdict, 'clean');
    const bad = src.replace("$cmd = 'uptime';", "$cmd = $_GET['c'];");
    assert.equal(scanner.scanBuffer(Buffer.from(bad), '/www/lib.php').verdict, 'malicious');
  });

  const payload = "system($_GET['c']);";
  const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');
  const rot13 = (s: string) => s.replace(/[a-z]/gi, (c) => String.fromCharCode(((c.charCodeAt(0) - (c <= 'Z' ? 65 : 97) + 13) % 26) + (c <= 'Z' ? 65 : 97)));
  const rev = (s: string) => [...s].reverse().join('');
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const encodings: [string, string, string[]][] = [
    ['base64', `eval(base64_decode(${q(b64(payload))}));`, ['base64_decode']],
    ['gzinflate', `eval(gzinflate(base64_decode(${q(b64(deflateRawSync(payload)))})));`, ['gzinflate', 'base64_decode']],
    ['gzuncompress', `eval(gzuncompress(base64_decode(${q(b64(deflateSync(payload)))})));`, ['gzuncompress', 'base64_decode']],
    ['gzdecode', `eval(gzdecode(base64_decode(${q(b64(gzipSync(payload)))})));`, ['gzdecode', 'base64_decode']],
    ['rot13', `eval(str_rot13(${q(rot13(payload))}));`, ['str_rot13']],
    ['strrev', `eval(strrev(${q(rev(payload))}));`, ['strrev']],
    ['hex2bin', `eval(hex2bin(${q(Buffer.from(payload).toString('hex'))}));`, ['hex2bin']],
    ['base64 twice', `eval(base64_decode(base64_decode(${q(b64(b64(payload)))})));`, ['base64_decode', 'base64_decode']],
    ['rot13 of base64 of deflate', `eval(gzinflate(base64_decode(str_rot13(${q(rot13(b64(deflateRawSync(payload))))}))));`, ['gzinflate', 'base64_decode', 'str_rot13']],
    ['through a variable', `$data = ${q(b64(deflateRawSync(payload)))};\neval(gzinflate(base64_decode($data)));`, ['gzinflate', 'base64_decode']],
    ['urldecode', `eval(rawurldecode(${q(encodeURIComponent(payload).replace(/'/g, '%27'))}));`, ['rawurldecode']],
  ];
  for (const [name, code, layers] of encodings) {
    it(`re-encoded payload (${name}): decoded, scanned, the layers named`, () => {
      const r = scanner.scanBuffer(Buffer.from(`<?php\n${code}\n`), '/www/x.php');
      assert.equal(r.verdict, 'malicious');
      const inner = r.findings.find((f) => f.technique === 'request-input-exec' && f.layers !== undefined);
      assert.ok(inner, JSON.stringify(r.findings, null, 1));
      assert.deepEqual(inner.layers, layers);
    });
  }

  it('JSP and ASP variants: renamed variables, other casing, injected into a long page', () => {
    const page = Array.from({ length: 800 }, (_, i) => `<tr><td>${i}</td><td><%= item${i % 9}.getName() %></td></tr>`).join('\n');
    const jsp = [
      `<% String q${'x'.repeat(3)} = request.getParameter("q"); Process pr = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", qxxx}); %>`,
      `<% java.lang.ProcessBuilder b = new java.lang.ProcessBuilder("cmd.exe", "/c", request.getHeader("X-Q")); b.start(); %>`,
    ];
    for (const v of jsp) {
      const r = scanner.scanBuffer(Buffer.from(`${page.slice(0, 20000)}\n${v}\n${page.slice(20000)}`), '/app/report.jsp');
      assert.equal(r.verdict, 'malicious', v);
      assert.equal(scanner.scanBuffer(Buffer.from(page), '/app/report.jsp').verdict, 'clean');
    }
    const asp = [
      `<%@ Page Language="JScript" %><% EVAL(REQUEST.ITEM["k"], "unsafe"); %>`,
      `<% executeglobal request.form("k") %>`,
      `<%@ Page Language="C#" %><% var i = new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c " + Request.QueryString["k"]); i.RedirectStandardOutput = true; var p = System.Diagnostics.Process.Start(i); %>`,
    ];
    for (const v of asp) assert.equal(scanner.scanBuffer(Buffer.from(v), '/app/x.aspx').verdict, 'malicious', v);
  });

  it('one line injected into a long legitimate file: found, with its line', () => {
    const lines: string[] = ['<?php', 'namespace Shop;', '', 'final class Catalogue {'];
    for (let i = 0; i < 3000; i++) lines.push(`    public function price${i}(array $item): int { return (int) round($item['price'] * ${1 + (i % 7)} / 7); }`);
    lines.push('}');
    const clean = lines.join('\n');
    assert.equal(scanner.scanBuffer(Buffer.from(clean), '/www/catalogue.php').verdict, 'clean');
    const injected = [...lines.slice(0, 1500), "if (isset($_COOKIE['k'])) { @eval($_COOKIE['k']); }", ...lines.slice(1500)].join('\n');
    const r = scanner.scanBuffer(Buffer.from(injected), '/www/catalogue.php');
    assert.equal(r.verdict, 'malicious');
    assert.ok(r.findings.some((f) => f.line === 1501), JSON.stringify(r.findings));
  });

  it('a deflate bomb stops at the output bound and is reported, not inflated', () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
    const small = createScanner({ deobfuscate: { maxOutputBytes: 1024 * 1024 } });
    const before = process.memoryUsage().rss;
    const r = small.scanBuffer(Buffer.from(`<?php eval(gzinflate(base64_decode('${bomb.toString('base64')}')));`), '/www/bomb.php');
    assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024);
    assert.ok(r.findings.some((f) => f.rule === 'mamori:deobfuscate' && /more than the bound/.test(f.description)), JSON.stringify(r.findings));
    assert.equal(r.verdict, 'malicious'); // eval(gzinflate(base64_decode( is itself a finding
  });

  it('layers nested deeper than the bound are not all peeled', () => {
    let code = payload;
    for (let i = 0; i < 12; i++) code = `eval(base64_decode('${b64(code)}'));`;
    const shallow = createScanner({ deobfuscate: { maxDepth: 3 } });
    const r = shallow.scanBuffer(Buffer.from(`<?php ${code}`), '/www/deep.php');
    assert.ok(r.findings.every((f) => (f.layers?.length ?? 0) <= 3), JSON.stringify(r.findings.map((f) => f.layers)));
  });
});

/** A PHP file of 16 eval(base64_decode(...)) chains, each decoding to such a file, `levels` deep. */
function nested(levels: number): string {
  let src = "system($_GET['c']);";
  for (let i = 0; i < levels; i++) src = Array.from({ length: 16 }, () => `eval(base64_decode('${Buffer.from(src).toString('base64')}'));`).join('\n');
  return `<?php\n${src.slice(0, 8_000_000)}`;
}

describe('scan: hostile files', () => {
  // Shapes that cost the square of their length to a careless reader. The timeout only
  // stops a hang from holding the suite: a linear reader takes well under a second each.
  const shapes: [string, string][] = [
    ['escaped quotes, never closed', `<?php $a = chr(1); $f = "${'\\"'.repeat(400_000)}`],
    ['assignments without semicolons', `<?php ${'$a = $_GET '.repeat(200_000)}`],
    ['decoder chains on unassigned variables', `<?php ${'eval(base64_decode($nope)) '.repeat(50_000)}`],
    ['sink names assigned over and over', `<?php ${"$f = 'sys'.'tem'; ".repeat(50_000)} $f($_GET['c']);`],
    ['a call opened and never closed', `<?php system(${'('.repeat(500_000)}`],
    ['chains within chains, 16 at each level', nested(5)],
  ];
  for (const [name, src] of shapes) {
    it(`${name}: scanned to a verdict`, { timeout: 120_000 }, () => {
      const r = scanner.scanBuffer(Buffer.from(src), '/www/hostile.php');
      assert.ok(['clean', 'suspicious', 'malicious'].includes(r.verdict));
    });
  }
});

describe('scan: indicators and known-good files', () => {
  const src = Buffer.from('<?php echo "hello";\n');
  it('an indicator hit makes the file malicious, naming the indicator and its source', () => {
    const calls: unknown[] = [];
    const indicators: FileIndicatorSource = {
      matchFile(f) {
        calls.push(f);
        return f.name === 'hello.php' ? [{ indicator: 'hello.php', kind: 'file-name', source: 'test-feed' }] : [];
      },
    };
    const s = createScanner({ indicators });
    const r = s.scanBuffer(src, '/www/hello.php');
    assert.equal(r.verdict, 'malicious');
    assert.equal(r.score, 100);
    assert.match(r.findings[0]!.description, /hello\.php.*test-feed/);
    const seen = calls[0] as { sha256: string; sha1: string; md5: string; path: string };
    assert.equal(seen.path, '/www/hello.php');
    assert.match(seen.sha256, /^[0-9a-f]{64}$/);
    assert.match(seen.sha1, /^[0-9a-f]{40}$/);
    assert.match(seen.md5, /^[0-9a-f]{32}$/);
    assert.equal(s.scanBuffer(src, '/www/other.php').verdict, 'clean');
  });
  it('knownGood downgrades a flagged file to clean, with the reason', () => {
    const shell = Buffer.from("<?php @eval($_POST['x']);");
    const good = new Set<string>();
    const s = createScanner({ knownGood: (_p, sha) => good.has(sha) });
    const first = s.scanBuffer(shell, '/www/a.php');
    assert.equal(first.verdict, 'malicious');
    good.add(first.sha256);
    const again = s.scanBuffer(shell, '/www/a.php');
    assert.equal(again.verdict, 'clean');
    assert.ok(again.findings.some((f) => f.technique === 'known-good' && /malicious without it/.test(f.description)));
  });
  it('an indicator still wins over knownGood', () => {
    const s = createScanner({ knownGood: () => true, indicators: { matchFile: () => [{ indicator: 'x', kind: 'sha256', source: 'feed' }] } });
    assert.equal(s.scanBuffer(Buffer.from("<?php @eval($_POST['x']);"), '/www/a.php').verdict, 'malicious');
  });
});

describe('scan: user rule files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-scan-rules-'));
  writeFileSync(join(dir, 'good.yar'), 'rule shop_marker { meta: description = "our marker" strings: $a = "MARKER-42" condition: $a }\nrule scored { meta: score = 20 strings: $a = "LOW-7" condition: $a }\n');
  writeFileSync(join(dir, 'bad.yar'), 'rule broken {\n  strings: $a = "x"\n  condition: $a and $b\n}\n');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'more.yara'), 'rule sub_rule { condition: filesize == 3 and extension == "txt" }\n');
  writeFileSync(join(dir, 'notes.txt'), 'not a rule file');
  const s = createScanner({ rules: [dir, join(dir, 'missing.yar')] });
  it('loads the good files beside ours and reports the broken one with file, line and reason', () => {
    assert.deepEqual(s.rules.filter((r) => !r.builtin).map((r) => [relative(dir, r.file), r.rules]), [['good.yar', 2], ['sub/more.yara', 1]]);
    const bad = s.problems.find((p) => p.file.endsWith('bad.yar'));
    assert.ok(bad);
    assert.equal(bad.line, 3);
    assert.match(bad.message, /unknown pattern `\$b`/);
    assert.ok(s.problems.some((p) => p.file.endsWith('missing.yar') && /no such file/.test(p.message)));
  });
  it('a match of a rule without a score is malicious (75 by default); a score in meta is used', () => {
    const r = s.scanBuffer(Buffer.from('hello MARKER-42'), '/x/a.html');
    assert.equal(r.verdict, 'malicious');
    assert.equal(r.findings[0]!.description, 'our marker');
    assert.equal(r.findings[0]!.source, join(dir, 'good.yar'));
    assert.equal(s.scanBuffer(Buffer.from('LOW-7'), '/x/b.html').verdict, 'clean');
    assert.equal(s.scanBuffer(Buffer.from('abc'), '/x/c.txt').findings[0]?.rule, 'sub_rule');
    assert.equal(s.scanBuffer(Buffer.from('abc'), '/x/c.md').findings.length, 0);
  });
  it("mamori's own rule sets all load, and each matches its own kind of shell (a set that silently matched nothing went unseen: S19V note)", () => {
    const s0 = createScanner({});
    assert.deepEqual(s0.problems, []);
    const sources = (bytes: string, path: string) => new Set(s0.scanBuffer(Buffer.from(bytes), path).findings.map((f) => f.source));
    assert.ok(sources('<?php eval(base64_decode($x));', '/x/a.php').has('mamori/php.yar'));
    assert.ok(sources('<% Runtime.getRuntime().exec(request.getParameter("c")); %>', '/x/a.jsp').has('mamori/web.yar'));
    assert.ok(sources('<%@ Page Language="C#" %><% System.Diagnostics.Process.Start("cmd.exe", "/c " + Request["c"]); %>', '/x/a.aspx').has('mamori/web.yar'));
  });
  it('a file named like a number or a boolean is scanned (YARA-X took "123" for an integer and the file went unscanned, clean)', () => {
    const s0 = createScanner({});
    for (const name of ['123', '007', '-7', 'true', '1.5', 'backup.001', 'x.1']) {
      assert.equal(s0.scanBuffer(Buffer.from('<?php system($_GET["c"]);'), `/www/uploads/${name}`).verdict, 'malicious', name);
      assert.equal(s0.scanBuffer(Buffer.from('GIF89a<?php system($_GET["c"]);'), `/www/uploads/${name}`).verdict, 'malicious', name);
    }
  });
  it('rule files that clash by name still both load', () => {
    const d2 = mkdtempSync(join(tmpdir(), 'mamori-scan-rules-'));
    writeFileSync(join(d2, 'a.yar'), 'rule same { strings: $a = "AAA-1" condition: $a }');
    writeFileSync(join(d2, 'b.yar'), 'rule same { strings: $a = "BBB-2" condition: $a }');
    const s2 = createScanner({ rules: [d2], builtinRules: false });
    assert.equal(s2.problems.length, 0);
    assert.equal(s2.scanBuffer(Buffer.from('AAA-1 BBB-2'), '/x').findings.length, 2);
    rmSync(d2, { recursive: true, force: true });
  });
});

describe('scan: the tree walk', () => {
  it('never follows symlinks, reports special files and oversized files', () => {
    const root = mkdtempSync(join(tmpdir(), 'mamori-scan-walk-'));
    const outside = mkdtempSync(join(tmpdir(), 'mamori-scan-outside-'));
    writeFileSync(join(outside, 'shell.php'), "<?php @eval($_POST['x']);");
    mkdirSync(join(root, 'www'));
    writeFileSync(join(root, 'www', 'index.php'), '<?php echo 1;');
    symlinkSync(join(outside, 'shell.php'), join(root, 'www', 'link.php'));
    symlinkSync(outside, join(root, 'www', 'dir'));
    writeFileSync(join(root, 'www', 'big.php'), Buffer.concat([Buffer.alloc(2048, 32), Buffer.from("<?php @eval($_POST['x']);")]));
    const s = createScanner({ maxFileBytes: 1024 });
    const { files, skipped } = s.walk([root]);
    // A link to a directory is not followed; a link to code outside the tree is scanned by its
    // target (a web server follows it: bench/redteam/README-host.md H7).
    const target = realpathSync(join(outside, 'shell.php'));
    assert.deepEqual(files.map((f) => relative(root, f)), ['www/big.php', 'www/index.php', relative(root, target)]);
    assert.deepEqual(skipped.map((x) => [relative(root, x.path), x.why]), [['www/dir', 'a symlink, not followed'], ['www/link.php', `a symlink to ${target}, outside the scanned paths: its target is scanned (a web server follows it)`]]);
    // Opened by name, a symlink is still not followed.
    assert.equal(s.scanFile(join(root, 'www', 'link.php')).note, 'a symlink, not followed');
    const big = s.scanFile(join(root, 'www', 'big.php'));
    assert.match(big.note ?? '', /only its first 1024 bytes/);
    assert.equal(big.sha256, createScanner().scanBuffer(readFileSync(join(root, 'www', 'big.php')), 'x').sha256);
    assert.equal(s.scanFile(join(root, 'nope.php')).note, 'vanished before it was read');
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
});

/**
 * Real applications from Debian's packages must raise no "malicious" verdict.
 * They are read unpacked (`dpkg-deb -x`) from MAMORI_SCAN_TREES/<package>, or
 * /var/cache/mamori-ci/<package>, or installed under /usr/share.
 */
const APPS: [string, string, number][] = [
  ['wordpress', 'usr/share/wordpress', 2000],
  ['phpmyadmin', 'usr/share/phpmyadmin', 2000],
  ['mediawiki', 'usr/share/mediawiki', 20000],
  ['roundcube-core', 'usr/share/roundcube', 1000],
  ['dokuwiki', 'usr/share/dokuwiki', 2500],
  ['php-laravel-framework', 'usr/share/php/Illuminate', 150],
];
function appTree(pkg: string, sub: string): string | undefined {
  const bases = [process.env['MAMORI_SCAN_TREES'], '/var/cache/mamori-ci'].filter((x): x is string => !!x);
  for (const b of bases) if (existsSync(join(b, pkg, sub))) return join(b, pkg, sub);
  return existsSync(join('/', sub)) && readdirSync(join('/', sub)).length > 3 ? join('/', sub) : undefined;
}
for (const [pkg, sub, least] of APPS) {
  const tree = appTree(pkg, sub);
  if (!tree) console.log(`# skipping the ${pkg} false-positive scan: Debian's ${pkg} is not unpacked under MAMORI_SCAN_TREES, /var/cache/mamori-ci or /${sub}`);
  describe(`scan: no malicious verdict on Debian's ${pkg}`, { skip: tree ? false : `Debian's ${pkg} is not there` }, () => {
    it('scans the whole tree', () => {
      const { files } = scanner.walk([tree!]);
      assert.ok(files.length >= least, `${files.length} files`);
      const bad = files.map((f) => scanner.scanFile(f)).filter((r) => r.verdict === 'malicious');
      assert.deepEqual(bad.map((r) => `${r.path}: ${r.findings.map((f) => f.description).join('; ')}`), []);
    });
    if (pkg === 'wordpress') {
      it('finds one line injected into the middle of wp-includes/formatting.php, and the line', () => {
        const original = readFileSync(join(tree!, 'wp-includes', 'formatting.php'), 'utf8');
        const lines = original.split('\n');
        const at = lines.findIndex((l, i) => i > lines.length / 2 && /^function /.test(l));
        assert.ok(at > 0);
        const injected = [...lines.slice(0, at), "if (!empty($_SERVER['HTTP_X_K'])) { $k = $_SERVER['HTTP_X_K']; @assert(base64_decode($k)); }", ...lines.slice(at)].join('\n');
        assert.equal(scanner.scanBuffer(Buffer.from(original), join(tree!, 'wp-includes', 'formatting.php')).verdict, 'clean');
        const r = scanner.scanBuffer(Buffer.from(injected), join(tree!, 'wp-includes', 'formatting.php'));
        assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
        assert.ok(r.findings.some((f) => f.line === at + 1), JSON.stringify(r.findings));
      });
    }
  });
}

describe('S17H-7: an image\'s picture data is not read as PHP', () => {
  const jpeg = (...parts: (string | Buffer)[]): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))]);
  // what compressed picture data holds now and then: a tag, then binary
  const noise = Buffer.from([0x01, 0x9c, 0x00, 0xe3, 0x17, 0x02, 0x88, 0x1f]);
  it('a tag followed by binary bytes is not code; the same tag followed by text up to ?> is', () => {
    const s = createScanner();
    const binary = jpeg(noise, '<?=', noise, '<? $', noise, '<?= ', Buffer.alloc(30, 0x41), noise, noise);
    const r = s.scanBuffer(binary, 'photo.jpg');
    assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
    for (const code of ['<?=`$_GET[1]`?>', '<?php system($_GET["c"]); ?>', '<? $f=$_POST; ?>', '<? eval($_POST[1]); __halt_compiler();']) {
      const shell = s.scanBuffer(jpeg(noise, code, noise), 'photo.jpg');
      assert.ok(shell.findings.some((f) => f.technique === 'code-in-image'), `${code}: ${JSON.stringify(shell.findings)}`);
      assert.notEqual(shell.verdict, 'clean', code);
    }
    // "<?php" is taken as it is: code may hold raw binary in a string literal
    const packed = s.scanBuffer(jpeg(noise, '<?php eval(gzinflate("', noise, '")); ?>', noise), 'photo.jpg');
    assert.ok(packed.findings.some((f) => f.technique === 'code-in-image'), JSON.stringify(packed.findings));
  });
});

describe('S17I: control bytes PHP takes (in a literal or a comment) do not hide a tag', () => {
  const jpeg = (...parts: (string | Buffer)[]): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))]);
  const noise = Buffer.from([0x01, 0x9c, 0x00, 0xe3, 0x17, 0x02, 0x88, 0x1f]);
  // each of these runs its system() under php 8.2 when the file is included (checked with php -r 'include ...')
  const shells = [
    '<?="\x00";system($_GET["c"]);?>',
    "<?='\x0b\x0c';system($_GET['c']);?>",
    '<?=/*\x01*/system($_GET["c"]);?>',
    '<?=1;#\x1a\nsystem($_GET["c"]);?>',
    '<?=1;//\x1a\nsystem($_GET["c"]);?>',
    '<?=<<<X\n\x00\x7f\nX;system($_GET["c"]);?>',
    '<?=1;' + ' '.repeat(50) + '"\x00";system($_GET["c"]);?>',
    '<?="' + '\x00'.repeat(9000) + '";system($_GET["c"]);?>',
    '<?="{$a["\x00"]}";system($_GET["c"]);?>',
    '<?="${a["\x00"]}";system($_GET["c"]);?>',
    '<?=`echo {$a["\x01"]}`;system($_GET["c"]);?>',
  ];
  it('a shell with a control byte in a string literal, comment or heredoc is found in an image and in a text file', () => {
    const s = createScanner();
    for (const code of shells) {
      const img = s.scanBuffer(jpeg(noise, code, noise), 'photo.jpg');
      assert.ok(img.findings.some((f) => f.technique === 'code-in-image'), `${JSON.stringify(code)}: ${JSON.stringify(img.findings)}`);
      assert.equal(img.verdict, 'malicious', JSON.stringify(code));
      const log = s.scanBuffer(Buffer.from('GET / 200\n' + code + '\n', 'latin1'), 'access.log');
      assert.equal(log.verdict, 'malicious', `${JSON.stringify(code)} in a .log: ${JSON.stringify(log.findings)}`);
    }
  });
  it('a control byte in code (a parse error: PHP runs nothing) still drops the tag', () => {
    const s = createScanner();
    const r = s.scanBuffer(jpeg(noise, '<?= 1;\x01 echo 1;', noise, '<?="ab"\x02', noise, '<?=/* x */\x00', noise), 'photo.jpg');
    assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
  });
});
