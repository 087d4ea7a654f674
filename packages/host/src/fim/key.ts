/**
 * The key that signs baselines (HMAC-SHA256): a file of its own, created on `fim init` with
 * 32 random bytes (hex, mode 0600), and refused when it lies inside a monitored tree that
 * does not exclude it. Keep it where an intruder who can write the monitored files cannot:
 * another mount, read-only media, or a path only root can read.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MamoriError } from 'mamori/errors';
import type { RuleSet } from './rules.js';

const MIN_KEY = 32;

export function readKey(file: string): Buffer {
  let text: string;
  try {
    if (statSync(file).size > 4096) throw new Error('larger than 4 KiB');
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_FIM_KEY', `cannot read the baseline key ${file}: ${(err as Error).message} (it is made by \`mamori fim init\`; without it no baseline can be verified)`, { cause: err });
  }
  if (Buffer.byteLength(text) < MIN_KEY) throw new MamoriError('MAMORI_ERR_FIM_KEY', `the baseline key ${file} is shorter than ${MIN_KEY} bytes`);
  return Buffer.from(text, 'utf8');
}

/** The key at `file`, made first when there is none. */
export function ensureKey(file: string): { key: Buffer; created: boolean } {
  if (existsSync(file)) return { key: readKey(file), created: false };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key: readKey(file), created: true };
}

/** Refuses a key that the rules monitor: by its own path or the path links resolve it to. */
export function assertKeyOutside(file: string, rules: RuleSet): void {
  const candidates = new Set([resolve(file)]);
  try {
    candidates.add(realpathSync(file));
  } catch {
    try {
      candidates.add(resolve(realpathSync(dirname(file)), file.slice(dirname(file).length + 1)));
    } catch {
      // the folder does not exist yet: its resolved path is the only one
    }
  }
  for (const p of candidates) {
    if (rules.covers(p)) {
      throw new MamoriError('MAMORI_ERR_FIM_KEY', `the baseline key ${p} is inside a monitored path: keep it apart from what it protects (--key FILE), or exclude it`);
    }
  }
}
