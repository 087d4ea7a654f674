/**
 * Per-route rate limits, for the routes that feed attacks without being
 * logins (lost password, registration, password reset) and for anything a
 * user of express-rate-limit or nginx `limit_req` would limit. Compiled once
 * from `rate_limits` in config; `check` only counts and reads.
 *
 *   rate_limits:
 *     - name: wp-lostpassword
 *       paths: [/wp-login.php]
 *       methods: [POST]
 *       query: { action: [lostpassword, retrievepassword] }
 *       per_source: { limit: 5, window: 15m }
 *       per_account: { field: { form: user_login }, limit: 3, window: 1h }
 *
 * Which requests a limit counts: paths and methods match as in the access
 * policy (same normalisation, GET covers HEAD); `query`, when given, narrows
 * it to requests naming one of the values, in the query string or in a body
 * field of that name (PHP's `$_REQUEST` reads both, and a form that posts
 * `action=lostpassword` with no query is still a lost-password request).
 * Names compare as PHP reads them (`action[]`, ` action`) and values without
 * case: matching more is the safe direction for a limit.
 *
 * What it counts: per source (the address, grouped as `network.ipv4_prefix`
 * and `ipv6_prefix` group login sources) and, with `per_account`, per
 * account named in the body (every value the field carries, as PHP and
 * Express may each take a different one; a body mamori cannot read counts
 * under one shared "unreadable" account). Windows slide: the count is this
 * window's requests plus the part of the last window's still inside it, the
 * way the login guard counts site-wide failures. A refused request is taken
 * back, so a client that waits out Retry-After gets in, and a flood gets
 * exactly `limit` requests per window through. (The proxy counts the source
 * before it reads the body and the account after: a request the account's
 * limit refuses stays counted against its source, which only tightens the
 * source's limit on a client that keeps hammering one account.)
 *
 * A refusal is a 429 with Retry-After (`action: block`) or a proof-of-work
 * challenge, each solved one buying one request (`action: challenge`); in
 * `mode: detect` nothing is refused. Either way a `rate-limited` event is
 * recorded once per limit, source or account, and window.
 *
 * Store keys are keyed hashes of (limit, source or account, window): no
 * address or account name is stored. Memory is bounded by the store.
 *
 * Answers carry the IETF RateLimit header fields in the syntax of
 * draft-ietf-httpapi-ratelimit-headers-10 and -11 (a List of String Items with
 * Integer parameters; Retry-After and the refusing policy's `t` agree): `RateLimit-Policy:
 * "wp-lostpassword";q=5;w=900, "wp-lostpassword.account";q=3;w=3600` and
 * `RateLimit: "wp-lostpassword";r=4;t=900`. The per-account service limit is
 * shown only on the answer it refuses (r=0): on others it would tell a
 * client how often somebody else asked about that account.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { hmac } from '../core/crypto.js';
import type { EventSink, SecurityEvent } from '../core/events.js';
import { sourceKey, type SourceGrouping } from '../core/net.js';
import { idKey, StringHasher } from '../core/siphash.js';
import type { CounterOp, Store } from '../core/store.js';
import { urlPath, urlQuery } from '../core/url.js';
import type { FieldLocator, RateLimitConfig } from '../config/config.js';
import { compilePattern, policyPathViews } from './access-policy.js';
import { jsonPath, parseMultipartFields, phpFieldName, phpMediaType } from './login-endpoint.js';
import { MamoriError } from '../core/errors.js';
import type { RequestInfo, Verdict } from './verdict.js';

/** A request body as far as rate limits read it: its fields, or that it could not be read. */
export interface RateLimitBody {
  /** Form fields (urlencoded or multipart), or the string values of a parsed object. */
  readonly form?: URLSearchParams;
  /** A parsed JSON body (or the object a framework parsed), for `json` field locators. */
  readonly json?: unknown;
  /** A body was sent that mamori cannot read as the site will (compressed, another charset, malformed). */
  readonly unreadable?: boolean;
}

export interface RateLimitResult {
  /** allow, or the refusal (block: 429 with Retry-After; challenge); detectOnly in detect mode. */
  readonly verdict: Verdict;
  /** RateLimit-Policy and RateLimit, lower-case names, for the answer (empty when no limit shows them). */
  readonly headers: Readonly<Record<string, string>>;
}

