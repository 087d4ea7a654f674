/**
 * The IoC matcher: built once from indicators (the store's, the shipped
 * proxyware set's), then only looked up, by the scanner (files), the proxy and
 * the log watcher (IPs, domains, URLs) and `mamori host check`.
 *
 * Every lookup costs a bounded number of hash-table probes, whatever the number
 * of indicators:
 * - a hash, file name, path or URL: one probe each;
 * - an IP: one probe per prefix length present among the indicators (an exact
 *   address is a /32 or /128), at most 33 for IPv4 and 129 for IPv6;
 * - a domain: one probe per label (`a.b.evil.com` tries `a.b.evil.com`,
 *   `b.evil.com`, `evil.com`, `com`), at most 127 for a 253-character name.
 *
 * ```ts
 * const b = new IocMatcherBuilder();
 * b.add('domain', 'evil.example', 'my-feed');
 * const m = b.build();
 * m.matchDomain('cdn.EVIL.example.'); // [{ indicator: 'evil.example', kind: 'domain', source: 'my-feed' }]
 * ```
 */
import { domainToASCII } from 'node:url';
import { parseCidr, parseIpv4, tryParseIp } from 'mamori/internal';
import { canonicalUrl, normalizeIndicator, type IndicatorKind } from './indicator.js';

export interface IocHit {
  /** The indicator's value as stored (normalised). */
  readonly indicator: string;
  readonly kind: string;
  readonly source: string;
}

/** What the file scanner knows of a file. */
export interface IocFileQuery {
  path: string;
  name: string;
  sha256: string;
  sha1?: string;
  md5?: string;
}

/** A value's sources: one index into the source table, or several. */
type Sources = number | number[];

const NO_HITS: readonly IocHit[] = Object.freeze([]);
const MAX_HOST = 1024;

function addSource(map: Map<string | number, Sources>, key: string | number, src: number): boolean {
  const had = map.get(key);
  if (had === undefined) {
    map.set(key, src);
    return true;
  }
  if (had === src) return false;
  if (typeof had === 'number') {
    map.set(key, [had, src]);
    return true;
  }
  if (had.includes(src)) return false;
  had.push(src);
  return true;
}

function v6Key(w: readonly number[]): string {
  return `${w[0]!.toString(16)}:${w[1]!.toString(16)}:${w[2]!.toString(16)}:${w[3]!.toString(16)}`;
}

/** Words masked to a prefix (IPv6; IPv4 uses plain 32-bit arithmetic). */
function mask6(w: readonly number[], prefix: number, out: number[]): void {
  for (let i = 0; i < 4; i++) {
    const keep = Math.max(0, Math.min(32, prefix - i * 32));
    out[i] = keep === 0 ? 0 : keep === 32 ? w[i]! : (w[i]! & ((0xffffffff << (32 - keep)) >>> 0)) >>> 0;
  }
}

function mask4(n: number, prefix: number): number {
  return prefix === 0 ? 0 : prefix === 32 ? n : (n & ((0xffffffff << (32 - prefix)) >>> 0)) >>> 0;
}

function v4Text(n: number, prefix: number): string {
  const ip = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  return prefix === 32 ? ip : `${ip}/${prefix}`;
}

/**
 * IPv4 addresses and ranges in one open-addressing hash table of typed arrays,
 * keyed by (prefix length, masked address): no objects per entry, no boxed
 * numbers, one probe sequence per prefix length present.
 */
class V4Table {
  readonly #keys: Uint32Array;
  readonly #prefix: Uint8Array; // prefix + 1; 0 marks an empty slot
  readonly #vals: Int32Array; // >= 0 a source index; < 0 -(i + 1) into #lists
  readonly #lists: number[][];
  readonly #mask: number;
  /** Prefix lengths present, longest first. */
  readonly prefixes: readonly number[];

  constructor(byPrefix: Map<number, Map<number, Sources>>) {
    let count = 0;
    for (const m of byPrefix.values()) count += m.size;
    let cap = 16;
    while (cap < count * 2) cap *= 2;
    this.#keys = new Uint32Array(cap);
    this.#prefix = new Uint8Array(cap);
    this.#vals = new Int32Array(cap);
    this.#lists = [];
    this.#mask = cap - 1;
    for (const [prefix, m] of byPrefix) {
      for (const [key, src] of m) {
        let i = V4Table.#hash(key, prefix) & this.#mask;
        while (this.#prefix[i] !== 0) i = (i + 1) & this.#mask;
        this.#keys[i] = key;
        this.#prefix[i] = prefix + 1;
        if (typeof src === 'number') this.#vals[i] = src;
        else {
          this.#lists.push(src);
          this.#vals[i] = -this.#lists.length;
        }
      }
    }
    this.prefixes = [...byPrefix.keys()].sort((a, b) => b - a);
  }

  static #hash(key: number, prefix: number): number {
    let h = (key ^ Math.imul(prefix + 1, 0x9e3779b1)) | 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  get(key: number, prefix: number): Sources | undefined {
    const p = prefix + 1;
    for (let i = V4Table.#hash(key, prefix) & this.#mask; ; i = (i + 1) & this.#mask) {
      const q = this.#prefix[i]!;
      if (q === 0) return undefined;
      if (q === p && this.#keys[i] === key) {
        const v = this.#vals[i]!;
        return v >= 0 ? v : this.#lists[-v - 1];
      }
    }
  }
}

/** Collects indicators; `build()` makes the matcher, after which the builder is spent. */
export class IocMatcherBuilder {
  readonly #sources: string[] = [];
  readonly #sourceIndex = new Map<string, number>();
  readonly #exact = new Map<string, Map<string, Sources>>();
  /** IPv4 by prefix length: masked address → sources. */
  readonly #v4 = new Map<number, Map<number, Sources>>();
  /** IPv6 by prefix length: masked words → sources, and the text of each key (for hits). */
  readonly #v6 = new Map<number, Map<string, Sources>>();
  readonly #v6Text = new Map<string, string>();
  #count = 0;
  #built = false;

