/**
 * MFA secrets at rest: AES-256-GCM under a key ring, so a copy of the database alone gives an
 * attacker no TOTP secrets, and keys can be rotated.
 *
 * A sealed value is text: `m1.<key id>.<nonce>.<ciphertext+tag>` (base64url parts). The key id
 * is the first 8 hex digits of SHA-256 over the key, so it names the key without revealing it,
 * and a ring never needs ids typed by hand. The additional data binds a value to what it is
 * for (an account's TOTP secret): a sealed secret moved to another account's row does not open.
 *
 * Keys come from the environment or a file, as 64 hex digits or 43 base64url characters, one
 * per line: the first is the current key (new values are sealed under it), the others are older
 * keys that still open values sealed under them until `rotate` has re-sealed those.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { MamoriError } from '../core/errors.js';

const PREFIX = 'm1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

interface RingKey {
  id: string;
  key: Buffer;
}

export class SecretBox {
  readonly #keys: RingKey[];

  /** `keys`: the current key first, then older ones; each 32 bytes. */
  constructor(keys: readonly Uint8Array[]) {
    if (keys.length === 0) throw new MamoriError('MAMORI_ERR_MFA_KEY', 'the MFA key ring is empty: give at least one 32-byte key');
    this.#keys = keys.map((k, i) => {
      if (k.length !== 32) throw new MamoriError('MAMORI_ERR_MFA_KEY', `MFA key ${i + 1} is ${k.length} bytes, not 32`);
      const key = Buffer.from(k);
      return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
    });
    const ids = new Set(this.#keys.map((k) => k.id));
    if (ids.size !== this.#keys.length) throw new MamoriError('MAMORI_ERR_MFA_KEY', 'the MFA key ring holds the same key twice');
  }

  /** The ring from text: one key a line (64 hex digits or 43 base64url characters), `#` comments and blank lines ignored. `where` names the source in errors. */
  static parse(text: string, where: string): SecretBox {
    if (text.length > 64 * 1024) throw new MamoriError('MAMORI_ERR_MFA_KEY', 'the MFA key ring is larger than 64 KiB', { location: where });
    const keys: Buffer[] = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '' || line.startsWith('#')) continue;
      keys.push(decodeKey(line, `${where}:${i + 1}`));
    }
    return new SecretBox(keys);
  }

  /**
   * The ring from `MAMORI_MFA_KEYS` (keys separated by commas or newlines), else the file
   * `MAMORI_MFA_KEY_FILE` names, else `file`. A key file others can read is refused.
   */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env, file?: string): SecretBox {
    const inline = env.MAMORI_MFA_KEYS;
    if (inline) return SecretBox.parse(inline.replace(/,/g, '\n'), 'MAMORI_MFA_KEYS');
    const path = env.MAMORI_MFA_KEY_FILE ?? file;
    if (!path) throw new MamoriError('MAMORI_ERR_MFA_KEY', 'no MFA key: set MAMORI_MFA_KEYS, or MAMORI_MFA_KEY_FILE to a file of keys');
    let text: string;
    try {
      const st = statSync(path);
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
        throw new MamoriError('MAMORI_ERR_MFA_KEY', `the MFA key file can be read by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`, { location: path });
      }
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if (err instanceof MamoriError) throw err;
      throw new MamoriError('MAMORI_ERR_MFA_KEY', `the MFA key file could not be read: ${(err as Error).message}`, { location: path, cause: err });
    }
    return SecretBox.parse(text, path);
  }

  /** A new random key, as the text a key file holds. */
  static newKeyText(): string {
    return randomBytes(32).toString('hex');
  }

  /** The current key's id (what `seal` writes). */
  get currentKeyId(): string {
    return this.#keys[0]!.id;
  }

  /** Seals `plain` for `context` (for example `totp:<account id>`) under the current key. */
  seal(plain: Uint8Array, context: string): string {
    const k = this.#keys[0]!;
    const nonce = randomBytes(NONCE_BYTES);
    const c = createCipheriv('aes-256-gcm', k.key, nonce);
    c.setAAD(aad(k.id, context));
    const body = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
    return `${PREFIX}.${k.id}.${nonce.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Opens a sealed value for `context`; an unknown key, another context or any changed byte is MAMORI_ERR_MFA_KEY. */
  open(sealed: string, context: string): Buffer {
    const parts = typeof sealed === 'string' && sealed.length < 8192 ? sealed.split('.') : [];
    if (parts.length !== 4 || parts[0] !== PREFIX) throw new MamoriError('MAMORI_ERR_MFA_KEY', 'not a sealed MFA secret (m1.<key>.<nonce>.<data>)');
    const [, id, nonceText, bodyText] = parts as [string, string, string, string];
    const k = this.#keys.find((x) => x.id === id);
    if (!k) throw new MamoriError('MAMORI_ERR_MFA_KEY', `the secret was sealed under key ${id.slice(0, 8)}, which is not in the key ring`);
    const nonce = Buffer.from(nonceText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new MamoriError('MAMORI_ERR_MFA_KEY', 'the sealed MFA secret is cut short');
    try {
      const d = createDecipheriv('aes-256-gcm', k.key, nonce);
      d.setAAD(aad(k.id, context));
      d.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([d.update(body.subarray(0, body.length - TAG_BYTES)), d.final()]);
    } catch (err) {
      throw new MamoriError('MAMORI_ERR_MFA_KEY', 'the sealed MFA secret does not open: changed, or sealed for another account', { cause: err });
    }
  }

  /** Whether a sealed value is under an older key (`rotate` would re-seal it). */
  isStale(sealed: string): boolean {
    return !sealed.startsWith(`${PREFIX}.${this.#keys[0]!.id}.`);
  }

  /** Re-seals a value under the current key (the same value when it is already). */
  rotate(sealed: string, context: string): string {
    return this.isStale(sealed) ? this.seal(this.open(sealed, context), context) : sealed;
  }
}

function aad(id: string, context: string): Buffer {
  return Buffer.from(`${PREFIX}\0${id}\0${context}`, 'utf8');
}

function decodeKey(text: string, where: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9_-]{43}$/.test(text)) {
    const b = Buffer.from(text, 'base64url');
    if (b.length === 32) return b;
  }
  throw new MamoriError('MAMORI_ERR_MFA_KEY', 'an MFA key is 32 bytes written as 64 hex digits or 43 base64url characters', { location: where });
}
