/**
 * The deobfuscator: peels the layers webshells wrap their code in and hands
 * back what comes out, with the layers named, so the scanner can scan it.
 *
 * - Call chains: `eval(gzinflate(base64_decode('...')))`, innermost first, on a
 *   literal or on a variable assigned a literal; base64, gzinflate (raw
 *   deflate), gzuncompress (zlib), gzdecode (gzip), str_rot13, strrev, hex2bin,
 *   urldecode / rawurldecode, stripslashes, convert_uudecode.
 * - PHP string literals put back together (php-strings.ts): `"\x65\x76\x61l"`,
 *   `chr(101).chr(118)` (with + - * ^ arithmetic), `'ev' . 'al'` become `'eval'`.
 * - Long base64 literals that decode to PHP or to compressed data.
 *
 * Bounded: every decoded output is at most `maxOutputBytes` (zlib is told the
 * same, so a deflate bomb stops there), at most `maxDepth` layers, and at
 * most `maxPayloads` payloads per file.
 */
import { decode, DECODERS, TooLarge, type Decoder } from './decoders.js';
import { readPhpString } from './php-strings.js';
import { holds } from './text-pieces.js';

export interface DeobfuscateLimits {
  /** Layers peeled at most, in all (default 8). */
  readonly maxDepth: number;
  /** Bytes one decoded output may have (default 4 MiB). */
  readonly maxOutputBytes: number;
  /** Payloads decoded per file (default 16). */
  readonly maxPayloads: number;
}

export const DEFAULT_DEOBFUSCATE_LIMITS: DeobfuscateLimits = { maxDepth: 8, maxOutputBytes: 4 * 1024 * 1024, maxPayloads: 16 };

export interface Peeled {
  /** The layers, outermost first, as PHP names them (`base64_decode`, `gzinflate`, `concat` ...). */
  readonly layers: readonly string[];
  readonly text: string;
  /** True when the chain ended in eval / assert / create_function: the output is run as code. */
  readonly executed: boolean;
  /** Offset in the input where the payload expression starts. */
  readonly offset: number;
}

export interface PeelProblem {
  readonly layers: readonly string[];
  readonly problem: string;
}

const SINKS = ['eval', 'assert', 'create_function'];
const CHAIN_NAMES = [...DECODERS, ...SINKS].join('|');
/** A chain of calls ending in a string literal or a variable: `eval(gzinflate(base64_decode(`. */
const CHAIN = new RegExp(`\\b((?:(?:${CHAIN_NAMES})\\s*\\(\\s*(?:@\\s*)?){1,16})(?:(["'])|\\$([A-Za-z_\\x80-\\xff][\\w\\x80-\\xff]{0,63})\\s*\\))`, 'gi');

/** The last literal assigned to `$name` before `before` (`$name = '...';`). */
function literalOf(src: string, name: string, before: number): string | undefined {
  const re = new RegExp(`\\$${name}\\s*=\\s*(["'])`, 'g');
  let found: string | undefined;
  for (const m of src.matchAll(re)) {
    if (m.index! > before) break;
    const s = readPhpString(src, m.index! + m[0].length - 1);
    if (s && /^\s*;/.test(src.slice(s.end, s.end + 8))) found = s.value;
  }
  return found;
}

/**
 * Peels every decoder chain in `src` (PHP source, as latin1 text so bytes
 * survive). Payloads that decode are returned; chains that fail (bad base64,
 * corrupt deflate, an output over the bound) are returned as problems: an
 * output over the bound is itself a finding for the scanner.
 */
