/**
 * STIX 2.1 indicators (OASIS STIX 2.1, section 4.7 "Indicator" and section 9
 * "STIX Patterning"): the `indicator` objects of a bundle whose `pattern_type`
 * is `stix`, with patterns that say "this value" of a kind mamori keeps.
 *
 * Taken: equality comparisons (`=`, `IN (...)`) on `ipv4-addr:value`,
 * `ipv6-addr:value`, `domain-name:value`, `url:value`, `file:hashes.MD5 /
 * 'SHA-1' / 'SHA-256'`, `file:name`, `network-traffic:dst_ref.value` /
 * `src_ref.value`, joined by OR (within and across observations); AND only
 * between hashes of one file (each hash names the same file). Skipped, each
 * with a counted reason: other operators (`MATCHES`, `LIKE`, `!=`, `>`...),
 * `NOT`, AND of different properties, `FOLLOWEDBY`, qualifiers (`WITHIN`,
 * `REPEATS`, `START ... STOP`), other object types, revoked indicators and
 * other pattern languages. `valid_from` is the first-seen time and
 * `valid_until` the expiry.
 *
 * Example: `[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value = 'evil.example']`.
 */
import type { IndicatorKind, ParseResult } from './indicator.js';
import { isRecord, parseBoundedJson, parseError, parseTime, ResultCollector } from './parse-common.js';
import { tryParseIp } from 'mamori/internal/net';

/** One `path = 'value'` the pattern holds, as mamori keeps it. */
export interface PatternTerm {
  readonly kind: IndicatorKind;
  readonly value: string;
}

export type PatternResult = { terms: PatternTerm[] } | { skip: string };

const MAX_PATTERN = 64 * 1024;
const MAX_TERMS = 10_000;

type Token = { t: 'punct'; v: string } | { t: 'word'; v: string } | { t: 'str'; v: string } | { t: 'other'; v: string };

function tokenize(p: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= p.length) return 'unterminated string';
        const d = p[i]!;
        if (d === '\\') {
          const e = p[i + 1];
          if (e !== "'" && e !== '\\') return 'bad escape in a string';
          s += e;
          i += 2;
          continue;
        }
        if (d === "'") {
          i++;
          break;
        }
        s += d;
        i++;
      }
      out.push({ t: 'str', v: s });
      continue;
    }
    if ('[]()'.includes(c) || c === ',') {
      out.push({ t: 'punct', v: c });
      i++;
      continue;
    }
    if (c === '=' || c === '!' || c === '<' || c === '>') {
      const two = p.slice(i, i + 2);
      const op = two === '!=' || two === '<=' || two === '>=' ? two : c;
      out.push({ t: 'punct', v: op });
      i += op.length;
      continue;
    }
    // A word: an object path (with quoted keys such as hashes.'SHA-256'), a keyword, a number, t'...'/h'...'/b'...'.
    let j = i;
    let w = '';
    while (j < p.length) {
      const d = p[j]!;
      if (d === "'") {
        // a quoted path component (hashes.'SHA-256') or a typed literal (t'2020-...')
        const end = p.indexOf("'", j + 1);
        if (end < 0) return 'unterminated string';
        w += p.slice(j, end + 1);
        j = end + 1;
        continue;
      }
      if (' \t\r\n[](),=!<>'.includes(d)) break;
      w += d;
      j++;
    }
    if (w.length === 0) return `unexpected character ${JSON.stringify(c)}`;
    out.push({ t: 'word', v: w });
    i = j;
  }
  return out;
}

const HASH_KEYS: Record<string, IndicatorKind> = { md5: 'md5', 'sha-1': 'sha1', sha1: 'sha1', 'sha-256': 'sha256', sha256: 'sha256' };

