/** Malformed and hostile HTTP, sent over raw sockets. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ClientErrorInfo, type RunningProxy, startProxy } from './http-proxy.js';
import { echoUpstream, rawExchange, statusOf } from './test-harness.js';

const headers = (n: number): string => Array.from({ length: n }, (_, i) => `x-h${i}: v\r\n`).join('');

describe('startProxy: request hygiene', () => {
  let up: Awaited<ReturnType<typeof echoUpstream>>;
  let proxy: RunningProxy;
  const clientErrors: ClientErrorInfo[] = [];
  let hookCalls = 0;
  before(async () => {
    up = await echoUpstream();
    proxy = await startProxy({
      upstream: up.url,
      hooks: { onRequest: async () => (hookCalls++, undefined), onClientError: (i) => clientErrors.push(i) },
    });
  });
  after(async () => {
    await proxy.close();
    await up.close();
  });

  /** Sends raw bytes; asserts the status, a clean close (no reset), and that nothing reached the upstream. */
  async function refused(payload: string, status: number): Promise<void> {
    const before = up.seen.length;
    const r = await rawExchange(proxy.port, payload);
    assert.equal(statusOf(r.text), status, JSON.stringify(r.text.slice(0, 60)));
    assert.match(r.text, /\r\nconnection: close\r\n/i);
    assert.equal(r.reset, false, 'closed cleanly, not reset');
    assert.equal(up.seen.length, before, 'nothing forwarded');
  }

  it('serves a well-formed request (control)', async () => {
    const r = await rawExchange(proxy.port, 'GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(r.text), 200);
  });

  it('refuses Content-Length together with Transfer-Encoding', () =>
    refused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n', 400));

  it('refuses duplicate Content-Length, equal or not, and a list value', async () => {
    await refused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi', 400);
    await refused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 30\r\n\r\nhi', 400);
    await refused('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\n\r\nhi', 400);
  });

  it('refuses a Connection header that names an end-to-end header the request carries', async () => {
    // The reproduction of issue 7: the body judged as JSON, forwarded without its type.
    const body = '{"email":"bob@example.com","x":"&email=alice@example.com&"}';
    await refused(`POST /login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nConnection: content-type\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 400);
    await refused('GET / HTTP/1.1\r\nHost: a\r\nCookie: s=1\r\nConnection: keep-alive, Cookie\r\n\r\n', 400);
    await refused('GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic YTpi\r\nConnection: authorization\r\n\r\n', 400);
    await refused('GET / HTTP/1.1\r\nHost: a\r\nX-Custom: 1\r\nConnection: x-custom\r\n\r\n', 400);
  });

  it('forwards Connection tokens that name hop-by-hop or absent headers, and strips routing overrides', async () => {
    const before = up.seen.length;
    const r = await rawExchange(
      proxy.port,
      'GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close, TE, x-absent\r\nTE: trailers\r\nX-Original-URL: /admin\r\nX-Rewrite-URL: /admin\r\nX-HTTP-Method-Override: DELETE\r\nX-Forwarded-Prefix: /admin\r\n\r\n',
    );
    assert.equal(statusOf(r.text), 200);
    assert.equal(up.seen.length, before + 1);
    const seen = up.seen[up.seen.length - 1]!;
    for (const name of ['x-original-url', 'x-rewrite-url', 'x-http-method-override', 'x-forwarded-prefix', 'te']) assert.equal(seen.headers[name], undefined, name);
  });

  it('refuses a Transfer-Encoding other than chunked', async () => {
    await refused('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nhi', 501);
    await refused('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', 501);
    await refused('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400);
  });

  it('refuses two Host headers, a missing Host, and a target that is not a path', async () => {
    await refused('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400);
    await refused('GET http://evil.example/ HTTP/1.1\r\nHost: a\r\n\r\n', 400);
    const missing = await rawExchange(proxy.port, 'GET / HTTP/1.1\r\n\r\n');
    assert.equal(statusOf(missing.text), 400);
  });

  it('refuses dot segments in the path, plain or percent-encoded', async () => {
    await refused('GET /static/../login HTTP/1.1\r\nHost: a\r\n\r\n', 400);
    await refused('GET /static/%2E%2e/login?x=1 HTTP/1.1\r\nHost: a\r\n\r\n', 400);
    await refused('GET /./login HTTP/1.1\r\nHost: a\r\n\r\n', 400);
    const ok = await rawExchange(proxy.port, 'GET /a..b/.well-known/x?p=../ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(ok.text), 200);
  });

  it('refuses a fragment in the target and HTTP versions other than 1.0 and 1.1', async () => {
    await refused('GET /#fragment HTTP/1.1\r\nHost: a\r\n\r\n', 400);
    await refused('GET /a?x=1#?id=2 HTTP/1.1\r\nHost: a\r\n\r\n', 400);
    await refused('GET / HTTP/0.9\r\nHost: a\r\n\r\n', 400);
    await refused('GET / HTTP/1.2\r\nHost: a\r\n\r\n', 400);
    const old = await rawExchange(proxy.port, 'GET / HTTP/1.0\r\nHost: a\r\n\r\n');
    assert.equal(statusOf(old.text), 200);
  });

  it('refuses malformed requests with 400 and answers CONNECT with 405', async () => {
    await refused('GET / HTTP/1.1\r\nHost: a\r\nBad Header : x\r\n\r\n', 400);
    await refused('\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03 not http at all\r\n\r\n', 400);
    await refused('CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n', 405);
  });

  it('answers 431 to headers larger than maxHeaderBytes', () => refused(`GET / HTTP/1.1\r\nHost: a\r\nx-big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431));

  it('answers 431 to more than maxHeaders header fields, and accepts exactly maxHeaders', async () => {
    await refused(`GET / HTTP/1.1\r\nHost: a\r\n${headers(100)}\r\n`, 431);
    const ok = await rawExchange(proxy.port, `GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n${headers(98)}\r\n`);
    assert.equal(statusOf(ok.text), 200);
  });

  it('answers 10,000 headers with a clean 431 and keeps serving', async () => {
    hookCalls = 0;
    await refused(`GET / HTTP/1.1\r\nHost: a\r\n${headers(10_000)}\r\n`, 431);
    // Megabytes still coming after the refusal are read and dropped, so the client sees the 431, not a reset.
    await refused(`GET / HTTP/1.1\r\nHost: a\r\n${headers(10_000)}x-tail: ${'y'.repeat(4 * 1024 * 1024)}\r\n\r\n`, 431);
    assert.equal(hookCalls, 0);
    const r = await rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(r.text), 200);
  });

  it('reports connection-level refusals to onClientError', () => {
    assert.ok(clientErrors.some((e) => e.status === 431 && e.code === 'HPE_HEADER_OVERFLOW' && e.peerIp.endsWith('127.0.0.1')));
    assert.ok(clientErrors.some((e) => e.status === 400 && e.code === 'HPE_UNEXPECTED_CONTENT_LENGTH'));
  });
});

