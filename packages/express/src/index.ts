/**
 * @mamori/express: the mamori guard as Express middleware.
 *
 *   app.use(express.urlencoded({ extended: false }), express.json());
 *   app.use(mamoriExpress(guard));
 *
 * Every request is inspected (decisions, access policy); `POST
 * /.mamori/challenge` is answered here; a request to a configured login
 * endpoint is checked before the app sees it and the app's answer is
 * classified and counted, with the trusted-device cookie added to it.
 * The login fields come from `req.body`, so the app's body parsers must
 * run before this middleware.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  ADAPTER_MAX_ANSWER_BODY,
  ADAPTER_MAX_CHALLENGE_BODY,
  AMBIGUOUS_LOGIN,
  assertMiddlewareConfig,
  mayBeSkipped,
  MamoriError,
  clientAddressFor,
  CHALLENGE_BODY_TOO_LARGE,
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
  wafInspected,
  type Guard,
  type CheckoutEndpointConfig,
  type PendingCheckout,
  type PendingLogin,
  type RenderedResponse,
  type RequestInfo,
} from 'mamori/internal';

export interface MamoriExpressOptions {
  /**
   * The client address. Default: the TCP peer (`req.socket.remoteAddress`), unless it is one
   * of the config's `network.trusted_proxies`: then `X-Forwarded-For`, read right to left past
   * those proxies, as `mamori up` reads it. Never `X-Forwarded-For` from anyone else.
   */
  clientIp?: (req: Request) => string | undefined;
  /** Receives errors from counting a login after the answer (the store failed). Default: console.error. */
  onError?: (err: unknown) => void;
  /**
   * Requests mamori leaves alone entirely (a health check, an internal call): no decisions,
   * policy, rate limits or login counting. Never skip a login route.
   */
  skip?: (req: Request) => boolean;
  /** What `per_source` rate limits count a request under instead of its address (an API key, a tenant). */
  rateLimitKey?: (req: Request) => string | undefined;
  /** Your own answer for what mamori refuses (a 403, 429 or challenge), from mamori's. */
  respond?: (answer: RenderedResponse, req: Request) => RenderedResponse;
}

function send(res: Response, r: RenderedResponse): void {
  res.statusCode = r.status;
  for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
  res.end(r.body);
}

/** Reads at most `max` bytes of a body no parser consumed; undefined when it is longer. */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > max) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** The challenge answer as raw JSON, whether or not `express.json()` already parsed it. */
async function challengeBody(req: Request): Promise<Buffer | undefined> {
  const parsed: unknown = req.body;
  if (Buffer.isBuffer(parsed)) return parsed.length > ADAPTER_MAX_CHALLENGE_BODY ? undefined : parsed;
  if (typeof parsed === 'string') return Buffer.from(parsed.slice(0, ADAPTER_MAX_CHALLENGE_BODY + 1));
  if (parsed !== undefined && parsed !== null) {
    // The same bound as on a raw body, whatever limit the app's JSON parser has.
    const json = Buffer.from(JSON.stringify(parsed));
    return json.length > ADAPTER_MAX_CHALLENGE_BODY ? undefined : json;
  }
  if (req.readableEnded) return Buffer.alloc(0);
  return readBody(req, ADAPTER_MAX_CHALLENGE_BODY);
}

function cookieList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** The answer's text when it is small enough to read whole; undefined otherwise (never a cut-off part). */
function bodyText(chunk: unknown, encoding: unknown): string | undefined {
  if (typeof chunk === 'string') return chunk.length > ADAPTER_MAX_ANSWER_BODY ? undefined : chunk;
  if (chunk instanceof Uint8Array) {
    if (chunk.byteLength > ADAPTER_MAX_ANSWER_BODY) return undefined;
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8');
  }
  return undefined;
}

/**
 * Classifies the app's answer to a login just before its headers go out,
 * adds the trusted-device cookie next to the app's own cookies, and holds
 * the end of the response until the outcome is counted.
 */
