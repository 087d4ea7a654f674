/**
 * Adds to a parsed event what the line itself does not say, keyed by its source address:
 *   - `source.geo.country_iso_code`, from a CountryLookup (mamori's openCountryDatabase()
 *     or staticCountryLookup()),
 *   - `mamori.ioc` / `mamori.ioc.kind` / `mamori.ioc.source` when the address (or the
 *     `source.address` / `url.domain` host name) is a known indicator: any matcher with
 *     @mamori/host's IocMatcher's matchIp/matchDomain methods,
 *   - `mamori.decided: true` when the source is already under a block or challenge
 *     decision: a lookup function (decidedFromStore(store) makes one from a Store).
 * Country and IoC answers are kept per address as the line wrote it, in two generations of
 * at most `cacheSize / 2` addresses each (an address seen in the older one moves to the
 * newer; when the newer is full the older is dropped whole): a hit is one map lookup, with
 * no parsing of the address, and an attacker rotating addresses turns the cache over, never
 * grows it. Host names' IoC answers and decision answers are cached in a bounded LRU;
 * decision answers expire after `decidedTtlMs` so a decision added or lifted is seen.
 *
 * Example:
 *   const enrich = new Enricher({ country: openCountryDatabase(), ioc: matcher, decided: decidedFromStore(store.decisions) });
 *   const e = await enrich.enrich(event);       // waits only for a decision answer not in the cache
 *   const e2 = enrich.enrichSync(event);        // never waits: a missing decision answer is looked up for the next event
 */
import type { CountryLookup, DecisionStore } from 'mamori';
import { BoundedCache } from 'mamori/internal';
import type { LogEvent } from '../model.js';
import type { Fields } from '../parsers/fields.js';

export interface IocHitLike {
  readonly indicator: string;
  readonly kind: string;
  readonly source: string;
}

/** What the enricher needs of an IoC matcher (@mamori/host's IocMatcher has both). */
export interface IocLookup {
  matchIp(ip: string): readonly IocHitLike[];
  matchDomain?(host: string): readonly IocHitLike[];
}

export type DecidedLookup = (ip: string) => boolean | Promise<boolean>;

export interface EnrichOptions {
  readonly country?: CountryLookup;
  readonly ioc?: IocLookup;
  readonly decided?: DecidedLookup;
  /** Addresses each cache holds (least recently used goes first). Default 10,000. */
  readonly cacheSize?: number;
  /** How long a decision answer is trusted, ms. Default 10,000. */
  readonly decidedTtlMs?: number;
  /** The clock for the decision cache (tests move it). Default Date.now. */
  readonly now?: () => number;
}

/** The cache the enricher keeps its IoC and decision answers in (mamori's bounded LRU map). */
export { BoundedCache };

/** A decided-lookup from a decision store: true when a block or challenge applies to the address. */
export function decidedFromStore(store: Pick<DecisionStore, 'match'>): DecidedLookup {
  return async (ip: string) => {
    const ds = await store.match({ ip });
    return ds.some((d) => d.action === 'block' || d.action === 'challenge');
  };
}

const NO_HIT: readonly IocHitLike[] = [];

/** What is known of one address: its country and its IoC hits. */
interface AddressFacts {
  /** The address as first seen: events of the address carry this one string (see #static). */
  readonly ip: string;
  readonly country: string | undefined;
  readonly hits: readonly IocHitLike[];
}

/**
 * A bounded map in two generations (the newer takes every set and every hit found in the
 * older; when it holds `max / 2` keys it becomes the older and the older is dropped): at
 * most `max` keys, a hit in the newer generation costs one Map lookup and moves nothing.
 */
