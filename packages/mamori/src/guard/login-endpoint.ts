/**
 * The login endpoints described in config: which requests are logins,
 * where the account name and password are in them, and how the site's
 * answer shows failure. Shared by the proxy and the framework adapters.
 */
import type { FieldLocator, LoginEndpointConfig } from '../config/config.js';
import { normalizePolicyPath, policyPathViews } from './access-policy.js';
import type { RenderedResponse } from './verdict.js';
import { urlPath } from '../core/url.js';
import { parseXmlRpcCall, parseXmlRpcResponse, structMembers, XmlRpcError, type XmlRpcValue } from './xmlrpc.js';
import { duplicateJsonKey } from '../core/json.js';

export interface LoginFields {
  /** The account name (for XML-RPC, the first call's). */
  username?: string;
  password?: string;
  /** XML-RPC: each call that carries credentials, in order (a system.multicall carries many). */
  calls?: readonly LoginCall[];
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

/** One credential-carrying call of an XML-RPC request. */
export interface LoginCall {
  readonly username: string;
  readonly password: string | undefined;
  /** Its place among system.multicall's calls, or -1 for a request that is one call. */
  readonly index: number;
  /** Whether the method is listed (a success answer then proves the password); else it has the default positions. */
  readonly listed: boolean;
}

/** The answer to an ambiguous login, the same from the proxy and every adapter. */
export const AMBIGUOUS_LOGIN: RenderedResponse = Object.freeze({
  status: 400,
  headers: Object.freeze({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }) as Record<string, string>,
  body: 'Bad request: the login form could not be read unambiguously.\n',
});

const MAX_FIELD = 4096;

/**
 * Why an account name cannot be counted as the site reads it, or undefined: control
 * characters, which sites treat in ways no one fold matches (WordPress drops NUL, phpMyAdmin
 * cuts the name there, MariaDB's collations ignore the others).
 */
function accountProblem(name: string | undefined): string | undefined {
  return name !== undefined && /[\u0000-\u001f\u007f-\u009f]/.test(name) ? 'control characters in the account name' : undefined;
}

export function findLoginEndpoint(endpoints: readonly LoginEndpointConfig[], method: string, url: string): LoginEndpointConfig | undefined {
  return findLoginEndpoints(endpoints, method, url)[0];
}

/**
 * Every endpoint a request's method and path match, in config order. Several can: WordPress's
 * HTTP authentication covers every path, phpMyAdmin's form one of them; which of them the
 * request is a login for depends on what it carries (see pickLogin).
 */
export function findLoginEndpoints(endpoints: readonly LoginEndpointConfig[], method: string, url: string): LoginEndpointConfig[] {
  if (endpoints.length === 0) return [];
  // Normalised as the access policy does, so `/Login`, `//login/` or `/x/../login` are still the login.
  const views = policyPathViews(urlPath(url));
  const m = method.toUpperCase();
  const out: LoginEndpointConfig[] = [];
  for (const e of endpoints) {
    if (e.method !== '*' && e.method !== m) continue;
    const matchers = endpointMatchers(e);
    if (matchers.some((match) => views.some(match))) out.push(e);
  }
  return out;
}

/**
 * The login a request makes among the endpoints it matched: the first whose credentials it
 * carries (or whose reading is ambiguous, to be refused), endpoints reading the body before
 * those reading the Authorization header. So a form or XML-RPC guess is counted even when the
 * request also carries HTTP credentials (a site behind nginx's auth_basic, or a decoy Basic
 * header); its budget then bounds the request, whatever the header guesses. undefined when
 * the request is a login for none.
 */
export async function pickLogin(
  endpoints: readonly LoginEndpointConfig[],
  read: (e: LoginEndpointConfig) => LoginFields | Promise<LoginFields>,
): Promise<{ endpoint: LoginEndpointConfig; fields: LoginFields } | undefined> {
  // HTTP authentication last (the list as it is when there is none: the usual case, no copies).
  const ordered = endpoints.some((e) => e.credentials === 'http-auth')
    ? [...endpoints.filter((e) => e.credentials !== 'http-auth'), ...endpoints.filter((e) => e.credentials === 'http-auth')]
    : endpoints;
  for (const endpoint of ordered) {
    const fields = await read(endpoint);
    if (!fields.notLogin) return { endpoint, fields };
  }
  return undefined;
}

/** The file a directory's URL runs, as PHP sites are set up (nginx `index`, Apache `DirectoryIndex`). */
const DIRECTORY_INDEX = 'index.php';

/**
 * How one login path matches a request's canonical path (see policyPathViews), the same
 * canonicalisation as the access policy's:
 * - `/wp-login.php` matches itself and, since a script runs for every path below it
 *   (PATH_INFO: nginx's `fastcgi_split_path_info`, Apache's AcceptPathInfo), `/wp-login.php/x`;
 *   `path_info` turns that on or off (default: on when the last segment has an extension);
 * - `/app/index.php` and `/app/` are one endpoint: each matches `/app`, `/app/index.php` and
 *   (path info) `/app/index.php/x`;
 * - `/api/*` matches `/api` and everything under it; `*` every path.
 */
export function loginPathMatcher(pattern: string, pathInfo: boolean | undefined): (path: string) => boolean {
  if (pattern === '*' || pattern === '/*') return () => true;
  if (pattern.endsWith('/*')) {
    const base = normalizePolicyPath(pattern.slice(0, -2));
    if (base === '/') return () => true;
    return (p) => p === base || p.startsWith(`${base}/`);
  }
  const canonical = normalizePolicyPath(pattern);
  const last = canonical.slice(canonical.lastIndexOf('/') + 1);
  let script = canonical;
  let directory: string | undefined;
  if (last === DIRECTORY_INDEX) directory = canonical.slice(0, -DIRECTORY_INDEX.length - 1) || '/';
  else if (pattern.endsWith('/')) {
    directory = canonical;
    script = `${canonical === '/' ? '' : canonical}/${DIRECTORY_INDEX}`;
  }
  const info = pathInfo ?? script.slice(script.lastIndexOf('/') + 1).includes('.');
  return (p) => p === script || p === directory || (info && p.startsWith(`${script}/`));
}

/** An endpoint's path matchers, worked out once per endpoint object (and again if its paths change). */
const endpointCache = new WeakMap<LoginEndpointConfig, { src: readonly string[] | string; pathInfo: boolean | undefined; matchers: ((p: string) => boolean)[] }>();
function endpointMatchers(e: LoginEndpointConfig): ((p: string) => boolean)[] {
  // (Endpoints built in code may give only `path`.)
  const src = e.paths ?? e.path;
  let c = endpointCache.get(e);
  if (c === undefined || c.src !== src || c.pathInfo !== e.pathInfo) {
    c = { src, pathInfo: e.pathInfo, matchers: (typeof src === 'string' ? [src] : src).map((p) => loginPathMatcher(p, e.pathInfo)) };
    endpointCache.set(e, c);
  }
  return c.matchers;
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
  if (form !== undefined) {
    const want = phpFieldName(name);
    for (const k of form.keys()) if (phpFieldName(k) === want) return true;
  }
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

/** The value at a dotted path of own keys (`user.email`), or undefined; arrays are not entered. */
export function jsonPath(obj: unknown, path: string): unknown {
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

/** The characters phpFieldName may change or cut at (see below); a name without any is its own PHP name. */
const PHP_NAME_CHANGES = /[\0 .[]/;

/**
 * How PHP names a form field (php_register_variable_ex): the name ends at a NUL byte (it is a C
 * string), leading spaces are dropped, spaces and dots become underscores, `a[..]` is `a`, and
 * an unclosed `[` is an underscore too (with the rest: `a[b.c` is `a_b_c`).
 */
export function phpFieldName(key: string): string {
  // Most names (`username`, `log`, `pwd`) have none of the characters PHP changes: themselves.
  if (!PHP_NAME_CHANGES.test(key)) return key;
  const nul = key.indexOf('\0');
  const k = (nul >= 0 ? key.slice(0, nul) : key).replace(/^ +/, '');
  const bracket = k.indexOf('[');
  if (bracket <= 0) return k.replace(/[ .]/g, '_');
  if (k.indexOf(']', bracket) > 0) return k.slice(0, bracket).replace(/[ .]/g, '_');
  return k.replace(/[ .[]/g, '_');
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

/**
 * The media type as PHP reads it (SAPI cuts the header at the first `;`, `,` or space and
 * lower-cases it): `multipart/form-data, x; boundary=B` is multipart to PHP.
 */
export function phpMediaType(contentType: string | undefined): string {
  const ct = (contentType ?? '').trim().toLowerCase();
  const cut = ct.search(/[;, ]/);
  return cut < 0 ? ct : ct.slice(0, cut);
}

/** The top-level name a field locator reads (a form field, or the first step of a JSON path). */
function topName(loc: FieldLocator | undefined): string | undefined {
  return loc?.form ?? loc?.json?.split('.')[0];
}

/** Whether the query names the field (under any name PHP reads as it). */
function queryCarries(query: string, name: string): boolean {
  if (!query || query === '?') return false;
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  for (const key of params.keys()) if (phpFieldName(key) === phpFieldName(name)) return true;
  return false;
}

/**
 * Readings of a body other than the one its Content-Type asks for: as a form, and as JSON when
 * it looks like an object. A site whose parser chose otherwise (a missing or unusual type, a
 * framework that sniffs) would read these.
 */
function otherReadings(text: string, judged: 'form' | 'json' | 'multipart' | 'none'): { form?: URLSearchParams; json?: unknown } {
  const out: { form?: URLSearchParams; json?: unknown } = {};
  if (judged !== 'form') out.form = new URLSearchParams(text);
  if (judged !== 'json' && /^[\s]*[{[]/.test(text)) {
    try {
      out.json = JSON.parse(text);
    } catch {
      // Not JSON under any parser: no reading.
    }
  }
  return out;
}

export function extractLoginFields(e: LoginEndpointConfig, contentType: string | undefined, body: Buffer, query = '', cookies?: string): LoginFields {
  const refuse = (problem: string): LoginFields => ({ problem, ambiguous: true });
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  // mamori must read the body exactly as the site will, or not at all: one encoding, UTF-8, no BOM.
  const charset = /;\s*charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && !['utf-8', 'utf8', 'us-ascii'].includes(charset)) return refuse(`charset "${charset.slice(0, 40)}"`);
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return refuse('a byte-order mark');
  let text: string;
  if (ct === 'multipart/form-data') {
    // File parts may be binary: only the field values must be UTF-8 (checked by the multipart reader).
    text = body.toString('utf8');
  } else {
    try {
      text = UTF8.decode(body);
    } catch {
      return refuse('invalid UTF-8');
    }
  }
  let form: URLSearchParams | undefined;
  let json: unknown;
  let judged: 'form' | 'json' | 'multipart' | 'none' = 'none';
  let problem: string | undefined;
  const user = topName(e.username);
  if (ct !== phpMediaType(contentType)) {
    // A type written so that parsers disagree on it (PHP cuts at `,` and spaces too): no
    // browser sends one, and its body may name the account in any encoding: refused.
    if (body.length > 0 || (user !== undefined && queryCarries(query, user))) return refuse(`a Content-Type PHP reads otherwise ("${ct.slice(0, 60)}")`);
    return { notLogin: true };
  }
  if (ct === 'application/x-www-form-urlencoded') {
    judged = 'form';
    form = new URLSearchParams(text);
  } else if (ct === 'multipart/form-data') {
    // PHP and most frameworks accept a login form sent as multipart too; read it the same way.
    judged = 'multipart';
    form = parseMultipartFields(contentType ?? '', body);
    if (!form) problem = 'malformed multipart body';
  } else if (ct === 'application/json' || ct.endsWith('+json')) {
    judged = 'json';
    try {
      json = JSON.parse(text);
    } catch {
      problem = 'malformed JSON';
    }
  } else if (body.length > 0) {
    problem = ct ? `unsupported content type "${ct.slice(0, 80)}"` : 'no content type';
  }
  const alt = otherReadings(text, judged);
  // A request to the login path is a login when it names the account field in any reading of
  // its body or in its query; everything else the site does at that path passes untouched.
  if (user !== undefined) {
    const named =
      carries(form, json, user) || carries(alt.form, alt.json, user) || queryCarries(query, user) || (problem !== undefined && judged !== 'none' && body.length > 0);
    if (!named) return { notLogin: true };
  }
  if (problem !== undefined) return refuse(problem);
  if (judged === 'json') {
    const dup = duplicateJsonKey(text);
    if (dup !== undefined) return refuse(`the JSON key "${dup.slice(0, 40)}" appears twice`);
    // A framework with a JSON parser hands `{"email": ...}` to a handler that reads a form field.
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      const f = formFromObject(e, json);
      if (typeof f === 'string') return refuse(f);
      form = f;
    }
  }
  for (const name of e.refuseFields ?? []) {
    if (carries(form, json, name) || carries(alt.form, alt.json, name) || queryCarries(query, name)) return refuse(`the field "${name.slice(0, 40)}"`);
  }
  if (isExcepted(e, query, form, json, cookies)) return { notLogin: true };
  const fields = checkQuery(e, query, fromParsed(e, form, json));
  if (fields.problem) return fields;
  // The same bytes read by another parser must not name another account (or any account where
  // this reading names none): mamori would count one and the site could check the other.
  for (const other of [alt.form !== undefined ? fromParsed(e, alt.form, undefined) : undefined, alt.json !== undefined ? fromParsed(e, formOf(e, alt.json), alt.json) : undefined]) {
    if (other === undefined) continue;
    if (other.username !== undefined && other.username !== fields.username) return refuse('the body names another account when read by another parser');
  }
  return fields;
}

/** A JSON reading as the form a framework would hand to a handler reading form fields. */
function formOf(e: LoginEndpointConfig, json: unknown): URLSearchParams | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const f = formFromObject(e, json);
  return typeof f === 'string' ? undefined : f;
}


const MAX_PARTS = 1000;

/**
 * The plain fields of a multipart/form-data body (file parts are skipped),
 * or undefined when it cannot be read. Bounded by the body, which the proxy
 * caps, and by MAX_PARTS.
 */
export function parseMultipartFields(contentType: string, body: Buffer): URLSearchParams | undefined {
  // Only the form browsers send, which PHP and mamori read alike: one `boundary` parameter (PHP
  // takes the first "boundary" anywhere in the header), the body starting at the first
  // delimiter (no preamble), CRLF line ends in part heads, every delimiter preceded by CRLF
  // (PHP also ends a part at a bare LF before the delimiter), each part's disposition
  // `form-data` with one name. Anything else is undefined: refused on a login.
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;,\s"]{1,70}))\s*$/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary || boundary !== phpBoundary(contentType)) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  if (!body.subarray(0, delimiter.length).equals(delimiter)) return undefined;
  for (let at = body.indexOf(`\n--${boundary}`); at >= 0; at = body.indexOf(`\n--${boundary}`, at + 1)) {
    if (body[at - 1] !== 0x0d) return undefined;
  }
  const out = new URLSearchParams();
  let pos = 0;
  for (let parts = 0; parts < MAX_PARTS; parts++) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) {
      // The closing delimiter: PHP reads on past it for another delimiter line, so nothing may follow.
      const rest = body.subarray(pos + 2).toString('latin1');
      return parts > 0 && (rest === '' || rest === '\r\n') ? out : undefined;
    }
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) return undefined;
    const headEnd = body.indexOf('\r\n\r\n', pos + 2);
    if (headEnd < 0) return undefined;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headEnd + 4);
    if (next < 0) return undefined;
    const head = body.subarray(pos + 2, headEnd).toString('latin1');
    const params = partParams(head);
    if (!params) return undefined;
    const name = params.get('name');
    if (name !== undefined && !params.has('filename')) {
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

/**
 * A part head's Content-Disposition parameters, read only where PHP (rfc1867.c) reads them
 * alike: every header line `Name: value` (no folded continuation, no line without a colon,
 * which PHP joins to the one before), exactly one Content-Disposition, of type form-data, its
 * parameters `key=value` with nothing between the key, `=` and the value, the value a token or
 * a closed quoted string without backslashes (quotes may hold `;` and `=`, as PHP's do), each
 * key once, no `filename*`. Keys are lower-cased. undefined for anything else.
 */
function partParams(head: string): Map<string, string> | undefined {
  let disposition: string | undefined;
  for (const line of head.split('\r\n')) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*)$/.exec(line);
    if (!m) return undefined;
    if (m[1]!.toLowerCase() !== 'content-disposition') continue;
    if (disposition !== undefined) return undefined; // two a parser could choose between
    disposition = m[2]!;
  }
  if (disposition === undefined) return undefined;
  const type = /^form-data[ \t]*(?:;|$)/i.exec(disposition);
  if (!type) return undefined; // PHP reads a name from any disposition type
  const params = new Map<string, string>();
  const re = /[ \t]*([!#$%&*+.^_`|~0-9A-Za-z-]+)=(?:"([^"\\]*)"|'([^'\\]*)'|([!#$%&*+.^_`|~0-9A-Za-z-]+))[ \t]*(;|$)/y;
  let at = type[0].length;
  while (at < disposition.length) {
    re.lastIndex = at;
    const p = re.exec(disposition);
    if (!p) return undefined;
    const key = p[1]!.toLowerCase();
    if (params.has(key) || key === 'filename*' || key.endsWith('*')) return undefined;
    params.set(key, p[2] ?? p[3] ?? p[4]!);
    at = re.lastIndex;
    if (p[5] === '') break;
  }
  return params;
}

/**
 * The boundary PHP takes from a multipart Content-Type (rfc1867.c): after the first "boundary"
 * in the header (case-sensitive, else in any case) and its `=`, quoted, or up to `,` or `;`.
 */
function phpBoundary(contentType: string): string | undefined {
  let at = contentType.indexOf('boundary');
  if (at < 0) at = contentType.toLowerCase().indexOf('boundary');
  if (at < 0) return undefined;
  const eq = contentType.indexOf('=', at);
  if (eq < 0) return undefined;
  const rest = contentType.slice(eq + 1);
  if (rest.startsWith('"')) {
    const end = rest.indexOf('"', 1);
    return end < 0 ? undefined : rest.slice(1, end);
  }
  const end = rest.search(/[,;]/);
  return end < 0 ? rest : rest.slice(0, end);
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
  if (isObject && (e.username.form !== undefined || e.password?.form !== undefined || (e.refuseFields ?? []).length > 0)) {
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v === 'string') form.append(k, v);
      else if (Array.isArray(v)) for (const x of v) form.append(k, String(x));
      else if (v !== null && typeof v === 'object') form.append(`${k}[]`, ''); // a nested value the app may read as the field
    }
  }
  const json = isObject ? parsed : undefined;
  // A parsed body that names no account (nor does the query) is not a login: the app does
  // something else at this path.
  // (A body the framework did not parse into an object cannot be told apart: refused below.)
  const user = topName(e.username);
  if (isObject && user !== undefined && !carries(form, json, user) && !queryCarries(query, user)) return { notLogin: true };
  for (const name of e.refuseFields ?? []) {
    if (carries(form, json, name) || queryCarries(query, name)) return { problem: `the field "${name.slice(0, 40)}"`, ambiguous: true };
  }
  if (isExcepted(e, query, form, json, cookies)) return { notLogin: true };
  // A body the framework did not parse into an object has no account name: refused, never counted under "".
  return checkQuery(e, query, fromParsed(e, isObject ? form : undefined, json));
}

function fromParsed(e: LoginEndpointConfig, form: URLSearchParams | undefined, json: unknown): LoginFields {
  const u = pick(e.username, form, json);
  const p = pick(e.password, form, json);
  const problem = u.problem ?? p.problem ?? (u.value === undefined ? 'no account name' : accountProblem(u.value));
  // (Literals rather than conditional spreads: the usual reading, both fields and no problem, then
  // has one shape, and reading it stays cheap. Same keys, same order.)
  let out: { -readonly [K in keyof LoginFields]: LoginFields[K] };
  if (u.value !== undefined) out = p.value !== undefined ? { username: u.value, password: p.value } : { username: u.value };
  else out = p.value !== undefined ? { password: p.value } : {};
  if (problem) {
    out.problem = problem;
    out.ambiguous = true;
  }
  return out;
}

/**
 * Credentials from an `Authorization` header (credentials: http-auth): Basic gives the account
 * name and password, Digest the name. No header, or another scheme (Bearer...), is not a login.
 * A Basic or Digest header mamori cannot read exactly as a server would is refused.
 */
export function extractAuthorizationFields(header: string | undefined): LoginFields {
  const refuse = (problem: string): LoginFields => ({ problem, ambiguous: true });
  if (header === undefined || header.trim() === '') return { notLogin: true };
  // Scheme, whitespace, the rest (no regex over the whole header: it may be long).
  // (RFC 9110: the scheme, then spaces; PHP takes `Basic ` with a space, not a tab.)
  const h = header.slice(0, MAX_AUTHORIZATION + 1).replace(/^[ \t]+/, '');
  let cut = 0;
  while (cut < h.length && h[cut] !== ' ') cut++;
  const schemeRaw = h.slice(0, cut);
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(schemeRaw)) return refuse('a malformed Authorization header');
  const scheme = schemeRaw.toLowerCase();
  if (scheme !== 'basic' && scheme !== 'digest') return { notLogin: true };
  if (header.length > MAX_AUTHORIZATION) return refuse('an Authorization header longer than 8 KiB');
  let a = cut;
  while (a < h.length && h[a] === ' ') a++;
  let b = h.length;
  while (b > a && (h[b - 1] === ' ' || h[b - 1] === '\t')) b--;
  const rest = h.slice(a, b);
  if (scheme === 'basic') {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(rest) || rest.length % 4 !== 0) return refuse('Basic credentials that are not plain base64');
    let decoded: string;
    try {
      decoded = UTF8.decode(Buffer.from(rest, 'base64'));
    } catch {
      return refuse('Basic credentials that are not UTF-8');
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) return refuse('Basic credentials without a colon');
    if (decoded.includes('\0')) return refuse('Basic credentials with a NUL byte');
    const bad = accountProblem(decoded.slice(0, colon));
    if (bad) return refuse(bad);
    return { username: decoded.slice(0, colon).slice(0, MAX_FIELD), password: decoded.slice(colon + 1).slice(0, MAX_FIELD) };
  }
  // Digest: auth-params, name=token or name="quoted-string" (RFC 9110 11.4, RFC 7616).
  const params = new Map<string, string>();
  const re = /[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*=[ \t]*(?:"((?:[^"\\]|\\[^])*)"|([!#$%&'*+.^_`|~0-9A-Za-z-]+))[ \t]*(,|$)/y;
  let at = 0;
  while (at < rest.length) {
    re.lastIndex = at;
    const p = re.exec(rest);
    if (!p) return refuse('malformed Digest parameters');
    const name = p[1]!.toLowerCase();
    if (params.has(name)) return refuse(`the Digest parameter ${name.slice(0, 20)} twice`);
    params.set(name, p[2] !== undefined ? p[2].replace(/\\([^])/g, '$1') : p[3]!);
    at = re.lastIndex;
    if (p[4] === '') break;
  }
  if (params.has('username*')) return refuse('an encoded Digest username');
  const user = params.get('username');
  if (user === undefined) return refuse('a Digest header without a username');
  const bad = accountProblem(user);
  if (bad) return refuse(bad);
  return { username: user.slice(0, MAX_FIELD) };
}

