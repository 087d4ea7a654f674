/** The worker thread `mamori watch` and `mamori replay` run in, under a bounded heap (heap.ts). */
import { workerData } from 'node:worker_threads';
import { relaySignals } from './heap.js';
import { run } from './main.js';
import { finish } from './error-line.js';

relaySignals();
const argv = (workerData as { argv: string[] }).argv;
finish(run(argv));
