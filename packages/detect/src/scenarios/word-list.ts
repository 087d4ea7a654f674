/**
 * A list of strings (user agents, paths, exploit paths, file names) compiled
 * into one Aho-Corasick automaton, so testing a value against the whole list
 * costs one table step per character of the value, whatever the list's size.
 *
 * The automaton is built as a full DFA over the list's alphabet (one column
 * per character the words use, one for every other character) when that table
 * is at most 16 MiB; a larger list keeps its trie edges and failure links,
 * still linear in the value (each character is one edge down, and failure
 * links only go back up what was gone down). `contains` walks the value once and stops at
 * the first state that ends a word; `endsWith` asks the same of the state the
 * whole value ends in; `startsWith` walks the trie alone (no failure links)
 * from the first character; `equals` is a Set look-up.
 */
import { MamoriError } from 'mamori/internal';

export interface WordListOptions {
  /** Fold ASCII case in both the list and the values (the default for most lists). */
  readonly caseInsensitive?: boolean;
  /** Most cells of the dense table before the list runs on its trie instead (tests set 0 to try that form). */
  readonly denseCells?: number;
}

/** Most words in one list, characters in one word, and states in one automaton. */
export const MAX_WORDS = 100_000;
export const MAX_WORD_LENGTH = 1024;
const MAX_STATES = 2_000_000;
/** Most cells of a dense DFA (4 bytes each: 16 MiB); a larger list runs on its trie and failure links. */
const DENSE_CELLS = 4 * 1024 * 1024;

export class WordList {
  readonly name: string;
  readonly size: number;
  readonly caseInsensitive: boolean;
  private readonly exact: Set<string>;
  private readonly cols: number;
  /** The column of each ASCII code (0: a character no word uses). */
  private readonly asciiCol = new Int32Array(128);
  /** Columns of the non-ASCII characters the words use. */
  private readonly extra = new Map<number, number>();
  /** Dense: the full DFA, states x columns. Undefined for a list too large for it (see `edges`). */
  private readonly delta: Int32Array | undefined;
  /** Sparse (large lists): trie edges per state as (column, target) runs, and failure links. */
  private readonly edgeStart: Int32Array | undefined;
  private readonly edgeCol: Int32Array | undefined;
  private readonly edgeTo: Int32Array | undefined;
  private readonly fail: Int32Array;
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

    // Columns only for the characters the words use: a path list needs some 40, not 65,536.
    let cols = 1;
    for (const w of this.exact) for (let i = 0; i < w.length; i++) {
      const c = w.charCodeAt(i);
      if (c < 128) {
        if (this.asciiCol[c] === 0) this.asciiCol[c] = cols++;
      } else if (!this.extra.has(c)) this.extra.set(c, cols++);
    }
    this.cols = cols;

    let states = 1;
    for (const w of this.exact) states += w.length;
    if (states > MAX_STATES) throw new MamoriError('MAMORI_ERR_DETECT_SCENARIO', `list "${name}" is too large (${states} characters in all; at most ${MAX_STATES})`);
    // The trie: one map of (state x columns + column) -> child while building.
    const child = new Map<number, number>();
    const terminal = new Uint8Array(states);
    const depth = new Int32Array(states);
    let n = 1;
    for (const w of this.exact) {
      let st = 0;
      for (let i = 0; i < w.length; i++) {
        const k = st * cols + this.col(w.charCodeAt(i));
        const t = child.get(k);
        if (t !== undefined) st = t;
        else {
          depth[n] = depth[st]! + 1;
          child.set(k, n);
          st = n++;
        }
      }
      terminal[st] = 1;
    }
    // Edges grouped by state (CSR), in column order.
    const keys = [...child.keys()].sort((x, y) => x - y);
    const edgeStart = new Int32Array(n + 1);
    const edgeCol = new Int32Array(keys.length);
    const edgeTo = new Int32Array(keys.length);
    keys.forEach((k, i) => {
      const from = Math.floor(k / cols);
      edgeStart[from + 1]!++;
      edgeCol[i] = k - from * cols;
      edgeTo[i] = child.get(k)!;
    });
    for (let i = 0; i < n; i++) edgeStart[i + 1]! += edgeStart[i]!;
    child.clear();

