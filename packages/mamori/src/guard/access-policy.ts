/**
 * Access policy: who may reach which paths, by address, country and trusted
 * device. Compiled once from config; `evaluate` only reads.
 *
 * Example:
 *   const policy = compileAccessPolicy([
 *     { name: 'admin-jp', paths: ['/admin'], allow_countries: ['JP'], allow_ips: ['203.0.113.0/24'], require_device: { roles: ['admin'] } },
 *   ], { countries: openCountryDatabase(), roles: { admin: ['admin@example.com'] }, deviceUserHashes: (n) => [login.deviceUserHash(n)!] });
 *   policy.evaluate(req, { device: claims.deviceId, deviceUser: claims.userHash }); // ALLOW, or a block with ruleId 'policy:admin-jp'
 *
 * Which rules apply: every rule one of whose `paths` and (when given) one of
 * whose `methods` match the request. Listing GET also covers HEAD, which
 * most frameworks route to GET handlers. Applicable rules are evaluated in
 * order; the first rule in `enforce` mode that denies answers. A denial by a
 * rule in `detect` mode is returned (with `detectOnly: true`) only when no
 * enforcing rule denies, so a detect-only rule can never hide an enforced one.
 *
 * Inside one rule, first match wins:
 *   1. the address is in `deny_ips`                         → deny
 *   2. the country is in `deny_countries`                   → deny
 *   3. `allow_ips` or `allow_countries` is set, and neither
 *      the address is in `allow_ips` nor the country is in
 *      `allow_countries`                                    → deny
 *   4. `require_device`, no trusted device in the context (or,
 *      when the rule lists accounts or roles, none of theirs),
 *      and the address is not in `allow_ips`                → deny
 *      (an `allow_ips` match admits without a device: an office range or
 *      a break-glass host; an `allow_countries` match does not)
 *   5. the rule has no condition at all (only paths/methods) → deny: a plain
 *      path block
 *   6. otherwise the rule lets the request on to the next rule.
 * Denials always beat allows. An unknown country (private address, not in
 * the database) is in no deny list and in no allow list: pair a deny list
 * with an allow list when unknown must fail closed.
 *
 * `require_device: true` takes a trusted device of any account: on a site
 * where anyone can sign up, a customer's device too. `require_device:
 * { accounts: [...], roles: [...] }` takes only the devices of those
 * accounts (roles map to accounts in `roles`); with `account_scope`, only
 * devices trusted for them in that application (a login's account_scope).
 * Names are kept only as the keyed hashes device tokens carry
 * (`deviceUserHashes`, worked out here once). A client may hold trusted
 * devices of several applications (`devices` in the context): any will do.
 *
 * Paths are compared after normalisation, so that `/admin` cannot be dodged
 * with `/Admin`, `/%61dmin`, `//admin`, `/x/../admin`, `/admin;x=1`,
 * `/admin.` or `\admin`. Rules and requests go through the same steps:
 * cut at `?`/`#`; drop raw tab/CR/LF (as URL parsers do); percent-decode
 * once (bad escapes stay literal); `\` becomes `/`; lower-case (matching is
 * case-insensitive: case-insensitive upstreams exist, and no sane site has
 * `/Admin` and `/admin` as different things); each segment is cut at `;`
 * (path parameters) and at NUL, and loses trailing dots and spaces; empty
 * and `.` segments go. The request then matches a rule when either of two
 * readings does: with `..` resolved (what a normalising upstream routes), or
 * with `..` left in place (what a router that does not resolve them sees,
 * e.g. `/admin/../x`). Both readings fail closed: they can only add matches.
 *
 * `except_paths` (same patterns) leaves paths under `paths` alone: `/wp-admin`
 * except `/wp-admin/admin-ajax.php`, which WordPress's public pages call.
 * A request is let off only when every reading of its path is excepted.
 *
 * Path patterns: `/admin` matches `/admin` and everything under it; a
 * trailing `/*` means the same (`/api/*` matches `/api` and `/api/...`); any
 * other trailing `*` is a plain prefix (`/api*` also matches `/apis`); `*`
 * alone matches every path. `*` elsewhere is refused.
 */
