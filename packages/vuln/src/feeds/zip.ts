/**
 * Reading the entries of a ZIP archive (OSV publishes each ecosystem as `all.zip`), bounded:
 * entry count, each entry's and the total uncompressed size (inflate is capped, so a zip bomb
 * stops at the cap), stored or deflated entries only, no ZIP64. The archive is in memory (its
 * download is bounded already).
 */
import { inflateRawSync } from 'node:zlib';
import { RecordError } from './json.js';

export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxEntryBytes: number;
  readonly maxTotalBytes: number;
}
export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 200_000, maxEntryBytes: 8 * 1024 * 1024, maxTotalBytes: 2 * 1024 * 1024 * 1024 };

/** Calls `each(name, data)` for every file entry; throws RecordError naming the archive on a malformed one. */
export function readZip(buf: Buffer, where: string, each: (name: string, data: Buffer) => void, limits: ZipLimits = DEFAULT_ZIP_LIMITS): number {
  const fail = (m: string): never => {
    throw new RecordError(`${where}: ${m}`);
  };
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('not a ZIP archive (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) fail('ZIP64 archives are not read');
  if (count > limits.maxEntries) fail(`more than ${limits.maxEntries} entries`);
  if (cdOffset + cdSize > eocd) fail('the central directory lies outside the archive');
  let p = cdOffset;
  let total = 0;
  let files = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== 0x02014b50) fail(`central directory entry ${n} is malformed`);
    const method = buf.readUInt16LE(p + 10);
    const compSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if (size > limits.maxEntryBytes) fail(`${name}: ${size} bytes uncompressed, more than ${limits.maxEntryBytes}`);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) fail(`${name}: local header is malformed`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compSize > buf.length) fail(`${name}: data lies outside the archive`);
    const raw = buf.subarray(start, start + compSize);
    let data: Buffer;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: limits.maxEntryBytes });
      } catch (err) {
        return fail(`${name}: cannot inflate (${(err as Error).message})`);
      }
    } else return fail(`${name}: compression method ${method} is not read`);
    total += data.length;
    if (total > limits.maxTotalBytes) fail(`more than ${limits.maxTotalBytes} bytes uncompressed`);
    files++;
    each(name, data);
  }
  return files;
}
