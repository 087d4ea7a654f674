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
  private readonly held = new ReorderBuffer();
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
      const held = this.held;
      held.push(event);
      if (event.time > this.maxSeen) this.maxSeen = event.time;
      const horizon = this.maxSeen - this.reorderMs;
      while (held.size > 0 && (held.minTime() <= horizon || held.size > this.maxBuffered)) this.run(held.pop());
    }
    if (this.pending.length >= MAX_PENDING) return this.drain();
  }

  /** A tick in follow mode: lets go what is older than the window at `now` and lets detectors expire state. */
  tick(now: number): void {
    while (this.held.size > 0 && this.held.minTime() <= now - this.reorderMs) this.run(this.held.pop());
    for (const d of this.detectors) this.deliver(d.advance(now));
  }

  /** The end of input: runs what is held, then advances every detector to the last event's time. */
  async end(): Promise<PipelineStats> {
    while (this.held.size > 0) this.run(this.held.pop());
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
}

/**
 * The events held for reordering, let go by (time, arrival): equal times keep their arrival
 * order, so a run is deterministic. Logs come nearly in order, so an event no older than the
 * last one held joins a queue in arrival order (already sorted: no comparisons); only an
 * event older than that goes into a binary min-heap. The smaller of the two fronts goes first.
 */
export class ReorderBuffer {
  /** In-order arrivals: a ring of events and their arrival numbers. */
  private q: (LogEvent | undefined)[] = new Array<LogEvent | undefined>(64);
  private qSeq: number[] = new Array<number>(64).fill(0);
  private qHead = 0;
  private qSize = 0;
  /** Late arrivals: a heap by (time, arrival). */
  private readonly heap: LogEvent[] = [];
  private readonly seqs: number[] = [];
  private seq = 0;

  get size(): number {
    return this.qSize + this.heap.length;
  }

  push(e: LogEvent): void {
    const seq = this.seq++;
    if (this.qSize === 0 || e.time >= this.q[(this.qHead + this.qSize - 1) & (this.q.length - 1)]!.time) {
      if (this.qSize === this.q.length) this.grow();
      const i = (this.qHead + this.qSize) & (this.q.length - 1);
      this.q[i] = e;
      this.qSeq[i] = seq;
      this.qSize++;
      return;
    }
    this.heapPush(e, seq);
  }

  /** The time of the event that goes next (call only when size > 0). */
  minTime(): number {
    if (this.heap.length === 0) return this.q[this.qHead]!.time;
    if (this.qSize === 0) return this.heap[0]!.time;
    return Math.min(this.q[this.qHead]!.time, this.heap[0]!.time);
  }

  /** The event that goes next (call only when size > 0). */
  pop(): LogEvent {
    if (this.qSize > 0) {
      const e = this.q[this.qHead]!;
      if (this.heap.length === 0 || e.time < this.heap[0]!.time || (e.time === this.heap[0]!.time && this.qSeq[this.qHead]! < this.seqs[0]!)) {
        this.q[this.qHead] = undefined;
        this.qHead = (this.qHead + 1) & (this.q.length - 1);
        this.qSize--;
        return e;
      }
    }
    return this.heapPop();
  }

  private grow(): void {
    const n = this.q.length;
    const q = new Array<LogEvent | undefined>(n * 2);
    const qs = new Array<number>(n * 2).fill(0);
    for (let i = 0; i < this.qSize; i++) {
      q[i] = this.q[(this.qHead + i) & (n - 1)];
      qs[i] = this.qSeq[(this.qHead + i) & (n - 1)]!;
    }
    this.q = q;
    this.qSeq = qs;
    this.qHead = 0;
  }

  private less(ta: number, sa: number, tb: number, sb: number): boolean {
    return ta < tb || (ta === tb && sa < sb);
  }

  private heapPush(e: LogEvent, seq: number): void {
    const h = this.heap;
    const s = this.seqs;
    let i = h.length;
    h.push(e);
    s.push(seq);
    // Sift up with a hole: parents move down until the new event's place is found.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(e.time, seq, h[p]!.time, s[p]!)) break;
      h[i] = h[p]!;
      s[i] = s[p]!;
      i = p;
    }
    h[i] = e;
    s[i] = seq;
  }

  private heapPop(): LogEvent {
    const h = this.heap;
    const s = this.seqs;
    const top = h[0]!;
    const last = h.pop()!;
    const lastSeq = s.pop()!;
    const n = h.length;
    if (n > 0) {
      // Sift down with a hole.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && this.less(h[r]!.time, s[r]!, h[l]!.time, s[l]!) ? r : l;
        if (!this.less(h[m]!.time, s[m]!, last.time, lastSeq)) break;
        h[i] = h[m]!;
        s[i] = s[m]!;
        i = m;
      }
      h[i] = last;
      s[i] = lastSeq;
    }
    return top;
  }
}
