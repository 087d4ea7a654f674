/**
 * The syntax side of the WAF's regular expressions (see regex.ts): byte sets, the parse tree
 * of a PCRE pattern as CRS and users write them, and the instruction program the matchers
 * run. Apart from regex.ts so that the backtracking matcher (regex-backtrack.ts) can build
 * on the same program without an import cycle.
 */

import { MamoriError } from '../core/errors.js';

/** Why a pattern cannot be run; `offset` is where in the pattern the problem is. */
export class WafRegexError extends MamoriError {
  readonly pattern: string;
  readonly offset: number;
  constructor(problem: string, pattern: string, offset: number) {
    const shown = pattern.length > 120 ? `${pattern.slice(0, 120)}...` : pattern;
    super('MAMORI_ERR_WAF_REGEX', `cannot run regular expression: ${problem} at offset ${offset} of "${shown}"`);
    this.name = 'WafRegexError';
    this.pattern = pattern;
    this.offset = offset;
  }
}

// ---------------------------------------------------------------------------
// Byte sets: 256 bits in eight 32-bit words. Characters above 0xFF cannot
// come from bytes; if one does reach a matcher it is treated as a byte that
// no listed set contains, so only negated sets and `.` match it.

export type ByteSet = Uint32Array;

function emptySet(): ByteSet {
  return new Uint32Array(9); // word 8, bit 0: "a character above 0xFF"
}
function addByte(s: ByteSet, c: number): void {
  s[c >>> 5]! |= 1 << (c & 31);
}
function addRange(s: ByteSet, lo: number, hi: number): void {
  for (let c = lo; c <= hi; c++) addByte(s, c);
}
export function hasByte(s: ByteSet, c: number): boolean {
  return (s[c >>> 5]! & (1 << (c & 31))) !== 0;
}
function unionInto(s: ByteSet, t: ByteSet): void {
  for (let i = 0; i < 9; i++) s[i]! |= t[i]!;
}
function negate(s: ByteSet): ByteSet {
  const r = emptySet();
  for (let i = 0; i < 9; i++) r[i] = ~s[i]!;
  r[8]! &= 1;
  return r;
}
export const OTHER = 256; // the index of "above 0xFF" in a set
export function setOf(chars: string): ByteSet {
  const s = emptySet();
  for (let i = 0; i < chars.length; i++) addByte(s, chars.charCodeAt(i));
  return s;
}

const DIGIT = (() => { const s = emptySet(); addRange(s, 0x30, 0x39); return s; })();
export const WORD = (() => { const s = emptySet(); addRange(s, 0x30, 0x39); addRange(s, 0x41, 0x5a); addRange(s, 0x61, 0x7a); addByte(s, 0x5f); return s; })();
// PCRE's \s in its default (C locale) tables: isspace(), which includes VT
// since PCRE 8.34 and in every PCRE2, and excludes 0xA0 and 0x85.
const SPACE = setOf('\t\n\x0b\f\r ');
// PCRE's \v and \h without UTF: vertical (LF, VT, FF, CR, NEL) and horizontal (tab, space, NBSP) space.
const VSPACE = setOf('\n\x0b\f\r\x85');
const HSPACE = setOf('\t \xa0');
export const ALL = negate(emptySet());

/** Whether set `s` holds character code `c` (a code above 0xFF counts as "a character above 0xFF"). */
export function hasByteOrOther(s: ByteSet, c: number): boolean {
  return hasByte(s, c < 256 ? c : OTHER);
}

export function isWordCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** Closes a set under ASCII case, as PCRE's caseless matching does without UTF. */
function caseClose(s: ByteSet): ByteSet {
  const r = emptySet();
  unionInto(r, s);
  for (let c = 0x41; c <= 0x5a; c++) {
    if (hasByte(s, c) || hasByte(s, c + 32)) { addByte(r, c); addByte(r, c + 32); }
  }
  return r;
}

// ---------------------------------------------------------------------------
// Parse tree.

