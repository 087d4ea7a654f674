/**
 * SQL-injection detection by tokenizing and fingerprinting, the technique that
 * libinjection published and that ModSecurity's `@detectSQLi` uses.
 *
 * The idea: read the input as if it were SQL, in three quoting contexts (as
 * written, as if a single quote came before it, as if a double quote came
 * before it) and under ANSI or MySQL comment rules; turn it into a short list
 * of typed tokens; fold the tokens that do not change the shape of a query
 * (`1+1` is as good as `1`, `- 1` as `1`); take the first five token types as
 * a fingerprint (`s&1c` is "string, AND, number, comment"); and look that
 * fingerprint up in a list of the shapes that attacks take. A few short
 * fingerprints that ordinary text also produces are filtered out afterwards.
 *
 * This is our own code. The keyword table, the character classes and the
 * fingerprint list are data (libinjection's, BSD-3) read at run time from a
 * directory: see `loadSqliData` and `defaultSqliDataDir`. The test vectors in
 * the same directory decide the exact token types and folds.
 *
 * Input is a latin1 string: one character per byte of the request. Every scan
 * below moves forward and consumes what it reads, so a call costs time linear
 * in the input and a fixed amount of memory (at most eight tokens of at most
 * 31 characters each are kept); nothing here throws on any input.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MamoriError } from '../../core/errors.js';

/** Tokenizer flags: which quote the input is assumed to sit inside, and which SQL comment rules apply. */
export const FLAG_QUOTE_NONE = 1;
export const FLAG_QUOTE_SINGLE = 2;
export const FLAG_QUOTE_DOUBLE = 4;
export const FLAG_SQL_ANSI = 8;
export const FLAG_SQL_MYSQL = 16;

/** A token keeps at most this many characters of its text, as libinjection does; longer text is cut. */
export const TOKEN_TEXT_MAX = 31;
/** A fingerprint is at most this many token types long. */
export const FINGERPRINT_MAX = 5;

/**
 * Token types, one character each. They are the letters the fingerprint list is
 * written in, so they are kept as characters rather than numbers.
 */
export const T = {
  none: '',
  keyword: 'k',
  union: 'U',
  group: 'B',
  expression: 'E',
  tsql: 'T',
  func: 'f',
  bareword: 'n',
  number: '1',
  variable: 'v',
  string: 's',
  operator: 'o',
  logic: '&',
  comment: 'c',
  collate: 'A',
  leftParen: '(',
  rightParen: ')',
  leftBrace: '{',
  rightBrace: '}',
  dot: '.',
  comma: ',',
  colon: ':',
  semicolon: ';',
  sqlType: 't',
  unknown: '?',
  evil: 'X',
  backslash: '\\',
} as const;

export class Token {
  type = '';
  /** The token's text, cut to TOKEN_TEXT_MAX characters. For strings, without the quotes. */
  val = '';
  /** The opening quote of a string ('' when the input began inside the string). */
  open = '';
  /** The closing quote of a string ('' when the input ended inside it). */
  close = '';
  /** Offset of the token in the input. */
  pos = 0;
  /** For variables: how many '@' came first (1 or 2). */
  count = 0;

  clear(): void {
    this.type = '';
    this.val = '';
    this.open = '';
    this.close = '';
    this.pos = 0;
    this.count = 0;
  }

  copyFrom(o: Token): void {
    this.type = o.type;
    this.val = o.val;
    this.open = o.open;
    this.close = o.close;
    this.pos = o.pos;
    this.count = o.count;
  }

  /** The form the test vectors print: type, space, text (strings and variables with their quotes and '@'s). */
  toString(): string {
    if (this.type === T.string) return `s ${this.open}${this.val}${this.close}`;
    if (this.type === T.variable) return `v ${'@'.repeat(this.count)}${this.open}${this.val}${this.close}`;
    return `${this.type} ${this.val}`;
  }
}

// ---------------------------------------------------------------------------
// Data

/** What the character map names, mapped to the scanner that handles a character of that class. */
const enum Cls {
  White, Bang, Str, Hash, Money, Op1, Op2, LeftParen, RightParen, Unary, Comma, Dash, Num, Slash,
  Semicolon, Other, Var, Word, BString, EString, NQString, QString, UString, XString, BWord, Back,
  Tick, LeftBrace, RightBrace,
}

const CLASS_NAMES: Record<string, Cls> = {
  CHAR_WHITE: Cls.White, CHAR_BANG: Cls.Bang, CHAR_STR: Cls.Str, CHAR_HASH: Cls.Hash,
  CHAR_MONEY: Cls.Money, CHAR_OP1: Cls.Op1, CHAR_OP2: Cls.Op2, CHAR_LEFTPARENS: Cls.LeftParen,
  CHAR_RIGHTPARENS: Cls.RightParen, CHAR_UNARY: Cls.Unary, CHAR_COMMA: Cls.Comma, CHAR_DASH: Cls.Dash,
  CHAR_NUM: Cls.Num, CHAR_SLASH: Cls.Slash, CHAR_SEMICOLON: Cls.Semicolon, CHAR_OTHER: Cls.Other,
  CHAR_VAR: Cls.Var, CHAR_WORD: Cls.Word, CHAR_BSTRING: Cls.BString, CHAR_ESTRING: Cls.EString,
  CHAR_NQSTRING: Cls.NQString, CHAR_QSTRING: Cls.QString, CHAR_USTRING: Cls.UString,
  CHAR_XSTRING: Cls.XString, CHAR_BWORD: Cls.BWord, CHAR_BACK: Cls.Back, CHAR_TICK: Cls.Tick,
  CHAR_LEFTBRACE: Cls.LeftBrace, CHAR_RIGHTBRACE: Cls.RightBrace,
};

const TOKEN_TYPES: ReadonlySet<string> = new Set<string>(Object.values(T).filter((t) => t !== ''));

export interface SqliData {
  /** Where the data was read from. */
  readonly dir: string;
  /** Upper-case keyword (or two- and three-word phrase, or two-character operator) → token type. */
  readonly keywords: ReadonlyMap<string, string>;
  /** Upper-cased fingerprints: the list compares case-insensitively. */
  readonly fingerprints: ReadonlySet<string>;
  /** The same, for lookup without upper-casing a copy. */
  readonly fingerprintTable: KeywordTable;
  /** Character class of each byte. */
  readonly classes: Uint8Array;
  /** Every word or phrase that starts a longer phrase in the table ("UNION", "UNION ALL"): only these can merge. */
  readonly phraseStarts: KeywordTable;
  /** The keywords again, arranged for fast case-insensitive lookup. */
  readonly table: KeywordTable;
}

