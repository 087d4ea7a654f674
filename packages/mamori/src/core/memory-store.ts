/**
 * The in-memory store: counters in a fixed-size CounterTable (a hard memory
 * cap), decisions and events in bounded maps. For one process, tests, and
 * the hot path in front of a persistent store.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from './clock.js';
import { cryptoRandom, type Random } from './random.js';
import { CounterTable } from './counter-table.js';
import { MamoriError } from './errors.js';
import { keptLonger, validateDecisionInput, type Decision, type DecisionInput, type Subject } from './decisions.js';
import type { EventQuery, SecurityEvent } from './events.js';
export { decisionApplies, DecisionIndex } from './decision-index.js';
import { DecisionIndex } from './decision-index.js';
import { floorLabel, type CounterFloor, type CounterOp, type DecisionFilter, type DecisionStore, type DistinctOp, type EventStore, type FlooredStore, type Store } from './store.js';

export interface MemoryStoreOptions {
  /** Bytes for counters: the table starts at 1 MiB and doubles up to this, never past it. Default 64 MiB. */
  maxCounterBytes?: number;
  maxDecisions?: number;
  maxEvents?: number;
  clock?: Clock;
  random?: Random;
}

/** The answer when no decision exists: shared, frozen (callers only read it). */
const NO_DECISIONS: readonly Decision[] = Object.freeze([]);
/** The same answer, settled: most requests meet no decision at all, and get this one promise. */
const NONE_MATCHED: Promise<Decision[]> = Promise.resolve(NO_DECISIONS as Decision[]);

/** Claimed single-use keys rank above every counter, so a flood evicts them last. */
const CLAIM_WEIGHT = 0xfffffff0;

export function matchesFilter(d: Decision, f: DecisionFilter, now: number): boolean {
  if (!f.includeExpired && d.expiresAt <= now) return false;
  if (f.id !== undefined && d.id !== f.id) return false;
  if (f.scope && d.scope !== f.scope) return false;
  if (f.value !== undefined && d.value !== f.value) return false;
  if (f.action && d.action !== f.action) return false;
  if (f.origin && d.origin !== f.origin) return false;
  return true;
}

export function eventMatches(e: SecurityEvent, q: EventQuery): boolean {
  const t = Date.parse(e['@timestamp']);
  if (q.since !== undefined && t < q.since) return false;
  if (q.until !== undefined && t > q.until) return false;
  if (q.action && e['event.action'] !== q.action) return false;
  if (q.sourceIp && e['source.ip'] !== q.sourceIp) return false;
  if (q.userId && e['user.id'] !== q.userId) return false;
  return true;
}

const CLOSED_MESSAGE = 'the memory store was closed; create a new one';