import { ALLOW, type RequestInfo, type Verdict } from './verdict.js';
import type { CountryLookup } from './geo.js';
import { MamoriError, isMamoriError } from '../core/errors.js';
import { CidrList, tryParseIp, type IpAddress } from '../core/net.js';

export interface AccessRuleConfig {
  name: string;
  /** '/admin' matches '/admin' and '/admin/...'; a '*' suffix is allowed: '/api/*'. */
  paths: string[];
  /** Paths under `paths` the rule leaves alone (same patterns): `/wp-admin/admin-ajax.php` under `/wp-admin`. */
  except_paths?: string[];
  methods?: string[];
  allow_ips?: string[];
  deny_ips?: string[];
  allow_countries?: string[];
  deny_countries?: string[];
  /** true: a trusted device of any account; or only those of the listed accounts and roles. */
  require_device?: boolean | { accounts?: string[]; roles?: string[]; account_scope?: string };
  /** What a denial does; default block. */
  action?: 'block' | 'challenge';
  /** Default enforce. */
  mode?: 'enforce' | 'detect';
}

export interface AccessPolicyDeps {
  countries: CountryLookup;
  /** Role name to account names, for `require_device.roles`. */
  roles?: Readonly<Record<string, readonly string[]>>;
  /**
   * The account hashes a device token of this account may carry (LoginGuard.deviceUserHash),
   * in the application `scope` or, without one, in any; needed for `require_device` lists.
   */
  deviceUserHashes?: (account: string, scope?: string) => readonly string[];
}

export interface AccessContext {
  /** A verified trusted-device id, or undefined. */
  device?: string | undefined;
  /** The account hash that device's token carries. */
  deviceUser?: string | undefined;
  /** More verified trusted devices the client holds (one per application), beside `device`. */
  devices?: readonly { readonly device: string; readonly deviceUser: string }[] | undefined;
}

export interface PolicyVerdict extends Verdict {
  /** The client's country, when a rule needed to look it up. */
  readonly country?: string;
}

export interface AccessPolicy {
  evaluate(req: RequestInfo, ctx: AccessContext): PolicyVerdict;
  /** Names of the compiled rules, in order. */
  readonly ruleNames: readonly string[];
}

const KNOWN_KEYS = new Set([
  'name',
  'paths',
  'except_paths',
  'methods',
  'allow_ips',
  'deny_ips',
  'allow_countries',
  'deny_countries',
  'require_device',
  'action',
  'mode',
]);

function percentDecodeOnce(s: string): string {
  if (!s.includes('%')) return s;
  const src = Buffer.from(s, 'utf8');
  const out = Buffer.alloc(src.length);
  const hex = (c: number | undefined): number =>
    c === undefined ? -1 : c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === 0x25) {
      const hi = hex(src[i + 1]);
      const lo = hex(src[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[o++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[o++] = c;
  }
  return out.subarray(0, o).toString('utf8');
}

function cleanSegment(seg: string): string {
  let s = seg;
  const semi = s.indexOf(';');
  if (semi >= 0) s = s.slice(0, semi);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s === '.' || s === '..') return s;
  // Trailing dots and spaces go (a loop: `/[. ]+$/` backtracks quadratically on `a.... b`).
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 0x2e || s.charCodeAt(end - 1) === 0x20)) end--;
  return end === s.length ? s : s.slice(0, end);
}

/**
 * The readings of a path that policy matching looks at: `[resolved]` or
 * `[resolved, unresolved]` when `..` segments make them differ.
 */
export function policyPathViews(raw: string): string[] {
  // Most paths have nothing to normalise (lower-case segments, no dot segments, no escapes):
  // for them every step below gives the path back unchanged.
  if (typeof raw === 'string' && (PLAIN_PATH.test(raw) || raw === '/')) return [raw];
  return policyPathViewsFull(raw);
}