type Assertion = 'bot' | 'eot' | 'eotnl' | 'bol' | 'eol' | 'wb' | 'nwb';
/** The parse tree; the last three kinds exist only when backtracking constructs are allowed. */
export type Node =
  | { t: 'set'; set: ByteSet }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; item: Node; min: number; max: number; greedy: boolean }
  | { t: 'cap'; item: Node; index: number }
  | { t: 'assert'; kind: Assertion }
  | { t: 'empty' }
  | { t: 'look'; behind: boolean; neg: boolean; item: Node }
  | { t: 'backref'; index: number; icase: boolean }
  | { t: 'atomic'; item: Node };

interface Flags { i: boolean; s: boolean; m: boolean }

const MAX_REPEAT = 1000;

export class Parser {
  pos = 0;
  groups = 0;
  /** Highest group a back-reference names (checked against `groups` at the end). */
  maxBackref = 0;
  /** Whether a construct that needs backtracking was read (only when `backtracking` allows them). */
  needsBacktracking = false;
  constructor(readonly src: string, readonly backtracking = false) {}

  /** A construct a linear-time matcher cannot run: accepted only when backtracking is allowed. */
  backtrackingOnly(problem: string, at: number): void {
    if (!this.backtracking) this.fail(problem, at);
    this.needsBacktracking = true;
  }

  fail(problem: string, at = this.pos): never {
    throw new WafRegexError(problem, this.src, at);
  }

  parse(): Node {
    // ModSecurity compiles with DOTALL; (?s) in a pattern changes nothing, (?-s) turns it off.
    const node = this.alternation({ i: false, s: true, m: false });
    if (this.pos < this.src.length) this.fail('unbalanced ")"');
    if (this.maxBackref > this.groups) this.fail(`back-reference to group ${this.maxBackref}, which does not exist`, 0);
    return node;
  }

