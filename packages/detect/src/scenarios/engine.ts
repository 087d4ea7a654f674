/**
 * The scenario engine: a Detector that runs compiled scenarios over events in
 * event-time order. Each scenario keeps one state per group (its key is the
 * group fields' values) in a table that is bounded twice over: a group idle
 * past its bucket's reach is dropped as time moves on, and past `maxGroups`
 * the least recently touched group is evicted and counted. Nothing here reads
 * the wall clock: the events' own times drive every bucket, so a replay of a
 * month of logs runs at the speed of the CPU and tests never sleep.
 *
 * Scenarios that group by the same keys (the SSH ones all by net(source.ip)) share one
 * table: a key's entry holds each such scenario's state, so an event is looked up once for
 * all of them. Each scenario still keeps its own order, bound and expiry, as if alone.
 */
import { createHash } from 'node:crypto';
import { CidrList, cidrOf, formatCidr, MamoriError, tryParseIp } from 'mamori/internal';
import type { Alert, Detector, FieldValue, LogEvent } from '../model.js';
import { countryDistanceKm } from './countries.js';
import { compileGroupPart, MAX_KEY_PART, type GroupPart } from './group-key.js';
import { RingQueue } from './queue.js';
import type { Scenario } from './scenario.js';

export interface ScenarioEngineOptions {
  /** Every scenario detect-only (true), or those named. */
  readonly simulate?: boolean | readonly string[];
  /** Sources and accounts no scenario alerts on (your own scanners, monitoring). */
  readonly allow?: { readonly ips?: readonly string[]; readonly users?: readonly string[] };
  /** Overrides every scenario's `max_groups` (tests, memory-tight hosts). */
  readonly maxGroups?: number;
}

export interface ScenarioStats {
  readonly id: string;
  /** Events that passed the filter (and the allowlists). */
  matched: number;
  alerts: number;
  /** Groups evicted because the table was full: each may have lost a count toward an alert. */
  evicted: number;
  /** Groups dropped because their bucket was empty again. */
  expired: number;
  groups: number;
}

export interface EngineStats {
  readonly events: number;
  readonly alerts: number;
  readonly evicted: number;
  readonly groups: number;
  readonly scenarios: readonly ScenarioStats[];
}

/** Every SWEEP_EVERY matched events, up to SWEEP_MAX groups are looked at for expiry (amortised: each expires once). */
const SWEEP_EVERY = 8;
const SWEEP_MAX = 32;
/** Groups given a second chance before one is evicted regardless. */
const EVICT_TRIES = 8;
const NO_ALERTS: readonly Alert[] = Object.freeze([]);

class GroupState {
  firstTime = 0;
  lastTime = 0;
  /** lastTime when the group was (re)queued at the back of the table: touched since when lastTime is later. */
  queuedAt = 0;
  count = 0;
  blackoutUntil = -Infinity;
  /** Leaky: the level; sequence: the failures counted. */
  level = 0;
  samples: LogEvent[] | undefined;
  /** Counter: the times of the last events (at most threshold); distinct: when each value was last seen. */
  times: number[] | undefined;
  /** Distinct: the values seen (at most threshold), oldest first; their times in `times`. */
  vals: string[] | undefined;
  /** Travel: the previous event with its country. */
  prev: LogEvent | undefined;
  prevValue: string | undefined;

  init(t: number): void {
    this.firstTime = t;
    this.lastTime = t;
    this.queuedAt = t;
    this.count = 0;
    this.blackoutUntil = -Infinity;
    this.level = 0;
    // Arrays are emptied, not dropped: a reused group keeps them (less garbage at a full table).
    if (this.samples) this.samples.length = 0;
    if (this.times) this.times.length = 0;
    if (this.vals) this.vals.length = 0;
    this.prev = undefined;
    this.prevValue = undefined;
  }
}

/** One key's states in a shared table: one place per scenario sharing it. */
interface Slot {
  readonly states: (GroupState | undefined)[];
  /** Places in use. */
  n: number;
}

/**
 * The group table of the scenarios whose group_by is the same: key -> each one's state. The
 * key of the event being run and its slot are remembered, so the scenarios after the first
 * neither build the key again nor look it up.
 */
class GroupTable {
  readonly map = new Map<string, Slot>();
  width = 0;
  #keyStamp = -1;
  #key: string | undefined;
  #slotStamp = -1;
  #slot: Slot | undefined;

