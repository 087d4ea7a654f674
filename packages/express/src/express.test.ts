import type { AddressInfo } from 'node:net';
import express from 'express';
import { ADAPTER_APP, ManualClock, runAdapterConformance } from 'mamori/testing';
import { mamoriExpress } from './index.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, defaultConfig, MemoryStore, type Guard } from 'mamori';

// Express 4 is installed beside 5 under an npm alias (the root's devDependency "express4"):
// the same suite runs against both majors.
const EXPRESS4: string = 'express4';
const express4 = ((await import(EXPRESS4)) as { default: typeof express }).default;

function starter(express: typeof import('express')) {
  return (guard: Guard) => start(express, guard);
}

async function start(express: typeof import('express'), guard: Guard) {
  const app = express();
  app.use(express.urlencoded({ extended: false }), express.json());
  app.use(mamoriExpress(guard));
  app.get('/', (_req, res) => {
    res.type('text/plain').send(ADAPTER_APP.home);
  });
  app.get('/admin', (_req, res) => {
    res.type('text/plain').send(ADAPTER_APP.admin);
  });
  app.post('/login', (req, res) => {
    const body = (req.body ?? {}) as { email?: unknown; password?: unknown };
    if (body.email === ADAPTER_APP.user && body.password === ADAPTER_APP.password) {
      res.append('set-cookie', ADAPTER_APP.sessionCookie);
      res.redirect(302, ADAPTER_APP.successLocation);
      return;
    }
    res.status(401).type('text/plain').send('wrong email or password');
  });
  app.post('/api/checkout', (req, res) => {
    const number = (req.body as { card?: { number?: unknown } } | undefined)?.card?.number;
    res.set('x-app-step-up', req.get('x-mamori-step-up') ?? 'none');
    res.status(number === ADAPTER_APP.approvedCard ? 200 : 402).json({ status: number === ADAPTER_APP.approvedCard ? 'approved' : 'declined' });
  });
  // Quiet error handler: the body parsers' 400s are expected in the suite.
  app.use((err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(err.status ?? 500).type('text/plain').send('error');
  });
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    // (Express 4 calls back without an error and leaves a failed listen to the 'error' event.)
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

runAdapterConformance('express', starter(express));
runAdapterConformance('express 4', starter(express4));

describe('the Express 4 under test', () => {
  it('is Express 4 (the alias resolved), beside Express 5', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    assert.match((require('express4/package.json') as { version: string }).version, /^4\./);
    assert.match((require('express/package.json') as { version: string }).version, /^5\./);
  });
});


function guardFor(store: MemoryStore, clock: ManualClock): Guard {
  const config = defaultConfig({ logins: [{ path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }] });
  return createGuard(config, { store, secret: Buffer.alloc(32, 7), clock });
}

async function listen(app: express.Express) {
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('mamoriExpress specifics', () => {
  it('adds the device cookie to an answer written with writeHead and its own set-cookie', async () => {
    const clock = new ManualClock();
    const guard = guardFor(new MemoryStore({ clock }), clock);
    const app = express();
    app.use(express.urlencoded({ extended: false }), mamoriExpress(guard));
    app.post('/login', (_req, res) => {
      res.writeHead(302, { location: '/account', 'Set-Cookie': ['sid=1; Path=/', 'theme=dark; Path=/'] });
      res.write('redirecting');
      res.end();
    });
    const s = await listen(app);
    try {
      const res = await fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40example.com&password=x', redirect: 'manual' });
      assert.equal(res.status, 302);
      const names = res.headers.getSetCookie().map((c) => c.split('=')[0]);
      assert.deepEqual(names.sort(), ['mamori_device', 'sid', 'theme']);
    } finally {
      await s.close();
    }
  });

  it('sends store errors after the answer to onError and still answers', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    const guard = guardFor(store, clock);
    const errors: unknown[] = [];
    const app = express();
    app.use(express.urlencoded({ extended: false }), mamoriExpress(guard, { onError: (e) => errors.push(e) }));
    app.post('/login', (_req, res) => {
      // The check has run; only the report of this success resets counters, and that fails.
      store.reset = async () => {
        throw new Error('store down');
      };
      res.writeHead(302, { location: '/account' });
      res.end();
    });
    const s = await listen(app);
    try {
      const res = await fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40example.com&password=x', redirect: 'manual' });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), '/account');
      await res.text();
      assert.equal(errors.length, 1);
      assert.equal((errors[0] as Error).message, 'store down');
    } finally {
      await s.close();
    }
  });

  it('uses clientIp when given, and never X-Forwarded-For by default', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock });
    await store.decisions.add({ action: 'block', scope: 'ip', value: '203.0.113.9', expiresAt: clock.now() + 60_000, origin: 'test', reason: 'test' });
    const guard = guardFor(store, clock);
    const plain = express();
    plain.use(mamoriExpress(guard));
    plain.get('/', (_req, res) => {
      res.send('ok');
    });
    const trusting = express();
    trusting.set('trust proxy', 'loopback');
    trusting.use(mamoriExpress(guard, { clientIp: (req) => req.ip }));
    trusting.get('/', (_req, res) => {
      res.send('ok');
    });
    const a = await listen(plain);
    const b = await listen(trusting);
    try {
      const xff = { 'x-forwarded-for': '203.0.113.9' };
      assert.equal((await fetch(`${a.url}/`, { headers: xff })).status, 200);
      assert.equal((await fetch(`${b.url}/`, { headers: xff })).status, 403);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
