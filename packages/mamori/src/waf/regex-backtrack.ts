/**
 * A backtracking matcher with a step budget, for the few patterns the
 * linear-time engine (regex.ts) cannot run: look-ahead, look-behind,
 * back-references, atomic groups and possessive quantifiers. CRS v4 uses
 * none of them; CRS 3 (Debian's `modsecurity-crs` is 3.3.4) and users' own
 * rules do.
 *
 * It runs after a linear-time prefilter: the DFA of the same pattern with
 * every such construct widened (a look-around taken away, a back-reference
 * read as "anything", an atomic group as a plain one) matches at least
 * everything the real pattern matches, so when the prefilter says no, the
 * answer is no and this matcher never starts. When it says yes, this
 * matcher answers with PCRE's semantics (leftmost match, PCRE's priority
 * order, captures as PCRE reports them), counting one step per instruction.
 * Past its budget it stops and says so; the caller decides what that means
 * (the WAF counts it as a match: see docs/waf-regex.md).
 *
 * The program is a list of instructions run with an explicit stack, so deep
 * inputs cannot overflow the JavaScript stack; a look-around or atomic group
 * runs its sub-program as a nested search whose result cannot be backtracked
 * into, as in PCRE.
 */

import { hasByteOrOther, isWordCode, Program, WafRegexError, type ByteSet, type Node } from './regex-syntax.js';

/** Program's six instructions (same numbers), then the ones only this matcher runs. */
const enum B { Set, Split, Jmp, Assert, Save, Match, BackRef, Look, Atomic, SubMatch, Mark, Progress, BackStep, Span, SpanMax }

/** Thrown (and caught inside this module) when a search runs out of steps. */
const OUT_OF_STEPS = new Error('out of steps');

/**
 * Steps shared by the backtracking searches of one transaction: `left` goes
 * down as they are spent; `overruns` counts the searches that ran out.
 */
export interface StepBudget { left: number; overruns?: number }

export class BacktrackProgram extends Program {
  /** Capture slots (2 per group, 0 and 1 for the whole match) then one slot per unbounded repeat (its start position). */
  private slots: number;
  private readonly firstBytes: ByteSet | null;
  /**
   * The set S of a pattern that starts with S* or S*?: a match that starts inside a run of S
   * implies one that starts where the run starts (the repeat takes the rest), so only starts
   * not preceded by a byte of S are tried; the leftmost match is the same.
   */
  private readonly leadingRun: ByteSet | null;
  /** For each Look or Atomic: whether its sub-program saves a capture (else nothing to restore). */
  private savesInside: Uint8Array = new Uint8Array(0);

  constructor(source: string, tree: Node, readonly groups: number, maxProgram: number) {
    super(maxProgram, source);
    this.slots = (groups + 1) * 2;
    this.emit(B.Save, 0);
    this.gen(tree);
    this.emit(B.Save, 1);
    this.emit(B.Match);
    const f = first(tree);
    this.firstBytes = f.nullable ? null : f.set;
    const lead = tree.t === 'cat' ? tree.items[0] : tree;
    this.leadingRun = lead?.t === 'rep' && lead.min === 0 && lead.max === -1 && lead.item.t === 'set' ? lead.item.set : null;
    this.savesInside = new Uint8Array(this.op.length);
    for (let pc = 0; pc < this.op.length; pc++) {
      if (this.op[pc] !== B.Look && this.op[pc] !== B.Atomic) continue;
      for (let k = pc + 1; k < this.y[pc]!; k++) if (this.op[k] === B.Save) this.savesInside[pc] = 1;
    }
  }

  get source(): string {
    return this.src;
  }

