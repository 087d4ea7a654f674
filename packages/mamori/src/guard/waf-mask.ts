/**
 * What the WAF's events and audit log must not carry: passwords, tokens and card numbers that a
 * matched value or a request target may hold. Masked before anything is written or sent.
 */
import { luhnValid } from '../checkout/card.js';

/**
 * Argument, cookie and header names whose values are secrets. Tested against the whole name and
 * each part of a JSON or bracket path (`json.credentials.1`, `user[password][0]`), any case.
 */
const SECRET_NAME = new RegExp([
  'pass(?:word|wd|phrase)?', 'pwd', '^p$', 'kennwort', 'senha', 'contrase', 'mot_?de_?passe',
  'secret', 'token', 'jwt', 'refresh', 'assertion', 'samlresponse', 'dpop', 'signature', 'sig$', 'hmac', 'credential',
  // Sessions and remember-me cookies (WordPress's logged_in and sec, Laravel's remember_web).
  'logged_in', '^wordpress_sec', 'remember', 'sess', '(?:^|[-_.])sid$', 'cookie', '^ticket$',
  'api[-_]?key', '[-_.]key$', '^key$', 'authoriz', '^auth$', '[-_.]auth$',
  // One-time codes: OAuth's authorization code, recovery and verification codes.
  '^code$', '(?:auth|recovery|backup|verification|verify|reset|security|mfa|2fa|sms)[-_]?code$',
  'card', 'cc[-_]?(?:num|number|no)', 'pan$', 'cvv', 'cvc', 'csc', 'otp', 'pin$',
].join('|'), 'i');

/**
 * Cookies whose values are shown: preferences and consent, nothing that identifies a session.
 * Every other cookie's value is hidden, whatever its name.
 */
const SHOWN_COOKIE = new RegExp(`^(?:${[
  'lang', 'language', 'locale', 'i18n', 'theme', 'color[-_]?(?:scheme|mode)', 'dark[-_]?mode', 'tz', 'timezone', 'currency',
  'cookieconsent(?:_status|_dismissed)?', 'cookie[-_]?consent', 'cookielawinfo-checkbox-[\\w-]+', 'viewed_cookie_policy',
  'optanonconsent', 'optanonalertboxclosed', 'euconsent(?:-v2)?', 'cmplz_[\\w-]+', 'borlabs-cookie',
  'wordpress_test_cookie', 'wp-settings-(?:time-)?\\d+',
].join('|')})$`, 'i');

/**
 * Request header fields whose values are shown (Referer with its query masked): what names the
 * client, the content and the route, nothing that authenticates. Every other field's value is
 * hidden, whatever its name.
 */
const SHOWN_HEADER = new RegExp(`^(?:${[
  'user-agent', 'referer', 'accept(?:-[\\w-]+)?', 'content-(?:type|length|encoding|language)', 'origin', 'host',
  'x-requested-with', 'x-forwarded-(?:for|proto|host|port|prefix|server)', 'x-real-ip', 'forwarded', 'via',
  'x-original-url', 'x-rewrite-url', 'x-host', 'x-originating-ip', 'x-client-ip', 'client-ip', 'true-client-ip', 'cf-connecting-ip', 'x-cluster-client-ip',
  'connection', 'keep-alive', 'proxy-connection', 'cache-control', 'pragma', 'upgrade', 'upgrade-insecure-requests', 'te',
  'transfer-encoding', 'expect', 'range', 'request-range', 'if-(?:modified-since|unmodified-since|none-match|match|range)', 'proxy',
  'dnt', 'sec-gpc', 'sec-fetch-[\\w-]+', 'sec-ch-[\\w-]+', 'sec-purpose', 'purpose', 'priority', 'save-data', 'max-forwards', 'date',
  'x-http-method(?:-override)?', 'x-method-override', 'x-request-id', 'x-correlation-id',
].join('|')})$`, 'i');

/** Between a card number's groups: up to two of space, dash, dot, plus or an encoded space. */
const CARD_GAP = /[ .+-]|%20/gi;
/** A run of 13 to 19 digits, with separators between groups: a card number's shape. */
const CARD_SHAPE = /\d(?:(?:[ .+-]|%20){0,2}\d){12,18}/gi;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * A byte string (one character a byte) as text fit for a log line or a terminal: read as UTF-8
 * when it is valid UTF-8 (so Japanese reads as Japanese), else each byte above 0x7F as \xHH; then
 * every control character, C0 and C1 (ESC, CSI 0x9B...), as \xHH, so that nothing written can
 * move a terminal's cursor or start an escape sequence.
 */
