/**
 * `mamori watch`: the inputs of the `watch:` section, each line through its parser and the
 * enrichment, every event through the scenarios and the Sigma rules on event time, and
 * every alert to the alert centre (alerts.db, decisions the proxy enforces at once, the
 * firewall, the notifiers).
 *
 * Delivery is at-least-once (see sources/source.ts): a source records its position only
 * after the batch it handed over went through the pipeline, and the alert centre drops a
 * repeated alert by its id. A restart, even after `kill -9`, loses no line and raises no
 * alert twice.
 */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { CountryLookup, DecisionStore } from 'mamori';
import type { Alert, Detector, LineParser, LogEvent, RawLine } from '../model.js';
import { createParsers, type ParserSet } from '../parsers/registry.js';
import { Enricher, decidedFromStore } from '../enrich/enrich.js';
import { ScenarioEngine } from '../scenarios/engine.js';
import { builtinScenarioDir, loadBuiltinScenarios, loadScenarioFiles } from '../scenarios/load.js';
import { loadSigmaRules } from '../sigma/engine.js';
import { Pipeline, type AlertSink } from '../pipeline/pipeline.js';
import { CheckpointStore } from '../sources/checkpoint.js';
import { FileSource } from '../sources/file.js';
import { SyslogSource } from '../sources/syslog.js';
import { JournalSource } from '../sources/journal.js';
import { HttpSource } from '../sources/http.js';
import { StdinSource } from '../sources/stream.js';
import { MamoriStoreSource } from '../sources/mamori.js';
import type { LogSource, SourceCounters } from '../sources/source.js';
import type { InputFormat, WatchConfig, WatchInput } from './config.js';
import type { IocLookup } from '../enrich/enrich.js';

export interface WatchOptions {
  readonly config: WatchConfig;
  /** Where the offsets are checkpointed: `<data_dir>/watch.db`. */
  readonly dataDir: string;
  /** mamori's SQLite store, for a `mamori: true` input (undefined: the store is not SQLite). */
  readonly storePath?: string;
  readonly sink: AlertSink;
  /** mamori's decisions: which sources are already under one (mamori.decided). */
  readonly decisions?: Pick<DecisionStore, 'match'>;
  readonly country?: CountryLookup;
  readonly ioc?: IocLookup;
  /** How often time-based buckets are moved on (default 1 s). */
  readonly tickMs?: number;
  /** What a `stdin: true` input reads (default process.stdin). */
  readonly stdin?: Readable;
  /** Environment for the HTTP input's token (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** What the Sigma loader could not load, and other start-up notes. */
  readonly onNote?: (note: string) => void;
  readonly onError?: (err: unknown) => void;
}

export interface WatchStatus {
  readonly inputs: readonly { readonly input: string; readonly counters: SourceCounters }[];
  readonly events: number;
  readonly unparsed: number;
  readonly alerts: number;
  readonly late: number;
}

/** Builds the detectors of a `watch:` section: the scenarios (built-in and own) and the Sigma rules. */
export function watchDetectors(config: WatchConfig, onNote: (note: string) => void = () => {}): Detector[] {
  const scenarios =
    config.scenarios.length === 0 ? (config.builtin ? loadBuiltinScenarios().scenarios : []) : loadScenarioFiles(config.builtin ? [builtinScenarioDir(), ...config.scenarios] : config.scenarios).scenarios;
  const detectors: Detector[] = [];
  if (scenarios.length) detectors.push(new ScenarioEngine(scenarios, { simulate: config.simulate, ...(config.allow.length ? { allow: { ips: config.allow } } : {}) }));
  for (const path of config.sigma) {
    const loaded = loadSigmaRules(path);
    if (loaded.problems.length) onNote(`${path}: ${loaded.problems.length} Sigma rule${loaded.problems.length === 1 ? '' : 's'} not loaded (mamori sigma check ${path} says why)`);
    detectors.push(simulated(loaded.detector, config.simulate));
  }
  return detectors;
}

/** A detector whose alerts are detect-only (watch.simulate applies to Sigma rules too). */
function simulated(d: Detector, on: boolean): Detector {
  if (!on) return d;
  const mark = (alerts: readonly Alert[]): readonly Alert[] => alerts.map(({ remedy: _remedy, ...a }) => ({ ...a, simulated: true }));
  return { onEvent: (e) => mark(d.onEvent(e)), advance: (now) => mark(d.advance(now)) };
}

