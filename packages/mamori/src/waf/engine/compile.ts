/**
 * From a loaded SecLang configuration (seclang/) to what the evaluator runs: rules of each
 * phase in order with their default actions applied, markers in every phase, rule removals and
 * updates applied where they stand, operators and transformations bound. Anything the engine
 * cannot run (an operator or action the parser knows but mamori does not implement) refuses
 * the whole configuration, with the file and line of each problem.
 */
import { dirname } from 'node:path';
import { MamoriError } from '../../core/errors.js';
import type { Registry } from '../../core/registry.js';
import type { Action, DefaultAction, Rule, SecLangConfig, Variable } from '../seclang/ast.js';
import { transformationRegistry, type Transformation } from '../transformations/builtins.js';
import { Macro } from './macros.js';
import { operatorRegistry, type OperatorContext, type OperatorFactory } from './operators.js';
import { blankRule, type CompiledRule, type Ctl, type Disruptive, type Phase, type SetVar, type Target } from './rule.js';
import { DEFAULT_BODY_LIMITS, limitValue } from './limits.js';
import { DEFAULT_ARGUMENT_LIMITS } from './request-variables.js';
import type { CompiledRules, EngineMode, EnginePolicy } from './transaction.js';

export interface CompileOptions {
  readonly compileRegex: OperatorContext['compileRegex'];
  readonly detectors?: OperatorContext['detectors'];
  readonly geo?: OperatorContext['geo'];
  readonly operators?: Registry<OperatorFactory>;
  readonly transformations?: Registry<Transformation>;
}

/** Actions that change nothing in-process (logging, persistence, response rewriting mamori does not do) and are accepted. */
const INERT = new Set(['auditlog', 'noauditlog', 'ver', 'rev', 'maturity', 'accuracy', 'phase', 'id', 'tag', 'msg', 'logdata', 'severity', 'sanitiseArg', 'sanitiseMatched', 'sanitiseMatchedBytes', 'sanitiseRequestHeader', 'sanitiseResponseHeader', 'initcol', 'expirevar', 'setsid', 'setuid', 'setrsc', 'deprecatevar']);

interface Defaults {
  transformations: string[];
  disruptive: Disruptive;
  status: number | undefined;
  log: boolean;
}

const PHASES: readonly Phase[] = [1, 2, 3, 4, 5];

function problem(where: { file: string; line: number }, message: string): string {
  return `${where.file}:${where.line}: ${message}`;
}

/**
 * A rule's target. A regex selector (`TX:/^header_name_/`) is run by the rules' own regex
 * engine, case-insensitively: the keys it tests (argument and header names) are the client's.
 */
function target(v: Variable, compileRegex: CompileOptions['compileRegex']): Target {
  let key: Target['key'];
  if (v.selector?.kind === 'key' || v.selector?.kind === 'xpath') key = v.selector.value.toLowerCase();
  else if (v.selector?.kind === 'regex') {
    const re = compileRegex(`(?i)${v.selector.pattern}`);
    key = { source: v.selector.pattern, test: (k: string) => re.test(k) };
  }
  return { collection: v.name.toUpperCase(), key, exclude: v.exclude, count: v.count };
}

function disruptiveOf(a: Action): Disruptive | undefined {
  switch (a.name) {
    case 'pass':
    case 'block':
    case 'deny':
    case 'drop':
    case 'redirect':
      return a.name;
    case 'allow':
      return a.value === 'phase' ? 'allow:phase' : a.value === 'request' ? 'allow:request' : 'allow';
    default:
      return undefined;
  }
}

function setVarOf(a: Action): SetVar | undefined {
  const s = a.setvar;
  if (!s) return undefined;
  const op = s.op === 'flag' ? 'set' : s.op;
  return { collection: s.collection.toUpperCase(), key: new Macro(s.name.raw), op, value: new Macro(s.op === 'flag' ? '1' : (s.value?.raw ?? '')) };
}