/** One compiled `rate_limits` entry. */
export interface RateLimitRoute {
  readonly name: string;
  readonly index: number;
  readonly paths: readonly ((path: string) => boolean)[];
  readonly methods: ReadonlySet<string> | undefined;
  /** Lower-case PHP field names, each with its lower-case values. */
  readonly query: ReadonlyMap<string, ReadonlySet<string>> | undefined;
  readonly perSource: { readonly limit: number; readonly windowMs: number } | undefined;
  readonly perAccount: { readonly field: FieldLocator; readonly limit: number; readonly windowMs: number } | undefined;
  readonly action: 'block' | 'challenge';
  readonly headers: boolean;
  readonly detect: boolean;
  /** The RateLimit-Policy items of this route, worked out once. */
  readonly policyItems: readonly string[];
}

export interface RateLimiterDeps {
  store: Store;
  clock: Clock;
  secret: Buffer;
  events: EventSink;
  grouping: SourceGrouping;
  /** The keyed hash an account is counted and reported under (the login guard's, so events line up). */
  userHash: (name: string) => string;
}

/** Values of one account field counted per request, at most: a body naming a thousand accounts costs no more. */
const MAX_ACCOUNTS = 8;
const MAX_ACCOUNT_CHARS = 512;
/** The account a body that cannot be read is counted under. */
const UNREADABLE = '\u0000unreadable';
const NS = 0x72; // 'r': rate limits' namespace in the store
const K_COUNT = 0x63; // 'c': requests in a window
const K_NOTE = 0x6e; // 'n': a refusal was reported for this key and window
const NONE: readonly RateLimitRoute[] = Object.freeze([]);
const ALLOWED: RateLimitResult = Object.freeze({ verdict: Object.freeze({ action: 'allow', reason: 'under every rate limit' }) as Verdict, headers: Object.freeze({}) });

function invalid(message: string): MamoriError {
  return new MamoriError('MAMORI_ERR_CONFIG_INVALID', `rate_limits: ${message}`);
}

function compileRoute(c: RateLimitConfig, index: number, seen: Set<string>): RateLimitRoute {
  // (Config files are checked by the schema first; this guards what is built in code.)
  if (typeof c.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(c.name)) throw invalid(`limit ${index} needs a name of letters, digits, ".", "_" or "-" (at most 64)`);
  // Each limit names its per-source policy `name` and its per-account one `name.account`: no two may meet.
  const policyNames = [c.name, `${c.name}.account`];
  if (policyNames.some((n) => seen.has(n))) throw invalid(`two limits are named "${c.name}" (or one is named as another's per-account policy)`);
  for (const n of policyNames) seen.add(n);
  const where = `limit "${c.name}"`;
  if (!c.perSource && !c.perAccount) throw invalid(`${where} needs per_source or per_account (or both)`);
  for (const l of [c.perSource, c.perAccount]) {
    if (l && !(Number.isSafeInteger(l.limit) && l.limit >= 1 && Number.isFinite(l.windowMs) && l.windowMs >= 1)) throw invalid(`${where} needs a whole limit of at least 1 and a window`);
  }
  if (!Array.isArray(c.paths) || c.paths.length === 0) throw invalid(`${where} needs paths`);
  let methods: Set<string> | undefined;
  if (c.methods?.length) {
    methods = new Set(c.methods.map((m) => m.toUpperCase()));
    if (methods.has('GET')) methods.add('HEAD');
  }
  let query: Map<string, Set<string>> | undefined;
  const names = Object.keys(c.query ?? {});
  if (names.length) {
    query = new Map();
    for (const n of names) query.set(phpFieldName(n).toLowerCase(), new Set(c.query![n]!.map((v) => v.toLowerCase())));
  }
  const policyItems: string[] = [];
  if (c.perSource) policyItems.push(`"${c.name}";q=${c.perSource.limit};w=${seconds(c.perSource.windowMs)}`);
  if (c.perAccount) policyItems.push(`"${c.name}.account";q=${c.perAccount.limit};w=${seconds(c.perAccount.windowMs)}`);
  return Object.freeze({
    name: c.name,
    index,
    paths: c.paths.map((p, i) => compilePattern(p, `${where} paths[${i}]`)),
    methods,
    query,
    perSource: c.perSource,
    perAccount: c.perAccount,
    action: c.action,
    headers: c.headers,
    detect: c.mode === 'detect',
    policyItems,
  });
}

/** Whole seconds, at least 1 (the draft's windows and delays are non-zero integers of seconds). */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The values a request gives the PHP-named field `name`: in the query string, and in the body's fields. */
function fieldValues(name: string, query: URLSearchParams | undefined, body: RateLimitBody | undefined): string[] {
  const out: string[] = [];
  for (const params of [query, body?.form]) {
    if (!params) continue;
    for (const [k, v] of params) if (phpFieldName(k).toLowerCase() === name) out.push(v);
  }
  const json = body?.json;
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    for (const [k, v] of Object.entries(json)) if (phpFieldName(k).toLowerCase() === name) out.push(...stringsOf(v));
  }
  return out;
}

function stringsOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) return v.filter((x) => typeof x === 'string' || typeof x === 'number').map(String);
  return [];
}


/**
 * The accounts a request names, as its site may read them: every value of the field (and of
 * fields PHP reads as it, in the body or the query), or the shared unreadable account.
 */
export function accountsOf(field: FieldLocator, query: URLSearchParams | undefined, body: RateLimitBody | undefined): string[] {
  let values: string[];
  if (field.form !== undefined) values = fieldValues(phpFieldName(field.form).toLowerCase(), query, body);
  else if (field.json !== undefined) values = stringsOf(jsonPath(body?.json, field.json));
  else values = [];
  const distinct = [...new Set(values.map((v) => v.slice(0, MAX_ACCOUNT_CHARS)))];
  if (distinct.length === 0) return body?.unreadable ? [UNREADABLE] : [];
  // The first and the last value always (the ones frameworks and PHP take), then the others up to the cap.
  if (distinct.length <= MAX_ACCOUNTS) return distinct;
  return [distinct[0]!, distinct[distinct.length - 1]!, ...distinct.slice(1, MAX_ACCOUNTS - 1)];
}

/** Body types whose fields a site reads as request parameters. */
const FIELD_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data|application\/json|application\/[^\s/]+\+json)$/i;

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A raw body's fields (the proxy's case): urlencoded, multipart and JSON are read; anything else is unreadable. */
export function rawRateLimitBody(contentType: string | undefined, contentEncoding: string | undefined, body: Buffer): RateLimitBody {
  if (body.length === 0) return {};
  if (contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== 'identity') return { unreadable: true };
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  // A type PHP reads otherwise (`multipart/form-data, x`) is not read here either.
  if (ct !== phpMediaType(contentType)) return { unreadable: true };
  const charset = /;\s*charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && !['utf-8', 'utf8', 'us-ascii'].includes(charset)) return { unreadable: true };
  if (ct === 'multipart/form-data') {
    const form = parseMultipartFields(contentType ?? '', body);
    return form ? { form } : { unreadable: true };
  }
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return { unreadable: true };
  }
  if (ct === 'application/x-www-form-urlencoded') return { form: new URLSearchParams(text) };
  if (ct === 'application/json' || ct.endsWith('+json')) {
    try {
      return { json: JSON.parse(text) as unknown };
    } catch {
      return { unreadable: true };
    }
  }
  return { unreadable: true };
}

/**
 * A body a framework already parsed (the adapters' case): an object's fields; a body left raw
 * (a string or bytes: no parser for its type) is unreadable; none, nothing to read.
 */
export function parsedRateLimitBody(parsed: unknown): RateLimitBody {
  if (typeof parsed === 'string' || parsed instanceof Uint8Array) return parsed.length ? { unreadable: true } : {};
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return { json: parsed };
}

interface Counted {
  readonly route: RateLimitRoute;
  /** 'source', or the account's hash. */
  readonly who: 'source' | { readonly user: string };
  readonly limit: number;
  readonly windowMs: number;
  readonly current: string;
  readonly previous: string;
  readonly note: string;
  readonly fraction: number;
}

/** The RateLimit headers of both phases of one request ('body' lists every policy 'head' did, and more). */
export function mergeRateLimitHeaders(head: Readonly<Record<string, string>>, body: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...head, ...body };
  if (head['ratelimit'] !== undefined && body['ratelimit'] !== undefined) out['ratelimit'] = `${head['ratelimit']}, ${body['ratelimit']}`;
  return out;
}

/** The sliding count: this window's requests and the share of the last window's still inside it. */
function estimate(cur: number, prev: number, fraction: number): number {
  return cur + prev * (1 - fraction);
}

/**
 * Milliseconds until one more request fits under `limit`, with `cur` requests in this window
 * (this one taken back) and `prev` in the last, `fraction` of this window gone.
 */
export function msUntilRoom(limit: number, cur: number, prev: number, fraction: number, windowMs: number): number {
  const left = 1 - fraction;
  if (estimate(cur, prev, fraction) + 1 <= limit) return 0;
  // Within this window, as the last window's share fades.
  if (prev > 0 && cur + 1 <= limit) {
    const wait = left - (limit - cur - 1) / prev;
    if (wait <= left) return Math.max(0, wait) * windowMs;
  }
  // In the next window, where this window's count is the fading share.
  const next = cur > 0 ? Math.max(0, 1 - (limit - 1) / cur) : 0;
  return (left + next) * windowMs;
}

