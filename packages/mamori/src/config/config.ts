/**
 * Loading mamori.yaml: parse (YAML), validate (the published JSON Schema),
 * then resolve into an immutable, fully-defaulted `MamoriConfig`. Every
 * problem names the file, line and column.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import { MamoriError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { DEFAULT_SCAN_FILE_TIMEOUT_MS } from '../core/defaults.js';
import { parseCidr } from '../core/net.js';
import { EVENT_ACTIONS } from '../core/events.js';
import type { MamoriYaml } from './yaml-types.js';
import { CHALLENGE_DEFAULTS } from '../guard/challenge.js';
import { crsSettingProblem, exclusionProblem as wafExclusionProblem } from '../waf/product.js';
import { CONFIG_SCHEMA } from './schema.js';
import { validateSchema, type SchemaProblem } from './validate.js';
import type { AccessRuleConfig } from '../guard/access-policy.js';
import { hasSuccessSign } from '../guard/login-endpoint.js';
import { expandPolicyPreset, expandPreset, presetScope } from './presets.js';
import type { UsernameNormalization } from '../guard/login.js';
import { CHECKOUT_DEFAULTS, type CheckoutPolicy } from '../checkout/checkout.js';
import type { SecondFactorReason } from '../guard/second-factor.js';
import { resolveWebAuthn, type WebAuthnConfig } from '../mfa/webauthn-config.js';

export type Mode = 'enforce' | 'detect';

export interface FieldLocator {
  form?: string;
  json?: string;
}

/**
 * Where a login carries its credentials: in the body's fields (a form or JSON), in the
 * `Authorization` header (HTTP Basic or Digest), or in XML-RPC calls (WordPress's xmlrpc.php).
 */
export type CredentialSource = 'body' | 'http-auth' | 'xmlrpc';

export interface LoginEndpointConfig {
  name: string;
  /** The HTTP method, or '*' for any (HTTP authentication). */
  method: string;
  /** The first of `paths`. */
  path: string;
  /**
   * Where the login is: exact paths (a script's path-info suffixes and a directory's index.php
   * included, see login-endpoint.ts) or whole subtrees (`/wp-json/*`, `*`).
   */
  paths?: string[];
  /** Whether `/login.php/anything` is the login too; undefined: yes for paths whose last segment has an extension. */
  pathInfo?: boolean | undefined;
  /** Default body. */
  credentials?: CredentialSource;
  /** The account name's field (credentials: body); empty for the other sources. */
  username: FieldLocator;
  /**
   * How the site tells accounts apart (`username.normalize`): a trusted-device cookie is
   * issued and honoured for the name in this form. Default exact.
   */
  usernameNormalize?: UsernameNormalization;
  password?: FieldLocator;
  /** credentials: xmlrpc: the positions of the account name and password among each method's params. */
  xmlrpc?: XmlRpcLoginConfig;
  failure: { status: number[]; redirectContains?: string; bodyContains?: string; faultCodes?: number[] };
  success: {
    status: number[];
    redirectContains?: string;
    setCookie?: string;
    /** A cookie (name prefix) whose value starts with the account the site logged in, up to `|`. */
    accountCookie?: string;
    /** Response headers (lower-case name to a substring) that must all show. */
    headers?: Record<string, string>;
  };
  /** Query parameter values that mark a request to this path as something other than a login. */
  exceptQuery: Record<string, string[]>;
  /** Fields a login may not carry (body or query): it is refused. */
  refuseFields?: string[];
  /**
   * The application whose accounts this login checks (`account_scope`): logins with the same
   * scope share their accounts' counts and trusted devices; another scope's account of the same
   * name is another account. Undefined: the unscoped accounts. Presets set their application.
   */
  accountScope?: string;
  /** The preset this endpoint came from, if any. */
  preset?: string;
}

export interface XmlRpcLoginConfig {
  /** Method name to [username position, password position]; [] for a method that carries no credentials. */
  methods: Record<string, number[]>;
  /** Positions for methods not listed; undefined: unlisted methods carry no credentials. */
  defaultParams: number[] | undefined;
}

/** A `rate_limits` entry (see guard/rate-limit.ts). */
export interface RateLimitConfig {
  name: string;
  paths: string[];
  methods?: string[];
  /** Only requests naming one of these values (query string or body field); none: every request to the paths. */
  query?: Record<string, string[]>;
  perSource?: { limit: number; windowMs: number };
  perAccount?: { field: FieldLocator; limit: number; windowMs: number };
  action: 'block' | 'challenge';
  /** RateLimit and RateLimit-Policy on the answers of matching requests. */
  headers: boolean;
  mode: Mode;
}

export interface LoginProtectionConfig {
  mode: Mode;
  userSource: { challengeAfter: number; blockAfter: number; windowMs: number; backoffBaseMs: number; backoffMaxMs: number };
  user: { challengeAfter: number; closeAfter: number; windowMs: number; closeForMs: number };
  source: { challengeAfterUsers: number; blockAfterUsers: number; windowMs: number; blockForMs: number };
  spraying: { challengeAfterUsers: number; blockAfterUsers: number; windowMs: number };
  site: { challengeAboveFailures: number; windowMs: number };
  /** Sources that keep failing after solving challenges, or ignore them (see LoginGuard.noteChallenge). */
  challenged: { blockAfterFailures: number; blockAfterIgnored: number; windowMs: number; blockForMs: number };
  trustedDevice: { enabled: boolean; ttlMs: number; cookie: string; maxFailuresPerDevice: number; maxFailuresPerAccount: number };
  notifyAfterFailures: number;
  /** Risk-based step-up for a site with its own second factor (guard/second-factor.ts); off when askOn is empty. */
  secondFactor: { askOn: SecondFactorReason[]; afterFailures: number };
}


/** A `waf.exclusions` entry: rules (or some of their targets) taken out on some routes. */
export interface WafExclusionConfig {
  name: string;
  paths: string[];
  methods: string[];
  ruleIds: { from: number; to: number }[];
  tags: string[];
  targets: string[];
  /** Only when each of these parameters is given once with one of the values (see WafExclusion.args). */
  args?: Record<string, string[]>;
}

