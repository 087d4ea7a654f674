/**
 * The login guard's events: one SecurityEvent shape for every attempt, in the Elastic Common
 * Schema's field names. Which events are sent, and when, is login.ts's policy; this only
 * writes them.
 */
import type { Clock } from '../core/clock.js';
import type { EventSink, SecurityEvent } from '../core/events.js';
import type { LoginAttempt } from './login-types.js';

/** The login guard's name in events (event.module) and on its decisions (origin). */
export const LOGIN_ORIGIN = 'guard.login';

export class LoginEvents {
  readonly #sink: EventSink;
  readonly #clock: Clock;
  readonly #detect: boolean;
  #isoAt = -1;
  #iso = '';

  /** `detect`: every event carries mamori.detect_only (the guard runs in detect mode). */
  constructor(sink: EventSink, clock: Clock, detect: boolean) {
    this.#sink = sink;
    this.#clock = clock;
    this.#detect = detect;
  }

  /** ISO time of `now`, formatted once per millisecond (toISOString costs more than the rest of an event). */
  #timestamp(now: number): string {
    if (now !== this.#isoAt) {
      this.#isoAt = now;
      this.#iso = new Date(now).toISOString();
    }
    return this.#iso;
  }

  /** An event about an attempt. `uh`: the account hash (user.id). */
  #event(action: string, a: LoginAttempt, uh: string, outcome: 'success' | 'failure', now = this.#clock.now()): SecurityEvent {
    const e: SecurityEvent = {
      '@timestamp': this.#timestamp(now),
      'event.action': action,
      'event.category': 'authentication',
      'event.module': LOGIN_ORIGIN,
      'event.outcome': outcome,
      'source.ip': a.ip,
      'user.id': uh,
    };
    if (a.path) e['url.path'] = a.path;
    if (this.#detect) e['mamori.detect_only'] = true;
    if (a.country) e['source.geo.country_iso_code'] = a.country;
    if (a.userAgent) e['user_agent.original'] = a.userAgent;
    return e;
  }

  /** Sends an event about an attempt with `extra` fields (undefined ones left out), stamped `now` (default: the clock's). */
  emit(action: string, a: LoginAttempt, uh: string, outcome: 'success' | 'failure', extra: Partial<SecurityEvent>, now?: number): void {
    const e = this.#event(action, a, uh, outcome, now);
    for (const key in extra) {
      const v = (extra as Record<string, unknown>)[key];
      if (v !== undefined) (e as unknown as Record<string, unknown>)[key] = v;
    }
    // With the account name it is about, for sinks that show it.
    this.#sink.emit(e, { account: a.username });
  }
}
