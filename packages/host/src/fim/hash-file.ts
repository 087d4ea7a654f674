/**
 * Hashes one regular file, in fixed-size reads of READ_BUFFER (any size, bounded memory), without following
 * a symlink and without hanging on a FIFO: opened O_NOFOLLOW | O_NONBLOCK, then fstat'd, and
 * refused unless it is still the regular file the walk saw (same device and inode), so a path
 * swapped for a link or a pipe between the walk and the read is reported, not read.
 * Used by the hashing workers and, for small jobs, on the calling thread.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { createHash, hash } from 'node:crypto';
import { isSparse, sparseUnhashed, type HoleBudget } from '../sparse.js';

export interface HashJob {
  path: string;
  dev: bigint;
  ino: bigint;
  /** Return the content when the file is at most this many bytes (for diffs); 0: never. */
  keep: number;
  /** Hash a sparse file whole too (its rule's `hash_sparse`); else it is reported, not read (see sparse.ts). */
  hashSparse: boolean;
}

export type HashResult =
  | { ok: true; sha256: string; size: number; content?: Uint8Array | undefined }
  | { ok: false; error: string };

/**
 * Reads of 128 KiB: measured here, a 1 MiB buffer halves the throughput (the copy from the
 * page cache and the hash's pass over it no longer share the core's 512 KiB L2 cache).
 */
export const READ_BUFFER = 128 << 10;

const FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'vanished during the scan';
  if (code === 'ELOOP') return 'replaced by a symlink during the scan';
  if (code === 'EACCES' || code === 'EPERM') return 'unreadable (permission denied)';
  // A write lease (F_SETLEASE, which a file's owner may take) makes a non-blocking open fail until
  // its holder lets go (lease-break-time, 45 s by default): waiting would let any owner hold the
  // check for that long per file, so it is said, and the next check tries again (S17F-4).
  if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return 'unreadable (EAGAIN: another process holds a lease on it; the next check tries again)';
  return `unreadable (${code ?? (err as Error).message})`;
}

/** The chunks in a fresh buffer of its own (never Node's shared pool: workers transfer it). */
function own(chunks: Buffer[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function hashFile(job: HashJob, buf: Buffer): HashResult {
  let fd: number;
  try {
    fd = openSync(job.path, FLAGS);
  } catch (err) {
    return { ok: false, error: why(err) };
  }
  try {
    // Numbers, not BigInts (cheaper, and this runs for every file): an inode number past 2^53
    // rounds the same way on both sides, so the same file still compares equal.
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, error: 'not a regular file any more (replaced during the scan)' };
    if (st.ino !== Number(job.ino) || st.dev !== Number(job.dev)) return { ok: false, error: 'replaced by another file during the scan' };
    return hashOpen(fd, st, job, buf);
  } catch (err) {
    return { ok: false, error: why(err) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens a path as hashFile does (no symlink followed, no FIFO waited on): the descriptor, or
 * undefined when it cannot be opened (the caller looks at the path some other way).
 */
export function openForHash(path: string): number | undefined {
  try {
    return openSync(path, FLAGS);
  } catch {
    return undefined;
  }
}

/**
 * Hashes an open regular file from its start, `st` being its fstat (size and blocks are what
 * is used): up to the size fstat gave, in reads of `buf`. Never throws: a read error is the
 * result's error. The caller closes `fd`.
 */
export function hashOpen(fd: number, st: { size: number | bigint; blocks: number | bigint }, job: Pick<HashJob, 'keep' | 'hashSparse'> & { holes?: HoleBudget | undefined }, buf: Buffer): HashResult {
  try {
    const end = Number(st.size);
    const shape = { size: end, blocks: Number(st.blocks) };
    if (!job.hashSparse && (job.holes ? job.holes.sparse(shape) : isSparse(shape))) return { ok: false, error: sparseUnhashed(shape) };
    // Read up to the size fstat gave, never on to the end: a file that grows after fstat (a hole
    // added by `truncate -s 4T` the moment it is opened, S17H-1) would otherwise be read for hours,
    // after the sparse test above had passed it. What it grew by is seen by the next check (size).
    let n = end > 0 ? readSync(fd, buf, 0, Math.min(buf.length, end), null) : 0;
    // Most files are one read: a read that reaches the size fstat gave is the whole of a regular
    // file, hashed in one call (no Hash object to make, and no read that returns 0).
    if (n === end) {
      const part = buf.subarray(0, n);
      return { ok: true, sha256: hash('sha256', part, 'hex'), size: n, content: job.keep > 0 && n <= job.keep ? own([part], n) : undefined };
    }
    const h = createHash('sha256');
    let size = 0;
    const chunks: Buffer[] = [];
    let keeping = job.keep > 0;
    while (n > 0) {
      const part = buf.subarray(0, n);
      h.update(part);
      size += n;
      if (keeping) {
        if (size > job.keep) {
          keeping = false;
          chunks.length = 0;
        } else chunks.push(Buffer.from(part));
      }
      if (size >= end) break;
      n = readSync(fd, buf, 0, Math.min(buf.length, end - size), null);
    }
    return { ok: true, sha256: h.digest('hex'), size, content: keeping ? own(chunks, size) : undefined };
  } catch (err) {
    return { ok: false, error: why(err) };
  }
}