/** The `waf` section (see docs/waf.md). */
export interface WafConfig {
  mode: Mode;
  /** `auto` (look for one: MAMORI_CRS_DIR, data_dir/crs/current, Debian's modsecurity-crs), `off`, or a directory. */
  crs: string;
  ownRules: boolean;
  rules: string[];
  paranoia: number;
  inboundThreshold: number;
  outboundThreshold: number;
  requestBodyLimit: number;
  requestBodyNoFilesLimit: number;
  maxArguments: number;
  responseBody: boolean;
  strict: boolean;
  libinjection?: string | undefined;
  /** CRS's own settings (tx.<name>=<value>), as crs-setup.conf sets them. */
  crsSettings: Record<string, string>;
  exclusions: WafExclusionConfig[];
  block: { afterTrips: number; windowMs: number; forMs: number };
  /** Time the rules may spend on one source's requests in a window (ms 0: no limit). */
  cpuBudget: { ms: number; windowMs: number };
  /** The JSON audit log's file, or undefined for none. */
  auditLog?: string | undefined;
}

/** A shop's checkout (`checkouts[]`): where the card is in the body, how the shop's answer reads. */
export interface CheckoutEndpointConfig {
  name: string;
  /** Default POST. */
  method: string;
  path: string;
  /** Field names (a form) or dotted paths (JSON) of the card and the amount. */
  fields: { number: string; expMonth: string; expYear: string; cvc: string; amount: string; currency?: string };
  /** ISO 4217, when the body carries none (fields.currency). Default JPY. */
  currency: string;
  /** A cookie that names the shopper's session (distinct cards per session). */
  sessionCookie?: string;
  approved: { status: number[] };
  declined: { status: number[] };
}

export interface MamoriConfig {
  /** Absolute path of the file it came from, or '<defaults>'. */
  source: string;
  secret?: string;
  dataDir: string;
  mode: Mode;
  store: {
    kind: 'sqlite' | 'memory' | 'redis';
    path: string;
    memoryMaxBytes: number;
    counterFlushMs: number;
    maxEvents: number;
    /** redis: the URL (default MAMORI_REDIS_URL, else redis://127.0.0.1:6379), key prefix and command timeout. */
    url?: string;
    prefix?: string;
    commandTimeoutMs?: number;
    /** redis: also read the text entries of a mamori before the integer layout (an upgrade; see @mamori/store-redis's README). */
    readTextEntries?: boolean;
    /** What each protection does when the store cannot be reached: let through unchecked (open) or 503 (closed). */
    whenUnavailable: { requests: 'open' | 'closed'; logins: 'open' | 'closed'; checkouts: 'open' | 'closed'; rateLimits: 'open' | 'closed' };
  };
  network: { ipv4Prefix: number; ipv6Prefix: number; trustedProxies: string[] };
  geo: { database?: string };
  /** `mamori scan`: the longest one file may take, ms; undefined: no bound (`file_timeout: off`). */
  scan: { fileTimeoutMs: number | undefined };
  proxy?: {
    host: string;
    port: number;
    upstream: string;
    maxHeaderBytes: number;
    maxHeaders: number;
    maxBodyBytes: number;
    upstreamTimeoutMs: number;
    requestTimeoutMs: number;
  };
  logins: LoginEndpointConfig[];
  loginProtection: LoginProtectionConfig;
  policy: AccessRuleConfig[];
  /** Role name to account names, for policy rules' `require_device.roles`. */
  roles: Record<string, string[]>;
  rateLimits: RateLimitConfig[];
  checkouts: CheckoutEndpointConfig[];
  /** mamori's own sign-in (password and TOTP) in front of these paths, when the config has `mfa_gate`. */
  mfaGate?: { paths: string[]; issuer: string; sessionMs: number; cookie: string; webauthn?: WebAuthnConfig };
  /** Checkout protection's policy (checkout/checkout.ts), defaults from CHECKOUT_DEFAULTS. */
  checkoutProtection: CheckoutPolicy;
  /** browserMaxDifficulty: the hardest puzzle shown to a browser; above it a browser is answered with a block. */
  /** submitPath: where browsers post answers, as they see the site (a proxy in front may strip a prefix). */
  challenge: { baseDifficulty: number; maxDifficulty: number; ttlMs: number; browserMaxDifficulty: number; submitPath: string };
  webhooks: { url: string; secret?: string; events: string[]; includeAccount?: boolean }[];
  /** The `watch:` section as written: @mamori/detect checks it (mamori watch). */
  watch?: Record<string, unknown>;
  /** The `alerts:` section as written: @mamori/detect checks it (validateAlertsConfig). */
  alerts?: Record<string, unknown>;
  demo: { trustLoopbackForwardedFor: boolean };
  /** The WAF, when the config has a `waf` section. */
  waf?: WafConfig;
}

export { DEFAULT_SCAN_FILE_TIMEOUT_MS };
const MAX_CONFIG_BYTES = 1024 * 1024;
const ROLE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

type Raw = Record<string, any>;

/** Defaults, with the reasoning in docs/login-protection.md. */
export const LOGIN_DEFAULTS: LoginProtectionConfig = {
  mode: 'enforce',
  userSource: { challengeAfter: 5, blockAfter: 10, windowMs: 15 * 60_000, backoffBaseMs: 60_000, backoffMaxMs: 60 * 60_000 },
  user: { challengeAfter: 20, closeAfter: 50, windowMs: 24 * 3_600_000, closeForMs: 60 * 60_000 },
  source: { challengeAfterUsers: 5, blockAfterUsers: 20, windowMs: 60 * 60_000, blockForMs: 60 * 60_000 },
  spraying: { challengeAfterUsers: 5, blockAfterUsers: 20, windowMs: 60 * 60_000 },
  site: { challengeAboveFailures: 300, windowMs: 60_000 },
  challenged: { blockAfterFailures: 10, blockAfterIgnored: 20, windowMs: 60 * 60_000, blockForMs: 60 * 60_000 },
  trustedDevice: { enabled: true, ttlMs: 30 * 86_400_000, cookie: 'mamori_device', maxFailuresPerDevice: 20, maxFailuresPerAccount: 50 },
  notifyAfterFailures: 5,
  secondFactor: { askOn: [], afterFailures: 3 },
};

