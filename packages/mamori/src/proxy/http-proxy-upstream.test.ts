/** The upstream side of the proxy (undici): framing, header bytes, 1xx, back-pressure, resets, TLS. */
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { type ProxyHooks, type RunningProxy, type UpstreamAnswer, startProxy } from './http-proxy.js';
import { resolveLimits } from './limits.js';
import { type TestServer, deferred, listen, rawExchange, request, statusOf } from './test-harness.js';
import { MAX_IN_FLIGHT_PER_CONNECTION } from './forward.js';
import { addVia, stripHopByHop } from './hop-by-hop.js';
import { answerHeaders, dispatchServername, parseUpstream, responseHeaders, upstreamPool } from './upstream.js';

// A self-signed certificate for localhost and 127.0.0.1, valid until 2126: test use only.
const CERT = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBmjCCAUGgAwIBAgIUNdIE3XtNJmLDVJipyg29onFwWj8wCgYIKoZIzj0EAwIw',
  'FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzE1MDgzNloYDzIxMjYxMTAz',
  'MTUwODM2WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO',
  'PQMBBwNCAARkDWV76zW4dZosBshS7ZSeVd4nnpe0uZ7ub9Akg81e6/4yAdR3gC18',
  'GgvSY2UcKkP3v8dWiILHwaeDujchz41Po28wbTAdBgNVHQ4EFgQUP8DRu9+OOuN1',
  'I6C8cPzQVAw4W8YwHwYDVR0jBBgwFoAUP8DRu9+OOuN1I6C8cPzQVAw4W8YwDwYD',
  'VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI',
  'zj0EAwIDRwAwRAIgMhsYUUBZrtk7UyBmldodS+vCv980dzRfaHzRFYyhh4cCIGnS',
  'DwLm7+BTn17OQU160vZfsiEFQz9FZAKVRNnAExpE',
  '-----END CERTIFICATE-----'
].join('\n');
const KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgxhpXOnoq0cqsVvZj',
  '7Nygsg2Pg2fyg2c4Nv9eqpSDXFuhRANCAARkDWV76zW4dZosBshS7ZSeVd4nnpe0',
  'uZ7ub9Akg81e6/4yAdR3gC18GgvSY2UcKkP3v8dWiILHwaeDujchz41P',
  '-----END PRIVATE KEY-----'
].join('\n');

const pass: ProxyHooks = { onRequest: async () => undefined };

