/**
 * SecurityEvent: the one event shape every part of mamori emits, stores and
 * queries. Field names follow the Elastic Common Schema (ECS) where it has
 * one; mamori-specific fields live under `mamori.*`.
 */
export type EventOutcome = 'success' | 'failure' | 'unknown';

export interface SecurityEvent {
  '@timestamp': string;
  /** What happened, in kebab-case: `login-failure`, `lockout`, `decision-added`, `request-blocked`. */
  'event.action': string;
  /** ECS categorisation: `authentication`, `web`, `network`, `intrusion_detection`, `configuration`. */
  'event.category': string;
  'event.outcome'?: EventOutcome;
  /** 0-100 (ECS); our guide: 20 info, 50 suspicious, 73 attack stopped, 99 compromise likely. */
  'event.severity'?: number;
  'event.reason'?: string;
  /** Which part of mamori produced it: `guard.login`, `proxy`, `policy`, `cli`. */
  'event.module'?: string;
  'source.ip'?: string;
  'source.geo.country_iso_code'?: string;
  /** A keyed hash of the account; the name itself is not stored. */
  'user.id'?: string;
  /** The account name as typed: only in webhook deliveries that asked for it (include_account), never stored. */
  'user.name'?: string;
  'url.path'?: string;
  'http.request.method'?: string;
  'http.response.status_code'?: number;
  'user_agent.original'?: string;
  'rule.id'?: string;
  'rule.name'?: string;
  /** The decision that was applied or created, when there is one. */
  'mamori.decision.id'?: string;
  'mamori.decision.action'?: 'allow' | 'challenge' | 'block';
  /** True when the protection is in detect-only mode and did not enforce. */
  'mamori.detect_only'?: boolean;
  'mamori.count'?: number;
  /**
   * Login: the floor a flood left in a full store's counter table under the account's count that
   * decided this (what every account the table no longer holds reads): up to this much of the
   * count may not be the account's own (`mamori counters floors`).
   */
  'mamori.counter_floor'?: number;
  /** WAF: the rules that matched, `id msg; id msg`. */
  'mamori.waf.rules'?: string;
  /** WAF: what they matched, `target=value; ...`, secrets and card numbers masked. */
  'mamori.waf.matched'?: string;
  /** WAF: the transaction's id, the key of its line in the audit log. */
  'mamori.waf.transaction'?: string;
  /** Checkout: the card's brand, BIN (6 or 8 digits) and last four; never more of the number. */
  'mamori.card.brand'?: string;
  'mamori.card.bin'?: string;
  'mamori.card.last4'?: string;
}

/**
 * Every `event.action` mamori emits, with what it means: the names `webhooks[].events` may
 * list (docs/webhooks.md). A test holds the emitters to this list.
 */
