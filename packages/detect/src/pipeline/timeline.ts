/**
 * The story of a replay, per source and per account: who tried what, when,
 * from where, and what succeeded. An Activity tracker watches every event
 * (bounded: the most recent sources and accounts, plus every one an alert
 * named, which stays until the end), and the timeline joins that with the
 * alerts.
 */
import { formatDuration } from 'mamori';
import type { Alert, AlertSeverity, FieldValue, LogEvent } from '../model.js';
import { RingQueue } from '../scenarios/queue.js';

export interface Success {
  readonly time: number;
  readonly action: string;
  /** The account (sources' view) or the source (accounts' view). */
  readonly who: string;
  readonly country?: string;
}

interface Summary {
  firstTime: number;
  lastTime: number;
  events: number;
  failures: number;
  successes: Success[] | undefined;
  /** The first account a source tried (or source an account was tried from), held without a Set. */
  name1: string | undefined;
  /** Accounts a source tried, or sources an account was tried from (at most MAX_NAMES), from the second on. */
  names: Set<string> | undefined;
  moreNames: number;
  countries: Set<string> | undefined;
  /** An alert named it: kept to the end of the run. */
  pinned: boolean;
}

export interface TimelineAlert {
  readonly time: number;
  readonly firstTime: number;
  readonly detector: string;
  readonly title: string;
  readonly severity: AlertSeverity;
  readonly count: number;
  readonly remedy?: string;
  readonly simulated?: boolean;
}

export interface TimelineEntry {
  /** The source address or the account name. */
  readonly key: string;
  readonly firstTime?: number;
  readonly lastTime?: number;
  readonly events?: number;
  readonly failures?: number;
  readonly countries: readonly string[];
  /** Accounts tried (a source) or sources seen (an account). */
  readonly tried: readonly string[];
  readonly moreTried: number;
  readonly successes: readonly Success[];
  readonly alerts: readonly TimelineAlert[];
}

export interface Timeline {
  readonly sources: readonly TimelineEntry[];
  readonly accounts: readonly TimelineEntry[];
}

const MAX_NAMES = 20;
const MAX_SUCCESSES = 10;
const MAX_COUNTRIES = 8;

/** One kind of key (sources or accounts): every summary in one map, the unpinned ones also in arrival order. */
class Tracked {
  readonly all = new Map<string, Summary>();
  readonly order = new RingQueue<Summary>();
  unpinned = 0;
  pinned = 0;
}

export class ActivityTracker {
  private readonly sources = new Tracked();
  private readonly accounts = new Tracked();

  /** `maxTracked`: most sources and most accounts followed before any alert names them. */
  constructor(private readonly maxTracked = 10_000, private readonly maxPinned = 10_000) {}

  observe(e: LogEvent): void {
    const f = e.fields;
    const ip = str(f['source.ip']);
    const user = str(f['user.name']);
    if (ip !== undefined) this.touch(this.sources, ip, e, user);
    if (user !== undefined) this.touch(this.accounts, user, e, ip);
  }

  /** Keeps what is known of the alert's source and account to the end of the run. */
  pin(a: Alert): void {
    const ip = alertSource(a);
    const user = alertAccount(a);
    if (ip !== undefined) this.pinOne(this.sources, ip);
    if (user !== undefined) this.pinOne(this.accounts, user);
  }

  private pinOne(t: Tracked, key: string): void {
    if (t.pinned >= this.maxPinned) return;
    const s = t.all.get(key);
    if (s && !s.pinned) {
      // It stays in the arrival order, where the eviction below skips it.
      s.pinned = true;
      t.pinned++;
      t.unpinned--;
    }
  }

  private touch(t: Tracked, key: string, e: LogEvent, other: string | undefined): void {
    let s = t.all.get(key);
    if (!s) {
      // First in, first out: the oldest followed source goes (cheaper than reordering on every
      // event), and its object is used again for the new one: a million sources passing
      // through would otherwise be a million objects outliving the young generation.
      const order = t.order;
      let reuse: Summary | undefined;
      while (t.unpinned >= this.maxTracked && order.size > 0) {
        const k = order.peekKey()!;
        const old = order.peekVal()!;
        order.shift();
        // A summary pinned since stays (pinned ones leave the order here).
        if (!old.pinned && t.all.get(k) === old) {
          t.all.delete(k);
          t.unpinned--;
          reuse = old;
        }
      }
      if (reuse) {
        s = reuse;
        s.firstTime = s.lastTime = e.time;
        s.events = s.failures = s.moreNames = 0;
        s.successes = undefined;
        s.name1 = undefined;
        s.names = undefined;
        s.countries = undefined;
      } else s = { firstTime: e.time, lastTime: e.time, events: 0, failures: 0, successes: undefined, name1: undefined, names: undefined, moreNames: 0, countries: undefined, pinned: false };
      t.all.set(key, s);
      order.push(key, s);
      t.unpinned++;
    }
    s.events++;
    if (e.time < s.firstTime) s.firstTime = e.time;
    if (e.time > s.lastTime) s.lastTime = e.time;
    const f = e.fields;
    const country = str(f['source.geo.country_iso_code']);
    if (country !== undefined && (s.countries ??= new Set()).size < MAX_COUNTRIES) s.countries.add(country);
    if (other !== undefined && other !== s.name1) {
      if (s.name1 === undefined) s.name1 = other;
      else {
        const names = (s.names ??= new Set([s.name1]));
        if (!names.has(other)) {
          if (names.size < MAX_NAMES) names.add(other);
          else s.moreNames++;
        }
      }
    }
    const outcome = f['event.outcome'];
    if (outcome === 'failure') s.failures++;
    else if (outcome === 'success' && (f['event.category'] === 'authentication' || other !== undefined) && (s.successes?.length ?? 0) < MAX_SUCCESSES) {
      (s.successes ??= []).push({ time: e.time, action: str(f['event.action']) ?? str(f['event.dataset']) ?? 'success', who: other ?? '', ...(country ? { country } : {}) });
    }
  }

