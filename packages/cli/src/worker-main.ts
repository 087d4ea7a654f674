/** The worker thread `mamori watch` and `mamori replay` run in, under a bounded heap (heap.ts). */
import { workerData } from 'node:worker_threads';
import { relaySignals } from './heap.js';
import { run } from './main.js';

relaySignals();
const argv = (workerData as { argv: string[] }).argv;
run(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`mamori: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
