/**
 * Lines of a log file, plain or gzip (told by its first bytes, not its name),
 * as RawLines. Streams: memory stays at a chunk and one line, whatever the
 * file's size; a line longer than `maxLine` is cut there and marked truncated.
 * The file is read once from its start, never by position, so a pipe, a FIFO
 * or `<(zcat ...)` reads as a file does.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { RawLine } from '../model.js';

/** Where lines come from: a path, or a stream opened on demand and named for the report. */
export interface LineSource {
  /** Shown in the tally and carried as each line's `input`. */
  readonly path: string;
  /** Opens the bytes (plain or gzip); read once, from the start. */
  readonly open: () => Readable;
}

export interface ReadLineOptions {
  readonly maxLine?: number;
  readonly receivedAt?: number;
}

export const DEFAULT_MAX_LINE = 16 * 1024;
/** Most lines in one batch of readLineBatches. */
const MAX_BATCH = 4096;

/** Whether the file starts with gzip's magic bytes (reads its first two bytes by position: files only). */
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
export async function* readLines(source: string | LineSource, opts: ReadLineOptions = {}): AsyncGenerator<RawLine> {
  for await (const batch of readLineBatches(source, opts)) yield* batch;
}

/**
 * A stream's bytes, gunzipped when its first two bytes are gzip's magic. The first bytes are
 * read from the stream itself (no second open, no positioned read), then handed on with the rest.
 */
async function* plainBytes(raw: Readable): AsyncGenerator<Buffer> {
  const it = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  let ended = false;
  try {
    while (head.length < 2) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      head = head.length === 0 ? r.value : Buffer.concat([head, r.value]);
    }
  } catch (err) {
    raw.destroy();
    throw err;
  }
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      while (!ended) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      // Stopped early (an error downstream, the reader broke off): the file is closed.
      raw.destroy();
    }
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    // pipeline ends both on an error in either; the error reaches the loop below through gunzip.
    pipeline(Readable.from(all(), { objectMode: false }), gunzip, () => {});
    yield* gunzip as AsyncIterable<Buffer>;
  } else {
    yield* all();
  }
}

/**
 * The file's lines as readLines gives them, a chunk's worth at a time (256 KiB of the file:
 * at most 4,096 lines), so a reader pays for one promise per chunk rather than per line.
 */
export async function* readLineBatches(source: string | LineSource, opts: ReadLineOptions = {}): AsyncGenerator<RawLine[]> {
  const maxLine = opts.maxLine ?? DEFAULT_MAX_LINE;
  const receivedAt = opts.receivedAt ?? Date.now();
  const path = typeof source === 'string' ? source : source.path;
  const raw = typeof source === 'string' ? createReadStream(source, { highWaterMark: 256 * 1024 }) : source.open();
  const stream = plainBytes(raw);
  let carry: Buffer | null = null;
  let carryStart = 0;
  let skipping = false;
  let pos = 0;
  const make = (buf: Buffer, start: number, end: number, offset: number, truncated: boolean): RawLine => {
    if (end > start && buf[end - 1] === 13) end--; // CRLF
    const text = buf.toString('utf8', start, end);
    return truncated ? { text, input: path, receivedAt, offset, truncated } : { text, input: path, receivedAt, offset };
  };
  for await (const chunk of stream) {
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
