/**
 * An upstream that answers before it has read the request body (nginx's 413 for a body over
 * client_max_body_size, an app refusing an upload early) and closes: the client gets that answer,
 * not a 502. Only when no answer arrived at all is the failure a 502.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type ProxyHooks, type RunningProxy, startProxy } from './http-proxy.js';
import { deferred } from './test-harness.js';

const ANSWER = 'body too large for this site\n';

/**
 * A raw upstream: reads the request head, then answers `status` with Connection: close and
 * closes the connection without reading the body. `reset` closes with a reset (unread data
 * in the socket), as a server that just closes does; otherwise a plain close after the answer.
 */
async function earlyUpstream(opts: { status: number; reset: boolean; answer?: boolean; keepAlive?: boolean }): Promise<{ port: number; heads: string[]; close(): Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let got = '';
    const onData = (d: Buffer): void => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause();
      heads.push(got.slice(0, end));
      if (opts.answer !== false) {
        socket.write(
          `HTTP/1.1 ${opts.status} Payload Too Large\r\ncontent-type: text/plain\r\ncontent-length: ${ANSWER.length}\r\n${opts.keepAlive ? '' : 'connection: close\r\n'}x-upstream: yes\r\n\r\n${ANSWER}`,
        );
      }
      if (opts.reset) socket.resetAndDestroy();
      else socket.end();
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    heads,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Streams `total` bytes to the proxy in 64 KiB chunks, without waiting for the end of the
 * upload to read the answer (as curl and browsers do); resolves with the answer, or the error.
 */
function upload(url: string, total: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders } | { error: string }> {
  const done = deferred<{ status: number; body: string; headers: http.IncomingHttpHeaders } | { error: string }>();
  const req = http.request(`${url}/upload`, { method: 'POST', agent: false, headers: { 'content-type': 'application/octet-stream', ...headers } }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done.resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1'), headers: res.headers }));
    res.on('error', (e) => done.resolve({ error: e.message }));
  });
  req.on('error', (e) => done.resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      sent += chunk.length;
      if (sent >= total) {
        req.end(chunk);
        return;
      }
      if (!req.write(chunk)) {
        req.once('drain', pump);
        return;
      }
    }
  };
  pump();
  return done.promise;
}

const pass: ProxyHooks = { onRequest: async () => undefined };
/** Hooks that read the whole body before it goes upstream, as mamori does for logins. */
const buffering: ProxyHooks = { onRequest: async () => 'buffer', onBody: async () => undefined };
const BUFFERED = 24 * 1024 * 1024;
/** Hooks that look at every answer, as mamori's do: the head waits for them while the upstream goes on. */
const withResponseHook: ProxyHooks = { onRequest: async () => undefined, onResponse: async () => ({ setHeaders: { 'x-seen': '1' } }) };

describe('startProxy: an upstream that answers before reading the body', () => {
  for (const reset of [false, true]) {
    for (const [label, hooks] of [
      ['no response hook', pass],
      ['a response hook', withResponseHook],
    ] as const) {
      describe(`closing with ${reset ? 'a reset' : 'a plain close'}, ${label}`, () => {
        let up: Awaited<ReturnType<typeof earlyUpstream>>;
        let proxy: RunningProxy;
        before(async () => {
          up = await earlyUpstream({ status: 413, reset });
          proxy = await startProxy({ upstream: `http://127.0.0.1:${up.port}`, hooks });
        });
        after(async () => {
          await proxy.close();
          await up.close();
        });

        for (const [kind, headers] of [
          ['a declared length', { 'content-length': String(32 * 1024 * 1024) }],
          ['chunked', {}],
        ] as const) {
          it(`passes the 413 on for a streamed upload with ${kind}`, async () => {
            for (let i = 0; i < 3; i++) {
              const r = await upload(proxy.url, 32 * 1024 * 1024, headers);
              assert.ok(!('error' in r), `attempt ${i}: ${'error' in r ? r.error : ''}`);
              assert.equal(r.status, 413, `attempt ${i}`);
              assert.equal(r.body, ANSWER);
              assert.equal(r.headers['x-upstream'], 'yes');
              if (hooks === withResponseHook) assert.equal(r.headers['x-seen'], '1');
            }
          });
        }
      });
    }
  }

  for (const reset of [false, true]) {
    it(`passes the 413 on for a buffered body (${reset ? 'a reset' : 'a plain close'})`, async () => {
      const up = await earlyUpstream({ status: 413, reset });
      const limits = { maxBufferedBodyBytes: BUFFERED, maxBufferedPerClientBytes: BUFFERED, maxBufferedTotalBytes: BUFFERED };
      const proxy = await startProxy({ upstream: `http://127.0.0.1:${up.port}`, hooks: buffering, limits });
      try {
        for (let i = 0; i < 3; i++) {
          const r = await upload(proxy.url, BUFFERED - 1024 * 1024, { 'content-length': String(BUFFERED - 1024 * 1024) });
          assert.ok(!('error' in r), `attempt ${i}: ${'error' in r ? r.error : ''}`);
          assert.equal(r.status, 413, `attempt ${i}`);
          assert.equal(r.body, ANSWER);
        }
      } finally {
        await proxy.close();
        await up.close();
      }
    });
  }

  it('passes the 413 on when the upstream does not say it closes (a reset after a keep-alive answer)', async () => {
    const up = await earlyUpstream({ status: 413, reset: true, keepAlive: true });
    const proxy = await startProxy({ upstream: `http://127.0.0.1:${up.port}`, hooks: withResponseHook });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await upload(proxy.url, 32 * 1024 * 1024, { 'content-length': String(32 * 1024 * 1024) });
        assert.ok(!('error' in r), `attempt ${i}: ${'error' in r ? r.error : ''}`);
        assert.equal(r.status, 413, `attempt ${i}`);
        assert.equal(r.body, ANSWER);
      }
    } finally {
      await proxy.close();
      await up.close();
    }
  });

  it('answers 502 when the upstream closes without any answer', async () => {
    const up = await earlyUpstream({ status: 413, reset: true, answer: false });
    const proxy = await startProxy({ upstream: `http://127.0.0.1:${up.port}`, hooks: pass });
    try {
      const r = await upload(proxy.url, 8 * 1024 * 1024, { 'content-length': String(8 * 1024 * 1024) });
      // The proxy answers 502 (or, when the client is still sending, cuts the connection after it).
      if ('error' in r) assert.match(r.error, /ECONNRESET|EPIPE|socket hang up/);
      else assert.equal(r.status, 502);
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
