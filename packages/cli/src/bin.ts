#!/usr/bin/env node
/** The `mamori` command: a tiny dispatcher; each command lives in commands/ and loads on demand. */
import { heapLimitFor, runInWorker } from './heap.js';
import { run } from './main.js';
import { finish } from './error-line.js';

// A reader that goes away (`mamori replay --json | head`) is the end of the output, not an error:
// exit at once, quietly, with the code a Unix tool killed by SIGPIPE has (128 + 13).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(141);
  throw err;
});

// mamori watch and mamori replay run under a bounded heap (heap.ts says why).
const argv = process.argv.slice(2);
const heapMb = heapLimitFor(argv);
finish(heapMb === undefined ? run(argv) : runInWorker(argv, heapMb));
