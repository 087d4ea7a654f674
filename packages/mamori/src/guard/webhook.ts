/**
 * Delivers chosen events to webhooks (so a site can tell its user about a
 * lockout or a login after many failures). Off the request path: `emit` only
 * queues. A bounded queue (a full one drops the oldest, counted and reported),
 * a timeout per delivery, a few retries with growing pauses between them.
 * Bodies are signed: `x-mamori-signature: sha256=<hex HMAC of
 * "<timestamp>.<body>">` with `x-mamori-timestamp`.
 *
 * Nothing a receiver does reaches the host application: a refused
 * connection, a receiver that never answers, an error from the error handler
 * itself all end here, counted, and go to `onError` (by default a warning on
 * the console, at most one a minute).
 */
import { createHmac } from 'node:crypto';
import type { EventContext, EventSink, SecurityEvent, SecurityEventInput } from '../core/events.js';

export const DEFAULT_WEBHOOK_EVENTS = [
  'lockout',
  'account-closed',
  'login-success-after-failures',
  'credential-stuffing',
  'password-spraying',
  'site-attack',
  'device-capped',
  'challenge-failures',
  'challenges-ignored',
  'waf-source-blocked',
  'card-testing',
  'checkout-paused',
  'fim-check-changes',
  'fim-baseline-invalid',
  'ioc-match',
  'vuln-finding',
  'vuln-deadline',
  'mfa-passkey-added',
  'mfa-passkey-cloned',
] as const;

/** The event a sink reports its dropped deliveries with (never delivered by the sink that drops). */
export const WEBHOOK_DROPPED_EVENT = 'webhook-dropped';

export interface WebhookOptions {
  url: string;
  secret?: string | undefined;
  /** event.action values to send; DEFAULT_WEBHOOK_EVENTS when empty. */
  events?: readonly string[] | undefined;
  /**
   * Send the account name as the user typed it (`user.name` in the event), so the site can tell
   * its user. Off by default: mamori itself keeps only keyed hashes of names.
   */
  includeAccount?: boolean | undefined;
  /** Per delivery attempt; default 5 s. */
  timeoutMs?: number | undefined;
  /** Events waiting at most; default 1000. */
  maxQueue?: number | undefined;
  /** Attempts after the first; default 2. */
  retries?: number | undefined;
  /** The first pause before a retry (then doubled); default 500 ms. */
  retryDelayMs?: number | undefined;
  /** Injected for tests; global fetch by default. */
  fetch?: typeof fetch | undefined;
  /** Background failures (a delivery given up). Default: a console warning, at most one a minute. */
  onError?: ((err: unknown) => void) | undefined;
  /** Where to report dropped deliveries, as a `webhook-dropped` event (at most one a minute). */
  report?: ((e: SecurityEventInput) => void) | undefined;
}

const MINUTE = 60_000;

/** A console warning for background failures, at most one a minute per handler. */
export function warnAtMostEveryMinute(what: string): (err: unknown) => void {
  let last = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < MINUTE) {
      skipped++;
      return;
    }
    last = now;
    const more = skipped ? ` (${skipped} more since the last warning)` : '';
    skipped = 0;
    console.warn(`mamori: ${what}: ${err instanceof Error ? err.message : String(err)}${more}`);
  };
}

function whole(v: number | undefined, fallback: number, min: number, max: number): number {
  return v !== undefined && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.trunc(v))) : fallback;
}

export class WebhookSink implements EventSink {
  readonly #url: string;
  readonly #secret: string | undefined;
  readonly #timeoutMs: number;
  readonly #maxQueue: number;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #fetch: typeof fetch;
  readonly #onError: (err: unknown) => void;
  readonly #report: ((e: SecurityEventInput) => void) | undefined;
  readonly #queue: SecurityEvent[] = [];
  readonly #includeAccount: boolean;
  readonly #wanted: Set<string>;
  #busy = false;
  #idle: (() => void)[] = [];
  /** Aborts what is in flight once the sink is closed. */
  readonly #closing = new AbortController();
  #droppedReported = 0;
  #reportedAt = Number.NEGATIVE_INFINITY;
  dropped = 0;
  delivered = 0;
  failed = 0;

  constructor(o: WebhookOptions) {
    this.#url = o.url;
    this.#secret = o.secret;
    this.#timeoutMs = whole(o.timeoutMs, 5000, 1, 600_000);
    this.#maxQueue = whole(o.maxQueue, 1000, 1, 1_000_000);
    this.#retries = whole(o.retries, 2, 0, 10);
    this.#retryDelayMs = whole(o.retryDelayMs, 500, 0, 600_000);
    this.#fetch = o.fetch ?? globalThis.fetch;
    this.#onError = typeof o.onError === 'function' ? o.onError : warnAtMostEveryMinute(`webhook ${safeUrl(o.url)}`);
    this.#report = o.report;
    this.#includeAccount = o.includeAccount === true;
    const events = o.events && o.events.length ? o.events : DEFAULT_WEBHOOK_EVENTS;
    this.#wanted = new Set(events);
    this.#wanted.delete(WEBHOOK_DROPPED_EVENT);
  }

