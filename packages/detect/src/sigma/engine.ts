/**
 * The Sigma engine: loads a folder of rules once, and runs them as a Detector.
 *
 *     const { detector, problems, rules } = loadSigmaRules('/etc/mamori/sigma');
 *     for (const e of events) alerts.push(...detector.onEvent(e));
 *     alerts.push(...detector.advance(endOfInput));
 *
 * Every document that does not become a running rule is in `problems` with its
 * file, line and reason; nothing is dropped silently.
 *
 * Per event: only the rules whose log source reads the event's `event.dataset`
 * run; field values are turned into strings and lower-cased once per event.
 *
 * Alerts. A plain rule raises one alert per (rule, source address) and
 * blackout (`blackoutMs`, a minute by default): a scanner's thousand `.env`
 * probes are one alert a minute, not a thousand. Rules of level
 * `informational` raise none (the specification says they are for enrichment,
 * not alerting) unless `alertInformational` is set; they still feed
 * correlations. A rule that a correlation references raises no alert of its own
 * unless a correlation referencing it says `generate: true`. Correlations raise
 * one alert each time their condition is met for a group (correlation.ts).
 */
import { Correlator, readCorrelation, resolveRefs, type CorrelationDef } from './correlation.js';
import { detectorId, SigmaDetector } from './detector.js';
import { DEFAULT_LOGSOURCES, describeLogsource, type LogsourceEntry } from './logsources.js';
import { reqAnd, RuleError, withReq } from './modifiers.js';
import { compileRule, isMap, LocatedRuleError, type CompiledRule } from './rule.js';
import { LiteralIndex } from './literals.js';
import { listRuleFiles, parseRuleText, readRuleFile, type ParsedFile, type RuleDocument, type SigmaProblem } from './yaml.js';

export interface SigmaOptions {
  /** Which log sources run on which datasets, and their field names (DEFAULT_LOGSOURCES). */
  readonly logsources?: readonly LogsourceEntry[];
  /** Groups one correlation keeps at most (10,000). */
  readonly maxGroups?: number;
  /** Timestamps and distinct values one correlation keeps at most across its groups (1,000,000). */
  readonly maxTracked?: number;
  /** After a plain rule alerts for a source, further matches from it within this time raise none (60 s). */
  readonly blackoutMs?: number;
  /** (rule, source) pairs remembered for the blackout (100,000; the oldest go first). */
  readonly maxBlackouts?: number;
  /** Let `level: informational` rules raise alerts (false). */
  readonly alertInformational?: boolean;
  /**
   * Skip the rules none of whose needed literals occur in the event (true). Off
   * only to check that it changes nothing (the tests compare both).
   */
  readonly prefilter?: boolean;
}

export interface SigmaRuleInfo {
  readonly kind: 'rule' | 'correlation';
  readonly detector: string;
  readonly title: string;
  readonly file: string;
  readonly line: number;
  readonly level?: string;
  /** Datasets the rule runs on (for a correlation, those of the rules it references). */
  readonly datasets: readonly string[];
  /** Whether it raises alerts of its own (not only feeding a correlation). */
  readonly alerts: boolean;
}

export interface SigmaLoadResult {
  readonly detector: SigmaDetector;
  readonly rules: readonly SigmaRuleInfo[];
  readonly problems: readonly SigmaProblem[];
  /** Rule files read. */
  readonly files: number;
  /** YAML documents that were rules, correlations or filters (loaded or not); `action: global` and `reset` documents are not counted. */
  readonly documents: number;
  /** Filters that narrow at least one loaded rule. */
  readonly filters: number;
}


/** Loads every `.yml` / `.yaml` file under `path` (or the one file). Throws MAMORI_ERR_SIGMA_RULES only when `path` cannot be read. */
export function loadSigmaRules(path: string, options: SigmaOptions = {}): SigmaLoadResult {
  const listed = listRuleFiles(path);
  const parsed = listed.files.map((f) => readRuleFile(f.path, f.shownAs));
  return build(parsed, listed.problems, options);
}

/** The same from texts in memory (tests, rules that came over the network). */
export function compileSigmaRules(sources: readonly { file: string; text: string }[], options: SigmaOptions = {}): SigmaLoadResult {
  return build(
    sources.map((s) => parseRuleText(s.text, s.file)),
    [],
    options,
  );
}

interface PendingCorrelation {
  readonly def: CorrelationDef;
  readonly doc: RuleDocument;
}


function mergeDeep(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeDeep(base[k], v) : v;
  return out;
}

