/**
 * The guard: everything mamori decides about a request, compiled once from
 * config and then only evaluated. Decisions and access policy for every
 * request; login protection for login endpoints; proof-of-work challenges.
 * The proxy and the framework adapters are thin layers over it.
 */
import { MamoriError, isMamoriError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/clock.js';
import { cryptoRandom, type Random } from '../core/random.js';
import { EventBus, type SecurityEvent } from '../core/events.js';
import { strongest, type Decision } from '../core/decisions.js';
import type { DecisionFilter, Store } from '../core/store.js';
import type { CheckoutEndpointConfig, LoginEndpointConfig, MamoriConfig } from '../config/config.js';
import { CheckoutGuard, type CheckoutVerdict, type PendingCheckout } from '../checkout/checkout.js';
import { MfaGate } from './mfa-gate.js';
import { SecondFactorPolicy, type SecondFactorReason } from './second-factor.js';
import { classifyCheckoutAnswer, findCheckoutEndpoints, rejectedCardAnswer, type CheckoutFields } from './checkout-endpoint.js';
import { LoginGuard, type LoginAttempt, type LoginVerdict, type UsernameNormalization } from './login.js';
import type { DeviceClaims } from './device-token.js';
import { compileAccessPolicy, type AccessPolicy } from './access-policy.js';
import { createChallenger, type Challenger } from './challenge.js';
import { challengeLanguage, challengeReturn, renderChallenge } from './challenge-page.js';
import { renderBlockPage, TRUSTED_DEVICE_PASSES } from './block-page.js';
import { openCountryDatabase, type CountryLookup } from './geo.js';
import { readCookie, serializeCookie } from './cookies.js';
import {
  classifyLoginResponse,
  classifyXmlRpcAnswer,
  extractAuthorizationFields,
  extractLoginFields,
  extractParsedLoginFields,
  extractXmlRpcFields,
  findLoginEndpoint,
  findLoginEndpoints,
  successCookieAccount,
  type LoginAnswer,
  type LoginFields,
  type LoginOutcome,
} from './login-endpoint.js';
import { urlQuery } from '../core/url.js';
import { header, type RenderedResponse, type RequestInfo, type Verdict } from './verdict.js';
import { WebhookSink, warnAtMostEveryMinute } from './webhook.js';
import { WafGuard, type WafGuardDeps } from './waf-guard.js';
import { RateLimiter, type RateLimitBody, type RateLimitResult, type RateLimitRoute } from './rate-limit.js';

export const CHALLENGE_PATH = '/.mamori/challenge';
/**
 * The shortest instance secret accepted anywhere: 32 characters of MAMORI_SECRET, `secret:` or
 * data_dir/secret (read as UTF-8 text), 32 bytes given to createGuard or the SQLite store.
 */
export const MIN_SECRET_LENGTH = 32;
export const PASS_COOKIE = 'mamori_pass';
const PASS_SCOPE = 'site';

export interface GuardDeps {
  store: Store;
  secret: Buffer;
  countries?: CountryLookup;
  clock?: Clock;
  random?: Random;
  /**
   * Background failures (an event the store could not record, a webhook given up): reported
   * here, never thrown into a request. Default: a console warning, at most one a minute.
   */
  onError?: ((err: unknown) => void) | undefined;
  /** The WAF's rules instead of the config's, and a look at each finished transaction (tools, tests). */
  waf?: Pick<WafGuardDeps, 'rules' | 'onTransaction' | 'cpuClock'>;
}

/** A login in progress: what check saw, to be completed by report. */
export interface PendingLogin {
  readonly endpoint: LoginEndpointConfig;
  readonly fields: LoginFields;
  readonly req: RequestInfo;
  readonly verdict: LoginVerdict;
  /** The attempt as checked; reported as the same object, so its worked-out keys are reused. */
  readonly attempt: LoginAttempt;
  /** Every attempt the request makes, `attempt` first (an XML-RPC system.multicall makes many). */
  readonly attempts: readonly LoginAttempt[];
  /**
   * A login a solved challenge let through: its place among the source's failures behind solved
   * challenges, counted at check (LoginGuard.reserveChallengeFailure), settled with the answer.
   */
  readonly challengeFailure?: number;
  /**
   * Why the site should ask this login for its own second factor (login_protection.second_factor;
   * empty or absent: it need not). Through the proxy and the middleware, the request header
   * x-mamori-second-factor.
   */
  readonly secondFactor?: readonly SecondFactorReason[];
  /** The store was unavailable when it was checked: nothing was counted, nothing is reported. */
  readonly unchecked?: true;
}

const RISK: Record<string, number> = {
  'login.user-source': 0.2,
  'login.user': 0.5,
  'login.site': 0.4,
  'login.stuffing': 0.8,
  'login.spraying': 0.8,
};

/** How risky what a challenge answers is (0..1), by its rule: sets the challenge's base difficulty. */
function challengeRisk(ruleId: string | undefined): number {
  return (ruleId !== undefined && Object.hasOwn(RISK, ruleId) ? RISK[ruleId] : undefined) ?? 0.5;
}

/** MAMORI_CARD_KEY (64 hex digits): the key card numbers are hashed under, shared by processes that share a store. */
function cardKeyFromEnvironment(): Buffer | undefined {
  const k = process.env.MAMORI_CARD_KEY;
  if (k === undefined || k === '') return undefined;
  if (!/^[0-9a-fA-F]{64}$/.test(k)) throw new MamoriError('MAMORI_ERR_CONFIG_SECRET', 'MAMORI_CARD_KEY must be 64 hex digits (32 bytes): openssl rand -hex 32');
  return Buffer.from(k, 'hex');
}

/** The rule id of what mamori answers while its store cannot be reached (store.when_unavailable). */
export const STORE_UNAVAILABLE = 'store.unavailable';

export class Guard {
  readonly config: MamoriConfig;
  readonly store: Store;
  readonly events: EventBus;
  readonly clock: Clock;
  readonly login: LoginGuard;
  readonly policy: AccessPolicy;
  readonly challenger: Challenger;
  readonly countries: CountryLookup | undefined;
  readonly webhooks: WebhookSink[];
  readonly rateLimits: RateLimiter;
  /** Checkout protection (card testing): the engine; the proxy's and adapters' way in is checkCheckout. */
  readonly checkout: CheckoutGuard;
  /** Risk-based step-up for sites with a second factor of their own (login_protection.second_factor). */
  readonly secondFactor: SecondFactorPolicy;
  /** mamori's own sign-in in front of some paths, when the config has `mfa_gate`. */
  readonly mfaGate: MfaGate | undefined;
  /** The WAF, when the config has a `waf` section. */
  readonly waf: WafGuard | undefined;
  /** The trusted-device cookies a client may hold: the unscoped one, then one per application (account_scope). */
  readonly #deviceCookies: readonly string[];

  constructor(config: MamoriConfig, deps: GuardDeps) {
    // One minimum everywhere (MAMORI_SECRET, the config, data_dir/secret, and here): 32 bytes.
    if (!Buffer.isBuffer(deps.secret) || deps.secret.length < MIN_SECRET_LENGTH) {
      throw new MamoriError('MAMORI_ERR_CONFIG_SECRET', `the secret must be at least ${MIN_SECRET_LENGTH} bytes (32 characters of MAMORI_SECRET; generate one: openssl rand -hex 32)`);
    }
    this.config = config;
    this.store = deps.store;
    this.clock = deps.clock ?? systemClock;
    // A sink that fails (the store's event log, a webhook) is reported, never thrown into a request.
    this.events = new EventBus(deps.onError ?? warnAtMostEveryMinute('an event could not be recorded'));
    this.#reportUnavailable = deps.onError ?? warnAtMostEveryMinute('the store is unavailable');
    const random = deps.random ?? cryptoRandom;
    // A config that asks about countries gets its country database even when the caller did not
    // pass one (`geo.database`, or the bundled one): a country rule that never matches is silence.
    const asksCountries = config.geo.database !== undefined || config.policy.some((r) => (r.allow_countries?.length ?? 0) + (r.deny_countries?.length ?? 0) > 0);
    this.countries = deps.countries ?? (asksCountries ? openCountryDatabase(config.geo.database) : undefined);
    this.events.subscribe({ emit: (e) => this.store.events.append(e) });
    this.webhooks = config.webhooks.map(
      (w) =>
        new WebhookSink({
          url: w.url,
          secret: w.secret,
          events: w.events,
          includeAccount: w.includeAccount,
          onError: deps.onError,
          report: (e) => this.events.emit({ '@timestamp': new Date(this.clock.now()).toISOString(), ...e }),
        }),
    );
    for (const w of this.webhooks) this.events.subscribe(w);
    this.login = new LoginGuard(config.loginProtection, {
      store: deps.store,
      clock: this.clock,
      random,
      secret: deps.secret,
      events: this.events,
      grouping: { ipv4Prefix: config.network.ipv4Prefix, ipv6Prefix: config.network.ipv6Prefix },
      challengeDifficulty: (ruleId, level) => this.challenger.difficultyFor(challengeRisk(ruleId), level),
      onError: deps.onError,
    });
    this.rateLimits = new RateLimiter(config.rateLimits, {
      store: deps.store,
      clock: this.clock,
      secret: deps.secret,
      events: this.events,
      grouping: { ipv4Prefix: config.network.ipv4Prefix, ipv6Prefix: config.network.ipv6Prefix },
      userHash: (name) => this.login.userHash(name),
    });
    this.secondFactor = new SecondFactorPolicy(config.loginProtection.secondFactor, { store: deps.store, login: this.login });
    this.mfaGate = config.mfaGate
      ? new MfaGate(config.mfaGate, {
          dataDir: config.dataDir,
          store: deps.store,
          clock: this.clock,
          secret: deps.secret,
          onError: deps.onError ?? warnAtMostEveryMinute("the MFA gate's users could not be read"),
          events: this.events,
          userHash: (name) => this.login.userHash(name, 'mamori-gate'),
        })
      : undefined;
    const cardKey = cardKeyFromEnvironment();
    this.checkout = new CheckoutGuard(config.checkoutProtection, {
      store: deps.store,
      clock: this.clock,
      secret: deps.secret,
      events: this.events,
      grouping: { ipv4Prefix: config.network.ipv4Prefix, ipv6Prefix: config.network.ipv6Prefix },
      userHash: (name) => this.login.userHash(name),
      ...(cardKey ? { cardKey } : {}),
    });
    // An account named in the policy is compared as each login endpoint tells accounts apart, in
    // each application (and exactly and unscoped, for logins reported straight to the LoginGuard).
    const forms = new Set<string>(['\u0000exact', ...config.logins.map((l) => `${l.accountScope ?? ''}\u0000${l.usernameNormalize ?? 'exact'}`)]);
    const scopedForms = [...forms].map((f) => f.split('\u0000') as [string, UsernameNormalization]);
    this.#deviceCookies = [...new Set(['', ...config.logins.map((l) => l.accountScope ?? '')])].map((scope) => this.deviceCookie(scope));
    this.policy = compileAccessPolicy(config.policy, {
      countries: this.countries ?? { country: () => undefined, source: 'none' },
      roles: config.roles,
      deviceUserHashes: (name, scope) =>
        scopedForms.filter(([s]) => scope === undefined || s === scope).flatMap(([s, f]) => this.login.deviceUserHash(name, f, s) ?? []),
    });
    this.waf = config.waf
      ? new WafGuard(config.waf, config.dataDir, {
          store: deps.store,
          events: this.events,
          clock: this.clock,
          grouping: { ipv4Prefix: config.network.ipv4Prefix, ipv6Prefix: config.network.ipv6Prefix },
          secretFields: config.logins.flatMap((l) => [l.password?.form, l.password?.json].filter((x): x is string => x !== undefined)),
          onError: deps.onError ?? warnAtMostEveryMinute('the WAF could not record a request'),
          rules: deps.waf?.rules,
          onTransaction: deps.waf?.onTransaction,
          cpuClock: deps.waf?.cpuClock,
        })
      : undefined;
    this.challenger = createChallenger({
      secret: deps.secret,
      store: deps.store,
      clock: this.clock,
      random,
      ttlMs: config.challenge.ttlMs,
      baseDifficulty: config.challenge.baseDifficulty,
      maxDifficulty: config.challenge.maxDifficulty,
    });
  }

  /**
   * For a store failure: rethrows anything but MAMORI_ERR_STORE_UNAVAILABLE; for that, the
   * answer store.when_unavailable asks of this protection: undefined to go on unchecked (open),
   * or a 503 block with Retry-After (closed). Reported through onError, at most once a minute.
   */
  #whenUnavailable(err: unknown, what: 'requests' | 'logins' | 'checkouts' | 'rateLimits'): Verdict | undefined {
    if (!isMamoriError(err, 'MAMORI_ERR_STORE_UNAVAILABLE')) throw err;
    this.#reportUnavailable(err);
    if (this.config.store.whenUnavailable[what] === 'open') return undefined;
    return { action: 'block', reason: 'the store is unavailable', ruleId: STORE_UNAVAILABLE, status: 503, retryAfter: 5 };
  }

  readonly #reportUnavailable: (err: unknown) => void;

  /** Whether the verdict stops the request (not allow, not detect-only). */
  enforced(v: Verdict): boolean {
    return v.action !== 'allow' && !v.detectOnly;
  }

  /**
   * The values a decision on an account name may hold: the name's hash (an operator's, for
   * every application) and its hash in each application the config has (the login
   * protection's closure of it there).
   */
  accountDecisionValues(name: string): string[] {
    const scopes = new Set(this.config.logins.map((l) => l.accountScope ?? ''));
    return [...new Set([this.login.userHash(name), ...[...scopes].filter(Boolean).map((s) => this.login.userHash(name, s))])];
  }

  /** The name of the trusted-device cookie for an application's logins (account_scope). */
  deviceCookie(scope?: string): string {
    const base = this.config.loginProtection.trustedDevice.cookie;
    return scope === undefined || scope === '' ? base : `${base}-${scope}`;
  }

  /** The client's valid trusted-device tokens, one per application at most. */
  #devices(req: RequestInfo): DeviceClaims[] {
    const out: DeviceClaims[] = [];
    const cookies = req.headers['cookie'];
    if (cookies === undefined) return out;
    for (const name of this.#deviceCookies) {
      const token = readCookie(cookies, name);
      const claims = token ? this.login.devices.verify(token) : undefined;
      if (claims) out.push(claims);
    }
    return out;
  }

  /** The client's valid pass and the difficulty it was solved at. */
  #pass(req: RequestInfo): { pass: string; bits: number } | undefined {
    const pass = readCookie(req.headers['cookie'], PASS_COOKIE) ?? header(req, 'x-mamori-pass');
    const bits = pass === undefined ? undefined : this.challenger.passDifficulty(pass, { ip: req.ip, scope: PASS_SCOPE });
    return bits === undefined ? undefined : { pass: pass!, bits };
  }

  /** Whether the client holds a pass solved at the difficulty a challenge for `v` asks. */
  #passed(req: RequestInfo, v: Verdict): boolean {
    const p = this.#pass(req);
    return p !== undefined && p.bits >= this.challengeDifficulty(v);
  }

  /**
   * A pass buys one login attempt: on the login, each guess must pay for its own proof of
   * work (a pass for pages is good until it expires). The difficulty it was solved at, once
   * claimed; undefined without one (or when it was used already).
   */
  async #passedOnce(req: RequestInfo, need?: number): Promise<number | undefined> {
    // One request's worth, whichever of its checks asks (the access policy, a rate limit, the
    // login): claimed once per request, and what the first claim got answers them all. A pass
    // that does not answer what a check asks is not used up by it.
    if (this.#claimed.has(req)) return this.#claimed.get(req);
    const p = this.#pass(req);
    if (p === undefined || (need !== undefined && p.bits < need)) return undefined;
    const bits = (await this.store.claim(`login-pass\u0000${p.pass}`, this.challenger.passTtlMs)) ? p.bits : undefined;
    this.#claimed.set(req, bits);
    return bits;
  }

  /** The pass each request claimed (see #passedOnce), by the request's RequestInfo. */
  readonly #claimed = new WeakMap<RequestInfo, number | undefined>();

  /** The difficulty a challenge for a verdict asks: its own when set, else by the risk of its rule. */
  challengeDifficulty(v: Verdict): number {
    return v.difficulty !== undefined && v.difficulty > 0 ? v.difficulty : this.challenger.difficultyFor(challengeRisk(v.ruleId));
  }

  /** Decisions on the source, its country and device, then the access policy. */
  async inspect(req: RequestInfo): Promise<Verdict> {
    const all = this.#devices(req);
    const claims = all[0];
    const device = claims?.deviceId;
    const trusted = this.config.loginProtection.trustedDevice.enabled ? claims : undefined;
    const country = this.countries?.country(req.ip);
    let decisions: Decision[];
    try {
      decisions = await this.store.decisions.match({ ip: req.ip, device, country });
      // A client trusted in several applications holds a device id for each: decisions on any apply.
      for (const more of all.slice(1)) {
        for (const x of await this.store.decisions.match({ ip: req.ip, device: more.deviceId })) if (x.scope === 'device') decisions.push(x);
      }
    } catch (err) {
      // The store is down: store.when_unavailable.requests says whether requests go on (with the
      // access policy, which needs no store) or are answered 503.
      const stop = this.#whenUnavailable(err, 'requests');
      if (stop) return stop;
      decisions = [];
    }
    // A trusted device is not held by what the login protection decided about its address
    // (an attacker behind the owner's NAT); operators' decisions still apply to it. On a login
    // for another account than the device's, check applies those decisions again. What detect
    // mode decided counts only here in detect mode.
    const detect = this.config.mode === 'detect';
    const d = strongest(decisions.filter((x) => x.scope !== 'user' && !(trusted !== undefined && x.origin === 'guard.login' && x.scope !== 'device')), detect);
    let v: Verdict;
    if (d) {
      v = { action: d.action, ruleId: `decision:${d.id}`, reason: d.reason, retryAfter: Math.max(1, Math.ceil((d.expiresAt - this.clock.now()) / 1000)) };
      // What the login protection decided answers as its refusals do: 429, too many attempts; and
      // (about a source) it does not hold a trusted device: the block page says so.
      if (d.origin === 'guard.login') v = { ...v, status: 429, ...(d.scope !== 'device' ? { trustedDevicesPass: true } : {}) };
      if (d.action === 'allow') return v;
      if (detect) v = { ...v, detectOnly: true };
    } else {
      const more = trusted ? all.slice(1).map((c) => ({ device: c.deviceId, deviceUser: c.userHash })) : undefined;
      v = this.policy.evaluate(req, { device: trusted?.deviceId, deviceUser: trusted?.userHash, devices: more });
    }
    if (v.action === 'challenge') {
      // On a login form (or XML-RPC) post, each guess pays for its own proof of work, whatever
      // challenged it; a page challenged by the policy or a decision (and a page behind HTTP
      // authentication, whose every request carries the credentials) is let through by a pass
      // until it expires.
      const m = req.method.toUpperCase();
      const login = m !== 'GET' && m !== 'HEAD' && this.findLogins(m, req.path).some((e) => this.loginNeedsBody(e));
      const need = this.challengeDifficulty(v);
      const passed = login ? ((await this.#passedOnce(req, need)) ?? -1) >= need : this.#passed(req, v);
      if (passed) return { ...v, action: 'allow', reason: `${v.reason}; challenge solved` };
    }
    if (v.action !== 'allow') this.#requestEvent(req, v, country);
    return v;
  }

  /**
   * The login endpoints a request's method and path match, in config order. Which of them the
   * request is a login for depends on what it carries: see pickLogin.
   */
  findLogins(method: string, url: string): LoginEndpointConfig[] {
    return findLoginEndpoints(this.config.logins, method, url);
  }

  /** The checkout endpoints (`checkouts:`) a request's method and path match. */
  findCheckouts(method: string, url: string): CheckoutEndpointConfig[] {
    return findCheckoutEndpoints(this.config.checkouts, method, url);
  }

  /**
   * A payment attempt at a checkout endpoint, before the shop calls its gateway (`fields`: from
   * readCheckoutFields). A solved challenge, when the client brings one, buys this attempt past a
   * challenge. The verdict's `reject` is answered with rejectedCardAnswer, its block and challenge
   * with respond (checkoutVerdict), a step-up by telling the shop (STEP_UP_HEADER).
   */
  async checkCheckout(endpoint: CheckoutEndpointConfig, req: RequestInfo, fields: CheckoutFields): Promise<PendingCheckout> {
    try {
      return await this.#checkCheckout(endpoint, req, fields);
    } catch (err) {
      // The store is down: the payment is refused (503, the default) or let through unchecked.
      const stop = this.#whenUnavailable(err, 'checkouts');
      const verdict: CheckoutVerdict = stop
        ? { action: 'block', ruleId: STORE_UNAVAILABLE, reason: stop.reason, retryAfter: stop.retryAfter ?? 5, signals: [] }
        : { action: 'allow', ruleId: STORE_UNAVAILABLE, reason: 'the store is unavailable: not checked', signals: [] };
      return { verdict, counted: [], ip: req.ip, sourceDeclinesKey: '', settled: true };
    }
  }

  async #checkCheckout(endpoint: CheckoutEndpointConfig, req: RequestInfo, fields: CheckoutFields): Promise<PendingCheckout> {
    // Who is logged in is the shop's to know: a cookie mamori cannot verify would let anyone pass
    // as a customer. Here every payment is weighed as a guest's; the library form
    // (guard.checkout.check) takes the account the shop verified.
    const cookies = req.headers['cookie'];
    const session = endpoint.sessionCookie ? readCookie(cookies, endpoint.sessionCookie) : undefined;
    const device = this.config.loginProtection.trustedDevice.enabled ? this.login.devices.verify(readCookie(cookies, this.deviceCookie(undefined)))?.deviceId : undefined;
    const passed = this.#pass(req) !== undefined ? (await this.#passedOnce(req)) !== undefined : false;
    return this.checkout.check({
      ip: req.ip,
      card: fields.card,
      amount: fields.amount,
      currency: fields.currency,
      ...(session ? { session } : {}),
      ...(device ? { device } : {}),
      challengePassed: passed,
    });
  }

  /**
   * The answer to a checked payment mamori refuses, or undefined when it goes on to the shop:
   * a rejected card is answered as a decline (rejectedCardAnswer), a block or a challenge as
   * respond answers them. Used by the proxy and the adapters alike.
   */
  checkoutRefusal(endpoint: CheckoutEndpointConfig, pending: PendingCheckout, req: RequestInfo, origin?: RespondOrigin): RenderedResponse | undefined {
    const v = pending.verdict;
    if (v.detectOnly) return undefined;
    if (v.action === 'reject') return rejectedCardAnswer(endpoint, v.problem ?? 'invalid');
    const asVerdict = this.checkoutVerdict(v);
    return this.enforced(asVerdict) ? this.respond(asVerdict, req, origin) : undefined;
  }

  /**
   * After the shop answered a payment (`status`), or never did (undefined): counted as approved
   * or declined by the endpoint's statuses; any other answer takes back what the check counted.
   */
  settleCheckout(endpoint: CheckoutEndpointConfig, pending: PendingCheckout, status: number | undefined): Promise<void> {
    const outcome = status === undefined ? 'unknown' : classifyCheckoutAnswer(endpoint, status);
    return outcome === 'unknown' ? this.checkout.release(pending) : this.checkout.report(pending, { approved: outcome === 'approved' });
  }

  /**
   * `POST /.mamori/signin` (the MFA gate's form): counted by the login protection as a login of
   * its own application (`mamori-gate`), then the password and the code are checked.
   */
  async handleSignin(req: RequestInfo, body: Buffer): Promise<RenderedResponse> {
    const gate = this.mfaGate;
    if (!gate) return jsonAnswer(404, { error: 'not_found' });
    const ct = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      return jsonAnswer(400, { error: 'invalid_utf8' });
    }
    if (ct !== 'application/x-www-form-urlencoded' || body.length > 8192) return jsonAnswer(400, { error: 'send the sign-in form' });
    // A page of another site posting here would sign the browser in as someone else (the
    // attacker's account) or out: only the gate's own pages post this form.
    if (postedFromElsewhere(req)) return jsonAnswer(403, { error: 'cross_site', message: 'the sign-in form is posted from its own page only' });
    const form = new URLSearchParams(text);
    for (const k of ['user', 'password', 'code', 'step', 'response']) if (form.getAll(k).length > 1) return jsonAnswer(400, { error: `the field ${k} appears twice` });
    // A passkey step carries no password: it needs the pending sign-in a counted password step opened.
    if (MfaGate.isPasskeyStep(form)) return (await gate.signin(req, form)).answer;
    const p = await this.checkCredentials(req, { username: form.get('user') ?? '', password: form.get('password') ?? '' }, { scope: 'mamori-gate' });
    if (this.enforced(p.verdict)) return this.respond(p.verdict, req);
    const r = await gate.signin(req, form);
    // A right password going on to a passkey is neither a failure nor (yet) a success.
    if (r.ok === 'pending') await this.releaseLogin(p);
    else await this.reportCredentials(p, r.ok);
    return r.answer;
  }

  /** Whether the shop must run this payment with 3-D Secure first (mamori's step-up). */
  checkoutStepUp(pending: PendingCheckout): boolean {
    return pending.verdict.action === 'step-up' && !pending.verdict.detectOnly;
  }

  /** A checkout verdict as the Verdict respond takes (block: 429 with Retry-After; challenge: the puzzle). */
  checkoutVerdict(v: CheckoutVerdict): Verdict {
    const action = v.action === 'block' || v.action === 'challenge' ? v.action : 'allow';
    return {
      action,
      reason: v.reason ?? 'checkout',
      ...(v.ruleId ? { ruleId: v.ruleId } : {}),
      ...(v.retryAfter !== undefined ? { retryAfter: v.retryAfter } : {}),
      ...(action === 'block' ? { status: v.ruleId === STORE_UNAVAILABLE ? 503 : 429 } : {}),
      ...(v.detectOnly ? { detectOnly: true } : {}),
    };
  }

  /** The first login endpoint a request's method and path match (`findLogins` gives them all). */
  findLogin(method: string, url: string): LoginEndpointConfig | undefined {
    return findLoginEndpoint(this.config.logins, method, url);
  }

  readLoginFields(endpoint: LoginEndpointConfig, contentType: string | undefined, body: Buffer, query = '', cookies?: string): LoginFields {
    return extractLoginFields(endpoint, contentType, body, query, cookies);
  }

  /** Whether reading the login needs the request's body (not for HTTP authentication). */
  loginNeedsBody(endpoint: LoginEndpointConfig): boolean {
    return endpoint.credentials !== 'http-auth';
  }

  /**
   * The credentials of a request to a login endpoint, wherever the endpoint says they are: the
   * raw body (the proxy; undefined when it was not read), the Authorization header, XML-RPC.
   */
  readLogin(endpoint: LoginEndpointConfig, req: RequestInfo, url: string, body: Buffer | undefined): LoginFields {
    if (endpoint.credentials === 'http-auth') return extractAuthorizationFields(header(req, 'authorization'));
    const raw = body ?? Buffer.alloc(0);
    if (endpoint.credentials === 'xmlrpc') return extractXmlRpcFields(endpoint, raw);
    return extractLoginFields(endpoint, header(req, 'content-type'), raw, urlQuery(url), header(req, 'cookie'));
  }

  /**
   * The same for a body a framework already parsed (the adapters): an object of fields, or the
   * raw text or bytes (an XML-RPC endpoint needs them: `express.text({ type: '*\/xml' })`).
   */
  readParsedLogin(endpoint: LoginEndpointConfig, req: RequestInfo, url: string, parsed: unknown): LoginFields {
    if (endpoint.credentials === 'http-auth') return extractAuthorizationFields(header(req, 'authorization'));
    if (endpoint.credentials === 'xmlrpc') {
      if (Buffer.isBuffer(parsed)) return extractXmlRpcFields(endpoint, parsed);
      if (typeof parsed === 'string') return extractXmlRpcFields(endpoint, Buffer.from(parsed, 'utf8'));
      return { problem: 'the XML-RPC body was not read as text', ambiguous: true };
    }
    return extractParsedLoginFields(endpoint, parsed, urlQuery(url), header(req, 'cookie'));
  }

  /** Before the site verifies the password: every attempt the request makes is checked (and counted). */
  checkLogin(endpoint: LoginEndpointConfig, req: RequestInfo, fields: LoginFields): Promise<PendingLogin> {
    // (One promise, not an async function awaiting another: this is on every login.)
    return this.#checkLogin(endpoint, req, fields).catch((err: unknown) => {
      // The store is down: the login is refused (503, the default) or let through uncounted.
      const stop = this.#whenUnavailable(err, 'logins');
      const attempt: LoginAttempt = { ip: req.ip, username: fields.username ?? '', password: fields.password, challengePassed: false };
      const verdict: LoginVerdict = stop ? { ...stop, trustedDevice: false } : { action: 'allow', reason: 'the store is unavailable: not counted', ruleId: STORE_UNAVAILABLE, trustedDevice: false };
      return { endpoint, fields, req, attempt, attempts: [attempt], verdict, unchecked: true };
    });
  }

  async #checkLogin(endpoint: LoginEndpointConfig, req: RequestInfo, fields: LoginFields): Promise<PendingLogin> {
    const cookies = req.headers['cookie'];
    const ip = req.ip;
    const normalize = endpoint.usernameNormalize ?? 'exact';
    const scope = endpoint.accountScope;
    const deviceToken = readCookie(cookies, this.deviceCookie(scope));
    const country = this.countries?.country(ip);
    const userAgent = header(req, 'user-agent');
    const path = req.path;
    // A solved challenge buys one attempt: the first; the others of a multicall pay their own way.
    // It answers a challenge that asks for no more than it was solved at, at the source's escalation.
    // (A request that carries no pass, nearly every login, has nothing to claim nor wait for.)
    const mayHavePass = this.#claimed.has(req) || (typeof cookies === 'string' ? cookies.includes(PASS_COOKIE) : cookies !== undefined) || req.headers['x-mamori-pass'] !== undefined;
    let bits = mayHavePass ? await this.#passedOnce(req) : undefined;
    // With a pass, the login is counted now as a failure behind a solved challenge (taken back
    // below unless the pass is what lets it through, and by settleLogin on a success): logins
    // sent at once see each other's, so each pays the level the ones before it raised, and past
    // block_after_failures the pass lets nothing more through.
    const place = bits !== undefined ? await this.login.reserveChallengeFailure(req.ip) : undefined;
    const level = place !== undefined ? place - 1 : undefined;
    if (level !== undefined && level >= this.config.loginProtection.challenged.blockAfterFailures) bits = undefined;
    const creds = fields.calls ?? [{ username: fields.username ?? '', password: fields.password }];
    const attempts: LoginAttempt[] = [];
    let verdict: LoginVerdict | undefined;
    for (const c of creds) {
      const first = attempts.length === 0 && bits !== undefined;
      // (Written out, not spread from a base object with a conditional part: the engine copied
      // that field by field on every attempt, a third of this function's own time in a profile.)
      const attempt: LoginAttempt = first
        ? { ip, normalize, scope, deviceToken, country, userAgent, path, username: c.username, password: c.password, challengePassed: true, challengeBits: bits, challengeLevel: level }
        : { ip, normalize, scope, deviceToken, country, userAgent, path, username: c.username, password: c.password, challengePassed: false };
      let v: LoginVerdict;
      try {
        v = await this.login.check(attempt);
      } catch (err) {
        if (place !== undefined) await this.login.releaseChallengeFailure(req.ip).catch(() => undefined);
        throw err;
      }
      attempts.push(attempt);
      verdict ??= v;
      if (v.action !== 'allow' && !v.detectOnly) {
        // One attempt of the request is refused: the request does not reach the site, so what
        // the others counted is taken back, and the request is refused as a whole.
        for (const a of attempts.slice(0, -1)) await this.login.release(a).catch(() => undefined);
        verdict = v;
        break;
      }
      if (v.action !== 'allow') verdict = v;
    }
    let v = verdict!;
    const through = place !== undefined && v.challengeSolved === true && (v.action === 'allow' || v.detectOnly === true);
    if (place !== undefined && !through) await this.login.releaseChallengeFailure(req.ip).catch(() => undefined);
    if (v.action === 'challenge' && !v.detectOnly && postedFromElsewhere(req)) {
      // A login posted from another site (the browser says so; a page cannot change it) while
      // the source is challenged: refused, not challenged, and not counted as a challenge
      // ignored. Otherwise any page a visitor opens could post logins in the visitor's name and
      // have the visitor's address blocked from the whole site. (A script that says it is
      // cross-site gets no puzzle to solve either; the person signs in from the site's own form.)
      const { difficulty: _asked, ...refused } = v;
      v = { ...refused, action: 'block', reason: `${v.reason}; a login posted from another site` };
    } else if (v.action === 'challenge' && !v.detectOnly) {
      // A challenge given: counted against the source until it is solved (a source that keeps
      // ignoring them is blocked: a decision on its address), in the background: the answer
      // does not wait for it. Each failure after a solved challenge makes the source's next one
      // twice the work: its level came with the check (one round trip on a networked store).
      this.login.challengeGiven(attempts[attempts.length - 1]!);
      // (An attempt with a solved challenge reserved its failure before the check, and gave it back since.)
      const lvl = v.challengeLevel !== undefined ? Math.max(0, v.challengeLevel - (place !== undefined ? 1 : 0)) : await this.login.challengeLevel(req.ip).catch(() => level ?? 0);
      v = { ...v, difficulty: this.challenger.difficultyFor(challengeRisk(v.ruleId), lvl) };
    }
    // Risk-based step-up: why the site should ask a login it is about to check for its second factor.
    const secondFactor = this.secondFactor.enabled && v.action === 'allow' ? await this.secondFactor.reasons(attempts[0]!, v).catch(() => undefined) : undefined;
    // Every refused login answers 429 with Retry-After, whatever refused it, so the answer tells nothing about the account.
    // (Literals rather than conditional spreads, as for the attempt above; same keys, same order.)
    const verdictOut = v.action === 'block' ? { ...v, status: 429 } : v;
    const pending: { -readonly [K in keyof PendingLogin]: PendingLogin[K] } = secondFactor?.length
      ? { secondFactor, endpoint, fields, req, attempt: attempts[0]!, attempts, verdict: verdictOut }
      : { endpoint, fields, req, attempt: attempts[0]!, attempts, verdict: verdictOut };
    if (through) pending.challengeFailure = place;
    return pending;
  }

  /** After the site answered: counts the outcome; returns the trusted-device cookie to add on a success. */
  async reportLogin(p: PendingLogin, answer: LoginAnswer): Promise<{ outcome: LoginOutcome; setCookie?: string }> {
    const s = this.settleLogin(p, answer);
    await s.done;
    // (What settleLogin answered but `done`; written out, as a rest copy costs more.)
    return s.setCookie === undefined ? { outcome: s.outcome } : { outcome: s.outcome, setCookie: s.setCookie };
  }

  /**
   * For adapters that must set headers synchronously (Express's writeHead):
   * classifies the answer and returns the trusted-device cookie now, while
   * the counters are updated in `done`.
   */
  settleLogin(p: PendingLogin, answer: LoginAnswer): { outcome: LoginOutcome; setCookie?: string; done: Promise<unknown> } {
    if (p.endpoint.credentials === 'xmlrpc' && p.fields.calls) {
      const outcomes = classifyXmlRpcAnswer(p.endpoint, p.fields.calls, answer);
      const settled = Promise.all(p.attempts.map((a, i) => this.#settle(a, outcomes[i] ?? 'unknown')));
      const outcome = outcomes.includes('success') ? 'success' : outcomes.some((o) => o === 'failure' || o === 'unknown') ? 'failure' : 'neutral';
      // The call the solved challenge paid for (the first): settled as a form login's is.
      const first = outcomes[0] ?? 'unknown';
      return { outcome, done: Promise.all([settled, this.#settleChallenge(p, first === 'failure' || first === 'unknown')]) };
    }
    let outcome = classifyLoginResponse(p.endpoint, answer);
    // Where the site's success cookie names the account it logged in (WordPress's logged-in
    // cookie), that account, not mamori's reading of the form, is the one that logged in: when
    // they differ (a login by e-mail, or a form mamori read otherwise), the success proves
    // nothing about the account mamori counted, and the device cookie is for the site's account.
    let account = p.attempt.username;
    const cookieAccount = outcome === 'success' ? successCookieAccount(p.endpoint, answer) : undefined;
    if (cookieAccount === null) outcome = 'unknown';
    else if (cookieAccount !== undefined) {
      if (this.login.userHash(cookieAccount) !== this.login.userHash(account)) outcome = 'neutral';
      account = cookieAccount;
    }
    const loggedIn = outcome === 'success' || (outcome === 'neutral' && cookieAccount !== undefined && cookieAccount !== null);
    return this.#conclude(p, outcome, account, loggedIn);
  }

  /**
   * The library form, for a handler that checks passwords itself (no login endpoint in the
   * config, or a body mamori does not read): before the password is checked, what mamori says
   * about this attempt. The client's trusted-device cookie and solved challenge are read from
   * `req` as the middleware reads them. `scope`: the application's accounts (account_scope).
   *
   *   const p = await guard.checkCredentials(info, { username, password });
   *   if (guard.enforced(p.verdict)) return send(guard.respond(p.verdict, info));
   *   const ok = await verify(username, password);
   *   const { setCookie } = await guard.reportCredentials(p, ok); // add setCookie to the answer
   */
  checkCredentials(req: RequestInfo, credentials: { username: string; password?: string | undefined }, opts: { scope?: string } = {}): Promise<PendingLogin> {
    return this.checkLogin(this.#libraryEndpoint(req.method, req.path, opts.scope), req, { username: String(credentials.username ?? ''), password: credentials.password });
  }

  /** The last endpoint checkCredentials described, used again while the method, path and scope are the same. */
  #library: LoginEndpointConfig | undefined;

  /** The library form's endpoint for a request (frozen: one is shared by the logins of the same method, path and scope). */
  #libraryEndpoint(method: string, path: string, scope: string | undefined): LoginEndpointConfig {
    const last = this.#library;
    const accountScope = scope ? scope : undefined;
    if (last !== undefined && last.method === method && last.path === path && last.accountScope === accountScope) return last;
    const endpoint: LoginEndpointConfig = Object.freeze({
      name: 'library',
      method,
      path,
      username: Object.freeze({}),
      failure: Object.freeze({ status: Object.freeze([]) as unknown as number[] }),
      success: Object.freeze({ status: Object.freeze([]) as unknown as number[] }),
      exceptQuery: Object.freeze({}),
      ...(accountScope ? { accountScope } : {}),
    });
    this.#library = endpoint;
    return endpoint;
  }

  /** The library form's second half: the password was right (`ok`) or not. Returns the trusted-device cookie to set on a success. */
  async reportCredentials(p: PendingLogin, ok: boolean): Promise<{ setCookie?: string }> {
    // The caller answers the login after this: a success's bookkeeping does not hold it (see LoginGuard.report).
    const { done, setCookie } = this.#conclude(p, ok ? 'success' : 'failure', p.attempt.username, ok, false);
    await done;
    return setCookie !== undefined ? { setCookie } : {};
  }

  /** Counts a login's outcome and, for a browser that logged in, makes its trusted-device cookie. */
  #conclude(p: PendingLogin, outcome: LoginOutcome, account: string, loggedIn: boolean, awaitWrites = true): { outcome: LoginOutcome; setCookie?: string; done: Promise<unknown> } {
    if (p.unchecked) return { outcome, done: Promise.resolve() };
    let done = this.#settle(p.attempt, outcome, awaitWrites);
    if (loggedIn && this.secondFactor.enabled) done = Promise.all([done, this.secondFactor.remember(p.attempt)]);
    // A login a solved challenge let through that failed: the source's next challenge is harder,
    // and past challenged.block_after_failures it is blocked.
    // (Without a solved challenge there is nothing to settle: no second promise to wait for.)
    if (p.verdict.challengeSolved) done = Promise.all([done, this.#settleChallenge(p, outcome === 'failure' || outcome === 'unknown')]);
    // Trusted-device cookies go to browsers that logged in through a form.
    const browser = (p.endpoint.credentials ?? 'body') === 'body';
    if (!loggedIn || !browser || !this.config.loginProtection.trustedDevice.enabled) return { outcome, done };
    const cookieName = this.deviceCookie(p.endpoint.accountScope);
    // For the account the site logged in: the name as the site tells accounts apart, in its application.
    const uh = this.login.deviceUserHash(account, p.attempt.normalize, p.endpoint.accountScope);
    if (uh === undefined) return { outcome, done };
    // The device keeps its id when it was trusted for this account; otherwise (another account's,
    // or past its day's cap there) it gets a new one.
    // (The cookie check read: the token it verified, under the same name.)
    const existing = p.verdict.trustedDevice ? this.login.devices.verify(p.attempt.deviceToken) : undefined;
    const { token } = this.login.devices.issue(uh, existing && existing.userHash === uh ? existing.deviceId : undefined);
    const secure = p.req.secure === true || header(p.req, 'x-forwarded-proto') === 'https';
    return { outcome, done, setCookie: serializeCookie(cookieName, token, { maxAgeSec: this.login.devices.ttlMs / 1000, secure }) };
  }

  /**
   * A login a solved challenge let through, once answered: a failure counts against the
   * source (its next challenge is harder; past challenged.block_after_failures, a block); a
   * success or a neutral answer takes back what check counted.
   */
  #settleChallenge(p: PendingLogin, failed: boolean): Promise<unknown> {
    if (!p.verdict.challengeSolved) return Promise.resolve();
    // Counted at check (reserveChallengeFailure): confirmed, or taken back.
    if (p.challengeFailure !== undefined) return failed ? this.login.noteChallenge(p.attempt, 'failed', p.challengeFailure) : this.login.releaseChallengeFailure(p.req.ip);
    return failed ? this.login.noteChallenge(p.attempt, 'failed') : Promise.resolve();
  }

  /** Counts one attempt's outcome: a neutral answer takes back what check counted; unknown counts as a failure. */
  #settle(a: LoginAttempt, outcome: LoginOutcome, awaitWrites = true): Promise<unknown> {
    if (outcome === 'neutral') return this.login.release(a);
    // An answer mamori cannot classify is counted as a failure: never as a success.
    // (The trusted-device cookie is made by the Guard, for the account the site logged in.)
    return this.login.report(a, outcome === 'success', { deviceToken: false, awaitWrites });
  }

  /**
   * For an attempt the site never answered: takes back what check counted (it may not have
   * reached the site at all). Never throws.
   */
  async releaseLogin(p: PendingLogin): Promise<void> {
    if (p.unchecked) return;
    if (p.challengeFailure !== undefined) await this.login.releaseChallengeFailure(p.req.ip).catch(() => undefined);
    for (const a of p.attempts ?? [p.attempt]) {
      try {
        await this.login.release(a);
      } catch {
        // Counters expire on their own; nothing else to do.
      }
    }
  }

  /**
   * Counts a request against the rate limits it falls under (`routes` from rateLimits.match);
   * see RateLimiter.check. A proof of work solved for this request lets one refused by a
   * `challenge` limit through: each pass buys one request, as on logins.
   */
  async checkRateLimits(req: RequestInfo, url: string, routes: readonly RateLimitRoute[], body?: RateLimitBody, phase?: 'head' | 'body' | 'all'): Promise<RateLimitResult> {
    let r: RateLimitResult;
    try {
      r = await this.rateLimits.check(req, url, routes, body, phase);
    } catch (err) {
      // The store is down: the request goes on uncounted (the default) or is answered 503.
      const stop = this.#whenUnavailable(err, 'rateLimits');
      return { verdict: stop ?? { action: 'allow', reason: 'the store is unavailable: not counted', ruleId: STORE_UNAVAILABLE }, headers: {} };
    }
    if (r.verdict.action !== 'challenge' || r.verdict.detectOnly) return r;
    const need = this.challengeDifficulty(r.verdict);
    const bits = await this.#passedOnce(req, need);
    if (bits === undefined || bits < need) return r;
    return { ...r, verdict: { ...r.verdict, action: 'allow', reason: `${r.verdict.reason}; challenge solved` } };
  }

  /** The answer to a request a rate limit refused: respond's, with the RateLimit headers. */
  respondRateLimited(r: RateLimitResult, req: RequestInfo, origin?: RespondOrigin): RenderedResponse {
    const out = this.respond(r.verdict, req, origin);
    return { ...out, headers: { ...out.headers, ...r.headers } };
  }

  /**
   * The answer for a blocked or challenged request, in JSON or HTML as the client prefers, in
   * Japanese or English by Accept-Language. `origin`: the request's target (path and query) and,
   * when read, its body (raw bytes, or a framework's parsed fields): the challenge page carries
   * on with them once solved (see challengeReturn).
   */
  respond(v: Verdict, req: RequestInfo, origin?: RespondOrigin): RenderedResponse {
    const wantsJson = prefersJson(req);
    const difficulty = v.action === 'challenge' ? this.challengeDifficulty(v) : 0;
    if (v.action === 'challenge' && !wantsJson && difficulty > this.config.challenge.browserMaxDifficulty) {
      // A puzzle a person's browser cannot finish in a few seconds is no way forward: say so,
      // as a block (API clients, which may solve natively, still get the challenge).
      const wait = this.#challengeLasts(v);
      return renderBlockPage({ ...v, action: 'block', status: 429, ...(wait !== undefined ? { retryAfter: Math.ceil(wait) } : {}) }, req, {
        trustedMaySignIn: v.ruleId?.startsWith('login.') ?? false,
        tooHard: true,
      });
    }
    if (v.action === 'challenge') {
      const ch = this.challenger.issue({ ip: req.ip, scope: PASS_SCOPE, risk: challengeRisk(v.ruleId), difficulty });
      return renderChallenge(ch, {
        wantsJson,
        retryAfter: v.retryAfter,
        action: this.config.challenge.submitPath,
        lang: challengeLanguage(req),
        then: challengeReturn(req, origin?.url, origin?.body),
        waitSeconds: this.#challengeLasts(v),
        login: v.ruleId?.startsWith('login.') ?? false,
      });
    }
    return renderBlockPage(v, req, { trustedMaySignIn: TRUSTED_DEVICE_PASSES.has(v.ruleId ?? '') || v.trustedDevicesPass === true });
  }

  /** Seconds a challenge of this kind is likely to last: its counting window (login) or retryAfter. */
  #challengeLasts(v: Verdict): number | undefined {
    const lp = this.config.loginProtection;
    const windows: Record<string, number> = {
      'login.user-source': lp.userSource.windowMs,
      'login.user': lp.user.windowMs,
      'login.stuffing': lp.source.windowMs,
      'login.spraying': lp.spraying.windowMs,
      'login.site': lp.site.windowMs,
    };
    const w = windows[v.ruleId ?? ''];
    if (w !== undefined) return w / 1000;
    return v.retryAfter !== undefined && v.retryAfter > 1 ? v.retryAfter : undefined;
  }

  /** `POST /.mamori/challenge` with JSON `{token, solution}`: sets the pass cookie when the work checks out. */
  async handleChallengeSubmit(req: RequestInfo, body: Buffer): Promise<RenderedResponse> {
    let token: unknown;
    let solution: unknown;
    try {
      ({ token, solution } = JSON.parse(body.toString('utf8')) as { token?: unknown; solution?: unknown });
    } catch {
      return jsonAnswer(400, { error: 'malformed_json' });
    }
    if (typeof token !== 'string' || typeof solution !== 'string') return jsonAnswer(400, { error: 'token_and_solution_required' });
    const r = await this.challenger.verify(token, solution, { ip: req.ip, scope: PASS_SCOPE });
    if (!r.ok) return jsonAnswer(403, { error: 'challenge_failed', reason: r.reason });
    // A challenge answered: it no longer counts as ignored.
    await this.login.noteChallenge({ ip: req.ip, username: '' }, 'solved').catch(() => undefined);
    const secure = req.secure === true || header(req, 'x-forwarded-proto') === 'https';
    const res = jsonAnswer(200, { ok: true, pass: r.pass });
    res.headers['set-cookie'] = serializeCookie(PASS_COOKIE, r.pass, { maxAgeSec: 600, secure });
    return res;
  }

  #requestEvent(req: RequestInfo, v: Verdict, country: string | undefined): void {
    const e: SecurityEvent = {
      '@timestamp': new Date(this.clock.now()).toISOString(),
      'event.action': v.action === 'block' ? 'request-blocked' : 'request-challenged',
      'event.category': 'web',
      'event.module': v.ruleId?.startsWith('policy:') ? 'guard.policy' : 'guard.decisions',
      'event.outcome': 'failure',
      'event.reason': v.reason,
      'source.ip': req.ip,
      'url.path': req.path,
      'http.request.method': req.method,
      'rule.id': v.ruleId,
    };
    if (country) e['source.geo.country_iso_code'] = country;
    if (v.detectOnly) e['mamori.detect_only'] = true;
    this.events.emit(e);
  }

  /**
   * Deletes the decisions matching a filter (`{ id }` for one) and lifts what each stood for:
   * a login protection decision is backed by its counts too (see LoginGuard.lift), and
   * deleting the decision alone would leave the account or source blocked. Returns how many.
   */
  async deleteDecisions(filter: DecisionFilter): Promise<number> {
    let n = 0;
    for (const d of await this.store.decisions.list(filter)) {
      if (!(await this.store.decisions.delete(d.id))) continue;
      n++;
      await this.login.lift(d);
    }
    return n;
  }

  async close(): Promise<void> {
    // Queued webhooks get a few seconds: a receiver that never answers does not hold the shutdown.
    await Promise.all(this.webhooks.map((w) => w.close(5000)));
    await this.waf?.close();
    await this.login.settle();
    await this.store.events.flush();
  }
}

/** What the challenge page needs of a request to carry on with it once solved. */
export interface RespondOrigin {
  /** The request target: path and query. */
  url?: string | undefined;
  /** The body when it was read: raw bytes (the proxy), or a framework's parsed fields. */
  body?: unknown;
}

/**
 * Whether a browser says a page of another site sent the request: `Sec-Fetch-Site: cross-site`,
 * which a page cannot change (browsers send it to HTTPS sites and to localhost). Not the
 * `Origin`: a proxy in front of mamori that rewrites Host (nginx does by default) would make
 * every login look cross-site, and a page can make it `null`.
 */
export function postedFromElsewhere(req: RequestInfo): boolean {
  return header(req, 'sec-fetch-site')?.trim().toLowerCase() === 'cross-site';
}

export function prefersJson(req: RequestInfo): boolean {
  const accept = header(req, 'accept') ?? '';
  const ct = header(req, 'content-type') ?? '';
  return (accept.includes('application/json') && !accept.includes('text/html')) || (!accept.includes('text/html') && ct.includes('json'));
}

function jsonAnswer(status: number, body: unknown): RenderedResponse {
  return { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

export function createGuard(config: MamoriConfig, deps: GuardDeps): Guard {
  return new Guard(config, deps);
}
