/**
 * Red team of `mamori host check` (bench/redteam/README-host.md, H14): a process chooses its own
 * name (`prctl(PR_SET_NAME)`, Node's `process.title`), control characters included, and the
 * unknown-listener lines printed it as it was: a `\r` and an erase-line sequence rewrote the line
 * that named the listener.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printable } from './host.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('red team: mamori host check output', () => {
  it('printable() replaces control, bidi and line-separator characters', () => {
    assert.equal(printable('a\r\x1b[2Kb\n\u202ec\u2028'), 'a??[2Kb??c?');
    assert.equal(printable('nginx: worker'), 'nginx: worker');
  });

  it('H14: a listener whose process name holds "\\r" and an escape sequence cannot rewrite its line', { skip: process.platform !== 'linux' ? 'reads /proc' : false }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-rthost-cli-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'mamori.yaml'), 'data_dir: ./data\n');
    // The listener names itself "\r ESC[2K sshd" (comm keeps 15 bytes) and listens on loopback.
    const child = spawn(process.execPath, ['-e', "process.title = '\\r\\x1b[2Ksshd\\nfake'; const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port)); setTimeout(() => process.exit(0), 30000);"], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((done, fail) => {
        child.stdout.once('data', (d: Buffer) => done(Number(String(d).trim())));
        child.once('exit', () => fail(new Error('the listener exited')));
      });
      const env = { ...process.env };
      delete env.MAMORI_CONFIG;
      const r = spawnSync(process.execPath, [BIN, 'host', 'check', '--no-hash', '--no-proxyware', '--include-loopback'], { cwd: dir, encoding: 'utf8', env });
      assert.equal(r.status, 1, r.stderr);
      const line = r.stdout.split('\n').find((l) => l.includes(`:${port}/tcp`));
      assert.ok(line, r.stdout);
      assert.doesNotMatch(r.stdout, /[\r\x1b]/);
      assert.match(line, /by \?\?\[2Ksshd\?fake \(pid \d+\)/);
    } finally {
      child.kill();
    }
  });
});