/** The kind a STIX object path holds, or why it is not one mamori keeps. */
function kindOfPath(path: string): IndicatorKind | 'ip-or-domain' | { skip: string } {
  const colon = path.indexOf(':');
  if (colon < 0) return { skip: `not an object path: ${path.slice(0, 60)}` };
  const type = path.slice(0, colon).toLowerCase();
  const prop = path.slice(colon + 1);
  const plower = prop.toLowerCase();
  if ((type === 'ipv4-addr' || type === 'ipv6-addr') && plower === 'value') return 'ip';
  if (type === 'domain-name' && plower === 'value') return 'domain';
  if (type === 'url' && plower === 'value') return 'url';
  if (type === 'file' && plower === 'name') return 'file-name';
  if (type === 'file' && plower.startsWith('hashes.')) {
    const key = prop.slice(7).replace(/^'(.*)'$/, '$1').toLowerCase();
    const k = HASH_KEYS[key];
    return k ?? { skip: `hash type ${key.slice(0, 20)}` };
  }
  if (type === 'network-traffic' && (plower === 'dst_ref.value' || plower === 'src_ref.value')) return 'ip-or-domain';
  return { skip: `object path ${type}:${prop.split('.')[0]!.slice(0, 40)}` };
}

const HASH_KINDS = new Set<IndicatorKind>(['md5', 'sha1', 'sha256']);

/**
 * The values a STIX pattern says to look for, or the reason mamori cannot
 * represent it (one reason per pattern: the first met).
 */
export function parseStixPattern(pattern: string): PatternResult {
  if (typeof pattern !== 'string') return { skip: 'pattern is not a string' };
  if (pattern.length > MAX_PATTERN) return { skip: `pattern longer than ${MAX_PATTERN} characters` };
  const toks = tokenize(pattern);
  if (typeof toks === 'string') return { skip: `pattern syntax: ${toks}` };
  const terms: PatternTerm[] = [];
  let i = 0;
  const peek = () => toks[i];
  const isWord = (tok: Token | undefined, w: string) => tok?.t === 'word' && tok.v.toUpperCase() === w;
  const isPunct = (tok: Token | undefined, v: string) => tok?.t === 'punct' && tok.v === v;

  // comparison := path op value ; returns the terms, or a skip reason
  const comparison = (): PatternTerm[] | { skip: string } => {
    const pathTok = toks[i++];
    if (pathTok?.t !== 'word') return { skip: 'pattern syntax: expected an object path' };
    if (pathTok.v.toUpperCase() === 'NOT') return { skip: 'operator NOT' };
    const opTok = toks[i++];
    if (!opTok) return { skip: 'pattern syntax: expected an operator' };
    let op = opTok.v.toUpperCase();
    if (op === 'NOT') {
      const next = toks[i++];
      return { skip: `operator NOT ${next?.v.toUpperCase() ?? ''}`.trim() };
    }
    const values: string[] = [];
    if (op === '=') {
      const v = toks[i++];
      if (v?.t !== 'str') return { skip: 'comparison with a value that is not a string' };
      values.push(v.v);
    } else if (op === 'IN') {
      if (!isPunct(toks[i++], '(')) return { skip: 'pattern syntax: IN without (' };
      for (;;) {
        const v = toks[i++];
        if (v?.t !== 'str') return { skip: 'IN list with a value that is not a string' };
        values.push(v.v);
        const sep = toks[i++];
        if (isPunct(sep, ')')) break;
        if (!isPunct(sep, ',')) return { skip: 'pattern syntax: IN list' };
      }
    } else {
      if (opTok.t === 'punct') op = opTok.v;
      return { skip: `operator ${op}` };
    }
    const kind = kindOfPath(pathTok.v);
    if (typeof kind === 'object') return kind;
    return values.map((v) => ({ kind: kind === 'ip-or-domain' ? (tryParseIp(v.split('/')[0]!) ? 'ip' : 'domain') : kind, value: v }));
  };

  // expression := term ((AND|OR) term)* ; term := comparison | '(' expression ')'
  const expression = (depth: number): PatternTerm[] | { skip: string } => {
    if (depth > 32) return { skip: 'pattern nested too deep' };
    const parts: PatternTerm[][] = [];
    let sawAnd = false;
    for (;;) {
      let part: PatternTerm[] | { skip: string };
      if (isPunct(peek(), '(')) {
        i++;
        part = expression(depth + 1);
        if (!Array.isArray(part)) return part;
        if (!isPunct(toks[i++], ')')) return { skip: 'pattern syntax: expected )' };
      } else part = comparison();
      if (!Array.isArray(part)) return part;
      parts.push(part);
      if (isWord(peek(), 'AND')) {
        sawAnd = true;
        i++;
      } else if (isWord(peek(), 'OR')) i++;
      else break;
    }
    const all = parts.flat();
    // AND only between hashes of one file: each names that file on its own.
    if (sawAnd && !all.every((t) => HASH_KINDS.has(t.kind))) return { skip: 'AND of different properties' };
    return all;
  };

  // pattern := observation ((OR|AND|FOLLOWEDBY) observation)* ; observation := '[' expression ']' qualifiers?
  const observations = (depth: number): PatternTerm[] | { skip: string } => {
    if (depth > 32) return { skip: 'pattern nested too deep' };
    const out: PatternTerm[] = [];
    for (;;) {
      const tok = toks[i++];
      if (isPunct(tok, '(')) {
        const inner = observations(depth + 1);
        if (!Array.isArray(inner)) return inner;
        if (!isPunct(toks[i++], ')')) return { skip: 'pattern syntax: expected )' };
        out.push(...inner);
      } else if (isPunct(tok, '[')) {
        const e = expression(0);
        if (!Array.isArray(e)) return e;
        if (!isPunct(toks[i++], ']')) return { skip: 'pattern syntax: expected ]' };
        out.push(...e);
      } else return { skip: 'pattern syntax: expected [' };
      const q = peek();
      if (isWord(q, 'WITHIN') || isWord(q, 'REPEATS') || isWord(q, 'START')) return { skip: `qualifier ${q!.v.toUpperCase()}` };
      if (isWord(q, 'OR')) {
        i++;
        continue;
      }
      if (isWord(q, 'AND')) return { skip: 'AND across observations' };
      if (isWord(q, 'FOLLOWEDBY')) return { skip: 'FOLLOWEDBY' };
      break;
    }
    return out;
  };

  const r = observations(0);
  if (!Array.isArray(r)) return r;
  if (i !== toks.length) {
    const q = toks[i]!;
    if (isWord(q, 'WITHIN') || isWord(q, 'REPEATS') || isWord(q, 'START')) return { skip: `qualifier ${q.v.toUpperCase()}` };
    return { skip: 'pattern syntax: text after the pattern' };
  }
  if (r.length > MAX_TERMS) return { skip: `more than ${MAX_TERMS} values in one pattern` };
  terms.push(...r);
  return { terms };
}

