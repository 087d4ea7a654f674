/**
 * From an alert's remedy to a decision for mamori's store. The remedy's value came from a
 * log line, so it is checked like any outside input: a valid address or range (canonical
 * form), not inside `never` (the operator's own addresses, loopback by default: a forged
 * log line must not lock the operator out), not a range wider than `minPrefix` allows.
 *
 * The decision lasts the remedy's TTL from the event that fired the alert (detection runs
 * on event time): replaying last week's logs makes no block now, and a live alert, whose
 * event is a moment old, blocks for the whole TTL. An event time ahead of the clock (a host
 * with a wrong clock) counts from now.
 */
import { CidrList, parseCidr, formatCidr, tryParseIp, formatIp, cidrContains, type DecisionInput } from 'mamori/internal';
import type { StoredAlert } from './stored.js';

export interface DecisionPolicy {
  /** Make decisions at all (false: alerts are recorded and notified only). */
  readonly enabled: boolean;
  /** Sources never decided on (CIDRs). */
  readonly never: readonly string[];
  /** The widest range a remedy may name: IPv4 /N and IPv6 /N at least. */
  readonly minPrefix4: number;
  readonly minPrefix6: number;
  /** The longest a decision lasts, whatever the detector asks. */
  readonly maxTtlMs: number;
}

export const DEFAULT_DECISION_POLICY: DecisionPolicy = {
  enabled: true,
  never: ['127.0.0.0/8', '::1/128'],
  minPrefix4: 16,
  minPrefix6: 32,
  maxTtlMs: 30 * 86_400_000,
};

export type Planned = { readonly decision: DecisionInput } | { readonly skip: string };

export class DecisionPlanner {
  readonly #p: DecisionPolicy;
  readonly #never: CidrList;

  constructor(p: DecisionPolicy) {
    this.#p = p;
    this.#never = new CidrList(p.never);
  }

  plan(a: StoredAlert, now: number): Planned | undefined {
    const r = a.remedy;
    if (!r) return undefined;
    if (a.simulated) return { skip: 'simulated: the detector is in detect-only mode' };
    if (!this.#p.enabled) return { skip: 'decisions are off (alerts.decisions.enabled)' };
    if (r.action !== 'block' && r.action !== 'challenge') return { skip: `unknown action ${String(r.action).slice(0, 32)}` };
    if (typeof r.ttlMs !== 'number' || !(r.ttlMs > 0)) return { skip: 'the remedy has no positive TTL' };
    let value: string;
    if (r.scope === 'ip') {
      const ip = tryParseIp(String(r.value));
      if (!ip) return { skip: `"${String(r.value).slice(0, 64)}" is not an IP address` };
      if (this.#never.contains(ip)) return { skip: `${formatIp(ip)} is in alerts.decisions.never` };
      value = formatIp(ip);
    } else if (r.scope === 'range') {
      let c;
      try {
        c = parseCidr(String(r.value));
      } catch {
        return { skip: `"${String(r.value).slice(0, 64)}" is not a CIDR range` };
      }
      const min = c.version === 4 ? this.#p.minPrefix4 : this.#p.minPrefix6;
      if (c.prefix < min) return { skip: `${formatCidr(c)} is wider than /${min} (alerts.decisions.min_prefix)` };
      // A range that holds any address never decided on is refused whole.
      for (const n of this.#never.ranges) {
        if (n.version === c.version && (cidrContains(c, { version: n.version, words: n.words }) || cidrContains(n, { version: c.version, words: c.words }))) {
          return { skip: `${formatCidr(c)} overlaps alerts.decisions.never` };
        }
      }
      value = formatCidr(c);
    } else {
      return { skip: `unknown scope ${String(r.scope).slice(0, 32)}` };
    }
    const from = Math.min(a.time, now);
    const expiresAt = from + Math.min(r.ttlMs, this.#p.maxTtlMs);
    if (expiresAt <= now) return { skip: 'expired already: the alert is older than its remedy\'s TTL (a replay of old logs)' };
    return {
      decision: {
        action: r.action,
        scope: r.scope,
        value,
        expiresAt,
        origin: `watch.${a.detector}`.slice(0, 128),
        reason: `alert ${a.id}: ${a.title} (${a.count} events)`.slice(0, 512),
      },
    };
  }
}
