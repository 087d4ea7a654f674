/**
 * @mamori/hono: the mamori guard as Hono middleware.
 *
 *   app.use(mamoriHono(guard));
 *
 * Every request is inspected (decisions, access policy); `POST
 * /.mamori/challenge` is answered here; a request to a configured login
 * endpoint is checked before the handler runs (the body is read with
 * `c.req.json()` / `c.req.parseBody({ all: true })`, which Hono caches, so
 * the handler can read it again), and the handler's answer is classified
 * and counted, with the trusted-device cookie added to it.
 *
 * The default client address is the TCP peer from @hono/node-server's
 * bindings (`c.env.incoming`); on other runtimes pass `clientIp`.
 *
 * With a `waf:` section in the config, the WAF runs here too (see docs/waf.md, "In Hono"):
 * phase 1 on the request line and headers, phase 2 on the body read into Hono's body cache
 * (at most waf.request_body_limit bytes, 413 past it), so the handler's `c.req.json()`,
 * `c.req.parseBody()`... parse the bytes the WAF read; phase 3 on the handler's answer
 * (a refusal replaces it); phase 5 once the middleware is done.
 */
import type { Context, MiddlewareHandler } from 'hono';
import {
  assertMiddlewareConfig,
  bodyPoolAnswer,
  mayBeSkipped,
  clientAddressFor,
  ADAPTER_MAX_ANSWER_BODY,
  ADAPTER_MAX_CHALLENGE_BODY,
  AMBIGUOUS_LOGIN,
  CHALLENGE_BODY_TOO_LARGE,
  CHALLENGE_PATH,
  extractParsedLoginFields,
  loginReadsAnswer,
  logLoginOutcomeError,
  noClientIp,
  normalizeIp,
  pickLogin,
  rawRateLimitBody,
  readCheckoutFields,
  isOwnRequestHeader,
  SECOND_FACTOR_HEADER,
  STEP_UP_HEADER,
  UNREADABLE_CHECKOUT,
  type Guard,
  type LoginEndpointConfig,
  type LoginFields,
  type RenderedResponse,
  type RequestInfo,
} from 'mamori/internal';
import { announcesBody, answerHeaders, nodeIncoming, wafParts } from './waf.js';

export interface MamoriHonoOptions {
  /**
   * The client address. Default: the TCP peer under @hono/node-server, never
   * `X-Forwarded-For`. Behind a proxy you trust, derive it from that proxy's
   * header yourself, or on Bun/Deno/Workers from the runtime's connection info.
   */
  clientIp?: (c: Context) => string | undefined;
  /** Receives errors from counting a login after the answer (the store failed). Default: console.error. */
  onError?: (err: unknown) => void;
  /** Largest body read for a login or a per-account rate limit (bytes); a longer one gets 413. Default 1 MiB, as the proxy. */
  maxLoginBodyBytes?: number;
  /** Requests mamori leaves alone entirely (a health check): no decisions, policy, rate limits or login counting. Never skip a login route. */
  skip?: (c: Context) => boolean;
  /** What `per_source` rate limits count a request under instead of its address (an API key, a tenant). */
  rateLimitKey?: (c: Context) => string | undefined;
  /** Your own answer for what mamori refuses (a 403, 429 or challenge), from mamori's. */
  respond?: (answer: RenderedResponse, c: Context) => RenderedResponse;
}

const TOO_LARGE: RenderedResponse = {
  status: 413,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body: 'Request body too large.\n',
};

function render(r: RenderedResponse): Response {
  return new Response(r.body, { status: r.status, headers: r.headers });
}

/** The TCP peer under @hono/node-server (its `HttpBindings`). */
function nodePeer(c: Context): string | undefined {
  return nodeIncoming(c)?.socket?.remoteAddress;
}

function headersOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of req.headers) out[k] = v;
  return out;
}

/**
 * Reads the raw body, at most `max` bytes (undefined when longer), and puts
 * it in Hono's body cache so `c.req.json()` and `c.req.parseBody()` (ours
 * and the handler's) parse it from there.
 */
async function readCapped(c: Context, max: number): Promise<ArrayBuffer | undefined> {
  const r = await readPooled(c, max);
  return typeof r === 'number' ? undefined : r;
}