const MAX_AUTHORIZATION = 8192;
/** The most credential-carrying calls one XML-RPC request may make (system.multicall). */
export const MAX_XMLRPC_CALLS = 1000;

/**
 * The credential-carrying calls of an XML-RPC request (credentials: xmlrpc). Servers such as
 * WordPress's read the body whatever its Content-Type, so it is read as XML-RPC here too. A call
 * that names no credentials (pingback.ping, system.listMethods) is not a login; one whose
 * credential params are not strings, a body that is not plain XML-RPC, or a multicall of
 * more than MAX_XMLRPC_CALLS credential calls is refused.
 */
export function extractXmlRpcFields(e: LoginEndpointConfig, body: Buffer): LoginFields {
  const refuse = (problem: string): LoginFields => ({ problem, ambiguous: true });
  if (body.length === 0) return { notLogin: true };
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return refuse('invalid UTF-8');
  }
  let call;
  try {
    call = parseXmlRpcCall(text);
  } catch (err) {
    if (err instanceof XmlRpcError) return refuse(`not plain XML-RPC: ${err.message}`);
    throw err;
  }
  const cfg = e.xmlrpc ?? { methods: {}, defaultParams: undefined };
  const calls: LoginCall[] = [];
  const take = (method: string, params: readonly XmlRpcValue[], index: number): string | undefined => {
    const listed = Object.hasOwn(cfg.methods, method);
    const at = listed ? cfg.methods[method]! : cfg.defaultParams;
    if (at === undefined || at.length === 0) return undefined;
    const u = params[at[0]!];
    const p = at.length > 1 ? params[at[1]!] : undefined;
    if (typeof u !== 'string' || (p !== undefined && typeof p !== 'string')) return `${method.slice(0, 60)}'s credentials are not strings`;
    const bad = accountProblem(u);
    if (bad) return bad;
    calls.push({ username: u.slice(0, MAX_FIELD), password: p === undefined ? undefined : (p as string).slice(0, MAX_FIELD), index, listed });
    return calls.length > MAX_XMLRPC_CALLS ? `more than ${MAX_XMLRPC_CALLS} calls with credentials` : undefined;
  };
  if (call.method === 'system.multicall') {
    const list = call.params[0];
    if (!Array.isArray(list) || call.params.length !== 1) return refuse('system.multicall without one array of calls');
    for (let i = 0; i < list.length; i++) {
      const members = structMembers(list[i]);
      const method = members?.get('methodName');
      const params = members?.get('params');
      if (typeof method !== 'string' || !Array.isArray(params)) return refuse(`system.multicall's call ${i} is not {methodName, params}`);
      // (A nested multicall is refused by servers, WordPress's included. The name is trimmed already.)
      if (method === 'system.multicall') continue;
      const problem = take(method, params, i);
      if (problem) return refuse(problem);
    }
  } else {
    const problem = take(call.method, call.params, -1);
    if (problem) return refuse(problem);
  }
  if (calls.length === 0) return { notLogin: true };
  return { username: calls[0]!.username, ...(calls[0]!.password !== undefined ? { password: calls[0]!.password } : {}), calls };
}

