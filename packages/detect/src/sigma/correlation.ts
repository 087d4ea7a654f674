/**
 * Sigma correlation rules (`event_count`, `value_count`, `temporal`,
 * `temporal_ordered`) on event time, with bounded memory.
 *
 * Windows. A condition with only lower bounds (`gt`, `gte`) fires as soon as
 * the events of the last `timespan` satisfy it (a sliding window ending at each
 * event), then the group starts afresh. A condition with an upper bound (`lt`,
 * `lte`, `eq`, or a range) can only be judged once the window is over, so those
 * groups use a window that opens at the group's first event and is judged when
 * an event or `advance()` passes its end.
 *
 * Memory. At most `maxGroups` groups per correlation; past that the group idle
 * longest is dropped (and counted). A group's state is bounded by the
 * condition: a sliding count keeps at most its threshold of timestamps, a
 * sliding value count at most its threshold of values, an upper-bounded one at
 * most MAX_TRACKED. Groups whose window has passed are dropped as time moves.
 *
 * `temporal`: every referenced rule (or as many as the condition asks) matched
 * in the group within `timespan`. `temporal_ordered`: the rules matched in the
 * order written, the whole chain within `timespan` (one event never fills two
 * steps of a chain).
 */
import { createHash } from 'node:crypto';
import type { Alert, FieldValue, LogEvent } from '../model.js';
import { RuleError, type Matcher } from './modifiers.js';
import { isMap, LocatedRuleError, mitreOf, readMeta, severityOf, type CompiledRule, type RuleMeta } from './rule.js';
/** What a correlation reads of a match: an event's fields, or a lower correlation's alert (its group). */
export interface MatchSource {
  get(field: string): FieldValue | undefined;
  readonly event: LogEvent;
}

