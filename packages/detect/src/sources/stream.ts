/**
 * Lines from byte streams read to their end: standard input, and files replayed whole
 * (plain or gzip, told by their first bytes, not their names). The stream is read only as
 * fast as the consumer acknowledges batches, so nothing is dropped and memory stays at one
 * batch; a refused batch is delivered again after a pause.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { MamoriError, systemClock, type Clock } from 'mamori';
import type { RawLine } from '../model.js';
import { LineSplitter, type SplitLine } from './lines.js';
import { DEFAULT_MAX_INFLATED, openPath, plainBytes } from '../pipeline/read-lines.js';
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

export interface StreamSourceOptions extends SourceLimits {
  /** Pause before delivering a refused batch again, ms (default 1000). */
  retryMs?: number;
}

class Stopped extends Error {}

/** Reads streams one after the other; `open(i)` gives the i-th, or undefined after the last. */
abstract class StreamLines implements LogSource {
  abstract readonly input: string;
  readonly counters: SourceCounters = newCounters();
  readonly done: Promise<void>;
  protected readonly clock: Clock;
  readonly #opts: StreamSourceOptions;
  readonly #maxLine: number;
  readonly #maxBatch: number;
  readonly #bucket: TokenBucket | undefined;
  #consumer: BatchConsumer | undefined;
  #stopped = false;
  #current: Readable | undefined;
  #loop: Promise<void> | undefined;
  #resolveDone!: () => void;

  constructor(opts: StreamSourceOptions) {
    this.#opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.#maxLine = lineBound(opts);
    this.#bucket = bucketFor(opts, this.clock);
    this.#maxBatch = Math.min(batchBound(opts), opts.ratePerSecond ? Math.max(1, opts.burst ?? Math.ceil(opts.ratePerSecond)) : Infinity);
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  protected abstract streams(): AsyncIterable<{ stream: Readable; input: string }>;

  async start(consumer: BatchConsumer): Promise<void> {
    if (this.#consumer) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `the source ${this.input} was started twice`);
    this.#consumer = consumer;
    this.#loop = this.#run().finally(() => this.#resolveDone());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#current?.destroy();
    if (this.#loop) await this.#loop;
    else this.#resolveDone();
  }

  async #run(): Promise<void> {
    try {
      for await (const { stream, input } of this.streams()) {
        if (this.#stopped) {
          stream.destroy();
          break;
        }
        this.#current = stream;
        const splitter = new LineSplitter(this.#maxLine);
        try {
          for await (const chunk of stream as AsyncIterable<Buffer | string>) {
            const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            this.counters.bytes += b.length;
            const lines: SplitLine[] = [];
            splitter.push(b, lines);
            await this.#deliverAll(lines, input, splitter);
            if (this.#stopped) break;
          }
          const last: SplitLine[] = [];
          splitter.flush(last);
          await this.#deliverAll(last, input, splitter);
        } catch (err) {
          if (err instanceof Stopped || this.#stopped) break;
          // A broken gzip member or a read error ends this stream, not the source.
          countError(this.counters, new Error(`${input}: ${(err as Error).message}`));
        } finally {
          stream.destroy();
        }
      }
    } catch (err) {
      if (!(err instanceof Stopped)) countError(this.counters, err);
    }
  }

  async #deliverAll(lines: SplitLine[], input: string, splitter: LineSplitter): Promise<void> {
    this.counters.skipped += splitter.nulOnly;
    splitter.nulOnly = 0;
    for (let i = 0; i < lines.length; i += this.#maxBatch) {
      const now = this.clock.now();
      const raw: RawLine[] = lines.slice(i, i + this.#maxBatch).map((l) => {
        if (l.malformed) this.counters.malformed++;
        return l.truncated ? { text: l.text, input, receivedAt: now, offset: l.offset, truncated: true } : { text: l.text, input, receivedAt: now, offset: l.offset };
      });
      if (this.#bucket) {
        for (let w = this.#bucket.waitMs(raw.length); w > 0; w = this.#bucket.waitMs(raw.length)) {
          this.counters.throttled++;
          await sleep(w);
        }
        this.#bucket.take(raw.length);
      }
      for (;;) {
        if (this.#stopped) throw new Stopped();
        try {
          await this.#consumer!(raw);
          countDelivered(this.counters, raw);
          break;
        } catch (err) {
          countError(this.counters, err);
          await sleep(this.#opts.retryMs ?? 1000);
        }
      }
    }
  }
}

/** Standard input (or any readable stream), to its end. */
export class StdinSource extends StreamLines {
  readonly input: string;
  readonly #stream: Readable;
  constructor(opts: StreamSourceOptions & { stream?: Readable; input?: string } = {}) {
    super(opts);
    this.#stream = opts.stream ?? process.stdin;
    this.input = opts.input ?? 'stdin';
  }
  protected async *streams(): AsyncIterable<{ stream: Readable; input: string }> {
    yield { stream: this.#stream, input: this.input };
  }
}

export interface ReplaySourceOptions extends StreamSourceOptions {
  /** Files read in this order, each plain or gzip. */
  paths: readonly string[];
  /** Most bytes read from one gzip file once inflated (default 16 GiB): a bound on a decompression bomb. */
  maxInflatedBytes?: number;
}

/** Files read once, whole, in order: `mamori replay`. Each line's `input` is its file's path. */
export class ReplaySource extends StreamLines {
  readonly input: string;
  readonly #paths: readonly string[];
  readonly #maxInflated: number;
  constructor(opts: ReplaySourceOptions) {
    super(opts);
    if (!Array.isArray(opts.paths) || opts.paths.length === 0) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', 'a replay needs at least one file');
    this.#paths = [...opts.paths];
    this.input = this.#paths.length === 1 ? this.#paths[0]! : `${this.#paths[0]} (+${this.#paths.length - 1})`;
    this.#maxInflated = opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED;
  }
  protected async *streams(): AsyncIterable<{ stream: Readable; input: string }> {
    for (const path of this.#paths) {
      try {
        yield { stream: await openLogStream(path, this.#maxInflated), input: path };
      } catch (err) {
        countError(this.counters, err);
      }
    }
  }
}

/** A file's bytes, inflated when it starts with gzip's magic number (read-lines.ts: read once, never by position, the same bound). */
export async function openLogStream(path: string, maxInflatedBytes = DEFAULT_MAX_INFLATED): Promise<Readable> {
  let raw: Readable;
  try {
    raw = await openPath(path);
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `${path} could not be read: ${(err as Error).message}`, { cause: err });
  }
  return Readable.from(plainBytes(raw, maxInflatedBytes), { objectMode: false });
}

/**
 * A log and its rotations, oldest first: `app.log.3.gz`, `app.log.2.gz`, `app.log.1`,
 * `app.log` (logrotate's numbered names; dated names `app.log-20261203[.gz]` sort by date).
 */
export async function rotatedSeries(path: string): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  const names = await readdir(dir);
  const numbered: [number, string][] = [];
  const dated: string[] = [];
  for (const n of names) {
    if (!n.startsWith(base) || n === base) continue;
    const rest = n.slice(base.length);
    const m = /^\.(\d{1,6})(?:\.gz)?$/.exec(rest);
    if (m) numbered.push([Number(m[1]), n]);
    else if (/^-\d{8,10}(?:\.gz)?$/.test(rest)) dated.push(n);
  }
  numbered.sort((a, b) => b[0] - a[0]);
  dated.sort();
  const out = [...dated, ...numbered.map((x) => x[1])].map((n) => join(dir, n));
  if (names.includes(base)) out.push(path);
  return out;
}
