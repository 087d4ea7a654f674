/**
 * A scanner with a per-file time bound (`mamori scan --file-timeout`, finding H20 of
 * bench/redteam/README-host.md). A file can be built to be slow for the rules (PHP of `$_GET[`
 * repeated costs YARA-X about a second of CPU per MB), and a scanner that gives every file all the
 * time it asks for lets such files cost hours, or wait out a scan run by cron.
 *
 * YARA-X has a scan timeout, but its Node binding (@litko/yara-x 0.3.0, the latest) does not
 * expose it, and a native call cannot be interrupted from JavaScript (a worker thread's
 * terminate() waits for it to return). So files large enough to reach the bound are scanned in a
 * child process (scan-child.ts), which is killed when the bound passes; the next large file starts
 * a new one. Smaller files, which cannot reach the bound at the rules' worst measured rate
 * (`inProcessBytes`: 100 bytes per millisecond of the bound, 1 MB for 10 s, about 9 times under
 * the 1.1 s/MB of the costliest shape known; the bytes scanned, at most maxFileBytes, count), are
 * scanned in this process as before: an ordinary tree never pays for the child. The bound is the
 * scan's: a file larger than maxFileBytes is hashed whole here, after it, not in the child.
 *
 * A file stopped is NOT passed: it is suspicious (score at the suspicious threshold, technique
 * `scan-timeout`, with a note), since making a backdoor expensive to scan must not get it through.
 * Its hashes are still computed here, so a hash indicator still makes it malicious and a baseline
 * that recorded this very content still makes it clean (scanner.settle). A child that dies while
 * scanning (a crash of the engine) gives the same verdict, technique `scan-aborted`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createScanner, displayPath, fileIdentity, fileKind, hashFrom, pastScanFindings, phpTagPast, type PastTags, scanFileWith, type FileResult, type Finding, type Scanner, type ScannerOptions } from './scanner.js';
import type { ChildScannerOptions } from './scan-child.js';
import { HoleBudget } from '../sparse.js';

export interface TimedScannerOptions extends ScannerOptions {
  /** Longest a file may take, ms (wall clock, from when the file is handed to the child). */
  readonly fileTimeoutMs: number;
  /** Files of at most this many bytes are scanned in this process, without the bound (default fileTimeoutMs × 100). */
  readonly inProcessBytes?: number;
}

export interface TimedScanner extends Omit<Scanner, 'scanFile'> {
  readonly fileTimeoutMs: number;
  scanFile(path: string | Buffer): Promise<FileResult>;
  /** Ends the child process, if one runs. */
  close(): void;
}

type Answer = { type: 'ready' } | { type: 'result'; id: number; result?: FileResult; hashes?: { sha1?: string; md5?: string } };

