/**
 * `mamori up`: the guard in front of any upstream, through the generic
 * proxy engine. Every request is inspected (decisions, access policy);
 * login requests are read, checked before they reach the site, and the
 * site's answer is classified and reported; challenge answers are handled
 * here without reaching the site.
 */
import type { Guard, PendingLogin } from '../guard/guard.js';
import type { CheckoutEndpointConfig, LoginEndpointConfig, MamoriConfig } from '../config/config.js';
import type { PendingCheckout } from '../checkout/checkout.js';
import { STEP_UP_HEADER, UNREADABLE_CHECKOUT, readCheckoutFields } from '../guard/checkout-endpoint.js';
import { CHALLENGE_PATH } from '../guard/guard.js';
import { SIGNIN_PATH } from '../guard/mfa-gate.js';
import { SECOND_FACTOR_HEADER } from '../guard/second-factor.js';
import { dropOwnRequestHeaders } from '../guard/own-headers.js';
import { AMBIGUOUS_LOGIN, loginReadsAnswer, pickLogin } from '../guard/login-endpoint.js';
import { mergeRateLimitHeaders, rawRateLimitBody, type RateLimitRoute } from '../guard/rate-limit.js';
import { header, type Verdict } from '../guard/verdict.js';
import { MAX_REPLAY_BODY } from '../guard/challenge-page.js';
import { DEFAULT_PROXY_LIMITS } from './limits.js';
import { codingOf, inflatedStart } from '../guard/waf-answer-coding.js';
import { announcesBody, nodeRequestParts, type WafExchange } from '../guard/waf-guard.js';
import { startProxy, type DoneInfo, type ProxyExchange, type ProxyHooks, type ProxyLimits, type UpstreamAnswer } from './http-proxy.js';

export interface MamoriProxyOptions {
  guard: Guard;
  upstream: string;
  host?: string;
  port?: number;
  trustedProxies?: string[];
  limits?: Partial<ProxyLimits>;
  onError?: (err: unknown) => void;
}

const PENDING = 'mamori.login';
/** The login endpoints the request's method and path matched, found before its body was read. */
const LOGINS = 'mamori.logins';
/** Rate limits left to count after the body (their per-source part counted before it). */
const RATE_ROUTES = 'mamori.rate-limit.routes';
/** RateLimit headers for the upstream's answer. */
const RATE_HEADERS = 'mamori.rate-limit.headers';
const LOOPBACK = ['127.0.0.0/8', '::1/128'];
/** The proxy's refusals of a request's shape (proxy/framing.ts), which the WAF records as its own. */
const REFUSED_SHAPE = /^(?:dot segment|a fragment|request target is not a path|HTTP version)/;
/** The request's WAF transaction (when the WAF is on). */
const WAF = 'mamori.waf';


/**
 * The peers whose X-Forwarded-For is believed: `trusted` (network.trusted_proxies), and
 * loopback with the demo's demo.trust_loopback_forwarded_for. The proxy and the adapters alike.
 */
export function forwardingPeers(trusted: readonly string[], config: MamoriConfig): string[] {
  return config.demo.trustLoopbackForwardedFor ? [...trusted, ...LOOPBACK] : [...trusted];
}
/** The checkout endpoints the request matched, and the payment attempt checked (to report the shop's answer). */
const CHECKOUTS = 'mamori.checkouts';
/** The MFA gate's user, for a request to a gated path that had a gate session. */
const GATED = 'mamori.gated';
const PENDING_CHECKOUT = 'mamori.checkout';
/** A challenge decided before the body was read, answered once it is (the page posts the form again). */
const CHALLENGED = 'mamori.challenged';

/** A small urlencoded form post, whose fields the challenge page can post again. */
function replayableForm(req: ProxyExchange['req']): boolean {
  if (req.method !== 'POST') return false;
  const ct = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const length = Number(header(req, 'content-length'));
  return ct === 'application/x-www-form-urlencoded' && Number.isInteger(length) && length > 0 && length <= MAX_REPLAY_BODY;
}

/** Whether classifying the site's answer to this login needs the answer's body. */
function readsAnswer(p: PendingLogin | undefined): boolean {
  return p !== undefined && loginReadsAnswer(p.endpoint);
}

