import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEAP_MB, heapLimitFor } from './heap.js';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));

describe('a bounded heap for mamori watch and mamori replay', () => {
  it('is applied to watch and replay only, and not when the user chose a limit', () => {
    assert.equal(heapLimitFor(['replay', 'x.log'], [], {}), HEAP_MB);
    assert.equal(heapLimitFor(['watch'], ['--enable-source-maps'], { NODE_OPTIONS: '--trace-warnings' }), HEAP_MB);
    for (const argv of [['up'], ['scan', '/srv'], [], ['replay', '--help'], ['watch', '-h']]) assert.equal(heapLimitFor(argv, [], {}), undefined, argv.join(' '));
    assert.equal(heapLimitFor(['replay', 'x.log'], ['--max-old-space-size=4096'], {}), undefined);
    assert.equal(heapLimitFor(['replay', 'x.log'], ['--max_old_space_size=300'], {}), undefined);
    assert.equal(heapLimitFor(['watch'], [], { NODE_OPTIONS: '--trace-warnings --max-old-space-size=1024' }), undefined);
  });

  it('gives the same output and exit code in the worker as on the main thread', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-heap-'));
    try {
      const log = join(dir, 'auth.log');
      let text = '';
      for (let i = 0; i < 12; i++) text += `2026-12-03T10:00:${String(i).padStart(2, '0')}Z web01 sshd[42]: Failed password for root from 203.0.113.9 port ${40000 + i} ssh2\n`;
      writeFileSync(log, text);
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      const inWorker = spawnSync(process.execPath, [BIN, 'replay', log], { cwd: dir, encoding: 'utf8', env });
      const onMain = spawnSync(process.execPath, ['--max-old-space-size=512', BIN, 'replay', log], { cwd: dir, encoding: 'utf8', env });
      assert.equal(inWorker.status, 1, inWorker.stderr);
      assert.match(inWorker.stdout, /ssh-bruteforce/);
      assert.deepEqual([inWorker.status, inWorker.stdout, inWorker.stderr], [onMain.status, onMain.stdout, onMain.stderr]);
      const missing = spawnSync(process.execPath, [BIN, 'replay', join(dir, 'none.log')], { cwd: dir, encoding: 'utf8', env });
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /none\.log/);
      // Standard input and pipes read as the file does, plain or gzip, in the worker and on the main thread
      for (const input of [text, gzipSync(text)]) {
        for (const args of [[BIN], ['--max-old-space-size=512', BIN]]) {
          const piped = spawnSync(process.execPath, [...args, 'replay', '-'], { cwd: dir, encoding: 'utf8', input, env });
          assert.equal(piped.status, 1, piped.stderr);
          assert.equal(piped.stdout.replaceAll('(stdin)', log), inWorker.stdout, args.join(' '));
          // /dev/stdin on a pipe (spawnSync's input is a socket, which /dev/stdin cannot open: ENXIO)
          writeFileSync(join(dir, 'in'), input);
          const devStdin = spawnSync('sh', ['-c', 'cat in | "$0" "$@" replay /dev/stdin', process.execPath, ...args], { cwd: dir, encoding: 'utf8', env });
          assert.equal(devStdin.stdout.replaceAll('/dev/stdin', log), inWorker.stdout, devStdin.stderr);
        }
      }
      const twice = spawnSync(process.execPath, [BIN, 'replay', '-', '-'], { cwd: dir, encoding: 'utf8', input: '', env });
      assert.equal(twice.status, 1);
      assert.match(twice.stderr, /standard input \(-\) can be read once/);
      // A FIFO (what <(zcat old.log.gz) gives): read once, never by position
      if (process.platform !== 'win32') {
        const fifo = join(dir, 'fifo');
        execFileSync('mkfifo', [fifo]);
        const writer = spawnSync('sh', ['-c', `cat "$1" > "$2" & exec "$3" "$4" replay "$2"`, 'sh', log, fifo, process.execPath, BIN], { cwd: dir, encoding: 'utf8', env });
        assert.equal(writer.status, 1, writer.stderr);
        assert.equal(writer.stdout.replaceAll(fifo, log), inWorker.stdout);
      }
      // mamori watch in the worker: a stdin input reads file descriptor 0 itself, to its end
      writeFileSync(join(dir, 'mamori.yaml'), `data_dir: ${join(dir, 'data')}\nwatch:\n  inputs:\n    - stdin: true\n`);
      const watched = spawnSync(process.execPath, [BIN, 'watch', '--status-every', '0', '--no-ioc'], { cwd: dir, encoding: 'utf8', input: text, env: { ...env, MAMORI_SECRET: 'heap-test-secret-0123456789abcdef' } });
      assert.equal(watched.status, 0, watched.stderr);
      assert.match(watched.stderr, /12 events \(0 lines no parser read\), 1 alerts; stdin: 12 lines/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
