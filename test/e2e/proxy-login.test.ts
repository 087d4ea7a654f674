import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startStack, login, cookieFrom, solveAndPass, rawExchange, type Stack } from './harness.js';

describe('e2e: mamori proxy in front of the demo shop, SQLite store', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ login_protection: { user: { challenge_after: 12, close_after: 12 } } });
  });
  after(async () => {
    await s.close();
  });

  it('the real user logs in through the proxy and gets a trusted-device cookie', async () => {
    const res = await login(s.proxy.url, 'alice@example.com', 'alice-demo-password', { ip: '192.0.2.10' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/account');
    assert.ok(cookieFrom(res, 'demo_session'), 'the shop cookie passes through');
    const device = res.headers.getSetCookie().find((c) => c.startsWith('mamori_device='));
    assert.ok(device, 'mamori adds its device cookie');
    assert.match(device, /HttpOnly/);
    assert.match(device, /SameSite=Lax/);
  });

  it('a brute force from one source is blocked with Retry-After; a restart does not lift it', async () => {
    const ip = '203.0.113.50';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(s.proxy.url, 'bob@example.com', `guess-${i}`, { ip })).status);
    assert.deepEqual(statuses, Array(5).fill(401), 'the first five reach the shop');
    const challenged = await login(s.proxy.url, 'bob@example.com', 'guess-5', { ip, accept: 'application/json' });
    assert.equal(challenged.status, 429);
    assert.equal(challenged.headers.get('x-mamori-action'), 'challenge');
    // A script that pays a proof of work for each guess gets five more, then the block.
    let pass = await solveAndPass(s.proxy.url, challenged, ip);
    assert.equal((await login(s.proxy.url, 'bob@example.com', 'guess-5', { ip, cookie: pass })).status, 401);
    const reused = await login(s.proxy.url, 'bob@example.com', 'guess-6', { ip, cookie: pass, accept: 'application/json' });
    assert.equal(reused.headers.get('x-mamori-action'), 'challenge', 'a pass buys one login attempt');
    pass = await solveAndPass(s.proxy.url, reused, ip);
    for (let i = 6; i < 10; i++) {
      const r = await login(s.proxy.url, 'bob@example.com', `guess-${i}`, { ip, cookie: pass, accept: 'application/json' });
      assert.equal(r.status, 401);
      if (i < 9) pass = await solveAndPass(s.proxy.url, await login(s.proxy.url, 'bob@example.com', 'probe', { ip, accept: 'application/json' }), ip);
    }
    const blocked = await login(s.proxy.url, 'bob@example.com', 'guess-10', { ip, cookie: pass });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.headers.get('x-mamori-action'), 'block');
    assert.equal(blocked.headers.get('retry-after'), '60');
    const before = s.shop.gatewayStats();
    await s.stopMamori();
    await s.restartMamori();
    const again = await login(s.proxy.url, 'bob@example.com', 'bob-demo-password', { ip });
    assert.equal(again.status, 429, 'the lockout holds across a restart');
    assert.ok(Number(again.headers.get('retry-after')) <= 60);
    assert.deepEqual(s.shop.gatewayStats(), before);
    s.clock.advance(61_000);
    const later = await login(s.proxy.url, 'bob@example.com', 'bob-demo-password', { ip, accept: 'application/json' });
    assert.equal(later.status, 429, 'after the back-off the source must solve a challenge');
    assert.equal(later.headers.get('x-mamori-action'), 'challenge');
    const body = (await later.json()) as { challenge: { token: string } };
    assert.ok(body.challenge.token);
  });

  it('blocked answers are the same for an existing and an unknown account', async () => {
    for (let i = 0; i < 5; i++) await login(s.proxy.url, 'admin@example.com', `x${i}`, { ip: '203.0.113.61' });
    for (let i = 0; i < 5; i++) await login(s.proxy.url, 'ghost@example.com', `x${i}`, { ip: '203.0.113.62' });
    const a = await login(s.proxy.url, 'admin@example.com', 'x', { ip: '203.0.113.61', accept: 'application/json' });
    const b = await login(s.proxy.url, 'ghost@example.com', 'x', { ip: '203.0.113.62', accept: 'application/json' });
    assert.equal(a.status, b.status);
    assert.equal(a.headers.get('retry-after'), b.headers.get('retry-after'));
    const shape = async (r: Response) => {
      const j = (await r.json()) as { challenge: Record<string, unknown> };
      return { ...j, challenge: { ...j.challenge, token: 'T', expires_at: 'E' } };
    };
    assert.deepEqual(await shape(a), await shape(b));
  });

  it('a distributed attack closes the account to strangers, but alice with her device gets in', async () => {
    const first = await login(s.proxy.url, 'alice@example.com', 'alice-demo-password', { ip: '192.0.2.10' });
    const device = cookieFrom(first, 'mamori_device')!;
    for (let i = 0; i < 12; i++) {
      assert.equal((await login(s.proxy.url, 'alice@example.com', `wrong-${i}`, { ip: `198.51.100.${i + 1}` })).status, 401);
    }
    const stranger = await login(s.proxy.url, 'alice@example.com', 'alice-demo-password', { ip: '192.0.2.99' });
    assert.equal(stranger.status, 429, 'even the right password is refused from an untrusted device');
    const owner = await login(s.proxy.url, 'alice@example.com', 'alice-demo-password', { ip: '192.0.2.99', cookie: device });
    assert.equal(owner.status, 302, 'the owner with her trusted device gets in');
    const events = await s.store.events.query({ action: 'account-closed' });
    assert.equal(events.length, 1);
  });

  it('the admin area is closed to sources outside Japan, open from loopback', async () => {
    const foreign = await fetch(`${s.proxy.url}/admin`, { headers: { 'x-forwarded-for': '198.51.100.77' }, redirect: 'manual' });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get('x-mamori-action'), 'block');
    const dodge = await fetch(`${s.proxy.url}/%61dmin/`, { headers: { 'x-forwarded-for': '198.51.100.77' }, redirect: 'manual' });
    assert.equal(dodge.status, 403, 'an encoded path does not dodge the policy');
    const local = await fetch(`${s.proxy.url}/admin`, { redirect: 'manual' });
    assert.notEqual(local.status, 403);
  });

  it('an operator decision blocks a source at once', async () => {
    await s.store.decisions.add({ action: 'block', scope: 'range', value: '203.0.113.128/25', expiresAt: s.clock.now() + 3_600_000, origin: 'cli', reason: 'test' });
    const r = await fetch(`${s.proxy.url}/`, { headers: { 'x-forwarded-for': '203.0.113.200' } });
    assert.equal(r.status, 403);
    const ok = await fetch(`${s.proxy.url}/`, { headers: { 'x-forwarded-for': '203.0.113.20' } });
    assert.equal(ok.status, 200);
  });
});

