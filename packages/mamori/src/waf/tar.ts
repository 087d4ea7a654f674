/**
 * A reader for rule archives (`.tar.gz`, as GitHub serves a release's source), written for
 * archives from the network: everything is bounded (the unpacked size, each entry's size,
 * the number of entries, the length of names and extended headers), and only regular files
 * and directories with relative names are accepted. A link, a device, a name that is absolute
 * or climbs out with `..`, a header whose checksum is wrong or an archive cut short refuses the
 * whole archive (`MAMORI_ERR_WAF_ARCHIVE`), naming the entry. Formats read: ustar and GNU
 * headers, pax extended headers (`path`, `size`) and pax global headers (read and ignored, as
 * `git archive` writes one), GNU long names (`L`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MamoriError } from '../core/errors.js';

export interface TarLimits {
  /** Files and directories (extended headers not counted). */
  readonly maxEntries: number;
  /** One file's size. */
  readonly maxEntryBytes: number;
  /** All files' sizes added up. */
  readonly maxTotalBytes: number;
  /** The uncompressed archive, headers included (what gunzip may produce). */
  readonly maxArchiveBytes: number;
}

export const DEFAULT_TAR_LIMITS: TarLimits = {
  maxEntries: 20_000,
  maxEntryBytes: 16 * 1024 * 1024,
  maxTotalBytes: 128 * 1024 * 1024,
  maxArchiveBytes: 160 * 1024 * 1024,
};

/** An extended header (pax, GNU long name) larger than this is refused. */
const MAX_EXTENDED_HEADER = 64 * 1024;
const MAX_NAME_LENGTH = 1024;
const MAX_NAME_DEPTH = 48;

export interface TarEntry {
  /** The entry's name, checked: relative, `/`-separated, no `.`, `..` or empty parts. */
  readonly path: string;
  readonly type: 'file' | 'directory';
  /** Whether any execute bit was set (files are written 0644 or 0755, nothing else kept). */
  readonly executable: boolean;
  /** A file's contents (empty for a directory): a view into the unpacked archive, not a copy. */
  readonly data: Buffer;
}

/** An entry as errors name it: its name, and where its header starts when that helps. */
type At = string | { readonly name: string; readonly offset: number };

function refuse(message: string, entry?: At): never {
  const where = entry === undefined ? '' : typeof entry === 'string' ? `entry ${printable(entry)}: ` : `entry ${printable(entry.name)} (header at byte ${entry.offset}): `;
  throw new MamoriError('MAMORI_ERR_WAF_ARCHIVE', `${where}${message}`);
}

/** A name as it can be printed: control characters shown as `?`, cut to 200 characters. */
function printable(name: string): string {
  const s = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}

/** Gunzips (bounded by `maxArchiveBytes`) and reads the tar inside. */
export function readTarGz(gz: Uint8Array, limits: Partial<TarLimits> = {}): TarEntry[] {
  const l = { ...DEFAULT_TAR_LIMITS, ...limits };
  if (gz.length < 18 || gz[0] !== 0x1f || gz[1] !== 0x8b) refuse('not a gzip file (a .tar.gz archive was expected)');
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: l.maxArchiveBytes });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) refuse(`it unpacks to more than ${l.maxArchiveBytes} bytes`);
    refuse(`the gzip data is damaged (${e.message})`);
  }
  return readTar(tar, l);
}

