/**
 * The login endpoints described in config: which requests are logins,
 * where the account name and password are in them, and how the site's
 * answer shows failure. Shared by the proxy and the framework adapters.
 */
import type { FieldLocator, LoginEndpointConfig } from '../config/config.js';
import { normalizePolicyPath, policyPathViews } from './access-policy.js';
import type { RenderedResponse } from './verdict.js';
import { urlPath } from '../core/url.js';

export interface LoginFields {
  username?: string;
  password?: string;
  /** Why the fields could not be read (ambiguous or malformed body). */
  problem?: string;
  /** The request is to the login path but is not a login (see `except_query`): pass it on unchecked. */
  notLogin?: boolean;
  /**
   * The login could be counted under one name and checked by the site under another (a field
   * sent twice or under a look-alike name, a non-string value, a body or encoding mamori cannot
   * read the way the site will, no account name at all), so it is refused with AMBIGUOUS_LOGIN.
   */
  ambiguous?: boolean;
}

/** The answer to an ambiguous login, the same from the proxy and every adapter. */
export const AMBIGUOUS_LOGIN: RenderedResponse = Object.freeze({
  status: 400,
  headers: Object.freeze({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }) as Record<string, string>,
  body: 'Bad request: the login form could not be read unambiguously.\n',
});

const MAX_FIELD = 4096;

export function findLoginEndpoint(endpoints: readonly LoginEndpointConfig[], method: string, url: string): LoginEndpointConfig | undefined {
  if (endpoints.length === 0) return undefined;
  // Normalised as the access policy does, so `/Login`, `//login/` or `/x/../login` are still the login.
  const views = policyPathViews(urlPath(url));
  const m = method.toUpperCase();
  for (const e of endpoints) if (e.method === m && views.includes(endpointPath(e))) return e;
  return undefined;
}

/** An endpoint's path in canonical form, worked out once per endpoint object (and again if its path changes). */
const endpointPaths = new WeakMap<LoginEndpointConfig, { path: string; canonical: string }>();
function endpointPath(e: LoginEndpointConfig): string {
  let c = endpointPaths.get(e);
  if (c === undefined || c.path !== e.path) endpointPaths.set(e, (c = { path: e.path, canonical: normalizePolicyPath(e.path) }));
  return c.canonical;
}

/**
 * A request to the login path that `except_query` says is something else (WordPress's
 * `?action=lostpassword`): the query names an excepted value once, and the body does not name
 * the parameter at all (PHP's `$_REQUEST` lets the body override the query).
 */
function isExcepted(e: LoginEndpointConfig, query: string, form: URLSearchParams | undefined, json: unknown, cookies: string | undefined): boolean {
  const names = Object.keys(e.exceptQuery);
  if (names.length === 0 || !query) return false;
  // A body that carries the login's own fields is a login, whatever the query says.
  for (const loc of [e.username, e.password]) {
    const field = loc?.form ?? loc?.json?.split('.')[0];
    if (field !== undefined && carries(form, json, field)) return false;
  }
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  for (const name of names) {
    // Every key PHP reads as this parameter (` action`, `action[]`...): exactly one, spelled exactly.
    const keys = [...params.keys()].filter((k) => phpFieldName(k) === phpFieldName(name));
    if (keys.length !== 1 || keys[0] !== name || !e.exceptQuery[name]!.includes(params.get(name)!)) continue;
    if (carries(form, json, name)) continue; // PHP's $_REQUEST lets the body override the query
    if (cookieNames(cookies).some((c) => phpFieldName(c) === phpFieldName(name))) continue; // ... and cookies, by default
    return true;
  }
  return false;
}

function carries(form: URLSearchParams | undefined, json: unknown, name: string): boolean {
  if (form !== undefined && [...form.keys()].some((k) => phpFieldName(k) === phpFieldName(name))) return true;
  return json !== null && typeof json === 'object' && Object.prototype.hasOwnProperty.call(json, name);
}

function cookieNames(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .slice(0, 16_384)
    .split(';')
    .map((p) => p.split('=')[0]!.trim())
    .filter(Boolean);
}

function jsonPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function pick(loc: FieldLocator | undefined, form: URLSearchParams | undefined, json: unknown): { value?: string; problem?: string } {
  if (!loc) return {};
  if (loc.form !== undefined) {
    if (!form) return {};
    const all = form.getAll(loc.form);
    if (all.length > 1) return { problem: `field "${loc.form}" appears ${all.length} times` };
    const other = lookAlike(form, loc.form);
    if (other !== undefined) return { problem: `field "${other.slice(0, 40)}" may be read as "${loc.form}"` };
    return all[0] === undefined ? {} : { value: all[0].slice(0, MAX_FIELD) };
  }
  if (loc.json !== undefined) {
    const v = json === undefined ? undefined : jsonPath(json, loc.json);
    if (v === undefined) return {};
    if (typeof v !== 'string') return { problem: `"${loc.json}" is not a string` };
    return { value: v.slice(0, MAX_FIELD) };
  }
  return {};
}

