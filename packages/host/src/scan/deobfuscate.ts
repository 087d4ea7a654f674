/**
 * The deobfuscator: peels the layers webshells wrap their code in and hands
 * back what comes out, with the layers named, so the scanner can scan it.
 *
 * - Call chains: `eval(gzinflate(base64_decode('...')))`, innermost first, on a
 *   literal or on a variable assigned a literal; base64, gzinflate (raw
 *   deflate), gzuncompress (zlib), gzdecode (gzip), str_rot13, strrev, hex2bin,
 *   urldecode / rawurldecode, stripslashes, convert_uudecode.
 * - PHP string literals put back together: `"\x65\x76\x61l"`, `chr(101).chr(118)`
 *   (with + - * ^ arithmetic), `'ev' . 'al'` become `'eval'`.
 * - Long base64 literals that decode to PHP or to compressed data.
 *
 * Bounded: every decoded output is at most `maxOutputBytes` (zlib is told the
 * same, so a deflate bomb stops there), at most `maxDepth` layers, and at
 * most `maxPayloads` payloads per file.
 */
import { inflateRawSync, inflateSync, gunzipSync } from 'node:zlib';

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

const DECODERS = ['gzinflate', 'gzuncompress', 'gzdecode', 'base64_decode', 'str_rot13', 'strrev', 'hex2bin', 'rawurldecode', 'urldecode', 'stripslashes', 'convert_uudecode'] as const;
type Decoder = (typeof DECODERS)[number];
const SINKS = ['eval', 'assert', 'create_function'];
const CHAIN_NAMES = [...DECODERS, ...SINKS].join('|');
/** A chain of calls ending in a string literal or a variable: `eval(gzinflate(base64_decode(`. */
const CHAIN = new RegExp(`\\b((?:(?:${CHAIN_NAMES})\\s*\\(\\s*@?\\s*){1,16})(?:(["'])|\\$([A-Za-z_][A-Za-z0-9_]{0,63})\\s*\\))`, 'gi');

class TooLarge extends Error {}

function decode(name: Decoder, input: Buffer, limit: number): Buffer {
  let out: Buffer;
  switch (name) {
    case 'base64_decode':
      // PHP's base64_decode skips characters outside the alphabet; so does Buffer.
      out = Buffer.from(input.toString('latin1').replace(/[^A-Za-z0-9+/=_-]/g, ''), 'base64');
      break;
    case 'gzinflate':
      out = inflateRawSync(input, { maxOutputLength: limit });
      break;
    case 'gzuncompress':
      out = inflateSync(input, { maxOutputLength: limit });
      break;
    case 'gzdecode':
      out = gunzipSync(input, { maxOutputLength: limit });
      break;
    case 'str_rot13':
      out = Buffer.from(input.toString('latin1').replace(/[a-zA-Z]/g, (c) => {
        const b = c <= 'Z' ? 65 : 97;
        return String.fromCharCode(((c.charCodeAt(0) - b + 13) % 26) + b);
      }), 'latin1');
      break;
    case 'strrev':
      out = Buffer.from(input).reverse();
      break;
    case 'hex2bin': {
      const s = input.toString('latin1').replace(/\s+/g, '');
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) throw new Error('hex2bin: not hex');
      out = Buffer.from(s, 'hex');
      break;
    }
    case 'rawurldecode':
    case 'urldecode': {
      let s = input.toString('latin1');
      if (name === 'urldecode') s = s.replace(/\+/g, ' ');
      out = Buffer.from(s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      break;
    }
    case 'stripslashes':
      out = Buffer.from(input.toString('latin1').replace(/\\(.)/gs, '$1'), 'latin1');
      break;
    case 'convert_uudecode':
      out = uudecode(input.toString('latin1'));
      break;
  }
  if (out.length > limit) throw new TooLarge(`${name}: output over ${limit} bytes`);
  return out;
}

