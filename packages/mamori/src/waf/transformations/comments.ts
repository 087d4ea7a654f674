/**
 * Comment transformations, against payloads split by comments (`UN/**\/ION SEL/**\/ECT`):
 *
 *   t:replaceComments     each C comment becomes one space (an unterminated one runs to the end)
 *   t:removeComments      C comments and HTML comments (<!-- -->) go; `--` or `#` outside a
 *                         comment ends the input
 *   t:removeCommentsChar  the comment markers go (`/*`, `*\/`, `<!--`, `-->`, `--`, `#`), not what is between
 *
 *   SecRule ARGS "@rx union\s+select" "t:replaceComments,t:lowercase"
 */
import type { Transformation } from './bytes.js';

export const replaceComments: Transformation = (input) => {
  let from = input.indexOf('/*');
  if (from < 0) return input;
  let out = '';
  let at = 0;
  while (from >= 0) {
    out += `${input.slice(at, from)} `;
    const end = input.indexOf('*/', from + 2);
    if (end < 0) return out;
    at = end + 2;
    from = input.indexOf('/*', at);
  }
  return out + input.slice(at);
};

export const removeComments: Transformation = (input) => {
  let out = '';
  let at = 0;
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    let end = -1;
    if (c === 47 && input.charCodeAt(i + 1) === 42) {
      const close = input.indexOf('*/', i + 2);
      end = close < 0 ? n : close + 2;
    } else if (c === 60 && input.startsWith('<!--', i)) {
      const close = input.indexOf('-->', i + 4);
      end = close < 0 ? n : close + 3;
    } else if ((c === 45 && input.charCodeAt(i + 1) === 45) || c === 35) {
      end = n;
    }
    if (end < 0) continue;
    out += input.slice(at, i);
    at = end;
    i = end - 1;
  }
  return at === 0 ? input : out + input.slice(at);
};

/** The marker at s[i], longest first where they overlap (`-->` before `--`), or ''. */
function markerAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  const d = s.charCodeAt(i + 1);
  if (c === 47 && d === 42) return 2;
  if (c === 42 && d === 47) return 2;
  if (c === 60 && s.startsWith('<!--', i)) return 4;
  if (c === 45 && d === 45) return s.charCodeAt(i + 2) === 62 ? 3 : 2;
  if (c === 35) return 1;
  return 0;
}

export const removeCommentsChar: Transformation = (input) => {
  let out = '';
  let at = 0;
  for (let i = 0; i < input.length; i++) {
    const m = markerAt(input, i);
    if (m === 0) continue;
    out += input.slice(at, i);
    at = i + m;
    i += m - 1;
  }
  return at === 0 ? input : out + input.slice(at);
};
