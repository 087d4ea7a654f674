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
import { cidrContains, cidrOf, formatCidr, formatIp, parseCidr, tryParseIp } from './net.js';
import { validateDecisionInput, type Decision, type DecisionInput, type Subject } from './decisions.js';
import type { EventQuery, SecurityEvent } from './events.js';
import type { CounterOp, DecisionFilter, DecisionStore, DistinctOp, EventStore, Store } from './store.js';

export interface MemoryStoreOptions {
  /** Bytes for counters; the table never grows past it. Default 64 MiB. */
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

/**
 * Whether a decision applies to a subject. `ip` is the subject's parsed
 * address: IP decisions compare its canonical form, so `::ffff:192.0.2.1`
 * and `2001:DB8::1` match decisions on `192.0.2.1` and `2001:db8::1`.
 */
export function decisionApplies(d: Decision, s: Subject, ip: ReturnType<typeof tryParseIp>): boolean {
  switch (d.scope) {
    case 'ip':
      return ip !== undefined && d.value === formatIp(ip);
    case 'range':
      return ip !== undefined && cidrContains(parseCidr(d.value), ip);
    case 'user':
      return s.userHash !== undefined && d.value === s.userHash;
    case 'device':
      return s.device !== undefined && d.value === s.device;
    case 'country':
      return s.country !== undefined && d.value === s.country;
  }
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

/**
 * Decisions indexed by `scope\0value`, so matching a request costs a few map
 * look-ups (one per range prefix length in use), not a scan of every decision.
 */
class MemoryDecisions implements DecisionStore {
  readonly #byId = new Map<string, Decision>();
  readonly #index = new Map<string, Set<Decision>>();
  /** How many range decisions use each `version/prefix`. */
  readonly #rangePrefixes = new Map<string, { version: 4 | 6; prefix: number; n: number }>();
  readonly #max: number;
  readonly #clock: Clock;
  readonly #check: () => void;
  constructor(max: number, clock: Clock, check: () => void) {
    this.#max = max;
    this.#clock = clock;
    this.#check = check;
  }
  #insert(d: Decision): void {
    this.#byId.set(d.id, d);
    const k = `${d.scope}\0${d.value}`;
    let set = this.#index.get(k);
    if (!set) this.#index.set(k, (set = new Set()));
    set.add(d);
    if (d.scope === 'range') {
      const c = parseCidr(d.value);
      const pk = `${c.version}/${c.prefix}`;
      const e = this.#rangePrefixes.get(pk);
      if (e) e.n++;
      else this.#rangePrefixes.set(pk, { version: c.version, prefix: c.prefix, n: 1 });
    }
  }
  #remove(d: Decision): void {
    if (!this.#byId.delete(d.id)) return;
    const k = `${d.scope}\0${d.value}`;
    const set = this.#index.get(k);
    if (set) {
      set.delete(d);
      if (set.size === 0) this.#index.delete(k);
    }
    if (d.scope === 'range') {
      const c = parseCidr(d.value);
      const pk = `${c.version}/${c.prefix}`;
      const e = this.#rangePrefixes.get(pk);
      if (e && --e.n === 0) this.#rangePrefixes.delete(pk);
    }
  }
  async add(input: DecisionInput): Promise<Decision> {
    this.#check();
    const d: Decision = { ...validateDecisionInput(input), id: randomUUID(), createdAt: this.#clock.now() };
    this.#prune();
    this.#insert(d);
    return d;
  }
  #prune(): void {
    if (this.#byId.size < this.#max) return;
    const now = this.#clock.now();
    for (const d of [...this.#byId.values()]) if (d.expiresAt <= now) this.#remove(d);
    while (this.#byId.size >= this.#max) {
      // Drop the decision that would lapse soonest.
      let soonest: Decision | undefined;
      for (const d of this.#byId.values()) if (!soonest || d.expiresAt < soonest.expiresAt) soonest = d;
      this.#remove(soonest!);
    }
  }
  async delete(id: string): Promise<boolean> {
    this.#check();
    const d = this.#byId.get(id);
    if (!d) return false;
    this.#remove(d);
    return true;
  }
  async deleteWhere(filter: DecisionFilter): Promise<number> {
    this.#check();
    const now = this.#clock.now();
    let n = 0;
    for (const d of [...this.#byId.values()]) {
      if (matchesFilter(d, filter, now)) {
        this.#remove(d);
        n++;
      }
    }
    return n;
  }
  async list(filter: DecisionFilter = {}): Promise<Decision[]> {
    this.#check();
    const now = this.#clock.now();
    // Reversed insertion order, then a stable sort: ties on createdAt list the later-added first.
    const out = [...this.#byId.values()].reverse().filter((d) => matchesFilter(d, filter, now));
    out.sort((a, b) => b.createdAt - a.createdAt);
    return filter.limit ? out.slice(0, filter.limit) : out;
  }
  match(subject: Subject): Promise<Decision[]> {
    // The work is done now; the answer is a settled promise (no async frame to allocate).
    try {
      const found = this.#match(subject);
      return found === NO_DECISIONS ? NONE_MATCHED : Promise.resolve(found);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  #match(subject: Subject): Decision[] {
    this.#check();
    if (this.#byId.size === 0) return NO_DECISIONS as Decision[];
    const now = this.#clock.now();
    const ip = subject.ip ? tryParseIp(subject.ip) : undefined;
    const keys: string[] = [];
    if (ip) {
      keys.push(`ip\0${formatIp(ip)}`);
      for (const r of this.#rangePrefixes.values()) {
        if (r.version === ip.version) keys.push(`range\0${formatCidr(cidrOf(ip, r.prefix))}`);
      }
    }
    if (subject.userHash !== undefined) keys.push(`user\0${subject.userHash}`);
    if (subject.device !== undefined) keys.push(`device\0${subject.device}`);
    if (subject.country !== undefined) keys.push(`country\0${subject.country}`);
    const out: Decision[] = [];
    for (const k of keys) {
      const set = this.#index.get(k);
      if (set) for (const d of set) if (d.expiresAt > now && decisionApplies(d, subject, ip)) out.push(d);
    }
    return out;
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

export class MemoryStore implements Store {
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
      out[i] = this.table.removeMember(op.key, op.member, now, undefined, op.ttlMs, op.heldAt);
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
        out[i] = t.batchAdd(i - o0, op.by ?? 1, op.ttlMs);
      }
      for (let i = k0; i < k; i++) out[ops.length + i] = t.batchGet(o - o0 + i - k0);
    }
    return out;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    this.#open();
    return this.table.setIfAbsent(`claim\u0000${key}`, CLAIM_WEIGHT, ttlMs, this.#clock.now());
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
