import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanner, scanFileWith } from './scanner.js';
import { createTimedScanner } from './timed.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-timed-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

// H20: PHP of `$_GET[` repeated costs the rules about a second of CPU per MB.
const costly = join(dir, 'costly.php');
writeFileSync(costly, `<?php ${'$_GET['.repeat(200_000)}`);
// A webshell past the in-process size: scanned in the child, within the bound.
const shell = join(dir, 'shell.php');
writeFileSync(shell, `<?php @eval($_POST["x"]); ?>\n${'// padding\n'.repeat(2000)}`);

describe('createTimedScanner (H20: a per-file time bound)', () => {
  it('stops a file that takes too long: suspicious, scan-timeout, hashed whole; a hash indicator still makes it malicious', async () => {
    const s = createTimedScanner({ fileTimeoutMs: 50, indicators: { matchFile: (f) => (f.sha256 === sha(costly) && f.md5 ? [{ indicator: f.sha256, kind: 'sha256', source: 'test' }] : []) } });
    try {
      const r = await s.scanFile(costly);
      assert.equal(r.verdict, 'malicious');
      assert.deepEqual(r.findings.map((f) => f.technique), ['scan-timeout', 'indicator']);
      assert.equal(r.note, 'scan timed out after 50 ms: not fully checked');
      assert.equal(r.kind, 'php');
      assert.equal(r.size, readFileSync(costly).length);
      // The next large file gets a new child (the one stopped was killed); a small file stays in this process.
      const again = await s.scanFile(costly);
      assert.deepEqual(again.findings.map((f) => f.technique), ['scan-timeout', 'indicator']);
      assert.equal((await s.scanFile(join(dir, 'nothing-here.php'))).note, 'vanished before it was read');
    } finally {
      s.close();
    }
    const plain = createTimedScanner({ fileTimeoutMs: 50 });
    try {
      const r = await plain.scanFile(costly);
      assert.deepEqual([r.verdict, r.score], ['suspicious', 35]);
    } finally {
      plain.close();
    }
  });

  it('which files stay in this process is decided on the descriptor scanned (a file grown after a look is not read past the size)', () => {
    const s = createScanner();
    const size = readFileSync(shell).length;
    assert.equal(scanFileWith(s, shell, { ifAtMost: size - 1 }), undefined);
    assert.equal(scanFileWith(s, shell, { ifAtMost: size })?.verdict, 'malicious');
    assert.equal(scanFileWith(s, join(dir, 'nothing-here.php'), { ifAtMost: 0 })?.note, 'vanished before it was read');
  });

  it('a file larger than maxFileBytes: only the scanned part is timed; the parent hashes it whole afterwards', async () => {
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(4 * 1024 * 1024, 0x61));
    const inProcess = createScanner({ maxFileBytes: 64 * 1024 }).scanFile(big);
    assert.equal(inProcess.sha256, sha(big));
    // The child's part (64 KiB) is well within the bound; hashing 4 MiB inside it would not be counted either way.
    const s = createTimedScanner({ fileTimeoutMs: 60_000, maxFileBytes: 64 * 1024, inProcessBytes: 1000 });
    try {
      const r = await s.scanFile(big);
      assert.deepEqual(r, inProcess);
    } finally {
      s.close();
    }
    // Only the bytes scanned decide where a file goes: with a small maxFileBytes, a large file stays here.
    assert.equal(scanFileWith(createScanner({ maxFileBytes: 1000 }), big, { ifAtMost: 1000 })?.sha256, sha(big));
  });

  it('a large file scanned in the child within the bound gets the in-process verdict, with knownGood and indicators applied', async () => {
    const inProcess = createScanner().scanFile(shell);
    assert.equal(inProcess.verdict, 'malicious');
    const s = createTimedScanner({ fileTimeoutMs: 60_000, inProcessBytes: 1000 });
    const known = createTimedScanner({ fileTimeoutMs: 60_000, inProcessBytes: 1000, knownGood: (p, h) => p === shell && h === sha(shell) });
    const md5 = createHash('md5').update(readFileSync(shell)).digest('hex');
    const listed = createTimedScanner({ fileTimeoutMs: 60_000, inProcessBytes: 1000, indicators: { matchFile: (f) => (f.md5 === md5 ? [{ indicator: md5, kind: 'md5', source: 'test' }] : []) } });
    try {
      assert.deepEqual(await s.scanFile(shell), inProcess);
      const k = await known.scanFile(shell);
      assert.equal(k.verdict, 'clean');
      assert.equal(k.findings.at(-1)?.technique, 'known-good');
      const l = await listed.scanFile(shell);
      assert.equal(l.findings.at(-1)?.description, `matches the md5 indicator ${md5} from test`, 'the child hands back the MD5 the indicators need');
    } finally {
      s.close();
      known.close();
      listed.close();
    }
  });
});
