/**
 * The filter language of scenarios: a small expression over an event's fields,
 * parsed by hand and compiled into a tree of closures (no eval).
 *
 *   event.dataset == "sshd" and event.outcome == "failure"
 *   http.response.status_code in [401, 403] and not source.ip cidr "10.0.0.0/8"
 *   url.original contains @vpn-exploit-paths or url.query matches "(?i)union\\s+select"
 *   mamori.ioc exists
 *
 * Operators: == != < <= > >= (numbers compare as numbers, anything else as
 * strings), in [...] / not in [...], contains, startswith, endswith and their
 * case-insensitive forms icontains, istartswith, iendswith, matches "regex"
 * (the WAF's linear-time matcher: no back-references or look-around),
 * cidr "range" or cidr [...], `field exists`, and, or, not, parentheses.
 * The right-hand side of ==, in, contains, startswith and endswith may be a
 * list (`@name`): each list is compiled once into one automaton (see
 * word-list.ts), so a rule's cost does not grow with the list's size.
 * A field that the event lacks makes every comparison on it false.
 */
import { compilePattern, type CompiledPattern } from 'mamori/waf';
import { CidrList, MamoriError } from 'mamori/internal';
import type { FieldValue } from '../model.js';
import type { WordList } from './word-list.js';

export type Fields = Readonly<Record<string, FieldValue>>;
export type Predicate = (f: Fields) => boolean;

/** Where the expression's text starts in its file, to report errors there. */
export interface ExprOrigin {
  readonly file: string;
  /** 1-based line and column of the expression's first character. */
  readonly line: number;
  readonly col: number;
  /** Columns before the text on its later lines (a YAML block scalar's indentation). */
  readonly indent?: number;
}

export interface ExprContext {
  /** The lists `@name` may refer to. */
  readonly lists: ReadonlyMap<string, WordList>;
}

/** Most characters of one expression, and most nodes it may compile to. */
const MAX_EXPR = 8192;
const MAX_NODES = 2000;
const MAX_DEPTH = 64;
const MAX_LITERALS = 10_000;

