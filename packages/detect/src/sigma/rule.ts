/**
 * A Sigma detection rule (one YAML document, after any `action: global` merge)
 * checked and compiled into a test of one event.
 *
 * Search identifiers: a map is an AND of its fields; a list of maps is an OR of
 * them; a list of strings (or a lone string) is keywords, any of them found in
 * the line; a field's list of values is an OR unless `|all`. A map key that is
 * empty or starts with `|` (`'|all': [...]`) is keywords with modifiers.
 */
import type { AlertSeverity } from '../model.js';
import { compileConditions } from './condition.js';
import { describeLogsource, findLogsource, mapField, type LogsourceEntry, type RuleLogsource } from './logsources.js';
import { compileField, reqAnd, reqOr, RuleError, withReq, type Matcher, type RuleValue } from './modifiers.js';
import type { LiteralIndex } from './literals.js';

export type SigmaLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';
const LEVELS: readonly SigmaLevel[] = ['informational', 'low', 'medium', 'high', 'critical'];

/** Metadata every rule and correlation carries. */
export interface RuleMeta {
  readonly title: string;
  readonly id?: string;
  readonly name?: string;
  readonly level?: SigmaLevel;
  readonly tags: readonly string[];
  readonly file: string;
  readonly line: number;
}

export interface CompiledRule extends RuleMeta {
  readonly logsource: RuleLogsource;
  readonly entry: LogsourceEntry;
  readonly match: Matcher;
  readonly resolveField: (name: string) => string | undefined;
}

/** A RuleError that knows where in the document it arose. */
export class LocatedRuleError extends RuleError {
  constructor(
    reason: string,
    detail: string,
    readonly path: readonly (string | number)[],
  ) {
    super(reason, detail);
  }
}

export function located(err: unknown, path: readonly (string | number)[]): never {
  if (err instanceof LocatedRuleError) throw err;
  if (err instanceof RuleError) throw new LocatedRuleError(err.reason, err.message, path);
  throw err;
}

export function isMap(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Date);
}

function optString(doc: Record<string, unknown>, key: string, max = 1024): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new LocatedRuleError('bad rule attribute', `${key} must be a string`, [key]);
  const s = String(v);
  if (s.length > max) throw new LocatedRuleError('bad rule attribute', `${key} is longer than ${max} characters`, [key]);
  return s;
}

/** title, id, name, level, tags: shared by rules and correlations. */
export function readMeta(doc: Record<string, unknown>, file: string, line: number): RuleMeta {
  const title = optString(doc, 'title', 1024);
  if (!title) throw new LocatedRuleError('bad rule attribute', 'a rule needs a title', []);
  const id = optString(doc, 'id', 256);
  const name = optString(doc, 'name', 256);
  const levelText = optString(doc, 'level', 32)?.toLowerCase();
  if (levelText !== undefined && !(LEVELS as readonly string[]).includes(levelText)) {
    throw new LocatedRuleError('bad rule attribute', `level ${JSON.stringify(levelText)} is not one of ${LEVELS.join(', ')}`, ['level']);
  }
  const tagsRaw = doc['tags'] ?? [];
  if (!Array.isArray(tagsRaw) || tagsRaw.some((t) => typeof t !== 'string')) throw new LocatedRuleError('bad rule attribute', 'tags must be a list of strings', ['tags']);
  const meta: RuleMeta = { title, tags: (tagsRaw as string[]).slice(0, 100), file, line };
  return { ...meta, ...(id !== undefined ? { id } : {}), ...(name !== undefined ? { name } : {}), ...(levelText !== undefined ? { level: levelText as SigmaLevel } : {}) };
}

export function severityOf(level: SigmaLevel | undefined): AlertSeverity {
  if (level === undefined || level === 'informational') return level === undefined ? 'medium' : 'low';
  return level;
}

/** `attack.t1190` → T1190, `attack.t1059.001` → T1059.001. */
export function mitreOf(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t);
    if (m && !out.includes(m[1]!.toUpperCase())) out.push(m[1]!.toUpperCase());
  }
  return out;
}

