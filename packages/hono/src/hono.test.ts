import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { ADAPTER_APP, runAdapterConformance } from 'mamori/testing';
import type { Guard } from 'mamori';
import { mamoriHono } from './index.js';

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

runAdapterConformance('hono', start);