type Tok =
  | { k: 'id'; v: string; at: number }
  | { k: 'str'; v: string; at: number }
  | { k: 'num'; v: number; at: number }
  | { k: 'list'; v: string; at: number }
  | { k: 'op'; v: string; at: number }
  | { k: 'end'; at: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith', 'matches', 'cidr', 'exists', 'true', 'false']);
const FIELD_RE = /^[A-Za-z_@][A-Za-z0-9_.@-]*$/;

export class ExprError extends MamoriError {
  constructor(message: string, location: string) {
    super('MAMORI_ERR_DETECT_SCENARIO', message, { location });
  }
}

/** Compiles `text` into a predicate over an event's fields; ExprError names file:line:col. */
export function compileExpr(text: string, origin: ExprOrigin, ctx: ExprContext): Predicate {
  return new ExprParser(text, origin, ctx).parse();
}

class ExprParser {
  private readonly toks: Tok[];
  private i = 0;
  private nodes = 0;
  private literals = 0;

  constructor(private readonly text: string, private readonly origin: ExprOrigin, private readonly ctx: ExprContext) {
    if (text.length > MAX_EXPR) throw this.error(`the expression is longer than ${MAX_EXPR} characters`, 0);
    this.toks = this.lex();
  }

  /** The file:line:col of an offset into the expression. */
  private where(at: number): string {
    let line = this.origin.line;
    let col = this.origin.col;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        col = (this.origin.indent ?? 0) + 1;
      } else col++;
    }
    return `${this.origin.file}:${line}:${col}`;
  }

  private error(message: string, at: number): ExprError {
    return new ExprError(message, this.where(at));
  }

  private lex(): Tok[] {
    const s = this.text;
    const out: Tok[] = [];
    let i = 0;
    while (i < s.length) {
      const c = s[i]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        i++;
        continue;
      }
      const at = i;
      if (c === '"' || c === "'") {
        let v = '';
        i++;
        for (;;) {
          if (i >= s.length) throw this.error('a string is not closed', at);
          const d = s[i]!;
          if (d === c) {
            i++;
            break;
          }
          if (d === '\\') {
            const e = s[i + 1];
            if (e === undefined) throw this.error('a string ends in a backslash', i);
            // Only quotes and backslashes are escaped; everything else (a regex's \d) stays as written.
            if (e === c || e === '\\') v += e;
            else v += `\\${e}`;
            i += 2;
            continue;
          }
          v += d;
          i++;
        }
        out.push({ k: 'str', v, at });
        continue;
      }
      if ((c >= '0' && c <= '9') || (c === '-' && /[0-9]/.test(s[i + 1] ?? ''))) {
        let j = i + 1;
        while (j < s.length && /[0-9.]/.test(s[j]!)) j++;
        const v = Number(s.slice(i, j));
        if (!Number.isFinite(v)) throw this.error(`"${s.slice(i, j)}" is not a number`, at);
        out.push({ k: 'num', v, at });
        i = j;
        continue;
      }
      if (c === '@' && /[A-Za-z]/.test(s[i + 1] ?? '')) {
        let j = i + 1;
        while (j < s.length && /[A-Za-z0-9_-]/.test(s[j]!)) j++;
        out.push({ k: 'list', v: s.slice(i + 1, j), at });
        i = j;
        continue;
      }
      if (/[A-Za-z_]/.test(c)) {
        let j = i + 1;
        while (j < s.length && /[A-Za-z0-9_.@-]/.test(s[j]!)) j++;
        out.push({ k: 'id', v: s.slice(i, j), at });
        i = j;
        continue;
      }
      const two = s.slice(i, i + 2);
      if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
        out.push({ k: 'op', v: two, at });
        i += 2;
        continue;
      }
      if ('()[],<>'.includes(c)) {
        out.push({ k: 'op', v: c, at });
        i++;
        continue;
      }
      throw this.error(`unexpected character "${c}"`, at);
    }
    out.push({ k: 'end', at: s.length });
    return out;
  }

  private peek(): Tok {
    return this.toks[this.i]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }
  private isWord(t: Tok, w: string): boolean {
    return t.k === 'id' && t.v === w;
  }
  private isOp(t: Tok, o: string): boolean {
    return t.k === 'op' && t.v === o;
  }
  private expectOp(o: string): void {
    const t = this.next();
    if (!this.isOp(t, o)) throw this.error(`expected "${o}", found ${describe(t)}`, t.at);
  }
  private count(at: number): void {
    if (++this.nodes > MAX_NODES) throw this.error(`the expression has more than ${MAX_NODES} parts`, at);
  }

  parse(): Predicate {
    if (this.peek().k === 'end') throw this.error('the expression is empty', 0);
    const p = this.or(0);
    const t = this.peek();
    if (t.k !== 'end') throw this.error(`unexpected ${describe(t)} (a missing "and" or "or"?)`, t.at);
    return p;
  }

  private or(depth: number): Predicate {
    const parts = [this.and(depth)];
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      parts.push(this.and(depth));
    }
    if (parts.length === 1) return parts[0]!;
    return (f) => {
      for (const p of parts) if (p(f)) return true;
      return false;
    };
  }

  private and(depth: number): Predicate {
    const parts = [this.not(depth)];
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      parts.push(this.not(depth));
    }
    if (parts.length === 1) return parts[0]!;
    if (parts.length === 2) {
      const [a, b] = parts as [Predicate, Predicate];
      return (f) => a(f) && b(f);
    }
    return (f) => {
      for (const p of parts) if (!p(f)) return false;
      return true;
    };
  }

  private not(depth: number): Predicate {
    const t = this.peek();
    if (depth > MAX_DEPTH) throw this.error(`the expression nests deeper than ${MAX_DEPTH}`, t.at);
    if (this.isWord(t, 'not')) {
      this.next();
      this.count(t.at);
      const p = this.not(depth + 1);
      return (f) => !p(f);
    }
    return this.primary(depth);
  }

  private primary(depth: number): Predicate {
    const t = this.next();
    this.count(t.at);
    if (this.isOp(t, '(')) {
      const p = this.or(depth + 1);
      this.expectOp(')');
      return p;
    }
    if (t.k !== 'id' || KEYWORDS.has(t.v)) throw this.error(`expected a field name or "(", found ${describe(t)}`, t.at);
    if (!FIELD_RE.test(t.v) || t.v.length > 128) throw this.error(`"${t.v.slice(0, 40)}" is not a field name`, t.at);
    return this.comparison(t.v, t.at);
  }

  private comparison(field: string, fieldAt: number): Predicate {
    const op = this.next();
    if (this.isWord(op, 'exists')) return (f) => f[field] !== undefined;
    if (op.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(op.v)) {
      const rhs = this.next();
      if (rhs.k === 'list') {
        if (op.v !== '==' && op.v !== '!=') throw this.error(`"${op.v}" cannot compare with a list; use ==, in or contains`, rhs.at);
        const list = this.list(rhs);
        const eq: Predicate = (f) => {
          const v = f[field];
          return v !== undefined && list.equals(String(v));
        };
        return op.v === '==' ? eq : (f) => f[field] !== undefined && !eq(f);
      }
      const lit = this.literal(rhs);
      return compare(field, op.v, lit);
    }
    if (this.isWord(op, 'not')) {
      const inTok = this.next();
      if (!this.isWord(inTok, 'in')) throw this.error(`expected "in" after "not", found ${describe(inTok)}`, inTok.at);
      const p = this.inList(field);
      return (f) => f[field] !== undefined && !p(f);
    }
    if (this.isWord(op, 'in')) return this.inList(field);
    if (op.k === 'id' && ['contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith'].includes(op.v)) return this.stringOp(field, op.v);
    if (this.isWord(op, 'matches')) {
      const rhs = this.next();
      if (rhs.k !== 'str') throw this.error(`"matches" takes a quoted regular expression, found ${describe(rhs)}`, rhs.at);
      let re: CompiledPattern;
      try {
        // The WAF's matcher: a lazy DFA, linear in the input, refusing back-references and look-around.
        re = compilePattern(rhs.v, { dfaCells: 4096, maxProgram: 20_000 });
      } catch (err) {
        throw this.error(`the regular expression cannot run in linear time or does not parse: ${(err as Error).message}`, rhs.at);
      }
      return (f) => {
        const v = f[field];
        return v !== undefined && re.test(typeof v === 'string' ? v : String(v));
      };
    }
    if (this.isWord(op, 'cidr')) {
      const rhs = this.next();
      const ranges = rhs.k === 'op' && rhs.v === '[' ? this.literalList(rhs).map(String) : [String(this.literal(rhs))];
      let list: CidrList;
      try {
        list = new CidrList(ranges);
      } catch (err) {
        throw this.error(`not an address range: ${(err as Error).message}`, rhs.at);
      }
      return (f) => {
        const v = f[field];
        return typeof v === 'string' && list.contains(v);
      };
    }
    throw this.error(`expected an operator after "${field}" (==, !=, <, >, in, contains, startswith, endswith, matches, cidr, exists), found ${describe(op)}`, op.k === 'end' ? fieldAt : op.at);
  }

  private inList(field: string): Predicate {
    const t = this.next();
    if (t.k === 'list') {
      const list = this.list(t);
      return (f) => {
        const v = f[field];
        return v !== undefined && list.equals(String(v));
      };
    }
    if (!this.isOp(t, '[')) throw this.error(`"in" takes [values] or @list, found ${describe(t)}`, t.at);
    const set = new Set(this.literalList(t).map(String));
    return (f) => {
      const v = f[field];
      return v !== undefined && set.has(typeof v === 'string' ? v : String(v));
    };
  }

  private stringOp(field: string, op: string): Predicate {
    const rhs = this.next();
    const ci = op.startsWith('i');
    const kind = ci ? op.slice(1) : op;
    if (rhs.k === 'list') {
      if (ci) throw this.error(`"${op}" with a list: a list says itself whether it ignores case (case: insensitive)`, rhs.at);
      const list = this.list(rhs);
      const test = kind === 'contains' ? (s: string) => list.contains(s) : kind === 'startswith' ? (s: string) => list.startsWith(s) : (s: string) => list.endsWith(s);
      return (f) => {
        const v = f[field];
        return v !== undefined && test(typeof v === 'string' ? v : String(v));
      };
    }
    if (rhs.k !== 'str') throw this.error(`"${op}" takes a quoted string or @list, found ${describe(rhs)}`, rhs.at);
    const needle = ci ? rhs.v.toLowerCase() : rhs.v;
    const norm = ci ? (s: string) => s.toLowerCase() : (s: string) => s;
    const test = kind === 'contains' ? (s: string) => s.includes(needle) : kind === 'startswith' ? (s: string) => s.startsWith(needle) : (s: string) => s.endsWith(needle);
    return (f) => {
      const v = f[field];
      return v !== undefined && test(norm(typeof v === 'string' ? v : String(v)));
    };
  }

  private list(t: Tok & { k: 'list' }): WordList {
    const l = this.ctx.lists.get(t.v);
    if (!l) throw this.error(`no list is named "${t.v}"${this.ctx.lists.size ? ` (lists: ${[...this.ctx.lists.keys()].slice(0, 20).join(', ')})` : ''}`, t.at);
    return l;
  }

  private literal(t: Tok): string | number | boolean {
    if (t.k === 'str' || t.k === 'num') return t.v;
    if (this.isWord(t, 'true')) return true;
    if (this.isWord(t, 'false')) return false;
    throw this.error(`expected a value (a quoted string, a number, true or false), found ${describe(t)}`, t.at);
  }

  private literalList(open: Tok): (string | number | boolean)[] {
    const out: (string | number | boolean)[] = [];
    if (this.isOp(this.peek(), ']')) throw this.error('the list is empty', open.at);
    for (;;) {
      const t = this.next();
      out.push(this.literal(t));
      if (++this.literals > MAX_LITERALS) throw this.error(`more than ${MAX_LITERALS} values: put them in a list (@name)`, t.at);
      const sep = this.next();
      if (this.isOp(sep, ']')) return out;
      if (!this.isOp(sep, ',')) throw this.error(`expected "," or "]", found ${describe(sep)}`, sep.at);
    }
  }
}

