/**
 * mamoriWafHandler in front of plain node:http handlers: the request it hands on after reading
 * the body is what node's parser hands over (each property compared with node without the
 * handler), and the response wrapping that holds the answer for phases 3 and 4 keeps node's
 * behaviour where an app can see it (headersSent, errors thrown, callbacks), fails closed when the
 * WAF itself fails, and never lets a write after a refusal turn into an error event.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/config.js';
import { MemoryStore } from '../core/memory-store.js';
import { createGuard, type Guard } from './guard.js';
import { mamoriWafHandler } from './waf-http.js';

const RULES = `
SecRuleEngine On
SecRequestBodyAccess On
SecResponseBodyAccess On
SecResponseBodyMimeType text/plain text/html
SecRule ARGS "@contains attack" "id:2001,phase:2,deny,status:403,log,msg:'attack in the body'"
SecRule RESPONSE_HEADERS:X-Debug "@rx ." "id:2002,phase:3,deny,status:403,log,msg:'debug header'"
SecRule RESPONSE_BODY "@contains BEGIN RSA PRIVATE KEY" "id:2003,phase:4,deny,status:403,log,msg:'a key in the answer'"
`;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function makeGuard(dir: string, mode: 'enforce' | 'detect'): Guard {
  return createGuard(defaultConfig({ data_dir: join(dir, mode), waf: { mode, crs: 'off', own_rules: false, audit_log: false, response_body: true } }), {
    store: new MemoryStore(),
    secret: Buffer.alloc(32, 9),
    waf: { rules: { text: RULES, file: 'handler-rules.conf' } },
  });
}

/** Serves `handler` on 127.0.0.1 for one raw request; the raw answer. */
async function exchange(handler: Handler, request: string): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const parts: Buffer[] = [];
    socket.on('data', (c: Buffer) => parts.push(c));
    socket.write(request);
    await new Promise<void>((resolve, reject) => {
      socket.on('end', resolve);
      socket.on('error', reject);
    });
    return Buffer.concat(parts).toString('latin1');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const UA = 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\nAccept: text/html\r\n';
const BODY = 'q=green+tea';
/** A chunked form post with a repeated header and a trailer. */
const CHUNKED_POST =
  `POST /search HTTP/1.1\r\nHost: shop.example\r\n${UA}X-Dup: one\r\nX-Dup: two\r\nContent-Type: application/x-www-form-urlencoded\r\nTrailer: X-Checksum\r\n` +
  `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${BODY.length.toString(16)}\r\n${BODY}\r\n0\r\nX-Checksum: abc123\r\n\r\n`;
const get = (path: string, method = 'GET') => `${method} ${path} HTTP/1.1\r\nHost: shop.example\r\n${UA}Connection: close\r\n\r\n`;

function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
}
function bodyOf(raw: string): string {
  return raw.slice(raw.indexOf('\r\n\r\n') + 4);
}
/** The JSON an app answered with (read through chunked framing or not). */
function jsonOf(raw: string): Record<string, unknown> {
  const b = bodyOf(raw);
  return JSON.parse(b.slice(b.indexOf('{'), b.lastIndexOf('}') + 1)) as Record<string, unknown>;
}

describe('mamoriWafHandler: the request handed on is what node hands over', () => {
  let dir: string;
  let guard: Guard;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-waf-http-'));
    guard = makeGuard(dir, 'enforce');
  });
  after(async () => {
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What an app sees of its request, before it reads the body and once it has. */
  const observe: Handler = (req, res) => {
    const seen: Record<string, unknown> = {
      resReq: res.req === req,
      completeBefore: req.complete,
      headersDistinct: req.headersDistinct['x-dup'],
      trailersBefore: { ...req.trailers },
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.body = Buffer.concat(chunks).toString();
      seen.completeAtEnd = req.complete;
      seen.trailersAtEnd = req.trailers;
      seen.rawTrailersAtEnd = req.rawTrailers;
      seen.trailersDistinctAtEnd = req.trailersDistinct;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(seen));
    });
  };

  it('res.req, complete, headersDistinct, trailers and trailersDistinct as without the handler', async () => {
    const plain = jsonOf(await exchange(observe, CHUNKED_POST));
    const behind = jsonOf(await exchange(mamoriWafHandler(guard, observe), CHUNKED_POST));
    // What node gives (so that the comparison means something), then the same behind the handler.
    assert.equal(plain.resReq, true);
    assert.equal(plain.completeBefore, false);
    assert.equal(plain.completeAtEnd, true);
    assert.deepEqual(plain.headersDistinct, ['one', 'two']);
    assert.deepEqual(plain.trailersBefore, {});
    assert.deepEqual(plain.trailersAtEnd, { 'x-checksum': 'abc123' });
    assert.deepEqual(plain.trailersDistinctAtEnd, { 'x-checksum': ['abc123'] });
    for (const k of ['resReq', 'completeBefore', 'completeAtEnd', 'headersDistinct', 'trailersBefore', 'trailersAtEnd', 'rawTrailersAtEnd', 'trailersDistinctAtEnd', 'body']) {
      assert.deepEqual(behind[k], plain[k], k);
    }
  });
});