function build(files: readonly ParsedFile[], listProblems: readonly SigmaProblem[], options: SigmaOptions): SigmaLoadResult {
  const logsources = options.logsources ?? DEFAULT_LOGSOURCES;
  const problems: SigmaProblem[] = [...listProblems];
  const rules: CompiledRule[] = [];
  const correlations: PendingCorrelation[] = [];
  const filters: { data: Record<string, unknown>; doc: RuleDocument }[] = [];
  const failed = new Set<string>();
  const index = new LiteralIndex();
  let documents = 0;

  for (const f of files) {
    problems.push(...f.problems);
    let global: unknown;
    let previous: unknown;
    for (const doc of f.documents) {
      const data = doc.data;
      const problem = (reason: string, detail: string, path: readonly (string | number)[] = [], rule?: string) =>
        problems.push({ file: doc.file, line: doc.lineOf(path), reason, detail, ...(rule !== undefined ? { rule } : {}) });
      if (!isMap(data)) {
        documents++;
        problem('not a rule', 'a YAML document that is not a map');
        continue;
      }
      const action = data['action'];
      let merged: Record<string, unknown>;
      if (action === 'global') {
        const { action: _a, ...rest } = data;
        global = rest;
        continue;
      } else if (action === 'reset') {
        global = undefined;
        continue;
      } else if (action === 'repeat') {
        documents++;
        if (previous === undefined) {
          problem('bad rule collection', 'action: repeat with no document before it');
          continue;
        }
        const { action: _a, ...rest } = data;
        merged = mergeDeep(previous, rest) as Record<string, unknown>;
      } else if (action !== undefined) {
        documents++;
        problem('bad rule collection', `action ${JSON.stringify(String(action).slice(0, 30))} is not global, reset or repeat`, ['action']);
        continue;
      } else {
        documents++;
        merged = (global !== undefined ? mergeDeep(global, data) : data) as Record<string, unknown>;
      }
      previous = merged;
      const label = typeof merged['title'] === 'string' ? merged['title'].slice(0, 200) : typeof merged['id'] === 'string' ? merged['id'] : undefined;
      try {
        if ('correlation' in merged) correlations.push({ def: readCorrelation(merged, doc.file, doc.line), doc });
        else if ('filter' in merged && !('detection' in merged)) filters.push({ data: merged, doc });
        else rules.push(compileRule(merged, doc.file, doc.line, logsources, index));
      } catch (err) {
        if (err instanceof RuleError) {
          for (const k of [merged['id'], merged['name']]) if (typeof k === 'string') failed.add(k);
          problem(err.reason, err.message, err instanceof LocatedRuleError ? err.path : [], label);
        } else {
          problem('internal error', `could not be compiled: ${(err as Error).message.slice(0, 200)}`, [], label);
        }
      }
    }
  }

  // Names and ids of loaded rules, for filters and correlations to refer to.
  const indexRules = () => {
    const m = new Map<string, CompiledRule | 'ambiguous'>();
    for (const r of rules) for (const k of new Set([r.id, r.name].filter((x): x is string => x !== undefined))) m.set(k, m.has(k) ? 'ambiguous' : r);
    return m;
  };
  const filtersApplied = applyFilters(filters, rules, indexRules(), failed, logsources, index, problems);
  const byRef = indexRules();
  // Correlations by id and name, for chains (a correlation of correlations).
  const corrByRef = new Map<string, PendingCorrelation | 'ambiguous'>();
  for (const c of correlations) for (const k of new Set([c.def.id, c.def.name].filter((x): x is string => x !== undefined))) corrByRef.set(k, corrByRef.has(k) ? 'ambiguous' : c);

  const correlators: { c: Correlator; rules: CompiledRule[] }[] = [];
  const limits = { maxGroups: options.maxGroups ?? 10_000, maxTracked: options.maxTracked ?? 1_000_000 };
  // Each correlation resolved once, after the ones it references (depth-first; a loop is refused).
  const done = new Map<PendingCorrelation, Correlator | null>();
  const resolving = new Set<PendingCorrelation>();
  const resolve = (pc: PendingCorrelation): Correlator | null => {
    const known = done.get(pc);
    if (known !== undefined) return known;
    const { def, doc } = pc;
    const problem = (reason: string, detail: string, path: readonly (string | number)[]) => problems.push({ file: doc.file, line: doc.lineOf(path), reason, detail, rule: def.title });
    if (resolving.has(pc) || resolving.size >= 16) {
      problem('unsupported correlation', resolving.has(pc) ? 'correlations that reference each other in a loop' : 'a chain of more than 16 correlations', ['correlation', 'rules']);
      done.set(pc, null);
      return null;
    }
    resolving.add(pc);
    const refs: (CompiledRule | Correlator)[] = [];
    let bad = false;
    def.rules.forEach((name, i) => {
      if (bad) return;
      const r = byRef.get(name);
      const c = corrByRef.get(name);
      if (r === 'ambiguous' || c === 'ambiguous' || (r !== undefined && c !== undefined)) {
        problem('unknown rule reference', `correlation names ${JSON.stringify(name)}, which more than one rule is called`, ['correlation', 'rules', i]);
        bad = true;
      } else if (r) refs.push(r);
      else if (c) {
        const child = resolve(c);
        if (child) refs.push(child);
        else {
          if (!done.has(pc)) problem('unknown rule reference', `correlation names correlation ${JSON.stringify(name)}, which did not load (see its own problem)`, ['correlation', 'rules', i]);
          bad = true;
        }
      } else {
        problem(
          'unknown rule reference',
          failed.has(name) ? `correlation names rule ${JSON.stringify(name)}, which did not load (see its own problem)` : `correlation names ${JSON.stringify(name)}, which no loaded rule has as id or name`,
          ['correlation', 'rules', i],
        );
        bad = true;
      }
    });
    resolving.delete(pc);
    if (done.has(pc)) return done.get(pc)!; // refused as part of a loop while its references resolved
    let out: Correlator | null = null;
    if (!bad) {
      try {
        out = new Correlator(def, resolveRefs(def, refs, def.rules), limits);
        refs.forEach((x, i) => {
          if (!(x instanceof Correlator)) return;
          x.parents.push({ c: out!, ref: i });
          if (!def.generate) x.visible = false;
        });
        correlators.push({ c: out, rules: refs.filter((x): x is CompiledRule => !(x instanceof Correlator)) });
      } catch (err) {
        if (!(err instanceof RuleError)) throw err;
        problem(err.reason, err.message, err instanceof LocatedRuleError ? err.path : []);
      }
    }
    done.set(pc, out);
    return out;
  };
  for (const pc of correlations) resolve(pc);
  // A correlation referenced with generate: true by any correlation above it alerts on its own.
  for (const { c } of correlators) for (const p of c.parents) if (p.c.def.generate) c.visible = true;

  const detector = new SigmaDetector(rules, correlators, options, index);
  const infos: SigmaRuleInfo[] = [
    ...rules.map((r) => ({
      kind: 'rule' as const,
      detector: detectorId(r),
      title: r.title,
      file: r.file,
      line: r.line,
      ...(r.level !== undefined ? { level: r.level } : {}),
      datasets: r.entry.datasets,
      alerts: detector.alertsOf(r),
    })),
    ...correlators.map(({ c, rules: rs }) => ({
      kind: 'correlation' as const,
      detector: detectorId(c.def),
      title: c.def.title,
      file: c.def.file,
      line: c.def.line,
      ...(c.def.level !== undefined ? { level: c.def.level } : {}),
      datasets: [...new Set(rs.flatMap((r) => r.entry.datasets))],
      alerts: c.visible,
    })),
  ];
  return { detector, rules: infos, problems, files: files.length, documents, filters: filtersApplied };
}

