/**
 * What every parser does to the values it lifts out of a line: bound their length,
 * normalise addresses with mamori's IP helpers, split a request target into path and
 * query, and build the LogEvent. The values come from attacker-written log lines, so
 * nothing here throws and nothing grows without bound.
 */
import { formatIp, parseIpv4, tryParseIp } from 'mamori/internal';
import type { FieldValue, LogEvent, RawLine } from '../model.js';

export type Fields = Record<string, FieldValue>;

/** The longest string value an event keeps; a longer one is cut and ends in `…`. */
export const MAX_VALUE = 4096;

export function bound(s: string): string {
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE)}…` : s;
}

/** The address in its canonical text (IPv4-mapped IPv6 folded to IPv4), or undefined when it is not one. */
export function normalizeIp(text: string): string | undefined {
  // A dotted quad that parses is already canonical: no allocation on the common path.
  if (parseIpv4(text) !== undefined) return text;
  const ip = tryParseIp(text);
  return ip ? formatIp(ip) : undefined;
}

/**
 * Sets `source.ip` when the text is an address, else `source.address` (a host name as
 * `rhost=` logs it), so a detector grouping by `source.ip` never sees a name an attacker
 * chose. `-` and the empty string set nothing.
 */
export function setSource(f: Fields, text: string | undefined): void {
  if (text === undefined || text === '' || text === '-') return;
  const ip = normalizeIp(text);
  if (ip !== undefined) f['source.ip'] = ip;
  else f['source.address'] = bound(text);
}

export function setIp(f: Fields, key: string, text: string | undefined): void {
  if (text === undefined) return;
  const ip = normalizeIp(text);
  if (ip !== undefined) f[key] = ip;
}

/** A decimal integer of at most 15 digits, or undefined. */
export function toInt(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const len = text.length;
  if (len === 0 || len > 15) return undefined;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n;
}

export function setInt(f: Fields, key: string, text: string | undefined): void {
  const n = toInt(text);
  if (n !== undefined) f[key] = n;
}

export function setStr(f: Fields, key: string, text: string | undefined): void {
  if (text === undefined || text === '' || text === '-') return;
  f[key] = bound(text);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/**
 * Percent-decodes once. Invalid escapes stay as written; bytes that are not UTF-8
 * become U+FFFD (what a detector matching text can use), never an exception.
 */
export function percentDecode(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    const bytes = Buffer.from(s, 'utf8');
    const out = Buffer.allocUnsafe(bytes.length);
    let o = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === 37 && i + 2 < bytes.length) {
        const h = hexVal(bytes[i + 1]!);
        const l = hexVal(bytes[i + 2]!);
        if (h >= 0 && l >= 0) {
          out[o++] = h * 16 + l;
          i += 2;
          continue;
        }
      }
      out[o++] = b;
    }
    return utf8.decode(out.subarray(0, o));
  }
}

/**
 * A decoded path with runs of `/` merged and `.` segments dropped, as nginx and Apache do
 * before they map a path to a file or a script: `//wp-login.php` and `/./wp-login.php` are
 * the login form, and a detector matching url.path exactly must see `/wp-login.php`.
 * `..` stays (the traversal detectors look for it). One pass, linear.
 */
export function mergeSlashes(path: string): string {
  if (path.indexOf('//') < 0 && path.indexOf('/.') < 0) return path;
  let out = '';
  let i = 0;
  const n = path.length;
  while (i < n) {
    const c = path.charCodeAt(i);
    if (c === 47 && out.charCodeAt(out.length - 1) === 47) {
      i++; // a second slash in a row
      continue;
    }
    // `/.` followed by `/` or the end: a `.` segment.
    if (c === 46 && out.charCodeAt(out.length - 1) === 47 && (i + 1 === n || path.charCodeAt(i + 1) === 47)) {
      i += 2;
      continue;
    }
    out += path[i];
    i++;
  }
  return out === '' ? '/' : out;
}

/**
 * The query as an application reads it: percent-decoded once, `+` a space. Detectors of
 * injected commands and traversals match it beside the query as sent, so `%3Bwget+` is `;wget `.
 * Set (as mamori.query) only when it differs from url.query.
 */