/** How PHP names a form field: leading spaces dropped, spaces and dots become underscores, `a[..]` is `a`. */
export function phpFieldName(key: string): string {
  const bracket = key.indexOf('[');
  const base = bracket > 0 ? key.slice(0, bracket) : key;
  return base.replace(/^ +/, '').replace(/[ .]/g, '_');
}

/** A field that the site may read as the configured one although its name differs (`e.mail`, `email[]`). */
function lookAlike(form: URLSearchParams, field: string): string | undefined {
  const want = phpFieldName(field);
  for (const key of form.keys()) if (key !== field && phpFieldName(key) === want) return key;
  return undefined;
}

/**
 * Credentials in the query string: apps reading `$_REQUEST` or `req.query` could take them from
 * there. Allowed only when they repeat the body's values (a form that posts back to a URL with
 * `?email=` prefilled); anything else is refused.
 */
function checkQuery(e: LoginEndpointConfig, query: string, fields: LoginFields): LoginFields {
  if (fields.problem || !query || query === '?') return fields;
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const pairs: [FieldLocator | undefined, string | undefined][] = [
    [e.username, fields.username],
    [e.password, fields.password],
  ];
  for (const [loc, value] of pairs) {
    const name = loc?.form ?? loc?.json?.split('.')[0];
    if (name === undefined) continue;
    for (const [key, v] of params) {
      if (phpFieldName(key) === phpFieldName(name) && (key !== name || v !== value)) {
        return { problem: `"${key.slice(0, 40)}" in the query string`, ambiguous: true };
      }
    }
  }
  return fields;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function extractLoginFields(e: LoginEndpointConfig, contentType: string | undefined, body: Buffer, query = '', cookies?: string): LoginFields {
  const refuse = (problem: string): LoginFields => ({ problem, ambiguous: true });
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  // mamori must read the body exactly as the site will, or not at all: one encoding, UTF-8, no BOM.
  const charset = /;\s*charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && !['utf-8', 'utf8', 'us-ascii'].includes(charset)) return refuse(`charset "${charset.slice(0, 40)}"`);
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return refuse('a byte-order mark');
  let text = '';
  if (ct !== 'multipart/form-data') {
    // (Multipart file parts may be binary: there only the field values are checked.)
    try {
      text = UTF8.decode(body);
    } catch {
      return refuse('invalid UTF-8');
    }
  }
  let form: URLSearchParams | undefined;
  let json: unknown;
  if (ct === 'application/x-www-form-urlencoded') {
    form = new URLSearchParams(text);
  } else if (ct === 'multipart/form-data') {
    // PHP and most frameworks accept a login form sent as multipart too; read it the same way.
    const parsed = parseMultipartFields(contentType ?? '', body);
    if (!parsed) return refuse('malformed multipart body');
    form = parsed;
  } else if (ct === 'application/json' || ct.endsWith('+json')) {
    try {
      json = JSON.parse(text);
    } catch {
      return refuse('malformed JSON');
    }
    // A framework with a JSON parser hands `{"email": ...}` to a handler that reads a form field.
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      const f = formFromObject(e, json);
      if (typeof f === 'string') return refuse(f);
      form = f;
    }
  } else if (body.length > 0 || !Object.keys(e.exceptQuery).length) {
    return refuse(ct ? `unsupported content type "${ct.slice(0, 80)}"` : 'no content type');
  }
  if (isExcepted(e, query, form, json, cookies)) return { notLogin: true };
  return checkQuery(e, query, fromParsed(e, form, json));
}

const MAX_PARTS = 1000;

/**
 * The plain fields of a multipart/form-data body (file parts are skipped),
 * or undefined when it cannot be read. Bounded by the body, which the proxy
 * caps, and by MAX_PARTS.
 */
export function parseMultipartFields(contentType: string, body: Buffer): URLSearchParams | undefined {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const out = new URLSearchParams();
  let pos = body.indexOf(delimiter);
  if (pos < 0) return undefined;
  for (let parts = 0; parts < MAX_PARTS; parts++) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return out; // the closing delimiter
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) return undefined;
    const headEnd = body.indexOf('\r\n\r\n', pos + 2);
    if (headEnd < 0) return undefined;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headEnd + 4);
    if (next < 0) return undefined;
    const head = body.subarray(pos + 2, headEnd).toString('latin1');
    const dispositions = head.match(/^content-disposition:.*$/gim) ?? [];
    if (dispositions.length !== 1) return undefined; // none, or two a parser could choose between
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/i.exec(dispositions[0]!)?.[1] ?? '';
    // Quoted with " or ' (PHP takes both) or not at all.
    const names = [...disposition.matchAll(/(?:^|;)\s*name=(?:"([^"]*)"|'([^']*)'|([^;\s"']+))/gi)];
    if (names.length > 1) return undefined;
    const name = names[0]?.[1] ?? names[0]?.[2] ?? names[0]?.[3];
    if (name !== undefined && !/(?:^|;)\s*filename\*?=/i.test(disposition)) {
      try {
        out.append(name, UTF8.decode(body.subarray(headEnd + 4, next)));
      } catch {
        return undefined; // a field value that is not UTF-8
      }
    }
    pos = next + 2;
  }
  return undefined;
}

