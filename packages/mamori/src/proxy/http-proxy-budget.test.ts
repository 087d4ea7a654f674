import { it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startProxy } from './http-proxy.js';
import { echoUpstream, rawExchange, request, statusOf } from './test-harness.js';

/** Opens a connection that sends `sent` bytes of a `declared`-byte body and then stalls. */
function stalledUpload(port: number, declared: number, sent: number): Promise<{ socket: Socket; answer: Promise<string> }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${declared}\r\n\r\n`);
      socket.write(Buffer.alloc(sent, 0x61), () => resolve({ socket, answer }));
    });
    let data = '';
    const answer = new Promise<string>((done) => {
      socket.on('data', (d) => (data += d.toString('latin1')));
      socket.on('close', () => done(data));
      socket.on('error', () => done(data));
    });
  });
}

/** A proxy that holds /login bodies for inspection, with the given limits, in front of an echo upstream. */
async function bufferingProxy(limits: Parameters<typeof startProxy>[0]['limits'], onDone?: (status: number) => void) {
  const up = await echoUpstream();
  const proxy = await startProxy({
    upstream: up.url,
    port: 0,
    limits: { maxBufferedBodyBytes: 64 * 1024, lingerMs: 50, ...limits },
    hooks: {
      onRequest: async (ex) => (ex.req.path === '/login' ? 'buffer' : undefined),
      ...(onDone ? { onDone: (_ex: unknown, info: { status: number }) => onDone(info.status) } : {}),
    },
  });
  return { up, proxy, close: async () => (await proxy.close(), await up.close()) };
}

/** Three uploads of 45 KiB of a declared 60 KiB, each left stalled. */
async function threeStalled(port: number) {
  const a = await stalledUpload(port, 60 * 1024, 45 * 1024);
  const b = await stalledUpload(port, 60 * 1024, 45 * 1024);
  const c = await stalledUpload(port, 60 * 1024, 45 * 1024);
  return [a, b, c] as const;
}

it('bodies held for inspection share one memory budget: past it, new ones get 503 and the rest is served', async () => {
  const { proxy, close } = await bufferingProxy({ maxBufferedTotalBytes: 100 * 1024 });
  const open: Socket[] = [];
  try {
    // 90 KiB held by the first two: the third pushes the total past 100 KiB.
    const [a, b, c] = await threeStalled(proxy.port);
    open.push(a.socket, b.socket, c.socket);
    assert.match(await c.answer, /^HTTP\/1\.1 503 /);
    assert.equal((await request(`${proxy.url}/page`)).status, 200, 'requests that hold no body are still served');
    // Once the holders go away, the budget is free again.
    a.socket.destroy();
    b.socket.destroy();
    // The proxy sees the closes a few I/O turns later: retry (bounded) until it has.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await request(`${proxy.url}/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(50 * 1024) })).status;
    }
    assert.equal(status, 200);
  } finally {
    for (const s of open) s.destroy();
    await close();
  }
});

