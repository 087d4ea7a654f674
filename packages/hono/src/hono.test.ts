import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { ADAPTER_APP, ManualClock, runAdapterConformance } from 'mamori/testing';
import { createGuard, defaultConfig, MemoryStore, type Guard } from 'mamori';
import { mamoriHono } from './index.js';

async function listen(app: Hono) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

async function start(guard: Guard) {
  const app = new Hono();
  app.use(mamoriHono(guard));
  app.get('/', (c) => c.text(ADAPTER_APP.home));
  app.get('/admin', (c) => c.text(ADAPTER_APP.admin));
  app.post('/login', async (c) => {
    let body: Record<string, unknown>;
    try {
      body = (c.req.header('content-type') ?? '').includes('json') ? await c.req.json() : await c.req.parseBody();
    } catch {
      return c.text('malformed body', 400);
    }
    if (body.email === ADAPTER_APP.user && body.password === ADAPTER_APP.password) {
      c.header('set-cookie', ADAPTER_APP.sessionCookie);
      return c.redirect(ADAPTER_APP.successLocation, 302);
    }
    return c.text('wrong email or password', 401);
  });
  app.post('/api/checkout', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { card?: { number?: unknown } };
    c.header('x-app-step-up', c.req.header('x-mamori-step-up') ?? 'none');
    const ok = body.card?.number === ADAPTER_APP.approvedCard;
    return c.json({ status: ok ? 'approved' : 'declined' }, ok ? 200 : 402);
  });
  return listen(app);
}

runAdapterConformance('hono', start);

describe('mamoriHono specifics', () => {
  it('adds the device cookie to a response with immutable headers and reports store errors to onError', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    const config = defaultConfig({ logins: [{ path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }] });
    const guard = createGuard(config, { store, secret: Buffer.alloc(32, 7), clock });
    const errors: unknown[] = [];
    const app = new Hono();
    app.use(mamoriHono(guard, { onError: (e) => errors.push(e) }));
    app.post('/login', async (c) => {
      const body = await c.req.parseBody();
      if (body.password === 'ok') return Response.redirect('http://127.0.0.1/account', 302); // immutable headers
      return c.text('no', 401);
    });
    const s = await listen(app);
    const post = (password: string) =>
      fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=a%40example.com&password=${password}`, redirect: 'manual' });
    try {
      const ok = await post('ok');
      assert.equal(ok.status, 302);
      assert.ok(ok.headers.getSetCookie().some((c) => c.startsWith('mamori_device=')));
      // Only the report of a success resets counters: it comes after the app has answered.
      store.reset = async () => {
        throw new Error('store down');
      };
      const again = await post('ok');
      assert.equal(again.status, 302);
      assert.equal(errors.length, 1);
      assert.equal((errors[0] as Error).message, 'store down');
      const no = await post('bad');
      assert.equal(no.status, 401);
      assert.equal(await no.text(), 'no');
      assert.equal(errors.length, 1, 'a failure settles what check reserved: no store call to fail');
    } finally {
      await s.close();
    }
  });

  it('refuses a login body over the limit with 413', async () => {
    const clock = new ManualClock();
    const config = defaultConfig({ logins: [{ path: '/login', username: { json: 'email' }, failure: { status: [401] }, success: { status: [302] } }] });
    const guard = createGuard(config, { store: new MemoryStore({ clock }), secret: Buffer.alloc(32, 7), clock });
    const app = new Hono();
    app.use(mamoriHono(guard, { maxLoginBodyBytes: 1024 }));
    app.post('/login', (c) => c.text('reached', 401));
    const s = await listen(app);
    try {
      const big = JSON.stringify({ email: 'a'.repeat(4000) });
      const res = await fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      assert.equal(res.status, 413);
      // Streamed without a length: still cut at the limit.
      const streamed = await fetch(`${s.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new ReadableStream({ start(ctl) { ctl.enqueue(new TextEncoder().encode(big)); ctl.close(); } }),
        duplex: 'half',
      } as RequestInit);
      assert.equal(streamed.status, 413);
      const small = await fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"a"}' });
      assert.equal(small.status, 401);
      assert.equal(await small.text(), 'reached');
    } finally {
      await s.close();
    }
  });
});