export function peelChains(src: string, limits: DeobfuscateLimits = DEFAULT_DEOBFUSCATE_LIMITS, text?: { readonly low: string; readonly pieces: Uint8Array }): { payloads: Peeled[]; problems: PeelProblem[] } {
  const payloads: Peeled[] = [];
  const problems: PeelProblem[] = [];
  // (a chain needs a decoder: where the caller has the lower-cased text and its pieces, a text naming none is
  // not read by CHAIN, which tries its names at every position)
  if (text && !DECODERS.some((d) => holds(text.low, text.pieces, d))) return { payloads, problems };
  CHAIN.lastIndex = 0;
  const assigned = assignments(src);
  // (a literal reached through variables is decoded once for its decoders, however many calls reach it)
  const peeled = new Set<string>();
  // Attempts are bounded too: each may read the whole file (a variable's assignment).
  let attempts = 0;
  for (const m of src.matchAll(CHAIN)) {
    if (payloads.length + problems.length >= limits.maxPayloads || ++attempts > limits.maxPayloads * 4) break;
    const names = callNames(m[1]!);
    let decoders = names.filter(isDecoder);
    if (decoders.length === 0) continue;
    const executed = names.some((n) => SINKS.includes(n));
    let raw: string | undefined;
    if (m[2]) raw = readPhpString(src, m.index! + m[0].length - 1)?.value;
    else if (m[3]) {
      raw = literalOf(src, m[3], m.index!);
      // (or a variable given a chain of its own: `$e = base64_decode(str_rot13($p)); eval(gzinflate($e));`)
      if (raw === undefined) {
        const chain = decodedBytes(payloads) > PEEL_BUDGET ? undefined : chainOf(src, m[3], m.index!, VAR_STEPS, assigned, true);
        if (chain !== undefined) {
          decoders = [...decoders, ...chain.decoders];
          const key = `${chain.at} ${decoders.join(' ')}`;
          if (peeled.has(key)) continue;
          peeled.add(key);
          raw = chain.raw;
        }
      }
    }
    if (raw === undefined || raw.length < 4) continue;
    peelOne(raw, decoders, executed, m.index!, limits, payloads, problems);
  }
  // eval($x) where $x was assigned a decoder chain: `$x = gzinflate(base64_decode('...')); eval($x);`
  for (const m of src.matchAll(EVAL_VAR)) {
    if (payloads.length + problems.length >= limits.maxPayloads || ++attempts > limits.maxPayloads * 8) break;
    const chain = chainOf(src, m[2]!, m.index!, VAR_STEPS, assigned);
    if (chain === undefined || chain.decoders.length === 0 || chain.raw.length < 4 || (chain.through && decodedBytes(payloads) > PEEL_BUDGET)) continue;
    const key = `${chain.at} ${chain.decoders.join(' ')}`;
    if (peeled.has(key)) continue;
    peeled.add(key);
    peelOne(chain.raw, chain.decoders, true, m.index!, limits, payloads, problems);
  }
  return { payloads, problems };
}

/**
 * What the payloads peeled so far hold: past 1 MiB in all, one call follows no more chains through variables (a chain
 * written in one place is still peeled, up to the bound of one payload each; an 800 KB literal
 * reached through a chain of variables by each of 200 calls was decoded and scanned again for each: red team S41B).
 */
const PEEL_BUDGET = 1024 * 1024;

function decodedBytes(payloads: readonly Peeled[]): number {
  let n = 0;
  for (const p of payloads) n += p.text.length;
  return n;
}

/** A chain's decoders (outermost first), its literal and where that was assigned, and whether a variable led to it. */
interface Chain {
  readonly decoders: Decoder[];
  readonly raw: string;
  readonly at: number;
  readonly through: boolean;
}

/** How many variables a chain is followed through: `$d = str_rot13('..'); $e = base64_decode($d); $f = gzinflate($e); eval($f);` */
const VAR_STEPS = 8;

