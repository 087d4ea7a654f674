/**
 * One request (and its response) through the compiled rules: phases 1 to 5 in order, each
 * rule's targets resolved, transformed and tested, chains, skips and markers followed, actions
 * run (each link's for each value it matches), and the first disruptive action that fires (with the engine On) ending the transaction.
 */
import { Collection, scalar } from './collections.js';
import type { MacroScope } from './macros.js';
import type { StepBudget } from '../regex.js';
import type { CompiledRule, Disruptive, Phase, Target } from './rule.js';
import { applyLimit, type BodyLimits } from './limits.js';
import { bodyVariables, headerVariables, type ArgumentLimits, type BodyProcessor, type RequestVariables } from './request-variables.js';
import type { WafRequest } from '../request/request.js';

export type EngineMode = 'On' | 'DetectionOnly' | 'Off';

/** What SecRuleEngine, SecRequestBodyAccess, SecDefaultAction and the limits configure. */
export interface EnginePolicy {
  readonly mode: EngineMode;
  readonly requestBodyAccess: boolean;
  readonly responseBodyAccess: boolean;
  readonly responseBodyMimeTypes: readonly string[];
  readonly limits: ArgumentLimits;
  /** SecRequestBodyLimit, SecResponseBodyLimit and their kin (limits.ts). */
  readonly bodyLimits: BodyLimits;
  /** What `block` means in each phase (SecDefaultAction): pass, or deny with a status. */
  readonly blockAction: Readonly<Record<Phase, { action: 'pass' | 'deny' | 'drop'; status: number }>>;
}

export interface CompiledRules {
  readonly policy: EnginePolicy;
  /** The rules of each phase, in order, markers included (index 0 unused). */
  readonly phases: readonly (readonly CompiledRule[])[];
  /** For each phase, the index of each marker. */
  readonly markers: readonly ReadonlyMap<string, number>[];
}

export interface MatchedRule {
  readonly id: number;
  readonly phase: Phase;
  readonly msg: string;
  readonly logData: string;
  readonly severity: string | undefined;
  readonly tags: readonly string[];
  /** The last target that matched: its name (`ARGS:q`) and value. */
  readonly matchedName: string;
  readonly matchedValue: string;
  readonly logged: boolean;
}

export interface Interruption {
  /** The rule that refused; 0 when the engine itself did (a body over its limit). */
  readonly ruleId: number;
  readonly action: 'deny' | 'drop' | 'redirect';
  readonly status: number;
  readonly location?: string;
  /** Why the engine itself refused (ruleId 0). */
  readonly reason?: string;
}

interface Value {
  readonly name: string;
  readonly value: string;
}

/** A runtime exclusion (ctl:ruleRemoveTargetById / ByTag): a target taken out of some rules. */
interface RemovedTarget {
  readonly ids?: readonly [number, number];
  readonly tag?: string;
  readonly collection: string;
  readonly key: string | undefined;
}

const MAX_CAPTURES = 10;
/** Transformed values kept per chain of transformations (a request has at most SecArgumentsLimit arguments). */
const TRANSFORM_CACHE_MAX = 20_000;
const NONE: readonly never[] = [];
/** Each link's list of targets as one key, when they all select request data (see STABLE). */
const TARGET_SIGNATURES = new WeakMap<CompiledRule, string | null>();
function targetSignature(link: CompiledRule): string | undefined {
  let sig = TARGET_SIGNATURES.get(link);
  if (sig === undefined) {
    sig = link.targets.every((t) => !t.count && STABLE.has(t.collection))
      ? link.targets.map((t) => `${t.exclude ? '!' : ''}${t.collection}:${t.key === undefined ? '' : typeof t.key === 'string' ? t.key : `/${t.key.source}/`}`).join('|')
      : null;
    TARGET_SIGNATURES.set(link, sig);
  }
  return sig ?? undefined;
}
/** The chain key of each compiled link's transformations. */
const CHAIN_KEYS = new WeakMap<CompiledRule, string>();
/**
 * Collections of request data: set before the phase that reads them and never changed by
 * rules, so what a target selects from them can be built once a phase.
 */
