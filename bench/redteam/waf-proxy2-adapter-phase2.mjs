// Second pass: do the Fastify and Hono adapters have the phase-2 gaps the proxy had (first pass,
// finding 1: a rate-limited route skipped the body)? Each app has a per-source rate limit on
// /api/*, a login on /login (form), a route for every method on /*, and records what its handler
// received. Bodies with an SQLi are sent on a rate-limited route, the login, a GET, HEAD, OPTIONS
// and DELETE with bodies, and one chunked without a Content-Length. A FINDING is the handler
// reached with the payload.
//
//   node bench/redteam/waf-proxy2-adapter-phase2.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { createGuard, defaultConfig, MemoryStore } from '../../packages/mamori/dist/index.js';
import { mamoriFastify } from '../../packages/fastify/dist/index.js';
import { mamoriHono } from '../../packages/hono/dist/index.js';
import { CRS, LIBINJECTION, raw, rawReq, report, results } from './waf-proxy-lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'mamori-waf-phase2-'));
const config = () => defaultConfig({
  data_dir: join(dir, `data-${Math.random().toString(36).slice(2)}`),
  waf: { crs: CRS, libinjection: LIBINJECTION, block_sources: { after: 0 } },
  rate_limits: [{ name: 'api', paths: ['/api/*'], per_source: { limit: 1000, window: '1m' } }],
  logins: [{ name: 'login', path: '/login', username: { form: 'user' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }],
});
const SQLI = "1' UNION SELECT username,password FROM users--";
const form = `q=${encodeURIComponent(SQLI)}`;

async function fastifyApp(seen) {
  const guard = createGuard(config(), { store: new MemoryStore(), secret: Buffer.alloc(32, 3) });
  const app = Fastify();
  await app.register(mamoriFastify, { guard, clientIp: () => '192.0.2.10' });
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => done(null, body));
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'], url: '/*', exposeHeadRoute: false, handler: async (req) => {
    seen.push(`${req.method} ${req.url} ${typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? '')}`);
    return 'ok';
  } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { port: app.server.address().port, close: () => app.close() };
}

async function honoApp(seen) {
  const guard = createGuard(config(), { store: new MemoryStore(), secret: Buffer.alloc(32, 3) });
  const app = new Hono();
  app.use(mamoriHono(guard, { clientIp: () => '192.0.2.10' }));
  app.all('/*', async (c) => {
    const body = c.req.raw.body ? await c.req.text() : '';
    seen.push(`${c.req.method} ${new URL(c.req.url).pathname} ${body}`);
    return c.text('ok');
  });
  const s = await new Promise((resolve) => { const srv = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(srv)); });
  return { port: s.address().port, close: () => new Promise((r) => { s.closeAllConnections?.(); s.close(() => r()); }) };
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const cases = [
  ['POST form on a rate-limited route', rawReq({ method: 'POST', target: '/api/search', headers: FORM, body: form })],
  ['POST JSON on a rate-limited route', rawReq({ method: 'POST', target: '/api/search', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ q: SQLI }) })],
  ['POST login with the SQLi in the user name', rawReq({ method: 'POST', target: '/login', headers: FORM, body: `user=${encodeURIComponent(SQLI)}&password=x` })],
  ['GET with a form body', rawReq({ method: 'GET', target: '/search', headers: FORM, body: form })],
  ['HEAD with a form body', rawReq({ method: 'HEAD', target: '/search', headers: FORM, body: form })],
  ['OPTIONS with a form body', rawReq({ method: 'OPTIONS', target: '/api/search', headers: FORM, body: form })],
  ['DELETE with a JSON body on a rate-limited route', rawReq({ method: 'DELETE', target: '/api/item', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: SQLI }) })],
  ['POST chunked (no Content-Length) on a rate-limited route', rawReq({ method: 'POST', target: '/api/search', headers: { ...FORM, 'Transfer-Encoding': 'chunked' }, body: `${form.length.toString(16)}\r\n${form}\r\n0\r\n\r\n` })],
  ['POST with Basic auth on a rate-limited route', rawReq({ method: 'POST', target: '/api/search', headers: { ...FORM, Authorization: `Basic ${Buffer.from('bob:pw').toString('base64')}` }, body: form })],
];

try {
  for (const [name, start] of [['fastify', fastifyApp], ['hono', honoApp]]) {
    const seen = [];
    const app = await start(seen);
    try {
      const c = await raw(app.port, rawReq({ method: 'POST', target: '/api/search', headers: FORM, body: 'q=green+tea' }));
      report(c.statuses[0] === 200 && seen.some((x) => x.includes('green+tea')), `${name}: control, a benign form on the rate-limited route reaches the handler`, `statuses ${JSON.stringify(c.statuses)}`);
      for (const [label, bytes] of cases) {
        const before = seen.length;
        const r = await raw(app.port, bytes);
        const got = seen.slice(before).some((s) => s.includes('UNION') || s.includes('UNION%20SELECT'));
        report(!got, `${name}: ${label}`, `statuses ${JSON.stringify(r.statuses)}${got ? `; the handler read: ${JSON.stringify(seen.at(-1).slice(0, 90))}` : ''}`);
      }
    } finally {
      await app.close();
    }
  }
} finally {
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${results.findings} finding(s)`);