/** The names called in a run of calls, `gzinflate(base64_decode(`, lower-cased. */
function callNames(calls: string): string[] {
  return [...calls.matchAll(/([A-Za-z_0-9]+)\s*\(/g)].map((x) => x[1]!.toLowerCase());
}

const isDecoder = (n: string): n is Decoder => (DECODERS as readonly string[]).includes(n);

function decodersIn(calls: string): Decoder[] {
  return callNames(calls).filter(isDecoder);
}

/**
 * The decoders (outermost first) and the literal that `$name` holds at `before`: its last assignment a chain of
 * decoders ending in a literal, or in another variable followed the same way (at most `steps` more), or (past the
 * first) a literal itself (session 41 set H31: `$d = $c("..")` with $c = "st"."r_r"."ot1"."3", then `$e = $a($d); $f =
 * $b($e); eval($f);`, which the fold layer writes as the plain calls).
 */
function chainOf(src: string, name: string, before: number, steps: number, assigned: Assignments, inner = false): Chain | undefined {
  const assign = assigned(name, before);
  if (assign === undefined) return undefined;
  // (each assignment read once, however many calls reach it: a literal of 900 KB read per call was seconds)
  const key = `${assign} ${steps} ${inner ? 1 : 0}`;
  if (assigned.memo.has(key)) return assigned.memo.get(key) ?? undefined;
  const found = chainAt(src, assign, steps, assigned, inner);
  assigned.memo.set(key, found ?? null);
  return found;
}

function chainAt(src: string, assign: number, steps: number, assigned: Assignments, inner: boolean): Chain | undefined {
  const head = src.slice(assign, assign + 1024);
  const lit = CHAIN_AT.exec(head);
  if (lit && lit[2]) {
    const raw = readPhpString(src, assign + lit[0].length - 1)?.value;
    return raw === undefined ? undefined : { decoders: decodersIn(lit[1]!), raw, at: assign, through: inner };
  }
  if (steps <= 0) return undefined;
  const through = CHAIN_AT_VAR.exec(head);
  if (through) {
    const rest = chainOf(src, through[2]!, assign, steps - 1, assigned, true);
    return rest === undefined ? undefined : { decoders: [...decodersIn(through[1]!), ...rest.decoders], raw: rest.raw, at: rest.at, through: true };
  }
  if (inner && /^\s*["']/.test(head)) {
    const s = readPhpString(src, assign + head.search(/["']/));
    if (s && /^\s*;/.test(src.slice(s.end, s.end + 8))) return { decoders: [], raw: s.value, at: assign, through: true };
  }
  return undefined;
}

const EVAL_VAR = /\b(eval|assert)\s*\(\s*(?:@\s*)?\$([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})\s*\)/gi;
const CHAIN_AT_VAR = new RegExp(`^\\s*(?:@\\s*)?((?:(?:${DECODERS.join('|')})\\s*\\(\\s*(?:@\\s*)?){1,16})\\$([A-Za-z_\\x80-\\xff][\\w\\x80-\\xff]{0,63})\\s*\\)`, 'i');
const CHAIN_AT = new RegExp(`^\\s*(?:@\\s*)?((?:(?:${DECODERS.join('|')})\\s*\\(\\s*(?:@\\s*)?){1,16})(["'])`, 'i');

/** Where the expression of the last `$name = ...` before `before` starts. */
type Assignments = ((name: string, before: number) => number | undefined) & { readonly memo: Map<string, Chain | null> };

/** `$name = ...` of `src` found once per name (the positions their expressions start at), and looked up by halving. */
function assignments(src: string): Assignments {
  const byName = new Map<string, number[]>();
  const find = (name: string, before: number): number | undefined => {
    let list = byName.get(name);
    if (list === undefined) {
      list = [];
      for (const m of src.matchAll(new RegExp(`\\$${name}\\s*=(?!=)`, 'g'))) list.push(m.index! + m[0].length);
      byName.set(name, list);
    }
    // (the last whose `$` is before `before`: an expression starts past its `=`, within 64 KiB of spaces at most)
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]! <= before) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? list[lo - 1] : undefined;
  };
  return Object.assign(find, { memo: new Map() });
}

function peelOne(raw: string, decoders: Decoder[], executed: boolean, offset: number, limits: DeobfuscateLimits, payloads: Peeled[], problems: PeelProblem[]): void {
  const layers: string[] = [];
  let data: Buffer = Buffer.from(raw, 'latin1');
  try {
    for (const d of [...decoders].reverse().slice(0, limits.maxDepth)) {
      layers.push(d);
      data = decode(d, data, limits.maxOutputBytes);
    }
    payloads.push({ layers: [...layers].reverse(), text: data.toString('latin1'), executed, offset });
  } catch (err) {
    problems.push({ layers: [...layers].reverse(), problem: err instanceof TooLarge || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? `output over ${limits.maxOutputBytes} bytes` : (err as Error).message });
  }
}

/** Shannon entropy, bits per character. */
export function entropy(s: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) counts.set(s.charCodeAt(i), (counts.get(s.charCodeAt(i)) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const B64_CHAR = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') B64_CHAR[c.charCodeAt(0)] = 1;
const SPACE_CHAR = new Uint8Array(65536);
for (const c of ' \t\r\n') SPACE_CHAR[c.charCodeAt(0)] = 1;

/** Whether the quote `quote` follows at `at`, after at most two "=" of padding. */
function closes(src: string, at: number, quote: number): boolean {
  let e = at;
  while (e - at < 2 && src.charCodeAt(e) === 61) e++;
  return src.charCodeAt(e) === quote;
}

/** A whole quoted base64 literal at least this long is decoded too (base64Runs), where SHORT_PLACE puts it. */
const SHORT_RUN = 20;
/**
 * What comes before such a literal: a plain variable's assignment (not an array's element, a key's value, a
 * call's argument: a security plugin's signatures kept so, red team S39R-3 and S39S).
 */
const SHORT_PLACE = /\$[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}\s*=\s*$/;
/** More short literals than this decoding to code in one file: a list of them (signatures), none counts. */
const SHORT_MAX = 3;

/**
 * Runs of 256+ base64 characters (and their "=" padding), found in one linear pass. A run may go on over
 * white space where PHP's base64_decode would skip it and a dropper's payload is so written (session 35,
 * held-out set H8): over line breaks where it is wrapped as encoders wrap it (lines of one length, from 48 to
 * 1,024 characters), over any white space inside one quoted literal, and from
 * one quoted literal to the next joined to it by ".". Such a run's text is given without what lies between,
 * and `wrapped` says so. A whole quoted literal of SHORT_RUN to 255 characters where SHORT_PLACE puts it is given
 * too, marked `short`.
 */
function* base64Runs(src: string): Generator<{ index: number; text: string; wrapped?: boolean; short?: boolean }> {
  const n = src.length;
  for (let i = 0; i < n; i++) {
    let c = src.charCodeAt(i);
    if (c >= 256 || B64_CHAR[c] !== 1) continue;
    const start = i;
    while (++i < n && (c = src.charCodeAt(i)) < 256 && B64_CHAR[c] === 1);
    const quote = start > 0 ? src.charCodeAt(start - 1) : 0;
    const quoted = quote === 34 || quote === 39;
    // (a run shorter than a wrapped line is read on from no further: most runs are words; a whole quoted one of
    // SHORT_RUN or more is looked at below)
    if (i - start < 32 && !(quoted && i - start >= SHORT_RUN && closes(src, i, quote))) continue;
    // (the run's pieces between white space, and whether every break so far was a wrapped line's)
    const pieces: [number, number][] = [[start, i]];
    let lines = true;
    let joined = false;
    for (;;) {
      let j = i;
      c = src.charCodeAt(j);
      // (a literal joined to the next, "..." . "...": read on in the next)
      if (quoted && c === quote) {
        j++;
        while (j < n && j - i < 24 && SPACE_CHAR[src.charCodeAt(j)] === 1) j++;
        if (src.charCodeAt(j) !== 46) break;
        j++;
        while (j < n && j - i < 48 && SPACE_CHAR[src.charCodeAt(j)] === 1) j++;
        if (src.charCodeAt(j) !== quote || B64_CHAR[src.charCodeAt(j + 1)] !== 1) break;
        joined = true;
        j++;
      } else {
        while (j < n && j - i < 16 && SPACE_CHAR[src.charCodeAt(j)] === 1) j++;
        const next = src.charCodeAt(j);
        if (j === i || j >= n || next >= 256 || B64_CHAR[next] !== 1) break;
        const len = i - pieces[pieces.length - 1]![0];
        const br = j - i === 1 ? c === 10 : j - i === 2 && c === 13 && src.charCodeAt(i + 1) === 10;
        const wrap = br && len >= 48 && len <= 1024 && len === pieces[0]![1] - pieces[0]![0];
        if (!wrap && !quoted) break;
        lines &&= wrap;
      }
      const from = j;
      i = j;
      while (i < n && (c = src.charCodeAt(i)) < 256 && B64_CHAR[c] === 1) i++;
      pieces.push([from, i]);
    }
    let end = i;
    while (end < n && end - i < 2 && src[end] === '=') end++;
    // (over white space that is not a wrapped line's, the run must end its literal: the same quote)
    const whole = pieces.length > 1 && ((lines && !joined) || src.charCodeAt(end) === quote);
    if (whole) {
      const text = pieces.map(([a, b], k) => src.slice(a, k === pieces.length - 1 ? end : b)).join('');
      if (text.length >= 256) yield { index: start, text, wrapped: true };
    }
    // (and each long piece on its own, as before the joining: a short piece put before a payload, "v2 " . "<base64>",
    // shifts the joined text's alignment, red team S35A-12)
    for (const [k, [a, b]] of pieces.entries()) {
      if (b - a < 256) {
        // (a whole quoted literal of SHORT_RUN to 255 characters is decoded too, and counts only for code it
        // decodes to: `$s = "ZXZhbChiYXNlNjRf..."` of 236, base64_decode'd by reference elsewhere and given to a
        // preg_replace /e, session 39 set H23)
        // (a plain variable's value only, SHORT_PLACE: not an element of a list of data, a security plugin's
        // signatures kept in base64, red team S39R-3)
        if (b - a >= SHORT_RUN && quoted && pieces.length === 1 && src.charCodeAt(end) === quote && SHORT_PLACE.test(src.slice(Math.max(0, start - 80), start - 1))) yield { index: a, text: src.slice(a, end), short: true };
        continue;
      }
      yield { index: a, text: src.slice(a, k === pieces.length - 1 ? end : b) };
    }
    i = end;
  }
}

/**
 * Long high-entropy literals (base64 runs of 256+ characters). Each is decoded
 * when it can be: PHP code or compressed data inside is a payload to scan.
 * `data:` URIs (images embedded in templates) are not counted.
 */
export function longLiterals(src: string, limits: DeobfuscateLimits = DEFAULT_DEOBFUSCATE_LIMITS): { offset: number; length: number; entropy: number; decoded?: Peeled; short?: boolean }[] {
  const out: { offset: number; length: number; entropy: number; decoded?: Peeled; short?: boolean }[] = [];
  let tried = 0;
  for (const r of base64Runs(src)) {
    const run = r.text;
    if (out.length >= limits.maxPayloads || ++tried > limits.maxPayloads * 4) break;
    const before = src.slice(Math.max(0, r.index - 48), r.index);
    if (/base64,\s*$|data:[^'"]*$/i.test(before)) continue;
    // Base64 of text has about 4.8 to 5.3 bits a character, of compressed data about 6: every run
    // is decoded, and one that hides nothing readable counts only from 5 bits up.
    const h = entropy(run.length > 65536 ? run.slice(0, 65536) : run);
    const item: { offset: number; length: number; entropy: number; decoded?: Peeled; short?: boolean } = { offset: r.index, length: run.length, entropy: h, ...(r.short ? { short: true } : {}) };
    try {
      let data: Buffer = decode('base64_decode', Buffer.from(run, 'latin1'), limits.maxOutputBytes);
      const layers = ['base64_decode'];
      const inflaters: Decoder[] = data[0] === 0x1f && data[1] === 0x8b ? ['gzdecode'] : data[0] === 0x78 ? ['gzuncompress'] : [];
      for (const d of inflaters) {
        data = decode(d, data, limits.maxOutputBytes);
        layers.push(d);
      }
      const text = data.toString('latin1');
      // (and a script of another language a dropper writes out: Perl, C, a shell script, session 35)
      // (or a command or code function called: system(getenv('HTTP_X')) in 64 characters, red team S39R)
      if (/<\?php|\beval\s*\(|\$_(GET|POST|REQUEST|COOKIE)\b|\b(?:system|passthru|shell_exec|exec|popen|proc_open|assert)\s*\(|\bfunction\s+\w+\s*\(|^#!\/|\buse\s+Socket\b|^\s*#\s*include\s*[<"]|^\s*import\s+(?:socket|os|subprocess|pty)\b/im.test(text)) item.decoded = { layers: layers.reverse(), text, executed: false, offset: r.index };
      else if (inflaters.length === 0 && !r.short && !looksLikeKnownBinary(data)) {
        // Maybe raw deflate (gzinflate's input), the commonest wrapping.
        try {
          const inflated = decode('gzinflate', data, limits.maxOutputBytes).toString('latin1');
          if (/[;(){}$]/.test(inflated.slice(0, 4096))) item.decoded = { layers: ['gzinflate', 'base64_decode'], text: inflated, executed: false, offset: r.index };
        } catch {
          // not deflate
        }
      }
    } catch {
      // not decodable; the entropy alone is reported
    }
    // (a wrapped run counts only for what it decodes to: certificates and keys are written so)
    if (item.decoded || (h >= 5.0 && !r.wrapped && !r.short)) out.push(item);
  }
  const short = out.filter((o) => o.short === true).length;
  return short > SHORT_MAX ? out.filter((o) => o.short !== true) : out;
}

function looksLikeKnownBinary(b: Buffer): boolean {
  const sig = b.subarray(0, 4).toString('latin1');
  return sig.startsWith('\x89PNG') || sig.startsWith('GIF8') || sig.startsWith('\xff\xd8\xff') || sig.startsWith('wOF') || sig.startsWith('PK');
}

/** RFC 4648's Base32 alphabet, as a decoder of a file's own spells it (or its tests: 'a'..'z', '2'..'7', five bits). */
const BASE32_ALPHABET = /abcdefghijklmnopqrstuvwxyz234567/i;
/** A shift by five, where a Base32 decoder's loop is (looked for near its tests of '2' and '7', below). */
const SHIFT5 = /<<=?\s*5\b/g;
/** A quoted literal that can be Base32: its letters, 2 to 7 and padding, at least 16 of them. */
const BASE32_LITERAL = /(["'])([A-Za-z2-7]{16,65536}={0,6})\1/g;

/**
 * Literals a file decodes with a Base32 decoder of its own and runs (held-out set H43: a class whose constructor evals
 * what the file's function makes of 'mv3gc3bierpvat2tkrnxuzlsn5ossoy', eval($_POST[..]), in five files of one
 * generator): where the file evals or asserts something and holds a Base32 decoder (its alphabet, or the shifts by
 * five and the tests of '2' and '7' that decode one), each literal that is Base32 of one case and decodes to printable
 * text with the marks of code is a payload, run. At most 256 literals, each output at most `maxBytes`.
 */
export function base32Payloads(text: string, maxBytes: number): Peeled[] {
  if (!BASE32_ALPHABET.test(text) && !base32Shape(text)) return [];
  const out: Peeled[] = [];
  let looked = 0;
  for (const m of text.matchAll(BASE32_LITERAL)) {
    if (++looked > 256) break;
    const body = m[2]!.replace(/=+$/, '');
    // (one case: an identifier in mixed case is not Base32)
    if (body !== body.toLowerCase() && body !== body.toUpperCase()) continue;
    if (/^[a-z]+$/i.test(body)) continue; // (a word, a name: no digit of the alphabet)
    if (((body.length * 5) >> 3) > maxBytes) continue;
    const decoded = base32(body.toLowerCase());
    if (decoded === undefined || !/^[\t\n\r\x20-\x7e]+$/.test(decoded) || !/[(;$]/.test(decoded)) continue;
    out.push({ layers: ['base32'], text: decoded, executed: true, offset: m.index! });
  }
  return out;
}

/**
 * A Base32 decoder's shape: a shift by five with tests of '2' and '7' within 600 characters of it. Linear: each of the
 * first 64 shifts looks at its window with indexOf (a pattern spanning the window was 3.5 s a MB on repeated shifts,
 * red team S43C).
 */
function base32Shape(text: string): boolean {
  let looked = 0;
  for (const m of text.matchAll(SHIFT5)) {
    if (++looked > 64) return false;
    const w = text.slice(Math.max(0, m.index! - 600), m.index! + 600);
    if ((w.includes("'2'") || w.includes('"2"')) && (w.includes("'7'") || w.includes('"7"'))) return true;
  }
  return false;
}

/** RFC 4648 Base32 (lower case, no padding) decoded, or undefined for a character outside the alphabet. */
function base32(s: string): string | undefined {
  let out = '';
  let v = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 97 && c <= 122 ? c - 97 : c >= 50 && c <= 55 ? c - 24 : -1;
    if (d < 0) return undefined;
    v = ((v << 5) | d) & 0x1fff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((v >> bits) & 0xff);
    }
  }
  return out;
}