export function setDecodedQuery(f: Fields, query: string): void {
  if (query.indexOf('%') < 0 && query.indexOf('+') < 0) return;
  const decoded = percentDecode(query.replaceAll('+', ' '));
  if (decoded !== query) f['mamori.query'] = bound(decoded);
}

/** `url.original`, `url.path` (decoded once, slashes merged) and `url.query` (and mamori.query) from a request target. */
export function setUrl(f: Fields, target: string | undefined): void {
  if (target === undefined || target === '' || target === '-') return;
  f['url.original'] = bound(target);
  let path = target;
  const q = target.indexOf('?');
  if (q >= 0) {
    path = target.slice(0, q);
    const query = target.slice(q + 1);
    f['url.query'] = bound(query);
    setDecodedQuery(f, bound(query));
  }
  // An absolute-form target (a proxy request) keeps only its path.
  if (path.charCodeAt(0) !== 47) {
    const scheme = path.indexOf('://');
    if (scheme > 0 && scheme < 10) {
      const slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? '/' : path.slice(slash);
    }
  }
  f['url.path'] = bound(mergeSlashes(percentDecode(path)));
}

/** `GET /x HTTP/1.1` → method, target, version. A request line that is not one (binary junk, `-`) sets nothing but `url.original`. */
export function setRequestLine(f: Fields, request: string | undefined): void {
  if (request === undefined || request === '' || request === '-') return;
  const sp1 = request.indexOf(' ');
  if (sp1 > 0 && sp1 <= 16) {
    const method = request.slice(0, sp1);
    if (/^[A-Z][A-Z_-]*$/.test(method)) {
      const sp2 = request.lastIndexOf(' ');
      if (sp2 > sp1 && request.startsWith('HTTP/', sp2 + 1)) {
        f['http.request.method'] = method;
        setUrl(f, request.slice(sp1 + 1, sp2));
        f['http.version'] = request.slice(sp2 + 6, sp2 + 16);
        return;
      }
      f['http.request.method'] = method;
      setUrl(f, request.slice(sp1 + 1));
      return;
    }
  }
  f['url.original'] = bound(request);
}

/** `event.outcome` of an HTTP answer: 4xx and 5xx are failures. */
export function httpOutcome(status: number | undefined): 'success' | 'failure' | 'unknown' {
  if (status === undefined) return 'unknown';
  return status >= 400 ? 'failure' : status >= 100 ? 'success' : 'unknown';
}

export function makeEvent(line: RawLine, time: number | undefined, fields: Fields): LogEvent {
  return { time: time !== undefined && Number.isFinite(time) ? time : line.receivedAt, fields, line };
}

/** `192.0.2.1:5000`, `[2001:db8::1]:5000`, `192.0.2.1`, or Apache's `2001:db8::1:5000`: source.ip and source.port. */
export function setHostPort(f: Fields, v: string): void {
  if (v.charCodeAt(0) === 91) {
    const close = v.indexOf(']');
    if (close < 0) return;
    setSource(f, v.slice(1, close));
    if (v.charCodeAt(close + 1) === 58) setInt(f, 'source.port', v.slice(close + 2));
    return;
  }
  const colon = v.lastIndexOf(':');
  const port = colon > 0 ? toInt(v.slice(colon + 1)) : undefined;
  // With a port, the part before the last colon is the address (Apache 2.4 always appends one).
  if (port !== undefined && port <= 65535 && normalizeIp(v.slice(0, colon)) !== undefined) {
    setSource(f, v.slice(0, colon));
    f['source.port'] = port;
    return;
  }
  setSource(f, v);
}

/**
 * PAM's `logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1  user=root`: rhost is the
 * client (an address, or a host name when the resolver gave one), user the account.
 */
export function setPamKv(f: Fields, v: string): void {
  let i = 0;
  const n = v.length;
  while (i < n) {
    while (i < n && v.charCodeAt(i) === 32) i++;
    const eq = v.indexOf('=', i);
    if (eq < 0) break;
    let end = v.indexOf(' ', eq + 1);
    if (end < 0) end = n;
    const key = v.slice(i, eq);
    // user= is last and a name the client sent may hold spaces: it takes the rest.
    if (key === 'user') {
      setStr(f, 'user.name', v.slice(eq + 1).trimEnd());
      break;
    }
    const val = v.slice(eq + 1, end);
    if (key === 'rhost') setSource(f, val);
    i = end;
  }
}
