/**
 * One `field|modifier|...: value(s)` of a Sigma selection, compiled once into a
 * test of an event. What each modifier does here:
 *
 * - Transformations, applied to the value in the order written: `contains`,
 *   `startswith`, `endswith` (stars around the value), `windash` (a switch's dash
 *   matches any of - / – — ―), `base64`, `base64offset` (the value's three Base64
 *   forms, one per byte offset), `utf16le` / `wide` / `utf16be` / `utf16` (the
 *   value's bytes in that encoding, for a Base64 modifier that follows).
 *   Base64 text is matched case-sensitively: changing its case changes the bytes.
 * - Types: `re` (with `i`, `m`, `s`), `cidr`, `gt` `gte` `lt` `lte`, `exists`,
 *   `fieldref`.
 * - Flags: `all` (every value, not any), `cased` (case-sensitive), `neq` (the
 *   field is present and equals none of the values).
 *
 * Regular expressions run on re2js, a port of RE2: matching is linear in the
 * input whatever the pattern, and what only a backtracking engine can do
 * (back-references, look-around) is refused at load time with the reason.
 *
 * Refused, with a reason: `expand` (placeholders need lists mamori does not
 * have), the time modifiers (`minute` ... `year`: mamori's events carry the time
 * as a number, not a date field), any other name.
 */
import { RE2JS } from 're2js';
import { parseCidr, tryParseIp, cidrContains, type Cidr } from 'mamori/internal';
import { compileParts, hasWildcards, literalParts, parseWildcards, partsText, windash, wrap, type Part, type StringTest } from './pattern.js';
import type { EventView } from './view.js';
import type { LiteralIndex } from './literals.js';
import { longestLiteral, regexLiteral, withReq, type Matcher, type Req } from './requirements.js';

export { withReq, reqAnd, reqOr, regexLiteral, type Matcher, type Req } from './requirements.js';

export class RuleError extends Error {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(detail);
  }
}

const TRANSFORMS = new Set(['contains', 'startswith', 'endswith', 'windash', 'base64', 'base64offset', 'utf16le', 'wide', 'utf16be', 'utf16']);
const TYPES = new Set(['re', 'cidr', 'gt', 'gte', 'lt', 'lte', 'exists', 'fieldref']);
const FLAGS = new Set(['all', 'cased', 'neq']);
const RE_FLAGS = new Set(['i', 'm', 's']);
const REFUSED: Record<string, string> = {
  expand: 'placeholders (expand) need value lists mamori does not have',
  minute: 'time modifiers need a date field; mamori events carry the time as a number',
  hour: 'time modifiers need a date field; mamori events carry the time as a number',
  day: 'time modifiers need a date field; mamori events carry the time as a number',
  week: 'time modifiers need a date field; mamori events carry the time as a number',
  month: 'time modifiers need a date field; mamori events carry the time as a number',
  year: 'time modifiers need a date field; mamori events carry the time as a number',
};

/** A value as the YAML gave it. */
export type RuleValue = string | number | boolean | null;

/** The most values one field may expand into (a list, times base64offset's three forms). */
export const MAX_VALUES = 1000;
const MAX_REGEX_LENGTH = 4096;

export interface FieldSpec {
  /** The ECS field, or '' for keywords (the whole line). */
  readonly field: string;
  readonly modifiers: readonly string[];
  readonly values: readonly RuleValue[];
  /** Maps a field name a `fieldref` value gives to its ECS name. */
  readonly resolveField: (name: string) => string | undefined;
  /** Where caseless `contains` values go to be found all at once (literals.ts). */
  readonly index?: LiteralIndex;
}

