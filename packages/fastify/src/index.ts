/**
 * @mamori/fastify: the mamori guard as a Fastify plugin.
 *
 *   await app.register(mamoriFastify, { guard });
 *
 * The plugin is not encapsulated (like one wrapped in fastify-plugin): its
 * hooks apply to every route of the instance it is registered on.
 * - onRequest: decisions and access policy for every request;
 * - preHandler (after the body is parsed): login endpoints are checked;
 * - onSend: the app's answer to a login is classified and counted, and the
 *   trusted-device cookie is added next to the app's own cookies.
 * With a `waf:` section in the config, the WAF runs too (see docs/waf.md, "In Fastify"):
 * - onRequest: phase 1 (request line and headers; phase 2 too when there is no body);
 * - preParsing: phase 2, on the raw body read whole (at most waf.request_body_limit bytes,
 *   413 past it) before any content-type parser; the parsers then read those same bytes;
 * - onSend: phase 3 (the answer's status and headers), which can replace the answer;
 * - onResponse / onRequestAbort: phase 5, the event and the audit line.
 * It also adds the route `POST /.mamori/challenge` for proof-of-work answers.
 * Fastify parses JSON bodies itself; for HTML login forms register a
 * parser for `application/x-www-form-urlencoded` (such as @fastify/formbody)
 * that keeps repeated fields as arrays.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import {
  assertMiddlewareConfig,
  bodyPoolAnswer,
  mayBeSkipped,
  clientAddressFor,
  ADAPTER_MAX_ANSWER_BODY,
  ADAPTER_MAX_CHALLENGE_BODY,
  AMBIGUOUS_LOGIN,
  CHALLENGE_PATH,
  firstHeaderValue,
  loginReadsAnswer,
  logLoginOutcomeError,
  noClientIp,
  normalizeIp,
  pickLogin,
  parsedRateLimitBody,
  readParsedCheckoutFields,
  dropOwnRequestHeaders,
  SECOND_FACTOR_HEADER,
  STEP_UP_HEADER,
  UNREADABLE_CHECKOUT,
  urlPath,
  urlQuery,
  type Guard,
  type CheckoutEndpointConfig,
  type PendingCheckout,
  type PendingLogin,
  type RenderedResponse,
  type RequestInfo,
} from 'mamori/internal';
import { announcesBody, answerHeaders, readBody, replay, TOO_LARGE, wafParts, type WafExchange } from './waf.js';

export interface MamoriFastifyOptions {
  guard: Guard;
  /**
   * The client address. Default: the TCP peer (`request.raw.socket.remoteAddress`),
   * never `X-Forwarded-For`. Behind a proxy you trust, pass `(req) => req.ip`
   * with Fastify's `trustProxy` set to that proxy.
   */
  clientIp?: (req: FastifyRequest) => string | undefined;
  /** Receives errors from counting a login after the answer (the store failed). Default: console.error. */
  onError?: (err: unknown) => void;
  /** Requests mamori leaves alone entirely (a health check): no decisions, policy, rate limits or login counting. Never skip a login route. */
  skip?: (req: FastifyRequest) => boolean;
  /** What `per_source` rate limits count a request under instead of its address (an API key, a tenant). */
  rateLimitKey?: (req: FastifyRequest) => string | undefined;
  /** Your own answer for what mamori refuses (a 403, 429 or challenge), from mamori's. */
  respond?: (answer: RenderedResponse, req: FastifyRequest) => RenderedResponse;
}

/** The answer to a body longer than the WAF reads (waf.request_body_limit). */
const BODY_TOO_LARGE: RenderedResponse = {
  status: 413,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' },
  body: 'Request body too large.\n',
};

function send(reply: FastifyReply, r: RenderedResponse): FastifyReply {
  return reply.code(r.status).headers(r.headers).send(r.body);
}

/** The answer's text when it is small enough to read whole; undefined otherwise (never a cut-off part). */
function bodyText(payload: unknown): string | undefined {
  if (typeof payload === 'string') return payload.length > ADAPTER_MAX_ANSWER_BODY ? undefined : payload;
  if (Buffer.isBuffer(payload)) return payload.length > ADAPTER_MAX_ANSWER_BODY ? undefined : payload.toString('utf8');
  return undefined; // a stream: classified on status and Location only
}

