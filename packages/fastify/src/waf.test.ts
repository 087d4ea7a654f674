/**
 * The WAF in the Fastify plugin, with CRS at paranoia level 1: benign requests reach the
 * handlers, which parse the very bytes the WAF read (a form, JSON sent with a length or
 * chunked, multipart read from request.raw as @fastify/multipart does); attacks in the query,
 * a form, JSON and multipart are refused before any handler runs, with a waf-blocked event;
 * a body over the WAF's limit gets 413; a phase 3 rule replaces the app's answer; detect mode
 * records and lets through.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseForm } from 'node:querystring';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { createGuard, defaultConfig, MemoryStore, type Guard } from 'mamori';
import type { MamoriYaml } from 'mamori/internal';
import { ManualClock, sharedData } from 'mamori/testing';
import { mamoriFastify } from './index.js';

const crs = sharedData('crs', 'MAMORI_CRS_DIR');
const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
const skip = crs.missing ?? libinjection.missing;
const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', accept: 'text/html,application/xhtml+xml', 'accept-language': 'ja,en;q=0.8' };
const LIMIT = 32 * 1024;
/** A phase 3 rule of our own: the app's answer must not carry a debug token. */
const PHASE3 = 'SecRule RESPONSE_HEADERS:X-Debug-Token "@rx ." "id:1900001,phase:3,deny,status:403,log,msg:\'debug token in the answer\'"\n';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request through node:http: the body sent with its length, or in chunks without one (until an answer comes). */
function send(url: string, o: { method?: string; headers?: Record<string, string>; body?: string | Buffer; chunks?: Buffer[]; ip: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...BROWSER, 'x-forwarded-for': o.ip, ...o.headers };
    if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
    const req = httpRequest(url, { method: o.method ?? (o.body !== undefined || o.chunks ? 'POST' : 'GET'), headers });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    if (o.body !== undefined) req.end(o.body);
    else if (o.chunks) {
      // One chunk at a time, until the server answers (it may refuse before the end).
      const chunks = [...o.chunks];
      const next = () => {
        if (answered) return req.destroy();
        const c = chunks.shift();
        if (c === undefined) return req.end();
        req.write(c, () => setImmediate(next));
      };
      next();
    } else req.end();
  });
}

