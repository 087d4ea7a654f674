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

/** Holes read back in one run at most, over all the files of fewer holes than HOLES_BOUND: 1 GiB. */
export const HOLES_BUDGET = 1 << 30;
/** Holes a file may have without being charged to the budget (slack, a last partial block): 1 MiB. */
export const HOLES_FREE = 1 << 20;

/**
 * One run's allowance for reading holes back (finding S17H-5: a thousand files of 63 MiB of holes
 * each, no disk taken, each under HOLES_BOUND, were all read on every run). A file of more than
 * HOLES_FREE of holes is read while the run has holes left to read, in the order the run meets
 * them; past that it counts as sparse, as one over HOLES_BOUND always does.
 */
export class HoleBudget {
  #left: number;

  constructor(total = HOLES_BUDGET) {
    this.#left = total;
  }

  /**
   * Whether a file of this size and these blocks is not to be read back; charges what is read
   * (less `charged`: holes of it already read within the allowance, see charge).
   */
  sparse(st: { size: number; blocks: number }, charged = 0): boolean {
    const h = holesOf(st);
    if (h > HOLES_BOUND) return true;
    if (h <= HOLES_FREE) return false;
    return !this.charge(h - charged);
  }

  /** Takes `n` bytes of holes from the allowance: false (and nothing taken) when it has not that many left. */
  charge(n: number): boolean {
    if (n > this.#left) return false;
    this.#left -= Math.max(0, n);
    return true;
  }
}

/** How a report names it. */
export function sparseNote(st: { size: number; blocks: number }): string {
  return `a sparse file (${st.size} bytes, ${st.size - holesOf(st)} of them on disk)`;
}

/** How fim's record of a sparse file it did not hash begins (its `error`). */
export const SPARSE_UNHASHED = 'not hashed: a sparse file';

/** fim's record error for a sparse file it did not hash. */
export function sparseUnhashed(st: { size: number; blocks: number }): string {
  return `not hashed: ${sparseNote(st)}; its rule's hash_sparse: true hashes it whole`;
}

/** Whether a fim record's error says it was not hashed for being sparse (not a transient failure). */
export function isSparseUnhashed(error: string | null | undefined): boolean {
  return error?.startsWith(SPARSE_UNHASHED) === true;
}
