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
import { DeliveryQueue } from '../core/delivery-queue.js';
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
  'fim-baseline-rollback',
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

/** A delivery that retrying cannot help: the receiver refused it (a 4xx answer, a redirect). */
class Refused extends Error {}

/** An event that could not be made into a request: `cause` is what went wrong, reported as is. */
class Unsendable extends Error {}

/** An event waiting in the queue, and its request once the first attempt made it (every retry sends the same). */
interface Job {
  readonly event: SecurityEvent;
  request?: { body: string; headers: Record<string, string> };
}

export class WebhookSink implements EventSink {
  readonly #url: string;
  readonly #secret: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #onError: (err: unknown) => void;
  readonly #report: ((e: SecurityEventInput) => void) | undefined;
  readonly #queue: DeliveryQueue<Job>;
  readonly #includeAccount: boolean;
  readonly #wanted: Set<string>;
  #droppedReported = 0;
  #reportedAt = Number.NEGATIVE_INFINITY;

  constructor(o: WebhookOptions) {
    this.#url = o.url;
    this.#secret = o.secret;
    this.#fetch = o.fetch ?? globalThis.fetch;
    this.#onError = typeof o.onError === 'function' ? o.onError : warnAtMostEveryMinute(`webhook ${safeUrl(o.url)}`);
    this.#report = o.report;
    this.#includeAccount = o.includeAccount === true;
    const events = o.events && o.events.length ? o.events : DEFAULT_WEBHOOK_EVENTS;
    this.#wanted = new Set(events);
    this.#wanted.delete(WEBHOOK_DROPPED_EVENT);
    this.#queue = new DeliveryQueue<Job>({
      send: (job, signal) => this.#send(job, signal),
      timeoutMs: whole(o.timeoutMs, 5000, 1, 600_000),
      maxQueue: whole(o.maxQueue, 1000, 1, 1_000_000),
      retries: whole(o.retries, 2, 0, 10),
      retryDelayMs: whole(o.retryDelayMs, 500, 0, 600_000),
      permanent: (err) => err instanceof Refused || err instanceof Unsendable,
      onFailed: (job, last) => this.#failed(job, last),
      onDrop: (reason) => {
        if (reason === 'full') this.#reportDropped();
      },
    });
  }

  get dropped(): number {
    return this.#queue.dropped;
  }

  get delivered(): number {
    return this.#queue.delivered;
  }

  get failed(): number {
    return this.#queue.failed;
  }

  emit(event: SecurityEvent, context?: EventContext): void {
    if (!this.#wanted.has(event['event.action']) || this.#queue.closed) return;
    if (this.#includeAccount && typeof context?.account === 'string' && context.account !== '') {
      event = { ...event, 'user.name': context.account.slice(0, 256) };
    }
    this.#queue.push({ event });
  }

  /**
   * Resolves when the queue is empty (for tests and shutdown), or after `timeoutMs` when one is
   * given (a receiver that never answers must not hold a shutdown): true when it emptied.
   */
  drain(timeoutMs?: number): Promise<boolean> {
    return this.#queue.drain(timeoutMs);
  }

  /**
   * Stops the sink: what is queued gets `timeoutMs` to go out, then whatever is left (queued or
   * in flight) is dropped and counted, and nothing more is sent.
   */
  close(timeoutMs = 5000): Promise<void> {
    return this.#queue.close(timeoutMs);
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

  /** One attempt: throws Refused for an answer worth no retry, an Error for one worth a retry. */
  async #send(job: Job, signal: AbortSignal): Promise<void> {
    if (!job.request) {
      try {
        job.request = this.#request(job.event);
      } catch (err) {
        throw new Unsendable('the event could not be made into a request', { cause: err });
      }
    }
    const { body, headers } = job.request;
    const res = await this.#fetch(this.#url, { method: 'POST', headers, body, signal, redirect: 'manual' });
    // The answer's body is not needed: drop it unread (a receiver answering with an endless
    // or huge body must not fill the host's memory).
    await res.body?.cancel().catch(() => undefined);
    if (res.status < 300) return;
    const why = `the receiver answered ${res.status}`;
    throw res.status < 500 && res.status !== 429 ? new Refused(why) : new Error(why);
  }

  #request(e: SecurityEvent): { body: string; headers: Record<string, string> } {
    const body = JSON.stringify({ type: e['event.action'], event: e });
    const ts = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'mamori-webhook/1', 'x-mamori-timestamp': ts };
    if (this.#secret) headers['x-mamori-signature'] = `sha256=${createHmac('sha256', this.#secret).update(`${ts}.${body}`).digest('hex')}`;
    return { body, headers };
  }

  #failed(job: Job, last: unknown): void {
    if (last instanceof Unsendable) {
      this.#onError(last.cause);
      return;
    }
    const why = (last instanceof Error ? last.message : String(last)).split(this.#url).join(safeUrl(this.#url));
    this.#onError(new Error(`a ${job.event['event.action']} event was not delivered: ${why}`));
  }
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
