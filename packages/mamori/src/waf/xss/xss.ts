/**
 * Cross-site-scripting detection by tokenizing the input as HTML5, the
 * technique libinjection published and ModSecurity's `@detectXSS` uses.
 *
 * The input is read by a small HTML5 tokenizer (tags, attribute names and
 * values, comments, doctypes, text) starting in five states: as page text, and
 * as the inside of an attribute value that is unquoted, single-, double- or
 * back-quoted, since a reflected value can land in any of these. It is XSS
 * when that reading yields something that runs script: a tag that loads or
 * runs code, an event-handler attribute, a style attribute, a URL attribute
 * whose value starts with a script scheme, a doctype, or one of the comment
 * forms old browsers execute.
 *
 * This is our own code; libinjection's HTML5 test vectors decide the
 * tokenizer's exact behaviour. The lists of dangerous tags, attributes and
 * URL schemes are ours, from the HTML and SVG specifications and the
 * published XSS filter-evasion catalogues.
 *
 * Input is a latin1 string (one character per request byte). Every state
 * moves forward; a call costs time linear in the input and constant memory,
 * and never throws.
 */

/** Where the tokenizer starts: in page text, or inside an attribute value with the given quoting. */
export const H5Start = {
  Data: 0,
  ValueNoQuote: 1,
  ValueSingleQuote: 2,
  ValueDoubleQuote: 3,
  ValueBackQuote: 4,
} as const;
export type H5Start = (typeof H5Start)[keyof typeof H5Start];

export const H5_TOKEN_NAMES = [
  'DATA_TEXT', 'TAG_NAME_OPEN', 'TAG_NAME_CLOSE', 'TAG_NAME_SELFCLOSE', 'TAG_DATA', 'TAG_CLOSE',
  'ATTR_NAME', 'ATTR_VALUE', 'TAG_COMMENT', 'DOCTYPE',
] as const;
export type H5TokenType = (typeof H5_TOKEN_NAMES)[number];

const enum St {
  Eof, Data, TagOpen, TagNameClose, BeforeAttrName, ValueSingle, ValueDouble, ValueBack,
  AfterAttrValueQuoted, AttrName, AfterAttrName, BeforeAttrValue, ValueNoQuote, SelfClosing, TagName,
}

const CH_NUL = 0x00;
const CH_BANG = 0x21;
const CH_DQUOTE = 0x22;
const CH_PERCENT = 0x25;
const CH_QUOTE = 0x27;
const CH_DASH = 0x2d;
const CH_SLASH = 0x2f;
const CH_LT = 0x3c;
const CH_EQUALS = 0x3d;
const CH_GT = 0x3e;
const CH_QUESTION = 0x3f;
const CH_RBRACKET = 0x5d;
const CH_TICK = 0x60;

