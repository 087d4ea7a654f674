/**
 * XML bodies for the WAF, read without a DOM and without ever resolving an external entity:
 * the text of every element (XML:/*) and the value of every attribute (XML://@*), with the
 * five predefined entities and character references decoded. A DOCTYPE that declares entities or names an external DTD
 * (the shape of XXE and "billion laughs") is flagged and its entities are not expanded; what
 * is not well-formed enough to read is an error (REQBODY_ERROR). Byte strings in and out
 * (UTF-8 text as its bytes).
 */

export interface XmlValues {
  /** Text nodes' content (whitespace-only ones left out), CDATA included, in document order. */
  readonly texts: readonly string[];
  /**
   * The root element's whole text content (every text node and CDATA section joined, as
   * libxml2's xmlNodeGetContent gives it and ModSecurity's XML:/* holds it): a payload split by
   * comments, CDATA or empty elements reads whole here (red team, issue 11).
   */
  readonly content: string;
  /** Attribute values, in document order. */
  readonly attributes: readonly (readonly [name: string, value: string])[];
  /** Each text of `texts` with the name of the element it sits in (what XML:/* does not say: the audit log's masking asks). */
  readonly elementTexts: readonly (readonly [element: string, text: string])[];
  /** The DOCTYPE declares entities (ENTITY) or names an external DTD (SYSTEM, PUBLIC): never read or expanded here; mamori refuses such a body. */
  readonly declaresEntities: boolean;
  readonly error: string | undefined;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_:\u0080-\uffff][-A-Za-z0-9_:.\u0080-\uffff]*/;

/** Entity and character references decoded; character references as their UTF-8 bytes. Unknown entities are kept as written. */
function decodeRefs(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});/g, (m, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return m;
      return Buffer.from(String.fromCodePoint(cp), 'utf8').toString('latin1');
    }
    return PREDEFINED[ref] ?? m;
  });
}

export function parseXml(body: string, maxNodes = 100_000, maxDepth = 256): XmlValues {
  const texts: string[] = [];
  const attributes: [string, string][] = [];
  const elementTexts: [string, string][] = [];
  let declaresEntities = false;
  const content: string[] = [];
  const fail = (error: string): XmlValues => ({ texts, content: content.join(''), attributes, elementTexts, declaresEntities, error });
  const stack: string[] = [];
  let nodes = 0;
  let root = false;
  let i = 0;
  const n = body.length;
  // A byte-order mark and the XML declaration may come first.
  if (body.startsWith('\xef\xbb\xbf')) i = 3;
  while (i < n) {
    if (++nodes > maxNodes) return fail(`XML: more than ${maxNodes} nodes`);
    const lt = body.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const raw = body.slice(i, textEnd);
      if (stack.length === 0) {
        if (raw.trim() !== '') return fail('XML: text outside the root element');
      } else {
        const t = decodeRefs(raw);
        content.push(t);
        if (raw.trim() !== '') {
          texts.push(t);
          elementTexts.push([stack[stack.length - 1]!, t]);
        }
      }
      i = textEnd;
      continue;
    }
    if (body.startsWith('<!--', i)) {
      const end = body.indexOf('-->', i + 4);
      if (end < 0) return fail('XML: a comment is not closed');
      i = end + 3;
    } else if (body.startsWith('<![CDATA[', i)) {
      const end = body.indexOf(']]>', i + 9);
      if (end < 0 || stack.length === 0) return fail('XML: a CDATA section is not closed, or outside the root');
      const t = body.slice(i + 9, end);
      content.push(t);
      if (t.trim() !== '') {
        texts.push(t);
        elementTexts.push([stack[stack.length - 1]!, t]);
      }
      i = end + 3;
    } else if (body.startsWith('<?', i)) {
      const end = body.indexOf('?>', i + 2);
      if (end < 0) return fail('XML: a processing instruction is not closed');
      i = end + 2;
    } else if (body.startsWith('<!DOCTYPE', i)) {
      if (root || stack.length > 0) return fail('XML: a DOCTYPE after the root element');
      // Up to the matching '>' (an internal subset in [...] may hold '>').
      let j = i + 9;
      let depth = 0;
      for (; j < n; j++) {
        const c = body[j];
        if (c === '"' || c === "'") {
          const q = body.indexOf(c, j + 1);
          if (q < 0) return fail('XML: a quote in the DOCTYPE is not closed');
          j = q;
        } else if (c === '[') depth++;
        else if (c === ']') depth--;
        else if (c === '>' && depth <= 0) break;
      }
      if (j >= n) return fail('XML: the DOCTYPE is not closed');
      // Entities declared in the internal subset, or an external DTD (SYSTEM or PUBLIC before
      // the subset), which readers that load DTDs fetch (a request to any URL) and which may
      // declare any entity: both refused alike.
      const doctype = body.slice(i, j);
      const beforeSubset = doctype.split('[')[0]!;
      if (/<!ENTITY/i.test(doctype) || /\s(?:SYSTEM|PUBLIC)[\s"']/i.test(beforeSubset)) declaresEntities = true;
      i = j + 1;
    } else if (body.startsWith('</', i)) {
      const end = body.indexOf('>', i + 2);
      if (end < 0) return fail('XML: an end tag is not closed');
      const name = body.slice(i + 2, end).trim();
      if (stack.pop() !== name) return fail(`XML: the end tag </${name.slice(0, 40)}> does not match`);
      i = end + 1;
    } else {
      const m = NAME.exec(body.slice(i + 1, i + 1 + 256));
      if (!m) return fail('XML: a tag without a name');
      if (stack.length === 0 && root) return fail('XML: a second root element');
      const name = m[0];
      let j = i + 1 + name.length;
      let selfClosing = false;
      for (;;) {
        while (j < n && /\s/.test(body[j]!)) j++;
        if (j >= n) return fail('XML: a start tag is not closed');
        if (body[j] === '>') {
          j++;
          break;
        }
        if (body.startsWith('/>', j)) {
          selfClosing = true;
          j += 2;
          break;
        }
        const a = NAME.exec(body.slice(j, j + 256));
        if (!a) return fail(`XML: a bad attribute in <${name.slice(0, 40)}>`);
        j += a[0].length;
        while (j < n && /\s/.test(body[j]!)) j++;
        if (body[j] !== '=') return fail(`XML: the attribute ${a[0].slice(0, 40)} has no value`);
        j++;
        while (j < n && /\s/.test(body[j]!)) j++;
        const q = body[j];
        if (q !== '"' && q !== "'") return fail(`XML: the attribute ${a[0].slice(0, 40)} is not quoted`);
        const end = body.indexOf(q, j + 1);
        if (end < 0) return fail('XML: an attribute value is not closed');
        attributes.push([a[0], decodeRefs(body.slice(j + 1, end))]);
        j = end + 1;
      }
      if (!selfClosing) {
        if (stack.length >= maxDepth) return fail(`XML: nested deeper than ${maxDepth}`);
        stack.push(name);
      }
      root = true;
      i = j;
    }
  }
  if (stack.length > 0) return fail(`XML: <${stack[stack.length - 1]!.slice(0, 40)}> is not closed`);
  if (!root) return fail('XML: no root element');
  return { texts, content: content.join(''), attributes, elementTexts, declaresEntities, error: undefined };
}