function formFromObject(e: LoginEndpointConfig, obj: object): URLSearchParams | string | undefined {
  if (e.username.form === undefined && e.password?.form === undefined) return undefined;
  const form = new URLSearchParams();
  for (const name of [e.username.form, e.password?.form]) {
    if (name === undefined || !Object.prototype.hasOwnProperty.call(obj, name)) continue;
    const v = (obj as Record<string, unknown>)[name];
    if (typeof v !== 'string') return `"${name}" is not a string`;
    form.append(name, v);
  }
  return form;
}

/**
 * Reads the fields from a body a framework already parsed (the adapters' case). `query` is the
 * request's query string, for `except_query` and credentials sent in it.
 */
export function extractParsedLoginFields(e: LoginEndpointConfig, parsed: unknown, query = '', cookies?: string): LoginFields {
  const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  const form = new URLSearchParams();
  if (isObject && (e.username.form !== undefined || e.password?.form !== undefined)) {
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v === 'string') form.append(k, v);
      else if (Array.isArray(v)) for (const x of v) form.append(k, String(x));
      else if (v !== null && typeof v === 'object') form.append(`${k}[]`, ''); // a nested value the app may read as the field
    }
  }
  if (isExcepted(e, query, form, isObject ? parsed : undefined, cookies)) return { notLogin: true };
  // A body the framework did not parse into an object has no account name: refused, never counted under "".
  return checkQuery(e, query, fromParsed(e, isObject ? form : undefined, isObject ? parsed : undefined));
}

function fromParsed(e: LoginEndpointConfig, form: URLSearchParams | undefined, json: unknown): LoginFields {
  const u = pick(e.username, form, json);
  const p = pick(e.password, form, json);
  const problem = u.problem ?? p.problem ?? (u.value === undefined ? 'no account name' : undefined);
  return {
    ...(u.value !== undefined ? { username: u.value } : {}),
    ...(p.value !== undefined ? { password: p.value } : {}),
    ...(problem ? { problem, ambiguous: true } : {}),
  };
}

export type LoginOutcome = 'success' | 'failure' | 'unknown';

/** What the site answered to a login, as far as classifying it needs. */
export interface LoginAnswer {
  status: number;
  location?: string | undefined;
  /** The page, when it was read whole; undefined when not (compressed, too large, streamed). */
  body?: string | undefined;
  /** The answer's Set-Cookie header values. */
  setCookies?: readonly string[] | undefined;
}

/**
 * Classifies the site's answer to a login. Failure when a failure sign shows; success only
 * when every configured success sign shows (things an attacker cannot produce without the
 * password, at best a session cookie); anything else is unknown, which is counted as a failure.
 */
export function classifyLoginResponse(e: LoginEndpointConfig, a: LoginAnswer): LoginOutcome {
  const f = e.failure;
  if (f.status.includes(a.status)) return 'failure';
  if (f.redirectContains && a.location && a.location.includes(f.redirectContains)) return 'failure';
  if (f.bodyContains) {
    // The failure shows only in the page: an answer mamori could not read is not a success.
    if (a.body === undefined) return 'unknown';
    if (a.body.includes(f.bodyContains)) return 'failure';
  }
  const s = e.success;
  if (s.status.length && !s.status.includes(a.status)) return 'unknown';
  if (s.redirectContains && !(a.location !== undefined && a.location.includes(s.redirectContains))) return 'unknown';
  if (s.setCookie && !setsCookie(a.setCookies, s.setCookie)) return 'unknown';
  return 'success';
}

/**
 * Whether the answer sets (not clears) a cookie whose name starts with `prefix`: a deletion
 * (empty or placeholder value, Max-Age ≤ 0, Expires in the past) is not a login, and neither is
 * a cookie that a later Set-Cookie of the same answer clears.
 */
function setsCookie(list: readonly string[] | undefined, prefix: string, now = Date.now()): boolean {
  const live = new Map<string, boolean>();
  for (const c of list ?? []) {
    const eq = c.indexOf('=');
    if (eq <= 0) continue;
    const name = c.slice(0, eq).trim();
    if (!name.startsWith(prefix)) continue;
    const [rawValue = '', ...attrs] = c.slice(eq + 1).split(';');
    let value = rawValue.trim();
    try {
      value = decodeURIComponent(value.replace(/\+/g, ' ')).trim();
    } catch {
      // An undecodable value is taken as it is.
    }
    let alive = value !== '' && value.toLowerCase() !== 'deleted';
    for (const attr of attrs) {
      const [k = '', v = ''] = attr.split('=').map((x) => x.trim());
      if (k.toLowerCase() === 'max-age' && !(Number(v) > 0)) alive = false;
      if (k.toLowerCase() === 'expires') {
        const t = Date.parse(v);
        if (!Number.isFinite(t) || t <= now) alive = false;
      }
    }
    live.set(name, alive); // the last Set-Cookie for a name is the one that stands
  }
  for (const alive of live.values()) if (alive) return true;
  return false;
}