export const EVENT_ACTIONS = {
  'login-failure': 'a failed login (counted)',
  'login-success': 'a successful login',
  'login-success-after-failures': 'a successful login to an account after repeated failures (the owner may want to know)',
  'login-challenged': 'a login answered with a proof-of-work challenge',
  'login-blocked': 'a login refused',
  lockout: 'one source locked out of one account for a while (consecutive failures)',
  'account-closed': 'an account closed to untrusted devices after many failures from anywhere',
  'credential-stuffing': 'a source blocked for failing on many accounts',
  'password-spraying': 'one password failing on many accounts',
  'site-attack': 'failed logins site-wide above the threshold',
  'device-capped': "a trusted device past its day's failures on an account (its cookie may be stolen)",
  'challenge-failures': 'a source blocked for failing again and again behind solved challenges',
  'challenges-ignored': 'a source blocked for ignoring its login challenges',
  'request-blocked': 'a request refused by a decision or the access policy',
  'request-challenged': 'a request challenged by a decision or the access policy',
  'rate-limited': 'a request over a rate limit',
  'waf-blocked': 'a request refused by a WAF rule (CRS, mamori\'s rule pack, or your own)',
  'waf-source-blocked': 'a source blocked for a while after many requests refused by the WAF',
  'webhook-dropped': 'webhook deliveries dropped: the receiver was slower than the events',
  'checkout-rejected': 'a payment refused before the gateway: the card number, brand or expiry cannot be valid',
  'checkout-declined': "a payment the gateway declined (the shop's report)",
  'checkout-blocked': 'a payment attempt blocked by checkout protection (card testing)',
  'checkout-challenged': 'a payment attempt answered with a proof-of-work challenge',
  'checkout-step-up': 'a payment attempt sent on with 3-D Secure asked for',
  'card-testing': 'a source blocked for a while after testing cards at the checkout',
  'checkout-paused': 'guest checkout paused site-wide: declines show a card-testing attack',
  'ioc-match': 'an indicator of compromise matched on a host: a process name, an executable, a command line or a connection (mamori host check --record)',
  'unknown-listener': 'a service listening on a port that is not allowed (mamori host check --record)',
  'mfa-passkey-added': "a passkey registered for an account of mamori's MFA gate (its first after the password, or another from a signed-in session)",
  'mfa-passkey-cloned': "a passkey answer refused because its signature counter went backwards: the authenticator may have been copied (mamori's MFA gate)",
  'fim-file-added': 'a file or directory appeared in a monitored tree (mamori fim)',
  'fim-file-removed': 'a file or directory in a baseline is gone (mamori fim)',
  'fim-file-changed': 'a monitored file changed: content, permissions, owner or another recorded attribute (mamori fim)',
  'fim-check-changes': 'a file integrity check found changes: one summary per check (mamori fim)',
  'fim-baseline-invalid': 'a file integrity baseline does not match its signature: edited outside mamori (mamori fim)',
  'fim-baseline-rollback': 'a file integrity baseline older than the generation recorded beside its key: an older signed copy was put back (mamori fim)',
  'fim-changes-accepted': 'changes taken into a file integrity baseline, with who and why (mamori fim accept)',
  'counter-floors-reset': "the counter table's floors dropped after a flood, with who and why (mamori counters reset-floors)",
  'log-alert': 'an alert raised by log detection (mamori watch or replay: a scenario or a Sigma rule), with the decision it made if any',
  'vuln-finding': 'a new vulnerability finding on an asset of the inventory, with its priority, due date and owner (mamori vuln plan)',
  'vuln-deadline': "an open vulnerability finding's due date is near or past (mamori vuln plan)",
  'vuln-finding-fixed': 'a vulnerability finding no longer reported by a later check of its asset: fixed (mamori vuln plan)',
  'vuln-finding-closed': 'a vulnerability finding closed because its asset left the inventory (closed: asset-removed); it reopens if the asset comes back',
  'vuln-finding-reopened': 'a vulnerability finding open again: its accepted risk expired, or reopened by hand (mamori vuln finding reopen)',
  'vuln-risk-accepted': "a vulnerability finding's risk accepted until a date, with who and why (mamori vuln finding accept)",
} as const satisfies Record<string, string>;

export type EventAction = keyof typeof EVENT_ACTIONS;

export type SecurityEventInput = Omit<SecurityEvent, '@timestamp'> & { '@timestamp'?: string };

export interface EventQuery {
  /** Inclusive lower bound, ms since epoch. */
  since?: number;
  until?: number;
  action?: string;
  sourceIp?: string;
  userId?: string;
  limit?: number;
}

/**
 * What an event is about that is never stored: the account name as the user typed it, for a
 * webhook whose site asked for it (webhooks[].include_account) and nothing else.
 */
export interface EventContext {
  readonly account?: string | undefined;
}

/** Where events go. Sinks must not throw into the request path. */
export interface EventSink {
  emit(event: SecurityEvent, context?: EventContext): void;
}

const MAX_FIELD = 2048;

/** Caps string fields so an attacker's megabyte header cannot be stored whole. */
export function boundEvent(e: SecurityEvent): SecurityEvent {
  // Most events need nothing done: copy only when a field is too long or unset.
  let clean = true;
  for (const k in e) {
    const v = (e as unknown as Record<string, unknown>)[k];
    if (v === undefined || (typeof v === 'string' && v.length > MAX_FIELD)) {
      clean = false;
      break;
    }
  }
  if (clean) return e;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'string' && v.length > MAX_FIELD ? `${v.slice(0, MAX_FIELD)}…` : v;
  }
  return out as unknown as SecurityEvent;
}

/** Fans events out to many sinks; a failing sink does not stop the others. */
export class EventBus implements EventSink {
  readonly #sinks: EventSink[] = [];
  readonly #onError: (err: unknown) => void;
  constructor(onError: (err: unknown) => void = () => {}) {
    this.#onError = onError;
  }
  subscribe(sink: EventSink): () => void {
    this.#sinks.push(sink);
    return () => {
      const i = this.#sinks.indexOf(sink);
      if (i >= 0) this.#sinks.splice(i, 1);
    };
  }
  emit(event: SecurityEvent, context?: EventContext): void {
    const bounded = boundEvent(event);
    for (const s of this.#sinks) {
      try {
        s.emit(bounded, context);
      } catch (err) {
        this.#onError(err);
      }
    }
  }
}