/** A lower correlation's alert as a match for the one above it: its group values, at its time. */
export function alertSource(a: Alert): MatchSource {
  const last = a.samples[a.samples.length - 1]!;
  const event: LogEvent = { ...last, time: a.time };
  return { get: (f) => a.group[f], event };
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';
const TYPES: readonly CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered'];
const OPS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;
type Op = (typeof OPS)[number];

export const MAX_TIMESPAN_MS = 30 * 86_400_000;
/** Values or timestamps one upper-bounded group keeps; a window holding more is judged as holding this many. */
export const MAX_TRACKED = 10_000;
const MAX_SAMPLES = 5;
const MAX_KEY_PART = 256;

export interface CorrelationDef extends RuleMeta {
  readonly type: CorrelationType;
  readonly rules: readonly string[];
  readonly groupBy: readonly string[];
  readonly timespanMs: number;
  readonly condition: Readonly<Partial<Record<Op, number>>>;
  readonly valueField?: string;
  readonly aliases: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly generate: boolean;
}

export function parseTimespan(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const m = /^(\d{1,6})([smhd])$/.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return n > 0 && n <= MAX_TIMESPAN_MS ? n : undefined;
}

/** Reads a correlation document's own shape; the rules it names are resolved later. */
export function readCorrelation(doc: Record<string, unknown>, file: string, line: number): CorrelationDef {
  const meta = readMeta(doc, file, line);
  const c = doc['correlation'];
  if (!isMap(c)) throw new LocatedRuleError('bad correlation', 'correlation must be a map', ['correlation']);
  const type = c['type'];
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
    throw new LocatedRuleError('unsupported correlation', `correlation type ${JSON.stringify(String(type).slice(0, 40))} is not one of ${TYPES.join(', ')}`, ['correlation', 'type']);
  }
  const rulesRaw = c['rules'];
  const rules = typeof rulesRaw === 'string' ? [rulesRaw] : rulesRaw;
  if (!Array.isArray(rules) || rules.length === 0 || rules.length > 64 || rules.some((r) => typeof r !== 'string')) {
    throw new LocatedRuleError('bad correlation', 'correlation rules must be a list of 1 to 64 rule names or ids', ['correlation', 'rules']);
  }
  const gbRaw = c['group-by'] ?? [];
  const groupBy = typeof gbRaw === 'string' ? [gbRaw] : gbRaw;
  if (!Array.isArray(groupBy) || groupBy.length > 16 || groupBy.some((g) => typeof g !== 'string')) {
    throw new LocatedRuleError('bad correlation', 'group-by must be a list of up to 16 field names', ['correlation', 'group-by']);
  }
  const timespanMs = parseTimespan(c['timespan']);
  if (timespanMs === undefined) {
    throw new LocatedRuleError('bad correlation', `timespan ${JSON.stringify(String(c['timespan']).slice(0, 40))} is not a number and s, m, h or d, at most 30d`, ['correlation', 'timespan']);
  }
  const condition: Partial<Record<Op, number>> = {};
  let valueField: string | undefined;
  const condRaw = c['condition'];
  if (condRaw !== undefined && condRaw !== null) {
    if (!isMap(condRaw)) throw new LocatedRuleError('bad correlation', 'the condition must be a map like { gte: 10 }', ['correlation', 'condition']);
    for (const [k, v] of Object.entries(condRaw)) {
      if (k === 'field') {
        if (typeof v !== 'string') throw new LocatedRuleError('bad correlation', 'condition field must be a field name', ['correlation', 'condition', k]);
        valueField = v;
      } else if ((OPS as readonly string[]).includes(k)) {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1_000_000) throw new LocatedRuleError('bad correlation', `condition ${k} must be a whole number from 0 to 1000000`, ['correlation', 'condition', k]);
        condition[k as Op] = v;
      } else throw new LocatedRuleError('unsupported correlation', `condition ${JSON.stringify(k.slice(0, 30))} is not one of ${OPS.join(', ')} or field`, ['correlation', 'condition', k]);
    }
  }
  if ((type === 'event_count' || type === 'value_count') && Object.keys(condition).length === 0) {
    throw new LocatedRuleError('bad correlation', `${type} needs a condition (gt, gte, lt, lte or eq)`, ['correlation', 'condition']);
  }
  if (type === 'value_count' && valueField === undefined) throw new LocatedRuleError('bad correlation', 'value_count needs condition field: the field whose distinct values are counted', ['correlation', 'condition']);
  if (type !== 'value_count' && valueField !== undefined) throw new LocatedRuleError('bad correlation', `condition field is only for value_count, not ${type}`, ['correlation', 'condition', 'field']);
  if (type === 'temporal_ordered' && Object.keys(condition).length > 0 && !(condition.gte === rules.length && Object.keys(condition).length === 1)) {
    throw new LocatedRuleError('unsupported correlation', 'temporal_ordered runs with every rule in order; a condition other than gte: <number of rules> is not supported', ['correlation', 'condition']);
  }
  const lowerBound = Math.max(condition.gt !== undefined ? condition.gt + 1 : 0, condition.gte ?? 0);
  if ((type === 'event_count' || type === 'value_count') && lowerBound > MAX_TRACKED) {
    throw new LocatedRuleError('correlation too large', `a threshold above ${MAX_TRACKED} events or values in one group is more than mamori keeps`, ['correlation', 'condition']);
  }
  const aliases: Record<string, Record<string, string>> = {};
  const aliasRaw = c['aliases'];
  if (aliasRaw !== undefined && aliasRaw !== null) {
    if (!isMap(aliasRaw)) throw new LocatedRuleError('bad correlation', 'aliases must be a map', ['correlation', 'aliases']);
    for (const [alias, m] of Object.entries(aliasRaw)) {
      if (!isMap(m) || Object.values(m).some((f) => typeof f !== 'string')) throw new LocatedRuleError('bad correlation', `alias ${alias} must map rule names to field names`, ['correlation', 'aliases', alias]);
      aliases[alias] = m as Record<string, string>;
    }
  }
  const generate = c['generate'] ?? doc['generate'] ?? false;
  if (typeof generate !== 'boolean') throw new LocatedRuleError('bad correlation', 'generate must be true or false', ['correlation', 'generate']);
  return {
    ...meta,
    type: type as CorrelationType,
    rules: rules as string[],
    groupBy: groupBy as string[],
    timespanMs,
    condition,
    ...(valueField !== undefined ? { valueField } : {}),
    aliases,
    generate,
  };
}

/**
 * A referenced rule as the correlation reads its events: which ECS fields hold
 * the group and the counted value. For a referenced correlation (a chain), the
 * names are those of its group-by, read from its alerts.
 */
