/**
 * Delivers chosen events to webhooks (so a site can tell its user about a
 * lockout or a login after many failures). Off the request path: a bounded
 * queue, a timeout per delivery, a few retries; a full queue drops the
 * oldest and counts it. Bodies are signed: `x-mamori-signature:
 * sha256=<hex HMAC of "<timestamp>.<body>">` with `x-mamori-timestamp`.
 */
import { createHmac } from 'node:crypto';
import type { EventSink, SecurityEvent } from '../core/events.js';

export const DEFAULT_WEBHOOK_EVENTS = [
  'lockout',
  'account-closed',
  'login-success-after-failures',
  'credential-stuffing',
  'password-spraying',
  'site-attack',
  'device-capped',
] as const;

export interface WebhookOptions {
  url: string;
  secret?: string;
  /** event.action values to send; DEFAULT_WEBHOOK_EVENTS when empty. */
  events?: readonly string[];
  timeoutMs?: number;
  maxQueue?: number;
  retries?: number;
  /** Injected for tests; global fetch by default. */
  fetch?: typeof fetch;
  onError?: (err: unknown) => void;
}

export class WebhookSink implements EventSink {
  readonly #o: Required<Omit<WebhookOptions, 'secret'>> & { secret?: string };
  readonly #queue: SecurityEvent[] = [];
  readonly #wanted: Set<string>;
  #busy = false;
  #idle: (() => void)[] = [];
  dropped = 0;
  delivered = 0;
  failed = 0;

  constructor(o: WebhookOptions) {
    this.#o = {
      timeoutMs: 5000,
      maxQueue: 1000,
      retries: 2,
      fetch: globalThis.fetch,
      onError: () => {},
      events: [],
      ...o,
    };
    this.#wanted = new Set(this.#o.events.length ? this.#o.events : DEFAULT_WEBHOOK_EVENTS);
  }

  emit(event: SecurityEvent): void {
    if (!this.#wanted.has(event['event.action'])) return;
    if (this.#queue.length >= this.#o.maxQueue) {
      this.#queue.shift();
      this.dropped++;
    }
    this.#queue.push(event);
    if (!this.#busy) void this.#pump();
  }

  /** Resolves when the queue is empty (for tests and shutdown). */
  drain(): Promise<void> {
    if (!this.#busy && this.#queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  async #pump(): Promise<void> {
    this.#busy = true;
    while (this.#queue.length) {
      const e = this.#queue.shift()!;
      await this.#deliver(e);
    }
    this.#busy = false;
    for (const r of this.#idle.splice(0)) r();
  }

  async #deliver(e: SecurityEvent): Promise<void> {
    const body = JSON.stringify({ type: e['event.action'], event: e });
    const ts = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'mamori-webhook/1', 'x-mamori-timestamp': ts };
    if (this.#o.secret) headers['x-mamori-signature'] = `sha256=${createHmac('sha256', this.#o.secret).update(`${ts}.${body}`).digest('hex')}`;
    for (let attempt = 0; attempt <= this.#o.retries; attempt++) {
      try {
        const res = await this.#o.fetch(this.#o.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.#o.timeoutMs), redirect: 'manual' });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status < 300) {
          this.delivered++;
          return;
        }
        if (res.status < 500 && res.status !== 429) break;
      } catch (err) {
        if (attempt === this.#o.retries) this.#o.onError(err);
      }
    }
    this.failed++;
  }
}