export function compileSecLang(config: SecLangConfig, options: CompileOptions): CompiledRules {
  const operators = options.operators ?? operatorRegistry();
  const transforms = options.transformations ?? transformationRegistry();
  const problems: string[] = [];
  const defaults = new Map<Phase, Defaults>(PHASES.map((p) => [p, { transformations: [], disruptive: 'pass', status: undefined, log: true }]));
  let mode: EngineMode = 'Off';
  let requestBodyAccess = false;
  let responseBodyAccess = false;
  let responseMime = ['text/plain', 'text/html'];
  let separator = DEFAULT_ARGUMENT_LIMITS.separator;
  const argLimits = { ...DEFAULT_ARGUMENT_LIMITS };
  const bodyLimits = { ...DEFAULT_BODY_LIMITS };
  // Rules in load order (the removals and updates act on what is loaded before them).
  const loaded: { rule: Rule; compiled: CompiledRule | undefined; removed: boolean }[] = [];
  const order: ({ kind: 'rule'; index: number } | { kind: 'marker'; name: string })[] = [];

  const compileRule = (r: Rule, starter: Rule, d: Defaults): CompiledRule | undefined => {
    const where = { file: r.file, line: r.line };
    let operator: CompiledRule['operator'];
    if (r.operator) {
      const name = r.operator.name.toLowerCase();
      if (!operators.has(name)) {
        problems.push(problem(where, `the operator @${r.operator.name} is not supported by mamori's engine`));
        return undefined;
      }
      try {
        const test = operators.get(name)(r.operator.argument.raw, { dir: dirname(r.file), compileRegex: options.compileRegex, detectors: options.detectors, geo: options.geo });
        operator = { name, negated: r.operator.negated, test };
      } catch (err) {
        problems.push(problem(where, `@${r.operator.name}: ${(err as Error).message}`));
        return undefined;
      }
    }
    let targets: Target[];
    try {
      targets = r.variables.map((v) => target(v, options.compileRegex));
    } catch (err) {
      problems.push(problem(where, `a target's selector: ${(err as Error).message}`));
      return undefined;
    }
    // Transformations: the phase's defaults, then the rule's; t:none drops those before it.
    const names: string[] = [];
    for (const t of [...(r === starter ? d.transformations : []), ...r.transformations]) {
      if (t.toLowerCase() === 'none') names.length = 0;
      else names.push(t);
    }
    const fns: Transformation[] = [];
    for (const t of names) {
      if (!transforms.has(t.toLowerCase())) {
        problems.push(problem(where, `the transformation t:${t} is not supported by mamori's engine`));
        return undefined;
      }
      fns.push(transforms.get(t.toLowerCase()));
    }
    let disruptive: Disruptive | undefined;
    let status: number | undefined;
    let redirect: Macro | undefined;
    let log = r === starter ? d.log : true;
    let auditLog = true;
    let capture = false;
    let multiMatch = false;
    let skip = 0;
    let skipAfter: string | undefined;
    const setVars: SetVar[] = [];
    const ctls: Ctl[] = [];
    const setEnv: { name: string; value: Macro }[] = [];
    for (const a of r.actions) {
      const dis = disruptiveOf(a);
      if (dis) {
        disruptive = dis;
        if (a.name === 'redirect') redirect = new Macro(a.value ?? '/');
        continue;
      }
      switch (a.name) {
        case 'status':
          status = Number(a.value);
          break;
        case 'log':
          log = true;
          break;
        case 'nolog':
          log = false;
          auditLog = false;
          break;
        case 'noauditlog':
          auditLog = false;
          break;
        case 'capture':
          capture = true;
          break;
        case 'multiMatch':
          multiMatch = true;
          break;
        case 'skip':
          skip = Number(a.value) || 0;
          break;
        case 'skipAfter':
          skipAfter = a.value;
          break;
        case 'setvar': {
          const s = setVarOf(a);
          if (s) setVars.push(s);
          break;
        }
        case 'ctl':
          if (a.ctl) ctls.push({ name: a.ctl.option, value: new Macro(a.ctl.value) });
          break;
        case 'setenv': {
          const v = a.value ?? '';
          const eq = v.indexOf('=');
          setEnv.push({ name: eq < 0 ? v : v.slice(0, eq), value: new Macro(eq < 0 ? '1' : v.slice(eq + 1)) });
          break;
        }
        case 't':
        case 'chain':
          break;
        default:
          if (!INERT.has(a.name)) {
            problems.push(problem(where, `the action ${a.name} is not supported by mamori's engine`));
            return undefined;
          }
      }
    }
    if (r === starter && disruptive === undefined) {
      disruptive = d.disruptive;
      status ??= d.status;
    }
    let chain: CompiledRule | undefined;
    if (r === starter) {
      // Links from the last to the first, so that each holds the next.
      for (let i = r.chain.length - 1; i >= 0; i--) {
        const link = compileRule(r.chain[i]!, starter, d);
        if (!link) return undefined;
        chain = { ...link, chain };
      }
    }
    return {
      id: r === starter ? (r.id ?? 0) : 0,
      phase: starter.phase,
      location: `${r.file}:${r.line}`,
      targets,
      operator,
      transformations: fns,
      transformationNames: names,
      multiMatch,
      capture,
      disruptive: r === starter ? disruptive : undefined,
      status,
      redirect,
      log,
      auditLog,
      msg: r.msg ? new Macro(r.msg.raw) : undefined,
      logData: r.logdata ? new Macro(r.logdata.raw) : undefined,
      tags: r.tags,
      severity: r.severity === undefined ? undefined : String(r.severity),
      setVars,
      ctls,
      setEnv,
      skip,
      skipAfter,
      chain,
      marker: undefined,
    };
  };

  const applyDefault = (d: DefaultAction) => {
    const next: Defaults = { transformations: [], disruptive: 'pass', status: undefined, log: true };
    for (const t of d.transformations) {
      if (t.toLowerCase() === 'none') next.transformations.length = 0;
      else next.transformations.push(t);
    }
    for (const a of d.actions) {
      const dis = disruptiveOf(a);
      if (dis) next.disruptive = dis;
      else if (a.name === 'status') next.status = Number(a.value);
      else if (a.name === 'nolog') next.log = false;
      else if (a.name === 'log') next.log = true;
    }
    defaults.set(d.phase, next);
  };

  const matching = (pick: (r: Rule) => boolean) => loaded.filter((l) => !l.removed && pick(l.rule));
  const texts = (r: Rule, by: 'tag' | 'msg') => (by === 'tag' ? r.tags : r.msg ? [r.msg.raw] : []);

  for (const d of config.directives) {
    switch (d.kind) {
      case 'rule': {
        const compiled = compileRule(d, d, defaults.get(d.phase)!);
        loaded.push({ rule: d, compiled, removed: false });
        order.push({ kind: 'rule', index: loaded.length - 1 });
        break;
      }
      case 'marker':
        order.push({ kind: 'marker', name: d.name });
        break;
      case 'defaultAction':
        applyDefault(d);
        break;
      case 'removeById':
        for (const l of matching((r) => d.ids.some((x) => r.id !== undefined && r.id >= x.from && r.id <= x.to))) l.removed = true;
        break;
      case 'removeByTag':
      case 'removeByMsg': {
        const re = new RegExp(d.pattern);
        for (const l of matching((r) => texts(r, d.kind === 'removeByTag' ? 'tag' : 'msg').some((t) => re.test(t)))) l.removed = true;
        break;
      }
      case 'updateTarget': {
        const re = d.pattern !== undefined ? new RegExp(d.pattern) : undefined;
        const hit = (r: Rule) => (d.by === 'id' ? (d.ids ?? []).some((x) => r.id !== undefined && r.id >= x.from && r.id <= x.to) : texts(r, d.by).some((t) => re!.test(t)));
        for (const l of matching(hit)) {
          if (!l.compiled) continue;
          const add = d.targets.map((v) => target(v, options.compileRegex));
          const replaced = (d.replaced ?? []).map((v) => target(v, options.compileRegex));
          const kept = l.compiled.targets.filter((t) => !replaced.some((x) => x.collection === t.collection && JSON.stringify(x.key) === JSON.stringify(t.key)));
          l.compiled = { ...l.compiled, targets: [...kept, ...add] };
        }
        break;
      }
      case 'updateAction': {
        for (const l of matching((r) => r.id === d.id)) {
          // The rule again with its actions replaced by name (t: added to, or replaced from t:none).
          const names = new Set(d.actions.map((a) => a.name));
          const actions = [...l.rule.actions.filter((a) => !names.has(a.name) || a.name === 't'), ...d.actions];
          const transformations = d.actions.some((a) => a.name === 't' && a.value?.toLowerCase() === 'none') ? d.actions.filter((a) => a.name === 't').map((a) => a.value!) : [...l.rule.transformations, ...d.actions.filter((a) => a.name === 't').map((a) => a.value!)];
          const rule: Rule = { ...l.rule, actions, transformations };
          l.rule = rule;
          l.compiled = compileRule(rule, rule, defaults.get(rule.phase)!);
        }
        break;
      }
      case 'setting': {
        const arg = d.args[0] ?? '';
        switch (d.name) {
          case 'SecRuleEngine':
            mode = /^on$/i.test(arg) ? 'On' : /^detectiononly$/i.test(arg) ? 'DetectionOnly' : 'Off';
            break;
          case 'SecRequestBodyAccess':
            requestBodyAccess = /^on$/i.test(arg);
            break;
          case 'SecResponseBodyAccess':
            responseBodyAccess = /^on$/i.test(arg);
            break;
          case 'SecResponseBodyMimeType':
            responseMime = d.args.join(' ').split(/\s+/).filter(Boolean).map((m) => m.toLowerCase());
            break;
          case 'SecArgumentSeparator':
            separator = arg || '&';
            break;
          case 'SecRequestBodyLimitAction':
          case 'SecResponseBodyLimitAction': {
            const action = /^reject$/i.test(arg) ? 'Reject' : /^processpartial$/i.test(arg) ? 'ProcessPartial' : undefined;
            if (!action) problems.push(problem(d, `${d.name} takes Reject or ProcessPartial, not ${JSON.stringify(arg.slice(0, 40))}`));
            else if (d.name === 'SecRequestBodyLimitAction') bodyLimits.requestBodyAction = action;
            else bodyLimits.responseBodyAction = action;
            break;
          }
          case 'SecRequestBodyLimit':
          case 'SecRequestBodyNoFilesLimit':
          case 'SecResponseBodyLimit':
          case 'SecArgumentsLimit':
          case 'SecUploadFileLimit':
          case 'SecRequestBodyJsonDepthLimit': {
            const n = limitValue(d.name, arg);
            if (typeof n === 'string') {
              problems.push(problem(d, n));
              break;
            }
            if (d.name === 'SecRequestBodyLimit') bodyLimits.requestBody = n;
            else if (d.name === 'SecRequestBodyNoFilesLimit') bodyLimits.requestBodyNoFiles = n;
            else if (d.name === 'SecResponseBodyLimit') bodyLimits.responseBody = n;
            else if (d.name === 'SecArgumentsLimit') argLimits.maxArgs = n;
            else if (d.name === 'SecUploadFileLimit') argLimits.maxFiles = n;
            else argLimits.maxJsonDepth = n;
            break;
          }
          // SecRequestBodyInMemoryLimit, SecPcreMatchLimit(Recursion): read, no effect (limits.ts says why).
          default:
            break;
        }
        break;
      }
      default:
        break;
    }
  }
  if (problems.length > 0) {
    throw new MamoriError('MAMORI_ERR_WAF_RULES', `the rules have ${problems.length} problem${problems.length === 1 ? '' : 's'} mamori's engine cannot run:\n  ${problems.slice(0, 50).join('\n  ')}`, {
      location: problems[0]!.split(': ')[0],
    });
  }
  const phases: CompiledRule[][] = [[], [], [], [], [], []];
  const markers = phases.map(() => new Map<string, number>());
  for (const o of order) {
    if (o.kind === 'marker') {
      for (const p of PHASES) {
        markers[p]!.set(o.name, phases[p]!.length);
        phases[p]!.push(markerRule(o.name, p));
      }
      continue;
    }
    const l = loaded[o.index]!;
    if (l.removed || !l.compiled) continue;
    phases[l.compiled.phase]!.push(l.compiled);
  }
  const blockAction = Object.fromEntries(
    PHASES.map((p) => {
      const d = defaults.get(p)!;
      const action = d.disruptive === 'deny' || d.disruptive === 'drop' ? d.disruptive : 'pass';
      return [p, { action, status: d.status ?? 403 }];
    }),
  ) as EnginePolicy['blockAction'];
  return {
    policy: { mode, requestBodyAccess, responseBodyAccess, responseBodyMimeTypes: responseMime, limits: { ...argLimits, separator }, bodyLimits, blockAction },
    phases,
    markers,
  };
}

function markerRule(name: string, phase: Phase): CompiledRule {
  return { ...blankRule(phase), marker: name };
}