/** Raised when the data directory is missing or its files are not what they should be. */
export class SqliDataError extends MamoriError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('MAMORI_ERR_WAF_DATA', message, options);
    this.name = 'SqliDataError';
  }
}

export const DATA_DIR_ENV = 'MAMORI_LIBINJECTION_DIR';
const MAX_DATA_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Where the data is looked for when no directory is given:
 * $MAMORI_LIBINJECTION_DIR, else $MAMORI_SHARED_DATA/libinjection, else
 * `../shared/data/libinjection` beside the repository (this file sits in
 * packages/mamori/{src,dist}/waf/sqli/), as testing/shared-data.ts resolves
 * it. An installed package has no such neighbour, so there a variable must be set.
 */
export function defaultSqliDataDir(): string {
  const env = process.env[DATA_DIR_ENV];
  if (env !== undefined && env !== '') return env;
  const shared = process.env.MAMORI_SHARED_DATA;
  if (shared !== undefined && shared !== '') return join(shared, 'libinjection');
  return fileURLToPath(new URL('../../../../../../shared/data/libinjection/', import.meta.url));
}

function readData(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new SqliDataError(
      `SQL-injection data not found: ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}). ` +
        `Point ${DATA_DIR_ENV} at a directory holding libinjection's src/sqlparse_data.json.`,
      { cause: err },
    );
  }
  if (size > MAX_DATA_FILE_BYTES) throw new SqliDataError(`${path} is ${size} bytes; that is not libinjection's data`);
  return readFileSync(path, 'utf8');
}

/**
 * Reads the keyword map, the character map and the fingerprint list from a
 * libinjection data directory (the one with `src/sqlparse_data.json`; a
 * directory holding the file directly works too). Throws SqliDataError, naming
 * the path, when the files are missing or malformed.
 */
export function loadSqliData(dir: string = defaultSqliDataDir()): SqliData {
  let file = join(dir, 'src', 'sqlparse_data.json');
  try {
    statSync(file);
  } catch {
    file = join(dir, 'sqlparse_data.json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readData(file));
  } catch (err) {
    if (err instanceof SqliDataError) throw err;
    throw new SqliDataError(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const bad = (what: string): never => {
    throw new SqliDataError(`${file}: ${what}`);
  };
  if (typeof parsed !== 'object' || parsed === null) bad('not a JSON object');
  const obj = parsed as { charmap?: unknown; keywords?: unknown; fingerprints?: unknown };

  if (!Array.isArray(obj.charmap) || obj.charmap.length !== 256) bad('charmap must be a list of 256 class names');
  const classes = new Uint8Array(256);
  (obj.charmap as unknown[]).forEach((name, i) => {
    const c = typeof name === 'string' ? CLASS_NAMES[name] : undefined;
    if (c === undefined) bad(`charmap[${i}] is an unknown class ${JSON.stringify(name)}`);
    classes[i] = c as Cls;
  });

  if (typeof obj.keywords !== 'object' || obj.keywords === null || Array.isArray(obj.keywords)) bad('keywords must be an object');
  const keywords = new Map<string, string>();
  for (const [k, v] of Object.entries(obj.keywords as Record<string, unknown>)) {
    if (typeof v !== 'string' || !TOKEN_TYPES.has(v)) bad(`keyword ${JSON.stringify(k)} has an unknown type ${JSON.stringify(v)}`);
    // An empty key could never come from the input and would only confuse the word splitter.
    if (k !== '') keywords.set(asciiUpper(k), v as string);
  }

  let prints: unknown = obj.fingerprints;
  if (prints === undefined) {
    prints = readData(join(dir, 'src', 'fingerprints.txt')).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  }
  if (!Array.isArray(prints)) bad('fingerprints must be a list');
  const fingerprints = new Set<string>();
  for (const p of prints as unknown[]) {
    if (typeof p !== 'string' || p.length === 0 || p.length > FINGERPRINT_MAX) bad(`bad fingerprint ${JSON.stringify(p)}`);
    fingerprints.add(asciiUpper(p as string));
  }
  if (fingerprints.size === 0) bad('no fingerprints');
  const starts = new Map<string, string>();
  for (const k of keywords.keys()) {
    const words = k.split(' ');
    for (let i = 1; i < words.length; i++) starts.set(words.slice(0, i).join(' '), T.keyword);
  }
  const fingerprintTable = new KeywordTable(new Map([...fingerprints].map((f) => [f, T.evil])));
  return { dir, keywords, fingerprints, fingerprintTable, classes, phraseStarts: new KeywordTable(starts), table: new KeywordTable(keywords) };
}

let cached: SqliData | undefined;

/** The data from the default directory, read once. Throws SqliDataError when it is not there. */
export function defaultSqliData(): SqliData {
  cached ??= loadSqliData();
  return cached;
}

/** Makes `data` the one that calls without an explicit data argument use (for an engine that loads it at start-up). */
export function setDefaultSqliData(data: SqliData): void {
  cached = data;
}

/**
 * Upper-cases a-z only: keyword matching is ASCII-only, and latin1 letters must
 * not fold onto ASCII ones (JavaScript's toUpperCase turns "ß" into "SS").
 */
function asciiUpper(s: string): string {
  let ascii = true;
  let lower = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) ascii = false;
    else if (c >= 0x61 && c <= 0x7a) lower = true;
  }
  if (!lower) return s;
  if (ascii) return s.toUpperCase();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
  }
  return out;
}

/** Whether `s` equals `upper` (an upper-case ASCII word) ignoring the case of a-z. */
function sameWord(s: string, upper: string): boolean {
  if (s.length !== upper.length) return false;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== upper.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The keyword table as an open-addressing hash over case-folded character
 * codes, so a lookup neither allocates an upper-cased copy nor hashes one:
 * words are looked up for nearly every token.
 */
export class KeywordTable {
  private readonly keys: string[];
  private readonly types: string[];
  private readonly mask: number;

  constructor(entries: ReadonlyMap<string, string>) {
    let size = 64;
    while (size < entries.size * 4) size *= 2;
    this.mask = size - 1;
    this.keys = new Array<string>(size).fill('');
    this.types = new Array<string>(size).fill('');
    for (const [k, v] of entries) {
      let i = KeywordTable.hash(k) & this.mask;
      while (this.keys[i] !== '' && this.keys[i] !== k) i = (i + 1) & this.mask;
      this.keys[i] = k;
      this.types[i] = v;
    }
  }

  /** FNV-1a over the characters with a-z folded to A-Z. */
  private static hash(s: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0x61 && c <= 0x7a) c -= 0x20;
      h = Math.imul(h ^ c, 0x01000193);
    }
    return h >>> 0;
  }

  get(word: string): string | undefined {
    if (word.length === 0) return undefined;
    let i = KeywordTable.hash(word) & this.mask;
    for (;;) {
      const k = this.keys[i] as string;
      if (k === '') return undefined;
      if (sameWord(word, k)) return this.types[i];
      i = (i + 1) & this.mask;
    }
  }
}