/** policyPathViews without its shortcut for paths that need no normalising (exported for the test that holds the two equal). */
export function policyPathViewsFull(raw: string): string[] {
  let p = typeof raw === 'string' ? raw : '';
  const cut = p.search(/[?#]/);
  if (cut >= 0) p = p.slice(0, cut);
  p = percentDecodeOnce(p.replace(/[\t\r\n]/g, '')).replace(/\\/g, '/').toLowerCase();
  const resolved: string[] = [];
  const unresolved: string[] = [];
  let dotdot = false;
  for (const raw of p.split('/')) {
    const seg = cleanSegment(raw);
    if (seg === '' || seg === '.') continue;
    unresolved.push(seg);
    if (seg === '..') {
      dotdot = true;
      resolved.pop();
    } else resolved.push(seg);
  }
  const a = `/${resolved.join('/')}`;
  return dotdot ? [a, `/${unresolved.join('/')}`] : [a];
}

/**
 * A path policyPathViews leaves as it is: one or more segments of lower-case letters, digits,
 * `_` and `-`, dots only between them (so no `.`/`..` segment and no trailing dot, which
 * cleaning would drop), no empty segment and no trailing slash.
 */
const PLAIN_PATH = /^(?:\/[a-z0-9_-]+(?:\.[a-z0-9_-]+)*)+$/;

/** The canonical form a path is compared in (the `..`-resolved reading). */
export function normalizePolicyPath(raw: string): string {
  return policyPathViews(raw)[0]!;
}

type PathMatcher = (path: string) => boolean;

/** A path pattern as a matcher of normalised paths (policyPathViews' readings); `where` names it in errors. */
export function compilePattern(pattern: unknown, where: string): PathMatcher {
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > 1024) {
    throw invalid(`${where} must be a non-empty path of at most 1024 characters`);
  }
  if (pattern === '*' || pattern === '/*') return () => true;
  if (!pattern.startsWith('/')) throw invalid(`${where} "${pattern}" must start with "/"`);
  const star = pattern.indexOf('*');
  if (/[?#]/.test(pattern) || (star >= 0 && star !== pattern.length - 1)) {
    throw invalid(`${where} "${pattern}" may hold "*" only at its end, and no "?" or "#"`);
  }
  if (star >= 0 && !pattern.endsWith('/*')) {
    const prefix = normalizePolicyPath(pattern.slice(0, -1));
    return (path) => path.startsWith(prefix);
  }
  const base = normalizePolicyPath(star >= 0 ? pattern.slice(0, -2) : pattern);
  if (base === '/') return () => true;
  return (path) => path === base || path.startsWith(`${base}/`);
}

function invalid(message: string, cause?: unknown): MamoriError {
  return new MamoriError('MAMORI_ERR_CONFIG_INVALID', `access policy: ${message}`, { cause });
}

function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string')) {
    throw invalid(`${where} must be a non-empty list of strings (leave it out instead of listing nothing)`);
  }
  return value as string[];
}

function cidrs(value: unknown, where: string): CidrList | undefined {
  const list = stringList(value, where);
  if (!list) return undefined;
  try {
    return new CidrList(list);
  } catch (cause) {
    if (isMamoriError(cause)) throw invalid(`${where}: ${cause.message}`, cause);
    throw cause;
  }
}

function countries(value: unknown, where: string): Set<string> | undefined {
  const list = stringList(value, where);
  if (!list) return undefined;
  for (const c of list) {
    if (!/^[A-Za-z]{2}$/.test(c)) throw invalid(`${where}: "${c.slice(0, 16)}" is not an ISO 3166-1 alpha-2 country code (like JP or US)`);
  }
  return new Set(list.map((c) => c.toUpperCase()));
}

interface CompiledRule {
  readonly name: string;
  readonly ruleId: string;
  readonly paths: readonly PathMatcher[];
  readonly exceptPaths: readonly PathMatcher[];
  readonly methods: ReadonlySet<string> | undefined;
  readonly allowIps: CidrList | undefined;
  readonly denyIps: CidrList | undefined;
  readonly allowCountries: ReadonlySet<string> | undefined;
  readonly denyCountries: ReadonlySet<string> | undefined;
  readonly requireDevice: boolean;
  /** The account hashes whose devices count, when the rule lists accounts or roles; undefined: any device. */
  readonly deviceUsers: ReadonlySet<string> | undefined;
  readonly unconditional: boolean;
  readonly action: 'block' | 'challenge';
  readonly detect: boolean;
}