/** Whether the endpoint says how a success shows (status, redirect, cookie or headers). */
export function hasSuccessSign(e: LoginEndpointConfig): boolean {
  const s = e.success;
  return s.status.length > 0 || s.redirectContains !== undefined || s.setCookie !== undefined || Object.keys(s.headers ?? {}).length > 0;
}

/** Whether classifying the site's answer to a login of this endpoint needs the answer's body. */
export function loginReadsAnswer(e: LoginEndpointConfig): boolean {
  return e.failure.bodyContains !== undefined || e.credentials === 'xmlrpc';
}

/**
 * How a login attempt ended: a success (reset, trusted device), a failure (counted), unknown
 * (counted as a failure), or neutral: the answer neither shows a failure nor proves the password
 * (an HTTP-authenticated request to a page that checks nobody), so what check counted is taken back.
 */
export type LoginOutcome = 'success' | 'failure' | 'unknown' | 'neutral';

/** What the site answered to a login, as far as classifying it needs. */
export interface LoginAnswer {
  status: number;
  location?: string | undefined;
  /** The page, when it was read whole; undefined when not (compressed, too large, streamed). */
  body?: string | undefined;
  /** The answer's Set-Cookie header values. */
  setCookies?: readonly string[] | undefined;
  /** Reads one of the answer's other headers (lower-case name), for `success.headers`. */
  header?: ((name: string) => string | undefined) | undefined;
}

