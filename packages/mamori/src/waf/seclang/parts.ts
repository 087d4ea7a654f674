// Parsers for the three parts of a rule (variables, operator, actions) and for
// the values inside actions (macros, setvar, ctl, id ranges). Each throws a
// PartError with a plain message; the directive parser adds the file and line.

import { isIP } from 'node:net';
import type { Action, Ctl, IdRange, MacroPart, MacroString, Operator, Selector, SetVar, Variable } from './ast.js';
import { printable } from './lexer.js';
import {
  lookupAction,
  lookupCtl,
  lookupOperator,
  lookupTransformation,
  lookupVariable,
  REQUEST_BODY_PROCESSORS,
  SEVERITIES,
} from './registry.js';

export class PartError extends Error {}

const fail = (message: string): never => {
  throw new PartError(message);
};

/** Most targets and most actions one rule may have: far above what anyone writes (CRS's most is under 20), low enough that one line cannot build a huge tree. */
export const MAX_LIST = 1024;

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f';
const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

// ---------------------------------------------------------------- macros

/**
 * Splits text into literal parts and `%{VAR}` / `%{collection.key}` macros.
 * A `%{` without a closing brace is literal text, as ModSecurity leaves it.
 */
export function parseMacros(raw: string): MacroString {
  const parts: MacroPart[] = [];
  let i = 0;
  let lit = '';
  while (i < raw.length) {
    const at = raw.indexOf('%{', i);
    if (at < 0) break;
    const close = raw.indexOf('}', at + 2);
    if (close < 0) break;
    const inner = raw.slice(at + 2, close);
    lit += raw.slice(i, at);
    const dot = inner.indexOf('.');
    const name = dot < 0 ? inner : inner.slice(0, dot);
    if (name === '') fail(`empty macro name in ${printable(raw.slice(at, close + 1))}`);
    const spec = lookupVariable(name);
    if (!spec) fail(`unknown variable ${printable(name)} in macro ${printable(raw.slice(at, close + 1))}`);
    if (lit) parts.push({ kind: 'text', text: lit });
    lit = '';
    const part: MacroPart = { kind: 'macro', variable: spec!.name, raw: raw.slice(at, close + 1) };
    if (dot >= 0) {
      if (!spec!.collection) fail(`${spec!.name} is not a collection: ${printable(raw.slice(at, close + 1))}`);
      part.key = inner.slice(dot + 1);
    }
    parts.push(part);
    i = close + 1;
  }
  lit += raw.slice(i);
  if (lit) parts.push({ kind: 'text', text: lit });
  return { raw, parts, hasMacros: parts.some((p) => p.kind === 'macro') };
}

// ---------------------------------------------------------------- variables

/**
 * Parses a target list: `ARGS|!ARGS:foo|&TX:x|TX:/^a|b$/|XML:/*`.
 * Regex selectors run to the next unescaped `/`, so they may hold `|`. XML
 * selectors are XPath and run to the next `|`. Quoted selectors (`ARGS:'a b'`)
 * run to the next `'`.
 */
export function parseVariables(text: string): Variable[] {
  const out: Variable[] = [];
  let i = 0;
  const n = text.length;
  const skip = () => {
    while (i < n && isBlank(text[i])) i++;
  };
  skip();
  if (i >= n) fail('no variables');
  for (;;) {
    skip();
    let exclude = false;
    let count = false;
    if (text[i] === '!') {
      exclude = true;
      i++;
    } else if (text[i] === '&') {
      count = true;
      i++;
    }
    const start = i;
    while (i < n && isNameChar(text[i])) i++;
    const name = text.slice(start, i);
    if (!name) fail(`expected a variable name at ${printable(text.slice(start, start + 20)) || 'the end'}`);
    const spec = lookupVariable(name);
    if (!spec) fail(`unknown variable ${printable(name)}`);
    const v: Variable = { name: spec!.name, exclude, count };
    if (text[i] === ':') {
      i++;
      if (!spec!.collection) fail(`${spec!.name} is not a collection, so it takes no selector`);
      let sel: Selector;
      if (spec!.name === 'XML') {
        const s = i;
        while (i < n && text[i] !== '|' && !isBlank(text[i])) i++;
        sel = { kind: 'xpath', value: text.slice(s, i) };
      } else if (text[i] === '/') {
        const s = ++i;
        while (i < n && text[i] !== '/') i += text[i] === '\\' ? 2 : 1;
        if (i >= n) fail(`unterminated regex selector ${printable(text.slice(s - 1))}`);
        sel = { kind: 'regex', pattern: text.slice(s, i) };
        i++;
      } else if (text[i] === "'") {
        const s = ++i;
        while (i < n && text[i] !== "'") i++;
        if (i >= n) fail(`unterminated quoted selector ${printable(text.slice(s - 1))}`);
        sel = { kind: 'key', value: text.slice(s, i) };
        i++;
      } else {
        const s = i;
        while (i < n && text[i] !== '|' && !isBlank(text[i])) i++;
        sel = { kind: 'key', value: text.slice(s, i) };
      }
      if (sel.kind !== 'regex' && sel.value === '') fail(`empty selector after ${spec!.name}:`);
      v.selector = sel;
    }
    if (exclude && !v.selector) fail(`!${spec!.name} needs a selector: an exclusion names members to leave out`);
    if (out.length >= MAX_LIST) fail(`more than ${MAX_LIST} variables`);
    out.push(v);
    skip();
    if (i >= n) return out;
    if (text[i] !== '|') fail(`expected | between variables at ${printable(text.slice(i, i + 20))}`);
    i++;
  }
}

