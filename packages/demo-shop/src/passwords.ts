/**
 * Password hashing for the demo shop: scrypt from node:crypto with a random
 * per-user salt, stored as `scrypt$N$r$p$<salt>$<hash>` (base64url parts).
 * Verification compares in constant time and never throws on a bad record.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  keyLength: number;
}

/** Interactive-login cost recommended by the Node.js docs (about 16 MiB, tens of ms). */
export const SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 16384, r: 8, p: 1, keyLength: 32 });
const SALT_BYTES = 16;

/** The key-derivation function, injectable so tests can observe how often it runs. */
export type Kdf = (password: string, salt: Buffer, params: ScryptParams) => Promise<Buffer>;

export const scryptKdf: Kdf = (password, salt, params) =>
  new Promise((resolve, reject) => {
    scrypt(password, salt, params.keyLength, { N: params.N, r: params.r, p: params.p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });

export async function hashPassword(password: string, kdf: Kdf = scryptKdf): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await kdf(password, salt, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash {
  salt: Buffer;
  key: Buffer;
  params: ScryptParams;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  // Accept only the parameters we write, so a tampered row cannot ask for a huge cost.
  if (N !== SCRYPT_PARAMS.N || r !== SCRYPT_PARAMS.r || p !== SCRYPT_PARAMS.p) return undefined;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length !== SALT_BYTES || key.length !== SCRYPT_PARAMS.keyLength) return undefined;
  return { salt, key, params: SCRYPT_PARAMS };
}

/** A fixed-shape record used when the account does not exist, so both paths cost one scrypt. */
const DUMMY: ParsedHash = { salt: randomBytes(SALT_BYTES), key: randomBytes(SCRYPT_PARAMS.keyLength), params: SCRYPT_PARAMS };

/**
 * True when `password` matches `stored`. With `stored` undefined (unknown
 * user) it still derives a key against a dummy record and returns false.
 */
export async function verifyPassword(stored: string | undefined, password: string, kdf: Kdf = scryptKdf): Promise<boolean> {
  const parsed = stored === undefined ? undefined : parseHash(stored);
  const record = parsed ?? DUMMY;
  const key = await kdf(password, record.salt, record.params);
  const same = key.length === record.key.length && timingSafeEqual(key, record.key);
  return parsed !== undefined && same;
}