/**
 * Classifies the site's answer to a login. Failure when a failure sign shows; success only
 * when every configured success sign shows (things an attacker cannot produce without the
 * password, at best a session cookie); anything else is unknown, which is counted as a failure.
 */
export function classifyLoginResponse(e: LoginEndpointConfig, a: LoginAnswer): LoginOutcome {
  const f = e.failure;
  if (e.credentials === 'http-auth') {
    if (f.status.includes(a.status)) return 'failure';
    if (!hasSuccessSign(e)) return 'neutral';
  }
  if (f.status.includes(a.status)) return 'failure';
  if (f.redirectContains && a.location && a.location.includes(f.redirectContains)) return 'failure';
  if (f.bodyContains) {
    // The failure shows only in the page: an answer mamori could not read is not a success.
    if (a.body === undefined) return 'unknown';
    if (a.body.includes(f.bodyContains)) return 'failure';
  }
  const s = e.success;
  if (s.status.length && !s.status.includes(a.status)) return 'unknown';
  for (const [name, want] of Object.entries(s.headers ?? {})) {
    if (!(a.header?.(name.toLowerCase()) ?? '').includes(want)) return 'unknown';
  }
  if (s.redirectContains && !(a.location !== undefined && a.location.includes(s.redirectContains))) return 'unknown';
  if (s.setCookie && !setsCookie(a.setCookies, s.setCookie)) return 'unknown';
  return 'success';
}

