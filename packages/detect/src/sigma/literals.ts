/**
 * The `contains` values of every rule, per field, in one Aho-Corasick automaton.
 *
 * Web rule sets test the same few fields (query, path, User-Agent, the line for
 * keywords) against thousands of substrings. Testing them one `includes` at a
 * time costs the number of values per event; the automaton reads each field's
 * lower-cased value once, whatever the number of values, and marks which values
 * occur. A rule's test is then a look-up.
 *
 * The automaton is built once, when the rules are loaded; per event it runs at
 * most once per field (only when a rule asks), in time linear in the value's
 * length plus the matches.
 */
import type { EventView } from './view.js';

/** Node numbers times this, plus a UTF-16 code unit, key the trie's edges (exact in a double up to 2^37 nodes). */
const EDGE = 0x10000;
const MAX_EPOCH = 0x7fff_fff0;

/** '' is the keyword search (the line and the message); anything else an ECS field. */
type FieldKey = string;

export class FieldAutomaton {
  private readonly literals: string[] = [];
  private readonly ids = new Map<string, number>();
  // The trie as one map from (node, UTF-16 code unit) to node, cheaper than a map per
  // node; then failure links and merged outputs, built by freeze().
  private readonly edges = new Map<number, number>();
  private readonly parent: number[] = [0];
  private readonly via: number[] = [0];
  private readonly depth: number[] = [0];
  private fail: Int32Array = new Int32Array(1);
  private out: (number[] | undefined)[] = [undefined];
  private frozen = false;
  /** Per literal: the epoch (event) in which it was last seen. */
  private seen = new Int32Array(0);
  private epoch = 0;
  private lastView: EventView | undefined;
  /** The literals seen in the current event, each once. */
  private hits: number[] = [];

  constructor(private readonly field: FieldKey) {}

  add(lit: string): number {
    const known = this.ids.get(lit);
    if (known !== undefined) return known;
    if (this.frozen) throw new Error('literal index is frozen');
    const id = this.literals.length;
    this.literals.push(lit);
    this.ids.set(lit, id);
    let node = 0;
    for (let i = 0; i < lit.length; i++) {
      const c = lit.charCodeAt(i);
      let n = this.edges.get(node * EDGE + c);
      if (n === undefined) {
        n = this.parent.length;
        this.parent.push(node);
        this.via.push(c);
        this.depth.push(i + 1);
        this.out.push(undefined);
        this.edges.set(node * EDGE + c, n);
      }
      node = n;
    }
    (this.out[node] ??= []).push(id);
    return id;
  }

  freeze(): void {
    if (this.frozen) return;
    this.frozen = true;
    const n = this.parent.length;
    this.fail = new Int32Array(n);
    // By depth: a node's failure link is the longest proper suffix that is also in
    // the trie, and needs its parent's link first.
    const order = Array.from({ length: n - 1 }, (_, i) => i + 1).sort((a, b) => this.depth[a]! - this.depth[b]!);
    for (const node of order) {
      const p = this.parent[node]!;
      const c = this.via[node]!;
      let link = 0;
      if (p !== 0) {
        let f = this.fail[p]!;
        while (f !== 0 && !this.edges.has(f * EDGE + c)) f = this.fail[f]!;
        link = this.edges.get(f * EDGE + c) ?? 0;
      }
      this.fail[node] = link;
      const inherited = this.out[link];
      if (inherited) this.out[node] = [...(this.out[node] ?? []), ...inherited];
    }
    this.seen = new Int32Array(this.literals.length);
  }

  private scan(s: string): void {
    let node = 0;
    const edges = this.edges;
    const fail = this.fail;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      let t = edges.get(node * EDGE + c);
      while (t === undefined && node !== 0) {
        node = fail[node]!;
        t = edges.get(node * EDGE + c);
      }
      node = t ?? 0;
      const o = this.out[node];
      if (o === undefined) continue;
      for (let k = 0; k < o.length; k++) {
        const id = o[k]!;
        if (this.seen[id] !== this.epoch) {
          this.seen[id] = this.epoch;
          this.hits.push(id);
        }
      }
    }
  }

  /** Whether literal `id` occurs in this event's value of the field. */
  has(v: EventView, id: number): boolean {
    this.run(v);
    return this.seen[id] === this.epoch;
  }

  /** The literals that occur in this event's value of the field. */
  found(v: EventView): readonly number[] {
    this.run(v);
    return this.hits;
  }

  private run(v: EventView): void {
    if (v !== this.lastView) {
      this.lastView = v;
      // Stamps live in an Int32Array: start the count again before it would overflow.
      if (this.epoch >= MAX_EPOCH) {
        this.seen.fill(0);
        this.epoch = 0;
      }
      this.epoch++;
      this.hits = [];
      if (this.field === '') for (const t of v.keywordLower()) this.scan(t);
      else {
        const s = v.lower(this.field);
        if (s !== undefined) this.scan(s);
      }
    }
  }
}

/** One per loaded rule set: rules register their caseless `contains` values while compiling. */
export class LiteralIndex {
  private readonly fields = new Map<FieldKey, FieldAutomaton>();

  /** A test of "the field's lower-cased value contains `lit`" (`lit` already lower-cased). */
  contains(field: FieldKey, lit: string): (v: EventView) => boolean {
    let a = this.fields.get(field);
    if (!a) this.fields.set(field, (a = new FieldAutomaton(field)));
    const id = a.add(lit);
    const auto = a;
    return (v) => auto.has(v, id);
  }

  /** Registers a literal a rule needs (its prefilter), before freeze(). */
  require(field: FieldKey, lit: string): { auto: FieldAutomaton; id: number } {
    let a = this.fields.get(field);
    if (!a) this.fields.set(field, (a = new FieldAutomaton(field)));
    return { auto: a, id: a.add(lit) };
  }

  freeze(): void {
    for (const a of this.fields.values()) a.freeze();
  }
}