  emit(event: SecurityEvent, context?: EventContext): void {
    if (!this.#wanted.has(event['event.action']) || this.#closing.signal.aborted) return;
    if (this.#includeAccount && typeof context?.account === 'string' && context.account !== '') {
      event = { ...event, 'user.name': context.account.slice(0, 256) };
    }
    if (this.#queue.length >= this.#maxQueue) {
      this.#queue.shift();
      this.dropped++;
      this.#reportDropped();
    }
    this.#queue.push(event);
    if (!this.#busy) void this.#pump();
  }

  /**
   * Resolves when the queue is empty (for tests and shutdown), or after `timeoutMs` when one is
   * given (a receiver that never answers must not hold a shutdown): true when it emptied.
   */
  drain(timeoutMs?: number): Promise<boolean> {
    if (!this.#busy && this.#queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        resolve(true);
      };
      this.#idle.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#idle = this.#idle.filter((f) => f !== done);
          resolve(false);
        }, timeoutMs);
      }
    });
  }

  /**
   * Stops the sink: what is queued gets `timeoutMs` to go out, then whatever is left (queued or
   * in flight) is dropped and counted, and nothing more is sent.
   */
  async close(timeoutMs = 5000): Promise<void> {
    const emptied = await this.drain(timeoutMs);
    if (emptied) {
      this.#closing.abort();
      return;
    }
    this.dropped += this.#queue.length;
    this.#queue.length = 0;
    this.#closing.abort();
    await this.drain(timeoutMs);
  }

  #reportDropped(): void {
    const now = Date.now();
    if (!this.#report || now - this.#reportedAt < MINUTE) return;
    this.#reportedAt = now;
    const n = this.dropped - this.#droppedReported;
    this.#droppedReported = this.dropped;
    this.#safely(() =>
      this.#report!({
        'event.action': WEBHOOK_DROPPED_EVENT,
        'event.category': 'configuration',
        'event.module': 'webhook',
        'event.outcome': 'failure',
        'event.severity': 50,
        'event.reason': `${n} webhook deliveries to ${safeUrl(this.#url)} dropped: the receiver is slower than the events (${this.dropped} in all)`,
        'mamori.count': n,
      }),
    );
  }

  /** Runs a callback of the host's; whatever it throws stays here. */
  #safely(f: () => void): void {
    try {
      f();
    } catch {
      // An error handler that throws has nowhere left to go.
    }
  }

  async #pump(): Promise<void> {
    this.#busy = true;
    try {
      while (this.#queue.length && !this.#closing.signal.aborted) {
        const e = this.#queue.shift()!;
        try {
          await this.#deliver(e);
        } catch (err) {
          this.failed++;
          this.#safely(() => this.#onError(err));
        }
      }
    } finally {
      this.#busy = false;
      for (const r of this.#idle.splice(0)) r();
    }
  }

  async #deliver(e: SecurityEvent): Promise<void> {
    const body = JSON.stringify({ type: e['event.action'], event: e });
    const ts = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'mamori-webhook/1', 'x-mamori-timestamp': ts };
    if (this.#secret) headers['x-mamori-signature'] = `sha256=${createHmac('sha256', this.#secret).update(`${ts}.${body}`).digest('hex')}`;
    let last: unknown;
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      if (attempt > 0 && this.#retryDelayMs > 0) await pause(this.#retryDelayMs * 2 ** (attempt - 1), this.#closing.signal);
      if (this.#closing.signal.aborted) {
        this.dropped++;
        return;
      }
      try {
        const signal = AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#closing.signal]);
        const res = await this.#fetch(this.#url, { method: 'POST', headers, body, signal, redirect: 'manual' });
        // The answer's body is not needed: drop it unread (a receiver answering with an endless
        // or huge body must not fill the host's memory).
        await res.body?.cancel().catch(() => undefined);
        if (res.status < 300) {
          this.delivered++;
          return;
        }
        last = new Error(`the receiver answered ${res.status}`);
        if (res.status < 500 && res.status !== 429) break;
      } catch (err) {
        last = err;
      }
    }
    this.failed++;
    const why = (last instanceof Error ? last.message : String(last)).split(this.#url).join(safeUrl(this.#url));
    this.#safely(() => this.#onError(new Error(`a ${e['event.action']} event was not delivered: ${why}`)));
  }
}

/** A pause that ends early when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      r();
    }
    signal.addEventListener('abort', done);
  });
}

/** The receiver's address for messages: no credentials or query (a token may be in it). */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(a webhook)';
  }
}