function settleOnAnswer(guard: Guard, res: Response, pending: PendingLogin, onError: (err: unknown) => void): void {
  let settled = false;
  const out = res as ServerResponse;
  const writeHead = out.writeHead;
  const end = out.end;
  const settle = (status: number, location: string | undefined, body: string | undefined): { setCookie?: string; done: Promise<unknown> } => {
    settled = true;
    try {
      return guard.settleLogin(pending, { status, location, body, setCookies: cookieList(out.getHeader('set-cookie')), header: (name) => firstHeaderValue(out.getHeader(name)) });
    } catch (err) {
      return { done: Promise.reject(err) };
    }
  };

  out.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    if (!settled) {
      // The app streams its answer (res.write before res.end): classify on status and headers.
      let headers = rest.find((x) => typeof x === 'object' && x !== null) as OutgoingHttpHeaders | unknown[] | undefined;
      let location = firstHeaderValue(out.getHeader('location'));
      if (headers && !Array.isArray(headers)) {
        for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'location') location = firstHeaderValue(v);
      }
      const s = settle(statusCode, location, undefined);
      if (s.setCookie) {
        if (headers && Array.isArray(headers)) {
          headers = typeof headers[0] === 'string' ? [...headers, 'set-cookie', s.setCookie] : [...headers, ['set-cookie', s.setCookie]];
        } else if (headers && Object.keys(headers).some((k) => k.toLowerCase() === 'set-cookie')) {
          const copy: OutgoingHttpHeaders = {};
          for (const [k, v] of Object.entries(headers)) {
            if (k.toLowerCase() === 'set-cookie') copy['set-cookie'] = [...cookieList(v), s.setCookie];
            else copy[k] = v;
          }
          headers = copy;
        } else {
          out.setHeader('set-cookie', [...cookieList(out.getHeader('set-cookie')), s.setCookie]);
        }
        rest = rest.map((x) => (typeof x === 'object' && x !== null ? headers : x));
      }
      s.done.catch(onError);
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).call(this, statusCode, ...rest);
  } as ServerResponse['writeHead'];

  out.end = function (this: ServerResponse, ...args: unknown[]) {
    if (settled || out.headersSent) return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    const body = loginReadsAnswer(pending.endpoint) ? bodyText(args[0], args[1]) : undefined;
    const s = settle(out.statusCode, firstHeaderValue(out.getHeader('location')), body);
    if (s.setCookie) out.setHeader('set-cookie', [...cookieList(out.getHeader('set-cookie')), s.setCookie]);
    const finish = () => (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    s.done.then(finish, (err: unknown) => {
      onError(err);
      finish();
    });
    return this;
  } as ServerResponse['end'];
}

