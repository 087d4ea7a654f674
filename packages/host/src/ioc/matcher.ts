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
import { parseCidr, parseIpv4, tryParseIp } from 'mamori/internal/net';
import { canonicalUrl, MIN_CIDR_PREFIX, normalizeIndicator, type IndicatorKind } from './indicator.js';
import { HexHashTable, V4Table, type Sources } from './tables.js';

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
      // Rows stored before ranges this broad were refused (MIN_CIDR_PREFIX) are not matched either.
      if (c.prefix < MIN_CIDR_PREFIX[c.version]) return;
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
    if (kind === 'domain' && !value.includes('.')) return; // a top-level domain: see normalizeIndicator
    let m = this.#exact.get(kind);
    if (!m) this.#exact.set(kind, (m = new Map()));
    if (addSource(m as Map<string | number, Sources>, value, src)) this.#count++;
  }

  build(): IocMatcher {
    this.#built = true;
    const m = new IocMatcher(this.#sources, this.#exact, this.#v4, this.#v6, this.#v6Text, this.#count);
    // What the matcher copied into its tables (hashes, IPv4) is freed with these maps, builder or not.
    for (const k of ['md5', 'sha1', 'sha256']) this.#exact.delete(k);
    this.#v4.clear();
    return m;
  }
}

export class IocMatcher {
  readonly #sources: readonly string[];
  readonly #md5: HexHashTable;
  readonly #sha1: HexHashTable;
  readonly #sha256: HexHashTable;
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
    // Hashes as raw bytes; the builder's maps of strings are dropped with it.
    this.#md5 = new HexHashTable(16, get('md5'));
    this.#sha1 = new HexHashTable(20, get('sha1'));
    this.#sha256 = new HexHashTable(32, get('sha256'));
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
    const hash = (t: HexHashTable, v: string | undefined, kind: string) => {
      if (v === undefined || v.length === 0 || t.size === 0) return;
      const found = t.get(v);
      if (found !== undefined) out = this.#push(out, found, v.toLowerCase(), kind);
    };
    hash(this.#sha256, f.sha256, 'sha256');
    hash(this.#sha1, f.sha1, 'sha1');
    hash(this.#md5, f.md5, 'md5');
    if (f.name && this.#name.size > 0) {
      const key = f.name.toLowerCase();
      out = this.#push(out, this.#name.get(key), key, 'file-name');
    }
    if (f.path && this.#path.size > 0) out = this.#push(out, this.#path.get(f.path), f.path, 'file-path');
    return out ?? [];
  }

  /** Whether any indicator is a file hash of this kind (the scanner hashes files by it only then). */
  holdsHash(kind: 'sha1' | 'md5'): boolean {
    return (kind === 'sha1' ? this.#sha1 : this.#md5).size > 0;
  }

  /** A process or file name alone (the host check's process names). */
  matchName(name: string): readonly IocHit[] {
    if (!name || this.#name.size === 0) return NO_HITS;
    const key = name.toLowerCase();
    return this.#push(undefined, this.#name.get(key), key, 'file-name') ?? NO_HITS;
  }

  /** A hash of any of the three lengths. */
  matchHash(hex: string): readonly IocHit[] {
    const t = hex.length === 64 ? this.#sha256 : hex.length === 40 ? this.#sha1 : hex.length === 32 ? this.#md5 : undefined;
    if (!t) return NO_HITS;
    const kind = hex.length === 64 ? 'sha256' : hex.length === 40 ? 'sha1' : 'md5';
    return this.#push(undefined, t.get(hex), hex.toLowerCase(), kind) ?? NO_HITS;
  }

  /** Bytes held in typed arrays (the hash and IPv4 tables), for memory reports. */
  get tableBytes(): number {
    return this.#md5.bytes + this.#sha1.bytes + this.#sha256.bytes + this.#v4.bytes;
  }
}