const plugin: FastifyPluginCallback<MamoriFastifyOptions> = (fastify: FastifyInstance, opts: MamoriFastifyOptions, done: (err?: Error) => void) => {
  const guard = opts.guard;
  assertMiddlewareConfig(guard, 'mamoriFastify');
  const onError = opts.onError ?? logLoginOutcomeError;
  // By default the TCP peer, or X-Forwarded-For past the config's network.trusted_proxies.
  const resolve = clientAddressFor(guard.config);
  const clientIp = opts.clientIp ?? ((req: FastifyRequest) => resolve(req.raw.socket?.remoteAddress, req.raw.headers['x-forwarded-for']));
  const infos = new WeakMap<FastifyRequest, RequestInfo>();
  const pendings = new WeakMap<FastifyRequest, PendingLogin>();
  /** Payments checked at a checkout endpoint, counted once the app answered (onResponse) or the client left. */
  const payments = new WeakMap<FastifyRequest, { endpoint: CheckoutEndpointConfig; pending: PendingCheckout }>();
  const settlePayment = (req: FastifyRequest, status: number | undefined) => {
    const c = payments.get(req);
    if (!c) return;
    payments.delete(req);
    guard.settleCheckout(c.endpoint, c.pending, status).catch(onError);
  };
  fastify.addHook('onResponse', async (req, reply) => settlePayment(req, reply.statusCode));
  fastify.addHook('onRequestAbort', async (req) => settlePayment(req, undefined));

  const infoOf = (req: FastifyRequest): RequestInfo => {
    let info = infos.get(req);
    if (!info) {
      const ip = clientIp(req);
      if (!ip) throw noClientIp('mamoriFastify');
      const key = opts.rateLimitKey?.(req);
      info = { ip: normalizeIp(ip), method: req.method, path: urlPath(req.raw.url ?? req.url), headers: req.headers, secure: req.protocol === 'https', ...(key !== undefined ? { rateLimitKey: key } : {}) };
      infos.set(req, info);
    }
    return info;
  };

  const refuse = (reply: FastifyReply, req: FastifyRequest, r: RenderedResponse): FastifyReply => send(reply, opts.respond ? opts.respond(r, req) : r);
  const skipped = new WeakSet<FastifyRequest>();
  const waf = guard.waf;
  /** Requests' WAF transactions. */
  const exchanges = new WeakMap<FastifyRequest, WafExchange>();
  /** Requests whose body the WAF reads in preParsing. */
  const bodies = new WeakSet<FastifyRequest>();

  fastify.addHook('onRequest', async (req, reply) => {
    if (opts.skip?.(req) && mayBeSkipped(guard, req.method, req.url)) {
      skipped.add(req);
      return;
    }
    const info = infoOf(req);
    if (info.method === 'POST' && info.path === CHALLENGE_PATH) return;
    const v = await guard.inspect(info);
    if (guard.enforced(v)) return refuse(reply, req, guard.respond(v, info, { url: req.url }));
    if (!waf) return;
    // The WAF: phase 1 now; phase 2 now for a request without a body, else in preParsing.
    const x = waf.begin(info, wafParts(req));
    exchanges.set(req, x);
    let w = x.head();
    if (!w) {
      if (announcesBody(info.headers)) bodies.add(req);
      else w = x.body(undefined);
    }
    if (w && guard.enforced(w)) return refuse(reply, req, guard.respond(w, info, { url: req.url }));
  });

  /** Bytes each request's body holds in the WAF's pool. */
  const held = new WeakMap<FastifyRequest, number>();
  if (waf) {
    fastify.addHook('preParsing', async (req, reply, payload) => {
      const x = exchanges.get(req);
      if (!x || !bodies.has(req)) return payload;
      bodies.delete(req);
      // What the body holds counts against the WAF's pool until the answer is done.
      const ip = infoOf(req).ip;
      const body = await readBody(req, payload, waf.bodyLimit, (n) => {
        const body = (held.get(req) ?? 0) + n;
        held.set(req, body);
        return waf.bodies.take(ip, n, body);
      });
      if (body === TOO_LARGE) return send(reply, BODY_TOO_LARGE);
      if (body === 429 || body === 503) return send(reply, bodyPoolAnswer(body));
      const w = x.body(body.length > 0 ? body : undefined);
      if (w && guard.enforced(w)) return refuse(reply, req, guard.respond(w, infoOf(req), { url: req.url }));
      return replay(body, payload);
    });
    const finish = (req: FastifyRequest, status: number) => {
      const n = held.get(req);
      if (n !== undefined) {
        held.delete(req);
        waf.bodies.give(infoOf(req).ip, n);
      }
      exchanges.get(req)?.finish(status);
    };
    fastify.addHook('onResponse', async (req, reply) => finish(req, reply.statusCode));
    // The client left before the answer: 499, as the proxy says.
    fastify.addHook('onRequestAbort', async (req) => finish(req, 499));
  }

  fastify.addHook('preHandler', async (req, reply) => {
    if (skipped.has(req)) return;
    // mamori's own request headers, which only mamori sets: a client's copies go.
    dropOwnRequestHeaders(req.headers);
    const info = infoOf(req);
    const limits = guard.rateLimits.match(info.method, req.url);
    if (limits.length) {
      const r = await guard.checkRateLimits(info, req.url, limits, parsedRateLimitBody(req.body));
      if (guard.enforced(r.verdict)) return refuse(reply, req, guard.respondRateLimited(r, info, { url: req.url, body: req.body }));
      reply.headers(r.headers);
    }
    const checkouts = guard.findCheckouts(info.method, req.url);
    if (checkouts.length) {
      const endpoint = checkouts[0]!;
      const r = readParsedCheckoutFields(endpoint, req.body);
      if ('problem' in r) return send(reply, UNREADABLE_CHECKOUT);
      if ('fields' in r) {
        const pending = await guard.checkCheckout(endpoint, info, r.fields);
        const refusal = guard.checkoutRefusal(endpoint, pending, info, { url: req.url, body: req.body });
        if (refusal) return refuse(reply, req, refusal);
        // The route reads the step-up as it would behind `mamori up`: a request header.
        if (guard.checkoutStepUp(pending)) req.headers[STEP_UP_HEADER] = '3ds';
        payments.set(req, { endpoint, pending });
        return;
      }
    }
    const picked = await pickLogin(guard.findLogins(info.method, req.url), (e) => guard.readParsedLogin(e, info, req.url, req.body));
    if (!picked) return;
    const { endpoint, fields } = picked;
    // Anything the app could read differently (a field sent twice, a look-alike name...) is refused.
    if (fields.ambiguous) return send(reply, AMBIGUOUS_LOGIN);
    const pending = await guard.checkLogin(endpoint, info, fields);
    if (guard.enforced(pending.verdict)) return refuse(reply, req, guard.respond(pending.verdict, info, { url: req.url, body: req.body }));
    if (pending.secondFactor?.length) req.headers[SECOND_FACTOR_HEADER] = pending.secondFactor.join(',');
    pendings.set(req, pending);
  });

  fastify.addHook('onSend', async (req, reply, payload) => {
    const x = exchanges.get(req);
    // Phase 3 on the app's status and headers; phase 4 on a body the app gave whole (a string or
    // a buffer: a stream is not held). A refusal replaces the answer whole.
    let w = x?.responseHead(reply.statusCode, answerHeaders(reply.getHeaders()));
    if (!w && x?.wantsResponseBody() && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      w = x.responseBody(typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload);
    }
    if (w && guard.enforced(w)) {
      const p = pendings.get(req);
      if (p) {
        pendings.delete(req);
        void guard.releaseLogin(p).catch(onError);
      }
      if (payload instanceof Readable) payload.destroy();
      const r = guard.respond(w, infoOf(req), { url: req.url });
      const answer = opts.respond ? opts.respond(r, req) : r;
      for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
      reply.code(answer.status).headers(answer.headers);
      return answer.body;
    }
    const pending = pendings.get(req);
    if (!pending) return payload;
    pendings.delete(req);
    try {
      const body = loginReadsAnswer(pending.endpoint) ? bodyText(payload) : undefined;
      const cookies = reply.getHeader('set-cookie');
      const setCookies = cookies === undefined ? [] : Array.isArray(cookies) ? cookies.map(String) : [String(cookies)];
      const s = guard.settleLogin(pending, { status: reply.statusCode, location: firstHeaderValue(reply.getHeader('location')), body, setCookies, header: (name) => firstHeaderValue(reply.getHeader(name)) });
      // Fastify appends set-cookie values rather than replacing the app's.
      if (s.setCookie) reply.header('set-cookie', s.setCookie);
      await s.done;
    } catch (err) {
      onError(err);
    }
    return payload;
  });

  fastify.post(CHALLENGE_PATH, { bodyLimit: ADAPTER_MAX_CHALLENGE_BODY }, async (req, reply) => {
    const body = req.body;
    const raw = Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body) : body === undefined || body === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
    return send(reply, await guard.handleChallengeSubmit(infoOf(req), raw));
  });

  done();
};

// Not encapsulated: the hooks reach the routes of the instance that registers the plugin.
Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
Object.defineProperty(plugin, Symbol.for('fastify.display-name'), { value: 'mamori' });

export const mamoriFastify = plugin;
export default mamoriFastify;
export type { Guard };