/** The account hashes whose devices a rule's `require_device` list admits. */
function deviceUsers(value: Record<string, unknown>, where: string, deps: AccessPolicyDeps): Set<string> {
  for (const k of Object.keys(value)) {
    if (k !== 'accounts' && k !== 'roles' && k !== 'account_scope') throw invalid(`${where} has an unknown key "${k.slice(0, 40)}" (accounts, roles, account_scope)`);
  }
  const scope = value['account_scope'];
  if (scope !== undefined && (typeof scope !== 'string' || !/^[A-Za-z0-9_.-]{1,48}$/.test(scope))) throw invalid(`${where}.account_scope must be a login's account_scope`);
  const accounts = stringList(value['accounts'], `${where}.accounts`) ?? [];
  const roles = stringList(value['roles'], `${where}.roles`) ?? [];
  if (accounts.length === 0 && roles.length === 0) throw invalid(`${where} needs accounts or roles (or true for any trusted device)`);
  const names = [...accounts];
  for (const role of roles) {
    const members = deps.roles && Object.hasOwn(deps.roles, role) ? deps.roles[role] : undefined;
    if (!members) throw invalid(`${where}.roles: no role "${role.slice(0, 64)}" is defined`);
    names.push(...members);
  }
  if (!deps.deviceUserHashes) throw invalid(`${where} lists accounts, but the policy was compiled without a way to hash them`);
  const hashes = new Set<string>();
  for (const name of names) for (const h of deps.deviceUserHashes(name, scope)) hashes.add(h);
  return hashes;
}

function compileRule(input: unknown, index: number, seen: Set<string>, deps: AccessPolicyDeps): CompiledRule {
  const at = `rule ${index}`;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw invalid(`${at} must be a mapping`);
  const r = input as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!KNOWN_KEYS.has(k)) throw invalid(`${at} has an unknown key "${k.slice(0, 40)}"`);
  const name = r['name'];
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw invalid(`${at} needs a name of letters, digits, ".", "_" or "-" (at most 64)`);
  }
  if (seen.has(name)) throw invalid(`two rules are named "${name}"`);
  seen.add(name);
  const where = `rule "${name}"`;
  const paths = stringList(r['paths'], `${where} paths`);
  if (!paths) throw invalid(`${where} needs paths`);
  const methodList = stringList(r['methods'], `${where} methods`);
  let methods: Set<string> | undefined;
  if (methodList) {
    methods = new Set();
    for (const m of methodList) {
      if (!/^[A-Za-z]{1,20}$/.test(m)) throw invalid(`${where} methods: "${m.slice(0, 20)}" is not an HTTP method`);
      methods.add(m.toUpperCase());
    }
    if (methods.has('GET')) methods.add('HEAD');
  }
  const requireDevice = r['require_device'];
  const listed = requireDevice !== null && typeof requireDevice === 'object' && !Array.isArray(requireDevice);
  if (requireDevice !== undefined && typeof requireDevice !== 'boolean' && !listed) {
    throw invalid(`${where} require_device must be true, false, or a mapping with accounts and roles`);
  }
  const action = r['action'] ?? 'block';
  if (action !== 'block' && action !== 'challenge') throw invalid(`${where} action must be block or challenge`);
  const mode = r['mode'] ?? 'enforce';
  if (mode !== 'enforce' && mode !== 'detect') throw invalid(`${where} mode must be enforce or detect`);
  const rule = {
    name,
    ruleId: `policy:${name}`,
    paths: paths.map((p, i) => compilePattern(p, `${where} paths[${i}]`)),
    exceptPaths: (stringList(r['except_paths'], `${where} except_paths`) ?? []).map((p, i) => compilePattern(p, `${where} except_paths[${i}]`)),
    methods,
    allowIps: cidrs(r['allow_ips'], `${where} allow_ips`),
    denyIps: cidrs(r['deny_ips'], `${where} deny_ips`),
    allowCountries: countries(r['allow_countries'], `${where} allow_countries`),
    denyCountries: countries(r['deny_countries'], `${where} deny_countries`),
    requireDevice: requireDevice === true || listed,
    deviceUsers: listed ? deviceUsers(requireDevice as Record<string, unknown>, `${where} require_device`, deps) : undefined,
    action,
    detect: mode === 'detect',
  } as const;
  const unconditional = !rule.allowIps && !rule.denyIps && !rule.allowCountries && !rule.denyCountries && !rule.requireDevice;
  return Object.freeze({ ...rule, unconditional });
}

