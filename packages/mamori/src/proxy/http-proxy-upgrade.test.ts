/** Upgrade (WebSocket-style) requests, with a tiny upstream that answers 101 and echoes bytes. */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { RenderedResponse } from '../guard/verdict.js';
import { type DoneInfo, type ProxyExchange, type ProxyHooks, startProxy } from './http-proxy.js';
import { type TestServer, deadPort, deferred, listen, rawExchange, statusOf } from './test-harness.js';

// RFC 6455 1.3's example: this key calls for this accept.
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
const upgradeRequest = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: chat.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
/** A client's text frame, masked with a zero key (so its payload is readable in the echo). */
const frame = (text: string): Buffer => Buffer.concat([Buffer.from([0x81, 0x80 | text.length, 0, 0, 0, 0]), Buffer.from(text, 'latin1')]);

/** Opens a raw connection, sends an upgrade request, and resolves with the socket once `want` bytes of text arrived. */
function openTunnel(port: number, payload: string): { socket: net.Socket; received: () => string; waitFor: (s: string) => Promise<void> } {
  const socket = net.connect(port, '127.0.0.1', () => socket.write(payload));
  let text = '';
  const waiters: { s: string; resolve: () => void }[] = [];
  socket.on('error', () => undefined);
  socket.on('data', (c: Buffer) => {
    text += c.toString('latin1');
    for (const w of [...waiters]) if (text.includes(w.s)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
  });
  return {
    socket,
    received: () => text,
    waitFor: (s) => (text.includes(s) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ s, resolve }))),
  };
}

