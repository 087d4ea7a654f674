/**
 * IP addresses and CIDR ranges without dependencies. An address is held as
 * four 32-bit words (IPv4 uses the last one); IPv4-mapped IPv6 addresses
 * (`::ffff:192.0.2.1`) are treated as the IPv4 address they carry.
 */
import { MamoriError } from './errors.js';

export interface IpAddress {
  readonly version: 4 | 6;
  /** Big-endian 32-bit words; IPv4 has [0, 0, 0, addr]. */
  readonly words: readonly [number, number, number, number];
}

export interface Cidr {
  readonly version: 4 | 6;
  readonly words: readonly [number, number, number, number];
  readonly prefix: number;
}

/** A dotted-quad IPv4 address as a 32-bit number (no allocation); undefined for anything else. */
export function parseIpv4(s: string): number | undefined {
  return typeof s === 'string' ? parseV4(s) : undefined;
}

function parseV4(s: string): number | undefined {
  // Four decimal parts of 1-3 digits, no leading zeros, each at most 255 (a hand-written scan: this runs per request).
  const len = s.length;
  if (len < 7 || len > 15) return undefined;
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let lead = 0;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || (digits > 1 && lead === 48) || part > 255) return undefined;
      n = n * 256 + part;
      if (i < len && ++dots > 3) return undefined;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) lead = c;
      if (++digits > 3) return undefined;
      part = part * 10 + (c - 48);
    } else return undefined;
  }
  return dots === 3 ? n >>> 0 : undefined;
}

function parseV6(input: string): [number, number, number, number] | undefined {
  let s = input;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (s.length < 2 || s.length > 45) return undefined;
  let tailV4: number | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    tailV4 = parseV4(s.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  const w: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) w[i] = ((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0;
  if (tailV4 !== undefined) w[3] = tailV4;
  return w;
}

/** Parses an address; returns undefined when it is not one. */
export function tryParseIp(input: string): IpAddress | undefined {
  if (typeof input !== 'string' || input.length === 0 || input.length > 64) return undefined;
  let s = input;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s.includes(':')) {
    const w = parseV6(s);
    if (!w) return undefined;
    if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return { version: 4, words: [0, 0, 0, w[3]] };
    return { version: 6, words: w };
  }
  const v4 = parseV4(s);
  return v4 === undefined ? undefined : { version: 4, words: [0, 0, 0, v4] };
}

export function parseIp(input: string): IpAddress {
  const ip = tryParseIp(input);
  if (!ip) throw new MamoriError('MAMORI_ERR_NET_ADDRESS', `"${String(input).slice(0, 64)}" is not an IPv4 or IPv6 address`);
  return ip;
}

function mask(words: readonly number[], prefix: number, version: 4 | 6): [number, number, number, number] {
  const out: [number, number, number, number] = [0, 0, 0, 0];
  const bitsBefore = version === 4 ? 96 : 0;
  const total = bitsBefore + prefix;
  for (let i = 0; i < 4; i++) {
    const start = i * 32;
    const keep = Math.max(0, Math.min(32, total - start));
    const m = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0;
    out[i] = ((words[i] ?? 0) & m) >>> 0;
  }
  if (version === 4) {
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
  }
  return out;
}

/** Parses `192.0.2.0/24`, `2001:db8::/32`, or a bare address (a /32 or /128). */
export function parseCidr(input: string): Cidr {
  const slash = input.indexOf('/');
  const addr = slash < 0 ? input : input.slice(0, slash);
  const ip = tryParseIp(addr.trim());
  const max = ip?.version === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : input.slice(slash + 1).trim();
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!ip || !(prefix >= 0 && prefix <= max)) {
    throw new MamoriError('MAMORI_ERR_NET_ADDRESS', `"${String(input).slice(0, 64)}" is not a CIDR range (like 192.0.2.0/24 or 2001:db8::/32)`);
  }
  return { version: ip.version, prefix, words: mask(ip.words, prefix, ip.version) };
}

/** The range of the given prefix length that holds an address (`192.0.2.7`, 24 → `192.0.2.0/24`). */
export function cidrOf(ip: IpAddress, prefix: number): Cidr {
  const max = ip.version === 4 ? 32 : 128;
  const p = Math.max(0, Math.min(max, Math.trunc(prefix)));
  return { version: ip.version, prefix: p, words: mask(ip.words, p, ip.version) };
}

export function cidrContains(range: Cidr, ip: IpAddress): boolean {
  if (range.version !== ip.version) return false;
  const m = mask(ip.words, range.prefix, ip.version);
  return m[0] === range.words[0] && m[1] === range.words[1] && m[2] === range.words[2] && m[3] === range.words[3];
}

export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) {
    const n = ip.words[3];
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const g: number[] = [];
  for (const w of ip.words) g.push(w >>> 16, w & 0xffff);
  // RFC 5952: compress the longest run of two or more zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp({ version: c.version, words: c.words })}/${c.prefix}`;
}

export interface SourceGrouping {
  /** Prefix length IPv4 sources are grouped by (32 = per address). */
  readonly ipv4Prefix: number;
  /** Prefix length IPv6 sources are grouped by (64 by default: one customer's subnet). */
  readonly ipv6Prefix: number;
}

export const DEFAULT_GROUPING: SourceGrouping = { ipv4Prefix: 32, ipv6Prefix: 64 };

/**
 * The key a source is counted under: an IPv4 address (or its range, when
 * aggregated) or, by default, the IPv6 /64 it belongs to. Unparseable
 * input groups under one shared key so it cannot mint fresh counters.
 */
export function sourceKey(ip: string, grouping: SourceGrouping = DEFAULT_GROUPING): string {
  const a = tryParseIp(ip);
  if (!a) return 'invalid';
  const prefix = a.version === 4 ? grouping.ipv4Prefix : grouping.ipv6Prefix;
  // A dotted-quad that parsed is already canonical (no leading zeros, no mapping): keep the string.
  if (a.version === 4 && prefix === 32) return ip.length <= 15 && ip[0] !== '[' && !ip.includes(':') ? ip : formatIp(a);
  if (a.version === 6 && prefix === 128) return formatIp(a);
  return formatCidr(cidrOf(a, prefix));
}

export function isLoopback(ip: string): boolean {
  const a = tryParseIp(ip);
  if (!a) return false;
  if (a.version === 4) return a.words[3] >>> 24 === 127;
  return a.words[0] === 0 && a.words[1] === 0 && a.words[2] === 0 && a.words[3] === 1;
}

/** A compiled list of ranges, matched in order. */
export class CidrList {
  readonly ranges: readonly Cidr[];
  constructor(entries: readonly string[]) {
    this.ranges = entries.map((e) => parseCidr(e));
  }
  contains(ip: string | IpAddress): boolean {
    const a = typeof ip === 'string' ? tryParseIp(ip) : ip;
    if (!a) return false;
    for (const r of this.ranges) if (cidrContains(r, a)) return true;
    return false;
  }
  get size(): number {
    return this.ranges.length;
  }
}