export class RateLimiter {
  readonly routes: readonly RateLimitRoute[];
  readonly #d: RateLimiterDeps;
  readonly #hasher: StringHasher;

  constructor(configs: readonly RateLimitConfig[], deps: RateLimiterDeps) {
    const seen = new Set<string>();
    this.routes = Object.freeze(configs.map((c, i) => compileRoute(c, i, seen)));
    this.#d = deps;
    this.#hasher = new StringHasher(hmac(deps.secret, 'mamori-rate-limit-v1'), 1024);
  }

  /** The limits whose paths and methods a request to `url` falls under (before the query filter). */
  match(method: string, url: string): readonly RateLimitRoute[] {
    if (this.routes.length === 0) return NONE;
    const views = policyPathViews(urlPath(url));
    const m = typeof method === 'string' ? method.toUpperCase() : '';
    const out = this.routes.filter((r) => (!r.methods || r.methods.has(m)) && r.paths.some((p) => views.some((v) => p(v))));
    return out.length ? out : NONE;
  }

  /**
   * Whether checking these limits needs the request's body: a per-account limit, or a query
   * filter the query string alone does not meet while the body is of a type with fields that
   * may name the value (an upload of another type is not held for a filter it cannot meet).
   */
  needsBody(routes: readonly RateLimitRoute[], url: string, contentType: string | undefined): boolean {
    if (routes.length === 0) return false;
    const query = new URLSearchParams(urlQuery(url).slice(1));
    // The type as PHP reads it (cut at ; , or a space), which is also the widest reading.
    const fields = FIELD_TYPES.test(phpMediaType(contentType)) || FIELD_TYPES.test((contentType ?? '').split(';')[0]!.trim());
    return routes.some((r) => r.perAccount !== undefined || (fields && r.query !== undefined && !this.#filterMatches(r, query, undefined)));
  }

  #filterMatches(r: RateLimitRoute, query: URLSearchParams, body: RateLimitBody | undefined): boolean {
    if (!r.query) return true;
    // A body mamori cannot read may name the value: it is held to the limit (fail closed).
    if (body?.unreadable) return true;
    for (const [name, values] of r.query) {
      if (fieldValues(name, query, body).some((v) => values.has(v.toLowerCase()))) return true;
    }
    return false;
  }

  /**
   * Counts a request against the limits it falls under. `phase` says what is known of it:
   * 'head' (before the body: per-source counts of the limits the query string alone selects),
   * 'body' (after it, with `body`: the per-account counts, and the per-source counts 'head' left
   * to it), or 'all' (the adapters, with the parsed body: everything at once).
   */
  async check(req: RequestInfo, url: string, routes: readonly RateLimitRoute[], body?: RateLimitBody, phase: 'head' | 'body' | 'all' = 'all'): Promise<RateLimitResult> {
    if (routes.length === 0) return ALLOWED;
    const now = this.#d.clock.now();
    const query = new URLSearchParams(urlQuery(url).slice(1));
    const counted: Counted[] = [];
    const policies: string[] = [];
    let source: string | undefined;
    for (const r of routes) {
      const byQuery = this.#filterMatches(r, query, undefined);
      if (!byQuery && (phase === 'head' || !this.#filterMatches(r, query, body))) continue;
      if (r.headers) policies.push(...r.policyItems);
      if (r.perSource && (phase === 'all' || (phase === 'head') === byQuery)) {
        source ??= req.rateLimitKey !== undefined ? `k\u0000${boundedKey(req.rateLimitKey)}` : sourceKey(req.ip, this.#d.grouping);
        counted.push(this.#counted(r, 'source', `s\u0000${source}`, r.perSource, now));
      }
      if (r.perAccount && phase !== 'head') {
        for (const account of accountsOf(r.perAccount.field, query, body)) {
          const user = account === UNREADABLE ? 'unreadable' : this.#d.userHash(account);
          counted.push(this.#counted(r, { user }, `a\u0000${user}`, r.perAccount, now));
        }
      }
    }
    if (counted.length === 0) return policies.length ? { verdict: ALLOWED.verdict, headers: { 'ratelimit-policy': policies.join(', ') } } : ALLOWED;
    const ops: CounterOp[] = counted.map((c) => ({ key: c.current, ttlMs: 2 * c.windowMs }));
    const prevKeys = counted.map((c) => c.previous);
    const values = (await Promise.all([this.#d.store.increment(ops), this.#d.store.read(prevKeys)])).flat();
    const n = counted.length;
    let refusal: { c: Counted; count: number; retryMs: number } | undefined;
    const status: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = counted[i]!;
      const cur = values[i]!;
      const prev = values[n + i]!;
      const est = estimate(cur, prev, c.fraction);
      const over = est > c.limit;
      if (over) {
        const retryMs = msUntilRoom(c.limit, c.route.detect ? cur : cur - 1, prev, c.fraction, c.windowMs);
        // An enforced refusal beats a detect-only one; among equals, the longest wait.
        if (!refusal || (refusal.c.route.detect && !c.route.detect) || (refusal.c.route.detect === c.route.detect && retryMs > refusal.retryMs)) {
          refusal = { c, count: Math.ceil(est), retryMs };
        }
      }
      if (c.route.headers && (c.who === 'source' || over)) {
        const name = c.who === 'source' ? c.route.name : `${c.route.name}.account`;
        const r = Math.max(0, Math.floor(c.limit - est));
        const t = over ? seconds(msUntilRoom(c.limit, cur - 1, prev, c.fraction, c.windowMs)) : seconds((1 - c.fraction) * c.windowMs);
        status.push(`"${name}";r=${r};t=${t}`);
      }
    }
    const headers: Record<string, string> = {};
    if (policies.length) headers['ratelimit-policy'] = policies.join(', ');
    if (status.length) headers['ratelimit'] = status.join(', ');
    if (!refusal) return { verdict: ALLOWED.verdict, headers };
    const enforced = !refusal.c.route.detect;
    // The refused request did not happen: its counts are taken back (a detect-only refusal let it through).
    if (enforced) {
      const back = ops.map((op) => ({ key: op.key, by: -1, ttlMs: op.ttlMs }));
      await this.#d.store.increment(back);
    }
    const { c } = refusal;
    const retryAfter = seconds(refusal.retryMs);
    const verdict: Verdict = {
      action: c.route.action,
      reason: `rate limit "${c.route.name}" (per ${c.who === 'source' ? 'source' : 'account'}): more than ${c.limit} requests in ${seconds(c.windowMs)} s`,
      ruleId: `rate-limit:${c.route.name}`,
      retryAfter,
      status: 429,
      ...(enforced ? {} : { detectOnly: true }),
    };
    await this.#report(req, refusal.c, refusal.count, verdict, now);
    return { verdict, headers };
  }

  #counted(route: RateLimitRoute, who: Counted['who'], id: string, limit: { limit: number; windowMs: number }, now: number): Counted {
    const bucket = Math.floor(now / limit.windowMs);
    const key = (b: number, kind: number): string => {
      const w = this.#hasher.words(`${route.index}\u0000${route.name}\u0000${id}\u0000${b}`);
      return idKey(NS, kind, w[0]! | 0, w[1]! | 0);
    };
    return {
      route,
      who,
      limit: limit.limit,
      windowMs: limit.windowMs,
      current: key(bucket, K_COUNT),
      previous: key(bucket - 1, K_COUNT),
      note: key(bucket, K_NOTE),
      fraction: (now - bucket * limit.windowMs) / limit.windowMs,
    };
  }

  /** One event per limit, source or account, and window: a flood of refusals is not a flood of events. */
  async #report(req: RequestInfo, c: Counted, count: number, v: Verdict, now: number): Promise<void> {
    if (!(await this.#d.store.claim(c.note, c.windowMs))) return;
    const e: SecurityEvent = {
      '@timestamp': new Date(now).toISOString(),
      'event.action': 'rate-limited',
      'event.category': 'web',
      'event.module': 'guard.rate-limit',
      'event.outcome': 'failure',
      'event.severity': 50,
      'event.reason': v.reason,
      'source.ip': req.ip,
      'url.path': req.path,
      'http.request.method': req.method,
      'rule.id': v.ruleId,
      'rule.name': c.route.name,
      'mamori.decision.action': v.action,
      'mamori.count': count,
    };
    if (c.who !== 'source') e['user.id'] = c.who.user;
    if (v.detectOnly) e['mamori.detect_only'] = true;
    this.#d.events.emit(e);
  }
}

/** A caller's rate-limit key as stored: itself when short, else its SHA-256 (a key's size is the caller's, not ours). */
function boundedKey(key: string): string {
  const k = String(key);
  return k.length <= 128 ? k : createHash('sha256').update(k).digest('base64url');
}
