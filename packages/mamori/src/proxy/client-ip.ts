/**
 * Which address a request comes from. The TCP peer is the truth unless it is
 * one of the configured trusted proxies; only then is `X-Forwarded-For` read,
 * right to left, skipping addresses that are themselves trusted proxies. The
 * first address that is not a trusted proxy is the client. Everything to its
 * left was written by the client and is ignored. An unparseable entry met on
 * that walk means the trusted chain is broken: the peer is used.
 */
import { type CidrList, formatIp, tryParseIp } from '../core/net.js';

/** At most this many X-Forwarded-For entries are examined. */
const MAX_CHAIN = 64;

/** The canonical text of an address (IPv4-mapped IPv6 becomes IPv4); the input when it is not one. */
export function normalizeIp(ip: string): string {
  const a = tryParseIp(ip);
  return a ? formatIp(a) : ip;
}

export interface Forwarding {
  /** The resolved client address. */
  readonly clientIp: string;
  /** The X-Forwarded-For entries to send upstream, client first, ending with the peer. */
  readonly chain: readonly string[];
  /** Whether the TCP peer is a trusted proxy. */
  readonly peerTrusted: boolean;
}

export function resolveForwarding(peerIp: string, xff: string | undefined, trusted: CidrList): Forwarding {
  const peer = normalizeIp(peerIp);
  const peerTrusted = trusted.size > 0 && trusted.contains(peer);
  const alone: Forwarding = { clientIp: peer, chain: [peer], peerTrusted };
  if (!peerTrusted || xff === undefined || xff.trim() === '') return alone;
  const entries = xff.split(',');
  const kept: string[] = [];
  for (let i = entries.length - 1; i >= 0 && kept.length < MAX_CHAIN; i--) {
    const text = entries[i]!.trim();
    // Some proxies write the client's port too (Azure Application Gateway: `203.0.113.5:4444`,
    // `[2001:db8::5]:443`): the address is what counts.
    const a = tryParseIp(text) ?? tryParseIp(withoutPort(text));
    if (!a) return alone;
    const ip = formatIp(a);
    kept.unshift(ip);
    if (!trusted.contains(a)) return { clientIp: ip, chain: [...kept, peer], peerTrusted };
  }
  if (kept.length === 0) return alone;
  // Every examined entry is a trusted proxy: the left-most one is the client.
  return { clientIp: kept[0]!, chain: [...kept, peer], peerTrusted };
}

/** `a.b.c.d:port` or `[v6]:port` without the port; other text as it is. */
function withoutPort(text: string): string {
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  if (v4) return v4[1]!;
  const v6 = /^\[([0-9A-Fa-f:.]{2,45})\]:\d{1,5}$/.exec(text);
  return v6 ? v6[1]! : text;
}

export function resolveClientIp(peerIp: string, xff: string | undefined, trusted: CidrList): string {
  return resolveForwarding(peerIp, xff, trusted).clientIp;
}

/** A client connection's address as the proxy resolved it, shared by the requests that resolve alike. */
export interface ResolvedAddress {
  /** The TCP peer, normalised. */
  readonly peerIp: string;
  readonly fwd: Forwarding;
  /** sourceKey of fwd.clientIp, filled in by whoever needs it first. */
  clientKey: string | undefined;
}

/** Entries each map of an AddressCache holds before it is emptied. */
const CACHE_ENTRIES = 1024;
/** X-Forwarded-For values longer than this are resolved each time, not remembered. */
const CACHE_XFF_LENGTH = 256;

function remember(map: Map<string, ResolvedAddress>, key: string, value: ResolvedAddress): void {
  if (map.size >= CACHE_ENTRIES) map.clear();
  map.set(key, value);
}

function resolved(peerIp: string, fwd: Forwarding): ResolvedAddress {
  Object.freeze(fwd.chain);
  return { peerIp, fwd: Object.freeze(fwd), clientKey: undefined };
}

/**
 * resolveForwarding for the proxy, remembering its recent answers: parsing
 * the peer's address (twice) and each X-Forwarded-For entry again for every
 * request of a keep-alive connection was a visible part of the proxy's time
 * per request. The answer depends only on the raw peer address, the header
 * and the trusted list (fixed per cache). Bounded: each map is emptied when
 * full, and only a trusted peer's X-Forwarded-For is remembered (no other
 * client can fill that map), up to CACHE_XFF_LENGTH characters.
 */
export class AddressCache {
  readonly #trusted: CidrList;
  /** By raw peer address: the answer without X-Forwarded-For (any untrusted peer's answer). */
  readonly #peers = new Map<string, ResolvedAddress>();
  /** By raw peer address and X-Forwarded-For, for trusted peers. */
  readonly #forwarded = new Map<string, ResolvedAddress>();

  constructor(trusted: CidrList) {
    this.#trusted = trusted;
  }

  resolve(rawPeer: string, xff: string | undefined): ResolvedAddress {
    let base = this.#peers.get(rawPeer);
    if (base === undefined) {
      const peerIp = normalizeIp(rawPeer);
      base = resolved(peerIp, resolveForwarding(peerIp, undefined, this.#trusted));
      remember(this.#peers, rawPeer, base);
    }
    // (resolveForwarding ignores the header in these cases: the answer is the peer's.)
    if (!base.fwd.peerTrusted || xff === undefined) return base;
    if (xff.length > CACHE_XFF_LENGTH) return { peerIp: base.peerIp, fwd: resolveForwarding(base.peerIp, xff, this.#trusted), clientKey: undefined };
    const key = `${rawPeer}\n${xff}`;
    let hit = this.#forwarded.get(key);
    if (hit === undefined) {
      hit = resolved(base.peerIp, resolveForwarding(base.peerIp, xff, this.#trusted));
      remember(this.#forwarded, key, hit);
    }
    return hit;
  }
}
