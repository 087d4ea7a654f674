/** Small node:http helpers: bounded body reading, cookies, and responses. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body the shop reads; larger bodies get 413. */
export const MAX_BODY_BYTES = 16 * 1024;
const MAX_COOKIE_PAIRS = 50;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the whole body, refusing (413) as soon as it is known to exceed
 * `limit`: from Content-Length before reading, or while streaming.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(new HttpError(413, 'request body too large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | undefined): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(new HttpError(413, 'request body too large'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (err: Error): void => finish(err);
    const onAborted = (): void => finish(new HttpError(400, 'request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** The media type of the request, lower-cased, without parameters ('' when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new HttpError(400, 'body is not valid UTF-8');
  }
}

export function parseJson(body: Buffer): unknown {
  const text = decodeUtf8(body);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

export function getCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const pairs = header.split(';');
  for (let i = 0; i < pairs.length && i < MAX_COOKIE_PAIRS; i++) {
    const pair = pairs[i]!;
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

const COMMON_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const HTML_CSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string | string[]>): void {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': type, 'Content-Length': String(buf.length), ...headers });
  res.end(buf);
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string | string[]> = {}): void {
  send(res, status, 'text/html; charset=utf-8', html, { 'Content-Security-Policy': HTML_CSP, 'X-Frame-Options': 'DENY', ...headers });
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), headers);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string | string[]> = {}): void {
  send(res, status, 'text/plain; charset=utf-8', text, headers);
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(302, { ...COMMON_HEADERS, Location: location, 'Content-Length': '0', ...headers });
  res.end();
}
