/**
 * The operators (`@rx`, `@pm`, `@eq`, ...): each compiles its argument once and tests one
 * transformed value. A match may carry captures (for the `capture` action: TX.0 to TX.9).
 * Arguments with macros (`@lt %{tx.paranoia_level}`) are expanded per test.
 */
import { anyPhrase } from '../phrases.js';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Registry } from '../../core/registry.js';
import { tryParseIp, parseCidr, cidrContains } from '../../core/net.js';
import { Macro, type MacroScope } from './macros.js';
import type { StepBudget } from '../regex.js';

/** undefined or false: no match; true: a match; an array: a match with its captures (0: the whole match). */
export type OperatorResult = boolean | readonly string[] | undefined;

/** Tests one value; with `capture`, a match returns its captures (the rule has the capture action). */
export interface OperatorTest {
  (value: string, scope: MacroScope, capture: boolean): OperatorResult;
}

export interface OperatorContext {
  /** Where the rule's file is: @pmFromFile and friends read relative to it. */
  readonly dir: string;
  /** Compiles a rule's regular expression (ModSecurity semantics on byte strings; bounded time). */
  readonly compileRegex: (source: string) => { test(input: string, steps?: StepBudget): boolean; exec(input: string, steps?: StepBudget): readonly (string | undefined)[] | null };
  /** Reads a data file (bounded); the engine's reader by default. */
  readonly readFile?: (path: string) => string;
  /** Country of an address, for @geoLookup (the database SecGeoLookupDb names, else the one mamori ships). */
  readonly geo?: () => { country(ip: string): string | undefined };
  /** Operators that only the engine can provide (detectSQLi, detectXSS). */
  readonly detectors?: { sqli?: (v: string) => OperatorResult; xss?: (v: string) => OperatorResult };
}

export type OperatorFactory = (argument: string, ctx: OperatorContext) => OperatorTest;

/** A decimal as ModSecurity reads one for the numeric operators: leading digits (and sign); anything else 0. */
function integer(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : 0;
}

/** An operator whose argument may hold macros: a fixed one is prepared once. */
function withArgument(argument: string, prepare: (arg: string) => (value: string) => OperatorResult): OperatorTest {
  const m = new Macro(argument);
  if (!m.dynamic) {
    const test = prepare(argument);
    return (value) => test(value);
  }
  return (value, scope) => prepare(m.expand(scope))(value);
}

const numeric = (cmp: (a: number, b: number) => boolean): OperatorFactory => (argument) => withArgument(argument, (arg) => {
  const b = integer(arg);
  return (value) => cmp(integer(value), b);
});

/** Phrases of @pm: see anyPhrase (waf/phrases.ts). */
function phraseMatcher(phrases: readonly string[]): (value: string) => OperatorResult {
  const find = anyPhrase(phrases);
  return (value) => {
    const p = find(value);
    return p === undefined ? false : [p];
  };
}

function pmFile(argument: string, ctx: OperatorContext): string[] {
  const read = ctx.readFile ?? ((p: string) => readFileSync(p, 'latin1'));
  const phrases: string[] = [];
  for (const f of argument.split(/\s+/).filter(Boolean)) {
    const text = read(isAbsolute(f) ? f : join(ctx.dir, f));
    for (const line of text.split(/\r?\n/)) {
      const l = line.trim();
      if (l !== '' && !l.startsWith('#')) phrases.push(l);
    }
  }
  return phrases;
}

/** @validateByteRange's ranges: `9,10,13,32-126`. */
function byteRanges(arg: string): Uint8Array {
  const ok = new Uint8Array(256);
  for (const part of arg.split(',')) {
    const m = /^\s*(\d{1,3})\s*(?:-\s*(\d{1,3}))?\s*$/.exec(part);
    if (!m) throw new Error(`@validateByteRange: "${part.slice(0, 20)}" is not a byte or a range`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a > 255 || b > 255 || b < a) throw new Error(`@validateByteRange: ${part.trim()} is out of 0-255`);
    for (let i = a; i <= b; i++) ok[i] = 1;
  }
  return ok;
}

function invalidUrlEncoding(v: string): boolean {
  for (let i = v.indexOf('%'); i >= 0; i = v.indexOf('%', i + 1)) {
    if (!/^[0-9A-Fa-f]{2}$/.test(v.slice(i + 1, i + 3))) return true;
  }
  return false;
}

