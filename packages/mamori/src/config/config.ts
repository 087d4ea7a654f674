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
import { parseCidr } from '../core/net.js';
import { CONFIG_SCHEMA } from './schema.js';
import { validateSchema, type SchemaProblem } from './validate.js';
import type { AccessRuleConfig } from '../guard/access-policy.js';

export type Mode = 'enforce' | 'detect';

export interface FieldLocator {
  form?: string;
  json?: string;
}

export interface LoginEndpointConfig {
  name: string;
  method: string;
  path: string;
  username: FieldLocator;
  password?: FieldLocator;
  failure: { status: number[]; redirectContains?: string; bodyContains?: string };
  success: { status: number[]; redirectContains?: string; setCookie?: string };
  /** Query parameter values that mark a request to this path as something other than a login. */
  exceptQuery: Record<string, string[]>;
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
  trustedDevice: { enabled: boolean; ttlMs: number; cookie: string };
  notifyAfterFailures: number;
}


export interface MamoriConfig {
  /** Absolute path of the file it came from, or '<defaults>'. */
  source: string;
  secret?: string;
  dataDir: string;
  mode: Mode;
  store: { kind: 'sqlite' | 'memory'; path: string; memoryMaxBytes: number; maxEvents: number };
  network: { ipv4Prefix: number; ipv6Prefix: number; trustedProxies: string[] };
  geo: { database?: string };
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
  rateLimits: RateLimitConfig[];
  challenge: { baseDifficulty: number; maxDifficulty: number; ttlMs: number };
  webhooks: { url: string; secret?: string; events: string[] }[];
  demo: { trustLoopbackForwardedFor: boolean };
}

const MAX_CONFIG_BYTES = 1024 * 1024;

type Raw = Record<string, any>;

