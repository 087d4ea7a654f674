/**
 * users.json between processes: every change under the lock file (file-lock.ts), so two writers
 * (two proxies, a proxy and `mamori users`) lose none of each other's changes, and a holder killed
 * while holding the lock does not keep the others out.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { hmac } from '../core/crypto.js';
import { withFileLock } from './file-lock.js';
import { UserDirectory, mfaKeyRing } from './users.js';

const CHILD = fileURLToPath(new URL('./users-lock.case.js', import.meta.url));
const RECOVERY = hmac(Buffer.alloc(32, 1), 'mamori recovery codes');
const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-users-lock-'));
  dirs.push(dir);
  mfaKeyRing(dir, true, {});
  return dir;
}

function child(args: string[]): { proc: ChildProcess; line: (re: RegExp) => Promise<string>; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(proc);
  let out = '';
  const waiters: { re: RegExp; resolve: (s: string) => void }[] = [];
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    for (const w of [...waiters]) {
      const m = w.re.exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  });
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const line = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const m = re.exec(out);
      if (m) return resolve(m[0]);
      waiters.push({ re, resolve });
      void exit.then((code) => reject(new Error(`the child ended (${code}) before printing ${re}; it printed: ${out}`)));
    });
  return { proc, line, exit };
}

/** The host identity a lock of this host carries (the name and, on Linux, the pid namespace), as a lock of `pid` would. */
function hostOf(pid: number): string {
  let ns = '';
  try {
    ns = readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    // Not Linux: the host name alone.
  }
  return ns ? `${hostname()} ${ns}` : hostname();
}

describe('users.json: one writer at a time between processes', () => {
  it('two processes adding users and passkeys at once lose none of them', async () => {
    const dir = tempDir();
    const USERS = 4;
    const PASSKEYS = 15;
    const a = child(['writer', dir, 'a', String(USERS), String(PASSKEYS)]);
    const b = child(['writer', dir, 'b', String(USERS), String(PASSKEYS)]);
    await Promise.all([a.line(/ready/), b.line(/ready/)]);
    // They start with a lock left by a process that died: both find it stale at once, one takes it over.
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.once('exit', resolve));
    writeFileSync(join(dir, 'users.json.lock'), JSON.stringify({ pid: dead.pid, host: hostOf(a.proc.pid!), since: Date.now() - 5000, token: 'dead' }));
    const past = (Date.now() - 5000) / 1000;
    utimesSync(join(dir, 'users.json.lock'), past, past);
    a.proc.stdin!.write('go\n');
    b.proc.stdin!.write('go\n');
    assert.deepEqual(await Promise.all([a.exit, b.exit]), [0, 0]);
    const u = new UserDirectory(join(dir, 'users.json'), mfaKeyRing(dir, false, {}), RECOVERY);
    const names = u.list().map((x) => x.name).sort();
    const want = ['a', 'b'].flatMap((p) => Array.from({ length: USERS }, (_, i) => `${p}-${i}`)).sort();
    assert.deepEqual(names, want, 'every user of both writers');
    for (const name of want) {
      const keys = u.get(name)!.passkeys ?? [];
      assert.equal(keys.length, PASSKEYS, `every passkey of ${name}`);
      assert.deepEqual([...u.passkeyKey(u.get(name)!, keys[PASSKEYS - 1]!)], [Number(name.split('-')[1]), PASSKEYS - 1]);
    }
    assert.equal(statSync(join(dir, 'users.json')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir).sort(), ['mfa.keys', 'users.json'], 'no lock file and no temporary file left');
  });

  it('takes over the lock of a holder killed while holding it (SIGKILL)', async () => {
    const dir = tempDir();
    const file = join(dir, 'users.json');
    const u = new UserDirectory(file, mfaKeyRing(dir, false, {}), RECOVERY);
    await u.add('before', 'a long enough password', { issuer: 'x' });
    const h = child(['holder', file]);
    const pid = Number((await h.line(/held \d+/)).split(' ')[1]);
    assert.equal(JSON.parse(readFileSync(`${file}.lock`, 'utf8')).pid, pid);
    // While it lives, a writer waits and then says who holds the lock.
    await assert.rejects(new UserDirectory(file, mfaKeyRing(dir, false, {}), RECOVERY, { waitMs: 300 }).remove('before'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'MAMORI_ERR_MFA_USERS_LOCKED');
      assert.match(err.message, new RegExp(`process ${pid}`));
      return true;
    });
    assert.ok(u.get('before'), 'nothing was written');
    h.proc.kill('SIGKILL');
    await h.exit;
    assert.ok(existsSync(`${file}.lock`), 'the dead holder left its lock behind');
    // Its process is gone: the lock is taken over (after a second), the write goes through.
    await u.add('after', 'a long enough password', { issuer: 'x' });
    const now = new UserDirectory(file, mfaKeyRing(dir, false, {}), RECOVERY);
    assert.deepEqual(now.list().map((x) => x.name).sort(), ['after', 'before']);
    assert.equal(existsSync(`${file}.lock`), false);
  });

  it('takes over any lock past the stale time (another host, an unreadable holder), not a fresh one', async () => {
    const dir = tempDir();
    const file = join(dir, 'users.json');
    const u = new UserDirectory(file, mfaKeyRing(dir, false, { }), RECOVERY, { waitMs: 300, staleMs: 5000 });
    const foreign = JSON.stringify({ pid: 1, host: 'another-host', since: Date.now(), token: 'x' });
    writeFileSync(`${file}.lock`, foreign);
    await assert.rejects(u.add('x', 'a long enough password', { issuer: 'x' }), /another-host/);
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(`${file}.lock`, old, old);
    await u.add('x', 'a long enough password', { issuer: 'x' });
    // A lock file its holder died before writing (empty): judged by its age alone.
    writeFileSync(`${file}.lock`, '');
    await assert.rejects(u.remove('x'), /MAMORI_ERR_MFA_USERS_LOCKED|left no name/);
    utimesSync(`${file}.lock`, old, old);
    assert.equal(await u.remove('x'), true);
    assert.equal(existsSync(`${file}.lock`), false);
  });

  it('writes nothing when its lock was taken over while it held it, and leaves the new holder its lock', async () => {
    const dir = tempDir();
    const file = join(dir, 'users.json');
    const other = JSON.stringify({ pid: process.pid, host: 'h', since: Date.now(), token: randomBytes(4).toString('hex') });
    await assert.rejects(
      withFileLock(file, (held) => {
        held.assertHeld();
        writeFileSync(`${file}.lock`, other);
        held.assertHeld();
      }),
      /taken over while this process held it/,
    );
    assert.equal(readFileSync(`${file}.lock`, 'utf8'), other, "the new holder's lock stays");
  });

  it('says where when the lock file cannot be made', async () => {
    const missing = join(tempDir(), 'no such directory', 'users.json');
    await assert.rejects(withFileLock(missing, () => 1), (err: Error & { code?: string; location?: string }) => {
      assert.equal(err.code, 'MAMORI_ERR_MFA_USERS_LOCKED');
      assert.match(err.message, /could not be created/);
      return true;
    });
  });
});