export class GenerationCache<V> {
  #young = new Map<string, V>();
  #old = new Map<string, V>();
  readonly #half: number;
  constructor(max: number) {
    this.#half = Math.max(0, Math.trunc(max / 2));
  }
  get(key: string): V | undefined {
    const v = this.#young.get(key);
    if (v !== undefined) return v;
    const o = this.#old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }
  set(key: string, v: V): void {
    if (this.#half === 0) return;
    if (this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, v);
  }
  get size(): number {
    return this.#young.size + this.#old.size;
  }
}

export class Enricher {
  readonly #country: CountryLookup | undefined;
  readonly #ioc: IocLookup | undefined;
  readonly #decided: DecidedLookup | undefined;
  readonly #ttl: number;
  readonly #now: () => number;
  readonly #iocs: BoundedCache<readonly IocHitLike[]>;
  readonly #addresses: GenerationCache<AddressFacts>;
  readonly #decisions: BoundedCache<{ value: boolean; at: number }>;
  /** Lookups in flight, so a burst from one address asks the store once. */
  readonly #pending = new Map<string, Promise<boolean>>();
  /** Failed decision lookups (the store was down): counted, never thrown into the pipeline. */
  lookupErrors = 0;

  constructor(options: EnrichOptions = {}) {
    this.#country = options.country;
    this.#ioc = options.ioc;
    this.#decided = options.decided;
    this.#ttl = options.decidedTtlMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    const size = options.cacheSize ?? 10_000;
    this.#iocs = new BoundedCache(size);
    this.#addresses = new GenerationCache(size);
    this.#decisions = new BoundedCache(size);
  }

  #static(event: LogEvent): Fields | undefined {
    const ip = event.fields['source.ip'];
    let add: Fields | undefined;
    if (typeof ip === 'string' && (this.#country || this.#ioc)) {
      let facts = this.#addresses.get(ip);
      if (facts === undefined) {
        const hits = this.#ioc ? this.#ioc.matchIp(ip) : NO_HIT;
        facts = { ip, country: this.#country?.country(ip), hits: hits.length === 0 ? NO_HIT : hits };
        this.#addresses.set(ip, facts);
      }
      if (facts.country !== undefined) (add ??= {})['source.geo.country_iso_code'] = facts.country;
      if (facts.hits.length > 0) add = withHit(add, facts.hits[0]!);
      // The event is copied anyway: it gets the address as the string first seen (the same
      // characters), one string object for every event of the address, so the detectors' tables
      // keyed by it find it by identity (its hash computed once, no characters compared).
      if (add !== undefined) add['source.ip'] = facts.ip;
    }
    if (this.#ioc?.matchDomain && add?.['mamori.ioc'] === undefined) {
      for (const key of ['source.address', 'url.domain', 'destination.domain']) {
        const host = event.fields[key];
        if (typeof host !== 'string') continue;
        const cacheKey = `d:${host}`;
        let hits = this.#iocs.get(cacheKey);
        if (hits === undefined) {
          hits = this.#ioc.matchDomain(host);
          this.#iocs.set(cacheKey, hits.length === 0 ? NO_HIT : hits);
        }
        if (hits.length > 0) {
          add = withHit(add, hits[0]!);
          break;
        }
      }
    }
    return add;
  }

  #cachedDecision(ip: string): boolean | undefined {
    const d = this.#decisions.get(ip);
    return d !== undefined && this.#now() - d.at < this.#ttl ? d.value : undefined;
  }

  #lookup(ip: string): Promise<boolean> {
    const inFlight = this.#pending.get(ip);
    if (inFlight) return inFlight;
    const p = (async () => {
      try {
        const value = await this.#decided!(ip);
        this.#decisions.set(ip, { value: value === true, at: this.#now() });
        return value === true;
      } catch {
        this.lookupErrors++;
        return false;
      } finally {
        this.#pending.delete(ip);
      }
    })();
    this.#pending.set(ip, p);
    return p;
  }

  /** Enriches without waiting: a decision answer not cached is fetched for the events after this one. */
  enrichSync(event: LogEvent): LogEvent {
    let add = this.#static(event);
    const ip = event.fields['source.ip'];
    if (this.#decided && typeof ip === 'string') {
      const d = this.#cachedDecision(ip);
      if (d === undefined) void this.#lookup(ip);
      else if (d) (add ??= {})['mamori.decided'] = true;
    }
    return add ? merged(event, add) : event;
  }

  /** Enriches, waiting for a decision answer that is not cached. Never rejects. */
  async enrich(event: LogEvent): Promise<LogEvent> {
    let add = this.#static(event);
    const ip = event.fields['source.ip'];
    if (this.#decided && typeof ip === 'string') {
      const d = this.#cachedDecision(ip) ?? (await this.#lookup(ip));
      if (d) (add ??= {})['mamori.decided'] = true;
    }
    return add ? merged(event, add) : event;
  }
}

/** A copy of the event with the added fields (a for-in copy: object spread is several times slower on these dotted keys). */
function merged(event: LogEvent, add: Fields): LogEvent {
  const fields: Fields = {};
  const src = event.fields;
  for (const k in src) fields[k] = src[k]!;
  for (const k in add) fields[k] = add[k]!;
  return { time: event.time, fields, line: event.line };
}

function withHit(add: Fields | undefined, hit: IocHitLike): Fields {
  const out = add ?? {};
  out['mamori.ioc'] = hit.indicator.slice(0, 256);
  out['mamori.ioc.kind'] = hit.kind;
  out['mamori.ioc.source'] = hit.source.slice(0, 128);
  return out;
}
