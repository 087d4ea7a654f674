import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { collector, tempDir } from './collect.case.js';
import { ReplaySource, StdinSource, rotatedSeries } from './stream.js';

describe('ReplaySource', () => {
  it('reads a log and its rotations oldest first, plain or gzip (told by content), to the end', async () => {
    const dir = tempDir();
    const log = join(dir, 'access.log');
    writeFileSync(`${log}.3.gz`, gzipSync('l1\nl2\n'));
    writeFileSync(`${log}.2.gz`, gzipSync('l3\nl4 no newline'));
    writeFileSync(`${log}.1`, gzipSync('l5\n')); // compressed without the .gz name
    writeFileSync(`${log}.10.gz`, gzipSync('l0\n'));
    writeFileSync(log, 'l6\n');
    writeFileSync(join(dir, 'other.log'), 'x\n');
    const paths = await rotatedSeries(log);
    assert.deepEqual(paths.map((p) => p.slice(dir.length + 1)), ['access.log.10.gz', 'access.log.3.gz', 'access.log.2.gz', 'access.log.1', 'access.log']);
    const c = collector();
    const s = new ReplaySource({ paths });
    await s.start(c.consumer);
    await s.done;
    assert.deepEqual(c.texts(), ['l0', 'l1', 'l2', 'l3', 'l4 no newline', 'l5', 'l6']);
    assert.equal(c.lines[1]!.input, `${log}.3.gz`);
    assert.equal(s.counters.delivered, 7);
  });

  it('counts a broken gzip file and a missing one, and goes on with the next', async () => {
    const dir = tempDir();
    const good = gzipSync('a\nb\n');
    writeFileSync(join(dir, 'cut.gz'), good.subarray(0, good.length - 6));
    writeFileSync(join(dir, 'bomb.gz'), gzipSync(Buffer.alloc(1 << 20, 0x41)));
    writeFileSync(join(dir, 'ok.log'), 'c\n');
    const c = collector();
    const s = new ReplaySource({ paths: [join(dir, 'cut.gz'), join(dir, 'missing'), join(dir, 'bomb.gz'), join(dir, 'ok.log')], maxInflatedBytes: 1000, maxLineBytes: 100 });
    await s.start(c.consumer);
    await s.done;
    assert.equal(c.texts()[c.texts().length - 1], 'c');
    assert.equal(s.counters.errors, 3);
  });
});

describe('StdinSource', () => {
  it('reads a stream to its end in batches, pushing back while the consumer works', async () => {
    const input = new PassThrough();
    let inFlight = 0;
    let most = 0;
    const c = collector(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
    });
    const s = new StdinSource({ stream: input, maxBatch: 100 });
    await s.start(c.consumer);
    for (let i = 0; i < 1000; i++) input.write(`line ${i}\n`);
    input.end('last');
    await s.done;
    assert.equal(c.lines.length, 1001);
    assert.equal(c.lines[1000]!.text, 'last');
    assert.equal(c.lines[0]!.input, 'stdin');
    assert.equal(most, 1, 'one batch at a time');
    assert.ok(Math.max(...c.batches) <= 100);
  });
});