function locate(doc: Document | undefined, lc: LineCounter | undefined, file: string, path: (string | number)[], atKey = false): string {
  if (!doc || !lc) return file;
  const last = path[path.length - 1];
  if (atKey && typeof last === 'string') {
    // Point at the key itself (for unknown keys), not at its value.
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      if (pair && isNode(pair.key) && pair.key.range) {
        const { line, col } = lc.linePos(pair.key.range[0]);
        return `${file}:${line}:${col}`;
      }
    }
  }
  // Walk up until a node with a source range is found.
  for (let p = path; ; p = p.slice(0, -1)) {
    const node = p.length === 0 ? doc.contents : doc.getIn(p, true);
    if (isNode(node) && node.range) {
      const { line, col } = lc.linePos(node.range[0]);
      return `${file}:${line}:${col}`;
    }
    if (p.length === 0) return file;
  }
}

function describePath(path: (string | number)[]): string {
  return path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[') : '(top level)';
}

function invalid(problems: { where: string; path: (string | number)[]; message: string }[]): MamoriError {
  const lines = problems.map((p) => `  ${p.where}: ${describePath(p.path)} ${p.message}`);
  return new MamoriError('MAMORI_ERR_CONFIG_INVALID', `the config has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, {
    location: problems[0]?.where,
  });
}

/** Parses and validates YAML text; `file` is used in messages and to resolve relative paths. */
export function parseConfig(text: string, file = '<inline>'): MamoriConfig {
  if (text.length > MAX_CONFIG_BYTES) throw new MamoriError('MAMORI_ERR_CONFIG_READ', `${file} is larger than 1 MiB; that is not a mamori config`);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const { line, col } = lc.linePos(e.pos[0]);
    throw new MamoriError('MAMORI_ERR_CONFIG_SYNTAX', `not valid YAML: ${e.message.split('\n')[0]}`, { location: `${file}:${line}:${col}`, cause: e });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_CONFIG_SYNTAX', `could not be read as data: ${(err as Error).message}`, { location: file, cause: err });
  }
  const problems: SchemaProblem[] = validateSchema(CONFIG_SCHEMA, raw);
  if (problems.length) throw invalid(problems.map((p) => ({ ...p, where: locate(doc, lc, file, p.path, p.message.startsWith('unknown key')) })));
  return resolveConfig(raw as Raw, file, (path) => locate(doc, lc, file, path));
}

export function loadConfig(path: string): MamoriConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new MamoriError('MAMORI_ERR_CONFIG_READ', `cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  return parseConfig(text, resolvePath(path));
}

/** Defaults only: what `mamori up` uses with no file. */
export function defaultConfig(overrides: MamoriYaml = {}): MamoriConfig {
  const problems = validateSchema(CONFIG_SCHEMA, overrides);
  if (problems.length) throw invalid(problems.map((p) => ({ ...p, where: '<defaults>' })));
  return resolveConfig(overrides as Raw, '<defaults>', () => '<defaults>');
}

function resolveConfig(raw: Raw, file: string, where: (path: (string | number)[]) => string): MamoriConfig {
  const baseDir = file.startsWith('<') ? process.cwd() : dirname(file);
  const errs: { where: string; path: (string | number)[]; message: string }[] = [];
  const dur = (v: unknown, fallback: number, path: (string | number)[]): number => {
    if (v === undefined) return fallback;
    try {
      return parseDuration(v as string | number);
    } catch (e) {
      errs.push({ where: where(path), path, message: (e as Error).message });
      return fallback;
    }
  };
  const cidrs = (list: string[] | undefined, path: (string | number)[]): string[] => {
    (list ?? []).forEach((c, i) => {
      try {
        parseCidr(c);
      } catch (e) {
        errs.push({ where: where([...path, i]), path: [...path, i], message: (e as Error).message });
      }
    });
    return list ?? [];
  };
  const lp = raw.login_protection ?? {};
  const d = LOGIN_DEFAULTS;
  const lpDur = (section: string, key: string, fallback: number): number => dur(lp[section]?.[key], fallback, ['login_protection', section, key]);
  const loginProtection: LoginProtectionConfig = {
    mode: lp.mode ?? raw.mode ?? 'enforce',
    userSource: {
      challengeAfter: lp.user_source?.challenge_after ?? d.userSource.challengeAfter,
      blockAfter: lp.user_source?.block_after ?? d.userSource.blockAfter,
      windowMs: lpDur('user_source', 'window', d.userSource.windowMs),
      backoffBaseMs: lpDur('user_source', 'backoff_base', d.userSource.backoffBaseMs),
      backoffMaxMs: lpDur('user_source', 'backoff_max', d.userSource.backoffMaxMs),
    },
    user: {
      challengeAfter: lp.user?.challenge_after ?? d.user.challengeAfter,
      closeAfter: lp.user?.close_after ?? d.user.closeAfter,
      windowMs: lpDur('user', 'window', d.user.windowMs),
      closeForMs: lpDur('user', 'close_for', d.user.closeForMs),
    },
    source: {
      challengeAfterUsers: lp.source?.challenge_after_users ?? d.source.challengeAfterUsers,
      blockAfterUsers: lp.source?.block_after_users ?? d.source.blockAfterUsers,
      windowMs: lpDur('source', 'window', d.source.windowMs),
      blockForMs: lpDur('source', 'block_for', d.source.blockForMs),
    },
    spraying: {
      challengeAfterUsers: lp.spraying?.challenge_after_users ?? d.spraying.challengeAfterUsers,
      blockAfterUsers: lp.spraying?.block_after_users ?? d.spraying.blockAfterUsers,
      windowMs: lpDur('spraying', 'window', d.spraying.windowMs),
    },
    site: {
      challengeAboveFailures: lp.site?.challenge_above_failures ?? d.site.challengeAboveFailures,
      windowMs: lpDur('site', 'window', d.site.windowMs),
    },
    challenged: {
      blockAfterFailures: lp.challenged?.block_after_failures ?? d.challenged.blockAfterFailures,
      blockAfterIgnored: lp.challenged?.block_after_ignored ?? d.challenged.blockAfterIgnored,
      windowMs: lpDur('challenged', 'window', d.challenged.windowMs),
      blockForMs: lpDur('challenged', 'block_for', d.challenged.blockForMs),
    },
    trustedDevice: {
      enabled: lp.trusted_device?.enabled ?? d.trustedDevice.enabled,
      ttlMs: lpDur('trusted_device', 'ttl', d.trustedDevice.ttlMs),
      cookie: lp.trusted_device?.cookie ?? d.trustedDevice.cookie,
      maxFailuresPerDevice: lp.trusted_device?.max_failures_per_device ?? d.trustedDevice.maxFailuresPerDevice,
      maxFailuresPerAccount: lp.trusted_device?.max_failures_per_account ?? d.trustedDevice.maxFailuresPerAccount,
    },
    notifyAfterFailures: lp.notify_after_failures ?? d.notifyAfterFailures,
    secondFactor: { askOn: [...new Set<SecondFactorReason>(lp.second_factor?.ask_on ?? d.secondFactor.askOn)], afterFailures: lp.second_factor?.after_failures ?? d.secondFactor.afterFailures },
  };
  const order = (a: number, b: number, path: (string | number)[], what: string): void => {
    if (a > b) errs.push({ where: where(path), path, message: what });
  };
  order(loginProtection.userSource.challengeAfter, loginProtection.userSource.blockAfter, ['login_protection', 'user_source'], 'challenge_after must not exceed block_after');
  order(loginProtection.user.challengeAfter, loginProtection.user.closeAfter, ['login_protection', 'user'], 'challenge_after must not exceed close_after');
  order(loginProtection.source.challengeAfterUsers, loginProtection.source.blockAfterUsers, ['login_protection', 'source'], 'challenge_after_users must not exceed block_after_users');
  order(loginProtection.spraying.challengeAfterUsers, loginProtection.spraying.blockAfterUsers, ['login_protection', 'spraying'], 'challenge_after_users must not exceed block_after_users');
  order(loginProtection.userSource.backoffBaseMs, loginProtection.userSource.backoffMaxMs, ['login_protection', 'user_source'], 'backoff_base must not exceed backoff_max');
  order(loginProtection.trustedDevice.maxFailuresPerDevice, loginProtection.trustedDevice.maxFailuresPerAccount, ['login_protection', 'trusted_device'], 'max_failures_per_device must not exceed max_failures_per_account');

  // Presets expand into endpoints written as a user would write them (and rate limits for the
  // routes that feed attacks), checked like any other; their problems point at the preset.
  const rawLogins: { l: Raw; i: number }[] = [];
  const presetRateLimits: Raw[] = [];
  // Two presets whose scope was left to its default must not check the same accounts unawares
  // (two WordPress sites, each with its own users): a device trusted on one would be on the other.
  const defaultScopes = new Map<string, number>();
  (raw.logins ?? []).forEach((l: Raw, i: number) => {
    if (l.preset === undefined) return rawLogins.push({ l, i });
    if (l.account_scope === undefined && typeof l.preset === 'string') {
      const scope = presetScope(l.preset, { name: l.name });
      const first = scope === undefined ? undefined : defaultScopes.get(scope);
      if (scope === undefined) {
        // An unknown preset: reported below.
      } else if (first !== undefined) {
        errs.push({
          where: where(['logins', i]),
          path: ['logins', i],
          message: `checks the same accounts as logins[${first}] (account_scope ${scope}); give each installation a name, or the same account_scope to both if they share one user table`,
        });
      } else defaultScopes.set(scope, i);
    }
    try {
      const p = expandPreset(l.preset, { base: l.base, name: l.name, accountScope: l.account_scope });
      for (const x of p.logins) rawLogins.push({ l: { ...x, preset_of: l.preset }, i });
      presetRateLimits.push(...p.rateLimits);
    } catch (e) {
      errs.push({ where: where(['logins', i, 'preset']), path: ['logins', i, 'preset'], message: (e as Error).message });
    }
    return undefined;
  });
  const logins: LoginEndpointConfig[] = [];
  rawLogins.forEach(({ l, i }) => {
    const credentials: CredentialSource = l.credentials ?? 'body';
    const paths: string[] = l.paths ?? (l.path !== undefined ? [l.path] : []);
    const e: LoginEndpointConfig = {
      name: l.name ?? `login-${i + 1}`,
      method: l.method ?? (credentials === 'http-auth' ? '*' : 'POST'),
      path: paths[0] ?? '/',
      paths,
      pathInfo: l.path_info,
      credentials,
      username: l.username === undefined ? {} : { ...(l.username.form !== undefined ? { form: l.username.form } : {}), ...(l.username.json !== undefined ? { json: l.username.json } : {}) },
      password: l.password,
      ...(l.xmlrpc !== undefined || credentials === 'xmlrpc' ? { xmlrpc: { methods: l.xmlrpc?.methods ?? {}, defaultParams: l.xmlrpc?.default_params } } : {}),
      failure: {
        status: l.failure?.status ?? [],
        redirectContains: l.failure?.redirect_contains,
        bodyContains: l.failure?.body_contains,
        faultCodes: l.failure?.fault_codes ?? [],
      },
      success: {
        status: l.success?.status ?? [],
        redirectContains: l.success?.redirect_contains,
        setCookie: l.success?.set_cookie,
        ...(l.success?.account_cookie !== undefined ? { accountCookie: l.success.account_cookie } : {}),
        ...(l.success?.headers !== undefined ? { headers: Object.fromEntries(Object.entries(l.success.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v])) } : {}),
      },
      exceptQuery: l.except_query ?? {},
      refuseFields: l.refuse_fields ?? [],
      usernameNormalize: l.username?.normalize ?? 'exact',
      ...(typeof l.account_scope === 'string' && l.account_scope !== '' ? { accountScope: l.account_scope } : {}),
      ...(l.preset_of !== undefined ? { preset: l.preset_of } : {}),
    };
    const at = (key: string): { where: string; path: (string | number)[] } => ({ where: where(['logins', i, key]), path: ['logins', i, key] });
    for (const problem of loginProblems(e, l)) errs.push({ ...at(problem.key), message: problem.message });
    logins.push(e);
  });
  const policy: AccessRuleConfig[] = (raw.policy ?? []).map((given: AccessRuleConfig & { preset?: string; base?: string }, i: number) => {
    const { preset, base, ...rest } = given;
    let r: AccessRuleConfig = rest;
    if (preset !== undefined) {
      if (rest.paths !== undefined) errs.push({ where: where(['policy', i, 'paths']), path: ['policy', i, 'paths'], message: 'comes from the preset; leave it out' });
      r = { ...rest, ...expandPolicyPreset(preset, base) };
    } else if (rest.paths === undefined) errs.push({ where: where(['policy', i]), path: ['policy', i], message: 'needs paths (or a preset)' });
    cidrs(r.allow_ips, ['policy', i, 'allow_ips']);
    cidrs(r.deny_ips, ['policy', i, 'deny_ips']);
    return {
      ...r,
      mode: r.mode ?? raw.mode ?? 'enforce',
      allow_countries: r.allow_countries?.map((c) => c.toUpperCase()),
      deny_countries: r.deny_countries?.map((c) => c.toUpperCase()),
    };
  });
  const roles: Record<string, string[]> = raw.roles ?? {};
  for (const name of Object.keys(roles)) {
    if (!ROLE_NAME.test(name)) errs.push({ where: where(['roles', name]), path: ['roles', name], message: 'a role name is letters, digits, ".", "_" or "-" (at most 64)' });
  }
  const scopes = new Set(logins.map((l) => l.accountScope ?? ''));
  policy.forEach((r, i) => {
    const scope = typeof r.require_device === 'object' ? r.require_device.account_scope : undefined;
    if (scope !== undefined && !scopes.has(scope)) {
      const path = ['policy', i, 'require_device', 'account_scope'];
      errs.push({ where: where(path), path, message: `no login has account_scope "${scope.slice(0, 48)}" (${[...scopes].filter(Boolean).join(', ') || 'none has one'})` });
    }
    const need = typeof r.require_device === 'object' ? (r.require_device.roles ?? []) : [];
    need.forEach((role, j) => {
      const path = ['policy', i, 'require_device', 'roles', j];
      if (!Object.hasOwn(roles, role)) errs.push({ where: where(path), path, message: `names the role "${role.slice(0, 64)}", which roles: does not define` });
    });
  });
  const rateLimits: RateLimitConfig[] = [...(raw.rate_limits ?? []), ...presetRateLimits].map((r: Raw, i: number) => {
    const at = (...k: string[]) => ['rate_limits', i, ...k];
    if (!r.per_source && !r.per_account) errs.push({ where: where(at()), path: at(), message: 'needs per_source or per_account (or both)' });
    return {
      name: r.name,
      paths: r.paths,
      methods: r.methods,
      query: r.query,
      perSource: r.per_source && { limit: r.per_source.limit, windowMs: dur(r.per_source.window, 60_000, at('per_source', 'window')) },
      perAccount: r.per_account && { field: r.per_account.field, limit: r.per_account.limit, windowMs: dur(r.per_account.window, 3_600_000, at('per_account', 'window')) },
      action: r.action ?? 'block',
      headers: r.headers ?? true,
      mode: r.mode ?? raw.mode ?? 'enforce',
    };
  });
  const names = rateLimits.map((r) => r.name);
  names.forEach((n, i) => {
    const at = ['rate_limits', i, 'name'];
    if (names.indexOf(n) !== i) errs.push({ where: where(at), path: at, message: `"${n}" names another limit too` });
    else if (names.includes(n.replace(/\.account$/, '')) && n.endsWith('.account')) errs.push({ where: where(at), path: at, message: `"${n}" is the name of another limit's per-account policy` });
  });
  const checkouts: CheckoutEndpointConfig[] = (raw.checkouts ?? []).map((c: Raw, i: number) => {
    const f = c.fields ?? {};
    return {
      name: c.name ?? `checkout-${i + 1}`,
      method: (c.method ?? 'POST').toUpperCase(),
      path: c.path,
      fields: {
        number: f.number ?? 'card.number',
        expMonth: f.exp_month ?? 'card.exp_month',
        expYear: f.exp_year ?? 'card.exp_year',
        cvc: f.cvc ?? 'card.cvc',
        amount: f.amount ?? 'amount',
        ...(f.currency !== undefined ? { currency: f.currency } : {}),
      },
      currency: (c.currency ?? 'JPY').toUpperCase(),
      ...(c.session_cookie !== undefined ? { sessionCookie: c.session_cookie } : {}),
      approved: { status: c.approved?.status ?? [200, 201] },
      declined: { status: c.declined?.status ?? [402] },
    };
  });
  checkouts.forEach((c, i) => {
    const clash = c.approved.status.find((s) => c.declined.status.includes(s));
    if (clash !== undefined) errs.push({ where: where(['checkouts', i, 'declined', 'status']), path: ['checkouts', i, 'declined', 'status'], message: `status ${clash} is in approved too` });
    if (checkouts.findIndex((o) => o.name === c.name) !== i) errs.push({ where: where(['checkouts', i, 'name']), path: ['checkouts', i, 'name'], message: `"${c.name}" names another checkout too` });
  });
  let mfaGate: MamoriConfig['mfaGate'];
  if (raw.mfa_gate) {
    const g = raw.mfa_gate;
    mfaGate = { paths: g.paths ?? [], issuer: g.issuer ?? 'mamori', sessionMs: dur(g.session, 8 * 3_600_000, ['mfa_gate', 'session']), cookie: g.cookie ?? 'mamori_mfa' };
    if (mfaGate.paths.length === 0) errs.push({ where: where(['mfa_gate', 'paths']), path: ['mfa_gate', 'paths'], message: 'name at least one path to put behind the sign-in' });
    if (g.webauthn) mfaGate.webauthn = resolveWebAuthn(g.webauthn, mfaGate.issuer, (path, message) => errs.push({ where: where(['mfa_gate', 'webauthn', ...path]), path: ['mfa_gate', 'webauthn', ...path], message }));
  }
  const cp = raw.checkout_protection ?? {};
  for (const k of Object.keys(cp.small_amount ?? {})) {
    if (k !== 'default' && !/^[A-Za-z]{3}$/.test(k)) errs.push({ where: where(['checkout_protection', 'small_amount', k]), path: ['checkout_protection', 'small_amount', k], message: 'a key is an ISO 4217 currency code (JPY, USD) or default' });
  }
  const D = CHECKOUT_DEFAULTS;
  const th = (t: Raw | undefined, d: { challengeAt: number; blockAt: number }, at: (string | number)[]) => {
    const r = { challengeAt: t?.challenge_at ?? d.challengeAt, blockAt: t?.block_at ?? d.blockAt };
    order(r.challengeAt, r.blockAt, at, 'challenge_at must not exceed block_at');
    return r;
  };
  const cpAt = (...k: string[]) => ['checkout_protection', ...k];
  const checkoutProtection: CheckoutPolicy = {
    mode: cp.mode ?? raw.mode ?? 'enforce',
    windowMs: dur(cp.window, D.windowMs, cpAt('window')),
    failures: {
      cardSource: cp.failures?.card_source ?? D.failures.cardSource,
      card: cp.failures?.card ?? D.failures.card,
      customer: cp.failures?.customer ?? D.failures.customer,
      source: cp.failures?.source ?? D.failures.source,
    },
    cardsPer: {
      source: th(cp.cards_per?.source, D.cardsPer.source, cpAt('cards_per', 'source')),
      network: th(cp.cards_per?.network, D.cardsPer.network, cpAt('cards_per', 'network')),
      session: th(cp.cards_per?.session, D.cardsPer.session, cpAt('cards_per', 'session')),
      device: th(cp.cards_per?.device, D.cardsPer.device, cpAt('cards_per', 'device')),
      account: th(cp.cards_per?.account, D.cardsPer.account, cpAt('cards_per', 'account')),
    },
    guestWeight: cp.guest_weight ?? D.guestWeight,
    variantsPerCard: cp.variants_per_card ?? D.variantsPerCard,
    bin: {
      windowMs: dur(cp.bin?.window, D.bin.windowMs, cpAt('bin', 'window')),
      stepUpAtCards: cp.bin?.step_up_at_cards ?? D.bin.stepUpAtCards,
      stepUpAtDeclines: cp.bin?.step_up_at_declines ?? D.bin.stepUpAtDeclines,
      challengeAtSources: cp.bin?.challenge_at_sources ?? D.bin.challengeAtSources,
    },
    sequence: { maxGap: cp.sequence?.max_gap ?? D.sequence.maxGap, count: cp.sequence?.count ?? D.sequence.count },
    declines: {
      sourceMin: cp.declines?.source_min ?? D.declines.sourceMin,
      sourceRatio: cp.declines?.source_ratio ?? D.declines.sourceRatio,
      siteWindowMs: dur(cp.declines?.site_window, D.declines.siteWindowMs, cpAt('declines', 'site_window')),
      siteMin: cp.declines?.site_min ?? D.declines.siteMin,
      siteRatio: cp.declines?.site_ratio ?? D.declines.siteRatio,
      pauseMs: dur(cp.declines?.pause, D.declines.pauseMs, cpAt('declines', 'pause')),
    },
    smallAmount: { ...D.smallAmount, ...Object.fromEntries(Object.entries((cp.small_amount ?? {}) as Record<string, number>).map(([k, v]) => [k === 'default' ? k : k.toUpperCase(), v])) },
    blockForMs: dur(cp.block_for, D.blockForMs, cpAt('block_for')),
    ...(cp.accept ? { accept: cp.accept } : {}),
  };
  const trustedProxies = cidrs(raw.network?.trusted_proxies, ['network', 'trusted_proxies']);
  const challenge = {
    baseDifficulty: raw.challenge?.base_difficulty ?? CHALLENGE_DEFAULTS.baseDifficulty,
    maxDifficulty: raw.challenge?.max_difficulty ?? CHALLENGE_DEFAULTS.maxDifficulty,
    ttlMs: dur(raw.challenge?.ttl, CHALLENGE_DEFAULTS.ttlMs, ['challenge', 'ttl']),
    browserMaxDifficulty: raw.challenge?.browser_max_difficulty ?? CHALLENGE_DEFAULTS.browserMaxDifficulty,
    submitPath: raw.challenge?.submit_path ?? '/.mamori/challenge',
  };
  order(challenge.baseDifficulty, challenge.maxDifficulty, ['challenge'], 'base_difficulty must not exceed max_difficulty');
  let proxy: MamoriConfig['proxy'];
  if (raw.proxy) {
    const listen: string = raw.proxy.listen ?? '127.0.0.1:8080';
    const colon = listen.lastIndexOf(':');
    const port = Number(listen.slice(colon + 1));
    if (port > 65535) errs.push({ where: where(['proxy', 'listen']), path: ['proxy', 'listen'], message: `port ${port} is above 65535` });
    proxy = {
      host: listen.slice(0, colon).replace(/^\[|\]$/g, ''),
      port,
      upstream: raw.proxy.upstream,
      maxHeaderBytes: raw.proxy.max_header_bytes ?? 16 * 1024,
      maxHeaders: raw.proxy.max_headers ?? 100,
      maxBodyBytes: raw.proxy.max_body_bytes ?? 64 * 1024,
      upstreamTimeoutMs: dur(raw.proxy.upstream_timeout, 30_000, ['proxy', 'upstream_timeout']),
      requestTimeoutMs: dur(raw.proxy.request_timeout, 60_000, ['proxy', 'request_timeout']),
    };
  }
  if (typeof raw.secret === 'string' && isPlaceholder(raw.secret)) {
    errs.push({ where: where(['secret']), path: ['secret'], message: 'looks like a placeholder from an example; anyone who read the example could forge tokens: generate one (openssl rand -hex 32), or leave it out and let mamori make one' });
  }
  (raw.webhooks ?? []).forEach((w: Raw, i: number) => {
    ((w.events ?? []) as unknown[]).forEach((name, j) => {
      if (typeof name === 'string' && !Object.hasOwn(EVENT_ACTIONS, name)) {
        const path = ['webhooks', i, 'events', j];
        errs.push({ where: where(path), path, message: `"${name.slice(0, 64)}" is not an event mamori sends; known: ${Object.keys(EVENT_ACTIONS).join(', ')}` });
      }
    });
    if (typeof w?.url === 'string' && hasUrlCredentials(w.url)) {
      errs.push({ where: where(['webhooks', i, 'url']), path: ['webhooks', i, 'url'], message: 'has a user name or password in it (user:pass@host), which is never sent (fetch refuses such URLs) and would show in error messages: put a token in the path or query instead, and use webhooks[].secret to sign' });
    }
    if (typeof w?.secret === 'string' && isPlaceholder(w.secret)) {
      errs.push({ where: where(['webhooks', i, 'secret']), path: ['webhooks', i, 'secret'], message: 'looks like a placeholder from an example; receivers could be sent forged alerts: generate one (openssl rand -hex 32)' });
    }
  });
  const dataDir = resolvePath(baseDir, raw.data_dir ?? '.mamori');
  let waf: WafConfig | undefined;
  if (raw.waf && raw.waf.enabled !== false) {
    const w: Raw = raw.waf;
    const exclusions: WafExclusionConfig[] = (w.exclusions ?? []).map((e: Raw, i: number) => {
      const ruleIds = ((e.rules ?? []) as (string | number)[]).flatMap((r, j) => {
        const m = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(String(r).trim());
        const from = m ? Number(m[1]) : NaN;
        const to = m?.[2] !== undefined ? Number(m[2]) : from;
        if (!m || from < 1 || to < from) {
          errs.push({ where: where(['waf', 'exclusions', i, 'rules', j]), path: ['waf', 'exclusions', i, 'rules', j], message: `"${String(r).slice(0, 40)}" is not a rule id or a range such as 941100-941999` });
          return [];
        }
        return [{ from, to }];
      });
      const ex: WafExclusionConfig = { name: e.name, paths: e.paths ?? [], methods: (e.methods ?? []).map((m: string) => m.toUpperCase()), ruleIds, tags: e.tags ?? [], targets: e.targets ?? [], ...(e.args !== undefined ? { args: e.args } : {}) };
      const problem = wafExclusionProblem(ex);
      if (problem) errs.push({ where: where(['waf', 'exclusions', i]), path: ['waf', 'exclusions', i], message: problem });
      return ex;
    });
    const crs: string = w.crs ?? 'auto';
    waf = {
      mode: w.mode ?? raw.mode ?? 'enforce',
      crs: crs === 'auto' || crs === 'off' ? crs : resolvePath(baseDir, crs),
      ownRules: w.own_rules ?? true,
      rules: (w.rules ?? []).map((f: string) => resolvePath(baseDir, f)),
      paranoia: w.paranoia ?? 1,
      inboundThreshold: w.anomaly_threshold?.inbound ?? 5,
      outboundThreshold: w.anomaly_threshold?.outbound ?? 4,
      requestBodyLimit: w.request_body_limit ?? 8 * 1024 * 1024,
      requestBodyNoFilesLimit: w.request_body_no_files_limit ?? 128 * 1024,
      maxArguments: w.max_arguments ?? 1000,
      responseBody: w.response_body ?? false,
      strict: w.strict ?? true,
      libinjection: w.libinjection !== undefined ? resolvePath(baseDir, w.libinjection) : undefined,
      crsSettings: Object.fromEntries(
        Object.entries((w.crs_settings ?? {}) as Record<string, unknown>).flatMap(([k, v]) => {
          const value = typeof v === 'number' ? String(v) : (v as string);
          const problem = crsSettingProblem(k, value);
          if (problem) {
            errs.push({ where: where(['waf', 'crs_settings', k]), path: ['waf', 'crs_settings', k], message: problem });
            return [];
          }
          return [[k, value]];
        }),
      ),
      exclusions,
      block: {
        afterTrips: w.block_sources?.after ?? 10,
        windowMs: dur(w.block_sources?.window, 10 * 60_000, ['waf', 'block_sources', 'window']),
        forMs: dur(w.block_sources?.block_for, 60 * 60_000, ['waf', 'block_sources', 'block_for']),
      },
      cpuBudget: {
        ms: dur(w.cpu_budget?.per_source, 10_000, ['waf', 'cpu_budget', 'per_source']),
        windowMs: dur(w.cpu_budget?.window, 60_000, ['waf', 'cpu_budget', 'window']),
      },
      auditLog: w.audit_log === false ? undefined : resolvePath(dataDir, typeof w.audit_log === 'string' ? w.audit_log : 'waf-audit.jsonl'),
    };
    if (waf.requestBodyNoFilesLimit > waf.requestBodyLimit) errs.push({ where: where(['waf', 'request_body_no_files_limit']), path: ['waf', 'request_body_no_files_limit'], message: 'must not exceed request_body_limit' });
  }
  const scanFileTimeout = raw.scan?.file_timeout === 'off' ? undefined : dur(raw.scan?.file_timeout, DEFAULT_SCAN_FILE_TIMEOUT_MS, ['scan', 'file_timeout']);
  if (scanFileTimeout === 0) errs.push({ where: where(['scan', 'file_timeout']), path: ['scan', 'file_timeout'], message: 'must be more than 0 (off: no bound)' });
  if (errs.length) throw invalid(errs);
  const cfg: MamoriConfig = {
    source: file,
    secret: raw.secret,
    dataDir,
    mode: raw.mode ?? 'enforce',
    store: {
      kind: raw.store?.kind ?? 'sqlite',
      path: resolvePath(dataDir, raw.store?.path ?? 'mamori.db'),
      memoryMaxBytes: raw.store?.memory_max_bytes ?? 64 * 1024 * 1024,
      counterFlushMs: raw.store?.counter_flush_ms ?? 100,
      maxEvents: raw.store?.max_events ?? 1_000_000,
      ...(raw.store?.url !== undefined ? { url: raw.store.url } : {}),
      ...(raw.store?.prefix !== undefined ? { prefix: raw.store.prefix } : {}),
      ...(raw.store?.command_timeout !== undefined ? { commandTimeoutMs: dur(raw.store.command_timeout, 1000, ['store', 'command_timeout']) } : {}),
      ...(raw.store?.read_text_entries === true ? { readTextEntries: true } : {}),
      whenUnavailable: {
        requests: raw.store?.when_unavailable?.requests ?? 'open',
        logins: raw.store?.when_unavailable?.logins ?? 'closed',
        checkouts: raw.store?.when_unavailable?.checkouts ?? 'closed',
        rateLimits: raw.store?.when_unavailable?.rate_limits ?? 'open',
      },
    },
    network: { ipv4Prefix: raw.network?.ipv4_prefix ?? 32, ipv6Prefix: raw.network?.ipv6_prefix ?? 64, trustedProxies },
    geo: raw.geo?.database ? { database: resolvePath(baseDir, raw.geo.database) } : {},
    scan: { fileTimeoutMs: scanFileTimeout },
    proxy,
    logins,
    loginProtection,
    policy,
    roles,
    rateLimits,
    checkouts,
    checkoutProtection,
    ...(mfaGate ? { mfaGate } : {}),
    challenge,
    webhooks: (raw.webhooks ?? []).map((w: Raw) => ({ url: w.url, secret: w.secret, events: w.events ?? [], ...(w.include_account === true ? { includeAccount: true } : {}) })),
    ...(raw.watch !== undefined ? { watch: raw.watch as Record<string, unknown> } : {}),
    ...(raw.alerts !== undefined ? { alerts: raw.alerts as Record<string, unknown> } : {}),
    demo: { trustLoopbackForwardedFor: raw.demo?.trust_loopback_forwarded_for ?? false },
    ...(waf ? { waf } : {}),
  };
  return deepFreeze(cfg);
}

/**
 * What is wrong with a login endpoint as written (beyond the schema): each problem with the
 * key it belongs to.
 */
function loginProblems(e: LoginEndpointConfig, raw: Raw): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  if (raw.path !== undefined && raw.paths !== undefined) out.push({ key: 'paths', message: 'give path or paths, not both' });
  if ((e.paths ?? []).length === 0) out.push({ key: 'path', message: 'is required (or paths)' });
  if ((e.credentials ?? 'body') === 'body' && e.username.form === undefined && e.username.json === undefined) {
    out.push({ key: 'username', message: 'is required where the credentials are in the body (form or json)' });
  }
  if ((e.credentials ?? 'body') !== 'body' && (raw.username !== undefined || raw.password !== undefined)) {
    out.push({ key: 'username', message: `username and password are read from the ${e.credentials === 'xmlrpc' ? 'XML-RPC call' : 'Authorization header'} for credentials: ${e.credentials}; leave them out` });
  }
  if (e.credentials !== 'xmlrpc' && raw.xmlrpc !== undefined) out.push({ key: 'xmlrpc', message: 'is only for credentials: xmlrpc' });
  if (e.credentials === 'xmlrpc' && Object.keys(e.xmlrpc?.methods ?? {}).length === 0 && e.xmlrpc?.defaultParams === undefined) {
    out.push({ key: 'xmlrpc', message: 'needs methods (or default_params): which params of which calls are the account name and password' });
  }
  const f = e.failure;
  const faults = f.faultCodes ?? [];
  if (!f.status.length && !f.redirectContains && !f.bodyContains && !faults.length) {
    out.push({ key: 'failure', message: 'needs at least one of status, redirect_contains, body_contains, fault_codes' });
  }
  if (faults.length && e.credentials !== 'xmlrpc') out.push({ key: 'failure', message: 'fault_codes is only for credentials: xmlrpc' });
  // A body login must say how a success shows; HTTP authentication and XML-RPC have their own signs.
  if ((e.credentials ?? 'body') === 'body' && !hasSuccessSign(e)) {
    out.push({ key: 'success', message: 'needs at least one of status, redirect_contains, set_cookie' });
  }
  return out;
}