  /** Adds one indicator (normalising the value); returns false when the value is not one of its kind. */
  add(kind: IndicatorKind, value: string, source: string): boolean {
    if (this.#built) throw new Error('IocMatcherBuilder: build() was called already');
    const n = normalizeIndicator(kind, value);
    if ('error' in n) return false;
    this.addNormalized(n.kind, n.value, source);
    return true;
  }

  /** Adds a value already in normal form (the store's): no second normalisation at a million rows. */
  addNormalized(kind: IndicatorKind, value: string, source: string): void {
    let src = this.#sourceIndex.get(source);
    if (src === undefined) {
      src = this.#sources.length;
      this.#sources.push(source);
      this.#sourceIndex.set(source, src);
    }
    if (kind === 'ip' || kind === 'cidr') {
      let c;
      try {
        c = parseCidr(value);
      } catch {
        return;
      }
      if (c.version === 4) {
        let m = this.#v4.get(c.prefix);
        if (!m) this.#v4.set(c.prefix, (m = new Map()));
        if (addSource(m as Map<string | number, Sources>, c.words[3], src)) this.#count++;
      } else {
        let m = this.#v6.get(c.prefix);
        if (!m) this.#v6.set(c.prefix, (m = new Map()));
        const key = v6Key(c.words);
        if (addSource(m as Map<string | number, Sources>, key, src)) this.#count++;
        this.#v6Text.set(`${c.prefix}/${key}`, value);
      }
      return;
    }
    let m = this.#exact.get(kind);
    if (!m) this.#exact.set(kind, (m = new Map()));
    if (addSource(m as Map<string | number, Sources>, value, src)) this.#count++;
  }

  build(): IocMatcher {
    this.#built = true;
    return new IocMatcher(this.#sources, this.#exact, this.#v4, this.#v6, this.#v6Text, this.#count);
  }
}

export class IocMatcher {
  readonly #sources: readonly string[];
  readonly #md5: Map<string, Sources>;
  readonly #sha1: Map<string, Sources>;
  readonly #sha256: Map<string, Sources>;
  readonly #name: Map<string, Sources>;
  readonly #path: Map<string, Sources>;
  readonly #domain: Map<string, Sources>;
  readonly #url: Map<string, Sources>;
  readonly #v4: V4Table;
  readonly #v6: readonly (readonly [number, Map<string, Sources>])[];
  readonly #v6Text: Map<string, string>;
  readonly #scratch: number[] = [0, 0, 0, 0];
  /** Distinct (kind, value, source) entries. */
  readonly size: number;

  /** @internal use IocMatcherBuilder */
  constructor(
    sources: string[],
    exact: Map<string, Map<string, Sources>>,
    v4: Map<number, Map<number, Sources>>,
    v6: Map<number, Map<string, Sources>>,
    v6Text: Map<string, string>,
    size: number,
  ) {
    this.#sources = Object.freeze([...sources]);
    const get = (k: IndicatorKind) => exact.get(k) ?? new Map<string, Sources>();
    this.#md5 = get('md5');
    this.#sha1 = get('sha1');
    this.#sha256 = get('sha256');
    this.#name = get('file-name');
    this.#path = get('file-path');
    this.#domain = get('domain');
    this.#url = get('url');
    // Longest prefix first: the most specific hit leads.
    this.#v4 = new V4Table(v4);
    this.#v6 = [...v6.entries()].sort((a, b) => b[0] - a[0]);
    this.#v6Text = v6Text;
    this.size = size;
    Object.freeze(this);
  }

  /** The prefix lengths an IP lookup probes (IPv4, IPv6): at most 33 and 129. */
  get ipProbes(): { v4: number; v6: number } {
    return { v4: this.#v4.prefixes.length, v6: this.#v6.length };
  }

  #push(out: IocHit[] | undefined, found: Sources | undefined, indicator: string, kind: string): IocHit[] | undefined {
    if (found === undefined) return out;
    const list = out ?? [];
    if (typeof found === 'number') list.push({ indicator, kind, source: this.#sources[found]! });
    else for (const s of found) list.push({ indicator, kind, source: this.#sources[s]! });
    return list;
  }

  /** An IPv4 or IPv6 address (IPv4-mapped IPv6 as IPv4): exact indicators and every CIDR that holds it. */
  matchIp(ip: string): readonly IocHit[] {
    // The common case, a dotted quad, without allocating.
    const n4 = parseIpv4(ip);
    if (n4 !== undefined) return this.#matchV4(n4);
    const a = tryParseIp(ip);
    if (!a) return NO_HITS;
    if (a.version === 4) return this.#matchV4(a.words[3]);
    let out: IocHit[] | undefined;
    const w = this.#scratch;
    for (const [prefix, m] of this.#v6) {
      mask6(a.words, prefix, w);
      const key = v6Key(w);
      const found = m.get(key);
      if (found !== undefined) out = this.#push(out, found, this.#v6Text.get(`${prefix}/${key}`) ?? key, prefix === 128 ? 'ip' : 'cidr');
    }
    return out ?? NO_HITS;
  }

  #matchV4(n: number): readonly IocHit[] {
    let out: IocHit[] | undefined;
    const t = this.#v4;
    for (const prefix of t.prefixes) {
      const key = mask4(n, prefix);
      const found = t.get(key, prefix);
      if (found !== undefined) out = this.#push(out, found, v4Text(key, prefix), prefix === 32 ? 'ip' : 'cidr');
    }
    return out ?? NO_HITS;
  }

  /**
   * A host name: the name and each parent domain (`a.b.evil.com` hits an indicator
   * `evil.com`). An IP literal is looked up as an IP.
   */
  matchDomain(host: string): readonly IocHit[] {
    if (typeof host !== 'string' || host.length === 0 || host.length > MAX_HOST) return NO_HITS;
    let h = host;
    if (h.charCodeAt(h.length - 1) === 46) h = h.slice(0, -1);
    const first = h.charCodeAt(0);
    if (first === 91 || (first >= 48 && first <= 57) || h.includes(':')) {
      const ipHits = this.matchIp(h);
      if (ipHits.length > 0 || tryParseIp(h)) return ipHits;
    }
    h = h.toLowerCase();
    // eslint-disable-next-line no-control-regex
    if (/[^\x21-\x7e]/.test(h)) {
      h = domainToASCII(h);
      if (!h) return NO_HITS;
    }
    if (h.length > 253 || this.#domain.size === 0) return NO_HITS;
    let out: IocHit[] | undefined;
    let at = 0;
    for (let labels = 0; labels < 127; labels++) {
      const name = at === 0 ? h : h.slice(at);
      const found = this.#domain.get(name);
      if (found !== undefined) out = this.#push(out, found, name, 'domain');
      const dot = h.indexOf('.', at);
      if (dot < 0) break;
      at = dot + 1;
    }
    return out ?? NO_HITS;
  }

  /** A URL: the URL itself (canonical, without fragment), then its host as matchDomain / matchIp sees it. */
  matchUrl(url: string): readonly IocHit[] {
    if (typeof url !== 'string' || url.length === 0 || url.length > 64 * 1024) return NO_HITS;
    const u = canonicalUrl(url);
    if (u === undefined) return NO_HITS;
    const canonical = u.href;
    let out: IocHit[] | undefined = this.#url.size > 0 ? this.#push(undefined, this.#url.get(canonical), canonical, 'url') : undefined;
    const host = u.hostname;
    const hostHits = this.matchDomain(host);
    if (hostHits.length > 0) (out ??= []).push(...hostHits);
    return out ?? NO_HITS;
  }

  /** A file: its SHA-256 (and SHA-1, MD5 when known), its name (any case) and its path. */
  matchFile(f: IocFileQuery): { indicator: string; kind: string; source: string }[] {
    let out: IocHit[] | undefined;
    const look = (m: Map<string, Sources>, v: string | undefined, kind: string) => {
      if (v === undefined || v.length === 0 || m.size === 0) return;
      const key = v.toLowerCase();
      out = this.#push(out, m.get(key), key, kind);
    };
    look(this.#sha256, f.sha256, 'sha256');
    look(this.#sha1, f.sha1, 'sha1');
    look(this.#md5, f.md5, 'md5');
    look(this.#name, f.name, 'file-name');
    if (f.path && this.#path.size > 0) out = this.#push(out, this.#path.get(f.path), f.path, 'file-path');
    return out ?? [];
  }

  /** A process or file name alone (the host check's process names). */
  matchName(name: string): readonly IocHit[] {
    if (!name || this.#name.size === 0) return NO_HITS;
    const key = name.toLowerCase();
    return this.#push(undefined, this.#name.get(key), key, 'file-name') ?? NO_HITS;
  }

  /** A hash of any of the three lengths. */
  matchHash(hex: string): readonly IocHit[] {
    const h = hex.toLowerCase();
    const m = h.length === 64 ? this.#sha256 : h.length === 40 ? this.#sha1 : h.length === 32 ? this.#md5 : undefined;
    if (!m) return NO_HITS;
    const kind = h.length === 64 ? 'sha256' : h.length === 40 ? 'sha1' : 'md5';
    return this.#push(undefined, m.get(h), h, kind) ?? NO_HITS;
  }
}
