/**
 * The WAF in front of any node:http handler (an Express app, a plain handler): the request's
 * head and its whole body are inspected before the handler sees anything, and the handler then
 * reads the very bytes the WAF read, from a request rebuilt around them. Express's own
 * middleware runs after the app's body parsers, which have consumed the raw body by then; this
 * runs before them.
 *
 *   http.createServer(mamoriWafHandler(guard, app)).listen(3000);
 */
import { IncomingMessage, type ServerResponse } from 'node:http';
import { MamoriError } from '../core/errors.js';
import { normalizeIp } from '../proxy/client-ip.js';
import { clientAddressFor } from '../runtime.js';
import { sendRendered } from '../proxy/respond.js';
import { urlPath } from '../core/url.js';
import type { Guard } from './guard.js';
import type { RenderedResponse, RequestInfo } from './verdict.js';
import { announcesBody, nodeRequestParts, type BodyPool, type WafExchange } from './waf-guard.js';
import { bodyPoolAnswer } from './adapter-kit.js';
import { guardResponse } from './waf-http-response.js';

export interface MamoriWafHandlerOptions {
  /** The client address; default: the TCP peer, or X-Forwarded-For past the config's trusted proxies. */
  clientIp?: (req: IncomingMessage) => string | undefined;
  /** Your own answer for what the WAF refuses. */
  respond?: (answer: RenderedResponse, req: IncomingMessage) => RenderedResponse;
  /** Errors inside the WAF handler (never request data); default: console.error. */
  onError?: (err: unknown) => void;
}

/** Requests that went through mamoriWafHandler (the adapters check that the WAF ran). */
const inspected = new WeakSet<IncomingMessage>();

/** Whether the WAF handler inspected this request (the one it handed on). */
export function wafInspected(req: IncomingMessage): boolean {
  return inspected.has(req);
}

/** Header fields by lower-case name, each with all its values in order: node's headersDistinct from raw fields. */
function distinct(raw: readonly string[]): NodeJS.Dict<string[]> {
  const out: NodeJS.Dict<string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const list = Object.hasOwn(out, name) ? out[name] : undefined;
    if (list) list.push(raw[i + 1]!);
    // (defined, not assigned: a field named __proto__ stays a field)
    else Object.defineProperty(out, name, { value: [raw[i + 1]!], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * A request around bytes already read: what the handler reads is what the WAF read. It is what
 * node's parser would have handed over: the response's `req`, headersDistinct, and, as the body's
 * end is read, `complete` and the trailers.
 */
function replay(req: IncomingMessage, body: Buffer, res: ServerResponse): IncomingMessage {
  const r = new IncomingMessage(req.socket);
  r.method = req.method;
  r.url = req.url;
  r.httpVersionMajor = req.httpVersionMajor;
  r.httpVersionMinor = req.httpVersionMinor;
  r.httpVersion = req.httpVersion;
  r.headers = req.headers;
  r.rawHeaders = req.rawHeaders;
  r.headersDistinct = distinct(req.rawHeaders);
  const trailers = req.trailers;
  const rawTrailers = req.rawTrailers;
  r.once('end', () => {
    r.trailers = trailers;
    r.rawTrailers = rawTrailers;
    r.trailersDistinct = distinct(rawTrailers);
    r.complete = true;
  });
  if (body.length) r.push(body);
  r.push(null);
  (res as { req: IncomingMessage }).req = r;
  return r;
}

/**
 * With response bodies inspected, the app is asked for an uncompressed answer (as the proxy
 * asks the site): Accept-Encoding is taken out of what it reads of the request.
 */
function withoutAcceptEncoding(m: IncomingMessage): void {
  if (m.headers['accept-encoding'] === undefined) return;
  const raw: string[] = [];
  for (let i = 0; i + 1 < m.rawHeaders.length; i += 2) if (m.rawHeaders[i]!.toLowerCase() !== 'accept-encoding') raw.push(m.rawHeaders[i]!, m.rawHeaders[i + 1]!);
  delete m.headers['accept-encoding'];
  // (headers and headersDistinct set before rawHeaders is replaced: node builds them from it lazily.)
  m.headersDistinct = distinct(raw);
  m.rawHeaders = raw;
}

type ReadOutcome = Buffer | 413 | 408 | 429 | 503;

/**
 * Reads a body up to `max` bytes, within what the WAF's body pool lets bodies hold (503 past
 * the total, 429 past one source's share), with a pause of BODY_IDLE_MS between chunks at most
 * (408). The bytes count until `release`.
 */
function readBody(req: IncomingMessage, max: number, client: string, pool: BodyPool): { outcome: Promise<ReadOutcome>; release: () => void } {
  let mine = 0;
  const release = () => {
    pool.give(client, mine);
    mine = 0;
  };
  const outcome = new Promise<ReadOutcome>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let idle: NodeJS.Timeout | undefined;
    const done = (v: ReadOutcome) => {
      clearTimeout(idle);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onErr);
      if (typeof v === 'number') req.pause();
      resolve(v);
    };
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => done(408), BODY_IDLE_MS);
      idle.unref();
    };
    const onData = (c: Buffer) => {
      arm();
      size += c.length;
      mine += c.length;
      const over = pool.take(client, c.length, mine);
      if (size > max) return done(413);
      if (over) return done(over);
      chunks.push(c);
    };
    const onEnd = () => done(Buffer.concat(chunks, size));
    const onErr = (err: unknown) => {
      clearTimeout(idle);
      req.off('data', onData);
      req.off('end', onEnd);
      reject(err);
    };
    arm();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onErr);
  });
  return { outcome, release };
}