/** Decisions in a DecisionIndex (a few map look-ups per match), at most `max` of them. */
class MemoryDecisions implements DecisionStore {
  readonly #held = new DecisionIndex();
  readonly #max: number;
  readonly #clock: Clock;
  readonly #check: () => void;
  constructor(max: number, clock: Clock, check: () => void) {
    this.#max = max;
    this.#clock = clock;
    this.#check = check;
  }
  /** Decisions held (expired ones until they are removed). */
  get size(): number {
    return this.#held.size;
  }
  async add(input: DecisionInput): Promise<Decision> {
    this.#check();
    const d: Decision = { ...validateDecisionInput(input), id: randomUUID(), createdAt: this.#clock.now() };
    this.#prune();
    this.#held.add(d);
    return d;
  }
  #prune(): void {
    if (this.#held.size < this.#max) return;
    this.#held.pruneExpired(this.#clock.now());
    if (this.#held.size < this.#max) return;
    // Drop the decisions that would lapse soonest, those on sources before those on accounts
    // (keptLonger): a hundredth of the cap at once, so that a flood of new decisions at the cap
    // pays one sort per hundredth of it, not a scan of every decision per decision.
    const order = [...this.#held.values()].sort((a, b) => (keptLonger(a, b) ? 1 : keptLonger(b, a) ? -1 : 0));
    const drop = Math.max(this.#held.size - this.#max + 1, Math.ceil(this.#max / 100));
    for (let i = 0; i < drop && i < order.length; i++) this.#held.remove(order[i]!);
  }
  async delete(id: string): Promise<boolean> {
    this.#check();
    const d = this.#held.get(id);
    return d !== undefined && this.#held.remove(d);
  }
  async deleteWhere(filter: DecisionFilter): Promise<number> {
    this.#check();
    const now = this.#clock.now();
    let n = 0;
    for (const d of [...this.#held.values()]) {
      if (matchesFilter(d, filter, now)) {
        this.#held.remove(d);
        n++;
      }
    }
    return n;
  }
  async list(filter: DecisionFilter = {}): Promise<Decision[]> {
    this.#check();
    const now = this.#clock.now();
    // Reversed insertion order, then a stable sort: ties on createdAt list the later-added first.
    const out = [...this.#held.values()].reverse().filter((d) => matchesFilter(d, filter, now));
    out.sort((a, b) => b.createdAt - a.createdAt);
    return filter.limit ? out.slice(0, filter.limit) : out;
  }
  match(subject: Subject): Promise<Decision[]> {
    // The work is done now; the answer is a settled promise (no async frame to allocate).
    try {
      this.#check();
      const found = this.#held.match(subject, this.#clock.now());
      return found.length === 0 ? NONE_MATCHED : Promise.resolve(found);
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

class MemoryEvents implements EventStore {
  readonly #ring: SecurityEvent[] = [];
  readonly #max: number;
  readonly #check: () => void;
  #next = 0;
  constructor(max: number, check: () => void) {
    this.#max = max;
    this.#check = check;
  }
  append(event: SecurityEvent): void {
    if (this.#ring.length < this.#max) this.#ring.push(event);
    else this.#ring[this.#next] = event;
    this.#next = (this.#next + 1) % this.#max;
  }
  async query(q: EventQuery = {}): Promise<SecurityEvent[]> {
    this.#check();
    const n = this.#ring.length;
    const out: SecurityEvent[] = [];
    const limit = q.limit ?? 100;
    for (let k = 1; k <= n && out.length < limit; k++) {
      const e = this.#ring[(this.#next - k + n * 2) % n]!;
      if (eventMatches(e, q)) out.push(e);
    }
    return out;
  }
  async flush(): Promise<void> {}
}

const NO_OPS: readonly CounterOp[] = [];
const NO_KEYS: readonly string[] = [];

export class MemoryStore implements Store, FlooredStore {
  readonly name = 'memory';
  readonly table: CounterTable;
  readonly decisions: MemoryDecisions;
  readonly events: EventStore;
  readonly #clock: Clock;
  get clock(): Clock {
    return this.#clock;
  }
  #closed = false;

  constructor(opts: MemoryStoreOptions = {}) {
    this.#clock = opts.clock ?? systemClock;
    this.table = new CounterTable(opts.maxCounterBytes ?? 64 * 1024 * 1024, opts.random ?? cryptoRandom);
    const check = (): void => this.#open();
    this.decisions = new MemoryDecisions(opts.maxDecisions ?? 100_000, this.#clock, check);
    this.events = new MemoryEvents(opts.maxEvents ?? 10_000, check);
  }

  #open(): void {
    if (this.#closed) throw new MamoriError('MAMORI_ERR_STORE_CLOSED', CLOSED_MESSAGE);
  }

  #rejectClosed<T>(): Promise<T> | undefined {
    return this.#closed ? Promise.reject(new MamoriError('MAMORI_ERR_STORE_CLOSED', CLOSED_MESSAGE)) : undefined;
  }

  // The counters live in this process: each method does its work now and answers with a
  // settled promise.
  increment(ops: readonly CounterOp[]): Promise<number[]> {
    return this.#rejectClosed<number[]>() ?? Promise.resolve(this.#incrementRead(ops, NO_KEYS));
  }

  read(keys: readonly string[]): Promise<number[]> {
    return this.#rejectClosed<number[]>() ?? Promise.resolve(this.#incrementRead(NO_OPS, keys));
  }

  async reset(keys: readonly string[]): Promise<void> {
    this.#open();
    const now = this.#clock.now();
    for (const k of keys) this.table.delete(k, now);
  }

  addDistinct(ops: readonly DistinctOp[]): Promise<number[]> {
    if (this.#closed) return this.#rejectClosed<number[]>()!;
    const now = this.#clock.now();
    const out = new Array<number>(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      out[i] = this.table.addMember(op.key, op.member, op.ttlMs, now);
    }
    return Promise.resolve(out);
  }

  removeDistinct(ops: readonly DistinctOp[]): Promise<number[]> {
    if (this.#closed) return this.#rejectClosed<number[]>()!;
    const now = this.#clock.now();
    const out = new Array<number>(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      out[i] = this.table.removeMember(op.key, op.member, now, op.ttlMs, op.heldAt);
    }
    return Promise.resolve(out);
  }

  /** Adds `ops`, then reads `keys`: the results of both, in that order. */
  #incrementRead(ops: readonly CounterOp[], keys: readonly string[]): number[] {
    const now = this.#clock.now();
    const t = this.table;
    const out = new Array<number>(ops.length + keys.length);
    // In batches, so the table's cache misses for the keys of one batch overlap (see CounterTable.batchStart).
    let o = 0;
    let k = 0;
    while (o < ops.length || k < keys.length) {
      t.batchStart(now);
      const o0 = o;
      const k0 = k;
      while (o < ops.length && t.batchKey(ops[o]!.key) >= 0) o++;
      while (k < keys.length && t.batchKey(keys[k]!) >= 0) k++;
      t.batchTouch();
      for (let i = o0; i < o; i++) {
        const op = ops[i]!;
        out[i] = t.batchAdd(i - o0, op.by ?? 1, op.ttlMs, op.floor === true);
      }
      for (let i = k0; i < k; i++) out[ops.length + i] = t.batchGet(o - o0 + i - k0);
    }
    return out;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    this.#open();
    return this.table.setIfAbsent(`claim\u0000${key}`, CLAIM_WEIGHT, ttlMs, this.#clock.now(), true);
  }

  /** The floors a flood raised (see FlooredStore). */
  floors(): Promise<CounterFloor[]> {
    return this.#rejectClosed<CounterFloor[]>() ?? Promise.resolve(this.table.liveFloors(this.#clock.now()).map((f) => ({ ...f, label: floorLabel(f.kind) })));
  }

  /** The floor of a key's kind (see FlooredStore). */
  floorOf(key: string): number {
    return this.#closed ? 0 : this.table.floorOf(key, this.#clock.now());
  }

  /** Drops floors (see FlooredStore). */
  resetFloors(kinds?: readonly string[]): Promise<number> {
    return this.#rejectClosed<number>() ?? Promise.resolve(this.table.resetFloors(this.#clock.now(), kinds));
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