  /** The constructs the linear-time program has not, and an unbounded repeat that ends on an empty iteration. */
  override gen(n: Node): void {
    switch (n.t) {
      case 'rep': {
        // A body that cannot match empty needs no check: the linear program's loop is enough.
        if (n.max !== -1 || !first(n.item).nullable) { super.gen(n); return; }
        for (let k = 0; k < n.min; k++) this.gen(n.item);
        // L: split body/out; mark; body; progress -> L (an iteration that matched nothing ends the loop, as in PCRE)
        const slot = this.slots++;
        const split = this.emit(B.Split);
        this.emit(B.Mark, slot);
        this.gen(n.item);
        this.emit(B.Progress, slot, split);
        this.prefer(split, split + 1, this.op.length, n.greedy);
        return;
      }
      case 'backref': this.emit(B.BackRef, n.index, n.icase ? 1 : 0); return;
      case 'atomic': {
        // A possessive repeat of one set (\s*+, [^;]++): take every byte of the set, give none back; one step.
        const r = n.item;
        if (r.t === 'rep' && r.greedy && r.item.t === 'set') {
          this.emit(B.Span, this.setId(r.item.set), r.min);
          this.emit(B.SpanMax, r.max);
          return;
        }
        const at = this.emit(B.Atomic);
        this.gen(n.item);
        this.emit(B.SubMatch);
        this.y[at] = this.op.length;
        return;
      }
      case 'look': {
        const at = this.emit(B.Look, (n.behind ? 2 : 0) + (n.neg ? 1 : 0));
        if (!n.behind) this.gen(n.item);
        else {
          // Each branch of a look-behind has a fixed length (PCRE's rule): step back by it, match, and end where we started.
          const branches = n.item.t === 'alt' ? n.item.items : [n.item];
          const jumps: number[] = [];
          for (let k = 0; k < branches.length; k++) {
            const b = branches[k]!;
            const len = fixedLength(b);
            if (len < 0) throw new WafRegexError('look-behind whose branch has no fixed length', this.src, 0);
            const split = k < branches.length - 1 ? this.emit(B.Split) : -1;
            if (split >= 0) this.x[split] = split + 1;
            this.emit(B.BackStep, len);
            this.gen(b);
            if (split >= 0) { jumps.push(this.emit(B.Jmp)); this.y[split] = this.op.length; }
          }
          for (const j of jumps) this.x[j] = this.op.length;
        }
        this.emit(B.SubMatch);
        this.y[at] = this.op.length;
        return;
      }
      default: super.gen(n);
    }
  }

  /**
   * The leftmost match as capture offsets (slots 0 and 1: the whole match),
   * null when there is none; throws OUT_OF_STEPS past the budget.
   */
  private search(input: string, budget: StepBudget): Int32Array | null {
    const caps = new Int32Array(this.slots).fill(-1);
    const fb = this.firstBytes;
    for (let start = 0; start <= input.length; start++) {
      if (fb !== null && (start === input.length || !hasByteOrOther(fb, input.charCodeAt(start)))) continue;
      if (this.leadingRun !== null && start > 0 && hasByteOrOther(this.leadingRun, input.charCodeAt(start - 1))) continue;
      caps.fill(-1);
      if (this.run(input, 0, start, caps, budget, -1) >= 0) return caps;
    }
    return null;
  }

  /** Whether the pattern matches; `undefined` when the budget ran out first. */
  test(input: string, budget: StepBudget): boolean | undefined {
    try {
      return this.search(input, budget) !== null;
    } catch (err) {
      if (err === OUT_OF_STEPS) return undefined;
      throw err;
    }
  }

  /** The leftmost match and its groups; `undefined` when the budget ran out first. */
  exec(input: string, budget: StepBudget): (string | undefined)[] | null | undefined {
    let caps: Int32Array | null;
    try {
      caps = this.search(input, budget);
    } catch (err) {
      if (err === OUT_OF_STEPS) return undefined;
      throw err;
    }
    if (caps === null) return null;
    const out: (string | undefined)[] = [];
    for (let g = 0; g <= this.groups; g++) {
      const a = caps[g * 2]!, b = caps[g * 2 + 1]!;
      out.push(a >= 0 && b >= a ? input.slice(a, b) : undefined);
    }
    return out;
  }