function invalidUtf8(v: string): boolean {
  const b = Buffer.from(v, 'latin1');
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return false;
  } catch {
    return true;
  }
}

export const BUILTIN_OPERATORS: Readonly<Record<string, OperatorFactory>> = {
  rx: (argument, ctx) => {
    const m = new Macro(argument);
    const run = (re: ReturnType<OperatorContext['compileRegex']>, value: string, scope: MacroScope, capture: boolean): OperatorResult => {
      if (!capture) return re.test(value, scope.regexSteps);
      const found = re.exec(value, scope.regexSteps);
      return found ? found.map((g) => g ?? '') : false;
    };
    if (!m.dynamic) {
      const re = ctx.compileRegex(argument);
      return (value, scope, capture) => run(re, value, scope, capture);
    }
    return (value, scope, capture) => run(ctx.compileRegex(m.expand(scope)), value, scope, capture);
  },
  // ModSecurity fills GEO with what its database knows; mamori's databases know the country.
  // The operator matches when the address has one (not for private or unknown addresses).
  geoLookup: (_argument, ctx) => {
    if (!ctx.geo) throw new Error('@geoLookup needs a country database, and none was given to the engine');
    const db = ctx.geo();
    return (value, scope) => {
      const code = db.country(value.trim());
      if (code === undefined) return false;
      scope.fillCollection?.('GEO', { COUNTRY_CODE: code });
      return true;
    };
  },
  pm: (argument) => phraseMatcher(argument.split(/\s+/)),
  pmFromFile: (argument, ctx) => phraseMatcher(pmFile(argument, ctx)),
  pmf: (argument, ctx) => phraseMatcher(pmFile(argument, ctx)),
  streq: (argument) => withArgument(argument, (arg) => (value) => value === arg),
  contains: (argument) => withArgument(argument, (arg) => (value) => value.includes(arg)),
  containsWord: (argument) => withArgument(argument, (arg) => (value) => {
    if (arg === '') return true;
    for (let i = value.indexOf(arg); i >= 0; i = value.indexOf(arg, i + 1)) {
      const before = i === 0 ? '' : value[i - 1]!;
      const after = value[i + arg.length] ?? '';
      if (!/[A-Za-z0-9_]/.test(before) && !/[A-Za-z0-9_]/.test(after)) return true;
    }
    return false;
  }),
  beginsWith: (argument) => withArgument(argument, (arg) => (value) => value.startsWith(arg)),
  endsWith: (argument) => withArgument(argument, (arg) => (value) => value.endsWith(arg)),
  within: (argument) => withArgument(argument, (arg) => (value) => value !== '' && arg.includes(value)),
  eq: numeric((a, b) => a === b),
  ge: numeric((a, b) => a >= b),
  gt: numeric((a, b) => a > b),
  le: numeric((a, b) => a <= b),
  lt: numeric((a, b) => a < b),
  ipMatch: (argument) => {
    const nets = argument.split(/[,\s]+/).filter(Boolean).map((c) => parseCidr(c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`));
    return (value) => {
      const ip = tryParseIp(value);
      return ip !== undefined && nets.some((n) => cidrContains(n, ip));
    };
  },
  validateByteRange: (argument) => {
    const ok = byteRanges(argument);
    return (value) => {
      for (let i = 0; i < value.length; i++) if (!ok[value.charCodeAt(i) & 0xff]) return true;
      return false;
    };
  },
  validateUrlEncoding: () => (value) => invalidUrlEncoding(value),
  validateUtf8Encoding: () => (value) => invalidUtf8(value),
  unconditionalMatch: () => () => true,
  noMatch: () => () => false,
  detectSQLi: (_a, ctx) => {
    const sqli = ctx.detectors?.sqli;
    if (!sqli) throw new Error('@detectSQLi needs the SQL injection detector (its data was not loaded)');
    return (value) => sqli(value);
  },
  detectXSS: (_a, ctx) => {
    const xss = ctx.detectors?.xss;
    if (!xss) throw new Error('@detectXSS needs the XSS detector (its data was not loaded)');
    return (value) => xss(value);
  },
};

/** The built-in operators, by lower-cased name; add your own, then freeze. */
export function operatorRegistry(): Registry<OperatorFactory> {
  const r = new Registry<OperatorFactory>('operator');
  for (const [name, f] of Object.entries(BUILTIN_OPERATORS)) r.register(name.toLowerCase(), f);
  return r;
}
