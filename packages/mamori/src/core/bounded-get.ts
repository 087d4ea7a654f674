/**
 * A GET of something mamori fetches for its users (a rule set, libinjection's data, an IoC
 * feed), bounded on every side an answering server controls: https only (http only from and to
 * 127.0.0.1, for tests), no credentials in the URL, redirects counted, the body's size, the whole
 * fetch's time and the socket's silence. Every failure is a MamoriError of the caller's code,
 * naming the URL.
 *
 * A redirect does not take the fetch from a public address to a private, loopback or link-local
 * one (10/8, 169.254.169.254, 127.0.0.1, fd00::/8 ...): a feed's server cannot point mamori at
 * the services of the network it runs in. The address checked is the one connected to: names
 * are resolved by our own lookup, which refuses a private answer before the connection is made
 * (so a name that resolves publicly first and privately next, DNS rebinding, gains nothing), and
 * the socket's peer is checked again once connected. `allowPrivateRedirects` lets a public feed
 * send mamori into the user's own network; a first URL on a private address is always fetched
 * (the user chose it).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { get as httpGet, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { BlockList, isIP, type Socket } from 'node:net';
import { MamoriError, type ErrorCode } from './errors.js';

export interface BoundedGetLimits {
  readonly maxBytes: number;
  /** The whole fetch, redirects included. */
  readonly timeoutMs: number;
  /** Silence on the socket. */
  readonly idleMs: number;
  readonly maxRedirects: number;
}

export interface BoundedGetOptions {
  /** The code of every failure. */
  code: ErrorCode;
  limits: BoundedGetLimits;
  /** Sent with each request (user-agent, accept, a conditional GET's validators). */
  headers: Readonly<Record<string, string>>;
  /**
   * Headers that carry a secret (an API key): sent to the first URL's origin only, and left
   * out when a redirect leads to another origin (scheme, host or port), as browsers do with
   * Authorization.
   */
  sensitiveHeaders?: readonly string[];
  /** What the URLs are, in messages: `only https:// feeds are fetched`. Default `URLs`. */
  what?: string;
  /** A 304 is an answer (the caller sent validators). */
  notModified?: boolean;
  /** Words after `answered N` for a status that is not an answer (a hint: `(no such release?)`). */
  statusHint?: (status: number) => string;
  /** Where redirects may lead (default: never from a public address to a private one). */
  addresses?: AddressPolicy;
}

export type AddressClass = 'public' | 'private';

export interface AddressPolicy {
  /** A redirect from a public address may lead to a private one (a feed mirrored on the user's own network). */
  readonly allowPrivateRedirects?: boolean;
  /** What to say after a refusal: how the user allows it (`--allow-private-redirects`). */
  readonly hint?: string;
  /** The class of an address connected to (default `addressClass`); injected by tests, where every server is 127.0.0.1. */
  readonly classify?: (address: string, url: URL) => AddressClass;
  /** Name resolution (default dns.lookup); injected by tests. */
  readonly resolve?: (hostname: string, callback: (err: Error | null, addresses: readonly LookupAddress[]) => void) => void;
}

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(net, bits, 'ipv6');

/** The 8 groups of an IPv6 address (with an IPv4 tail read as two groups). */
function groups6(a: string): number[] | undefined {
  let s = a.split('%')[0]!;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const b = v4.slice(1).map(Number);
    s = `${s.slice(0, v4.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...Array<string>(Math.max(fill, 0)).fill('0'), ...t].map((g) => parseInt(g, 16));
  return all.length === 8 && all.every((g) => g >= 0 && g <= 0xffff) ? all : undefined;
}

/**
 * Private (loopback, RFC 1918, shared 100.64/10, link-local, unique-local, multicast, reserved,
 * unspecified) or public. An IPv6 address that carries an IPv4 one (`::ffff:10.0.0.1`, NAT64
 * `64:ff9b::/96`, 6to4 `2002::/16`) is the class of the IPv4 address it carries.
 */
export function addressClass(address: string): AddressClass {
  const family = isIP(address.split('%')[0]!);
  if (family === 4) return PRIVATE.check(address, 'ipv4') ? 'private' : 'public';
  if (family !== 6) return 'private';
  const g = groups6(address);
  if (!g) return 'private';
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return addressClass(v4(g[6]!, g[7]!));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return addressClass(v4(g[6]!, g[7]!));
  if (g[0] === 0x2002) return addressClass(v4(g[1]!, g[2]!));
  return PRIVATE.check(address.split('%')[0]!, 'ipv6') ? 'private' : 'public';
}

/** What one hop may connect to, and what it did connect to. */
interface Hop {
  readonly mustBePublic: boolean;
  connected?: AddressClass;
}

function refusal(url: URL, address: string, o: BoundedGetOptions): string {
  return `${url.href.slice(0, 200)}: a redirect from a public address leads to ${address}, a private, loopback or link-local address: refused (a server may not point mamori into the network it runs in${o.addresses?.hint ? `; ${o.addresses.hint}` : ''})`;
}

/**
 * A `lookup` for http.get that resolves with the policy's resolver and, when the hop must stay
 * public, refuses before any connection a name with a private answer. The connection is made to
 * the addresses checked here.
 */
export function checkedLookup(url: URL, hop: { mustBePublic: boolean }, o: BoundedGetOptions) {
  const resolve = o.addresses?.resolve ?? ((host: string, cb: (err: Error | null, a: readonly LookupAddress[]) => void) => dnsLookup(host, { all: true }, (err, a) => cb(err, a ?? [])));
  const classify = o.addresses?.classify ?? addressClass;
  return (hostname: string, options: LookupOptions, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void): void => {
    resolve(hostname, (err, found) => {
      if (err) return cb(err, '', 0);
      let list = [...found];
      if (options.family === 4 || options.family === 6) list = list.filter((a) => a.family === options.family);
      if (list.length === 0) return cb(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), '', 0);
      const bad = hop.mustBePublic ? list.find((a) => classify(a.address, url) === 'private') : undefined;
      if (bad) return cb(new MamoriError(o.code, refusal(url, `${bad.address} (${hostname})`, o)), '', 0);
      if (options.all) cb(null, list);
      else cb(null, list[0]!.address, list[0]!.family);
    });
  };
}

export type BoundedAnswer = { status: 200; body: Buffer; url: string; headers: IncomingHttpHeaders } | { status: 304; url: string };

/** Refuses a URL mamori does not fetch; `first` is where the redirects started. */
export function checkFetchUrl(url: URL, first: URL, code: ErrorCode, what = 'URLs'): void {
  const local = (u: URL) => u.protocol === 'http:' && u.hostname === '127.0.0.1';
  if (url.username || url.password) throw new MamoriError(code, `${url.protocol}//${url.host}…: a URL with a user name or password is not used`);
  if (url.protocol === 'https:') return;
  if (local(url) && local(first)) return;
  throw new MamoriError(code, `${url.href.slice(0, 200)}: only https:// ${what} are fetched (http:// only to 127.0.0.1, for tests)`);
}