/** Parses a STIX 2.1 bundle (or one indicator object, or an array of objects). */
export function parseStix(text: string, name: string): ParseResult {
  const doc = parseBoundedJson(text, name);
  let objects: unknown[];
  if (Array.isArray(doc)) objects = doc;
  else if (isRecord(doc) && doc.type === 'bundle') {
    if (doc.objects === undefined) objects = [];
    else if (!Array.isArray(doc.objects)) throw parseError(name, 'a STIX bundle whose "objects" is not an array');
    else objects = doc.objects;
  } else if (isRecord(doc) && typeof doc.type === 'string') objects = [doc];
  else throw parseError(name, 'not a STIX 2.1 bundle (no "type": "bundle")');
  const c = new ResultCollector();
  objects.forEach((o, index) => {
    const where = `${name}: objects[${index}]`;
    if (!isRecord(o) || o.type !== 'indicator') return; // identities, relationships, malware...: not indicators
    const id = typeof o.id === 'string' ? o.id.slice(0, 100) : undefined;
    const at = id ? `${where} (${id})` : where;
    if (o.revoked === true) return c.skip(at, 'revoked');
    const patternType = o.pattern_type ?? 'stix';
    if (patternType !== 'stix') return c.skip(at, `pattern_type ${String(patternType).slice(0, 20)}`);
    if (typeof o.pattern !== 'string') return c.skip(at, 'no pattern');
    const r = parseStixPattern(o.pattern);
    if ('skip' in r) return c.skip(at, r.skip);
    const firstSeen = parseTime(o.valid_from) ?? parseTime(o.created);
    const expires = parseTime(o.valid_until);
    const note = typeof o.name === 'string' ? o.name.slice(0, 200) : typeof o.description === 'string' ? o.description.slice(0, 200) : undefined;
    for (const t of r.terms) c.add(t.kind, t.value, at, { firstSeen, expires, note });
  });
  return c.result();
}

