/**
 * An exclusive lock on a file between processes (two proxies, or a proxy and `mamori users`,
 * writing one `users.json`): the lock file `<file>.lock`, created with O_CREAT | O_EXCL (so one
 * process only creates it), holding the holder's pid, its host (and pid namespace), the time it
 * was taken and a random token.
 *
 * - Held for the read-modify-write only (milliseconds): the caller's work under it is synchronous.
 * - Waiting is bounded (`waitMs`); then a MAMORI_ERR_MFA_USERS_LOCKED error names the holder.
 * - A lock whose holder is gone (a process of this host and pid namespace that no longer runs,
 *   e.g. killed with SIGKILL while holding it) is taken over once it is a second old; any lock is
 *   taken over once it is `staleMs` old (a holder on another host, a pid reused by another program).
 * - Taking over is itself exclusive (`<file>.lock.takeover`, O_EXCL) and removes the lock only if it
 *   still is the one judged stale (same token), so two processes taking over at once do not
 *   remove a lock one of them just took.
 * - Before its write the holder checks that the lock is still its own (`assertHeld`): a holder
 *   that was paused past `staleMs` and taken over writes nothing.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, readlinkSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { MamoriError } from '../core/errors.js';

export interface FileLockOptions {
  /** How long to wait for another holder before giving up (default 25 s: more than `staleMs`, so a stale lock is taken within one wait). */
  waitMs?: number;
  /** A lock this old is stale whoever holds it (default 20 s; a holder keeps it for milliseconds). */
  staleMs?: number;
}

export interface LockHolder {
  pid: number;
  host: string;
  since: number;
  token: string;
}

export interface HeldLock {
  readonly lockPath: string;
  /** Throws unless the lock file still carries this holder's token. */
  assertHeld(): void;
}

const DEFAULT_WAIT_MS = 25_000;
const DEFAULT_STALE_MS = 20_000;
/** A lock whose holder's process is gone is taken over once it is this old. */
const DEAD_HOLDER_MS = 1000;
const MAX_LOCK_FILE = 4096;

let identity: string | undefined;
/** This host, and the pid namespace when the system says (a pid means something only within it). */
function hostIdentity(): string {
  if (identity !== undefined) return identity;
  let ns = '';
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // Not Linux, or no /proc: the host name alone.
  }
  identity = ns ? `${hostname()} ${ns}` : hostname();
  return identity;
}

/** Whether a process of this pid runs (here: same host and pid namespace). */
function running(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Seen {
  text: string;
  holder: LockHolder | undefined;
  /** When it was taken: the file's modification time (the holder's word may come from another clock). */
  since: number;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const x = JSON.parse(text) as Partial<LockHolder> | null;
    if (x && Number.isSafeInteger(x.pid) && x.pid! > 0 && typeof x.host === 'string' && Number.isFinite(x.since) && typeof x.token === 'string') return x as LockHolder;
  } catch {
    // An empty or garbled lock file (its holder died between creating and writing it): judged by its age.
  }
  return undefined;
}