describe('mamoriWafHandler: holding the answer keeps what an app sees of node', () => {
  let dir: string;
  let enforce: Guard;
  let detect: Guard;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-waf-http-'));
    enforce = makeGuard(dir, 'enforce');
    detect = makeGuard(dir, 'detect');
  });
  after(async () => {
    for (const g of [enforce, detect]) {
      await g.close();
      await g.store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('writeHead chains, headersSent is true once the head is written, a second writeHead and a bad status throw as in node', async () => {
    const app: Handler = (_req, res) => {
      const seen: Record<string, unknown> = {};
      const before = res.headersSent;
      const same = res.writeHead(200, { 'content-type': 'text/plain' }) === res;
      seen.sent = [before, res.headersSent, same];
      try {
        res.writeHead(201);
      } catch (err) {
        seen.again = (err as NodeJS.ErrnoException).code;
      }
      res.end(JSON.stringify(seen));
    };
    const plain = jsonOf(await exchange(app, get('/x')));
    const behind = jsonOf(await exchange(mamoriWafHandler(enforce, app), get('/x')));
    assert.deepEqual(plain, { sent: [false, true, true], again: 'ERR_HTTP_HEADERS_SENT' });
    assert.deepEqual(behind, plain);
    const badStatus: Handler = (_req, res) => {
      let code: string | undefined;
      try {
        res.writeHead(42);
      } catch (err) {
        code = (err as NodeJS.ErrnoException).code;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(String(code));
    };
    assert.match(bodyOf(await exchange(mamoriWafHandler(enforce, badStatus), get('/x'))), /\bERR_HTTP_INVALID_STATUS_CODE\b/);
  });

  it('drops what the app writes after a refusal, without an error event, and calls its callbacks', async () => {
    let calls = 0;
    let errors = 0;
    const app: Handler = (_req, res) => {
      res.on('error', () => errors++);
      res.writeHead(200, { 'content-type': 'text/plain', 'x-debug': '1' });
      res.write('more', () => calls++);
      res.end('the end', () => calls++);
    };
    const raw = await exchange(mamoriWafHandler(enforce, app), get('/x'));
    assert.equal(statusOf(raw), 403);
    assert.ok(!raw.includes('more') && !raw.includes('the end'));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(calls, 2);
    assert.equal(errors, 0);
  });

  it('a key in a text answer is refused in blocking mode, recorded and sent in detect mode', async () => {
    const app: Handler = (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.write('-----BEGIN RSA ');
      res.end('PRIVATE KEY-----\nMIIE...');
    };
    const blocked = await exchange(mamoriWafHandler(enforce, app), get('/key'));
    assert.equal(statusOf(blocked), 403);
    assert.ok(!blocked.includes('PRIVATE KEY'));
    const detected = await exchange(mamoriWafHandler(detect, app), get('/key'));
    assert.equal(statusOf(detected), 200);
    assert.match(detected, /-----BEGIN RSA [\s\S]*PRIVATE KEY-----/);
  });

  it('an error inside the WAF answers 500 while the answer is held; in detect mode the answer goes unchanged', async () => {
    const app: Handler = (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end('fine');
    };
    const errors: unknown[] = [];
    for (const g of [enforce, detect]) {
      const waf = g.waf!;
      const begin = waf.begin.bind(waf);
      waf.begin = (...a) => {
        const x = begin(...a);
        x.responseHead = () => {
          throw new Error('rules failed');
        };
        return x;
      };
    }
    try {
      const failed = await exchange(mamoriWafHandler(enforce, app, { onError: (e) => errors.push(e) }), get('/x'));
      assert.equal(statusOf(failed), 500);
      assert.ok(!bodyOf(failed).includes('fine'));
      const passed = await exchange(mamoriWafHandler(detect, app, { onError: (e) => errors.push(e) }), get('/x'));
      assert.equal(statusOf(passed), 200);
      assert.equal(bodyOf(passed), 'fine');
      assert.equal(errors.length, 2);
    } finally {
      for (const g of [enforce, detect]) delete (g.waf as { begin?: unknown }).begin;
    }
  });

  it('a refused request body still answers 403 before the app (phase 2), and HEAD gets no body', async () => {
    let ran = false;
    const app: Handler = (_req, res) => {
      ran = true;
      res.setHeader('content-type', 'text/plain');
      res.end('hello');
    };
    const post = `POST /f HTTP/1.1\r\nHost: a\r\n${UA}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\nConnection: close\r\n\r\nq=attack`;
    assert.equal(statusOf(await exchange(mamoriWafHandler(enforce, app), post)), 403);
    assert.equal(ran, false);
    const head = await exchange(mamoriWafHandler(enforce, app), get('/f', 'HEAD'));
    assert.equal(statusOf(head), 200);
    assert.equal(bodyOf(head), '');
    const noDate = (raw: string) => raw.replace(/^Date: .*\r\n/m, '');
    assert.equal(noDate(head), noDate(await exchange(app, get('/f', 'HEAD'))));
  });
});
