/**
 * `mamori watch`'s warning about sshd read from a file (red team finding 6): a file does not
 * record who wrote a line, so any local user can forge sshd failures in auth.log. The watcher
 * says so once per file input that carries sshd or PAM lines: at start for auth.log and
 * secure (or `format: sshd`), at the first such line for a file of any other name.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '../model.js';
import { tempDir, until } from '../sources/collect.case.js';
import { validateWatchConfig } from './config.js';
import { WatchService, fileSenderWarning } from './service.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sshd = (i: number): string => `Dec  3 10:00:0${i} web1 sshd[812]: Failed password for root from 203.0.113.9 port 4000${i} ssh2\n`;
const nginx = (i: number): string => `198.51.100.4 - - [03/Dec/2026:10:00:0${i} +0000] "GET /${i} HTTP/1.1" 200 512 "-" "curl/8"\n`;

describe('mamori watch: sshd read from a file', () => {
  it('warns once per file input that carries sshd or PAM lines, not for other files', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const files = { auth: join(dir, 'auth.log'), secure: join(dir, 'secure'), app: join(dir, 'app.log'), access: join(dir, 'access.log'), quiet: join(dir, 'quiet.log') };
    writeFileSync(files.auth, '');
    writeFileSync(files.secure, '');
    // app.log: other lines first, then sshd's, twice over
    writeFileSync(files.app, `${nginx(1)}${sshd(1)}${sshd(2)}${nginx(2)}${sshd(3)}`);
    writeFileSync(files.access, `${nginx(3)}${nginx(4)}`);
    writeFileSync(files.quiet, `${nginx(5)}`);
    const config = validateWatchConfig({
      inputs: [
        { file: files.auth },
        { file: files.secure },
        { file: files.app, start_at: 'start' },
        { file: files.access, start_at: 'start' },
        { file: files.quiet, start_at: 'start', format: 'sshd' },
      ],
    });
    const notes: string[] = [];
    const alerts: Alert[] = [];
    const service = new WatchService({ config, dataDir: dir, sink: { onAlert: (a) => void alerts.push(a) }, onNote: (n) => notes.push(n), tickMs: 50 });
    await service.start();
    try {
      // at start: auth.log and secure by name, quiet.log by its format
      assert.deepEqual(notes.slice(0, 3).sort(), [fileSenderWarning(files.auth), fileSenderWarning(files.secure), fileSenderWarning(files.quiet)].sort());
      await until(() => service.status().events + service.status().unparsed >= 8, 'the lines of app.log, access.log and quiet.log');
      assert.deepEqual(notes.slice(3), [fileSenderWarning(files.app)], 'app.log once, at its first sshd line; access.log never');
    } finally {
      await service.stop();
    }
    assert.match(fileSenderWarning('/var/log/auth.log'), /does not record who wrote each line.*journal/);
  });
});