/**
 * The first `max` bytes of an answer's body (all of it when shorter), read from a clone: the
 * answer itself still has every byte for the client.
 */
async function answerStart(res: Response, max: number): Promise<Buffer> {
  const reader = res.clone().body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    // Not awaited: a tee's branch settles its cancel only once the other branch is done too.
    reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max);
}

/** readCapped, counting each chunk against a pool (`take`): 429 or 503 when it is past it. */
async function readPooled(c: Context, max: number, take?: (n: number) => 429 | 503 | undefined): Promise<ArrayBuffer | undefined | 429 | 503> {
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > max) return undefined;
  // Hono keeps promises in its body cache (its type says values).
  const cache = c.req.bodyCache as Record<string, Promise<unknown> | undefined> & { arrayBuffer?: Promise<ArrayBuffer> };
  if (cache.arrayBuffer) {
    // Read already (by the WAF, within its own limit): this reader's limit still holds.
    const body = await cache.arrayBuffer;
    return body.byteLength > max ? undefined : body;
  }
  const stream = c.req.raw.body;
  if (stream === null) {
    const empty = new ArrayBuffer(0);
    cache.arrayBuffer = Promise.resolve(empty);
    return empty;
  }
  if (c.req.raw.bodyUsed || Object.keys(cache).length > 0) {
    // Something before us read it already (and so bounded it, or not): use that copy.
    return c.req.arrayBuffer();
  }
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    const over = size > max ? 413 : take?.(value.byteLength);
    if (over) {
      await reader.cancel().catch(() => undefined);
      return over === 413 ? undefined : over;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) {
    all.set(ch, at);
    at += ch.byteLength;
  }
  cache.arrayBuffer = Promise.resolve(all.buffer);
  return all.buffer;
}

async function loginFields(c: Context, endpoint: LoginEndpointConfig, query: string): Promise<LoginFields> {
  const ct = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  let parsed: unknown;
  try {
    if (ct === 'application/json' || ct.endsWith('+json')) parsed = await c.req.json();
    // all: a repeated field stays an array, so it is seen as ambiguous rather than silently the last one.
    else if (ct === 'application/x-www-form-urlencoded' || ct === 'multipart/form-data') parsed = await c.req.parseBody({ all: true });
  } catch {
    // Malformed: refused, never counted under the empty account name.
    return { problem: 'malformed body', ambiguous: true };
  }
  return extractParsedLoginFields(endpoint, parsed, query, c.req.header('cookie'));
}

/** The answer with the cookie added next to the app's own (a copy when its headers are immutable). */
function withCookie(c: Context, cookie: string): void {
  withHeaders(c, { 'set-cookie': cookie });
}

/** The answer with these headers added after the app's own (a copy when its headers are immutable). */
function withHeaders(c: Context, headers: Readonly<Record<string, string>>): void {
  try {
    for (const [k, v] of Object.entries(headers)) c.res.headers.append(k, v);
  } catch {
    const copy = new Response(c.res.body, c.res);
    for (const [k, v] of Object.entries(headers)) copy.headers.append(k, v);
    // Unset first: assigning over a response merges the old one's set-cookie headers over the copy's.
    c.res = undefined;
    c.res = copy;
  }
}

async function answerText(res: Response): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (res.body === null || (Number.isFinite(declared) && declared > ADAPTER_MAX_ANSWER_BODY)) return undefined;
  const text = await res.clone().text();
  return text.length > ADAPTER_MAX_ANSWER_BODY ? undefined : text; // never a cut-off part
}