  /**
   * Runs from `pc` at `pos` until Match (or SubMatch, for a nested run);
   * returns the position where it ended, or -1. `origin` is the position a
   * look-behind must end at (-1 when not in one). On success `caps` holds the
   * captures of the path taken; on failure it is as it was.
   */
  private run(input: string, pc0: number, pos0: number, caps: Int32Array, budget: StepBudget, origin: number): number {
    const { op, x, y, sets } = this;
    const n = input.length;
    // Backtrack points: pc, pos, length of the undo log.
    const stack: number[] = [pc0, pos0, 0];
    // Undo log: slot, old value.
    const undo: number[] = [];
    while (stack.length > 0) {
      const undoLen = stack.pop()!;
      let pos = stack.pop()!;
      let pc = stack.pop()!;
      while (undo.length > undoLen) {
        const old = undo.pop()!;
        caps[undo.pop()!] = old;
      }
      for (;;) {
        if (--budget.left < 0) throw OUT_OF_STEPS;
        switch (op[pc]) {
          case B.Set: {
            if (pos < n && hasByteOrOther(sets[x[pc]!]!, input.charCodeAt(pos))) { pos++; pc++; continue; }
            break;
          }
          case B.Split: stack.push(y[pc]!, pos, undo.length); pc = x[pc]!; continue;
          case B.Jmp: pc = x[pc]!; continue;
          case B.Assert: {
            if (assertAt(x[pc]!, input, pos)) { pc++; continue; }
            break;
          }
          case B.Save: case B.Mark: {
            const slot = x[pc]!;
            undo.push(slot, caps[slot]!);
            caps[slot] = pos;
            pc++;
            continue;
          }
          case B.Progress: {
            pc = pos !== caps[x[pc]!] ? y[pc]! : pc + 1;
            continue;
          }
          case B.BackRef: {
            const a = caps[x[pc]! * 2]!, b = caps[x[pc]! * 2 + 1]!;
            if (a < 0 || b < a) break; // an unset group matches nothing (PCRE2's default)
            const len = b - a;
            if (pos + len > n) break;
            let ok = true;
            for (let k = 0; k < len && ok; k++) {
              const c1 = input.charCodeAt(a + k), c2 = input.charCodeAt(pos + k);
              ok = c1 === c2 || (y[pc] === 1 && fold(c1) === fold(c2));
            }
            if (!ok) break;
            pos += len; pc++;
            continue;
          }
          case B.Look: case B.Atomic: {
            const kind = op[pc] === B.Atomic ? -1 : x[pc]!;
            const saved = this.savesInside[pc] ? caps.slice() : undefined;
            const end = this.run(input, pc + 1, pos, caps, budget, kind >= 2 ? pos : -1);
            const negative = kind === 1 || kind === 3;
            if (saved !== undefined) {
              if (end < 0 || negative) caps.set(saved);
              else for (let s = 0; s < caps.length; s++) if (caps[s] !== saved[s]) undo.push(s, saved[s]!);
            }
            if ((end >= 0) === negative) break;
            if (kind === -1) pos = end;
            pc = y[pc]!;
            continue;
          }
          case B.Span: {
            const set = sets[x[pc]!]!;
            const max = x[pc + 1]!;
            const limit = max < 0 ? n : Math.min(n, pos + max);
            let end = pos;
            while (end < limit && hasByteOrOther(set, input.charCodeAt(end))) end++;
            budget.left -= (end - pos) >> 4; // a byte costs a sixteenth of a step
            if (end - pos < y[pc]!) break;
            pos = end;
            pc += 2;
            continue;
          }
          case B.BackStep: {
            if (pos < x[pc]!) break;
            pos -= x[pc]!; pc++;
            continue;
          }
          case B.SubMatch: {
            if (origin >= 0 && pos !== origin) break;
            return pos;
          }
          case B.Match: return pos;
          default: break;
        }
        break; // this path failed: take the next backtrack point
      }
    }
    return -1;
  }
}

function assertAt(code: number, input: string, pos: number): boolean {
  const n = input.length;
  const prev = pos > 0 ? input.charCodeAt(pos - 1) : -1;
  const next = pos < n ? input.charCodeAt(pos) : -1;
  switch (code) {
    case 0: return pos === 0;
    case 1: return pos === n;
    case 2: return pos === n || (pos === n - 1 && next === 0x0a);
    case 3: return pos === 0 || prev === 0x0a;
    case 4: return pos === n || next === 0x0a;
    case 5: return isWordCode(prev) !== isWordCode(next);
    case 6: return isWordCode(prev) === isWordCode(next);
    default: return false;
  }
}

function fold(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** The length every match of `n` has, or -1 when it varies (or cannot be known: a back-reference). */
export function fixedLength(n: Node): number {
  switch (n.t) {
    case 'empty': case 'assert': case 'look': return 0;
    case 'set': return 1;
    case 'cap': case 'atomic': return fixedLength(n.item);
    case 'cat': {
      let sum = 0;
      for (const it of n.items) { const l = fixedLength(it); if (l < 0) return -1; sum += l; }
      return sum;
    }
    case 'alt': {
      const l = fixedLength(n.items[0]!);
      return n.items.every((it) => fixedLength(it) === l) ? l : -1;
    }
    case 'rep': {
      if (n.max !== n.min) return -1;
      const l = fixedLength(n.item);
      return l < 0 ? -1 : l * n.min;
    }
    case 'backref': return -1;
  }
}

/** The bytes a match can start with, and whether it can be empty (then any position may start one). */
function first(n: Node): { set: ByteSet; nullable: boolean } {
  const set = new Uint32Array(9);
  const nullable = firstInto(n, set);
  return { set, nullable };
}

function firstInto(n: Node, into: ByteSet): boolean {
  switch (n.t) {
    case 'empty': case 'assert': case 'look': case 'backref': return true;
    case 'set': for (let k = 0; k < into.length; k++) into[k]! |= n.set[k] ?? 0; return false;
    case 'cap': case 'atomic': return firstInto(n.item, into);
    case 'cat': {
      for (const it of n.items) if (!firstInto(it, into)) return false;
      return true;
    }
    case 'alt': {
      let nullable = false;
      for (const it of n.items) if (firstInto(it, into)) nullable = true;
      return nullable;
    }
    case 'rep': return firstInto(n.item, into) || n.min === 0;
  }
}