/**
 * The outcome of each credential call of an XML-RPC login, in the order of `calls`: a listed
 * fault code is a failure; an answer without a fault proves the password for a listed method
 * (success) and proves nothing for a method read at the default positions (neutral); anything
 * else (another fault, an answer that is not plain XML-RPC, another status) is unknown.
 */
export function classifyXmlRpcAnswer(e: LoginEndpointConfig, calls: readonly LoginCall[], a: LoginAnswer): LoginOutcome[] {
  const unknown = (): LoginOutcome[] => calls.map(() => 'unknown');
  if (a.status !== 200 || a.body === undefined) return unknown();
  const r = parseXmlRpcResponse(a.body);
  if (!r) return unknown();
  const faults = e.failure.faultCodes ?? [];
  const judge = (fault: { code: number | undefined } | undefined, c: LoginCall): LoginOutcome => {
    if (fault) return fault.code !== undefined && faults.includes(fault.code) ? 'failure' : 'unknown';
    return c.listed ? 'success' : 'neutral';
  };
  if (calls.length === 1 && calls[0]!.index < 0) return [judge(r.fault, calls[0]!)];
  // system.multicall: one entry per call, [result] or a fault struct.
  const results = r.params?.[0];
  if (r.fault || !Array.isArray(results)) return unknown();
  return calls.map((c) => {
    const res = results[c.index];
    if (Array.isArray(res) && res.length === 1) return judge(undefined, c);
    const members = structMembers(res);
    const code = members?.get('faultCode');
    if (members && typeof code === 'number') return judge({ code }, c);
    return 'unknown';
  });
}