function uudecode(s: string): Buffer {
  const out: number[] = [];
  for (const line of s.split('\n')) {
    if (line.length === 0) continue;
    const n = (line.charCodeAt(0) - 32) & 63;
    if (n === 0) break;
    const bytes: number[] = [];
    for (let i = 1; i + 3 < line.length + 3 && bytes.length < n; i += 4) {
      const c = [0, 1, 2, 3].map((k) => ((line.charCodeAt(i + k) || 32) - 32) & 63);
      bytes.push(((c[0]! << 2) | (c[1]! >> 4)) & 255, ((c[1]! << 4) | (c[2]! >> 2)) & 255, ((c[2]! << 6) | c[3]!) & 255);
    }
    out.push(...bytes.slice(0, n));
  }
  return Buffer.from(out);
}

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
export function peelChains(src: string, limits: DeobfuscateLimits = DEFAULT_DEOBFUSCATE_LIMITS): { payloads: Peeled[]; problems: PeelProblem[] } {
  const payloads: Peeled[] = [];
  const problems: PeelProblem[] = [];
  CHAIN.lastIndex = 0;
  // Attempts are bounded too: each may read the whole file (a variable's assignment).
  let attempts = 0;
  for (const m of src.matchAll(CHAIN)) {
    if (payloads.length + problems.length >= limits.maxPayloads || ++attempts > limits.maxPayloads * 4) break;
    const names = [...m[1]!.matchAll(/([A-Za-z_0-9]+)\s*\(/g)].map((x) => x[1]!.toLowerCase());
    const decoders = names.filter((n): n is Decoder => (DECODERS as readonly string[]).includes(n));
    if (decoders.length === 0) continue;
    const executed = names.some((n) => SINKS.includes(n));
    let raw: string | undefined;
    if (m[2]) raw = readPhpString(src, m.index! + m[0].length - 1)?.value;
    else if (m[3]) raw = literalOf(src, m[3], m.index!);
    if (raw === undefined || raw.length < 4) continue;
    peelOne(raw, decoders, executed, m.index!, limits, payloads, problems);
  }
  // eval($x) where $x was assigned a decoder chain: `$x = gzinflate(base64_decode('...')); eval($x);`
  for (const m of src.matchAll(EVAL_VAR)) {
    if (payloads.length + problems.length >= limits.maxPayloads || ++attempts > limits.maxPayloads * 8) break;
    const assign = lastAssignment(src, m[2]!, m.index!);
    if (assign === undefined) continue;
    const head = CHAIN_AT.exec(src.slice(assign, assign + 1024));
    if (!head || !head[2]) continue;
    const names = [...head[1]!.matchAll(/([A-Za-z_0-9]+)\s*\(/g)].map((x) => x[1]!.toLowerCase());
    const decoders = names.filter((n): n is Decoder => (DECODERS as readonly string[]).includes(n));
    const raw = readPhpString(src, assign + head[0].length - 1)?.value;
    if (decoders.length === 0 || raw === undefined || raw.length < 4) continue;
    peelOne(raw, decoders, true, m.index!, limits, payloads, problems);
  }
  return { payloads, problems };
}

const EVAL_VAR = /\b(eval|assert)\s*\(\s*@?\s*\$([A-Za-z_][A-Za-z0-9_]{0,63})\s*\)/gi;
const CHAIN_AT = new RegExp(`^\\s*@?\\s*((?:(?:${DECODERS.join('|')})\\s*\\(\\s*@?\\s*){1,16})(["'])`, 'i');

/** Where the expression of the last `$name = ...` before `before` starts. */
function lastAssignment(src: string, name: string, before: number): number | undefined {
  const re = new RegExp(`\\$${name}\\s*=(?!=)`, 'g');
  let at: number | undefined;
  for (const m of src.matchAll(re)) {
    if (m.index! > before) break;
    at = m.index! + m[0].length;
  }
  return at;
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

const CHR = /\bchr\s*\(\s*(\d{1,4})\s*(?:([-+*^%])\s*(\d{1,4})\s*)?\)/gi;

/**
 * Puts PHP string expressions back together: escapes decoded, `chr(N)` (and
 * `chr(N op M)`) turned into a literal, adjacent literals joined across `.`.
 * Returns undefined when nothing changed. Output at most `maxBytes`.
 */
export function normalizeStrings(src: string, maxBytes = DEFAULT_DEOBFUSCATE_LIMITS.maxOutputBytes): string | undefined {
  let changed = false;
  // 1. chr() calls become single-quoted literals.
  let s = src.replace(CHR, (_all, a: string, op: string | undefined, b: string | undefined) => {
    let n = Number(a);
    if (op && b !== undefined) {
      const m = Number(b);
      n = op === '+' ? n + m : op === '-' ? n - m : op === '*' ? n * m : op === '^' ? n ^ m : m === 0 ? n : n % m;
    }
    changed = true;
    return quote(String.fromCharCode(((n % 256) + 256) % 256));
  });
  // 2. Literals joined across "." and string functions of literals folded, a few rounds
  //    (folding can put two literals side by side: 'sys' . strrev('met')).
  for (let round = 0; round < 4; round++) {
    const joined = joinLiterals(s, maxBytes);
    if (joined === undefined) return undefined;
    const folded = foldCalls(joined.text);
    if (joined.changed || folded.changed) changed = true;
    s = folded.text;
    if (!folded.changed) break;
  }
  return changed ? s : undefined;
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function joinLiterals(s: string, maxBytes: number): { text: string; changed: boolean } | undefined {
  let changed = false;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const q = s.indexOf('"', i);
    const a = s.indexOf("'", i);
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
    if (s[start] === '"' && /\$[A-Za-z_{]/.test(s.slice(start, lit.end))) {
      // Interpolating: left as is.
      out += s.slice(start, lit.end);
      i = lit.end;
      continue;
    }
    let value = lit.value;
    let end = lit.end;
    let joined = false;
    for (;;) {
      const dot = /^\s*\.\s*(["'])/.exec(s.slice(end, end + 64));
      if (!dot) break;
      const next = readPhpString(s, end + dot[0].length - 1);
      if (!next || (dot[1] === '"' && /\$[A-Za-z_{]/.test(s.slice(end + dot[0].length - 1, next.end)))) break;
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

/** String functions applied to literals, as PHP would: `strrev('metsys')` is `'system'`. */
const FOLDABLE = /\b(str_rot13|strrev|base64_decode|hex2bin|urldecode|rawurldecode|strtolower|strtoupper|ucfirst|trim)\s*\(\s*'((?:[^'\\]|\\.){0,4096})'\s*\)|\bstr_replace\s*\(\s*'((?:[^'\\]|\\.){0,256})'\s*,\s*'((?:[^'\\]|\\.){0,256})'\s*,\s*'((?:[^'\\]|\\.){0,4096})'\s*\)/gi;

function foldCalls(s: string): { text: string; changed: boolean } {
  let changed = false;
  const unq = (v: string) => v.replace(/\\([\\'])/g, '$1');
  const text = s.replace(FOLDABLE, (all, fn: string | undefined, arg: string | undefined, search: string | undefined, replace: string | undefined, subject: string | undefined) => {
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
  return { text, changed };
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

/** Runs of 256+ base64 characters (and their "=" padding), found in one linear pass. */
function* base64Runs(src: string): Generator<{ index: number; text: string }> {
  let start = -1;
  for (let i = 0; i <= src.length; i++) {
    const c = i < src.length ? src.charCodeAt(i) : 0;
    if (c < 256 && B64_CHAR[c] === 1) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= 256) {
      let end = i;
      while (end < src.length && end - i < 2 && src[end] === '=') end++;
      yield { index: start, text: src.slice(start, end) };
    }
    start = -1;
  }
}

/**
 * Long high-entropy literals (base64 runs of 256+ characters). Each is decoded
 * when it can be: PHP code or compressed data inside is a payload to scan.
 * `data:` URIs (images embedded in templates) are not counted.
 */
export function longLiterals(src: string, limits: DeobfuscateLimits = DEFAULT_DEOBFUSCATE_LIMITS): { offset: number; length: number; entropy: number; decoded?: Peeled }[] {
  const out: { offset: number; length: number; entropy: number; decoded?: Peeled }[] = [];
  let tried = 0;
  for (const r of base64Runs(src)) {
    const run = r.text;
    if (out.length >= limits.maxPayloads || ++tried > limits.maxPayloads * 4) break;
    const before = src.slice(Math.max(0, r.index - 48), r.index);
    if (/base64,\s*$|data:[^'"]*$/i.test(before)) continue;
    // Base64 of text has about 4.8 to 5.3 bits a character, of compressed data about 6: every run
    // is decoded, and one that hides nothing readable counts only from 5 bits up.
    const h = entropy(run.length > 65536 ? run.slice(0, 65536) : run);
    const item: { offset: number; length: number; entropy: number; decoded?: Peeled } = { offset: r.index, length: run.length, entropy: h };
    try {
      let data: Buffer = decode('base64_decode', Buffer.from(run, 'latin1'), limits.maxOutputBytes);
      const layers = ['base64_decode'];
      const inflaters: Decoder[] = data[0] === 0x1f && data[1] === 0x8b ? ['gzdecode'] : data[0] === 0x78 ? ['gzuncompress'] : [];
      for (const d of inflaters) {
        data = decode(d, data, limits.maxOutputBytes);
        layers.push(d);
      }
      const text = data.toString('latin1');
      if (/<\?php|\beval\s*\(|\$_(GET|POST|REQUEST|COOKIE)\b|\bfunction\s+\w+\s*\(/i.test(text)) item.decoded = { layers: layers.reverse(), text, executed: false, offset: r.index };
      else if (inflaters.length === 0 && !looksLikeKnownBinary(data)) {
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
    if (item.decoded || h >= 5.0) out.push(item);
  }
  return out;
}

function looksLikeKnownBinary(b: Buffer): boolean {
  const sig = b.subarray(0, 4).toString('latin1');
  return sig.startsWith('\x89PNG') || sig.startsWith('GIF8') || sig.startsWith('\xff\xd8\xff') || sig.startsWith('wOF') || sig.startsWith('PK');
}
