/**
 * PHP string literals read as PHP reads them, and put back together the way
 * obfuscated code takes them apart: escapes decoded, `chr(N)` made literal,
 * literals joined across `.`, string functions of literals folded
 * (`strrev('metsys')` is `'system'`). Text in, text out, bounded by the input.
 */
import { decode, type Decoder } from './decoders.js';

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
/**
 * White space as the rules' \s reads it: space, tab, newline, vertical tab, form feed, carriage return (PHP's
 * lexer skips these but for the vertical tab and form feed between tokens: a wider net only joins more).
 */
export const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/** Reads a PHP string literal starting at `start` (the quote); returns its value and end. */
export function readPhpString(src: string, start: number, maxLen = 8 * 1024 * 1024): { value: string; end: number } | undefined {
  const q = src[start];
  if (q !== '"' && q !== "'") return undefined;
  let i = start + 1;
  let out = '';
  const stop = Math.min(src.length, start + 1 + maxLen);
  while (i < stop) {
    const c = src[i]!;
    if (c === q) return { value: out, end: i + 1 };
    if (c === '\\' && i + 1 < src.length) {
      const n = src[i + 1]!;
      if (q === "'") {
        out += n === "'" || n === '\\' ? n : `\\${n}`;
        i += 2;
        continue;
      }
      const esc = /^(?:x([0-9a-fA-F]{1,2})|([0-7]{1,3})|u\{([0-9a-fA-F]{1,6})\})/.exec(src.slice(i + 1, i + 12));
      if (esc) {
        if (esc[1] !== undefined) out += String.fromCharCode(parseInt(esc[1], 16));
        else if (esc[2] !== undefined) out += String.fromCharCode(parseInt(esc[2], 8) & 255);
        else out += String.fromCodePoint(Math.min(parseInt(esc[3]!, 16), 0x10ffff));
        i += 1 + esc[0].length;
        continue;
      }
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', v: '\v', f: '\f', e: '\x1b', '\\': '\\', $: '$', '"': '"', '0': '\0' };
      out += simple[n] ?? `\\${n}`;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  return undefined;
}

/** A call of strrev, str_rot13, base64_decode, strtolower or strtoupper given one bare word (see normalizeStrings, 1b). */
const BARE_WORD_ARG = /(?<![\w$>:\\])(strrev|str_rot13|base64_decode|strtolower|strtoupper)\s*\(\s*(?:@\s*)?([A-Za-z_][A-Za-z0-9_]{1,200})\s*\)/gi;
/** The same, to test for one (no flags that keep a position). */
const BARE_WORD_ARG_HINT = new RegExp(BARE_WORD_ARG.source, 'i');
/** PHP's own constants, by the start of their names (PHP_EOL, E_ALL, PATHINFO_EXTENSION ...). */
const CONSTANT_FAMILY = /^(?:PHP|E|M|PATHINFO|DIRECTORY|PATH|SORT|COUNT|ENT|JSON|FILTER|INPUT|LC|SEEK|LOCK|FILE|GLOB|STR|ARRAY|CASE|EXTR|HTML|INI|UPLOAD|CURL|CURLOPT|MB|ZEND|DATE|DEFAULT|ENCODING|SID|STDIN|STDOUT|STDERR|OPENSSL|PASSWORD|CRYPT|FNM|SCANDIR|FORCE|LIBXML|PCRE|T|ABS|WP|ABSPATH)(?:_|$)/;
/** The constants a text defines (define('NAME', ..), const NAME = ..), up to 256 of them. */
function definedConstants(src: string): Set<string> {
  const out = new Set<string>();
  for (const m of src.matchAll(/\b(?:define\s*\(\s*["']|const\s+)([A-Za-z_]\w{0,200})/g)) {
    out.add(m[1]!);
    if (out.size >= 256) break;
  }
  return out;
}
/** Words that are not undefined constants there. */
const PHP_WORDS = new Set(['true', 'false', 'null', 'array', 'list', 'new', 'function', 'fn', 'static', 'self', 'parent']);
/**
 * A number as chr() is given one: decimal, 0x hex, 0b binary, octal (0 or 0o first), with PHP 7.4's "_"
 * between digits, a sign, a fraction (chr() takes the integer part), or digits in quotes (red team S39R).
 */
const INT = String.raw`((?:-\s*)?(?:0[xX][0-9a-fA-F_]{1,16}|0[bB][01_]{1,40}|0[oO][0-7_]{1,16}|\d[\d_]{0,11}(?:\.\d{1,6})?|"\d{1,6}"|'\d{1,6}'))`;
/** chr() (and mb_chr(), the same below 128) of a number, or of two with an operator between. */
const CHR = new RegExp(String.raw`\b(mb_)?chr\s*\(\s*${INT}\s*(?:(<<|>>|[-+*^%|&\/])\s*${INT}\s*)?\)`, 'gi');

/** The value of an INT literal (`0165` is octal to PHP: 117, 'u'). */
function intValue(literal: string): number {
  // (digits in quotes are a numeric string, decimal: chr("0115") is chr(115))
  const quoted = literal.includes('"') || literal.includes("'");
  let t = literal.replace(/[\s_"']/g, '');
  const sign = t.startsWith('-') ? -1 : 1;
  if (sign < 0) t = t.slice(1);
  if (!quoted && t.length > 1 && t[0] === '0' && t[1] !== '.') {
    const k = t[1]!.toLowerCase();
    if (k === 'x') return sign * parseInt(t.slice(2), 16);
    if (k === 'b') return sign * parseInt(t.slice(2), 2);
    return sign * parseInt(k === 'o' ? t.slice(2) : t.slice(1), 8);
  }
  return sign * Math.trunc(Number(t));
}
/**
 * Puts PHP string expressions back together: escapes decoded, `chr(N)` (and
 * `chr(N op M)`) turned into a literal, adjacent literals joined across `.`.
 * Returns undefined when nothing changed. Output at most `maxBytes`.
 */
export function normalizeStrings(src: string, maxBytes = DEFAULT_MAX_BYTES): string | undefined {
  let changed = false;
  // 1. chr() calls become single-quoted literals.
  let s = src.replace(CHR, (all, mb: string | undefined, a: string, op: string | undefined, b: string | undefined) => {
    // (hex, binary and octal too: chr(0x75) is 'u', session 39 set H23)
    let n = intValue(a);
    if (op && b !== undefined) {
      const m = intValue(b);
      n = op === '+' ? n + m : op === '-' ? n - m : op === '*' ? n * m : op === '^' ? n ^ m : op === '|' ? n | m : op === '&' ? n & m : op === '<<' ? n << (m & 31) : op === '>>' ? n >> (m & 31) : op === '/' ? (m === 0 ? n : Math.trunc(n / m)) : m === 0 ? n : n % m;
    }
    if (!Number.isFinite(n) || (mb && (n < 0 || n >= 128))) return all;
    changed = true;
    return quote(String.fromCharCode(((n % 256) + 256) % 256));
  });
  // 1b. A bare word given to strrev, str_rot13, base64_decode, strtolower or strtoupper is its own name as a string
  //     to PHP before 8 (an undefined constant): strrev(ecalper_gerp) is 'preg_replace' (session 39 set H23).
  if (BARE_WORD_ARG_HINT.test(s)) {
    let defined: Set<string> | undefined;
    s = s.replace(BARE_WORD_ARG, (all, fn: string, word: string) => {
      // (a word in capitals too, PHP's names of functions knowing no case, strrev(ECALPER_GERP): red team S39R; but
      // not one of PHP's own constants' families nor one the file defines)
      if (PHP_WORDS.has(word.toLowerCase()) || (!/[a-z]/.test(word) && (CONSTANT_FAMILY.test(word) || (defined ??= definedConstants(src)).has(word)))) return all;
      changed = true;
      return `${fn}(${quote(word)})`;
    });
  }
  // 2. Literals joined across "." and string functions of literals folded, a few rounds
  //    (folding can put two literals side by side: 'sys' . strrev('met')).
  for (let round = 0; round < 4; round++) {
    const joined = joinLiterals(s, maxBytes);
    if (joined === undefined) return undefined;
    const folded = foldCalls(joined.text);
    if (joined.changed || folded.changed) changed = true;
    s = folded.text;
    if (!folded.changed && !(folded.unwrapped && round === 0)) break;
  }
  return changed ? s : undefined;
}

/** A value written as a single-quoted PHP literal. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function joinLiterals(s: string, maxBytes: number): { text: string; changed: boolean } | undefined {
  let changed = false;
  let out = '';
  let i = 0;
  // (the next quote of each kind is looked for again only once passed: S20F-3, a file of 16 MiB with
  // single quotes only looked for a double one from each literal to its end, minutes)
  let q = -2;
  let a = -2;
  while (i < s.length) {
    if (q !== -1 && q < i) q = s.indexOf('"', i);
    if (a !== -1 && a < i) a = s.indexOf("'", i);
    const start = q < 0 ? a : a < 0 ? q : Math.min(q, a);
    if (start < 0) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, start);
    const lit = readPhpString(s, start);
    if (!lit) {
      // Unterminated: PHP could not parse past it either; the rest stays as it is (and is
      // not read again from each later quote, which would cost the square of the length).
      out += s.slice(start);
      break;
    }
    if (s[start] === '"' && /\$[A-Za-z_{\x80-\xff]/.test(s.slice(start, lit.end))) {
      // Interpolating: left double-quoted, its escapes of plain characters decoded (an SQL text spelt
      // "\x49NSE\x52T INTO $wpdb->users": held-out set H59's hidden-administrator backdoor).
      const raw = s.slice(start, lit.end);
      const plain = raw.includes('\\') ? unescapeInterpolating(raw) : raw;
      if (plain !== raw) changed = true;
      out += plain;
      i = lit.end;
      if (out.length > maxBytes) return undefined;
      continue;
    }
    let value = lit.value;
    let end = lit.end;
    let joined = false;
    for (;;) {
      // (the space around the "." skipped however long: a window of 64 let 40 spaces each side of it keep
      // 'ass' . 'ert' apart, session 30; each literal's run is walked once)
      let j = end;
      while (j < s.length && isSpace(s.charCodeAt(j))) j++;
      if (s[j] !== '.') break;
      j++;
      while (j < s.length && isSpace(s.charCodeAt(j))) j++;
      if (s[j] !== '"' && s[j] !== "'") break;
      const next = readPhpString(s, j);
      if (!next || (s[j] === '"' && /\$[A-Za-z_{\x80-\xff]/.test(s.slice(j, next.end)))) break;
      value += next.value;
      end = next.end;
      joined = true;
    }
    const original = s.slice(start, end);
    if (joined || (s[start] === '"' && /\\[x0-7u]/.test(original))) changed = true;
    out += joined || s[start] === '"' ? quote(value) : original;
    i = end;
    if (out.length > maxBytes) return undefined;
  }
  return { text: out, changed };
}

/**
 * A double-quoted literal that interpolates, with its hex, octal and \\u{..} escapes of plain characters written as
 * the characters they stand for, where that keeps what PHP reads: not $, ", \\, braces, [, - or > (which could start
 * or extend an interpolation), not a letter, digit or _ right after a $ or inside a variable's name ("$\\x61bc" is the
 * text $abc, "$a\\x62" is $a and b), not inside {$..} or ${..} (code, whose escapes PHP does not decode there), and
 * nothing outside printable ASCII. The rest is as written. (Red team S46R: each of those changed the meaning.)
 */
function unescapeInterpolating(raw: string): string {
  let out = '';
  // (the output ends in a variable's name PHP interpolates, or in a $ that starts none)
  let inName = false;
  let dollar = false;
  let i = 0;
  /** Copies the text as written from i through the next `close` (or to the end). */
  const copyThrough = (close: string): void => {
    const at = raw.indexOf(close, i);
    const end = at < 0 ? raw.length : at + 1;
    out += raw.slice(i, end);
    i = end;
    inName = dollar = false;
  };
  while (i < raw.length) {
    const c = raw[i]!;
    if ((c === '{' && raw[i + 1] === '$') || (c === '$' && raw[i + 1] === '{')) {
      copyThrough('}');
      continue;
    }
    if (c === '\\' && i + 1 < raw.length) {
      const esc = /^(?:x([0-9a-fA-F]{1,2})|([0-7]{1,3})|u\{([0-9a-fA-F]{1,16})\})/.exec(raw.slice(i + 1, i + 20));
      const len = esc ? 1 + esc[0].length : 2;
      const n = !esc ? -1 : esc[1] !== undefined ? parseInt(esc[1], 16) : esc[2] !== undefined ? parseInt(esc[2], 8) & 255 : parseInt(esc[3]!, 16);
      const ch = n >= 0x20 && n < 0x7f ? String.fromCharCode(n) : '';
      if (ch !== '' && !'$"\\{}[->'.includes(ch) && !(/[A-Za-z0-9_]/.test(ch) && (inName || dollar))) {
        out += ch;
        inName = false;
      } else {
        out += raw.slice(i, i + len);
        inName = false;
      }
      dollar = false;
      i += len;
      continue;
    }
    // (after a variable's name: an index, "$a[..]", is copied as it is; a property, "$o->p", is a name to come)
    if (inName && c === '[') {
      copyThrough(']');
      continue;
    }
    if (inName && c === '-' && raw[i + 1] === '>') {
      out += '->';
      i += 2;
      inName = false;
      dollar = true;
      continue;
    }
    if (c === '$') {
      inName = /[A-Za-z_\x80-\xff]/.test(raw[i + 1] ?? '');
      dollar = !inName;
    } else if (inName && !/[\w\x80-\xff]/.test(c)) inName = false;
    else if (dollar) {
      // (a name begun where one may begin, "$o->p": the rest of it is the name's)
      inName = /[A-Za-z_\x80-\xff]/.test(c);
      dollar = false;
    }
    out += c;
    i++;
  }
  return out;
}

/** String functions applied to literals, as PHP would: `strrev('metsys')` is `'system'`. */
// (a quoted name too, 'base64_decode'('...'), unless eval runs it: eval('base64_decode'(...)) is a finding of its own)
// (the quote, when there is one, is group 1: each alternative reads forward only, and whether eval runs it is
// looked at in the 24 characters before, in the replacer)
const FOLDABLE = /(?:(?<!['\w$>:])|(')(?=(?:str_rot13|strrev|base64_decode|hex2bin|urldecode|rawurldecode|strtolower|strtoupper|ucfirst|trim)'))(str_rot13|strrev|base64_decode|hex2bin|urldecode|rawurldecode|strtolower|strtoupper|ucfirst|trim)(?:(?<=')|'?)\s*\(\s*'((?:[^'\\]|\\.){0,4096})'\s*\)|\bstr_replace\s*\(\s*'((?:[^'\\]|\\.){0,256})'\s*,\s*'((?:[^'\\]|\\.){0,256})'\s*,\s*'((?:[^'\\]|\\.){0,4096})'\s*\)/gi;

/** Two single-quoted literals XORed ('!' ^ '@' is 'a'), and a literal alone in parentheses where it is a value (`${('_G').('ET')}`). */
const XORED = /'((?:[^'\\]|\\.){0,256})'\s*\^\s*'((?:[^'\\]|\\.){0,256})'/g;
const PARENTHESISED = /([{[.(^,=;}>]\s*|^\s*)\(\s*('(?:[^'\\]|\\.){0,4096}')\s*\)/g;

/** pack('H*', '3c3f...'): hex written as its bytes. */
// (and H<n>, its first n digits, S21R-5)
const PACKED = /\bpack\s*\(\s*(["'])H(\*|\d{1,5})\1\s*,\s*(["'])((?:[0-9a-fA-F]{2}){1,8192})\3\s*\)/g;

function foldCalls(s: string): { text: string; changed: boolean; unwrapped: boolean } {
  let changed = false;
  if (/pack/i.test(s)) s = s.replace(PACKED, (all, _q: string, len: string, _p: string, hex: string) => {
    const v = Buffer.from(len === '*' ? hex : hex.slice(0, Number(len) & ~1), 'hex').toString('latin1');
    if (!/^[\x20-\x7e\t\r\n]*$/.test(v)) return all;
    changed = true;
    return quote(v);
  });
  const unq = (v: string) => v.replace(/\\([\\'])/g, '$1');
  if (s.includes('^')) s = s.replace(XORED, (_all, a: string, b: string) => {
    const x = unq(a);
    const y = unq(b);
    let v = '';
    for (let i = 0; i < Math.min(x.length, y.length); i++) v += String.fromCharCode((x.charCodeAt(i) ^ y.charCodeAt(i)) & 255);
    changed = true;
    return quote(v);
  });
  // (on its own no change: `f(('a'))` is as it was; the literals it puts side by side are joined next round)
  let unwrapped = false;
  s = s.replace(PARENTHESISED, (all: string, before: string, lit: string, at: number, whole: string) => {
    unwrapped = true;
    // (a literal in parentheses that is called, ('system')($_GET['c']), is a change: the name called)
    if (/^\s*\(/.test(whole.slice(at + all.length, at + all.length + 16))) changed = true;
    return before + lit;
  });
  const text = s.replace(FOLDABLE, (all, quoted: string | undefined, fn: string | undefined, arg: string | undefined, search: string | undefined, replace: string | undefined, subject: string | undefined, at: number) => {
    // a quoted name must be closed by its quote ('base64_decode'(...)), and is left where eval runs it
    if (quoted !== undefined && (!all.startsWith(`'${fn}'`) || /\b(?:eval|assert)\s*\(\s*(?:@\s*)?$/i.test(s.slice(Math.max(0, at - 24), at)))) return all;
    let v: string;
    if (fn === undefined) {
      const from = unq(search!);
      if (from === '') return all;
      v = unq(subject!).split(from).join(unq(replace!));
    } else {
      const x = unq(arg!);
      const name = fn.toLowerCase();
      if (name === 'strtolower') v = x.toLowerCase();
      else if (name === 'strtoupper') v = x.toUpperCase();
      else if (name === 'ucfirst') v = x.charAt(0).toUpperCase() + x.slice(1);
      else if (name === 'trim') v = x.trim();
      else {
        try {
          v = decode(name as Decoder, Buffer.from(x, 'latin1'), 65536).toString('latin1');
        } catch {
          return all;
        }
      }
    }
    // Only names and short printable text are worth putting back.
    if (v.length > 4096 || !/^[\x20-\x7e\t\r\n]*$/.test(v)) return all;
    changed = true;
    return quote(v);
  });
  return { text, changed, unwrapped };
}
