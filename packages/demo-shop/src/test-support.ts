/** Helpers shared by this package's HTTP tests (not exported from the package). */
import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Logs in with form fields and returns the response (redirects are not followed). */
export function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), headers, redirect: 'manual' });
}

export function postJson(url: string, value: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body: typeof value === 'string' ? value : JSON.stringify(value),
    headers: { 'content-type': 'application/json', ...headers },
    redirect: 'manual',
  });
}

export function get(url: string, cookie?: string): Promise<Response> {
  return fetch(url, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
}

/** The `name=value` part of the first Set-Cookie header, for sending back. */
export function cookiePair(res: Response): string {
  const set = res.headers.getSetCookie()[0];
  if (!set) throw new Error('no Set-Cookie header');
  return set.split(';')[0]!;
}

export async function login(base: string, email: string, password: string): Promise<string> {
  const res = await postForm(`${base}/login`, { email, password });
  await res.arrayBuffer();
  if (res.status !== 302) throw new Error(`login failed with ${res.status}`);
  return cookiePair(res);
}

/**
 * Sends a POST whose body arrives in chunks without Content-Length, so the
 * server can only find out it is too large while reading.
 */
export function postChunked(url: string, type: string, chunks: Buffer[]): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': type, 'transfer-encoding': 'chunked' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may close the connection once it has answered; that is expected.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    for (const c of chunks) req.write(c);
    req.end();
  });
}
