/**
 * The WAF in mamori: one transaction per request through the loaded rules (setup, CRS, own
 * pack, user rules), run by the proxy and the adapters phase by phase; a refused or matched
 * request becomes a SecurityEvent and a line of the JSON audit log, with secrets masked; a
 * source that keeps tripping rules gets a block decision for a while.
 */
import { appendFile, rename, stat } from 'node:fs/promises';
import { existsSync, mkdirSync } from 'node:fs';
import { LARGE_BODY_BYTES } from '../proxy/limits.js';
import { dirname, join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { EventBus, SecurityEvent } from '../core/events.js';
import { sourceKey, type SourceGrouping } from '../core/net.js';
import type { Store } from '../core/store.js';
import type { WafConfig } from '../config/config.js';
import type { Interruption, MatchedRule, Transaction } from '../waf/engine/transaction.js';
import { loadProductWaf, type LoadedProductWaf } from '../waf/product.js';
import { formatCrsSearch, locateCrs, type CrsSearch } from '../waf/crs-locate.js';
import { MamoriError } from '../core/errors.js';
import { loadWaf, type Waf, type WafRequest } from '../waf/index.js';
import type { RequestInfo, Verdict } from './verdict.js';
import { maskMatched, maskTarget, maskText, printable } from './waf-mask.js';
import { secretValues, type SecretValues } from './waf-secret-values.js';

/** What an adapter knows of the request beyond RequestInfo: the target and headers as sent. */
export interface WafRequestParts {
  /** The request target as sent (path and query, or absolute form). */
  readonly uri: string;
  /** `HTTP/1.1` */
  readonly protocol: string;
  /** Header fields in order, repeats kept, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
  readonly remotePort?: number;
  readonly serverAddr?: string;
  readonly serverPort?: number;
}

export interface WafGuardDeps {
  readonly store: Store;
  readonly events: EventBus;
  readonly clock: Clock;
  readonly grouping: SourceGrouping;
  /** Names of fields holding passwords (the login endpoints'), masked like the usual ones. */
  readonly secretFields: readonly string[];
  readonly onError: (err: unknown) => void;
  /** Rules to run instead of those the config names (tools: `mamori waf test --http` runs CRS's test setup). */
  readonly rules?: { readonly text: string; readonly file: string; readonly sqliDataDir?: string | undefined } | undefined;
  /** Called with each finished transaction (tools and tests). */
  readonly onTransaction?: ((x: WafExchange, status: number) => void) | undefined;
  /** The machine's monotonic time in ms, for the process-wide second of rule time (default performance.now; tests). */
  readonly cpuClock?: (() => number) | undefined;
}

const ORIGIN = 'guard.waf';
/** Where the total scores are: CRS 4's, CRS 3's, then mamori's pack deciding on its own. */
const INBOUND_SCORES = ['blocking_inbound_anomaly_score', 'inbound_anomaly_score', 'mamori_inbound_score'];
const OUTBOUND_SCORES = ['blocking_outbound_anomaly_score', 'outbound_anomaly_score'];

/** The first of `names` the transaction set, as a number; undefined when none is above 0. */
function score(tx: Transaction, names: readonly string[]): number | undefined {
  for (const n of names) {
    const v = Number(tx.tx.get(n)[0]?.value ?? 0);
    if (v > 0) return v;
  }
  return undefined;
}

/** At most this many lines wait for the audit log; more are dropped and counted. */
const AUDIT_QUEUE = 10_000;
/** The audit log is moved aside (to `.1`) past this size. */
const AUDIT_ROTATE_BYTES = 100 * 1024 * 1024;
/** Matches written per event and audit line. */
const MAX_MATCHES = 20;

/**
 * The CRS the config names: `off`; a directory (which must hold CRS 4: a wrong path is an error,
 * never replaced by another CRS); or `auto`, the first of MAMORI_CRS_DIR, data_dir/crs/current
 * (where `mamori rules fetch crs` puts it), Debian's modsecurity-crs and unpacked releases.
 */
export function findCrs(config: WafConfig, dataDir: string): CrsSearch {
  if (config.crs === 'off') return { crs: undefined, looked: [] };
  const search = locateCrs({ path: config.crs === 'auto' ? undefined : config.crs, dataDir });
  if (!search.crs && config.crs !== 'auto') throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `waf.crs: ${formatCrsSearch(search)}`);
  return search;
}