export function mamoriExpress(guard: Guard, opts: MamoriExpressOptions = {}): RequestHandler {
  assertMiddlewareConfig(guard, 'mamoriExpress');
  const onError = opts.onError ?? logLoginOutcomeError;
  // By default the TCP peer, or, when it is one of the config's network.trusted_proxies,
  // X-Forwarded-For read past them, as `mamori up` reads it.
  const resolve = clientAddressFor(guard.config);
  const clientIp = opts.clientIp ?? ((req: Request) => resolve(req.socket.remoteAddress, req.headers['x-forwarded-for']));

  const refuse = (res: Response, req: Request, r: RenderedResponse): void => send(res, opts.respond ? opts.respond(r, req) : r);

  async function handle(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (opts.skip?.(req) && mayBeSkipped(guard, req.method, req.originalUrl ?? req.url)) return next();
    // The WAF reads the raw body, which the app's parsers have consumed by now: it runs in front.
    if (guard.waf && !wafInspected(req)) {
      throw new MamoriError('MAMORI_ERR_ADAPTER_WAF', `the config turns the WAF on (${guard.config.source}), but this request did not go through it: serve the app with http.createServer(mamoriWafHandler(guard, app)) so that the WAF reads each request before Express's body parsers`);
    }
    const ip = clientIp(req);
    if (!ip) throw noClientIp('mamoriExpress');
    // originalUrl: the full path even when the middleware is mounted under a prefix.
    // secure: the app's own TLS (or Express's reading of a trusted proxy's X-Forwarded-Proto).
    const key = opts.rateLimitKey?.(req);
    const info: RequestInfo = { ip: normalizeIp(ip), method: req.method, path: urlPath(req.originalUrl), headers: req.headers, secure: req.secure, ...(key !== undefined ? { rateLimitKey: key } : {}) };

    if (info.method === 'POST' && info.path === CHALLENGE_PATH) {
      const body = await challengeBody(req);
      if (body === undefined) return send(res, CHALLENGE_BODY_TOO_LARGE);
      return send(res, await guard.handleChallengeSubmit(info, body));
    }

    // mamori's own request headers, which only mamori sets: a client's copies go.
    dropOwnRequestHeaders(req.headers);
    const v = await guard.inspect(info);
    if (guard.enforced(v)) return refuse(res, req, guard.respond(v, info, { url: req.originalUrl, body: req.body as unknown }));

    const url = req.originalUrl ?? req.url ?? info.path;
    const limits = guard.rateLimits.match(info.method, url);
    if (limits.length) {
      const r = await guard.checkRateLimits(info, url, limits, parsedRateLimitBody(req.body));
      if (guard.enforced(r.verdict)) return refuse(res, req, guard.respondRateLimited(r, info, { url, body: req.body as unknown }));
      for (const [k, value] of Object.entries(r.headers)) res.append(k, value);
    }
    const checkouts = guard.findCheckouts(info.method, url);
    if (checkouts.length) {
      if (req.body === undefined && hasBody(req)) {
        throw new MamoriError('MAMORI_ERR_ADAPTER_BODY_PARSER', `mamoriExpress saw a payment (${info.method} ${info.path}) before any body parser read it: put app.use(express.urlencoded({ extended: false }), express.json()) before app.use(mamoriExpress(guard))`);
      }
      const endpoint = checkouts[0]!;
      const r = readParsedCheckoutFields(endpoint, req.body);
      if ('problem' in r) return send(res, UNREADABLE_CHECKOUT);
      if ('fields' in r) {
        const pending = await guard.checkCheckout(endpoint, info, r.fields);
        const refusal = guard.checkoutRefusal(endpoint, pending, info, { url, body: req.body as unknown });
        if (refusal) return refuse(res, req, refusal);
        // The app reads the step-up as it would behind `mamori up`: a request header.
        if (guard.checkoutStepUp(pending)) req.headers[STEP_UP_HEADER] = '3ds';
        settleCheckoutOnAnswer(guard, endpoint, res, pending, onError);
        return next();
      }
    }
    const logins = guard.findLogins(info.method, url);
    if (logins.some((e) => guard.loginNeedsBody(e)) && req.body === undefined && hasBody(req)) {
      // No body parser ran before this middleware: every login would look unreadable (400).
      throw new MamoriError(
        'MAMORI_ERR_ADAPTER_BODY_PARSER',
        `mamoriExpress saw a login (${info.method} ${info.path}) before any body parser read it: put app.use(express.urlencoded({ extended: false }), express.json()) before app.use(mamoriExpress(guard))`,
      );
    }
    const picked = await pickLogin(logins, (e) => guard.readParsedLogin(e, info, url, req.body));
    if (!picked) return next();
    const { endpoint, fields } = picked;
    // Anything the app could read differently (a field sent twice, a look-alike name...) is refused.
    if (fields.ambiguous) return send(res, AMBIGUOUS_LOGIN);
    const pending = await guard.checkLogin(endpoint, info, fields);
    if (guard.enforced(pending.verdict)) return refuse(res, req, guard.respond(pending.verdict, info, { url, body: req.body as unknown }));
    if (pending.secondFactor?.length) req.headers[SECOND_FACTOR_HEADER] = pending.secondFactor.join(',');
    settleOnAnswer(guard, res, pending, onError);
    next();
  }

  return function mamori(req, res, next) {
    handle(req, res, next).catch(next);
  };
}

/** Counts the app's answer to a payment once it is sent; a response that never finishes takes the check back. */
function settleCheckoutOnAnswer(guard: Guard, endpoint: CheckoutEndpointConfig, res: Response, pending: PendingCheckout, onError: (err: unknown) => void): void {
  let done = false;
  const settle = (status: number | undefined) => {
    if (done) return;
    done = true;
    guard.settleCheckout(endpoint, pending, status).catch(onError);
  };
  res.once('finish', () => settle(res.statusCode));
  res.once('close', () => settle(res.writableFinished ? res.statusCode : undefined));
}

/** Whether a request carries a body (declared length above zero, or chunked). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * The challenge answer endpoint on its own, for the library form (a handler calling
 * guard.checkCredentials itself, without the middleware): mount it at CHALLENGE_PATH.
 *
 *   app.post(CHALLENGE_PATH, mamoriChallengeRoute(guard));
 */
export function mamoriChallengeRoute(guard: Guard, opts: Pick<MamoriExpressOptions, 'clientIp'> = {}): RequestHandler {
  const resolve = clientAddressFor(guard.config);
  const clientIp = opts.clientIp ?? ((req: Request) => resolve(req.socket.remoteAddress, req.headers['x-forwarded-for']));
  return function mamoriChallenge(req, res, next) {
    (async () => {
      const ip = clientIp(req);
      if (!ip) throw noClientIp('mamoriChallengeRoute');
      const body = await challengeBody(req);
      if (body === undefined) return send(res, CHALLENGE_BODY_TOO_LARGE);
      const info: RequestInfo = { ip: normalizeIp(ip), method: req.method, path: urlPath(req.originalUrl), headers: req.headers, secure: req.secure };
      return send(res, await guard.handleChallengeSubmit(info, body));
    })().catch(next);
  };
}

export type { Guard };
