/**
 * Secrets found by value: what a request carries under a secret name (a password field, a
 * session cookie, an Authorization header, an XML <Password>, a token in the path) is looked for,
 * any case, in everything the WAF writes about the transaction, wherever it shows up again (a rule
 * that matched the whole body, a JSON array under `credentials`, a message that quotes the matched
 * value, the same token in another argument). Bounded: at most MAX_VALUES values, MAX_BYTES of
 * them in all, each looked for in pieces of at most PIECE bytes.
 */
import { pathTokens, secretName, shownCookie, shownHeader, type SecretMasker } from './waf-mask.js';

/** Values shorter than this are not looked for (they would hide common words). */
const MIN_BYTES = 4;
/** At most this many values are looked for... */
const MAX_VALUES = 64;
/** ...as at most this many pieces (a value's spellings: as sent, percent-decoded and -encoded, JSON-escaped)... */
const MAX_NEEDLES = 256;
/** ...of this many bytes in all. */
const MAX_BYTES = 16 * 1024;
/** A longer value is looked for as pieces of this many bytes (the last one ending with it). */
const PIECE = 256;
/** Cookies and header fields that are not shown nor named like secrets are looked for when they look like a token this long. */
const TOKEN_BYTES = 16;

/** What a transaction's variables look like to the collector (RequestVariables). */
export interface VariableSource {
  get(name: string): { readonly entries: readonly { readonly key: string; readonly value: string }[] } | undefined;
  /** The XML body's values with the name of their element or attribute. */
  readonly xmlNamed?: readonly (readonly [name: string, value: string])[];
}

/** Lower case, byte for byte (a byte string stays as long). */
function fold(s: string): string {
  const lower = s.toLowerCase();
  return lower.length === s.length ? lower : s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Each byte outside the unreserved set as %HH (how a value sits in a target). */
const percentEncoded = (s: string): string => s.replace(/[^A-Za-z0-9._~-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
const percentDecoded = (s: string): string => (s.indexOf('%') < 0 ? s : s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))));
/** How a value sits in a JSON string. */
const jsonEscaped = (s: string): string => JSON.stringify(s).slice(1, -1);

/** A value that looks like a token: base64url, base64 or hex, letters and digits. */
const tokenLike = (s: string): boolean => s.length >= TOKEN_BYTES && /^[A-Za-z0-9._~+/=%-]+$/.test(s) && /\d/.test(s) && /[A-Za-z]/.test(s);

export class SecretValues implements SecretMasker {
  /** Folded needles. */
  readonly #needles = new Set<string>();
  #values = 0;
  #bytes = 0;

  /** How many pieces are looked for. */
  get size(): number {
    return this.#needles.size;
  }

  /** A secret value, looked for as sent, percent-decoded, percent-encoded and JSON-escaped. */
  add(value: string): void {
    if (value.length < MIN_BYTES || this.#values >= MAX_VALUES) return;
    this.#values++;
    for (const v of new Set([value, percentDecoded(value), percentEncoded(value), jsonEscaped(value)])) {
      if (v.length < MIN_BYTES) continue;
      if (v.length <= PIECE) this.#piece(v);
      else {
        for (let at = 0; at + PIECE < v.length; at += PIECE) this.#piece(v.slice(at, at + PIECE));
        this.#piece(v.slice(-PIECE));
      }
    }
  }

  #piece(p: string): void {
    if (this.#bytes + p.length > MAX_BYTES || this.#needles.size >= MAX_NEEDLES) return;
    const f = fold(p);
    if (this.#needles.has(f)) return;
    this.#needles.add(f);
    this.#bytes += f.length;
  }

  mask(text: string, marker: (bytes: number) => string, limit: number): string {
    if (this.#needles.size === 0) return text.length > limit ? text.slice(0, limit) : text;
    // A needle that starts within the limit ends within the window.
    const window = text.length > limit + PIECE ? text.slice(0, limit + PIECE) : text;
    const folded = fold(window);
    const ranges: [number, number][] = [];
    for (const n of this.#needles) {
      for (let at = folded.indexOf(n); at >= 0 && at < limit; at = folded.indexOf(n, at + 1)) ranges.push([at, at + n.length]);
    }
    if (ranges.length === 0) return text.length > limit ? text.slice(0, limit) : text;
    ranges.sort((a, b) => a[0] - b[0]);
    let out = '';
    let pos = 0;
    for (let i = 0; i < ranges.length; ) {
      const start = ranges[i]![0];
      let end = ranges[i]![1];
      // Overlapping and adjacent pieces are one secret.
      while (++i < ranges.length && ranges[i]![0] <= end) end = Math.max(end, ranges[i]![1]);
      out += window.slice(pos, start) + marker(end - start);
      pos = end;
    }
    // Nothing past the limit is written but inside a marker (no piece of a secret after it).
    return pos < limit ? out + window.slice(pos, limit) : out;
  }
}

/** A header field's value: the credentials after an Authorization scheme too. */
function addHeader(s: SecretValues, value: string): void {
  s.add(value);
  const scheme = /^[A-Za-z][\w-]*\s+(\S{4,})$/.exec(value);
  if (scheme) s.add(scheme[1]!);
}

/** A cookie's value: its tokens too, when it holds several (`admin|expiry|token|hmac`). */
function addCookie(s: SecretValues, value: string): void {
  s.add(value);
  const decoded = percentDecoded(value);
  if (/[|:,\s]/.test(decoded)) for (const part of decoded.split(/[|:,\s]+/)) if (tokenLike(part)) s.add(part);
}

/**
 * The secret values of a transaction: arguments (query, form, multipart, JSON paths) and XML
 * elements and attributes named like secrets; every cookie and header field named like a secret,
 * and the others that are not shown and look like tokens; tokens in the path of `uri`; the
 * cookies the response sets.
 */
export function secretValues(vars: VariableSource, uri: string, extraNames?: ReadonlySet<string>): SecretValues {
  const s = new SecretValues();
  // Sessions and credentials first: the bounds keep what comes first.
  for (const e of vars.get('REQUEST_HEADERS')?.entries ?? []) {
    const name = e.key.toLowerCase();
    // Cookie fields are read cookie by cookie, below.
    if (shownHeader(name) || name === 'cookie') continue;
    if (secretName(name, extraNames) || tokenLike(e.value)) addHeader(s, e.value);
  }
  for (const e of vars.get('REQUEST_COOKIES')?.entries ?? []) {
    if (shownCookie(e.key)) continue;
    if (secretName(e.key, extraNames) || tokenLike(e.value)) addCookie(s, e.value);
  }
  const q = uri.indexOf('?');
  for (const t of pathTokens(q < 0 ? uri : uri.slice(0, q))) s.add(t);
  for (const e of vars.get('ARGS')?.entries ?? []) if (secretName(e.key, extraNames)) s.add(e.value);
  for (const [name, value] of vars.xmlNamed ?? []) if (secretName(name, extraNames)) s.add(value);
  for (const e of vars.get('RESPONSE_HEADERS')?.entries ?? []) {
    if (e.key.toLowerCase() !== 'set-cookie') continue;
    const m = /^[^=;]*=([^;]*)/.exec(e.value);
    if (m) s.add(m[1]!);
  }
  return s;
}
