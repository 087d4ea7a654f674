/**
 * XML-RPC, read strictly: the calls a login endpoint such as WordPress's
 * `xmlrpc.php` receives (with `system.multicall` carrying many calls in one
 * request) and the answers it gives.
 *
 * mamori must read a call exactly as the site will or refuse it, so only the
 * XML-RPC grammar itself is accepted: the elements of the specification and
 * whitespace between them, the five predefined entities and character
 * references, an optional XML declaration (UTF-8 only). Anything else (a
 * DOCTYPE, comments, CDATA, processing instructions, attributes, unknown or
 * misplaced elements, a struct naming a member twice) gives a problem, and
 * the login endpoint refuses the request. Input is bounded by the body limit;
 * nesting and element counts are capped here too.
 */

export type XmlRpcValue = string | number | boolean | XmlRpcValue[] | XmlRpcStruct | XmlRpcOther;
export interface XmlRpcStruct {
  readonly kind: 'struct';
  readonly members: ReadonlyMap<string, XmlRpcValue>;
}
/** A value mamori keeps only as a type: dateTime.iso8601, base64. */
export interface XmlRpcOther {
  readonly kind: 'dateTime.iso8601' | 'base64';
}

export interface XmlRpcCall {
  readonly method: string;
  readonly params: readonly XmlRpcValue[];
}

export interface XmlRpcResponse {
  /** Set when the answer is a fault. */
  readonly fault?: { readonly code: number | undefined; readonly message: string | undefined };
  readonly params?: readonly XmlRpcValue[];
}

export class XmlRpcError extends Error {}

const MAX_DEPTH = 32;
const MAX_ELEMENTS = 100_000;
/** The types WordPress's IXR reads; others (i8, nil) it drops, moving the params after them, so they are refused. */
const LEAF_TYPES = new Set(['string', 'int', 'i4', 'double', 'boolean', 'dateTime.iso8601', 'base64']);

