/** Pieces shared by the plain and the upgrade paths: the exchange record, response hooks, onDone. */
import type { IncomingMessage } from 'node:http';
import type { ResolvedAddress } from './client-ip.js';
import type { HeaderMap } from './hop-by-hop.js';
import type { DoneInfo, ProxyContext, ProxyExchange, ResponseChange } from './http-proxy.js';
import { urlPath } from '../core/url.js';

export function makeExchange(ctx: ProxyContext, req: IncomingMessage): { ex: ProxyExchange; addr: ResolvedAddress } {
  const xff = req.headers['x-forwarded-for'];
  const addr = ctx.addresses.resolve(req.socket?.remoteAddress ?? '', Array.isArray(xff) ? xff.join(',') : xff);
  const url = req.url ?? '/';
  const ex: ProxyExchange = {
    req: { ip: addr.fwd.clientIp, method: req.method ?? 'GET', path: urlPath(url), headers: req.headers },
    peerIp: addr.peerIp,
    url,
    incoming: req,
    state: new Map(),
  };
  return { ex, addr };
}

/** Applies a hook's header changes to the headers about to be sent. */
export function applyChange(headers: HeaderMap, change: ResponseChange | undefined): void {
  if (!change) return;
  for (const [k, v] of Object.entries(change.setHeaders ?? {})) headers[k.toLowerCase()] = typeof v === 'string' ? v : [...v];
  for (const [k, v] of Object.entries(change.appendHeaders ?? {})) {
    const name = k.toLowerCase();
    const prior = headers[name];
    const before = prior === undefined ? [] : typeof prior === 'string' ? [prior] : prior;
    headers[name] = [...before, ...(typeof v === 'string' ? [v] : v)];
  }
}

/** Calls onDone with what the exchange came to; `error` is left out when undefined. */
export function reportDone(ctx: ProxyContext, ex: ProxyExchange, started: number, status: number, bytes: number, error: string | undefined): void {
  const hook = ctx.hooks.onDone;
  if (!hook) return;
  try {
    const durationMs = Math.max(0, ctx.clock.now() - started);
    // (Two literals rather than spreads: this runs for every request.)
    const info: DoneInfo = error === undefined ? { status, bytes, durationMs } : { status, bytes, error, durationMs };
    hook(ex, info);
  } catch (err) {
    ctx.reportError(err);
  }
}
