/**
 * A log file followed like `tail -F`, across rotation and restarts, delivering at least
 * once (source.ts says why).
 *
 * One loop reads the file by its descriptor in chunks, splits lines (bounded), hands them
 * to the consumer a batch at a time and records the offset just past the batch once the
 * consumer acknowledged it. At the end of the file it looks at what happened to the path:
 *
 * - another file at the path (rotation by rename, or a file replaced): it keeps reading the
 *   old descriptor until the old file has been quiet for `rotateGraceMs` (the writer may
 *   not have reopened yet), delivers a last line cut short if any, then opens the new file
 *   from its start;
 * - the file shorter than the offset, or its first bytes changed (copytruncate, a file
 *   truncated and rewritten): it reads from the start again, after reading what it had
 *   not read yet from the copy beside it (`app.log.1` whose first bytes are the same);
 * - after a restart, a checkpoint for another inode: it finds the rotated file beside the
 *   path by device and inode (or by its first bytes for a copy), reads it from the
 *   checkpoint's offset to its end, then the new file from its start.
 *
 * It wakes on fs.watch events for the file's directory and, because fs.watch misses events
 * on some file systems (network mounts, some containers), on a poll timer as well.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { MamoriError, systemClock, type Clock } from 'mamori';
import type { RawLine } from '../model.js';
import type { CheckpointStore, FileIdentity } from './checkpoint.js';
import { LineSplitter, type SplitLine } from './lines.js';
import {
  batchBound,
  bucketFor,
  countDelivered,
  countError,
  lineBound,
  newCounters,
  sleep,
  type BatchConsumer,
  type LogSource,
  type SourceCounters,
  type SourceLimits,
  type TokenBucket,
} from './source.js';

export interface FileSourceOptions extends SourceLimits {
  /** The file's path; also the lines' `input` and the checkpoint's key. */
  path: string;
  /** Where to record offsets; without one, a restart starts again per `startAt`. */
  checkpoints?: CheckpointStore;
  /** Where to start in a file that has no checkpoint: its end (default, like `tail -F`) or its start. */
  startAt?: 'start' | 'end';
  /** Poll interval, ms (default 1000; fs.watch usually wakes the source sooner). */
  pollMs?: number;
  /** Use fs.watch besides polling (default true). */
  watch?: boolean;
  /** How long a rotated-away file must stay quiet before the source leaves it, ms (default 1000). */
  rotateGraceMs?: number;
  /** Pause before delivering a refused batch again, ms (default 1000). */
  retryMs?: number;
  /** Bytes read at once (default 64 KiB). */
  readBytes?: number;
}

/** Bytes of a file's start its identity hashes. */
const HEAD_MAX = 1024;
/** Rotated siblings looked at, at most, in a directory full of old logs. */
const MAX_SIBLINGS = 200;
const COMPRESSED = /\.(?:gz|bz2|xz|zst|lz4|zip)$/;

interface Reading {
  fh: FileHandle;
  /** The path it was opened by: the followed path, or a rotated sibling being finished. */
  path: string;
  sibling: boolean;
  dev: bigint;
  ino: bigint;
  /** Next byte to read. */
  pos: number;
  splitter: LineSplitter;
  /**
   * The file's first bytes as this source read them (at most HEAD_MAX): the identity is
   * taken from these, never from a later read that may see another file's bytes.
   */
  headBuf: Buffer;
  /** How many of them the identity covers (what was delivered), and their SHA-256. */
  headLen: number;
  head: string;
  /** When another file was first seen at the path while this one was being read. */
  rotatedSince: number | undefined;
}

class Stopped extends Error {}

export class FileSource implements LogSource {
  readonly input: string;
  readonly counters: SourceCounters = newCounters();
  readonly done: Promise<void>;
  readonly #opts: FileSourceOptions;
  readonly #clock: Clock;
  readonly #maxLine: number;
  readonly #maxBatch: number;
  readonly #bucket: TokenBucket | undefined;
  readonly #buf: Buffer;
  #consumer: BatchConsumer | undefined;
  #cur: Reading | undefined;
  #stopped = false;
  #started = false;
  /** The path was missing once: the file that appears is new, read from its start. */
  #sawMissing = false;
  #watcher: FSWatcher | undefined;
  #dirty = false;
  #wake: (() => void) | undefined;
  #resolveDone!: () => void;
  #loop: Promise<void> | undefined;