export function compileField(spec: FieldSpec): Matcher {
  const { field, modifiers: mods, values } = spec;
  let type: string | undefined;
  let all = false;
  let cased = false;
  let neq = false;
  let reFlags = '';
  let position: 'contains' | 'startswith' | 'endswith' | undefined;
  for (const m of mods) {
    if (REFUSED[m]) throw new RuleError('unsupported modifier', `modifier ${m}: ${REFUSED[m]}`);
    if (RE_FLAGS.has(m)) {
      if (type !== 're') throw new RuleError('unknown modifier', `modifier ${m} comes without re before it`);
      reFlags += m;
    } else if (TYPES.has(m)) {
      if (type !== undefined) throw new RuleError('conflicting modifiers', `modifiers ${type} and ${m} cannot go together`);
      type = m;
    } else if (FLAGS.has(m)) {
      if (m === 'all') all = true;
      else if (m === 'cased') cased = true;
      else neq = true;
    } else if (TRANSFORMS.has(m)) {
      if (m === 'contains' || m === 'startswith' || m === 'endswith') {
        if (position !== undefined && position !== m) throw new RuleError('conflicting modifiers', `modifiers ${position} and ${m} cannot go together`);
        position = m;
      }
    } else throw new RuleError('unknown modifier', `unknown modifier ${JSON.stringify(m.slice(0, 40))}`);
  }
  if (values.length === 0) throw new RuleError('bad value', 'an empty list of values');
  if (type !== undefined && type !== 're' && mods.some((m) => TRANSFORMS.has(m))) {
    throw new RuleError('conflicting modifiers', `modifier ${type} cannot go with ${mods.filter((m) => TRANSFORMS.has(m)).join(', ')}`);
  }
  if (type === 're' && mods.some((m) => TRANSFORMS.has(m))) {
    throw new RuleError('conflicting modifiers', `re cannot go with ${mods.filter((m) => TRANSFORMS.has(m)).join(', ')}`);
  }
  if (field === '' && (type === 'exists' || type === 'fieldref' || neq)) throw new RuleError('bad value', `keywords cannot take ${type ?? 'neq'}`);

  // Keywords are searched for anywhere in the line, as full-text search does.
  const effective = field === '' && type === undefined && position === undefined ? [...mods, 'contains'] : mods;
  const tests = compileValues(spec, type, effective, reFlags, cased);
  const combine = (get: (t: ValueTest) => boolean): boolean => {
    if (neq) {
      for (const t of tests) if (get(t)) return false;
      return true;
    }
    if (all) {
      for (const t of tests) if (!get(t)) return false;
      return true;
    }
    for (const t of tests) if (get(t)) return true;
    return false;
  };

  if (type === 'exists') {
    if (values.length !== 1 || typeof values[0] !== 'boolean') throw new RuleError('bad value', `${field}|exists takes true or false`);
    const want = values[0];
    return (v) => (v.get(field) !== undefined) === want;
  }
  // What the field must contain for this test to hold: any value's literal (its
  // first for `all`); nothing when a value has none, or under neq.
  let req: Req | undefined;
  if (!neq && tests.every((t) => t.lit !== undefined)) {
    const lits = all ? [tests[0]!.lit!] : [...new Set(tests.map((t) => t.lit!))];
    req = lits.map((lit) => ({ field, lit }));
  }
  if (field === '') {
    // Keywords: each value found anywhere in the line (or the message).
    return withReq((v) => {
      const texts = v.keywordTexts();
      const lows = cased ? texts : v.keywordLower();
      return combine((t) => {
        for (let i = 0; i < texts.length; i++) if (t.test(texts[i]!, lows[i]!, v)) return true;
        return false;
      });
    }, req);
  }
  const hasNull = tests.some((t) => t.kind === 'null');
  return withReq((v) => {
    const raw = v.get(field);
    if (raw === undefined || raw === '') {
      if (hasNull) return combine((t) => t.kind === 'null');
      if (raw === undefined) return false;
    }
    if (neq && raw === undefined) return false;
    const s = v.str(field)!;
    const l = cased ? s : v.lower(field)!;
    return combine((t) => (t.kind === 'null' ? false : t.test(s, l, v, raw)));
  }, req);
}

interface ValueTest {
  readonly kind: 'null' | 'test';
  /** A lower-cased ASCII literal the value must contain for the test to hold, when there is one. */
  readonly lit?: string;
  /** `s`: the value as a string; `l`: lower-cased unless the rule is cased (encoded values always compare `s`). */
  test(s: string, l: string, v: EventView, raw?: unknown): boolean;
}

const NULL_TEST: ValueTest = { kind: 'null', test: () => false };

