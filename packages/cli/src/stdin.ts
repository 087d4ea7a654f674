/** Standard input for the commands that read it (mamori watch, mamori replay -), in a worker thread or not. */
import { fdStream } from '@mamori/detect';
import type { Readable } from 'node:stream';
import { isMainThread } from 'node:worker_threads';

/**
 * Standard input for a command: process.stdin on the main thread, file descriptor 0 read directly
 * in the worker, as its kind asks (fdStream: a pipe as a socket, so that a stopped replay does not
 * wait for a writer that stays open; a terminal as a terminal; a file through fs, left open).
 */
export function stdinStream(): Readable {
  return isMainThread ? process.stdin : fdStream(0, { autoClose: false });
}
