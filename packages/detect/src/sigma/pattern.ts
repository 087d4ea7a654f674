/**
 * Sigma's plain values: `*` (any run of characters) and `?` (one character),
 * with backslash escapes, compiled once into a string test.
 *
 * Escaping follows the specification: a backslash escapes `*`, `?` and a
 * backslash; before any other character it is itself. So `\*` is a star, `\\*`
 * a backslash then a wildcard, `\\\*` a backslash then a star, `C:\Windows` has
 * its backslash.
 *
 * Matching never backtracks: the pattern is cut at its stars into segments; the
 * first segment must sit at the start, the last at the end, and each middle one
 * is found leftmost after the previous (the leftmost place is always the best
 * choice for a star-separated pattern). A segment of plain text is found with
 * indexOf; one holding `?` or a set is tried position by position, which costs
 * its length times the value's, so a pattern whose `?` segments are longer than
 * MAX_UNIT_SEGMENT is handed to RE2 instead, linear in the value whatever the
 * pattern.
 */
import { RE2JS } from 're2js';

const MAX_UNIT_SEGMENT = 64;

/** One position of a segment: a literal code unit, any code unit (`?`), or a set (windash). */
export type Unit = string | null | { readonly set: string };

/** A value as a sequence: literal text, `*`, `?`, or a character set. */
export type Part = { readonly lit: string } | { readonly star: true } | { readonly one: true } | { readonly set: string };

export function parseWildcards(value: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push({ lit });
    lit = '';
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const n = value[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else lit += c;
    } else if (c === '*') {
      flush();
      if (!(parts.length > 0 && 'star' in parts[parts.length - 1]!)) parts.push({ star: true });
    } else if (c === '?') {
      flush();
      parts.push({ one: true });
    } else lit += c;
  }
  flush();
  return parts;
}

export function literalParts(s: string): Part[] {
  return s ? [{ lit: s }] : [];
}

export function hasWildcards(parts: readonly Part[]): boolean {
  return parts.some((p) => !('lit' in p));
}

export function partsText(parts: readonly Part[]): string {
  return parts.map((p) => ('lit' in p ? p.lit : 'star' in p ? '*' : 'one' in p ? '?' : `[${p.set}]`)).join('');
}

export function wrap(parts: readonly Part[], before: boolean, after: boolean): Part[] {
  const out = [...parts];
  if (before && !(out[0] && 'star' in out[0])) out.unshift({ star: true });
  if (after && !(out[out.length - 1] && 'star' in out[out.length - 1]!)) out.push({ star: true });
  return out;
}

/**
 * windash: a dash-like character that starts a command-line switch (not after a
 * letter or digit, followed by one) may be any of `-`, `/`, en dash, em dash and
 * horizontal bar. Done as a character set, so the value does not multiply.
 */
const DASHES = '-/\u2013\u2014\u2015';
export function windash(parts: readonly Part[]): Part[] {
  const out: Part[] = [];
  const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
  for (const p of parts) {
    if (!('lit' in p)) {
      out.push(p);
      continue;
    }
    let lit = '';
    for (let i = 0; i < p.lit.length; i++) {
      const c = p.lit[i]!;
      if (DASHES.includes(c) && !isWord(p.lit[i - 1]) && isWord(p.lit[i + 1])) {
        if (lit) out.push({ lit });
        lit = '';
        out.push({ set: DASHES });
      } else lit += c;
    }
    if (lit) out.push({ lit });
  }
  return out;
}

export type StringTest = (s: string) => boolean;