function compileValues(spec: FieldSpec, type: string | undefined, mods: readonly string[], reFlags: string, cased: boolean): ValueTest[] {
  const out: ValueTest[] = [];
  for (const value of spec.values) {
    if (value === null) {
      if (type !== undefined || spec.field === '') throw new RuleError('bad value', 'null needs a plain field');
      out.push(NULL_TEST);
      continue;
    }
    if (typeof value === 'object') throw new RuleError('bad value', `a value must be a string, number, boolean or null, not ${Array.isArray(value) ? 'a list' : 'a map'}`);
    if (type === 'exists') continue;
    if (type === 're') out.push(regexTest(value, reFlags));
    else if (type === 'cidr') out.push(cidrTest(value));
    else if (type === 'gt' || type === 'gte' || type === 'lt' || type === 'lte') out.push(compareTest(value, type));
    else if (type === 'fieldref') out.push(fieldrefTest(value, spec, cased));
    else for (const t of plainTests(value, mods, cased, spec)) out.push(t);
    if (out.length > MAX_VALUES) throw new RuleError('too many values', `more than ${MAX_VALUES} values for one field`);
  }
  return out;
}

function regexTest(value: RuleValue, flags: string): ValueTest {
  if (typeof value !== 'string') throw new RuleError('bad value', 're takes a string');
  if (value.length > MAX_REGEX_LENGTH) throw new RuleError('bad regular expression', `a regular expression longer than ${MAX_REGEX_LENGTH} characters`);
  let f = 0;
  if (flags.includes('i')) f |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) f |= RE2JS.MULTILINE;
  if (flags.includes('s')) f |= RE2JS.DOTALL;
  let re: RE2JS;
  try {
    re = RE2JS.compile(value, f);
  } catch (err) {
    const msg = (err as Error).message;
    const backtracking = /(?:\\[1-9]|\(\?<?[=!]|\(\?>|[*+?}]\+)/.test(value);
    throw new RuleError(
      backtracking ? 'regular expression needs backtracking' : 'bad regular expression',
      `regular expression ${JSON.stringify(value.slice(0, 120))}: ${backtracking ? 'back-references, look-around, atomic groups and possessive quantifiers cannot run in linear time; ' : ''}${msg.slice(0, 160)}`,
    );
  }
  const lit = regexLiteral(value);
  return { kind: 'test', test: (s) => re.test(s), ...(lit !== undefined ? { lit } : {}) };
}

function cidrTest(value: RuleValue): ValueTest {
  if (typeof value !== 'string') throw new RuleError('bad value', 'cidr takes a string like 10.0.0.0/8');
  let range: Cidr;
  try {
    range = parseCidr(value);
  } catch {
    throw new RuleError('bad value', `cidr ${JSON.stringify(value.slice(0, 60))} is not a CIDR range`);
  }
  return {
    kind: 'test',
    test: (s) => {
      const ip = tryParseIp(s);
      return ip !== undefined && cidrContains(range, ip);
    },
  };
}

function toNumber(x: unknown): number | undefined {
  if (typeof x === 'number') return Number.isFinite(x) ? x : undefined;
  if (typeof x === 'string' && x.length <= 40) {
    const t = x.trim();
    return /^-?\d{1,30}(\.\d{1,8})?$/.test(t) ? Number(t) : undefined;
  }
  return undefined;
}

function compareTest(value: RuleValue, op: 'gt' | 'gte' | 'lt' | 'lte'): ValueTest {
  const n = toNumber(value);
  if (n === undefined) throw new RuleError('bad value', `${op} takes a number, not ${JSON.stringify(value)}`);
  const cmp = op === 'gt' ? (x: number) => x > n : op === 'gte' ? (x: number) => x >= n : op === 'lt' ? (x: number) => x < n : (x: number) => x <= n;
  return {
    kind: 'test',
    test: (s, _l, _v, raw) => {
      const x = toNumber(raw ?? s);
      return x !== undefined && cmp(x);
    },
  };
}

function fieldrefTest(value: RuleValue, spec: FieldSpec, cased: boolean): ValueTest {
  if (typeof value !== 'string') throw new RuleError('bad value', 'fieldref takes a field name');
  const other = spec.resolveField(value);
  if (other === undefined) throw new RuleError('field with no mapping', `fieldref names field ${JSON.stringify(value)}, which this log source does not have`);
  return {
    kind: 'test',
    test: (s, l, v) => {
      const o = cased ? v.str(other) : v.lower(other);
      return o !== undefined && o === (cased ? s : l);
    },
  };
}

