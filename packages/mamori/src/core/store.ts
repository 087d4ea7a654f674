/**
 * The store contract. Every backend (memory, SQLite, and later Redis and
 * PostgreSQL) implements it and passes `store.case.ts`, the one
 * conformance suite. Calls are batched so a login check costs one round trip.
 */
import type { Decision, DecisionInput, DecisionAction, DecisionScope, Subject } from './decisions.js';
import type { EventQuery, SecurityEvent } from './events.js';
import type { Clock } from './clock.js';

export interface CounterOp {
  readonly key: string;
  /** Amount to add (default 1). */
  readonly by?: number;
  /** Lifetime of a counter created by this op; an existing counter keeps its expiry. */
  readonly ttlMs: number;
  /**
   * This counter must never read lower than it counted while it lives, even when a store with a
   * memory cap runs out of room (a lockout an attacker must not flood away). Such a store may
   * then read it, and other such counters whose keys start with the same two characters, higher.
   */
  readonly floor?: boolean;
}

export interface DistinctOp {
  /** The set being counted, e.g. "users failing from source X". */
  readonly key: string;
  /** The member; backends store only a hash of it. */
  readonly member: string;
  readonly ttlMs: number;
  /**
   * For removeDistinct: when the hold being given back was taken, in the store's time (its
   * addDistinct's, or any time after it). A member whose marker expired since and was made
   * anew after this time is held by somebody else: the call leaves it alone.
   */
  readonly heldAt?: number;
}

export interface DecisionFilter {
  id?: string;
  scope?: DecisionScope;
  value?: string;
  action?: DecisionAction;
  origin?: string;
  includeExpired?: boolean;
  limit?: number;
}

export interface DecisionStore {
  add(input: DecisionInput): Promise<Decision>;
  delete(id: string): Promise<boolean>;
  /** Deletes every active decision matching the filter; returns how many. */
  deleteWhere(filter: DecisionFilter): Promise<number>;
  list(filter?: DecisionFilter): Promise<Decision[]>;
  /** Active decisions that apply to the subject (IP, ranges holding it, user, device, country). */
  match(subject: Subject): Promise<Decision[]>;
}

export interface EventStore {
  /** Appends without waiting; backends may batch. Never throws into the caller. */
  append(event: SecurityEvent): void;
  /** Newest first. */
  query(q?: EventQuery): Promise<SecurityEvent[]>;
  /** Waits until appended events are durable. */
  flush(): Promise<void>;
}

export interface Store {
  readonly name: string;
  /**
   * The clock the store stamps entries with, when it runs in this process (the memory store,
   * SQLite). A caller that must compare times with the store's (DistinctOp.heldAt) reads it.
   */
  readonly clock?: Clock;
  /** Adds to counters, creating missing or expired ones; returns the new values in order. */
  increment(ops: readonly CounterOp[]): Promise<number[]>;
  /** Reads counters; absent or expired ones read 0. */
  read(keys: readonly string[]): Promise<number[]>;
  reset(keys: readonly string[]): Promise<void>;
  /**
   * Adds members to sets and returns each set's distinct count (may saturate at a backend
   * cap). Each addition is a hold on its member: a member stays in its set while it has
   * one, until it expires.
   */
  addDistinct(ops: readonly DistinctOp[]): Promise<number[]>;
  /**
   * Gives back one hold per op, for a caller that added a member ahead of time (a
   * reservation) and must undo exactly that: a member whose last hold goes leaves its set,
   * and the set's count drops by one; other holders (an earlier failure, a parallel
   * attempt) keep it in. An absent member changes nothing. Returns each set's count after.
   */
  removeDistinct(ops: readonly DistinctOp[]): Promise<number[]>;
  /** True only the first time a key is claimed within its lifetime: single-use tokens. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  readonly decisions: DecisionStore;
  readonly events: EventStore;
  close(): Promise<void>;
}

/**
 * A floor of a store with a memory cap (the memory store, SQLite): what every key of one kind
 * that the store no longer holds reads, because a count of that kind (a `floor` counter) had to
 * be evicted. Stores without a cap (Redis, PostgreSQL) have none.
 */
export interface CounterFloor {
  /** The kind: the first two characters of the keys it holds (see `floorLabel`). */
  readonly kind: string;
  /** What the kind's keys are, in words. */
  readonly label: string;
  /** What an absent key of the kind reads now. */
  readonly count: number;
  /** Until when (ms since the epoch): the expiry of the highest count evicted. */
  readonly expiresAt: number;
  /**
   * A reset of this kind was asked for (from another process) and the process that counts has
   * not applied it yet: it does at its next counter flush, or at its next start.
   */
  readonly pending?: boolean;
}

/**
 * Not part of the store contract: what a store with a memory cap offers its operator, to see
 * the floors a flood raised and to drop them once it is over (`mamori counters`).
 */
export interface FlooredStore {
  /** The live floors. */
  floors(): Promise<CounterFloor[]>;
  /**
   * Drops the floors of the kinds named (every kind when none is), and what the store holds of
   * a kind that ever spilled into its floor (those counts started from the floor): every key of
   * those kinds reads 0 again. Returns how many live floors were dropped, or were asked to be
   * (a store whose counting process is another applies it there).
   */
  resetFloors(kinds?: readonly string[]): Promise<number>;
  /**
   * (Optional: a store written before it has floors all the same.) What an absent counter of `key`'s kind reads now
   * in this process (0: no floor), without I/O:
   * for the events of what such a count decided (a floor may be most of it). A process that
   * does not count (a SQLite file another process counts in) answers 0.
   */
  floorOf?(key: string): number;
}

export function hasFloors<S extends object>(store: S): store is S & FlooredStore {
  const s = store as Partial<FlooredStore>;
  return typeof s.floors === 'function' && typeof s.resetFloors === 'function';
}

/** What mamori's own floored kinds hold (their keys' first two characters), in words. */
const FLOOR_KINDS: Readonly<Record<string, string>> = {
  lu: 'login: failed logins of an account',
  lc: 'login: an account closed to untrusted devices',
  du: 'login (detect mode): failed logins of an account',
  dc: 'login (detect mode): an account closed to untrusted devices',
  cf: 'checkout: failed payments of a source, account, card or card and source',
  mf: 'MFA: wrong one-time codes of an account',
};

/** A floored kind in words; an unknown one (another application's keys, a custom namespace) said so. */
export function floorLabel(kind: string): string {
  if (kind === '') return 'keys of kinds past the table\'s 254 (counted together)';
  return FLOOR_KINDS[kind] ?? 'keys of another kind (an application\'s own, or a custom namespace)';
}