export function compileRule(doc: Record<string, unknown>, file: string, line: number, logsources: readonly LogsourceEntry[], index?: LiteralIndex): CompiledRule {
  const meta = readMeta(doc, file, line);
  const status = optString(doc, 'status', 32);
  if (status === 'unsupported') throw new LocatedRuleError('status unsupported', 'the rule says status: unsupported', ['status']);
  const ls = doc['logsource'];
  if (!isMap(ls)) throw new LocatedRuleError('bad rule attribute', 'a rule needs a logsource map', ['logsource']);
  const logsource: { category?: string; product?: string; service?: string } = {};
  for (const k of ['category', 'product', 'service'] as const) {
    const v = ls[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new LocatedRuleError('bad rule attribute', `logsource ${k} must be a string`, ['logsource', k]);
    logsource[k] = v;
  }
  const entry = findLogsource(logsources, logsource);
  if (!entry) throw new LocatedRuleError('unsupported logsource', `logsource ${describeLogsource(logsource)}: mamori reads no such logs`, ['logsource']);
  const resolveField = (name: string) => mapField(entry, name);
  const ctx: Ctx = { resolve: resolveField, ...(index ? { index } : {}) };

  const det = doc['detection'];
  if (!isMap(det)) throw new LocatedRuleError('bad rule attribute', 'a rule needs a detection map', ['detection']);
  if ('timeframe' in det) throw new LocatedRuleError('unsupported condition', 'detection timeframe is the old aggregation syntax; write a correlation rule', ['detection', 'timeframe']);
  const condRaw = det['condition'];
  const conds = typeof condRaw === 'string' ? [condRaw] : Array.isArray(condRaw) && condRaw.length > 0 && condRaw.every((c) => typeof c === 'string') ? (condRaw as string[]) : undefined;
  if (!conds) throw new LocatedRuleError('bad rule attribute', 'detection needs a condition (a string or a list of strings)', ['detection', 'condition']);

  const idents = new Map<string, Matcher>();
  for (const [name, value] of Object.entries(det)) {
    if (name === 'condition') continue;
    try {
      idents.set(name, compileIdentifier(value, ctx, ['detection', name]));
    } catch (err) {
      located(err, ['detection', name]);
    }
  }
  let match: Matcher;
  try {
    match = compileConditions(conds, idents);
  } catch (err) {
    located(err, ['detection', 'condition']);
  }
  return { ...meta, logsource, entry, match, resolveField };
}

const MAX_ITEMS = 1000;

interface Ctx {
  readonly resolve: (n: string) => string | undefined;
  readonly index?: LiteralIndex;
}

function spec(ctx: Ctx, field: string, modifiers: readonly string[], values: RuleValue[]) {
  return { field, modifiers, values, resolveField: ctx.resolve, ...(ctx.index ? { index: ctx.index } : {}) };
}

function compileIdentifier(value: unknown, ctx: Ctx, path: (string | number)[]): Matcher {
  if (typeof value === 'string' || typeof value === 'number') return compileField(spec(ctx, '', [], [value]));
  if (isMap(value)) return compileMap(value, ctx, path);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new RuleError('bad value', 'an empty search identifier');
    if (value.length > MAX_ITEMS) throw new RuleError('too many values', `more than ${MAX_ITEMS} items in one search identifier`);
    const keywords: RuleValue[] = [];
    const ors: Matcher[] = [];
    value.forEach((item, i) => {
      if (typeof item === 'string' || typeof item === 'number') keywords.push(item);
      else if (isMap(item)) {
        try {
          ors.push(compileMap(item, ctx, [...path, i]));
        } catch (err) {
          located(err, [...path, i]);
        }
      } else throw new LocatedRuleError('bad value', `item ${i + 1} is neither a keyword nor a map of fields`, [...path, i]);
    });
    if (keywords.length > 0) ors.push(compileField(spec(ctx, '', [], keywords)));
    return ors.length === 1 ? ors[0]! : withReq((v) => ors.some((m) => m(v)), reqOr(ors));
  }
  throw new RuleError('bad value', 'a search identifier must be a map, a list or a string');
}

function compileMap(map: Record<string, unknown>, ctx: Ctx, path: (string | number)[]): Matcher {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new RuleError('bad value', 'an empty map of fields');
  const ands: Matcher[] = [];
  for (const [key, raw] of entries) {
    try {
      const [name, ...mods] = key.split('|');
      let field = '';
      if (name !== '') {
        const mapped = ctx.resolve(name!);
        if (mapped === undefined) throw new RuleError('field with no mapping', `field ${JSON.stringify(name!.slice(0, 60))} has no mapping for this log source`);
        field = mapped;
      }
      let values: RuleValue[];
      if (Array.isArray(raw)) {
        if (raw.length > MAX_ITEMS) throw new RuleError('too many values', `more than ${MAX_ITEMS} values`);
        values = raw.map((x) => checkScalar(x));
      } else values = [checkScalar(raw)];
      ands.push(compileField(spec(ctx, field, mods.map((m) => m.toLowerCase()), values)));
    } catch (err) {
      located(err, [...path, key]);
    }
  }
  return ands.length === 1 ? ands[0]! : withReq((v) => ands.every((m) => m(v)), reqAnd(ands));
}

function checkScalar(x: unknown): RuleValue {
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new RuleError('bad value', `${x} is not a usable number`);
    return x;
  }
  if (x instanceof Date) throw new RuleError('bad value', 'a date where a string was expected; quote it');
  throw new RuleError('bad value', `a value must be a string, number, boolean or null, not ${Array.isArray(x) ? 'a list' : 'a map'}`);
}
