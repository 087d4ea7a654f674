/**
 * A child process for users-lock.test.ts (not a test itself):
 *
 * - `writer DIR PREFIX USERS PASSKEYS`: once a line arrives on standard input (so that two
 *   writers start together), adds USERS users named PREFIX-<i> to DIR/users.json, and
 *   PASSKEYS passkeys to each, one change at a time; prints `done` at the end.
 * - `holder FILE`: takes the lock on FILE, prints `held <pid>`, and keeps it until killed.
 */
import { hmac } from '../core/crypto.js';
import { withFileLock } from './file-lock.js';
import { UserDirectory, mfaKeyRing } from './users.js';

const [mode, a, b, c, d] = process.argv.slice(2);

async function writer(dir: string, prefix: string, users: number, passkeys: number): Promise<void> {
  const u = new UserDirectory(`${dir}/users.json`, mfaKeyRing(dir, false, {}), hmac(Buffer.alloc(32, 1), 'mamori recovery codes'));
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  for (let i = 0; i < users; i++) {
    const name = `${prefix}-${i}`;
    await u.add(name, 'a long enough password', { issuer: 'lock test', passkeyOnly: true });
    for (let k = 0; k < passkeys; k++) {
      const id = `${prefix}x${i}x${k}`.padEnd(22, 'A');
      await u.addPasskey(name, { id, publicKey: new Uint8Array([i, k]), counter: 0, transports: [], aaguid: '', name: `key ${k}` }, Date.now());
    }
  }
  process.stdout.write('done\n');
  process.stdin.destroy();
}

async function holder(file: string): Promise<void> {
  await withFileLock(file, () => {
    process.stdout.write(`held ${process.pid}\n`);
    // Held until the test kills this process: the lock's work is synchronous, so is the wait.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });
}

if (mode === 'writer') await writer(a!, b!, Number(c), Number(d));
else if (mode === 'holder') await holder(a!);
else {
  process.stderr.write('usage: users-lock.case.js writer DIR PREFIX USERS PASSKEYS | holder FILE\n');
  process.exitCode = 2;
}
