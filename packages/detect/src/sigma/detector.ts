/**
 * The Sigma detector: the compiled rules and correlations of one load, run on
 * events. Built by loadSigmaRules / compileSigmaRules (engine.ts).
 *
 * Per event: only the rules whose log source reads the event's `event.dataset`
 * run, and of those only the ones that always run plus the ones a literal found
 * in the event switched on; field values are lower-cased once per event.
 */
import type { Alert, Detector, LogEvent } from '../model.js';
import { alertId, type Correlator, type CorrelatorStats } from './correlation.js';
import { LiteralIndex, type FieldAutomaton } from './literals.js';
import { mitreOf, severityOf, type CompiledRule } from './rule.js';
import { EventView } from './view.js';
import type { SigmaOptions } from './engine.js';

export interface SigmaStats {
  events: number;
  matches: number;
  alerts: number;
  suppressed: number;
  /** Rule evaluations that threw (a bug); the event goes on to the other rules. */
  errors: number;
  readonly correlations: Record<string, CorrelatorStats>;
}

interface RuleRuntime {
  readonly rule: CompiledRule;
  readonly detector: string;
  readonly alerts: boolean;
  readonly mitre: readonly string[];
  /** Correlations this rule feeds, with its index among each one's rules (a rule may be named twice). */
  readonly feeds: readonly { readonly c: Correlator; readonly ref: number }[];
}

const SWEEP_EVERY_MS = 1000;
const MAX_EPOCH = 0x7fff_fff0;

/** What an alert names as its detector: the rule's id, else its name, else its title. */
export function detectorId(m: { id?: string; name?: string; title: string }): string {
  return m.id ?? m.name ?? m.title;
}

/**
 * The rules of one dataset, and which of them the literals found in an event
 * switch on: a rule with a requirement (modifiers.ts `req`) runs only when one of
 * its literals occurs; the others always run.
 */
interface DatasetPlan {
  readonly rules: RuleRuntime[];
  readonly always: boolean[];
  /** Positions of the rules that always run, in order. */
  readonly alwaysAt: number[];
  readonly triggers: Map<FieldAutomaton, Map<number, number[]>>;
}

export class SigmaDetector implements Detector {
  private readonly byDataset = new Map<string, DatasetPlan>();
  /** Per rule position in a plan: the event (count) that switched it on. */
  private enabled = new Int32Array(0);
  private epoch = 0;
  private readonly runtimes = new Map<CompiledRule, RuleRuntime>();
  private readonly correlators: readonly Correlator[];
  private readonly blackoutMs: number;
  private readonly maxBlackouts: number;
  private readonly blackouts = new Map<string, number>();
  private watermark = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  readonly stats: SigmaStats = { events: 0, matches: 0, alerts: 0, suppressed: 0, errors: 0, correlations: {} };

  constructor(rules: readonly CompiledRule[], correlators: readonly { c: Correlator; rules: readonly CompiledRule[] }[], options: SigmaOptions = {}, index = new LiteralIndex()) {
    this.correlators = correlators.map((x) => x.c);
    this.blackoutMs = Math.max(0, options.blackoutMs ?? 60_000);
    this.maxBlackouts = Math.max(1, options.maxBlackouts ?? 100_000);
    for (const r of rules) {
      const feeds: { c: Correlator; ref: number }[] = [];
      let referenced = false;
      let generate = false;
      for (const { c, rules: rs } of correlators) {
        rs.forEach((x, i) => {
          if (x !== r) return;
          feeds.push({ c, ref: i });
          referenced = true;
          generate ||= c.def.generate;
        });
      }
      const informational = r.level === 'informational' && !options.alertInformational;
      const rt: RuleRuntime = { rule: r, detector: detectorId(r), alerts: (!referenced || generate) && !informational, mitre: mitreOf(r.tags), feeds };
      this.runtimes.set(r, rt);
      for (const ds of r.entry.datasets) {
        let plan = this.byDataset.get(ds);
        if (!plan) this.byDataset.set(ds, (plan = { rules: [], always: [], alwaysAt: [], triggers: new Map() }));
        const pos = plan.rules.length;
        plan.rules.push(rt);
        const req = options.prefilter === false ? undefined : r.match.req;
        plan.always.push(req === undefined);
        if (req === undefined) plan.alwaysAt.push(pos);
        for (const { field, lit } of req ?? []) {
          const { auto, id } = index.require(field, lit);
          let byId = plan.triggers.get(auto);
          if (!byId) plan.triggers.set(auto, (byId = new Map()));
          const list = byId.get(id);
          if (list) {
            if (list[list.length - 1] !== pos) list.push(pos);
          } else byId.set(id, [pos]);
        }
      }
    }
    index.freeze();
    this.enabled = new Int32Array(Math.max(0, ...[...this.byDataset.values()].map((p) => p.rules.length)));
    for (const c of this.correlators) this.stats.correlations[detectorId(c.def)] = c.stats;
  }