export interface CorrelationRef {
  readonly rule: CompiledRule | Correlator;
  readonly groupFields: readonly string[];
  readonly valueField?: string;
}

/** Resolves group-by (through aliases) and the counted field to ECS names, per referenced rule. */
export function resolveRefs(def: CorrelationDef, rules: readonly (CompiledRule | Correlator)[], refNames: readonly string[]): CorrelationRef[] {
  return rules.map((ref, i) => {
    const rule = ref instanceof Correlator ? ref.def : ref;
    const field = (name: string, what: string): string => {
      const alias = def.aliases[name];
      let sigmaName = name;
      if (alias) {
        const forRule = alias[refNames[i]!] ?? (rule.name !== undefined ? alias[rule.name] : undefined) ?? (rule.id !== undefined ? alias[rule.id] : undefined);
        if (forRule === undefined) throw new LocatedRuleError('bad correlation', `alias ${name} says nothing for rule ${refNames[i]}`, ['correlation', 'aliases', name]);
        sigmaName = forRule;
      }
      const at = ref instanceof Correlator ? ref.def.groupBy.indexOf(sigmaName) : -1;
      const ecs = ref instanceof Correlator ? (at >= 0 ? ref.groupKeys[at] : undefined) : ref.resolveField(sigmaName);
      if (ecs === undefined && ref instanceof Correlator) {
        throw new LocatedRuleError('field with no mapping', `${what} ${JSON.stringify(sigmaName)} is not in the group-by of correlation ${refNames[i]}, which is all its alerts carry`, ['correlation', what]);
      }
      if (ecs === undefined) throw new LocatedRuleError('field with no mapping', `${what} ${JSON.stringify(sigmaName)} has no mapping for the log source of rule ${refNames[i]}`, ['correlation', what]);
      return ecs;
    };
    const groupFields = def.groupBy.map((g) => field(g, 'group-by'));
    return def.valueField !== undefined ? { rule: ref, groupFields, valueField: field(def.valueField, 'condition') } : { rule: ref, groupFields };
  });
}

function satisfies(cond: Readonly<Partial<Record<Op, number>>>, n: number): boolean {
  if (cond.gt !== undefined && !(n > cond.gt)) return false;
  if (cond.gte !== undefined && !(n >= cond.gte)) return false;
  if (cond.lt !== undefined && !(n < cond.lt)) return false;
  if (cond.lte !== undefined && !(n <= cond.lte)) return false;
  if (cond.eq !== undefined && n !== cond.eq) return false;
  return true;
}

interface Group {
  readonly key: string;
  readonly values: Record<string, FieldValue>;
  /** sliding event_count: times of matches in the window, oldest first. */
  times: number[];
  /** value_count: value → last time seen (insertion order = oldest first). */
  seen: Map<string, number>;
  /** temporal: per referenced rule, its last match time (temporal_ordered: the chain's start time at that step). */
  steps: number[];
  /** tumbling windows: start of the open window; events in it. */
  start: number;
  events: number;
  firstTime: number;
  lastTouch: number;
  samples: LogEvent[];
}

export interface CorrelatorStats {
  groups: number;
  evicted: number;
  /** Matches left out: a group-by field missing or empty, or an event time that is not a number. */
  skippedNoGroupField: number;
}

export class Correlator {
  readonly def: CorrelationDef;
  private readonly refs: readonly CorrelationRef[];
  private readonly groups = new Map<string, Group>();
  private readonly maxGroups: number;
  private readonly maxTracked: number;
  /** Timestamps and values held across all groups. */
  private tracked = 0;
  /** Lower bounds only: fire as soon as the condition holds. */
  private readonly sliding: boolean;
  private readonly need: number;
  readonly stats: CorrelatorStats = { groups: 0, evicted: 0, skippedNoGroupField: 0 };
  /** Correlations that reference this one (a chain), fed with its alerts. */
  readonly parents: { readonly c: Correlator; readonly ref: number }[] = [];
  /** False when a correlation above references it without `generate: true`: its alerts feed that one only. */
  visible = true;
  /**
   * The names of an alert's group values: the ECS field when every referenced
   * rule reads the group-by from the same one (`c-ip` → `source.ip`), else the
   * group-by name as written (an alias over different fields).
   */
  readonly groupKeys: readonly string[];

