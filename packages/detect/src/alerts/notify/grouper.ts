/**
 * Grouping and rate capping for one notification channel, so an attack of a million
 * lines gives a handful of messages:
 *
 * - the first alert of a (detector, source) group in a window goes out by itself, at most
 *   `burst` of them per window;
 * - every other alert of the window is counted into the window's digest, sent when the
 *   window ends;
 * - the channel sends at most `maxPerHour` messages (a token bucket); a digest that finds
 *   the bucket empty waits, still counting, for the next window.
 *
 * Memory is bounded: at most `maxGroups` groups are tracked per digest; alerts of further
 * groups are counted together. Time comes from the injected clock (wall time, not event
 * time: a replay of a day in seconds is one window).
 */
import type { Clock } from 'mamori';
import type { AlertSeverity } from '../../model.js';
import { higher, severityAtLeast, type DigestGroup, type Notice, type NoticeAlert } from './notice.js';

export interface GrouperOptions {
  windowMs: number;
  burst: number;
  maxPerHour: number;
  /** Alerts below this severity are not sent (not counted either). */
  minSeverity: AlertSeverity;
  /** Simulated alerts too (default true). */
  simulated: boolean;
  maxGroups?: number;
  /** Groups listed in a digest (default 10). */
  digestGroups?: number;
  /** The console's alert list, for a digest's link. */
  listLink?: string | undefined;
  clock: Clock;
}

interface Group {
  detector: string;
  title: string;
  severity: AlertSeverity;
  sourceIp: string | undefined;
  alerts: number;
  lastId: string;
  link: string | undefined;
}

const HOUR = 3_600_000;

export class Grouper {
  readonly #o: GrouperOptions;
  readonly #maxGroups: number;
  #windowStart: number;
  /** Groups that had an alert in this window (sent or counted): a second one is counted. */
  #seen = new Set<string>();
  #sentThisWindow = 0;
  /** The digest being gathered, which may span windows while the rate cap holds it. */
  #digest = new Map<string, Group>();
  #digestFrom = 0;
  #digestAlerts = 0;
  #overflowAlerts = 0;
  #tokens: number;
  #tokensAt: number;
  /** Alerts offered, alerts sent alone, alerts counted in digests sent, digests sent. */
  offered = 0;
  sentAlone = 0;
  digested = 0;
  digests = 0;

  constructor(o: GrouperOptions) {
    this.#o = o;
    this.#maxGroups = o.maxGroups ?? 10_000;
    this.#windowStart = o.clock.now();
    this.#tokens = o.maxPerHour;
    this.#tokensAt = this.#windowStart;
  }

  /** Notices to send now for this alert (none, the alert itself, or a digest that came due). */
  offer(a: NoticeAlert): Notice[] {
    if (!severityAtLeast(a.severity, this.#o.minSeverity) || (a.simulated && !this.#o.simulated)) return [];
    this.offered++;
    const out = this.tick();
    const key = `${a.detector}\u0000${a.sourceIp ?? ''}`;
    if (!this.#seen.has(key) && this.#sentThisWindow < this.#o.burst && this.#take()) {
      if (this.#seen.size < this.#maxGroups) this.#seen.add(key);
      this.#sentThisWindow++;
      this.sentAlone++;
      out.push({ kind: 'alert', alert: a });
      return out;
    }
    if (this.#seen.size < this.#maxGroups) this.#seen.add(key);
    this.#count(key, a);
    return out;
  }

  /** Ends the window when it is over: the digest, if there is one and the cap allows it. */
  tick(): Notice[] {
    const now = this.#o.clock.now();
    if (now - this.#windowStart < this.#o.windowMs) return [];
    this.#windowStart = now - ((now - this.#windowStart) % this.#o.windowMs);
    this.#seen = new Set();
    this.#sentThisWindow = 0;
    return this.#digestNow(false);
  }

  /** The digest now, whatever the window and the cap (shutdown: what was counted is told). */
  flush(): Notice[] {
    return this.#digestNow(true);
  }

  #count(key: string, a: NoticeAlert): void {
    if (this.#digestAlerts === 0) this.#digestFrom = this.#o.clock.now();
    this.#digestAlerts++;
    let g = this.#digest.get(key);
    if (!g) {
      if (this.#digest.size >= this.#maxGroups) {
        this.#overflowAlerts++;
        return;
      }
      g = { detector: a.detector, title: a.title, severity: a.severity, sourceIp: a.sourceIp, alerts: 0, lastId: a.id, link: a.link };
      this.#digest.set(key, g);
    }
    g.alerts++;
    g.severity = higher(g.severity, a.severity);
    g.lastId = a.id;
    g.link = a.link;
  }

  #digestNow(force: boolean): Notice[] {
    if (this.#digestAlerts === 0) return [];
    if (!force && !this.#take()) return [];
    const groups = [...this.#digest.values()].sort((x, y) => y.alerts - x.alerts);
    const shown = groups.slice(0, this.#o.digestGroups ?? 10);
    const shownAlerts = shown.reduce((n, g) => n + g.alerts, 0);
    const notice: Notice = {
      kind: 'digest',
      from: this.#digestFrom,
      to: this.#o.clock.now(),
      alerts: this.#digestAlerts,
      groups: shown.map((g): DigestGroup => ({
        detector: g.detector,
        title: g.title,
        severity: g.severity,
        ...(g.sourceIp ? { sourceIp: g.sourceIp } : {}),
        alerts: g.alerts,
        lastId: g.lastId,
        ...(g.link ? { link: g.link } : {}),
      })),
      moreGroups: groups.length - shown.length + (this.#overflowAlerts > 0 ? 1 : 0),
      moreAlerts: this.#digestAlerts - shownAlerts,
      ...(this.#o.listLink ? { link: this.#o.listLink } : {}),
    };
    this.digested += this.#digestAlerts;
    this.digests++;
    this.#digest = new Map();
    this.#digestAlerts = 0;
    this.#overflowAlerts = 0;
    return [notice];
  }

  #take(): boolean {
    const now = this.#o.clock.now();
    const rate = this.#o.maxPerHour / HOUR;
    this.#tokens = Math.min(this.#o.maxPerHour, this.#tokens + Math.max(0, now - this.#tokensAt) * rate);
    this.#tokensAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
