#!/usr/bin/env node
/** The `mamori` command: a tiny dispatcher; each command lives in commands/ and loads on demand. */
import { heapLimitFor, runInWorker } from './heap.js';
import { run } from './main.js';

// mamori watch and mamori replay run under a bounded heap (heap.ts says why).
const argv = process.argv.slice(2);
const heapMb = heapLimitFor(argv);
(heapMb === undefined ? run(argv) : runInWorker(argv, heapMb)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`mamori: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