// ---------------------------------------------------------------- operator

export function parseOperator(text: string, resolveFile?: (name: string) => string): Operator {
  // No blanks are trimmed at the start: a bare pattern keeps them (" foo"
  // matches a space), and "!" and "@" count only as the first characters.
  let s = text;
  let negated = false;
  if (s.startsWith('!')) {
    negated = true;
    s = s.slice(1);
  }
  if (!s.startsWith('@')) {
    // A bare pattern is a regular expression.
    return { name: 'rx', negated, argument: parseMacros(s), explicit: false };
  }
  let j = 1;
  while (j < s.length && !isBlank(s[j])) j++;
  const name = s.slice(1, j);
  const spec = lookupOperator(name);
  if (!spec) fail(`unknown operator @${printable(name)}`);
  while (j < s.length && isBlank(s[j])) j++;
  const arg = s.slice(j);
  if (spec!.argument === 'none' && arg !== '') fail(`@${spec!.name} takes no argument`);
  if (spec!.argument === 'required' && arg === '') fail(`@${spec!.name} needs an argument`);
  const op: Operator = { name: spec!.name, negated, argument: parseMacros(arg), explicit: true };
  checkOperatorArgument(op);
  if (spec!.readsFiles) {
    const names = arg.split(/\s+/).filter(Boolean);
    op.files = resolveFile ? names.map(resolveFile) : names;
  }
  return op;
}

function checkOperatorArgument(op: Operator): void {
  const a = op.argument;
  switch (op.name) {
    case 'eq':
    case 'ge':
    case 'gt':
    case 'le':
    case 'lt':
      if (!a.hasMacros && !/^\s*-?\d+\s*$/.test(a.raw)) fail(`@${op.name} needs an integer or a macro, got ${printable(a.raw)}`);
      break;
    case 'validateByteRange':
      for (const part of a.raw.split(',')) {
        const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
        if (!m) fail(`@validateByteRange: bad range ${printable(part)}`);
        const lo = Number(m![1]);
        const hi = m![2] === undefined ? lo : Number(m![2]);
        if (lo > 255 || hi > 255 || lo > hi) fail(`@validateByteRange: range ${printable(part)} is outside 0-255 or reversed`);
      }
      break;
    case 'ipMatch':
      for (const part of a.raw.split(',')) {
        const p = part.trim();
        const slash = p.indexOf('/');
        const addr = slash < 0 ? p : p.slice(0, slash);
        const family = isIP(addr);
        const bits = slash < 0 ? undefined : p.slice(slash + 1);
        const max = family === 6 ? 128 : 32;
        if (family === 0 || (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max))) {
          fail(`@ipMatch: bad address or network ${printable(p)}`);
        }
      }
      break;
  }
}

// ---------------------------------------------------------------- actions

/**
 * Splits an action list the way ModSecurity does: `name`, `name:value` or
 * `name:'quoted value'`, separated by commas with optional blanks. Inside a
 * quoted value `\'` is a quote and `\\` a backslash; any other backslash is an
 * error ("invalid quoted pair"), as in ModSecurity v2.
 */
