import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { checkBaseline, initBaseline } from './fim/check.js';
import { createScanner } from './scan/scanner.js';
import { createTimedScanner } from './scan/timed.js';
import { HOLES_BOUND } from './sparse.js';
import { fimSetup, sparseBase, sparseFile } from './sparse-test-kit.js';

// S16H-8 (bench/redteam/README-host-s16.md): `truncate -s 4G` costs no disk, and read back it was
// 13.7 s of hashing per 4 GiB in fim and in scan.
const { base, skip, cleanup } = sparseBase('mamori-sparse-');
after(cleanup);

const GIB = 1 << 30;

describe('sparse files are not read back (S16H-8)', { skip }, () => {
  it('fim: a sparse file is recorded unhashed, reported on every check, and a write into it is still caught', async () => {
    const t = fimSetup(base);
    const big = join(t.tree, 'disk.img');
    sparseFile(big, 4 * GIB, 'header', 0);
    const init = await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    // index.php and the first read of nothing else: the 4 GiB of holes were never read
    assert.ok(init.hashedBytes < 1 << 20, `hashed ${init.hashedBytes} bytes`);
    assert.equal(init.problems.length, 1);
    assert.equal(init.problems[0]!.path, big);
    assert.match(init.problems[0]!.reason, /^not hashed: a sparse file \(4294967296 bytes, \d+ of them on disk\); its rule's hash_sparse: true hashes it whole$/);
    for (const mode of ['full', 'fast'] as const) {
      const r = await checkBaseline(t.db, t.key, 'default', { mode });
      assert.deepEqual([r.added.length, r.removed.length, r.changed.length], [0, 0, 0], mode);
      assert.deepEqual(r.problems.map((p) => p.path), [big], `${mode}: it is reported as not checked every time`);
      assert.ok(r.hashedBytes < 1 << 20, `${mode} hashed ${r.hashedBytes} bytes`);
    }
    // Data written into a hole, the modification time put back: the change time gives it away.
    const before = statSync(big);
    const fd = openSync(big, 'r+');
    writeSync(fd, '<?php system($_GET[1]);', 3 * GIB);
    closeSync(fd);
    utimesSync(big, before.atime, before.mtime);
    const r = await checkBaseline(t.db, t.key, 'default', { mode: 'full' });
    // (utimes takes microseconds: the mtime may differ in its last digits, the ctime always moved)
    assert.deepEqual(r.changed.map((c) => c.path), [big]);
    assert.ok(r.changed[0]!.changes.some((x) => x.attr === 'ctime'), JSON.stringify(r.changed[0]!.changes));
    assert.ok(!r.changed[0]!.changes.some((x) => x.attr === 'size'));
    // and the content it could not hash is said to be unverified (S17H-2)
    assert.match(r.changed[0]!.changes.find((x) => x.attr === 'sha256')?.new ?? '', /its size, mtime, ctime or inode moved, so its content may have/);
  });

  it('fim: hash_sparse: true hashes it whole, as before', async () => {
    const t = fimSetup(base, { hash_sparse: true });
    const big = join(t.tree, 'holes.bin');
    sparseFile(big, HOLES_BOUND + (8 << 20));
    const init = await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    assert.deepEqual(init.problems, []);
    assert.ok(init.hashedBytes >= HOLES_BOUND + (8 << 20));
    assert.equal(t.db.load('default', t.key).entries.get(big)!.sha256?.length, 64);
  });

  it('fim: a file of fewer holes than the bound is hashed whole', async () => {
    const t = fimSetup(base);
    const f = join(t.tree, 'small-holes.bin');
    sparseFile(f, HOLES_BOUND - (1 << 20), 'x', 10);
    const init = await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    assert.deepEqual(init.problems, []);
    assert.ok(init.hashedBytes >= HOLES_BOUND - (1 << 20));
  });

  it('scan: a sparse file past the scanned size is suspicious and not hashed, in this process and through the timed scanner', async () => {
    const dir = mkdtempSync(join(base, 'scan-'));
    const big = join(dir, 'shell.php');
    sparseFile(big, 4 * GIB, '<?php echo "hello";', 0);
    const matched: string[] = [];
    const indicators = { matchFile: (f: { sha256: string }) => (matched.push(f.sha256), []) };
    const s = createScanner({ indicators, knownGood: () => true });
    const r = s.scanFile(big);
    assert.equal(r.verdict, 'suspicious');
    assert.equal(r.sha256, '');
    assert.ok(r.findings.some((f) => f.technique === 'sparse-file'), JSON.stringify(r.findings));
    assert.ok(!r.findings.some((f) => f.technique === 'known-good'), 'no baseline can vouch for what was not hashed');
    assert.match(r.note ?? '', /^a sparse file \(4294967296 bytes, \d+ of them on disk\): only its first 16777216 bytes were scanned, and it was not hashed$/);
    const timed = createTimedScanner({ fileTimeoutMs: 20_000, indicators });
    try {
      const t = await timed.scanFile(big);
      assert.equal(t.verdict, 'suspicious');
      assert.equal(t.sha256, '');
      assert.ok(t.findings.some((f) => f.technique === 'sparse-file'), JSON.stringify(t.findings));
    } finally {
      timed.close();
    }
    assert.deepEqual(matched, ['', '']);
    // The same bytes with no holes are hashed whole, as any file of real data is.
    const dense = join(dir, 'dense.php');
    writeFileSync(dense, Buffer.alloc((16 << 20) + 10, 0x20));
    assert.equal(s.scanFile(dense).sha256.length, 64);
  });
});
