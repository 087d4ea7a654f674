// Issue 9's critical finding: built as the README shows (no onError anywhere), a webhook
// receiver that is down or never answers must not take the app down, whatever an attacker
// makes mamori report.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, defaultConfig, EVENT_ACTIONS, MemoryStore } from 'mamori';
import { ManualClock } from 'mamori/internal';
import { mamoriExpress } from './index.js';

const listen = (s: Server): Promise<number> => new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

it('a dead and a silent webhook receiver: every event kind fires, the app keeps serving, nothing is thrown', async () => {
  const silent = createServer(() => {
    // Takes the delivery and never answers.
  });
  const silentPort = await listen(silent);
  const gone = createServer();
  const closedPort = await listen(gone);
  await new Promise<void>((r) => gone.close(() => r()));
  const failures: unknown[] = [];
  const onFailure = (err: unknown): void => {
    failures.push(err);
  };
  process.on('unhandledRejection', onFailure);
  process.on('uncaughtException', onFailure);
  const warn = console.warn;
  const warned: string[] = [];
  console.warn = (...a: unknown[]) => warned.push(a.join(' '));
  const every = ['lockout', 'account-closed', 'login-success-after-failures', 'credential-stuffing', 'password-spraying', 'site-attack', 'device-capped', 'challenge-failures', 'challenges-ignored', 'login-failure', 'login-challenged', 'login-blocked', 'request-blocked'];
  const config = defaultConfig({
    logins: [{ path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }],
    login_protection: {
      user_source: { challenge_after: 3, block_after: 3 },
      user: { challenge_after: 6, close_after: 6 },
      source: { challenge_after_users: 20, block_after_users: 20 },
      spraying: { challenge_after_users: 8, block_after_users: 8 },
      site: { challenge_above_failures: 40, window: '10m' },
      challenged: { block_after_ignored: 3 },
      trusted_device: { max_failures_per_device: 2, max_failures_per_account: 2 },
      notify_after_failures: 3,
    },
    policy: [{ name: 'admin', paths: ['/admin'], allow_ips: ['192.0.2.0/24'] }],
    webhooks: [
      { url: `http://127.0.0.1:${closedPort}/hook`, secret: 'a-real-looking-secret-0123456789', events: every },
      { url: `http://127.0.0.1:${silentPort}/hook`, secret: 'a-real-looking-secret-0123456789', events: every },
    ],
  });
  // A clock that stands still: the site's failures all fall in one window (on the wall clock a
  // run that straddles a window's edge counts them in two, and the spike never reaches 40).
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 0, 1));
  const guard = createGuard(config, { store: new MemoryStore({ clock }), secret: Buffer.from('webhook-dead-test-secret-0123456789'), clock });
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  // No onError anywhere; the client address from a test header, so the attack and the visitor differ.
  app.use(mamoriExpress(guard, { clientIp: (req) => String(req.headers['x-test-ip'] ?? '192.0.2.1') }));
  app.get('/', (_req, res) => void res.send('home'));
  app.get('/admin', (_req, res) => void res.send('admin'));
  app.post('/login', (req, res) => void (req.body.password === 'right' ? res.redirect(302, '/account') : res.status(401).send('no')));
  const server = createServer(app);
  const port = await listen(server);
  const base = `http://127.0.0.1:${port}`;
  const login = (email: string, password: string, ip: string, cookie = '') =>
    fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-test-ip': ip, cookie },
      body: new URLSearchParams({ email, password }),
      redirect: 'manual',
    });
  try {
    assert.equal((await fetch(`${base}/admin`, { headers: { 'x-test-ip': '203.0.113.9' } })).status, 403);
    // A login after failures; a trusted device past its day's cap.
    for (let i = 0; i < 3; i++) await login('bob@example.com', `guess-${i}`, `198.51.100.${i + 1}`);
    await login('bob@example.com', 'right', '198.51.100.9');
    const carol = (await login('carol@example.com', 'right', '198.51.100.20')).headers.getSetCookie()[0]!.split(';')[0]!;
    for (let i = 0; i < 3; i++) await login('carol@example.com', `guess-${i}`, '198.51.100.20', carol);
    // A lockout, then the account closed from other sources.
    for (let i = 0; i < 4; i++) await login('alice@example.com', `guess-${i}`, '203.0.113.9');
    for (let i = 0; i < 3; i++) await login('alice@example.com', `guess-x${i}`, `203.0.113.${20 + i}`);
    // Credential stuffing from one source; spraying one password from many.
    for (let i = 0; i < 20; i++) await login(`user${i}@example.com`, `pw-${i}`, '203.0.113.50');
    for (let i = 0; i < 8; i++) await login(`sprayed${i}@example.com`, 'Summer2026!', `203.0.113.${60 + i}`);
    // A site-wide spike, then a source that ignores the challenges it gets.
    for (let i = 0; i < 20; i++) await login(`other${i}@example.com`, `pw-${i}`, `203.0.113.${100 + i}`);
    for (let i = 0; i < 8; i++) await login('dave@example.com', `guess-${i}`, '203.0.113.200');
    // The app serves throughout, and afterwards.
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${base}/`)).status, 200);
    const recorded = new Set((await guard.store.events.query({ limit: 10_000 })).map((e) => e['event.action']));
    const fired = ['lockout', 'account-closed', 'login-success-after-failures', 'credential-stuffing', 'password-spraying', 'site-attack', 'device-capped', 'challenges-ignored', 'login-failure', 'login-challenged', 'login-blocked', 'request-blocked'];
    for (const kind of fired) assert.ok(recorded.has(kind), `${kind} fired (${[...recorded].join(', ')})`);
    for (const kind of recorded) assert.ok(Object.hasOwn(EVENT_ACTIONS, kind), `${kind} is in the documented list`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await fetch(`${base}/`)).status, 200);
    assert.deepEqual(failures, [], 'nothing reached the process');
  } finally {
    silent.closeAllConnections();
    silent.close();
    server.closeAllConnections();
    server.close();
    await guard.close();
    console.warn = warn;
    process.off('unhandledRejection', onFailure);
    process.off('uncaughtException', onFailure);
  }
  assert.ok(warned.some((w) => /mamori: webhook http:\/\/127\.0\.0\.1:\d+\/hook: .* was not delivered/.test(w)), `warned: ${warned.join(' | ')}`);
});
