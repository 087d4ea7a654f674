/** store.when_unavailable through `mamori up`: what each protection does while the store (Redis) cannot be reached. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { MamoriError } from '../core/errors.js';
import { MemoryStore } from '../core/memory-store.js';
import type { Store } from '../core/store.js';
import { defaultConfig } from '../config/config.js';
import { createGuard } from '../guard/guard.js';
import { startMamoriProxy } from './mamori-proxy.js';
import { echoUpstream, request } from './test-harness.js';

const SECRET = Buffer.alloc(32, 11);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A memory store whose every call fails as an unreachable Redis's do, while `down.is`. */
function flakyStore(clock: ManualClock): { store: Store; down: { is: boolean } } {
  const inner = new MemoryStore({ clock });
  const down = { is: false };
  const fail = () => Promise.reject(new MamoriError('MAMORI_ERR_STORE_UNAVAILABLE', 'Redis is unreachable (test)'));
  const wrap = <T extends object>(o: T): T =>
    new Proxy(o, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== 'function' || prop === 'close' || prop === 'append') return v;
        return (...args: unknown[]) => (down.is ? fail() : (v as (...a: unknown[]) => unknown).apply(target, args));
      },
    });
  const store = wrap(inner) as Store;
  Object.defineProperty(store, 'decisions', { value: wrap(inner.decisions) });
  return { store, down };
}

const CONFIG = {
  logins: [{ name: 'site', path: '/login', username: { form: 'user' }, password: { form: 'password' }, failure: { status: [200] }, success: { status: [302] } }],
  checkouts: [{ name: 'shop', path: '/api/checkout' }],
  rate_limits: [{ name: 'search', paths: ['/search'], per_source: { limit: 100, window: '1m' } }],
};

async function withProxy(raw: Record<string, unknown>, body: (url: string, down: { is: boolean }, seen: () => number) => Promise<void>) {
  const up = await echoUpstream();
  const clock = new ManualClock();
  const { store, down } = flakyStore(clock);
  const errors: unknown[] = [];
  const guard = createGuard(defaultConfig({ ...CONFIG, ...raw }), { store, secret: SECRET, clock, onError: (e) => void errors.push(e) });
  const proxy = await startMamoriProxy({ guard, upstream: up.url });
  try {
    await body(proxy.url, down, () => up.seen.length);
    assert.ok(!down.is || errors.length > 0, 'the outage was reported');
  } finally {
    await proxy.close();
    await up.close();
    await guard.close();
  }
}

const card = JSON.stringify({ card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' }, amount: 5000 });

describe('mamori proxy: the store is unavailable', () => {
  it('by default: pages and rate-limited routes go on, logins and payments are answered 503', async () => {
    await withProxy({}, async (url, down, seen) => {
      down.is = true;
      assert.equal((await request(`${url}/`)).status, 200);
      assert.equal((await request(`${url}/search?q=x`)).status, 200);
      const before = seen();
      const login = await request(`${url}/login`, { method: 'POST', headers: FORM, body: 'user=alice&password=guess' });
      assert.equal(login.status, 503);
      assert.ok(login.headers['retry-after']);
      const pay = await request(`${url}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: card });
      assert.equal(pay.status, 503);
      assert.equal(seen(), before, 'neither reached the site');
      down.is = false;
      assert.equal((await request(`${url}/login`, { method: 'POST', headers: FORM, body: 'user=alice&password=guess' })).status, 200, 'back: counted and forwarded again');
    });
  });

  it('as configured: pages closed, logins and payments open (forwarded unchecked)', async () => {
    await withProxy({ store: { kind: 'memory', when_unavailable: { requests: 'closed', logins: 'open', checkouts: 'open' } } }, async (url, down, seen) => {
      down.is = true;
      const before = seen();
      assert.equal((await request(`${url}/`)).status, 503);
      // (A login is a request too: with requests closed, it is refused before it is read.)
      assert.equal((await request(`${url}/login`, { method: 'POST', headers: FORM, body: 'user=alice&password=guess' })).status, 503);
      assert.equal(seen(), before);
    });
    await withProxy({ store: { kind: 'memory', when_unavailable: { logins: 'open', checkouts: 'open' } } }, async (url, down, seen) => {
      down.is = true;
      const before = seen();
      assert.equal((await request(`${url}/login`, { method: 'POST', headers: FORM, body: 'user=alice&password=guess' })).status, 200);
      assert.equal((await request(`${url}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: card })).status, 200);
      assert.equal(seen(), before + 2, 'both reached the site, unchecked');
    });
  });
});