const STABLE = new Set([
  'ARGS', 'ARGS_GET', 'ARGS_POST', 'ARGS_NAMES', 'ARGS_GET_NAMES', 'ARGS_POST_NAMES',
  'REQUEST_COOKIES', 'REQUEST_COOKIES_NAMES', 'REQUEST_HEADERS', 'REQUEST_HEADERS_NAMES',
  'FILES', 'FILES_NAMES', 'FILES_TMP_CONTENT', 'MULTIPART_PART_HEADERS', 'XML',
  'REQUEST_URI', 'REQUEST_URI_RAW', 'REQUEST_FILENAME', 'REQUEST_BASENAME', 'REQUEST_LINE', 'QUERY_STRING', 'REQUEST_BODY', 'REQUEST_METHOD', 'REQUEST_PROTOCOL',
]);

/**
 * Backtracking steps one transaction's regexes may take in all (a few tens of ms
 * of CPU at worst); each call also has its own allowance (regex.ts).
 */
const TRANSACTION_REGEX_STEPS = 2_000_000;

export class Transaction implements MacroScope {
  readonly rules: CompiledRules;
  readonly request: WafRequest;
  readonly vars: RequestVariables;
  readonly matched: MatchedRule[] = [];
  interruption: Interruption | undefined;
  /** Set by ctl:requestBodyProcessor in phase 1. */
  bodyProcessor: BodyProcessor | undefined;
  mode: EngineMode;
  requestBodyAccess: boolean;
  /** SecRequestBodyLimit and SecResponseBodyLimit, as ctl:requestBodyLimit / ctl:responseBodyLimit may change them. */
  bodyLimits: BodyLimits;
  readonly env = new Map<string, string>();
  /** Backtracking steps left for this transaction's regexes (a few CRS 3 and user patterns need them). */
  readonly regexSteps: StepBudget = { left: TRANSACTION_REGEX_STEPS };
  readonly #removedIds: [number, number][] = [];
  readonly #removedTags: string[] = [];
  readonly #removedTargets: RemovedTarget[] = [];
  #allowed: 'none' | 'phase' | 'request' | 'all' = 'none';
  #matchedVar: Value | undefined;
  #matchedVars: Collection | undefined;
  #matchedNames: Collection | undefined;
  /** The last operator's captures (set by #check). */
  #captures: readonly string[] | undefined;
  /** Transformed values, by chain of transformations, for the whole transaction. */
  readonly #transformed = new Map<string, Map<string, string>>();
  /** Target values of request data, by target, for the current phase. */
  readonly #targets = new Map<string, readonly Value[]>();
  #rule: CompiledRule | undefined;
  #phaseDone = 0;

  constructor(rules: CompiledRules, request: WafRequest, uniqueId: string) {
    this.rules = rules;
    this.request = request;
    this.mode = rules.policy.mode;
    this.requestBodyAccess = rules.policy.requestBodyAccess;
    this.bodyLimits = rules.policy.bodyLimits;
    this.vars = headerVariables(request, uniqueId, rules.policy.limits);
    this.bodyProcessor = (this.vars.get('REQBODY_PROCESSOR')?.entries[0]?.value || undefined) as BodyProcessor | undefined;
  }

  get tx(): Collection {
    return this.vars.ensure('TX');
  }

  /** Phase 1: request line and headers. */
  processRequestHeaders(): Interruption | undefined {
    return this.#phase(1);
  }

