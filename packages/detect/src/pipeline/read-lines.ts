/**
 * Lines of a log file, plain or gzip (told by its first bytes, not its name),
 * as RawLines. Streams: memory stays at a chunk and one line, whatever the
 * file's size; a line longer than `maxLine` is cut there and marked truncated.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { RawLine } from '../model.js';

export const DEFAULT_MAX_LINE = 16 * 1024;
/** Most lines in one batch of readLineBatches. */
const MAX_BATCH = 4096;

export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The file's lines; `offset` is the byte offset in the (decompressed) stream. */
export async function* readLines(path: string, opts: { maxLine?: number; receivedAt?: number } = {}): AsyncGenerator<RawLine> {
  for await (const batch of readLineBatches(path, opts)) yield* batch;
}

/**
 * The file's lines as readLines gives them, a chunk's worth at a time (256 KiB of the file:
 * at most 4,096 lines), so a reader pays for one promise per chunk rather than per line.
 */
export async function* readLineBatches(path: string, opts: { maxLine?: number; receivedAt?: number } = {}): AsyncGenerator<RawLine[]> {
  const maxLine = opts.maxLine ?? DEFAULT_MAX_LINE;
  const receivedAt = opts.receivedAt ?? Date.now();
  const gz = await isGzip(path);
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  const stream = gz ? file.pipe(createGunzip()) : file;
  if (gz) file.on('error', (err) => stream.destroy(err));
  let carry: Buffer | null = null;
  let carryStart = 0;
  let skipping = false;
  let pos = 0;
  const make = (buf: Buffer, start: number, end: number, offset: number, truncated: boolean): RawLine => {
    if (end > start && buf[end - 1] === 13) end--; // CRLF
    const text = buf.toString('utf8', start, end);
    return truncated ? { text, input: path, receivedAt, offset, truncated } : { text, input: path, receivedAt, offset };
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let out: RawLine[] = [];
    let buf: Buffer = chunk;
    let base = pos;
    if (carry) {
      buf = Buffer.concat([carry, chunk]);
      base = carryStart;
      carry = null;
    }
    pos += chunk.length;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      if (skipping) skipping = false;
      else if (nl - start > maxLine) out.push(make(buf, start, start + maxLine, base + start, true));
      else out.push(make(buf, start, nl, base + start, false));
      start = nl + 1;
      if (out.length >= MAX_BATCH) {
        // A chunk of short lines: at most MAX_BATCH lines are held at once.
        yield out;
        out = [];
      }
    }
    if (start < buf.length) {
      if (skipping) {
        if (out.length > 0) yield out;
        continue;
      }
      if (buf.length - start > maxLine) {
        // A line past the bound: give its first maxLine bytes now, drop the rest up to its end.
        out.push(make(buf, start, start + maxLine, base + start, true));
        skipping = true;
      } else {
        carry = buf.subarray(start);
        carryStart = base + start;
      }
    }
    if (out.length > 0) yield out;
  }
  if (carry && carry.length > 0) yield [make(carry, 0, carry.length, carryStart, false)];
}