describe('startProxy: what goes upstream and comes back', () => {
  let up: TestServer;
  const seenRaw: string[][] = [];
  before(async () => {
    up = await listen(
      http.createServer((req, res) => {
        seenRaw.push(req.rawHeaders);
        if (req.url === '/hints') res.writeEarlyHints({ link: '</a.css>; rel=preload' });
        if (req.url === '/reset') {
          req.socket.destroy();
          return;
        }
        if (req.url === '/created') {
          let n = 0;
          req.on('data', (c: Buffer) => (n += c.length));
          req.on('end', () => {
            res.writeHead(201, { 'content-type': 'text/plain' });
            res.end(`got ${n}`);
          });
          return;
        }
        req.resume();
        if (req.url === '/empty') {
          res.writeHead(204, { 'x-latin1': 'caf\xe9' });
          res.end();
          return;
        }
        if (req.url === '/cached') {
          res.writeHead(304, { etag: '"x"' });
          res.end();
          return;
        }
        res.setHeader('x-latin1', 'caf\xe9 \xff');
        res.setHeader('set-cookie', ['a=1; Path=/', 'b=\xe9; Path=/']);
        res.setHeader('x-multi', ['one', 'two']);
        res.setHeader('location', '/next');
        res.setHeader('content-type', 'text/plain');
        // A Buffer body: with a string one node:http would send the head UTF-8 encoded.
        res.end(Buffer.from(`hello ${req.url}`));
      }),
    );
  });
  after(() => up.close());

  it('passes header bytes 0x80-0xFF through unchanged both ways', async () => {
    const p = await startProxy({ upstream: up.url, hooks: pass });
    try {
      seenRaw.length = 0;
      const reply = await rawExchange(p.port, Buffer.from('GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Name: Ren\xe9 \xfe\r\n\r\n', 'latin1'));
      assert.equal(statusOf(reply.text), 200);
      const raw = seenRaw[0]!;
      assert.equal(raw[raw.indexOf('x-name') + 1], 'Ren\xe9 \xfe');
      assert.match(reply.text, /\r\nx-latin1: caf\xe9 \xff\r\n/);
      assert.match(reply.text, /\r\nset-cookie: b=\xe9; Path=\/\r\n/);
      // And when the answer has no body.
      const empty = await rawExchange(p.port, 'GET /empty HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      assert.equal(statusOf(empty.text), 204);
      assert.match(empty.text, /\r\nx-latin1: caf\xe9\r\n/);
    } finally {
      await p.close();
    }
  });

  it('keeps each Set-Cookie apart and merges other repeated fields as node:http does, for the client and the hooks', async () => {
    let seen: UpstreamAnswer | undefined;
    const hooks: ProxyHooks = { onRequest: async () => undefined, onResponse: async (_ex, res) => ((seen = res), undefined) };
    const p = await startProxy({ upstream: up.url, hooks });
    try {
      const reply = await rawExchange(p.port, 'GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      assert.equal(reply.text.match(/\r\nset-cookie: /g)?.length, 2);
      assert.match(reply.text, /\r\nx-multi: one, two\r\n/);
      assert.deepEqual(seen?.headers['set-cookie'], ['a=1; Path=/', 'b=\xe9; Path=/']);
      assert.equal(seen?.headers['location'], '/next');
      assert.equal(seen?.status, 200);
    } finally {
      await p.close();
    }
    assert.deepEqual(
      responseHeaders(['Location', '/a', 'location', '/b', 'Set-Cookie', 'x=1', 'Vary', 'a', 'vary', 'b', 'Cookie', 'c=1', 'cookie', 'd=2'].map((s) => Buffer.from(s))),
      { location: '/a', 'set-cookie': ['x=1'], vary: 'a, b', cookie: 'c=1; d=2' },
    );
    // The one-pass version the proxy uses: as stripHopByHop and addVia after responseHeaders, order included.
    const raw = ['Connection', 'keep-alive, X-Private', 'Via', '1.0 cache', 'X-Private', 's', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'x=1', 'connection', 'Content-Length', 'Content-Length', '2', 'Transfer-Encoding', 'chunked', 'Vary', 'a'].map((s) => Buffer.from(s));
    const twoPass = stripHopByHop(responseHeaders(raw));
    addVia(twoPass);
    const onePass = answerHeaders(raw);
    assert.deepEqual(onePass, { via: '1.0 cache, 1.1 mamori', 'set-cookie': ['x=1'], 'content-length': '2', vary: 'a' });
    assert.deepEqual(Object.entries(onePass), Object.entries(twoPass));
  });

  it('streams an Expect: 100-continue upload once the hooks let it in, and returns the upstream answer', async () => {
    const p = await startProxy({ upstream: up.url, hooks: pass });
    try {
      const body = Buffer.alloc(300 * 1024, 0x61);
      const reply = deferred<{ status: number; text: string; continued: boolean }>();
      let continued = false;
      const req = http.request(`${p.url}/created`, { method: 'POST', agent: false, headers: { expect: '100-continue', 'content-length': String(body.length) } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => reply.resolve({ status: res.statusCode ?? 0, text, continued }));
      });
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      const r = await reply.promise;
      assert.equal(r.continued, true);
      assert.equal(r.status, 201);
      assert.equal(r.text, `got ${body.length}`);
      const raw = seenRaw[seenRaw.length - 1]!.map((s) => s.toLowerCase());
      assert.equal(raw.includes('expect'), false, 'no Expect upstream');
    } finally {
      await p.close();
    }
  });

  it('drops 1xx answers, sends HEAD, 204 and 304 without a body, and serves pipelined requests in order', async () => {
    const p = await startProxy({ upstream: up.url, hooks: pass });
    try {
      const hints = await rawExchange(p.port, 'GET /hints HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      assert.equal(statusOf(hints.text), 200);
      assert.match(hints.text, /hello \/hints$/);
      const piped = await rawExchange(
        p.port,
        'HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /empty HTTP/1.1\r\nHost: a\r\n\r\nGET /cached HTTP/1.1\r\nHost: a\r\n\r\nGET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
      );
      const statuses = [...piped.text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
      assert.deepEqual(statuses, ['200', '204', '304', '200']);
      assert.equal(piped.text.includes('hello /h'), false, 'no body for HEAD');
      assert.match(piped.text, /hello \/last$/);
    } finally {
      await p.close();
    }
  });

  it('answers 502 when the upstream resets the connection before answering', async () => {
    const p = await startProxy({ upstream: up.url, hooks: pass });
    try {
      const r = await rawExchange(p.port, 'GET /reset HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      assert.equal(statusOf(r.text), 502);
      assert.equal(r.reset, false);
    } finally {
      await p.close();
    }
  });
});

describe('startProxy: back-pressure from a slow client', () => {
  it('does not read a large answer from the upstream faster than the client takes it', async (t) => {
    const total = 64 * 1024 * 1024;
    let written = 0;
    const up = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'content-length': String(total) });
        const chunk = Buffer.alloc(64 * 1024, 0x62);
        const pump = (): void => {
          while (written < total) {
            written += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
      }),
    );
    t.after(() => up.close());
    const p: RunningProxy = await startProxy({ upstream: up.url, hooks: pass });
    t.after(() => p.close());
    const socket = net.connect(p.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('GET /big HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    socket.pause();
    // Let the buffers between the three hops fill up.
    let last = -1;
    for (let i = 0; i < 100 && written !== last; i++) {
      last = written;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(written < total / 2, `the upstream was held back (${written} bytes written)`);
    let received = 0;
    const done = deferred();
    socket.on('data', (c: Buffer) => (received += c.length));
    socket.on('close', () => done.resolve());
    socket.resume();
    await done.promise;
    assert.equal(written, total);
    assert.ok(received > total, 'everything arrived, headers included');
  });
});

describe('upstreamPool: https', () => {
  it('checks the certificate against the upstream host name and sends it as SNI, whatever the Host header', async (t) => {
    const names: (string | false | null)[] = [];
    const server = https.createServer({ cert: CERT, key: KEY }, (req, res) => res.end(`host ${req.headers.host}`));
    server.on('secureConnection', (s: TLSSocket) => names.push(s.servername));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())));
    const port = (server.address() as net.AddressInfo).port;
    const target = parseUpstream(`https://localhost:${port}`);
    const pool = await upstreamPool(target, resolveLimits(), { ca: CERT });
    t.after(() => pool.destroy());
    for (const host of ['shop.example', 'other.example']) {
      const opts = { path: '/', method: 'GET' as const, headers: { host }, servername: dispatchServername(target) };
      const r = await pool.request(opts);
      assert.equal(r.statusCode, 200);
      assert.equal(await r.body.text(), `host ${host}`);
    }
    assert.ok(names.length > 0 && names.every((n) => n === 'localhost'), `SNI is the upstream's name: ${JSON.stringify(names)}`);
    // Without the private CA the certificate is refused: the proxy answers 502.
    const p = await startProxy({ upstream: `https://localhost:${port}`, hooks: pass });
    t.after(() => p.close());
    const r = await rawExchange(p.port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(r.text), 502);
  });
});

/** A raw upstream: `answer` writes whatever it likes for each request head it reads. */
async function rawUpstream(answer: (path: string, socket: net.Socket) => void): Promise<{ url: string; sockets: Set<net.Socket>; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        answer(head.split(' ')[1] ?? '/', socket);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('startProxy: hostile or unusual upstreams and clients', () => {
  it('passes a 304 or 204 that carries a Content-Length (RFC 9110 8.6) and keeps serving the connection', async (t) => {
    const up = await rawUpstream((path, s) => {
      if (path === '/style.css') s.write('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\nContent-Length: 1234\r\n\r\n');
      else if (path === '/none') s.write('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n');
      else s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh');
    });
    t.after(() => up.close());
    const p = await startProxy({ upstream: up.url, hooks: pass });
    t.after(() => p.close());
    const r = await rawExchange(
      p.port,
      'GET /style.css HTTP/1.1\r\nHost: a\r\n\r\nGET /none HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    assert.deepEqual([...r.text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]), ['304', '204', '200']);
    assert.match(r.text, /\r\n\r\nfresh$/);
  });

  it('answers 504 when the upstream sends only 1xx answers, however often', { timeout: 20_000 }, async (t) => {
    const timers = new Set<NodeJS.Timeout>();
    const up = await rawUpstream((_path, s) => {
      const tick = setInterval(() => (s.writable ? s.write('HTTP/1.1 102 Processing\r\n\r\n') : clearInterval(tick)), 50);
      timers.add(tick);
    });
    t.after(() => {
      for (const x of timers) clearInterval(x);
      return up.close();
    });
    const p = await startProxy({ upstream: up.url, hooks: pass, limits: { upstreamTimeoutMs: 300 } });
    t.after(() => p.close());
    const r = await rawExchange(p.port, 'GET /slow HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(r.text), 504);
  });

  it('cuts an answer the client stops reading, and aborts the upstream request', { timeout: 20_000 }, async (t) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const up = await rawUpstream((_path, s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${256 * 1024 * 1024}\r\n\r\n`);
      const pump = (): void => {
        while (s.writable && s.write(chunk));
        if (s.writable) s.once('drain', pump);
      };
      pump();
    });
    t.after(() => up.close());
    const done = deferred<string | undefined>();
    const hooks: ProxyHooks = { onRequest: async () => undefined, onDone: (_ex, info) => done.resolve(info.error) };
    const p = await startProxy({ upstream: up.url, hooks, limits: { upstreamTimeoutMs: 300 } });
    t.after(() => p.close());
    const client = net.connect(p.port, '127.0.0.1');
    client.on('error', () => undefined);
    client.write('GET /big HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    client.pause(); // and never reads
    t.after(() => client.destroy());
    assert.equal(await done.promise, 'client stopped reading');
    // The upstream connection that carried it is gone too.
    for (let i = 0; i < 100 && up.sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(up.sockets.size, 0);
  });
});

describe('startProxy: pipelining', () => {
  it(`sends at most ${MAX_IN_FLIGHT_PER_CONNECTION} requests of one client connection upstream at once, and drops a connection that pipelines more`, { timeout: 20_000 }, async (t) => {
    let inFlight = 0;
    let most = 0;
    const up = await listen(
      http.createServer((req, res) => {
        inFlight++;
        most = Math.max(most, inFlight);
        req.resume();
        setTimeout(() => {
          inFlight--;
          res.end('ok');
        }, 100);
      }),
    );
    t.after(() => up.close());
    const p = await startProxy({ upstream: up.url, hooks: pass });
    t.after(() => p.close());
    const many = 'GET /p HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(100);
    const r = await rawExchange(p.port, many);
    assert.ok(most <= MAX_IN_FLIGHT_PER_CONNECTION + 1, `at most ${most} upstream requests at once`);
    assert.ok((r.text.match(/HTTP\/1\.1 200 /g)?.length ?? 0) < 100, 'the connection was dropped before all were answered');
    // The proxy itself is fine.
    assert.equal((await request(`${p.url}/after`)).status, 200);
  });
});
