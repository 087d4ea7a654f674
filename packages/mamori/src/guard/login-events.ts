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

const DAY_MS = 86_400_000;

export class LoginEvents {
  readonly #sink: EventSink;
  readonly #clock: Clock;
  readonly #detect: boolean;
  #isoAt = -1;
  #iso = '';
  /** The UTC day #dayCodes names: its first millisecond (NaN: none yet). */
  #dayStart = Number.NaN;
  /** That day as toISOString writes it, up to the time (`2026-12-03T`), by character code. */
  readonly #dayCodes = new Uint16Array(11);

  /** `detect`: every event carries mamori.detect_only (the guard runs in detect mode). */
  constructor(sink: EventSink, clock: Clock, detect: boolean) {
    this.#sink = sink;
    this.#clock = clock;
    this.#detect = detect;
  }

  /**
   * ISO time of `now`, as `new Date(now).toISOString()` gives it: formatted once per millisecond,
   * and within a day from the day's text and the time of day (the Date and its formatting cost
   * more than the rest of an event).
   */
  #timestamp(now: number): string {
    if (now !== this.#isoAt) {
      this.#isoAt = now;
      const ms = now - this.#dayStart;
      if (ms >= 0 && ms < DAY_MS && Number.isInteger(now)) {
        // One flat string, made in one call: joined from parts, it would be a tree of pieces, and
        // the events are kept (ten thousand of them in the memory store).
        const d = this.#dayCodes;
        const s = Math.floor(ms / 1000);
        const m = Math.floor(s / 60);
        const h = Math.floor(m / 60);
        const mm = m % 60;
        const ss = s % 60;
        const f = ms % 1000;
        this.#iso = String.fromCharCode(
          d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!, d[10]!,
          48 + Math.floor(h / 10), 48 + (h % 10), 58, 48 + Math.floor(mm / 10), 48 + (mm % 10), 58, 48 + Math.floor(ss / 10), 48 + (ss % 10), 46,
          48 + Math.floor(f / 100), 48 + (Math.floor(f / 10) % 10), 48 + (f % 10), 90,
        );
      } else {
        this.#iso = new Date(now).toISOString();
        // A time of day in a four-digit year (every time a clock gives): that day's text is kept.
        if (this.#iso.length === 24 && Number.isInteger(now)) {
          this.#dayStart = now - (now - Math.floor(now / DAY_MS) * DAY_MS);
          for (let i = 0; i < 11; i++) this.#dayCodes[i] = this.#iso.charCodeAt(i);
        }
      }
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

  /** emit with one extra field, `mamori.count` (left out when undefined): the events of every attempt, without an object of extras. */
  emitCounted(action: string, a: LoginAttempt, uh: string, outcome: 'success' | 'failure', count: number | undefined, now?: number): void {
    const e = this.#event(action, a, uh, outcome, now);
    if (count !== undefined) e['mamori.count'] = count;
    this.#sink.emit(e, { account: a.username });
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
