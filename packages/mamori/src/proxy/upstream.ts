/** The upstream target and the headers a request is forwarded with. */
import http, { type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { Pool } from 'undici';
import { MamoriError } from '../core/errors.js';
import type { Forwarding } from './client-ip.js';
import { HOP_BY_HOP, type HeaderMap, NEVER_NAMED_AWAY, addVia, connectionTokenSet, stripHopByHop } from './hop-by-hop.js';
import type { ResolvedLimits } from './limits.js';

export interface UpstreamTarget {
  readonly https: boolean;
  readonly hostname: string;
  readonly port: number;
  /** Prefixed to every forwarded path; '' or '/base' (no trailing slash). */
  readonly basePath: string;
  /** TLS server name: the upstream's host name, never the client's Host header ('' for an IP address). */
  readonly servername: string;
}

export function parseUpstream(text: string): UpstreamTarget {
  const bad = (why: string, cause?: unknown): MamoriError =>
    new MamoriError('MAMORI_ERR_PROXY_UPSTREAM', `the upstream URL ${why}; give one like http://127.0.0.1:3000`, { cause });
  if (typeof text !== 'string' || text.trim() === '') throw bad('is missing');
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch (cause) {
    throw bad('is not a valid URL', cause);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(`must use http or https, not ${u.protocol.slice(0, 16)}`);
  if (u.username !== '' || u.password !== '') throw bad('must not carry credentials');
  if (u.search !== '' || u.hash !== '') throw bad('must not have a query or fragment');
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const https = u.protocol === 'https:';
  return Object.freeze({
    https,
    hostname,
    port: u.port === '' ? (https ? 443 : 80) : Number(u.port),
    basePath: u.pathname.replace(/\/+$/, ''),
    servername: isIP(hostname) === 0 ? hostname : '',
  });
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Headers with which some upstreams (IIS's URL Rewrite, older Symfony and
 * Zend, PHP frameworks' method override) route a request to another path or
 * method than the request line's. mamori judged the request line: these never
 * reach the upstream.
 */
export const ROUTING_OVERRIDES: readonly string[] = [
  'x-original-url',
  'x-rewrite-url',
  'x-override-url',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
];

/**
 * Headers through which a proxy in front tells the upstream where the request
 * came in (prefix, original path, port): believed only from a trusted proxy.
 */
const FORWARDED_ROUTING: readonly string[] = ['forwarded', 'x-real-ip', 'x-forwarded-prefix', 'x-forwarded-uri', 'x-forwarded-path', 'x-original-uri', 'x-forwarded-port', 'x-forwarded-server'];

/** What the copy of a request's headers leaves out besides the hop-by-hop ones: from any peer, and from one not trusted. */
const REQUEST_DROP: ReadonlySet<string> = new Set(['expect', ...ROUTING_OVERRIDES]);
const REQUEST_DROP_UNTRUSTED: ReadonlySet<string> = new Set([...REQUEST_DROP, ...FORWARDED_ROUTING]);
const KEEP_NONE: ReadonlySet<string> = new Set();

/**
 * The headers sent upstream: the client's (as Node merged them, so the
 * upstream sees exactly what the hooks saw) minus hop-by-hop ones and the
 * routing overrides above, with the X-Forwarded-* set and Via added. `host`
 * stays as the client sent it. The body framing (content-length or chunked)
 * is set by the caller.
 */
export function upstreamHeaders(req: IncomingMessage, fwd: Forwarding): HeaderMap {
  // One pass: the names dropped are left out of the copy (claims only a trusted proxy may make, too).
  const h = stripHopByHop(req.headers, KEEP_NONE, fwd.peerTrusted ? REQUEST_DROP : REQUEST_DROP_UNTRUSTED);
  h['x-forwarded-for'] = fwd.chain.join(', ');
  const proto = fwd.peerTrusted ? first(h['x-forwarded-proto'])?.trim().toLowerCase() : undefined;
  h['x-forwarded-proto'] = proto === 'https' || proto === 'http' ? proto : 'http';
  const forwardedHost = fwd.peerTrusted ? first(h['x-forwarded-host']) : undefined;
  const host = forwardedHost ?? first(h['host']);
  if (host !== undefined) h['x-forwarded-host'] = host;
  else delete h['x-forwarded-host'];
  addVia(h);
  return h;
}

/** Response header fields of which node:http keeps the first and drops repeats (its `matchKnownFields`). */
const FIRST_ONLY: ReadonlySet<string> = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after',
  'server', 'user-agent',
]);

/**
 * The upstream's raw response header list (undici gives names and values as
 * bytes) as the object node:http made of it: names lower-cased, bytes read
 * as Latin-1 so none is altered on the way back out, repeated fields merged
 * as node:http merges them (each Set-Cookie kept apart, the fields above
 * first-only, the rest joined with ", ").
 */
export function responseHeaders(raw: readonly Buffer[]): HeaderMap {
  return mergeRaw(raw, false).out;
}

/**
 * responseHeaders without the hop-by-hop headers and with Via added: what
 * stripHopByHop and addVia make of it, in one pass over the list.
 */
export function answerHeaders(raw: readonly Buffer[]): HeaderMap {
  const { out, connection } = mergeRaw(raw, true);
  if (connection !== undefined) {
    // Rare: Connection names an end-to-end field of the answer (the fixed hop-by-hop ones are already left out).
    for (const name of connectionTokenSet(connection)) {
      if (!HOP_BY_HOP.has(name) && !NEVER_NAMED_AWAY.has(name) && Object.hasOwn(out, name)) delete out[name];
    }
  }
  addVia(out);
  return out;
}

function mergeRaw(raw: readonly Buffer[], skipHopByHop: boolean): { out: HeaderMap; connection: string | undefined } {
  const out: HeaderMap = {};
  let connection: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    if (skipHopByHop && HOP_BY_HOP.has(name)) {
      if (name === 'connection') connection = connection === undefined ? value : `${connection}, ${value}`;
      continue;
    }
    const prior = Object.hasOwn(out, name) ? out[name] : undefined;
    if (name === 'set-cookie') {
      if (prior === undefined) out[name] = [value];
      else (prior as string[]).push(value);
    } else if (prior === undefined) out[name] = value;
    else if (!FIRST_ONLY.has(name)) out[name] = `${prior as string}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return { out, connection };
}

/** Idle upstream connections are closed after this long (or the upstream's own `Keep-Alive: timeout` minus 2 s, if shorter), before the upstream closes them under a request. */
const UPSTREAM_IDLE_MS = 4_000;
/** The longest a connection to the upstream may take to open. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The connection pool plain (non-upgrade) requests are forwarded through.
 * Like the node:http Agent it replaces, it opens as many connections as
 * there are requests in flight (a cap would let a few slow requests queue
 * everyone else's) and reuses idle ones; unlike it, idle ones are closed after
 * UPSTREAM_IDLE_MS. `upstreamTimeoutMs` bounds connecting, waiting for the
 * answer's head, and each silence within its body. For https the TLS server
 * name and the certificate check are the upstream's host name, never a
 * client's Host header. `tls` adds TLS options (tests: a private CA).
 */
export async function upstreamPool(t: UpstreamTarget, limits: ResolvedLimits, tls: { ca?: string | Buffer } = {}): Promise<Pool> {
  // Loaded when a proxy starts, not with mamori: every CLI command (fim, scan, users...) would
  // otherwise pay for undici's load, most of a CLI command's start-up.
  const { Pool, buildConnector } = await import('undici');
  const host = t.hostname.includes(':') ? `[${t.hostname}]` : t.hostname;
  const origin = `${t.https ? 'https' : 'http'}://${host}:${t.port}`;
  const timeout = limits.upstreamTimeoutMs;
  // Connecting gets at most 10 s of it: a connection nobody waits for any more cannot be cancelled.
  const connector = buildConnector({ ...tls, timeout: Math.min(timeout, CONNECT_TIMEOUT_MS) });
  const servername = t.servername === '' ? undefined : t.servername;
  return new Pool(origin, {
    pipelining: 1,
    keepAliveTimeout: UPSTREAM_IDLE_MS,
    keepAliveMaxTimeout: UPSTREAM_IDLE_MS,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    // undici would otherwise derive the TLS server name from each request's Host header.
    connect: (opts, callback) =>
      connector({ ...opts, servername }, (...args) => {
        if (args[1]) keepReadingAfterWriteFailure(args[1]);
        callback(...args);
      }),
  });
}

type WriteCallback = (err?: Error | null) => void;
type Writes = {
  _write(chunk: unknown, encoding: BufferEncoding, cb: WriteCallback): void;
  _writev?(chunks: { chunk: unknown; encoding: BufferEncoding }[], cb: WriteCallback): void;
};

/**
 * An upstream that answers before it has read the whole request body (nginx's 413 for a body
 * over client_max_body_size) and then closes makes the next write of the body fail (EPIPE,
 * ECONNRESET). Node destroys a socket on a failed write at once, so its answer, already
 * waiting in the socket, would never be read: undici would report the write error and the
 * client get a 502. Here a failed write is not reported: the rest of the body is dropped, and
 * the socket goes on reading until its read side ends or fails, which it soon does (the
 * connection is gone); undici then settles the request with the answer it read, or with that
 * error when none came (a 502, as before). Its head and body timeouts bound the wait.
 */
export function keepReadingAfterWriteFailure(socket: Socket): void {
  const s = socket as unknown as Writes;
  let failed = false;
  const settle =
    (cb: WriteCallback): WriteCallback =>
    (err) => {
      if (err) failed = true;
      cb();
    };
  const write = s._write;
  s._write = function (chunk, encoding, cb) {
    if (failed) cb();
    else write.call(this, chunk, encoding, settle(cb));
  };
  const writev = s._writev;
  if (writev) {
    s._writev = function (chunks, cb) {
      if (failed) cb();
      else writev.call(this, chunks, settle(cb));
    };
  }
}

/**
 * What `Pool.dispatch` is given besides method, path, headers and body: a
 * fixed TLS server name, so requests with different Host headers share
 * connections (undici reconnects when it changes; the connector above ignores it).
 */
export function dispatchServername(t: UpstreamTarget): string {
  return t.servername === '' ? t.hostname : t.servername;
}

/** Opens the request to the upstream for an upgrade request (same method and path, under the base path). */
export function openUpstreamRequest(t: UpstreamTarget, agent: http.Agent, req: IncomingMessage, headers: OutgoingHttpHeaders): ClientRequest {
  const options: https.RequestOptions = {
    agent,
    hostname: t.hostname,
    port: t.port,
    method: req.method,
    path: t.basePath + (req.url ?? '/'),
    headers,
  };
  if (t.https) options.servername = t.servername;
  return t.https ? https.request(options) : http.request(options);
}
