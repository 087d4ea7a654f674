/** Servers and clients for the proxy's tests: everything on 127.0.0.1, port 0. Not part of the public API. */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly server: http.Server;
  close(): Promise<void>;
}

export async function listen(server: http.Server): Promise<TestServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** An upstream that records each request and answers 200 with a short JSON of what it saw. */
export async function echoUpstream(extraHeaders: Record<string, string> = {}): Promise<TestServer & { seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const out = Buffer.from(JSON.stringify({ url: req.url, bytes: body.length }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(out.length), ...extraHeaders });
      res.end(out);
    });
  });
  return Object.assign(await listen(server), { seen });
}

/** An address nothing listens on: a port bound and released. */
export async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface RawReply {
  /** Everything received, as latin1 text. */
  text: string;
  /** The connection was reset rather than closed. */
  reset: boolean;
}

/** Sends raw bytes and collects everything until the server closes the connection. */
export function rawExchange(port: number, payload: string | Buffer): Promise<RawReply> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let reset = false;
    const s = net.connect(port, '127.0.0.1', () => s.write(payload));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => {
      reset = true;
    });
    s.on('close', () => resolve({ text: Buffer.concat(chunks).toString('latin1'), reset }));
  });
}

/** The status code of the first response in raw text, or 0. */
export function statusOf(text: string): number {
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
  return m ? Number(m[1]) : 0;
}

/** A promise with its resolver, for waiting on an event without timers. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The WebAuthn options a passkey page of the MFA gate carries for its script (HTML-escaped JSON in data-options). */
export function passkeyOptions<T = { challenge: string; allowCredentials?: { id: string }[]; excludeCredentials?: { id: string }[]; rp?: { id: string }; user?: { id: string; name: string } }>(body: string | Buffer): T {
  const text = body.toString();
  const m = /data-options="([^"]*)"/.exec(text);
  if (!m) throw new Error(`no passkey form in: ${text.slice(0, 300)}`);
  return JSON.parse(m[1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))) as T;
}