/**
 * Whether the answer sets (not clears) a cookie whose name starts with `prefix`: a deletion
 * (empty or placeholder value, Max-Age ≤ 0, Expires in the past) is not a login, and neither is
 * a cookie that a later Set-Cookie of the same answer clears.
 */
function setsCookie(list: readonly string[] | undefined, prefix: string, now = Date.now()): boolean {
  const live = new Map<string, boolean>();
  for (const { name, value: rawValue, attrs } of setCookieEntries(list, prefix)) {
    let value = rawValue;
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

/** The Set-Cookie values of an answer whose cookie name starts with `prefix`: name, raw value (trimmed), attributes. */
function* setCookieEntries(list: readonly string[] | undefined, prefix: string): Generator<{ name: string; value: string; attrs: string[] }> {
  for (const c of list ?? []) {
    const eq = c.indexOf('=');
    if (eq <= 0) continue;
    const name = c.slice(0, eq).trim();
    if (!name.startsWith(prefix)) continue;
    const [value = '', ...attrs] = c.slice(eq + 1).split(';');
    yield { name, value: value.trim(), attrs };
  }
}

/**
 * The account named by the success cookie of an endpoint whose `success.account_cookie` is set:
 * the cookie's value up to the first `|`, percent-decoded (WordPress writes `name|expiry|...`).
 * undefined when the endpoint does not say; null when the answer has no such cookie to read.
 */
export function successCookieAccount(e: LoginEndpointConfig, a: LoginAnswer): string | undefined | null {
  const prefix = e.success.accountCookie;
  if (prefix === undefined) return undefined;
  let found: string | null = null;
  for (const { value } of setCookieEntries(a.setCookies, prefix)) {
    const bar = value.search(/\||%7c/i);
    if (bar <= 0) continue;
    try {
      found = decodeURIComponent(value.slice(0, bar));
    } catch {
      // An undecodable name is no name.
    }
  }
  return found;
}