/** How long a body being read may pause between chunks (as the proxy's). */
const BODY_IDLE_MS = 10_000;
const REFUSED: Record<413 | 408, string> = {
  413: 'Request body too large',
  408: 'Request body stalled',
};

const refusal = (status: 413 | 408 | 429 | 503): RenderedResponse =>
  status === 429 || status === 503 ? bodyPoolAnswer(status) : { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' }, body: `${REFUSED[status]}\n` };

export function mamoriWafHandler(guard: Guard, handler: (req: IncomingMessage, res: ServerResponse) => void, opts: MamoriWafHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const waf = guard.waf;
  if (!waf) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `${guard.config.source}: mamoriWafHandler needs a waf section in the config`);
  const onError = opts.onError ?? ((err: unknown) => console.error('mamori waf:', err instanceof Error ? err.message : err));
  const resolve = clientAddressFor(guard.config);
  const resolveIp = opts.clientIp ?? ((req: IncomingMessage) => resolve(req.socket.remoteAddress, req.headers['x-forwarded-for']));

  const refuse = (x: WafExchange, req: IncomingMessage, res: ServerResponse, r: RenderedResponse) => {
    const answer = opts.respond ? opts.respond(r, req) : r;
    sendRendered(res, answer, req.method ?? 'GET');
    x.finish(answer.status);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ip = resolveIp(req);
    if (!ip) throw new MamoriError('MAMORI_ERR_ADAPTER_CLIENT_IP', 'the request has no client address; pass a clientIp option to mamoriWafHandler');
    const url = req.url ?? '/';
    const info: RequestInfo = { ip: normalizeIp(ip), method: req.method ?? 'GET', path: urlPath(url), headers: req.headers };
    const x = waf!.begin(info, nodeRequestParts(req, url));
    let v = x.head();
    if (v && guard.enforced(v)) return refuse(x, req, res, guard.respond(v, info, { url }));
    let next = req;
    if (!v) {
      if (announcesBody(req.headers)) {
        const read = readBody(req, waf!.bodyLimit, info.ip, waf!.bodies);
        // The bytes are held until the answer is done: the app reads them from the replayed request.
        res.once('close', read.release);
        const body = await read.outcome;
        if (typeof body === 'number') {
          sendRendered(res, refusal(body), info.method);
          x.finish(body);
          return;
        }
        v = x.body(body);
        next = replay(req, body, res);
      } else v = x.body(undefined);
      if (v && guard.enforced(v)) return refuse(x, req, res, guard.respond(v, info, { url }));
    }
    if (waf!.config.responseBody) withoutAcceptEncoding(next);
    // Phases 3 and 4 on the app's answer (held until they pass it, in blocking mode); phase 5
    // when the answer is done, or the client left.
    guardResponse(res, x, {
      enforce: waf!.config.mode === 'enforce',
      method: info.method,
      refusal: (w) => {
        if (!guard.enforced(w)) return undefined;
        const r = guard.respond(w, info, { url });
        return opts.respond ? opts.respond(r, next) : r;
      },
      refused: (status) => x.finish(status),
      onError,
    });
    res.once('close', () => {
      try {
        x.finish(res.statusCode);
      } catch (err) {
        onError(err);
      }
    });
    inspected.add(next);
    handler(next, res);
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) sendRendered(res, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Internal Server Error\n' }, req.method ?? 'GET');
      else res.destroy();
    });
  };
}