describe('e2e: hostile input through the proxy', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(async () => {
    await s.close();
  });

  it('a megabyte username is refused with 413, and a large one is counted without trouble', async () => {
    const huge = await login(s.proxy.url, 'a'.repeat(1024 * 1024 + 10), 'x', { ip: '203.0.113.1' });
    assert.equal(huge.status, 413);
    const big = 'b'.repeat(10_000);
    for (let i = 0; i < 5; i++) assert.equal((await login(s.proxy.url, big, "x", { ip: "203.0.113.2" })).status, 401, "the shop refuses it; mamori counted it");
    const v = await login(s.proxy.url, big, "x", { ip: "203.0.113.2", accept: "application/json" });
    assert.equal(v.headers.get("x-mamori-action"), "challenge", "a long name is counted like any other");
  });

  it('invalid UTF-8 and malformed forms get a clean answer', async () => {
    const raw = Buffer.concat([Buffer.from('email='), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('&password=%E0%A4%A&&&==')]);
    const r = await fetch(`${s.proxy.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.3' }, body: raw, redirect: 'manual' });
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
  });

  it('malformed JSON to the login gets a 4xx, not a crash', async () => {
    const r = await fetch(`${s.proxy.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.4' }, body: '{"email": "a@b.c", "password": ', redirect: 'manual' });
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    assert.equal((await fetch(`${s.proxy.url}/healthz`)).status, 200, 'still serving');
  });

  it('a login field sent twice is refused as ambiguous', async () => {
    const r = await fetch(`${s.proxy.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40example.com&email=alice%40example.com&password=x', redirect: 'manual' });
    assert.equal(r.status, 400);
  });

  it('10,000 headers get a clean 431 and the proxy keeps serving', async () => {
    const lines = ['GET / HTTP/1.1', `Host: 127.0.0.1:${s.proxy.port}`];
    for (let i = 0; i < 10_000; i++) lines.push(`x-h-${i}: v`);
    const answer = await rawExchange(s.proxy.port, lines.join('\r\n') + '\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 431/);
    assert.equal((await fetch(`${s.proxy.url}/healthz`)).status, 200);
  });

  it('memory stays bounded under a flood of distinct usernames and sources', async () => {
    globalThis.gc?.();
    const start = process.memoryUsage().heapUsed;
    const jobs: Promise<Response>[] = [];
    for (let i = 0; i < 300; i++) {
      jobs.push(login(s.proxy.url, `flood-${i}-${'z'.repeat(2000)}@example.com`, 'x', { ip: `198.18.${i >> 8}.${i & 255}` }));
      if (jobs.length === 20) await Promise.all(jobs.splice(0).map((p) => p.then((r) => r.arrayBuffer())));
    }
    await Promise.all(jobs.map((p) => p.then((r) => r.arrayBuffer())));
    const grown = process.memoryUsage().heapUsed - start;
    assert.ok(grown < 64 * 1024 * 1024, `heap grew ${grown} bytes`);
  });

  it('conflicting Content-Length and Transfer-Encoding are refused', async () => {
    const answer = await rawExchange(s.proxy.port, `POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 400/);
  });

  it('upstream down gives a clean 502', async () => {
    await s.shop.close();
    const r = await fetch(`${s.proxy.url}/`);
    assert.equal(r.status, 502);
    s.shop.close = async () => {};
  });
});