export function createTimedScanner(options: TimedScannerOptions): TimedScanner {
  if (!(Number.isFinite(options.fileTimeoutMs) && options.fileTimeoutMs > 0)) throw new RangeError('fileTimeoutMs must be a positive number of milliseconds');
  const scanner = createScanner(options);
  const timeoutMs = options.fileTimeoutMs;
  const inProcessBytes = options.inProcessBytes ?? Math.floor(timeoutMs * 100);
  const maxBytes = options.maxFileBytes ?? 16 * 1024 * 1024;
  // holes the parent reads back when it hashes what the child left (S17H-5; see HoleBudget)
  const holes = new HoleBudget(options.holeBudget);
  const suspicious = options.thresholds?.suspicious ?? 35;
  const malicious = options.thresholds?.malicious ?? 75;
  const childOptions: ChildScannerOptions = {
    ...(options.builtinRules !== undefined ? { builtinRules: options.builtinRules } : {}),
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.externalScore !== undefined ? { externalScore: options.externalScore } : {}),
    ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
    ...(options.holeBudget !== undefined ? { holeBudget: options.holeBudget } : {}),
    ...(options.deobfuscate ? { deobfuscate: options.deobfuscate } : {}),
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
  };

  let child: { proc: ChildProcess; ready: Promise<void> } | undefined;
  let nextId = 0;

  function start(): { proc: ChildProcess; ready: Promise<void> } {
    const proc = fork(fileURLToPath(new URL('./scan-child.js', import.meta.url)), [], { execArgv: childExecArgv(process.execArgv), serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const ready = new Promise<void>((done, fail) => {
      const onReady = (m: Answer) => {
        if (m.type !== 'ready') return;
        proc.off('exit', onExit);
        done();
      };
      const onExit = (code: number | null, signal: string | null) => fail(new Error(`the scanning process ended before it was ready (${signal ?? `exit ${code}`})`));
      proc.once('message', onReady);
      proc.once('exit', onExit);
    });
    // Errors of the channel (a child that died) show as the file's exit, not as an uncaught 'error'.
    proc.on('error', () => {});
    proc.on('exit', () => {
      if (child?.proc === proc) child = undefined;
    });
    proc.send({ type: 'init', options: childOptions });
    return { proc, ready };
  }

  /** An idle child does not keep this process alive (a caller that forgets close() still ends). */
  function hold(proc: ChildProcess, busy: boolean): void {
    const channel = proc.channel as { ref?(): void; unref?(): void } | undefined;
    if (busy) {
      proc.ref();
      channel?.ref?.();
    } else {
      proc.unref();
      channel?.unref?.();
    }
  }

  function stop(): void {
    if (!child) return;
    child.proc.kill('SIGKILL');
    child = undefined;
  }

  /**
   * The file the size decision was made on is `fd`, kept open: the child scans the name only if it
   * still holds that file (else `scan-changed`), and hashes for an unfinished or partly scanned file
   * come from `fd`, not from the name, which an attacker could point at a baseline's good copy
   * while the child works.
   */
  async function inChild(at: string | Buffer, fd: number): Promise<FileResult> {
    const before = stamp(fd);
    child ??= start();
    const c = child;
    try {
      await c.ready; // compiling the rules is not the file's time
    } catch (err) {
      stop();
      throw err;
    }
    const id = nextId++;
    return await new Promise<FileResult>((done) => {
      const finish = (r: FileResult) => {
        clearTimeout(timer);
        c.proc.off('message', onMessage);
        c.proc.off('exit', onExit);
        hold(c.proc, false);
        done(r);
      };
      const onMessage = (m: Answer) => {
        if (m.type !== 'result' || m.id !== id) return;
        clearTimeout(timer);
        if (!m.result) return finish(unfinished(at, fd, before, 'scan-changed', 'the file was replaced between the look at its size and its scan'));
        // Past maxFileBytes the child scanned the first part and left the hash of the whole to us.
        let r = m.result;
        if (r.size > maxBytes && r.sha256 === '' && !r.findings.some((f) => f.technique === 'sparse-file')) {
          const h = hashFile(fd, maxBytes, holes);
          r = { ...r, sha256: h.sha256 };
          // PHP in the part hashed here but not scanned (S17H-4)
          const past = h.tags ? pastScanFindings(scanner, r.path, h.tags) : [];
          if (past.length) {
            // (a floor adds nothing: the file scores at least it, see Finding.floor)
            const score = Math.min(100, Math.max(past.reduce((a, f) => a + (f.floor ? 0 : f.score), r.score), ...past.map((f) => (f.floor ? f.score : 0))));
            r = { ...r, findings: [...r.findings, ...past], score, verdict: score >= malicious ? 'malicious' : score >= suspicious ? 'suspicious' : 'clean' };
          }
        }
        finish(scanner.settle(r, m.hashes));
      };
      const onExit = (code: number | null, signal: string | null) => {
        if (child === c) child = undefined;
        finish(unfinished(at, fd, before, 'scan-aborted', `the scanning process ended while scanning it (${signal ?? `exit ${code}`})`));
      };
      const timer = setTimeout(() => {
        c.proc.off('exit', onExit);
        stop();
        finish(unfinished(at, fd, before, 'scan-timeout', `scan timed out after ${seconds(timeoutMs)}`));
      }, Math.min(timeoutMs, MAX_TIMER_MS));
      hold(c.proc, true);
      c.proc.on('message', onMessage);
      c.proc.once('exit', onExit);
      c.proc.send({ type: 'scan', id, path: at, expect: fileIdentity(fd) });
    });
  }

  /** A file not fully checked: suspicious, hashed here so indicators and baselines still apply. */
  function unfinished(at: string | Buffer, fd: number, before: string, technique: 'scan-timeout' | 'scan-aborted' | 'scan-changed', why: string): FileResult {
    const path = typeof at === 'string' ? at : displayPath(at);
    const h = hashFile(fd, maxBytes, holes);
    const note = `${why}: not fully checked`;
    const finding: Finding = { rule: `mamori:${technique}`, source: 'mamori', technique, score: suspicious, description: `${why}, so it was not fully checked (a file built to be slow to scan must not pass as clean)` };
    const result: FileResult = { path, kind: fileKind(path, h.head), size: h.size, sha256: h.sha256, verdict: 'suspicious', score: suspicious, findings: [finding], note };
    const settled = scanner.settle(result, h.whole ? { sha1: h.sha1, md5: h.md5 } : undefined);
    // Written to while it was scanned or hashed: the hash may not be of what was scanned, so a
    // baseline's good copy written in place does not make it clean (indicators still apply).
    if (settled.verdict === 'clean' && stamp(fd) !== before) return { ...result, findings: [...settled.findings.filter((f) => f.technique !== 'known-good')], note: `${note}; written to while it was scanned` };
    return settled;
  }

  return {
    rules: scanner.rules,
    problems: scanner.problems,
    fileTimeoutMs: timeoutMs,
    walk: (paths) => scanner.walk(paths),
    settle: (r, hashes) => scanner.settle(r, hashes),
    scanBuffer: (data, path, extra) => scanner.scanBuffer(data, path, extra),
    async scanFile(at) {
      // Small files, and whatever is not a readable regular file (scanFile says why), stay here.
      let fd = -1;
      const here = scanFileWith(scanner, at, { ifAtMost: inProcessBytes, takeDescriptor: (d) => (fd = d) });
      if (here) return here;
      try {
        return await inChild(at, fd);
      } finally {
        closeSync(fd);
      }
    },
    close: stop,
  };
}

/**
 * This process's node options for the child, less what runs code of its own: fork passes them all
 * on, so a parent run as `node -e CODE` had its child run CODE again instead of scan-child.js
 * (--input-type alone stops a file loading at all).
 */
function childExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') i++;
    else if (!/^(--eval=|--print=|--input-type)/.test(a)) out.push(a);
  }
  return out;
}