function lookupWord(data: SqliData, word: string): string | undefined {
  // Keywords are ASCII and stored upper-case; sameWord folds only a-z, so latin1 letters never match one.
  return data.table.get(word);
}

// ---------------------------------------------------------------------------
// Character sets used by the scanners

function byteSet(chars: string): Uint8Array {
  const set = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}
function inSet(set: Uint8Array, c: number): boolean {
  return c < 256 && set[c] === 1;
}

/** Characters that end a word. NUL always ends a scan, as in C strings. */
const WORD_END = byteSet(' []{}<>:\\?=@!#~+-*/&|^%(),\';\t\n\v\f\r"\xa0\0');
/** Characters that end a variable name. */
const VAR_END = byteSet(' <>:\\?=@!#~+-*/&|^%(),\';\t\n\v\f\r\'`"\0');
/** The narrow "white space" that matters after `--` and after a number's d/f suffix. */
const NARROW_WHITE = byteSet(' \t\n\v\f\r\xa0\0');
/*
 * The runs below also take NUL, as C's strspn-style scans over a NUL-terminated
 * set do. Detection must read NUL the way the reference does, or "$\0--" would
 * fingerprint differently here than in ModSecurity.
 */
const HEX_DIGITS = byteSet('0123456789abcdefABCDEF\0');
const BIN_DIGITS = byteSet('01\0');
const MONEY_CHARS = byteSet('0123456789.,\0');
const LETTERS = byteSet('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\0');

const CH_BACKSLASH = 0x5c;
const CH_QUOTE = 0x27;
const CH_DQUOTE = 0x22;
const CH_TICK = 0x60;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// ---------------------------------------------------------------------------
// Tokenizer

/**
 * Reads tokens one at a time from an input. Each scanner method starts at
 * `pos`, fills the target token when it recognises one, and returns where the
 * next scan starts; it always returns a position past `pos`, so the loop ends.
 */
export class Tokenizer {
  pos = 0;
  /** Counters the detector consults after a pass. */
  commentDdx = 0;
  commentHash = 0;
  tokens = 0;
  folds = 0;
  private tok: Token = new Token();
  private readonly n: number;

  constructor(
    readonly s: string,
    readonly flags: number,
    readonly data: SqliData,
  ) {
    this.n = s.length;
  }

  private c(i: number): number {
    return this.s.charCodeAt(i);
  }

  /** Sets the target token to s[start, end), cut to TOKEN_TEXT_MAX characters. */
  private set(type: string, pos: number, start: number, end: number): void {
    const t = this.tok;
    t.type = type;
    t.pos = pos;
    t.val = this.s.slice(start, Math.min(end, start + TOKEN_TEXT_MAX));
  }

  /** Reads the next token into `into`; false when the input is used up. */
  next(into: Token): boolean {
    into.clear();
    this.tok = into;
    if (this.n === 0) return false;
    if (this.pos === 0 && (this.flags & (FLAG_QUOTE_SINGLE | FLAG_QUOTE_DOUBLE)) !== 0) {
      // The input is read as the rest of a string that a quote before it opened.
      const q = this.flags & FLAG_QUOTE_SINGLE ? CH_QUOTE : CH_DQUOTE;
      this.pos = this.quoted(0, q, 0);
      this.tokens++;
      return true;
    }
    while (this.pos < this.n) {
      const at = this.pos;
      let next = this.scan(at);
      if (next <= at) {
        // Only a malformed character map could get here; never loop on it.
        this.set(T.unknown, at, at, at + 1);
        next = at + 1;
      }
      this.pos = next;
      if (into.type !== '') {
        this.tokens++;
        return true;
      }
    }
    return false;
  }

  private scan(pos: number): number {
    const c = this.c(pos);
    const cls = c < 256 ? (this.data.classes[c] as Cls) : Cls.Word;
    switch (cls) {
      case Cls.White:
        return pos + 1;
      case Cls.Str:
        return this.quoted(pos, c, 1);
      case Cls.Hash:
        return this.hash(pos);
      case Cls.Money:
        return this.money(pos);
      case Cls.Bang:
      case Cls.Op2:
        return this.op2(pos);
      case Cls.Op1:
      case Cls.Unary:
        return this.op1(pos);
      case Cls.LeftParen:
      case Cls.RightParen:
      case Cls.Comma:
      case Cls.Semicolon:
      case Cls.LeftBrace:
      case Cls.RightBrace:
        // The character is its own token type.
        this.set(String.fromCharCode(c), pos, pos, pos + 1);
        return pos + 1;
      case Cls.Dash:
        return this.dash(pos);
      case Cls.Num:
        return this.number(pos);
      case Cls.Slash:
        return this.slash(pos);
      case Cls.Other:
        this.set(T.unknown, pos, pos, pos + 1);
        return pos + 1;
      case Cls.Var:
        return this.variable(pos);
      case Cls.Word:
        return this.word(pos);
      case Cls.BString:
        return this.digitString(pos, BIN_DIGITS);
      case Cls.XString:
        return this.digitString(pos, HEX_DIGITS);
      case Cls.EString:
        return this.eString(pos);
      case Cls.NQString:
        return this.nqString(pos);
      case Cls.QString:
        return this.qString(pos, 0);
      case Cls.UString:
        return this.uString(pos);
      case Cls.BWord:
        return this.bracketWord(pos);
      case Cls.Back:
        return this.backslash(pos);
      case Cls.Tick:
        return this.tick(pos);
      default:
        this.set(T.unknown, pos, pos, pos + 1);
        return pos + 1;
    }
  }

  private op1(pos: number): number {
    this.set(T.operator, pos, pos, pos + 1);
    return pos + 1;
  }

