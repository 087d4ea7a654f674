/**
 * The process createTimedScanner scans large files in, so that a file which takes too long can be
 * stopped: YARA-X's binding (@litko/yara-x 0.3.0) has no scan timeout, and a native call cannot be
 * interrupted from JavaScript, but a process can be killed. It compiles the rules it is sent, then
 * answers each `{ id, path }` with the file's result, made without knownGood and indicators (the
 * parent applies them: scanner.settle) and with the SHA-1 and MD5 those indicators need. A file
 * larger than maxFileBytes comes back with an empty sha256: the parent hashes it whole.
 */
import { Worker } from 'node:worker_threads';
import { createScanner, scanFileWith, type ScannerOptions } from './scanner.js';

/** What the parent sends first: the options a scanner can be made from in another process. */
export type ChildScannerOptions = Pick<ScannerOptions, 'builtinRules' | 'rules' | 'externalScore' | 'maxFileBytes' | 'deobfuscate' | 'thresholds' | 'holeBudget'>;

type Init = { type: 'init'; options: ChildScannerOptions };
type Scan = { type: 'scan'; id: number; path: string | Uint8Array; expect: string };

const send = (m: unknown) => process.send?.(m);

process.once('message', (init: Init) => {
  let hashes: { sha1?: string; md5?: string } | undefined;
  // An indicator source that only keeps the hashes the scanner computed for it.
  const scanner = createScanner({
    ...init.options,
    indicators: {
      matchFile: (f) => {
        hashes = { ...(f.sha1 ? { sha1: f.sha1 } : {}), ...(f.md5 ? { md5: f.md5 } : {}) };
        return [];
      },
    },
  });
  process.on('message', (m: Scan) => {
    if (m.type !== 'scan') return;
    hashes = undefined;
    // A file past maxFileBytes is hashed whole by the parent, after the bound: not here, within it.
    // Only the file the parent decided on (result undefined when the name holds another now).
    const result = scanFileWith(scanner, typeof m.path === 'string' ? m.path : Buffer.from(m.path), { hashRemainder: false, expect: m.expect });
    send({ type: 'result', id: m.id, result, hashes });
  });
  send({ type: 'ready' });
});
// The parent went away (it ended, or was killed): nothing is left to answer.
process.on('disconnect', () => process.exit(0));
// 'disconnect' is not seen while the engine scans (a native call holds this thread for as long as
// the file costs, no bound once the parent is gone), so a thread of its own watches the parent.
new Worker(new URL('./scan-child-watch.js', import.meta.url), { workerData: process.ppid }).unref();
