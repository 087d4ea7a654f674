/**
 * Sparse files (finding S16H-8 of bench/redteam/README-host-s16.md). `truncate -s 4T f` costs no
 * disk, yet reading it back yields four terabytes of zeros: hashed whole, one such file holds a
 * `fim check` or a `scan` for hours, and a directory of them for ever. Node cannot ask where a
 * file's data lies (no SEEK_DATA), so a file with more holes than HOLES_BOUND is not read past
 * what is scanned anyway, and says so: fim reports it as a file it could not check (unless its
 * rule says `hash_sparse: true`), scan calls it suspicious. A file of real data of any size
 * is still hashed whole: its cost is bounded by the disk it takes.
 *
 * Filesystems that compress (btrfs, ZFS) also report fewer blocks than bytes: a large, very
 * compressible file there looks sparse, and is treated the same way (docs/fim.md says so).
 */

/** Holes (apparent size less the allocated bytes) past which a file counts as sparse: 64 MiB. */
export const HOLES_BOUND = 64 << 20;

/** The bytes of an lstat/fstat result that are holes, not data on disk. */
export function holesOf(st: { size: number; blocks: number }): number {
  return Number.isFinite(st.blocks) ? Math.max(0, st.size - st.blocks * 512) : 0;
}

/** Whether reading this file back would cost far more than the disk it takes. */
export function isSparse(st: { size: number; blocks: number }): boolean {
  return holesOf(st) > HOLES_BOUND;
}

/** How a report names it. */
export function sparseNote(st: { size: number; blocks: number }): string {
  return `a sparse file (${st.size} bytes, ${st.size - holesOf(st)} of them on disk)`;
}

/** How fim's record of a sparse file it did not hash begins (its `error`). */
export const SPARSE_UNHASHED = 'not hashed: a sparse file';

/** Whether a fim record's error says it was not hashed for being sparse (not a transient failure). */
export function isSparseUnhashed(error: string | null | undefined): boolean {
  return error?.startsWith(SPARSE_UNHASHED) === true;
}
