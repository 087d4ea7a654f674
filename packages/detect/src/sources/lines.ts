/**
 * Bytes to lines, bounded: splits on LF (a CR before it goes too), keeps at most
 * `maxBytes` of a line and drops the rest up to the next LF, and decodes UTF-8 saying
 * whether the bytes were valid. Offsets are bytes from where the splitter started, so a
 * file source can checkpoint the end of the last line it delivered.
 */
import { isUtf8 } from 'node:buffer';

export interface SplitLine {
  readonly text: string;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
  /** Byte offset just past its LF (where the next line starts). */
  readonly end: number;
  readonly truncated: boolean;
  /** Bad UTF-8 or NULs: passed with what could be read. */
  readonly malformed: boolean;
}

export interface Decoded {
  readonly text: string;
  readonly malformed: boolean;
}

/** The longest prefix of `buf` of at most `max` bytes that does not split a UTF-8 character. */
export function cutUtf8(buf: Buffer, max: number): Buffer {
  if (buf.length <= max) return buf;
  let end = max;
  // Back off over continuation bytes (10xxxxxx), at most three.
  for (let i = 0; i < 3 && end > 0 && (buf[end]! & 0xc0) === 0x80; i++) end--;
  return buf.subarray(0, end);
}

/** A string cut to at most `max` bytes of UTF-8, and whether it was cut. */
export function cutText(s: string, max: number): { text: string; truncated: boolean } {
  // Each UTF-16 unit is at most 3 bytes of UTF-8: short strings need no measuring.
  if (s.length * 3 <= max) return { text: s, truncated: false };
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return { text: s, truncated: false };
  return { text: cutUtf8(b, max).toString('utf8'), truncated: true };
}

/**
 * Decodes one line's bytes (without its LF). NULs are removed and make the line malformed;
 * so does bad UTF-8, whose bytes become U+FFFD. `null`: nothing left (an empty line, or
 * only NULs as a sparse file's hole reads).
 */
export function decodeLine(buf: Buffer): Decoded | null {
  let b = buf;
  if (b.length > 0 && b[b.length - 1] === 13) b = b.subarray(0, b.length - 1);
  if (b.length === 0) return null;
  let malformed = false;
  if (b.indexOf(0) !== -1) {
    malformed = true;
    const kept = Buffer.allocUnsafe(b.length);
    let n = 0;
    for (const x of b) if (x !== 0) kept[n++] = x;
    if (n === 0) return { text: '', malformed: true };
    b = kept.subarray(0, n);
  }
  const text = b.toString('utf8');
  // U+FFFD in the text is either the decoder's replacement or a real, valid U+FFFD.
  if (!malformed && text.includes('\uFFFD') && !isUtf8(b)) malformed = true;
  return { text, malformed };
}

export class LineSplitter {
  readonly #max: number;
  /** Bytes held of the partial line (at most #max + 1 of them: one more tells it was cut). */
  #parts: Buffer[] = [];
  #held = 0;
  /** Where the partial line starts, and its full length so far (held or not). */
  #lineStart: number;
  #partialLen = 0;
  /** Lines whose bytes held nothing but NULs, skipped. */
  nulOnly = 0;

  constructor(maxBytes: number, startOffset = 0) {
    this.#max = maxBytes;
    this.#lineStart = startOffset;
  }

  /** Where the partial line starts: the end of the last complete line. */
  get lineStart(): number {
    return this.#lineStart;
  }

  /** Bytes of a line begun but not ended. */
  get partialBytes(): number {
    return this.#partialLen;
  }

  /** Forgets everything and restarts counting at `offset`. */
  reset(offset: number): void {
    this.#parts = [];
    this.#held = 0;
    this.#partialLen = 0;
    this.#lineStart = offset;
  }

  /** Splits a chunk, appending each complete line to `out`. */
  push(chunk: Buffer, out: SplitLine[]): void {
    const base = this.#lineStart + this.#partialLen;
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      if (nl === -1) break;
      const tail = chunk.subarray(from, nl);
      if (this.#partialLen === 0) this.#emit(tail, tail.length, base + nl + 1, out);
      else {
        this.#hold(tail);
        this.#emit(this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts), this.#partialLen, base + nl + 1, out);
      }
      from = nl + 1;
    }
    if (from < chunk.length) this.#hold(chunk.subarray(from));
  }

  /** The end of input: the partial line, if any, becomes a line. */
  flush(out: SplitLine[]): void {
    if (this.#partialLen === 0) return;
    const bytes = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
    this.#emit(bytes, this.#partialLen, this.#lineStart + this.#partialLen, out);
  }

  #hold(b: Buffer): void {
    this.#partialLen += b.length;
    const room = this.#max + 2 - this.#held;
    if (room <= 0) return;
    const keep = b.length <= room ? b : b.subarray(0, room);
    // A copy: the chunk's memory is reused by the reader.
    this.#parts.push(Buffer.from(keep));
    this.#held += keep.length;
  }

  /** Emits one line: `bytes` (some or all of its `full` bytes), ending just before `end`. */
  #emit(bytes: Buffer, full: number, end: number, out: SplitLine[]): void {
    const start = this.#lineStart;
    this.#lineStart = end;
    this.#parts = [];
    this.#held = 0;
    this.#partialLen = 0;
    // A CR before the LF does not count toward the bound.
    const len = full > 0 && full <= bytes.length && bytes[full - 1] === 13 ? full - 1 : full;
    let truncated = false;
    if (len > this.#max) {
      bytes = cutUtf8(bytes, this.#max);
      truncated = true;
    }
    const d = decodeLine(bytes);
    if (d === null) return;
    if (d.text === '') {
      this.nulOnly++;
      return;
    }
    out.push({ text: d.text, offset: start, end, truncated, malformed: d.malformed });
  }
}
