/**
 * Hashes many files: on this thread by default, or on `threads` threads (this one and workers)
 * when asked and the job is big enough to repay starting them. One thread is the least CPU:
 * measured on the 50,000-file, 1 GiB tree of bench/fim.mjs, init cost 1.81-1.90 s of CPU on
 * one thread and 1.89-2.12 s on two (the worker's start, its messages, two threads' reads
 * sharing the caches), for 1.7 s of wall time against 1.3. fim is a background check beside
 * the services it watches: it takes the least CPU unless told otherwise (`--threads`). Work goes out in batches (at most 256 files or
 * 8 MiB each, two in flight per worker); every read goes through one 128 KiB buffer per thread.
 * (A full check or init on one thread does not come here: check.ts hashes each file as the walk
 * reaches it, see InlineHash in walker.ts; this serves worker threads and fast mode's few files.)
 */
import { Worker } from 'node:worker_threads';
import { READ_BUFFER, hashFile, type HashJob, type HashResult } from './hash-file.js';
import type { BatchIn, BatchOut } from './hash-worker.js';

export interface HashOptions {
  /** Threads that hash, this one included (default 1: this thread only; 0 is the same); at most 8 are used. */
  threads?: number | undefined;
  /** Below this many bytes (and 2000 files) hashing stays on this thread; default 16 MiB. */
  inlineBelow?: number | undefined;
}

const BATCH_FILES = 256;
const BATCH_BYTES = 8 << 20;

export async function hashFiles(jobs: readonly HashJob[], sizes: readonly number[], opts: HashOptions = {}): Promise<HashResult[]> {
  const total = sizes.reduce((a, b) => a + b, 0);
  const wanted = Math.min(8, opts.threads ?? 1);
  const inlineBelow = opts.inlineBelow ?? 16 << 20;
  if (wanted <= 1 || jobs.length === 0 || (total < inlineBelow && jobs.length < 2000)) {
    const buf = Buffer.allocUnsafe(READ_BUFFER);
    return jobs.map((j) => hashFile(j, buf));
  }
  // batches in order
  const batches: { start: number; end: number }[] = [];
  for (let i = 0; i < jobs.length; ) {
    let bytes = 0;
    const start = i;
    while (i < jobs.length && i - start < BATCH_FILES && (bytes < BATCH_BYTES || i === start) && jobs[i]!.keep === jobs[start]!.keep && jobs[i]!.hashSparse === jobs[start]!.hashSparse) bytes += sizes[i++]!;
    batches.push({ start, end: i });
  }
  // This thread hashes too, between its messages: one worker fewer to start.
  const n = Math.max(1, Math.min(wanted, batches.length, Math.ceil(total / BATCH_BYTES))) - 1;
  const results: HashResult[] = new Array(jobs.length);
  const workers = Array.from({ length: n }, () => new Worker(new URL('./hash-worker.js', import.meta.url)));
  let next = 0;
  const here = async (): Promise<void> => {
    const buf = Buffer.allocUnsafe(READ_BUFFER);
    for (;;) {
      const b = batches[next++];
      if (!b) return;
      for (let k = b.start; k < b.end; k++) results[k] = hashFile(jobs[k]!, buf);
      await new Promise((r) => setImmediate(r));
    }
  };
  try {
    await Promise.all([
      here(),
      ...workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const pending = new Map<number, { start: number; end: number }>();
            const send = (): void => {
              const id = next++;
              const b = batches[id];
              if (!b) return;
              pending.set(id, b);
              const ids = new BigUint64Array(2 * (b.end - b.start));
              const paths: string[] = [];
              for (let k = b.start; k < b.end; k++) {
                const j = jobs[k]!;
                paths.push(j.path);
                ids[2 * (k - b.start)] = BigInt.asUintN(64, j.dev);
                ids[2 * (k - b.start) + 1] = BigInt.asUintN(64, j.ino);
              }
              const msg: BatchIn = { id, paths: paths.join('\0'), ids, keep: jobs[b.start]!.keep, hashSparse: jobs[b.start]!.hashSparse };
              w.postMessage(msg, [ids.buffer]);
            };
            w.on('message', (msg: BatchOut) => {
              const b = pending.get(msg.id)!;
              pending.delete(msg.id);
              const digests = Buffer.from(msg.digests.buffer, msg.digests.byteOffset, msg.digests.byteLength);
              for (let k = 0; k < b.end - b.start; k++) {
                results[b.start + k] = { ok: true, sha256: digests.toString('hex', 32 * k, 32 * k + 32), size: msg.sizes[k]! };
              }
              for (const [k, error] of msg.errors) results[b.start + k] = { ok: false, error };
              for (const [k, content] of msg.contents) (results[b.start + k] as { content?: Uint8Array }).content = content;
              send();
              if (pending.size === 0) resolve();
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (pending.size) reject(new Error(`a hashing worker stopped (exit code ${code})`));
            });
            send();
            send();
            if (pending.size === 0) resolve();
          }),
      ),
    ]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
