/**
 * A generic reverse proxy on node:http alone. It knows nothing about logins:
 * whoever starts it plugs in through `ProxyHooks`, which see each request
 * after its headers are read (and its body, when they ask), and each upstream
 * answer before it is sent on.
 *
 * Hygiene it takes care of: client IP from the TCP peer (X-Forwarded-For only
 * from trusted proxies), hop-by-hop headers stripped both ways, ambiguous
 * framing refused, header/body/time limits, streaming with back-pressure,
 * aborts propagated both ways, 502/504 for a failing upstream, WebSocket
 * upgrades tunnelled, and no exception from a client, the upstream or a hook
 * ever reaching the process.
 *
 * Example:
 *   const proxy = await startProxy({ upstream: 'http://127.0.0.1:3000', port: 8080,
 *     hooks: { onRequest: async (ex) => ex.req.path === '/admin' ? forbidden : undefined } });
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Pool } from 'undici';
import { type Clock, systemClock } from '../core/clock.js';
import { MamoriError } from '../core/errors.js';
import { CidrList } from '../core/net.js';
import { AddressCache, normalizeIp } from './client-ip.js';
import type { RenderedResponse, RequestInfo } from '../guard/verdict.js';
import { handleRequest } from './forward.js';
import { type ResolvedLimits, type ProxyLimits, resolveLimits } from './limits.js';
import { isClosing, lingerClose, plainError, rawResponse } from './respond.js';
import { handleUpgrade } from './upgrade.js';
import { type UpstreamTarget, parseUpstream, upstreamPool } from './upstream.js';

export { DEFAULT_PROXY_LIMITS, type ProxyLimits } from './limits.js';
export { resolveClientIp } from './client-ip.js';

export interface ProxyExchange {
  /** What the hooks look at; `ip` is the resolved client address. */
  readonly req: RequestInfo;
  /** The TCP peer, normalised (IPv4-mapped IPv6 shown as IPv4). */
  readonly peerIp: string;
  /** Path and query as received. */
  readonly url: string;
  /** The request as Node read it (raw header fields, HTTP version, socket). Hooks never read its body: onBody gets it. */
  readonly incoming: http.IncomingMessage;
  /** Scratch space the hooks share across the phases of one exchange. */
  readonly state: Map<string, unknown>;
}

export interface UpstreamAnswer {
  status: number;
  /** Lower-case names, hop-by-hop headers already removed. */
  headers: Record<string, string | string[] | undefined>;
  /**
   * When a hook asked for it: the whole body when it fitted in maxResponseSniffBytes, else
   * (with `partial`) the first part held, a little over that limit; the rest streams after.
   */
  body?: Buffer;
  /** `body` is only the start of the answer. */
  partial?: boolean;
}

export interface ResponseChange {
  /** Headers to set, replacing any the upstream sent under the same name. */
  setHeaders?: Record<string, string | string[]>;
  /** Headers to add after any the upstream sent under the same name (e.g. one more set-cookie). */
  appendHeaders?: Record<string, string | string[]>;
  /** An answer to send instead of the upstream's. */
  replace?: RenderedResponse;
}

export interface DoneInfo {
  /** The status sent to the client; 499 when the client left before any was sent. */
  status: number;
  /** Why the exchange did not complete normally (short, no request data in it). */
  error?: string;
  /** Response body bytes sent to the client. */
  bytes?: number;
  /** Milliseconds from headers read to the end of the exchange, on the proxy's clock. */
  durationMs?: number;
}

export interface ClientErrorInfo {
  readonly peerIp: string;
  /** The status answered (400, 408, 413, 431), or 0 when the connection was just closed. */
  readonly status: number;
  /** Node's error code, e.g. HPE_HEADER_OVERFLOW, ERR_HTTP_REQUEST_TIMEOUT. */
  readonly code: string;
}

export interface ProxyHooks {
  /** After headers are read. Return a response to answer without forwarding; 'buffer' to read the body (≤ maxBufferedBodyBytes, else 413) and call onBody; undefined to forward streaming. */
  onRequest(ex: ProxyExchange): Promise<RenderedResponse | 'buffer' | undefined>;
  onBody?(ex: ProxyExchange, body: Buffer): Promise<RenderedResponse | undefined>;
  /**
   * Just before the request goes upstream (after onRequest/onBody let it through): may change the
   * headers sent, e.g. drop `accept-encoding` so a sniffed answer is not compressed. Framing
   * (content-length, transfer-encoding) and hop-by-hop headers are set by the proxy afterwards.
   */
  onForward?(ex: ProxyExchange, headers: Record<string, string | string[]>): void;
  /** Return true to have the upstream's response body (≤ maxResponseSniffBytes) buffered and passed to onResponse; larger bodies are streamed and body is left undefined. */
  wantsResponseBody?(ex: ProxyExchange, status: number, headers: UpstreamAnswer['headers']): boolean;
  /** Before the upstream's answer is sent; may add/replace headers (e.g. set-cookie) or replace the whole answer. */
  onResponse?(ex: ProxyExchange, res: UpstreamAnswer): Promise<ResponseChange | undefined>;
  /** Called for every finished exchange (status sent, bytes, duration), for events. */
  onDone?(ex: ProxyExchange, info: DoneInfo): void;
  /** A connection refused before a request could be formed (malformed HTTP, too large headers, too slow). */
  onClientError?(info: ClientErrorInfo): void;
}

