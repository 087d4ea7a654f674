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

import { BacktrackProgram, type StepBudget } from './regex-backtrack.js';
import { ALL, ASSERT_CODE, hasByte, isWordCode, Op, OTHER, Parser, Program, setOf, WORD, type ByteSet, type Node } from './regex-syntax.js';

export { WafRegexError, type ByteSet, type Node } from './regex-syntax.js';

export type { StepBudget } from './regex-backtrack.js';
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
  /** Steps for one call of such a pattern (default 20,000 + 20 per input character). */
  steps?: StepLimits;
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
 * within its steps. Out of steps, it answers "no match", as PCRE does past
 * its match limit, and counts an overrun in the shared budget: the caller
 * decides what that means for the request (the SecLang engine sets
 * TX:MSC_PCRE_LIMITS_EXCEEDED, and mamori's setup refuses it).
 */
class Bounded implements CompiledPattern {
  readonly source: string;
  readonly groups: number;
  readonly needsBacktracking = true;
  constructor(private readonly prefilter: Compiled, private readonly exact: BacktrackProgram, private readonly steps: Readonly<StepLimits>) {
    this.source = exact.source;
    this.groups = exact.groups;
  }

  /**
   * Runs the exact matcher within this call's steps (and what the shared budget has left),
   * charges what it spent to the shared budget, and counts an overrun there; an overrun gives
   * undefined.
   */
  private run<T>(input: string, shared: StepBudget | undefined, search: (b: StepBudget) => T | undefined): T | undefined {
    const own = this.steps.base + this.steps.perChar * input.length;
    const b: StepBudget = { left: shared === undefined ? own : Math.min(own, Math.max(0, shared.left)) };
    const before = b.left;
    const r = search(b);
    if (shared !== undefined) {
      shared.left -= before - Math.max(0, b.left);
      if (r === undefined) shared.overruns = (shared.overruns ?? 0) + 1;
    }
    return r;
  }

  test(input: string, shared?: StepBudget): boolean {
    if (!this.prefilter.test(input)) return false;
    return this.run(input, shared, (b) => this.exact.test(input, b)) ?? false;
  }

  exec(input: string, shared?: StepBudget): (string | undefined)[] | null {
    if (!this.prefilter.test(input)) return null;
    return this.run(input, shared, (b) => this.exact.exec(input, b)) ?? null;
  }
}

/** Steps one call of a backtracking pattern may take: base + perChar x the input's length. */
export interface StepLimits { base: number; perChar: number }
const DEFAULT_STEPS: StepLimits = { base: 20_000, perChar: 20 };

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
