/**
 * The people mamori's own sign-in knows (the MFA gate, for a site that has no second factor of
 * its own): a file `<data_dir>/users.json`, managed by `mamori users`, read by the proxy.
 *
 * Nothing in it opens anything by itself:
 * - passwords are scrypt hashes (N = 2^15, r = 8, p = 1: 32 MiB and some tens of milliseconds per
 *   guess, with a 16-byte salt each);
 * - TOTP secrets are sealed with AES-256-GCM under the MFA key ring (secret-box.ts), bound to
 *   the user's name, the key kept apart from the file (MAMORI_MFA_KEYS, or `<data_dir>/mfa.keys`);
 * - recovery codes are keyed hashes (recovery-codes.ts);
 * - passkeys' public keys are not secret, but they are sealed too, bound to the user's name and
 *   the credential id: a key written into the file by someone without the key ring, or copied
 *   from another user's entry, does not open, so the file alone cannot give anyone a passkey.
 *
 * Every change is a read-modify-write under an exclusive lock between processes (file-lock.ts,
 * `users.json.lock`): the file is read again under the lock, changed, written whole to a
 * temporary file (mode 0600), flushed to disk (fsync) and renamed over the old one. So two
 * proxies, or a proxy and `mamori users`, never write over each other's changes; a reader never
 * sees half a file, and a crash leaves the old one. Every read checks the file's shape and says
 * where it is wrong.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { MamoriError } from '../core/errors.js';
import { SecretBox } from './secret-box.js';
import { newRecoveryCodes } from './recovery-codes.js';
import { otpauthUri, type OtpAlgorithm } from './otp.js';
import { withFileLock, type FileLockOptions, type HeldLock } from './file-lock.js';

const scrypt = promisify(scryptCb) as (pw: string | Buffer, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const MAX_FILE = 4 * 1024 * 1024;
const NAME = /^[A-Za-z0-9._@+-]{1,128}$/;
export const MIN_PASSWORD_LENGTH = 12;

export interface GateUser {
  name: string;
  /** `scrypt$N$r$p$<salt b64url>$<hash b64url>`. */
  password: string;
  /** The TOTP secret, sealed (secret-box.ts), with its parameters; empty for a user of passkeys only. */
  totp: string;
  algorithm: OtpAlgorithm;
  digits: number;
  period: number;
  /** Keyed hashes of the recovery codes not yet used. */
  recovery: string[];
  createdAt: string;
  /** Drawn anew when the second factor or the password changes: the gate's sessions carry it, so older ones end. */
  generation?: string;
  /** Passkeys (WebAuthn credentials) registered on the gate's pages. */
  passkeys?: PasskeyRecord[];
  /** A user with neither TOTP nor a passkey may register a first passkey after the password until then (ISO time). */
  passkeyEnrolUntil?: string;
}

export interface PasskeyRecord {
  /** The credential id, base64url. */
  id: string;
  /** The COSE public key, sealed under the key ring, bound to `passkey:<user>:<id>`. */
  key: string;
  /** The signature counter last seen (0: the authenticator keeps none). */
  counter: number;
  transports: string[];
  /** The authenticator model's id (all zeros when it gave none). */
  aaguid: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string;
}

/** What a registration gives, before it is sealed and stored. */
export interface NewPasskey {
  id: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  aaguid: string;
  name: string;
}

export const MAX_PASSKEYS = 20;
/** How long a user of passkeys only has to register a first one after `add` or `reset-mfa` (default). */
export const PASSKEY_ENROL_MS = 7 * 86_400_000;
const CRED_ID = /^[A-Za-z0-9_-]{16,1366}$/;