  /** Whether a loaded rule raises alerts of its own. */
  alertsOf(rule: CompiledRule): boolean {
    return this.runtimes.get(rule)?.alerts ?? false;
  }

  /** The datasets some rule reads; events of other datasets cost one map look-up. */
  get datasets(): readonly string[] {
    return [...this.byDataset.keys()];
  }

  onEvent(event: LogEvent): readonly Alert[] {
    this.stats.events++;
    const out: Alert[] = [];
    const ds = event.fields['event.dataset'];
    const plan = typeof ds === 'string' ? this.byDataset.get(ds) : undefined;
    if (plan) {
      const view = new EventView(event);
      // Stamps live in an Int32Array: start the count again before it would overflow.
      if (this.epoch >= MAX_EPOCH) {
        this.enabled.fill(0);
        this.epoch = 0;
      }
      const epoch = ++this.epoch;
      const enabled = this.enabled;
      // The rules to run, in their load order: those that always run, and those a found literal switched on.
      let run: number[] = plan.alwaysAt;
      let switched: number[] | undefined;
      for (const [auto, byId] of plan.triggers) {
        for (const id of auto.found(view)) {
          const positions = byId.get(id);
          if (positions) {
            for (const p of positions) {
              if (enabled[p] === epoch) continue;
              enabled[p] = epoch;
              (switched ??= []).push(p);
            }
          }
        }
      }
      if (switched) run = [...plan.alwaysAt, ...switched].sort((a, b) => a - b);
      let fed: Map<Correlator, number[]> | undefined;
      const list = plan.rules;
      for (let k = 0; k < run.length; k++) {
        const rt = list[run[k]!]!;
        let hit: boolean;
        try {
          hit = rt.rule.match(view);
        } catch {
          this.stats.errors++;
          continue;
        }
        if (!hit) continue;
        this.stats.matches++;
        if (rt.alerts) this.alertFor(rt, event, out);
        for (const f of rt.feeds) {
          fed ??= new Map();
          const refs = fed.get(f.c);
          if (refs) refs.push(f.ref);
          else fed.set(f.c, [f.ref]);
        }
      }
      if (fed) for (const [c, refs] of fed) c.onMatches(refs.sort((a, b) => a - b), view, out);
    }
    if (Number.isFinite(event.time) && event.time > this.watermark) this.watermark = event.time;
    if (this.watermark - this.lastSweep >= SWEEP_EVERY_MS) this.sweep(this.watermark, out);
    this.stats.alerts += out.length;
    return out;
  }

  advance(now: number): readonly Alert[] {
    const out: Alert[] = [];
    if (now > this.watermark) this.watermark = now;
    this.sweep(this.watermark, out);
    this.stats.alerts += out.length;
    return out;
  }

  private sweep(now: number, out: Alert[]): void {
    this.lastSweep = now;
    for (const c of this.correlators) c.sweep(now, out);
  }

  private alertFor(rt: RuleRuntime, event: LogEvent, out: Alert[]): void {
    const ip = event.fields['source.ip'];
    const groupKey = ip === undefined ? '' : String(ip);
    if (this.blackoutMs > 0) {
      const key = `${rt.detector}\u0000${groupKey}`;
      const until = this.blackouts.get(key);
      if (until !== undefined && until > event.time) {
        this.stats.suppressed++;
        return;
      }
      this.blackouts.delete(key);
      this.blackouts.set(key, event.time + this.blackoutMs);
      if (this.blackouts.size > this.maxBlackouts) this.blackouts.delete(this.blackouts.keys().next().value!);
    }
    out.push({
      id: alertId(rt.detector, groupKey, event.time),
      detector: rt.detector,
      kind: 'sigma',
      title: rt.rule.title,
      severity: severityOf(rt.rule.level),
      time: event.time,
      group: ip === undefined ? {} : { 'source.ip': ip },
      count: 1,
      firstTime: event.time,
      samples: [event],
      ...(rt.mitre.length ? { mitre: rt.mitre } : {}),
    });
  }
}
