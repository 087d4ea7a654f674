/**
 * A list of strings (user agents, paths, exploit paths, file names) compiled
 * into one Aho-Corasick automaton, so testing a value against the whole list
 * costs one table step per character of the value, whatever the list's size.
 *
 * The automaton is built as a full DFA over the list's alphabet: the 128
 * ASCII codes, one column per other character the list uses, and one column
 * for every character it does not. `contains` walks the value once and stops at
 * the first state that ends a word; `endsWith` asks the same of the state the
 * whole value ends in; `startsWith` walks the trie alone (no failure links)
 * from the first character; `equals` is a Set look-up.
 */
import { MamoriError } from 'mamori/internal';

export interface WordListOptions {
  /** Fold ASCII case in both the list and the values (the default for most lists). */
  readonly caseInsensitive?: boolean;
}

/** Most words in one list, characters in one word, and states in one automaton. */
export const MAX_WORDS = 100_000;
export const MAX_WORD_LENGTH = 1024;
const MAX_STATES = 2_000_000;

export class WordList {
  readonly name: string;
  readonly size: number;
  readonly caseInsensitive: boolean;
  private readonly exact: Set<string>;
  private readonly cols: number;
  /** Columns for the non-ASCII characters the list uses; others take the last column. */
  private readonly extra: Map<number, number>;
  private readonly delta: Int32Array;
  /** 1 when a word ends at this state or at a state its failure links reach. */
  private readonly out: Uint8Array;
  /** 1 when a word ends exactly at this trie node. */
  private readonly terminal: Uint8Array;
  /** The trie node's depth: startsWith stays on trie edges, whose targets are one deeper. */
  private readonly depth: Int32Array;

  constructor(name: string, words: readonly string[], options: WordListOptions = {}) {
    this.name = name;
    this.caseInsensitive = options.caseInsensitive ?? false;
    if (words.length > MAX_WORDS) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `list "${name}" has ${words.length} words; at most ${MAX_WORDS}`);
    const norm = words.map((w) => {
      if (typeof w !== 'string' || w.length === 0) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `list "${name}" holds an empty or non-text word`);
      if (w.length > MAX_WORD_LENGTH) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `list "${name}" holds a word longer than ${MAX_WORD_LENGTH} characters`);
      return this.fold(w);
    });
    this.exact = new Set(norm);
    this.size = this.exact.size;

    this.extra = new Map();
    for (const w of this.exact) for (let i = 0; i < w.length; i++) {
      const c = w.charCodeAt(i);
      if (c >= 128 && !this.extra.has(c)) this.extra.set(c, 128 + this.extra.size);
    }
    const cols = 128 + this.extra.size + 1;
    this.cols = cols;

    // The trie, with -1 for a missing edge.
    let states = 1;
    for (const w of this.exact) states += w.length;
    if (states > MAX_STATES) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `list "${name}" is too large (${states} characters in all; at most ${MAX_STATES})`);
    const delta = new Int32Array(states * cols).fill(-1);
    const terminal = new Uint8Array(states);
    const depth = new Int32Array(states);
    let n = 1;
    for (const w of this.exact) {
      let s = 0;
      for (let i = 0; i < w.length; i++) {
        const col = this.col(w.charCodeAt(i));
        const t = delta[s * cols + col]!;
        if (t >= 0) s = t;
        else {
          depth[n] = depth[s]! + 1;
          delta[s * cols + col] = n;
          s = n++;
        }
      }
      terminal[s] = 1;
    }

    // Failure links breadth first; a missing edge becomes the failure state's edge, which
    // breadth-first order has already completed (the failure state is less deep).
    const out = new Uint8Array(n);
    const fail = new Int32Array(n);
    const queue = new Int32Array(n);
    let head = 0;
    let tail = 0;
    for (let s = 0; s < n; s++) out[s] = terminal[s]!;
    queue[tail++] = 0;
    while (head < tail) {
      const s = queue[head++]!;
      if (s !== 0 && out[fail[s]!]) out[s] = 1;
      const row = s * cols;
      const frow = fail[s]! * cols;
      for (let c = 0; c < cols; c++) {
        const t = delta[row + c]!;
        if (t > 0 && depth[t] === depth[s]! + 1) {
          fail[t] = s === 0 ? 0 : delta[frow + c]!;
          queue[tail++] = t;
        } else if (t < 0) delta[row + c] = s === 0 ? 0 : delta[frow + c]!;
      }
    }
    this.delta = n === states ? delta : delta.slice(0, n * cols);
    this.out = out;
    this.terminal = terminal.slice(0, n);
    this.depth = depth.slice(0, n);
  }

  private fold(s: string): string {
    return this.caseInsensitive ? asciiLower(s) : s;
  }

  private col(c: number): number {
    return c < 128 ? c : this.extra.get(c) ?? this.cols - 1;
  }

  /** The character code as the automaton sees it (ASCII folded when the list ignores case). */
  private code(s: string, i: number): number {
    const c = s.charCodeAt(i);
    return this.caseInsensitive && c >= 65 && c <= 90 ? c + 32 : c;
  }

  /** Whether a word of the list occurs anywhere in `s`. */
  contains(s: string): boolean {
    const { delta, out, cols } = this;
    let st = 0;
    for (let i = 0; i < s.length; i++) {
      st = delta[st * cols + this.col(this.code(s, i))]!;
      if (out[st]) return true;
    }
    return false;
  }

  /** Whether `s` starts with a word of the list. */
  startsWith(s: string): boolean {
    const { delta, terminal, depth, cols } = this;
    let st = 0;
    for (let i = 0; i < s.length; i++) {
      st = delta[st * cols + this.col(this.code(s, i))]!;
      // Off the trie (a failure edge lands less deep): no word starts at 0 along this path.
      if (depth[st] !== i + 1) return false;
      if (terminal[st]) return true;
    }
    return false;
  }

  /** Whether `s` ends with a word of the list. */
  endsWith(s: string): boolean {
    const { delta, out, cols } = this;
    let st = 0;
    for (let i = 0; i < s.length; i++) st = delta[st * cols + this.col(this.code(s, i))]!;
    return out[st] === 1;
  }

  /** Whether `s` is a word of the list. */
  equals(s: string): boolean {
    return this.exact.has(this.fold(s));
  }
}

function asciiLower(s: string): string {
  // toLowerCase folds non-ASCII letters too (and can change the length); the automaton folds ASCII only.
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      out += s.slice(last, i) + String.fromCharCode(c + 32);
      last = i + 1;
    }
  }
  return last === 0 ? s : out + s.slice(last);
}
