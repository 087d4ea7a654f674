/**
 * A compiled scenario: what events it looks at (a filter), how it groups them
 * (one or more fields), what kind of bucket each group fills and when that
 * bucket fires, and what an alert asks for. load.ts builds these from YAML.
 */
import type { CidrList } from 'mamori/internal';
import type { AlertSeverity } from '../model.js';
import type { Predicate } from './expr.js';

export type BucketSpec =
  /** Fires on every matching event (within the blackout, once). */
  | { readonly kind: 'trigger' }
  /** Fills by one per event and drains by one every `leakMs`; fires when it would hold more than `capacity`. */
  | { readonly kind: 'leaky'; readonly capacity: number; readonly leakMs: number }
  /** Fires when `threshold` events fall within `windowMs` (a sliding window). */
  | { readonly kind: 'counter'; readonly threshold: number; readonly windowMs: number }
  /** Fires when `threshold` distinct values of `field` are seen within `windowMs`; holds at most `threshold` values. */
  | { readonly kind: 'distinct'; readonly field: string; readonly threshold: number; readonly windowMs: number }
  /** Fires on a `then` event after at least `count` `first` events, all within `windowMs` (a success after failures). */
  | { readonly kind: 'sequence'; readonly first: Predicate; readonly then: Predicate; readonly count: number; readonly windowMs: number }
  /**
   * Fires when `field` (a country) changes between two events of the group faster than
   * `maxSpeedKmh` allows over at least `minDistanceKm` (impossible travel); events more than
   * `windowMs` apart are not compared.
   */
  | { readonly kind: 'travel'; readonly field: string; readonly maxSpeedKmh: number; readonly minDistanceKm: number; readonly windowMs: number };

export type BucketKind = BucketSpec['kind'];
export const BUCKET_KINDS: readonly BucketKind[] = ['trigger', 'leaky', 'counter', 'distinct', 'sequence', 'travel'];

export interface Remedy {
  readonly action: 'block' | 'challenge';
  /** `ip`: the source address; `range`: its /24 (IPv4) or /64 (IPv6). */
  readonly scope: 'ip' | 'range';
  readonly ttlMs: number;
}

export interface Scenario {
  /** kebab-case, unique: the Alert's `detector`. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly severity: AlertSeverity;
  readonly mitre: readonly string[];
  readonly filter: Predicate;
  /** The filter as written, for listings. */
  readonly filterText: string;
  /** The fields whose values make a group's key; an event lacking one is skipped. */
  readonly groupBy: readonly string[];
  readonly bucket: BucketSpec;
  /** After firing, the group stays quiet this long (events in it are ignored). */
  readonly blackoutMs: number;
  readonly remedy?: Remedy;
  /** Detect-only: alerts say `simulated` and carry no remedy. */
  readonly simulation: boolean;
  readonly allow: { readonly ips?: CidrList; readonly users: ReadonlySet<string> };
  /** Most groups held at once; the least recently touched is evicted (and counted) past it. */
  readonly maxGroups: number;
  /** Most events an alert carries as evidence. */
  readonly samples: number;
  /** file:line where the scenario is defined. */
  readonly origin: string;
}
