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
}

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

/** Where events go. Sinks must not throw into the request path. */
export interface EventSink {
  emit(event: SecurityEvent): void;
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
  emit(event: SecurityEvent): void {
    const bounded = boundEvent(event);
    for (const s of this.#sinks) {
      try {
        s.emit(bounded);
      } catch (err) {
        this.#onError(err);
      }
    }
  }
}
