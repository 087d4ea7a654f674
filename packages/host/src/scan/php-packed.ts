/**
 * A packed payload run from text: a PHP file whose literals hold at least PACKED characters of base64's alphabet
 * (literals of at least 64 such characters, in both cases and with digits, nine in ten of their characters
 * base64's; quoted, heredocs and nowdocs, and the data after `__halt_compiler`), that names a decoder, and that
 * runs eval outside its comments. How the pieces reach the eval is not followed: the packed-loader analyser
 * (php-loader.ts) follows the common forms, and each form it does not follow (a blob split over variables, put
 * together by sprintf or str_repeat, kept in a property or an array, returned by a function, with junk characters
 * the decoder drops, in the file's own data after `__halt_compiler`: red team S32R) was a way around it.
 *
 * Malicious where an eval's argument names a decoder, or calls the file's own function, method or closure whose body
 * names one (or calls one that does); suspicious otherwise: an application may embed a logo as base64 and run its
 * compiled templates through eval (red team S32R's look-alikes).
 *
 * Of the 20,329 PHP files of the benign corpus (61 Debian packages and the six applications CI unpacks), 3 hold
 * 1,000 such characters (cacti's upgrade data, Composer's two class maps) and none of them names a decoder or runs
 * eval (session 33).
 */
import type { FlowFinding } from './php-flow.js';
import { argsAt, eachLiteral, stripComments, walkCode } from './php-flow.js';