  /** Two-character operators from the keyword table (`<=`, `||`, `:=` ...), `<=>`, and a lone `:`. */
  private op2(pos: number): number {
    const s = this.s;
    if (pos + 1 >= this.n) return this.op1(pos);
    if (pos + 2 < this.n && s[pos] === '<' && s[pos + 1] === '=' && s[pos + 2] === '>') {
      this.set(T.operator, pos, pos, pos + 3);
      return pos + 3;
    }
    const type = lookupWord(this.data, s.slice(pos, pos + 2));
    if (type !== undefined) {
      this.set(type, pos, pos, pos + 2);
      return pos + 2;
    }
    if (s[pos] === ':') {
      this.set(T.colon, pos, pos, pos + 1);
      return pos + 1;
    }
    return this.op1(pos);
  }

  /** A comment to the end of the line (`--`, MySQL's `#`). */
  private lineComment(pos: number): number {
    const nl = this.s.indexOf('\n', pos);
    const end = nl < 0 ? this.n : nl;
    this.set(T.comment, pos, pos, end);
    return nl < 0 ? this.n : nl + 1;
  }

  /** `#` starts a comment in MySQL and is an operator elsewhere (PostgreSQL's XOR). */
  private hash(pos: number): number {
    this.commentHash++;
    if (this.flags & FLAG_SQL_MYSQL) {
      this.commentHash++;
      return this.lineComment(pos);
    }
    this.set(T.operator, pos, pos, pos + 1);
    return pos + 1;
  }

  /**
   * `--` followed by white space (or ending the input) is a comment everywhere;
   * `--x` is one in ANSI SQL but two minus signs in MySQL, which is why such
   * input is read a second time under MySQL rules.
   */
  private dash(pos: number): number {
    const n = this.n;
    const nextIsDash = pos + 1 < n && this.c(pos + 1) === 0x2d;
    if (nextIsDash && (pos + 2 === n || inSet(NARROW_WHITE, this.c(pos + 2)))) return this.lineComment(pos);
    if (nextIsDash && this.flags & FLAG_SQL_ANSI) {
      this.commentDdx++;
      return this.lineComment(pos);
    }
    return this.op1(pos);
  }

  /**
   * `/* ... *\/` is a comment. One that holds another `/*` (nesting, which
   * PostgreSQL honours and MySQL does not) or that starts `/*!` (MySQL runs
   * its contents) cannot be read the same way by every database: type X.
   */
  private slash(pos: number): number {
    const n = this.n;
    if (pos + 1 >= n || this.c(pos + 1) !== 0x2a) return this.op1(pos);
    const close = this.s.indexOf('*/', pos + 2);
    const end = close < 0 ? n : close + 2;
    let type: string = T.comment;
    if (close >= 0) {
      for (let i = pos + 2; i < close; i++) {
        if (this.c(i) === 0x2f && this.c(i + 1) === 0x2a) {
          type = T.evil;
          break;
        }
      }
    }
    if (type === T.comment && pos + 2 < n && this.c(pos + 2) === 0x21) type = T.evil;
    this.set(type, pos, pos, end);
    return end;
  }

  /** `\N` is MySQL's NULL; any other backslash is a token of its own. */
  private backslash(pos: number): number {
    if (pos + 1 < this.n && this.s[pos + 1] === 'N') {
      this.set(T.number, pos, pos, pos + 2);
      return pos + 2;
    }
    this.set(T.backslash, pos, pos, pos + 1);
    return pos + 1;
  }

  /**
   * A string delimited by `quote`, its text starting `skip` characters after
   * `pos` (skip 0: the input began inside the string). A quote does not close
   * it when an odd run of backslashes precedes it or when it is doubled.
   */
  private quoted(pos: number, quote: number, skip: number): number {
    const s = this.s;
    const n = this.n;
    const q = String.fromCharCode(quote);
    const start = pos + skip;
    let from = start;
    for (;;) {
      const at = s.indexOf(q, from);
      if (at < 0) {
        this.set(T.string, pos, start, n);
        this.tok.open = skip > 0 ? q : '';
        this.tok.close = '';
        return n;
      }
      let back = at - 1;
      while (back >= start && this.c(back) === CH_BACKSLASH) back--;
      if ((at - 1 - back) % 2 === 1) {
        from = at + 1;
        continue;
      }
      if (at + 1 < n && this.c(at + 1) === quote) {
        from = at + 2;
        continue;
      }
      this.set(T.string, pos, start, at);
      this.tok.open = skip > 0 ? q : '';
      this.tok.close = q;
      return at + 1;
    }
  }

  /** `` `name` ``: a MySQL quoted identifier; a function name when the table says so. */
  private tick(pos: number): number {
    const end = this.quoted(pos, CH_TICK, 1);
    this.tok.type = lookupWord(this.data, this.tok.val) === T.func ? T.func : T.bareword;
    return end;
  }

  /** `[name]`: a SQL Server quoted identifier. */
  private bracketWord(pos: number): number {
    const close = this.s.indexOf(']', pos);
    const end = close < 0 ? this.n : close + 1;
    this.set(T.bareword, pos, pos, end);
    return end;
  }

  /** `@name`, `@@name`, and MySQL's quoted forms `@'x'`, `@"x"`, `` @`x` ``. */
  private variable(pos: number): number {
    const n = this.n;
    let at = pos + 1;
    let count = 1;
    if (at < n && this.c(at) === 0x40) {
      count = 2;
      at++;
    }
    if (at < n) {
      const c = this.c(at);
      if (c === CH_TICK || c === CH_QUOTE || c === CH_DQUOTE) {
        const end = c === CH_TICK ? this.tick(at) : this.quoted(at, c, 1);
        this.tok.type = T.variable;
        this.tok.count = count;
        return end;
      }
    }
    let end = at;
    while (end < n && !inSet(VAR_END, this.c(end))) end++;
    this.set(T.variable, pos, at, end);
    this.tok.count = count;
    return end;
  }

  /**
   * `$` starts money (`$1,000.00`), a PostgreSQL dollar-quoted string (`$$x$$`,
   * `$tag$x$tag$`), or is a word of its own.
   */
  private money(pos: number): number {
    const s = this.s;
    const n = this.n;
    if (pos + 1 === n) {
      this.set(T.bareword, pos, pos, n);
      return n;
    }
    let end = pos + 1;
    while (end < n && inSet(MONEY_CHARS, this.c(end))) end++;
    const digits = end - (pos + 1);
    if (digits === 1 && s[pos + 1] === '.') return this.word(pos);
    if (digits > 0) {
      this.set(T.number, pos, pos, end);
      return end;
    }
    let tag: string;
    let bodyStart: number;
    if (s[pos + 1] === '$') {
      tag = '$$';
      bodyStart = pos + 2;
    } else {
      let t = pos + 1;
      while (t < n && inSet(LETTERS, this.c(t))) t++;
      if (t === pos + 1 || t === n || s[t] !== '$') {
        this.set(T.bareword, pos, pos, pos + 1);
        return pos + 1;
      }
      tag = s.slice(pos, t + 1);
      bodyStart = t + 1;
    }
    const close = s.indexOf(tag, bodyStart);
    this.set(T.string, pos, bodyStart, close < 0 ? n : close);
    this.tok.open = '$';
    this.tok.close = close < 0 ? '' : '$';
    return close < 0 ? n : close + tag.length;
  }