it("one client's stalled uploads spend only its own share (429), and a slow body times out (408)", async () => {
  const { proxy, close } = await bufferingProxy({ maxBufferedPerClientBytes: 100 * 1024, bufferedBodyTimeoutMs: 200 });
  const open: Socket[] = [];
  try {
    const [a, b, c] = await threeStalled(proxy.port);
    open.push(a.socket, b.socket, c.socket);
    assert.match(await c.answer, /^HTTP\/1\.1 429 /);
    // The stalled ones are cut off by the body deadline, which frees the share.
    assert.match(await a.answer, /^HTTP\/1\.1 408 /);
    assert.match(await b.answer, /^HTTP\/1\.1 408 /);
    const ok = await request(`${proxy.url}/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(50 * 1024) });
    assert.equal(ok.status, 200);
  } finally {
    for (const s of open) s.destroy();
    await close();
  }
});

it('pipelined requests whose client disconnects give back their held bytes and are reported done', async () => {
  const done: number[] = [];
  const { proxy, close } = await bufferingProxy({ maxBufferedPerClientBytes: 100 * 1024 }, (status) => done.push(status));
  try {
    // Two pipelined uploads: the second's response is queued behind the first when the socket dies.
    await new Promise<void>((resolve) => {
      const socket = connect(proxy.port, '127.0.0.1', () => {
        const head = (n: number) => `POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${n}\r\n\r\n`;
        socket.write(head(10) + 'x'.repeat(10) + head(60 * 1024) + 'y'.repeat(60 * 1024 - 1), () => setImmediate(() => {
          socket.destroy();
          resolve();
        }));
      });
      socket.on('error', () => resolve());
    });
    // The client's whole share must be free again: a 60 KiB body is accepted (bounded retry while the closes land).
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await request(`${proxy.url}/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'z'.repeat(60 * 1024) })).status;
    }
    assert.equal(status, 200);
    assert.ok(done.length >= 2, `every exchange reported done (${done.join(',')})`);
  } finally {
    await close();
  }
});

it('a body that came with its head is held, forwarded as sent, and its share given back when the exchange ends', async () => {
  const up = await echoUpstream();
  const bodies: string[] = [];
  const proxy = await startProxy({
    upstream: up.url,
    port: 0,
    // One 700-byte body fits the client's share; two held at once would not.
    limits: { maxBufferedBodyBytes: 64 * 1024, maxBufferedPerClientBytes: 1024, lingerMs: 50 },
    hooks: {
      onRequest: async (ex) => (ex.req.path === '/login' ? 'buffer' : undefined),
      onBody: async (_ex, body) => {
        bodies.push(body.toString('latin1'));
        return undefined;
      },
    },
  });
  try {
    for (let i = 0; i < 5; i++) {
      const body = `user=u${i}&pass=${'p'.repeat(690)}`;
      const r = await request(`${proxy.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      assert.equal(r.status, 200, `post ${i}`);
      assert.equal(bodies[i], body);
      assert.equal(up.seen[i]!.body.toString('latin1'), body);
    }
    // Chunked, head and chunks in one write: the same.
    const chunked = await rawExchange(proxy.port, 'POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    assert.equal(statusOf(chunked.text), 200);
    assert.equal(bodies[5], 'abcde');
    assert.equal(up.seen[5]!.body.toString('latin1'), 'abcde');
    // A body over the client's share, all of it with its head, is still refused as before.
    const big = await request(`${proxy.url}/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(2048) });
    assert.equal(big.status, 429);
  } finally {
    await proxy.close();
    await up.close();
  }
});

it('large bodies (uploads past 128 KiB) hold at most half of the room: stalled uploads leave forms served', async () => {
  // Room for 1 MiB in all, bodies of 300 KiB at most; each stalled upload holds 200 KiB of a declared 300 KiB.
  const { proxy, close } = await bufferingProxy({ maxBufferedTotalBytes: 1024 * 1024, maxBufferedBodyBytes: 300 * 1024, maxBufferedPerClientBytes: 4 * 1024 * 1024 });
  const open: Socket[] = [];
  try {
    const held: Awaited<ReturnType<typeof stalledUpload>>[] = [];
    for (let i = 0; i < 3; i++) {
      const u = await stalledUpload(proxy.port, 300 * 1024, 200 * 1024);
      open.push(u.socket);
      held.push(u);
    }
    // Two hold 400 KiB of large bodies; the third passes half the room (512 KiB) and is shed.
    assert.match(await held[2]!.answer, /^HTTP\/1\.1 503 /);
    // A form of 100 KiB is still served: the other half is there for bodies that are not large.
    const form = await request(`${proxy.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `a=${'x'.repeat(100 * 1024)}` });
    assert.equal(form.status, 200);
  } finally {
    for (const s of open) s.destroy();
    await close();
  }
});
