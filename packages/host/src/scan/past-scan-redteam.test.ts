import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner, phpTagPast, type FileResult } from './scanner.js';
import { latin1, MIB, scanBoth as scanAt, xorshiftBytes } from './scan-test-kit.js';

// Red team S18R (bench/redteam/README-pastscan-s18.md) against 9e3a878 (PHP past the scanned part
// judged by the rules; PHP names of bytes past ASCII). Every file here runs its command under
// PHP 8.2 (`php -r '$_GET["c"]="id"; include "FILE";'`, short tags where a case says so) and was
// scanned clean (or far below its ASCII twin) by 9e3a878. These tests fail on that commit.
const dir = mkdtempSync(join(tmpdir(), 'mamori-past-rt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const L = latin1;

/** Picture-like bytes with no "<?" in them (PHP parses the file), JPEG magic first when `jpeg`, else an MP4's. */
function filler(n: number, seed = 2463534242, jpeg = true): Buffer {
  const b = xorshiftBytes(n, seed);
  for (let i = b.indexOf('<?'); i >= 0; i = b.indexOf('<?', i + 1)) b[i + 1] = 0x21;
  if (jpeg) b.set([0xff, 0xd8, 0xff, 0xe0], 0);
  else b.set(L('\0\0\0\x20ftypisom'), 0); // an MP4's first bytes
  return b;
}

const SHELL = "system($_GET['c']);";

const scanBoth = (name: string, data: Buffer): Promise<FileResult[]> => scanAt(dir, name, data);

const show = (r: FileResult) => `${r.verdict} ${r.score} ${JSON.stringify(r.findings.map((f) => [f.rule, f.score]))}`;

describe('S18R-1: a window of 8 KiB is judged, the code runs on past it', () => {
  const cases: [string, Buffer][] = [
    ['white space', L('<?=1;' + ' '.repeat(9000) + SHELL + '?>')],
    ['a comment of picture bytes', Buffer.concat([L('<?=1;/*'), filler(9000, 5).map((c) => (c === 0x2a ? 0x2b : c)), L('*/' + SHELL + '?>')])],
    ['a string literal', L('<?="' + 'A'.repeat(9000) + '";' + SHELL + '?>')],
  ];
  for (const [name, shell] of cases) {
    it(`"<?=1;" then 9,000 bytes of ${name}, then system($_GET[c]), past the bound of a JPEG, is not clean`, async () => {
      for (const r of await scanBoth(`long-${name.length}.jpg`, Buffer.concat([filler(MIB + 4096), shell, filler(4096, 7)]))) assert.notEqual(r.verdict, 'clean', show(r));
    });
  }
});

describe('S18R-2: a shell split over two tags (each window is judged alone)', () => {
  it('<?= $c=$_GET[c] ?> ... <?= system($c) ?> past the bound of a JPEG is not clean', async () => {
    const pad = ' '.repeat(23); // no $ ( ` in the 23 bytes opensCode reads
    const data = Buffer.concat([filler(MIB + 4096), L(`<?=${pad}$c=$_GET['c']?>`), filler(3000, 9), L(`<?=${pad}system($c)?>`), filler(4096, 7)]);
    for (const r of await scanBoth('split.jpg', data)) assert.notEqual(r.verdict, 'clean', show(r));
  });
});

describe('S18R-3: a tag in the last bytes of the scanned part whose code goes on past it (not an image)', () => {
  for (const open of ['<?=1;', '<?php ']) {
    it(`${open} 200 bytes before the bound of an MP4, system() past it, is not clean`, async () => {
      const data = Buffer.concat([filler(MIB - 200, 11, false), L(open + ' '.repeat(400) + SHELL + '?>'), filler(4096, 7, false)]);
      for (const r of await scanBoth(`straddle-${open.length}.mp4`, data)) assert.notEqual(r.verdict, 'clean', show(r));
    });
  }
});

describe('S18R-4: short open tags that neither the past look nor the image check take for tags (short_open_tag=On)', () => {
  const tags: [string, string][] = [
    ['"<?" with no white space', '<?' + SHELL + '?>'],
    ['"<? " then a comment', '<? /*' + 'x'.repeat(30) + '*/' + SHELL + '?>'],
    ['"<?" then a newline and a comment line', '<?\n#' + 'x'.repeat(30) + '\n' + SHELL + '?>'],
  ];
  for (const [name, code] of tags) {
    it(`${name}, past the bound of a JPEG, is not clean`, async () => {
      for (const r of await scanBoth(`short-${name.length}.jpg`, Buffer.concat([filler(MIB + 4096), L(code), filler(4096, 7)]))) assert.notEqual(r.verdict, 'clean', show(r));
    });
    it(`${name}, in a small JPEG (no bound involved), is not clean`, () => {
      const f = join(dir, `short-small-${name.length}.jpg`);
      writeFileSync(f, Buffer.concat([filler(5000), L(code), filler(5000, 7)]));
      const r = createScanner().scanFile(f);
      assert.notEqual(r.verdict, 'clean', show(r));
    });
  }
});

describe('S18R-5: names past ASCII still slip the YARA rules (php.ts: eval_variable_call, variable_function_input, mailer, function_from_globals)', () => {
  const H = '\xe9'; // é as PHP reads it (one byte, latin1 here)
  const cases: [string, (n: string) => string][] = [
    ['eval of a decoder named by a variable', (n) => `<?php $${n}='base64_decode'; eval($${n}($_POST['x']));`],
    ['a closure called with request input', (n) => `<?php $${n}f=function($${n}){ system($${n}); }; $${n}f($_GET['c']);`],
    ['an arrow function called with request input', (n) => `<?php $${n}f=fn($${n})=>system($${n}); $${n}f($_GET['c']);`],
    ['a mailer of request input', (n) => `<?php $${n}=$_POST['to']; mail($${n}, $_POST['s'], $_POST['b']);`],
    ['a variable variable called', (n) => `<?php $f='system'; $${n}='f'; $$${n}($_GET['c']);`],
  ];
  for (const [name, code] of cases) {
    it(`${name}: the name ${JSON.stringify(H + 'q')} scores as "zq" does`, () => {
      const s = createScanner();
      const a = join(dir, `a-${name.length}.php`);
      const h = join(dir, `h-${name.length}.php`);
      writeFileSync(a, L(code('zq')));
      writeFileSync(h, L(code(H + 'q')));
      const ra = s.scanFile(a);
      const rh = s.scanFile(h);
      assert.notEqual(ra.verdict, 'clean', `ASCII twin: ${show(ra)}`);
      assert.equal(rh.verdict, ra.verdict, `ascii ${show(ra)} / past ASCII ${show(rh)}`);
    });
  }
});

describe('S18R-6: a file packed with "<?" not followed by p, = or white space costs the look far more than hashing', () => {
  // (No timing here: the look is bounded by what it counts. Every "<?" is a tag now; at most 16
  // regions are read at once and at most one tag a 16 KiB after the first 4,096, and past either
  // the look stops for the rest of the file, which is then suspicious.)
  it('phpTagPast stops within the first MiB of "<?" (and of "<?x", "<?\\x01"), and says so', () => {
    for (const unit of ['<?', '<?x', '<?\x01']) {
      const p = phpTagPast(0);
      p.feed(Buffer.alloc(MIB, L(unit)), 0);
      assert.equal(p.overflow, true, unit);
      p.feed(Buffer.alloc(MIB, L(unit)), MIB);
      p.end();
      assert.equal(p.overflow, true, unit);
    }
  });
  it('16 MiB of random bytes is looked at to its end (not stopped)', () => {
    const p = phpTagPast(0);
    for (let i = 0; i < 16; i++) {
      // random bytes, with a "<?" every 64 KiB (random data's own rate)
      const b = filler(MIB, 100 + i, true);
      for (let k = 7; k < MIB; k += 65536) b.set([0x3c, 0x3f], k);
      p.feed(b, i * MIB);
    }
    p.end();
    assert.equal(p.overflow, false);
  });
});

describe('S18R-7: harmless PHP past the bound of a backup stacks to one step from malicious', () => {
  it('a tar-like backup: a legit $$name() in the scanned part (20) and 20 harmless PHP files past it is not malicious', async () => {
    const first = Buffer.concat([L('site/lib.php\0'.padEnd(512, '\0')), L('<?php foreach ($hooks as $h) { $$h(); }\n'), filler(MIB + 4096, 13, false).subarray(16)]);
    const files = Array.from({ length: 20 }, (_, i) => L(`site/p${i}.php\0`.padEnd(512, '\0') + `<?php\n/** page ${i} */\necho htmlspecialchars($title ?? 'page ${i}');\n?>\n<p><?= date('Y') ?></p>\n`.padEnd(1024, '\0')));
    for (const r of await scanBoth('site-backup.tar', Buffer.concat([first, ...files]))) {
      assert.notEqual(r.verdict, 'malicious', show(r));
    }
  });
});

describe('S18R-8: a CGI script padded past the bound (kind script: no unscanned-remainder finding, no look past it)', () => {
  it('a Perl CGI of comments, then system($q->param("cmd")) past the bound, is not clean', async () => {
    const pad = ('#' + 'x'.repeat(100) + '\n').repeat(Math.ceil((MIB + 4096) / 102));
    const data = L('#!/usr/bin/perl\n' + pad + 'use CGI; my $q = CGI->new; print $q->header; system($q->param("cmd"));\n');
    for (const r of await scanBoth('tool.cgi', data)) assert.notEqual(r.verdict, 'clean', show(r));
  });
});

describe('S18R-9: a heredoc holding "/*" blinds stripComments (confirmOutsideComments drops the rules\' hits, the flow pass sees nothing)', () => {
  it('<?php $x=<<<A "/*" A; system($_GET[c]); in a .php file is not clean', () => {
    const f = join(dir, 'heredoc.php');
    writeFileSync(f, L('<?php $x=<<<A\n/*\nA;\n' + SHELL + '\n'));
    const r = createScanner().scanFile(f);
    assert.notEqual(r.verdict, 'clean', show(r));
  });
  it('"{$a["/*"]}" (a quote inside {$...} interpolation) then system($_GET[c]) in a .php file is not clean', () => {
    const f = join(dir, 'interp.php');
    writeFileSync(f, L('<?php $a=["/*"=>1]; echo "{$a["/*"]}"; ' + SHELL + '\n'));
    const r = createScanner().scanFile(f);
    assert.notEqual(r.verdict, 'clean', show(r));
  });
  it('<?=<<<A "/*" A; system($_GET[c]); past the bound of a JPEG (a short window) is not clean', async () => {
    const data = Buffer.concat([filler(MIB + 4096), L('<?=<<<A\n/*' + ' '.repeat(24) + '\nA;\n' + SHELL + ' ?>'), filler(4096, 7)]);
    for (const r of await scanBoth('heredoc.jpg', data)) assert.notEqual(r.verdict, 'clean', show(r));
  });
});