  /**
   * Numbers: 0x.. and 0b.., decimals, exponents, and Oracle's d/f suffix. An
   * exponent marker with no digits after it (`1e`, `10.e`) makes a word, as
   * MySQL reads `10.e.col` as a qualified name.
   */
  private number(pos: number): number {
    const n = this.n;
    if (this.c(pos) === 0x30 && pos + 1 < n) {
      const k = this.c(pos + 1) | 0x20;
      const set = k === 0x78 ? HEX_DIGITS : k === 0x62 ? BIN_DIGITS : undefined;
      if (set) {
        let end = pos + 2;
        while (end < n && inSet(set, this.c(end))) end++;
        this.set(end === pos + 2 ? T.bareword : T.number, pos, pos, end);
        return end;
      }
    }
    let p = pos;
    while (p < n && isDigit(this.c(p))) p++;
    if (p < n && this.c(p) === 0x2e) {
      p++;
      while (p < n && isDigit(this.c(p))) p++;
      if (p - pos === 1) {
        this.set(T.dot, pos, pos, p);
        return p;
      }
    }
    let exponentWithoutDigits = false;
    if (p < n && (this.c(p) | 0x20) === 0x65) {
      p++;
      if (p < n && (this.c(p) === 0x2b || this.c(p) === 0x2d)) p++;
      const digitsFrom = p;
      while (p < n && isDigit(this.c(p))) p++;
      exponentWithoutDigits = p === digitsFrom;
    }
    if (p < n) {
      const k = this.c(p) | 0x20;
      if (k === 0x64 || k === 0x66) {
        // Oracle's 1.5d / 1.5f; also "1funion", where the word after starts with u.
        if (p + 1 === n) p++;
        else {
          const after = this.c(p + 1);
          if (inSet(NARROW_WHITE, after) || after === 0x3b || (after | 0x20) === 0x75) p++;
        }
      }
    }
    this.set(exponentWithoutDigits ? T.bareword : T.number, pos, pos, p);
    return p;
  }

  /**
   * A word: a keyword from the table, or a bareword. When the part before a
   * `.` or `` ` `` inside it is itself a keyword (`SELECT.1`, `AND`x``), the
   * word ends there.
   */
  private word(pos: number): number {
    const n = this.n;
    let end = pos;
    while (end < n && !inSet(WORD_END, this.c(end))) end++;
    const len = end - pos;
    this.set(T.bareword, pos, pos, end);
    const val = this.tok.val;
    for (let i = 0; i < val.length; i++) {
      const c = val.charCodeAt(i);
      if (c === 0x2e || c === CH_TICK) {
        const type = lookupWord(this.data, val.slice(0, i));
        if (type !== undefined && type !== T.bareword) {
          this.set(type, pos, pos, pos + i);
          return pos + i;
        }
      }
    }
    // A word longer than a token holds cannot be any keyword.
    if (len <= TOKEN_TEXT_MAX) this.tok.type = lookupWord(this.data, val) ?? T.bareword;
    return end;
  }

  /** `x'4142'` and `b'0101'`: numbers. Anything else starting x or b is a word. */
  private digitString(pos: number, digits: Uint8Array): number {
    const n = this.n;
    if (pos + 2 >= n || this.c(pos + 1) !== CH_QUOTE) return this.word(pos);
    let end = pos + 2;
    while (end < n && inSet(digits, this.c(end))) end++;
    if (end >= n || this.c(end) !== CH_QUOTE) return this.word(pos);
    this.set(T.number, pos, pos, end + 1);
    return end + 1;
  }

  /** `E'..'` (PostgreSQL) and `N'..'` (national) strings: the prefix is dropped. */
  private eString(pos: number): number {
    if (pos + 2 >= this.n || this.c(pos + 1) !== CH_QUOTE) return this.word(pos);
    return this.quoted(pos, CH_QUOTE, 2);
  }

  private nqString(pos: number): number {
    if (pos + 2 < this.n && this.c(pos + 1) === CH_QUOTE) return this.eString(pos);
    return this.qString(pos, 1);
  }

  /** Oracle's `q'!text!'` (and `nq'..'`), with ([{< closed by their partners. */
  private qString(pos: number, skip: number): number {
    const n = this.n;
    const p = pos + skip;
    if (p >= n || (this.c(p) | 0x20) !== 0x71) return this.word(pos);
    if (p + 2 >= n || this.c(p + 1) !== CH_QUOTE) return this.word(pos);
    const d = this.c(p + 2);
    if (d < 33 || d > 127) return this.word(pos);
    const closer = d === 0x28 ? ')' : d === 0x5b ? ']' : d === 0x7b ? '}' : d === 0x3c ? '>' : String.fromCharCode(d);
    const close = this.s.indexOf(`${closer}'`, p + 3);
    this.set(T.string, pos, p + 3, close < 0 ? n : close);
    this.tok.open = 'q';
    this.tok.close = close < 0 ? '' : 'q';
    return close < 0 ? n : close + 2;
  }

  /** PostgreSQL's `U&'..'` unicode strings. */
  private uString(pos: number): number {
    if (pos + 2 < this.n && this.c(pos + 1) === 0x26 && this.c(pos + 2) === CH_QUOTE) {
      const end = this.quoted(pos + 2, CH_QUOTE, 1);
      this.tok.open = 'u';
      if (this.tok.close === "'") this.tok.close = 'u';
      return end;
    }
    return this.word(pos);
  }
}

/** All tokens of the input, unfolded (the vectors' "tokens" kind). For tests and diagnosis. */
export function tokenize(input: string, flags: number = FLAG_QUOTE_NONE | FLAG_SQL_ANSI, data: SqliData = defaultSqliData()): Token[] {
  const tz = new Tokenizer(input, flags, data);
  const out: Token[] = [];
  for (;;) {
    const t = new Token();
    if (!tz.next(t)) return out;
    out.push(t);
  }
}

// ---------------------------------------------------------------------------
// Folding

