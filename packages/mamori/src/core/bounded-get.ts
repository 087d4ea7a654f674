/**
 * A GET of something mamori fetches for its users (a rule set, libinjection's data, an IoC
 * feed), bounded on every side an answering server controls: https only (http only from and to
 * 127.0.0.1, for tests), no credentials in the URL, redirects counted, the body's size, the whole
 * fetch's time and the socket's silence. Every failure is a MamoriError of the caller's code,
 * naming the URL.
 */
import { get as httpGet, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { MamoriError, type ErrorCode } from './errors.js';

export interface BoundedGetLimits {
  readonly maxBytes: number;
  /** The whole fetch, redirects included. */
  readonly timeoutMs: number;
  /** Silence on the socket. */
  readonly idleMs: number;
  readonly maxRedirects: number;
}

export interface BoundedGetOptions {
  /** The code of every failure. */
  code: ErrorCode;
  limits: BoundedGetLimits;
  /** Sent with each request (user-agent, accept, a conditional GET's validators). */
  headers: Readonly<Record<string, string>>;
  /**
   * Headers that carry a secret (an API key): sent to the first URL's origin only, and left
   * out when a redirect leads to another origin (scheme, host or port), as browsers do with
   * Authorization.
   */
  sensitiveHeaders?: readonly string[];
  /** What the URLs are, in messages: `only https:// feeds are fetched`. Default `URLs`. */
  what?: string;
  /** A 304 is an answer (the caller sent validators). */
  notModified?: boolean;
  /** Words after `answered N` for a status that is not an answer (a hint: `(no such release?)`). */
  statusHint?: (status: number) => string;
}

export type BoundedAnswer = { status: 200; body: Buffer; url: string; headers: IncomingHttpHeaders } | { status: 304; url: string };

/** Refuses a URL mamori does not fetch; `first` is where the redirects started. */
export function checkFetchUrl(url: URL, first: URL, code: ErrorCode, what = 'URLs'): void {
  const local = (u: URL) => u.protocol === 'http:' && u.hostname === '127.0.0.1';
  if (url.username || url.password) throw new MamoriError(code, `${url.protocol}//${url.host}…: a URL with a user name or password is not used`);
  if (url.protocol === 'https:') return;
  if (local(url) && local(first)) return;
  throw new MamoriError(code, `${url.href.slice(0, 200)}: only https:// ${what} are fetched (http:// only to 127.0.0.1, for tests)`);
}

/** GET `url`, following redirects within the limits. */
export async function boundedGet(url: URL, o: BoundedGetOptions): Promise<BoundedAnswer> {
  const first = url;
  let current = url;
  const deadline = Date.now() + o.limits.timeoutMs;
  for (let hop = 0; ; hop++) {
    checkFetchUrl(current, first, o.code, o.what);
    const secret = new Set((o.sensitiveHeaders ?? []).map((h) => h.toLowerCase()));
    const hopOptions = current.origin === first.origin || secret.size === 0 ? o : { ...o, headers: Object.fromEntries(Object.entries(o.headers).filter(([k]) => !secret.has(k.toLowerCase()))) };
    const r = await getOnce(current, hopOptions, deadline);
    if ('redirect' in r) {
      if (hop >= o.limits.maxRedirects) throw new MamoriError(o.code, `${first.href}: more than ${o.limits.maxRedirects} redirects`);
      current = new URL(r.redirect, current);
      continue;
    }
    return r;
  }
}

function getOnce(url: URL, o: BoundedGetOptions, deadline: number): Promise<BoundedAnswer | { redirect: string }> {
  const l = o.limits;
  const failure = (message: string, cause?: unknown) => new MamoriError(o.code, `${url.href}: ${message}`, cause === undefined ? {} : { cause });
  return new Promise((done, reject) => {
    const req = (url.protocol === 'https:' ? httpsGet : httpGet)(url, { headers: { 'accept-encoding': 'identity', ...o.headers }, timeout: l.idleMs });
    let settled = false;
    const finish = (err: unknown, value?: BoundedAnswer | { redirect: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err instanceof MamoriError ? err : failure((err as Error).message, err));
      else done(value!);
    };
    const abort = (message: string) => {
      finish(failure(message));
      req.destroy();
    };
    const timer = setTimeout(() => abort(`not fetched within ${Math.round(l.timeoutMs / 1000)} s`), Math.max(deadline - Date.now(), 0));
    req.on('timeout', () => abort(`no data for ${Math.round(l.idleMs / 1000)} s`));
    req.on('error', (err) => finish(err));
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const drop = () => {
        res.resume();
        req.destroy();
      };
      if ([301, 302, 303, 307, 308].includes(status)) {
        drop();
        const location = res.headers.location;
        return location ? finish(undefined, { redirect: location }) : finish(failure(`answered ${status} with no Location`));
      }
      if (status === 304 && o.notModified) {
        drop();
        return finish(undefined, { status: 304, url: url.href });
      }
      if (status !== 200) {
        drop();
        return finish(failure(`answered ${status}${o.statusHint?.(status) ?? ''}`));
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > l.maxBytes) {
        req.destroy();
        return finish(failure(`${declared} bytes, more than the ${l.maxBytes} allowed`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > l.maxBytes) return abort(`more than the ${l.maxBytes} bytes allowed`);
        chunks.push(c);
      });
      res.on('error', (err) => finish(err));
      res.on('aborted', () => finish(failure('the answer was cut short')));
      res.on('end', () => {
        if (!res.complete) return finish(failure('the answer was cut short'));
        finish(undefined, { status: 200, body: Buffer.concat(chunks), url: url.href, headers: res.headers });
      });
    });
  });
}
