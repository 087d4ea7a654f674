/**
 * What mamori answers about a request or a login attempt, framework-free.
 * Adapters and the proxy turn a Verdict into their own response with
 * `renderVerdict`.
 */
import type { DecisionAction } from '../core/decisions.js';

export interface Verdict {
  readonly action: DecisionAction;
  /** Why, for logs and events; never shown verbatim to the client. */
  readonly reason: string;
  /** The rule or detector that decided: `policy:admin-jp`, `login.user-source`, `decision:<id>`. */
  readonly ruleId?: string;
  /** Seconds the client should wait before trying again (blocked and challenged answers). */
  readonly retryAfter?: number;
  /** Proof-of-work difficulty in leading zero bits, for challenges. */
  readonly difficulty?: number;
  /** The HTTP status a block should get, when the detector knows best (429 for logins). */
  readonly status?: number;
  /** A trusted device (a browser that signed in here before) is not held by this block: the block page says so. */
  readonly trustedDevicesPass?: boolean;
  /** The protection is in detect-only mode: record, but let the request through. */
  readonly detectOnly?: boolean;
}

export const ALLOW: Verdict = Object.freeze({ action: 'allow', reason: 'no rule matched' });

/** A response in neutral form. */
export interface RenderedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** More Set-Cookie headers after `headers['set-cookie']` (one header value cannot carry two cookies). */
  setCookies?: readonly string[];
}

/** Everything about an incoming request that mamori looks at, supplied by the adapter. */
export interface RequestInfo {
  /** The client address, as the adapter determined it (never guessed from headers here). */
  readonly ip: string;
  readonly method: string;
  /** Path without query string. */
  readonly path: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The application itself received the request over HTTPS: cookies mamori sets get Secure. */
  readonly secure?: boolean | undefined;
  /**
   * What `per_source` rate limits count this request under instead of its address (an
   * adapter's `rateLimitKey` option: an API key, a tenant). Long keys are hashed.
   */
  readonly rateLimitKey?: string | undefined;
}

export function header(req: RequestInfo, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : (v as string | undefined);
}
