/**
 * Indicators of compromise: the kinds mamori keeps, and the one normal form of
 * each value, so that a feed's `EVIL.com.` and a log line's `evil.com` meet in
 * one key. Every parser (STIX, MISP, CSV) and every lookup goes through
 * `normalizeIndicator`.
 */
import { domainToASCII } from 'node:url';
import { formatCidr, formatIp, parseCidr, tryParseIp } from 'mamori/internal/net';

export const INDICATOR_KINDS = ['md5', 'sha1', 'sha256', 'file-name', 'file-path', 'ip', 'cidr', 'domain', 'url'] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

/** One indicator as a parser yields it, before the store adds its source and times. */
export interface ParsedIndicator {
  readonly kind: IndicatorKind;
  /** Normalised (see normalizeIndicator). */
  readonly value: string;
  /** ms since epoch, when the feed says (STIX valid_from, MISP first_seen or timestamp). */
  readonly firstSeen?: number | undefined;
  /** ms since epoch, when the feed says (STIX valid_until). */
  readonly expires?: number | undefined;
  /** A short description: the STIX indicator's name, the MISP comment, the CSV's note column. */
  readonly note?: string | undefined;
  /** Where in the input it came from (`bundle.json: objects[3]`, `list.txt:12`). */
  readonly where?: string | undefined;
}

/** What a parser could not take, with where and why: counted, never silently lost. */
export interface SkippedIndicator {
  readonly where: string;
  readonly reason: string;
}

export interface ParseResult {
  readonly indicators: ParsedIndicator[];
  readonly skipped: SkippedIndicator[];
  /** Skipped entries by reason (the first 1,000 are kept in `skipped`, every one is counted here). */
  readonly skippedByReason: Record<string, number>;
}

/** Limits on anything an indicator file controls. */
export const IOC_LIMITS = {
  /** A file or a feed's body. */
  maxInputBytes: 256 * 1024 * 1024,
  /** One value (a URL, a path). */
  maxValueLength: 4096,
  /** One line of a CSV or plain list. */
  maxLineLength: 64 * 1024,
  /** JSON nesting (STIX, MISP). */
  maxJsonDepth: 64,
  /** Skipped entries kept with their reasons (all are counted). */
  maxSkippedKept: 1000,
} as const;

const HEX = /^[0-9a-f]+$/;
const HASH_LENGTH: Record<'md5' | 'sha1' | 'sha256', number> = { md5: 32, sha1: 40, sha256: 64 };

/**
 * The normal form of a value of a kind, or a reason it is not one:
 * - hashes: lowercase hex of the right length;
 * - ip: the address as mamori formats it (IPv4 dotted, IPv6 RFC 5952, IPv4-mapped IPv6 as IPv4);
 * - cidr: the network address and prefix (`192.0.2.7/24` → `192.0.2.0/24`); a /32 or /128 is an `ip`;
 * - domain: lowercase ASCII (IDNA through `url.domainToASCII`), no trailing dot;
 * - url: WHATWG-canonical, without the fragment;
 * - file-name: lowercase (indicator lists mix Windows and Linux names; see docs/ioc.md);
 * - file-path: as given, `\` kept (a Windows path never matches a Linux one).
 */
