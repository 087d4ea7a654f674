/**
 * Red team of the streamed replay input (bench/redteam/README-s16.md): a stream whose writer
 * neither writes nor closes, as standard input from a pipe is while the program feeding it
 * waits. What is wrong with its bytes must end the read at once, not when the writer goes away.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readLines } from './read-lines.js';

/** A source that hands out `chunks`, then waits for ever (nothing more, no end). */
function stalled(chunks: Buffer[]): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i < chunks.length) this.push(chunks[i++]);
    },
  });
}

/** Whether `p` settles within `ms`. */
async function settlesWithin<T>(p: Promise<T>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a stream whose writer stays open (red team s16)', () => {
  const text = Buffer.from('line one\nline two\n'.repeat(2000));
  const gz = gzipSync(text);

  it('corrupt gzip: the read fails and the source is closed at once (S16-1)', async () => {
    const bad = Buffer.from(gz);
    bad[bad.length - 6]! ^= 0xff; // the CRC: "incorrect data check" once the member is read
    const source = stalled([bad.subarray(0, 20), bad.subarray(20)]);
    const read = (async () => {
      for await (const _ of readLines({ path: '(stdin)', open: () => source }));
    })();
    read.catch(() => undefined);
    assert.equal(await settlesWithin(read, 2000), true, 'the read ends on the bad bytes, not when the writer closes');
    await assert.rejects(read, /Z_DATA_ERROR|invalid|incorrect/i);
    assert.equal(source.destroyed, true, 'standard input is let go, so the process can end');
  });

  it('a reader that breaks off a gzip stream closes the source though more is still to come (S16-1)', async () => {
    const source = stalled([gz]);
    for await (const l of readLines({ path: '(stdin)', open: () => source })) if ((l.offset ?? 0) > 100) break;
    // (The gunzip side lets go of the source as soon as the reader does.)
    await new Promise((r) => setImmediate(r));
    assert.equal(source.destroyed, true);
  });

  it("an error in the bytes names the input it came from (S16-2)", async () => {
    const cut = gz.subarray(0, gz.length - 40);
    await assert.rejects(async () => {
      for await (const _ of readLines({ path: 'old/auth.log.3.gz', open: () => Readable.from([cut]) }));
    }, (err: Error) => err.message.startsWith('old/auth.log.3.gz: ') && /unexpected end of file/.test(err.message));
  });
});
