/**
 * t:urlDecode, t:urlDecodeUni, t:urlEncode.
 *
 *   SecRule ARGS "@rx select" "t:urlDecodeUni,t:lowercase"
 *
 * urlDecode: `%HH` with two hex digits becomes the byte, `+` a space; a `%` not followed by two
 * hex digits is kept as it is. urlDecodeUni also takes `%uHHHH` (see unicodeEscapeByte).
 */
import { ByteWriter, hexPairAt, unicodeEscapeAt, type Transformation } from './bytes.js';

function decode(input: string, uni: boolean): string {
  if (input.indexOf('%') < 0 && input.indexOf('+') < 0) return input;
  const out = new ByteWriter();
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c === 43) {
      out.byte(32);
      continue;
    }
    if (c !== 37) {
      out.byte(c);
      continue;
    }
    if (uni && i + 5 < n && (input.charCodeAt(i + 1) | 0x20) === 117) {
      const u = unicodeEscapeAt(input, i + 2);
      if (u >= 0) {
        out.byte(u);
        i += 5;
        continue;
      }
    }
    const b = hexPairAt(input, i + 1);
    if (b >= 0) {
      out.byte(b);
      i += 2;
      continue;
    }
    out.byte(c);
  }
  return out.toString();
}

export const urlDecode: Transformation = (s) => decode(s, false);
export const urlDecodeUni: Transformation = (s) => decode(s, true);

const HEX = '0123456789abcdef';

/** Every byte but letters, digits, `-`, `.`, `_` and `*` as `%hh`; a space as `+`. */
export const urlEncode: Transformation = (input) => {
  const out = new ByteWriter();
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    const plain = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95 || c === 42;
    if (plain) out.byte(c);
    else if (c === 32) out.byte(43);
    else out.text(`%${HEX[c >> 4]}${HEX[c & 15]}`);
  }
  return out.toString();
};
