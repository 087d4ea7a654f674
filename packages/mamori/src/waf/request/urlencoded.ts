/**
 * `application/x-www-form-urlencoded` data and query strings, read as ModSecurity reads them:
 * split on the separator (`&`, SecArgumentSeparator), each part's name before the first `=`,
 * both decoded (`%HH` and `+`; an invalid `%` escape is kept as it is and flagged, which rules
 * read as URLENCODED_ERROR). Empty parts are skipped. Names and values are byte strings.
 */
import { hexValue } from '../transformations/bytes.js';

export interface UrlEncodedArgs {
  readonly args: readonly (readonly [name: string, value: string])[];
  /** A `%` not followed by two hex digits was seen. */
  readonly invalidEncoding: boolean;
  /** More parts than `maxArgs`: the rest were not read. */
  readonly truncated: boolean;
}

function decode(s: string, flag: { invalid: boolean }): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  let out = '';
  let at = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 43) {
      out += `${s.slice(at, i)} `;
      at = i + 1;
    } else if (c === 37) {
      const hi = i + 2 < s.length ? hexValue(s.charCodeAt(i + 1)) : -1;
      const lo = hi >= 0 ? hexValue(s.charCodeAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) {
        flag.invalid = true;
        continue;
      }
      out += s.slice(at, i) + String.fromCharCode((hi << 4) | lo);
      i += 2;
      at = i + 1;
    }
  }
  return out + s.slice(at);
}

export function parseUrlEncoded(text: string, separator = '&', maxArgs = 10_000): UrlEncodedArgs {
  const args: [string, string][] = [];
  const flag = { invalid: false };
  let truncated = false;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf(separator, start);
    if (end < 0) end = text.length;
    if (end > start) {
      if (args.length >= maxArgs) {
        truncated = true;
        break;
      }
      const part = text.slice(start, end);
      const eq = part.indexOf('=');
      args.push(eq < 0 ? [decode(part, flag), ''] : [decode(part.slice(0, eq), flag), decode(part.slice(eq + 1), flag)]);
    }
    start = end + separator.length;
  }
  return { args, invalidEncoding: flag.invalid, truncated };
}
