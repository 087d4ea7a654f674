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

/** Headers a Connection token never takes away (see the top of this file). */
export const NEVER_NAMED_AWAY: ReadonlySet<string> = new Set(['host', 'content-length']);

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

const NO_TOKENS: ReadonlySet<string> = new Set();
/**
 * The tokens of the Connection values met lately, by value. Nearly every
 * message carries one of a few values (`keep-alive`, `close`, `Upgrade`), and
 * splitting one again for each message was a visible part of the proxy's
 * time per request. Bounded: short values only, and at most CACHED_VALUES of them.
 */
const tokenCache = new Map<string, ReadonlySet<string>>();
const CACHED_VALUES = 64;
const CACHED_LENGTH = 64;

/** connectionTokens, for reading only: the sets returned may be shared. */
export function connectionTokenSet(value: string | readonly string[] | number | undefined): ReadonlySet<string> {
  if (value === undefined || typeof value === 'number') return NO_TOKENS;
  if (typeof value !== 'string' || value.length > CACHED_LENGTH) return connectionTokens(value);
  let set = tokenCache.get(value);
  if (set === undefined) {
    set = connectionTokens(value);
    if (tokenCache.size < CACHED_VALUES) tokenCache.set(value, set);
  }
  return set;
}

/**
 * The first header that the request's `Connection` names and that the request
 * carries, other than the hop-by-hop ones (undefined when there is none).
 * Tokens naming absent headers (`close`, `keep-alive`) are harmless.
 */
export function connectionNamesEndToEnd(headers: LooseHeaders): string | undefined {
  const value = headers['connection'];
  if (value === undefined) return undefined;
  for (const name of connectionTokenSet(value)) {
    if (!MAY_BE_NAMED.has(name) && headers[name] !== undefined) return name;
  }
  return undefined;
}

/**
 * A copy of `headers` (names lower-cased, empty entries dropped) without the
 * hop-by-hop headers. `keep` names hop-by-hop headers to keep anyway (the
 * upgrade path keeps `connection` and `upgrade`); `drop` (lower-case) names
 * more headers to leave out, as deleting them from the copy afterwards would.
 */
export function stripHopByHop(headers: LooseHeaders, keep: ReadonlySet<string> = NO_TOKENS, drop: ReadonlySet<string> = NO_TOKENS): HeaderMap {
  const named = connectionTokenSet(headers['connection'] ?? headers['Connection']);
  const out: HeaderMap = {};
  // (Object.keys and no per-call Set: this runs twice for every request.)
  const names = Object.keys(headers);
  for (let i = 0; i < names.length; i++) {
    const rawName = names[i]!;
    const value = headers[rawName];
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    if (drop.has(name)) continue;
    if (!keep.has(name)) {
      if (HOP_BY_HOP.has(name)) continue;
      if (named.size > 0 && named.has(name) && !NEVER_NAMED_AWAY.has(name)) continue;
    }
    out[name] = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : [...value];
  }
  return out;
}

/** Appends `1.1 mamori` to a `Via` header value (RFC 9110 §7.6.3). */
export function addVia(headers: HeaderMap): void {
  const prior = headers['via'];
  headers['via'] = prior === undefined ? '1.1 mamori' : typeof prior === 'string' ? `${prior}, 1.1 mamori` : [...prior, '1.1 mamori'].join(', ');
}