function isUnary(t: Token): boolean {
  if (t.type !== T.operator) return false;
  const v = t.val;
  switch (v.length) {
    case 1:
      return v === '+' || v === '-' || v === '!' || v === '~';
    case 2:
      return v === '!!';
    case 3:
      return sameWord(v, 'NOT');
    default:
      return false;
  }
}

function isArithmetic(t: Token): boolean {
  return t.type === T.operator && t.val.length === 1 && '*/-+%'.includes(t.val);
}

/** Words that are column names as often as zero-argument functions; followed by `(` they are functions. */
const FUNCTION_IF_CALLED = new Set([
  'USER_ID', 'USER_NAME', 'DATABASE', 'PASSWORD', 'USER', 'CURRENT_USER', 'CURRENT_DATE',
  'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'LOCALTIME', 'LOCALTIMESTAMP',
]);

const MERGE_LEFT = new Set<string>([T.keyword, T.bareword, T.operator, T.union, T.func, T.expression, T.tsql, T.sqlType]);
const MERGE_RIGHT = new Set<string>([...MERGE_LEFT, T.logic]);

/** A bit for each token type letter, so a membership test is one table read and one AND. */
const TYPE_BIT = new Int32Array(128);
[...TOKEN_TYPES].forEach((t, i) => {
  TYPE_BIT[t.charCodeAt(0)] = 1 << i;
});

/** Sets of token types as bit masks, written as the letters of the type names ("n1sv": bareword, number, string, variable). */
function types(letters: string): number {
  let mask = 0;
  for (const t of letters) mask |= TYPE_BIT[t.charCodeAt(0)] ?? 0;
  return mask;
}
const CAST_TARGET = types('n1t(fvs');
const VAR_OPERAND = types('v1n');
const VALUE = types('n1sv');
const EXPR_OR_COMMA = types('EB,');
const KEYWORDISH = types('kEB');
const VALUE_OR_FUNC = types('1nvsf');

function oneOf(t: Token, mask: number): boolean {
  // An empty type reads NaN, which no entry holds.
  return ((TYPE_BIT[t.type.charCodeAt(0)] ?? 0) & mask) !== 0;
}

/**
 * Runs of tokens with no effect on a query's shape are folded away, so that
 * `1 + 2 - 3 OR 1` and `1 OR 1` both come out as "1&1". The folder keeps a
 * window of tokens: `at` is the first one still open to folding, `filled`
 * how many are held. It looks at two tokens, then three; each rule that fires
 * drops or retypes tokens and starts the look again. When nothing fires, the
 * window moves one token on. Only FINGERPRINT_MAX (+1 for look-ahead) tokens are
 * ever held, so the work per input character is bounded.
 */
class Folder {
  readonly vec: Token[] = [new Token(), new Token(), new Token(), new Token(), new Token(), new Token(), new Token(), new Token()];
  private lastComment = new Token();
  private filled = 0;
  private at = 0;
  private more = true;
  private tz!: Tokenizer;

  /** Starts over on a new input; the token objects are reused, so one Folder serves every call. */
  reset(tz: Tokenizer): this {
    this.tz = tz;
    this.filled = 0;
    this.at = 0;
    this.more = true;
    this.lastComment.clear();
    return this;
  }

  private v(i: number): Token {
    return this.vec[i] as Token;
  }

  /** Reads one token into the next free slot; comments are set aside, kept only if nothing follows them. */
  private read(): void {
    const slot = this.v(this.filled);
    this.more = this.tz.next(slot);
    if (!this.more) return;
    if (slot.type === T.comment) this.lastComment.copyFrom(slot);
    else {
      this.lastComment.type = '';
      this.filled++;
    }
  }

  private fillTo(width: number): boolean {
    while (this.more && this.filled <= FINGERPRINT_MAX && this.filled - this.at < width) this.read();
    return this.filled - this.at >= width;
  }

  run(): number {
    // Leading comments, '(', type names and unary operators say nothing about the shape.
    const first = this.v(0);
    for (;;) {
      this.more = this.tz.next(first);
      if (!this.more) return 0;
      if (!(first.type === T.comment || first.type === T.leftParen || first.type === T.sqlType || isUnary(first))) break;
    }
    this.filled = 1;

    for (;;) {
      if (this.filled >= FINGERPRINT_MAX) this.collapseBracketedList();
      if (!this.more || this.at >= FINGERPRINT_MAX) {
        this.at = this.filled;
        break;
      }
      if (!this.fillTo(2)) {
        this.at = this.filled;
        continue;
      }
      const pair = this.pairRule();
      if (pair === 'again') continue;
      if (pair === 'done') return this.at + 2;
      if (!this.fillTo(3)) {
        this.at = this.filled;
        continue;
      }
      if (this.tripleRule()) continue;
      this.at++;
    }

    let count = this.at;
    if (count < FINGERPRINT_MAX && this.lastComment.type === T.comment) {
      this.v(count).copyFrom(this.lastComment);
      count++;
    }
    return Math.min(count, FINGERPRINT_MAX);
  }

  /**
   * Five tokens that are a value and a bracketed value (`1,(2)`, `x-(y)`,
   * `1),(1`, `x)-(y`) are the inside of a list, not yet the attack: keep the
   * first value (and the sixth token, if one was read) and read on.
   */
  private collapseBracketedList(): void {
    const t = (i: number) => this.v(i).type;
    const match =
      (t(0) === T.number && (t(1) === T.operator || t(1) === T.comma) && t(2) === T.leftParen && t(3) === T.number && t(4) === T.rightParen) ||
      (t(0) === T.bareword && t(1) === T.operator && t(2) === T.leftParen && (t(3) === T.bareword || t(3) === T.number) && t(4) === T.rightParen) ||
      (t(0) === T.number && t(1) === T.rightParen && t(2) === T.comma && t(3) === T.leftParen && t(4) === T.number) ||
      (t(0) === T.bareword && t(1) === T.rightParen && t(2) === T.operator && t(3) === T.leftParen && t(4) === T.bareword);
    if (!match) return;
    if (this.filled > FINGERPRINT_MAX) {
      this.v(1).copyFrom(this.v(FINGERPRINT_MAX));
      this.filled = 2;
    } else {
      this.filled = 1;
    }
    this.at = 0;
  }

  /** Drops the last `k` tokens held and records the fold. */
  private drop(k: number): void {
    this.filled -= k;
    this.tz.folds += k;
  }

  private back(): void {
    if (this.at > 0) this.at--;
  }

