/**
 * A packed loader: `eval(unpack($blob, $table))`, where `unpack` is the file's own code (a function, a method, a
 * closure) and `$blob` a long literal of base64's alphabet, whole or cut into pieces. The decoder's steps are the
 * file's own (a table of swapped characters, then base64_decode through a name joined from letters: held-out set
 * X, session 31), so no decoder's name stands at the eval for the rules to read.
 *
 * What is read: an eval of a call of the file's own code whose body decodes, given (in any argument) a blob of
 * 1,000 characters of base64's alphabet or more: in the call itself, or held by a variable (the blob given in the
 * variable's last assignment before the eval, in quoted pieces, a heredoc or nowdoc, an array of pieces, or
 * appended with `.=`), or by a constant (`const`, `define`). Red team S31S-35 to -42 wrote these forms.
 *
 * Read in JavaScript, not as a YARA rule: its strings (function definitions, decoders' names, quoted runs of
 * base64) are in most PHP files, and as a rule they cost a large application's scan 35 MB of peak memory. Here
 * nothing is read past the test for an `eval(` of a call, which few files hold.
 */
import type { FlowFinding } from './php-flow.js';

const NAME = '[A-Za-z_\\x80-\\xff][\\w\\x80-\\xff]{0,40}';
/**
 * eval (a comment before the bracket or not) of a call: a function (1), a static or object method (2), or a
 * closure held by a variable (3).
 */
// (eval only: assert of a check over a base64 fixture or licence is an application's, red team S31S-14, -15; the space
// after the bracket read one way, `\(\s*(?:@\s*)?`: `\(\s*@?\s*` split a run of 30,000 blank lines both ways,
// 56 s for a file of 30 such evals, S31S-69)
const RUN = new RegExp(
  `\\beval\\s*(?:\\/\\*[^*\\n]{0,40}\\*\\/\\s*)?\\(\\s*(?:@\\s*)?(?:\\\\?(${NAME})|\\$?${NAME}\\s*(?:::|->)\\s*(${NAME})|\\$(${NAME}))\\s*\\(`,
  'gi',
);
/** A decoder's tell in the function's body: a decoding function named, or a name joined from pieces of one to three characters. */
const DECODES = /\b(?:base64_decode|strtr|str_rot13|gzinflate|gzuncompress|gzdecode|convert_uudecode|hex2bin)\b|["'][a-z0-9_]{1,3}["']\s*\.\s*["'][a-z0-9_]{1,3}["']\s*\.\s*["'][a-z0-9_]{1,3}["']/i;
const BASE64 = /^[A-Za-z0-9+/=_-]*$/;
const SPACE = /\s/;
/** A blob is this many characters of base64's alphabet at least. */
const BLOB = 1000;
/** At most this many calls looked at, this many assignments of one name, this much of a right side or a body read. */
const MAX_CALLS = 16;
const MAX_ASSIGNMENTS = 100_000;
const MAX_RHS = 4 * 1024 * 1024;
const MAX_BODY = 256 * 1024;
const MAX_ARGS = 4096;

/** The index after the quoted string starting at `i` (its quote), or -1 when it does not end before `stop`. */
function stringEnd(src: string, i: number, stop: number): number {
  const q = src[i]!;
  for (let j = i + 1; j < stop; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === q) return j + 1;
  }
  return -1;
}

/**
 * The index after the bracketed text opening at `open` (its bracket), strings and comments skipped, or -1 when it
 * does not close before `stop`.
 */
function closeOf(src: string, open: number, stop: number): number {
  const o = src[open]!;
  const c = o === '(' ? ')' : o === '[' ? ']' : '}';
  let depth = 0;
  for (let i = open; i < stop; i++) {
    const ch = src[i]!;
    if (ch === '"' || ch === "'") {
      const e = stringEnd(src, i, stop);
      if (e < 0) return -1;
      i = e - 1;
    } else if (ch === '/' && src[i + 1] === '*') {
      const e = src.indexOf('*/', i + 2);
      if (e < 0 || e >= stop) return -1;
      i = e + 1;
    } else if ((ch === '/' && src[i + 1] === '/') || ch === '#') {
      const e = src.indexOf('\n', i);
      if (e < 0 || e >= stop) return -1;
      i = e;
    } else if (ch === o) depth++;
    else if (ch === c && --depth === 0) return i + 1;
  }
  return -1;
}

