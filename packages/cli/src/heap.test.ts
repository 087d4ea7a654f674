import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
