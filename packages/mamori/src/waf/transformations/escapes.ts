/**
 * Decoders of escape syntaxes an attacker can hide a payload behind: t:jsDecode (JavaScript
 * string escapes), t:cssDecode (CSS 2 escapes), t:escapeSeqDecode (ANSI C escapes).
 *
 *   SecRule ARGS "@rx <script" "t:jsDecode,t:cssDecode,t:lowercase"
 *
 * Each keeps what is not a complete escape as it is, and each escape decodes to one byte.
 */
import { ByteWriter, hexPairAt, hexValue, unicodeEscapeAt, type Transformation } from './bytes.js';

const isOctal = (c: number): boolean => c >= 48 && c <= 55;

/**
 * `\OOO`: up to three octal digits after `s[i]` (with `capped`, two when a third would pass
 * 0377). Returns [byte, digits used] or undefined.
 */
function octal(s: string, i: number, capped: boolean): [number, number] | undefined {
  let j = 0;
  while (j < 3 && i + 1 + j < s.length && isOctal(s.charCodeAt(i + 1 + j))) j++;
  if (j === 0) return undefined;
  if (capped && j === 3 && s.charCodeAt(i + 1) > 51) j = 2;
  let v = 0;
  for (let k = 0; k < j; k++) v = v * 8 + (s.charCodeAt(i + 1 + k) - 48);
  return [v & 0xff, j];
}

/** The single-character escapes both JavaScript and C know, by the letter after the backslash. */
const CONTROL: Readonly<Record<number, number>> = { 97: 7, 98: 8, 102: 12, 110: 10, 114: 13, 116: 9, 118: 11 };

/**
 * \uHHHH (see unicodeEscapeByte), \xHH, \OOO (octal), \a \b \f \n \r \t \v as the control
 * characters; any other escaped character is that character (\' is ', \\ is \, an incomplete
 * \u12 is u12). `u` and `x` in lower case only, as JavaScript reads them. A backslash at the end
 * is kept.
 */
export const jsDecode: Transformation = (input) => {
  if (input.indexOf('\\') < 0) return input;
  const out = new ByteWriter();
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c !== 92 || i + 1 >= n) {
      out.byte(c);
      continue;
    }
    const e = input.charCodeAt(i + 1);
    if (e === 117 && i + 5 < n) {
      const u = unicodeEscapeAt(input, i + 2);
      if (u >= 0) {
        out.byte(u);
        i += 5;
        continue;
      }
    }
    const x = e === 120 ? hexPairAt(input, i + 2) : -1;
    if (x >= 0) {
      out.byte(x);
      i += 3;
      continue;
    }
    const o = octal(input, i, true);
    if (o) {
      out.byte(o[0]);
      i += o[1];
      continue;
    }
    out.byte(CONTROL[e] ?? e);
    i += 1;
  }
  return out.toString();
};

/**
 * CSS 2 escapes: a backslash and one to six hex digits is one byte (the last two digits; the
 * full-width forms of ASCII, U+FF01 to U+FF5E, as their ASCII), and one whitespace after it is
 * part of the escape; a backslash before a newline is a line continuation (both go); before any
 * other character, the backslash goes; at the end, it goes.
 */
export const cssDecode: Transformation = (input) => {
  if (input.indexOf('\\') < 0) return input;
  const out = new ByteWriter();
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c !== 92) {
      out.byte(c);
      i++;
      continue;
    }
    i++;
    if (i >= n) break;
    let j = 0;
    while (j < 6 && i + j < n && hexValue(input.charCodeAt(i + j)) >= 0) j++;
    if (j > 0) {
      const d = (k: number) => hexValue(input.charCodeAt(i + k));
      let b = j === 1 ? d(0) : (d(j - 2) << 4) | d(j - 1);
      if (j >= 4 && d(j - 4) === 15 && d(j - 3) === 15) {
        let zeros = true;
        for (let k = 0; k < j - 4; k++) if (d(k) !== 0) zeros = false;
        if (zeros && b > 0 && b < 0x5f) b += 0x20;
      }
      out.byte(b);
      const after = i + j < n ? input.charCodeAt(i + j) : -1;
      if (after === 32 || (after >= 9 && after <= 13)) j++;
      i += j;
    } else if (input.charCodeAt(i) === 10) {
      i++;
    } else {
      out.byte(input.charCodeAt(i));
      i++;
    }
  }
  return out.toString();
};

/** The escapes of C only: \" \' \? \\ stand for themselves. */
const C_SELF = new Set([34, 39, 63, 92]);

/**
 * ANSI C escapes: \a \b \f \n \r \t \v, \\ \? \' \", \xHH (two hex digits, x in either case)
 * and \OOO (one to three octal digits). After a backslash, anything else is kept without it.
 */
export const escapeSeqDecode: Transformation = (input) => {
  if (input.indexOf('\\') < 0) return input;
  const out = new ByteWriter();
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c !== 92 || i + 1 >= n) {
      out.byte(c);
      continue;
    }
    const e = input.charCodeAt(i + 1);
    const control = CONTROL[e];
    if (control !== undefined) {
      out.byte(control);
      i++;
    } else if (C_SELF.has(e)) {
      out.byte(e);
      i++;
    } else if ((e | 0x20) === 120 && hexPairAt(input, i + 2) >= 0) {
      out.byte(hexPairAt(input, i + 2));
      i += 3;
    } else {
      const o = octal(input, i, false);
      if (o) {
        out.byte(o[0]);
        i += o[1];
      } else {
        out.byte(e);
        i++;
      }
    }
  }
  return out.toString();
};
