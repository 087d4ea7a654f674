import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner } from './scanner.js';
import { MIB, php74, runPhpWithC, scanBoth, xorshiftBytes } from './scan-test-kit.js';

// Red team S19P (bench/redteam/README-php7-s19.md): shells PHP 7.4 runs (it skips a control byte
// in code; PHP 8 refuses the file) that the PHP 7.4 reading of e80776b/c53fa03 scanned clean or
// only suspicious. Each is scanned, and run by PHP 7.4 where it is here (as php7.test.ts does).
const scanner = createScanner({});
const dir = mkdtempSync(join(tmpdir(), 'mamori-php7rt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PHP74 = php74();

const MARK = `ran-${process.pid}`;

function run(php: string, name: string, bytes: Buffer): string {
  return runPhpWithC(php, dir, name, bytes, MARK);
}

const b = (s: string) => Buffer.from(s, 'latin1');
const GIF = 'GIF89a';
const SHELL = 'system($_GET["c"]);';

let decoys = '';
for (let i = 0; i < 16; i++) decoys += '<?=\x01 1 ?>';

const SHELLS: [string, string, Buffer][] = [
  // S19P-1: 16 tags were looked at, harmless ones too: the shell after them was not
  ['S19P-1: sixteen harmless tags before the shell in a GIF', 'p1.gif', b(`${GIF}${decoys}<?=\x01${SHELL}?>`)],
  // S19P-2: "{$...}" in a literal is code, and its control bytes are skipped there too
  ['S19P-2: a control byte in "{${...}}" in a PHP file', 'p2.php', b('<?php echo "{${system\x01($_GET["c"])}}";')],
  ['S19P-2: a control byte in "{${...}}" in a GIF', 'p2.gif', b(`${GIF}<?= "{\${system\x01($_GET["c"])}}" ?>`)],
  ['S19P-2: a control byte in a heredoc\'s "{${...}}"', 'p2h.php', b('<?php echo <<<E\n{${system\x01($_GET["c"])}}\nE;\n')],
  // S19P-3: the region ended at the first "?>", one in a literal or a comment too
  ['S19P-3: "?>" in a string before the shell in a GIF', 'p3.gif', b(`${GIF}<?=\x01 1; $a = "?>"; ${SHELL}?>`)],
  ['S19P-3: "?>" in a comment before the shell in a GIF', 'p3c.gif', b(`${GIF}<?=\x01 1; /* ?> */ ${SHELL}?>`)],
  // S19P-4: more than 8 KiB of code before the call
  ['S19P-4: 10 KiB of code before the shell in a GIF', 'p4.gif', b(`${GIF}<?=\x01 1; ${'$a=1;'.repeat(2000)}${SHELL}?>`)],
  // S19P-5: "__halt_compiler" inside a name ended the reading
  ['S19P-5: a variable named $__halt_compiler before the shell', 'p5.php', b('<?php $__halt_compiler = 1; system\x01($_GET["c"]);')],
  ['S19P-5: a function named a__halt_compilerb before the shell', 'p5f.php', b('<?php function a__halt_compilerb() {} system\x01($_GET["c"]);')],
  // S19P-6: a short tag followed by what the tag pattern did not list
  ['S19P-6: "<?" a control byte and "\\system("', 'p6.gif', b(`${GIF}<?\x01\\${SHELL}?>`)],
  ['S19P-6: "<?" a control byte and "!"', 'p6b.gif', b(`${GIF}<?\x01!${SHELL}?>`)],
  ['S19P-6: "<?" a control byte and "{"', 'p6c.gif', b(`${GIF}<?\x01{${SHELL}}?>`)],
  ['S19P-6: "<?" a control byte and "(int)"', 'p6d.gif', b(`${GIF}<?\x01(int)${SHELL}?>`)],
  ['S19P-6: "<?" a control byte and "[$a] ="', 'p6e.gif', b(`${GIF}<?\x01[$a] = [$_GET["c"]]; system($a);?>`)],
];

describe('red team S19P: shells PHP 7.4 runs, read as PHP 7.4 reads them', () => {
  for (const [name, file, bytes] of SHELLS) {
    it(name, () => {
      const r = scanner.scanBuffer(bytes, `/www/uploads/${file}`);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      if (PHP74) assert.match(run(PHP74, file, bytes), new RegExp(MARK), 'PHP 7.4 runs it');
    });
  }
  it('sixteen harmless tags and a shell past them in picture bytes (S19P-1)', () => {
    const pic = xorshiftBytes(200_000, 5);
    for (let i = 0; i < pic.length; i++) if (pic[i] === 0x3c) pic[i] = 0x3d;
    pic.set(b('\xff\xd8\xff\xe0'), 0);
    pic.set(b(`${decoys}<?=\x01${SHELL}?>`), 100_000);
    assert.equal(scanner.scanBuffer(pic, '/www/uploads/p1.jpg').verdict, 'malicious');
    if (PHP74) assert.match(run(PHP74, 'p1.jpg', pic), new RegExp(MARK), 'PHP 7.4 runs it');
  });
  it('a megabyte of code before the call in a picture is suspicious at least (the reading stops there)', () => {
    const bytes = b(`${GIF}<?=\x01 1; ${' '.repeat(MIB + 10)}${SHELL}?>`);
    assert.notEqual(scanner.scanBuffer(bytes, '/www/uploads/p4m.gif').verdict, 'clean');
  });
});

/** Picture bytes with no "<" in them (another "<?" would be a parse error to PHP 7.4: the file would not run). */
function padding(n: number, seed: number): Buffer {
  const p = xorshiftBytes(n, seed);
  for (let i = 0; i < n; i++) if (p[i] === 0x3c) p[i] = 0x3d;
  p.set(b('\xff\xd8\xff\xe0'), 0);
  return p;
}

describe('red team S19P: past the scanned part', () => {
  const cases: [string, string][] = [
    ['S19P-2: a control byte in "{${...}}"', '<?php "{${system\x01($_GET["c"])}}";?>'],
    ['S19P-5: $__halt_compiler before the shell', '<?php $__halt_compiler = 1; system\x01($_GET["c"]);?>'],
  ];
  for (const [name, shell] of cases) {
    it(name, async () => {
      const bytes = padding(3 * MIB, 11);
      bytes.set(b(shell), MIB + 5000);
      for (const r of await scanBoth(dir, 'past7.jpg', bytes)) assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
      if (PHP74) assert.match(run(PHP74, 'past7.jpg', bytes), new RegExp(MARK), 'PHP 7.4 runs it');
    });
  }
  // Open (bench/redteam/README-php7-s19.md): kept as todo until fixed.
  it('S19P-4b: 10 KiB of code after the control byte, then the call', { todo: 'open: the window past the bound is 8 KiB (SPAN7) of raw bytes' }, async () => {
    const bytes = padding(3 * MIB, 12);
    bytes.set(b(`<?=\x01 1; ${'$a=1;'.repeat(2000)}${SHELL}?>`), MIB + 5000);
    for (const r of await scanBoth(dir, 'past4b.jpg', bytes)) assert.notEqual(r.verdict, 'clean', JSON.stringify(r.findings));
    if (PHP74) assert.match(run(PHP74, 'past4b.jpg', bytes), new RegExp(MARK), 'PHP 7.4 runs it');
  });
});

describe('red team S19P: open', () => {
  it('S19P-9: 4,096 harmless tags before the shell in a data file (not an image, not .php) (session 27)', () => {
    const bytes = b(`${'<?=\x01 1?>'.repeat(4096)}<?=\x01${SHELL}?>`);
    assert.notEqual(scanner.scanBuffer(bytes, '/www/data/notes.txt').verdict, 'clean');
    if (PHP74) assert.match(run(PHP74, 'notes.txt', bytes), new RegExp(MARK), 'PHP 7.4 runs it');
  });
  it('S19P-9: past 65,536 tags in a data file, the file is said to be not fully read (suspicious), not passed', () => {
    const bytes = b(`${'<?=\x01 1?>'.repeat(65_600)}<?=\x01${SHELL}?>`);
    const r = scanner.scanBuffer(bytes, '/www/data/notes.txt');
    assert.notEqual(r.verdict, 'clean');
    assert.ok(r.findings.some((f) => f.technique === 'php7-overflow'), JSON.stringify(r.findings.map((f) => f.rule)));
  });
});
