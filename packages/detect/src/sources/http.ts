/**
 * Application events posted as JSON to `POST /events` (path configurable), listening on
 * 127.0.0.1 unless told otherwise. The body is a JSON array of objects or JSON lines (one
 * object a line); each object becomes a line whose text is the object's JSON. Answers:
 *
 * - 202 `{"accepted": n}` once the consumer acknowledged the request's lines (the sender
 *   may count them delivered);
 * - 401 without `Authorization: Bearer <token>` or with another token (compared in constant
 *   time, on SHA-256 digests so the length does not leak either);
 * - 413 over the body bound (told by Content-Length before reading, or while reading);
 * - 400 for a body that is not JSON, naming the line or array element;
 * - 429 over the source's rate, 503 while the queue is full (both with Retry-After);
 * - 404 and 405 for other paths and methods.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MamoriError, systemClock, type Clock } from 'mamori';
import type { RawLine } from '../model.js';
import { cutText } from './lines.js';
import { Outbox } from './outbox.js';
import { batchBound, bucketFor, countError, lineBound, newCounters, type BatchConsumer, type LogSource, type SourceCounters, type SourceLimits } from './source.js';

export interface HttpSourceOptions extends SourceLimits {
  /** The bearer token senders must present: at least 16 characters. */
  token: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 5515; 0 picks a free port (tests). */
  port?: number;
  /** Default `/events`. */
  path?: string;
  /** Largest body read, bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Most events in one request (default 10,000). */
  maxEvents?: number;
  /** Lines waiting for the consumer at most (default 10,000). */
  maxQueued?: number;
}

