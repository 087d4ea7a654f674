/**
 * A packed loader: `eval(unpack($blob, $table))`, where `unpack` is the file's own code (a function, a method, a
 * closure) and `$blob` a long literal of base64's alphabet, whole or cut into pieces. The decoder's steps are the
 * file's own (a table of swapped characters, then base64_decode through a name joined from letters: held-out set
 * X, session 31), so no decoder's name stands at the eval for the rules to read.
 *
 * What is read: an eval (outside comments; its argument perhaps bracketed again or trimmed) of a call of the
 * file's own code whose body decodes (a decoder named, or a name joined from pieces), given in any argument a blob
 * of 1,000 characters of base64's alphabet or more, in both cases and with digits: in the call itself, or held by
 * a variable, or by a constant (`const`, `define`). A variable holds what its assignments before the eval give it
 * in the eval's own scope: quoted pieces, a heredoc or nowdoc, an array of pieces, `.=` appends, another variable
 * holding one; an assignment in a block closed before the eval may not run, so the one before it is read too; a
 * property's declaration, a loop's `as`, a function's parameter are not the variable's blob (red team S31S-35 to
 * -42, S32R).
 *
 * Read in JavaScript, not as a YARA rule: its strings (function definitions, decoders' names, quoted runs of
 * base64) are in most PHP files, and as a rule they cost a large application's scan 35 MB of peak memory. Here
 * nothing is read past the test for an `eval(` of a call of the file's own decoder, which few files hold, and
 * what is read is bounded (WORK characters a file).
 */
import type { FlowFinding } from './php-flow.js';
import { firstAbove, stripComments } from './php-flow.js';

const NAME = '[A-Za-z_\\x80-\\xff][\\w\\x80-\\xff]{0,40}';
/**
 * eval (comments before the bracket or not; the argument bracketed again, or given to a function that leaves code as
 * it is) of a call: a function (1), a static or object method (2), or a closure held by a variable (3).
 */
// (eval only: assert of a check over a base64 fixture or licence is an application's, red team S31S-14, -15; the space
// after the bracket read one way, `\(\s*(?:@\s*)?`: `\(\s*@?\s*` split a run of 30,000 blank lines both ways,
// 56 s for a file of 30 such evals, S31S-69)
const RUN = new RegExp(
  `\\beval\\s*(?:(?:\\/\\*[^*\\n]{0,40}\\*\\/|#[^\\n]{0,80}\\n|\\/\\/[^\\n]{0,80}\\n)\\s*){0,3}\\(\\s*(?:@\\s*)?(?:\\(\\s*)?(?:(?:trim|ltrim|rtrim|strval|stripslashes)\\s*\\(\\s*)?(?:\\\\?(${NAME})|\\$?${NAME}\\s*(?:::|->)\\s*(${NAME})|\\$(${NAME}))\\s*\\(`,
  'gi',
);
/** A decoder in the function's body: a decoding function named, or a name joined from pieces of one to three characters. */
// (not strtr alone: a template's placeholders, a mail's logo put in by strtr, S32R-7)
/** A name joined from literal pieces of one to three characters, as packed loaders hide base64_decode. */
export const JOINED_NAME = /["'][a-z0-9_]{1,3}["']\s*\.\s*["'][a-z0-9_]{1,3}["']\s*\.\s*["'][a-z0-9_]{1,3}["']/i;
const DECODES = new RegExp(`\\b(?:base64_decode|str_rot13|gzinflate|gzuncompress|gzdecode|convert_uudecode|hex2bin)\\b|${JOINED_NAME.source}`, 'i');
const BASE64 = /^[A-Za-z0-9+/=_-]*$/;
const SPACE = /\s/;
/** A blob is this many characters of base64's alphabet at least. */
const BLOB = 1000;
/** At most this many evals of the file's own decoder looked at, this many regex matches of RUN, this many names an eval's call gives. */
const MAX_CALLS = 64;
const MAX_RUNS = 4096;
const MAX_NAMES = 16;
const MAX_ASSIGNMENTS = 100_000;
/** At most this much of a right side, a body, a call's arguments read. */
const MAX_RHS = 4 * 1024 * 1024;
const MAX_BODY = 256 * 1024;
const MAX_ARGS = 1024 * 1024;
/** Characters a file's reading may walk in all (the braces between assignments and evals, bodies, right sides). */
const WORK = 16 * 1024 * 1024;

