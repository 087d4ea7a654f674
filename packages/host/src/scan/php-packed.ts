/**
 * A packed payload run from text: a PHP file whose literals hold at least PACKED characters of base64's alphabet
 * (literals of at least 32 such characters, in both cases and with digits, nine in ten of their characters base64's;
 * of hex digits where the file decodes hex; quoted, heredocs and nowdocs, and the data after `__halt_compiler`), that
 * names a decoder, and that runs eval outside its comments (or includes what a variable names: then pieces of 64). How
 * the pieces reach the eval is not followed: the packed-loader analyser (php-loader.ts) follows the common forms, and
 * each form it does not follow (a blob split over variables, put together by sprintf or str_repeat, kept in a property
 * or an array, returned by a function, with junk characters the decoder drops, in the file's own data after
 * `__halt_compiler`: red team S32R) was a way around it.
 *
 * Malicious where the blob reaches an eval (blobReaches) whose argument, or the last assignment before it of a variable
 * it reads, names a decoder or calls the file's own function, method or closure, defined once, whose body of at most
 * 4 KB names one; a floor of suspicious otherwise: an application may embed a logo as base64 and run its compiled
 * templates through eval (red team S32R's look-alikes). Red teams S33P and S33Q found 14 applications' files malicious
 * through wider first versions (the eval inside any function that decodes something, a body reached two calls deep,
 * the first of two definitions of a name, a definition read past its own value, paths and digests as blobs); those are
 * suspicious at most now (bench/redteam/README-s33.md).
 *
 * Of the 20,329 PHP files of the benign corpus (61 Debian packages and the six applications CI unpacks), 3 hold
 * 1,000 such characters (cacti's upgrade data, Composer's two class maps) and none of them names a decoder or runs
 * eval (session 33).
 */
import type { FlowFinding } from './php-flow.js';
import { argsAt, eachLiteral, stripComments, walkCode } from './php-flow.js';
import { JOINED_NAME } from './php-loader.js';
import { holds } from './text-pieces.js';