/** auth.log, secure (Red Hat), and their rotated names: where sshd's lines land in a file. */
const AUTH_FILE = /(?:^|\/)(?:auth\.log|secure)(?:[.-][\w.-]*)?$/;

/** The warning for sshd or PAM lines read from a file (red team finding 6, docs/detect.md). */
export function fileSenderWarning(path: string): string {
  return (
    `${path}: sshd and PAM lines are read from a file, which does not record who wrote each line: ` +
    'any local user can forge sshd failures there (`logger -p auth.info -t sshd ...`) and have an address blocked. ' +
    'On a systemd host read sshd from the journal instead (`- journal: { filters: [_SYSTEMD_UNIT=ssh.service, _SYSTEMD_UNIT=sshd.service] }`), ' +
    'where only lines from root processes are taken as sshd\'s (docs/detect.md, "Who wrote an sshd line"); ' +
    'or name the formats the input carries (`format: [fortigate, vpn]`), and sshd lines sent to it are not read'
  );
}

/**
 * The warning for sshd or PAM lines received over syslog or read from standard input (red
 * team 2, finding R2-3): as in a file, nothing says which process wrote such a line, and a
 * syslog port is open to every local account (UDP on 127.0.0.1 takes any datagram).
 */
export function streamSenderWarning(input: string): string {
  return (
    `${input}: sshd and PAM lines are read from ${input === 'stdin' ? 'standard input' : 'a syslog input'}, which does not record which process wrote each line: ` +
    'any local account can send one (`logger -n 127.0.0.1 -P PORT -t sshd ...`) and have an address blocked. ' +
    'On a systemd host read sshd from the journal instead (`- journal: { filters: [_SYSTEMD_UNIT=ssh.service, _SYSTEMD_UNIT=sshd.service] }`), ' +
    'where only lines from root processes are taken as sshd\'s (docs/detect.md, "Who wrote an sshd line"); ' +
    'or name the formats the input carries (`format: [fortigate, vpn]`), and sshd lines sent to it are not read'
  );
}

export class WatchService {
  readonly #o: WatchOptions;
  readonly #parsers: ParserSet;
  readonly #byInput = new Map<string, LineParser>();
  readonly #formats = new Map<string, InputFormat>();
  readonly #enrich: Enricher;
  readonly #pipeline: Pipeline;
  readonly #sources: LogSource[] = [];
  /** File inputs not yet warned about reading sshd from a file (red team finding 6). */
  readonly #fileUnwarned = new Set<string>();
  /** Syslog and stdin inputs not yet warned about carrying sshd lines (red team 2, R2-3). */
  readonly #streamUnwarned = new Set<string>();
  #checkpoints: CheckpointStore | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unparsed = 0;
  #stopped = false;

  constructor(o: WatchOptions) {
    this.#o = o;
    this.#parsers = createParsers();
    this.#enrich = new Enricher({ ...(o.country ? { country: o.country } : {}), ...(o.ioc ? { ioc: o.ioc } : {}), ...(o.decisions ? { decided: decidedFromStore(o.decisions) } : {}) });
    // No reorder window: a batch a source hands over has been through the detectors when it is
    // acknowledged, so the offset recorded never runs ahead of what was detected on (a late
    // line is still run, and counted).
    this.#pipeline = new Pipeline({ detectors: watchDetectors(o.config, o.onNote), sink: o.sink, reorderMs: 0, onSinkError: o.onError ?? (() => {}) });
  }