    // Failure links breadth first (a failure state is less deep, so it is done first).
    const fail = new Int32Array(n);
    const out = new Uint8Array(n);
    const queue = new Int32Array(n);
    const dense = n * cols <= (options.denseCells ?? DENSE_CELLS);
    const delta = dense ? new Int32Array(n * cols) : undefined;
    let head = 0;
    let tail = 0;
    queue[tail++] = 0;
    while (head < tail) {
      const st = queue[head++]!;
      out[st] = terminal[st]! | (st === 0 ? 0 : out[fail[st]!]!);
      if (delta && st !== 0) delta.set(delta.subarray(fail[st]! * cols, fail[st]! * cols + cols), st * cols);
      for (let e = edgeStart[st]!; e < edgeStart[st + 1]!; e++) {
        const c = edgeCol[e]!;
        const t = edgeTo[e]!;
        fail[t] = st === 0 ? 0 : this.step(delta, edgeStart, edgeCol, edgeTo, fail, fail[st]!, c);
        if (delta) delta[st * cols + c] = t;
        queue[tail++] = t;
      }
    }
    this.delta = delta;
    this.edgeStart = delta ? undefined : edgeStart;
    this.edgeCol = delta ? undefined : edgeCol;
    this.edgeTo = delta ? undefined : edgeTo;
    this.fail = fail;
    this.out = out;
    this.terminal = terminal.slice(0, n);
    this.depth = depth.slice(0, n);
  }

  /** The state after `st` reads column `c`: one look-up in the dense table, or trie edges and failure links. */
  private step(delta: Int32Array | undefined, es: Int32Array, ec: Int32Array, et: Int32Array, fail: Int32Array, st: number, c: number): number {
    if (delta) return delta[st * this.cols + c]!;
    for (;;) {
      // The edges of a state are few and sorted by column; a short scan beats a search.
      for (let e = es[st]!; e < es[st + 1]!; e++) {
        const ce = ec[e]!;
        if (ce === c) return et[e]!;
        if (ce > c) break;
      }
      if (st === 0) return 0;
      st = fail[st]!;
    }
  }

  private fold(s: string): string {
    return this.caseInsensitive ? asciiLower(s) : s;
  }

  private col(c: number): number {
    return c < 128 ? this.asciiCol[c]! : this.extra.get(c) ?? 0;
  }

  /** The column of the value's i-th character (ASCII folded when the list ignores case). */
  private colAt(s: string, i: number): number {
    let c = s.charCodeAt(i);
    if (c < 128) {
      if (this.caseInsensitive && c >= 65 && c <= 90) c += 32;
      return this.asciiCol[c]!;
    }
    return this.extra.get(c) ?? 0;
  }

  private next(st: number, c: number): number {
    return this.delta ? this.delta[st * this.cols + c]! : this.step(undefined, this.edgeStart!, this.edgeCol!, this.edgeTo!, this.fail, st, c);
  }

  /** Whether a word of the list occurs anywhere in `s`. */
  contains(s: string): boolean {
    const out = this.out;
    const delta = this.delta;
    const cols = this.cols;
    let st = 0;
    if (delta) {
      for (let i = 0; i < s.length; i++) {
        st = delta[st * cols + this.colAt(s, i)]!;
        if (out[st]) return true;
      }
      return false;
    }
    for (let i = 0; i < s.length; i++) {
      st = this.next(st, this.colAt(s, i));
      if (out[st]) return true;
    }
    return false;
  }

  /** Whether `s` starts with a word of the list. */
  startsWith(s: string): boolean {
    let st = 0;
    for (let i = 0; i < s.length; i++) {
      st = this.next(st, this.colAt(s, i));
      // Off the trie (a failure edge lands less deep): no word starts at 0 along this path.
      if (this.depth[st] !== i + 1) return false;
      if (this.terminal[st]) return true;
    }
    return false;
  }

  /** Whether `s` ends with a word of the list. */
  endsWith(s: string): boolean {
    let st = 0;
    for (let i = 0; i < s.length; i++) st = this.next(st, this.colAt(s, i));
    return this.out[st] === 1;
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