/** Characters of base64 text in quoted literals joined by "." from `at` (0 when it holds anything else first). */
function quotedRun(src: string, at: number, stop: number): number {
  let i = at;
  let total = 0;
  for (;;) {
    while (i < stop && SPACE.test(src[i]!)) i++;
    const q = src[i];
    if (q !== '"' && q !== "'") return total;
    const end = src.indexOf(q, i + 1);
    if (end < 0 || end > stop) return total;
    const piece = src.slice(i + 1, end);
    if (!BASE64.test(piece)) return total;
    total += piece.length;
    i = end + 1;
    while (i < stop && SPACE.test(src[i]!)) i++;
    if (src[i] !== '.') return total;
    i++;
  }
}

/** The base64 text a right side starting at `at` holds: quoted pieces, a heredoc or nowdoc, or an array of pieces. */
function blobLength(src: string, at: number): number {
  const stop = Math.min(src.length, at + MAX_RHS);
  let i = at;
  while (i < stop && SPACE.test(src[i]!)) i++;
  const doc = /^<<<[ \t]*(["']?)([A-Za-z_]\w{0,40})\1\r?\n/.exec(src.slice(i, i + 64));
  if (doc) {
    const body = i + doc[0].length;
    const end = src.slice(body, stop).search(new RegExp(`^[ \\t]*${doc[2]}\\b`, 'm'));
    if (end < 0) return 0;
    const text = src.slice(body, body + end).replace(/\s+/g, '');
    return BASE64.test(text) ? text.length : 0;
  }
  const arr = /^(?:array\s*\(|\[)/i.exec(src.slice(i, i + 16));
  if (arr) {
    const close = closeOf(src, i + arr[0].length - 1, stop);
    if (close < 0) return 0;
    let total = 0;
    for (let j = i + arr[0].length; j < close - 1; ) {
      const n = quotedRun(src, j, close);
      if (n === 0) break;
      total += n;
      // on past the pieces just read and the comma after them
      let k = j;
      while (k < close && src[k] !== ',') {
        if (src[k] === '"' || src[k] === "'") k = stringEnd(src, k, close);
        else k++;
        if (k < 0) return total;
      }
      j = k + 1;
    }
    return total;
  }
  return quotedRun(src, i, stop);
}

/** The braces from `from` to `to` (strings skipped): their net depth, the lowest depth reached and where. */
function braces(src: string, from: number, to: number): { net: number; min: number; minAt: number } {
  let depth = 0;
  let min = 0;
  let minAt = to;
  for (let i = from; i < to; i++) {
    const ch = src[i]!;
    if (ch === '"' || ch === "'") {
      const e = stringEnd(src, i, to);
      if (e < 0) break;
      i = e - 1;
    } else if (ch === '{') depth++;
    else if (ch === '}' && --depth < min) {
      min = depth;
      minAt = i;
    }
  }
  return { net: depth, min, minAt };
}

interface Assignment {
  index: number;
  append: boolean;
  rhs: number;
}

/**
 * The blob a variable holds at `at`: its last assignment before, and the appends (`.=`) after that one, each in the
 * eval's block (the braces between them and the eval close none they opened where a function follows: not a
 * name of another function's, S31S-13). The text between is read once, from the eval back.
 */
function variableBlob(src: string, v: string, at: number, seen: Map<string, Assignment[]>): number {
  let all = seen.get(v);
  if (!all) {
    // (once a file for each name, however many evals give it)
    all = [];
    for (const a of src.matchAll(new RegExp(`\\$${v}\\s*(\\.?)=(?![=>])`, 'g'))) {
      all.push({ index: a.index!, append: a[1] === '.', rhs: a.index! + a[0].length });
      if (all.length >= MAX_ASSIGNMENTS) break;
    }
    seen.set(v, all);
  }
  let last = all.length;
  while (last > 0 && all[last - 1]!.index > at) last--;
  const assigned = all.slice(0, last);
  let total = 0;
  // the braces from the assignment read so far to the eval
  let min = 0;
  let minAt = at;
  let upTo = at;
  for (let k = assigned.length - 1; k >= 0; k--) {
    const a = assigned[k]!;
    const seg = braces(src, a.index, upTo);
    // the lowest depth from this assignment to the eval: this segment's own, or the later text's from where it ends
    const later = seg.net + min;
    if (seg.min <= later) {
      min = seg.min;
      minAt = seg.minAt;
    } else {
      min = later;
    }
    upTo = a.index;
    if (min < 0 && /\bfunction\b/i.test(src.slice(minAt, at))) return total;
    const n = blobLength(src, a.rhs);
    if (n === 0 && !a.append) return total;
    total += n;
    if (!a.append) return total;
  }
  return total;
}

/** The blob a constant holds (`const NAME =` or `define('NAME', ...)`). */
function constantBlob(src: string, name: string): number {
  const d = new RegExp(`\\bconst\\s+${name}\\s*=|\\bdefine\\s*\\(\\s*["']${name}["']\\s*,`, 'i').exec(src);
  return d ? blobLength(src, d.index + d[0].length) : 0;
}

/** The body of the file's own code `fn` (a function or method; a closure when `closure`), or '' when the file does not define it. */
function bodyOf(src: string, fn: string, closure: boolean): string {
  const def = closure
    ? new RegExp(`\\$${fn}\\s*=\\s*(?:static\\s+)?(?:function\\b|fn\\s*\\()`, 'i').exec(src)
    : new RegExp(`\\bfunction\\s+&?\\s*${fn}\\s*\\(`, 'i').exec(src);
  if (!def) return '';
  const stop = Math.min(src.length, def.index + MAX_BODY);
  const brace = src.indexOf('{', def.index);
  const semi = src.indexOf(';', def.index);
  // an arrow function's body ends at its statement's end
  if (brace < 0 || (closure && /fn\s*\($/.test(def[0]) && semi >= 0 && semi < brace)) return src.slice(def.index, semi < 0 ? stop : Math.min(stop, semi));
  const end = closeOf(src, brace, stop);
  return src.slice(def.index, end < 0 ? stop : end);
}

export function ownDecoderEval(src: string): FlowFinding[] {
  // (a test, not a lower-cased copy: this runs on every PHP file and layer)
  if (!/eval/i.test(src)) return [];
  let seen = 0;
  const assignments = new Map<string, Assignment[]>();
  for (const m of src.matchAll(RUN)) {
    if (++seen > MAX_CALLS) break;
    const fn = (m[1] ?? m[2] ?? m[3])!;
    if (!DECODES.test(bodyOf(src, fn, m[3] !== undefined))) continue;
    // the call's arguments: a blob in them, or a variable or constant holding one
    const open = m.index! + m[0].length - 1;
    const close = closeOf(src, open, Math.min(src.length, open + MAX_ARGS));
    const args = src.slice(open + 1, close < 0 ? Math.min(src.length, open + MAX_ARGS) : close - 1);
    let found = '';
    for (let i = 0; i < args.length && !found; i++) if ((args[i] === '"' || args[i] === "'") && quotedRun(args, i, args.length) >= BLOB) found = 'a long encoded blob';
    let names = 0;
    for (const a of args.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,40})|(?:(?:self|static)\s*::\s*)?\b([A-Z_][A-Z0-9_]{0,40})\b(?!\s*\()/g)) {
      if (found || ++names > 8) break;
      if (a[1] !== undefined && a[1] !== 'this' && variableBlob(src, a[1], m.index!, assignments) >= BLOB) found = `a long encoded blob ($${a[1]})`;
      else if (a[2] !== undefined && constantBlob(src, a[2]) >= BLOB) found = `a long encoded blob (${a[2]})`;
    }
    if (!found) continue;
    return [{ technique: 'decoder-chain-exec', score: 80, description: `eval of what the file's own ${m[3] !== undefined ? 'closure $' : 'function '}${fn}() makes of ${found}: a packed payload unpacked by the file's own decoder`, offset: m.index! }];
  }
  return [];
}
