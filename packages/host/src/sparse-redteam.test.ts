import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, lstatSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { acceptChanges, checkBaseline, initBaseline } from './fim/check.js';
import { hashFile } from './fim/hash-file.js';
import { createScanner, phpTagPast } from './scan/scanner.js';
import { createTimedScanner } from './scan/timed.js';
import { HOLES_BOUND } from './sparse.js';
import { fimSetup, sparseBase, sparseFile, withFs, writeAt } from './sparse-test-kit.js';

// Red team S17 (bench/redteam/README-host-s17.md) on the sparse-file handling of S16H-8.
const { base, skip, cleanup } = sparseBase('mamori-sparse-s17-');
after(cleanup);

const MIB = 1 << 20;

/**
 * Runs `fn` with fs.fstatSync growing `path` to `to` bytes right after it answers: the
 * attacker's `truncate -s 4T` between the reader's fstat and its reads.
 */
function growingAfterFstat<T>(path: string, to: number, fn: () => T): T {
  let grown = false;
  return withFs('fstatSync', (real) => (...args: Parameters<typeof real>) => {
    const st = real(...args);
    if (!grown) {
      grown = true;
      truncateSync(path, to);
    }
    return st;
  }, fn);
}

describe('S17H-1: a file that grows between fstat and the reads is read only to the size fstat gave', { skip }, () => {
  it('fim hashFile', () => {
    const f = join(base, 'grows.bin');
    sparseFile(f, 2 * MIB, 'head', 0); // not sparse: read whole, in several reads
    const st = lstatSync(f, { bigint: true });
    const r = growingAfterFstat(f, 2 * MIB + HOLES_BOUND * 4, () => hashFile({ path: f, dev: st.dev, ino: st.ino, keep: 0, hashSparse: false }, Buffer.allocUnsafe(128 << 10)));
    assert.ok(r.ok);
    assert.equal(r.size, 2 * MIB, 'not read past the size fstat gave');
    const want = Buffer.alloc(2 * MIB);
    want.write('head');
    assert.equal(r.sha256, createHash('sha256').update(want).digest('hex'));
  });

  it('scan: the rest of a file past --max-file-size', () => {
    const f = join(base, 'grows.txt');
    sparseFile(f, 3 * MIB, 'hello', 0);
    const s = createScanner({ maxFileBytes: MIB });
    const r = growingAfterFstat(f, 3 * MIB + HOLES_BOUND * 4, () => s.scanFile(f));
    assert.equal(r.size, 3 * MIB);
    const want = Buffer.alloc(3 * MIB);
    want.write('hello');
    assert.equal(r.sha256, createHash('sha256').update(want).digest('hex'));
  });
});

