/**
 * Checks on a parsed request that Node's parser leaves to the application.
 * Node (llhttp, strict mode) already refuses Content-Length together with
 * Transfer-Encoding, duplicate or malformed Content-Length, and a final
 * encoding other than chunked; these checks repeat the framing rules on the
 * raw header list as a second line, and add the ones Node does not make.
 */
import type { IncomingMessage } from 'node:http';
import { urlPath } from '../core/url.js';
import { connectionNamesEndToEnd } from './hop-by-hop.js';

export interface Refusal {
  readonly status: 400 | 413 | 431 | 501 | 505;
  readonly reason: string;
}

export function checkRequest(req: IncomingMessage, maxHeaders: number): Refusal | undefined {
  const raw = req.rawHeaders;
  // Node keeps at most maxHeadersCount (set to maxHeaders + 1) entries: more means too many.
  if (raw.length / 2 > maxHeaders) return { status: 431, reason: 'too many header fields' };
  let contentLength = 0;
  let transferEncoding = 0;
  let host = 0;
  let te = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'content-length') contentLength++;
    else if (name === 'transfer-encoding') {
      transferEncoding++;
      te = raw[i + 1]!;
    } else if (name === 'host') host++;
  }
  if (contentLength > 1) return { status: 400, reason: 'more than one Content-Length' };
  if (contentLength > 0 && transferEncoding > 0) return { status: 400, reason: 'both Content-Length and Transfer-Encoding' };
  if (transferEncoding > 1) return { status: 400, reason: 'more than one Transfer-Encoding' };
  if (transferEncoding === 1 && te.trim().toLowerCase() !== 'chunked') return { status: 501, reason: 'Transfer-Encoding other than chunked' };
  if (host > 1) return { status: 400, reason: 'more than one Host' };
  // Connection may not take away a header mamori judged the request by (see hop-by-hop.ts).
  const named = connectionNamesEndToEnd(req.headers);
  if (named !== undefined) return { status: 400, reason: `Connection names the end-to-end header ${named.slice(0, 64)}` };
  // HTTP/0.9 has no headers, and a version Node reads beyond 1.1 (its parser takes 0.x) is no
  // request this proxy can forward as meant.
  // (An 0.x version with headers is malformed, as Apache answers it; a later one unsupported.)
  if (req.httpVersionMajor !== 1 || (req.httpVersionMinor !== 0 && req.httpVersionMinor !== 1)) return { status: req.httpVersionMajor === 0 ? 400 : 505, reason: `HTTP version ${req.httpVersion.slice(0, 8)}` };
  const url = req.url ?? '';
  if (!url.startsWith('/')) return { status: 400, reason: 'request target is not a path' };
  // No client sends a fragment; servers read what follows `#` differently (Apache refuses it).
  if (url.includes('#')) return { status: 400, reason: 'a fragment (#) in the request target' };
  if (hasDotSegment(url)) return { status: 400, reason: 'dot segment in the path' };
  return undefined;
}

/**
 * Whether the path holds a `.` or `..` segment, plain or percent-encoded.
 * Browsers never send one; forwarded as is, `/static/../login` would reach
 * the upstream's login while the hooks saw another path (or leave the base path).
 */
export function hasDotSegment(url: string): boolean {
  const path = urlPath(url);
  if (!path.includes('.') && !/%2e/i.test(path)) return false;
  for (const seg of path.split('/')) {
    const s = seg.replace(/%2e/gi, '.');
    if (s === '.' || s === '..') return true;
  }
  return false;
}

/** Whether the request carries a body (HTTP/1.1: Content-Length above 0, or chunked). */
export function hasRequestBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const cl = req.headers['content-length'];
  return cl !== undefined && cl !== '0' && /[1-9]/.test(cl);
}
