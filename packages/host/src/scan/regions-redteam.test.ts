import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner, phpTagPast, type FileResult } from './scanner.js';
import { latin1, MIB, xorshiftBytes } from './scan-test-kit.js';

// Red team S18Q (bench/redteam/README-regions-s18.md) against dfc3ada (php-regions.ts: the PHP
// past the scanned part read as PHP's lexer reads it). Every shell here runs its command under
// PHP 8.2 with the default ini (`php -r '$_GET["c"]="id"; include "FILE";'`; S18Q-7's "<?" case
// needs short_open_tag=On) and was scanned clean by dfc3ada. These tests fail on that commit.
const dir = mkdtempSync(join(tmpdir(), 'mamori-regions-rt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const L = latin1;

/** Picture-like bytes with no "<?" in them (PHP parses the file), JPEG magic first. */
function filler(n: number, seed = 2463534242): Buffer {
  const b = xorshiftBytes(n, seed);
  for (let i = b.indexOf('<?'); i >= 0; i = b.indexOf('<?', i + 1)) b[i + 1] = 0x21;
  b.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return b;
}

const SHELL = "system($_GET['c']);";
const show = (r: FileResult) => `${r.verdict} ${r.score} ${JSON.stringify(r.findings.map((f) => [f.rule, f.score]))}`;

/** `code` past the 1 MiB bound of a JPEG, scanned with that bound. */
function scanPast(name: string, code: string): FileResult {
  const f = join(dir, name);
  writeFileSync(f, Buffer.concat([filler(MIB + 4096), L(code), filler(4096, 7)]));
  return createScanner({ maxFileBytes: MIB }).scanFile(f);
}

/** The regions phpTagPast (bound 0) keeps of `code` and two control bytes after it (none: it dropped the region as a "parse error"). */
function kept(code: string): string[] {
  const t = phpTagPast(0);
  t.feed(L(code + '\x01\x02'), 0);
  t.end();
  return t.regions.map((r) => r.bytes.toString('latin1'));
}
/** Whether a region kept of `code` runs to its last "?>" (after the shell) as PHP's does. */
const whole = (code: string): boolean => kept(code).some((r) => r.includes(SHELL) && r.endsWith('?>'));

// A control byte the lexer reads as code drops the whole region (PHP 8 would not parse it), so
// "<?php" is no longer plain and nothing of the shell is judged: each case puts a \x01 where PHP
// reads a literal and the lexer reads code.
const dropped: [string, string, string][] = [
  ['S18Q-1', 'a heredoc header ended by a lone CR (PHP: NEWLINE is \\r, \\n or \\r\\n)', '<?php $x=<<<A\r\x01\rA;\r' + SHELL + '?>'],
  ['S18Q-1', 'a nowdoc header ended by a lone CR', "<?php $x=<<<'A'\r\x01\rA;\r" + SHELL + '?>'],
  ['S18Q-2', 'a heredoc label of 300 bytes (PHP has no limit; the lexer stops at 256)', '<?php $x=<<<' + 'A'.repeat(300) + '\n\x01\n' + 'A'.repeat(300) + ';\n' + SHELL + '?>'],
  ['S18Q-2', 'a nowdoc label of 300 bytes', "<?php $x=<<<'" + 'B'.repeat(300) + "'\n\x01\n" + 'B'.repeat(300) + ';\n' + SHELL + '?>'],
  ['S18Q-3', 'a heredoc line "\\\\A;" (the lexer matches the label after an escape, PHP does not)', '<?php $x=<<<A\n\\\\A;\x01\nA;\n' + SHELL + '?>'],
  ['S18Q-4', 'a heredoc closed after a lone CR (the lexer waits for \\n), then "\\nA;" in a string', '<?php $x=<<<A\nx\rA;$y="\nA;\x01";' + SHELL + '?>'],
  ['S18Q-4', 'a backslash before a heredoc newline (PHP: still a newline), then "\\nA;" in a string', '<?php $x=<<<A\nx\\\nA;\n$y="\nA;\x01";' + SHELL + '?>'],
  ['S18Q-5', 'a heredoc in {$...} of a heredoc (one label kept: the inner one), then "\\nB;" in a string', '<?php $a=[1];$x=<<<A\n{$a[<<<B\n0\nB]}\nA;\n$y="\nB;\x01";' + SHELL + '?>'],
  ['S18Q-8', 'a heredoc closing label followed by "#" (the byte after the label is not lexed: no comment)', '<?php $x=<<<A\nx\nA#\x01\n;' + SHELL + '?>'],
  ['S18Q-8', 'a nowdoc closing label followed by "#"', "<?php $x=<<<'A'\nx\nA#\x01\n;" + SHELL + '?>'],
  ['S18Q-8', 'a heredoc closing label followed by the "}" of a "${...}" in a string', '<?php $x="${<<<B\nx\nB}";$y="\x01";' + SHELL + '?>'],
];

describe('S18Q-1..5, S18Q-8: heredoc edge cases make the lexer read a literal as code (the region is dropped)', () => {
  for (const [id, name, code] of dropped) {
    it(`${id}: ${name}: the region is kept`, () => {
      assert.ok(whole(code), `${JSON.stringify(code)}: ${JSON.stringify(kept(code))}`);
    });
    it(`${id}: ${name}: past the bound of a JPEG, not clean`, () => {
      const r = scanPast(`${id}-${name.length}.jpg`, code);
      assert.notEqual(r.verdict, 'clean', show(r));
    });
  }
});

describe('S18Q-6: `->__halt_compiler` (a property, PHP 8) ends the region for the lexer, not for PHP', () => {
  const cases: [string, string][] = [
    ['"<?=" (always a tag) with a high byte in a comment in its first bytes', '<?=1/*\xe9*/;$a=new stdClass;$a->__halt_compiler=1;' + SHELL + '?>'],
    ['"<?" (short_open_tag=On)', '<?$a=new stdClass;$a->__halt_compiler=1;' + SHELL + '?>'],
  ];
  for (const [name, code] of cases) {
    it(`${name}: the code after it is kept`, () => {
      assert.ok(whole(code), `${JSON.stringify(code)}: ${JSON.stringify(kept(code))}`);
    });
    it(`${name}: past the bound of a JPEG, not clean`, () => {
      const r = scanPast(`halt-${name.length}.jpg`, code);
      assert.notEqual(r.verdict, 'clean', show(r));
    });
  }
});

describe('S18Q-7: regions in comments are never long: 16 of them step through every later byte', () => {
  it('16 x "<?/*" then 8 MiB without "*/": the look is bounded (overflow or long), not 16 reads of the file', () => {
    const t = phpTagPast(MIB);
    t.feed(L('<?/*'.repeat(16)), 0);
    const part = filler(MIB, 3);
    for (let i = 0; i < part.length; i++) if (part[i] === 0x2a) part[i] = 0x2b;
    let at = 64;
    for (let k = 0; k < 8; k++) {
      t.feed(part, at);
      at += part.length;
    }
    t.end();
    assert.ok(t.overflow || t.regions.some((r) => r.long), `overflow ${t.overflow}, regions ${t.regions.length}, long ${t.regions.filter((r) => r.long).length}`);
  });
});

describe('S18Q-10: stripComments ends a # or // comment only at \\n or ?> (PHP: also at a lone \\r): the code after it is blanked', () => {
  const cases: [string, string][] = [
    ['"#" then a lone CR', '<?php #\rsystem($_GET["c"]);\r'],
    ['"//" then a lone CR, the shell over two statements', '<?php //\r$f=$_GET["c"];\rsystem($f);\r'],
    ['a heredoc closed after a lone CR, "\\nA;/*" in a string (heredocEnd reads on to it)', '<?php $x=<<<A\nx\rA;\n$y="\nA;/*";system($_GET["c"]);//*/\n'],
  ];
  for (const [name, code] of cases) {
    it(`${name}: a small .php file is not clean`, () => {
      const f = join(dir, `cr-${name.length}.php`);
      writeFileSync(f, L(code));
      const r = createScanner().scanFile(f);
      assert.notEqual(r.verdict, 'clean', show(r));
    });
  }
});

describe('S18Q-12: a backtick shell fed through a variable slips the rules in a plain .php file', () => {
  for (const code of ['<?php $f=$_GET["c"];echo `$f`;', '<?php $f=$_GET;echo `{$f["c"]}`;']) {
    it(`${code}: not clean`, () => {
      const f = join(dir, `bt-${code.length}.php`);
      writeFileSync(f, L(code));
      const r = createScanner().scanFile(f);
      assert.notEqual(r.verdict, 'clean', show(r));
    });
  }
});

describe('S18Q-13: "<?=" with a high byte in a comment in its first 22 bytes is not plain: past the bound only the rules judge it', () => {
  const code = '<?=/*\xe9*/1;$f=$_GET["c"];echo `$f`;?>';
  it('control (passes on dfc3ada): in a small JPEG it is suspicious (PHP code inside an image)', () => {
    const f = join(dir, 'plain-small.jpg');
    writeFileSync(f, Buffer.concat([filler(5000), L(code), filler(4096, 7)]));
    const r = createScanner().scanFile(f);
    assert.notEqual(r.verdict, 'clean', show(r));
  });
  it('past the bound of a JPEG it is not clean either', () => {
    const r = scanPast('plain-past.jpg', code);
    assert.notEqual(r.verdict, 'clean', show(r));
  });
});

describe('S18Q-14: request input through string interpolation (or sprintf) into a variable, then a command sink, slips the flow pass', () => {
  const cases = [
    '<?php $f="$_GET[c]";system($f);',
    '<?php $f="{$_GET["c"]}";system($f);',
    '<?php $f=<<<A\n{$_GET["c"]}\nA;\nsystem($f);',
    '<?php $f=trim("{$_GET["c"]}");passthru($f);',
    '<?php $f=sprintf("%s",$_GET["c"]);system($f);',
  ];
  for (const code of cases) {
    it(`${JSON.stringify(code)}: not clean`, () => {
      const f = join(dir, `interp-${code.length}.php`);
      writeFileSync(f, L(code));
      const r = createScanner().scanFile(f);
      assert.notEqual(r.verdict, 'clean', show(r));
    });
  }
});