  /** The timeline of every source and account the alerts name, each with its alerts in time order. */
  timeline(alerts: readonly Alert[]): Timeline {
    const bySource = new Map<string, TimelineAlert[]>();
    const byAccount = new Map<string, TimelineAlert[]>();
    for (const a of alerts) {
      const t: TimelineAlert = {
        time: a.time,
        firstTime: a.firstTime,
        detector: a.detector,
        title: a.title,
        severity: a.severity,
        count: a.count,
        ...(a.remedy ? { remedy: `${a.remedy.action} ${a.remedy.value} for ${formatDuration(a.remedy.ttlMs)}` } : {}),
        ...(a.simulated ? { simulated: true } : {}),
      };
      const ip = alertSource(a);
      const user = alertAccount(a);
      if (ip !== undefined) push(bySource, ip, t);
      if (user !== undefined) push(byAccount, user, t);
    }
    const entries = (by: Map<string, TimelineAlert[]>, all: Map<string, Summary>): TimelineEntry[] =>
      [...by]
        .map(([key, list]) => {
          list.sort((x, y) => x.time - y.time || x.detector.localeCompare(y.detector));
          const s = all.get(key);
          return {
            key,
            ...(s ? { firstTime: s.firstTime, lastTime: s.lastTime, events: s.events, failures: s.failures } : {}),
            countries: s?.countries ? [...s.countries] : [],
            tried: s?.names ? [...s.names] : s?.name1 !== undefined ? [s.name1] : [],
            moreTried: s?.moreNames ?? 0,
            successes: s?.successes ?? [],
            alerts: list,
          };
        })
        .sort((x, y) => x.alerts[0]!.time - y.alerts[0]!.time || (x.key < y.key ? -1 : 1));
    return { sources: entries(bySource, this.sources.all), accounts: entries(byAccount, this.accounts.all) };
  }
}

/** The source an alert is about: its group's, or the one all its samples share. */
export function alertSource(a: Alert): string | undefined {
  return str(a.group['source.ip']) ?? shared(a, 'source.ip');
}

/** The account an alert is about: its group's, or the one all its samples share (not one of many tried). */
export function alertAccount(a: Alert): string | undefined {
  return str(a.group['user.name']) ?? shared(a, 'user.name');
}

function shared(a: Alert, field: string): string | undefined {
  let v: string | undefined;
  for (const e of a.samples) {
    const x = str(e.fields[field]);
    if (x === undefined || (v !== undefined && x !== v)) return undefined;
    v = x;
  }
  return v;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function str(v: FieldValue | undefined): string | undefined {
  return v === undefined ? undefined : typeof v === 'string' ? v : String(v);
}

/** The timeline as text for a terminal. Names from the logs are shown without control characters. */
export function renderTimeline(t: Timeline, opts: { maxEntries?: number } = {}): string {
  const max = opts.maxEntries ?? 200;
  const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  const out: string[] = [];
  const block = (heading: string, list: readonly TimelineEntry[], triedWord: string) => {
    if (list.length === 0) return;
    out.push(`${heading} (${list.length})`);
    for (const e of list.slice(0, max)) {
      const where = e.countries.length ? ` [${e.countries.map(clean).join(', ')}]` : '';
      const span = e.firstTime !== undefined ? `  ${iso(e.firstTime)} .. ${iso(e.lastTime!)}, ${e.events} events, ${e.failures} failed` : '';
      out.push(`  ${clean(e.key)}${where}${span}`);
      if (e.tried.length) out.push(`    ${triedWord}: ${e.tried.map(clean).join(', ')}${e.moreTried ? ` and ${e.moreTried} more` : ''}`);
      for (const a of e.alerts) {
        out.push(`    ${iso(a.time)}  ${a.severity.padEnd(8)} ${a.detector}: ${a.title} (${a.count} event${a.count === 1 ? '' : 's'} since ${iso(a.firstTime)})${a.simulated ? ' [detect-only]' : a.remedy ? ` -> ${a.remedy}` : ''}`);
      }
      for (const s of e.successes) out.push(`    ${iso(s.time)}  SUCCEEDED ${clean(s.action)}${s.who ? ` ${s.who === '' ? '' : triedWord === 'accounts tried' ? 'as' : 'from'} ${clean(s.who)}` : ''}${s.country ? ` [${clean(s.country)}]` : ''}`);
    }
    if (list.length > max) out.push(`  ... and ${list.length - max} more (--json gives them all)`);
    out.push('');
  };
  block('Sources', t.sources, 'accounts tried');
  block('Accounts', t.accounts, 'from');
  return out.join('\n');
}

function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 120);
}