/** GET `url`, following redirects within the limits. */
export async function boundedGet(url: URL, o: BoundedGetOptions): Promise<BoundedAnswer> {
  const first = url;
  let current = url;
  const deadline = Date.now() + o.limits.timeoutMs;
  let previous: AddressClass | undefined;
  for (let hop = 0; ; hop++) {
    checkFetchUrl(current, first, o.code, o.what);
    const secret = new Set((o.sensitiveHeaders ?? []).map((h) => h.toLowerCase()));
    const hopOptions = current.origin === first.origin || secret.size === 0 ? o : { ...o, headers: Object.fromEntries(Object.entries(o.headers).filter(([k]) => !secret.has(k.toLowerCase()))) };
    const state: Hop = { mustBePublic: previous === 'public' && o.addresses?.allowPrivateRedirects !== true };
    const r = await getOnce(current, hopOptions, deadline, state);
    previous = state.connected;
    if ('redirect' in r) {
      if (hop >= o.limits.maxRedirects) throw new MamoriError(o.code, `${first.href}: more than ${o.limits.maxRedirects} redirects`);
      current = new URL(r.redirect, current);
      continue;
    }
    return r;
  }
}

function getOnce(url: URL, o: BoundedGetOptions, deadline: number, hop: Hop): Promise<BoundedAnswer | { redirect: string }> {
  const l = o.limits;
  const failure = (message: string, cause?: unknown) => new MamoriError(o.code, `${url.href}: ${message}`, cause === undefined ? {} : { cause });
  const classify = o.addresses?.classify ?? addressClass;
  // an address in the URL is never looked up: checked here, before any connection
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && hop.mustBePublic && classify(literal, url) === 'private') return Promise.reject(new MamoriError(o.code, refusal(url, literal, o)));
  return new Promise((done, reject) => {
    const req = (url.protocol === 'https:' ? httpsGet : httpGet)(url, { headers: { 'accept-encoding': 'identity', ...o.headers }, timeout: l.idleMs, lookup: checkedLookup(url, hop, o) as never });
    let settled = false;
    const finish = (err: unknown, value?: BoundedAnswer | { redirect: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err instanceof MamoriError ? err : failure((err as Error).message, err));
      else done(value!);
    };
    const abort = (message: string) => {
      finish(failure(message));
      req.destroy();
    };
    const timer = setTimeout(() => abort(`not fetched within ${Math.round(l.timeoutMs / 1000)} s`), Math.max(deadline - Date.now(), 0));
    req.on('timeout', () => abort(`no data for ${Math.round(l.idleMs / 1000)} s`));
    req.on('error', (err) => finish(err));
    // The peer connected to, checked again (and recorded: where the next redirect comes from).
    req.on('socket', (socket: Socket) => {
      const check = () => {
        const peer = socket.remoteAddress;
        if (!peer) return;
        const cls = classify(peer, url);
        hop.connected = cls;
        if (hop.mustBePublic && cls === 'private') {
          finish(new MamoriError(o.code, refusal(url, peer, o)));
          req.destroy();
        }
      };
      if (socket.remoteAddress) check();
      else socket.once('connect', check);
    });
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const drop = () => {
        res.resume();
        req.destroy();
      };
      if ([301, 302, 303, 307, 308].includes(status)) {
        drop();
        const location = res.headers.location;
        return location ? finish(undefined, { redirect: location }) : finish(failure(`answered ${status} with no Location`));
      }
      if (status === 304 && o.notModified) {
        drop();
        return finish(undefined, { status: 304, url: url.href });
      }
      if (status !== 200) {
        drop();
        return finish(failure(`answered ${status}${o.statusHint?.(status) ?? ''}`));
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > l.maxBytes) {
        req.destroy();
        return finish(failure(`${declared} bytes, more than the ${l.maxBytes} allowed`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > l.maxBytes) return abort(`more than the ${l.maxBytes} bytes allowed`);
        chunks.push(c);
      });
      res.on('error', (err) => finish(err));
      res.on('aborted', () => finish(failure('the answer was cut short')));
      res.on('end', () => {
        if (!res.complete) return finish(failure('the answer was cut short'));
        finish(undefined, { status: 200, body: Buffer.concat(chunks), url: url.href, headers: res.headers });
      });
    });
  });
}
