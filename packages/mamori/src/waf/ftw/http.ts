/**
 * go-ftw tests over HTTP: each stage's bytes, as written, sent on a connection of its own to a
 * WAF in front of a backend (mamori's proxy, in `mamori waf test --http`), the status read from
 * the answer, and the rules the WAF logged for that request taken from its transaction (matched
 * to the request by the client port). What the server in front refuses before any rule runs
 * (Node's HTTP parser, mamori's request checks) is judged by its status, as go-ftw judges it.
 */
import http from 'node:http';
import net from 'node:net';
import type { MatchedRule } from '../engine/transaction.js';
import { requestBytes, type FtwTest } from './ftw.js';
import { checkStage, logLine, type FtwResult } from './runner.js';

/** The logged rules of finished transactions, by the client port of their connection. */
export class TransactionFeed {
  readonly #done = new Map<number, readonly MatchedRule[]>();
  readonly #waiting = new Map<number, (m: readonly MatchedRule[]) => void>();

  /** Records a finished transaction (call from the WAF's onTransaction). */
  add(remotePort: number, matched: readonly MatchedRule[]): void {
    const logged = matched.filter((m) => m.logged && m.id > 0);
    const w = this.#waiting.get(remotePort);
    if (w) {
      this.#waiting.delete(remotePort);
      w(logged);
    } else this.#done.set(remotePort, logged);
  }

  /** The transaction of a connection from `port`, or undefined when none finishes within `ms`. */
  take(port: number, ms: number): Promise<readonly MatchedRule[] | undefined> {
    const got = this.#done.get(port);
    if (got) {
      this.#done.delete(port);
      return Promise.resolve(got);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(port);
        resolve(undefined);
      }, ms);
      this.#waiting.set(port, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }
}

interface Answer {
  readonly status: number;
  readonly localPort: number;
}

/** Sends raw bytes and reads one answer (its status); 0 when the server closed without one. */
function exchange(port: number, bytes: Buffer, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let localPort = 0;
    let settled = false;
    const done = (status: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, localPort });
    };
    const timer = setTimeout(() => done(statusOf(buf)), timeoutMs);
    socket.on('connect', () => {
      localPort = socket.localPort ?? 0;
      socket.write(bytes);
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (complete(buf)) done(statusOf(buf));
    });
    socket.on('end', () => done(statusOf(buf)));
    socket.on('error', () => done(statusOf(buf)));
  });
}

function statusOf(b: Buffer): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(b.subarray(0, 32).toString('latin1'));
  return m ? Number(m[1]) : 0;
}

/** Whether a buffer holds a whole answer: its head and the body its framing announces. */
function complete(b: Buffer): boolean {
  const end = b.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = b.subarray(0, end).toString('latin1').toLowerCase();
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (length) return b.length - end - 4 >= Number(length[1]);
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) return b.subarray(end).includes('\r\n0\r\n\r\n');
  const status = statusOf(b);
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

/**
 * The backend go-ftw's tests expect: `/reflect` answers with the status, headers and body its
 * JSON body asks for (`body`, or `encodedBody` in Base64); anything else gets 200 and a short page.
 */
export function ftwBackend(): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      if ((req.url ?? '').startsWith('/reflect')) {
        let spec: { status?: unknown; headers?: unknown; body?: unknown; encodedBody?: unknown } = {};
        try {
          spec = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof spec;
        } catch {
          spec = {};
        }
        const body = typeof spec.encodedBody === 'string' ? Buffer.from(spec.encodedBody, 'base64') : Buffer.from(typeof spec.body === 'string' ? spec.body : '', 'latin1');
        const headers: Record<string, string> = {};
        if (spec.headers && typeof spec.headers === 'object' && !Array.isArray(spec.headers)) {
          for (const [k, v] of Object.entries(spec.headers)) if (typeof v === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(k)) headers[k] = v;
        }
        const status = typeof spec.status === 'number' && spec.status >= 100 && spec.status <= 599 ? spec.status : 200;
        // As Go's server (go-ftw's backend) does: an answer without a Content-Type gets a sniffed one.
        if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = /^\s*</.test(body.subarray(0, 512).toString('latin1')) ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8';
        try {
          res.writeHead(status, { ...headers, 'content-length': String(body.length) });
          res.end(body);
        } catch {
          res.destroy();
        }
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body>ok</body></html>');
    });
  });
}

export interface HttpRunOptions {
  /** The port of the WAF (on 127.0.0.1). */
  readonly port: number;
  readonly feed: TransactionFeed;
  /** How long to wait for an answer (default 5 s). */
  readonly timeoutMs?: number;
  readonly skip?: (t: FtwTest) => string | undefined;
}

/** Runs tests over HTTP, one connection a stage, one stage at a time. */
export async function runFtwTestsOverHttp(tests: readonly FtwTest[], o: HttpRunOptions): Promise<FtwResult[]> {
  const out: FtwResult[] = [];
  for (const t of tests) {
    const why = o.skip?.(t);
    if (why !== undefined) {
      out.push({ test: t, outcome: 'skipped', reason: why });
      continue;
    }
    let failure: string | undefined;
    for (const [i, s] of t.stages.entries()) {
      const answer = await exchange(o.port, Buffer.from(requestBytes(s.input), 'latin1'), o.timeoutMs ?? 5000);
      // A request refused before the WAF (a 400 from the HTTP reader) never has a transaction.
      const logged = (await o.feed.take(answer.localPort, answer.status === 400 || answer.status === 0 ? 200 : 2000)) ?? [];
      let reason: string | undefined;
      if (s.output.expectError) reason = answer.status === 0 || answer.status === 400 ? undefined : `expected an error, got ${answer.status}`;
      else if (s.output.responseContains !== undefined) reason = 'checks the response body: not compared by this runner';
      else reason = checkStage(s, { status: answer.status, logged, log: logged.map(logLine).join('\n') });
      if (reason) {
        failure = t.stages.length > 1 ? `stage ${i + 1}: ${reason}` : reason;
        break;
      }
    }
    out.push(failure ? { test: t, outcome: 'failed', reason: failure } : { test: t, outcome: 'passed' });
  }
  return out;
}
