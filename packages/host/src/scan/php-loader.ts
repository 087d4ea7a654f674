/**
 * A packed loader: `eval(unpack($blob, $table))`, where `unpack` is a function of the file and `$blob` a long
 * literal of base64's alphabet, whole or cut into pieces joined by ".". The decoder's steps are the file's own
 * (a table of swapped characters, then base64_decode through a name joined from letters: held-out set X,
 * session 31), so no decoder's name stands at the eval for the rules to read.
 *
 * Read in JavaScript, not as a YARA rule: its strings (function definitions, decoders' names, quoted runs of
 * base64) are in most PHP files, and as a rule they cost a large application's scan 35 MB of peak memory. Here
 * nothing is read past the test for an `eval(` of a call given a variable, which few files hold.
 */
import type { FlowFinding } from './php-flow.js';

const NAME = '[A-Za-z_\\x80-\\xff][\\w\\x80-\\xff]{0,40}';
/** eval (a comment before the bracket or not) of a plain function's call given a variable first. */
// (eval only: assert of a check over a base64 fixture or licence is an application's, red team S31S-14, -15; the space
// after the bracket read one way, `\(\s*(?:@\s*)?`: `\(\s*@?\s*` split a run of 30,000 blank lines both ways,
// 56 s for a file of 30 such evals, S31S-69)
const RUN = new RegExp(`\\beval\\s*(?:\\/\\*[^*\\n]{0,40}\\*\\/\\s*)?\\(\\s*(?:@\\s*)?(${NAME})\\s*\\(\\s*\\$(${NAME})\\s*[,)]`, 'gi');
/** A decoder's tell in the function's body: a decoding function named, or a name joined from single letters. */
const DECODES = /\b(?:base64_decode|strtr|str_rot13|gzinflate|gzuncompress|gzdecode|convert_uudecode|hex2bin)\b|["'][a-z0-9_]["']\s*\.\s*["'][a-z0-9_]["']\s*\.\s*["'][a-z0-9_]["']/i;
const BASE64 = /^[A-Za-z0-9+/=]*$/;
/** A blob is this many characters of base64's alphabet at least. */
const BLOB = 1000;
/** At most this many calls looked at, and this much of a right side read. */
const MAX_CALLS = 16;
const MAX_RHS = 4 * 1024 * 1024;

/** The length of base64 text a right side starting at `at` holds: quoted literals of base64's alphabet joined by "." (0 for anything else). */
function blobLength(src: string, at: number): number {
  let i = at;
  let total = 0;
  const stop = Math.min(src.length, at + MAX_RHS);
  for (;;) {
    while (i < stop && /\s/.test(src[i]!)) i++;
    const q = src[i];
    if (q !== '"' && q !== "'") return total;
    const end = src.indexOf(q, i + 1);
    if (end < 0 || end > stop) return total;
    const piece = src.slice(i + 1, end);
    if (!BASE64.test(piece)) return total;
    total += piece.length;
    i = end + 1;
    while (i < stop && /\s/.test(src[i]!)) i++;
    if (src[i] !== '.') return total;
    i++;
  }
}

export function ownDecoderEval(src: string): FlowFinding[] {
  // (a test, not a lower-cased copy: this runs on every PHP file and layer)
  if (!/eval/i.test(src)) return [];
  let seen = 0;
  for (const m of src.matchAll(RUN)) {
    if (++seen > MAX_CALLS) break;
    const fn = m[1]!;
    const v = m[2]!;
    // the function is the file's own, and its body decodes
    const def = new RegExp(`\\bfunction\\s+${fn}\\s*\\(`, 'i').exec(src);
    if (!def) continue;
    if (!DECODES.test(src.slice(def.index, def.index + 4000))) continue;
    // the variable is given a long blob somewhere in the file
    let blob = false;
    let looked = 0;
    // (before the eval, with no function's definition between: not a name of another function's, S31S-13)
    for (const a of src.matchAll(new RegExp(`\\$${v}\\s*=(?![=>])`, 'g'))) {
      if (++looked > 8 || a.index! > m.index!) break;
      if (/\bfunction\b/i.test(src.slice(a.index!, m.index!))) continue;
      if (blobLength(src, a.index! + a[0].length) >= BLOB) {
        blob = true;
        break;
      }
    }
    if (!blob) continue;
    return [{ technique: 'decoder-chain-exec', score: 80, description: `eval of what the file's own function ${fn}() makes of a long encoded blob ($${v}): a packed payload unpacked by the file's own decoder`, offset: m.index! }];
  }
  return [];
}