async function setup(waf: MamoriYaml['waf']) {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-waf-fastify-'));
  const rules = join(dir, 'phase3.conf');
  writeFileSync(rules, PHASE3);
  const clock = new ManualClock();
  const guard: Guard = createGuard(
    defaultConfig({
      data_dir: dir,
      network: { trusted_proxies: ['127.0.0.1/32'] },
      logins: [{ path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }],
      waf: { crs: crs.dir, libinjection: libinjection.dir, own_rules: false, rules: [rules], request_body_limit: LIMIT, request_body_no_files_limit: LIMIT, ...waf },
    }),
    { store: new MemoryStore({ clock }), secret: Buffer.alloc(32, 7), clock },
  );
  /** What the handlers received: path and parsed body. */
  const seen: { path: string; body: unknown }[] = [];
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, parseForm(body as string)));
  // As @fastify/multipart does: the parser leaves the payload alone, the handler reads request.raw.
  app.addContentTypeParser('multipart/form-data', (_req, _payload, done) => done(null));
  await app.register(mamoriFastify, { guard });
  app.get('/products', async (req) => {
    seen.push({ path: '/products', body: { ...(req.query as object) } });
    return 'ok';
  });
  app.get('/item', async (req) => {
    seen.push({ path: '/item', body: { ...(req.query as object) } });
    return 'ok';
  });
  for (const path of ['/contact', '/comment', '/api/orders', '/api/ping', '/xml']) {
    app.post(path, async (req) => {
      seen.push({ path, body: req.body });
      return 'ok';
    });
  }
  app.post('/login', async (req, reply) => {
    const body = req.body as { email?: string; password?: string };
    seen.push({ path: '/login', body: { ...body } });
    if (body.password === 'right-password') return reply.header('set-cookie', 'sid=1; Path=/').redirect('/account', 302);
    return reply.code(401).send('wrong email or password');
  });
  app.post('/upload', async (req) => {
    const parts: Buffer[] = [];
    for await (const c of req.raw) parts.push(c as Buffer);
    seen.push({ path: '/upload', body: Buffer.concat(parts).toString('utf8') });
    return 'ok';
  });
  app.get('/debug', async (_req, reply) => {
    seen.push({ path: '/debug', body: undefined });
    return reply.header('x-debug-token', 'abc123').header('set-cookie', 'app=1').send('internal details');
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    guard,
    seen,
    async close() {
      await app.close();
      await guard.close();
      await guard.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json', accept: 'application/json' };
const MULTIPART_BODY = '--b1\r\nContent-Disposition: form-data; name="title"\r\n\r\nSpring tea\r\n--b1\r\nContent-Disposition: form-data; name="note"\r\n\r\nleaves from Shizuoka\r\n--b1--\r\n';
const MULTIPART = { 'content-type': 'multipart/form-data; boundary=b1' };

describe('mamoriFastify: the WAF with CRS (blocking, paranoia 1)', { skip }, () => {
  let s: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    s = await setup({});
  });
  after(() => s.close());

  it('lets benign requests through, and the handlers parse the bytes the WAF read', async () => {
    const page = await send(`${s.url}/products?category=tea&sort=price`, { ip: '203.0.113.1' });
    assert.equal(page.status, 200);
    assert.deepEqual(s.seen.at(-1), { path: '/products', body: { category: 'tea', sort: 'price' } });

    const form = 'name=Sato+Hanako&address=1-2-3+Chiyoda%2C+Tokyo&comment=It%27s+great%2C+thanks%21';
    assert.equal((await send(`${s.url}/contact`, { headers: FORM, body: form, ip: '203.0.113.1' })).status, 200);
    assert.deepEqual({ ...(s.seen.at(-1)!.body as object) }, { ...parseForm(form) });

    const items = Array.from({ length: 300 }, (_, i) => ({ sku: `TEA-${i}`, name: `Sencha No. ${i}`, qty: (i % 5) + 1 }));
    const json = JSON.stringify({ order: { items, customer: { name: 'Suzuki Ichiro', email: 'ichiro@example.jp' } } });
    assert.ok(json.length > 10_000 && json.length < LIMIT);
    assert.equal((await send(`${s.url}/api/orders`, { headers: JSON_TYPE, body: json, ip: '203.0.113.1' })).status, 200);
    assert.deepEqual(s.seen.at(-1)!.body, JSON.parse(json));
    // Chunked, without a length: read whole all the same, then parsed by Fastify.
    const bytes = Buffer.from(json);
    const chunks = [bytes.subarray(0, 5000), bytes.subarray(5000, 9000), bytes.subarray(9000)];
    assert.equal((await send(`${s.url}/api/orders`, { headers: JSON_TYPE, chunks, ip: '203.0.113.1' })).status, 200);
    assert.deepEqual(s.seen.at(-1)!.body, JSON.parse(json));
  });

  it('gives request.raw the same bytes, for a parser that reads it (multipart)', async () => {
    const r = await send(`${s.url}/upload`, { headers: MULTIPART, body: MULTIPART_BODY, ip: '203.0.113.2' });
    assert.equal(r.status, 200);
    assert.deepEqual(s.seen.at(-1), { path: '/upload', body: MULTIPART_BODY });
    const chunked = await send(`${s.url}/upload`, { headers: MULTIPART, chunks: [Buffer.from(MULTIPART_BODY.slice(0, 40)), Buffer.from(MULTIPART_BODY.slice(40))], ip: '203.0.113.2' });
    assert.equal(chunked.status, 200);
    assert.deepEqual(s.seen.at(-1), { path: '/upload', body: MULTIPART_BODY });
  });

  it('leaves a body with no parser to Fastify (415), and refuses an attack with one before that', async () => {
    const before = s.seen.length;
    const xml = '<?xml version="1.0"?><order><item>TEA-1</item></order>';
    assert.equal((await send(`${s.url}/xml`, { headers: { 'content-type': 'application/xml' }, body: xml, ip: '203.0.113.3' })).status, 415);
    const attack = '<?xml version="1.0"?><q>1\' UNION SELECT password FROM users--</q>';
    assert.equal((await send(`${s.url}/xml`, { headers: { 'content-type': 'application/xml' }, body: attack, ip: '203.0.113.4' })).status, 403);
    assert.equal(s.seen.length, before);
  });

  it('refuses attacks in the query, a form, JSON and multipart before any handler runs', async () => {
    const before = s.seen.length;
    const answers = await Promise.all([
      send(`${s.url}/item?id=1%27%20UNION%20SELECT%20user,password%20FROM%20users--`, { ip: '198.51.100.1' }),
      send(`${s.url}/comment`, { headers: FORM, body: 'text=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E', ip: '198.51.100.2' }),
      send(`${s.url}/api/ping`, { headers: JSON_TYPE, body: '{"host":"127.0.0.1; cat /etc/passwd"}', ip: '198.51.100.3' }),
      send(`${s.url}/upload`, { headers: MULTIPART, body: MULTIPART_BODY.replace('Spring tea', '<script>alert(1)</script>'), ip: '198.51.100.4' }),
      // Chunked: the attack is in the second chunk.
      send(`${s.url}/api/ping`, { headers: JSON_TYPE, chunks: [Buffer.from('{"host":"127.0.0.1'), Buffer.from('; cat /etc/passwd"}')], ip: '198.51.100.5' }),
      // A route that does not exist: refused by the WAF all the same.
      send(`${s.url}/nowhere`, { headers: FORM, body: 'q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', ip: '198.51.100.6' }),
    ]);
    for (const a of answers) assert.equal(a.status, 403, a.text.slice(0, 200));
    assert.equal(s.seen.length, before, 'no handler ran');
    const events = await s.guard.store.events.query({ action: 'waf-blocked' });
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5', '198.51.100.6']) {
      const e = events.find((x) => x['source.ip'] === ip);
      assert.ok(e, `an event for ${ip}`);
      assert.equal(e['event.module'], 'guard.waf');
      assert.equal(e['http.response.status_code'], 403);
    }
    assert.match(events.find((e) => e['source.ip'] === '198.51.100.1')!['mamori.waf.rules'] ?? '', /942\d{3}/);
    assert.match(events.find((e) => e['source.ip'] === '198.51.100.3')!['mamori.waf.rules'] ?? '', /932\d{3}/);
  });

  it('refuses a compressed body, which the WAF cannot read as the app may (415)', async () => {
    const before = s.seen.length;
    const gz = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const r = await send(`${s.url}/contact`, { headers: { ...FORM, 'content-encoding': 'gzip' }, body: gz, ip: '203.0.113.7' });
    assert.equal(r.status, 415);
    assert.equal(s.seen.length, before);
  });

  it('answers 413 to a body over the WAF limit, with a length or without one', async () => {
    const before = s.seen.length;
    const big = JSON.stringify({ note: 'x'.repeat(LIMIT) });
    assert.equal((await send(`${s.url}/api/orders`, { headers: JSON_TYPE, body: big, ip: '203.0.113.5' })).status, 413);
    const chunks = Array.from({ length: 8 }, (_, i) => Buffer.from(i === 0 ? '{"note":"' : 'y'.repeat(8 * 1024)));
    assert.equal((await send(`${s.url}/api/orders`, { headers: JSON_TYPE, chunks, ip: '203.0.113.5' })).status, 413);
    assert.equal(s.seen.length, before);
  });

  it('checks and settles a login the WAF let through; refuses one carrying an attack', async () => {
    const ok = await send(`${s.url}/login`, { headers: FORM, body: 'email=alice%40example.com&password=right-password', ip: '203.0.113.8' });
    assert.equal(ok.status, 302);
    assert.deepEqual(s.seen.at(-1), { path: '/login', body: { email: 'alice@example.com', password: 'right-password' } });
    const cookies = ([] as string[]).concat(ok.headers['set-cookie'] ?? []);
    assert.ok(cookies.some((c) => c.startsWith('sid=')) && cookies.some((c) => c.startsWith('mamori_device=')), cookies.join(' | '));
    const before = s.seen.length;
    const attack = await send(`${s.url}/login`, { headers: FORM, body: 'email=admin%27%20or%201%3D1--&password=x', ip: '198.51.100.8' });
    assert.equal(attack.status, 403);
    assert.equal(s.seen.length, before);
  });

  it('runs phase 3 on the answer: a refusal replaces it whole', async () => {
    const r = await send(`${s.url}/debug`, { ip: '203.0.113.6' });
    assert.equal(s.seen.at(-1)?.path, '/debug', 'the handler ran (phase 3 is after it)');
    assert.equal(r.status, 403);
    assert.equal(r.headers['x-debug-token'], undefined);
    assert.equal(r.headers['set-cookie'], undefined, "none of the app's headers is kept");
    assert.ok(!r.text.includes('internal details'));
    const e = (await s.guard.store.events.query({ action: 'waf-blocked' })).find((x) => x['source.ip'] === '203.0.113.6');
    assert.equal(e?.['rule.id'], '1900001');
  });
});

describe('mamoriFastify: the WAF in detect mode', { skip }, () => {
  let s: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    s = await setup({ mode: 'detect' });
  });
  after(() => s.close());

  it('records what it would refuse and lets it through', async () => {
    const r = await send(`${s.url}/item?id=1%27%20UNION%20SELECT%20password%20FROM%20users--`, { ip: '198.51.100.20' });
    assert.equal(r.status, 200);
    assert.equal(s.seen.at(-1)?.path, '/item');
    const body = '{"host":"127.0.0.1; cat /etc/passwd"}';
    assert.equal((await send(`${s.url}/api/ping`, { headers: JSON_TYPE, body, ip: '198.51.100.21' })).status, 200);
    assert.deepEqual(s.seen.at(-1), { path: '/api/ping', body: JSON.parse(body) });
    const events = await s.guard.store.events.query({ action: 'waf-blocked' });
    assert.equal(events.length, 2);
    for (const e of events) assert.equal(e['mamori.detect_only'], true);
    assert.equal((await s.guard.store.decisions.list({ origin: 'guard.waf' })).length, 0);
  });
});
