// Issue 9, section 3: the library form (a handler calling mamori itself) lets a challenged
// person in; cookies are Secure when the app itself is on HTTPS; a middleware mounted before
// the body parsers says so instead of refusing every login.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { CHALLENGE_PATH, clientAddressFor, createGuard, defaultConfig, MemoryStore, type RequestInfo } from 'mamori';
import { solveChallenge } from 'mamori/internal';
import { mamoriChallengeRoute, mamoriExpress } from './index.js';

const SECRET = Buffer.from('library-form-test-secret-0123456789abc');

async function listen(app: express.Express): Promise<{ url: string; server: Server }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The library form as the README writes it: the challenge route, and a JSON login that checks and reports (alice's password is 'right'). */
function loginApp(guard: ReturnType<typeof createGuard>, ipOf: (req: express.Request) => string): express.Express {
  const app = express();
  app.post(CHALLENGE_PATH, mamoriChallengeRoute(guard));
  app.post('/api/login', express.json(), async (req, res) => {
    const info: RequestInfo = { ip: ipOf(req), method: req.method, path: req.path, headers: req.headers, secure: req.secure };
    const p = await guard.checkCredentials(info, { username: String(req.body.email ?? ''), password: String(req.body.password ?? '') });
    if (guard.enforced(p.verdict)) {
      const r = guard.respond(p.verdict, info);
      res.status(r.status).set(r.headers).send(r.body);
      return;
    }
    const ok = req.body.email === 'alice@example.com' && req.body.password === 'right';
    const { setCookie } = await guard.reportCredentials(p, ok);
    if (setCookie) res.append('set-cookie', setCookie);
    res.status(ok ? 200 : 401).json({ ok });
  });
  return app;
}

it('the library form: a challenged person solves at the mounted route and gets in with the right password', async () => {
  const guard = createGuard(defaultConfig({ challenge: { base_difficulty: 8, max_difficulty: 10 } }), { store: new MemoryStore(), secret: SECRET });
  const { url, server } = await listen(loginApp(guard, (req) => req.socket.remoteAddress!));
  const login = (password: string, cookie = '') =>
    fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', cookie }, body: JSON.stringify({ email: 'alice@example.com', password }) });
  try {
    for (let i = 0; i < 5; i++) assert.equal((await login(`guess-${i}`)).status, 401);
    const challenged = await login('right');
    assert.equal(challenged.status, 429);
    assert.equal(challenged.headers.get('x-mamori-action'), 'challenge');
    const { challenge } = (await challenged.json()) as { challenge: { token: string; difficulty: number; submit: string } };
    assert.equal(challenge.submit, CHALLENGE_PATH);
    const answer = await fetch(`${url}${challenge.submit}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: challenge.token, solution: solveChallenge(challenge.token, challenge.difficulty) }) });
    assert.equal(answer.status, 200, 'the route answers the challenge');
    const pass = answer.headers.getSetCookie()[0]!.split(';')[0]!;
    const inside = await login('right', pass);
    assert.equal(inside.status, 200, 'in, with the pass');
    assert.ok(inside.headers.getSetCookie().some((c) => c.startsWith('mamori_device=')), 'and a trusted device');
  } finally {
    server.close();
    await guard.close();
  }
});

it('the library form behind a trusted proxy, as the README writes it: one client\'s guesses do not challenge another, and a challenged client gets in (red team 9)', async () => {
  const guard = createGuard(defaultConfig({ network: { trusted_proxies: ['127.0.0.1/32'] }, challenge: { base_difficulty: 8, max_difficulty: 10 } }), { store: new MemoryStore(), secret: SECRET });
  // As the README's library form: the client address through network.trusted_proxies, the same one mamoriChallengeRoute uses.
  const addressOf = clientAddressFor(guard.config);
  const { url, server } = await listen(loginApp(guard, (req) => addressOf(req.socket.remoteAddress, req.headers['x-forwarded-for'])!));
  // The proxy (on 127.0.0.1) adds each client's address to X-Forwarded-For.
  const login = (client: string, email: string, password: string, cookie = '') =>
    fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': client, cookie }, body: JSON.stringify({ email, password }) });
  try {
    for (let i = 0; i < 6; i++) assert.notEqual((await login('203.0.113.9', `user${i}@example.com`, 'guess')).status, 200);
    for (let i = 0; i < 6; i++) await login('203.0.113.9', 'bob@example.com', `guess-${i}`);
    assert.equal((await login('198.51.100.7', 'alice@example.com', 'right')).status, 200, 'another client behind the same proxy is not challenged for the attacker');
    for (let i = 0; i < 5; i++) assert.equal((await login('198.51.100.8', 'carol@example.com', `guess-${i}`)).status, 401);
    const challenged = await login('198.51.100.8', 'carol@example.com', 'guess-5');
    assert.equal(challenged.status, 429);
    const { challenge } = (await challenged.json()) as { challenge: { token: string; difficulty: number; submit: string } };
    const answer = await fetch(`${url}${challenge.submit}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.8' }, body: JSON.stringify({ token: challenge.token, solution: solveChallenge(challenge.token, challenge.difficulty) }) });
    assert.equal(answer.status, 200, 'the challenge is bound to the address the route reads too');
  } finally {
    server.close();
    await guard.close();
  }
});

it('a challenge answer parsed by a JSON parser with a large limit is still held to 16 KiB (red team 9)', async () => {
  const guard = createGuard(defaultConfig({}), { store: new MemoryStore(), secret: SECRET });
  const app = express();
  app.post(CHALLENGE_PATH, express.json({ limit: '50mb' }), mamoriChallengeRoute(guard));
  const { url, server } = await listen(app);
  try {
    const r = await fetch(`${url}${CHALLENGE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'A'.repeat(100_000), solution: '1' }) });
    assert.equal(r.status, 413);
  } finally {
    server.close();
    await guard.close();
  }
});

it('cookies mamori sets are Secure when the app is on HTTPS (here: Express trusting its proxy)', async () => {
  const config = defaultConfig({ logins: [{ path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }] });
  const guard = createGuard(config, { store: new MemoryStore(), secret: SECRET });
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(express.urlencoded({ extended: false }));
  app.use(mamoriExpress(guard, { clientIp: (req) => req.socket.remoteAddress }));
  app.post('/login', (_req, res) => void res.redirect(302, '/account'));
  const { url, server } = await listen(app);
  try {
    const post = (proto?: string) =>
      fetch(`${url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(proto ? { 'x-forwarded-proto': proto } : {}) }, body: 'email=a%40example.com&password=x' });
    const https = (await post('https')).headers.getSetCookie().find((c) => c.startsWith('mamori_device='));
    assert.match(https!, /; Secure/i);
    const http = (await post()).headers.getSetCookie().find((c) => c.startsWith('mamori_device='));
    assert.doesNotMatch(http!, /; Secure/i);
  } finally {
    server.close();
    await guard.close();
  }
});

it('mounted before the body parsers, the middleware says so instead of refusing every login', async () => {
  const config = defaultConfig({ logins: [{ path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }] });
  const guard = createGuard(config, { store: new MemoryStore(), secret: SECRET });
  const app = express();
  app.use(mamoriExpress(guard));
  app.use(express.urlencoded({ extended: false }));
  app.post('/login', (_req, res) => void res.status(401).send('no'));
  const errors: unknown[] = [];
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    errors.push(err);
    res.status(500).send(err.message);
  });
  const { url, server } = await listen(app);
  try {
    const r = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40example.com&password=x' });
    assert.equal(r.status, 500);
    assert.match(await r.text(), /before any body parser read it: put app\.use\(express\.urlencoded/);
    assert.equal((errors[0] as { code?: string }).code, 'MAMORI_ERR_ADAPTER_BODY_PARSER');
    assert.equal((await fetch(`${url}/`)).status, 404, 'other requests are not affected');
  } finally {
    server.close();
    await guard.close();
  }
});