/** The lock file as it is (its text and time read through one descriptor: one file), or undefined when there is none. */
function readLock(lockPath: string): Seen | undefined {
  let fd: number;
  try {
    fd = openSync(lockPath, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MamoriError('MAMORI_ERR_MFA_USERS_LOCKED', `the lock file could not be read: ${(err as Error).message}`, { location: lockPath, cause: err });
  }
  try {
    const st = fstatSync(fd);
    const buf = Buffer.alloc(Math.min(st.size, MAX_LOCK_FILE));
    const n = buf.length > 0 ? readSync(fd, buf, 0, buf.length, 0) : 0;
    const text = buf.subarray(0, n).toString('utf8');
    return { text, holder: parseHolder(text), since: st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

function isStale(seen: Seen, now: number, staleMs: number): boolean {
  const age = now - seen.since;
  if (age > staleMs) return true;
  const h = seen.holder;
  return h !== undefined && h.host === hostIdentity() && age > DEAD_HOLDER_MS && !running(h.pid);
}

/** Creates the lock file if there is none (O_EXCL); false when one exists. */
function tryCreate(lockPath: string, me: LockHolder): string | undefined {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw new MamoriError('MAMORI_ERR_MFA_USERS_LOCKED', `the lock file could not be created: ${(err as Error).message}`, { location: lockPath, cause: err });
  }
  const text = `${JSON.stringify(me)}\n`;
  try {
    writeSync(fd, text);
  } catch (err) {
    closeSync(fd);
    unlinkQuietly(lockPath);
    throw new MamoriError('MAMORI_ERR_MFA_USERS_LOCKED', `the lock file could not be written: ${(err as Error).message}`, { location: lockPath, cause: err });
  }
  closeSync(fd);
  return text;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already.
  }
}

/**
 * Removes the lock judged stale, if it still is that one. One process at a time does it (the
 * takeover guard); a guard left behind by a process that died in that instant is stale in turn.
 */
function takeOver(lockPath: string, judged: Seen, me: LockHolder, staleMs: number): boolean {
  const guard = `${lockPath}.takeover`;
  if (tryCreate(guard, me) === undefined) {
    const g = readLock(guard);
    if (g && isStale(g, Date.now(), staleMs)) unlinkQuietly(guard);
    return false;
  }
  try {
    const now = readLock(lockPath);
    if (now && now.text === judged.text) unlinkQuietly(lockPath);
    return true;
  } finally {
    unlinkQuietly(guard);
  }
}

function holderText(h: LockHolder | undefined): string {
  if (!h) return 'a process that left no name in it';
  return `process ${h.pid}${h.host === hostIdentity() ? '' : ` on ${h.host.split(' ')[0]}`}, since ${new Date(h.since).toISOString()}`;
}

/**
 * Runs `fn` holding the lock on `file` (`<file>.lock`), waiting for it up to `waitMs`. `fn` is
 * synchronous: nothing else of this process runs between taking the lock and giving it back.
 */
export async function withFileLock<T>(file: string, fn: (lock: HeldLock) => T, opts: FileLockOptions = {}): Promise<T> {
  const lockPath = `${file}.lock`;
  const waitMs = opts.waitMs ?? DEFAULT_WAIT_MS;
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const token = randomBytes(12).toString('hex');
  const deadline = Date.now() + waitMs;
  let pause = 2;
  let last: Seen | undefined;
  for (let first = true; ; first = false) {
    if (!first && Date.now() >= deadline) {
      throw new MamoriError(
        'MAMORI_ERR_MFA_USERS_LOCKED',
        `${file} is being written by ${holderText(last?.holder)}: waited ${Math.round(waitMs / 1000)} s for it. A lock whose process is gone is taken over by itself; if that process is stuck, stop it, or remove ${lockPath} once it no longer runs`,
        { location: lockPath },
      );
    }
    const me: LockHolder = { pid: process.pid, host: hostIdentity(), since: Date.now(), token };
    const mine = tryCreate(lockPath, me);
    if (mine !== undefined) {
      const held: HeldLock = {
        lockPath,
        assertHeld() {
          if (readLock(lockPath)?.text !== mine) {
            throw new MamoriError('MAMORI_ERR_MFA_USERS_LOCKED', `the lock on ${file} was taken over while this process held it (held past ${Math.round(staleMs / 1000)} s, or removed by hand): nothing was written; do it again`, { location: lockPath });
          }
        },
      };
      try {
        return fn(held);
      } finally {
        // Removed only while it is still this holder's (a lock taken over is the new holder's).
        if (readLock(lockPath)?.text === mine) unlinkQuietly(lockPath);
      }
    }
    last = readLock(lockPath);
    if (last === undefined) continue;
    if (isStale(last, Date.now(), staleMs) && takeOver(lockPath, last, me, staleMs)) continue;
    await sleep(Math.max(1, Math.min(pause + Math.random() * pause, deadline - Date.now())));
    pause = Math.min(pause * 2, 100);
  }
}