  /**
   * Phase 2: the body, read by the body processor (when body access is on) within the body
   * limits, then its rules. A body over SecRequestBodyLimit (or SecRequestBodyNoFilesLimit)
   * with SecRequestBodyLimitAction Reject and the engine On is refused with 413 before any
   * rule runs; otherwise its first bytes up to the limit are read (limits.ts).
   */
  processRequestBody(): Interruption | undefined {
    if (this.interruption) return this.interruption;
    if (this.#phaseDone >= 2) return undefined;
    if (this.requestBodyAccess && this.mode !== 'Off') {
      const refused = this.#readBody(this.request.body?.toString('latin1') ?? '');
      if (refused) return refused;
    }
    return this.#phase(2);
  }

  #readBody(body: string): Interruption | undefined {
    const l = this.bodyLimits;
    // A body that is not multipart holds no files: the smaller limit is the one that counts.
    const multipart = this.bodyProcessor === 'MULTIPART';
    const noFiles = !multipart && l.requestBodyNoFiles < l.requestBody;
    let v = applyLimit(body, noFiles ? l.requestBodyNoFiles : l.requestBody, l.requestBodyAction, this.mode, 413, noFiles ? 'Request body no files data length' : 'Request body');
    if (v.refuse) return this.#refuse(v.refuse, v.message!);
    bodyVariables(this.vars, this.request, this.bodyProcessor, this.rules.policy.limits, v.read);
    if (multipart && !v.over) {
      // The body less the files' content, against SecRequestBodyNoFilesLimit.
      const files = Number(this.vars.get('FILES_COMBINED_SIZE')?.entries[0]?.value ?? '0') || 0;
      const n = applyLimit(v.read, l.requestBodyNoFiles + files, l.requestBodyAction, this.mode, 413, 'Request body no files data length');
      if (n.refuse) return this.#refuse(n.refuse, n.message!.replace(/\(\d+\)$/, `(${l.requestBodyNoFiles})`));
      if (n.over) v = { ...n, read: v.read };
    }
    this.vars.set(scalar('REQUEST_BODY_LENGTH', String(body.length)));
    this.vars.set(scalar('INBOUND_DATA_ERROR', v.over ? '1' : '0'));
    // In DetectionOnly a Reject limit refuses nothing: a rule on REQBODY_ERROR still sees it.
    if (v.over && l.requestBodyAction === 'Reject' && this.vars.get('REQBODY_ERROR')?.entries[0]?.value !== '1') {
      this.vars.set(scalar('REQBODY_ERROR', '1'));
      this.vars.set(scalar('REQBODY_PROCESSOR_ERROR', '1'));
      this.vars.set(scalar('REQBODY_ERROR_MSG', v.message!));
    }
    return undefined;
  }