  constructor(def: CorrelationDef, refs: readonly CorrelationRef[], limits: { maxGroups: number; maxTracked: number }) {
    this.def = def;
    this.refs = refs;
    this.maxGroups = Math.max(1, limits.maxGroups);
    this.maxTracked = Math.max(1, limits.maxTracked);
    this.groupKeys = def.groupBy.map((g, i) => {
      const fields = refs.map((r) => r.groupFields[i]!);
      return fields.every((f) => f === fields[0]) ? fields[0]! : g;
    });
    const c = def.condition;
    const upper = c.lt !== undefined || c.lte !== undefined || c.eq !== undefined;
    this.sliding = def.type === 'temporal' || def.type === 'temporal_ordered' || !upper;
    // The count the condition needs, for temporal and sliding counts.
    const lower = Math.max(c.gt !== undefined ? c.gt + 1 : 0, c.gte ?? 0);
    this.need = def.type === 'temporal' || def.type === 'temporal_ordered' ? (Object.keys(c).length ? Math.max(1, lower) : refs.length) : Math.max(1, lower);
  }

  /** A referenced rule (index `ref`) matched this event. */
  onMatch(ref: number, view: MatchSource, out: Alert[]): void {
    const r = this.refs[ref]!;
    const t = view.event.time;
    // A time that is not a number cannot be placed in a window.
    if (!Number.isFinite(t)) {
      this.stats.skippedNoGroupField++;
      return;
    }
    const values: Record<string, FieldValue> = {};
    const keyParts: string[] = [];
    for (let i = 0; i < r.groupFields.length; i++) {
      const raw = view.get(r.groupFields[i]!);
      if (raw === undefined || raw === '') {
        this.stats.skippedNoGroupField++;
        return;
      }
      const v = typeof raw === 'string' && raw.length > MAX_KEY_PART ? raw.slice(0, MAX_KEY_PART) : raw;
      values[this.groupKeys[i]!] = v;
      keyParts.push(String(v));
    }
    const key = JSON.stringify(keyParts);
    this.evictIfFull(0);
    let g = this.groups.get(key);
    if (g && !this.sliding && t >= g.start + this.def.timespanMs) {
      this.close(g, out);
      g = undefined;
    }
    if (!g) g = this.open(key, values, t);
    else if (this.sliding) {
      // Keep the map in order of last activity, so the idle end is at the front.
      this.groups.delete(key);
      this.groups.set(key, g);
    }
    g.lastTouch = t;
    g.events++;
    if (g.samples.length < MAX_SAMPLES) g.samples.push(view.event);
    const span = this.def.timespanMs;
    switch (this.def.type) {
      case 'event_count':
        if (this.sliding) {
          g.times.push(t);
          this.tracked++;
          while (g.times.length > 0 && g.times[0]! <= t - span) {
            g.times.shift();
            this.tracked--;
          }
          if (g.times.length >= this.need) this.fire(g, g.times.length, g.times[0]!, view.event, out);
        }
        break;
      case 'value_count': {
        const raw = r.valueField !== undefined ? view.get(r.valueField) : undefined;
        if (raw === undefined || raw === '') break;
        const v = String(raw).slice(0, MAX_KEY_PART);
        if (g.seen.delete(v)) this.tracked--;
        if (g.seen.size < MAX_TRACKED) {
          g.seen.set(v, t);
          this.tracked++;
        }
        if (this.sliding) {
          for (const [val, when] of g.seen) {
            if (when > t - span) break;
            g.seen.delete(val);
            this.tracked--;
          }
          if (g.seen.size >= this.need) this.fire(g, g.events, g.seen.values().next().value ?? t, view.event, out);
        }
        break;
      }
      case 'temporal': {
        g.steps[ref] = t;
        let n = 0;
        let first = t;
        for (const s of g.steps) {
          if (s !== undefined && s > t - span) {
            n++;
            first = Math.min(first, s);
          }
        }
        const c = this.def.condition;
        if (Object.keys(c).length ? satisfies(c, n) && n >= this.need : n >= this.need) this.fire(g, g.events, first, view.event, out);
        break;
      }
      case 'temporal_ordered': {
        if (ref === 0) g.steps[0] = t;
        else {
          const prev = g.steps[ref - 1];
          if (prev !== undefined && prev > t - span) g.steps[ref] = prev;
        }
        const last = this.refs.length - 1;
        const start = g.steps[last];
        if (ref === last && start !== undefined && start > t - span) this.fire(g, g.events, start, view.event, out);
        break;
      }
    }
  }

