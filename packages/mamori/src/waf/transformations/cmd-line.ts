/**
 * t:cmdLine: a command line as a shell would run it, against obfuscated commands
 * (`c^md`, `"c"at /etc/pass'w'd`, `cat${IFS}/etc`):
 * `\ " ' ^` go; runs of space, tab, CR, LF, `,` and `;` become one space; a space before `/`
 * or `(` goes; the rest is lower-cased (A-Z only).
 *
 *   SecRule ARGS "@rx \bcat /etc/passwd" "t:cmdLine"
 */
import type { Transformation } from './bytes.js';

export const cmdLine: Transformation = (input) => {
  const out: number[] = [];
  let space = false;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    switch (c) {
      case 34: // "
      case 39: // '
      case 92: // \
      case 94: // ^
        break;
      case 32:
      case 44: // ,
      case 59: // ;
      case 9:
      case 13:
      case 10:
        if (!space) {
          out.push(32);
          space = true;
        }
        break;
      case 47: // /
      case 40: // (
        if (space) out.pop();
        space = false;
        out.push(c);
        break;
      default:
        out.push(c >= 65 && c <= 90 ? c + 32 : c);
        space = false;
    }
  }
  let s = '';
  for (let i = 0; i < out.length; i += 8192) s += String.fromCharCode.apply(null, out.slice(i, i + 8192));
  return s;
};
