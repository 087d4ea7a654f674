/** A hashing worker: batches of HashJob in, HashResult out, in order. */
import { parentPort } from 'node:worker_threads';
import { READ_BUFFER, hashFile, type HashJob, type HashResult } from './hash-file.js';

const buf = Buffer.allocUnsafe(READ_BUFFER);

parentPort!.on('message', (msg: { id: number; jobs: HashJob[] }) => {
  const results: HashResult[] = msg.jobs.map((j) => hashFile(j, buf));
  const transfer = results.flatMap((r) => (r.ok && r.content ? [r.content.buffer as ArrayBuffer] : []));
  parentPort!.postMessage({ id: msg.id, results }, transfer);
});