/** White space between HTML tokens, plus NUL, which old Internet Explorer skipped. */
function isWhite(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === CH_NUL;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * An HTML5 tokenizer, cut down to what XSS detection needs. `next()` reads one
 * token into `type`/`start`/`len`; each state either makes a token, hands over
 * to the state that follows it on the same characters, or ends the input.
 */
export class Html5Tokenizer {
  type: H5TokenType = 'DATA_TEXT';
  start = 0;
  len = 0;
  private pos = 0;
  private state: St;
  private isClose = false;
  private readonly n: number;

  constructor(
    readonly s: string,
    startIn: H5Start = H5Start.Data,
  ) {
    this.n = s.length;
    this.state =
      startIn === H5Start.ValueNoQuote ? St.BeforeAttrName
      : startIn === H5Start.ValueSingleQuote ? St.ValueSingle
      : startIn === H5Start.ValueDoubleQuote ? St.ValueDouble
      : startIn === H5Start.ValueBackQuote ? St.ValueBack
      : St.Data;
  }

  get text(): string {
    return this.s.slice(this.start, this.start + this.len);
  }

  next(): boolean {
    return this.run(this.state);
  }

  private c(i: number): number {
    return this.s.charCodeAt(i);
  }

  private emit(type: H5TokenType, start: number, end: number, then: St): true {
    this.type = type;
    this.start = start;
    this.len = end - start;
    this.state = then;
    return true;
  }

  private run(state: St): boolean {
    switch (state) {
      case St.Eof:
        return false;
      case St.Data:
        return this.data();
      case St.TagOpen:
        return this.tagOpen();
      case St.TagNameClose:
        return this.tagNameClose();
      case St.BeforeAttrName:
        return this.beforeAttrName();
      case St.ValueSingle:
        return this.quotedValue(CH_QUOTE);
      case St.ValueDouble:
        return this.quotedValue(CH_DQUOTE);
      case St.ValueBack:
        return this.quotedValue(CH_TICK);
      case St.AfterAttrValueQuoted:
        return this.afterQuotedValue();
      case St.AttrName:
        return this.attrName();
      case St.AfterAttrName:
        return this.afterAttrName();
      case St.BeforeAttrValue:
        return this.beforeAttrValue();
      case St.ValueNoQuote:
        return this.unquotedValue();
      case St.SelfClosing:
        return this.selfClosing();
      case St.TagName:
        return this.tagName();
      default:
        return false;
    }
  }

  /** Skips white space; returns the character there, or -1 at the end. */
  private skipWhite(): number {
    while (this.pos < this.n) {
      const c = this.c(this.pos);
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === CH_NUL) this.pos++;
      else return c;
    }
    return -1;
  }

  /** Text up to the next '<'. */
  private data(): boolean {
    const from = this.pos;
    const lt = this.s.indexOf('<', from);
    if (lt < 0) {
      this.pos = this.n;
      if (this.n === from) {
        this.state = St.Eof;
        return false;
      }
      return this.emit('DATA_TEXT', from, this.n, St.Eof);
    }
    this.pos = lt + 1;
    if (lt === from) return this.tagOpen();
    return this.emit('DATA_TEXT', from, lt, St.TagOpen);
  }

  /** Just after '<'. */
  private tagOpen(): boolean {
    if (this.pos >= this.n) return false;
    const c = this.c(this.pos);
    if (c === CH_BANG) {
      this.pos++;
      return this.markupDeclaration();
    }
    if (c === CH_SLASH) {
      this.pos++;
      this.isClose = true;
      return this.endTagOpen();
    }
    if (c === CH_QUESTION) {
      this.pos++;
      return this.bogusComment();
    }
    if (c === CH_PERCENT) {
      // <% ... %>: not HTML5, but old Internet Explorer and Safari took it as a comment.
      this.pos++;
      return this.percentComment();
    }
    if (isAsciiLetter(c) || c === CH_NUL) return this.tagName();
    // Not a tag after all: the '<' is text.
    if (this.pos === 0) return this.data();
    return this.emit('DATA_TEXT', this.pos - 1, this.pos, St.Data);
  }

  /** Just after '</'. */
  private endTagOpen(): boolean {
    if (this.pos >= this.n) return false;
    const c = this.c(this.pos);
    if (c === CH_GT) return this.data();
    if (isAsciiLetter(c)) return this.tagName();
    this.isClose = false;
    return this.bogusComment();
  }

  private tagNameClose(): boolean {
    this.isClose = false;
    const at = this.pos;
    this.pos++;
    return this.emit('TAG_NAME_CLOSE', at, at + 1, this.pos < this.n ? St.Data : St.Eof);
  }

  private tagName(): boolean {
    const from = this.pos;
    for (let p = from; p < this.n; p++) {
      const c = this.c(p);
      if (c === CH_NUL) continue; // NUL inside a tag name was ignored by old browsers
      if (isWhite(c)) {
        this.pos = p + 1;
        return this.emit('TAG_NAME_OPEN', from, p, St.BeforeAttrName);
      }
      if (c === CH_SLASH) {
        this.pos = p + 1;
        return this.emit('TAG_NAME_OPEN', from, p, St.SelfClosing);
      }
      if (c === CH_GT) {
        if (this.isClose) {
          this.isClose = false;
          this.pos = p + 1;
          return this.emit('TAG_CLOSE', from, p, St.Data);
        }
        this.pos = p;
        return this.emit('TAG_NAME_OPEN', from, p, St.TagNameClose);
      }
    }
    this.pos = this.n;
    return this.emit('TAG_NAME_OPEN', from, this.n, St.Eof);
  }

  private beforeAttrName(): boolean {
    const c = this.skipWhite();
    if (c < 0) return false;
    if (c === CH_SLASH) {
      this.pos++;
      return this.selfClosing();
    }
    if (c === CH_GT) {
      const at = this.pos;
      this.pos++;
      return this.emit('TAG_NAME_CLOSE', at, at + 1, St.Data);
    }
    return this.attrName();
  }

  /** An attribute name; its first character is taken whatever it is (so `=x` is a name). */
  private attrName(): boolean {
    const from = this.pos;
    for (let p = from + 1; p < this.n; p++) {
      const c = this.c(p);
      if (isWhite(c)) {
        this.pos = p + 1;
        return this.emit('ATTR_NAME', from, p, St.AfterAttrName);
      }
      if (c === CH_SLASH) {
        this.pos = p + 1;
        return this.emit('ATTR_NAME', from, p, St.SelfClosing);
      }
      if (c === CH_EQUALS) {
        this.pos = p + 1;
        return this.emit('ATTR_NAME', from, p, St.BeforeAttrValue);
      }
      if (c === CH_GT) {
        this.pos = p;
        return this.emit('ATTR_NAME', from, p, St.TagNameClose);
      }
    }
    this.pos = this.n;
    return this.emit('ATTR_NAME', from, this.n, St.Eof);
  }

  private afterAttrName(): boolean {
    const c = this.skipWhite();
    if (c < 0) return false;
    if (c === CH_SLASH) {
      this.pos++;
      return this.selfClosing();
    }
    if (c === CH_EQUALS) {
      this.pos++;
      return this.beforeAttrValue();
    }
    if (c === CH_GT) return this.tagNameClose();
    return this.attrName();
  }

  private beforeAttrValue(): boolean {
    const c = this.skipWhite();
    if (c < 0) {
      this.state = St.Eof;
      return false;
    }
    if (c === CH_DQUOTE || c === CH_QUOTE || c === CH_TICK) return this.quotedValue(c);
    return this.unquotedValue();
  }

  /**
   * A quoted value. At the very start of the input the opening quote is
   * assumed to have come before it (the value-context readings), so nothing is skipped.
   */
  private quotedValue(quote: number): boolean {
    if (this.pos > 0) this.pos++;
    const from = this.pos;
    const close = from <= this.n ? this.s.indexOf(String.fromCharCode(quote), from) : -1;
    if (close < 0) {
      this.pos = Math.max(from, this.n);
      return this.emit('ATTR_VALUE', from, Math.max(from, this.n), St.Eof);
    }
    this.pos = close + 1;
    return this.emit('ATTR_VALUE', from, close, St.AfterAttrValueQuoted);
  }

  private afterQuotedValue(): boolean {
    if (this.pos >= this.n) return false;
    const c = this.c(this.pos);
    if (isWhite(c)) {
      this.pos++;
      return this.beforeAttrName();
    }
    if (c === CH_SLASH) {
      this.pos++;
      return this.selfClosing();
    }
    if (c === CH_GT) {
      const at = this.pos;
      this.pos++;
      return this.emit('TAG_NAME_CLOSE', at, at + 1, St.Data);
    }
    return this.beforeAttrName();
  }

  private unquotedValue(): boolean {
    const from = this.pos;
    for (let p = from; p < this.n; p++) {
      const c = this.c(p);
      if (isWhite(c)) {
        this.pos = p + 1;
        return this.emit('ATTR_VALUE', from, p, St.BeforeAttrName);
      }
      if (c === CH_GT) {
        this.pos = p;
        return this.emit('ATTR_VALUE', from, p, St.TagNameClose);
      }
    }
    this.pos = this.n;
    return this.emit('ATTR_VALUE', from, this.n, St.Eof);
  }

  /** Just after a '/' inside a tag. */
  private selfClosing(): boolean {
    if (this.pos >= this.n) return false;
    if (this.c(this.pos) === CH_GT) {
      const at = this.pos;
      this.pos++;
      return this.emit('TAG_NAME_SELFCLOSE', at - 1, at + 1, St.Data);
    }
    return this.beforeAttrName();
  }

  /** `<?...>` and other malformed markup: a comment up to the next '>'. */
  private bogusComment(): boolean {
    const from = this.pos;
    const gt = this.s.indexOf('>', from);
    if (gt < 0) {
      this.pos = this.n;
      return this.emit('TAG_COMMENT', from, this.n, St.Eof);
    }
    this.pos = gt + 1;
    return this.emit('TAG_COMMENT', from, gt, St.Data);
  }

  /** `<% ... %>`. */
  private percentComment(): boolean {
    const from = this.pos;
    let p = from;
    for (;;) {
      const pct = this.s.indexOf('%', p);
      if (pct < 0 || pct + 1 >= this.n) {
        this.pos = this.n;
        return this.emit('TAG_COMMENT', from, this.n, St.Eof);
      }
      if (this.c(pct + 1) === CH_GT) {
        this.pos = pct + 2;
        return this.emit('TAG_COMMENT', from, pct, St.Data);
      }
      p = pct + 1;
    }
  }

  /** Just after '<!': a doctype, CDATA, a comment, or a bogus comment. */
  private markupDeclaration(): boolean {
    const rest = this.n - this.pos;
    if (rest >= 7 && this.s.slice(this.pos, this.pos + 7).toUpperCase() === 'DOCTYPE') return this.doctype();
    if (rest >= 7 && this.s.startsWith('[CDATA[', this.pos)) {
      this.pos += 7;
      return this.cdata();
    }
    if (rest >= 2 && this.c(this.pos) === CH_DASH && this.c(this.pos + 1) === CH_DASH) {
      this.pos += 2;
      return this.comment();
    }
    return this.bogusComment();
  }

  /** `<!-- ... -->`, with NULs between the dashes ignored as old browsers did. */
  private comment(): boolean {
    const from = this.pos;
    const n = this.n;
    let p = from;
    for (;;) {
      const dash = this.s.indexOf('-', p);
      if (dash < 0 || dash > n - 3) {
        this.pos = n;
        return this.emit('TAG_COMMENT', from, n, St.Eof);
      }
      let k = dash + 1;
      while (k < n && this.c(k) === CH_NUL) k++;
      if (k === n) {
        this.pos = n;
        return this.emit('TAG_COMMENT', from, n, St.Eof);
      }
      if (this.c(k) !== CH_DASH) {
        p = dash + 1;
        continue;
      }
      k++;
      if (k === n) {
        this.pos = n;
        return this.emit('TAG_COMMENT', from, n, St.Eof);
      }
      if (this.c(k) !== CH_GT) {
        p = dash + 1;
        continue;
      }
      this.pos = k + 1;
      return this.emit('TAG_COMMENT', from, dash, St.Data);
    }
  }

  /** `<![CDATA[ ... ]]>`: its contents are text. */
  private cdata(): boolean {
    const from = this.pos;
    const n = this.n;
    let p = from;
    for (;;) {
      const rb = this.s.indexOf(']', p);
      if (rb < 0 || rb > n - 3) {
        this.pos = n;
        return this.emit('DATA_TEXT', from, n, St.Eof);
      }
      if (this.c(rb + 1) === CH_RBRACKET && this.c(rb + 2) === CH_GT) {
        this.pos = rb + 3;
        return this.emit('DATA_TEXT', from, rb, St.Data);
      }
      p = rb + 1;
    }
  }

  private doctype(): boolean {
    const from = this.pos;
    const gt = this.s.indexOf('>', from);
    if (gt < 0) {
      this.pos = this.n;
      return this.emit('DOCTYPE', from, this.n, St.Eof);
    }
    this.pos = gt + 1;
    return this.emit('DOCTYPE', from, gt, St.Data);
  }
}

