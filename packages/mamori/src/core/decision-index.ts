/**
 * Decisions indexed by `scope\0value`, so matching a request costs a few map
 * look-ups (one per range prefix length in use), not a scan of every
 * decision. The memory store keeps its decisions in one; the SQLite store
 * keeps one as its mirror of the file's.
 */
import { cidrContains, cidrOf, formatCidr, formatIp, parseCidr, tryParseIp } from './net.js';
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

export class DecisionIndex {
  readonly #byId = new Map<string, Decision>();
  readonly #index = new Map<string, Set<Decision>>();
  /** How many range decisions use each `version/prefix`. */
  readonly #rangePrefixes = new Map<string, { version: 4 | 6; prefix: number; n: number }>();

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
    if (d.scope === 'range') {
      const c = parseCidr(d.value);
      const pk = `${c.version}/${c.prefix}`;
      const e = this.#rangePrefixes.get(pk);
      if (e) e.n++;
      else this.#rangePrefixes.set(pk, { version: c.version, prefix: c.prefix, n: 1 });
    }
  }

  remove(d: Decision): boolean {
    const held = this.#byId.get(d.id);
    if (!held) return false;
    this.#byId.delete(d.id);
    const k = `${held.scope}\0${held.value}`;
    const set = this.#index.get(k);
    if (set) {
      set.delete(held);
      if (set.size === 0) this.#index.delete(k);
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
  }

  /** Drops the decisions that have expired by `now`. */
  pruneExpired(now: number): void {
    for (const d of [...this.#byId.values()]) if (d.expiresAt <= now) this.remove(d);
  }

  /** Active decisions that apply to the subject (IP, ranges holding it, user, device, country). */
  match(subject: Subject, now: number): Decision[] {
    if (this.#byId.size === 0) return NONE as Decision[];
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
}
