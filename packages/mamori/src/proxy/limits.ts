/** Resource limits of the proxy: every one bounds something a client or the upstream controls. */
import { MamoriError } from '../core/errors.js';

/**
 * A body held for inspection past this many bytes is large (an upload; forms and API calls are
 * under it): large bodies together take at most half the room (the proxy's, and the WAF
 * adapters' body pool), so stalled uploads cannot turn away the rest.
 */
export const LARGE_BODY_BYTES = 128 * 1024;

export interface ProxyLimits {
  /** Bytes of request line and headers; above it the client gets 431. */
  maxHeaderBytes: number;
  /** Header fields in a request; above it the client gets 431. */
  maxHeaders: number;
  /** Bytes of a request body the hooks asked to inspect; above it the client gets 413. */
  maxBufferedBodyBytes: number;
  /** Bytes of inspected request bodies held at once, all clients together; above it new ones get 503. */
  maxBufferedTotalBytes: number;
  /** Of those, what one client (an IPv4 address or IPv6 /64) may hold at once; above it, 429. */
  maxBufferedPerClientBytes: number;
  /** Time a body the hooks asked to inspect may take to arrive; then 408. */
  bufferedBodyTimeoutMs: number;
  /** Bytes of an upstream response body a hook asked to see; larger bodies are streamed unseen. */
  maxResponseSniffBytes: number;
  /** Time allowed to receive the request headers; then 408. */
  headersTimeoutMs: number;
  /** Time allowed to receive the whole request; then 408. */
  requestTimeoutMs: number;
  /** Time the upstream may stay silent (connect, answer, or mid-body); before its answer starts, 504. */
  upstreamTimeoutMs: number;
  /** Time an idle keep-alive client connection is kept open. */
  keepAliveTimeoutMs: number;
  /** How long a refused client's remaining bytes are read and dropped before the socket is closed (default 2 s). */
  lingerMs?: number;
  /** How often Node checks connections for the headers and request timeouts (default: a quarter of headersTimeoutMs, 1 s at most). */
  timeoutCheckIntervalMs?: number;
}

export const DEFAULT_PROXY_LIMITS: ProxyLimits = Object.freeze({
  maxHeaderBytes: 16 * 1024,
  maxHeaders: 100,
  maxBufferedBodyBytes: 64 * 1024,
  maxBufferedTotalBytes: 64 * 1024 * 1024,
  maxBufferedPerClientBytes: 1024 * 1024,
  bufferedBodyTimeoutMs: 10_000,
  maxResponseSniffBytes: 256 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  upstreamTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
});

const KNOWN = new Set([...Object.keys(DEFAULT_PROXY_LIMITS), 'lingerMs', 'timeoutCheckIntervalMs']);

export type ResolvedLimits = Readonly<Required<ProxyLimits>>;

/** Merges `partial` over the defaults and validates the result. */
export function resolveLimits(partial: Partial<ProxyLimits> = {}): ResolvedLimits {
  const merged: Record<string, number | undefined> = { ...DEFAULT_PROXY_LIMITS };
  for (const [k, v] of Object.entries(partial)) {
    if (!KNOWN.has(k)) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `unknown proxy limit "${k.slice(0, 64)}"`);
    if (v !== undefined) merged[k] = v;
  }
  // A larger body limit (uploads to a login path shared with the app, as phpMyAdmin's import and
  // Roundcube's attachments are) raises what one client and all clients may hold, unless given:
  // one client holds at least one such body, all clients at least eight.
  const body = merged['maxBufferedBodyBytes']!;
  if (partial.maxBufferedPerClientBytes === undefined) merged['maxBufferedPerClientBytes'] = Math.max(DEFAULT_PROXY_LIMITS.maxBufferedPerClientBytes, body);
  if (partial.maxBufferedTotalBytes === undefined) merged['maxBufferedTotalBytes'] = Math.max(DEFAULT_PROXY_LIMITS.maxBufferedTotalBytes, 8 * body);
  // ... and the time it may take to arrive, for a client sending at least 128 KiB a second.
  if (partial.bufferedBodyTimeoutMs === undefined) merged['bufferedBodyTimeoutMs'] = Math.max(DEFAULT_PROXY_LIMITS.bufferedBodyTimeoutMs, Math.ceil(body / 128));
  const headersTimeoutMs = merged['headersTimeoutMs']!;
  merged['lingerMs'] ??= 2_000;
  merged['timeoutCheckIntervalMs'] ??= Math.max(1, Math.min(1_000, Math.floor(headersTimeoutMs / 4)));
  for (const [k, v] of Object.entries(merged)) {
    if (!Number.isSafeInteger(v) || (v as number) <= 0) {
      throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `proxy limit ${k} must be a positive integer, got ${String(v)}`);
    }
  }
  if (headersTimeoutMs > merged['requestTimeoutMs']!) {
    throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', 'proxy limit headersTimeoutMs must not exceed requestTimeoutMs');
  }
  return Object.freeze(merged) as unknown as ResolvedLimits;
}