// ---------------------------------------------------------------------------
// What counts as script

/** Drops NULs (browsers ignored them inside names) and upper-cases ASCII letters. */
function nameKey(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === CH_NUL || c > 0x7f) {
      plain = false;
      break;
    }
  }
  // All ASCII without NUL: toUpperCase changes a-z only.
  if (plain) return s.toUpperCase();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === CH_NUL) continue;
    out += String.fromCharCode(c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
  }
  return out;
}

/** Tags that run script, load a document or plugin, or change how the page's URLs and content are read. */
const SCRIPT_TAGS = new Set([
  'APPLET', 'BASE', 'COMMENT', 'EMBED', 'FRAME', 'FRAMESET', 'HANDLER', 'IFRAME', 'IMPORT', 'ISINDEX',
  'LINK', 'LISTENER', 'META', 'NOSCRIPT', 'OBJECT', 'SCRIPT', 'STYLE', 'VMLFRAME', 'XML', 'XSS',
]);

function isScriptTag(name: string): boolean {
  if (name.length < 3) return false;
  const key = name.length <= 8 || name.includes('\0') ? nameKey(name) : nameKey(name.slice(0, 3));
  // Every SVG element (svg, svg:script ...) and every XSL(T) one can carry script.
  return SCRIPT_TAGS.has(key) || key.startsWith('SVG') || key.startsWith('XSL');
}