/** Reads an uncompressed tar archive held in memory. */
export function readTar(tar: Uint8Array, limits: Partial<TarLimits> = {}): TarEntry[] {
  const l = { ...DEFAULT_TAR_LIMITS, ...limits };
  if (tar.length > l.maxArchiveBytes) refuse(`it is larger than ${l.maxArchiveBytes} bytes`);
  const buf = Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  const out: TarEntry[] = [];
  const seen = new Map<string, 'file' | 'directory'>();
  let total = 0;
  let pos = 0;
  let pax: Map<string, string> | undefined;
  let longName: string | undefined;
  let ended = false;
  while (pos + 512 <= buf.length) {
    const h = buf.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) {
      ended = true;
      break;
    }
    const rawName = field(h, 0, 100);
    const at: At = { name: rawName || '(no name)', offset: pos };
    if (!checksumOk(h)) refuse(`the header's checksum is wrong (not a tar archive, or a damaged one)`, at);
    const type = String.fromCharCode(h[156]!);
    let size = octal(h, 124, 12, at);
    if (pax?.has('size') && type !== 'x' && type !== 'g') {
      const s = pax.get('size')!;
      if (!/^\d{1,15}$/.test(s)) refuse(`its extended header gives a bad size ${JSON.stringify(s.slice(0, 20))}`, at);
      size = Number(s);
    }
    const dataStart = pos + 512;
    const padded = Math.ceil(size / 512) * 512;
    const isHeader = type === 'x' || type === 'g' || type === 'L';
    if (isHeader && size > MAX_EXTENDED_HEADER) refuse(`its extended header is ${size} bytes (at most ${MAX_EXTENDED_HEADER})`, at);
    if (!isHeader && size > l.maxEntryBytes) refuse(`it is ${size} bytes (at most ${l.maxEntryBytes} per file)`, at);
    if (dataStart + size > buf.length) refuse('the archive ends inside it (truncated)', at);
    const data = buf.subarray(dataStart, dataStart + size);
    pos = dataStart + padded;
    if (type === 'x') {
      pax = readPax(data, at);
      continue;
    }
    if (type === 'g') continue; // global defaults (git archive's commit id): nothing mamori uses
    if (type === 'L') {
      longName = text(data.subarray(0, data.indexOf(0) === -1 ? data.length : data.indexOf(0)), at);
      continue;
    }
    let name = pax?.get('path') ?? longName;
    if (name === undefined) {
      const prefix = isUstar(h) ? field(h, 345, 155) : '';
      name = prefix ? `${prefix}/${rawName}` : rawName;
      name = text(Buffer.from(name, 'latin1'), at);
    }
    pax = undefined;
    longName = undefined;
    let kind: 'file' | 'directory';
    if (type === '0' || type === '\0') kind = name.endsWith('/') ? 'directory' : 'file';
    else if (type === '5') kind = 'directory';
    else refuse(`${TYPE_NAMES[type] ?? `entry type ${JSON.stringify(type)}`} is not accepted (only regular files and directories)`, name);
    const path = safePath(name);
    if (kind === 'directory' && size !== 0) refuse('a directory with contents', name);
    if (out.length >= l.maxEntries) refuse(`more than ${l.maxEntries} entries`);
    total += size;
    if (total > l.maxTotalBytes) refuse(`the files add up to more than ${l.maxTotalBytes} bytes`, name);
    const before = seen.get(path);
    if (before !== undefined && !(before === 'directory' && kind === 'directory')) refuse('the name appears twice', name);
    // A file where an earlier entry put a directory (or the reverse) is refused when written.
    seen.set(path, kind);
    const mode = octal(h, 100, 8, at);
    out.push({ path, type: kind, executable: kind === 'file' && (mode & 0o111) !== 0, data: kind === 'file' ? data : Buffer.alloc(0) });
  }
  if (!ended) refuse(out.length === 0 && pos === 0 ? 'not a tar archive (shorter than one header)' : 'the archive ends without its end marker (truncated)');
  if (pax !== undefined || longName !== undefined) refuse('an extended header with no entry after it');
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
  '7': 'a contiguous file',
  K: 'a GNU long link name',
  S: 'a GNU sparse file',
  M: 'a GNU multi-volume part',
  V: 'a GNU volume label',
};

/**
 * A name made safe to join to a directory, or a refusal: no absolute name (`/x`, `C:x`,
 * `\\x`), no backslash, no `..`, no control characters, bounded length and depth. `./` parts
 * and a trailing `/` are dropped.
 */
