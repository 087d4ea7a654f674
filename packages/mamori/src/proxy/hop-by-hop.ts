/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and must not
 * be forwarded by a proxy: the fixed list below plus every header named in
 * `Connection`. `host` and `content-length` are never removed because a
 * client named them in `Connection`: the proxy sets the message framing
 * itself, and letting a client strip it would open the door to smuggling.
 *
 * A request may not use `Connection` to take away any other header it
 * carries (see connectionNamesEndToEnd): mamori reads headers such as
 * Content-Type, Cookie or Authorization to judge the request, and the
 * upstream must get the request mamori judged. `Connection: content-type`
 * once let a login body be read as JSON by mamori and as a form by the site.
 */

export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Headers a request may name in `Connection` while carrying them: the fixed
 * hop-by-hop list and HTTP/2's upgrade settings. Naming any other header it
 * carries gets the request refused.
 */
const MAY_BE_NAMED: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'http2-settings']);

const NEVER_NAMED_AWAY: ReadonlySet<string> = new Set(['host', 'content-length']);

export type HeaderMap = Record<string, string | string[]>;
export type LooseHeaders = Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** The lower-case header names listed in `Connection` values (comma-separated tokens). */
export function connectionTokens(value: string | readonly string[] | number | undefined): Set<string> {
  const out = new Set<string>();
  if (value === undefined || typeof value === 'number') return out;
  const values = typeof value === 'string' ? [value] : value;
  for (const v of values) {
    for (const part of v.split(',')) {
      const t = part.trim().toLowerCase();
      if (t !== '') out.add(t);
    }
  }
  return out;
}

/**
 * The first header that the request's `Connection` names and that the request
 * carries, other than the hop-by-hop ones (undefined when there is none).
 * Tokens naming absent headers (`close`, `keep-alive`) are harmless.
 */
export function connectionNamesEndToEnd(headers: LooseHeaders): string | undefined {
  const value = headers['connection'];
  if (value === undefined) return undefined;
  for (const name of connectionTokens(value)) {
    if (!MAY_BE_NAMED.has(name) && headers[name] !== undefined) return name;
  }
  return undefined;
}

/**
 * A copy of `headers` (names lower-cased, empty entries dropped) without the
 * hop-by-hop headers. `keep` names hop-by-hop headers to keep anyway (the
 * upgrade path keeps `connection` and `upgrade`).
 */
export function stripHopByHop(headers: LooseHeaders, keep: ReadonlySet<string> = new Set()): HeaderMap {
  const named = connectionTokens(headers['connection'] ?? headers['Connection']);
  const out: HeaderMap = {};
  for (const [rawName, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    if (!keep.has(name)) {
      if (HOP_BY_HOP.has(name)) continue;
      if (named.has(name) && !NEVER_NAMED_AWAY.has(name)) continue;
    }
    out[name] = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : [...value];
  }
  return out;
}

/** Appends `1.1 mamori` to a `Via` header value (RFC 9110 §7.6.3). */
export function addVia(headers: HeaderMap): void {
  const prior = headers['via'];
  const list = prior === undefined ? [] : typeof prior === 'string' ? [prior] : prior;
  headers['via'] = [...list, '1.1 mamori'].join(', ');
}
