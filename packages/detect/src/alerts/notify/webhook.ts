/**
 * The generic webhook: each notice as JSON, POSTed, signed as mamori's other webhooks are
 * (docs/webhooks.md): `x-mamori-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`
 * with `x-mamori-timestamp` (seconds). Body: `{"type":"alert"|"alert-digest", ...notice}`.
 *
 *   notifiers:
 *     - kind: webhook
 *       url: https://hooks.example.com/mamori
 *       secret: ${MAMORI_HOOK_SECRET}
 */
import { createHmac } from 'node:crypto';
import { PermanentError, type Transport } from './outbox.js';
import type { Notice } from './notice.js';

export interface HttpTarget {
  url: string;
  /** Injected for tests; global fetch by default. */
  fetch?: typeof fetch | undefined;
}

/** POSTs a body; 2xx is done, 4xx (but 429) is permanent, anything else is retried. */
export async function post(t: HttpTarget, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<void> {
  const res = await (t.fetch ?? globalThis.fetch)(t.url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'mamori-alerts/1', ...headers }, body, signal, redirect: 'manual' });
  // The answer's body is not needed: dropped unread (an endless body must not fill memory).
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return;
  const err = `the receiver answered ${res.status}`;
  if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 408) throw new PermanentError(err);
  throw new Error(err);
}

/** The receiver's address for messages: no credentials, no query (a token may be in either). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(an invalid URL)';
  }
}

export function webhookBody(n: Notice): string {
  return JSON.stringify({ type: n.kind === 'alert' ? 'alert' : 'alert-digest', ...n });
}

export class WebhookTransport implements Transport {
  readonly name: string;
  readonly #t: HttpTarget;
  readonly #secret: string | undefined;
  readonly #now: () => number;

  constructor(o: HttpTarget & { secret?: string | undefined; now?: () => number }) {
    this.#t = o;
    this.#secret = o.secret;
    this.#now = o.now ?? Date.now;
    this.name = `webhook ${safeUrl(o.url)}`;
  }

  send(n: Notice, signal: AbortSignal): Promise<void> {
    const body = webhookBody(n);
    const ts = String(Math.floor(this.#now() / 1000));
    const headers: Record<string, string> = { 'x-mamori-timestamp': ts };
    if (this.#secret) headers['x-mamori-signature'] = `sha256=${createHmac('sha256', this.#secret).update(`${ts}.${body}`).digest('hex')}`;
    return post(this.#t, body, headers, signal);
  }
}
