import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner } from './scanner.js';
import { php7Text } from './php-flow.js';
import { MIB, php74, runPhpWithC, scanBoth, xorshiftBytes } from './scan-test-kit.js';
import { MAX_SEVEN, phpTagPast } from './php-regions.js';

// PHP 7.4 and older skip a control byte in code (a warning, "Unexpected character in input") and
// run on; PHP 8 refuses the file. Debian 11 ships PHP 7.4, so a shell with a control byte between
// its tokens runs on such a server, and every rule read `system\x01(` as no call. Each sample is
// run by PHP 7.4 where it is here (MAMORI_PHP74, or scripts/fetch-php74.sh's folder; .ci/run
// fetches it from Debian 11) to show it is a working shell there, and by PHP 8 where it is, to
// show PHP 8 refuses it.
const scanner = createScanner({});
const dir = mkdtempSync(join(tmpdir(), 'mamori-php7-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PHP74 = php74();
const php8 = spawnSync('php', ['-v'], { encoding: 'utf8' }).status === 0;
if (!php8) console.log('# PHP CLI not found: the samples are not run by PHP 8');

const MARK = `ran-${process.pid}`;

/** What `php` prints when it includes `bytes` with the request's c set to run `echo MARK` (short tags on, as PHP's built-in default). */
function run(php: string, name: string, bytes: Buffer): string {
  return runPhpWithC(php, dir, name, bytes, MARK);
}

const b = (s: string) => Buffer.from(s, 'latin1');
const JPEG = '\xff\xd8\xff\xe0';

const SHELLS: [string, string, Buffer][] = [
  ['a control byte between a call and its "("', 'x.php', b('<?php system\x01($_GET["c"]);')],
  ['NUL and DEL between tokens', 'x.php', b('<?php system\x00($_GET["c"]); passthru\x7f($_GET["c"]);')],
  ['an escape byte between tokens', 'x.php', b('<?php system\x1b($_GET["c"]);')],
  ['control bytes around an assignment', 'x.php', b('<?php $x\x02=\x03$_GET["c"];\x04passthru\x05($x);')],
  ['a function name put together, then called past a control byte', 'x.php', b('<?php $f="sys"."tem"; $f\x01($_POST["c"]);')],
  ['"<?=" and a control byte in a GIF', 'x.gif', b('GIF89a<?=\x01system($_GET["c"])?>')],
  ['a short tag and a control byte in a JPEG', 'x.jpg', b(`${JPEG}<?\x02 system($_GET["c"]);`)],
  ['control bytes in a shell in a GIF', 'x.gif', b('GIF89a<?=\x01\x02\x03system\x04($_GET["c"])?>')],
];

describe('scan: PHP as PHP 7.4 reads it (control bytes in code skipped)', () => {
  for (const [name, file, bytes] of SHELLS) {
    it(name, () => {
      const r = scanner.scanBuffer(bytes, `/www/uploads/${file}`);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      assert.ok(r.findings.some((f) => f.layers?.includes('php7')), 'found in the PHP 7.4 reading');
      if (PHP74) assert.match(run(PHP74, file, bytes), new RegExp(MARK), 'PHP 7.4 runs it');
      if (php8) assert.doesNotMatch(run('php', file, bytes), new RegExp(MARK), 'PHP 8 refuses it');
    });
  }
  it(`ran all ${SHELLS.length} samples`, () => assert.equal(SHELLS.length, 8));
});

describe('scan: the PHP 7.4 reading adds no noise', () => {
  it('harmless code with control bytes in it stays clean, and PHP 7.4 runs it', () => {
    const bytes = b('<?php\n$a = 1;\x01\n echo "total: " . ($a + 1);\n');
    assert.equal(scanner.scanBuffer(bytes, '/www/x.php').verdict, 'clean');
    if (PHP74) assert.match(run(PHP74, 'h.php', bytes), /total: 2/);
  });
  it('control bytes in literals, comments and after __halt_compiler are not code', () => {
    assert.equal(php7Text('<?php $a = "\x01"; // \x02\n/* \x03 */ echo $a;'), undefined);
    assert.equal(php7Text('<?php echo 1; __halt_compiler(); \x01\x02system($_GET[c]);'), undefined);
    assert.equal(php7Text('\x01 text around the tags <?php echo 1; ?>\x02'), undefined);
    assert.equal(php7Text('<?php a\x01b ?>\x02<?= c\x7fd'), '<?php a b ?>\x02<?= c d');
  });
  it('picture bytes with "<?=" and control bytes in them give the PHP 7.4 reading nothing', () => {
    // (PHP 8's reading of such a tag passes once in about 1,500 tags, and is then suspicious:
    // scanner.test.ts; here, 1,024 tags, the PHP 7.4 reading must add nothing to it)
    for (let seed = 1; seed <= 64; seed++) {
      const pic = xorshiftBytes(64 * 1024, seed);
      pic.set(b(JPEG), 0);
      // a tag every 4 KiB, each followed by picture bytes (PHP 8 refuses nearly all; PHP 7.4 would read on)
      for (let at = 1000; at < pic.length - 8; at += 4096) pic.set(b('<?='), at);
      const r = scanner.scanBuffer(pic, `/www/uploads/p${seed}.jpg`);
      assert.ok(!r.findings.some((f) => f.layers?.includes('php7')), JSON.stringify(r.findings));
      assert.notEqual(r.verdict, 'malicious');
    }
  });
  it('"<?p" and a call in picture bytes is not "<?php" (a random JPEG was malicious 80)', () => {
    const pic = xorshiftBytes(64 * 1024, 7);
    pic.set(b(JPEG), 0);
    // the bytes that made a 16 MiB random JPEG malicious: `<?pyc(` then picture data, and `$$` and a call elsewhere
    pic.set(b('<?pyc(v\xcb\xee\x0e_Hf\x06'), 30_000);
    pic.set(b('$$ab('), 50_000);
    assert.equal(scanner.scanBuffer(pic, '/www/uploads/p.jpg').verdict, 'clean');
  });
});

/** Picture bytes with no "<" in them (another "<?" would be a parse error to PHP 7.4 as well: the file would not run). */
function padding(n: number, seed: number): Buffer {
  const p = xorshiftBytes(n, seed);
  for (let i = 0; i < n; i++) if (p[i] === 0x3c) p[i] = 0x3d;
  p.set(b(JPEG), 0);
  return p;
}

describe('scan: PHP 7.4 code past the scanned part', () => {
  // scanBoth scans with a 1 MiB bound, in this process and through the timed scanner's child.
  const cases: [string, number, string][] = [
    ['"<?=" and a control byte, past the bound', MIB + MIB / 2, '<?=\x01system($_GET["c"])?>'],
    ['a short tag split over two reads, at the bound', 2 * MIB - 1, '<?\x02 system($_GET["c"]);?>'],
    ['control bytes between every token, near the end of a read', 3 * MIB - 40, '<?php $x\x02=\x03$_GET["c"];\x04passthru\x05($x);?>'],
  ];
  for (const [name, at, shell] of cases) {
    it(name, async () => {
      const bytes = padding(4 * MIB, at);
      bytes.set(b(shell), at);
      for (const r of await scanBoth(dir, 'past.jpg', bytes)) assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      if (PHP74) assert.match(run(PHP74, 'past.jpg', bytes), new RegExp(MARK), 'PHP 7.4 runs it');
    });
  }
  it('windows that fill the cap first (decoys) make the file suspicious at least', async () => {
    const bytes = padding(4 * MIB, 99);
    for (let i = 0; i <= MAX_SEVEN; i++) bytes.set(b('<?=\x01 include("x");?>'), MIB + 20_000 * (i + 1));
    bytes.set(b('<?=\x01system($_GET["c"])?>'), 3 * MIB);
    for (const r of await scanBoth(dir, 'decoys.jpg', bytes)) assert.notEqual(r.verdict, 'clean', JSON.stringify(r.findings));
  });
  it('random picture bytes past the bound keep no window', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const pic = xorshiftBytes(8 * MIB, seed);
      const t = phpTagPast(MIB);
      for (let at = 0; at < pic.length; at += MIB) t.feed(pic.subarray(at, at + MIB), at);
      t.end();
      assert.deepEqual([t.seven.length, t.sevenOverflow], [0, false]);
    }
  });
});