  constructor(opts: FileSourceOptions) {
    if (typeof opts.path !== 'string' || opts.path === '' || opts.path.includes('\0')) {
      throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', 'a file source needs a path');
    }
    this.#opts = opts;
    this.input = opts.path;
    this.#clock = opts.clock ?? systemClock;
    this.#maxLine = lineBound(opts);
    this.#bucket = bucketFor(opts, this.#clock);
    // A batch never asks the bucket for more than it can ever hold.
    this.#maxBatch = Math.min(batchBound(opts), opts.ratePerSecond ? Math.max(1, opts.burst ?? Math.ceil(opts.ratePerSecond)) : Infinity);
    this.#buf = Buffer.allocUnsafe(Math.min(Math.max(opts.readBytes ?? 65536, 4096), 4 << 20));
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  async start(consumer: BatchConsumer): Promise<void> {
    if (this.#started) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `the file source ${this.input} was started twice`);
    this.#started = true;
    this.#consumer = consumer;
    if (this.#opts.watch !== false) this.#startWatch();
    // The first open happens before start resolves: lines written after it are read.
    try {
      await this.#openFirst();
    } catch (err) {
      countError(this.counters, err);
    }
    this.#loop = this.#run().finally(() => this.#resolveDone());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#loop) await this.#loop;
    else this.#resolveDone();
  }

  #startWatch(): void {
    const base = basename(this.input);
    try {
      this.#watcher = watch(dirname(this.input), (_event, name) => {
        // Any change to the file or a name like it (its rotation) wakes the loop.
        if (name === null || String(name).startsWith(base)) this.#poke();
      });
      this.#watcher.on('error', (err) => {
        countError(this.counters, err);
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch (err) {
      // No fs.watch here (or no directory yet): polling alone.
      countError(this.counters, err);
    }
  }

  #poke(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  #wait(ms: number): Promise<void> {
    if (this.#dirty || this.#stopped) {
      this.#dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(t);
        self.#wake = undefined;
        self.#dirty = false;
        resolve();
      }
      this.#wake = done;
    });
  }

  get #pollMs(): number {
    return Math.max(1, this.#opts.pollMs ?? 1000);
  }

  async #run(): Promise<void> {
    try {
      while (!this.#stopped) {
        try {
          if (!this.#cur) {
            await this.#openFirst();
            if (!this.#cur) {
              await this.#wait(this.#pollMs);
              continue;
            }
          }
          if (await this.#readSome(this.#cur)) continue;
          if (!(await this.#atEnd(this.#cur))) await this.#wait(this.#rotationWait());
        } catch (err) {
          if (err instanceof Stopped) break;
          countError(this.counters, err);
          await this.#wait(this.#pollMs);
        }
      }
    } finally {
      await this.#cur?.fh.close().catch(() => {});
      this.#cur = undefined;
    }
  }

  #rotationWait(): number {
    const since = this.#cur?.rotatedSince;
    if (since === undefined) return this.#pollMs;
    const left = (this.#opts.rotateGraceMs ?? 1000) - (this.#clock.now() - since);
    return Math.max(1, Math.min(this.#pollMs, left));
  }

  /** Opens the path for the first time (or after it went missing), resuming from the checkpoint when it still applies. */
  async #openFirst(): Promise<void> {
    const fh = await this.#tryOpen(this.input);
    if (!fh) {
      this.#sawMissing = true;
      return;
    }
    const st = await fh.stat({ bigint: true });
    const size = Number(st.size);
    const cp = this.#opts.checkpoints?.get(this.input);
    let pos = this.#sawMissing ? 0 : this.#opts.startAt === 'start' ? 0 : size;
    if (cp?.file) {
      if (BigInt(cp.file.dev) === st.dev && BigInt(cp.file.ino) === st.ino) {
        const h = await headOf(fh, cp.file.headLen);
        if (h.headLen === cp.file.headLen && h.head === cp.file.head && size >= cp.offset) pos = cp.offset;
        else {
          this.counters.truncations++;
          pos = 0;
        }
      } else {
        // Rotated (or replaced) while the watcher was down: finish the old file first.
        const old = await this.#findSibling(cp.file, cp.offset);
        if (old) {
          await fh.close();
          this.counters.rotations++;
          this.#cur = await this.#reading(old.fh, old.path, true, cp.offset);
          return;
        }
        countError(this.counters, new Error(`${this.input}: the file changed since the checkpoint and the rotated file was not found beside it; reading the new file from its start`));
        pos = 0;
      }
    }
    this.#cur = await this.#reading(fh, this.input, false, pos);
  }

  async #tryOpen(path: string): Promise<FileHandle | undefined> {
    try {
      return await open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  async #reading(fh: FileHandle, path: string, sibling: boolean, pos: number): Promise<Reading> {
    const st = await fh.stat({ bigint: true });
    const headBuf = await headBytes(fh, Math.min(HEAD_MAX, pos));
    const r: Reading = { fh, path, sibling, dev: st.dev, ino: st.ino, pos, splitter: new LineSplitter(this.#maxLine, pos), headBuf, headLen: 0, head: EMPTY_HEAD, rotatedSince: undefined };
    setHead(r, pos);
    return r;
  }

  /** Reads one chunk and delivers its lines; false at the end of the file. */
  async #readSome(r: Reading): Promise<boolean> {
    // A file truncated and written past the offset again reads on without a hint: its
    // first bytes tell. Checked before each chunk (a read of at most 1 KiB); on a change
    // the end-of-file logic takes over.
    if (r.headBuf.length > 0 && !r.sibling && !(await sameHead(r))) return false;
    const { bytesRead } = await r.fh.read(this.#buf, 0, this.#buf.length, r.pos);
    if (bytesRead === 0) return false;
    // And after it: a rewrite between the check and the read would hand over the new file's
    // bytes from the old offset. The chunk is dropped unread and the end-of-file logic starts
    // the new file from its beginning.
    if (r.headBuf.length > 0 && !r.sibling && !(await sameHead(r))) return false;
    if (r.pos < HEAD_MAX && r.pos === r.headBuf.length) {
      r.headBuf = Buffer.concat([r.headBuf, this.#buf.subarray(0, Math.min(bytesRead, HEAD_MAX - r.pos))]);
    }
    r.pos += bytesRead;
    this.counters.bytes += bytesRead;
    r.rotatedSince = r.rotatedSince === undefined ? undefined : this.#clock.now();
    const lines: SplitLine[] = [];
    const nul = r.splitter.nulOnly;
    r.splitter.push(this.#buf.subarray(0, bytesRead), lines);
    this.counters.skipped += r.splitter.nulOnly - nul;
    await this.#deliverAll(r, lines);
    return true;
  }

  /** Delivers lines in batches, checkpointing after each; the last batch's checkpoint is where the splitter stands. */
  async #deliverAll(r: Reading, lines: SplitLine[]): Promise<void> {
    for (let i = 0; i < lines.length; i += this.#maxBatch) {
      const batch = lines.slice(i, i + this.#maxBatch);
      await this.#deliver(batch);
      const last = i + this.#maxBatch >= lines.length;
      await this.#checkpoint(r, last ? r.splitter.lineStart : batch[batch.length - 1]!.end);
    }
    // Only skipped lines (NULs, empty): the offset still moves past them.
    if (lines.length === 0) await this.#checkpoint(r, r.splitter.lineStart);
  }

  async #deliver(lines: readonly SplitLine[]): Promise<void> {
    const now = this.#clock.now();
    const raw: RawLine[] = lines.map((l) => {
      if (l.malformed) this.counters.malformed++;
      return l.truncated
        ? { text: l.text, input: this.input, receivedAt: now, offset: l.offset, truncated: true }
        : { text: l.text, input: this.input, receivedAt: now, offset: l.offset };
    });
    if (this.#bucket) {
      // Files push back: the source waits for the bucket rather than dropping lines.
      for (let w = this.#bucket.waitMs(raw.length); w > 0; w = this.#bucket.waitMs(raw.length)) {
        this.counters.throttled++;
        await sleep(w);
      }
      this.#bucket.take(raw.length);
    }
    for (;;) {
      try {
        await this.#consumer!(raw);
        countDelivered(this.counters, raw);
        return;
      } catch (err) {
        countError(this.counters, err);
        // The batch is not acknowledged: its offset is not recorded, and it comes again.
        if (this.#stopped) throw new Stopped();
        await sleep(this.#opts.retryMs ?? 1000);
        if (this.#stopped) throw new Stopped();
      }
    }
  }

  async #checkpoint(r: Reading, offset: number): Promise<void> {
    // The identity grows with what was delivered, checkpoint store or not: it is also what
    // tells a truncated file while following.
    setHead(r, offset);
    const store = this.#opts.checkpoints;
    if (!store) return;
    const file: FileIdentity = { dev: r.dev.toString(), ino: r.ino.toString(), headLen: r.headLen, head: r.head };
    try {
      store.put({ key: this.input, file, offset });
    } catch (err) {
      // Reading goes on; after a restart the source starts from the last position written.
      countError(this.counters, err);
    }
  }

  /** At the end of the current file: follows a rotation or a truncation; true when there is something to read now. */
  async #atEnd(r: Reading): Promise<boolean> {
    if (r.sibling) {
      // A rotated file finished after a restart or a copytruncate: on to the file at the path, from its start.
      await this.#finish(r);
      const fh = await this.#tryOpen(this.input);
      this.#cur = fh ? await this.#reading(fh, this.input, false, 0) : undefined;
      if (!fh) this.#sawMissing = true;
      return true;
    }
    let now: { dev: bigint; ino: bigint } | undefined;
    try {
      now = await stat(this.input, { bigint: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      // Renamed away and not yet recreated: the writer may still be writing to it.
    }
    if (now && (now.dev !== r.dev || now.ino !== r.ino)) {
      const t = this.#clock.now();
      r.rotatedSince ??= t;
      if (t - r.rotatedSince < (this.#opts.rotateGraceMs ?? 1000)) return false;
      await this.#finish(r);
      this.counters.rotations++;
      const fh = await this.#tryOpen(this.input);
      this.#cur = fh ? await this.#reading(fh, this.input, false, 0) : undefined;
      if (!fh) this.#sawMissing = true;
      return true;
    }
    const st = await r.fh.stat({ bigint: true });
    let rewritten = Number(st.size) < r.pos;
    if (!rewritten && r.headBuf.length > 0) rewritten = !(await sameHead(r));
    if (!rewritten) return false;
    this.counters.truncations++;
    // What was not read yet may sit in the copy copytruncate left beside the file.
    const from = r.splitter.lineStart;
    const copy = r.headLen > 0 ? await this.#findSibling({ dev: '', ino: '', headLen: r.headLen, head: r.head }, from + 1) : undefined;
    if (copy) {
      await r.fh.close().catch(() => {});
      this.#cur = await this.#reading(copy.fh, copy.path, true, from);
      return true;
    }
    // The partial line was cut by the truncation: dropped with it.
    r.pos = 0;
    r.splitter.reset(0);
    r.headBuf = Buffer.alloc(0);
    setHead(r, 0);
    await this.#checkpoint(r, 0);
    return true;
  }

  /** Delivers a last line without an end-of-line, closes the file. */
  async #finish(r: Reading): Promise<void> {
    const lines: SplitLine[] = [];
    r.splitter.flush(lines);
    if (lines.length) await this.#deliverAll(r, lines);
    await r.fh.close().catch(() => {});
    this.#cur = undefined;
  }

  /**
   * A rotated file beside the path: the one with the same device and inode (renamed), or
   * one whose first bytes are `id`'s and which is at least `minSize` long (a copy).
   */
  async #findSibling(id: FileIdentity, minSize: number): Promise<{ fh: FileHandle; path: string } | undefined> {
    const dir = dirname(this.input);
    const base = basename(this.input);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n !== base && n.startsWith(base) && !COMPRESSED.test(n)).sort();
    } catch {
      return undefined;
    }
    let copy: { fh: FileHandle; path: string } | undefined;
    for (const name of names.slice(0, MAX_SIBLINGS)) {
      const p = join(dir, name);
      const fh = await this.#tryOpen(p).catch(() => undefined);
      if (!fh) continue;
      try {
        const st = await fh.stat({ bigint: true });
        if (!st.isFile() || Number(st.size) < minSize) {
          await fh.close();
          continue;
        }
        const h = await headOf(fh, id.headLen);
        const sameHead = h.headLen === id.headLen && h.head === id.head;
        if (sameHead && id.dev !== '' && st.dev === BigInt(id.dev) && st.ino === BigInt(id.ino)) {
          await copy?.fh.close();
          return { fh, path: p };
        }
        if (sameHead && !copy && id.headLen > 0) copy = { fh, path: p };
        else await fh.close();
      } catch {
        await fh.close().catch(() => {});
      }
    }
    return copy;
  }
}

/**
 * True when the file's first bytes are still those this source read. All the bytes read count,
 * not only the acknowledged identity (`headLen`): a file rewritten while its first lines are
 * still with the consumer must be caught as well.
 */
async function sameHead(r: Reading): Promise<boolean> {
  const b = await headBytes(r.fh, r.headBuf.length);
  return b.equals(r.headBuf);
}

/** Moves the identity to cover the first bytes up to `offset` (at most HEAD_MAX). */
function setHead(r: Reading, offset: number): void {
  const len = Math.min(offset, r.headBuf.length, HEAD_MAX);
  if (len === r.headLen && len > 0) return;
  r.headLen = len;
  r.head = createHash('sha256').update(r.headBuf.subarray(0, len)).digest('hex');
}

async function headBytes(fh: FileHandle, len: number): Promise<Buffer> {
  if (len <= 0) return Buffer.alloc(0);
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, 0);
  return b.subarray(0, bytesRead);
}

const EMPTY_HEAD = createHash('sha256').digest('hex');

/** The SHA-256 of a file's first `len` bytes (fewer when the file is shorter). */
async function headOf(fh: FileHandle, len: number): Promise<{ headLen: number; head: string }> {
  if (len <= 0) return { headLen: 0, head: EMPTY_HEAD };
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, 0);
  return { headLen: bytesRead, head: createHash('sha256').update(b.subarray(0, bytesRead)).digest('hex') };
}