export interface ProxyOptions {
  /** `http://host:port` or `https://…`, with an optional base path prefixed to every forwarded path. */
  upstream: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** CIDR ranges of proxies in front of this one; default [] = X-Forwarded-For ignored. */
  trustedProxies?: string[];
  limits?: Partial<ProxyLimits>;
  hooks: ProxyHooks;
  /** Errors thrown by hooks and unexpected internal errors; never request data. */
  onError?: (err: unknown) => void;
  /** Clock for durations (default: the system clock). */
  clock?: Clock;
  /** How long close() lets in-flight exchanges finish before cutting them (default 5000 ms). */
  closeGraceMs?: number;
}

export interface RunningProxy {
  url: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

/** What the request, upgrade and client-error handlers share. Internal. */
export interface ProxyContext {
  readonly target: UpstreamTarget;
  readonly limits: ResolvedLimits;
  readonly trusted: CidrList;
  /** Client addresses resolved against `trusted` (see AddressCache). */
  readonly addresses: AddressCache;
  readonly hooks: ProxyHooks;
  readonly clock: Clock;
  /** Upgrade requests go upstream through node:http and this agent. */
  readonly agent: http.Agent;
  /** Plain requests go upstream through undici and this pool. */
  readonly pool: Pool;
  /** Sockets taken out of Node's HTTP handling (upgrades): close() destroys them. */
  readonly tunnels: Set<Duplex>;
  /** Responses in flight per client socket, to know whether a raw answer can still be written. */
  readonly inflight: WeakMap<Duplex, Set<http.ServerResponse>>;
  /** Per client socket, what ends its exchanges when it closes (pipelined ones included). */
  readonly closers: WeakMap<Duplex, Set<() => void>>;
  /** Bytes of request bodies being held for inspection right now, by every exchange together. */
  /** Request bodies held for inspection: all, by client, and those of large bodies (see forward.ts). */
  readonly buffered: { bytes: number; byClient: Map<string, number>; large: number };
  reportError(err: unknown): void;
}

export async function startProxy(opts: ProxyOptions): Promise<RunningProxy> {
  const target = parseUpstream(opts.upstream);
  const limits = resolveLimits(opts.limits);
  const trusted = new CidrList(opts.trustedProxies ?? []);
  const onError = opts.onError;
  const reportError = (err: unknown): void => {
    try {
      onError?.(err);
    } catch {
      // An error reporter that throws must not take the proxy down.
    }
  };
  const agentOptions = { keepAlive: true, maxFreeSockets: 64, scheduling: 'lifo' as const };
  const agent = target.https ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const ctx: ProxyContext = {
    target,
    limits,
    trusted,
    addresses: new AddressCache(trusted),
    hooks: opts.hooks,
    clock: opts.clock ?? systemClock,
    agent,
    pool: await upstreamPool(target, limits),
    tunnels: new Set(),
    inflight: new WeakMap(),
    buffered: { bytes: 0, byClient: new Map(), large: 0 },
    closers: new WeakMap(),
    reportError,
  };

  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    insecureHTTPParser: false,
    requireHostHeader: true,
    joinDuplicateHeaders: false,
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
  });
  // Node keeps this many header entries; one more than allowed lets us see "too many".
  server.maxHeadersCount = limits.maxHeaders + 1;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.timeout = 0;

  server.on('request', (req, res) => handleRequest(ctx, req, res, false));
  server.on('checkContinue', (req, res) => handleRequest(ctx, req, res, true));
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(ctx, req, socket, head));
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    lingerClose(socket, rawResponse(plainError(405)), limits.lingerMs);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => onClientError(ctx, err, socket));

  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => reject(new MamoriError('MAMORI_ERR_PROXY_LISTEN', `the proxy could not listen on ${opts.host ?? '127.0.0.1'}:${opts.port ?? 0}: ${err.message}`, { cause: err }));
    server.once('error', fail);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', fail);
      resolve();
    });
  });
  server.on('error', reportError);

  const addr = server.address() as AddressInfo;
  const hostText = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      const cut = setTimeout(() => server.closeAllConnections(), opts.closeGraceMs ?? 5_000);
      cut.unref();
      server.close(() => {
        clearTimeout(cut);
        agent.destroy();
        ctx.pool.destroy().then(resolve, resolve);
      });
      server.closeIdleConnections();
      for (const t of ctx.tunnels) t.destroy();
    });
    return closed;
  };
  return { url: `http://${hostText}:${addr.port}`, port: addr.port, server, close };
}

function statusForClientError(code: string | undefined): number {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

/**
 * Node reports parse errors, timeouts and socket errors of client connections
 * here. Answer with a short status and a graceful close when nothing else
 * has been written on the socket; otherwise just close it.
 */
function onClientError(ctx: ProxyContext, err: NodeJS.ErrnoException, socket: Duplex): void {
  // After an answer the parser keeps failing on the bytes we drop: nothing more to do.
  if (isClosing(socket)) return;
  const code = typeof err.code === 'string' ? err.code : 'UNKNOWN';
  const parseOrTimeout = code.startsWith('HPE_') || code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const inflight = ctx.inflight.get(socket);
  const busy = inflight !== undefined && [...inflight].some((r) => r.headersSent);
  const status = parseOrTimeout && !busy && socket.writable ? statusForClientError(code) : 0;
  const peerIp = normalizeIp((socket as Partial<{ remoteAddress: string }>).remoteAddress ?? '');
  try {
    ctx.hooks.onClientError?.({ peerIp, status, code });
  } catch (e) {
    ctx.reportError(e);
  }
  lingerClose(socket, status === 0 ? undefined : rawResponse(plainError(status)), ctx.limits.lingerMs);
}
