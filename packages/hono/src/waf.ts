/**
 * The WAF's view of a Hono request. Under @hono/node-server the node request is at hand
 * (`c.env.incoming`): the target, protocol and header lines are taken from it as sent. On other
 * runtimes only the Web Request is: its target is the parsed URL's path and query, its
 * protocol `HTTP/1.1`, and its headers come lower-cased, in the runtime's order (sorted by
 * name, where the Fetch standard is followed) with repeated fields joined by `, `; a missing
 * Host is taken from the URL, and a missing Content-Length from the body read.
 */
import type { Context } from 'hono';
import { nodeRequestParts, type WafRequestParts } from 'mamori/internal';

export type { WafExchange, WafGuard, WafRequestParts } from 'mamori/internal';

/** The parts of node's IncomingMessage read here, without importing node:http types. */
interface NodeIncoming {
  url?: string;
  httpVersion?: string;
  rawHeaders?: string[];
  socket?: { remotePort?: number; localAddress?: string; localPort?: number; remoteAddress?: string };
}

/** The node request under @hono/node-server (its `HttpBindings`), without importing it. */
export function nodeIncoming(c: Context): NodeIncoming | undefined {
  const env = c.env as { incoming?: unknown; server?: { incoming?: unknown } } | undefined;
  return (env?.server?.incoming ?? env?.incoming) as NodeIncoming | undefined;
}

export { announcesBody } from 'mamori/internal';

/**
 * What the WAF reads of the request beyond RequestInfo; `target` is the URL's path and query,
 * `bodyLength` the length of a body read before (for a Web Request that lost its framing).
 */
export function wafParts(c: Context, target: string, bodyLength: number): WafRequestParts {
  const m = nodeIncoming(c);
  if (m?.rawHeaders && typeof m.url === 'string') return nodeRequestParts(m);
  const headers: [string, string][] = [];
  const h = c.req.raw.headers;
  // What the runtime read and may not pass on: the Host the URL was made from, the body's length.
  if (!h.has('host')) headers.push(['host', new URL(c.req.url).host]);
  for (const [k, v] of h) headers.push([k, v]);
  if (bodyLength > 0 && !h.has('content-length') && !h.has('transfer-encoding')) headers.push(['content-length', String(bodyLength)]);
  return { uri: target, protocol: 'HTTP/1.1', headers };
}

/** A Web Response's headers as the WAF reads them (Set-Cookie kept apart, one value each). */
export function answerHeaders(h: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of h) if (k !== 'set-cookie') out[k] = v;
  const cookies = h.getSetCookie();
  if (cookies.length) out['set-cookie'] = cookies;
  return out;
}