/** Compiles a value. `caseless`: the caller passes lower-cased input, so the pattern is lower-cased here. */
export function compileParts(parts: readonly Part[], caseless: boolean): StringTest {
  const norm = (s: string) => (caseless ? s.toLowerCase() : s);
  const ps = parts.map((p): Part => ('lit' in p ? { lit: norm(p.lit) } : 'set' in p ? { set: norm(p.set) } : p));
  const isLit = (p: Part | undefined): p is { lit: string } => p !== undefined && 'lit' in p;
  const isStar = (p: Part | undefined) => p !== undefined && 'star' in p;
  // The common shapes, each one string call.
  if (ps.length === 0) return (s) => s === '';
  if (ps.length === 1 && isLit(ps[0])) {
    const a = ps[0].lit;
    return (s) => s === a;
  }
  if (ps.length === 1 && isStar(ps[0])) return () => true;
  if (ps.length === 2 && isLit(ps[0]) && isStar(ps[1])) {
    const a = ps[0].lit;
    return (s) => s.startsWith(a);
  }
  if (ps.length === 2 && isStar(ps[0]) && isLit(ps[1])) {
    const a = ps[1].lit;
    return (s) => s.endsWith(a);
  }
  if (ps.length === 3 && isStar(ps[0]) && isLit(ps[1]) && isStar(ps[2])) {
    const a = ps[1].lit;
    return (s) => s.includes(a);
  }
  // General: segments between stars.
  const segments: Unit[][] = [[]];
  for (const p of ps) {
    if ('star' in p) segments.push([]);
    else {
      const seg = segments[segments.length - 1]!;
      if ('lit' in p) for (const ch of p.lit.split('')) seg.push(ch);
      else if ('one' in p) seg.push(null);
      else seg.push({ set: p.set });
    }
  }
  const anchoredStart = !isStar(ps[0]);
  const anchoredEnd = !isStar(ps[ps.length - 1]);
  if (segments.some((seg) => seg.length > MAX_UNIT_SEGMENT && seg.some((u) => typeof u !== 'string'))) return viaRe2(ps);
  const minLen = segments.reduce((n, s) => n + s.length, 0);
  const plain = segments.map((seg) => (seg.every((u) => typeof u === 'string') ? seg.join('') : undefined));
  return (s) => globMatch(s, segments, plain, anchoredStart, anchoredEnd, minLen);
}

function unitAt(s: string, i: number, u: Unit): boolean {
  if (u === null) return true;
  if (typeof u === 'string') return s[i] === u;
  return u.set.includes(s[i]!);
}

function segAt(s: string, pos: number, seg: readonly Unit[]): boolean {
  if (pos + seg.length > s.length) return false;
  for (let k = 0; k < seg.length; k++) if (!unitAt(s, pos + k, seg[k]!)) return false;
  return true;
}

function segFind(s: string, from: number, to: number, seg: readonly Unit[], plain: string | undefined): number {
  if (plain !== undefined) {
    const at = s.indexOf(plain, from);
    return at >= 0 && at + plain.length <= to ? at : -1;
  }
  for (let p = from; p + seg.length <= to; p++) if (segAt(s, p, seg)) return p;
  return -1;
}

/** The pattern as an anchored RE2 expression (`.` for ?, `.*` for *, sets as classes). */
function viaRe2(ps: readonly Part[]): StringTest {
  const esc = (t: string) => t.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  const body = ps.map((p) => ('lit' in p ? esc(p.lit) : 'star' in p ? '.*' : 'one' in p ? '.' : `[${esc(p.set)}]`)).join('');
  const re = RE2JS.compile(`^(?:${body})$`, RE2JS.DOTALL);
  return (s) => re.test(s);
}

function globMatch(s: string, segments: readonly (readonly Unit[])[], plain: readonly (string | undefined)[], anchoredStart: boolean, anchoredEnd: boolean, minLen: number): boolean {
  if (s.length < minLen) return false;
  const n = segments.length;
  if (n === 1) return s.length === segments[0]!.length && segAt(s, 0, segments[0]!);
  let start = 0;
  let end = s.length;
  let first = 0;
  let last = n - 1;
  if (anchoredStart) {
    if (!segAt(s, 0, segments[0]!)) return false;
    start = segments[0]!.length;
    first = 1;
  }
  if (anchoredEnd) {
    const seg = segments[n - 1]!;
    if (end - seg.length < start || !segAt(s, end - seg.length, seg)) return false;
    end -= seg.length;
    last = n - 2;
  }
  for (let i = first; i <= last; i++) {
    const seg = segments[i]!;
    if (seg.length === 0) continue;
    const at = segFind(s, start, end, seg, plain[i]);
    if (at < 0) return false;
    start = at + seg.length;
  }
  return true;
}
