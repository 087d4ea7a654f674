/**
 * What a rule cannot match without: the literals of its values, carried on each
 * compiled test as `req`, combined through AND and OR up to the rule. The
 * engine then runs a rule only for events where one of its literals occurs
 * (found by the automaton in literals.ts), and the result is the same as
 * running every rule: the tests compare both.
 */
import type { EventView } from './view.js';
import type { Part } from './pattern.js';

/**
 * A test of an event. `req`, when set, is a promise about it: the test can only
 * be true when at least one of these lower-cased literals occurs in its field
 * ('' for the keyword text). The engine skips a rule whose literals all miss.
 */
export type Matcher = ((v: EventView) => boolean) & { req?: Req };
export type Req = readonly { readonly field: string; readonly lit: string }[];

export function withReq(m: (v: EventView) => boolean, req: Req | undefined): Matcher {
  const out = m as Matcher;
  if (req !== undefined && req.length > 0) out.req = req;
  return out;
}

/** The requirement of an OR: every branch must have one; then any of theirs. */
export function reqOr(ms: readonly Matcher[]): Req | undefined {
  if (ms.length === 0 || ms.some((m) => m.req === undefined)) return undefined;
  const seen = new Set<string>();
  const out: { field: string; lit: string }[] = [];
  for (const m of ms) for (const r of m.req!) if (!seen.has(`${r.field}\u0000${r.lit}`)) {
    seen.add(`${r.field}\u0000${r.lit}`);
    out.push(r);
  }
  return out.length > MAX_REQ ? undefined : out;
}

/** The requirement of an AND: any one branch's suffices; the one with the fewest literals. */
export function reqAnd(ms: readonly Matcher[]): Req | undefined {
  let best: Req | undefined;
  for (const m of ms) if (m.req !== undefined && (best === undefined || m.req.length < best.length)) best = m.req;
  return best;
}

const MAX_REQ = 256;
/** Literals shorter than this are too common to be worth skipping rules on. */
export const MIN_REQ_LENGTH = 3;

/**
 * The longest literal run of a value, lower-cased, when it is ASCII and long
 * enough to be worth a look-up. (Lower-casing non-ASCII text can depend on its
 * neighbours, so only ASCII literals are promised to survive it.)
 */
export function longestLiteral(parts: readonly Part[]): string | undefined {
  let best = '';
  for (const p of parts) if ('lit' in p && p.lit.length > best.length) best = p.lit;
  return best.length >= MIN_REQ_LENGTH && /^[\x00-\x7f]*$/.test(best) ? best.toLowerCase() : undefined;
}

/**
 * A literal every match of the expression contains, lower-cased, or undefined:
 * the longest run of plain characters at the top level of a pattern without a
 * top-level `|`. Conservative: a group, class, anchor, `.` or escape class ends
 * a run; a character made optional (`?`, `*`, `{`) is dropped; one repeated with
 * `+` ends its run. Used only to skip rules, never to match.
 */
export function regexLiteral(pattern: string): string | undefined {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i++;
    else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return undefined;
  }
  const runs: string[] = [];
  let run = '';
  const end = () => {
    if (run) runs.push(run);
    run = '';
  };
  depth = 0;
  inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (inClass) {
      if (c === '\\') i++;
      else if (c === ']') inClass = false;
      continue;
    }
    if (depth > 0) {
      if (c === '\\') i++;
      else if (c === '[') inClass = true;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
      continue;
    }
    let ch: string | undefined;
    if (c === '\\') {
      const n = pattern[i + 1];
      i++;
      // An escaped punctuation character is itself; \d, \w, \b and the like are not
      // literals, and what follows \x, \u, \p, \c or a digit belongs to the escape.
      if (n !== undefined && /[^A-Za-z0-9]/.test(n)) ch = n;
      else if (n === 'Q') return undefined;
      else if (n === 'x' || n === 'p' || n === 'P') {
        if (pattern[i + 1] === '{') {
          const close = pattern.indexOf('}', i);
          if (close < 0) return undefined;
          i = close;
        } else i += n === 'x' ? 2 : 1;
      } else if (n === 'u') i += 4;
      else if (n === 'c') i += 1;
      else if (n !== undefined && /[0-9]/.test(n)) while (/[0-9]/.test(pattern[i + 1] ?? '')) i++;
    } else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (!'.^$*+?{}|)'.includes(c)) ch = c;
    if (ch === undefined) {
      // A quantifier applies to the character before it; `{n,m}` is skipped whole.
      if (c === '*' || c === '?' || c === '{') run = run.slice(0, -1);
      if (c === '{') {
        const close = pattern.indexOf('}', i);
        if (close < 0) return undefined;
        i = close;
      }
      end();
      continue;
    }
    const q = pattern[i + 1];
    if (q === '*' || q === '?' || q === '{') {
      end();
      continue;
    }
    run += ch;
    if (q === '+') end();
  }
  end();
  let best = '';
  for (const r of runs) if (r.length > best.length) best = r;
  return best.length >= MIN_REQ_LENGTH && /^[\x00-\x7f]*$/.test(best) ? best.toLowerCase() : undefined;
}