export function safePath(name: string): string {
  if (name.length === 0) refuse('an entry with no name');
  if (name.length > MAX_NAME_LENGTH) refuse(`a name longer than ${MAX_NAME_LENGTH} characters`, name.slice(0, 80));
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) refuse('a control character in the name', name);
  if (name.includes('\\')) refuse('a backslash in the name', name);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) refuse('an absolute name', name);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) refuse('a name that climbs out with ".."', name);
  if (parts.length === 0) refuse('a name that is only "." or "/"', name);
  if (parts.length > MAX_NAME_DEPTH) refuse(`a name more than ${MAX_NAME_DEPTH} folders deep`, name);
  return parts.join('/');
}

/**
 * Writes read entries under `dir` (which must be new or empty: it is not checked for links),
 * after dropping the first `strip` parts of each name (entries left with no name, like the
 * top folder itself, are skipped). Directories 0755, files 0644 or 0755.
 */
export function writeTarEntries(entries: readonly TarEntry[], dir: string, opts: { strip?: number } = {}): { files: number; bytes: number } {
  const strip = opts.strip ?? 0;
  let files = 0;
  let bytes = 0;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const e of entries) {
    const parts = e.path.split('/').slice(strip);
    if (parts.length === 0) continue;
    const target = join(dir, ...parts);
    try {
      if (e.type === 'directory') {
        mkdirSync(target, { recursive: true, mode: 0o755 });
        continue;
      }
      if (parts.length > 1) mkdirSync(join(dir, ...parts.slice(0, -1)), { recursive: true, mode: 0o755 });
      // 'wx': never through something already there (a file twice, a file over a directory).
      writeFileSync(target, e.data, { flag: 'wx', mode: e.executable ? 0o755 : 0o644 });
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_WAF_ARCHIVE', `entry ${printable(e.path)}: could not be written to ${target}: ${(err as Error).message}`, { cause: err });
    }
    files++;
    bytes += e.data.length;
  }
  return { files, bytes };
}

/** The one top folder every entry is under (GitHub's `repo-1.2.3/`), if there is one. */
export function commonTopFolder(entries: readonly TarEntry[]): string | undefined {
  let top: string | undefined;
  for (const e of entries) {
    const [first, ...rest] = e.path.split('/');
    if (rest.length === 0 && e.type === 'file') return undefined;
    if (top === undefined) top = first;
    else if (top !== first) return undefined;
  }
  return top;
}

function field(h: Buffer, start: number, len: number): string {
  const f = h.subarray(start, start + len);
  const end = f.indexOf(0);
  return f.subarray(0, end === -1 ? len : end).toString('latin1');
}

function isUstar(h: Buffer): boolean {
  return h.subarray(257, 262).toString('latin1') === 'ustar' && h[262] === 0;
}

function checksumOk(h: Buffer): boolean {
  const want = field(h, 148, 8).trim();
  if (!/^[0-7]{1,8}$/.test(want)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum === parseInt(want, 8);
}

/** A numeric field: octal digits (space or NUL ended); base-256 (GNU's large numbers) is refused. */
function octal(h: Buffer, start: number, len: number, at: At): number {
  if ((h[start]! & 0x80) !== 0) refuse('a size or mode in base-256 form (a file too large for these archives)', at);
  const s = field(h, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) refuse(`a numeric field that is not octal (${JSON.stringify(s)})`, at);
  return parseInt(s, 8);
}

function text(bytes: Buffer, at: At): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse('a name that is not UTF-8', at);
  }
}

/** pax records: `LEN key=value\n`, LEN counting the whole record. */
function readPax(data: Buffer, at: At): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    if (data[i] === 0) break;
    const sp = data.indexOf(0x20, i);
    const lenText = sp === -1 ? '' : data.subarray(i, sp).toString('latin1');
    if (!/^\d{1,6}$/.test(lenText)) refuse('a malformed extended (pax) header', at);
    const len = Number(lenText);
    const end = i + len;
    if (len <= lenText.length + 1 || end > data.length || data[end - 1] !== 0x0a) refuse('a malformed extended (pax) header', at);
    const rec = text(data.subarray(sp + 1, end - 1), at);
    const eq = rec.indexOf('=');
    if (eq <= 0) refuse('a malformed extended (pax) header', at);
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i = end;
  }
  return out;
}