  /** The engine refuses by itself (a limit): no rule, ruleId 0. */
  #refuse(status: number, reason: string): Interruption {
    this.interruption = { ruleId: 0, action: 'deny', status, reason };
    return this.interruption;
  }

  /** Phase 3: the response's status and headers. */
  processResponseHeaders(status: number, protocol: string, headers: readonly (readonly [string, string])[]): Interruption | undefined {
    if (this.interruption) return this.interruption;
    this.vars.set(scalar('RESPONSE_STATUS', String(status)));
    this.vars.set(scalar('RESPONSE_PROTOCOL', protocol));
    this.vars.set(new Collection('RESPONSE_HEADERS', headers));
    this.vars.set(new Collection('RESPONSE_HEADERS_NAMES', headers.map(([n]) => [n, n] as const)));
    const ct = headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1];
    this.vars.set(scalar('RESPONSE_CONTENT_TYPE', ct));
    return this.#phase(3);
  }

  /** Whether phase 4 reads the response body (SecResponseBodyAccess and its MIME types). */
  wantsResponseBody(): boolean {
    if (!this.rules.policy.responseBodyAccess || this.interruption) return false;
    const ct = (this.vars.get('RESPONSE_CONTENT_TYPE')?.entries[0]?.value ?? '').split(';')[0]!.trim().toLowerCase();
    return this.rules.policy.responseBodyMimeTypes.includes(ct);
  }

  /** The most response body bytes phase 4 reads (SecResponseBodyLimit), for a caller that buffers it. */
  get responseBodyLimit(): number {
    return this.bodyLimits.responseBody;
  }

  /**
   * Phase 4: the response body (a byte string). Over SecResponseBodyLimit, Reject (engine On)
   * refuses with 500; otherwise its first bytes up to the limit are read.
   */
  processResponseBody(body: string | undefined): Interruption | undefined {
    if (this.interruption) return this.interruption;
    if (body !== undefined && this.mode !== 'Off' && this.#phaseDone < 4) {
      const l = this.bodyLimits;
      const v = applyLimit(body, l.responseBody, l.responseBodyAction, this.mode, 500, 'Response body');
      this.vars.set(scalar('OUTBOUND_DATA_ERROR', v.over ? '1' : '0'));
      if (v.refuse) return this.#refuse(v.refuse, v.message!);
      this.vars.set(scalar('RESPONSE_BODY', v.read));
    }
    return this.#phase(4);
  }

  /** Phase 5: logging rules; never interrupts. */
  processLogging(): void {
    const saved = this.interruption;
    this.#phase(5);
    this.interruption = saved;
  }

  // ---------------------------------------------------------------------------------------
  // MacroScope
  // ---------------------------------------------------------------------------------------

  fillCollection(name: string, fields: Readonly<Record<string, string>>): void {
    this.vars.set(new Collection(name.toUpperCase(), Object.entries(fields)));
  }

  lookup(name: string, key: string | undefined): string | undefined {
    switch (name) {
      case 'MATCHED_VAR':
        return this.#matchedVar?.value;
      case 'MATCHED_VAR_NAME':
        return this.#matchedVar?.name;
      case 'RULE': {
        const r = this.#rule;
        const k = key?.toLowerCase();
        if (!r || !k) return undefined;
        if (k === 'id') return String(r.id);
        if (k === 'msg') return r.msg?.expand(this);
        if (k === 'logdata') return r.logData?.expand(this);
        if (k === 'severity') return r.severity;
        return undefined;
      }
      case 'ENV':
        return key === undefined ? undefined : this.env.get(key);
      default: {
        const c = this.vars.get(name);
        if (!c) return undefined;
        return key === undefined ? c.entries[0]?.value : c.get(key)[0]?.value;
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Phases
  // ---------------------------------------------------------------------------------------

  #phase(phase: Phase): Interruption | undefined {
    if (this.interruption) return this.interruption;
    if (phase <= this.#phaseDone) return undefined;
    this.#phaseDone = phase;
    if (this.mode === 'Off') return undefined;
    if (this.#allowed === 'all' || (this.#allowed === 'request' && phase <= 2)) return undefined;
    if (this.#allowed === 'phase') this.#allowed = 'none';
    // The body is read at the start of phase 2: what targets select is built again.
    this.#targets.clear();
    const rules = this.rules.phases[phase] ?? [];
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r.marker !== undefined || this.#removed(r)) continue;
      const flow = this.#evaluate(r, phase);
      if (this.interruption) return this.interruption;
      if (this.#allowed !== 'none') break;
      if (flow === undefined) continue;
      if (typeof flow === 'number') {
        // skip:N counts rules (a chain is one), markers not.
        let left = flow;
        while (left > 0 && i + 1 < rules.length) {
          i++;
          if (rules[i]!.marker === undefined) left--;
        }
      } else {
        const at = this.rules.markers[phase]?.get(flow);
        // An unknown marker skips the rest of the phase, as in ModSecurity.
        i = at ?? rules.length;
      }
    }
    this.#endPhase();
    return undefined;
  }

  /** allow:phase lasts to the end of its phase. */
  #endPhase(): void {
    if (this.#allowed === 'phase') this.#allowed = 'none';
  }

  #removed(r: CompiledRule): boolean {
    for (const [a, b] of this.#removedIds) if (r.id >= a && r.id <= b) return true;
    for (const t of this.#removedTags) if (r.tags.includes(t)) return true;
    return false;
  }

  /** Evaluates a rule (and its chain): undefined, or where to go next (skip count or marker). */
  #evaluate(rule: CompiledRule, phase: Phase): number | string | undefined {
    this.#rule = rule;
    let last: Value | undefined;
    for (let link: CompiledRule | undefined = rule; link; link = link.chain) {
      const m = this.#test(link, rule);
      if (!m) return undefined;
      last = m;
    }
    // The whole chain matched: the starter's flow and disruption.
    const msg = rule.msg?.expand(this) ?? '';
    const logData = rule.logData?.expand(this) ?? '';
    this.matched.push({
      id: rule.id,
      phase,
      msg,
      logData,
      severity: rule.severity,
      tags: rule.tags,
      matchedName: last?.name ?? '',
      matchedValue: last?.value ?? '',
      logged: rule.log,
    });
    this.#disrupt(rule, phase);
    if (rule.skipAfter !== undefined) return rule.skipAfter;
    if (rule.skip > 0) return rule.skip;
    return undefined;
  }

  /** Tests one link: the last match (its name and value), or undefined when nothing matched. */
  #test(link: CompiledRule, starter: CompiledRule): Value | undefined {
    if (link.targets.length === 0 || !link.operator) {
      // SecAction, or a rule with no operator: matches unconditionally.
      this.#actions(link);
      return { name: '', value: '' };
    }
    const values = this.#values(link, starter);
    const matchedVars = (this.#matchedVars ??= this.vars.ensure('MATCHED_VARS'));
    const matchedNames = (this.#matchedNames ??= this.vars.ensure('MATCHED_VARS_NAMES'));
    if (matchedVars.entries.length) matchedVars.clear();
    if (matchedNames.entries.length) matchedNames.clear();
    let last: Value | undefined;
    const op = link.operator;
    // The same value goes through the same transformations for many rules: each result is kept
    // for the transaction (not with multiMatch, which tests every step).
    const cache = !link.multiMatch && link.transformations.length > 0 ? this.#transformCache(link) : undefined;
    for (const v of values) {
      let hit = false;
      this.#captures = undefined;
      let value = v.value;
      if (cache) {
        const known = cache.get(value);
        if (known !== undefined) value = known;
        else {
          for (const t of link.transformations) value = t(value);
          if (cache.size < TRANSFORM_CACHE_MAX) cache.set(v.value, value);
        }
        hit = this.#check(op, link, value);
      } else {
        if (link.multiMatch && this.#check(op, link, value)) hit = true;
        for (const t of link.transformations) {
          const before = value;
          value = t(value);
          // (A step that changed nothing gives the operator the value it has just seen.)
          if (link.multiMatch && !hit && value !== before && this.#check(op, link, value)) hit = true;
        }
        if (!link.multiMatch) hit = this.#check(op, link, value);
      }
      if (!hit) continue;
      const captures = this.#captures as readonly string[] | undefined;
      last = { name: v.name, value };
      this.#matchedVar = last;
      matchedVars.add(v.name, value);
      matchedNames.add(v.name, v.name);
      if (link.capture && captures) {
        for (let k = 0; k < MAX_CAPTURES; k++) {
          if (k < captures.length && captures[k] !== undefined) this.tx.set(String(k), captures[k]!);
        }
      }
      // A link's non-disruptive actions run for each value it matches, as ModSecurity runs them,
      // with that value's MATCHED_VAR and captures: CRS's 920450 records each restricted header
      // under its own name, and a next link may read what they set (920440's tx.extension).
      // They stand even when a later link does not match.
      this.#actions(link);
    }
    return last;
  }

  /**
   * Tests one value with a link's operator; its captures are left in #captures.
   * A regex that ran out of backtracking steps did not match, as in PCRE past
   * its match limit, and sets TX:MSC_PCRE_LIMITS_EXCEEDED as ModSecurity does
   * (mamori's setup refuses such a request at the end of phases 2 and 4).
   */
  #check(op: NonNullable<CompiledRule['operator']>, link: CompiledRule, value: string): boolean {
    const overruns = this.regexSteps.overruns;
    const r = op.test(value, this, link.capture);
    const matched = r !== undefined && r !== false;
    if (this.regexSteps.overruns !== overruns) this.tx.set('MSC_PCRE_LIMITS_EXCEEDED', '1');
    if (matched !== op.negated) {
      if (Array.isArray(r)) this.#captures = r;
      return true;
    }
    return false;
  }

  /** The transaction's transformed values for a link's chain of transformations. */
  #transformCache(link: CompiledRule): Map<string, string> {
    let key = CHAIN_KEYS.get(link);
    if (key === undefined) {
      key = link.transformationNames.join('\u0000');
      CHAIN_KEYS.set(link, key);
    }
    let m = this.#transformed.get(key);
    if (!m) {
      m = new Map();
      this.#transformed.set(key, m);
    }
    return m;
  }

  /** A rule's target values: its targets' entries, less its exclusions and those removed at run time. */
  #values(link: CompiledRule, starter: CompiledRule): readonly Value[] {
    const removed = this.#removedTargets.length ? this.#removedTargets.filter((t) => (t.ids ? starter.id >= t.ids[0] && starter.id <= t.ids[1] : t.tag !== undefined && starter.tags.includes(t.tag))) : NONE;
    const excluded = link.targets.some((t) => t.exclude) ? link.targets.filter((t) => t.exclude) : NONE;
    // Targets of request data only, nothing taken out at run time: the same list of targets
    // (CRS writes a few lists on hundreds of rules) is resolved once a phase.
    if (removed.length === 0) {
      const sig = targetSignature(link);
      if (sig !== undefined) {
        let vs = this.#targets.get(sig);
        if (!vs) {
          vs = this.#resolve(link, excluded);
          this.#targets.set(sig, vs);
        }
        return vs;
      }
    }
    return this.#resolve(link, excluded, removed);
  }

  /** What a link's targets select, less its exclusions and the targets removed from it. */
  #resolve(link: CompiledRule, excluded: readonly Target[], removed: readonly RemovedTarget[] = NONE): Value[] {
    const out: Value[] = [];
    for (const t of link.targets) {
      if (t.exclude) continue;
      if (!t.count && removed.length === 0 && STABLE.has(t.collection)) {
        const all = this.#targetValues(t);
        if (excluded.length === 0) {
          for (const v of all) out.push(v);
          continue;
        }
        for (const v of all) {
          const key = v.name.length > t.collection.length ? v.name.slice(t.collection.length + 1) : '';
          if (!excluded.some((x) => x.collection === t.collection && keyMatches(x, key))) out.push(v);
        }
        continue;
      }
      const c = this.#collection(t.collection);
      const entries = c ? select(c, t) : [];
      if (t.count) {
        out.push({ name: `&${t.collection}${typeof t.key === 'string' ? `:${t.key}` : ''}`, value: String(entries.length) });
        continue;
      }
      for (const e of entries) {
        if (excluded.some((x) => x.collection === t.collection && keyMatches(x, e.key))) continue;
        if (removed.some((x) => x.collection === t.collection && (x.key === undefined || x.key === e.key.toLowerCase()))) continue;
        out.push({ name: e.key === '' ? t.collection : `${t.collection}:${e.key}`, value: e.value });
      }
    }
    return out;
  }

  /** The values a target of request data selects, named, built once a phase. */
  #targetValues(t: Target): readonly Value[] {
    const key = t.key === undefined ? t.collection : typeof t.key === 'string' ? `${t.collection}:${t.key}` : `${t.collection}:/${t.key.source}/`;
    let vs = this.#targets.get(key);
    if (vs) return vs;
    const c = this.vars.get(t.collection);
    const entries = c ? select(c, t) : [];
    vs = entries.map((e) => ({ name: e.key === '' ? t.collection : `${t.collection}:${e.key}`, value: e.value }));
    this.#targets.set(key, vs);
    return vs;
  }

  /**
   * A collection by name; MATCHED_VAR and MATCHED_VAR_NAME are the last match's, so that a
   * chain's next link can test them (CRS's 932207 tests MATCHED_VAR three times).
   */
  #collection(name: string): Collection | undefined {
    if (name === 'MATCHED_VAR' || name === 'MATCHED_VAR_NAME') {
      const m = this.#matchedVar;
      return m ? new Collection(name, [['', name === 'MATCHED_VAR' ? m.value : m.name]]) : undefined;
    }
    return this.vars.get(name);
  }

  #actions(rule: CompiledRule): void {
    for (const s of rule.setVars) {
      const c = this.vars.ensure(s.collection);
      const key = s.key.expand(this).toLowerCase();
      if (s.op === 'delete') {
        c.remove(key);
        continue;
      }
      const value = s.value.expand(this);
      if (s.op === 'set') {
        c.set(key, value);
        continue;
      }
      const before = Number.parseInt(c.get(key)[0]?.value ?? '0', 10) || 0;
      const by = Number.parseInt(value, 10) || 0;
      c.set(key, String(s.op === 'add' ? before + by : before - by));
    }
    for (const e of rule.setEnv) this.env.set(e.name, e.value.expand(this));
    for (const ctl of rule.ctls) this.#ctl(ctl.name, ctl.value.expand(this));
  }

  #ctl(name: string, value: string): void {
    switch (name.toLowerCase()) {
      case 'ruleengine':
        if (value === 'On' || value === 'Off' || value === 'DetectionOnly') this.mode = value;
        break;
      case 'requestbodyaccess':
        this.requestBodyAccess = /^on$/i.test(value);
        break;
      case 'requestbodylimit':
      case 'responsebodylimit': {
        const n = /^\d{1,15}$/.test(value.trim()) ? Number(value) : 0;
        if (n > 0) this.bodyLimits = { ...this.bodyLimits, [name.toLowerCase() === 'requestbodylimit' ? 'requestBody' : 'responseBody']: n };
        break;
      }
      case 'requestbodyprocessor': {
        const p = value.toUpperCase();
        if (p === 'URLENCODED' || p === 'MULTIPART' || p === 'JSON' || p === 'XML') {
          this.bodyProcessor = p;
          this.vars.set(scalar('REQBODY_PROCESSOR', p));
        }
        break;
      }
      case 'ruleremovebyid':
        for (const part of value.split(/[\s,]+/).filter(Boolean)) {
          const m = /^(\d+)(?:-(\d+))?$/.exec(part);
          if (m) this.#removedIds.push([Number(m[1]), Number(m[2] ?? m[1])]);
        }
        break;
      case 'ruleremovebytag':
        this.#removedTags.push(value);
        break;
      case 'ruleremovetargetbyid':
      case 'ruleremovetargetbytag': {
        const semi = value.indexOf(';');
        if (semi < 0) break;
        const what = value.slice(0, semi);
        const [collection, key] = splitTargetName(value.slice(semi + 1));
        if (name.toLowerCase() === 'ruleremovetargetbyid') {
          const m = /^(\d+)(?:-(\d+))?$/.exec(what);
          if (m) this.#removedTargets.push({ ids: [Number(m[1]), Number(m[2] ?? m[1])], collection, key });
        } else this.#removedTargets.push({ tag: what, collection, key });
        break;
      }
      default:
        // forceRequestBodyVariable, auditEngine, auditLogParts, debugLogLevel: nothing to do in-process.
        break;
    }
  }

  #disrupt(rule: CompiledRule, phase: Phase): void {
    let d: Disruptive | undefined = rule.disruptive;
    if (d === undefined || d === 'pass') return;
    if (d === 'allow' || d === 'allow:phase' || d === 'allow:request') {
      this.#allowed = d === 'allow' ? 'all' : d === 'allow:phase' ? 'phase' : 'request';
      return;
    }
    let status = rule.status;
    if (d === 'block') {
      const b = this.rules.policy.blockAction[phase];
      if (b.action === 'pass') return;
      d = b.action;
      status ??= b.status;
    }
    if (this.mode !== 'On') return;
    if (d === 'deny') this.interruption = { ruleId: rule.id, action: 'deny', status: status ?? 403 };
    else if (d === 'drop') this.interruption = { ruleId: rule.id, action: 'drop', status: 0 };
    else if (d === 'redirect') this.interruption = { ruleId: rule.id, action: 'redirect', status: status ?? 302, location: rule.redirect?.expand(this) ?? '/' };
  }
}

/** `ARGS:foo` as [collection, lower-cased key]. */
function splitTargetName(s: string): [string, string | undefined] {
  const colon = s.indexOf(':');
  return colon < 0 ? [s.trim().toUpperCase(), undefined] : [s.slice(0, colon).trim().toUpperCase(), s.slice(colon + 1).trim().toLowerCase()];
}

function keyMatches(t: Target, key: string): boolean {
  if (t.key === undefined) return true;
  if (typeof t.key === 'string') return key.toLowerCase() === t.key;
  return t.key.test(key);
}

function select(c: Collection, t: Target): readonly { key: string; value: string }[] {
  if (t.key === undefined) return c.entries;
  if (typeof t.key === 'string') return c.get(t.key);
  const test = t.key;
  return c.entries.filter((e) => test.test(e.key));
}
