/**
 * The people mamori's own sign-in knows (the MFA gate, for a site that has no second factor of
 * its own): a file `<data_dir>/users.json`, managed by `mamori users`, read by the proxy.
 *
 * Nothing in it opens anything by itself:
 * - passwords are scrypt hashes (N = 2^15, r = 8, p = 1: 32 MiB and some tens of milliseconds per
 *   guess, with a 16-byte salt each);
 * - TOTP secrets are sealed with AES-256-GCM under the MFA key ring (secret-box.ts), bound to
 *   the user's name, the key kept apart from the file (MAMORI_MFA_KEYS, or `<data_dir>/mfa.keys`);
 * - recovery codes are keyed hashes (recovery-codes.ts).
 *
 * Written whole to a temporary file and renamed over the old one (mode 0600), so a reader never
 * sees half a file and a crash leaves the old one. Every read checks the file's shape and says
 * where it is wrong.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { promisify } from 'node:util';
import { MamoriError } from '../core/errors.js';
import { SecretBox } from './secret-box.js';
import { newRecoveryCodes } from './recovery-codes.js';
import { otpauthUri, type OtpAlgorithm } from './otp.js';

const scrypt = promisify(scryptCb) as (pw: string | Buffer, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const MAX_FILE = 4 * 1024 * 1024;
const NAME = /^[A-Za-z0-9._@+-]{1,128}$/;
export const MIN_PASSWORD_LENGTH = 12;

export interface GateUser {
  name: string;
  /** `scrypt$N$r$p$<salt b64url>$<hash b64url>`. */
  password: string;
  /** The TOTP secret, sealed (secret-box.ts), with its parameters. */
  totp: string;
  algorithm: OtpAlgorithm;
  digits: number;
  period: number;
  /** Keyed hashes of the recovery codes not yet used. */
  recovery: string[];
  createdAt: string;
  /** Drawn anew when the second factor or the password changes: the gate's sessions carry it, so older ones end. */
  generation?: string;
}

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
  #users = new Map<string, GateUser>();
  #loadedAt = -1;

  /** `recoveryKey`: the key recovery codes are hashed under (derived from the instance secret). */
  constructor(path: string, box: SecretBox, recoveryKey: Buffer) {
    this.path = path;
    this.#box = box;
    this.#recoveryKey = recoveryKey;
    this.reload();
  }

  /** Reads the file again when it changed (another process: `mamori users` while the proxy runs). */
  reload(): void {
    if (!existsSync(this.path)) {
      this.#users = new Map();
      this.#loadedAt = 0;
      return;
    }
    const st = statSync(this.path);
    if (st.mtimeMs === this.#loadedAt) return;
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
        typeof x.createdAt === 'string';
      if (!ok) throw new MamoriError('MAMORI_ERR_MFA_USERS', 'a user entry is missing a field or has one of the wrong type', { location: where });
      if (users.has(x.name!)) throw new MamoriError('MAMORI_ERR_MFA_USERS', `"${x.name}" is in the file twice`, { location: where });
      users.set(x.name!, x as GateUser);
    });
    this.#users = users;
    this.#loadedAt = st.mtimeMs;
  }

  list(): GateUser[] {
    return [...this.#users.values()];
  }

  get(name: string): GateUser | undefined {
    return this.#users.get(name);
  }

  /** A new user with a password, a fresh TOTP secret and recovery codes; what to show them once. */
  async add(name: string, password: string, opts: { issuer: string; now?: number }): Promise<Enrolment> {
    if (!NAME.test(name)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', 'a user name is 1 to 128 letters, digits or . _ @ + -');
    if (this.#users.has(name)) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `"${name}" exists already (mamori users reset-mfa ${name} gives a new second factor)`);
    checkPassword(password);
    const user: GateUser = { name, password: await hashPassword(password), totp: '', algorithm: 'sha1', digits: 6, period: 30, recovery: [], createdAt: new Date(opts.now ?? Date.now()).toISOString(), generation: newGeneration() };
    const e = this.#enrol(user, opts.issuer);
    this.#users.set(name, e.user);
    this.#save();
    return e;
  }

  /** A new TOTP secret and new recovery codes (the phone was lost); the password stays. */
  resetMfa(name: string, opts: { issuer: string }): Enrolment {
    const u = this.#users.get(name);
    if (!u) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no user "${name.slice(0, 128)}"`);
    const e = this.#enrol({ ...u, generation: newGeneration() }, opts.issuer);
    this.#users.set(name, e.user);
    this.#save();
    return e;
  }

  async setPassword(name: string, password: string): Promise<void> {
    const u = this.#users.get(name);
    if (!u) throw new MamoriError('MAMORI_ERR_CLI_USAGE', `no user "${name.slice(0, 128)}"`);
    checkPassword(password);
    this.#users.set(name, { ...u, password: await hashPassword(password), generation: newGeneration() });
    this.#save();
  }

  /** Re-seals every TOTP secret sealed under an older key of the ring; how many. */
  rotateKeys(): number {
    let n = 0;
    for (const [name, u] of this.#users) {
      if (!this.#box.isStale(u.totp)) continue;
      this.#users.set(name, { ...u, totp: this.#box.rotate(u.totp, `totp:${name}`) });
      n++;
    }
    if (n > 0) this.#save();
    return n;
  }

  remove(name: string): boolean {
    const had = this.#users.delete(name);
    if (had) this.#save();
    return had;
  }

  /** Takes a used recovery code's hash out of the user's list, as the file holds it now. */
  dropRecovery(name: string, hash: string): void {
    this.reload();
    const u = this.#users.get(name);
    if (!u) return;
    this.#users.set(name, { ...u, recovery: u.recovery.filter((h) => h !== hash) });
    this.#save();
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

  #enrol(user: GateUser, issuer: string): Enrolment {
    const secret = randomBytes(20);
    const { codes, hashes } = newRecoveryCodes(this.#recoveryKey);
    const next: GateUser = { ...user, totp: this.#box.seal(secret, `totp:${user.name}`), algorithm: 'sha1', digits: 6, period: 30, recovery: hashes };
    return { user: next, otpauth: otpauthUri({ issuer, account: user.name, secret }), recoveryCodes: codes };
  }

  #save(): void {
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, users: [...this.#users.values()] }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
    this.#loadedAt = statSync(this.path).mtimeMs;
  }
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
