// The hooks users of express-rate-limit and rate-limiter-flexible expect: skip, a key
// function, their own answer, and the IETF RateLimit headers.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, defaultConfig, MemoryStore } from 'mamori';
import { mamoriExpress } from './index.js';

it('skip, rateLimitKey and respond', async () => {
  const config = defaultConfig({
    rate_limits: [{ name: 'api', paths: ['/api'], per_source: { limit: 2, window: '1m' } }],
    logins: [{ path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }],
    policy: [{ name: 'internal', paths: ['/internal'], allow_ips: ['192.0.2.0/24'] }],
  });
  const guard = createGuard(config, { store: new MemoryStore(), secret: Buffer.from('hooks-test-secret-0123456789abcdef') });
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(
    mamoriExpress(guard, {
      // A skip that also matches the login: the login is protected all the same.
      skip: (req) => req.path === '/health' || req.path === '/login',
      rateLimitKey: (req) => (typeof req.headers['x-api-key'] === 'string' ? `key:${req.headers['x-api-key']}` : undefined),
      respond: (answer) => ({ ...answer, headers: { ...answer.headers, 'content-type': 'application/json' }, body: JSON.stringify({ refused: answer.status }) }),
    }),
  );
  app.get('/health', (_req, res) => void res.send('ok'));
  app.post('/login', (_req, res) => void res.status(401).send('no'));
  app.get('/internal', (_req, res) => void res.send('internal'));
  app.get('/api/x', (_req, res) => void res.send('api'));
  const server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // skip: the policy would refuse /internal from here; /health is not looked at at all.
    assert.equal((await fetch(`${url}/internal`)).status, 403);
    assert.equal((await fetch(`${url}/health`)).status, 200);
    const guesses: number[] = [];
    for (let i = 0; i < 7; i++) {
      guesses.push((await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': 'z' }, body: `email=a%40example.com&password=g${i}` })).status);
    }
    assert.deepEqual(guesses.slice(5), [429, 429], 'skip never turns the login protection off');
    // respond: mamori's refusal in the app's own shape, status and headers kept.
    const refused = await fetch(`${url}/internal`);
    assert.deepEqual(await refused.json(), { refused: 403 });
    assert.equal(refused.headers.get('x-mamori-action'), 'block');
    // rateLimitKey: counted per API key, not per address; RateLimit headers on the answers.
    const get = (key: string) => fetch(`${url}/api/x`, { headers: { 'x-api-key': key } });
    const a = [await get('a'), await get('a'), await get('a')].map((r) => r.status);
    assert.deepEqual(a, [200, 200, 429]);
    const b = await get('b');
    assert.equal(b.status, 200, 'another key has its own budget from the same address');
    assert.match(b.headers.get('ratelimit') ?? '', /"api";r=1/);
  } finally {
    server.close();
    await guard.close();
  }
});

it('a config whose proxy section would do nothing in middleware is refused at start, saying why', () => {
  const guard = createGuard(defaultConfig({ proxy: { upstream: 'http://127.0.0.1:3000' } }), { store: new MemoryStore(), secret: Buffer.from('hooks-test-secret-0123456789abcdef') });
  assert.throws(() => mamoriExpress(guard), /proxy \(listen .*, upstream http:\/\/127\.0\.0\.1:3000\) has no effect in mamoriExpress/);
});
