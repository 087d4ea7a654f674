/**
 * What the framework adapters (Express, Fastify, Hono) share, so that each
 * stays a thin translation of its framework's request and answer.
 */
import { MamoriError } from '../core/errors.js';
import type { RenderedResponse } from './verdict.js';
import { CHALLENGE_PATH, type Guard } from './guard.js';
import { urlPath } from '../core/url.js';

/** The challenge answer is a token and a short solution: a few hundred bytes. */
export const ADAPTER_MAX_CHALLENGE_BODY = 16 * 1024;
/** At most this much of the app's login answer is kept to look for `failure.body_contains`. */
export const ADAPTER_MAX_ANSWER_BODY = 64 * 1024;

/** The answer to a challenge submission longer than ADAPTER_MAX_CHALLENGE_BODY. */
export const CHALLENGE_BODY_TOO_LARGE: RenderedResponse = Object.freeze({
  status: 413,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: '{"error":"body_too_large"}',
});

/** An adapter's default `onError`: a login outcome could not be counted (the store failed). */
export function logLoginOutcomeError(err: unknown): void {
  console.error('mamori: could not record a login outcome:', err instanceof Error ? err.message : err);
}

/** The error for a request whose client address the adapter cannot tell. */
export function noClientIp(adapter: string): MamoriError {
  return new MamoriError('MAMORI_ERR_ADAPTER_CLIENT_IP', `the request has no client address; pass a clientIp option to ${adapter}`);
}

/**
 * Settings that do nothing where mamori runs as middleware are an error at start, not silence:
 * `proxy:` (the application serves its requests itself).
 */
export function assertMiddlewareConfig(guard: Guard, adapter: string): void {
  if (guard.config.proxy) {
    throw new MamoriError(
      'MAMORI_ERR_CONFIG_INVALID',
      `${guard.config.source}: proxy (listen ${guard.config.proxy.host}:${guard.config.proxy.port}, upstream ${guard.config.proxy.upstream}) has no effect in ${adapter}: the application serves its requests itself. Remove the proxy section from this config, or run mamori up instead`,
    );
  }
}

/**
 * Whether an adapter's `skip` option may leave a request alone: never a login route or the
 * challenge answer (a skip function that matched them would turn the protection off).
 */
export function mayBeSkipped(guard: Guard, method: string, url: string): boolean {
  const m = method.toUpperCase();
  if (m === 'POST' && urlPath(url) === CHALLENGE_PATH) return false;
  return guard.findLogins(m, url).length === 0;
}

/** The first value of a header as a framework hands it over (a string, an array, a number, or nothing). */
export function firstHeaderValue(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length ? String(v[0]) : undefined;
  return v === undefined || v === null ? undefined : String(v);
}

/**
 * The answer when the bodies held for the WAF are past their bound (WafGuard.bodies): one
 * source's share (429) or everyone's together (503). The client may try again shortly.
 */
export function bodyPoolAnswer(status: 429 | 503): RenderedResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '5' },
    body: status === 429 ? 'Too many request bodies from this client at once\n' : 'Too many request bodies held for inspection\n',
  };
}