/** What a blob holds: its length, and whether it has upper-case letters, lower-case letters and digits (base64 of anything has). */
interface Blob {
  n: number;
  classes: number;
}
const NONE: Blob = { n: 0, classes: 0 };
const add = (a: Blob, b: Blob): Blob => ({ n: a.n + b.n, classes: a.classes | b.classes });
const classesOf = (s: string): number => (/[A-Z]/.test(s) ? 1 : 0) | (/[a-z]/.test(s) ? 2 : 0) | (/[0-9]/.test(s) ? 4 : 0);
const isBlob = (b: Blob): boolean => b.n >= BLOB && b.classes === 7;

/** One file's reading: its text, the work left, and what was found once for it. */
interface Reading {
  src: string;
  work: number;
  /** Where `function` stands, in order. */
  functions?: number[];
  assignments: Map<string, Assignment[]>;
  bodies: Map<string, boolean>;
  ranges?: Body[];
  /** The bodies' starts, in order, for bisection. */
  starts?: number[];
  docEnds: Map<string, number[]>;
  code?: string;
}

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
function closeOf(r: Reading, open: number, stop: number): number {
  const src = r.src;
  const o = src[open]!;
  const c = o === '(' ? ')' : o === '[' ? ']' : '}';
  let depth = 0;
  let i = open;
  for (; i < stop; i++) {
    const ch = src[i]!;
    if (ch === '"' || ch === "'") {
      const e = stringEnd(src, i, stop);
      if (e < 0) break;
      i = e - 1;
    } else if (ch === '/' && src[i + 1] === '*') {
      const e = src.indexOf('*/', i + 2);
      if (e < 0 || e >= stop) break;
      i = e + 1;
    } else if ((ch === '/' && src[i + 1] === '/') || ch === '#') {
      const e = src.indexOf('\n', i);
      if (e < 0 || e >= stop) break;
      i = e;
    } else if (ch === o) depth++;
    else if (ch === c && --depth === 0) {
      r.work -= i - open;
      return i + 1;
    }
  }
  r.work -= i - open;
  return -1;
}

/** The base64 text in quoted literals joined by "." from `at` (none when it holds anything else first). */
function quotedRun(src: string, at: number, stop: number): Blob {
  let i = at;
  let blob = NONE;
  for (;;) {
    while (i < stop && SPACE.test(src[i]!)) i++;
    const q = src[i];
    if (q !== '"' && q !== "'") return blob;
    const end = src.indexOf(q, i + 1);
    if (end < 0 || end > stop) return blob;
    // (a literal may hold its blob on several lines)
    const piece = src.slice(i + 1, end).replace(/\s+/g, '');
    if (!BASE64.test(piece)) return blob;
    blob = add(blob, { n: piece.length, classes: classesOf(piece) });
    i = end + 1;
    while (i < stop && SPACE.test(src[i]!)) i++;
    if (src[i] !== '.') return blob;
    i++;
  }
}