/** A plain value through its transformations; base64 forms come out case-sensitive. */
function plainTests(value: string | number | boolean, mods: readonly string[], cased: boolean, spec: FieldSpec): ValueTest[] {
  const encoding = mods.some((m) => m === 'base64' || m === 'base64offset' || m.startsWith('utf16') || m === 'wide');
  if (typeof value === 'number' && !encoding && mods.every((m) => m === 'all' || m === 'neq' || m === 'cased')) {
    // `sc-status: 404` against a number or a string "404"; 404.0 written as 404.
    const text = String(value);
    return [{ kind: 'test', test: (s, _l, _v, raw) => (typeof raw === 'number' ? raw === value : s === text) }];
  }
  // Each form: parts, and whether it is Base64 text (always compared as written).
  type Form = { parts: Part[]; encoded: boolean } | { bytes: Buffer };
  let forms: Form[] = [{ parts: typeof value === 'string' ? parseWildcards(value) : literalParts(String(value)), encoded: false }];
  const plainOf = (f: Form, m: string): Buffer => {
    if ('bytes' in f) return f.bytes;
    if (hasWildcards(f.parts)) throw new RuleError('bad value', `${m} cannot encode a value with wildcards (${partsText(f.parts).slice(0, 60)})`);
    return Buffer.from(partsText(f.parts), 'utf8');
  };
  for (const m of mods) {
    if (m === 'contains' || m === 'startswith' || m === 'endswith') {
      forms = forms.map((f) => {
        if ('bytes' in f) throw new RuleError('bad value', `${m} after a UTF-16 modifier needs base64 between them`);
        return { parts: wrap(f.parts, m !== 'startswith', m !== 'endswith'), encoded: f.encoded };
      });
    } else if (m === 'windash') {
      forms = forms.map((f) => ('bytes' in f ? f : { parts: windash(f.parts), encoded: f.encoded }));
    } else if (m === 'utf16le' || m === 'wide' || m === 'utf16be' || m === 'utf16') {
      forms = forms.map((f) => {
        const text = plainOf(f, m).toString('utf8');
        const le = Buffer.from(text, 'utf16le');
        if (m === 'utf16le' || m === 'wide') return { bytes: le };
        const be = Buffer.from(le);
        be.swap16();
        return { bytes: m === 'utf16be' ? be : Buffer.concat([Buffer.from([0xff, 0xfe]), le]) };
      });
    } else if (m === 'base64') {
      forms = forms.map((f) => ({ parts: literalParts(plainOf(f, m).toString('base64')), encoded: true }));
    } else if (m === 'base64offset') {
      forms = forms.flatMap((f) => base64Offsets(plainOf(f, m)).map((s) => ({ parts: literalParts(s), encoded: true })));
    }
    if (forms.length > MAX_VALUES) throw new RuleError('too many values', `more than ${MAX_VALUES} values for one field`);
  }
  return forms.map((f): ValueTest => {
    if ('bytes' in f) throw new RuleError('bad value', 'a UTF-16 modifier needs base64 or base64offset after it');
    const sensitive = cased || f.encoded;
    const p = f.parts;
    const lit = longestLiteral(p);
    const litProp = lit !== undefined ? { lit } : {};
    if (!sensitive && spec.index && p.length === 3 && 'star' in p[0]! && 'lit' in p[1]! && 'star' in p[2]!) {
      const has = spec.index.contains(spec.field, p[1].lit.toLowerCase());
      return { kind: 'test', test: (_s, _l, v) => has(v), ...litProp };
    }
    const t: StringTest = compileParts(f.parts, !sensitive);
    return { kind: 'test', test: sensitive ? (s) => t(s) : (_s, l) => t(l), ...litProp };
  });
}

/**
 * The three Base64 forms of `bytes` as it may sit inside a longer encoded text,
 * at byte offsets 0, 1 and 2 of a three-byte group: encode with that many filler
 * bytes before, then drop the characters the filler and the unfinished last
 * group touch (2 or 3 leading ones for offsets 1 and 2; 3 or 2 trailing ones when
 * the value ends one or two bytes into a group).
 */
export function base64Offsets(bytes: Buffer): string[] {
  const out: string[] = [];
  const startCut = [0, 2, 3];
  const endCut = [0, 3, 2];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64');
    const cut = endCut[(bytes.length + i) % 3]!;
    const s = enc.slice(startCut[i]!, enc.length - cut);
    if (s) out.push(s);
  }
  return out;
}