/** Secrets copied from an example rather than generated. */
const PLACEHOLDER = /change[-_ ]?me|replace[-_ ]?me|your[-_ ]|example|placeholder|^(?:secret|password|x+|0+|1234.*)$/i;

function isPlaceholder(secret: string): boolean {
  return PLACEHOLDER.test(secret.trim());
}

/** Whether a URL carries credentials before its host (`https://user:pass@host/`). */
function hasUrlCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}

/** Host names that are examples (RFC 2606, RFC 6761): a webhook there goes nowhere. */
const EXAMPLE_HOST = /(?:^|\.)(?:example\.(?:com|net|org)|example|invalid|test)$/i;

/**
 * What a config does that is allowed but probably not meant: each as `where: what`. Shown by
 * `mamori config check` and when mamori starts.
 */
export function configWarnings(c: MamoriConfig): string[] {
  const out: string[] = [];
  c.webhooks.forEach((w, i) => {
    let host = '';
    try {
      host = new URL(w.url).hostname;
    } catch {
      // The schema already checked the form.
    }
    if (EXAMPLE_HOST.test(host)) out.push(`webhooks[${i}].url: ${host} is an example host; alerts sent there reach nobody`);
    if (w.secret === undefined) out.push(`webhooks[${i}]: no secret, so the receiver cannot tell mamori's alerts from forged ones`);
  });
  if (c.mode === 'detect') out.push('mode: detect: nothing is blocked or challenged, only recorded');
  if (c.challenge.maxDifficulty > c.challenge.browserMaxDifficulty) {
    out.push(
      `challenge.max_difficulty: ${c.challenge.maxDifficulty} bits takes a browser from seconds to minutes (docs/challenge.md); browsers are sent a block instead of a challenge above ${c.challenge.browserMaxDifficulty} bits (challenge.browser_max_difficulty)`,
    );
  }
  if (c.demo.trustLoopbackForwardedFor) out.push('demo.trust_loopback_forwarded_for: true: any local process can claim to be any address; never in production');
  const scopes = new Set(c.logins.map((l) => l.accountScope ?? ''));
  for (const r of c.policy) {
    if (r.require_device && !c.loginProtection.trustedDevice.enabled) {
      out.push(`policy rule "${r.name}": require_device admits no device while login_protection.trusted_device.enabled is false (only allow_ips gets in)`);
    } else if (r.require_device === true) {
      out.push(
        `policy rule "${r.name}": require_device: true accepts a trusted device of any account, a customer's too; list whose devices count (require_device: { accounts: [...], roles: [...] })`,
      );
    } else if (typeof r.require_device === 'object' && r.require_device.account_scope === undefined && scopes.size > 1) {
      // Whoever has an account of a listed name in another application (signed up to the blog as
      // the database's admin) earns a device there that this rule takes.
      out.push(
        `policy rule "${r.name}": require_device takes a device trusted for its accounts in any application (${[...scopes].map((s) => s || '(no account_scope)').join(', ')}), so an account of the same name in another application opens it; name the application (require_device.account_scope)`,
      );
    }
  }
  return out;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
