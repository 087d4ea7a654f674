import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { isMamoriError } from '../core/errors.js';
import type { RenderedResponse } from '../guard/verdict.js';
import { type DoneInfo, type ProxyExchange, type ProxyHooks, type ProxyOptions, type RunningProxy, startProxy } from './http-proxy.js';
import { DEFAULT_PROXY_LIMITS } from './limits.js';
import { type TestServer, deadPort, deferred, echoUpstream, listen, rawExchange, request, statusOf } from './test-harness.js';

const pass: ProxyHooks = { onRequest: async () => undefined };
const forbidden: RenderedResponse = { status: 403, headers: { 'content-type': 'text/plain', 'x-mamori': 'blocked' }, body: 'nope ✋' };

async function withProxy(opts: Omit<ProxyOptions, 'hooks'> & { hooks?: ProxyHooks }, fn: (p: RunningProxy) => Promise<void>): Promise<void> {
  const p = await startProxy({ hooks: pass, ...opts });
  try {
    await fn(p);
  } finally {
    await p.close();
  }
}

describe('startProxy: forwarding', () => {
  let up: Awaited<ReturnType<typeof echoUpstream>>;
  before(async () => {
    up = await echoUpstream({ server: 'app/1.0', connection: 'x-up-private', 'x-up-private': 'secret', 'keep-alive': 'timeout=9' });
  });
  after(() => up.close());

  it('forwards method, path, query and body, keeps Host, sets X-Forwarded-*, adds Via both ways', async () => {
    let seenEx: ProxyExchange | undefined;
    await withProxy({ upstream: `${up.url}/base/`, hooks: { onRequest: async (ex) => ((seenEx = ex), undefined) } }, async (p) => {
      up.seen.length = 0;
      const r = await request(`${p.url}/login?next=%2F`, {
        method: 'POST',
        headers: { host: 'shop.example:8443', 'content-type': 'text/plain', 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https', 'x-real-ip': '6.6.6.6', forwarded: 'for=6.6.6.6' },
        body: 'hello',
      });
      assert.equal(r.status, 200);
      const s = up.seen[0]!;
      assert.equal(s.method, 'POST');
      assert.equal(s.url, '/base/login?next=%2F');
      assert.equal(s.body.toString(), 'hello');
      assert.equal(s.headers.host, 'shop.example:8443');
      assert.equal(s.headers['x-forwarded-for'], '127.0.0.1', 'an untrusted chain is replaced by the peer');
      assert.equal(s.headers['x-forwarded-proto'], 'http');
      assert.equal(s.headers['x-forwarded-host'], 'shop.example:8443');
      assert.equal(s.headers['x-real-ip'], undefined);
      assert.equal(s.headers['forwarded'], undefined);
      assert.equal(s.headers.via, '1.1 mamori');
      assert.equal(r.headers.via, '1.1 mamori');
      assert.equal(r.headers.server, 'app/1.0');
      assert.equal(r.headers['x-up-private'], undefined, 'named in the upstream Connection header');
      assert.equal(r.headers['keep-alive'], undefined);
      assert.equal(seenEx?.req.ip, '127.0.0.1');
      assert.equal(seenEx?.peerIp, '127.0.0.1');
      assert.equal(seenEx?.req.path, '/login');
      assert.equal(seenEx?.url, '/login?next=%2F');
    });
  });

  it('strips hop-by-hop request headers (a Connection naming another header it carries is refused: see the hygiene tests)', async () => {
    await withProxy({ upstream: up.url }, async (p) => {
      up.seen.length = 0;
      const reply = await rawExchange(
        p.port,
        'GET / HTTP/1.1\r\nHost: a\r\nConnection: close, TE, Keep-Alive, X-Absent\r\nKeep-Alive: 5\r\nTE: trailers\r\n' +
          'Proxy-Authorization: Basic eDp5\r\nProxy-Connection: keep-alive\r\nTrailer: x\r\nX-Kept: 2\r\n\r\n',
      );
      assert.equal(statusOf(reply.text), 200);
      const h = up.seen[0]!.headers;
      for (const name of ['keep-alive', 'te', 'proxy-authorization', 'proxy-connection', 'trailer']) assert.equal(h[name], undefined, name);
      assert.equal(h['x-kept'], '2');
    });
  });

  it('honours X-Forwarded-For and -Proto only from a trusted proxy, appending the peer', async () => {
    const ips: string[] = [];
    const hooks: ProxyHooks = { onRequest: async (ex) => (ips.push(ex.req.ip), undefined) };
    await withProxy({ upstream: up.url, trustedProxies: ['127.0.0.0/8'], hooks }, async (p) => {
      up.seen.length = 0;
      await request(p.url, { headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'front.example' } });
      await request(p.url, { headers: { 'x-forwarded-for': '203.0.113.9, bogus' } });
      assert.deepEqual(ips, ['203.0.113.9', '127.0.0.1']);
      assert.equal(up.seen[0]!.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
      assert.equal(up.seen[0]!.headers['x-forwarded-proto'], 'https');
      assert.equal(up.seen[0]!.headers['x-forwarded-host'], 'front.example');
      assert.equal(up.seen[1]!.headers['x-forwarded-for'], '127.0.0.1');
    });
  });

  it('lets onForward change the headers sent upstream, but never the framing', async () => {
    const hooks: ProxyHooks = {
      onRequest: async () => undefined,
      onForward: (_ex, h) => {
        delete h['accept-encoding'];
        h['x-mamori-checked'] = '1';
        h['content-length'] = '999';
        h['transfer-encoding'] = 'gzip';
        h['connection'] = 'keep-alive, x-mamori-checked';
      },
    };
    await withProxy({ upstream: up.url, hooks }, async (p) => {
      up.seen.length = 0;
      const r = await request(p.url, { method: 'POST', headers: { 'accept-encoding': 'gzip' }, body: 'abc' });
      assert.equal(r.status, 200);
      const h = up.seen[0]!.headers;
      assert.equal(h['accept-encoding'], undefined);
      assert.equal(h['x-mamori-checked'], '1');
      assert.equal(h['content-length'], '3');
      assert.equal(h['transfer-encoding'], undefined);
      assert.equal(up.seen[0]!.body.toString(), 'abc');
    });
  });

  it('answers with a rendered response without forwarding, with its status, headers, body and length', async () => {
    await withProxy({ upstream: up.url, hooks: { onRequest: async () => forbidden } }, async (p) => {
      up.seen.length = 0;
      const r = await request(`${p.url}/admin`);
      assert.equal(r.status, 403);
      assert.equal(r.headers['x-mamori'], 'blocked');
      assert.equal(r.body.toString(), 'nope ✋');
      assert.equal(r.headers['content-length'], String(Buffer.byteLength('nope ✋')));
      assert.equal(up.seen.length, 0);
    });
  });

  it('buffers the body for onBody when asked, forwards it with its length, or answers for it', async () => {
    const bodies: string[] = [];
    const hooks: ProxyHooks = {
      onRequest: async () => 'buffer',
      onBody: async (_ex, body) => (bodies.push(body.toString()), body.toString().includes('evil') ? forbidden : undefined),
    };
    await withProxy({ upstream: up.url, hooks }, async (p) => {
      up.seen.length = 0;
      const ok = await request(p.url, { method: 'POST', body: 'user=alice' });
      assert.equal(ok.status, 200);
      assert.equal(up.seen[0]!.body.toString(), 'user=alice');
      assert.equal(up.seen[0]!.headers['content-length'], '10');
      // A chunked body is buffered and forwarded with a Content-Length.
      const chunked = await rawExchange(p.port, 'POST / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
      assert.equal(statusOf(chunked.text), 200);
      assert.equal(up.seen[1]!.body.toString(), 'abcde');
      assert.equal(up.seen[1]!.headers['content-length'], '5');
      assert.equal(up.seen[1]!.headers['transfer-encoding'], undefined);
      const no = await request(p.url, { method: 'POST', body: 'user=evil' });
      assert.equal(no.status, 403);
      assert.equal(up.seen.length, 2);
      assert.deepEqual(bodies, ['user=alice', 'abcde', 'user=evil']);
    });
  });

  it('refuses bodies it was asked to buffer beyond maxBufferedBodyBytes with 413, declared or chunked', async () => {
    const hooks: ProxyHooks = { onRequest: async () => 'buffer', onBody: async () => undefined };
    await withProxy({ upstream: up.url, hooks, limits: { maxBufferedBodyBytes: 16 } }, async (p) => {
      up.seen.length = 0;
      const declared = await rawExchange(p.port, `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n${'x'.repeat(17)}`);
      assert.equal(statusOf(declared.text), 413);
      assert.equal(declared.reset, false);
      const chunk = 'x'.repeat(10);
      const chunked = await rawExchange(p.port, `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\na\r\n${chunk}\r\na\r\n${chunk}\r\n0\r\n\r\n`);
      assert.equal(statusOf(chunked.text), 413);
      assert.equal(up.seen.length, 0);
      assert.equal((await request(p.url, { method: 'POST', body: 'small' })).status, 200, 'still serving');
    });
  });

  it('does not send 100 Continue before the hooks let the body in', async () => {
    await withProxy({ upstream: up.url, hooks: { onRequest: async () => forbidden } }, async (p) => {
      const reply = await rawExchange(p.port, 'POST / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
      assert.equal(statusOf(reply.text), 403);
    });
    await withProxy({ upstream: up.url }, async (p) => {
      up.seen.length = 0;
      const reply = await rawExchange(p.port, 'POST / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello');
      assert.match(reply.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
      assert.equal(up.seen[0]!.headers.expect, undefined);
      assert.equal(up.seen[0]!.body.toString(), 'hello');
    });
  });

  it('frames a streamed chunked body explicitly, even for methods Node would not chunk (DELETE)', async () => {
    await withProxy({ upstream: up.url }, async (p) => {
      up.seen.length = 0;
      const reply = await rawExchange(
        p.port,
        'DELETE /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nGET \r\n0\r\n\r\n',
      );
      assert.equal(statusOf(reply.text), 200);
      assert.equal(up.seen.length, 1, 'exactly one request reached the upstream');
      // Chunked, or with its length when the whole body was in before the request went out.
      const h = up.seen[0]!.headers;
      assert.ok(h['transfer-encoding'] === 'chunked' || h['content-length'] === '4', JSON.stringify(h));
      assert.equal(up.seen[0]!.body.toString(), 'GET ');
    });
  });

  it('answers 500 when a hook throws, reports them, and keeps serving', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const hooks: ProxyHooks = {
      onRequest: async () => {
        if (n++ === 0) throw new Error('hook bug');
        return undefined;
      },
    };
    await withProxy({ upstream: up.url, hooks, onError: (e) => errors.push(e) }, async (p) => {
      const r = await request(p.url);
      assert.equal(r.status, 500);
      assert.equal(r.body.toString(), '500 Internal Server Error\n');
      assert.equal((errors[0] as Error).message, 'hook bug');
      assert.equal((await request(p.url)).status, 200);
    });
  });

  it('answers 500 when a hook renders an invalid response (header injection)', async () => {
    const errors: unknown[] = [];
    const bad: RenderedResponse = { status: 302, headers: { location: '/x\r\nset-cookie: evil=1' }, body: '' };
    await withProxy({ upstream: up.url, hooks: { onRequest: async () => bad }, onError: (e) => errors.push(e) }, async (p) => {
      const r = await request(p.url);
      assert.equal(r.status, 500);
      assert.equal(r.headers['set-cookie'], undefined);
      assert.equal(errors.length, 1);
    });
  });

  it('reports every exchange to onDone with status, bytes and duration on the given clock', async () => {
    const done: DoneInfo[] = [];
    const clock = new ManualClock();
    const hooks: ProxyHooks = {
      onRequest: async (ex) => {
        clock.advance(7);
        return ex.req.path === '/no' ? forbidden : undefined;
      },
      onDone: (_ex, info) => done.push(info),
    };
    await withProxy({ upstream: up.url, hooks, clock }, async (p) => {
      await request(`${p.url}/yes`);
      await request(`${p.url}/no`);
    });
    assert.equal(done.length, 2);
    assert.deepEqual(done[0], { status: 200, bytes: Buffer.byteLength(JSON.stringify({ url: '/yes', bytes: 0 })), durationMs: 7 });
    assert.deepEqual(done[1], { status: 403, bytes: Buffer.byteLength(forbidden.body), durationMs: 7 });
  });

  it('validates its options', async () => {
    await assert.rejects(startProxy({ upstream: 'ftp://x', hooks: pass }), (e) => isMamoriError(e, 'MAMORI_ERR_PROXY_UPSTREAM'));
    await assert.rejects(startProxy({ upstream: 'http://u:p@x', hooks: pass }), (e) => isMamoriError(e, 'MAMORI_ERR_PROXY_UPSTREAM'));
    await assert.rejects(startProxy({ upstream: up.url, hooks: pass, limits: { maxHeaders: 0 } }), (e) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID'));
    await assert.rejects(startProxy({ upstream: up.url, hooks: pass, limits: { headersTimeoutMs: 9, requestTimeoutMs: 8 } }), (e) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID'));
    await assert.rejects(startProxy({ upstream: up.url, hooks: pass, trustedProxies: ['nope'] }), (e) => isMamoriError(e, 'MAMORI_ERR_NET_ADDRESS'));
  });
});

describe('startProxy: response hooks', () => {
  let big: Buffer;
  let up: TestServer;
  before(async () => {
    big = Buffer.alloc(300 * 1024, 'b');
    up = await listen(
      http.createServer((req, res) => {
        if (req.url === '/big') {
          res.writeHead(200, { 'content-type': 'text/plain' }); // chunked, no length
          res.end(big);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': ['app=1'] });
        res.end('<p>login failed</p>');
      }),
    );
  });
  after(() => up.close());

  it('passes a sniffed body to onResponse and sets, appends or replaces the answer', async () => {
    const bodies: (string | undefined)[] = [];
    const hooks: ProxyHooks = {
      onRequest: async () => undefined,
      wantsResponseBody: () => true,
      onResponse: async (ex, res) => {
        bodies.push(res.body?.toString());
        if (ex.req.path === '/replace') return { replace: forbidden };
        if (ex.req.path === '/append') return { appendHeaders: { 'set-cookie': 'mamori=2' } };
        return { setHeaders: { 'set-cookie': ['mamori=1'], 'x-extra': 'yes' } };
      },
    };
    await withProxy({ upstream: up.url, hooks }, async (p) => {
      const set = await request(`${p.url}/set`);
      assert.deepEqual(set.headers['set-cookie'], ['mamori=1']);
      assert.equal(set.headers['x-extra'], 'yes');
      assert.equal(set.body.toString(), '<p>login failed</p>');
      assert.equal(set.headers['content-length'], String('<p>login failed</p>'.length));
      const app = await request(`${p.url}/append`);
      assert.deepEqual(app.headers['set-cookie'], ['app=1', 'mamori=2']);
      const rep = await request(`${p.url}/replace`);
      assert.equal(rep.status, 403);
      assert.equal(rep.body.toString(), forbidden.body);
      assert.deepEqual(bodies, ['<p>login failed</p>', '<p>login failed</p>', '<p>login failed</p>']);
    });
  });

  it('streams a body larger than maxResponseSniffBytes whole, the hook given its start, marked partial', async () => {
    let seen: { body?: Buffer; partial?: boolean } = {};
    const hooks: ProxyHooks = {
      onRequest: async () => undefined,
      wantsResponseBody: () => true,
      onResponse: async (_ex, res) => ((seen = { body: res.body, partial: res.partial }), undefined),
    };
    await withProxy({ upstream: up.url, hooks }, async (p) => {
      const r = await request(`${p.url}/big`);
      assert.equal(r.status, 200);
      assert.equal(seen.partial, true);
      const limit = DEFAULT_PROXY_LIMITS.maxResponseSniffBytes;
      assert.ok(seen.body !== undefined && seen.body.length > limit && seen.body.length <= big.length, `held ${seen.body?.length} of ${big.length}`);
      assert.ok(big.subarray(0, seen.body.length).equals(seen.body), 'the start of the answer');
      assert.ok(r.body.equals(big), 'and the client has all of it');
    });
  });
});

describe('startProxy: streaming and aborts', () => {
  it('streams request bodies to the upstream before they are complete, intact', async (t) => {
    const firstBytes = deferred();
    const hash = createHash('sha256');
    const up = await listen(
      http.createServer((req, res) => {
        const h = createHash('sha256');
        req.once('data', () => firstBytes.resolve());
        req.on('data', (c: Buffer) => h.update(c));
        req.on('end', () => res.end(h.digest('hex')));
      }),
    );
    t.after(() => up.close());
    await withProxy({ upstream: up.url }, async (p) => {
      const reply = deferred<string>();
      const req = http.request(`${p.url}/upload`, { method: 'PUT', agent: false }, (res) => {
        let s = '';
        res.on('data', (c: Buffer) => (s += c.toString()));
        res.on('end', () => reply.resolve(s));
      });
      const chunk = Buffer.alloc(1024 * 1024, 7);
      req.write(chunk);
      hash.update(chunk);
      await firstBytes.promise; // the upstream saw data while the client is still sending
      for (let i = 0; i < 4; i++) {
        req.write(chunk);
        hash.update(chunk);
      }
      req.end();
      assert.equal(await reply.promise, hash.digest('hex'));
    });
  });

  it('aborts the upstream request when the client goes away', async (t) => {
    const arrived = deferred();
    const upstreamSawAbort = deferred();
    const up = await listen(
      http.createServer((_req, res) => {
        res.on('close', () => {
          if (!res.writableFinished) upstreamSawAbort.resolve();
        });
        res.writeHead(200);
        res.write('partial');
        arrived.resolve();
      }),
    );
    t.after(() => up.close());
    const done = deferred<DoneInfo>();
    await withProxy({ upstream: up.url, hooks: { onRequest: async () => undefined, onDone: (_e, i) => done.resolve(i) } }, async (p) => {
      const req = http.get(`${p.url}/slow`, { agent: false }, (res) => res.once('data', () => req.destroy()));
      req.on('error', () => undefined);
      await arrived.promise;
      await upstreamSawAbort.promise;
      const info = await done.promise;
      assert.equal(info.error, 'client closed the connection');
    });
  });

  it('cuts the client answer when the upstream aborts mid-body', async (t) => {
    const up = await listen(
      http.createServer((req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('only part', () => req.socket.destroy());
      }),
    );
    t.after(() => up.close());
    await withProxy({ upstream: up.url }, async (p) => {
      const outcome = deferred<{ complete: boolean; got: string }>();
      http
        .get(p.url, { agent: false }, (res) => {
          let got = '';
          res.on('data', (c: Buffer) => (got += c.toString()));
          res.on('error', () => undefined);
          res.on('close', () => outcome.resolve({ complete: res.complete, got }));
        })
        .on('error', () => undefined);
      const o = await outcome.promise;
      assert.equal(o.complete, false);
      assert.equal(o.got, 'only part');
      assert.equal((await rawExchange(p.port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')).reset, false, 'still serving');
    });
  });

  it('answers 502 when the upstream is unreachable, and keeps serving', async () => {
    const errors: unknown[] = [];
    const done: DoneInfo[] = [];
    const port = await deadPort();
    await withProxy({ upstream: `http://127.0.0.1:${port}`, onError: (e) => errors.push(e), hooks: { onRequest: async () => undefined, onDone: (_e, i) => done.push(i) } }, async (p) => {
      for (let i = 0; i < 3; i++) {
        const r = await request(p.url, { method: 'POST', body: 'x'.repeat(1000) });
        assert.equal(r.status, 502);
        assert.equal(r.body.toString(), '502 Bad Gateway\n');
        assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      }
    });
    assert.equal(done[0]?.error, 'upstream failed: ECONNREFUSED');
    assert.deepEqual(errors, []);
  });

  it('answers 504 when the upstream does not answer in time', async (t) => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    t.after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    await withProxy({ upstream: `http://127.0.0.1:${port}`, limits: { upstreamTimeoutMs: 50 } }, async (p) => {
      const r = await request(p.url);
      assert.equal(r.status, 504);
      assert.equal(r.body.toString(), '504 Gateway Timeout\n');
    });
  });
});