export interface Enrolment {
  user: GateUser;
  /** To show once: the otpauth URI (the QR code's content), and the recovery codes. */
  otpauth: string;
  recoveryCodes: string[];
}

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const h = await scrypt(password.normalize('NFC'), salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${h.toString('base64url')}`;
}

/** A dummy hash, checked when the name is unknown, so the answer takes as long either way. */
let dummy: string | undefined;

export class UserDirectory {
  readonly path: string;
  readonly #box: SecretBox;
  readonly #recoveryKey: Buffer;
  readonly #lock: FileLockOptions;
  #users = new Map<string, GateUser>();
  #loadedAt = -1;
  /** The inode read: every write is a new file renamed in, so a write in the same millisecond is still seen. */
  #loadedIno = -1;

  /**
   * `recoveryKey`: the key recovery codes are hashed under (derived from the instance secret);
   * `lock`: how long a change waits for another process's (and when a lock is stale).
   */
  constructor(path: string, box: SecretBox, recoveryKey: Buffer, lock: FileLockOptions = {}) {
    this.path = path;
    this.#box = box;
    this.#recoveryKey = recoveryKey;
    this.#lock = lock;
    this.reload();
  }

  /**
   * Reads the file again when it changed (another process: `mamori users` while the proxy runs);
   * `force`: whatever its time and inode say (under the lock, before a change).
   */
  reload(force = false): void {
    if (!existsSync(this.path)) {
      this.#users = new Map();
      this.#loadedAt = 0;
      this.#loadedIno = -1;
      return;
    }
    const st = statSync(this.path);
    if (!force && st.mtimeMs === this.#loadedAt && st.ino === this.#loadedIno) return;
    if (st.size > MAX_FILE) throw new MamoriError('MAMORI_ERR_MFA_USERS', `the users file is larger than ${MAX_FILE} bytes`, { location: this.path });
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_MFA_USERS', `the users file is not JSON: ${(err as Error).message}`, { location: this.path, cause: err });
    }
    const users = new Map<string, GateUser>();
    const list = (doc as { version?: unknown; users?: unknown } | null)?.users;
    if ((doc as { version?: unknown } | null)?.version !== 1 || !Array.isArray(list)) throw new MamoriError('MAMORI_ERR_MFA_USERS', 'the users file is not version 1 with a users list', { location: this.path });
    list.forEach((u: unknown, i: number) => {
      const where = `${this.path}: users[${i}]`;
      const x = u as Partial<GateUser> | null;
      const ok =
        x !== null &&
        typeof x === 'object' &&
        typeof x.name === 'string' &&
        NAME.test(x.name) &&
        typeof x.password === 'string' &&
        x.password.startsWith('scrypt$') &&
        typeof x.totp === 'string' &&
        ['sha1', 'sha256', 'sha512'].includes(String(x.algorithm)) &&
        Number.isInteger(x.digits) &&
        Number.isInteger(x.period) &&
        Array.isArray(x.recovery) &&
        x.recovery.every((r) => typeof r === 'string') &&
        typeof x.createdAt === 'string' &&
        (x.passkeyEnrolUntil === undefined || typeof x.passkeyEnrolUntil === 'string') &&
        (x.passkeys === undefined || (Array.isArray(x.passkeys) && x.passkeys.length <= MAX_PASSKEYS && x.passkeys.every(validPasskey)));
      if (!ok) throw new MamoriError('MAMORI_ERR_MFA_USERS', 'a user entry is missing a field or has one of the wrong type', { location: where });
      if (users.has(x.name!)) throw new MamoriError('MAMORI_ERR_MFA_USERS', `"${x.name}" is in the file twice`, { location: where });
      users.set(x.name!, x as GateUser);
    });
    this.#users = users;
    this.#loadedAt = st.mtimeMs;
    this.#loadedIno = st.ino;
  }

  list(): GateUser[] {
    return [...this.#users.values()];
  }

  get(name: string): GateUser | undefined {
    return this.#users.get(name);
  }

  /** A new user with a password, a fresh TOTP secret and recovery codes; what to show them once. */
  async add(name: string, password: string, opts: { issuer: string; now?: number; passkeyOnly?: boolean }): Promise<Enrolment> {
    if (!NAME.test(name)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'a user name is 1 to 128 letters, digits or . _ @ + -');
    if (this.#users.has(name)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `"${name}" exists already (mamori users reset-mfa ${name} gives a new second factor)`);
    checkPassword(password);
    const hashed = await hashPassword(password);
    // Every change starts from the file as it is now, read under the lock: the proxy writes it
    // too (a passkey registered, a counter, a used recovery code), and a copy read before the
    // password was typed would write those back out of it. (Red team, passkeys finding 4.)
    return this.#change((held) => {
      if (this.#users.has(name)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `"${name}" exists already (mamori users reset-mfa ${name} gives a new second factor)`);
      const user: GateUser = { name, password: hashed, totp: '', algorithm: 'sha1', digits: 6, period: 30, recovery: [], createdAt: new Date(opts.now ?? Date.now()).toISOString(), generation: newGeneration() };
      const e = this.#enrol(user, opts.issuer, opts.passkeyOnly ? (opts.now ?? Date.now()) : undefined);
      this.#users.set(name, e.user);
      this.#save(held);
      return e;
    });
  }

  /**
   * A new TOTP secret and new recovery codes (the phone was lost), or with `passkeyOnly` no TOTP
   * and a window to register a first passkey in; either way every passkey goes. The password stays.
   */
  resetMfa(name: string, opts: { issuer: string; now?: number; passkeyOnly?: boolean }): Promise<Enrolment> {
    return this.#change((held) => {
      const u = this.#users.get(name);
      if (!u) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no user "${name.slice(0, 128)}"`);
      const { passkeys: _gone, passkeyEnrolUntil: _window, ...rest } = u;
      const e = this.#enrol({ ...rest, generation: newGeneration() }, opts.issuer, opts.passkeyOnly ? (opts.now ?? Date.now()) : undefined);
      this.#users.set(name, e.user);
      this.#save(held);
      return e;
    });
  }

  async setPassword(name: string, password: string): Promise<void> {
    const u = this.#users.get(name);
    if (!u) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no user "${name.slice(0, 128)}"`);
    checkPassword(password);
    const hashed = await hashPassword(password);
    await this.#change((held) => {
      const now = this.#users.get(name);
      if (!now) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no user "${name.slice(0, 128)}"`);
      this.#users.set(name, { ...now, password: hashed, generation: newGeneration() });
      this.#save(held);
    });
  }

  /** Re-seals every TOTP secret and passkey sealed under an older key of the ring; how many. */
  rotateKeys(): Promise<number> {
    return this.#change((held) => this.#rotate(held));
  }

  #rotate(held: HeldLock): number {
    let n = 0;
    for (const [name, u] of this.#users) {
      let next = u;
      if (u.totp !== '' && this.#box.isStale(u.totp)) {
        next = { ...next, totp: this.#box.rotate(u.totp, `totp:${name}`) };
        n++;
      }
      const stale = u.passkeys?.filter((p) => this.#box.isStale(p.key)) ?? [];
      if (stale.length > 0) {
        next = { ...next, passkeys: u.passkeys!.map((p) => (stale.includes(p) ? { ...p, key: this.#box.rotate(p.key, passkeyContext(name, p.id)) } : p)) };
        n += stale.length;
      }
      if (next !== u) this.#users.set(name, next);
    }
    if (n > 0) this.#save(held);
    return n;
  }

  remove(name: string): Promise<boolean> {
    return this.#change((held) => {
      const had = this.#users.delete(name);
      if (had) this.#save(held);
      return had;
    });
  }

  /** Takes a used recovery code's hash out of the user's list, as the file holds it now. */
  dropRecovery(name: string, hash: string): Promise<void> {
    return this.#change((held) => {
      const u = this.#users.get(name);
      if (!u) return;
      this.#users.set(name, { ...u, recovery: u.recovery.filter((h) => h !== hash) });
      this.#save(held);
    });
  }

  /**
   * Adds a passkey a registration gave (the gate verified it); the file as it is now. `first`: only
   * as the user's first second factor (two registrations racing in the enrolment window add one).
   */
  addPasskey(name: string, p: NewPasskey, now: number, opts: { first?: boolean } = {}): Promise<PasskeyRecord> {
    return this.#change((held) => this.#addPasskey(held, name, p, now, opts));
  }

  #addPasskey(held: HeldLock, name: string, p: NewPasskey, now: number, opts: { first?: boolean }): PasskeyRecord {
    const u = this.#users.get(name);
    if (!u) throw new MamoriError('MAMORI_ERR_MFA_USERS', `no user "${name.slice(0, 128)}"`);
    const list = u.passkeys ?? [];
    if (opts.first && (list.length > 0 || u.totp !== '')) throw new MamoriError('MAMORI_ERR_MFA_USERS', `${name} has a second factor already: sign in with it to add a passkey`);
    if (list.length >= MAX_PASSKEYS) throw new MamoriError('MAMORI_ERR_MFA_USERS', `${name} has ${MAX_PASSKEYS} passkeys already: remove one first (mamori users remove-passkey)`);
    if (!CRED_ID.test(p.id)) throw new MamoriError('MAMORI_ERR_MFA_USERS', 'a credential id is 12 to 1023 bytes, base64url');
    // A credential id is the authenticator's: the same one under two users would make one person both.
    for (const other of this.#users.values()) if (other.passkeys?.some((q) => q.id === p.id)) throw new MamoriError('MAMORI_ERR_MFA_USERS', 'this passkey is registered already');
    const rec: PasskeyRecord = {
      id: p.id,
      key: this.#box.seal(Buffer.from(p.publicKey), passkeyContext(name, p.id)),
      counter: p.counter,
      transports: p.transports.filter((t) => /^[a-z-]{1,32}$/.test(t)).slice(0, 8),
      aaguid: /^[0-9a-f-]{36}$/.test(p.aaguid) ? p.aaguid : '00000000-0000-0000-0000-000000000000',
      name: cleanPasskeyName(p.name) || `passkey ${list.length + 1}`,
      createdAt: new Date(now).toISOString(),
    };
    const { passkeyEnrolUntil: _closed, ...rest } = u;
    this.#users.set(name, { ...rest, passkeys: [...list, rec] });
    this.#save(held);
    return rec;
  }

  /**
   * Removes the user's passkey with this id (or the one id this prefix of 8 characters or more
   * starts); a new generation, so sessions it opened end. The record removed, or undefined.
   */
  removePasskey(name: string, idOrPrefix: string): Promise<PasskeyRecord | undefined> {
    return this.#change((held) => {
      const u = this.#users.get(name);
      if (!u) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no user "${name.slice(0, 128)}"`);
      const list = u.passkeys ?? [];
      let hit = list.filter((p) => p.id === idOrPrefix);
      if (hit.length === 0 && idOrPrefix.length >= 8) hit = list.filter((p) => p.id.startsWith(idOrPrefix));
      if (hit.length > 1) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `"${idOrPrefix.slice(0, 40)}" starts ${hit.length} passkey ids: give more of it`);
      const gone = hit[0];
      if (!gone) return undefined;
      this.#users.set(name, { ...u, passkeys: list.filter((p) => p !== gone), generation: newGeneration() });
      this.#save(held);
      return gone;
    });
  }

  /**
   * After a sign-in with a passkey: its counter and when it was used, as the file holds it now.
   * False (nothing written) when the passkey is gone, or its counter did not go up from the one
   * the file holds now (when either is not zero): another answer with this counter value landed
   * first, so one of the two comes from a copied authenticator.
   */
  passkeyUsed(name: string, id: string, counter: number, now: number): Promise<boolean> {
    return this.#change((held) => {
      const u = this.#users.get(name);
      const stored = u?.passkeys?.find((p) => p.id === id);
      if (!u?.passkeys || !stored) return false;
      if ((counter !== 0 || stored.counter !== 0) && counter <= stored.counter) return false;
      this.#users.set(name, { ...u, passkeys: u.passkeys.map((p) => (p.id === id ? { ...p, counter, lastUsedAt: new Date(now).toISOString() } : p)) });
      this.#save(held);
      return true;
    });
  }

  /** A passkey's public key, opened (it fails for a record not sealed for this user and id). */
  passkeyKey(u: GateUser, p: PasskeyRecord): Buffer {
    return this.#box.open(p.key, passkeyContext(u.name, p.id));
  }

  /** Whether `password` is the user's; as slow for an unknown name as for a known one. */
  async verifyPassword(name: string, password: string): Promise<boolean> {
    const u = this.#users.get(name);
    dummy ??= await hashPassword(randomBytes(16).toString('hex'));
    const stored = u?.password ?? dummy;
    const [, n, r, p, saltText, hashText] = stored.split('$');
    const expected = Buffer.from(hashText ?? '', 'base64url');
    const got = await scrypt(String(password).normalize('NFC').slice(0, 1024), Buffer.from(saltText ?? '', 'base64url'), expected.length || 32, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
    return u !== undefined && expected.length === got.length && timingSafeEqual(expected, got);
  }

  /** The user's TOTP secret, opened. */
  totpSecret(u: GateUser): Buffer {
    return this.#box.open(u.totp, `totp:${u.name}`);
  }

  get recoveryKey(): Buffer {
    return this.#recoveryKey;
  }

  /** TOTP and recovery codes; with `passkeyFrom` (a time) no TOTP but a window to register a first passkey. */
  #enrol(user: GateUser, issuer: string, passkeyFrom?: number): Enrolment {
    const { codes, hashes } = newRecoveryCodes(this.#recoveryKey);
    if (passkeyFrom !== undefined) {
      const next: GateUser = { ...user, totp: '', algorithm: 'sha1', digits: 6, period: 30, recovery: hashes, passkeyEnrolUntil: new Date(passkeyFrom + PASSKEY_ENROL_MS).toISOString() };
      return { user: next, otpauth: '', recoveryCodes: codes };
    }
    const secret = randomBytes(20);
    const next: GateUser = { ...user, totp: this.#box.seal(secret, `totp:${user.name}`), algorithm: 'sha1', digits: 6, period: 30, recovery: hashes };
    return { user: next, otpauth: otpauthUri({ issuer, account: user.name, secret }), recoveryCodes: codes };
  }

  /**
   * A read-modify-write: under the lock between processes, the file read again (whatever its
   * time says), then `fn`, synchronous, which saves what it changed. When `fn` or the write
   * fails, the copy in memory is read again from the file at the next use.
   */
  async #change<T>(fn: (held: HeldLock) => T): Promise<T> {
    return withFileLock(
      this.path,
      (held) => {
        try {
          this.reload(true);
          return fn(held);
        } catch (err) {
          this.#loadedAt = -1;
          throw err;
        }
      },
      this.#lock,
    );
  }

  /** Written whole to a temporary file (0600), flushed, renamed over the file; the directory flushed. */
  #save(held: HeldLock): void {
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const text = `${JSON.stringify({ version: 1, users: [...this.#users.values()] }, null, 2)}\n`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      try {
        fchmodSync(fd, 0o600);
        const bytes = Buffer.from(text, 'utf8');
        for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      // Still this process's lock (not taken over while it was paused): else nothing is written.
      held.assertHeld();
      renameSync(tmp, this.path);
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        // Renamed already, or never made.
      }
      throw err;
    }
    syncDirectory(dirname(this.path));
    const st = statSync(this.path);
    this.#loadedAt = st.mtimeMs;
    this.#loadedIno = st.ino;
  }
}

/** The rename made durable: the directory's entry flushed (where the system allows it). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not every system opens or flushes a directory (Windows): the rename stands, unflushed.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function passkeyContext(user: string, id: string): string {
  return `passkey:${user}:${id}`;
}

/** A passkey's name as stored and shown: printable, at most 64 characters. */
export function cleanPasskeyName(name: string): string {
  return [...name.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '').trim()].slice(0, 64).join('');
}

function validPasskey(p: unknown): boolean {
  const x = p as Partial<PasskeyRecord> | null;
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof x.id === 'string' &&
    CRED_ID.test(x.id) &&
    typeof x.key === 'string' &&
    x.key.length <= 4096 &&
    Number.isSafeInteger(x.counter) &&
    x.counter! >= 0 &&
    Array.isArray(x.transports) &&
    x.transports.length <= 8 &&
    x.transports.every((t) => typeof t === 'string' && t.length <= 32) &&
    typeof x.aaguid === 'string' &&
    x.aaguid.length <= 36 &&
    typeof x.name === 'string' &&
    x.name.length <= 256 &&
    typeof x.createdAt === 'string' &&
    (x.lastUsedAt === undefined || typeof x.lastUsedAt === 'string')
  );
}