  constructor(readonly parts: readonly GroupPart[]) {}

  /** The event's key (undefined when it lacks a field), built once per event. */
  keyOf(f: Readonly<Record<string, FieldValue>>, stamp: number): string | undefined {
    if (this.#keyStamp === stamp) return this.#key;
    const parts = this.parts;
    let key: string | undefined = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!.value(f);
      if (part === undefined) {
        key = undefined;
        break;
      }
      key = i === 0 ? part : `${key}\u0001${part}`;
    }
    this.#keyStamp = stamp;
    this.#key = key;
    return key;
  }

  /** The slot of the event's key (keyOf's), looked up once per event. */
  slotOf(key: string, stamp: number): Slot | undefined {
    if (this.#slotStamp === stamp) return this.#slot;
    const slot = this.map.get(key);
    this.#slotStamp = stamp;
    this.#slot = slot;
    return slot;
  }

  get(key: string, idx: number): GroupState | undefined {
    return this.map.get(key)?.states[idx];
  }

  /** Puts a scenario's new state for the event's key (keyOf's, at `stamp`). */
  add(key: string, idx: number, g: GroupState, stamp: number): void {
    let slot = this.slotOf(key, stamp);
    if (slot === undefined) {
      slot = { states: new Array<GroupState | undefined>(this.width).fill(undefined), n: 0 };
      this.map.set(key, slot);
      this.#slot = slot;
    }
    slot.states[idx] = g;
    slot.n++;
  }

  remove(key: string, idx: number): void {
    const slot = this.map.get(key);
    if (slot === undefined || slot.states[idx] === undefined) return;
    slot.states[idx] = undefined;
    if (--slot.n === 0) {
      this.map.delete(key);
      if (this.#slot === slot) this.#slotStamp = -1;
    }
  }
}

class ScenarioRunner {
  readonly stats: ScenarioStats;
  /** This scenario's groups: its place in a table it may share. */
  private size = 0;
  /** The groups in the order they were (re)queued; an entry whose group is gone or replaced is skipped. */
  private queue = new RingQueue<GroupState>();
  /** How long an idle group's state still matters. */
  private readonly idleMs: number;
  private readonly simulated: boolean;
  private readonly maxGroups: number;

  constructor(readonly s: Scenario, opts: ScenarioEngineOptions, private readonly globalIps: CidrList | undefined, private readonly globalUsers: ReadonlySet<string>, private readonly table: GroupTable, private readonly idx: number) {
    this.stats = { id: s.id, matched: 0, alerts: 0, evicted: 0, expired: 0, groups: 0 };
    const b = s.bucket;
    this.idleMs = b.kind === 'trigger' ? 0 : b.kind === 'leaky' ? b.capacity * b.leakMs : b.windowMs;
    this.simulated = s.simulation || opts.simulate === true || (Array.isArray(opts.simulate) && opts.simulate.includes(s.id));
    this.maxGroups = opts.maxGroups ?? s.maxGroups;
  }

  private allowed(f: Readonly<Record<string, FieldValue>>): boolean {
    const ip = f['source.ip'];
    if (typeof ip === 'string' && ((this.s.allow.ips && this.s.allow.ips.contains(ip)) || (this.globalIps && this.globalIps.contains(ip)))) return true;
    const user = f['user.name'];
    if (typeof user === 'string' && (this.s.allow.users.has(user) || this.globalUsers.has(user))) return true;
    return false;
  }

  /** `stamp`: the engine's count of events, telling the shared table which event this is. */
  onEvent(e: LogEvent, out: Alert[], stamp: number): void {
    const s = this.s;
    const f = e.fields;
    if (!s.filter(f)) return;
    if (this.allowed(f)) return;
    const table = this.table;
    const key = table.keyOf(f, stamp);
    if (key === undefined) return;
    this.stats.matched++;
    const t = e.time;
    if ((this.stats.matched & (SWEEP_EVERY - 1)) === 0) this.sweep(t, SWEEP_MAX);
    let g = table.slotOf(key, stamp)?.states[this.idx];
    if (g === undefined) {
      // The table is a queue with second chances (CLOCK): a touch only updates lastTime, and a
      // group found touched at the front is queued again at the back instead of being dropped.
      // An evicted group's object is reused: at a full table every new source evicts one, and
      // a million of them would otherwise be a million objects for the collector to find.
      g = (this.size >= this.maxGroups ? this.evictOne() : undefined) ?? new GroupState();
      g.init(t);
      table.add(key, this.idx, g, stamp);
      this.size++;
      this.queue.push(key, g);
    }
    if (t < g.blackoutUntil) {
      g.lastTime = Math.max(g.lastTime, t);
      return;
    }
    if (this.pour(g, e)) {
      out.push(this.alert(g, e, key));
      g.blackoutUntil = t + s.blackoutMs;
      this.reset(g);
    }
    g.lastTime = Math.max(g.lastTime, t);
  }

  /** Adds the event to the group's bucket; true when the bucket fires. */
  private pour(g: GroupState, e: LogEvent): boolean {
    const b = this.s.bucket;
    const t = e.time;
    switch (b.kind) {
      case 'trigger':
        g.firstTime = t;
        g.count = 1;
        if (g.samples) g.samples.length = 0;
        return true;
      case 'leaky': {
        const dt = g.count === 0 ? 0 : Math.max(0, t - g.lastTime);
        g.level = Math.max(0, g.level - dt / b.leakMs);
        if (g.level === 0) this.restart(g, t);
        g.level += 1;
        g.count++;
        this.keep(g, e, g.level * 2 > b.capacity);
        return g.level > b.capacity;
      }
      case 'counter': {
        let times = g.times;
        if (times === undefined || times.length === 0) {
          // One event is held as firstTime and count, without an array: most groups (one
          // source, one request) never see a second.
          if (g.count === 0 || g.firstTime <= t - b.windowMs) {
            this.restart(g, t);
            g.count = 1;
            this.keep(g, e, 2 > b.threshold);
            return b.threshold <= 1;
          }
          times = g.times ??= [];
          times.push(g.firstTime);
        }
        let drop = 0;
        while (drop < times.length && times[drop]! <= t - b.windowMs) drop++;
        if (drop > 0) times.splice(0, drop);
        if (times.length === 0) this.restart(g, t);
        times.push(t);
        if (times.length > b.threshold) times.shift();
        g.count = times.length;
        g.firstTime = times[0]!;
        this.keep(g, e, times.length * 2 > b.threshold);
        return times.length >= b.threshold;
      }
      case 'distinct': {
        const v = e.fields[b.field];
        if (v === undefined) return false;
        const val = typeof v === 'string' ? (v.length > MAX_KEY_PART ? v.slice(0, MAX_KEY_PART) : v) : String(v);
        // At most `threshold` values with their last-seen times, oldest first: two small arrays,
        // lighter than a Map for the few values a group holds before it fires.
        let vals = g.vals;
        if (vals === undefined || vals.length === 0) {
          // One value is held in prevValue (its last-seen time in level), without arrays.
          const single = g.prevValue;
          if (single === undefined || g.level <= t - b.windowMs) {
            this.restart(g, t);
            g.prevValue = val;
            g.level = t;
            g.count = 1;
            this.keep(g, e, 2 > b.threshold);
            return false;
          }
          g.count++;
          if (single === val) {
            g.level = t;
            return false;
          }
          g.count--;
          vals = g.vals ??= [];
          (g.times ??= []).push(g.level);
          vals.push(single);
          g.prevValue = undefined;
        }
        const at = g.times!;
        let drop = 0;
        while (drop < at.length && at[drop]! <= t - b.windowMs) drop++;
        if (drop > 0) {
          vals.splice(0, drop);
          at.splice(0, drop);
        }
        if (vals.length === 0) this.restart(g, t);
        const i = vals.indexOf(val);
        if (i >= 0) {
          vals.splice(i, 1);
          at.splice(i, 1);
        }
        vals.push(val);
        at.push(t);
        g.count++;
        if (i < 0) this.keep(g, e, vals.length * 2 > b.threshold);
        return vals.length >= b.threshold;
      }
      case 'sequence': {
        if (g.level > 0 && t - g.lastTime > b.windowMs) g.level = 0;
        if (b.first(e.fields)) {
          if (g.level === 0) this.restart(g, t);
          g.level++;
          g.count++;
          this.keep(g, e, g.level * 2 > b.count);
          return false;
        }
        if (b.then(e.fields)) {
          const fire = g.level >= b.count;
          if (fire) {
            g.count++;
            this.keep(g, e, true);
          } else {
            g.level = 0;
            g.count = 0;
            if (g.samples) g.samples.length = 0;
          }
          return fire;
        }
        return false;
      }
      case 'travel': {
        const v = e.fields[b.field];
        if (typeof v !== 'string' || v === '') return false;
        const prev = g.prev;
        const prevValue = g.prevValue;
        g.prev = e;
        g.prevValue = v;
        if (prev === undefined || prevValue === undefined || prevValue === v) return false;
        const dt = t - prev.time;
        if (dt < 0 || dt > b.windowMs) return false;
        const km = countryDistanceKm(prevValue, v);
        if (km === undefined || km < b.minDistanceKm) return false;
        // A minute at least: two logins in the same second are as impossible as one a minute apart.
        const hours = Math.max(dt, 60_000) / 3_600_000;
        if (km / hours <= b.maxSpeedKmh) return false;
        g.firstTime = prev.time;
        g.count = 2;
        g.samples = [prev, e];
        return true;
      }
    }
  }

  private restart(g: GroupState, t: number): void {
    g.firstTime = t;
    g.count = 0;
    if (g.samples) g.samples.length = 0;
  }

  private reset(g: GroupState): void {
    g.level = 0;
    g.count = 0;
    if (g.samples) g.samples.length = 0;
    if (g.times) g.times.length = 0;
    if (g.vals) g.vals.length = 0;
    // Travel keeps the latest country: the next login is compared with this one.
    if (this.s.bucket.kind !== 'travel') g.prevValue = undefined;
  }

  /**
   * Keeps the event as evidence once the bucket is `warm` (at least half full): the first
   * events from then on, one place left for the event that fires it. A group that never fills
   * holds no event, which keeps a million one-event sources from holding a million events,
   * and a full sample list is not rotated, which keeps long-lived garbage down.
   */
  private keep(g: GroupState, e: LogEvent, warm: boolean): void {
    const n = this.s.samples;
    if (!warm || n <= 1) return;
    const arr = (g.samples ??= []);
    if (arr.length < n - 1) arr.push(e);
  }

  private alert(g: GroupState, e: LogEvent, key: string): Alert {
    const s = this.s;
    this.stats.alerts++;
    const group: Record<string, FieldValue> = {};
    // A net() part names its field with the group's value: the address, or the range it stands for.
    let sourceRange: string | undefined;
    for (const part of this.table.parts) {
      if (part.net === undefined) group[part.field] = e.fields[part.field]!;
      else {
        const v = part.value(e.fields)!;
        group[part.field] = v;
        if (part.field === 'source.ip' && v.includes('/')) sourceRange = v;
      }
    }
    const id = createHash('sha256').update(`${s.id}\u0000${key}\u0000${g.firstTime}\u0000${e.time}`).digest('hex').slice(0, 24);
    let remedy: Alert['remedy'];
    const ip = e.fields['source.ip'];
    if (s.remedy && !this.simulated && typeof ip === 'string') {
      const a = tryParseIp(ip);
      // A group of a whole range (an IPv6 /64 under net(source.ip)) is decided on as that range.
      if (a && sourceRange !== undefined && s.remedy.scope === 'ip') remedy = { action: s.remedy.action, scope: 'range', value: sourceRange, ttlMs: s.remedy.ttlMs };
      else if (a) remedy = { action: s.remedy.action, scope: s.remedy.scope, value: s.remedy.scope === 'range' ? formatCidr(cidrOf(a, a.version === 4 ? 24 : 64)) : ip, ttlMs: s.remedy.ttlMs };
    }
    return {
      id,
      detector: s.id,
      kind: 'scenario',
      title: s.title,
      severity: s.severity,
      time: e.time,
      group,
      count: Math.max(1, g.count),
      firstTime: g.firstTime,
      samples: this.s.samples === 0 ? [] : g.samples?.length ? (g.samples[g.samples.length - 1] === e ? g.samples.slice() : [...g.samples, e]) : [e],
      ...(remedy ? { remedy } : {}),
      ...(this.simulated ? { simulated: true } : {}),
      ...(s.mitre.length ? { mitre: s.mitre } : {}),
    };
  }

  /** The oldest live entry of the queue, stale ones (expired, replaced) dropped on the way. */
  private front(): [string, GroupState] | undefined {
    for (;;) {
      const k = this.queue.peekKey();
      if (k === undefined) return undefined;
      const g = this.queue.peekVal()!;
      if (this.table.get(k, this.idx) === g) return [k, g];
      this.queue.shift();
    }
  }

  private evictOne(): GroupState | undefined {
    for (let i = 0; i < EVICT_TRIES; i++) {
      const f = this.front();
      if (!f) return undefined;
      const [k, g] = f;
      this.queue.shift();
      if (i < EVICT_TRIES - 1 && g.lastTime > g.queuedAt) {
        g.queuedAt = g.lastTime;
        this.queue.push(k, g);
        continue;
      }
      this.table.remove(k, this.idx);
      this.size--;
      this.stats.evicted++;
      return g;
    }
    return undefined;
  }

  /** Drops every group whose state no longer matters at `now` (a tick, the end of input). */
  expireAll(now: number): void {
    // One pass over the queue, in its order: stale entries (groups gone or replaced) and
    // expired groups are dropped, the others queued again in the same order (the queue's
    // stale entries would otherwise come to outnumber the groups).
    const old = this.queue;
    const kept = new RingQueue<GroupState>();
    while (old.size > 0) {
      const k = old.peekKey()!;
      const g = old.peekVal()!;
      old.shift();
      if (this.table.get(k, this.idx) !== g) continue;
      if (g.lastTime + this.idleMs < now && g.blackoutUntil <= now) {
        this.table.remove(k, this.idx);
        this.size--;
        this.stats.expired++;
      } else kept.push(k, g);
    }
    this.queue = kept;
    this.stats.groups = this.size;
  }

  /** Drops groups at the front whose state no longer matters at `now`; touched ones go to the back. */
  sweep(now: number, max: number): void {
    for (let n = 0; n < max; n++) {
      const f = this.front();
      if (!f) break;
      const [k, g] = f;
      if (g.lastTime + this.idleMs < now && g.blackoutUntil <= now) {
        this.queue.shift();
        this.table.remove(k, this.idx);
        this.size--;
        this.stats.expired++;
      } else if (g.lastTime > g.queuedAt) {
        this.queue.shift();
        g.queuedAt = g.lastTime;
        this.queue.push(k, g);
      } else break;
    }
    this.stats.groups = this.size;
  }
}

/** Runs scenarios over events in event-time order; see ScenarioEngineOptions. */
export class ScenarioEngine implements Detector {
  private readonly runners: ScenarioRunner[];
  private events = 0;

  constructor(scenarios: readonly Scenario[], options: ScenarioEngineOptions = {}) {
    const ips = options.allow?.ips?.length ? new CidrList(options.allow.ips) : undefined;
    const users = new Set(options.allow?.users ?? []);
    const tables = new Map<string, GroupTable>();
    this.runners = scenarios.map((s) => {
      const parts = s.groupBy.map((spec) => {
        const p = compileGroupPart(spec);
        if (typeof p === 'string') throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `group_by: ${p}`, { location: s.origin });
        return p;
      });
      const sig = parts.map((p) => p.spec).join('\u0000');
      let table = tables.get(sig);
      if (!table) tables.set(sig, (table = new GroupTable(parts)));
      return new ScenarioRunner(s, options, ips, users, table, table.width++);
    });
  }

  private readonly out: Alert[] = [];

  onEvent(event: LogEvent): readonly Alert[] {
    const stamp = ++this.events;
    const out = this.out;
    for (const r of this.runners) r.onEvent(event, out, stamp);
    if (out.length === 0) return NO_ALERTS;
    const alerts = out.slice();
    out.length = 0;
    return alerts;
  }

  advance(now: number): readonly Alert[] {
    for (const r of this.runners) r.expireAll(now);
    // No bucket fires on time alone: each fires on the event that fills it.
    return [];
  }

  stats(): EngineStats {
    const scenarios = this.runners.map((r) => ({ ...r.stats }));
    return {
      events: this.events,
      alerts: scenarios.reduce((n, s) => n + s.alerts, 0),
      evicted: scenarios.reduce((n, s) => n + s.evicted, 0),
      groups: scenarios.reduce((n, s) => n + s.groups, 0),
      scenarios,
    };
  }
}