/** PHP's trim(): spaces, tabs, line ends, NUL and vertical tab, at both ends. A loop: no regex backtracking. */
export function phpTrim(s: string): string {
  const strip = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x00 || c === 0x0b;
  let a = 0;
  let b = s.length;
  while (a < b && strip(s.charCodeAt(a))) a++;
  while (b > a && strip(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

/** A recursive-descent reader over the document's text. */
class Reader {
  #pos = 0;
  #elements = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new XmlRpcError(`${what} at character ${this.#pos}`);
  }

  /** Skips whitespace (the only text allowed between structural elements). */
  ws(): void {
    const s = this.s;
    while (this.#pos < s.length) {
      const c = s.charCodeAt(this.#pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.#pos++;
    }
  }

  prolog(): void {
    if (this.s.charCodeAt(0) === 0xfeff) this.fail('a byte-order mark');
    this.ws();
    if (this.s.startsWith('<?xml', this.#pos)) {
      const end = this.s.indexOf('?>', this.#pos);
      if (end < 0 || end - this.#pos > 200) this.fail('an unterminated XML declaration');
      const decl = this.s.slice(this.#pos, end);
      const enc = /\bencoding\s*=\s*["']([^"']*)["']/.exec(decl)?.[1]?.toLowerCase();
      if (enc !== undefined && enc !== 'utf-8' && enc !== 'utf8' && enc !== 'us-ascii') this.fail(`the encoding "${enc.slice(0, 32)}"`);
      this.#pos = end + 2;
    }
    this.ws();
  }

  end(): void {
    this.ws();
    if (this.#pos !== this.s.length) this.fail('content after the document');
  }

  /**
   * Reads a start tag `<name>` or `<name/>`: returns the name and whether it
   * was empty. Attributes, comments, CDATA, DOCTYPE and PIs are refused.
   */
  open(): { name: string; empty: boolean } {
    const s = this.s;
    if (s.charCodeAt(this.#pos) !== 0x3c) this.fail('text where an element was expected');
    const m = /^<([A-Za-z][A-Za-z0-9_.:-]{0,63})[ \t\r\n]*(\/?)>/.exec(s.slice(this.#pos, this.#pos + 72));
    if (!m) this.fail('markup other than a plain element');
    if (++this.#elements > MAX_ELEMENTS) this.fail('too many elements');
    this.#pos += m[0].length;
    return { name: m[1]!, empty: m[2] === '/' };
  }

  /** Whether the next thing (after whitespace) is the end tag of `name`, without consuming it. */
  atClose(name: string): boolean {
    this.ws();
    return this.s.startsWith(`</${name}`, this.#pos);
  }

  close(name: string): void {
    this.ws();
    const m = /^<\/([A-Za-z][A-Za-z0-9_.:-]{0,63})[ \t\r\n]*>/.exec(this.s.slice(this.#pos, this.#pos + 72));
    if (!m || m[1] !== name) this.fail(`a missing </${name}>`);
    this.#pos += m[0].length;
  }

  /** The text up to the next `<`, entities decoded; markup inside text is refused. */
  text(): string {
    const s = this.s;
    const lt = s.indexOf('<', this.#pos);
    const raw = s.slice(this.#pos, lt < 0 ? s.length : lt);
    this.#pos += raw.length;
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&<]{0,10});?/g, (all, ref: string) => {
      if (!all.endsWith(';')) this.fail('a bare "&"');
      const named = ENTITIES[ref];
      if (named !== undefined) return named;
      const code = /^#x([0-9a-fA-F]{1,6})$/.exec(ref) ? parseInt(ref.slice(2), 16) : /^#([0-9]{1,7})$/.exec(ref) ? parseInt(ref.slice(1), 10) : -1;
      if (code < 0) this.fail(`the entity "&${ref.slice(0, 12)};"`);
      if (!isXmlChar(code)) this.fail('a character reference to a character XML forbids');
      return String.fromCodePoint(code);
    });
  }

  /** `<value>...</value>`: a typed value, or untyped text (a string). */
  value(depth: number): XmlRpcValue {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const v = this.open();
    if (v.name !== 'value') this.fail(`<${v.name}> where <value> was expected`);
    // WordPress's IXR drops an untyped value with nothing but whitespace in it, which moves the
    // params after it: refused rather than read at another position.
    if (v.empty) this.fail('an empty <value/>');
    const s = this.s;
    // Untyped: text up to </value>; it must not hold markup.
    let look = this.#pos;
    while (look < s.length && ' \t\r\n'.includes(s[look]!)) look++;
    if (s.startsWith('</value', look) || s.charCodeAt(look) !== 0x3c) {
      // Text first: an untyped string, kept as it is (IXR does not trim it); all text or refused.
      const t = this.text();
      if (phpTrim(t) === '') this.fail('an empty untyped <value>');
      this.close('value');
      return t;
    }
    this.ws();
    const t = this.open();
    let out: XmlRpcValue;
    if (LEAF_TYPES.has(t.name)) {
      const text = t.empty ? '' : this.text();
      if (!t.empty) this.close(t.name);
      out = leaf(t.name, text, this);
    } else if (t.name === 'array') {
      out = t.empty ? [] : this.array(depth);
    } else if (t.name === 'struct') {
      out = t.empty ? { kind: 'struct', members: new Map() } : this.struct(depth);
    } else this.fail(`the value type <${t.name}>`);
    this.close('value');
    return out;
  }

  array(depth: number): XmlRpcValue[] {
    this.ws();
    const d = this.open();
    if (d.name !== 'data') this.fail(`<${d.name}> where <data> was expected`);
    const items: XmlRpcValue[] = [];
    if (!d.empty) {
      while (!this.atClose('data')) items.push(this.value(depth + 1));
      this.close('data');
    }
    this.close('array');
    return items;
  }

  struct(depth: number): XmlRpcStruct {
    const members = new Map<string, XmlRpcValue>();
    while (!this.atClose('struct')) {
      const m = this.open();
      if (m.name !== 'member' || m.empty) this.fail(`<${m.name}> where <member> was expected`);
      this.ws();
      const n = this.open();
      if (n.name !== 'name') this.fail(`<${n.name}> where <name> was expected`);
      const name = n.empty ? '' : phpTrim(this.text());
      if (!n.empty) this.close('name');
      this.ws();
      if (members.has(name)) this.fail(`the struct member "${name.slice(0, 40)}" twice`);
      members.set(name, this.value(depth + 1));
      this.close('member');
    }
    this.close('struct');
    return { kind: 'struct', members };
  }

  /** `<params>` with its `<param><value>` children. */
  params(): XmlRpcValue[] {
    const out: XmlRpcValue[] = [];
    while (!this.atClose('params')) {
      this.ws();
      const p = this.open();
      if (p.name !== 'param' || p.empty) this.fail(`<${p.name}> where <param> was expected`);
      this.ws();
      out.push(this.value(1));
      this.close('param');
    }
    this.close('params');
    return out;
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

function leaf(type: string, text: string, r: Reader): XmlRpcValue {
  switch (type) {
    case 'string':
      return phpTrim(text); // IXR trims strings
    case 'int':
    case 'i4': {
      const t = text.trim();
      if (!/^[+-]?[0-9]{1,19}$/.test(t)) r.fail(`the integer "${t.slice(0, 24)}"`);
      return Number(t);
    }
    case 'double': {
      const t = text.trim();
      if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$/.test(t) || t.length > 64) r.fail(`the double "${t.slice(0, 24)}"`);
      return Number(t);
    }
    case 'boolean': {
      const t = text.trim();
      if (t !== '0' && t !== '1') r.fail(`the boolean "${t.slice(0, 8)}"`);
      return t === '1';
    }
    default:
      return { kind: type as 'dateTime.iso8601' | 'base64' };
  }
}

/** Reads a `<methodCall>`; throws XmlRpcError with where and what when the text is not plain XML-RPC. */
export function parseXmlRpcCall(text: string): XmlRpcCall {
  const r = new Reader(text);
  r.prolog();
  const root = r.open();
  if (root.name !== 'methodCall' || root.empty) r.fail(`the root <${root.name}>`);
  r.ws();
  const m = r.open();
  if (m.name !== 'methodName') r.fail(`<${m.name}> where <methodName> was expected`);
  // Servers trim the method name (WordPress's IXR does, with PHP's trim).
  const method = m.empty ? '' : phpTrim(r.text());
  if (!m.empty) r.close('methodName');
  let params: XmlRpcValue[] = [];
  if (!r.atClose('methodCall')) {
    r.ws();
    const p = r.open();
    if (p.name !== 'params') r.fail(`<${p.name}> where <params> was expected`);
    if (!p.empty) params = r.params();
  }
  r.close('methodCall');
  r.end();
  return { method, params };
}

/** Reads a `<methodResponse>`; undefined when it is not plain XML-RPC. */
export function parseXmlRpcResponse(text: string): XmlRpcResponse | undefined {
  try {
    const r = new Reader(text);
    r.prolog();
    const root = r.open();
    if (root.name !== 'methodResponse' || root.empty) return undefined;
    r.ws();
    const body = r.open();
    let out: XmlRpcResponse;
    if (body.name === 'fault' && !body.empty) {
      r.ws();
      const f = r.value(1);
      r.close('fault');
      const members = typeof f === 'object' && !Array.isArray(f) && f.kind === 'struct' ? f.members : undefined;
      const code = members?.get('faultCode');
      const message = members?.get('faultString');
      out = { fault: { code: typeof code === 'number' ? code : undefined, message: typeof message === 'string' ? message : undefined } };
    } else if (body.name === 'params') {
      out = { params: body.empty ? [] : r.params() };
    } else return undefined;
    r.close('methodResponse');
    r.end();
    return out;
  } catch (err) {
    if (err instanceof XmlRpcError) return undefined;
    throw err;
  }
}

/** A struct's members, or undefined when the value is not a struct. */
export function structMembers(v: XmlRpcValue | undefined): ReadonlyMap<string, XmlRpcValue> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'struct' ? v.members : undefined;
}