/** Rule time a second, all sources together, past which costly requests are shed (one thread has 1,000 ms). */
const SHED_MS_PER_SECOND = 750;

/** A request head at most this large (target and header fields) is inspected even past the source's budget. */
const LIGHT_HEAD_BYTES = 4096;

/** The bytes of a request's target and header fields, about. */
function headSize(parts: WafRequestParts): number {
  let n = parts.uri.length;
  for (const [k, v] of parts.headers) n += k.length + v.length + 4;
  return n;
}

/** Builds a transaction's request from an adapter's parts. */
export function wafRequest(req: RequestInfo, parts: WafRequestParts, body: Buffer | undefined): WafRequest {
  return {
    method: req.method,
    uri: parts.uri,
    protocol: parts.protocol,
    headers: parts.headers,
    body,
    remoteAddr: req.ip,
    remotePort: parts.remotePort ?? 0,
    serverAddr: parts.serverAddr ?? '',
    serverPort: parts.serverPort ?? 0,
  };
}

/** The parts of node:http's IncomingMessage the WAF reads (structurally, for adapters that do not import node:http). */
export interface NodeRequestLike {
  readonly url?: string | undefined;
  readonly httpVersion?: string | undefined;
  readonly rawHeaders?: readonly string[] | undefined;
  readonly socket?: { readonly remotePort?: number | undefined; readonly localAddress?: string | undefined; readonly localPort?: number | undefined } | null | undefined;
}

/**
 * What the WAF reads of a node request beyond RequestInfo: the target and header fields as
 * sent (rawHeaders: order, case and repeats kept; HTTP/2's pseudo-headers, which are the request
 * line, left out), the version and the socket's ends. `url`: the target when the request has none.
 */
export function nodeRequestParts(m: NodeRequestLike, url = '/'): WafRequestParts {
  const raw = m.rawHeaders ?? [];
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!raw[i]!.startsWith(':')) headers.push([raw[i]!, raw[i + 1]!]);
  return {
    uri: m.url ?? url,
    protocol: `HTTP/${m.httpVersion ?? '1.1'}`,
    headers,
    remotePort: m.socket?.remotePort ?? 0,
    serverAddr: m.socket?.localAddress ?? '',
    serverPort: m.socket?.localPort ?? 0,
  };
}

/** Whether a request announces a body (a Content-Length above 0, or chunked framing). */
export function announcesBody(headers: RequestInfo['headers']): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const cl = headers['content-length'];
  const v = Array.isArray(cl) ? cl[0] : cl;
  return v !== undefined && v !== '' && v !== '0';
}

/**
 * Bytes of request bodies held for the WAF at once, by every request of a process together and
 * by each source (as sources are grouped): the adapters and the handler read a body whole before
 * the app gets it, and without a bound, many slow bodies would hold memory without end.
 */
/**
 * Where `mamori rules fetch libinjection` put libinjection's data (<data_dir>/libinjection), when it
 * did and MAMORI_LIBINJECTION_DIR does not say otherwise; else undefined (the engine's default).
 */
function fetchedSqliData(dataDir: string): string | undefined {
  if (process.env.MAMORI_LIBINJECTION_DIR) return undefined;
  const dir = join(dataDir, 'libinjection');
  return existsSync(join(dir, 'src', 'sqlparse_data.json')) ? dir : undefined;
}


export class BodyPool {
  total = 0;
  /** Bytes of bodies past LARGE_BODY_BYTES. */
  large = 0;
  readonly #bySource = new Map<string, number>();
  readonly maxTotal: number;
  readonly maxPerSource: number;
  readonly #grouping: SourceGrouping;

  constructor(maxTotal: number, maxPerSource: number, grouping: SourceGrouping) {
    this.maxTotal = maxTotal;
    this.maxPerSource = maxPerSource;
    this.#grouping = grouping;
  }

