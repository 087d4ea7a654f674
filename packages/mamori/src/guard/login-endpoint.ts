/**
 * The login endpoints described in config: which requests are logins,
 * where the account name and password are in them, and how the site's
 * answer shows failure. Shared by the proxy and the framework adapters.
 */
import type { FieldLocator, LoginEndpointConfig } from '../config/config.js';
import { normalizePolicyPath, policyPathViews } from './access-policy.js';
import type { RenderedResponse } from './verdict.js';

export interface LoginFields {
  username?: string;
  password?: string;
  /** Why the fields could not be read (ambiguous or malformed body). */
  problem?: string;
  /**
   * A field was sent twice or with a non-string value: the login could be counted under one
   * name and checked by the site under another, so it is refused with AMBIGUOUS_LOGIN.
   */
  ambiguous?: boolean;
}

/** The answer to an ambiguous login, the same from the proxy and every adapter. */
export const AMBIGUOUS_LOGIN: RenderedResponse = Object.freeze({
  status: 400,
  headers: Object.freeze({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }) as Record<string, string>,
  body: 'Bad request: ambiguous login form.\n',
});

const MAX_FIELD = 4096;

export function findLoginEndpoint(endpoints: readonly LoginEndpointConfig[], method: string, path: string): LoginEndpointConfig | undefined {
  if (endpoints.length === 0) return undefined;
  // Normalised as the access policy does, so `/Login`, `//login/` or `/x/../login` are still the login.
  const views = policyPathViews(path);
  const m = method.toUpperCase();
  for (const e of endpoints) if (e.method === m && views.includes(normalizePolicyPath(e.path))) return e;
  return undefined;
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

/** Reads the fields from a raw body (the proxy's case). */
export function extractLoginFields(e: LoginEndpointConfig, contentType: string | undefined, body: Buffer): LoginFields {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let form: URLSearchParams | undefined;
  let json: unknown;
  if (ct === 'application/x-www-form-urlencoded') {
    form = new URLSearchParams(body.toString('utf8'));
  } else if (ct === 'multipart/form-data') {
    // PHP and most frameworks accept a login form sent as multipart too; read it the same way.
    const parsed = parseMultipartFields(contentType ?? '', body);
    if (!parsed) return { problem: 'malformed multipart body' };
    form = parsed;
  } else if (ct === 'application/json' || ct.endsWith('+json')) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return { problem: 'malformed JSON' };
    }
    // A framework with a JSON parser hands `{"email": ...}` to a handler that reads a form field.
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      const f = formFromObject(e, json);
      if (typeof f === 'string') return { problem: f, ambiguous: true };
      form = f;
    }
  } else if (body.length > 0) {
    return { problem: `unsupported content type "${ct.slice(0, 80)}"` };
  }
  return fromParsed(e, form, json);
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
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(head)?.[1] ?? '';
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined && !/(?:^|;)\s*filename\*?=/i.test(disposition)) out.append(name, body.subarray(headEnd + 4, next).toString('utf8'));
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

/** Reads the fields from a body a framework already parsed (the adapters' case). */
export function extractParsedLoginFields(e: LoginEndpointConfig, parsed: unknown): LoginFields {
  if (parsed === null || typeof parsed !== 'object') return {};
  const form = new URLSearchParams();
  if (e.username.form !== undefined || e.password?.form !== undefined) {
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v === 'string') form.append(k, v);
      else if (Array.isArray(v)) for (const x of v) form.append(k, String(x));
    }
  }
  return fromParsed(e, form, parsed);
}

function fromParsed(e: LoginEndpointConfig, form: URLSearchParams | undefined, json: unknown): LoginFields {
  const u = pick(e.username, form, json);
  const p = pick(e.password, form, json);
  const problem = u.problem ?? p.problem;
  return {
    ...(u.value !== undefined ? { username: u.value } : {}),
    ...(p.value !== undefined ? { password: p.value } : {}),
    ...(problem ? { problem, ambiguous: true } : {}),
  };
}

export type LoginOutcome = 'success' | 'failure' | 'unknown';

/** Classifies the site's answer to a login. */
export function classifyLoginResponse(e: LoginEndpointConfig, status: number, location: string | undefined, body: string | undefined): LoginOutcome {
  const f = e.failure;
  if (f.status.includes(status)) return 'failure';
  if (f.redirectContains && location && location.includes(f.redirectContains)) return 'failure';
  if (f.bodyContains && body !== undefined && body.includes(f.bodyContains)) return 'failure';
  const s = e.success;
  if (s.status.length || s.redirectContains) {
    const statusOk = !s.status.length || s.status.includes(status);
    const redirectOk = !s.redirectContains || (location !== undefined && location.includes(s.redirectContains));
    return statusOk && redirectOk ? 'success' : 'unknown';
  }
  return status < 400 ? 'success' : 'unknown';
}