export const MIN_TOKEN_LENGTH = 16;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class HttpSource implements LogSource {
  readonly input = 'http';
  readonly counters: SourceCounters = newCounters();
  readonly done: Promise<void>;
  readonly #opts: HttpSourceOptions;
  readonly #clock: Clock;
  readonly #maxLine: number;
  readonly #tokenDigest: Buffer;
  #outbox: Outbox | undefined;
  #server: Server | undefined;
  #address: { host: string; port: number } | undefined;
  #resolveDone!: () => void;

  constructor(opts: HttpSourceOptions) {
    if (typeof opts.token !== 'string' || opts.token.length < MIN_TOKEN_LENGTH) {
      throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `the HTTP event source needs a bearer token of at least ${MIN_TOKEN_LENGTH} characters`);
    }
    const port = opts.port ?? 5515;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', `HTTP event source port ${String(port)} is out of range`);
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#maxLine = lineBound(opts);
    this.#tokenDigest = digest(opts.token);
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  address(): { host: string; port: number } {
    if (!this.#address) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', 'the HTTP event source is not listening');
    return this.#address;
  }

  async start(consumer: BatchConsumer): Promise<void> {
    if (this.#outbox) throw new MamoriError('MAMORI_ERR_WATCH_SOURCE', 'the HTTP event source was started twice');
    this.#outbox = new Outbox(consumer, this.counters, {
      maxBatch: batchBound(this.#opts),
      maxQueued: Math.max(1, this.#opts.maxQueued ?? 10_000),
      bucket: bucketFor(this.#opts, this.#clock),
    });
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        countError(this.counters, err);
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
      });
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.maxHeadersCount = 50;
    server.maxConnections = 256;
    this.#server = server;
    const host = this.#opts.host ?? '127.0.0.1';
    const port = this.#opts.port ?? 5515;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new MamoriError('MAMORI_ERR_WATCH_SOURCE', `the HTTP event source could not listen on ${host}:${port}: ${err.message}`, { cause: err })));
      server.listen(port, host, () => {
        const a = server.address();
        if (a && typeof a === 'object') this.#address = { host: a.address, port: a.port };
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) {
      s.closeIdleConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    await this.#outbox?.close();
    this.#resolveDone();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== (this.#opts.path ?? '/events')) return send(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return send(res, 405, { error: 'only POST' }, { allow: 'POST' });
    const auth = req.headers.authorization;
    if (typeof auth !== 'string' || !/^Bearer [!-~]{1,512}$/.test(auth)) {
      return send(res, 401, { error: 'an Authorization: Bearer token is required' }, { 'www-authenticate': 'Bearer' });
    }
    if (!timingSafeEqual(digest(auth.slice(7)), this.#tokenDigest)) {
      this.counters.errors++;
      this.counters.lastError = 'a request with a wrong bearer token';
      return send(res, 401, { error: 'wrong bearer token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    const max = this.#opts.maxBodyBytes ?? 1024 * 1024;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) return tooLarge(req, res, max);
    const body = await readBody(req, max);
    if (body === 'too-large') return tooLarge(req, res, max);
    this.counters.bytes += body.length;
    const parsed = this.#parse(body, req.socket.remoteAddress ?? '');
    if (typeof parsed === 'string') {
      this.counters.skipped++;
      return send(res, 400, { error: parsed });
    }
    if (parsed.length === 0) return send(res, 202, { accepted: 0 });
    const outbox = this.#outbox!;
    const r = outbox.offerAll(parsed);
    if (r === 'rate') {
      this.counters.overRate += parsed.length;
      return send(res, 429, { error: 'over the rate of this source; send again later' }, { 'retry-after': '1' });
    }
    if (r !== 'ok') {
      this.counters.queueFull += parsed.length;
      return send(res, 503, { error: 'the watcher is behind; send again later' }, { 'retry-after': '1' });
    }
    await outbox.settled();
    send(res, 202, { accepted: parsed.length });
  }

  /** The body's events as lines, or why it is refused. */
  #parse(body: Buffer, peer: string): RawLine[] | string {
    if (!isUtf8(body)) return 'the body is not UTF-8';
    const text = body.toString('utf8').trim();
    const maxEvents = this.#opts.maxEvents ?? 10_000;
    const values: unknown[] = [];
    if (text.startsWith('[')) {
      let arr: unknown;
      try {
        arr = JSON.parse(text);
      } catch (err) {
        return `the body is not JSON: ${(err as Error).message.slice(0, 200)}`;
      }
      if (!Array.isArray(arr)) return 'the body is not a JSON array';
      for (let i = 0; i < arr.length; i++) {
        if (!isObject(arr[i])) return `element ${i} is not a JSON object`;
      }
      values.push(...(arr as unknown[]));
    } else if (text !== '') {
      const rows = text.split('\n');
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!.trim();
        if (row === '') continue;
        let v: unknown;
        try {
          v = JSON.parse(row);
        } catch {
          return `line ${i + 1} is not JSON`;
        }
        if (!isObject(v)) return `line ${i + 1} is not a JSON object`;
        values.push(v);
        if (values.length > maxEvents) break;
      }
    }
    if (values.length > maxEvents) return `more than ${maxEvents} events in one request`;
    const receivedAt = this.#clock.now();
    return values.map((v) => {
      const c = cutText(JSON.stringify(v), this.#maxLine);
      const line: RawLine = { text: c.text, input: this.input, receivedAt, meta: { peer } };
      return c.truncated ? { ...line, truncated: true } : line;
    });
  }
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const req = res.req;
  if (!req.readableEnded && !req.destroyed) {
    // A body not read (a refusal before reading it) is read to its end and thrown away
    // before the answer, so a kept-alive connection stays usable for the sender's next
    // request; the server's request timeout bounds how long that may take.
    req.removeAllListeners('data');
    req.once('end', () => send(res, status, body, headers));
    req.once('error', () => res.destroy());
    req.resume();
    return;
  }
  const b = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b), 'cache-control': 'no-store', ...headers });
  res.end(b);
}

function tooLarge(req: IncomingMessage, res: ServerResponse, max: number): void {
  // The rest of the body is read and thrown away (the server's request timeout bounds how
  // long), so the sender gets the answer instead of a reset connection.
  send(res, 413, { error: `the body is over ${max} bytes` });
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      if (n > max) return;
      n += c.length;
      if (n > max) {
        resolve('too-large');
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}
