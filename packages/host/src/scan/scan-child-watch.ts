/**
 * A thread of scan-child.ts: ends the scanning process when its parent is gone (its parent process
 * id changes: it was adopted), even while the main thread is held in a native scan that cannot see
 * the IPC channel close. Without it a `mamori scan` stopped by SIGTERM or SIGKILL leaves the child
 * scanning the current file to its end, however long the file was built to take.
 */
import { workerData } from 'node:worker_threads';

const parent = workerData as number;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
}, 200);
