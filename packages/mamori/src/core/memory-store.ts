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
import { cidrContains, parseCidr, tryParseIp } from './net.js';
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

/** Claimed single-use keys rank above every counter, so a flood evicts them last. */
const CLAIM_WEIGHT = 0xfffffff0;

export function matchesFilter(d: Decision, f: DecisionFilter, now: number): boolean {
  if (!f.includeExpired && d.expiresAt <= now) return false;
  if (f.scope && d.scope !== f.scope) return false;
  if (f.value !== undefined && d.value !== f.value) return false;
  if (f.action && d.action !== f.action) return false;
  if (f.origin && d.origin !== f.origin) return false;
  return true;
}

export function decisionApplies(d: Decision, s: Subject, ip: ReturnType<typeof tryParseIp>): boolean {
  switch (d.scope) {
    case 'ip':
      return s.ip !== undefined && d.value === s.ip;
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

class MemoryDecisions implements DecisionStore {
  readonly #byId = new Map<string, Decision>();
  readonly #max: number;
  readonly #clock: Clock;
  constructor(max: number, clock: Clock) {
    this.#max = max;
    this.#clock = clock;
  }
  async add(input: DecisionInput): Promise<Decision> {
    const d: Decision = { ...validateDecisionInput(input), id: randomUUID(), createdAt: this.#clock.now() };
    this.#prune();
    this.#byId.set(d.id, d);
    return d;
  }
  #prune(): void {
    if (this.#byId.size < this.#max) return;
    const now = this.#clock.now();
    for (const [id, d] of this.#byId) if (d.expiresAt <= now) this.#byId.delete(id);
    while (this.#byId.size >= this.#max) {
      // Drop the decision that would lapse soonest.
      let soonest: Decision | undefined;
      for (const d of this.#byId.values()) if (!soonest || d.expiresAt < soonest.expiresAt) soonest = d;
      this.#byId.delete(soonest!.id);
    }
  }
  async delete(id: string): Promise<boolean> {
    return this.#byId.delete(id);
  }
  async deleteWhere(filter: DecisionFilter): Promise<number> {
    const now = this.#clock.now();
    let n = 0;
    for (const [id, d] of this.#byId) {
      if (matchesFilter(d, filter, now)) {
        this.#byId.delete(id);
        n++;
      }
    }
    return n;
  }
  async list(filter: DecisionFilter = {}): Promise<Decision[]> {
    const now = this.#clock.now();
    const out = [...this.#byId.values()].filter((d) => matchesFilter(d, filter, now));
    out.sort((a, b) => b.createdAt - a.createdAt);
    return filter.limit ? out.slice(0, filter.limit) : out;
  }
  async match(subject: Subject): Promise<Decision[]> {
    if (this.#byId.size === 0) return [];
    const now = this.#clock.now();
    const ip = subject.ip ? tryParseIp(subject.ip) : undefined;
    const out: Decision[] = [];
    for (const d of this.#byId.values()) if (d.expiresAt > now && decisionApplies(d, subject, ip)) out.push(d);
    return out;
  }
}

class MemoryEvents implements EventStore {
  readonly #ring: SecurityEvent[] = [];
  readonly #max: number;
  #next = 0;
  constructor(max: number) {
    this.#max = max;
  }
  append(event: SecurityEvent): void {
    if (this.#ring.length < this.#max) this.#ring.push(event);
    else this.#ring[this.#next] = event;
    this.#next = (this.#next + 1) % this.#max;
  }
  async query(q: EventQuery = {}): Promise<SecurityEvent[]> {
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

export class MemoryStore implements Store {
  readonly name = 'memory';
  readonly table: CounterTable;
  readonly decisions: DecisionStore;
  readonly events: EventStore;
  readonly #clock: Clock;
  #closed = false;

  constructor(opts: MemoryStoreOptions = {}) {
    this.#clock = opts.clock ?? systemClock;
    this.table = new CounterTable(opts.maxCounterBytes ?? 64 * 1024 * 1024, opts.random ?? cryptoRandom);
    this.decisions = new MemoryDecisions(opts.maxDecisions ?? 100_000, this.#clock);
    this.events = new MemoryEvents(opts.maxEvents ?? 10_000);
  }

  #open(): void {
    if (this.#closed) throw new MamoriError('MAMORI_ERR_STORE_CLOSED', 'the memory store was closed; create a new one');
  }

  increment(ops: readonly CounterOp[]): Promise<number[]> {
    this.#open();
    const now = this.#clock.now();
    const out = new Array<number>(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      out[i] = this.table.add(op.key, op.by ?? 1, op.ttlMs, now);
    }
    return Promise.resolve(out);
  }

  read(keys: readonly string[]): Promise<number[]> {
    this.#open();
    const now = this.#clock.now();
    const out = new Array<number>(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = this.table.get(keys[i]!, now);
    return Promise.resolve(out);
  }

  async reset(keys: readonly string[]): Promise<void> {
    this.#open();
    const now = this.#clock.now();
    for (const k of keys) this.table.delete(k, now);
  }

  addDistinct(ops: readonly DistinctOp[]): Promise<number[]> {
    this.#open();
    const now = this.#clock.now();
    const out = new Array<number>(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const fresh = this.table.setIfAbsent(`${op.key}\u0000${op.member}`, 1, op.ttlMs, now);
      out[i] = fresh ? this.table.add(op.key, 1, op.ttlMs, now) : this.table.get(op.key, now);
    }
    return Promise.resolve(out);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    this.#open();
    return this.table.setIfAbsent(`claim\u0000${key}`, CLAIM_WEIGHT, ttlMs, this.#clock.now());
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
