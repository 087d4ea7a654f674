/**
 * Globs for include and exclude rules, matched against a path relative to the rule's root
 * (`/`-separated). `*` is any run of characters within one name, `?` one character, `[abc]`,
 * `[a-z]` and `[!abc]` one character of (or not of) a set, `**` as a whole segment any number
 * of directories (none included). A pattern with no `/` matches a name at any depth (`*.log`);
 * one with a `/` matches from the root (`cache/**`, a leading `/` is the same).
 *
 * Names come from the monitored tree, which an attacker may write to: matching is by dynamic
 * programming over segments and characters, never a backtracking regular expression, so a
 * long name costs its length times the pattern's, not more.
 */
import { MamoriError } from 'mamori/errors';

type Part = { k: 'lit'; c: string } | { k: 'any' } | { k: 'star' } | { k: 'set'; neg: boolean; ranges: [number, number][] };
type Segment = { k: 'globstar' } | { k: 'seg'; parts: Part[] };

export interface Glob {
  readonly source: string;
  /** A pattern with a `/` matches from the root; one without matches a name at any depth. */
  readonly anchored: boolean;
  /** Whether `rel` (a path relative to the root, no leading `/`) matches. */
  match(rel: string): boolean;
}

const MAX_PATTERN = 1024;

function parseSegment(s: string, where: string): Part[] {
  const parts: Part[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '*') {
      if (parts[parts.length - 1]?.k !== 'star') parts.push({ k: 'star' });
    } else if (ch === '?') parts.push({ k: 'any' });
    else if (ch === '\\' && i + 1 < s.length) parts.push({ k: 'lit', c: s[++i]! });
    else if (ch === '[') {
      const end = s.indexOf(']', i + 2);
      if (end < 0) throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}: "[" without a closing "]"`);
      let body = s.slice(i + 1, end);
      const neg = body.startsWith('!') || body.startsWith('^');
      if (neg) body = body.slice(1);
      const ranges: [number, number][] = [];
      const chars = [...body];
      for (let j = 0; j < chars.length; j++) {
        const a = chars[j]!.codePointAt(0)!;
        if (chars[j + 1] === '-' && j + 2 < chars.length) {
          const b = chars[j + 2]!.codePointAt(0)!;
          if (b < a) throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}: the range ${chars[j]}-${chars[j + 2]} runs backwards`);
          ranges.push([a, b]);
          j += 2;
        } else ranges.push([a, a]);
      }
      parts.push({ k: 'set', neg, ranges });
      i = end;
    } else parts.push({ k: 'lit', c: ch });
  }
  return parts;
}

function partMatches(p: Part, ch: string): boolean {
  if (p.k === 'any') return true;
  if (p.k === 'lit') return p.c === ch;
  if (p.k === 'set') {
    const c = ch.codePointAt(0)!;
    const inSet = p.ranges.some(([a, b]) => c >= a && c <= b);
    return inSet !== p.neg;
  }
  return false;
}

/** One name against one segment's parts: an NFA run, O(name × parts), no backtracking. */
function segmentMatches(parts: Part[], name: string): boolean {
  const n = parts.length;
  const closure = (set: Uint8Array): void => {
    for (let j = 0; j < n; j++) if (set[j] && parts[j]!.k === 'star') set[j + 1] = 1;
  };
  // cur[j]: the first j parts match the characters read so far.
  let cur = new Uint8Array(n + 1);
  cur[0] = 1;
  closure(cur);
  for (const ch of name) {
    const next = new Uint8Array(n + 1);
    let any = false;
    for (let j = 0; j < n; j++) {
      if (!cur[j]) continue;
      const p = parts[j]!;
      if (p.k === 'star') next[j] = 1;
      else if (partMatches(p, ch)) next[j + 1] = 1;
      else continue;
      any = true;
    }
    if (!any) return false;
    closure(next);
    cur = next;
  }
  return cur[n] === 1;
}

export function compileGlob(pattern: string, where = 'glob'): Glob {
  if (typeof pattern !== 'string' || pattern === '' || pattern.length > MAX_PATTERN) {
    throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}: a glob must be a string of 1 to ${MAX_PATTERN} characters`);
  }
  if (pattern.includes('\0')) throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}: a glob cannot hold a NUL character`);
  const anchored = pattern.includes('/');
  const segs: Segment[] = pattern
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => (s === '**' ? { k: 'globstar' as const } : { k: 'seg' as const, parts: parseSegment(s, where) }));
  if (segs.length === 0) throw new MamoriError('MAMORI_ERR_FIM_RULES', `${where}: "${pattern}" matches nothing`);
  if (!anchored) {
    const only = segs[0] as { k: 'seg'; parts: Part[] };
    return { source: pattern, anchored: false, match: (rel) => segmentMatches(only.parts, rel.slice(rel.lastIndexOf('/') + 1)) };
  }
  return {
    source: pattern,
    anchored: true,
    match(rel) {
      const names = rel === '' ? [] : rel.split('/');
      // ok[i]: segs[0..si) match names[0..i); rolled over si.
      let ok = new Uint8Array(names.length + 1);
      ok[0] = 1;
      for (const s of segs) {
        const next = new Uint8Array(names.length + 1);
        if (s.k === 'globstar') {
          let reach = 0;
          for (let i = 0; i <= names.length; i++) {
            if (ok[i]) reach = 1;
            next[i] = reach;
          }
        } else {
          for (let i = 0; i < names.length; i++) if (ok[i] && segmentMatches(s.parts, names[i]!)) next[i + 1] = 1;
        }
        ok = next;
      }
      return ok[names.length] === 1;
    },
  };
}
