/**
 * Replay: log files through a parser and the detectors on event time, with
 * a tally per file and the alerts kept (bounded) for the report.
 */
import type { Alert, Detector, LogEvent, RawLine } from '../model.js';
import { parseJsonLine } from './json-lines.js';
import { Pipeline, type AlertSink, type PipelineStats } from './pipeline.js';
import { readLineBatches, type LineSource } from './read-lines.js';
import { ActivityTracker } from './timeline.js';

export type ParseFn = (raw: RawLine) => LogEvent | null;

export interface ReplayOptions {
  readonly detectors: readonly Detector[];
  /** Lines to events (default: ECS JSON lines). */
  readonly parse?: ParseFn;
  readonly sink?: AlertSink;
  readonly reorderMs?: number;
  /** Most alerts kept for the report (default 100,000); all are counted and sent to the sink. */
  readonly maxAlerts?: number;
  /** Follows sources and accounts for the timeline (default: a new one). */
  readonly activity?: ActivityTracker;
  readonly maxLine?: number;
  /** Most bytes one gzip input may inflate to (default 16 GiB): past it the input stops with an error. */
  readonly maxInflatedBytes?: number;
  /**
   * An input that cannot be read to its end (missing, unreadable, a truncated or corrupt gzip):
   * false (default) rejects the replay with its error; true records the error in the input's
   * tally (`error`), keeps what was read of it, and goes on with the next input.
   */
  readonly continueOnError?: boolean;
}

export interface FileTally {
  readonly path: string;
  lines: number;
  events: number;
  /** Lines the parser did not take (another format, blank, malformed). */
  skipped: number;
  truncated: number;
  /** Why the input was not read to its end (with continueOnError). */
  error?: string;
}

export interface ReplaySummary {
  readonly files: readonly FileTally[];
  readonly lines: number;
  readonly events: number;
  readonly skipped: number;
  readonly alerts: readonly Alert[];
  readonly alertsTotal: number;
  readonly firstTime?: number;
  readonly lastTime?: number;
  readonly pipeline: PipelineStats;
  readonly activity: ActivityTracker;
}

/** Replays each input in turn: a path, or a stream (standard input) named for the report. */
export async function replayFiles(files: readonly (string | LineSource)[], options: ReplayOptions): Promise<ReplaySummary> {
  const parse = options.parse ?? parseJsonLine;
  const maxAlerts = options.maxAlerts ?? 100_000;
  const activity = options.activity ?? new ActivityTracker();
  const alerts: Alert[] = [];
  let alertsTotal = 0;
  const sink: AlertSink = {
    onAlert: (a) => {
      alertsTotal++;
      activity.pin(a);
      if (alerts.length < maxAlerts) alerts.push(a);
      return options.sink?.onAlert(a);
    },
  };
  const pipeline = new Pipeline({ detectors: options.detectors, sink, ...(options.reorderMs !== undefined ? { reorderMs: options.reorderMs } : {}) });
  const tallies: FileTally[] = [];
  let firstTime: number | undefined;
  let lastTime: number | undefined;
  const receivedAt = Date.now();
  for (const source of files) {
    const path = typeof source === 'string' ? source : source.path;
    const tally: FileTally = { path, lines: 0, events: 0, skipped: 0, truncated: 0 };
    tallies.push(tally);
    await replayOne(source, tally);
  }
  /**
   * One input's lines through the parser and the pipeline, counted in its tally. Only reading
   * may end an input early (continueOnError); an error of the pipeline or its sink is thrown.
   */
  async function replayOne(source: string | LineSource, tally: FileTally): Promise<void> {
    const batches = readLineBatches(source, { receivedAt, ...(options.maxLine ? { maxLine: options.maxLine } : {}), ...(options.maxInflatedBytes ? { maxInflatedBytes: options.maxInflatedBytes } : {}) });
    try {
      for (;;) {
        let next: IteratorResult<RawLine[]>;
        try {
          next = await batches.next();
        } catch (err) {
          if (!options.continueOnError) throw err;
          tally.error = err instanceof Error ? err.message : String(err);
          return;
        }
        if (next.done) return;
        await replayBatch(next.value, tally);
      }
    } finally {
      await batches.return(undefined);
    }
  }
  async function replayBatch(batch: readonly RawLine[], tally: FileTally): Promise<void> {
    for (const raw of batch) {
      tally.lines++;
      if (raw.truncated) tally.truncated++;
      let e: LogEvent | null;
      try {
        e = parse(raw);
      } catch {
        // A parser must not throw on hostile input; if one does, the line is skipped, not the replay.
        e = null;
      }
      if (e === null) {
        tally.skipped++;
        continue;
      }
      tally.events++;
      if (firstTime === undefined || e.time < firstTime) firstTime = e.time;
      if (lastTime === undefined || e.time > lastTime) lastTime = e.time;
      activity.observe(e);
      const wait = pipeline.push(e);
      if (wait) await wait;
    }
  }
  const stats = await pipeline.end();
  alerts.sort((a, b) => a.time - b.time || (a.detector < b.detector ? -1 : a.detector > b.detector ? 1 : a.id < b.id ? -1 : 1));
  return {
    files: tallies,
    lines: tallies.reduce((n, t) => n + t.lines, 0),
    events: tallies.reduce((n, t) => n + t.events, 0),
    skipped: tallies.reduce((n, t) => n + t.skipped, 0),
    alerts,
    alertsTotal,
    ...(firstTime !== undefined ? { firstTime, lastTime: lastTime! } : {}),
    pipeline: stats,
    activity,
  };
}
