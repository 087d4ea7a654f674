/**
 * Case, whitespace and NUL byte transformations, byte by byte:
 *
 *   t:lowercase, t:uppercase      A-Z and a-z only (the "C" locale), as ModSecurity
 *   t:removeWhitespace            drops isspace() bytes and 0xA0
 *   t:compressWhitespace          each run of them becomes one space
 *   t:trim, t:trimLeft, t:trimRight   isspace() bytes at the ends
 *   t:removeNulls, t:replaceNulls     NUL bytes dropped, or made spaces
 *
 *   SecRule ARGS "@rx union select" "t:lowercase,t:compressWhitespace"
 */
import { isCSpace, isSpaceOrNbsp, type Transformation } from './bytes.js';

export const lowercase: Transformation = (input) => {
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    // Only when there is an upper-case ASCII letter; toLowerCase would fold latin1 letters too.
    if (c >= 65 && c <= 90) return input.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return input;
};

export const uppercase: Transformation = (input) => input.replace(/[a-z]+/g, (m) => m.toUpperCase());

export const removeWhitespace: Transformation = (input) => {
  let out = '';
  let from = 0;
  for (let i = 0; i < input.length; i++) {
    if (!isSpaceOrNbsp(input.charCodeAt(i))) continue;
    out += input.slice(from, i);
    from = i + 1;
  }
  return from === 0 ? input : out + input.slice(from);
};

export const compressWhitespace: Transformation = (input) => {
  let out = '';
  let from = 0;
  let changed = false;
  for (let i = 0; i < input.length; i++) {
    if (!isSpaceOrNbsp(input.charCodeAt(i))) continue;
    let j = i + 1;
    while (j < input.length && isSpaceOrNbsp(input.charCodeAt(j))) j++;
    if (j - i > 1 || input.charCodeAt(i) !== 32) {
      out += `${input.slice(from, i)} `;
      from = j;
      changed = true;
    }
    i = j - 1;
  }
  return changed ? out + input.slice(from) : input;
};

function trimRange(input: string, left: boolean, right: boolean): string {
  let a = 0;
  let b = input.length;
  if (left) while (a < b && isCSpace(input.charCodeAt(a))) a++;
  if (right) while (b > a && isCSpace(input.charCodeAt(b - 1))) b--;
  return a === 0 && b === input.length ? input : input.slice(a, b);
}

export const trim: Transformation = (s) => trimRange(s, true, true);
export const trimLeft: Transformation = (s) => trimRange(s, true, false);
export const trimRight: Transformation = (s) => trimRange(s, false, true);

export const removeNulls: Transformation = (input) => (input.indexOf('\0') < 0 ? input : input.replaceAll('\0', ''));
export const replaceNulls: Transformation = (input) => (input.indexOf('\0') < 0 ? input : input.replaceAll('\0', ' '));