describe('startProxy: upgrades', () => {
  let up: TestServer;
  const upgrades: http.IncomingHttpHeaders[] = [];
  const upstreamSockets = new Set<Duplex>();
  before(async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('upgrade required');
    });
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      upgrades.push(req.headers);
      upstreamSockets.add(socket);
      socket.on('close', () => upstreamSockets.delete(socket));
      socket.on('error', () => undefined);
      if (req.url === '/refuse') {
        socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 6\r\nConnection: close\r\n\r\nno way');
        return;
      }
      // A route that relays a 101 without the handshake (variant 2 of WebSocket smuggling): it goes on reading HTTP.
      const accept = req.url === '/no-accept' ? '' : req.url === '/wrong-accept' ? 'Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n' : `Sec-WebSocket-Accept: ${ACCEPT}\r\n`;
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${accept}X-Up: 1\r\nKeep-Alive: 1\r\n\r\n`);
      if (head.length > 0) socket.write(head);
      socket.pipe(socket);
    });
    up = await listen(server);
  });
  after(async () => {
    for (const s of upstreamSockets) s.destroy();
    await up.close();
  });

  it('consults onRequest, forwards the upgrade and pipes bytes both ways', async () => {
    const seen: ProxyExchange[] = [];
    const done = deferred<DoneInfo>();
    const hooks: ProxyHooks = { onRequest: async (ex) => (seen.push(ex), undefined), onDone: (_e, i) => done.resolve(i) };
    const proxy = await startProxy({ upstream: up.url, hooks });
    try {
      upgrades.length = 0;
      const t = openTunnel(proxy.port, upgradeRequest('/ws?room=1', 'X-Forwarded-For: 6.6.6.6\r\n'));
      await t.waitFor('\r\n\r\n');
      assert.match(t.received(), /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      assert.match(t.received(), /\r\nupgrade: websocket\r\n/i);
      assert.match(t.received(), /\r\nconnection: Upgrade\r\n/i);
      assert.match(t.received(), /\r\nvia: 1\.1 mamori\r\n/i);
      assert.doesNotMatch(t.received(), /keep-alive/i);
      t.socket.write(frame('ping'));
      await t.waitFor('ping');
      t.socket.write(' pong');
      await t.waitFor('ping pong');
      assert.equal(seen[0]?.req.path, '/ws');
      assert.equal(seen[0]?.req.ip, '127.0.0.1');
      assert.equal(upgrades[0]?.['x-forwarded-for'], '127.0.0.1');
      assert.equal(upgrades[0]?.host, 'chat.example');
      assert.equal(upgrades[0]?.upgrade, 'websocket');
      t.socket.destroy();
      const info = await done.promise;
      assert.equal(info.status, 101);
      assert.equal(info.bytes, frame('ping').length + Buffer.byteLength(' pong'), 'the bytes the upstream sent back');
    } finally {
      await proxy.close();
    }
  });

  it('lets onRequest refuse an upgrade without contacting the upstream', async () => {
    const no: RenderedResponse = { status: 403, headers: { 'content-type': 'text/plain' }, body: 'forbidden' };
    const proxy = await startProxy({ upstream: up.url, hooks: { onRequest: async () => no } });
    try {
      upgrades.length = 0;
      const r = await rawExchange(proxy.port, upgradeRequest('/ws'));
      assert.equal(statusOf(r.text), 403);
      assert.ok(r.text.endsWith('\r\n\r\nforbidden'));
      assert.equal(upgrades.length, 0);
    } finally {
      await proxy.close();
    }
  });

  it('refuses an upgrade with a body, passes on an upstream that declines to upgrade, and answers 502 when it is unreachable', async () => {
    const proxy = await startProxy({ upstream: up.url, hooks: { onRequest: async () => undefined } });
    try {
      upgrades.length = 0;
      const withBody = await rawExchange(proxy.port, upgradeRequest('/ws', 'Content-Length: 4\r\n') + 'data');
      assert.equal(statusOf(withBody.text), 400);
      assert.equal(upgrades.length, 0);
      // h2c (or any protocol but WebSocket) would carry requests past the hooks once switched.
      for (const proto of ['h2c', 'websocket, h2c', 'echo']) {
        const other = await rawExchange(proxy.port, `GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: ${proto}\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n`);
        assert.equal(statusOf(other.text), 400, proto);
      }
      assert.equal(upgrades.length, 0);
      const r = await rawExchange(proxy.port, upgradeRequest('/refuse'));
      assert.equal(statusOf(r.text), 400);
      assert.ok(r.text.endsWith('no way'));
    } finally {
      await proxy.close();
    }
    const dead = await startProxy({ upstream: `http://127.0.0.1:${await deadPort()}`, hooks: { onRequest: async () => undefined } });
    try {
      const r = await rawExchange(dead.port, upgradeRequest('/ws'));
      assert.equal(statusOf(r.text), 502);
    } finally {
      await dead.close();
    }
  });

  it('answers 500 when a hook throws or renders an invalid answer on an upgrade', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const hooks: ProxyHooks = {
      onRequest: async () => {
        if (n++ === 0) throw new Error('boom');
        return { status: 403, headers: { 'x-a': 'b\r\nx-c: d' }, body: '' };
      },
    };
    const proxy = await startProxy({ upstream: up.url, hooks, onError: (e) => errors.push(e) });
    try {
      const r = await rawExchange(proxy.port, upgradeRequest('/ws'));
      assert.equal(statusOf(r.text), 500);
      const r2 = await rawExchange(proxy.port, upgradeRequest('/ws'));
      assert.equal(statusOf(r2.text), 500);
      assert.doesNotMatch(r2.text, /x-c: d/);
      assert.equal(errors.length, 2);
    } finally {
      await proxy.close();
    }
  });

  it('tunnels only a WebSocket handshake, and only masked client frames (WebSocket smuggling)', async () => {
    const proxy = await startProxy({ upstream: up.url, hooks: { onRequest: async () => undefined } });
    try {
      upgrades.length = 0;
      for (const path of ['/no-accept', '/wrong-accept']) {
        const r = await rawExchange(proxy.port, upgradeRequest(path));
        assert.equal(statusOf(r.text), 502, `${path}: ${r.text.slice(0, 80)}`);
      }
      const noKey = await rawExchange(proxy.port, 'GET /ws HTTP/1.1\r\nHost: chat.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
      assert.equal(statusOf(noKey.text), 400);
      assert.equal(upgrades.length, 2, 'the request without a key never went upstream');
      // A real switch, then plain HTTP instead of a frame: the tunnel is closed, nothing reaches the upstream's side.
      const t = openTunnel(proxy.port, upgradeRequest('/ws'));
      await t.waitFor('\r\n\r\n');
      assert.match(t.received(), /^HTTP\/1\.1 101 /);
      const closed = deferred();
      t.socket.on('close', () => closed.resolve());
      t.socket.write("GET /search?q=1' UNION SELECT password FROM users-- HTTP/1.1\r\nHost: chat.example\r\n\r\n");
      await closed.promise;
      assert.ok(!t.received().includes('UNION'), 'not echoed back: it never went through');
    } finally {
      await proxy.close();
    }
  });

  it('close() ends open tunnels', async () => {
    const proxy = await startProxy({ upstream: up.url, hooks: { onRequest: async () => undefined } });
    try {
      const t = openTunnel(proxy.port, upgradeRequest('/ws'));
      await t.waitFor('\r\n\r\n');
      const closed = deferred();
      t.socket.on('close', () => closed.resolve());
      await proxy.close();
      await closed.promise;
    } finally {
      await proxy.close();
    }
  });
});