const enum Attr {
  None,
  /** Its value is script (event handlers) or makes any name a tag (xmlns). */
  Script,
  /** Its value is a URL: dangerous when it starts with a script scheme. */
  Url,
  /** Its value is CSS, which old browsers let run script (expression(), behavior). */
  Style,
  /** Its value names another attribute (SVG animation's attributeName). */
  Indirect,
}

const URL_ATTRS = new Set([
  'ACTION', 'BACKGROUND', 'BY', 'DATAFORMATAS', 'DATASRC', 'DYNSRC', 'FILTER', 'FOLDER', 'FORMACTION',
  'FROM', 'HANDLER', 'HREF', 'LOWSRC', 'POSTER', 'SRC', 'TO', 'VALUES', 'XLINK:HREF',
]);

/** Whether s[at, at + word.length) is `word` (upper-case ASCII), ignoring the case of a-z. */
function sameAt(s: string, at: number, word: string): boolean {
  if (at + word.length > s.length) return false;
  for (let i = 0; i < word.length; i++) {
    let c = s.charCodeAt(at + i);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * attrKind of s[start, end) without building a key: read as the inside of a
 * tag, ordinary text is one attribute name per word. `nulFree` says the whole
 * input has no NUL, which would otherwise have to be dropped first.
 */
function attrKindAt(s: string, start: number, end: number, nulFree: boolean): Attr {
  const len = end - start;
  if (len < 2) return Attr.None;
  if (!nulFree) {
    for (let i = start; i < end; i++) if (s.charCodeAt(i) === CH_NUL) return attrKind(s.slice(start, end));
  }
  if (len >= 5 && (sameAt(s, start, 'ON') || sameAt(s, start, 'XMLNS') || sameAt(s, start, 'XLINK'))) return Attr.Script;
  if (len >= LISTED_NAMES.length) return Attr.None;
  const names = LISTED_NAMES[len] as string[];
  const kinds = LISTED_KINDS[len] as Attr[];
  for (let i = 0; i < names.length; i++) if (sameAt(s, start, names[i] as string)) return kinds[i] as Attr;
  return Attr.None;
}

/** The longest name in the lists below; a longer name without NULs can only match by prefix. */
const LONGEST_LISTED = 13;

/** The listed names and their kinds, by name length (index 0..13, empty where no name has that length). */
const LISTED_NAMES: string[][] = [];
const LISTED_KINDS: Attr[][] = [];
for (let len = 0; len <= LONGEST_LISTED; len++) {
  LISTED_NAMES.push([]);
  LISTED_KINDS.push([]);
}
for (const [name, kind] of [...[...URL_ATTRS].map((n): [string, Attr] => [n, Attr.Url]), ['STYLE', Attr.Style] as [string, Attr], ['ATTRIBUTENAME', Attr.Indirect] as [string, Attr]]) {
  LISTED_NAMES[name.length]?.push(name);
  LISTED_KINDS[name.length]?.push(kind);
}

function attrKind(name: string): Attr {
  if (name.length < 2) return Attr.None;
  const key = name.length <= LONGEST_LISTED || name.includes('\0') ? nameKey(name) : nameKey(name.slice(0, 5));
  if (name.length >= 5) {
    // onload, onerror, onmouseover, ...: event handlers hold script.
    if (key.startsWith('ON')) return Attr.Script;
    // xmlns and xlink make arbitrary names elements or links.
    if (key.startsWith('XMLNS') || key.startsWith('XLINK')) return Attr.Script;
  }
  if (key === 'STYLE') return Attr.Style;
  if (key === 'ATTRIBUTENAME') return Attr.Indirect;
  if (URL_ATTRS.has(key)) return Attr.Url;
  return Attr.None;
}

/**
 * Decodes one character at `i`, with numeric character references (`&#106;`,
 * `&#x6a`) decoded as a browser would in an attribute value. Returns the code
 * and the length read.
 */
function decodeAt(s: string, i: number, end: number): [number, number] {
  const c = s.charCodeAt(i);
  if (c !== 0x26 || end - i < 2) return [c, 1];
  if (s.charCodeAt(i + 1) !== 0x23) return [0x26, 1];
  const hex = i + 2 < end && (s.charCodeAt(i + 2) | 0x20) === 0x78;
  let p = hex ? i + 3 : i + 2;
  let val = 0;
  let digits = 0;
  while (p < end) {
    const d = s.charCodeAt(p);
    let v: number;
    if (d >= 0x30 && d <= 0x39) v = d - 0x30;
    else if (hex && (d | 0x20) >= 0x61 && (d | 0x20) <= 0x66) v = (d | 0x20) - 0x57;
    else break;
    val = val * (hex ? 16 : 10) + v;
    digits++;
    // Past the last code point: not a reference; read the '&' as itself.
    if (val > 0x10ffff) return [0x26, 1];
    p++;
  }
  if (digits === 0) return [0x26, 1];
  if (p < end && s.charCodeAt(p) === 0x3b) p++;
  return [val, p - i];
}

/**
 * Whether a URL value starts with `scheme` once character references are
 * decoded, leading control characters and spaces dropped, and NULs, tabs and
 * line breaks inside ignored (`java&#10;script:` and `jav&#x09;ascript:` still run).
 */
function urlStartsWith(s: string, from: number, end: number, scheme: string): boolean {
  let k = 0;
  let leading = true;
  let i = from;
  while (i < end) {
    if (k === scheme.length) return true;
    const [c, used] = decodeAt(s, i, end);
    i += used;
    if (leading && c <= 32) continue;
    leading = false;
    // NUL was ignored by old browsers; the URL parser removes tabs and line breaks anywhere.
    if (c === 0 || c === 9 || c === 10 || c === 13) continue;
    const up = c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
    if (up !== scheme.charCodeAt(k)) return false;
    k++;
  }
  return k === scheme.length;
}

/** `javascript:` (and `java...`), `vbscript:`, `data:` and `view-source:` URLs. */
function isScriptUrl(s: string, from: number, end: number): boolean {
  let i = from;
  // Browsers skip leading spaces, controls and (in some encodings) high bytes before the scheme.
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127) i++;
    else break;
  }
  return (
    urlStartsWith(s, i, end, 'DATA') ||
    urlStartsWith(s, i, end, 'VIEW-SOURCE') ||
    urlStartsWith(s, i, end, 'JAVA') ||
    urlStartsWith(s, i, end, 'VBSCRIPT')
  );
}

