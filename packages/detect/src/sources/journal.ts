/**
 * The systemd journal, read from `journalctl -o json` (spawned with an argument array,
 * never a shell): one JSON record a line, of which MESSAGE (a string, or an array of
 * bytes when it is not valid UTF-8), __REALTIME_TIMESTAMP (microseconds), _HOSTNAME,
 * SYSLOG_IDENTIFIER, _COMM, _UID, _SYSTEMD_UNIT, _TRANSPORT, _PID, PRIORITY and SYSLOG_FACILITY are read. The position is the
 * record's __CURSOR, checkpointed once the consumer acknowledged its batch; a restart passes
 * it back as `--after-cursor`. journalctl's output is read only as fast as batches are
 * acknowledged, so the pipe pushes back on it instead of anything being dropped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { isUtf8 } from 'node:buffer';
import { MamoriError, systemClock, type Clock } from 'mamori';
import type { RawLine } from '../model.js';
import type { CheckpointStore } from './checkpoint.js';
import { cutText, LineSplitter, type SplitLine } from './lines.js';
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

export interface JournalSourceOptions extends SourceLimits {
  /** The journalctl binary (default `journalctl` on the PATH); tests give a script. */
  journalctl?: string;
  /** Filters passed on, each its own argument: `['-u', 'ssh.service']`, `['SYSLOG_IDENTIFIER=sshd']`. */
  filters?: readonly string[];
  /** Keep following (default true); false reads what is there and ends. */
  follow?: boolean;
  checkpoints?: CheckpointStore;
  /** The checkpoint's key (default `journal`). */
  key?: string;
  /** Without a checkpoint: only what comes from now on (`end`, the default) or the whole journal. */
  startAt?: 'start' | 'end';
  /** Pause before starting journalctl again after it exited, ms (default 5000). */
  restartMs?: number;
  /** Longest JSON record read (default 1 MiB); longer ones are skipped. */
  maxRecordBytes?: number;
  /** Pause before delivering a refused batch again, ms (default 1000). */
  retryMs?: number;
}

const MAX_CURSOR = 1024;

/** One journal record to a line; undefined when it holds no message. Exported for tests. */
export function journalLine(rec: unknown, input: string, receivedAt: number, maxLine: number): { line: RawLine; cursor: string | undefined; malformed: boolean } | undefined {
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return undefined;
  const r = rec as Record<string, unknown>;
  const first = (k: string): unknown => (Array.isArray(r[k]) && k !== 'MESSAGE' ? (r[k] as unknown[])[0] : r[k]);
  const str = (k: string, max = 255): string | undefined => {
    const v = first(k);
    return typeof v === 'string' && v !== '' ? v.slice(0, max) : undefined;
  };
  const int = (k: string, max: number): number | undefined => {
    const v = first(k);
    return typeof v === 'string' && /^\d{1,10}$/.test(v) && Number(v) <= max ? Number(v) : undefined;
  };
  let text: string;
  let malformed = false;
  const m = r.MESSAGE;
  if (typeof m === 'string') text = m;
  else if (Array.isArray(m) && m.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    const bytes = Buffer.from((m as number[]).filter((b) => b !== 0));
    malformed = bytes.length !== m.length || !isUtf8(bytes);
    text = bytes.toString('utf8');
  } else return undefined;
  text = text.replace(/\n+$/, '');
  const cut = cutText(text, maxLine);
  const meta: Record<string, unknown> = {};
  const us = first('__REALTIME_TIMESTAMP');
  if (typeof us === 'string' && /^\d{1,19}$/.test(us)) meta.time = Math.floor(Number(us) / 1000);
  const host = str('_HOSTNAME');
  // SYSLOG_IDENTIFIER is whatever the sender wrote (`logger -t sshd` as any user); _UID,
  // _COMM and _SYSTEMD_UNIT are journald's own, from the sender's credentials and /proc (a
  // client that sends them itself has them dropped). A line from a process not running as
  // root is named by its real command, and the sshd and PAM parsers take a journal line
  // only from uid 0 (meta.sender): an unprivileged user cannot speak as sshd or PAM and have
  // a stranger's address blocked, not with `logger -t sshd`, not with a copy of logger named
  // sshd (its _COMM is sshd, its _UID is not 0). _COMM is missing when the sender exited
  // before journald read /proc; _UID never is for a local sender (a record without it, the
  // kernel's, keeps its SYSLOG_IDENTIFIER, and the sshd and PAM parsers do not take it).
  const uid = int('_UID', 4294967295);
  const comm = str('_COMM', 48);
  const unit = str('_SYSTEMD_UNIT', 255);
  const transport = str('_TRANSPORT', 16);
  const program = uid !== undefined && uid !== 0 ? comm : str('SYSLOG_IDENTIFIER', 48) ?? comm;
  const pid = int('SYSLOG_PID', 4294967295) ?? int('_PID', 4294967295);
  const severity = int('PRIORITY', 7);
  const facility = int('SYSLOG_FACILITY', 23);
  if (host !== undefined) meta.hostname = host;
  if (program !== undefined) meta.program = program;
  if (pid !== undefined) meta.pid = pid;
  if (facility !== undefined) meta.facility = facility;
  meta.sender = { ...(uid !== undefined ? { uid } : {}), ...(comm !== undefined ? { comm } : {}), ...(unit !== undefined ? { unit } : {}), ...(transport !== undefined ? { transport } : {}) };
  if (severity !== undefined) meta.severity = severity;
  const cursor = typeof r.__CURSOR === 'string' && r.__CURSOR.length <= MAX_CURSOR ? r.__CURSOR : undefined;
  const line: RawLine = { text: cut.text, input, receivedAt, meta, ...(cut.truncated ? { truncated: true } : {}) };
  return { line, cursor, malformed };
}