function newGeneration(): string {
  return randomBytes(8).toString('hex');
}

function checkPassword(password: string): void {
  if (typeof password !== 'string' || [...password].length < MIN_PASSWORD_LENGTH || password.length > 1024) {
    throw new MamoriError('MAMORI_ERR_CLI_USAGE', `a password is ${MIN_PASSWORD_LENGTH} to 1024 characters (NIST SP 800-63B asks for at least 8; mamori's gate guards admin areas)`);
  }
}

/**
 * The MFA key ring as mamori uses it: MAMORI_MFA_KEYS or MAMORI_MFA_KEY_FILE when set, else
 * `<data_dir>/mfa.keys`, created with one new key (mode 0600) when `create` and absent.
 */
export function mfaKeyRing(dataDir: string, create: boolean, env: NodeJS.ProcessEnv = process.env): SecretBox {
  const file = `${dataDir}/mfa.keys`;
  if (!env.MAMORI_MFA_KEYS && !env.MAMORI_MFA_KEY_FILE && create && !existsSync(file)) {
    writeFileSync(file, `# mamori's MFA key ring: the first key seals new secrets; keep older keys below it until \`mamori users rotate-keys\` ran.\n${SecretBox.newKeyText()}\n`, { mode: 0o600, flag: 'wx' });
  }
  return SecretBox.fromEnvironment(env, file);
}