/** Comment forms that browsers ran: IE's conditional comments, `<?import>`, `<!ENTITY>`, and '`' ending a tag in IE. */
function isScriptComment(text: string): boolean {
  if (text.includes('`')) return true;
  const head = nameKey(text.slice(0, 8));
  if (text.length > 3 && (head.startsWith('[IF') || head.startsWith('XML'))) return true;
  if (text.length > 5 && (head.startsWith('IMPORT') || head.startsWith('ENTITY'))) return true;
  return false;
}

/** One reading of the input from one starting state. */
export function isXssFrom(input: string, startIn: H5Start): boolean {
  const h = new Html5Tokenizer(input, startIn);
  const nulFree = input.indexOf('\0') < 0;
  let attr = Attr.None;
  while (h.next()) {
    if (h.type !== 'ATTR_VALUE') attr = Attr.None;
    switch (h.type) {
      case 'DOCTYPE':
        return true;
      case 'TAG_NAME_OPEN':
        if (isScriptTag(h.text)) return true;
        break;
      case 'ATTR_NAME':
        attr = attrKindAt(input, h.start, h.start + h.len, nulFree);
        break;
      case 'ATTR_VALUE':
        if (attr === Attr.Script || attr === Attr.Style) return true;
        if (attr === Attr.Url && isScriptUrl(input, h.start, h.start + h.len)) return true;
        if (attr === Attr.Indirect && attrKind(h.text) !== Attr.None) return true;
        attr = Attr.None;
        break;
      case 'TAG_COMMENT':
        if (isScriptComment(h.text)) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

/** Is the input XSS in any of the five places a reflected value can land? */
export function detectXss(input: string): boolean {
  if (typeof input !== 'string' || input.length === 0) return false;
  // Every finding needs a '<' (tags, comments, doctypes) or an '=' (a value after
  // an attribute name: in the value-context readings the first value has no name).
  // Text with neither, most form values, cannot be XSS in any reading.
  if (input.indexOf('<') < 0 && input.indexOf('=') < 0) return false;
  return (
    isXssFrom(input, H5Start.Data) ||
    isXssFrom(input, H5Start.ValueNoQuote) ||
    isXssFrom(input, H5Start.ValueSingleQuote) ||
    isXssFrom(input, H5Start.ValueDoubleQuote) ||
    isXssFrom(input, H5Start.ValueBackQuote)
  );
}

/** All tokens from one starting state, as the vectors print them: TYPE,length,text. For tests and diagnosis. */
export function html5Tokens(input: string, startIn: H5Start = H5Start.Data): string[] {
  const h = new Html5Tokenizer(input, startIn);
  const out: string[] = [];
  while (h.next()) out.push(`${h.type},${h.len},${h.text}`);
  return out;
}