/** Defaults, with the reasoning in docs/login-protection.md. */
export const LOGIN_DEFAULTS: LoginProtectionConfig = {
  mode: 'enforce',
  userSource: { challengeAfter: 5, blockAfter: 10, windowMs: 15 * 60_000, backoffBaseMs: 60_000, backoffMaxMs: 60 * 60_000 },
  user: { challengeAfter: 20, closeAfter: 50, windowMs: 24 * 3_600_000, closeForMs: 60 * 60_000 },
  source: { challengeAfterUsers: 5, blockAfterUsers: 20, windowMs: 60 * 60_000, blockForMs: 60 * 60_000 },
  spraying: { challengeAfterUsers: 5, blockAfterUsers: 20, windowMs: 60 * 60_000 },
  site: { challengeAboveFailures: 300, windowMs: 60_000 },
  trustedDevice: { enabled: true, ttlMs: 30 * 86_400_000, cookie: 'mamori_device' },
  notifyAfterFailures: 5,
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
export function defaultConfig(overrides: Raw = {}): MamoriConfig {
  const problems = validateSchema(CONFIG_SCHEMA, overrides);
  if (problems.length) throw invalid(problems.map((p) => ({ ...p, where: '<defaults>' })));
  return resolveConfig(overrides, '<defaults>', () => '<defaults>');
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
    trustedDevice: {
      enabled: lp.trusted_device?.enabled ?? d.trustedDevice.enabled,
      ttlMs: lpDur('trusted_device', 'ttl', d.trustedDevice.ttlMs),
      cookie: lp.trusted_device?.cookie ?? d.trustedDevice.cookie,
    },
    notifyAfterFailures: lp.notify_after_failures ?? d.notifyAfterFailures,
  };
  const order = (a: number, b: number, path: (string | number)[], what: string): void => {
    if (a > b) errs.push({ where: where(path), path, message: what });
  };
  order(loginProtection.userSource.challengeAfter, loginProtection.userSource.blockAfter, ['login_protection', 'user_source'], 'challenge_after must not exceed block_after');
  order(loginProtection.user.challengeAfter, loginProtection.user.closeAfter, ['login_protection', 'user'], 'challenge_after must not exceed close_after');
  order(loginProtection.source.challengeAfterUsers, loginProtection.source.blockAfterUsers, ['login_protection', 'source'], 'challenge_after_users must not exceed block_after_users');
  order(loginProtection.spraying.challengeAfterUsers, loginProtection.spraying.blockAfterUsers, ['login_protection', 'spraying'], 'challenge_after_users must not exceed block_after_users');
  order(loginProtection.userSource.backoffBaseMs, loginProtection.userSource.backoffMaxMs, ['login_protection', 'user_source'], 'backoff_base must not exceed backoff_max');

  const logins: LoginEndpointConfig[] = (raw.logins ?? []).map((l: Raw, i: number) => ({
    name: l.name ?? `login-${i + 1}`,
    method: l.method ?? 'POST',
    path: l.path,
    username: l.username,
    password: l.password,
    failure: { status: l.failure?.status ?? [], redirectContains: l.failure?.redirect_contains, bodyContains: l.failure?.body_contains },
    success: { status: l.success?.status ?? [], redirectContains: l.success?.redirect_contains, setCookie: l.success?.set_cookie },
    exceptQuery: l.except_query ?? {},
  }));
  logins.forEach((l, i) => {
    if (!l.failure.status.length && !l.failure.redirectContains && !l.failure.bodyContains) {
      errs.push({ where: where(['logins', i, 'failure']), path: ['logins', i, 'failure'], message: 'needs at least one of status, redirect_contains, body_contains' });
    }
    if (!l.success.status.length && !l.success.redirectContains && !l.success.setCookie) {
      errs.push({ where: where(['logins', i, 'success']), path: ['logins', i, 'success'], message: 'needs at least one of status, redirect_contains, set_cookie' });
    }
  });
  const policy: AccessRuleConfig[] = (raw.policy ?? []).map((r: AccessRuleConfig, i: number) => {
    cidrs(r.allow_ips, ['policy', i, 'allow_ips']);
    cidrs(r.deny_ips, ['policy', i, 'deny_ips']);
    return {
      ...r,
      mode: r.mode ?? raw.mode ?? 'enforce',
      allow_countries: r.allow_countries?.map((c) => c.toUpperCase()),
      deny_countries: r.deny_countries?.map((c) => c.toUpperCase()),
    };
  });
  const rateLimits: RateLimitConfig[] = (raw.rate_limits ?? []).map((r: Raw, i: number) => {
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
  const trustedProxies = cidrs(raw.network?.trusted_proxies, ['network', 'trusted_proxies']);
  const challenge = {
    baseDifficulty: raw.challenge?.base_difficulty ?? 15,
    maxDifficulty: raw.challenge?.max_difficulty ?? 20,
    ttlMs: dur(raw.challenge?.ttl, 5 * 60_000, ['challenge', 'ttl']),
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
  if (errs.length) throw invalid(errs);
  const dataDir = resolvePath(baseDir, raw.data_dir ?? '.mamori');
  const cfg: MamoriConfig = {
    source: file,
    secret: raw.secret,
    dataDir,
    mode: raw.mode ?? 'enforce',
    store: {
      kind: raw.store?.kind ?? 'sqlite',
      path: resolvePath(dataDir, raw.store?.path ?? 'mamori.db'),
      memoryMaxBytes: raw.store?.memory_max_bytes ?? 64 * 1024 * 1024,
      maxEvents: raw.store?.max_events ?? 1_000_000,
    },
    network: { ipv4Prefix: raw.network?.ipv4_prefix ?? 32, ipv6Prefix: raw.network?.ipv6_prefix ?? 64, trustedProxies },
    geo: raw.geo?.database ? { database: resolvePath(baseDir, raw.geo.database) } : {},
    proxy,
    logins,
    loginProtection,
    policy,
    rateLimits,
    challenge,
    webhooks: (raw.webhooks ?? []).map((w: Raw) => ({ url: w.url, secret: w.secret, events: w.events ?? [] })),
    demo: { trustLoopbackForwardedFor: raw.demo?.trust_loopback_forwarded_for ?? false },
  };
  return deepFreeze(cfg);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