export function splitActions(text: string): { name: string; value?: string; quoted: boolean }[] {
  const out: { name: string; value?: string; quoted: boolean }[] = [];
  let i = 0;
  const n = text.length;
  const skip = () => {
    while (i < n && isBlank(text[i])) i++;
  };
  for (;;) {
    skip();
    if (i >= n) return out;
    const s = i;
    while (i < n && text[i] !== ':' && text[i] !== ',' && !isBlank(text[i])) i++;
    const name = text.slice(s, i);
    if (!name) fail(`empty action name at ${printable(text.slice(s, s + 20))}`);
    skip();
    let value: string | undefined;
    let quoted = false;
    if (text[i] === ':') {
      i++;
      skip();
      if (text[i] === "'") {
        quoted = true;
        i++;
        let v = '';
        for (;;) {
          if (i >= n) fail(`missing closing quote in the value of ${printable(name)}`);
          const c = text[i];
          if (c === '\\') {
            const d = text[i + 1];
            if (d !== "'" && d !== '\\') fail(`invalid escape \\${printable(d ?? '')} in the value of ${printable(name)} (only \\' and \\\\ are allowed)`);
            v += d;
            i += 2;
            continue;
          }
          if (c === "'") {
            i++;
            break;
          }
          v += c;
          i++;
        }
        value = v;
      } else {
        const vs = i;
        while (i < n && text[i] !== ',' && !isBlank(text[i])) i++;
        value = text.slice(vs, i);
      }
    }
    if (out.length >= MAX_LIST) fail(`more than ${MAX_LIST} actions`);
    out.push(value === undefined ? { name, quoted } : { name, value, quoted });
    skip();
    if (i >= n) return out;
    if (text[i] !== ',') fail(`expected , after action ${printable(name)} at ${printable(text.slice(i, i + 20))}`);
    i++;
  }
}

const PHASE_NAMES: Record<string, number> = { request: 2, response: 4, logging: 5 };

export function parsePhase(v: string): 1 | 2 | 3 | 4 | 5 {
  const t = v.trim().toLowerCase();
  const p = PHASE_NAMES[t] ?? (/^[1-5]$/.test(t) ? Number(t) : undefined);
  if (p === undefined) fail(`bad phase ${printable(v)} (1-5, request, response or logging)`);
  return p as 1 | 2 | 3 | 4 | 5;
}

export function parseSeverity(v: string): number {
  const t = v.trim();
  if (/^[0-7]$/.test(t)) return Number(t);
  const i = SEVERITIES.indexOf(t.toUpperCase() as (typeof SEVERITIES)[number]);
  if (i < 0) fail(`bad severity ${printable(v)} (0-7 or ${SEVERITIES.join(', ')})`);
  return i;
}

const MAX_RULE_ID = 2 ** 31 - 1;

export function parseRuleId(v: string): number {
  const t = v.trim();
  if (!/^\d{1,10}$/.test(t)) fail(`bad rule id ${printable(v)} (a positive integer)`);
  const id = Number(t);
  if (id < 1 || id > MAX_RULE_ID) fail(`rule id ${t} is outside 1-${MAX_RULE_ID}`);
  return id;
}

/** `123`, `100-199`, several separated by blanks or commas. */
export function parseIdRanges(v: string): IdRange[] {
  const out: IdRange[] = [];
  for (const part of v.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) fail(`bad rule id or range ${printable(part)}`);
    const from = parseRuleId(m![1]!);
    const to = m![2] === undefined ? from : parseRuleId(m![2]);
    if (to < from) fail(`reversed id range ${part}`);
    out.push({ from, to });
  }
  if (out.length === 0) fail('no rule ids');
  return out;
}

/** Finds `ch` in `s` outside `%{...}` macros. */
function indexOutsideMacros(s: string, ch: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && depth > 0) depth--;
    else if (depth === 0 && s[i] === ch) return i;
  }
  return -1;
}

export function parseSetvar(v: string): SetVar {
  let s = v.trim();
  let del = false;
  if (s.startsWith('!')) {
    del = true;
    s = s.slice(1);
  }
  const eq = indexOutsideMacros(s, '=');
  const target = eq < 0 ? s : s.slice(0, eq);
  const dot = target.indexOf('.');
  if (dot <= 0) fail(`setvar needs collection.name, got ${printable(v)}`);
  const col = lookupVariable(target.slice(0, dot));
  if (!col || !col.writable) fail(`setvar cannot write to ${printable(target.slice(0, dot))} (tx, ip, session, user, global or resource)`);
  const name = target.slice(dot + 1);
  if (!name) fail(`setvar has an empty variable name: ${printable(v)}`);
  const out: SetVar = { collection: col!.name, name: parseMacros(name), op: 'flag' };
  if (del) {
    if (eq >= 0) fail(`setvar:!${printable(target)} deletes, so it takes no value`);
    out.op = 'delete';
    return out;
  }
  if (eq < 0) return out;
  let value = s.slice(eq + 1);
  out.op = 'set';
  if (value.startsWith('+')) {
    out.op = 'add';
    value = value.slice(1);
  } else if (value.startsWith('-')) {
    out.op = 'sub';
    value = value.slice(1);
  }
  out.value = parseMacros(value);
  return out;
}

