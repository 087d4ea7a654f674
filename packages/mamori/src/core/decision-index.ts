/**
 * Decisions indexed by `scope\0value`, so matching a request costs a few map
 * look-ups (one per range prefix length in use), not a scan of every
 * decision. The memory store keeps its decisions in one; the SQLite store
 * keeps one as its mirror of the file's.
 */
import { cidrContains, cidrOf, formatCidr, formatIp, parseCidr, parseIpv4, tryParseIp } from './net.js';
import type { Decision, Subject } from './decisions.js';

/** The answer when no decision applies: shared, frozen (callers only read it). */
const NONE: readonly Decision[] = Object.freeze([]);

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

/** A v4 prefix's mask, as an unsigned 32-bit number (0 for /0). */
function v4Mask(prefix: number): number {
  return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The unexpired decisions of a set found for a subject, added to `out`. */
function take(set: Set<Decision> | undefined, now: number, out: Decision[] | undefined): Decision[] | undefined {
  if (set !== undefined) for (const d of set) if (d.expiresAt > now) (out ??= []).push(d);
  return out;
}

export class DecisionIndex {
  readonly #byId = new Map<string, Decision>();
  readonly #index = new Map<string, Set<Decision>>();
  /** How many range decisions use each `version/prefix`. */
  readonly #rangePrefixes = new Map<string, { version: 4 | 6; prefix: number; n: number }>();
  /**
   * The same sets again for a request from a dotted-quad address (nearly every one): `ip`
   * decisions on one by its number, `range` decisions on an IPv4 network by prefix and network
   * number. Only decisions whose value is the canonical text #index is searched by are here,
   * so both find the same decisions; what this saves is parsing and formatting the address
   * and building a key text for each prefix on every match.
   */
  readonly #v4Ips = new Map<number, Set<Decision>>();
  readonly #v4Ranges = new Map<number, Map<number, Set<Decision>>>();

  /** Decisions held (expired ones until they are removed). */
  get size(): number {
    return this.#byId.size;
  }

  get(id: string): Decision | undefined {
    return this.#byId.get(id);
  }

  values(): IterableIterator<Decision> {
    return this.#byId.values();
  }

  add(d: Decision): void {
    if (this.#byId.has(d.id)) this.remove(this.#byId.get(d.id)!);
    this.#byId.set(d.id, d);
    const k = `${d.scope}\0${d.value}`;
    let set = this.#index.get(k);
    if (!set) this.#index.set(k, (set = new Set()));
    set.add(d);
    this.#mirror(d, set);
    if (d.scope === 'range') {
      const c = parseCidr(d.value);
      const pk = `${c.version}/${c.prefix}`;
      const e = this.#rangePrefixes.get(pk);
      if (e) e.n++;
      else this.#rangePrefixes.set(pk, { version: c.version, prefix: c.prefix, n: 1 });
    }
  }

  /** Where a decision's set sits in the IPv4 maps, if it does (see #v4Ips): a map and its key. */
  #v4Slot(d: Decision, create: boolean): [Map<number, Set<Decision>>, number] | undefined {
    if (d.scope === 'ip') {
      const n = parseIpv4(d.value);
      return n === undefined ? undefined : [this.#v4Ips, n >>> 0];
    }
    if (d.scope !== 'range') return undefined;
    const c = parseCidr(d.value);
    if (c.version !== 4 || formatCidr(c) !== d.value) return undefined;
    let byNet = this.#v4Ranges.get(c.prefix);
    if (byNet === undefined) {
      if (!create) return undefined;
      this.#v4Ranges.set(c.prefix, (byNet = new Map()));
    }
    return [byNet, c.words[3] >>> 0];
  }

  #mirror(d: Decision, set: Set<Decision>): void {
    const slot = this.#v4Slot(d, true);
    if (slot) slot[0].set(slot[1], set);
  }

  remove(d: Decision): boolean {
    const held = this.#byId.get(d.id);
    if (!held) return false;
    this.#byId.delete(d.id);
    const k = `${held.scope}\0${held.value}`;
    const set = this.#index.get(k);
    if (set) {
      set.delete(held);
      if (set.size === 0) {
        this.#index.delete(k);
        const slot = this.#v4Slot(held, false);
        if (slot) slot[0].delete(slot[1]);
      }
    }
    if (held.scope === 'range') {
      const c = parseCidr(held.value);
      const pk = `${c.version}/${c.prefix}`;
      const e = this.#rangePrefixes.get(pk);
      if (e && --e.n === 0) this.#rangePrefixes.delete(pk);
    }
    return true;
  }

  clear(): void {
    this.#byId.clear();
    this.#index.clear();
    this.#rangePrefixes.clear();
    this.#v4Ips.clear();
    this.#v4Ranges.clear();
  }

  /** Drops the decisions that have expired by `now`. */
  pruneExpired(now: number): void {
    for (const d of [...this.#byId.values()]) if (d.expiresAt <= now) this.remove(d);
  }

  /** Active decisions that apply to the subject (IP, ranges holding it, user, device, country). */
  match(subject: Subject, now: number): Decision[] {
    if (this.#byId.size === 0) return NONE as Decision[];
    const v4 = subject.ip ? parseIpv4(subject.ip) : undefined;
    if (v4 !== undefined) return this.#matchV4(subject, v4 >>> 0, now);
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
    let out: Decision[] | undefined;
    for (const k of keys) {
      const set = this.#index.get(k);
      if (set) for (const d of set) if (d.expiresAt > now && decisionApplies(d, subject, ip)) (out ??= []).push(d);
    }
    return out ?? (NONE as Decision[]);
  }

  /**
   * match for a dotted-quad address (`n`): the same sets, in the same order, found by number.
   * Each set holds decisions whose value is exactly what the subject was looked up by (the
   * address, a canonical network holding it, the account hash, the device, the country), so
   * decisionApplies, which match asks again of every decision it finds, holds for each of them
   * by construction: only their expiry is read here.
   */
  #matchV4(subject: Subject, n: number, now: number): Decision[] {
    let out = take(this.#v4Ips.get(n), now, undefined);
    for (const r of this.#rangePrefixes.values()) {
      if (r.version === 4) out = take(this.#v4Ranges.get(r.prefix)?.get((n & v4Mask(r.prefix)) >>> 0), now, out);
    }
    if (subject.userHash !== undefined) out = take(this.#index.get(`user\0${subject.userHash}`), now, out);
    if (subject.device !== undefined) out = take(this.#index.get(`device\0${subject.device}`), now, out);
    if (subject.country !== undefined) out = take(this.#index.get(`country\0${subject.country}`), now, out);
    return out ?? (NONE as Decision[]);
  }
}
