/**
 * The generation record (H13 of bench/redteam/README-host.md): a small file beside the baseline
 * key (`<key>.generations`, mode 0600) that holds, for each baseline of each database, the
 * generation last written and that baseline's signature. Every write of a baseline raises its
 * generation (signed into the baseline) and then rewrites this file (a temporary file, fsync,
 * rename, fsync of the folder). A baseline whose generation is below the recorded one is an
 * older copy put back into `fim.db`: it verifies under the key, but it is refused.
 *
 * The file is itself signed with the key (HMAC-SHA256), so someone who can write it but cannot
 * read the key cannot lower a generation. Someone who can read the key can sign anything: the
 * key's place is what protects both (docs/fim.md).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MamoriError } from 'mamori/errors';

const FORMAT = 'mamori-fim-generations-1';
/** The record never grows past this (a few hundred bytes per baseline). */
const MAX_BYTES = 1 << 20;

export interface GenerationEntry {
  readonly generation: number;
  /** The signature of the baseline written at that generation. */
  readonly signature: string;
}

/** The record's file name for a key file. */
export const generationsFileFor = (keyFile: string): string => `${keyFile}.generations`;

function mac(key: Buffer, entries: Record<string, GenerationEntry>): string {
  const h = createHmac('sha256', key).update(`${FORMAT}\n`);
  for (const id of Object.keys(entries).sort()) {
    const e = entries[id]!;
    h.update(`${Buffer.byteLength(id)}:${id}${e.generation}:${e.signature}\n`);
  }
  return h.digest('hex');
}

/** The entries of the record at `file`, verified; undefined when there is no such file. */
export function readGenerations(file: string, key: Buffer): Record<string, GenerationEntry> | undefined {
  let text: string;
  try {
    if (statSync(file).size > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `cannot read the baseline generation record ${file}: ${(err as Error).message}`, { cause: err });
  }
  let doc: { format?: unknown; baselines?: unknown; mac?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_FIM_SIGNATURE', `the baseline generation record ${file} is not readable JSON (${(err as Error).message}): it was changed outside mamori. Treat the monitored files as suspect; once they are checked, delete it (the next load records the baseline anew)`, { cause: err });
  }
  const entries: Record<string, GenerationEntry> = {};
  const ok =
    doc !== null && typeof doc === 'object' && doc.format === FORMAT && typeof doc.mac === 'string' && /^[0-9a-f]{64}$/.test(doc.mac) &&
    doc.baselines !== null && typeof doc.baselines === 'object' && !Array.isArray(doc.baselines) &&
    Object.entries(doc.baselines as Record<string, unknown>).every(([id, v]) => {
      const e = v as { generation?: unknown; signature?: unknown } | null;
      if (!e || typeof e !== 'object' || !Number.isSafeInteger(e.generation) || (e.generation as number) < 0) return false;
      if (typeof e.signature !== 'string' || !/^[0-9a-f]{64}$/.test(e.signature)) return false;
      entries[id] = { generation: e.generation as number, signature: e.signature };
      return true;
    });
  if (!ok) throw new MamoriError('MAMORI_ERR_FIM_SIGNATURE', `the baseline generation record ${file} is not in the form mamori writes: it was changed outside mamori. Treat the monitored files as suspect; once they are checked, delete it (the next load records the baseline anew)`);
  const want = Buffer.from(mac(key, entries), 'hex');
  const got = Buffer.from(doc.mac as string, 'hex');
  if (!timingSafeEqual(want, got)) {
    throw new MamoriError('MAMORI_ERR_FIM_SIGNATURE', `the baseline generation record ${file} does not match its signature: it was changed outside mamori, or signed with another key. Treat the monitored files as suspect; once they are checked, delete it (the next load records the baseline anew)`);
  }
  return entries;
}

/**
 * Sets one entry (kept when the record already holds a higher generation for it, as a concurrent
 * writer may have put there) and writes the record atomically: temporary file, fsync, rename,
 * fsync of the folder.
 */
export function recordGeneration(file: string, key: Buffer, id: string, entry: GenerationEntry): void {
  const entries = readGenerations(file, key) ?? {};
  const had = entries[id];
  if (had && had.generation > entry.generation) return;
  entries[id] = entry;
  const body = `${JSON.stringify({ format: FORMAT, baselines: entries, mac: mac(key, entries) }, null, 1)}\n`;
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // not made, or already renamed
    }
    throw new MamoriError('MAMORI_ERR_FIM_BASELINE', `cannot write the baseline generation record ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // a folder that cannot be opened for fsync (some file systems): the rename is done
  }
}
