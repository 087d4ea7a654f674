/** login_protection.second_factor through `mamori up`: the site is told which logins to ask for its own second factor, and why. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import { staticCountryLookup } from '../guard/geo.js';
import { createGuard, type Guard } from '../guard/guard.js';
import { startMamoriProxy } from './mamori-proxy.js';
import type { RunningProxy } from './http-proxy.js';
import { listen, request, type TestServer } from './test-harness.js';
import http from 'node:http';

const SECRET = Buffer.alloc(32, 3);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A site whose login accepts alice / right, and which records the header mamori sets. */
async function site(): Promise<TestServer & { seen: (string | undefined)[]; names: string[][] }> {
  const seen: (string | undefined)[] = [];
  const names: string[][] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(req.headers['x-mamori-second-factor'] as string | undefined);
      names.push(Object.keys(req.headers).filter((n) => /mamori/i.test(n)));
      const f = new URLSearchParams(Buffer.concat(chunks).toString());
      if (req.url === '/login' && f.get('user') === 'alice' && f.get('password') === 'right') res.writeHead(302, { location: '/account' }).end();
      else if (req.url === '/login') res.writeHead(401).end('wrong');
      else res.writeHead(200).end('ok');
    });
  });
  return Object.assign(await listen(server), { seen, names });
}

describe('mamori proxy: risk-based step-up for the site’s second factor', () => {
  let up: Awaited<ReturnType<typeof site>>;
  let proxy: RunningProxy;
  let guard: Guard;
  before(async () => {
    up = await site();
    const clock = new ManualClock();
    const config = defaultConfig({
      logins: [{ name: 'site', path: '/login', username: { form: 'user' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }],
      login_protection: { second_factor: { ask_on: ['new-device', 'new-country', 'after-failures'], after_failures: 2 } },
    });
    guard = createGuard(config, { store: new MemoryStore({ clock }), secret: SECRET, clock, countries: staticCountryLookup({ '192.0.2.0/24': 'JP', '198.51.100.0/24': 'US' }) });
    proxy = await startMamoriProxy({ guard, upstream: up.url, trustedProxies: ['127.0.0.1/32'] });
  });
  after(async () => {
    await proxy.close();
    await up.close();
    await guard.close();
    await guard.store.close();
  });

  const login = (password: string, source: string, cookie?: string) =>
    request(`${proxy.url}/login`, { method: 'POST', headers: { ...FORM, 'x-forwarded-for': source, ...(cookie ? { cookie } : {}) }, body: `user=alice&password=${password}` });
  const device = (r: { headers: Record<string, string | string[] | undefined> }) => {
    const sc = r.headers['set-cookie'];
    return (Array.isArray(sc) ? sc : sc ? [sc] : []).find((c) => c.startsWith('mamori_device='))?.split(';')[0];
  };

  it('asks a new device; not the same browser again; asks again after failures and from another country', async () => {
    const first = await login('right', '192.0.2.10');
    assert.equal(first.status, 302);
    assert.equal(up.seen.at(-1), 'new-device');
    const cookie = device(first)!;
    assert.ok(cookie);

    assert.equal((await login('right', '192.0.2.10', cookie)).status, 302);
    assert.equal(up.seen.at(-1), undefined, 'a trusted browser from the usual country: nothing to ask');

    for (let i = 0; i < 2; i++) assert.equal((await login(`guess${i}`, '192.0.2.99')).status, 401);
    assert.equal((await login('right', '192.0.2.10', cookie)).status, 302);
    assert.equal(up.seen.at(-1), 'after-failures');

    assert.equal((await login('right', '198.51.100.5', cookie)).status, 302);
    // From the US after logins from Japan (and the account's failures are still in its window).
    assert.deepEqual(up.seen.at(-1)?.split(',').sort(), ['after-failures', 'new-country']);
  });

  it("removes a client's own copies of mamori's headers on every request, under any spelling", async () => {
    await request(`${proxy.url}/page`, { headers: { 'x-mamori-second-factor': 'none', x_mamori_second_factor: 'none', 'X-Mamori-Step-Up': '3ds', x_mamori_step_up: '3ds', 'x-mamori-other': 'kept' } });
    assert.equal(up.seen.at(-1), undefined);
    assert.deepEqual(up.names.at(-1), ['x-mamori-other']);
  });
});