  /**
   * Counts `n` more bytes held for a source, `body` the bytes of this body held so far (these
   * included): 429 past its share, 503 past the total, or, for a large body, past half of it (or
   * one body at the limit, when that is more): stalled uploads cannot take the room forms need.
   */
  take(ip: string, n: number, body = n): 429 | 503 | undefined {
    const key = sourceKey(ip, this.#grouping);
    const mine = (this.#bySource.get(key) ?? 0) + n;
    this.#bySource.set(key, mine);
    this.total += n;
    if (body > LARGE_BODY_BYTES) this.large += body - n > LARGE_BODY_BYTES ? n : body;
    if (mine > this.maxPerSource) return 429;
    if (this.total > this.maxTotal) return 503;
    if (body > LARGE_BODY_BYTES && this.large > Math.max(this.maxTotal / 2, this.maxPerSource)) return 503;
    return undefined;
  }

  /** Gives back the `n` bytes one body took for a source (all of them, once, when it is done). */
  give(ip: string, n: number): void {
    if (n <= 0) return;
    if (n > LARGE_BODY_BYTES) this.large -= n;
    const key = sourceKey(ip, this.#grouping);
    const left = (this.#bySource.get(key) ?? 0) - n;
    if (left > 0) this.#bySource.set(key, left);
    else this.#bySource.delete(key);
    this.total -= n;
  }
}

export class WafGuard {
  readonly config: WafConfig;
  readonly loaded: LoadedProductWaf;
  /** Where CRS was looked for, and found or not. */
  readonly crsSearch: CrsSearch;
  readonly waf: Waf;
  readonly #d: WafGuardDeps;
  readonly #secretFields: ReadonlySet<string>;
  readonly #audit: AuditLog | undefined;
  /** What the adapters and the handler may hold of bodies at once (the proxy has its own). */
  readonly bodies: BodyPool;

  constructor(config: WafConfig, dataDir: string, deps: WafGuardDeps) {
    this.config = config;
    this.#d = deps;
    this.#cpuNow = deps.cpuClock ?? (() => performance.now());
    this.#secretFields = new Set(deps.secretFields.map((s) => s.toLowerCase()));
    this.crsSearch = deps.rules ? { crs: undefined, looked: [] } : findCrs(config, dataDir);
    this.loaded = deps.rules
      ? { waf: loadWaf({ text: deps.rules.text, file: deps.rules.file, sqliDataDir: deps.rules.sqliDataDir }), crs: undefined, ownRules: undefined, warnings: [] }
      : loadProductWaf({
      mode: config.mode,
      crs: this.crsSearch.crs,
      ownRules: config.ownRules,
      ruleFiles: config.rules,
      paranoia: config.paranoia,
      inboundThreshold: config.inboundThreshold,
      outboundThreshold: config.outboundThreshold,
      requestBodyLimit: config.requestBodyLimit,
      requestBodyNoFilesLimit: config.requestBodyNoFilesLimit,
      maxArguments: config.maxArguments,
      responseBody: config.responseBody,
      strict: config.strict,
      exclusions: config.exclusions,
      crsSettings: config.crsSettings,
      sqliDataDir: config.libinjection ?? fetchedSqliData(dataDir),
    });
    this.waf = this.loaded.waf;
    // One source: a body at the limit; all together: eight such bodies, 64 MiB at least.
    this.bodies = new BodyPool(Math.max(64 * 1024 * 1024, 8 * config.requestBodyLimit), config.requestBodyLimit, deps.grouping);
    this.#audit = config.auditLog ? new AuditLog(config.auditLog, deps.onError) : undefined;
  }

  /** The largest response body phase 4 reads (SecResponseBodyLimit as the setup leaves it). */
  get responseBodyLimit(): number {
    return this.waf.rules.policy.bodyLimits.responseBody;
  }

  /** The largest request body the WAF reads; the proxy reads up to this much before forwarding. */
  get bodyLimit(): number {
    return this.config.requestBodyLimit;
  }

  /** A transaction for one request; the caller runs its phases through the returned exchange. */
  begin(req: RequestInfo, parts: WafRequestParts): WafExchange {
    return new WafExchange(this, req, parts);
  }

  /**
   * Time spent on a source's requests (the rules run synchronously: wall time is CPU time), in
   * a fixed window per source; a source past `cpuBudget` waits for the next window. One
   * process's count, kept for the 10,000 most recent sources.
   */
  readonly #spent = new Map<string, { ms: number; since: number }>();

  /** Whether the source may have its request inspected now (within its budget). */
  withinBudget(ip: string): boolean {
    const b = this.config.cpuBudget;
    if (b.ms <= 0) return true;
    const e = this.#spent.get(sourceKey(ip, this.#d.grouping));
    return !e || e.ms < b.ms || this.#d.clock.now() - e.since >= b.windowMs;
  }

  /**
   * Rule time spent by all sources in the current second (see overloaded). The second is the
   * machine's (a monotonic clock), not the guard's: rule time is CPU time, spent now, even when
   * the guard runs on a simulated clock (tests, replays) that does not move.
   */
  #second = { start: -Infinity, ms: 0 };
  readonly #cpuNow: () => number;

  /**
   * Whether the rules have spent more than SHED_MS_PER_SECOND of the current second: many
   * sources, each within its budget, can still fill the process's one thread. Then requests
   * that cost the rules time (a body, a large head) are shed with 503 until the next second,
   * so that page views keep their latency.
   */
  overloaded(): boolean {
    if (this.config.cpuBudget.ms <= 0) return false;
    return this.#cpuNow() - this.#second.start < 1000 && this.#second.ms > SHED_MS_PER_SECOND;
  }

  /** Charges time spent on a request to its source. */
  charge(ip: string, ms: number): void {
    const b = this.config.cpuBudget;
    if (b.ms <= 0) return;
    const at = this.#cpuNow();
    if (at - this.#second.start >= 1000) this.#second = { start: at, ms: 0 };
    this.#second.ms += ms;
    const key = sourceKey(ip, this.#d.grouping);
    const now = this.#d.clock.now();
    const e = this.#spent.get(key);
    if (e && now - e.since < b.windowMs) {
      e.ms += ms;
      return;
    }
    if (e) this.#spent.delete(key);
    else if (this.#spent.size >= 10_000) this.#spent.delete(this.#spent.keys().next().value!);
    this.#spent.set(key, { ms, since: now });
  }

  /** A verdict for an interruption, in mamori's terms. */
  verdict(it: Interruption, tx: Transaction): Verdict {
    const rule = tx.matched.find((m) => m.id === it.ruleId);
    const v: Verdict = {
      action: 'block',
      reason: it.ruleId === 0 ? `WAF: ${it.reason ?? 'request refused'}` : `WAF rule ${it.ruleId}${rule?.msg ? `: ${rule.msg}` : ''}`,
      ruleId: `waf:${it.ruleId}`,
      status: it.status >= 400 && it.status <= 599 ? it.status : 403,
    };
    return this.config.mode === 'detect' ? { ...v, detectOnly: true } : v;
  }

  /** Phase 5 done: the event, the audit line and the source's trips. */
  finish(x: WafExchange, status: number): void {
    if (this.#d.onTransaction) {
      try {
        this.#d.onTransaction(x, status);
      } catch (err) {
        this.#d.onError(err);
      }
    }
    const tx = x.tx;
    const logged = tx.matched.filter((m) => m.logged);
    if (logged.length === 0 && !x.interruption) return;
    const now = this.#d.clock.now();
    const blocked = x.interruption !== undefined;
    const enforced = blocked && this.config.mode === 'enforce';
    // What the request carries under secret names, hidden wherever it shows up in what is written.
    const secrets = secretValues(tx.vars, x.parts.uri, this.#secretFields);
    const matches = logged.slice(0, MAX_MATCHES).map((m) => this.#maskedMatch(m, secrets));
    if (blocked) {
      const e: SecurityEvent = {
        '@timestamp': new Date(now).toISOString(),
        'event.action': 'waf-blocked',
        'event.category': 'intrusion_detection',
        'event.module': 'guard.waf',
        'event.outcome': 'failure',
        'event.severity': 73,
        'event.reason': maskText(x.verdict?.reason ?? 'WAF rule matched', this.#secretFields, 512, secrets),
        'source.ip': x.req.ip,
        'url.path': maskTarget(x.req.path, this.#secretFields, 512, secrets),
        'http.request.method': x.req.method,
        'http.response.status_code': status,
        'rule.id': String(x.interruption!.ruleId),
        'mamori.waf.rules': matches.map((m) => `${m.id} ${m.msg}`).join('; '),
        'mamori.waf.matched': matches
          .filter((m) => m.target !== '')
          .slice(0, 5)
          .map((m) => `${m.target}=${m.data}`)
          .join('; '),
        'mamori.waf.transaction': tx.vars.get('UNIQUE_ID')?.entries[0]?.value ?? '',
      };
      if (!enforced) e['mamori.detect_only'] = true;
      const ua = x.req.headers['user-agent'];
      if (typeof ua === 'string') e['user_agent.original'] = maskText(ua, this.#secretFields, 512, secrets);
      this.#d.events.emit(e);
    }
    this.#audit?.write({
      time: new Date(now).toISOString(),
      transaction: tx.vars.get('UNIQUE_ID')?.entries[0]?.value ?? '',
      client: x.req.ip,
      method: x.req.method,
      uri: maskTarget(x.parts.uri, this.#secretFields, 1024, secrets),
      status,
      action: enforced ? 'blocked' : blocked ? 'would-block' : 'matched',
      interrupting_rule: x.interruption?.ruleId,
      anomaly: { inbound: score(tx, INBOUND_SCORES), outbound: score(tx, OUTBOUND_SCORES) },
      matched: matches,
      more: logged.length > MAX_MATCHES ? logged.length - MAX_MATCHES : undefined,
    });
    // A source out of inspection time did nothing wrong by asking again (an office behind one
    // address): only what a rule refused counts towards its block.
    if (enforced && x.interruption!.ruleId > 0) void this.#trip(x.req).catch((err) => this.#d.onError(err));
  }

  /**
   * A request the proxy refused before any rule ran, for its shape (a dot segment, a fragment,
   * a target that is not a path): the exploit shapes of path-traversal advisories. Recorded as
   * the WAF records what it refuses, and counted against the source, so that a scanner sending
   * only such shapes is seen and blocked like any other.
   */
  refusedByProxy(req: RequestInfo, uri: string, status: number, reason: string): void {
    const now = this.#d.clock.now();
    this.#d.events.emit({
      '@timestamp': new Date(now).toISOString(),
      'event.action': 'waf-blocked',
      'event.category': 'intrusion_detection',
      'event.module': 'proxy',
      'event.outcome': 'failure',
      'event.severity': 73,
      'event.reason': printable(`refused before the rules: ${reason}`),
      'source.ip': req.ip,
      'url.path': maskTarget(req.path, this.#secretFields, 512),
      'http.request.method': printable(req.method.slice(0, 32)),
      'http.response.status_code': status,
      'rule.id': 'proxy.request-shape',
    });
    this.#audit?.write({ time: new Date(now).toISOString(), client: req.ip, method: printable(req.method.slice(0, 32)), uri: maskTarget(uri, this.#secretFields), status, action: 'refused-by-proxy', reason });
    if (this.config.mode === 'enforce') void this.#trip(req).catch((err) => this.#d.onError(err));
  }

  #maskedMatch(m: MatchedRule, secrets: SecretValues) {
    return {
      id: m.id,
      phase: m.phase,
      // A message may quote what it matched (%{MATCHED_VAR}).
      msg: maskText(m.msg, this.#secretFields, 256, secrets),
      severity: m.severity,
      target: printable(m.matchedName.slice(0, 256)),
      data: maskMatched(m.matchedName, m.matchedValue, this.#secretFields, 256, secrets),
      tags: m.tags.slice(0, 10),
    };
  }

  /** A refused request counts against its source; past `block.afterTrips` in the window, a block decision. */
  async #trip(req: RequestInfo): Promise<void> {
    const b = this.config.block;
    if (b.afterTrips <= 0) return;
    const src = sourceKey(req.ip, this.#d.grouping);
    if (src === 'invalid') return;
    const [n] = await this.#d.store.increment([{ key: `waf\u0000${src}`, ttlMs: b.windowMs }]);
    if (n !== b.afterTrips) return;
    const ranged = src.includes('/');
    const reason = `kept tripping WAF rules (${n} refused requests within ${Math.round(b.windowMs / 60_000)} min)`;
    const d = await this.#d.store.decisions.add({ action: 'block', scope: ranged ? 'range' : 'ip', value: src, expiresAt: this.#d.clock.now() + b.forMs, origin: ORIGIN, reason });
    this.#d.events.emit({
      '@timestamp': new Date(this.#d.clock.now()).toISOString(),
      'event.action': 'waf-source-blocked',
      'event.category': 'intrusion_detection',
      'event.module': 'guard.waf',
      'event.outcome': 'failure',
      'event.severity': 73,
      'event.reason': reason,
      'source.ip': req.ip,
      'rule.id': 'waf.trips',
      'mamori.decision.id': d.id,
      'mamori.decision.action': 'block',
      'mamori.count': n,
    });
  }

  async close(): Promise<void> {
    await this.#audit?.flush();
  }
}

/** One request's WAF transaction, run phase by phase by the proxy or an adapter. */
export class WafExchange {
  readonly tx: Transaction;
  readonly req: RequestInfo;
  readonly parts: WafRequestParts;
  interruption: Interruption | undefined;
  verdict: Verdict | undefined;
  readonly #g: WafGuard;
  #finished = false;

  constructor(g: WafGuard, req: RequestInfo, parts: WafRequestParts) {
    this.#g = g;
    this.req = req;
    this.parts = parts;
    this.tx = g.waf.transaction(wafRequest(req, parts, undefined));
  }

  /** A refusal of mamori's own, before or instead of the rules (no rule id: never a trip); detect-only in detect mode. */
  #refuse(status: number, reason: string, ruleId: string, retryAfter?: number): Verdict {
    this.interruption = { ruleId: 0, action: 'deny', status, reason };
    const v: Verdict = { action: 'block', reason: `WAF: ${reason}`, ruleId, status, ...(retryAfter !== undefined ? { retryAfter } : {}) };
    this.verdict = this.#g.config.mode === 'detect' ? { ...v, detectOnly: true } : v;
    return this.verdict;
  }

  /** Runs a phase, charging its time to the source. */
  #timed(run: () => Interruption | undefined): Verdict | undefined {
    const t0 = performance.now();
    try {
      return this.#stop(run());
    } finally {
      this.#g.charge(this.req.ip, performance.now() - t0);
    }
  }

  #stop(it: Interruption | undefined): Verdict | undefined {
    if (!it) return undefined;
    this.interruption = it;
    this.verdict = this.#g.verdict(it, this.tx);
    return this.verdict;
  }

  /** Phase 1. A verdict when a rule refuses the request (detect-only in detect mode). */
  head(): Verdict | undefined {
    // A source past its budget still gets plain requests (a small head, no body) inspected: one
    // heavy user behind a shared address must not turn the others' page views into 429s. What
    // costs the rules time, a body or a large head, waits for the window to end.
    const heavy = announcesBody(this.req.headers) || headSize(this.parts) > LIGHT_HEAD_BYTES;
    return (heavy ? this.#overBudget() : undefined) ?? this.#timed(() => this.tx.processRequestHeaders());
  }

  /** A refusal when the source has used up its inspection time, or all sources the process's (checked before each request phase). */
  #overBudget(): Verdict | undefined {
    if (!this.#g.withinBudget(this.req.ip)) {
      // The source has had its share of the rules' time: it waits, rather than pin a core.
      return this.#refuse(429, 'the source used up its inspection time (waf.cpu_budget)', 'waf:cpu-budget', Math.ceil(this.#g.config.cpuBudget.windowMs / 1000));
    }
    if (this.#g.overloaded()) {
      return this.#refuse(503, 'the rules have no time left this second for a request this costly (load shed)', 'waf:overload', 1);
    }
    return undefined;
  }

  /** Phase 2, with the body as the upstream will receive it (undefined when there is none). */
  body(body: Buffer | undefined): Verdict | undefined {
    if (this.interruption) return this.verdict;
    // Requests sent together all pass the check on their heads before any has been charged.
    if (body !== undefined && body.length > 0) {
      const over = this.#overBudget();
      if (over) return over;
    }
    if (body !== undefined && body.length > 0) {
      const enc = this.req.headers['content-encoding'];
      const e = (typeof enc === 'string' ? enc : (enc ?? []).join(',')).trim().toLowerCase();
      // A compressed body is read by some upstreams and not by the WAF: refuse what it cannot read.
      if (e !== '' && e !== 'identity' && this.#g.config.strict) {
        return this.#refuse(415, 'request body compressed (Content-Encoding): the WAF cannot read it as the upstream may', 'waf:body-encoding');
      }
      (this.tx.request as { body: Buffer | undefined }).body = body;
    }
    return this.#timed(() => this.tx.processRequestBody());
  }

  /** Phase 3: the upstream's status and headers. */
  responseHead(status: number, headers: Record<string, string | string[] | undefined>, protocol = 'HTTP/1.1'): Verdict | undefined {
    if (this.interruption) return undefined;
    const pairs: [string, string][] = [];
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) pairs.push([k, x]);
      else pairs.push([k, v]);
    }
    return this.#timed(() => this.tx.processResponseHeaders(status, protocol, pairs));
  }

  /** Before the answer's head is read: whether phase 4 will want a body of this Content-Type. */
  wantsResponseBodyOf(contentType: string | string[] | undefined): boolean {
    const policy = this.tx.rules.policy;
    if (this.interruption || !policy.responseBodyAccess) return false;
    const ct = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
    return policy.responseBodyMimeTypes.includes(ct.split(';')[0]!.trim().toLowerCase());
  }

  /** Whether phase 4 wants the response body (after responseHead). */
  wantsResponseBody(): boolean {
    return !this.interruption && this.tx.wantsResponseBody();
  }

  /** Phase 4: the response body (undefined when it was too large to hold). */
  responseBody(body: Buffer | undefined): Verdict | undefined {
    if (this.interruption) return undefined;
    return this.#timed(() => this.tx.processResponseBody(body?.toString('latin1')));
  }

  /** Phase 5 and what follows from the transaction: once, whatever happened. */
  finish(status: number): void {
    if (this.#finished) return;
    this.#finished = true;
    try {
      this.tx.processLogging();
    } finally {
      this.#g.finish(this, status);
    }
  }
}

/** The JSON audit log: one line per transaction that matched a logging rule, written in batches. */
class AuditLog {
  readonly #path: string;
  readonly #onError: (err: unknown) => void;
  #queue: string[] = [];
  #dropped = 0;
  #writing: Promise<void> | undefined;
  #size = -1;

  constructor(path: string, onError: (err: unknown) => void) {
    this.#path = path;
    this.#onError = onError;
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      onError(err);
    }
  }

  write(entry: Record<string, unknown>): void {
    if (this.#queue.length >= AUDIT_QUEUE) {
      this.#dropped++;
      return;
    }
    this.#queue.push(JSON.stringify(entry));
    this.#writing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.#drain());
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length) {
        const lines = this.#queue;
        this.#queue = [];
        if (this.#dropped) {
          lines.push(JSON.stringify({ time: new Date().toISOString(), dropped: this.#dropped, note: 'audit lines dropped: the log was slower than the traffic' }));
          this.#dropped = 0;
        }
        const text = `${lines.join('\n')}\n`;
        if (this.#size < 0) this.#size = await stat(this.#path).then((s) => s.size, () => 0);
        if (this.#size + text.length > AUDIT_ROTATE_BYTES) {
          await rename(this.#path, `${this.#path}.1`).catch(() => undefined);
          this.#size = 0;
        }
        await appendFile(this.#path, text, { mode: 0o600 });
        this.#size += Buffer.byteLength(text);
      }
    } catch (err) {
      this.#queue = [];
      this.#onError(err);
    } finally {
      this.#writing = undefined;
    }
  }

  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }
}