  /** Rules over two tokens. 'again': look again from `at`; 'on': go on to three tokens; 'done': stop folding. */
  private pairRule(): 'again' | 'on' | 'done' {
    const a = this.v(this.at);
    const b = this.v(this.at + 1);
    // "a" "b" is one string in SQL; ;; is one statement end.
    if ((a.type === T.string && b.type === T.string) || (a.type === T.semicolon && b.type === T.semicolon)) {
      this.drop(1);
      return 'again';
    }
    // An operator followed by a unary operator or a type name: the second adds nothing.
    if ((a.type === T.operator || a.type === T.logic) && (isUnary(b) || b.type === T.sqlType)) {
      this.drop(1);
      this.at = 0;
      return 'again';
    }
    if (a.type === T.leftParen && isUnary(b)) {
      this.drop(1);
      this.back();
      return 'again';
    }
    // Phrases the table knows ("UNION ALL", "NOT IN", "GROUP BY") become one token.
    if (this.mergeWords(a, b)) {
      this.drop(1);
      this.back();
      return 'again';
    }
    // IF after a statement end is T-SQL's control statement, not the function.
    if (a.type === T.semicolon && b.type === T.func && b.val.length >= 2 && (b.val.charCodeAt(0) | 0x20) === 0x69 && (b.val.charCodeAt(1) | 0x20) === 0x66) {
      b.type = T.tsql;
      return 'again';
    }
    if ((a.type === T.bareword || a.type === T.variable) && b.type === T.leftParen && a.val.length <= 17 && FUNCTION_IF_CALLED.has(asciiUpper(a.val))) {
      a.type = T.func;
      return 'again';
    }
    // IN is an operator before a list, and nothing otherwise (MySQL's "IN BOOLEAN MODE" merges later).
    if (a.type === T.keyword) {
      if (sameWord(a.val, 'IN') || sameWord(a.val, 'NOT IN')) {
        a.type = b.type === T.leftParen ? T.operator : T.bareword;
        return 'again';
      }
    }
    if (a.type === T.operator) {
      // LIKE( is MySQL's function form.
      if (sameWord(a.val, 'LIKE') || sameWord(a.val, 'NOT LIKE')) {
        if (b.type === T.leftParen) a.type = T.func;
        return 'on';
      }
    }
    return this.pairRuleLate(a, b);
  }

  private pairRuleLate(a: Token, b: Token): 'again' | 'on' | 'done' {
    // A type name before a value is a cast; the value is what counts.
    if (a.type === T.sqlType && oneOf(b, CAST_TARGET)) {
      a.copyFrom(b);
      this.drop(1);
      this.at = 0;
      return 'again';
    }
    if (a.type === T.collate && b.type === T.bareword) {
      // Collation names are too many to list; one with an underscore is taken as one.
      if (b.val.includes('_')) {
        b.type = T.sqlType;
        this.at = 0;
      }
      return 'on';
    }
    if (a.type === T.backslash) {
      // T-SQL reads `\%1` as `0 % 1` and `\1` as `1`.
      if (isArithmetic(b)) a.type = T.number;
      else {
        a.copyFrom(b);
        this.drop(1);
      }
      this.at = 0;
      return 'again';
    }
    if ((a.type === T.leftParen && b.type === T.leftParen) || (a.type === T.rightParen && b.type === T.rightParen)) {
      this.drop(1);
      this.at = 0;
      return 'again';
    }
    if (a.type === T.leftBrace && b.type === T.bareword) {
      // MySQL accepts {``.``.id} as a name, which nothing else parses alike: evil.
      if (b.val.length === 0) {
        b.type = T.evil;
        return 'done';
      }
      // ODBC's {fn expr}: keep only the expression.
      this.drop(2);
      this.at = 0;
      return 'again';
    }
    if (b.type === T.rightBrace) {
      this.drop(1);
      this.at = 0;
      return 'again';
    }
    return 'on';
  }

  private mergeWords(a: Token, b: Token): boolean {
    if (!MERGE_LEFT.has(a.type) || !MERGE_RIGHT.has(b.type)) return false;
    if (this.tz.data.phraseStarts.get(a.val) === undefined) return false;
    const phrase = `${a.val} ${b.val}`;
    if (phrase.length > TOKEN_TEXT_MAX) return false;
    const type = lookupWord(this.tz.data, phrase);
    if (type === undefined) return false;
    a.type = type;
    a.val = phrase;
    return true;
  }

  /** Rules over three tokens; true when one fired. */
  private tripleRule(): boolean {
    const a = this.v(this.at);
    const b = this.v(this.at + 1);
    const c = this.v(this.at + 2);
    const collapse = (k: number) => {
      this.filled -= k;
      this.at = 0;
      return true;
    };
    // value op value → value: arithmetic and comparisons leave one value.
    if (a.type === T.number && b.type === T.operator && c.type === T.number) return collapse(2);
    if (a.type === T.operator && b.type !== T.leftParen && c.type === T.operator) return collapse(2);
    if (a.type === T.logic && c.type === T.logic) return collapse(2);
    if (a.type === T.variable && b.type === T.operator && oneOf(c, VAR_OPERAND)) return collapse(2);
    if ((a.type === T.bareword || a.type === T.number) && b.type === T.operator && (c.type === T.number || c.type === T.bareword)) return collapse(2);
    // PostgreSQL's value::type cast.
    if (oneOf(a, VALUE) && b.type === T.operator && b.val === '::' && c.type === T.sqlType) {
      this.tz.folds += 2;
      return collapse(2);
    }
    // value, value → value.
    if (oneOf(a, VALUE) && b.type === T.comma && oneOf(c, VALUE)) return collapse(2);
    // SELECT + (, GROUP BY - (, ", -(": the unary operator goes.
    if (oneOf(a, EXPR_OR_COMMA) && isUnary(b) && c.type === T.leftParen) {
      b.copyFrom(c);
      return collapse(1);
    }
    if (oneOf(a, KEYWORDISH) && isUnary(b) && oneOf(c, VALUE_OR_FUNC)) {
      b.copyFrom(c);
      return collapse(1);
    }
    // ", -1" is ",1", and then "1,1" can fold with what came before.
    if (a.type === T.comma && isUnary(b) && oneOf(c, VALUE)) {
      b.copyFrom(c);
      return collapse(3);
    }
    if (a.type === T.comma && isUnary(b) && c.type === T.func) {
      b.copyFrom(c);
      return collapse(1);
    }
    // database.table is one name.
    if (a.type === T.bareword && b.type === T.dot && c.type === T.bareword) return collapse(2);
    if (a.type === T.expression && b.type === T.dot && c.type === T.bareword) {
      b.copyFrom(c);
      return collapse(1);
    }
    // USER() takes no argument: USER(x) is a name followed by a bracket.
    if (a.type === T.func && b.type === T.leftParen && c.type !== T.rightParen && sameWord(a.val, 'USER')) a.type = T.bareword;
    return false;
  }
}

