/**
 * A small XML reader for the JVN feeds: elements, attributes, text, CDATA and comments into
 * a tree, bounded in size, depth and element count. No DTDs (a DOCTYPE is refused, so no
 * entity expansion), only the five predefined entities and numeric references. Names keep
 * their prefix (`sec:cpe`); the JVN documents use fixed prefixes.
 */
import { RecordError } from './json.js';

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
  /** 1-based line of the start tag, for messages. */
  readonly line: number;
}

export interface XmlLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxElements: number;
}
export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 16 * 1024 * 1024, maxDepth: 32, maxElements: 500_000 };

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string, where: string): string {
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-z]{2,4});/g, (m, e: string) => {
    if (e.startsWith('#')) {
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      if (cp > 0x10ffff || cp === 0) throw new RecordError(`${where}: bad character reference ${m}`);
      return String.fromCodePoint(cp);
    }
    const v = ENTITIES[e];
    if (v === undefined) throw new RecordError(`${where}: unknown entity ${m}`);
    return v;
  });
}

const NAME = /^[A-Za-z_][\w.:-]{0,99}/;
const ATTR = /^\s+([A-Za-z_][\w.:-]{0,99})\s*=\s*("[^"<]{0,8192}"|'[^'<]{0,8192}')/;

export function parseXml(text: string, where: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (text.length > limits.maxBytes) throw new RecordError(`${where}: larger than ${limits.maxBytes} bytes`);
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '', line: 1 };
  const stack: XmlElement[] = [root];
  let i = 0;
  let line = 1;
  let count = 0;
  const at = () => `${where}:${line}`;
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (text.charCodeAt(k) === 10) line++;
    i = to;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0 || lt > i) {
      const end = lt < 0 ? text.length : lt;
      const top = stack[stack.length - 1]!;
      // only what is kept is decoded: a run of 8 MiB of `&amp;` took 4 s to decode and throw away
      if (top.text.length < 65_536) top.text += decode(text.slice(i, Math.min(end, i + 65_536 - top.text.length + 16)), at());
      advance(end);
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) throw new RecordError(`${at()}: unterminated comment`);
      advance(end + 3);
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) throw new RecordError(`${at()}: unterminated CDATA`);
      const top = stack[stack.length - 1]!;
      if (top.text.length < 65_536) top.text += text.slice(i + 9, end);
      advance(end + 3);
    } else if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) throw new RecordError(`${at()}: unterminated processing instruction`);
      advance(end + 2);
    } else if (text.startsWith('<!', i)) {
      throw new RecordError(`${at()}: DOCTYPE and DTDs are not read`);
    } else if (text.startsWith('</', i)) {
      const m = NAME.exec(text.slice(i + 2, i + 110));
      const close = text.indexOf('>', i);
      if (!m || close < 0) throw new RecordError(`${at()}: bad end tag`);
      const top = stack.pop()!;
      if (top.name !== m[0] || stack.length === 0) throw new RecordError(`${at()}: </${m[0]}> does not close <${top.name}>`);
      advance(close + 1);
    } else {
      const m = NAME.exec(text.slice(i + 1, i + 101));
      if (!m) throw new RecordError(`${at()}: bad start tag`);
      if (++count > limits.maxElements) throw new RecordError(`${at()}: more than ${limits.maxElements} elements`);
      if (stack.length > limits.maxDepth) throw new RecordError(`${at()}: nested deeper than ${limits.maxDepth}`);
      let j = i + 1 + m[0].length;
      const attrs: Record<string, string> = {};
      for (let n = 0; ; n++) {
        const a = ATTR.exec(text.slice(j, j + 8400));
        if (!a) break;
        if (n >= 64) throw new RecordError(`${at()}: more than 64 attributes`);
        attrs[a[1]!] = decode(a[2]!.slice(1, -1), at());
        j += a[0].length;
      }
      while (j < text.length && /\s/.test(text[j]!)) j++;
      const el: XmlElement = { name: m[0], attrs, children: [], text: '', line };
      stack[stack.length - 1]!.children.push(el);
      if (text.startsWith('/>', j)) advance(j + 2);
      else if (text[j] === '>') {
        stack.push(el);
        advance(j + 1);
      } else throw new RecordError(`${at()}: bad attribute in <${m[0]}>`);
    }
  }
  if (stack.length !== 1) throw new RecordError(`${where}: <${stack[stack.length - 1]!.name}> is not closed`);
  return root;
}

/** Descendants named `name` (prefix included), depth first. */
export function findAll(el: XmlElement, name: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    findAll(c, name, out);
  }
  return out;
}

export const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);