function compare(field: string, op: string, lit: string | number | boolean): Predicate {
  if (typeof lit === 'number') {
    // Numbers compare as numbers: a parser may give a status as 404 or as "404".
    const num = (v: FieldValue | undefined): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN);
    switch (op) {
      case '==': return (f) => num(f[field]) === lit;
      case '!=': return (f) => { const n = num(f[field]); return !Number.isNaN(n) && n !== lit; };
      case '<': return (f) => num(f[field]) < lit;
      case '<=': return (f) => num(f[field]) <= lit;
      case '>': return (f) => num(f[field]) > lit;
      default: return (f) => num(f[field]) >= lit;
    }
  }
  const s = String(lit);
  const str = (v: FieldValue | undefined): string | undefined => (v === undefined ? undefined : typeof v === 'string' ? v : String(v));
  switch (op) {
    case '==': return (f) => str(f[field]) === s;
    case '!=': return (f) => { const v = str(f[field]); return v !== undefined && v !== s; };
    case '<': return (f) => { const v = str(f[field]); return v !== undefined && v < s; };
    case '<=': return (f) => { const v = str(f[field]); return v !== undefined && v <= s; };
    case '>': return (f) => { const v = str(f[field]); return v !== undefined && v > s; };
    default: return (f) => { const v = str(f[field]); return v !== undefined && v >= s; };
  }
}

function describe(t: Tok): string {
  switch (t.k) {
    case 'end': return 'the end of the expression';
    case 'str': return `the string "${t.v.slice(0, 30)}"`;
    case 'num': return `the number ${t.v}`;
    case 'list': return `the list @${t.v}`;
    default: return `"${t.v}"`;
  }
}