  /** alternation := concat ('|' concat)*; inline flags set inside a group last to its end, across '|'. */
  alternation(flags: Flags): Node {
    const f = { ...flags };
    const items: Node[] = [this.concat(f)];
    while (this.src[this.pos] === '|') {
      this.pos++;
      items.push(this.concat(f));
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  concat(f: Flags): Node {
    const items: Node[] = [];
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined || ch === '|' || ch === ')') break;
      const start = this.pos;
      const atom = this.atom(f);
      if (atom === null) continue; // a flag setting such as (?i)
      items.push(this.quantifiers(atom, start));
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  quantifiers(atom: Node, _start: number): Node {
    const node = atom;
    for (;;) {
      const ch = this.src[this.pos];
      let min: number, max: number;
      const at = this.pos;
      if (ch === '*') { min = 0; max = -1; this.pos++; }
      else if (ch === '+') { min = 1; max = -1; this.pos++; }
      else if (ch === '?') { min = 0; max = 1; this.pos++; }
      else if (ch === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos, this.pos + 24));
        if (!m) break; // PCRE reads a "{" that starts no quantifier as a literal
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT) this.fail(`repeat count above ${MAX_REPEAT}`, at);
        if (max !== -1 && max < min) this.fail('repeat {n,m} with m < n', at);
        this.pos += m[0].length;
      } else break;
      let greedy = true;
      if (this.src[this.pos] === '?') { greedy = false; this.pos++; }
      else if (this.src[this.pos] === '+') {
        // X*+ is (?>X*): what the repeat took is never given back.
        this.backtrackingOnly('possessive quantifier (needs backtracking control)', this.pos);
        this.pos++;
        return { t: 'atomic', item: { t: 'rep', item: node, min, max, greedy: true } };
      }
      // One quantifier per atom: a second one ("a**") is refused by atom() as having nothing to repeat.
      return { t: 'rep', item: node, min, max, greedy };
    }
    return node;
  }

  atom(f: Flags): Node | null {
    const at = this.pos;
    const ch = this.src[this.pos++]!;
    switch (ch) {
      case '(': return this.group(f, at);
      case '[': return { t: 'set', set: this.cls(f, at) };
      case '.': {
        if (f.s) return { t: 'set', set: ALL };
        const s = negate(emptySet());
        s[0]! &= ~(1 << 10);
        return { t: 'set', set: s };
      }
      case '^': return { t: 'assert', kind: f.m ? 'bol' : 'bot' };
      case '$': return { t: 'assert', kind: f.m ? 'eol' : 'eot' };
      case '\\': return this.escape(f, at);
      case '*': case '+': case '?': this.fail(`quantifier "${ch}" with nothing to repeat`, at);
      // eslint-disable-next-line no-fallthrough
      default: {
        if (ch === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(at, at + 24))) this.fail('quantifier "{" with nothing to repeat', at);
        return this.literal(ch.charCodeAt(0), f, at);
      }
    }
  }

  literal(c: number, f: Flags, at: number): Node {
    if (c > 0xff) this.fail('a character above 0xFF in the pattern (patterns are matched on bytes)', at);
    const s = emptySet();
    addByte(s, c);
    return { t: 'set', set: f.i ? caseClose(s) : s };
  }

  group(f: Flags, at: number): Node | null {
    const src = this.src;
    if (src[this.pos] !== '?') {
      const index = ++this.groups;
      const item = this.alternation(f);
      this.close(at);
      return { t: 'cap', item, index };
    }
    this.pos++;
    const c = src[this.pos];
    if (c === ':') { this.pos++; const item = this.alternation(f); this.close(at); return item; }
    if (c === '=' || c === '!') {
      this.backtrackingOnly('look-ahead (not linear-time)', at);
      this.pos++;
      const item = this.alternation(f);
      this.close(at);
      return { t: 'look', behind: false, neg: c === '!', item };
    }
    if (c === '<' && (src[this.pos + 1] === '=' || src[this.pos + 1] === '!')) {
      this.backtrackingOnly('look-behind (not linear-time)', at);
      const neg = src[this.pos + 1] === '!';
      this.pos += 2;
      const item = this.alternation(f);
      this.close(at);
      return { t: 'look', behind: true, neg, item };
    }
    if (c === '>') {
      this.backtrackingOnly('atomic group (needs backtracking control)', at);
      this.pos++;
      const item = this.alternation(f);
      this.close(at);
      return { t: 'atomic', item };
    }
    if (c === '|') this.fail('branch-reset group', at);
    if (c === '#') {
      const end = src.indexOf(')', this.pos);
      if (end < 0) this.fail('unterminated comment', at);
      this.pos = end + 1;
      return null;
    }
    if (c === '<' || c === 'P' || c === "'") {
      const m = /^(?:P?<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/.exec(src.slice(this.pos, this.pos + 40));
      if (!m) this.fail('named reference, recursion or unknown group', at);
      this.pos += m[0].length;
      const index = ++this.groups;
      const item = this.alternation(f);
      this.close(at);
      return { t: 'cap', item, index };
    }
    // Inline flags: (?flags) for the rest of the enclosing group, (?flags:...) for a group.
    const m = /^([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(src.slice(this.pos, this.pos + 20));
    if (!m) this.fail(`unknown group "(?${c ?? ''}"`, at);
    const next: Flags = { ...f };
    for (const [letters, on] of [[m[1]!, true], [m[2] ?? '', false]] as const) {
      for (const l of letters) {
        if (l === 'i') next.i = on;
        else if (l === 's') next.s = on;
        else if (l === 'm') next.m = on;
        else this.fail(`inline flag "${l}" (only i, s and m are supported)`, at);
      }
    }
    this.pos += m[0].length;
    if (m[3] === ')') {
      f.i = next.i; f.s = next.s; f.m = next.m;
      return null;
    }
    const item = this.alternation(next);
    this.close(at);
    return item;
  }

  close(at: number): void {
    if (this.src[this.pos] !== ')') this.fail('unterminated group', at);
    this.pos++;
  }

  /** A hex escape after "\x": \xHH (one or two digits, as PCRE) or \x{H...}. */
  hex(at: number): number {
    const src = this.src;
    if (src[this.pos] === '{') {
      const m = /^\{([0-9a-fA-F]+)\}/.exec(src.slice(this.pos, this.pos + 12));
      if (!m) this.fail('malformed \\x{...}', at);
      const v = parseInt(m[1]!, 16);
      if (v > 0xff) this.fail('\\x{...} above 0xFF (patterns are matched on bytes)', at);
      this.pos += m[0].length;
      return v;
    }
    const m = /^[0-9a-fA-F]{1,2}/.exec(src.slice(this.pos, this.pos + 2));
    if (!m) return 0; // PCRE: "\x" with no digits is NUL
    this.pos += m[0].length;
    return parseInt(m[0], 16);
  }

  /** One escape that stands for a character or a set; null for one that is not (handled by the caller). */
  escapeSet(c: string, at: number): ByteSet | number | null {
    switch (c) {
      case 'd': return DIGIT;
      case 'D': return negate(DIGIT);
      case 'w': return WORD;
      case 'W': return negate(WORD);
      case 's': return SPACE;
      case 'S': return negate(SPACE);
      case 'v': return VSPACE;
      case 'V': return negate(VSPACE);
      case 'h': return HSPACE;
      case 'H': return negate(HSPACE);
      case 'n': return 0x0a;
      case 'r': return 0x0d;
      case 't': return 0x09;
      case 'f': return 0x0c;
      case 'e': return 0x1b;
      case 'a': return 0x07;
      case 'x': return this.hex(at);
      case '0': {
        const m = /^[0-7]{0,2}/.exec(this.src.slice(this.pos, this.pos + 2))!;
        this.pos += m[0].length;
        return parseInt(`0${m[0]}`, 8);
      }
      default: break;
    }
    if (/[1-9]/.test(c)) this.fail('back-reference or octal escape (not linear-time, or ambiguous)', at);
    if (/[A-Za-z]/.test(c)) return null;
    return c.charCodeAt(0); // an escaped punctuation character is itself
  }

  escape(f: Flags, at: number): Node {
    const c = this.src[this.pos++];
    if (c === undefined) this.fail('"\\" at the end of the pattern', at);
    switch (c) {
      case 'b': return { t: 'assert', kind: 'wb' };
      case 'B': return { t: 'assert', kind: 'nwb' };
      case 'A': return { t: 'assert', kind: 'bot' };
      case 'z': return { t: 'assert', kind: 'eot' };
      case 'Z': return { t: 'assert', kind: 'eotnl' };
      case 'Q': {
        const end = this.src.indexOf('\\E', this.pos);
        const text = this.src.slice(this.pos, end < 0 ? undefined : end);
        this.pos = end < 0 ? this.src.length : end + 2;
        const items = [...text].map((ch, k) => this.literal(ch.charCodeAt(0), f, this.pos + k));
        return items.length === 1 ? items[0]! : { t: 'cat', items };
      }
      default: break;
    }
    if (c >= '1' && c <= '9' && this.backtracking && !/[0-9]/.test(this.src[this.pos] ?? '')) {
      // \1 to \9: always a back-reference in PCRE (outside a class).
      this.backtrackingOnly('back-reference (not linear-time)', at);
      const index = c.charCodeAt(0) - 0x30;
      this.maxBackref = Math.max(this.maxBackref, index);
      return { t: 'backref', index, icase: f.i };
    }
    const v = this.escapeSet(c, at);
    if (v === null) this.fail(`escape "\\${c}" (not supported: ${describeEscape(c)})`, at);
    if (typeof v === 'number') return this.literal(v, f, at);
    return { t: 'set', set: f.i ? caseClose(v) : v };
  }

  /** A bracketed class; the "[" has been read. */
  cls(f: Flags, at: number): ByteSet {
    const src = this.src;
    let neg = false;
    if (src[this.pos] === '^') { neg = true; this.pos++; }
    const s = emptySet();
    let first = true;
    for (;;) {
      if (this.pos >= src.length) this.fail('unterminated character class', at);
      const itemAt = this.pos;
      let ch = src[this.pos++]!;
      if (ch === ']' && !first) break;
      first = false;
      if (ch === '[' && src[this.pos] === ':') this.fail('POSIX class [:name:]', itemAt);
      let lo: number;
      if (ch === '\\') {
        ch = src[this.pos++] ?? '';
        if (ch === 'b') lo = 0x08;
        else {
          const v = this.escapeSet(ch, itemAt);
          if (v === null) this.fail(`escape "\\${ch}" in a class (not supported: ${describeEscape(ch)})`, itemAt);
          if (typeof v !== 'number') { unionInto(s, v); continue; }
          lo = v;
        }
      } else {
        lo = ch.charCodeAt(0);
        if (lo > 0xff) this.fail('a character above 0xFF in the pattern (patterns are matched on bytes)', itemAt);
      }
      // A range lo-hi, unless the "-" is last in the class.
      if (src[this.pos] === '-' && src[this.pos + 1] !== ']' && this.pos + 1 < src.length) {
        const save = this.pos;
        this.pos++;
        let hi: number;
        let h = src[this.pos++]!;
        if (h === '\\') {
          h = src[this.pos++] ?? '';
          const v = h === 'b' ? 0x08 : this.escapeSet(h, itemAt);
          if (typeof v !== 'number') {
            // PCRE reads [a-\d] as a, "-" and the digits.
            this.pos = save;
            addByte(s, lo);
            continue;
          }
          hi = v;
        } else hi = h.charCodeAt(0);
        if (hi < lo) this.fail('character range out of order', itemAt);
        if (hi > 0xff) this.fail('a character above 0xFF in the pattern (patterns are matched on bytes)', itemAt);
        addRange(s, lo, hi);
        continue;
      }
      addByte(s, lo);
    }
    const closed = f.i ? caseClose(s) : s;
    return neg ? negate(closed) : closed;
  }
}

function describeEscape(c: string): string {
  if ('pPX'.includes(c)) return 'Unicode properties';
  if ('RN'.includes(c)) return 'PCRE newline sequences; write the bytes as a class';
  if ('kgK'.includes(c)) return 'back-references and match resets';
  if (c === 'G' || c === 'C') return 'match-position escapes';
  return 'unknown escape';
}

// ---------------------------------------------------------------------------
// Program. Instructions live in parallel arrays; `x` and `y` are operands.

export const enum Op { Set, Split, Jmp, Assert, Save, Match }
export const ASSERT_CODE: Record<Assertion, number> = { bot: 0, eot: 1, eotnl: 2, bol: 3, eol: 4, wb: 5, nwb: 6 };

/**
 * The instructions of the linear-time matchers (and the first six of the backtracking
 * matcher, regex-backtrack.ts, which extends it with the constructs only it runs).
 */
export class Program {
  op: number[] = [];
  x: number[] = [];
  y: number[] = [];
  sets: ByteSet[] = [];
  private setIndex = new Map<string, number>();
  constructor(readonly max: number, readonly src: string) {}

  emit(op: number, x = 0, y = 0): number {
    if (this.op.length >= this.max) throw new WafRegexError(`program larger than ${this.max} instructions (counted repeats expand)`, this.src, 0);
    this.op.push(op); this.x.push(x); this.y.push(y);
    return this.op.length - 1;
  }

  setId(s: ByteSet): number {
    const key = s.join(',');
    let id = this.setIndex.get(key);
    if (id === undefined) { id = this.sets.length; this.sets.push(s); this.setIndex.set(key, id); }
    return id;
  }

  gen(n: Node): void {
    switch (n.t) {
      case 'look': case 'backref': case 'atomic':
        throw new WafRegexError('a construct that needs backtracking reached the linear-time compiler', this.src, 0);
      case 'empty': return;
      case 'set': this.emit(Op.Set, this.setId(n.set)); return;
      case 'assert': this.emit(Op.Assert, ASSERT_CODE[n.kind]); return;
      case 'cat': for (const it of n.items) this.gen(it); return;
      case 'cap':
        this.emit(Op.Save, n.index * 2);
        this.gen(n.item);
        this.emit(Op.Save, n.index * 2 + 1);
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let k = 0; k < n.items.length; k++) {
          if (k < n.items.length - 1) {
            const split = this.emit(Op.Split);
            this.x[split] = split + 1;
            this.gen(n.items[k]!);
            jumps.push(this.emit(Op.Jmp));
            this.y[split] = this.op.length;
          } else this.gen(n.items[k]!);
        }
        for (const j of jumps) this.x[j] = this.op.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) this.gen(n.item);
        if (n.max === -1) {
          // L: split body, out (greedy) / out, body (lazy); body; jmp L
          const split = this.emit(Op.Split);
          this.gen(n.item);
          this.emit(Op.Jmp, split);
          this.prefer(split, split + 1, this.op.length, n.greedy);
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            splits.push(this.emit(Op.Split));
            this.gen(n.item);
          }
          const end = this.op.length;
          for (const sp of splits) this.prefer(sp, sp + 1, end, n.greedy);
        }
        return;
      }
    }
  }

  prefer(split: number, body: number, out: number, greedy: boolean): void {
    this.x[split] = greedy ? body : out;
    this.y[split] = greedy ? out : body;
  }
}