/** The base64 text a right side starting at `at` holds: quoted pieces, a heredoc or nowdoc, or an array of pieces. */
function blobAt(r: Reading, at: number): Blob {
  const src = r.src;
  const stop = Math.min(src.length, at + MAX_RHS);
  let i = at;
  while (i < stop && SPACE.test(src[i]!)) i++;
  const doc = /^<<<[ \t]*(["']?)([A-Za-z_]\w{0,40})\1\r?\n/.exec(src.slice(i, i + 64));
  if (doc) {
    const body = i + doc[0].length;
    // (where each label ends its docs, found once a file: an unclosed one searched from each of 30,000 appends to the
    // file's end took a 1 MB file 10 s, red team S32R-c03)
    let ends = r.docEnds.get(doc[2]!);
    if (!ends) {
      ends = [...src.matchAll(new RegExp(`^[ \\t]*${doc[2]}\\b`, 'gm'))].slice(0, MAX_ASSIGNMENTS).map((e) => e.index!);
      r.docEnds.set(doc[2]!, ends);
      r.work -= src.length;
    }
    const lo = firstAbove(ends, body - 1);
    if (lo >= ends.length || ends[lo]! > stop) return NONE;
    const end = ends[lo]! - body;
    r.work -= end;
    // (each line one run: base64 has no space inside a line, a list of words may)
    const lines = src.slice(body, body + end).split('\n').map((l) => l.trim());
    if (lines.some((l) => /\s/.test(l))) return NONE;
    const text = lines.join('');
    return BASE64.test(text) ? { n: text.length, classes: classesOf(text) } : NONE;
  }
  const arr = /^(?:array\s*\(|\[)/i.exec(src.slice(i, i + 16));
  if (arr) {
    const close = closeOf(r, i + arr[0].length - 1, stop);
    if (close < 0) return NONE;
    let blob = NONE;
    for (let j = i + arr[0].length; j < close - 1; ) {
      const piece = quotedRun(src, j, close);
      if (piece.n === 0) break;
      blob = add(blob, piece);
      // on past the pieces just read and the comma after them
      let k = j;
      while (k < close && src[k] !== ',') {
        if (src[k] === '"' || src[k] === "'") k = stringEnd(src, k, close);
        else k++;
        if (k < 0) return blob;
      }
      j = k + 1;
    }
    return blob;
  }
  return quotedRun(src, i, stop);
}

/** The braces from `from` to `to` (strings skipped): their net depth and the lowest depth reached. */
function braces(r: Reading, from: number, to: number): { net: number; min: number } {
  const src = r.src;
  let depth = 0;
  let min = 0;
  for (let i = from; i < to; i++) {
    const ch = src[i]!;
    if (ch === '"' || ch === "'") {
      const e = stringEnd(src, i, to);
      if (e < 0) break;
      i = e - 1;
    } else if (ch === '{') depth++;
    else if (ch === '}' && --depth < min) min = depth;
  }
  r.work -= to - from;
  return { net: depth, min };
}

/** Where `function` (or an arrow function's `fn(`) stands, in order (found once a file). */
function functionsOf(r: Reading): number[] {
  if (!r.functions) {
    r.functions = [];
    for (const m of r.src.matchAll(/\bfunction\b|\bfn\s*\(/gi)) {
      r.functions.push(m.index!);
      if (r.functions.length >= MAX_ASSIGNMENTS) break;
    }
    r.work -= r.src.length;
  }
  return r.functions;
}

interface Assignment {
  index: number;
  /** '.=' (an append), '=' (an assignment), or 'as' / 'param' (a value not known here). */
  kind: string;
  rhs: number;
}

/** A variable's assignments in the file, found once: `$v =`, `$v .=`, `as $v`, `as $k => $v`, `list($v) =` (as unknown). */
function assignmentsOf(r: Reading, v: string): Assignment[] {
  let all = r.assignments.get(v);
  if (all) return all;
  all = [];
  const re = new RegExp(`\\$${v}\\s*(\\.?)=(?![=>])|\\bas\\s+(?:\\$${NAME}\\s*=>\\s*)?&?\\$${v}\\b|[,(\\[]\\s*&?\\$${v}\\s*(?=[,)\\]][^;]{0,200}?\\)\\s*=(?![=>]))`, 'g');
  for (const a of r.src.matchAll(re)) {
    const before = r.src.slice(Math.max(0, a.index! - 80), a.index!);
    // (a property's declaration is not the variable: `private $data = '...'`, S32R-1, -7)
    if (/\b(?:public|private|protected|var|static|readonly)\s+(?:\??[A-Za-z_\\][\w\\|]{0,63}\s+)?$/i.test(before)) continue;
    const kind = a[0].startsWith('$') ? (a[1] === '.' ? '.=' : '=') : 'as';
    all.push({ index: a.index!, kind, rhs: a.index! + a[0].length });
    if (all.length >= MAX_ASSIGNMENTS) break;
  }
  r.work -= r.src.length;
  r.assignments.set(v, all);
  return all;
}

/** How many of a name's assignments (in order) stand before `at`. */
function before(all: readonly Assignment[], at: number): number {
  let n = all.length;
  while (n > 0 && all[n - 1]!.index > at) n--;
  return n;
}

/** A function's body: where its brace opens and closes, and its parameters' text. */
interface Body {
  start: number;
  end: number;
  params: string;
}

/** The bodies of the file's functions, methods and closures, in order of their starts (found once a file, within its work). */
function bodiesOf(r: Reading): Body[] {
  if (r.ranges) return r.ranges;
  const out: Body[] = [];
  for (const def of functionsOf(r)) {
    if (r.work <= 0) break;
    const head = /^(?:function\s*&?\s*(?:[A-Za-z_\x80-\xff][\w\x80-\xff]*)?|fn)\s*\(/i.exec(r.src.slice(def, def + 200));
    if (!head) continue;
    const open = def + head[0].length - 1;
    const close = closeOf(r, open, Math.min(r.src.length, open + 4096));
    if (close < 0) continue;
    const rest = /^\s*(?::\s*\??[\w\\|]{1,64}\s*)?(?:use\s*\([^)]{0,300}\)\s*)?(?::\s*\??[\w\\|]{1,64}\s*)?\{/.exec(r.src.slice(close, close + 400));
    if (!rest) continue;
    const start = close + rest[0].length - 1;
    const end = closeOf(r, start, Math.min(r.src.length, start + MAX_BODY));
    out.push({ start, end: end < 0 ? r.src.length : end, params: r.src.slice(open + 1, close - 1) });
  }
  r.ranges = out;
  r.starts = out.map((b) => b.start);
  return out;
}

/** The innermost function body holding `p` (undefined at the file's level). */
function scopeOf(r: Reading, p: number): Body | undefined {
  const b = bodiesOf(r);
  const lo = firstAbove(r.starts!, p - 1);
  // (the nearest bodies opened before it first: the first that holds it is the innermost)
  for (let k = lo - 1, tries = 0; k >= 0 && tries < 64; k--, tries++) if (b[k]!.end > p) return b[k];
  return undefined;
}

/**
 * The blob a variable holds at `at`: its last assignment in the eval's scope before it, and the appends (`.=`) after
 * that one; an assignment in a block closed before the eval (an `if`) may not run, so the one before it is read too.
 * The text between is read once, from the eval back.
 */
function variableBlob(r: Reading, v: string, at: number, aliases: number): Blob {
  const scope = scopeOf(r, at);
  // (a parameter of the eval's function: what a caller gives, not known here)
  if (scope && new RegExp(`\\$${v}\\b`).test(scope.params)) return NONE;
  const all = assignmentsOf(r, v);
  const last = before(all, at);
  let total = NONE;
  // the braces from the assignment read so far to the eval
  let min = 0;
  let upTo = at;
  for (let k = last - 1; k >= 0 && r.work > 0; k--) {
    const a = all[k]!;
    // (before the eval's function: not its variable, S31S-13, S32R-2)
    if (scope && a.index < scope.start) break;
    const seg = braces(r, a.index, upTo);
    // the lowest depth from this assignment to the eval: this segment's own, or the later text's from where it ends
    min = Math.min(seg.min, seg.net + min);
    upTo = a.index;
    const closed = min < 0;
    // (in another function's body, closed before the eval: not this variable, S31S-13)
    if (closed && scopeOf(r, a.index) !== scope) continue;
    if (a.kind === 'as') {
      if (closed) continue;
      return total;
    }
    let n = blobAt(r, a.rhs);
    // (another variable holding one: `$c = $b;`, once)
    const alias = n.n === 0 && aliases > 0 ? new RegExp(`^\\s*\\$(${NAME})\\s*;`).exec(r.src.slice(a.rhs, a.rhs + 64)) : null;
    if (alias) n = variableBlob(r, alias[1]!, a.index, aliases - 1);
    total = add(total, n);
    if (a.kind === '.=') continue;
    // (an assignment in a block closed before the eval may not run: `if (!isset($b)) { $b = ''; }`, S32R-ev29)
    if (closed && !isBlob(total)) continue;
    return total;
  }
  return total;
}

/** The blob a constant holds (`const NAME =` or `define('NAME', ...)`). */
function constantBlob(r: Reading, name: string): Blob {
  const d = new RegExp(`\\bconst\\s+${name}\\s*=|\\bdefine\\s*\\(\\s*["']${name}["']\\s*,`, 'i').exec(r.src);
  return d ? blobAt(r, d.index + d[0].length) : NONE;
}

/** Whether the file's own code `fn` (a function or method; a closure when `closure`) decodes in its body. */
function decodes(r: Reading, fn: string, closure: boolean): boolean {
  const key = `${closure ? '$' : ''}${fn.toLowerCase()}`;
  const known = r.bodies.get(key);
  if (known !== undefined) return known;
  const body = bodyOf(r, fn, closure);
  // (and a decoder's name joined from longer literal pieces, "base" . "64_decode": session 35, set H9)
  const yes = body !== undefined && (DECODES.test(body) || (/["']\s*\.\s*["']/.test(body) && DECODES.test(body.replace(/(["'])\s*\.\s*(["'])/g, ''))));
  r.bodies.set(key, yes);
  return yes;
}

/** The text of the file's own code `fn` (a function or method; a closure when `closure`), from its definition to its body's end; undefined when the file has none. */
function bodyOf(r: Reading, fn: string, closure: boolean): string | undefined {
  const src = r.src;
  const def = closure
    ? new RegExp(`\\$${fn}\\s*=\\s*(?:static\\s+)?(?:function\\b|fn\\s*\\()`, 'i').exec(src)
    : new RegExp(`\\bfunction\\s+&?\\s*${fn}\\s*\\(`, 'i').exec(src);
  r.work -= src.length;
  if (!def) return undefined;
  const stop = Math.min(src.length, def.index + MAX_BODY);
  const brace = src.indexOf('{', def.index);
  const semi = src.indexOf(';', def.index);
  // an arrow function's body ends at its statement's end
  if (brace < 0 || (closure && /fn\s*\($/.test(def[0]) && semi >= 0 && semi < brace)) return src.slice(def.index, semi < 0 ? stop : Math.min(stop, semi));
  const end = closeOf(r, brace, stop);
  return src.slice(def.index, end < 0 ? stop : end);
}

/** What blob a call's arguments give (the call's bracket at `open`, the eval at `at`): '' for none. */
function blobInCall(r: Reading, open: number, at: number): string {
  const src = r.src;
  const close = closeOf(r, open, Math.min(src.length, open + MAX_ARGS));
  const args = src.slice(open + 1, close < 0 ? Math.min(src.length, open + MAX_ARGS) : close - 1);
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '"' && args[i] !== "'") continue;
    if (isBlob(quotedRun(args, i, args.length))) return 'a long encoded blob';
    const e = stringEnd(args, i, args.length);
    if (e < 0) break;
    i = e - 1;
  }
  let names = 0;
  for (const a of args.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,40})|(?:(?:self|static)\s*::\s*)?\b([A-Z_][A-Z0-9_]{0,40})\b(?!\s*\()/g)) {
    if (++names > MAX_NAMES || r.work <= 0) break;
    if (a[1] !== undefined && a[1] !== 'this' && isBlob(variableBlob(r, a[1], at, 1))) return `a long encoded blob ($${a[1]})`;
    if (a[2] !== undefined && isBlob(constantBlob(r, a[2]))) return `a long encoded blob (${a[2]})`;
  }
  return '';
}

/** A call of the file's own code at the start of a right side: `u(`, `L::u(`, `$this->u(`, `$u(`. */
const CALL = new RegExp(`^\\s*(?:@\\s*)?(?:\\\\?(${NAME})|\\$?${NAME}\\s*(?:::|->)\\s*(${NAME})|\\$(${NAME}))\\s*\\(`, 'i');
/** eval of a variable alone: `eval($code)`. */
const EVAL_VARIABLE = new RegExp(`\\beval\\s*(?:\\/\\*[^*\\n]{0,40}\\*\\/\\s*)?\\(\\s*(?:@\\s*)?\\$(${NAME})\\s*\\)`, 'gi');

export function ownDecoderEval(src: string): FlowFinding[] {
  // (a test, not a lower-cased copy: this runs on every PHP file and layer)
  if (!/eval/i.test(src)) return [];
  const r: Reading = { src, work: WORK, assignments: new Map(), bodies: new Map(), docEnds: new Map() };
  const outsideComments = (at: number) => (r.code ??= stripComments(src)).slice(at, at + 4).toLowerCase() === 'eval';
  let runs = 0;
  let calls = 0;
  for (const m of src.matchAll(RUN)) {
    if (++runs > MAX_RUNS || r.work <= 0) break;
    const fn = (m[1] ?? m[2] ?? m[3])!;
    // (decoys, `eval(trim(""))`, are not counted: only calls of the file's own decoder are, S32R-ev17)
    if (!decodes(r, fn, m[3] !== undefined)) continue;
    if (++calls > MAX_CALLS) break;
    // (an eval in a comment is not one: a docblock's example, S32R-8)
    if (!outsideComments(m.index!)) continue;
    // the call's arguments: a blob in them, or a variable or constant holding one
    const found = blobInCall(r, m.index! + m[0].length - 1, m.index!);
    if (!found) continue;
    return [{ technique: 'decoder-chain-exec', score: 80, description: `eval of what the file's own ${m[3] !== undefined ? 'closure $' : 'function '}${fn}() makes of ${found}: a packed payload unpacked by the file's own decoder`, offset: m.index! }];
  }
  // eval of a variable given such a call just before: `$code = u($b, $t); eval($code);` (S32R-ev9)
  runs = 0;
  for (const m of src.matchAll(EVAL_VARIABLE)) {
    if (++runs > MAX_RUNS || calls > MAX_CALLS || r.work <= 0) break;
    const scope = scopeOf(r, m.index!);
    const all = assignmentsOf(r, m[1]!);
    const a = all[before(all, m.index!) - 1];
    if (!a || a.kind !== '=' || scopeOf(r, a.index) !== scope) continue;
    const c = CALL.exec(src.slice(a.rhs, a.rhs + 200));
    if (!c) continue;
    const fn = (c[1] ?? c[2] ?? c[3])!;
    if (!decodes(r, fn, c[3] !== undefined)) continue;
    if (++calls > MAX_CALLS) break;
    if (!outsideComments(m.index!)) continue;
    const found = blobInCall(r, a.rhs + c[0].length - 1, a.index);
    if (!found) continue;
    return [{ technique: 'decoder-chain-exec', score: 80, description: `eval of $${m[1]!}, given what the file's own ${c[3] !== undefined ? 'closure $' : 'function '}${fn}() makes of ${found}: a packed payload unpacked by the file's own decoder`, offset: m.index! }];
  }
  return [];
}

/** A function's body that decodes characters: chr() of numbers read from its input in a loop (hexdec, ord, intval ...). */
const CHAR_DECODER = /\bchr\s*\(\s*(?:\(\s*)?(?:hexdec|ord|intval|bindec|octdec|base_convert)\s*\(/i;
const LOOPS = /\b(?:for|while|foreach)\s*\(/i;
/** `$f = dec('...'` (in brackets or not): a variable given what a function of the file makes of a literal. */
const ASSIGNED_CALL = new RegExp(`\\$(${NAME})\\s*=\\s*(${NAME})\\s*\\(\\s*["']`, 'g');

/**
 * A variable called as a function, its name what the file's own character decoder makes of a literal, and
 * given what that decoder makes of another: `$_ = dec('6A76..', '39'); $_(dec('6776..', '520'));` (session 35,
 * held-out set H9). The decoder turns numbers read from its input into characters in a loop; nothing of the
 * request shows until it runs.
 */
export function ownDecoderCall(src: string): FlowFinding[] {
  // (a character decoder somewhere in the file first: few files have one)
  if (!/chr/i.test(src) || !CHAR_DECODER.test(src) || !/\$[A-Za-z_\x80-\xff][\w\x80-\xff]*\s*\(/.test(src)) return [];
  const r: Reading = { src, work: WORK, assignments: new Map(), bodies: new Map(), docEnds: new Map() };
  const decoder = new Map<string, boolean>();
  const isDecoder = (fn: string): boolean => {
    const key = fn.toLowerCase();
    let yes = decoder.get(key);
    if (yes === undefined) {
      const body = bodyOf(r, fn, false);
      yes = body !== undefined && CHAR_DECODER.test(body) && LOOPS.test(body);
      decoder.set(key, yes);
    }
    return yes;
  };
  let seen = 0;
  for (const m of src.matchAll(ASSIGNED_CALL)) {
    if (++seen > MAX_RUNS || decoder.size > MAX_CALLS) break;
    if (!isDecoder(m[2]!)) continue;
    // (the variable called, within the next few statements, with the decoder's reading of a literal)
    const after = src.slice(m.index! + m[0].length, m.index! + m[0].length + 2000);
    const called = new RegExp(`\\$${m[1]}\\s*\\(\\s*(?:@\\s*)?${m[2]}\\s*\\(\\s*["']`, 'i').exec(after);
    if (called) return [{ technique: 'obfuscated-call', score: 85, description: `a function whose name the file's own character decoder ${m[2]}() makes of a literal is called with what it makes of another ($${m[1]})`, offset: m.index! }];
  }
  return [];
}
