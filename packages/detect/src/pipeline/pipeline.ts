/**
 * The detection pipeline: events from any parser in, every detector run on
 * each (the scenario engine, the Sigma engine: anything with the Detector
 * interface), alerts out to a sink. Detectors want events in event-time order;
 * logs from several files or hosts arrive nearly so, so the pipeline holds
 * events for a short reorder window (by event time, and at most `maxBuffered`
 * of them) and lets them go oldest first. An event older than one already let
 * go is still run (and counted as late): a bucket takes it as if it came now.
 */
import type { Alert, Detector, LogEvent } from '../model.js';

/** Where alerts go: the alerts part stores them, notifies and turns remedies into decisions. */
export interface AlertSink {
  onAlert(alert: Alert): void | Promise<void>;
}

export interface PipelineOptions {
  readonly detectors: readonly Detector[];
  readonly sink?: AlertSink;
  /** How far back in event time an event may arrive and still be put in order (default 5s). */
  readonly reorderMs?: number;
  /** Most events held for reordering (default 50,000): past it the oldest goes on at once. */
  readonly maxBuffered?: number;
  /** Sink failures (default: counted only). */
  readonly onSinkError?: (err: unknown, alert: Alert) => void;
}

export interface PipelineStats {
  /** Events taken in. */
  events: number;
  /** Events that came after a later one had already been run. */
  late: number;
  alerts: number;
  sinkErrors: number;
  /** Event time of the newest event run. */
  watermark: number;
}

/** Most sink promises in flight before the pipeline waits for them (a slow sink slows intake, memory stays put). */
const MAX_PENDING = 256;

export class Pipeline {
  readonly stats: PipelineStats = { events: 0, late: 0, alerts: 0, sinkErrors: 0, watermark: -Infinity };
  private readonly detectors: readonly Detector[];
  private readonly reorderMs: number;
  private readonly maxBuffered: number;
  private readonly heap: LogEvent[] = [];
  private readonly seqs: number[] = [];
  private seq = 0;
  private maxSeen = -Infinity;
  private pending: Promise<void>[] = [];

  constructor(private readonly options: PipelineOptions) {
    this.detectors = options.detectors;
    this.reorderMs = Math.max(0, options.reorderMs ?? 5000);
    this.maxBuffered = Math.max(1, options.maxBuffered ?? 50_000);
  }

  /** Takes one event; runs what the reorder window lets go. Await the result when it is a promise (a slow sink). */
  push(event: LogEvent): void | Promise<void> {
    this.stats.events++;
    if (this.reorderMs === 0) this.run(event);
    else {
      this.heapPush(event);
      if (event.time > this.maxSeen) this.maxSeen = event.time;
      const horizon = this.maxSeen - this.reorderMs;
      while (this.heap.length > 0 && (this.heap[0]!.time <= horizon || this.heap.length > this.maxBuffered)) this.run(this.heapPop());
    }
    if (this.pending.length >= MAX_PENDING) return this.drain();
  }

  /** A tick in follow mode: lets go what is older than the window at `now` and lets detectors expire state. */
  tick(now: number): void {
    while (this.heap.length > 0 && this.heap[0]!.time <= now - this.reorderMs) this.run(this.heapPop());
    for (const d of this.detectors) this.deliver(d.advance(now));
  }

  /** The end of input: runs what is held, then advances every detector to the last event's time. */
  async end(): Promise<PipelineStats> {
    while (this.heap.length > 0) this.run(this.heapPop());
    if (this.stats.watermark > -Infinity) for (const d of this.detectors) this.deliver(d.advance(this.stats.watermark));
    await this.drain();
    return this.stats;
  }

  private run(e: LogEvent): void {
    if (e.time < this.stats.watermark) this.stats.late++;
    else this.stats.watermark = e.time;
    for (const d of this.detectors) {
      const alerts = d.onEvent(e);
      if (alerts.length > 0) this.deliver(alerts);
    }
  }

  private deliver(alerts: readonly Alert[]): void {
    for (const a of alerts) {
      this.stats.alerts++;
      const sink = this.options.sink;
      if (!sink) continue;
      try {
        const r = sink.onAlert(a);
        if (r && typeof (r as Promise<void>).then === 'function') this.pending.push((r as Promise<void>).catch((err: unknown) => this.sinkError(err, a)));
      } catch (err) {
        this.sinkError(err, a);
      }
    }
  }

  private sinkError(err: unknown, a: Alert): void {
    this.stats.sinkErrors++;
    this.options.onSinkError?.(err, a);
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const p = this.pending;
      this.pending = [];
      await Promise.all(p);
    }
  }

  // A binary min-heap by (time, arrival): equal times keep their arrival order, so a run is deterministic.
  private less(i: number, j: number): boolean {
    const a = this.heap[i]!.time;
    const b = this.heap[j]!.time;
    return a < b || (a === b && this.seqs[i]! < this.seqs[j]!);
  }
  private swap(i: number, j: number): void {
    const h = this.heap;
    const s = this.seqs;
    [h[i], h[j]] = [h[j]!, h[i]!];
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  private heapPush(e: LogEvent): void {
    this.heap.push(e);
    this.seqs.push(this.seq++);
    let i = this.heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  private heapPop(): LogEvent {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    const lastSeq = this.seqs.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.seqs[0] = lastSeq;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.less(l, m)) m = l;
        if (r < this.heap.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}
