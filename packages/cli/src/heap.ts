/**
 * `mamori watch` and `mamori replay` hold per-source state for a million sources in a bounded
 * set of tables (about 65 MiB live after a full collection, whatever the log). What V8 lets
 * the heap grow to above that depends on its limit: with node's default limit (a quarter of
 * the machine's memory, up to 4 GiB) it lets the old generation grow to 4x what was live
 * before collecting again, and `mamori replay` of a million distinct sources peaked at 383 MB
 * resident; under a 512 MiB limit V8 takes a smaller multiple, and the same replay stays near
 * 210 MB (bench/README.md, "Log replay"). The limit itself is never approached.
 *
 * A running V8 cannot change its own limit (`v8.setFlagsFromString` after start-up leaves it
 * as it is; measured), so these two commands run in a worker thread created with
 * `resourceLimits.maxOldGenerationSizeMb`, in the same process: no second node process. A
 * limit the user chose (`--max-old-space-size` in node's flags or NODE_OPTIONS) is left as it
 * is, and the command then runs on the main thread.
 */
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { reportError } from './error-line.js';

/** The commands run under a bounded heap. */
export const BOUNDED_COMMANDS: ReadonlySet<string> = new Set(['watch', 'replay']);
/** Their old generation's limit, MiB. */
export const HEAP_MB = 512;

/** The heap limit to run `argv` under, or undefined to run it as it is. */
export function heapLimitFor(argv: readonly string[], execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (!isMainThread || !BOUNDED_COMMANDS.has(argv[0] ?? '')) return undefined;
  if (argv.includes('--help') || argv.includes('-h')) return undefined;
  const chosen = (s: string): boolean => /(?:^|\s)--max[-_]old[-_]space[-_]size\b/.test(s);
  if (execArgv.some(chosen) || chosen(env.NODE_OPTIONS ?? '')) return undefined;
  return HEAP_MB;
}

/**
 * Runs the command in a worker thread under the heap limit; resolves with its exit code.
 * SIGINT and SIGTERM are handed on as messages (a worker gets no signals of its own:
 * worker-main.ts emits them on its process), and a second signal ends the worker at once.
 * Standard input is not handed through this thread: a `stdin: true` input of mamori watch
 * reads file descriptor 0 itself (`stdinStream`, stdin.ts), so its chunks are never copied between
 * threads (piped through, they held some 75 MiB more on a million lines).
 */
export function runInWorker(argv: readonly string[], heapMb: number): Promise<number> {
  const worker = new Worker(new URL('./worker-main.js', import.meta.url), {
    workerData: { argv: [...argv] },
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
  return superviseWorker(worker);
}

/**
 * The main thread's side of a command's worker: hands SIGINT and SIGTERM on, and resolves
 * with the worker's exit code. A command that does not handle the signal itself (mamori
 * replay) ends as it would on the main thread: the worker says so and this process is ended
 * by the signal (exit status 130 or 143 in a shell), as is any process on a second signal.
 * Without this the first Ctrl-C or SIGTERM of a replay was swallowed (the main thread's
 * listener replaces the default action) and the replay ran on to its end with status 0.
 */
export function superviseWorker(worker: Worker): Promise<number> {
  let signals = 0;
  const die = (signal: NodeJS.Signals): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // With no listener left the default action is back: the signal ends the process.
    process.kill(process.pid, signal);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals === 1) worker.postMessage({ signal });
    else die(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  worker.on('message', (m: unknown) => {
    const unhandled = (m as { unhandledSignal?: unknown } | null)?.unhandledSignal;
    if (unhandled === 'SIGINT' || unhandled === 'SIGTERM') die(unhandled);
  });
  return new Promise((resolve) => {
    let failed: unknown;
    worker.once('error', (err) => (failed = err));
    worker.once('exit', (code) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (failed !== undefined) {
        reportError(failed);
        // An error the command did not catch, or the heap limit reached: 2, "an error". The
        // worker's own exit code is 1 then, which mamori replay uses for "alerts found".
        resolve(2);
      } else resolve(code);
    });
  });
}

/**
 * In the worker: signals the main thread hands on are emitted on this thread's process; one
 * that nothing here listens for is handed back, and the main thread takes its default action.
 */
export function relaySignals(): void {
  if (!parentPort) return;
  const port = parentPort;
  port.on('message', (m: unknown) => {
    const signal = (m as { signal?: unknown } | null)?.signal;
    if (signal !== 'SIGINT' && signal !== 'SIGTERM') return;
    if (process.listenerCount(signal) > 0) process.emit(signal, signal);
    else port.postMessage({ unhandledSignal: signal });
  });
  // The port does not keep the worker alive: a command that is done ends it.
  port.unref();
}