/** setTimeout's longest delay (about 24.8 days): a longer one fires after 1 ms, and every large file would time out. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Size, modification and change times: a write in place moves the change time, which no one can set back. */
function stamp(fd: number): string {
  try {
    const st = fstatSync(fd, { bigint: true });
    return `${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return '';
  }
}

/** SHA-256 of the whole open file, SHA-1 and MD5 when it is within what a scan reads (as scanFile gives indicators), its first bytes. */
function hashFile(fd: number, maxBytes: number, holes: HoleBudget): { size: number; sha256: string; sha1?: string; md5?: string; whole: boolean; head: Buffer; tags?: PastTags } {
  try {
    const st = fstatSync(fd);
    const size = st.size;
    // a sparse file's holes are not read back (sparse.ts; scanFile marked it suspicious)
    if (size > maxBytes && holes.sparse(st)) return { size, sha256: '', whole: false, head: Buffer.alloc(0) };
    const whole = size <= maxBytes;
    const hashes = [createHash('sha256'), ...(whole ? [createHash('sha1'), createHash('md5')] : [])];
    let head = Buffer.alloc(0);
    const tag = whole ? undefined : phpTagPast(maxBytes);
    hashFrom(fd, 0, hashes, (bytes) => (head = Buffer.from(bytes.subarray(0, 64))), size, tag?.feed);
    tag?.end();
    const [sha256, sha1, md5] = hashes.map((h) => h.digest('hex'));
    return { size, sha256: sha256!, ...(sha1 ? { sha1 } : {}), ...(md5 ? { md5 } : {}), whole, head, ...(tag ? { tags: tag } : {}) };
  } catch {
    return { size: 0, sha256: '', whole: false, head: Buffer.alloc(0) };
  }
}
