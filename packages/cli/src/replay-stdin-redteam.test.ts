/**
 * Red team of mamori replay's streamed inputs (bench/redteam/README-s16.md, S16-1): bad gzip
 * from a writer that stays open (`(zcat old.gz; sleep 1h) | mamori replay -`, or
 * `mamori replay <(...)`) ends the replay at once with 2, in the worker and on the main thread;
 * before, the process waited for the writer to close, a read of fs being pending on the pool.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));

/** gzip whose CRC is wrong: gunzip fails once it has read the member. */
function badGzip(): Buffer {
  let text = '';
  for (let i = 0; i < 500; i++) text += `2026-12-03T10:00:${String(i % 60).padStart(2, '0')}Z web01 sshd[42]: Failed password for root from 203.0.113.9 port ${40000 + i} ssh2\n`;
  const gz = gzipSync(text);
  gz[gz.length - 6]! ^= 0xff;
  return gz;
}

/** Runs mamori with `args`, feeding `feed` (which leaves its writer open); the exit code and stderr, or 'hung' after `ms`. */
function run(args: string[], feed: (child: ReturnType<typeof spawn>) => void, ms: number, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null | 'hung'; stderr: string }> {
  const env = { ...process.env, ...extraEnv };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    child.emit('stderr-text', stderr);
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: 'hung', stderr });
    }, ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      child.stdin!.destroy();
      resolve({ code, stderr });
    });
    feed(child);
  });
}

describe('mamori replay: bad gzip from a writer that stays open (red team s16)', () => {
  const gz = badGzip();

  for (const [where, pre] of [['in the worker', []], ['on the main thread', ['--max-old-space-size=512']]] as const) {
    it(`standard input, ${where}: exits 2 at once, naming (stdin)`, async () => {
      const r = await run([...pre, BIN, 'replay', '-'], (c) => c.stdin!.write(gz), 8000);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^mamori: \(stdin\): Z_DATA_ERROR: incorrect data check$/m);
    });
  }

  it('a FIFO (what <(zcat x.gz) gives) whose writer stays open: exits 2 at once', { skip: process.platform === 'win32' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-fifo-'));
    const fifo = join(dir, 'in.gz');
    execFileSync('mkfifo', [fifo]);
    // Opened for reading and writing: the open does not wait for a reader, and the writer stays.
    const fd = openSync(fifo, constants.O_RDWR);
    try {
      writeSync(fd, gz);
      const r = await run([BIN, 'replay', fifo], () => undefined, 8000);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /in\.gz: Z_DATA_ERROR/);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mamori watch: a stdin input from a writer that stays open (red team s16)', () => {
  it('SIGTERM ends it at once, in the worker (it waited for the writer: a read of fs on the pool)', { skip: process.platform === 'win32' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-watch-stdin-'));
    try {
      writeFileSync(join(dir, 'mamori.yaml'), `data_dir: ${join(dir, 'data')}\nwatch:\n  inputs:\n    - stdin: true\n`);
      const r = await run(
        [BIN, 'watch', '--config', join(dir, 'mamori.yaml'), '--status-every', '0', '--no-ioc'],
        (c) => {
          let sent = false;
          c.on('stderr-text', (text: string) => {
            // Following: its read of standard input is waiting. (A moment more for the read to be issued.)
            if (!sent && /following 1 input/.test(text)) {
              sent = true;
              setTimeout(() => c.kill('SIGTERM'), 500);
            }
          });
        },
        8000,
        { MAMORI_SECRET: 'stdin-redteam-secret-0123456789abcdef' },
      );
      assert.notEqual(r.code, 'hung', r.stderr);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