function cursorOf(obj: unknown): string | undefined {
  if (obj === null || typeof obj !== 'object') return undefined;
  const c = (obj as Record<string, unknown>).__CURSOR;
  return typeof c === 'string' && c.length <= MAX_CURSOR ? c : undefined;
}

export class JournalSource implements LogSource {
  readonly input = 'journal';
  readonly counters: SourceCounters = newCounters();
  readonly done: Promise<void>;
  readonly #opts: JournalSourceOptions;
  readonly #clock: Clock;
  readonly #maxLine: number;
  readonly #maxBatch: number;
  readonly #bucket: TokenBucket | undefined;
  readonly #key: string;
  #consumer: BatchConsumer | undefined;
  #cursor: string | undefined;
  #child: ChildProcess | undefined;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #resolveDone!: () => void;
  #wakeRestart: (() => void) | undefined;

  constructor(opts: JournalSourceOptions = {}) {
    for (const f of opts.filters ?? []) {
      if (typeof f !== 'string' || f.includes('\0')) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', 'a journal filter must be a string without NUL');
    }
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#maxLine = lineBound(opts);
    this.#bucket = bucketFor(opts, this.#clock);
    this.#maxBatch = Math.min(batchBound(opts), opts.ratePerSecond ? Math.max(1, opts.burst ?? Math.ceil(opts.ratePerSecond)) : Infinity);
    this.#key = opts.key ?? 'journal';
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  /** The arguments journalctl gets now (tests look at them). */
  args(): string[] {
    // --all: without it journalctl prints any field over 4096 bytes as null, and such a line
    // (a padded request in a web server's log sent to the journal) was skipped unseen (red
    // team 2, finding R2-2). The record's and the line's own bounds apply instead.
    const a = ['-o', 'json', '--all', '--no-pager', '--output-fields=MESSAGE,__REALTIME_TIMESTAMP,__CURSOR,_HOSTNAME,SYSLOG_IDENTIFIER,_COMM,_UID,_SYSTEMD_UNIT,_TRANSPORT,SYSLOG_PID,_PID,PRIORITY,SYSLOG_FACILITY'];
    if (this.#opts.follow !== false) a.push('--follow');
    if (this.#cursor !== undefined) a.push(`--after-cursor=${this.#cursor}`);
    else if (this.#opts.startAt === 'start') a.push('--no-tail');
    else a.push('--lines=0');
    // `--` is not used: journalctl takes matches (FIELD=value) as plain arguments.
    a.push(...(this.#opts.filters ?? []));
    return a;
  }

  async start(consumer: BatchConsumer): Promise<void> {
    if (this.#consumer) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', 'the journal source was started twice');
    this.#consumer = consumer;
    this.#cursor = this.#opts.checkpoints?.get(this.#key)?.cursor;
    const first = this.#spawn();
    await new Promise<void>((resolve, reject) => {
      first.once('spawn', resolve);
      first.once('error', (err) => reject(new MamoriError('MAMORI_ERR_WATCH_SOURCE', `journalctl could not be started: ${err.message}`, { cause: err })));
    });
    this.#loop = this.#run(first).finally(() => this.#resolveDone());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#child?.kill('SIGTERM');
    this.#wakeRestart?.();
    if (this.#loop) await this.#loop;
    else this.#resolveDone();
  }

  #spawn(): ChildProcess {
    const child = spawn(this.#opts.journalctl ?? 'journalctl', this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    return child;
  }

  async #run(first: ChildProcess): Promise<void> {
    let child: ChildProcess | undefined = first;
    while (!this.#stopped) {
      if (!child) {
        try {
          child = this.#spawn();
        } catch (err) {
          countError(this.counters, err);
        }
      }
      if (child) {
        const exit = await this.#read(child);
        child = undefined;
        if (this.#stopped) break;
        if (this.#opts.follow === false && exit.ok) break;
        countError(this.counters, new Error(`journalctl ended (${exit.why}); starting it again`));
        if (this.#opts.follow === false) break;
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, this.#opts.restartMs ?? 5000);
        this.#wakeRestart = () => {
          clearTimeout(t);
          r();
        };
      });
      this.#wakeRestart = undefined;
    }
  }

  /** Reads one journalctl run to its end; says how it ended. */
  async #read(child: ChildProcess): Promise<{ ok: boolean; why: string }> {
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 1000) stderr += d.toString('utf8').slice(0, 1000 - stderr.length);
    });
    const exited = new Promise<{ ok: boolean; why: string }>((resolve) => {
      child.once('error', (err) => resolve({ ok: false, why: err.message }));
      child.once('close', (code, signal) => resolve({ ok: code === 0, why: `${signal ?? `exit code ${String(code)}`}${stderr ? `: ${stderr.trim()}` : ''}` }));
    });
    const splitter = new LineSplitter(this.#opts.maxRecordBytes ?? 1024 * 1024);
    try {
      for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
        this.counters.bytes += chunk.length;
        const lines: SplitLine[] = [];
        splitter.push(chunk, lines);
        await this.#deliverRecords(lines);
        if (this.#stopped) break;
      }
    } catch (err) {
      if (!this.#stopped) countError(this.counters, err);
    }
    if (this.#stopped) child.kill('SIGTERM');
    return exited;
  }

  async #deliverRecords(records: readonly SplitLine[]): Promise<void> {
    const now = this.#clock.now();
    let batch: RawLine[] = [];
    let cursor: string | undefined;
    for (const rec of records) {
      let obj: unknown;
      try {
        obj = rec.truncated ? undefined : JSON.parse(rec.text);
      } catch {
        obj = undefined;
      }
      const parsed = journalLine(obj, this.input, now, this.#maxLine);
      // A record without a message still moves the cursor past it.
      const c = parsed ? parsed.cursor : cursorOf(obj);
      if (c !== undefined) cursor = c;
      if (!parsed) {
        this.counters.skipped++;
        continue;
      }
      if (parsed.malformed) this.counters.malformed++;
      batch.push(parsed.line);
      if (batch.length >= this.#maxBatch) {
        await this.#deliver(batch, cursor);
        batch = [];
      }
    }
    if (batch.length || cursor !== undefined) await this.#deliver(batch, cursor);
  }

  async #deliver(batch: RawLine[], cursor: string | undefined): Promise<void> {
    if (batch.length === 0) return this.#checkpoint(cursor);
    if (this.#bucket) {
      for (let w = this.#bucket.waitMs(batch.length); w > 0; w = this.#bucket.waitMs(batch.length)) {
        this.counters.throttled++;
        await sleep(w);
      }
      this.#bucket.take(batch.length);
    }
    for (;;) {
      if (this.#stopped) return;
      try {
        await this.#consumer!(batch);
        countDelivered(this.counters, batch);
        break;
      } catch (err) {
        countError(this.counters, err);
        await sleep(this.#opts.retryMs ?? 1000);
      }
    }
    this.#checkpoint(cursor);
  }

  #checkpoint(cursor: string | undefined): void {
    if (cursor === undefined || cursor === this.#cursor) return;
    this.#cursor = cursor;
    try {
      this.#opts.checkpoints?.put({ key: this.#key, offset: 0, cursor });
    } catch (err) {
      countError(this.counters, err);
    }
  }
}
