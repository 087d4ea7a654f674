/**
 * Regular expressions for the WAF, with ModSecurity's semantics and a time
 * bound that does not depend on the pattern or the input.
 *
 * ModSecurity compiles each `@rx` pattern with PCRE, options DOTALL and
 * DOLLAR_ENDONLY, and runs it over the bytes of the request. mamori treats
 * every input as a latin1 string whose characters are those bytes (0 to 255).
 * Without UTF mode PCRE's classes are ASCII: `\s` is tab, newline, vertical
 * tab, form feed, carriage return and space (no 0xA0), `\w` and `\b` use
 * [A-Za-z0-9_], and case-insensitive matching folds only A-Z and a-z. V8's
 * RegExp differs on all of these, and it backtracks: on 64,000 characters
 * some CRS patterns take seconds there (docs/waf-regex.md has the numbers).
 *
 * So the pattern is parsed here into a tree, compiled into a small program
 * of character-set, split, jump, assertion and save instructions, and run by
 * two matchers that never backtrack:
 * - `test` simulates the program as a DFA built lazily, one state per set of
 *   program positions, over classes of bytes that the pattern cannot tell
 *   apart. Each input character costs one table look-up once its state is
 *   built; building a state costs at most the program's size. The cache of
 *   states has a fixed budget; when it is full it is emptied and rebuilt as
 *   the input goes on, so memory stays bounded and time stays linear in the
 *   input (with the program's size as the factor).
 * - `exec` (for the `capture` action) asks the DFA where the first match
 *   ends (the leftmost match starts at or before it), then runs the program
 *   as a Pike VM, starting threads only up to that position: every
 *   thread advances together, one character at a time, in PCRE's priority
 *   order, so the captures are those PCRE's backtracking would report for
 *   patterns without back-references, which CRS does not use.
 *
 * Constructs that PCRE has and CRS does not use (back-references,
 * look-around, atomic groups, possessive quantifiers, recursion, Unicode
 * properties) are refused with an error that names them and their offset:
 * a linear-time matcher cannot run them, and a rule set that needs them is
 * better refused than half-run.
 */

import { MamoriError } from '../core/errors.js';
import { BacktrackProgram, type StepBudget } from './regex-backtrack.js';

export type { StepBudget } from './regex-backtrack.js';
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

export interface CompiledPattern {
  /** The pattern as written in the rule. */
  readonly source: string;
  /** Number of capturing groups (TX.1 onwards). */
  readonly groups: number;
  /**
   * Whether the pattern matches anywhere in `input` (a latin1 string of the request's bytes).
   * `budget`: steps shared by every backtracking pattern of one transaction (see `backtracking`).
   */
  test(input: string, budget?: StepBudget): boolean;
  /**
   * The leftmost match and its groups, PCRE's way: [whole match, group 1, ...];
   * a group that did not take part is undefined. Null when nothing matches.
   */
  exec(input: string, budget?: StepBudget): (string | undefined)[] | null;
  /** True for a pattern that needs backtracking (and so runs within a step budget). */
  readonly needsBacktracking?: boolean;
}