export function parseCtl(v: string): Ctl {
  const eq = v.indexOf('=');
  if (eq <= 0) fail(`ctl needs option=value, got ${printable(v)}`);
  const spec = lookupCtl(v.slice(0, eq).trim());
  if (!spec) fail(`unknown ctl option ${printable(v.slice(0, eq))}`);
  const value = v.slice(eq + 1).trim();
  if (value === '') fail(`ctl:${spec!.name} needs a value`);
  const out: Ctl = { option: spec!.name, value };
  const oneOf = (allowed: readonly string[]) => {
    if (!allowed.some((a) => a.toLowerCase() === value.toLowerCase())) fail(`ctl:${spec!.name} takes ${allowed.join(', ')}, got ${printable(value)}`);
  };
  switch (spec!.value) {
    case 'onOff':
      oneOf(['On', 'Off']);
      break;
    case 'engine':
      oneOf(['On', 'Off', 'DetectionOnly']);
      break;
    case 'processor':
      oneOf(REQUEST_BODY_PROCESSORS);
      break;
    case 'number':
      if (!/^\d+$/.test(value)) fail(`ctl:${spec!.name} takes a number, got ${printable(value)}`);
      break;
    case 'auditParts':
      if (!/^[+-]?[A-Z]+$/.test(value)) fail(`ctl:auditLogParts takes letters A-Z with an optional + or -, got ${printable(value)}`);
      break;
    case 'ids':
      out.ids = parseIdRanges(value);
      break;
    case 'idsTargets':
    case 'textTargets': {
      const semi = value.indexOf(';');
      if (semi <= 0 || semi === value.length - 1) fail(`ctl:${spec!.name} needs WHICH;TARGET, got ${printable(value)}`);
      if (spec!.value === 'idsTargets') out.ids = parseIdRanges(value.slice(0, semi));
      out.targets = parseVariables(value.slice(semi + 1));
      break;
    }
    case 'text':
      break;
  }
  return out;
}

/** Turns split actions into typed actions, checking names and values against the registry. */
export function parseActions(text: string): Action[] {
  const out: Action[] = [];
  for (const a of splitActions(text)) {
    const spec = lookupAction(a.name);
    if (!spec) fail(`unknown action ${printable(a.name)}`);
    const name = spec!.name;
    if (spec!.value === 'none' && a.value !== undefined) fail(`action ${name} takes no value`);
    if (spec!.value === 'required' && (a.value === undefined || a.value === '')) fail(`action ${name} needs a value`);
    const act: Action = { name };
    if (a.value !== undefined) {
      act.value = a.value;
      if (a.quoted) act.quoted = true;
    }
    const v = a.value ?? '';
    switch (name) {
      case 'id':
        parseRuleId(v);
        break;
      case 'phase':
        parsePhase(v);
        break;
      case 'severity':
        parseSeverity(v);
        break;
      case 't':
        if (!lookupTransformation(v)) fail(`unknown transformation ${printable(v)}`);
        act.value = lookupTransformation(v)!.name;
        break;
      case 'accuracy':
      case 'maturity':
        if (!/^\d$/.test(v.trim())) fail(`${name} takes 0-9, got ${printable(v)}`);
        break;
      case 'skip':
        if (!/^\d+$/.test(v.trim()) || Number(v) < 1) fail(`skip takes a positive number, got ${printable(v)}`);
        break;
      case 'status':
        if (!/^\d{3}$/.test(v.trim())) fail(`status takes a three-digit HTTP status, got ${printable(v)}`);
        break;
      case 'pause':
        if (!/^\d+$/.test(v.trim())) fail(`pause takes milliseconds, got ${printable(v)}`);
        break;
      case 'allow':
        if (a.value !== undefined && !['phase', 'request'].includes(v.toLowerCase())) fail(`allow takes phase or request, got ${printable(v)}`);
        break;
      case 'setvar':
        act.setvar = parseSetvar(v);
        break;
      case 'ctl':
        act.ctl = parseCtl(v);
        break;
      case 'msg':
      case 'logdata':
      case 'tag':
      case 'setenv':
      case 'setuid':
      case 'setsid':
      case 'setrsc':
      case 'initcol':
      case 'expirevar':
      case 'deprecatevar':
      case 'redirect':
      case 'append':
      case 'prepend':
        act.macro = parseMacros(v);
        break;
    }
    if (name === 'initcol' || name === 'expirevar' || name === 'deprecatevar') {
      // initcol:ip=%{REMOTE_ADDR}; expirevar:ip.blocked=60; deprecatevar:ip.score=60/300
      const m = /^([A-Za-z_]+)(\.[^=]+)?=(.+)$/.exec(v.trim());
      const col = m ? lookupVariable(m[1]!) : undefined;
      const needsName = name !== 'initcol';
      if (!m || !col || !col.writable || needsName !== (m[2] !== undefined)) {
        fail(`${name} needs ${needsName ? 'collection.name' : 'collection'}=value with tx, ip, session, user, global or resource, got ${printable(v)}`);
      }
    }
    out.push(act);
  }
  return out;
}
