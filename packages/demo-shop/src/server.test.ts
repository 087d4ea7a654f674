import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoShop, type DemoShop } from './index.js';
import { MAX_BODY_BYTES } from './http-io.js';
import { SESSION_TTL_MS } from './sessions.js';
import { cookiePair, get, login, postChunked, postForm, postJson } from './test-support.js';

describe('demo shop pages and logins', () => {
  let shop: DemoShop;
  let base: string;
  const clock = { t: Date.UTC(2026, 0, 1), now(): number { return this.t; } };
  before(async () => {
    shop = await startDemoShop({ port: 0, clock });
    base = shop.url;
  });
  after(() => shop.close());

  test('listens on 127.0.0.1 and reports its url', () => {
    assert.ok(shop.port > 0);
    assert.equal(base, `http://127.0.0.1:${shop.port}`);
  });

  test('home, login form and health check', async () => {
    const home = await get(`${base}/`);
    assert.equal(home.status, 200);
    assert.match(home.headers.get('content-type') ?? '', /^text\/html/);
    const html = await home.text();
    for (const href of ['/login', '/account', '/admin']) assert.ok(html.includes(`href="${href}"`), href);

    const form = await (await get(`${base}/login`)).text();
    assert.match(form, /<form method="post" action="\/login">/);
    assert.match(form, /name="email"/);
    assert.match(form, /name="password"/);

    const health = await get(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'ok');
  });

  test('unknown paths are 404 and wrong methods 405', async () => {
    const missing = await get(`${base}/nope`);
    assert.equal(missing.status, 404);
    await missing.arrayBuffer();
    const api = await get(`${base}/api/nope`);
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { status: string }).status, 'error');
    const wrong = await fetch(`${base}/healthz`, { method: 'DELETE' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET, HEAD');
    await wrong.arrayBuffer();
  });

  test('a correct login redirects to /account with a hardened session cookie', async () => {
    const res = await postForm(`${base}/login`, { email: 'alice@example.com', password: 'alice-demo-password' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/account');
    const cookies = res.headers.getSetCookie();
    assert.equal(cookies.length, 1);
    const parts = cookies[0]!.split(';').map((p) => p.trim());
    const [name, value] = parts[0]!.split('=');
    assert.equal(name, 'demo_session');
    assert.equal(Buffer.from(value!, 'base64url').length, 32);
    assert.ok(parts.includes('HttpOnly'));
    assert.ok(parts.includes('SameSite=Lax'));
    assert.ok(parts.includes('Path=/'));
  });

  test('each login gets a different session id', async () => {
    const a = await login(base, 'bob@example.com', 'bob-demo-password');
    const b = await login(base, 'bob@example.com', 'bob-demo-password');
    assert.notEqual(a, b);
  });

  test('JSON logins are accepted too', async () => {
    const res = await postJson(`${base}/login`, { email: 'bob@example.com', password: 'bob-demo-password' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/account');
    const page = await (await get(`${base}/account`, cookiePair(res))).text();
    assert.ok(page.includes('bob@example.com'));
  });

  test('wrong password and unknown user get the same 401 page and no cookie', async () => {
    const wrong = await postForm(`${base}/login`, { email: 'alice@example.com', password: 'nope' });
    const unknown = await postForm(`${base}/login`, { email: 'mallory@example.com', password: 'nope' });
    const unknownJson = await postJson(`${base}/login`, { email: 'mallory@example.com', password: 'alice-demo-password' });
    const bodies: string[] = [];
    for (const res of [wrong, unknown, unknownJson]) {
      assert.equal(res.status, 401);
      assert.equal(res.headers.getSetCookie().length, 0);
      bodies.push(await res.text());
    }
    assert.ok(bodies[0]!.includes('Invalid email or password'));
    assert.equal(bodies[1], bodies[0]);
    assert.equal(bodies[2], bodies[0]);
  });

  test('malformed login requests are 400, odd content types 415', async () => {
    const cases: [Promise<Response>, number][] = [
      [postForm(`${base}/login`, { email: 'alice@example.com' }), 400],
      [postJson(`${base}/login`, '{"email": "alice@example.com", '), 400],
      [postJson(`${base}/login`, '["alice@example.com", "alice-demo-password"]'), 400],
      [postJson(`${base}/login`, { email: 'alice@example.com', password: 42 }), 400],
      [fetch(`${base}/login`, { method: 'POST', body: Buffer.from([0x65, 0x3d, 0xff, 0xfe]), headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400],
      [fetch(`${base}/login`, { method: 'POST', body: 'email=a&password=b', headers: { 'content-type': 'text/xml' } }), 415],
    ];
    for (const [p, status] of cases) {
      const res = await p;
      assert.equal(res.status, status);
      assert.equal(res.headers.getSetCookie().length, 0);
      await res.arrayBuffer();
    }
  });

  test('bodies over the cap are refused with 413, declared or streamed', async () => {
    const big = 'email=alice%40example.com&password=' + 'x'.repeat(MAX_BODY_BYTES);
    const declared = await fetch(`${base}/login`, {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(declared.status, 413);
    await declared.arrayBuffer();

    const streamed = await postChunked(`${base}/api/checkout`, 'application/json', [Buffer.alloc(8192, 0x20), Buffer.alloc(8192, 0x20), Buffer.from('{}')]);
    assert.equal(streamed.status, 413);
    assert.equal(streamed.headers['connection'], 'close');
    assert.equal(shop.gatewayStats().authorizations, 0);

    // Just under the cap is read (and here rejected only as a bad login).
    const under = await postChunked(`${base}/login`, 'application/x-www-form-urlencoded', [
      Buffer.from('email=a&password='),
      Buffer.alloc(MAX_BODY_BYTES - 'email=a&password='.length, 0x78),
    ]);
    assert.equal(under.status, 401);
  });

  test('/account needs a session and shows the signed-in email', async () => {
    const anon = await get(`${base}/account`);
    assert.equal(anon.status, 302);
    assert.equal(anon.headers.get('location'), '/login');

    const forged = await get(`${base}/account`, 'demo_session=' + Buffer.alloc(32).toString('base64url'));
    assert.equal(forged.status, 302);
    const junk = await get(`${base}/account`, 'demo_session=<script>; other=1');
    assert.equal(junk.status, 302);

    const cookie = await login(base, 'alice@example.com', 'alice-demo-password');
    const res = await get(`${base}/account`, `theme=dark; ${cookie}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.ok(html.includes('alice@example.com'));
    assert.ok(!html.includes('bob@example.com'));
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('/admin is for admins only', async () => {
    const anon = await get(`${base}/admin`);
    assert.equal(anon.status, 302);
    assert.equal(anon.headers.get('location'), '/login');

    const customer = await get(`${base}/admin`, await login(base, 'alice@example.com', 'alice-demo-password'));
    assert.equal(customer.status, 403);
    assert.ok(!(await customer.text()).includes('Administrator area'));

    const admin = await get(`${base}/admin`, await login(base, 'admin@example.com', 'admin-demo-password'));
    assert.equal(admin.status, 200);
    const html = await admin.text();
    assert.ok(html.includes('Administrator area'));
    assert.ok(html.includes('admin@example.com'));
  });

  test('logout ends the session on the server, not only in the browser', async () => {
    const cookie = await login(base, 'bob@example.com', 'bob-demo-password');
    assert.equal((await get(`${base}/account`, cookie)).status, 200);
    const out = await fetch(`${base}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    assert.equal(out.status, 302);
    assert.match(out.headers.getSetCookie()[0] ?? '', /^demo_session=; Max-Age=0;/);
    assert.equal((await get(`${base}/account`, cookie)).status, 302);
  });

  test('sessions expire after their lifetime', async () => {
    const cookie = await login(base, 'alice@example.com', 'alice-demo-password');
    clock.t += SESSION_TTL_MS - 1;
    assert.equal((await get(`${base}/account`, cookie)).status, 200);
    clock.t += 1;
    assert.equal((await get(`${base}/account`, cookie)).status, 302);
  });
});