export function printable(value: string): string {
  let text = value;
  if (/[\x80-\xff]/.test(value)) {
    try {
      text = UTF8.decode(Buffer.from(value, 'latin1'));
    } catch {
      text = value.replace(/[\x80-\xff]/g, hex);
    }
  }
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, hex);
}

/** Card numbers (digit runs that pass the Luhn check) masked but for their last four digits. */
export function maskCardNumbers(text: string): string {
  if (!/\d{4}/.test(text)) return text;
  return text.replace(CARD_SHAPE, (run) => {
    const digits = run.replace(CARD_GAP, '');
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? `****${digits.slice(-4)}` : run;
  });
}

/** Whether a name (an argument's, with its JSON or bracket path; a cookie's; a header's; an XML element's) names a secret. */
export function secretName(name: string, extraNames: ReadonlySet<string> = EMPTY): boolean {
  if (name === '') return false;
  if (SECRET_NAME.test(name) || extraNames.has(name.toLowerCase())) return true;
  // Every part of json.credentials.1, user[password][0], wsse:Password.
  for (const part of name.split(/[.[\]:]/)) {
    if (part !== '' && part !== name && (SECRET_NAME.test(part) || extraNames.has(part.toLowerCase()))) return true;
  }
  return false;
}
const EMPTY: ReadonlySet<string> = new Set();

/** A target's collection (`REQUEST_COOKIES`) and key (`session`). */
function splitTarget(target: string): [collection: string, key: string] {
  const colon = target.indexOf(':');
  return colon < 0 ? [target.toUpperCase(), ''] : [target.slice(0, colon).toUpperCase(), target.slice(colon + 1)];
}

/** Whether a cookie's value is shown (preferences, consent). */
export const shownCookie = (name: string): boolean => SHOWN_COOKIE.test(name);

/** Whether a request header field's value is shown (User-Agent, Accept, Content-Type...). */
export const shownHeader = (name: string): boolean => SHOWN_HEADER.test(name);

/**
 * Whether a target's value is hidden whole: a secret-named argument (`ARGS:password`,
 * `ARGS:json.credentials.1`), every cookie but preferences and consent, every request header
 * field but those that name the client, the content and the route. Names (`ARGS_NAMES:password`)
 * are never hidden.
 */
export function secretTarget(target: string, extraNames: ReadonlySet<string> = EMPTY): boolean {
  const [collection, key] = splitTarget(target);
  if (key === '' || collection.endsWith('_NAMES')) return false;
  if (collection === 'REQUEST_COOKIES') return !shownCookie(key);
  if (collection === 'REQUEST_HEADERS') return !shownHeader(key);
  return secretName(key, extraNames);
}

/** What a hidden value is written as: its length only. */
export const hidden = (bytes: number): string => `[${bytes} bytes hidden]`;
const STARS = (): string => '***';

/** What may say where secrets are, besides names: values seen elsewhere in the transaction (waf-secret-values.ts). */
export interface SecretMasker {
  /** `text` cut to its first `limit` characters, with every secret in them replaced by `marker(length)`. */
  mask(text: string, marker: (bytes: number) => string, limit: number): string;
}

/** name=value pairs (split on &, ; and whitespace) whose name names a secret: the value as ***. */
function maskPairs(text: string, value: RegExp, extraNames: ReadonlySet<string> | undefined): string {
  if (text.indexOf('=') < 0) return text;
  return text.replace(value, (whole, rawName: string) => {
    let name: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      name = rawName;
    }
    return secretName(name, extraNames) ? `${rawName}=***` : whole;
  });
}