/**
 * Sigma filters: each names rules and holds a detection in the same log
 * source; the rule then matches only when its own condition and the filter's
 * both hold, as pySigma composes them (so a filter that suppresses says
 * `condition: not selection`).
 */
function applyFilters(
  filters: readonly { data: Record<string, unknown>; doc: RuleDocument }[],
  rules: CompiledRule[],
  byRef: ReadonlyMap<string, CompiledRule | 'ambiguous'>,
  failed: ReadonlySet<string>,
  logsources: readonly LogsourceEntry[],
  index: LiteralIndex,
  problems: SigmaProblem[],
): number {
  let applied = 0;
  const positions = new Map(rules.map((r, i) => [r, i]));
  for (const { data, doc } of filters) {
    const title = typeof data['title'] === 'string' ? data['title'].slice(0, 200) : undefined;
    const problem = (reason: string, detail: string, path: readonly (string | number)[]) =>
      problems.push({ file: doc.file, line: doc.lineOf(path), reason, detail, ...(title !== undefined ? { rule: title } : {}) });
    const f = data['filter'];
    if (!isMap(f)) {
      problem('bad filter', 'filter must be a map with rules, selections and a condition', ['filter']);
      continue;
    }
    const names = typeof f['rules'] === 'string' ? [f['rules']] : f['rules'];
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string')) {
      problem('bad filter', 'filter rules must be a list of rule ids or names', ['filter', 'rules']);
      continue;
    }
    const { rules: _r, ...detection } = f;
    let compiled: CompiledRule;
    try {
      compiled = compileRule({ title: title ?? 'filter', logsource: data['logsource'], detection }, doc.file, doc.line, logsources, index);
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      const path = err instanceof LocatedRuleError ? err.path.map((p) => (p === 'detection' ? 'filter' : p)) : [];
      problem(err.reason, err.message, path);
      continue;
    }
    let used = false;
    (names as string[]).forEach((name, i) => {
      const target = byRef.get(name);
      if (target === undefined || target === 'ambiguous') {
        const why = target === 'ambiguous' ? 'which more than one rule is called' : failed.has(name) ? 'which did not load (see its own problem)' : 'which no loaded rule has as id or name';
        problem('unknown rule reference', `filter names ${JSON.stringify(name)}, ${why}`, ['filter', 'rules', i]);
        return;
      }
      if (target.entry !== compiled.entry) {
        problem('bad filter', `filter is for logsource ${describeLogsource(compiled.logsource)}, rule ${JSON.stringify(name)} for ${describeLogsource(target.logsource)}`, ['logsource']);
        return;
      }
      const at = positions.get(target)!;
      const current = rules[at]!;
      const orig = current.match;
      const extra = compiled.match;
      rules[at] = { ...current, match: withReq((v) => orig(v) && extra(v), reqAnd([orig, extra])) };
      used = true;
    });
    if (used) applied++;
  }
  return applied;
}

export { SigmaDetector, type SigmaStats } from './detector.js';
