/** Writing answers mamori generates: rendered responses, short plain errors, raw socket replies. */
import { STATUS_CODES, type ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RenderedResponse } from '../guard/verdict.js';
import { HOP_BY_HOP } from './hop-by-hop.js';

const DROPPED = new Set([...HOP_BY_HOP, 'content-length']);

export function plainError(status: number): RenderedResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    body: `${status} ${STATUS_CODES[status] ?? 'Error'}\n`,
  };
}

/** The headers of a rendered response, lower-cased, framing set by us. Throws on invalid names or values. */
export function renderedHeaders(r: RenderedResponse, length: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers)) {
    const name = k.toLowerCase();
    if (DROPPED.has(name)) continue;
    validateHeaderName(name);
    validateHeaderValue(name, v);
    out[name] = v;
  }
  if (r.setCookies && r.setCookies.length > 0) {
    for (const c of r.setCookies) validateHeaderValue('set-cookie', c);
    const first = out['set-cookie'];
    out['set-cookie'] = [...(first === undefined ? [] : typeof first === 'string' ? [first] : first), ...r.setCookies];
  }
  out['content-length'] = String(length);
  return out;
}

/** Whether an answer with this status, to this method, carries a body (not HEAD, 1xx, 204, 304). */
export function bodyAllowedFor(method: string | undefined, status: number): boolean {
  return method !== 'HEAD' && status !== 204 && status !== 304 && status >= 200;
}

/** Sends a rendered response with its status, headers, body and Content-Length; returns the body bytes sent. */
export function sendRendered(res: ServerResponse, r: RenderedResponse, method: string): number {
  const body = Buffer.from(r.body, 'utf8');
  res.writeHead(r.status, renderedHeaders(r, body.length));
  if (!bodyAllowedFor(method, r.status)) {
    res.end();
    return 0;
  }
  res.end(body);
  return body.length;
}

/** A whole HTTP/1.1 response as bytes, for sockets no ServerResponse owns; it announces `Connection: close`. */
export function rawResponse(r: RenderedResponse): Buffer {
  const body = Buffer.from(r.body, 'utf8');
  const headers = renderedHeaders(r, body.length);
  let head = `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? 'Unknown'}\r\n`;
  for (const [k, v] of Object.entries(headers)) for (const one of typeof v === 'string' ? [v] : v) head += `${k}: ${one}\r\n`;
  head += 'connection: close\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** A response head (status line and headers) for raw sockets; validates every header. */
export function rawHead(status: number, headers: Record<string, string | string[]>): Buffer {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    validateHeaderName(name);
    for (const v of typeof value === 'string' ? [value] : value) {
      validateHeaderValue(name, v);
      head += `${name}: ${v}\r\n`;
    }
  }
  return Buffer.from(`${head}\r\n`, 'latin1');
}

const closing = new WeakSet<Duplex>();

/** Whether `lingerClose` already answered on this socket. */
export function isClosing(socket: Duplex): boolean {
  return closing.has(socket);
}

/**
 * Answers on a raw socket and closes it gracefully: the answer and a FIN are
 * sent, then whatever the client is still sending is read and dropped for at
 * most `lingerMs`, so its pending bytes do not make the kernel reset the
 * connection before the client has read the answer.
 */
export function lingerClose(socket: Duplex, answer: Buffer | undefined, lingerMs: number): void {
  if (closing.has(socket)) return;
  closing.add(socket);
  socket.on('error', () => socket.destroy());
  if (!socket.writable || answer === undefined) {
    socket.destroy();
    return;
  }
  socket.end(answer);
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // The client has read our answer and closed its side: nothing left to wait for.
  socket.once('end', () => socket.destroy());
  socket.resume();
}