describe('S17H-2: a write into a sparse file is reported whatever the rule compares', { skip }, () => {
  for (const attributes of ['content', 'p+u+g+sha256', 'R-m-c', 'R']) {
    it(`attributes ${attributes}`, async () => {
      const t = fimSetup(base, attributes ? { attributes } : {});
      const big = join(t.tree, 'data.php');
      sparseFile(big, HOLES_BOUND + 32 * MIB, '<?php echo "hello";', 0);
      await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
      const quiet = await checkBaseline(t.db, t.key, 'default', { mode: 'full' });
      assert.deepEqual(quiet.changed, [], 'nothing moved: nothing reported but the file not hashed');
      assert.equal(quiet.problems.length, 1);
      writeAt(big, '<?php system($_GET[1]);//', 0); // same size
      for (const mode of ['full', 'fast'] as const) {
        const r = await checkBaseline(t.db, t.key, 'default', { mode });
        assert.deepEqual(r.changed.map((c) => c.path), [big], mode);
        const sha = r.changed[0]!.changes.find((c) => c.attr === 'sha256');
        assert.ok(sha, `${mode}: ${JSON.stringify(r.changed[0]!.changes)}`);
        assert.match(sha.new, /its size, mtime, ctime or inode moved, so its content may have/);
      }
    });
  }

  it('a hashed file made sparse (holes appended) is a change, under p+u+g+sha256 too', async () => {
    const t = fimSetup(base, { attributes: 'p+u+g+sha256' });
    const f = join(t.tree, 'index.php');
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    writeFileSync(f, '<?php system($_GET[1]); __halt_compiler();');
    truncateSync(f, HOLES_BOUND + MIB);
    const r = await checkBaseline(t.db, t.key, 'default', { mode: 'full' });
    assert.deepEqual(r.changed.map((c) => c.path), [f]);
    assert.deepEqual(r.changed[0]!.changes.map((c) => c.attr), ['sha256']);
    assert.match(r.changed[0]!.changes[0]!.new, /^\(not hashed: a sparse file/);
  });
});

describe('S17H-3: hard links are hashed once per file, not once per name', () => {
  it('fim init and check read a file of many names once', async () => {
    const t = fimSetup(base);
    const f = join(t.tree, 'a.bin');
    writeFileSync(f, Buffer.alloc(4 * MIB, 7));
    for (let i = 0; i < 9; i++) linkSync(f, join(t.tree, `link${i}.bin`));
    const init = await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    assert.ok(init.hashedBytes < 5 * MIB, `init hashed ${init.hashedBytes} bytes`);
    const recorded = t.db.load('default', t.key).entries;
    const want = createHash('sha256').update(Buffer.alloc(4 * MIB, 7)).digest('hex');
    for (let i = 0; i < 9; i++) assert.equal(recorded.get(join(t.tree, `link${i}.bin`))!.sha256, want);
    const r = await checkBaseline(t.db, t.key, 'default', { mode: 'full' });
    assert.ok(r.hashedBytes < 5 * MIB, `check hashed ${r.hashedBytes} bytes`);
    assert.deepEqual([r.added.length, r.changed.length, r.problems.length], [0, 0, 0]);
    writeAt(f, 'x', 0);
    const r2 = await checkBaseline(t.db, t.key, 'default', { mode: 'full' });
    assert.equal(r2.changed.length, 10, 'a write through one name changes all ten');
    assert.ok(r2.changed.every((c) => c.changes.some((x) => x.attr === 'sha256')));
    // the name read for all ten swapped for another file just before the read: the other nine are still read
    let swapped = '';
    const r3 = await checkBaseline(t.db, t.key, 'default', {
      mode: 'full',
      threads: 2, // hashed after the walk (on one thread each name is opened as the walk reaches it: below)
      beforeHash: (p) => {
        if (p.endsWith('.bin')) {
          swapped = p;
          rmSync(p);
          writeFileSync(p, 'other');
        }
      },
    });
    assert.deepEqual(r3.problems.map((p) => p.path), [swapped]);
    assert.equal(r3.changed.filter((c) => c.path !== swapped && c.changes.some((x) => x.attr === 'sha256')).length, 9, JSON.stringify(r3.changed.map((c) => c.path)));
    // Hashed as the walk reaches each name: one name swapped for another file before it is opened
    // is that other file (its own inode, read on its own); the other names still share one read.
    const keep = swapped === f ? join(t.tree, 'link0.bin') : f;
    rmSync(swapped);
    linkSync(keep, swapped);
    let first = '';
    const r4 = await checkBaseline(t.db, t.key, 'default', {
      mode: 'full',
      beforeHash: (p) => {
        if (first === '' && p.endsWith('.bin')) {
          first = p;
          rmSync(p);
          writeFileSync(p, 'other');
        }
      },
    });
    assert.deepEqual(r4.problems, []);
    assert.ok(r4.changed.find((c) => c.path === first)!.changes.some((x) => x.attr === 'inode'));
    assert.equal(r4.changed.filter((c) => c.path !== first && c.changes.some((x) => x.attr === 'sha256')).length, 9);
    assert.ok(r4.hashedBytes < 5 * MIB, `check hashed ${r4.hashedBytes} bytes`);
  });
});

describe('S17H-4: PHP past the scanned part of a large file (behind holes that cost no disk) is not clean', () => {
  const dir = mkdtempSync(join(base, 'tail-'));
  // A shell there is judged by the rules (malicious); other code is suspicious by itself.
  const cases: [string, string, number, string][] = [
    ['after holes, in an image', '<?php system($_GET["c"]); ?>', 5 * MIB, 'malicious'],
    ['split across two reads', '<?php system($_GET["c"]); ?>', 3 * MIB - 3, 'malicious'],
    ['a short echo tag at the very end', '<?=`$_GET[0]`?>', 6 * MIB - 15, 'malicious'],
    ['code that runs no command', '<?php echo strlen("abc"); ?>', 5 * MIB, 'suspicious'],
  ];
  for (const [name, code, at, verdict] of cases) {
    it(name, async () => {
      const f = join(dir, `${at}.jpg`);
      sparseFile(f, at, '\xff\xd8\xff\xe0JFIF', 0);
      writeAt(f, code, at);
      const s = createScanner({ maxFileBytes: MIB });
      for (const r of [s.scanFile(f), s.scanFile(f)]) {
        assert.equal(r.verdict, verdict, JSON.stringify(r.findings));
        const hit = r.findings.find((x) => x.technique === 'php-past-scan');
        assert.match(hit?.description ?? '', new RegExp(`^PHP from byte ${at} runs past the first ${MIB} bytes`));
      }
      const timed = createTimedScanner({ fileTimeoutMs: 20_000, maxFileBytes: MIB, inProcessBytes: 1000 });
      try {
        const t = await timed.scanFile(f);
        assert.equal(t.verdict, verdict, JSON.stringify(t.findings));
        assert.ok(t.findings.some((x) => x.technique === 'php-past-scan'));
      } finally {
        timed.close();
      }
    });
  }

  it('no tag, or "<?" in binary or XML, past the scanned part: clean as before', () => {
    const f = join(dir, 'plain.bin');
    const data = Buffer.alloc(3 * MIB, 0); // binary: a control byte ends any code a "<?" there could open
    data.write('<?xml version="1.0"?>', 2 * MIB);
    data.write('<?\x00\x01=', 2 * MIB + 100);
    data.write('<?= \x80\x81 (', 2 * MIB + 200);
    writeFileSync(f, data);
    const r = createScanner({ maxFileBytes: MIB }).scanFile(f);
    assert.equal(r.verdict, 'clean', JSON.stringify(r.findings));
  });

  it('phpTagPast finds a tag fed in parts of any size, and only code that reaches past the bound', () => {
    const text = Buffer.from('xx <?php a(); ?> yy <?PHP b(); zz');
    for (let cut = 1; cut < text.length; cut++) {
      const t = phpTagPast(18);
      t.feed(text.subarray(0, cut), 0);
      t.feed(text.subarray(cut), cut);
      t.end();
      // the first region ends (?>) at byte 16, before the bound: it was scanned; the second runs to the end
      assert.deepEqual(t.regions.map((r) => [r.at, r.bytes.toString(), r.plain]), [[20, '<?PHP b(); zz\n'.trimEnd(), true]], `cut at ${cut}`);
    }
  });
});

/** Bytes read through fs.readSync (as every module imported it) while `fn` runs. */
async function bytesRead(fn: () => Promise<unknown>): Promise<number> {
  let total = 0;
  await withFs('readSync', (real) => (...args: unknown[]) => {
    const n = (real as (...a: unknown[]) => number)(...args);
    total += n;
    return n;
  }, fn);
  return total;
}

describe('S17H-6: accept and diffs do not read again a file too large to keep', { skip }, () => {
  it('fim accept under a diff rule reads each large file once (in its check), not once more per name', async () => {
    const { tree, db, key, rules } = fimSetup(base, { diff: true });
    writeFileSync(join(tree, 'a.txt'), 'hello\n');
    await initBaseline(db, key, 'default', rules, { who: 'test' });
    // a small text file turned into 40 MiB of holes, and a new file of 40 MiB of holes with 4 names
    truncateSync(join(tree, 'a.txt'), 40 * MIB);
    sparseFile(join(tree, 'new.txt'), 40 * MIB, 'x', 0);
    for (let i = 0; i < 3; i++) linkSync(join(tree, 'new.txt'), join(tree, `new${i}.txt`));
    const check = await bytesRead(() => checkBaseline(db, key, 'default', { mode: 'full' }));
    assert.ok(check < 81 * MIB, `check read ${check} bytes (each file once, no diff of a.txt)`);
    const accept = await bytesRead(() => acceptChanges(db, key, 'default', { who: 'test', why: 'test' }));
    assert.ok(accept < 81 * MIB, `accept read ${accept} bytes`);
  });
});

describe('S17H-5: many files each under the sparse bound read back at most the run\'s allowance of holes', { skip }, () => {
  it('fim: past the allowance, a file of more than 1 MiB of holes is recorded unhashed, on one thread and on two', async () => {
    const t = fimSetup(base);
    // 12 files of 8 MiB of holes each and 4 KiB of data: 96 MiB of holes against an allowance of 40 MiB
    for (let i = 0; i < 12; i++) sparseFile(join(t.tree, `h${String(i).padStart(2, '0')}.bin`), 8 * MIB, 'data', 0);
    // and one of no more than 1 MiB of holes: never charged, always read
    sparseFile(join(t.tree, 'small.bin'), MIB, 'x', 0);
    const budget = 40 * MIB;
    const init = await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test', holeBudget: budget });
    assert.ok(init.hashedBytes <= budget + 2 * MIB, `init hashed ${init.hashedBytes} bytes`);
    const unhashed = init.problems.filter((p) => p.reason.startsWith('not hashed: a sparse file')).map((p) => p.path);
    assert.equal(unhashed.length, 12 - 5, JSON.stringify(init.problems)); // five of 8 MiB fit in 40 MiB
    const recorded = t.db.load('default', t.key).entries;
    assert.equal(recorded.get(join(t.tree, 'small.bin'))!.sha256?.length, 64);
    for (const threads of [1, 2]) {
      const r = await checkBaseline(t.db, t.key, 'default', { mode: 'full', threads, holeBudget: budget });
      assert.ok(r.hashedBytes <= budget + 2 * MIB, `threads ${threads}: hashed ${r.hashedBytes} bytes`);
      assert.deepEqual([r.added.length, r.removed.length, r.changed.length], [0, 0, 0], `threads ${threads}: the same files read, the same left unread`);
      assert.deepEqual(r.problems.map((p) => p.path).sort(), [...unhashed].sort());
    }
  });
});

describe('S17H-5 in scan: the scanned part of a file with holes is read within the allowance too', { skip }, () => {
  it('files of nothing but holes, smaller than the scan bound, are read until the allowance is spent; the rest are suspicious, not read', async () => {
    const dir = mkdtempSync(join(base, 'scan-head-budget-'));
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const f = join(dir, `f${i}.php`);
      sparseFile(f, 2 * MIB, '<?php echo 1;', 0); // about 2 MiB of holes, all inside the scanned part
      names.push(f);
    }
    const s = createScanner({ maxFileBytes: 4 * MIB, holeBudget: 5 * MIB });
    const out = names.map((f) => s.scanFile(f));
    assert.deepEqual(out.map((r) => r.verdict), ['clean', 'clean', 'suspicious', 'suspicious'], JSON.stringify(out.map((r) => r.findings)));
    for (const r of out.slice(2)) {
      assert.equal(r.sha256, '');
      assert.match(r.note ?? '', /not read, since this run has read back its allowance of holes/);
    }
  });
});

