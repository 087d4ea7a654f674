/**
 * Sigma conditions: `and`, `or`, `not`, parentheses, `1 of X*`, `all of X*`,
 * `N of X*`, `1 of them`, `all of them`. Precedence, loosest first, per the
 * specification: or, and, not, `x of`, parentheses. Operators are read in any
 * case (`AND`). `them` and patterns leave out identifiers starting with `_`.
 *
 * Refused with the reason: the old aggregation syntax (`| count() by x > 5`,
 * replaced by correlation rules), `near`, and conditions longer or deeper than
 * the bounds below.
 */
import { reqAnd, reqOr, RuleError, withReq, type Matcher } from './modifiers.js';
import { compileParts, type Part } from './pattern.js';

const MAX_CONDITION_LENGTH = 4096;
const MAX_DEPTH = 64;

type Node =
  | { readonly t: 'id'; readonly name: string }
  | { readonly t: 'not'; readonly x: Node }
  | { readonly t: 'and' | 'or'; readonly xs: readonly Node[] }
  | { readonly t: 'of'; readonly n: number | 'all'; readonly pattern: string };

type Token = { k: 'word'; v: string } | { k: '(' } | { k: ')' };

function tokenize(cond: string): Token[] {
  if (cond.length > MAX_CONDITION_LENGTH) throw new RuleError('unsupported condition', `a condition longer than ${MAX_CONDITION_LENGTH} characters`);
  if (cond.includes('|')) throw new RuleError('unsupported condition', 'aggregation in the condition (`| count() ...`) is the old syntax; write a correlation rule');
  const out: Token[] = [];
  const re = /\s*(\(|\)|[^\s()]+)/y;
  let pos = 0;
  while (pos < cond.length) {
    re.lastIndex = pos;
    const m = re.exec(cond);
    if (!m) break;
    pos = re.lastIndex;
    const v = m[1]!;
    if (v === '(') out.push({ k: '(' });
    else if (v === ')') out.push({ k: ')' });
    else out.push({ k: 'word', v });
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  parse(): Node {
    const n = this.or(0);
    if (this.i < this.toks.length) throw new RuleError('unsupported condition', `unexpected ${this.show(this.toks[this.i]!)} in the condition`);
    return n;
  }

  private show(t: Token): string {
    return t.k === 'word' ? JSON.stringify(t.v.slice(0, 40)) : `"${t.k}"`;
  }

  private kw(word: string): boolean {
    const t = this.toks[this.i];
    if (t?.k === 'word' && t.v.toLowerCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }

  private or(depth: number): Node {
    const xs = [this.and(depth)];
    while (this.kw('or')) xs.push(this.and(depth));
    return xs.length === 1 ? xs[0]! : { t: 'or', xs };
  }

  private and(depth: number): Node {
    const xs = [this.not(depth)];
    while (this.kw('and')) xs.push(this.not(depth));
    return xs.length === 1 ? xs[0]! : { t: 'and', xs };
  }

  private not(depth: number): Node {
    if (depth > MAX_DEPTH) throw new RuleError('unsupported condition', `a condition nested deeper than ${MAX_DEPTH} levels`);
    if (this.kw('not')) return { t: 'not', x: this.not(depth + 1) };
    return this.primary(depth);
  }

  private primary(depth: number): Node {
    const t = this.toks[this.i];
    if (!t) throw new RuleError('unsupported condition', 'the condition ends too early');
    if (t.k === '(') {
      this.i++;
      const n = this.or(depth + 1);
      if (this.toks[this.i]?.k !== ')') throw new RuleError('unsupported condition', 'a "(" without its ")" in the condition');
      this.i++;
      return n;
    }
    if (t.k === ')') throw new RuleError('unsupported condition', 'a ")" without its "(" in the condition');
    const w = t.v.toLowerCase();
    if (w === 'and' || w === 'or') throw new RuleError('unsupported condition', `"${t.v}" without a left-hand side in the condition`);
    if (w === 'near') throw new RuleError('unsupported condition', '`near` is the old syntax; write a temporal correlation rule');
    const next = this.toks[this.i + 1];
    if (next?.k === 'word' && next.v.toLowerCase() === 'of') {
      let n: number | 'all';
      if (w === 'all') n = 'all';
      else if (/^[1-9]\d{0,3}$/.test(w)) n = Number(w);
      else throw new RuleError('unsupported condition', `"${t.v} of": expected a number or all before "of"`);
      const target = this.toks[this.i + 2];
      if (target?.k !== 'word') throw new RuleError('unsupported condition', `"${t.v} of" needs an identifier pattern or them after it`);
      this.i += 3;
      return { t: 'of', n, pattern: target.v };
    }
    if (w === 'them' || w === 'of' || w === 'not') throw new RuleError('unsupported condition', `unexpected "${t.v}" in the condition`);
    this.i++;
    return { t: 'id', name: t.v };
  }
}

function patternMatches(pattern: string, names: readonly string[]): string[] {
  if (pattern.toLowerCase() === 'them') return names.filter((n) => !n.startsWith('_'));
  if (!pattern.includes('*')) return names.includes(pattern) ? [pattern] : [];
  // Stars only; the wildcard matcher, which does not backtrack (names and patterns both come from the rule).
  const parts: Part[] = [];
  pattern.split('*').forEach((lit, i) => {
    if (i > 0) parts.push({ star: true });
    if (lit) parts.push({ lit });
  });
  const test = compileParts(parts, false);
  return names.filter((n) => test(n) && !n.startsWith('_'));
}

/** Compiles a condition over the rule's compiled search identifiers. */
export function compileCondition(cond: string, idents: ReadonlyMap<string, Matcher>): Matcher {
  const tree = new Parser(tokenize(cond)).parse();
  const names = [...idents.keys()];
  const build = (n: Node): Matcher => {
    switch (n.t) {
      case 'id': {
        const m = idents.get(n.name);
        if (!m) throw new RuleError('unsupported condition', `the condition names ${JSON.stringify(n.name.slice(0, 60))}, which the detection does not define`);
        return m;
      }
      case 'not': {
        const x = build(n.x);
        return (v) => !x(v);
      }
      case 'and': {
        const xs = n.xs.map(build);
        return withReq((v) => xs.every((x) => x(v)), reqAnd(xs));
      }
      case 'or': {
        const xs = n.xs.map(build);
        return withReq((v) => xs.some((x) => x(v)), reqOr(xs));
      }
      case 'of': {
        const chosen = patternMatches(n.pattern, names);
        if (chosen.length === 0) throw new RuleError('unsupported condition', `"${n.n} of ${n.pattern.slice(0, 60)}" matches no search identifier`);
        const xs = chosen.map((c) => idents.get(c)!);
        if (n.n === 'all') return withReq((v) => xs.every((x) => x(v)), reqAnd(xs));
        const need = n.n;
        if (need === 1) return withReq((v) => xs.some((x) => x(v)), reqOr(xs));
        return withReq((v) => {
          let hits = 0;
          for (const x of xs) if (x(v) && ++hits >= need) return true;
          return false;
        }, reqOr(xs));
      }
    }
  };
  return build(tree);
}

/** A condition (string, or list of strings: any of them) compiled. */
export function compileConditions(conds: readonly string[], idents: ReadonlyMap<string, Matcher>): Matcher {
  const ms = conds.map((c) => compileCondition(c, idents));
  return ms.length === 1 ? ms[0]! : withReq((v) => ms.some((m) => m(v)), reqOr(ms));
}
