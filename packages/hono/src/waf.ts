/**
 * The WAF's view of a Hono request. Under @hono/node-server the node request is at hand
 * (`c.env.incoming`): the target, protocol and header lines are taken from it as sent. On other
 * runtimes only the Web Request is: its target is the parsed URL's path and query, its
 * protocol `HTTP/1.1`, and its headers come lower-cased, in the runtime's order (sorted by
 * name, where the Fetch standard is followed) with repeated fields joined by `, `; a missing
 * Host is taken from the URL, and a missing Content-Length from the body read.
 */
import type { Context } from 'hono';
import type { Guard, RequestInfo } from 'mamori/internal';

export type WafGuard = NonNullable<Guard['waf']>;
export type WafExchange = ReturnType<WafGuard['begin']>;
export type WafRequestParts = Parameters<WafGuard['begin']>[1];

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

// (The helper below is waf-guard.ts's, which mamori/internal does not export yet.)

/** Whether a request announces a body (a Content-Length above 0, or chunked framing). */
export function announcesBody(headers: RequestInfo['headers']): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const cl = headers['content-length'];
  const v = Array.isArray(cl) ? cl[0] : cl;
  return v !== undefined && v !== '' && v !== '0';
}

/**
 * What the WAF reads of the request beyond RequestInfo; `target` is the URL's path and query,
 * `bodyLength` the length of a body read before (for a Web Request that lost its framing).
 */
export function wafParts(c: Context, target: string, bodyLength: number): WafRequestParts {
  const m = nodeIncoming(c);
  if (m?.rawHeaders && typeof m.url === 'string') {
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < m.rawHeaders.length; i += 2) {
      // HTTP/2's pseudo-headers (:method, :path...) are the request line, not header fields.
      if (!m.rawHeaders[i]!.startsWith(':')) headers.push([m.rawHeaders[i]!, m.rawHeaders[i + 1]!]);
    }
    return {
      uri: m.url,
      protocol: `HTTP/${m.httpVersion ?? '1.1'}`,
      headers,
      remotePort: m.socket?.remotePort ?? 0,
      serverAddr: m.socket?.localAddress ?? '',
      serverPort: m.socket?.localPort ?? 0,
    };
  }
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