describe('S17H-5 in scan: holes past the scanned part are read back at most to the scanner\'s allowance', { skip }, () => {
  it('in this process and through the timed scanner, a file past the allowance is suspicious and unhashed', async () => {
    const dir = mkdtempSync(join(base, 'scan-budget-'));
    const names: string[] = [];
    for (let i = 0; i < 6; i++) {
      const f = join(dir, `f${i}.txt`);
      sparseFile(f, 3 * MIB, 'plain text', 0); // 1 MiB scanned, about 2 MiB of holes past it
      names.push(f);
    }
    for (const make of [() => createScanner({ maxFileBytes: MIB, holeBudget: 7 * MIB }), () => createTimedScanner({ fileTimeoutMs: 20_000, inProcessBytes: 1, maxFileBytes: MIB, holeBudget: 7 * MIB })]) {
      const s = make();
      try {
        const out = [];
        for (const f of names) out.push(await s.scanFile(f));
        // about 3 MiB of holes a file (the block of text aside): two fit in 7 MiB, the rest do not
        assert.deepEqual(out.map((r) => r.sha256 === ''), [false, false, true, true, true, true], JSON.stringify(out.map((r) => [r.sha256.slice(0, 8), r.verdict])));
        for (const r of out.slice(2)) assert.ok(r.findings.some((x) => x.technique === 'sparse-file') && r.verdict !== 'clean');
      } finally {
        (s as { close?: () => void }).close?.();
      }
    }
  });
});