  /** Opens the checkpoints, starts every input, and the tick that closes time windows. */
  async start(): Promise<void> {
    const c = this.#o.config;
    if (c.inputs.some((i) => i.kind === 'file' || i.kind === 'journal' || i.kind === 'mamori')) this.#checkpoints = CheckpointStore.open(join(this.#o.dataDir, 'watch.db'));
    const limits = { maxLineBytes: c.maxLineBytes, ...(c.linesPerSecond ? { ratePerSecond: c.linesPerSecond } : {}) };
    for (const input of c.inputs) this.#sources.push(this.#source(input, limits));
    for (const s of this.#sources) if (s instanceof SyslogSource || s instanceof StdinSource) this.#streamUnwarned.add(s.input);
    for (const input of c.inputs) {
      if (input.kind !== 'file') continue;
      if (input.format === 'sshd' || (input.format === 'auto' && AUTH_FILE.test(input.path))) this.#warnFile(input.path);
      else this.#fileUnwarned.add(input.path);
    }
    try {
      for (const s of this.#sources) await s.start((batch) => this.#take(batch));
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.#timer = setInterval(() => this.#pipeline.tick(Date.now()), this.#o.tickMs ?? 1000);
    this.#timer.unref();
  }

  #source(input: WatchInput, limits: { maxLineBytes: number; ratePerSecond?: number }): LogSource {
    const cp = this.#checkpoints;
    let s: LogSource;
    switch (input.kind) {
      case 'file':
        s = new FileSource({ ...limits, path: input.path, startAt: input.startAt, ...(cp ? { checkpoints: cp } : {}) });
        break;
      case 'syslog':
        s = new SyslogSource({ ...limits, transport: input.transport, host: input.host, port: input.port, ...(input.senders ? { senders: input.senders } : {}), ...(input.tls ? { tls: input.tls } : {}) });
        break;
      case 'journal':
        s = new JournalSource({ ...limits, filters: input.filters, ...(input.journalctl ? { journalctl: input.journalctl } : {}), ...(cp ? { checkpoints: cp } : {}) });
        break;
      case 'http': {
        const token = (this.#o.env ?? process.env)[input.tokenEnv];
        if (!token) throw new Error(`watch: the HTTP input's token variable ${input.tokenEnv} is not set`);
        s = new HttpSource({ ...limits, token, host: input.host, port: input.port, path: input.path });
        break;
      }
      case 'mamori':
        if (!this.#o.storePath) throw new Error("watch: a mamori input reads mamori's SQLite store, and store.kind is not sqlite");
        s = new MamoriStoreSource({ ...limits, path: this.#o.storePath, startAt: input.startAt, ...(cp ? { checkpoints: cp } : {}) });
        break;
      default:
        s = new StdinSource({ ...limits, ...(this.#o.stdin ? { stream: this.#o.stdin } : {}) });
    }
    this.#formats.set(s.input, input.kind === 'mamori' ? 'mamori' : input.format);
    return s;
  }

  /** One batch of a source: parsed, enriched, through the pipeline; resolves when it went through. */
  async #take(batch: readonly RawLine[]): Promise<void> {
    for (const raw of batch) {
      const e = this.#parse(raw);
      if (!e) {
        this.#unparsed++;
        continue;
      }
      if (this.#fileUnwarned.size && this.#fileUnwarned.has(raw.input)) {
        const ds = e.fields['event.dataset'];
        if (ds === 'sshd' || ds === 'pam') this.#warnFile(raw.input);
      }
      if (this.#streamUnwarned.size && this.#streamUnwarned.has(raw.input)) {
        const ds = e.fields['event.dataset'];
        if (ds === 'sshd' || ds === 'pam') {
          this.#streamUnwarned.delete(raw.input);
          this.#o.onNote?.(streamSenderWarning(raw.input));
        }
      }
      const pushed = this.#pipeline.push(this.#enrich.enrichSync(e));
      if (pushed) await pushed;
    }
  }

  /** Once per file input that carries sshd or PAM lines: a file does not say who wrote a line. */
  #warnFile(path: string): void {
    this.#fileUnwarned.delete(path);
    this.#o.onNote?.(fileSenderWarning(path));
  }

  #parse(raw: RawLine): LogEvent | null {
    let p = this.#byInput.get(raw.input);
    if (!p) {
      // Syslog and HTTP inputs carry lines of many programs: one detector per input keeps the last format it saw.
      const f = this.#formats.get(raw.input) ?? 'auto';
      p = typeof f === 'string' ? this.#parsers.get(f) : this.#parsers.among(f);
      this.#byInput.set(raw.input, p);
    }
    return p.parse(raw);
  }

  status(): WatchStatus {
    return {
      inputs: this.#sources.map((s) => ({ input: s.input, counters: s.counters })),
      events: this.#pipeline.stats.events,
      unparsed: this.#unparsed,
      alerts: this.#pipeline.stats.alerts,
      late: this.#pipeline.stats.late,
    };
  }

  /** Settles when every input has ended by itself (stdin's end) or was stopped. */
  get done(): Promise<void> {
    return Promise.all(this.#sources.map((s) => s.done)).then(() => undefined);
  }

  /** Stops the inputs (each waits for its batch in flight), runs what is buffered through, closes the checkpoints. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all(this.#sources.map((s) => s.stop().catch((err: unknown) => this.#o.onError?.(err))));
    await this.#pipeline.end();
    this.#checkpoints?.close();
  }
}
