/**
 * Hashes many files: on worker threads (one per core, at most 8) when the job is big enough
 * to repay starting them, else on this thread. Work goes out in batches (at most 256 files or
 * 8 MiB each, two in flight per worker); every read goes through one 128 KiB buffer per thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { READ_BUFFER, hashFile, type HashJob, type HashResult } from './hash-file.js';

export interface HashOptions {
  /** Worker threads; default os.availableParallelism() (at most 8). 0 hashes on this thread. */
  threads?: number | undefined;
  /** Below this many bytes (and 2000 files) hashing stays on this thread; default 16 MiB. */
  inlineBelow?: number | undefined;
}

const BATCH_FILES = 256;
const BATCH_BYTES = 8 << 20;

export async function hashFiles(jobs: readonly HashJob[], sizes: readonly number[], opts: HashOptions = {}): Promise<HashResult[]> {
  const total = sizes.reduce((a, b) => a + b, 0);
  const wanted = opts.threads ?? Math.min(8, availableParallelism());
  const inlineBelow = opts.inlineBelow ?? 16 << 20;
  if (wanted <= 0 || jobs.length === 0 || (total < inlineBelow && jobs.length < 2000)) {
    const buf = Buffer.allocUnsafe(READ_BUFFER);
    return jobs.map((j) => hashFile(j, buf));
  }
  // batches in order
  const batches: { start: number; end: number }[] = [];
  for (let i = 0; i < jobs.length; ) {
    let bytes = 0;
    const start = i;
    while (i < jobs.length && i - start < BATCH_FILES && (bytes < BATCH_BYTES || i === start)) bytes += sizes[i++]!;
    batches.push({ start, end: i });
  }
  const n = Math.max(1, Math.min(wanted, batches.length, Math.ceil(total / BATCH_BYTES)));
  const results: HashResult[] = new Array(jobs.length);
  const workers = Array.from({ length: n }, () => new Worker(new URL('./hash-worker.js', import.meta.url)));
  try {
    let next = 0;
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const pending = new Map<number, { start: number; end: number }>();
            const send = (): void => {
              const id = next++;
              const b = batches[id];
              if (!b) return;
              pending.set(id, b);
              w.postMessage({ id, jobs: jobs.slice(b.start, b.end) });
            };
            w.on('message', (msg: { id: number; results: HashResult[] }) => {
              const b = pending.get(msg.id)!;
              pending.delete(msg.id);
              for (let k = 0; k < msg.results.length; k++) results[b.start + k] = msg.results[k]!;
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
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