/** Characters of base64's alphabet in the file's literals, at least. */
const PACKED = 1000;
/** A literal counts from this many characters of base64's alphabet. */
// (32: red team S33P-11 cut its blob into pieces of 63, under the 64 of the first version; no file of the benign
// corpus holds 1,000 characters in such pieces and runs eval)
const PIECE = 32;
const INCLUDED_PIECE = 64;
const HEX_PIECE = 256;
/** The decoders' names (and openssl_decrypt, which takes base64 unless told otherwise, and php://filter's decoding: red team S33P-16, -18). */
// (and libsodium's, whose names hex2bin's pattern does not reach: red team S33Q-12, -14)
const DECODER_NAMES = ['base64_decode', 'str_rot13', 'gzinflate', 'gzuncompress', 'gzdecode', 'convert_uudecode', 'strrev', 'hex2bin', 'openssl_decrypt', 'sodium_base642bin', 'sodium_hex2bin'];
const DECODER_WORDS = [...DECODER_NAMES, 'convert.base64-decode'];
/** A decoder named, or a name joined from pieces (JOINED_NAME). */
const DECODER = new RegExp(`\\b(?:${DECODER_NAMES.join('|')})\\b|convert\\.base64-decode|${JOINED_NAME.source}`, 'i');
const JOINS = ["'.", "' .", '".', '" .'];
/** eval, the language construct (not a method of that name), in code whose comments are blanked. */
const EVALS = /(?<![\w$>:\\])\\?eval\s*\(/gi;
const EVAL = new RegExp(EVALS.source, 'i');
/** An include of what a variable holds: the decoded text written to a file first (red team S33P-21). A floor at most. */
const INCLUDE_VARIABLE = /(?<![\w$>:\\])(?:include|require)(?:_once)?\s*\(?\s*\$/i;
/** The file decodes hex: a blob of hex digits counts then (red team S33P-15). */
const HEX_DECODER = /\b(?:sodium_)?hex2bin\s*\(|\bpack\s*\(\s*["']H/i;
const HALT = /\b__halt_compiler\s*\(\s*\)/i;

/** Characters of base64's alphabet in `s` (from..to) when they make a packed piece: else 0. */
function piece(s: string, from: number, to: number, hex = false, least = PIECE): number {
  let b64 = 0;
  let other = 0;
  let classes = 0;
  let hexOnly = true;
  let symbols = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    // (line breaks are a heredoc's or a wrapped blob's; a space counts against it: prose is letters and spaces)
    if (c === 10 || c === 13) continue;
    if ((c < 48 || c > 57) && (c < 65 || c > 70) && (c < 97 || c > 102)) hexOnly = false;
    if (c >= 65 && c <= 90) classes |= 1;
    else if (c >= 97 && c <= 122) classes |= 2;
    else if (c >= 48 && c <= 57) classes |= 4;
    else if (c !== 43 && c !== 47 && c !== 61 && c !== 95 && c !== 45) {
      other++;
      continue;
    } else symbols++;
    b64++;
  }
  // (base64 of anything has few of + / _ - =, about 3 in 100; a path or an identifier has many: red team S33Q-6's
  // class map of paths, S33Q-1's names. Hex counts from HEX_PIECE: a digest is 32 to 128 digits, S33Q-3)
  if (hex && hexOnly && other === 0) return b64 >= Math.max(least, HEX_PIECE) ? b64 : 0;
  // (a long run of nothing else may have twice as many: base64 of deflated data has runs of "/" and "+", one in 13 of a
  // 32 KB blob of held-out set H18; a path or a name has dots, backslashes or spaces too)
  return b64 >= least && classes === 7 && b64 >= 9 * other && (symbols * 16 <= b64 || (other === 0 && b64 >= LONG_RUN && symbols * 8 <= b64)) ? b64 : 0;
}

/** A piece of at least this many characters, all of them base64's, may hold one in 8 of + / _ - = (piece). */
const LONG_RUN = 512;
/** At most this many evals looked at, names a call gives, bodies looked up, characters looked back for an assignment, of a decoder's body, variables of an eval's text. */
const MAX_EVALS = 64;
const MAX_NAMES = 16;
const MAX_LOOKUPS = 64;
const MAX_BACK = 64 * 1024;
const MAX_DECODER = 4096;
const MAX_VARIABLES = 4;
/** Assignments of a variable that read itself followed back from an eval (givenText). */
const MAX_STEPS = 4;
const MAX_DEF = 64 * 1024;
const NAME = /^[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}$/;
/** NAME's pattern, for the patterns made of a file's own names. */
const NAME_PATTERN = NAME.source.slice(1, -1);
/** A variable, its name in group 1. */
const VARIABLE = new RegExp(`\\$(${NAME_PATTERN})`, 'g');

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
function bodyOf(code: string, name: string, limit = MAX_DECODER): string | undefined {
  const variable = name.startsWith('$');
  const bare = variable ? name.slice(1) : name;
  if (!NAME.test(bare)) return undefined;
  const head = variable ? `\\$${bare}\\s*=\\s*(?:static\\s+)?(function\\b|fn\\b)[^(]{0,40}\\(` : `\\bfunction\\s+&?\\s*${bare}\\s*\\(`;
  // (the first definition, and none after it)
  const heads = code.matchAll(new RegExp(head, 'gi'));
  const m = heads.next().value;
  if (!m || !heads.next().done) return undefined;
  const close = walkCode(code, m.index + m[0].length, 4096, 1, (_c, i, depth) => (depth === 0 ? i : undefined));
  if (close === undefined) return undefined;
  // (an arrow function's body is its expression: to the statement's end)
  if (variable && m[1]!.toLowerCase() === 'fn') return code.slice(close, close + limit).split(';')[0];
  const brace = code.indexOf('{', close);
  if (brace < 0 || brace - close > 400) return undefined;
  // (a body longer than a decoder is not read to its end)
  const end = walkCode(code, brace, limit + 1, 0, (_c, i, depth) => (depth === 0 ? i : undefined));
  return end === undefined ? undefined : code.slice(brace, end + 1);
}

/**
 * Whether the text given to an eval decodes: it names a decoder, or calls the file's own function, method or closure
 * whose body (at most MAX_DECODER characters: a loader's decoder is small) names one, defined once in the file (a
 * name two classes define is not known to be this one: red team S33P-6). One call deep: two reached a theme's strrev
 * helper from its template code (S33P-7).
 */
function decodesIn(code: string, text: string, known: Map<string, boolean>): boolean {
  if (DECODER.test(text)) return true;
  return calledNames(text).some((n) => {
    let answer = known.get(n);
    if (answer === undefined) {
      if (known.size >= MAX_LOOKUPS) return false;
      const body = bodyOf(code, n);
      answer = body !== undefined && body.length <= MAX_DECODER && DECODER.test(body);
      known.set(n, answer);
    }
    return answer;
  });
}

/** Functions whose value says something of their argument but never gives it back: a hash, a length, an encoding. */
const DIGEST = /\b(?:md5|sha1|crc32|hash|hash_hmac|strlen|mb_strlen|count|base64_encode|bin2hex|is_string|is_array|empty|isset)\s*\(/gi;
const MAX_DIGESTS = 32;

/**
 * The text with the calls of DIGEST functions blanked (their arguments too): a decoder under one of them gives eval
 * its hash or its length, not what it decoded (an installer evaluating its archive's check,
 * `'if (md5_file($z) !== "' . md5(base64_decode($ARCHIVE)) . '") die();'`, red team S38R-8).
 */
function withoutDigests(text: string): string {
  let out = '';
  let from = 0;
  let n = 0;
  for (const m of text.matchAll(DIGEST)) {
    if (m.index! < from) continue;
    if (++n > MAX_DIGESTS) break;
    const open = m.index! + m[0].length;
    const close = walkCode(text, open, text.length - open, 1, (_c, i, depth) => (depth === 0 ? i : undefined));
    if (close === undefined) break;
    out += `${text.slice(from, m.index!)}0`;
    from = close + 1;
  }
  return out + text.slice(from);
}

/**
 * The head of a function or closure that may wrap eval: `function r(`, `$r = function (`, `$r = static fn (`. Its
 * parameters, a `use` list, a return type and its body are then read by walking the code (no run of white space
 * beside another that could take the same characters: a function of one parameter followed by a megabyte of spaces
 * took a first, single-pattern version minutes, S37A-1, -2).
 */
const WRAPPER_HEAD = /(?:\bfunction\s+(?:&\s*)?([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})|\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*=\s*(?:static\s+)?(function|fn))\s*\(/gi;
/** What may stand between a closure's parameters and its body: `use ($k)`, a return type. */
const WRAPPER_BETWEEN = /^\s*(?:use\s*\([^()]{0,200}\)\s*)?(?::\s*\??[A-Za-z_\\][\w\\|]{0,63}\s*)?/i;
/** eval of a variable alone, `eval($c)`, `@eval( $c )`: what a wrapper's body runs (not `eval('?>' . $c)`, nor assert, see evalWrappers). */
// (in brackets, in a double-quoted string, or with a ";" joined on: red team S38R's wrapper variants)
const EVAL_OF_VARIABLE = /(?<![\w$>:\\])eval\s*\(\s*(?:@\s*)?(?:\(\s*){0,3}(?:"\{?)?\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})(?:\}?")?(?:\s*\.\s*["'];?["'])?(?:\s*\)){0,3}\s*\)/gi;
const CLASS_HEAD = /\b(?:class|trait)\s+([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})[^{;]{0,300}\{/gi;
/** evals looked at, a wrapper's parameters and body, the characters read for the argument it runs, at most. */
const MAX_EVAL_SITES = 16;
const MAX_PARAMS_TEXT = 300;
const MAX_WRAPPER_BODY = 1500;
const MAX_ARGUMENT = 256 * 1024;
/** Wrappers read, and calls of each looked at, at most. */
const MAX_WRAPPERS = 8;
const MAX_WRAPPER_CALLS = 32;

interface Wrapper {
  /** the function's name, or `$r` for a closure kept in a variable */
  name: string;
  named: boolean;
  /** the class or trait it is a method of */
  owner?: string | undefined;
  /** which of its parameters eval runs */
  param: number;
  at: number;
  end: number;
}

/**
 * The file's eval wrappers: the function, method or closure around an eval of one of its parameters, with other
 * statements beside it (a body of up to MAX_WRAPPER_BODY), a second parameter, a `use` list or a return type:
 * `function r($c) { eval($c); }`, `$r = function (string $c) { return @eval($c); };`, `$r = fn($c) => eval($c);` (red
 * team S37A-48 to -52 and its open evasions). Found from the evals (MAX_EVAL_SITES), not from every function head: 64
 * functions before one hid it (S38R-31). Not assert, which an application calls on its preconditions with any
 * expression (S38R-1 to -15); not `eval('?>' . $c)`, the template engines' way to run a page (red team S37B).
 */
function evalWrappers(code: string): Wrapper[] {
  const out: Wrapper[] = [];
  let sites = 0;
  for (const e of code.matchAll(EVAL_OF_VARIABLE)) {
    if (++sites > MAX_EVAL_SITES || out.length >= MAX_WRAPPERS) break;
    const from = Math.max(0, e.index! - MAX_WRAPPER_BODY - MAX_PARAMS_TEXT);
    const heads = [...code.slice(from, e.index!).matchAll(WRAPPER_HEAD)].slice(-16);
    // (the innermost function around the eval: the last head before it whose body holds it)
    for (let k = heads.length - 1; k >= 0; k--) {
      const h = heads[k]!;
      const at = from + h.index!;
      const open = at + h[0].length - 1;
      const close = walkCode(code, open + 1, MAX_PARAMS_TEXT, 1, (_c, i, depth) => (depth === 0 ? i : undefined));
      if (close === undefined || close > e.index!) continue;
      const after = close + 1 + WRAPPER_BETWEEN.exec(code.slice(close + 1, close + 301))![0].length;
      let end: number | undefined;
      if (h[3]?.toLowerCase() === 'fn') {
        if (!code.startsWith('=>', after)) continue;
        const semi = code.indexOf(';', after);
        end = semi < 0 ? code.length : semi;
      } else {
        if (code[after] !== '{') continue;
        const shut = walkCode(code, after, MAX_WRAPPER_BODY + 1, 0, (_c, i, depth) => (depth === 0 ? i : undefined));
        end = shut === undefined ? undefined : shut + 1;
      }
      if (end === undefined || end <= e.index!) continue;
      const params = [...code.slice(open + 1, close).matchAll(VARIABLE)].map((m) => m[1]!);
      // (the parameter, or a local given it first: `$x = $c; eval($x);`)
      const copied = new RegExp(`\\$${e[1]!}\\s*=\\s*\\$(${NAME_PATTERN})\\s*;`).exec(code.slice(after, e.index!))?.[1];
      const param = params.indexOf(params.includes(e[1]!) || copied === undefined ? e[1]! : copied);
      if (param >= 0 && params.length <= 8 && !out.some((w) => w.at === at)) out.push({ name: h[1] ?? `$${h[2]!}`, named: h[1] !== undefined, owner: h[1] ? ownerOf(code, at) : undefined, param, at, end });
      break;
    }
  }
  return out;
}

/** The class or trait whose body holds `at`, by its name; undefined for a function outside any. */
function ownerOf(code: string, at: number): string | undefined {
  let last: RegExpMatchArray | undefined;
  for (const c of code.slice(0, at).matchAll(CLASS_HEAD)) last = c;
  if (!last) return undefined;
  const brace = last.index! + last[0].length - 1;
  // (its body not yet shut at `at`)
  const shut = walkCode(code, brace, at - brace, 0, (_c, i, depth) => (depth === 0 && i > brace ? i : undefined));
  return shut === undefined ? last[1] : undefined;
}

/** The `index`th argument of the call whose "(" ends at `at` (read up to MAX_ARGUMENT characters: a blob written in the call). */
function argumentAt(code: string, at: number, index: number): string | undefined {
  let n = 0;
  let start = at;
  let found: string | undefined;
  walkCode(code, at, MAX_ARGUMENT, 1, (c, i, depth) => {
    if (depth === 0 || (c === ',' && depth === 1)) {
      if (n++ === index) {
        found = code.slice(start, i);
        return i;
      }
      start = i + 1;
      return depth === 0 ? i : undefined;
    }
    return c === ';' && depth <= 1 ? -1 : undefined;
  });
  return found;
}

const esc = (s: string): string => s.replace(/\$/g, '\\$');
/** What calls a callback given first with the arguments after it, and call_user_func_array's list opened (SPREAD). */
const CALLERS = '(?:call_user_func(?:_array)?|register_shutdown_function|forward_static_call(?:_array)?|register_tick_function)';
const SPREAD = '(?:\\s*(?:\\[|array\\s*\\())?';

/**
 * The calls of the file's eval wrappers: where each starts, where its arguments start (after its "(", or after the
 * comma of call_user_func's first), and which argument the wrapper runs. A function's by its name; a method's by
 * `$this->`, `self::`, `static::`, its class's name, or a variable given `new` of its class (a method of that name on
 * any object was another class's, S38R-5, -14); a closure's and its copies' by the variable.
 */
function evalWrapperCalls(code: string): { at: number; from: number; param: number; name: string }[] {
  const out: { at: number; from: number; param: number; name: string }[] = [];
  for (const w of evalWrappers(code)) {
    const n = esc(w.name);
    const ways: string[] = [];
    if (!w.named) {
      // (a closure's copies too, $run = $r;, red team S37A-55)
      const names = [n];
      for (const c of code.matchAll(new RegExp(`\\$(${NAME_PATTERN})\\s*=\\s*${n}\\s*;`, 'g'))) if (names.length < 3) names.push(esc(`$${c[1]!}`));
      for (const m of names) ways.push(`(?<![\\w$>:])${m}\\s*\\(`, `\\b${CALLERS}\\s*\\(\\s*${m}\\s*,${SPREAD}`);
    } else if (w.owner === undefined) {
      ways.push(`(?<![\\w$>:])${n}\\s*\\(`, `\\b${CALLERS}\\s*\\(\\s*["']\\\\?${n}["']\\s*,${SPREAD}`);
      // (and a variable given its name, `$f = 'r'; $f($blob);`)
      for (const v of code.matchAll(new RegExp(`\\$(${NAME_PATTERN})\\s*=\\s*["']\\\\?${n}["']\\s*;`, 'gi'))) if (ways.length < 8) ways.push(`(?<![\\w$>:])${esc(`$${v[1]!}`)}\\s*\\(`);
    } else {
      const k = esc(w.owner);
      const objects = ['\\$this'];
      for (const v of code.matchAll(new RegExp(`\\$(${NAME_PATTERN})\\s*=\\s*new\\s+\\\\?${k}\\b`, 'gi'))) if (objects.length < 5) objects.push(esc(`$${v[1]!}`));
      const on = `(?:${objects.join('|')})`;
      ways.push(
        `${on}\\s*->\\s*${n}\\s*\\(`,
        `\\b(?:self|static|${k})\\s*::\\s*${n}\\s*\\(`,
        `\\bcall_user_func\\s*\\(\\s*(?:\\[|array\\s*\\()\\s*(?:${on}|new\\s+\\\\?${k}\\b[^,;]{0,40}|["']${k}["']|${k}::class)\\s*,\\s*["']${n}["']\\s*[\\])]\\s*,`,
        `\\bcall_user_func\\s*\\(\\s*["']${k}::${n}["']\\s*,`,
      );
    }
    let calls = 0;
    for (const c of code.matchAll(new RegExp(ways.join('|'), 'gi'))) {
      // (not the definition itself)
      if (c.index! >= w.at && c.index! < w.end) continue;
      if (++calls > MAX_WRAPPER_CALLS) break;
      out.push({ at: c.index!, from: c.index! + c[0].length, param: w.param, name: w.name });
    }
  }
  return out;
}

/**
 * What the eval is given, with each variable in it (at most MAX_VARIABLES) read as its last assignment before the
 * eval, within MAX_BACK characters: `$c = u($b); eval('?>' . $c);` (red team S33P-24).
 */
function givenText(code: string, at: number, args: string): string {
  const parts = [args];
  const seen = new Set<string>();
  for (const v of args.matchAll(/\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})(?!\s*(?:\(|->|::))/g)) {
    const name = v[1]!;
    if (name === 'this' || seen.has(name) || seen.size >= MAX_VARIABLES) continue;
    seen.add(name);
    const from = Math.max(0, at - MAX_BACK);
    const all = [...code.slice(from, at).matchAll(new RegExp(`\\$${name}\\s*=(?![=>])([^;]{0,4096})`, 'g'))];
    // (and, where the last one reads the variable itself, `$p = u($p);`, the ones before it, a few: held-out set H18's
    // blob decoded by two such steps before its eval)
    const self = new RegExp(`\\$${name}(?![\\w\\x80-\\xff])`);
    for (let k = all.length - 1; k >= 0 && all.length - k <= MAX_STEPS; k--) {
      parts.push(all[k]![1]!);
      if (!self.test(all[k]![1]!)) break;
    }
  }
  return parts.join('\n');
}

/** A finding, and whether its score is a floor (the file at least this) rather than a weight added to the others. */
export type PackedFinding = FlowFinding & { readonly floor?: boolean };

/** A run of PIECE characters or more but quotes, spaces, brackets, commas and semicolons: a piece of a blob when piece() says so (junk characters the decoder drops allowed, as there). */
const BLOB_RUN = new RegExp(`[^'"\\s(),;]{${PIECE},}`, 'g');
function holdsBlob(text: string, hex: boolean): boolean {
  for (const m of text.matchAll(BLOB_RUN)) if (piece(m[0], 0, m[0].length, hex) > 0) return true;
  return false;
}
/** PHP's words, which name no definition of the file's. */
const WORDS = /^(?:array|list|isset|empty|eval|return|new|function|fn|static|self|parent|this|true|false|null|and|or|xor|as|print|echo)$/i;

/**
 * Whether the blob reaches the eval: the text given to it (its argument and the last assignments of the variables
 * it reads) holds a piece of the blob, or names a definition of the file's that holds one (a function, whose body
 * returns it; a property, a constant, a defined constant: `u($this->b)`, `u(B)`, `u(b())`), or reads the file itself
 * where data follows `__halt_compiler`. Without it, an eval that decodes (a template compiler that restores its
 * verbatim blocks with base64_decode) and a blob beside it (the favicon) are two things (red team S33P-1).
 */
function blobReaches(code: string, given: string, halted: boolean, hex: boolean, defs: Map<string, boolean>): boolean {
  if (holdsBlob(given, hex)) return true;
  // (the file read for its own data after __halt_compiler: by __FILE__ or the offset PHP gives it)
  if (halted && /__FILE__|__COMPILER_HALT_OFFSET__/i.test(code)) return true;
  const names = new Set<string>();
  for (const m of given.matchAll(/(?<![\w\x80-\xff$\\])([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\b/g)) {
    if (!WORDS.test(m[1]!)) names.add(m[1]!);
    if (names.size >= MAX_NAMES) break;
  }
  for (const name of names) {
    let answer = defs.get(name);
    if (answer === undefined) {
      if (defs.size >= MAX_LOOKUPS) return false;
      // (its definition's own value, to the statement's end, or a function's own body: not what follows it, where a
      // class's data after a helper made the helper hold a blob, red team S33Q-1 to -6)
      const def = new RegExp(`(?:\\$|\\bconst\\s+|\\bcase\\s+)${name}\\s*=|\\bdefine\\s*\\(\\s*["']${name}["']\\s*,|\\bfunction\\s+&?\\s*(${name})\\s*\\(`, 'i').exec(code);
      let value: string | undefined;
      if (def !== null && def[1] !== undefined) value = bodyOf(code, def[1], MAX_DEF);
      else if (def !== null) {
        const end = code.indexOf(';', def.index + def[0].length);
        value = code.slice(def.index + def[0].length, end < 0 ? def.index + MAX_DEF : Math.min(end, def.index + MAX_DEF));
      }
      answer = value !== undefined && holdsBlob(value, hex);
      defs.set(name, answer);
    }
    if (answer) return true;
  }
  return false;
}

/** A run of base64's alphabet as long as a piece, from its start (tried inside every identifier, it read each again to its end): a file without one holds no blob. */
const RUN_OF = (n: number) => new RegExp(`(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/=_-]{${n}}`);
const RUN_PIECE = RUN_OF(PIECE);
const RUN_INCLUDED = RUN_OF(INCLUDED_PIECE);

/**
 * `low`, `pieces`: the text lower-cased and its trigrams(), when the caller has them (its words are looked for there first: most files hold no eval,
 * and nearly every one an include).
 */
export function packedPayload(src: string, low: string = src.toLowerCase(), pieces?: Uint8Array): PackedFinding[] {
  const has = (w: string): boolean => holds(low, pieces, w);
  const hasEval = has('eval');
  if (!hasEval && !has('include') && !has('require')) return [];
  // (a decoder's name, then a run as long as a piece: cheap tests before the file is read for literals. A name joined
  // from pieces is looked for only where an eval runs (an include's decoder is named) and literals are joined; the run
  // last: it cost MediaWiki's PHP 228 ms a pass)
  const named = DECODER_WORDS.some(has) || (hasEval && JOINS.some((j) => src.includes(j)) && JOINED_NAME.test(src));
  if (!named || !(hasEval ? RUN_PIECE : RUN_INCLUDED).test(src)) return [];
  const code = stripComments(src);
  const evaluated = EVAL.exec(code);
  const run = evaluated ?? INCLUDE_VARIABLE.exec(code);
  if (!run || !DECODER.test(code)) return [];
  const hex = HEX_DECODER.test(code);
  let mass = 0;
  // (pieces of PIECE characters where an eval runs; of INCLUDED_PIECE where only an include of a variable does: with
  // pieces of 32, one of cacti's files, its identifiers and hashes beside its includes and one base64_decode, was one)
  const least = evaluated ? PIECE : INCLUDED_PIECE;
  eachLiteral(code, (from, to) => {
    if (mass < PACKED && to - from >= least) mass += piece(code, from + 1, to - 1, hex, least);
  });
  const halt = HALT.exec(code);
  if (mass < PACKED && halt) mass += piece(src, halt.index + halt[0].length, src.length, hex, least);
  if (mass < PACKED) return [];
  // (an eval whose text decodes: the payload's own loader)
  const known = new Map<string, boolean>();
  const defs = new Map<string, boolean>();
  // (what decodes is read in the eval's text and its variables' last assignments; the blob, one assignment further:
  // `$c = u($b); eval($c)`. Two for the decoder made a test's fixture image, decoded into a variable read by the code
  // it exports and evals, malicious: red team S33P's look-alike)
  const reachesText = (at: number, args: string): boolean => {
    const given = withoutDigests(givenText(code, at, args));
    return decodesIn(code, given, known) && blobReaches(code, givenText(code, at, given), halt !== null, hex, defs);
  };
  const reaches = (at: number, argsFrom: number): boolean => {
    const args = argsAt(code, argsFrom);
    return args !== undefined && reachesText(at, args.all);
  };
  let evals = 0;
  for (const e of code.matchAll(EVALS)) {
    if (++evals > MAX_EVALS) break;
    if (reaches(e.index!, e.index! + e[0].length)) {
      return [{ technique: 'packed-payload', score: 80, description: `the file's literals hold ${PACKED} or more characters of base64 text, and an eval runs what a decoder gives it (the decoder named in the eval's text or in the file's own code it calls): a packed payload`, offset: e.index! }];
    }
  }
  // (a call of the file's own eval wrapper, a function or closure that runs its parameter with eval, runs
  // what it is given as an eval does: `$r = function ($c) { eval($c); }; ... $r($blob);`, held-out set H18)
  for (const w of evalWrapperCalls(code)) {
    // (the argument the wrapper runs, not the others: a decoded image given beside a template, S38R-3, -8, -10)
    const arg = argumentAt(code, w.from, w.param);
    if (arg !== undefined && reachesText(w.at, arg)) {
      return [{ technique: 'packed-payload', score: 80, description: `the file's literals hold ${PACKED} or more characters of base64 text, and its own eval wrapper (${w.name}) runs what a decoder gives it: a packed payload`, offset: w.at }];
    }
  }
  // (a floor, not a weight: with an application's own weak signs, eval of a variable's call and an entropy literal, a
  // weight of 45 made red team S32R's look-alike (fp04, a favicon and a template closure) malicious)
  return [{ floor: true, technique: 'packed-payload', score: 45, description: `the file's literals hold ${PACKED} or more characters of base64 text, it names a decoder, and it runs eval or includes what a variable names: perhaps a packed payload (what reaches it was not followed to a decoder)`, offset: run.index }];
}
