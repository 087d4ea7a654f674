import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, openSync, closeSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointStore } from './checkpoint.js';
import { collector, tempDir, until } from './collect.case.js';
import { FileSource, type FileSourceOptions } from './file.js';

const numbered = (prefix: string, from: number, to: number): string => {
  let s = '';
  for (let i = from; i <= to; i++) s += `${prefix}${i}\n`;
  return s;
};
const range = (prefix: string, from: number, to: number): string[] => numbered(prefix, from, to).trimEnd().split('\n');

function source(path: string, extra: Partial<FileSourceOptions> = {}): FileSource {
  return new FileSource({ path, startAt: 'start', pollMs: 20, rotateGraceMs: 50, retryMs: 10, ...extra });
}

describe('FileSource', () => {
  it('follows appended lines with their offsets, and delivers the line without an end-of-line only once it ends', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    writeFileSync(path, 'one\ntwo\n');
    const c = collector();
    const s = source(path);
    await s.start(c.consumer);
    await until(() => c.lines.length >= 2, 'two lines');
    appendFileSync(path, 'thr');
    appendFileSync(path, 'ee\nfour\n');
    await until(() => c.lines.length >= 4, 'four lines');
    await s.stop();
    assert.deepEqual(c.texts(), ['one', 'two', 'three', 'four']);
    assert.deepEqual(c.lines.map((l) => l.offset), [0, 4, 8, 14]);
    assert.ok(c.lines.every((l) => l.input === path));
    assert.equal(s.counters.delivered, 4);
  });

  it('starts at the end of a file it has no checkpoint for, unless told to start at its start', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    writeFileSync(path, 'old\n');
    const c = collector();
    const s = new FileSource({ path, pollMs: 20 });
    await s.start(c.consumer);
    appendFileSync(path, 'new\n');
    await until(() => c.lines.length >= 1, 'the new line');
    await s.stop();
    assert.deepEqual(c.texts(), ['new']);
  });

  it('waits for a file that does not exist yet and reads it from its start', async () => {
    const dir = tempDir();
    const path = join(dir, 'later.log');
    const c = collector();
    const s = new FileSource({ path, pollMs: 20 });
    await s.start(c.consumer);
    writeFileSync(path, 'a\nb\n');
    await until(() => c.lines.length >= 2, 'both lines');
    await s.stop();
    assert.deepEqual(c.texts(), ['a', 'b']);
  });

  it('follows a rotation by rename, reading late writes to the old file before the new one', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    writeFileSync(path, numbered('a', 1, 100));
    const c = collector();
    const s = source(path, { rotateGraceMs: 300 });
    await s.start(c.consumer);
    await until(() => c.lines.length >= 100, 'the first 100');
    // The writer keeps its descriptor across the rename, as nginx does until it reopens.
    const fd = openSync(path, 'a');
    renameSync(path, `${path}.1`);
    writeSync(fd, numbered('a', 101, 150));
    writeFileSync(path, numbered('b', 1, 50));
    writeSync(fd, 'a151 cut short');
    closeSync(fd);
    await until(() => c.lines.length >= 201, 'every line');
    await s.stop();
    assert.deepEqual(c.texts(), [...range('a', 1, 150), 'a151 cut short', ...range('b', 1, 50)]);
    assert.equal(s.counters.rotations, 1);
  });

  it('follows copytruncate, reading the part it had not read yet from the copy', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    writeFileSync(path, numbered('a', 1, 10));
    let gate!: () => void;
    const held = new Promise<void>((r) => (gate = r));
    let first = true;
    const c = collector(async () => {
      if (first) {
        first = false;
        await held;
      }
    });
    const s = source(path);
    await s.start(c.consumer);
    await until(() => s.counters.bytes > 0, 'the first read');
    // While the consumer holds the first batch: more lines, then logrotate's copytruncate, then new lines.
    appendFileSync(path, numbered('a', 11, 20));
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, numbered('b', 1, 5));
    gate();
    await until(() => c.lines.length >= 25, 'every line');
    await s.stop();
    assert.deepEqual(c.texts(), [...range('a', 1, 20), ...range('b', 1, 5)]);
    assert.equal(s.counters.truncations, 1);
  });

  it('reads a file truncated and rewritten from its start again, even when it grew past the old offset', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    writeFileSync(path, numbered('a', 1, 5));
    const c = collector();
    const s = source(path);
    await s.start(c.consumer);
    await until(() => c.lines.length >= 5, 'the first five');
    writeFileSync(path, numbered('bb', 1, 2)); // shorter: caught by size
    await until(() => c.lines.length >= 7, 'the rewrite');
    writeFileSync(path, numbered('ccc', 1, 30)); // longer than what was read: caught by the first bytes
    await until(() => c.lines.length >= 37, 'the second rewrite');
    await s.stop();
    assert.deepEqual(c.texts(), [...range('a', 1, 5), ...range('bb', 1, 2), ...range('ccc', 1, 30)]);
    assert.equal(s.counters.truncations, 2);
  });

  it('catches a file rewritten longer while its first lines are still with the consumer', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    writeFileSync(path, numbered('bb', 1, 2));
    let rewrote = false;
    // The rewrite lands before the batch that read the old first lines is acknowledged.
    const c = collector((batch) => {
      if (!rewrote && batch.some((l) => l.text === 'bb2')) {
        rewrote = true;
        writeFileSync(path, numbered('ccc', 1, 30));
      }
    });
    const s = source(path);
    await s.start(c.consumer);
    await until(() => c.lines.length >= 32, 'the rewrite');
    await s.stop();
    assert.deepEqual(c.texts(), [...range('bb', 1, 2), ...range('ccc', 1, 30)]);
    assert.equal(s.counters.truncations, 1);
  });

  it('follows a file replaced by a different one at the same path', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    writeFileSync(path, 'old 1\nold 2\n');
    const c = collector();
    const s = source(path);
    await s.start(c.consumer);
    await until(() => c.lines.length >= 2, 'the old lines');
    writeFileSync(join(dir, 'tmp'), 'new 1\n');
    renameSync(join(dir, 'tmp'), path);
    await until(() => c.lines.length >= 3, 'the new line');
    rmSync(path);
    writeFileSync(path, 'newer 1\n');
    await until(() => c.lines.length >= 4, 'the newer line');
    await s.stop();
    assert.deepEqual(c.texts(), ['old 1', 'old 2', 'new 1', 'newer 1']);
    assert.equal(s.counters.rotations, 2);
  });

  it('resumes from its checkpoint after a restart, and after a rotation that happened while it was down', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const store = CheckpointStore.open(join(dir, 'cp.db'));
    writeFileSync(path, numbered('a', 1, 3));
    let c = collector();
    let s = new FileSource({ path, checkpoints: store, pollMs: 20 }); // startAt end: the checkpoint must win later
    await s.start(c.consumer);
    appendFileSync(path, numbered('a', 4, 6));
    await until(() => c.lines.length >= 3, 'a4..a6');
    await s.stop();
    assert.equal(store.get(path)?.offset, 18);

    appendFileSync(path, numbered('a', 7, 8));
    c = collector();
    s = new FileSource({ path, checkpoints: store, pollMs: 20 });
    await s.start(c.consumer);
    await until(() => c.lines.length >= 2, 'a7, a8');
    await s.stop();
    assert.deepEqual(c.texts(), ['a7', 'a8']);

    // Down: more lines, a rotation by rename, a new file.
    appendFileSync(path, numbered('a', 9, 10));
    renameSync(path, `${path}.1`);
    writeFileSync(`${path}.2.gz`, 'not looked at');
    writeFileSync(path, numbered('b', 1, 2));
    c = collector();
    s = new FileSource({ path, checkpoints: store, pollMs: 20 });
    await s.start(c.consumer);
    await until(() => c.lines.length >= 4, 'a9, a10, b1, b2');
    await s.stop();
    assert.deepEqual(c.texts(), ['a9', 'a10', 'b1', 'b2']);
    assert.equal(s.counters.rotations, 1);
    const cp = store.get(path)!;
    assert.equal(cp.offset, 6);
    store.close();
  });

  it('reads a file rewritten while it was down from its start', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const store = CheckpointStore.open(join(dir, 'cp.db'));
    writeFileSync(path, numbered('a', 1, 50));
    let c = collector();
    let s = source(path, { checkpoints: store });
    await s.start(c.consumer);
    await until(() => c.lines.length >= 50, 'fifty');
    await s.stop();
    // Same inode, other content, longer than the offset.
    writeFileSync(path, numbered('zz', 1, 60));
    c = collector();
    s = source(path, { checkpoints: store });
    await s.start(c.consumer);
    await until(() => c.lines.length >= 60, 'sixty');
    await s.stop();
    assert.equal(c.texts()[0], 'zz1');
    assert.equal(s.counters.truncations, 1);
    store.close();
  });

  it('delivers a refused batch again and does not checkpoint it until it is acknowledged', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const store = CheckpointStore.open(':memory:');
    writeFileSync(path, 'x\ny\n');
    let refusals = 0;
    const c = collector(() => {
      if (refusals < 2) {
        refusals++;
        assert.equal(store.get(path), undefined);
        throw new Error('busy');
      }
    });
    const s = source(path, { checkpoints: store });
    await s.start(c.consumer);
    await until(() => c.lines.length >= 2, 'the batch, acknowledged');
    await s.stop();
    assert.deepEqual(c.texts(), ['x', 'y']);
    assert.equal(s.counters.errors, 2);
    assert.equal(s.counters.lastError, 'busy');
    assert.equal(store.get(path)?.offset, 4);
  });

  it('bounds lines, counts malformed ones, and waits for its rate bound instead of dropping', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const bad = Buffer.concat([Buffer.from('bad '), Buffer.from([0xc3, 0x28]), Buffer.from('\nnul\0here\n'), Buffer.alloc(10, 0), Buffer.from('\n')]);
    writeFileSync(path, Buffer.concat([Buffer.from(`${'x'.repeat(500)}\n`), bad, Buffer.from(numbered('r', 1, 300))]));
    const c = collector();
    const s = source(path, { maxLineBytes: 100, ratePerSecond: 1000, burst: 50 });
    await s.start(c.consumer);
    await until(() => c.lines.length >= 303, 'every line');
    await s.stop();
    assert.equal(c.lines[0]!.text.length, 100);
    assert.equal(c.lines[0]!.truncated, true);
    assert.deepEqual(c.texts().slice(1, 3), ['bad \uFFFD(', 'nulhere']);
    assert.equal(s.counters.truncated, 1);
    assert.equal(s.counters.malformed, 2);
    assert.equal(s.counters.skipped, 1);
    assert.equal(s.counters.overRate, 0);
    assert.ok(s.counters.throttled > 0, 'the bucket made it wait');
    assert.ok(Math.max(...c.batches) <= 50, 'no batch larger than the burst');
  });
});