export interface CompileOptions {
  /**
   * Most cells (states x byte classes) the lazy DFA keeps before it empties
   * its cache; 4 bytes each, and as many stored program positions. The default,
   * 16,384, is 64 KiB of table per pattern at most (a few hundred KiB with the states' keys).
   */
  dfaCells?: number;
  /** Most program instructions one pattern may compile to (counted repeats expand). */
  maxProgram?: number;
  /**
   * Accept look-around, back-references, atomic groups and possessive
   * quantifiers (CRS 3, users' rules): such a pattern runs a linear-time
   * prefilter, then a backtracking matcher within `steps`. Off by default:
   * they are refused with an error naming them.
   */
  backtracking?: boolean;
  /** Steps for one call of such a pattern (default 100,000 + 100 per input character). */
  steps?: StepLimits;
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
function hasByte(s: ByteSet, c: number): boolean {
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
const OTHER = 256; // the index of "above 0xFF" in a set
function setOf(chars: string): ByteSet {
  const s = emptySet();
  for (let i = 0; i < chars.length; i++) addByte(s, chars.charCodeAt(i));
  return s;
}

const DIGIT = (() => { const s = emptySet(); addRange(s, 0x30, 0x39); return s; })();
const WORD = (() => { const s = emptySet(); addRange(s, 0x30, 0x39); addRange(s, 0x41, 0x5a); addRange(s, 0x61, 0x7a); addByte(s, 0x5f); return s; })();
// PCRE's \s in its default (C locale) tables: isspace(), which includes VT
// since PCRE 8.34 and in every PCRE2, and excludes 0xA0 and 0x85.
const SPACE = setOf('\t\n\x0b\f\r ');
// PCRE's \v and \h without UTF: vertical (LF, VT, FF, CR, NEL) and horizontal (tab, space, NBSP) space.
const VSPACE = setOf('\n\x0b\f\r\x85');
const HSPACE = setOf('\t \xa0');
const ALL = negate(emptySet());

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

class Parser {
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

const enum Op { Set, Split, Jmp, Assert, Save, Match }
const ASSERT_CODE: Record<Assertion, number> = { bot: 0, eot: 1, eotnl: 2, bol: 3, eol: 4, wb: 5, nwb: 6 };

class Program {
  op: Op[] = [];
  x: number[] = [];
  y: number[] = [];
  sets: ByteSet[] = [];
  private setIndex = new Map<string, number>();
  constructor(readonly max: number, readonly src: string) {}

  emit(op: Op, x = 0, y = 0): number {
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

// ---------------------------------------------------------------------------
// Matching context: what the character before and after a position are,
// which is all the assertions need.

const EOF = -1;
function assertionHolds(code: number, prev: number, next: number): boolean {
  switch (code) {
    case 0: return prev === EOF;
    case 1: return next === EOF;
    case 2: return next === EOF; // \Z also holds before a final newline: the callers check that
    case 3: return prev === EOF || prev === 0x0a;
    case 4: return next === EOF || next === 0x0a;
    case 5: return isWordCode(prev) !== isWordCode(next);
    case 6: return isWordCode(prev) === isWordCode(next);
    default: return false;
  }
}

class Compiled implements CompiledPattern {
  readonly groups: number;
  private readonly op: Uint8Array;
  private readonly x: Int32Array;
  private readonly y: Int32Array;
  private readonly sets: ByteSet[];
  private readonly usesEotNl: boolean;
  // Byte classes: bytes that every set, the word test and the newline test agree on.
  private readonly classOf = new Uint16Array(257);
  private readonly classRep: number[] = [];
  private readonly nClasses: number;
  // Lazy DFA. State 0 is unused; states are numbered from 1. A cell holds the
  // next state, 0 for "not built yet", or MATCHED.
  private readonly cellBudget: number;
  private trans: Int32Array = new Int32Array(0);
  private keys: string[] = [];
  private pcsOf: Int32Array[] = [];
  private ctxOf: number[] = [];
  private atEnd: Int8Array = new Int8Array(0);
  private index = new Map<string, number>();
  // Scratch for closures.
  private readonly mark: Uint32Array;
  private gen = 0;
  private readonly stack: Int32Array;

  constructor(readonly source: string, prog: Program, groups: number, cellBudget: number) {
    this.groups = groups;
    this.op = Uint8Array.from(prog.op);
    this.x = Int32Array.from(prog.x);
    this.y = Int32Array.from(prog.y);
    this.sets = prog.sets;
    this.usesEotNl = prog.op.some((o, k) => o === Op.Assert && prog.x[k] === ASSERT_CODE.eotnl);
    this.mark = new Uint32Array(prog.op.length);
    this.stack = new Int32Array(prog.op.length * 2 + 2);
    // Refine the partition of 0..256 by each set, \w and "\n".
    const refiners = [...this.sets, WORD, setOf('\n')];
    const sig = new Map<string, number>();
    for (let c = 0; c <= 256; c++) {
      let key = '';
      for (const s of refiners) key += hasByte(s, c) ? '1' : '0';
      let k = sig.get(key);
      if (k === undefined) { k = sig.size; sig.set(key, k); this.classRep.push(c === OTHER ? 0x100 : c); }
      this.classOf[c] = k;
    }
    this.nClasses = sig.size;
    this.cellBudget = Math.max(cellBudget, this.nClasses * 8);
    this.resetDfa();
    // Anchored at the start: once no thread is left past the first character,
    // a new start can never get through, so the answer is known (no match).
    // True when the program's start, seen from any position but the first,
    // reaches no character test and no match, whatever comes next.
    this.anchored = true;
    for (const prev of [0x61, 0x20, 0x0a]) {
      for (const next of [...this.classRep, EOF]) {
        const out: number[] = [];
        if (this.closure(new Int32Array(0), prev, next, out) || out.length > 0) this.anchored = false;
      }
    }
  }

  private readonly anchored: boolean;

  /** The start state's number, or -1 until it is built (again). */
  private start = -1;

  private resetDfa(): void {
    this.start = -1;
    const states = Math.max(2, Math.floor(this.cellBudget / this.nClasses));
    this.trans = new Int32Array(Math.min(states, 64) * this.nClasses);
    this.keys = [''];
    this.pcsOf = [new Int32Array(0)];
    this.ctxOf = [0];
    this.atEnd = new Int8Array(Math.min(states, 64));
    this.index.clear();
    this.pcsStored = 0;
  }

  private pcsStored = 0;

  /**
   * The closure of `pcs` plus the start of the program (the search is
   * unanchored, so a match may begin at every position), given the
   * characters on either side. Returns the Set instructions reached, in
   * order, or null when Match is reached.
   */
  private closure(pcs: Int32Array, prev: number, next: number, out: number[]): boolean {
    const { op, x, y, mark, stack } = this;
    const g = ++this.gen;
    if (g === 0xffffffff) { mark.fill(0); this.gen = 1; }
    let sp = 0;
    // Start last: it has the lowest priority; order does not matter for test().
    stack[sp++] = 0;
    for (let k = pcs.length - 1; k >= 0; k--) stack[sp++] = pcs[k]!;
    while (sp > 0) {
      const pc = stack[--sp]!;
      if (mark[pc] === this.gen) continue;
      mark[pc] = this.gen;
      switch (op[pc]) {
        case Op.Set: out.push(pc); break;
        case Op.Match: return true;
        case Op.Jmp: stack[sp++] = x[pc]!; break;
        case Op.Split: stack[sp++] = y[pc]!; stack[sp++] = x[pc]!; break;
        case Op.Save: stack[sp++] = pc + 1; break;
        case Op.Assert: {
          // \Z (code 2) is taken as "at the end" here: patterns that use it never reach the DFA (see test()).
          if (assertionHolds(x[pc]!, prev, next)) stack[sp++] = pc + 1;
          break;
        }
        default: break;
      }
    }
    return false;
  }


  private stateFor(pcs: Int32Array, ctx: number): number {
    let key = String.fromCharCode(ctx);
    for (let k = 0; k < pcs.length; k++) key += String.fromCharCode(pcs[k]! & 0xffff, pcs[k]! >>> 16);
    const found = this.index.get(key);
    if (found !== undefined) return found;
    const id = this.keys.length;
    // Both the table and the states' position lists count against the budget:
    // a large pattern's states can each hold thousands of positions.
    if ((id + 1) * this.nClasses > this.cellBudget || this.pcsStored + pcs.length > this.cellBudget) return -1; // the caller empties the cache
    this.pcsStored += pcs.length;
    if ((id + 1) * this.nClasses > this.trans.length) {
      const bigger = new Int32Array(Math.min(this.trans.length * 2, Math.floor(this.cellBudget / this.nClasses) * this.nClasses));
      bigger.set(this.trans);
      this.trans = bigger;
      const ends = new Int8Array(bigger.length / this.nClasses);
      ends.set(this.atEnd);
      this.atEnd = ends;
    }
    this.keys.push(key);
    this.pcsOf.push(pcs);
    this.ctxOf.push(ctx);
    this.index.set(key, id);
    return id;
  }

  /** A state's context is ctxCode() of the character before it, or 0x101 at the start of the input. */
  private step(state: number, cls: number): number {
    const ctx = this.ctxOf[state]!;
    const prev = ctx === 0x101 ? EOF : ctx;
    const rep = this.classRep[cls]!;
    const out: number[] = [];
    if (this.closure(this.pcsOf[state]!, prev, rep, out)) return MATCHED;
    const nextPcs: number[] = [];
    const byte = rep === 0x100 ? OTHER : rep;
    for (const pc of out) if (hasByte(this.sets[this.x[pc]!]!, byte)) nextPcs.push(pc + 1);
    if (nextPcs.length === 0 && this.anchored) {
      this.trans[state * this.nClasses + cls] = DEAD;
      return DEAD;
    }
    nextPcs.sort((a, b) => a - b);
    let next = this.stateFor(Int32Array.from(nextPcs), ctxCode(rep));
    if (next < 0) {
      // Cache full: empty it and rebuild just the state we are moving to.
      const pcs = Int32Array.from(nextPcs);
      this.resetDfa();
      next = this.stateFor(pcs, ctxCode(rep));
      return -next - 2; // below DEAD: tells test() that the table was emptied
    }
    this.trans[state * this.nClasses + cls] = next;
    return next;
  }

  private endAccepts(state: number): boolean {
    const cached = this.atEnd[state];
    if (cached !== undefined && cached !== 0) return cached === 1;
    const ctx = this.ctxOf[state]!;
    const ok = this.closure(this.pcsOf[state]!, ctx === 0x101 ? EOF : ctx, EOF, []);
    if (state < this.atEnd.length) this.atEnd[state] = ok ? 1 : 2;
    return ok;
  }

  test(input: string): boolean {
    // \Z ("at the end, or before a final newline") needs to know that a newline is the
    // last character, which a DFA state cannot; such patterns (CRS has none) go to the Pike VM.
    if (this.usesEotNl) return pikeVm(this, input, input.length) !== null;
    return this.firstEnd(input) >= 0;
  }

  /**
   * Where the first match to end ends (some match ends there and none ends
   * before), or -1 when nothing matches. The leftmost match starts at or
   * before it, which bounds where exec() has to start threads.
   */
  private firstEnd(input: string): number {
    const n = input.length;
    const nc = this.nClasses;
    const classOf = this.classOf;
    // The start state, kept between calls (resetDfa forgets it with the rest of the table).
    let state = this.start;
    if (state < 0) {
      state = this.index.get(START_KEY) ?? -1;
      if (state < 0) {
        state = this.stateFor(new Int32Array(0), 0x101);
        if (state < 0) { this.resetDfa(); state = this.stateFor(new Int32Array(0), 0x101); }
      }
      this.start = state;
    }
    let trans = this.trans;
    for (let i = 0; i < n; i++) {
      const c = input.charCodeAt(i);
      const cls = classOf[c < 256 ? c : 256]!;
      let next: number = trans[state * nc + cls]!;
      if (next <= 0) {
        if (next === 0) {
          next = this.step(state, cls);
          if (next < DEAD) next = -next - 2;
          trans = this.trans;
        }
        if (next === MATCHED) return i;
        if (next === DEAD) return -1;
      }
      state = next;
    }
    return this.endAccepts(state) ? n : -1;
  }

  exec(input: string): (string | undefined)[] | null {
    const end = this.usesEotNl ? input.length : this.firstEnd(input);
    if (end < 0) return null;
    const caps = pikeVm(this, input, end);
    if (caps === null) return null;
    const out: (string | undefined)[] = [];
    for (let g = 0; g <= this.groups; g++) {
      const a = caps[g * 2]!, b = caps[g * 2 + 1]!;
      out.push(a >= 0 && b >= 0 ? input.slice(a, b) : undefined);
    }
    return out;
  }

  /** For the Pike VM. */
  get program(): { op: Uint8Array; x: Int32Array; y: Int32Array; sets: ByteSet[] } {
    return { op: this.op, x: this.x, y: this.y, sets: this.sets };
  }
}

const MATCHED = -1;
/** The key of the start state: no positions, at the start of the input. */
const START_KEY = String.fromCharCode(0x101);
/** A state from which no match can follow (see `anchored`). */
const DEAD = -2;

/**
 * What a DFA state remembers of the character before it: only whether it was
 * a word character or a newline matters to the assertions, so states that
 * differ in nothing else are one state.
 */
function ctxCode(c: number): number {
  return isWordCode(c) ? 0x61 : c === 0x0a ? 0x0a : 0x20;
}

/**
 * Leftmost-first search with captures, all threads in step: time is the
 * input's length times the program's size, whatever the pattern.
 */
function pikeVm(c: Compiled, input: string, lastStart: number): Int32Array | null {
  const { op, x, y, sets } = c.program;
  const size = op.length;
  const slots = (c.groups + 1) * 2;
  const n = input.length;
  let clist: Array<Int32Array> = [];
  let cpcs: number[] = [];
  let nlist: Array<Int32Array> = [];
  let npcs: number[] = [];
  const onList = new Int32Array(size).fill(-1);
  let matched: Int32Array | null = null;
  const pcStack: number[] = [];
  const capStack: Int32Array[] = [];

  // Adds pc with its captures to the list for position `pos`, following
  // jumps, splits (preferred branch first), saves and assertions.
  const add = (pcs: number[], list: Array<Int32Array>, pc0: number, caps0: Int32Array, pos: number, mark: number): void => {
    const prev = pos > 0 ? input.charCodeAt(pos - 1) : EOF;
    const next = pos < n ? input.charCodeAt(pos) : EOF;
    pcStack.push(pc0);
    capStack.push(caps0);
    while (pcStack.length > 0) {
      const pc = pcStack.pop()!;
      const caps = capStack.pop()!;
      if (onList[pc] === mark) continue;
      onList[pc] = mark;
      switch (op[pc]) {
        case Op.Jmp: pcStack.push(x[pc]!); capStack.push(caps); break;
        case Op.Split: pcStack.push(y[pc]!, x[pc]!); capStack.push(caps, caps); break;
        case Op.Save: {
          const copy = caps.slice();
          copy[x[pc]!] = pos;
          pcStack.push(pc + 1);
          capStack.push(copy);
          break;
        }
        case Op.Assert: {
          const code = x[pc]!;
          const ok = code === 2 ? next === EOF || (next === 0x0a && pos === n - 1) : assertionHolds(code, prev, next);
          if (ok) { pcStack.push(pc + 1); capStack.push(caps); }
          break;
        }
        default: pcs.push(pc); list.push(caps); break;
      }
    }
  };

  let mark = 1;
  const init = new Int32Array(slots).fill(-1);
  for (let pos = 0; pos <= n; pos++) {
    if (matched === null && pos <= lastStart) {
      const caps = init.slice();
      caps[0] = pos;
      // The start thread has the lowest priority: it goes after the running ones.
      add(cpcs, clist, 0, caps, pos, mark);
    }
    if (cpcs.length === 0 && (matched !== null || pos >= lastStart)) break; // no thread left, and none to start
    const ch = pos < n ? input.charCodeAt(pos) : EOF;
    const byte = ch > 0xff ? OTHER : ch;
    mark++; // the list for pos + 1; the start thread added there next round shares this mark
    for (let k = 0; k < cpcs.length; k++) {
      const pc = cpcs[k]!;
      const caps = clist[k]!;
      if (op[pc] === Op.Match) {
        matched = caps.slice();
        matched[1] = pos;
        break; // lower-priority threads are cut
      }
      if (ch !== EOF && hasByte(sets[x[pc]!]!, byte)) add(npcs, nlist, pc + 1, caps, pos + 1, mark);
    }
    [clist, nlist] = [nlist, []];
    [cpcs, npcs] = [npcs, []];
  }
  return matched;
}

/**
 * Compiles a CRS `@rx` pattern (as it stands in the rule, after SecLang's
 * unquoting) once; the result is safe to share and to run on any input.
 * Throws WafRegexError naming the problem and its offset.
 */
export function compilePattern(source: string, options: CompileOptions = {}): CompiledPattern {
  const parser = new Parser(source, options.backtracking === true);
  const tree = parser.parse();
  const maxProgram = options.maxProgram ?? 100_000;
  const linear = (t: Node): Compiled => {
    const prog = new Program(maxProgram, source);
    prog.emit(Op.Save, 0);
    prog.gen(t);
    prog.emit(Op.Save, 1);
    prog.emit(Op.Match);
    return new Compiled(source, prog, parser.groups, options.dfaCells ?? 16_384);
  };
  if (!parser.needsBacktracking) return linear(tree);
  return new Bounded(linear(widen(tree)), new BacktrackProgram(source, tree, parser.groups, maxProgram), options.steps ?? DEFAULT_STEPS);
}

/**
 * A pattern with constructs only backtracking can run: the linear-time DFA
 * of its widened form first (no means no), then the backtracking matcher
 * within its steps. Out of steps, it answers "matched": what the WAF could
 * not finish reading is not let through as clean.
 */
class Bounded implements CompiledPattern {
  readonly source: string;
  readonly groups: number;
  readonly needsBacktracking = true;
  constructor(private readonly prefilter: Compiled, private readonly exact: BacktrackProgram, private readonly steps: Readonly<StepLimits>) {
    this.source = exact.source;
    this.groups = exact.groups;
  }

  private budget(input: string, shared: StepBudget | undefined): StepBudget {
    const own = this.steps.base + this.steps.perChar * input.length;
    return { left: shared === undefined ? own : Math.min(own, Math.max(0, shared.left)) };
  }

  test(input: string, shared?: StepBudget): boolean {
    if (!this.prefilter.test(input)) return false;
    const b = this.budget(input, shared);
    const before = b.left;
    const r = this.exact.test(input, b);
    if (shared !== undefined) shared.left -= before - Math.max(0, b.left);
    if (r === undefined && shared !== undefined) shared.overruns = (shared.overruns ?? 0) + 1;
    return r ?? true;
  }

  exec(input: string, shared?: StepBudget): (string | undefined)[] | null {
    if (!this.prefilter.test(input)) return null;
    const b = this.budget(input, shared);
    const before = b.left;
    const r = this.exact.exec(input, b);
    if (shared !== undefined) shared.left -= before - Math.max(0, b.left);
    if (r === undefined) {
      if (shared !== undefined) shared.overruns = (shared.overruns ?? 0) + 1;
      return [input, ...new Array<undefined>(this.groups)];
    }
    return r;
  }
}

/** Steps one call of a backtracking pattern may take: base + perChar x the input's length. */
export interface StepLimits { base: number; perChar: number }
const DEFAULT_STEPS: StepLimits = { base: 100_000, perChar: 100 };

/**
 * The pattern with every backtracking construct widened into one the DFA
 * runs, matching a superset of what the pattern matches: a look-around
 * becomes empty, a back-reference any text, an atomic group a plain one.
 */
function widen(n: Node): Node {
  switch (n.t) {
    case 'look': return { t: 'empty' };
    case 'backref': return { t: 'rep', item: { t: 'set', set: ALL }, min: 0, max: -1, greedy: true };
    case 'atomic': return widen(n.item);
    case 'cat': return { t: 'cat', items: n.items.map(widen) };
    case 'alt': return { t: 'alt', items: n.items.map(widen) };
    case 'rep': return { ...n, item: widen(n.item) };
    case 'cap': return { ...n, item: widen(n.item) };
    default: return n;
  }
}