  /** Several references matched one event: later steps first, so one event never fills two steps of an ordered chain. */
  onMatches(refs: readonly number[], view: MatchSource, out: Alert[]): void {
    for (let i = refs.length - 1; i >= 0; i--) this.onMatch(refs[i]!, view, out);
  }

  /** Time has reached `now`: judge windows that are over, drop groups that went idle. */
  sweep(now: number, out: Alert[]): void {
    const span = this.def.timespanMs;
    for (const [key, g] of this.groups) {
      if (this.sliding) {
        if (g.lastTouch > now - span) break;
        this.drop(g);
      } else {
        if (g.start + span > now) break;
        this.close(g, out);
      }
    }
    this.stats.groups = this.groups.size;
  }

  get size(): number {
    return this.groups.size;
  }

  /** Drops the groups idle longest while the correlation holds too many groups or timestamps and values. */
  private evictIfFull(extra: number): void {
    while (this.groups.size > 0 && (this.groups.size + extra > this.maxGroups || this.tracked > this.maxTracked)) {
      const oldest = this.groups.values().next().value!;
      this.drop(oldest);
      this.stats.evicted++;
    }
  }

  private open(key: string, values: Record<string, FieldValue>, t: number): Group {
    this.evictIfFull(1);
    const g: Group = { key, values, times: [], seen: new Map(), steps: [], start: t, events: 0, firstTime: t, lastTouch: t, samples: [] };
    this.groups.set(key, g);
    this.stats.groups = this.groups.size;
    return g;
  }

  /** The end of an upper-bounded window: judge it, and drop the group. */
  private close(g: Group, out: Alert[]): void {
    this.drop(g);
    const n = this.def.type === 'value_count' ? g.seen.size : g.events;
    if (satisfies(this.def.condition, n)) this.emit(g, g.events, g.firstTime, g.samples[g.samples.length - 1]!.time, out);
  }

  private fire(g: Group, n: number, firstTime: number, event: LogEvent, out: Alert[]): void {
    this.drop(g);
    this.emit(g, n, firstTime, event.time, out);
  }

  private drop(g: Group): void {
    this.groups.delete(g.key);
    this.tracked -= g.times.length + g.seen.size;
  }

  private emit(g: Group, count: number, firstTime: number, time: number, out: Alert[]): void {
    const d = this.def;
    const detector = d.id ?? d.name ?? d.title;
    const metaOf = (r: CorrelationRef) => (r.rule instanceof Correlator ? r.rule.def : r.rule);
    const level = d.level ?? highestLevel(this.refs.map((r) => metaOf(r).level));
    const mitre = mitreOf(d.tags.length ? d.tags : this.refs.flatMap((r) => metaOf(r).tags));
    const alert: Alert = {
      id: alertId(detector, g.key, firstTime),
      detector,
      kind: 'sigma',
      title: d.title,
      severity: severityOf(level),
      time,
      group: g.values,
      count,
      firstTime,
      samples: g.samples,
      ...(mitre.length ? { mitre } : {}),
    };
    if (this.visible) out.push(alert);
    // Later references first, as for one event matching several rules of an ordered chain.
    for (let i = this.parents.length - 1; i >= 0; i--) this.parents[i]!.c.onMatch(this.parents[i]!.ref, alertSource(alert), out);
  }
}

function highestLevel(levels: readonly (CompiledRule['level'] | undefined)[]): CompiledRule['level'] {
  const order = ['informational', 'low', 'medium', 'high', 'critical'] as const;
  let best = -1;
  for (const l of levels) if (l !== undefined) best = Math.max(best, order.indexOf(l));
  return best < 0 ? undefined : order[best];
}

export function alertId(detector: string, groupKey: string, firstTime: number): string {
  return createHash('sha256').update(`${detector}\u0000${groupKey}\u0000${firstTime}`).digest('hex').slice(0, 32);
}

export { RuleError, type Matcher };
