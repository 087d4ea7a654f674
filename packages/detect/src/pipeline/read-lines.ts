/**
 * Lines of a log file, plain or gzip (told by its first bytes, not its name),
 * as RawLines. Streams: memory stays at a chunk and one line, whatever the
 * file's size; a line longer than `maxLine` is cut there and marked truncated.
 * The file is read once from its start, never by position, so a pipe, a FIFO
 * or `<(zcat ...)` reads as a file does.
 */
import { createReadStream, fstatSync, open as fsOpen } from 'node:fs';
import { Socket } from 'node:net';
import { ReadStream as TtyReadStream, isatty } from 'node:tty';
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
  /** Most bytes one gzip input may inflate to (default 16 GiB, as mamori watch's replay source): a bound on a decompression bomb. */
  readonly maxInflatedBytes?: number;
}

export const DEFAULT_MAX_LINE = 16 * 1024;
export const DEFAULT_MAX_INFLATED = 16 * 2 ** 30;
/** Most lines in one batch of readLineBatches. */
const MAX_BATCH = 4096;

/** The file's lines; `offset` is the byte offset in the (decompressed) stream. */
export async function* readLines(source: string | LineSource, opts: ReadLineOptions = {}): AsyncGenerator<RawLine> {
  for await (const batch of readLineBatches(source, opts)) yield* batch;
}

/**
 * A stream's bytes, gunzipped when its first two bytes are gzip's magic. The first bytes are
 * read from the stream itself (no second open, no positioned read), then handed on with the rest.
 */
export async function* plainBytes(raw: Readable, maxInflated: number = DEFAULT_MAX_INFLATED): AsyncGenerator<Buffer> {
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
  try {
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      const gunzip = createGunzip();
      // pipeline ends both on an error in either; the error reaches the loop below through gunzip.
      pipeline(Readable.from(all(), { objectMode: false }), gunzip, () => {});
      let inflated = 0;
      for await (const chunk of gunzip as AsyncIterable<Buffer>) {
        inflated += chunk.length;
        if (inflated > maxInflated) throw new Error(`inflates past ${maxInflated} bytes (a decompression bomb?): stopped there`);
        yield chunk;
      }
    } else {
      yield* all();
    }
  } finally {
    // Here too, not only in all(): all() may be waiting on the source's next read when gunzip
    // fails or the reader breaks off, and its own finally would run only once that read came
    // back. A pipe whose writer neither writes nor closes (corrupt gzip on standard input) held
    // mamori replay until the writer went away.
    raw.destroy();
  }
}

/**
 * The bytes of an open file descriptor, read as its kind asks: a pipe, a FIFO (`mkfifo`, and
 * `<(zcat x.gz)`, a pipe under /dev/fd) or a socket as a socket, a terminal as a terminal, else
 * (a file, /dev/null) through fs. A pipe is not read through fs: a read of fs waits on a thread
 * of the pool until the writer writes or closes, and neither destroy() nor a worker's exit calls
 * it off, so a replay that stopped on bad bytes from a writer that stays open
 * (`(zcat bad.gz; sleep 1h) | mamori replay -`) waited for the writer. A socket's read ends
 * when it is destroyed. `autoClose: false` leaves a file's descriptor open (standard input).
 */
export function fdStream(fd: number, opts: { autoClose: boolean }): Readable {
  let kind: 'stream' | 'tty' | 'file' = 'file';
  try {
    const st = fstatSync(fd);
    kind = st.isFIFO() || st.isSocket() ? 'stream' : isatty(fd) ? 'tty' : 'file';
  } catch {
    // a descriptor that cannot be stat'ed: the read through fs gives the error
  }
  if (kind === 'stream') return new Socket({ fd, readable: true, writable: false });
  if (kind === 'tty') return new TtyReadStream(fd);
  return createReadStream('', { fd, autoClose: opts.autoClose, highWaterMark: 256 * 1024 });
}

/** A path's bytes (fdStream: a FIFO is read as a socket). The open itself waits for a FIFO's writer, as any reader of one does. */
export async function openPath(path: string): Promise<Readable> {
  const fd = await new Promise<number>((resolve, reject) => fsOpen(path, 'r', (err, n) => (err ? reject(err) : resolve(n))));
  return fdStream(fd, { autoClose: true });
}

/**
 * The bytes' errors named after their input (`auth.log.3.gz: Z_BUF_ERROR: unexpected end of file`)
 * unless their message names it already (ENOENT's does): one bad file among thirty replayed is
 * told apart. The original error is the cause.
 */
async function* named(path: string, bytes: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* bytes;
  } catch (err) {
    const e = (err ?? {}) as { code?: unknown; message?: unknown };
    const message = typeof e.message === 'string' ? e.message : String(err);
    if (message.includes(path)) throw err;
    const code = typeof e.code === 'string' && e.code !== '' && !message.startsWith(`${e.code}:`) ? `${e.code}: ` : '';
    throw new Error(`${path}: ${code}${message}`, { cause: err });
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
  const raw = typeof source === 'string' ? await openPath(source) : source.open();
  const stream = named(path, plainBytes(raw, opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED));
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
