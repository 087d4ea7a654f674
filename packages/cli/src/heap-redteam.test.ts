import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HEAP = new URL('./heap.js', import.meta.url).href;

/** Runs a process whose command runs in a worker under superviseWorker; signals it once the worker is up. */
function runSignalled(dir: string, handle: boolean, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  const worker = join(dir, 'worker.mjs');
  const main = join(dir, 'main.mjs');
  writeFileSync(
    worker,
    `import { parentPort } from 'node:worker_threads';
import { relaySignals } from ${JSON.stringify(HEAP)};
relaySignals();
const t = setInterval(() => {}, 1000);
if (${handle}) for (const s of ['SIGINT', 'SIGTERM']) process.once(s, () => { clearInterval(t); process.stdout.write('handled ' + s + '\\n'); });
parentPort.postMessage('ready');
`,
  );
  writeFileSync(
    main,
    `import { Worker } from 'node:worker_threads';
import { superviseWorker } from ${JSON.stringify(HEAP)};
const w = new Worker(${JSON.stringify(worker)});
w.on('message', (m) => { if (m === 'ready') process.stdout.write('ready\\n'); });
superviseWorker(w).then((code) => { process.exitCode = code; });
`,
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    // Only a guard against a hang (the bug this tests): the process is killed, and the
    // assertions on how it ended then fail.
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      const had = stdout.includes('ready');
      stdout += d.toString('utf8');
      if (!had && stdout.includes('ready')) child.kill(signal);
    });
    child.on('close', (code, sig) => {
      clearTimeout(guard);
      resolve({ code, signal: sig, stdout });
    });
  });
}

/** A process that runs `body` in a worker under superviseWorker with a small heap; its exit and stderr. */
function runFailing(dir: string, body: string): Promise<{ code: number | null; stderr: string }> {
  const worker = join(dir, 'fail.mjs');
  const main = join(dir, 'fail-main.mjs');
  writeFileSync(worker, body);
  writeFileSync(
    main,
    `import { Worker } from 'node:worker_threads';
import { superviseWorker } from ${JSON.stringify(HEAP)};
superviseWorker(new Worker(${JSON.stringify(worker)}, { resourceLimits: { maxOldGenerationSizeMb: 32 } })).then((code) => { process.exitCode = code; });
`,
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
}

describe('red team 2: a worker that fails', () => {
  it('ends with 2 ("an error", not replay\'s 1 for alerts) and says why, for the heap limit and for an uncaught error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-heap-rt-'));
    try {
      const oom = await runFailing(dir, 'const keep = []; for (;;) keep.push({ a: Math.random(), b: [1, 2, 3] });\n');
      assert.equal(oom.code, 2, oom.stderr);
      assert.match(oom.stderr, /^mamori: ERR_WORKER_OUT_OF_MEMORY: .*memory limit/m);
      const thrown = await runFailing(dir, "setTimeout(() => { throw new Error('boom in the worker'); }, 1);\n");
      assert.equal(thrown.code, 2, thrown.stderr);
      assert.match(thrown.stderr, /^mamori: boom in the worker$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('red team 2: signals to a command in the worker', () => {
  it('a command with no handler of its own (mamori replay) is ended by the first SIGTERM or SIGINT, as on the main thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-heap-rt-'));
    try {
      for (const s of ['SIGTERM', 'SIGINT'] as const) {
        const r = await runSignalled(dir, false, s);
        assert.deepEqual([r.code, r.signal], [null, s], `${s}: ${r.stdout}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a command that handles the signal (mamori watch) gets it and ends as it chooses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-heap-rt-'));
    try {
      const r = await runSignalled(dir, true, 'SIGTERM');
      assert.deepEqual([r.code, r.signal], [0, null]);
      assert.match(r.stdout, /handled SIGTERM/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