export function mamoriHooks(guard: Guard, onHookError: (err: unknown) => void = () => undefined): ProxyHooks {
  /** Checks a login's credentials before the site sees them; an answer when the request is refused. */
  const checkLogin = async (ex: ProxyExchange, endpoints: readonly LoginEndpointConfig[], body: Buffer | undefined) => {
    const req = ex.req;
    // (The request is a login for the first endpoint whose credentials it carries: the site does
    // something else at this path otherwise.)
    const picked = await pickLogin(endpoints, (e) => guard.readLogin(e, req, ex.url, body));
    if (!picked) return undefined;
    const { endpoint, fields } = picked;
    // Anything mamori cannot read as the site will (a field twice, a look-alike name, another
    // charset, a body another parser reads as another account...) could be counted under one
    // name and checked under another.
    if (fields.ambiguous) return AMBIGUOUS_LOGIN;
    const pending = await guard.checkLogin(endpoint, req, fields);
    if (guard.enforced(pending.verdict)) return guard.respond(pending.verdict, req, { url: ex.url, body });
    ex.state.set(PENDING, pending);
    return undefined;
  };
  /** Checks a payment attempt before the shop's gateway sees it; an answer when it is refused. */
  const checkCheckout = async (ex: ProxyExchange, endpoints: readonly CheckoutEndpointConfig[], body: Buffer) => {
    const req = ex.req;
    const endpoint = endpoints[0]!;
    const encoding = header(req, 'content-encoding');
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return UNREADABLE_CHECKOUT;
    const r = readCheckoutFields(endpoint, header(req, 'content-type'), body);
    if ('notCheckout' in r) return undefined;
    if ('problem' in r) return UNREADABLE_CHECKOUT;
    const pending = await guard.checkCheckout(endpoint, req, r.fields);
    const refusal = guard.checkoutRefusal(endpoint, pending, req, { url: ex.url, body });
    if (refusal) return refusal;
    ex.state.set(PENDING_CHECKOUT, { pending, endpoint });
    return undefined;
  };
  return {
    async onRequest(ex: ProxyExchange) {
      const req = ex.req;
      if (req.path === CHALLENGE_PATH && req.method === 'POST') return 'buffer';
      const gate = guard.mfaGate;
      if (gate && req.path === SIGNIN_PATH) {
        if (req.method === 'POST') return 'buffer';
        if (req.method === 'GET' || req.method === 'HEAD') return gate.signinPage(ex.url, req);
      }
      const v = await guard.inspect(req);
      if (guard.enforced(v)) {
        // A challenged form post is read first, so that the page can post it again once solved.
        if (v.action === 'challenge' && replayableForm(req)) {
          ex.state.set(CHALLENGED, v);
          return 'buffer';
        }
        return guard.respond(v, req, { url: ex.url });
      }
      // The MFA gate: a gated path without a gate session goes to the sign-in page.
      if (gate?.covers(req.path)) {
        const d = gate.check(req, ex.url);
        if (!d.pass) return d.answer;
        ex.state.set(GATED, d.user);
      }
      // The WAF: phase 1 now; phase 2 now for a request without a body, else once it is read.
      let wafBody = false;
      if (guard.waf) {
        const x = guard.waf.begin(req, nodeRequestParts(ex.incoming, ex.url));
        ex.state.set(WAF, x);
        let w = x.head();
        if (!w) {
          if (announcesBody(req.headers)) wafBody = true;
          else w = x.body(undefined);
        }
        if (w && guard.enforced(w)) return guard.respond(w, req, { url: ex.url });
      }
      const limits = guard.rateLimits.match(req.method, ex.url);
      let rateBody = false;
      if (limits.length) {
        // Per source now, before any body is read; per account (and a query filter the body may meet) after it.
        rateBody = guard.rateLimits.needsBody(limits, ex.url, header(req, 'content-type'));
        const r = await guard.checkRateLimits(req, ex.url, limits, undefined, 'head');
        if (guard.enforced(r.verdict)) return guard.respondRateLimited(r, req, { url: ex.url });
        ex.state.set(RATE_HEADERS, r.headers);
        if (rateBody) ex.state.set(RATE_ROUTES, limits);
      }
      const endpoints = guard.findLogins(req.method, ex.url);
      const checkouts = guard.findCheckouts(req.method, ex.url);
      if (checkouts.length) ex.state.set(CHECKOUTS, checkouts);
      // The WAF's phase 2 needs the body whatever else the request is (a rate-limited route, a
      // login by HTTP authentication); a login form needs it too; HTTP authentication is in the head.
      if (wafBody || rateBody || checkouts.length > 0 || endpoints.some((e) => guard.loginNeedsBody(e))) {
        ex.state.set(LOGINS, endpoints);
        return 'buffer';
      }
      if (endpoints.length === 0) return undefined;
      return checkLogin(ex, endpoints, undefined);
    },
    async onBody(ex: ProxyExchange, body: Buffer) {
      const req = ex.req;
      if (req.path === CHALLENGE_PATH && req.method === 'POST') return guard.handleChallengeSubmit(req, body);
      if (guard.mfaGate && req.path === SIGNIN_PATH && req.method === 'POST') return guard.handleSignin(req, body);
      const challenged = ex.state.get(CHALLENGED) as Verdict | undefined;
      if (challenged) return guard.respond(challenged, req, { url: ex.url, body });
      const x = ex.state.get(WAF) as WafExchange | undefined;
      if (x) {
        const w = x.body(body);
        if (w && guard.enforced(w)) return guard.respond(w, req, { url: ex.url });
      }
      const limits = ex.state.get(RATE_ROUTES) as readonly RateLimitRoute[] | undefined;
      if (limits) {
        const fields = rawRateLimitBody(header(req, 'content-type'), header(req, 'content-encoding'), body);
        const r = await guard.checkRateLimits(req, ex.url, limits, fields, 'body');
        const headers = mergeRateLimitHeaders((ex.state.get(RATE_HEADERS) as Record<string, string> | undefined) ?? {}, r.headers);
        if (guard.enforced(r.verdict)) return guard.respondRateLimited({ ...r, headers }, req, { url: ex.url, body });
        ex.state.set(RATE_HEADERS, headers);
      }
      const checkouts = ex.state.get(CHECKOUTS) as readonly CheckoutEndpointConfig[] | undefined;
      if (checkouts) {
        const answer = await checkCheckout(ex, checkouts, body);
        if (answer) return answer;
      }
      const endpoints = (ex.state.get(LOGINS) as readonly LoginEndpointConfig[] | undefined) ?? [];
      if (endpoints.length === 0) return undefined;
      // A compressed body is read by some sites (Express inflates it) and not by mamori: refuse it.
      // (Browsers never compress what they post, so a shared index.php loses nothing by this.)
      const encoding = header(req, 'content-encoding');
      if (endpoints.some((e) => guard.loginNeedsBody(e)) && encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return AMBIGUOUS_LOGIN;
      return checkLogin(ex, endpoints, body);
    },
    onForward(ex: ProxyExchange, headers: Record<string, string | string[]>) {
      // Only mamori sets its own request headers: a client's copies go, under any spelling.
      dropOwnRequestHeaders(headers);
      // A login the site should ask for its second factor (and why).
      const login = ex.state.get(PENDING) as PendingLogin | undefined;
      if (login?.secondFactor?.length) headers[SECOND_FACTOR_HEADER] = login.secondFactor.join(',');
      // The gate's cookie is mamori's: the site never sees it.
      if (guard.mfaGate && headers['cookie'] !== undefined) {
        const kept = guard.mfaGate.stripCookie(headers['cookie']);
        if (kept === undefined) delete headers['cookie'];
        else headers['cookie'] = kept;
      }
      // A payment the site must run with 3-D Secure first.
      if (ex.state.has(CHECKOUTS)) {
        const c = ex.state.get(PENDING_CHECKOUT) as { pending: PendingCheckout } | undefined;
        if (c && guard.checkoutStepUp(c.pending)) headers[STEP_UP_HEADER] = '3ds';
      }
      // The failure text (and, for the WAF, any answer) must be readable: ask the site not to compress it.
      if (readsAnswer(ex.state.get(PENDING) as PendingLogin | undefined) || guard.waf?.config.responseBody) delete headers['accept-encoding'];
    },
    wantsResponseBody(ex: ProxyExchange, _status: number, headers: UpstreamAnswer['headers']) {
      const x = ex.state.get(WAF) as WafExchange | undefined;
      return readsAnswer(ex.state.get(PENDING) as PendingLogin | undefined) || (x !== undefined && x.wantsResponseBodyOf(headers['content-type']));
    },
    async onResponse(ex, res) {
      const x = ex.state.get(WAF) as WafExchange | undefined;
      if (x) {
        // Phase 3 on the answer's head; phase 4 on its body as the client will read it (inflated
        // when the site compressed it all the same), or on its start when it is larger than the
        // WAF's response limit (ProcessPartial).
        // An answer mamori inflates is judged as inflated: its rules see no Content-Encoding (CRS
        // skips the bodies of compressed answers, which it cannot read; here they are read).
        const coding = res.body === undefined ? undefined : codingOf(res.headers['content-encoding']);
        let w = x.responseHead(res.status, coding ? { ...res.headers, 'content-encoding': undefined } : res.headers);
        if (!w && x.wantsResponseBody()) w = x.responseBody(res.body && (coding ? inflatedStart(res.body, coding, guard.waf!.responseBodyLimit + 1) : res.body));
        if (w && guard.enforced(w)) {
          const p = ex.state.get(PENDING) as PendingLogin | undefined;
          if (p) {
            ex.state.delete(PENDING);
            void guard.releaseLogin(p);
          }
          return { replace: guard.respond(w, ex.req, { url: ex.url }) };
        }
      }
      const c = ex.state.get(PENDING_CHECKOUT) as { pending: PendingCheckout; endpoint: CheckoutEndpointConfig } | undefined;
      if (c) {
        ex.state.delete(PENDING_CHECKOUT);
        void guard.settleCheckout(c.endpoint, c.pending, res.status).catch(() => undefined);
      }
      // After any the site sent: RateLimit fields are lists, and the site may have its own limits.
      const rate = ex.state.get(RATE_HEADERS) as Record<string, string> | undefined;
      const appendHeaders = rate && Object.keys(rate).length ? rate : undefined;
      const p = ex.state.get(PENDING) as PendingLogin | undefined;
      if (!p) return appendHeaders && { appendHeaders };
      const loc = res.headers['location'];
      const enc = res.headers['content-encoding'];
      const readable = enc === undefined || String(enc).trim().toLowerCase() === 'identity';
      const existing = res.headers['set-cookie'];
      const cookies = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
      ex.state.delete(PENDING);
      let r: { setCookie?: string };
      try {
        r = await guard.reportLogin(p, {
          status: res.status,
          location: Array.isArray(loc) ? loc[0] : loc,
          // A compressed or cut-short answer is not read: the guard counts it as not a success.
          body: readable && !res.partial ? res.body?.toString('utf8') : undefined,
          setCookies: cookies,
          header: (name) => {
            const v = res.headers[name];
            return v === undefined ? undefined : Array.isArray(v) ? v.join(', ') : v;
          },
        });
      } catch (err) {
        // Counting failed (the store went away mid-request): the site's answer still goes out.
        onHookError(err);
        return appendHeaders && { appendHeaders };
      }
      if (!r.setCookie) return appendHeaders && { appendHeaders };
      return { setHeaders: { 'set-cookie': [...cookies, r.setCookie] }, appendHeaders };
    },
    onDone(ex: ProxyExchange, info: DoneInfo) {
      const x = ex.state.get(WAF) as WafExchange | undefined;
      if (x) x.finish(info.status);
      // Refused by the proxy for its shape before any hook ran: the WAF records it all the same.
      else if (guard.waf && info.error !== undefined && REFUSED_SHAPE.test(info.error)) guard.waf.refusedByProxy(ex.req, ex.url, info.status, info.error);
      // The site never answered (502, 504, the client left): the attempt is settled as unknown,
      // so what check counted does not hold a lock on its way for ever.
      const p = ex.state.get(PENDING) as PendingLogin | undefined;
      if (p) void guard.releaseLogin(p);
      const c = ex.state.get(PENDING_CHECKOUT) as { pending: PendingCheckout } | undefined;
      if (c) void guard.checkout.release(c.pending).catch(() => undefined);
    },
  };
}

export async function startMamoriProxy(o: MamoriProxyOptions) {
  const trusted = forwardingPeers(o.trustedProxies ?? [], o.guard.config);
  // The WAF reads every body it inspects whole before any of it goes upstream: up to its limit.
  const wafBody = o.guard.waf?.bodyLimit ?? 0;
  let limits = wafBody > (o.limits?.maxBufferedBodyBytes ?? DEFAULT_PROXY_LIMITS.maxBufferedBodyBytes) ? { ...o.limits, maxBufferedBodyBytes: wafBody } : o.limits;
  // When it reads answers, the whole of what its response limit allows is held for it (and a byte more: to know it is over).
  const wafAnswer = o.guard.waf?.config.responseBody ? o.guard.waf.responseBodyLimit + 1 : 0;
  if (wafAnswer > (limits?.maxResponseSniffBytes ?? DEFAULT_PROXY_LIMITS.maxResponseSniffBytes)) limits = { ...limits, maxResponseSniffBytes: wafAnswer };
  return startProxy({
    upstream: o.upstream,
    host: o.host,
    port: o.port,
    trustedProxies: trusted,
    limits,
    hooks: mamoriHooks(o.guard, (err) => o.onError?.(err)),
    onError: o.onError,
  });
}