export function mamoriHono(guard: Guard, opts: MamoriHonoOptions = {}): MiddlewareHandler {
  assertMiddlewareConfig(guard, 'mamoriHono');
  const onError = opts.onError ?? logLoginOutcomeError;
  // By default the TCP peer, or X-Forwarded-For past the config's network.trusted_proxies.
  const resolve = clientAddressFor(guard.config);
  const clientIp = opts.clientIp ?? ((c: Context) => resolve(nodePeer(c), c.req.header('x-forwarded-for')));
  const maxLoginBody = opts.maxLoginBodyBytes ?? 64 * 1024;

  const mamori: MiddlewareHandler = async function mamori(c, next) {
    // The request's URL, parsed once: its path and query are what every step below reads.
    const url = new URL(c.req.url);
    const target = url.pathname + url.search;
    if (opts.skip?.(c) && mayBeSkipped(guard, c.req.method, target)) return next();
    const ip = clientIp(c);
    if (!ip) throw noClientIp('mamoriHono');
    const key = opts.rateLimitKey?.(c);
    const info: RequestInfo = { ip: normalizeIp(ip), method: c.req.method, path: url.pathname, headers: headersOf(c.req.raw), secure: url.protocol === 'https:', ...(key !== undefined ? { rateLimitKey: key } : {}) };
    const refuse = (r: RenderedResponse): Response => render(opts.respond ? opts.respond(r, c) : r);

    if (info.method === 'POST' && info.path === CHALLENGE_PATH) {
      const body = await readCapped(c, ADAPTER_MAX_CHALLENGE_BODY);
      if (body === undefined) return render(CHALLENGE_BODY_TOO_LARGE);
      return render(await guard.handleChallengeSubmit(info, Buffer.from(body)));
    }

    const v = await guard.inspect(info);
    if (guard.enforced(v)) return refuse(guard.respond(v, info, { url: target }));
    const waf = guard.waf;
    if (!waf) return protect(c, info, target, url.search, refuse, async () => (await next(), false));

    // The WAF: phases 1 and 2 before anything else reads the request, 3 on the app's answer, 5 after.
    let body: Buffer | undefined;
    // What the body holds counts against the WAF's pool until the answer is done.
    let held = 0;
    let full: 429 | 503 | undefined;
    const readBody = async (): Promise<boolean> => {
      const raw = await readPooled(c, waf.bodyLimit, (n) => {
        held += n;
        return waf.bodies.take(info.ip, n, held);
      });
      if (raw === 429 || raw === 503) {
        full = raw;
        return false;
      }
      if (raw !== undefined && raw.byteLength > 0) body = Buffer.from(raw);
      return raw !== undefined;
    };
    const tooLarge = () => render(full ? bodyPoolAnswer(full) : TOO_LARGE);
    const framed = announcesBody(info.headers);
    // A body without Content-Length or Transfer-Encoding: a Web Request whose runtime dropped them
    // (or one with none, under node): read first, so that the WAF is told its length.
    if (!framed && info.headers['content-length'] === undefined && c.req.raw.body !== null && !(await readBody())) {
      waf.bodies.give(info.ip, held);
      return tooLarge();
    }
    const x = waf.begin(info, wafParts(c, target, body?.length ?? 0));
    let res: Response | undefined;
    let failed = false;
    try {
      let w = x.head();
      if (!w) {
        if (framed && !(await readBody())) return (res = tooLarge());
        w = x.body(body);
      }
      if (w && guard.enforced(w)) return (res = refuse(guard.respond(w, info, { url: target })));
      return (res = await protect(c, info, target, url.search, refuse, async () => {
        await next();
        let w = x.responseHead(c.res.status, answerHeaders(c.res.headers));
        // Phase 4 on the start of the body (up to the WAF's response limit and a byte), read from a copy.
        if (!w && x.wantsResponseBody() && c.res.body !== null) w = x.responseBody(await answerStart(c.res, waf.responseBodyLimit + 1));
        if (!w || !guard.enforced(w)) return false;
        // A refusal replaces the answer whole: none of the app's headers or body is kept.
        void c.res.body?.cancel().catch(() => undefined);
        c.res = undefined;
        c.res = refuse(guard.respond(w, info, { url: target }));
        return true;
      }));
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      waf.bodies.give(info.ip, held);
      x.finish(res?.status ?? (failed ? 500 : c.res.status));
    }
  };
  return mamori;

  /**
   * Rate limits and login endpoints, around the app. `answered` runs the app (and the WAF's
   * phase 3 on its answer): true when the WAF replaced that answer.
   */
  async function protect(c: Context, info: RequestInfo, target: string, search: string, refuse: (r: RenderedResponse) => Response, answered: () => Promise<boolean>): Promise<Response | undefined> {
    const limits = guard.rateLimits.match(info.method, target);
    let rateHeaders: Readonly<Record<string, string>> = {};
    if (limits.length) {
      let body: ArrayBuffer | undefined;
      if (guard.rateLimits.needsBody(limits, target, c.req.header('content-type')) && (body = await readCapped(c, maxLoginBody)) === undefined) return render(TOO_LARGE);
      const fields = body && rawRateLimitBody(c.req.header('content-type'), c.req.header('content-encoding'), Buffer.from(body));
      const r = await guard.checkRateLimits(info, target, limits, fields);
      if (guard.enforced(r.verdict)) return refuse(guard.respondRateLimited(r, info, { url: target, body: body && Buffer.from(body) }));
      rateHeaders = r.headers;
    }
    // mamori's own request headers, which only mamori sets: a client's copies go.
    for (const name of [...c.req.raw.headers.keys()]) if (isOwnRequestHeader(name)) c.req.raw.headers.delete(name);
    const checkouts = guard.findCheckouts(info.method, target);
    if (checkouts.length) {
      const endpoint = checkouts[0]!;
      const encoding = c.req.header('content-encoding');
      if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return render(UNREADABLE_CHECKOUT);
      const body = await readCapped(c, maxLoginBody);
      if (body === undefined) return render(TOO_LARGE);
      // The same bytes the app's c.req.json() or parseBody() reads (Hono caches them).
      const r = readCheckoutFields(endpoint, c.req.header('content-type'), Buffer.from(body));
      if ('problem' in r) return render(UNREADABLE_CHECKOUT);
      if ('fields' in r) {
        const pending = await guard.checkCheckout(endpoint, info, r.fields);
        const refusal = guard.checkoutRefusal(endpoint, pending, info, { url: target, body: Buffer.from(body) });
        if (refusal) return refuse(refusal);
        // The app reads the step-up as it would behind `mamori up`: a request header.
        if (guard.checkoutStepUp(pending)) setRequestHeader(c, STEP_UP_HEADER, '3ds');
        const replaced = await answered();
        if (!replaced && Object.keys(rateHeaders).length) withHeaders(c, rateHeaders);
        await guard.settleCheckout(endpoint, pending, replaced ? undefined : c.res.status).catch(onError);
        return undefined;
      }
    }
    const endpoints = guard.findLogins(info.method, target);
    const raw = endpoints.some((e) => guard.loginNeedsBody(e)) ? await readCapped(c, maxLoginBody) : new ArrayBuffer(0);
    if (raw === undefined) return render(TOO_LARGE);
    const picked = await pickLogin(endpoints, (e) =>
      (e.credentials ?? 'body') === 'body' ? loginFields(c, e, search) : guard.readLogin(e, info, target, Buffer.from(raw)),
    );
    if (!picked) {
      if (!(await answered()) && Object.keys(rateHeaders).length) withHeaders(c, rateHeaders);
      return undefined;
    }
    const { endpoint, fields } = picked;
    // Anything the app could read differently (a field sent twice, a look-alike name...) is refused.
    if (fields.ambiguous) return render(AMBIGUOUS_LOGIN);
    const pending = await guard.checkLogin(endpoint, info, fields);
    if (guard.enforced(pending.verdict)) return refuse(guard.respond(pending.verdict, info, { url: target, body: Buffer.from(raw) }));
    if (pending.secondFactor?.length) setRequestHeader(c, SECOND_FACTOR_HEADER, pending.secondFactor.join(','));

    if (await answered()) {
      // The WAF refused the answer: the attempt is settled as unknown.
      await guard.releaseLogin(pending).catch(onError);
      return undefined;
    }
    if (Object.keys(rateHeaders).length) withHeaders(c, rateHeaders);
    try {
      const res = c.res;
      const body = loginReadsAnswer(pending.endpoint) ? await answerText(res) : undefined;
      const s = guard.settleLogin(pending, { status: res.status, location: res.headers.get('location') ?? undefined, body, setCookies: res.headers.getSetCookie(), header: (name) => res.headers.get(name) ?? undefined });
      if (s.setCookie) withCookie(c, s.setCookie);
      await s.done;
    } catch (err) {
      onError(err);
    }
    return undefined;
  }
}

/** Sets (or, with undefined, removes) a header of the request the app will read. */
function setRequestHeader(c: Context, name: string, value: string | undefined): void {
  const h = c.req.raw.headers;
  if (value === undefined) h.delete(name);
  else h.set(name, value);
}

export type { Guard };