/** Characters of base64's alphabet in the file's literals, at least. */
const PACKED = 1000;
/** A literal counts from this many characters of base64's alphabet. */
const PIECE = 64;
/** A decoder named (or a name joined from pieces of one to three characters, as packed loaders hide base64_decode). */
const DECODER = /\b(?:base64_decode|str_rot13|gzinflate|gzuncompress|gzdecode|convert_uudecode|strrev)\b|["'][a-z0-9_]{1,3}["']\s*\.\s*["'][a-z0-9_]{1,3}["']\s*\.\s*["'][a-z0-9_]{1,3}["']/i;
/** eval, the language construct (not a method of that name), in code whose comments are blanked. */
const EVAL = /(?<![\w$>:\\])\\?eval\s*\(/i;
const EVALS = /(?<![\w$>:\\])\\?eval\s*\(/gi;
const HALT = /\b__halt_compiler\s*\(\s*\)/i;

/** Characters of base64's alphabet in `s` (from..to) when they make a packed piece: else 0. */
function piece(s: string, from: number, to: number): number {
  let b64 = 0;
  let other = 0;
  let classes = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    // (line breaks are a heredoc's or a wrapped blob's; a space counts against it: prose is letters and spaces)
    if (c === 10 || c === 13) continue;
    if (c >= 65 && c <= 90) classes |= 1;
    else if (c >= 97 && c <= 122) classes |= 2;
    else if (c >= 48 && c <= 57) classes |= 4;
    else if (c !== 43 && c !== 47 && c !== 61 && c !== 95 && c !== 45) {
      other++;
      continue;
    }
    b64++;
  }
  return b64 >= PIECE && classes === 7 && b64 >= 9 * other ? b64 : 0;
}

/**
 * Whether the eval at `at` is inside a function whose body, before the eval, names a decoder (`function u($s) { $d =
 * base64_decode($s); ... eval('?>' . $o); }`, called by call_user_func('u', ..)). The nearest function keyword within
 * MAX_BACK characters before it is read.
 */
function inDecodingBody(code: string, at: number): boolean {
  const fn = code.lastIndexOf('function', at);
  if (fn < 0 || at - fn > MAX_BACK) return false;
  const brace = code.indexOf('{', fn);
  if (brace < 0 || brace > at) return false;
  let depth = 0;
  walkCode(code, brace, at - brace, 0, (_c, _i, d) => {
    depth = d;
    return undefined;
  });
  return depth > 0 && DECODER.test(code.slice(brace, at));
}

/** At most this many evals looked at, names a call gives, characters of a body read. */
const MAX_EVALS = 64;
const MAX_NAMES = 16;
const MAX_BODY = 256 * 1024;
const MAX_LOOKUPS = 64;
const MAX_BACK = 64 * 1024;
const NAME = /^[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}$/;

/** The names `text` calls: functions and methods by name (`u(`, `->u(`, `::u(`), closures by their variable (`$u(`, as `$u`). */
function calledNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/(?<![\w\x80-\xff\\])(\$?)([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\(/g)) {
    names.add(`${m[1]}${m[2]!.toLowerCase()}`);
    if (names.size >= MAX_NAMES) break;
  }
  return [...names];
}

/** The body of the file's own function or method `name`, or of the closure or arrow function held by `$name`: bounded. */
function bodyOf(code: string, name: string): string | undefined {
  const variable = name.startsWith('$');
  const bare = variable ? name.slice(1) : name;
  if (!NAME.test(bare)) return undefined;
  const head = variable ? new RegExp(`\\$${bare}\\s*=\\s*(?:static\\s+)?(function\\b|fn\\b)[^(]{0,40}\\(`, 'i') : new RegExp(`\\bfunction\\s+&?\\s*${bare}\\s*\\(`, 'i');
  const m = head.exec(code);
  if (!m) return undefined;
  const close = walkCode(code, m.index + m[0].length, 4096, 1, (_c, i, depth) => (depth === 0 ? i : undefined));
  if (close === undefined) return undefined;
  // (an arrow function's body is its expression: to the statement's end)
  if (variable && m[1]!.toLowerCase() === 'fn') return code.slice(close, close + 4096).split(';')[0];
  const brace = code.indexOf('{', close);
  if (brace < 0 || brace - close > 400) return undefined;
  const end = walkCode(code, brace, MAX_BODY, 0, (_c, i, depth) => (depth === 0 ? i : undefined));
  return code.slice(brace, end === undefined ? brace + MAX_BODY : end + 1);
}

/** Whether the text given to an eval decodes: it names a decoder, or calls a body of the file's that does, two calls deep. */
// (each name's body looked up once a file, at most MAX_LOOKUPS of them: each lookup reads the file)
function decodesIn(code: string, text: string, bodies: Map<string, string | undefined>, depth = 0): boolean {
  if (DECODER.test(text)) return true;
  if (depth >= 2) return false;
  return calledNames(text).some((n) => {
    if (!bodies.has(n)) {
      if (bodies.size >= MAX_LOOKUPS) return false;
      bodies.set(n, bodyOf(code, n));
    }
    const body = bodies.get(n);
    return body !== undefined && decodesIn(code, body, bodies, depth + 1);
  });
}

/** A finding, and whether its score is a floor (the file at least this) rather than a weight added to the others. */
export type PackedFinding = FlowFinding & { readonly floor?: boolean };

export function packedPayload(src: string): PackedFinding[] {
  // (the words first: most files hold no eval)
  if (!/eval/i.test(src) || !DECODER.test(src)) return [];
  const code = stripComments(src);
  const run = EVAL.exec(code);
  if (!run || !DECODER.test(code)) return [];
  let mass = 0;
  eachLiteral(code, (from, to) => {
    if (mass < PACKED && to - from >= PIECE) mass += piece(code, from + 1, to - 1);
  });
  const halt = HALT.exec(code);
  if (mass < PACKED && halt) mass += piece(src, halt.index + halt[0].length, src.length);
  if (mass < PACKED) return [];
  // (an eval whose text decodes: the payload's own loader)
  let evals = 0;
  const bodies = new Map<string, string | undefined>();
  for (const e of code.matchAll(EVALS)) {
    if (++evals > MAX_EVALS) break;
    const args = argsAt(code, e.index! + e[0].length);
    if ((args && decodesIn(code, args.all, bodies)) || inDecodingBody(code, e.index!)) {
      return [{ technique: 'packed-payload', score: 80, description: `the file's literals hold ${PACKED} or more characters of base64 text, and an eval runs what a decoder gives (named in its argument, or in the file's own code it calls): a packed payload`, offset: e.index! }];
    }
  }
  // (a floor, not a weight: with an application's own weak signs, eval of a variable's call and an entropy literal, a
  // weight of 45 made red team S32R's look-alike (fp04, a favicon and a template closure) malicious)
  return [{ floor: true, technique: 'packed-payload', score: 45, description: `the file's literals hold ${PACKED} or more characters of base64 text, it names a decoder, and it runs eval: perhaps a packed payload (what reaches the eval was not followed to a decoder)`, offset: run.index }];
}