/** Why the rule denies, or undefined when it lets the request on. */
function denial(
  rule: CompiledRule,
  ip: IpAddress | undefined,
  country: () => string | undefined,
  device: string | undefined,
  deviceUser: string | undefined,
  more: AccessContext['devices'],
): string | undefined {
  if (rule.denyIps && ip && rule.denyIps.contains(ip)) return 'source address is in deny_ips';
  if (rule.denyCountries) {
    const c = country();
    if (c !== undefined && rule.denyCountries.has(c)) return `country ${c} is in deny_countries`;
  }
  const ipAllowed = rule.allowIps !== undefined && ip !== undefined && rule.allowIps.contains(ip);
  if ((rule.allowIps || rule.allowCountries) && !ipAllowed) {
    const c = rule.allowCountries ? country() : undefined;
    if (c === undefined || !rule.allowCountries!.has(c)) {
      return `neither the address nor the country (${c ?? 'unknown'}) is allowed`;
    }
  }
  if (rule.requireDevice && !ipAllowed) {
    const any = device !== undefined || (more !== undefined && more.length > 0);
    if (!any) return 'no trusted device';
    if (rule.deviceUsers && !(deviceUser !== undefined && rule.deviceUsers.has(deviceUser)) && !more?.some((d) => rule.deviceUsers!.has(d.deviceUser))) {
      return "the trusted device is not one of the rule's accounts";
    }
  }
  if (rule.unconditional) return 'path is blocked';
  return undefined;
}

export function compileAccessPolicy(rules: readonly AccessRuleConfig[], deps: AccessPolicyDeps): AccessPolicy {
  if (!Array.isArray(rules)) throw invalid('the rules must be a list');
  const seen = new Set<string>();
  const compiled = Object.freeze(rules.map((r, i) => compileRule(r, i, seen, deps)));
  const lookup = deps.countries;

  return Object.freeze({
    ruleNames: Object.freeze(compiled.map((r) => r.name)),
    evaluate(req: RequestInfo, ctx: AccessContext): PolicyVerdict {
      if (compiled.length === 0) return ALLOW;
      const views = policyPathViews(req.path);
      const method = typeof req.method === 'string' ? req.method.toUpperCase() : '';
      const ip = tryParseIp(req.ip);
      let looked = false;
      let cc: string | undefined;
      const country = (): string | undefined => {
        if (!looked) {
          looked = true;
          try {
            cc = lookup.country(req.ip);
          } catch {
            cc = undefined;
          }
        }
        return cc;
      };
      const device = typeof ctx?.device === 'string' && ctx.device.length > 0 ? ctx.device : undefined;
      const deviceUser = typeof ctx?.deviceUser === 'string' ? ctx.deviceUser : undefined;
      const more = Array.isArray(ctx?.devices) ? ctx.devices.filter((d) => typeof d?.device === 'string' && d.device.length > 0 && typeof d.deviceUser === 'string') : undefined;
      let detected: PolicyVerdict | undefined;
      for (const rule of compiled) {
        if (rule.methods && !rule.methods.has(method)) continue;
        if (!rule.paths.some((m) => views.some((v) => m(v)))) continue;
        // An exception must hold for every reading of the path, or it could be used to slip past.
        if (rule.exceptPaths.length > 0 && views.every((v) => rule.exceptPaths.some((m) => m(v)))) continue;
        const why = denial(rule, ip, country, device, deviceUser, more);
        if (why === undefined) continue;
        const verdict: PolicyVerdict = {
          action: rule.action,
          reason: `access policy "${rule.name}": ${why}`,
          ruleId: rule.ruleId,
          ...(looked && cc !== undefined ? { country: cc } : {}),
          ...(rule.detect ? { detectOnly: true } : {}),
        };
        if (!rule.detect) return verdict;
        detected ??= verdict;
      }
      if (detected) return looked && cc !== undefined ? { ...detected, country: cc } : detected;
      return looked && cc !== undefined ? { ...ALLOW, country: cc } : ALLOW;
    },
  });
}