/** user:password@ in a URL, wherever it sits. */
const maskUserinfo = (text: string): string => (text.indexOf('@') < 0 ? text : text.replace(/(\/\/[^/@?#:\s]*):[^/@?#\s]*@/g, '$1:***@'));

/** Bytes of a token: base64url, base64, hex, with padding, dots (JWT) and percent escapes. */
const TOKEN_CHARS = /^[A-Za-z0-9._~+=%-]+$/;
/** Assets named by their content's hash (app.3f9a...c1.js): not secrets. */
const ASSET = /\.(?:m?js|css|map|png|jpe?g|gif|svg|webp|avif|ico|woff2?|ttf|eot|html?|json|xml|txt|pdf|zip|gz)$/i;
/** Path segments after which a segment is a token (password reset, e-mail verification, invitations, magic links). */
const TOKEN_ROUTE = /reset|verif|confirm|activat|invit|magic|unsubscribe|token|pass(?:word|wd)?|recover|otp|one-?time|sign-?in|login|auth|sso|secret|key|session|share|download/i;

/** How often, from one letter or digit to the next, the kind changes (lower, upper, digit): about half the time in random text, seldom in words. */
function kindChanges(s: string): number {
  let prev = -1;
  let pairs = 0;
  let changes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const kind = c >= 48 && c <= 57 ? 0 : c >= 65 && c <= 90 ? 1 : c >= 97 && c <= 122 ? 2 : -1;
    if (kind < 0) continue;
    if (prev >= 0) {
      pairs++;
      if (kind !== prev) changes++;
    }
    prev = kind;
  }
  return pairs === 0 ? 0 : changes / pairs;
}

/**
 * Whether a path segment looks like a token: 20 or more bytes of base64url or hex with letters
 * and digits mixed as random text mixes them; after a route that takes one (`/reset-password/`,
 * `/verify/`, `/invite/`), 8 or more (or a code of 6+ digits).
 */
export function tokenSegment(segment: string, afterTokenRoute = false): boolean {
  if (segment.length < (afterTokenRoute ? 6 : 20) || segment.length > 4096 || !TOKEN_CHARS.test(segment) || ASSET.test(segment)) return false;
  const digits = /\d/.test(segment);
  if (afterTokenRoute && /^\d+$/.test(segment)) return true;
  if (!digits || !/[A-Za-z]/.test(segment) || segment.length < 8) return false;
  return kindChanges(segment) >= 0.25;
}

/** The token-looking segments of a path (see tokenSegment). */
export function pathTokens(path: string): string[] {
  const out: string[] = [];
  const segments = path.split('/');
  for (let i = 0; i < segments.length && out.length < 16; i++) {
    const after = (i > 0 && TOKEN_ROUTE.test(segments[i - 1]!)) || (i > 1 && TOKEN_ROUTE.test(segments[i - 2]!));
    if (tokenSegment(segments[i]!, after)) out.push(segments[i]!);
  }
  return out;
}

/**
 * A value as it may be written, wherever it came from: values seen under secret names elsewhere
 * in the transaction as `[n bytes hidden]`, secret-named name=value pairs as name=***, URL
 * passwords as ***, card numbers but their last four digits; printable; cut to `max` characters.
 */
export function maskText(value: string, extraNames?: ReadonlySet<string>, max = 256, secrets?: SecretMasker): string {
  const cut = secrets ? secrets.mask(value, hidden, max * 2) : value.length > max * 2 ? value.slice(0, max * 2) : value;
  // (A value already hidden, [n bytes hidden], is one value.)
  const masked = printable(maskCardNumbers(maskUserinfo(maskPairs(cut, /([^?&;=/\s]*)=((?:\[\d+ bytes hidden\]|[^&;#\s])*)/g, extraNames))));
  return masked.length > max ? `${masked.slice(0, max)}…` : masked;
}

/**
 * A matched value as it may be written: a hidden target's value (secretTarget) as its length,
 * a Referer as a request target (maskTarget), anything else as maskText.
 */
export function maskMatched(target: string, value: string, extraNames?: ReadonlySet<string>, max = 256, secrets?: SecretMasker): string {
  if (secretTarget(target, extraNames)) return hidden(value.length);
  const [collection, key] = splitTarget(target);
  if (collection === 'REQUEST_HEADERS' && key.toLowerCase() === 'referer') return maskTarget(value, extraNames, max, secrets);
  return maskText(value, extraNames, max, secrets);
}

/**
 * A request target (path and query) as it may be written: secret-named query values and path
 * parameters as ***, token-looking path segments (`/reset-password/<token>`) as ***, URL
 * passwords as ***, values seen under secret names elsewhere in the transaction as ***, card
 * numbers but their last four digits.
 */
export function maskTarget(url: string, extraNames?: ReadonlySet<string>, max = 1024, secrets?: SecretMasker): string {
  const cut = secrets ? secrets.mask(url, STARS, max) : url.length > max ? url.slice(0, max) : url;
  // name=value pairs, split on & and ; (path parameters such as ;jsessionid=, and queries some
  // servers split on ;): a secret-looking name keeps its name and loses its value.
  const q = cut.indexOf('?');
  let path = q < 0 ? cut : cut.slice(0, q);
  // (In the path a value ends at the next segment; in the query at the next pair.)
  path = maskPairs(path, /([^?&;=/]*)=([^;/?#]*)/g, extraNames);
  const tokens = pathTokens(path);
  if (tokens.length > 0) {
    const set = new Set(tokens);
    path = path.split('/').map((s) => (set.has(s) ? '***' : s)).join('/');
  }
  let out = path + (q < 0 ? '' : `?${maskPairs(cut.slice(q + 1), /([^?&;=/]*)=([^&;#]*)/g, extraNames)}`);
  out = printable(maskCardNumbers(maskUserinfo(out)));
  return url.length > max ? `${out}…` : out;
}
