/**
 * Decisions: allow / challenge / block, scoped to an IP, a range, a user
 * (stored as a keyed hash), a device or a country, with a TTL and an origin.
 * Every detector produces them; the proxy, adapters and CLI read them.
 */
import { MamoriError } from './errors.js';
import { parseCidr, tryParseIp, formatIp, formatCidr } from './net.js';

export type DecisionAction = 'allow' | 'challenge' | 'block';
export type DecisionScope = 'ip' | 'range' | 'user' | 'device' | 'country';

export const DECISION_ACTIONS: readonly DecisionAction[] = ['allow', 'challenge', 'block'];
export const DECISION_SCOPES: readonly DecisionScope[] = ['ip', 'range', 'user', 'device', 'country'];

export interface Decision {
  readonly id: string;
  readonly action: DecisionAction;
  readonly scope: DecisionScope;
  /** The IP, CIDR, user hash, device id or ISO country code. */
  readonly value: string;
  /** ms since epoch. */
  readonly createdAt: number;
  /** ms since epoch; decisions past it no longer apply. */
  readonly expiresAt: number;
  /** Which detector or person made it: `guard.login`, `cli`, `watch.ssh-bf`. */
  readonly origin: string;
  readonly reason: string;
  /**
   * Made in detect mode: what the detector would have decided. Recorded and listed, never
   * enforced: only a caller that is itself in detect mode takes it into account (see strongest).
   * Present only when true.
   */
  readonly detectOnly?: true;
}

export type DecisionInput = Omit<Decision, 'id' | 'createdAt' | 'value'> & { value: string };

/** Validates and canonicalises a decision's value for its scope. */
export function normalizeDecisionValue(scope: DecisionScope, value: string): string {
  const bad = (what: string): never => {
    throw new MamoriError('MAMORI_ERR_DECISION_INVALID', `"${String(value).slice(0, 64)}" is not ${what}`);
  };
  switch (scope) {
    case 'ip': {
      const ip = tryParseIp(value);
      return ip ? formatIp(ip) : bad('an IP address');
    }
    case 'range':
      try {
        return formatCidr(parseCidr(value));
      } catch {
        return bad('a CIDR range');
      }
    case 'country':
      return /^[A-Za-z]{2}$/.test(value) ? value.toUpperCase() : bad('a two-letter ISO 3166 country code');
    case 'user':
    case 'device':
      return value.length > 0 && value.length <= 256 && !/[\u0000-\u001f]/.test(value) ? value : bad(`a ${scope} identifier`);
    default:
      return bad('a known scope');
  }
}

export function validateDecisionInput(d: DecisionInput): DecisionInput {
  if (!DECISION_ACTIONS.includes(d.action)) {
    throw new MamoriError('MAMORI_ERR_DECISION_INVALID', `action "${String(d.action)}" is not one of ${DECISION_ACTIONS.join(', ')}`);
  }
  if (!DECISION_SCOPES.includes(d.scope)) {
    throw new MamoriError('MAMORI_ERR_DECISION_INVALID', `scope "${String(d.scope)}" is not one of ${DECISION_SCOPES.join(', ')}`);
  }
  if (!Number.isFinite(d.expiresAt)) throw new MamoriError('MAMORI_ERR_DECISION_INVALID', 'expiresAt must be a time');
  const { detectOnly, ...rest } = d;
  return {
    ...rest,
    value: normalizeDecisionValue(d.scope, d.value),
    reason: d.reason.slice(0, 512),
    origin: d.origin.slice(0, 128),
    ...(detectOnly === true ? { detectOnly } : {}),
  };
}

/** What a request is, for matching decisions against it. */
export interface Subject {
  ip?: string;
  userHash?: string;
  device?: string;
  country?: string;
}

const RANK: Record<DecisionAction, number> = { allow: 0, challenge: 1, block: 2 };

/**
 * Picks the decision that governs a subject: an explicit `allow` wins over
 * everything (an operator's exception), then the strongest of block/challenge.
 * Decisions made in detect mode count only for a caller in detect mode
 * (`detect`): whatever detect mode recorded is never enforced.
 */
/**
 * Which of two decisions a store at its cap drops first (true: `b` before `a`): one that is not
 * on an account before one that is, then the one that lapses soonest. An account closed after a
 * password attack must stay closed while a flood of blocked sources fills the store (each such
 * block costs an attacker a score of failed logins; each closure, fifty).
 */
export function keptLonger(a: Decision, b: Decision): boolean {
  const ua = a.scope === 'user';
  const ub = b.scope === 'user';
  if (ua !== ub) return ua;
  return b.expiresAt < a.expiresAt;
}

export function strongest(decisions: readonly Decision[], detect = false): Decision | undefined {
  let best: Decision | undefined;
  for (const d of decisions) {
    if (d.detectOnly && !detect) continue;
    if (d.action === 'allow') return d;
    if (!best || RANK[d.action] > RANK[best.action] || (d.action === best.action && d.expiresAt > best.expiresAt)) best = d;
  }
  return best;
}
