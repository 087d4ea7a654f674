/** The upstream target and the headers a request is forwarded with. */
import http, { type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { MamoriError } from '../core/errors.js';
import type { Forwarding } from './client-ip.js';
import { type HeaderMap, addVia, stripHopByHop } from './hop-by-hop.js';

export interface UpstreamTarget {
  readonly https: boolean;
  readonly hostname: string;
  readonly port: number;
  /** Prefixed to every forwarded path; '' or '/base' (no trailing slash). */
  readonly basePath: string;
  /** TLS server name: the upstream's host name, never the client's Host header ('' for an IP address). */
  readonly servername: string;
}

export function parseUpstream(text: string): UpstreamTarget {
  const bad = (why: string, cause?: unknown): MamoriError =>
    new MamoriError('MAMORI_ERR_PROXY_UPSTREAM', `the upstream URL ${why}; give one like http://127.0.0.1:3000`, { cause });
  if (typeof text !== 'string' || text.trim() === '') throw bad('is missing');
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch (cause) {
    throw bad('is not a valid URL', cause);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(`must use http or https, not ${u.protocol.slice(0, 16)}`);
  if (u.username !== '' || u.password !== '') throw bad('must not carry credentials');
  if (u.search !== '' || u.hash !== '') throw bad('must not have a query or fragment');
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const https = u.protocol === 'https:';
  return Object.freeze({
    https,
    hostname,
    port: u.port === '' ? (https ? 443 : 80) : Number(u.port),
    basePath: u.pathname.replace(/\/+$/, ''),
    servername: isIP(hostname) === 0 ? hostname : '',
  });
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The headers sent upstream: the client's (as Node merged them, so the
 * upstream sees exactly what the hooks saw) minus hop-by-hop ones, with the
 * X-Forwarded-* set and Via added. `host` stays as the client sent it. The
 * body framing (content-length or chunked) is set by the caller.
 */
export function upstreamHeaders(req: IncomingMessage, fwd: Forwarding): HeaderMap {
  const h = stripHopByHop(req.headers);
  delete h['expect'];
  if (!fwd.peerTrusted) {
    // Claims only a trusted proxy may make.
    delete h['forwarded'];
    delete h['x-real-ip'];
  }
  h['x-forwarded-for'] = fwd.chain.join(', ');
  const proto = fwd.peerTrusted ? first(h['x-forwarded-proto'])?.trim().toLowerCase() : undefined;
  h['x-forwarded-proto'] = proto === 'https' || proto === 'http' ? proto : 'http';
  const forwardedHost = fwd.peerTrusted ? first(h['x-forwarded-host']) : undefined;
  const host = forwardedHost ?? first(h['host']);
  if (host !== undefined) h['x-forwarded-host'] = host;
  else delete h['x-forwarded-host'];
  addVia(h);
  return h;
}

/** Opens the request to the upstream for a client request (same method and path, under the base path). */
export function openUpstreamRequest(t: UpstreamTarget, agent: http.Agent, req: IncomingMessage, headers: OutgoingHttpHeaders): ClientRequest {
  const options: https.RequestOptions = {
    agent,
    hostname: t.hostname,
    port: t.port,
    method: req.method,
    path: t.basePath + (req.url ?? '/'),
    headers,
  };
  if (t.https) options.servername = t.servername;
  return t.https ? https.request(options) : http.request(options);
}