describe('startProxy: count limit with room for many header bytes', () => {
  it('answers 10,000 small headers with 431 from the count check', async () => {
    const up = await echoUpstream();
    const proxy = await startProxy({ upstream: up.url, limits: { maxHeaderBytes: 1024 * 1024 }, hooks: { onRequest: async () => undefined } });
    try {
      const r = await rawExchange(proxy.port, `GET / HTTP/1.1\r\nHost: a\r\n${headers(10_000)}\r\n`);
      assert.equal(statusOf(r.text), 431);
      assert.equal(r.reset, false);
      assert.equal(up.seen.length, 0);
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});

describe('startProxy: slow clients', () => {
  it('answers 408 to headers (headersTimeoutMs) or a body (requestTimeoutMs) that do not arrive in time', async () => {
    const up = await echoUpstream();
    const proxy = await startProxy({ upstream: up.url, limits: { headersTimeoutMs: 100, requestTimeoutMs: 200 }, hooks: { onRequest: async () => undefined } });
    try {
      // The request never ends its header block: the proxy must give up on its own.
      const r = await rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: 1\r\n');
      assert.equal(statusOf(r.text), 408);
      // A body that never completes: requestTimeoutMs ends it, and the upstream never sees a whole request.
      const slowBody = await rawExchange(proxy.port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab');
      assert.equal(statusOf(slowBody.text), 408);
      assert.equal(up.seen.length, 0);
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
