import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner, pastScanFindings, phpTagPast } from './scanner.js';
import { MAX_REGIONS, type PastTags } from './php-regions.js';
import { latin1, MIB, scanBoth as scanAt, xorshiftBytes } from './scan-test-kit.js';

// PHP past the part of a large file that is scanned (S18-1), and PHP names made of bytes past
// ASCII (S18-2), both run by PHP 8.2 (`include` of the file) and both scanned clean before.
const dir = mkdtempSync(join(tmpdir(), 'mamori-past-scan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const KIB = 1024;

/** Picture-like bytes: a JPEG's first bytes, then a seeded xorshift stream (`n` bytes in all). */
function picture(n: number, seed = 2463534242): Buffer {
  const b = xorshiftBytes(n, seed);
  b.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return b;
}

/**
 * `n` pieces of an opener and 9,000 picture bytes that PHP's lexer reads as code (a literal or
 * comment that runs on, or code that reaches its "?>"): random data holds one in about 24 GB;
 * here the seeds are tried in order until n of them do.
 */
function lexerPasses(n: number): Buffer[] {
  const openers = ['<?"', "<?'", '<?/*', '<?#', '<?`', '<? <<<']; // short tags: '<?=' code that reads on is plain (suspicious)
  const out: Buffer[] = [];
  for (let seed = 1; out.length < n; seed++) {
    const piece = Buffer.concat([latin1(openers[seed % openers.length]!), picture(9000, seed)]);
    const t = phpTagPast(0);
    t.feed(piece, 0);
    t.end();
    if (t.regions.length === 1 && !t.regions[0]!.plain && !t.regions[0]!.long) out.push(piece);
  }
  return out;
}

const scanBoth = (name: string, data: Buffer) => scanAt(dir, name, data);

describe('S18-1: past the scanned part, a tag that PHP reads as code is judged by the rules', () => {
  const shells: [string, Buffer][] = [
    ['a control byte in a string literal after <?=', latin1('<?="\0";system($_GET["c"]);?>')],
    ['a control byte in a comment after <?=', latin1('<?=/*\x01\x02*/`$_GET[c]`?>')],
    ['a variable named with bytes past ASCII', latin1('<?=$\xff\xfe=$_GET[0];eval($\xff\xfe);?>')],
    ['twenty decoys before the shell', Buffer.concat([...Array.from({ length: 20 }, () => latin1('<?="\0"?>')), latin1('<?="\0";system($_GET["c"]);?>')])],
  ];
  for (const [name, shell] of shells) {
    for (const at of [2 * MIB + 12_345, 3 * MIB - 2]) {
      it(`${name}, at byte ${at}`, async () => {
        const data = Buffer.concat([picture(at), shell, picture(5000, 7)]);
        for (const r of await scanBoth(`shell-${at}.jpg`, data)) {
          assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
          assert.ok(r.findings.some((f) => f.technique === 'php-past-scan' && f.description.includes(`byte ${at}`)), JSON.stringify(r.findings));
        }
      });
    }
  }

  it('plain PHP that runs a command there is malicious; code that runs none is suspicious', async () => {
    for (const [code, verdict] of [['<?php system($_GET["c"]); ?>', 'malicious'], ['<?php echo strlen("abc"); ?>', 'suspicious']] as const) {
      for (const r of await scanBoth(`plain-${verdict}.jpg`, Buffer.concat([picture(2 * MIB), latin1(code), picture(100)]))) assert.equal(r.verdict, verdict, JSON.stringify(r.findings));
    }
  });

  it('a shell after plain, harmless PHP is still judged (the first tag does not end the search)', async () => {
    const data = Buffer.concat([picture(2 * MIB), latin1('<?php echo 1; ?>'), picture(64 * KIB, 9), latin1('<?="\0";system($_GET["c"]);?>')]);
    for (const r of await scanBoth('after-plain.jpg', data)) assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });

  it('tags a lexer reads as code over random bytes stay clean (the rules do not call random data malicious)', async () => {
    // Ten places of the kind random data holds once in about 24 GB, in one file.
    const data = Buffer.concat([picture(2 * MIB), ...lexerPasses(10)]);
    const t = phpTagPast(MIB);
    t.feed(data, 0);
    t.end();
    assert.equal(t.regions.length, 10, 'every piece is a place the lexer reads as code');
    for (const r of await scanBoth('random-code.jpg', data)) assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
  });

  it('more places than are kept, or a file packed with tags, is suspicious, and the search stops', async () => {
    const many = Buffer.concat([picture(2 * MIB), ...lexerPasses(MAX_REGIONS + 1)]);
    const packed = Buffer.concat([picture(2 * MIB), Buffer.alloc(4 * MIB, latin1('<?=\x01'))]);
    for (const [name, data] of [['many.jpg', many], ['packed.jpg', packed]] as const) {
      for (const r of await scanBoth(name, data)) {
        assert.equal(r.verdict, 'suspicious', JSON.stringify(r.findings));
        assert.ok(r.findings.some((f) => f.technique === 'php-past-scan' && /more PHP tags or places than are followed/.test(f.description)), JSON.stringify(r.findings));
      }
    }
  });

  it('more code past the bound than the rules are given (1 MiB) is suspicious, and what is given is judged', async () => {
    const region = latin1(`<?php ${'$a=1;'.repeat(50_000)} ?>`); // 250 KB of harmless code
    const data = Buffer.concat([picture(2 * MIB), ...Array.from({ length: 5 }, () => Buffer.concat([region, Buffer.alloc(10)]))]);
    for (const r of await scanBoth('much-code.jpg', data)) {
      assert.equal(r.verdict, 'suspicious', JSON.stringify(r.findings));
      assert.match(r.findings.find((f) => f.technique === 'php-past-scan')?.description ?? '', /more code than the 1048576 bytes the rules were given/);
    }
  });

  it('phpTagPast finds the same places whatever the parts it is fed in', () => {
    const data = Buffer.concat([picture(20_000), latin1('<?php a(); ?>'), picture(9000, 3), latin1('<?="\0";b();?>'), picture(300, 4), latin1('<?= "x" . `y` ?>'), latin1('<?')]);
    const whole = phpTagPast(100);
    whole.feed(data, 0);
    whole.end();
    const seen = (t: PastTags) => ({ overflow: t.overflow, regions: t.regions.map((r) => [r.at, r.bytes.toString('hex'), r.plain, r.long]) });
    const expect = seen(whole);
    const second = 20_000 + '<?php a(); ?>'.length + 9000;
    const third = second + '<?="\0";b();?>'.length + 300;
    for (const at of [20_000, second, third, data.length - 2]) assert.ok(expect.regions.some((r) => r[0] === at), `a region at ${at}: ${JSON.stringify(expect.regions.map((r) => r[0]))}`);
    assert.equal(expect.regions.find((r) => r[0] === 20_000)![2], true, '<?php is plain');
    for (const size of [1, 2, 3, 7, 100, 4095, 8193, 8194, 8195, 10_000]) {
      const t = phpTagPast(100);
      for (let at = 0; at < data.length; at += size) t.feed(data.subarray(at, at + size), at);
      t.end();
      assert.deepEqual(seen(t), expect, `parts of ${size}`);
    }
  });

  it('pastScanFindings refuses what is not a scanner', () => {
    assert.throws(() => pastScanFindings({} as never, 'x', phpTagPast(0)), TypeError);
  });
});

describe('S18-2: PHP names made of bytes past ASCII', () => {
  // PHP's names are [a-zA-Z_\x80-\xff][a-zA-Z0-9_\x80-\xff]*: `$é` (UTF-8) and `$\xff` are variables.
  const cases: [string, string][] = [
    ['a UTF-8 variable holding request input, run by system()', '<?php $\xc3\xa9=$_GET[0];system($\xc3\xa9);'],
    ['a variable of raw bytes, run by eval()', '<?php $\xff\xfe=$_POST["x"];eval($\xff\xfe);'],
    ['a function named in bytes past ASCII, called with request input', '<?php function \xe5\xae\x88($a){system($a);} \xe5\xae\x88($_GET["c"]);'],
  ];
  it('the YARA rule for a variable function called with request input takes such a name as it takes $ab', () => {
    for (const name of ['ab', '\xc3\xa9']) {
      const f = join(dir, `varfn-${name.length}.php`);
      writeFileSync(f, latin1(`<?php $${name}($_GET["a"]);`));
      const r = createScanner().scanFile(f);
      assert.ok(r.findings.some((x) => x.rule === 'mamori_php_variable_function_input'), `${JSON.stringify(name)}: ${JSON.stringify(r.findings)}`);
    }
  });
  for (const [name, code] of cases) {
    it(name, () => {
      const f = join(dir, `names-${name.length}.php`);
      writeFileSync(f, latin1(code));
      const r = createScanner().scanFile(f);
      assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
    });
  }
});

describe('heredocs whose lines end in a lone CR (PHP takes \\r as a newline)', () => {
  it('in a .php file, a heredoc holding "/*" does not blind the comment stripper', () => {
    const f = join(dir, 'cr-heredoc.php');
    writeFileSync(f, latin1('<?php $x=<<<A\r/*\rA;\rsystem($_GET["c"]);\r'));
    assert.equal(createScanner().scanFile(f).verdict, 'malicious');
  });
  it('past the bound, a heredoc holding a control byte is a literal, and the shell after it is read', async () => {
    const data = Buffer.concat([picture(2 * MIB), latin1('<?php $x=<<<A\r\x01\rA;\rsystem($_GET["c"]);?>'), picture(100, 3)]);
    for (const r of await scanBoth('cr-heredoc.jpg', data)) assert.equal(r.verdict, 'malicious', JSON.stringify(r.findings));
  });
});


describe('the flow pass and literals (the S18 false-positive sweep, bench/redteam/README-fp-s18.md)', () => {
  const verdictOf = (name: string, code: string) => {
    const f = join(dir, name);
    writeFileSync(f, latin1(code));
    return createScanner().scanFile(f).verdict;
  };
  it('"$f(...)" in a string is printed, not called (adminer builds SQL so): not malicious', () => {
    assert.notEqual(verdictOf('adminer-like.php', '<?php $row=$_POST; $q = "PARTITION BY $row[partition_by]($row[partition])"; echo $q;'), 'malicious');
  });
  it('"{$f(...)}" in a string or a heredoc does call: malicious', () => {
    assert.equal(verdictOf('interp-call.php', '<?php $f=$_GET["f"]; echo "{$f($_GET["c"])}";'), 'malicious');
    assert.equal(verdictOf('heredoc-call.php', "<?php $f=$_GET['f']; echo <<<A\n{$f($_GET['c'])}\nA;\n"), 'malicious');
  });
  it('"${_GET[...]}" is request input; so are the values of an array handed to vsprintf, strtr, implode', () => {
    for (const [name, code] of [
      ['dollar-brace.php', '<?php echo `${_GET["c"]}`;'],
      ['dollar-brace2.php', '<?php $c="${_GET["c"]}"; system($c);'],
      ['vsprintf.php', '<?php system(vsprintf("%s",[$_GET["c"]]));'],
      ['strtr.php', '<?php system(strtr("X",["X"=>$_GET["c"]]));'],
      ['implode.php', '<?php system(implode([" ",$_GET["c"]]));'],
    ]) assert.equal(verdictOf(name!, code!), 'malicious', name);
  });
  it('request input through a spread, a named argument, destructuring, an arrow function or a match arm', () => {
    for (const [name, code] of [
      ['spread.php', '<?php $c = sprintf("%s", ...[$_GET["c"]]); system($c);'],
      ['named.php', '<?php $c = sprintf(format: "%s", values: $_GET["c"]); system($c);'],
      ['list.php', '<?php list($c) = [$_GET["c"]]; system($c);'],
      ['brackets.php', '<?php [$c] = [sprintf("%s", $_GET["c"])]; system($c);'],
      ['arrow.php', '<?php $c = (fn() => $_GET["c"])(); system($c);'],
      ['reduce.php', '<?php $c = array_reduce([1], fn($a) => "$_GET[c]"); system($c);'],
      ['match.php', '<?php $c = match(true) { default => $_GET["c"] }; system($c);'],
    ]) assert.equal(verdictOf(name!, code!), 'malicious', name);
  });
});