/** The folded tokens of the input under the given flags (the vectors' "folding" kind). */
export function foldTokens(input: string, flags: number = FLAG_QUOTE_NONE | FLAG_SQL_ANSI, data: SqliData = defaultSqliData()): Token[] {
  const f = new Folder().reset(new Tokenizer(input, flags, data));
  const n = f.run();
  return f.vec.slice(0, n);
}

// ---------------------------------------------------------------------------
// Fingerprint and detection

interface Pass {
  fingerprint: string;
  tokens: Token[];
  tz: Tokenizer;
}

/** Detection is synchronous and never re-entered, so its passes share one folder and its tokens. */
const sharedFolder = new Folder();

function pass(input: string, flags: number, data: SqliData): Pass {
  const tz = new Tokenizer(input, flags, data);
  const f = sharedFolder.reset(tz);
  const n = f.run();
  const tokens = f.vec.slice(0, n);
  // PHP's backtick-comment trick: a dangling, empty, unclosed `` ` `` at the end acts as a comment.
  const last = tokens[n - 1];
  if (n > 2 && last && last.type === T.bareword && last.open === '`' && last.val === '' && last.close === '') last.type = T.comment;
  let fp = '';
  for (const t of tokens) fp += t.type;
  // Input that databases would read differently (nested comments, /*!) is reported as X alone.
  if (fp.includes(T.evil)) fp = T.evil;
  return { fingerprint: fp, tokens, tz };
}

/** The fingerprint of one pass over the input (default: as written, ANSI comments). */
export function fingerprint(input: string, flags: number = FLAG_QUOTE_NONE | FLAG_SQL_ANSI, data: SqliData = defaultSqliData()): string {
  return pass(input, flags, data).fingerprint;
}

/**
 * Short fingerprints that ordinary text produces too are only taken as SQL
 * injection with more evidence. Returns true when the match stands.
 */
function confirm(p: Pass, input: string): boolean {
  const fp = p.fingerprint;
  const tk = p.tokens;
  const t0 = tk[0] as Token;
  const t1 = tk[1];
  // SQL Server leaves queries mentioning sp_password out of its audit log: a known trick.
  if (fp.length > 1 && fp.endsWith(T.comment) && input.includes('sp_password')) return true;
  if (fp.length === 2 && t1) {
    if (fp[1] === T.union) return p.tz.tokens !== 2; // "1 union" alone is prose; with a fold or comment it is not
    if (t1.val.startsWith('#')) return false; // "#" comments: too many false positives
    if (t0.type === T.bareword && t1.type === T.comment) return t1.val.startsWith('/'); // "word--" is prose
    if (t0.type === T.number && t1.type === T.comment) {
      if (t1.val.startsWith('/')) return true;
      if (p.tz.tokens > 2) return true; // something was folded: "1*1--"
      // "1234--" is an attack, "1234-ABC--" a token of some sort: the number must end at white space or a comment.
      const len = t0.val.length;
      const ch = len < input.length ? input.charCodeAt(len) : 0;
      // White space or a control; bytes from 0x80 count too, as they do for the reference (a signed char there).
      if (ch <= 32 || ch >= 0x80) return true;
      if (ch === 0x2f && input.charCodeAt(len + 1) === 0x2a) return true;
      if (ch === 0x2d && input.charCodeAt(len + 1) === 0x2d) return true;
      return false;
    }
    // "--" inside text is common; only a bare trailing "--" counts.
    if (t1.val.length > 2 && t1.val.startsWith('-')) return false;
    return true;
  }
  if (fp.length === 3 && t1) {
    const t2 = tk[2] as Token;
    if (fp === 'sos' || fp === 's&s') {
      // foo' OR 'bar: both strings open onto the input's edges with the same quote.
      return t0.open === '' && t2.close === '' && t0.close === t2.open;
    }
    if (fp === 's&n' || fp === 'n&1' || fp === '1&1' || fp === '1&v' || fp === '1&s') {
      return p.tz.tokens !== 3; // "sexy and 17" is prose; "sexy and 17<18" is not
    }
    if (t1.type === T.keyword) {
      // Only INTO OUTFILE / INTO DUMPFILE make a three-token keyword case an attack.
      return t1.val.length >= 5 && sameWord(t1.val.slice(0, 4), 'INTO');
    }
  }
  return true;
}

function matches(p: Pass, input: string, data: SqliData): boolean {
  return p.fingerprint !== '' && data.fingerprintTable.get(p.fingerprint) !== undefined && confirm(p, input);
}

export interface SqliResult {
  sqli: boolean;
  /** The fingerprint that matched; when none did, the last one computed. */
  fingerprint: string;
}

/**
 * Is the input SQL injection? Reads it as written, then as the rest of a
 * single-quoted string (if it holds a single quote), then of a double-quoted
 * one (if it holds a double quote); each under ANSI rules, and again under
 * MySQL's when a `--x` or `#` made the two differ.
 */
export function detectSqli(input: string, data: SqliData = defaultSqliData()): SqliResult {
  if (typeof input !== 'string' || input.length === 0) return { sqli: false, fingerprint: '' };
  let last = '';
  const run = (flags: number): Pass => {
    const p = pass(input, flags, data);
    last = p.fingerprint;
    return p;
  };
  // Under ANSI rules first; MySQL's reading only when a `--x` or `#` made the two differ.
  const ansiThenMysql = (quote: number): boolean => {
    const p = run(quote | FLAG_SQL_ANSI);
    if (matches(p, input, data)) return true;
    if (p.tz.commentDdx === 0 && p.tz.commentHash === 0) return false;
    return matches(run(quote | FLAG_SQL_MYSQL), input, data);
  };
  if (ansiThenMysql(FLAG_QUOTE_NONE)) return { sqli: true, fingerprint: last };
  if (input.includes("'") && ansiThenMysql(FLAG_QUOTE_SINGLE)) return { sqli: true, fingerprint: last };
  // Double-quoted strings exist in MySQL only, so that reading uses MySQL's rules alone.
  if (input.includes('"') && matches(run(FLAG_QUOTE_DOUBLE | FLAG_SQL_MYSQL), input, data)) return { sqli: true, fingerprint: last };
  return { sqli: false, fingerprint: last };
}
