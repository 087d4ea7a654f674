/**
 * A hashing worker. Batches come and go in a compact form (structured cloning one object per
 * file cost more CPU than the hashing of small files): paths joined by NUL, device and inode
 * pairs in a BigUint64Array; back, the digests in one buffer, the sizes in a Float64Array,
 * and only the exceptions (errors, kept contents) as objects.
 */
import { parentPort } from 'node:worker_threads';
import { READ_BUFFER, hashFile } from './hash-file.js';

export interface BatchIn {
  id: number;
  paths: string;
  ids: BigUint64Array;
  keep: number;
  hashSparse: boolean;
}

export interface BatchOut {
  id: number;
  digests: Uint8Array;
  sizes: Float64Array;
  errors: [number, string][];
  contents: [number, Uint8Array][];
}

const buf = Buffer.allocUnsafe(READ_BUFFER);

parentPort?.on('message', (msg: BatchIn) => {
  const paths = msg.paths.split('\0');
  const digests = new Uint8Array(32 * paths.length);
  const sizes = new Float64Array(paths.length);
  const errors: [number, string][] = [];
  const contents: [number, Uint8Array][] = [];
  paths.forEach((path, i) => {
    const r = hashFile({ path, dev: msg.ids[2 * i]!, ino: msg.ids[2 * i + 1]!, keep: msg.keep, hashSparse: msg.hashSparse }, buf);
    if (!r.ok) {
      errors.push([i, r.error]);
      return;
    }
    digests.set(Buffer.from(r.sha256, 'hex'), 32 * i);
    sizes[i] = r.size;
    if (r.content) contents.push([i, r.content]);
  });
  const out: BatchOut = { id: msg.id, digests, sizes, errors, contents };
  parentPort!.postMessage(out, [digests.buffer, sizes.buffer, ...contents.map(([, c]) => c.buffer as ArrayBuffer)]);
});