export function normalizeIndicator(kind: IndicatorKind, raw: string): { kind: IndicatorKind; value: string } | { error: string } {
  if (typeof raw !== 'string') return { error: 'not a string' };
  const s = raw.trim();
  if (s.length === 0) return { error: 'empty value' };
  if (s.length > IOC_LIMITS.maxValueLength) return { error: `value longer than ${IOC_LIMITS.maxValueLength} characters` };
  switch (kind) {
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const h = s.toLowerCase();
      if (h.length !== HASH_LENGTH[kind] || !HEX.test(h)) return { error: `not a ${kind.toUpperCase()} (${HASH_LENGTH[kind]} hex digits)` };
      return { kind, value: h };
    }
    case 'ip':
    case 'cidr': {
      if (s.includes('/')) {
        let c;
        try {
          c = parseCidr(s);
        } catch {
          return { error: 'not a CIDR range' };
        }
        if (c.prefix === (c.version === 4 ? 32 : 128)) return { kind: 'ip', value: formatIp(c) };
        const broad = tooBroad(c.version, c.prefix);
        if (broad) return { error: broad };
        return { kind: 'cidr', value: formatCidr(c) };
      }
      const ip = tryParseIp(s);
      if (!ip) return { error: 'not an IP address' };
      return { kind: 'ip', value: formatIp(ip) };
    }
    case 'domain': {
      const d = normalizeDomain(s);
      if (d === undefined) return { error: 'not a domain name' };
      // A domain matches every name under it: a lone label is a top-level domain (all of .com).
      if (!d.includes('.')) return { error: 'a single label (a top-level domain) would match every name under it' };
      return { kind, value: d };
    }
    case 'url': {
      const u = normalizeUrl(s);
      return u === undefined ? { error: 'not an absolute URL' } : { kind, value: u };
    }
    case 'file-name':
      if (s.includes('/') || s.includes('\0')) return { error: 'a file name holds no / or NUL' };
      return { kind, value: s.toLowerCase() };
    case 'file-path':
      if (s.includes('\0')) return { error: 'a path holds no NUL' };
      return { kind, value: s };
  }
}

/** Shortest prefixes taken: a /0 to /7 (IPv4) or /0 to /15 (IPv6) range from a feed would flag a large part of the Internet. */
export const MIN_CIDR_PREFIX = { 4: 8, 6: 16 } as const;

function tooBroad(version: 4 | 6, prefix: number): string | undefined {
  const min = MIN_CIDR_PREFIX[version];
  return prefix < min ? `range /${prefix} is too broad (IPv${version} ranges shorter than /${min} are not taken)` : undefined;
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}$/;

/** Lowercase ASCII, IDNA-converted, no trailing dot; undefined when it is not a host name (IP literals are not domains). */
export function normalizeDomain(raw: string): string | undefined {
  if (raw.length === 0 || raw.length > 1024) return undefined;
  let s = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (s.startsWith('*.')) s = s.slice(2); // a wildcard entry means the domain and what is under it, which is what domains match anyway
  if (tryParseIp(s)) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\s/\\?#@:\x00-\x1f]/.test(s)) return undefined;
  const ascii = /^[\x21-\x7e]*$/.test(s) ? s.toLowerCase() : domainToASCII(s);
  if (!ascii || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 1) return undefined;
  for (const l of labels) if (!LABEL.test(l)) return undefined;
  return ascii;
}

/** The WHATWG-canonical URL without its fragment; undefined for anything that is not an absolute URL with a host. */
export function normalizeUrl(raw: string): string | undefined {
  return canonicalUrl(raw)?.href;
}

/** normalizeUrl's parsed form (the matcher reads the host from it without parsing twice). */
export function canonicalUrl(raw: string): URL | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Feeds often write URLs without a scheme (`evil.example/x.php`): read those as http.
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return undefined;
    try {
      u = new URL(`http://${raw}`);
    } catch {
      return undefined;
    }
    if (!u.hostname.includes('.') && !u.hostname.startsWith('[')) return undefined;
  }
  if (!u.hostname) return undefined;
  if (u.hash) u.hash = '';
  if (u.hostname.endsWith('.')) u.hostname = u.hostname.slice(0, -1);
  return sameResource(u);
}

/**
 * Spellings of one URL that the WHATWG parser keeps apart but every server reads alike, made
 * one (RFC 3986 section 6.2.2): user name and password dropped (`http://x@evil.example/a`), an
 * empty query dropped (`/a.php?`), and percent-encoded unreserved characters decoded
 * (`/%78.php` is `/x.php`); other escapes are written in upper case.
 */
function sameResource(u: URL): URL {
  if (u.username || u.password) {
    u.username = '';
    u.password = '';
  }
  if (u.search === '' && u.href.endsWith('?')) u.search = '';
  const unescape = (s: string) =>
    s.replace(/%([0-9A-Fa-f]{2})/g, (m, h: string) => {
      const c = String.fromCharCode(parseInt(h, 16));
      return /[A-Za-z0-9\-._~]/.test(c) ? c : m.toUpperCase();
    });
  if (u.pathname.includes('%')) u.pathname = unescape(u.pathname);
  if (u.search.includes('%')) u.search = unescape(u.search);
  return u;
}
