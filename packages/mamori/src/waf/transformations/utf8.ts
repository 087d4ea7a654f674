/**
 * t:utf8toUnicode: each UTF-8 sequence of two to four bytes becomes `%uHHHH` (the code point
 * in lower-case hex, at least four digits), so that rules can match multi-byte characters (and
 * overlong forms of ASCII, `\xC0\xAF` for `/`, which are decoded as written, not refused). Bytes
 * that start no complete sequence are kept.
 *
 *   SecRule ARGS "@rx %u002f" "t:utf8toUnicode"
 */
import type { Transformation } from './bytes.js';

const cont = (c: number): boolean => (c & 0xc0) === 0x80;

export const utf8toUnicode: Transformation = (input) => {
  let i = 0;
  const n = input.length;
  while (i < n && input.charCodeAt(i) < 0x80) i++;
  if (i === n) return input;
  let out = input.slice(0, i);
  let at = i;
  for (; i < n; i++) {
    const b0 = input.charCodeAt(i);
    if (b0 < 0x80) continue;
    let len = 0;
    let cp = 0;
    if (b0 >= 0xc0 && b0 <= 0xdf && i + 1 < n && cont(input.charCodeAt(i + 1))) {
      len = 2;
      cp = ((b0 & 0x1f) << 6) | (input.charCodeAt(i + 1) & 0x3f);
    } else if (b0 >= 0xe0 && b0 <= 0xef && i + 2 < n && cont(input.charCodeAt(i + 1)) && cont(input.charCodeAt(i + 2))) {
      len = 3;
      cp = ((b0 & 0x0f) << 12) | ((input.charCodeAt(i + 1) & 0x3f) << 6) | (input.charCodeAt(i + 2) & 0x3f);
    } else if (b0 >= 0xf0 && b0 <= 0xf7 && i + 3 < n && cont(input.charCodeAt(i + 1)) && cont(input.charCodeAt(i + 2)) && cont(input.charCodeAt(i + 3))) {
      len = 4;
      cp = ((b0 & 0x07) << 18) | ((input.charCodeAt(i + 1) & 0x3f) << 12) | ((input.charCodeAt(i + 2) & 0x3f) << 6) | (input.charCodeAt(i + 3) & 0x3f);
    }
    if (len === 0) continue;
    out += `${input.slice(at, i)}%u${cp.toString(16).padStart(4, '0')}`;
    i += len - 1;
    at = i + 1;
  }
  return out + input.slice(at);
};
