/** `rate_limits` through `mamori up`: a reset-mail flood is cut to the limit, with the RateLimit fields on every answer. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import { createGuard, type Guard } from '../guard/guard.js';
import { startMamoriProxy } from './mamori-proxy.js';
import type { RunningProxy } from './http-proxy.js';
import { echoUpstream, request } from './test-harness.js';

const SECRET = Buffer.alloc(32, 7);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('mamori proxy: rate limits', () => {
  let up: Awaited<ReturnType<typeof echoUpstream>>;
  let proxy: RunningProxy;
  let guard: Guard;
  before(async () => {
    // The site advertises a limit of its own: mamori's fields are added after it, not over it.
    up = await echoUpstream({ ratelimit: '"site";r=99', 'ratelimit-policy': '"site";q=100;w=60' });
    const clock = new ManualClock();
    guard = createGuard(
      defaultConfig({
        rate_limits: [
          {
            name: 'wp-lostpassword',
            paths: ['/wp-login.php'],
            methods: ['POST'],
            query: { action: ['lostpassword', 'retrievepassword'] },
            per_source: { limit: 5, window: '15m' },
            per_account: { field: { form: 'user_login' }, limit: 3, window: '1h' },
          },
          { name: 'search', paths: ['/search'], per_source: { limit: 2, window: '1m' } },
        ],
      }),
      { store: new MemoryStore({ clock }), secret: SECRET, clock },
    );
    // Loopback is trusted to say who the client is, so one test can play many sources.
    proxy = await startMamoriProxy({ guard, upstream: up.url, trustedProxies: ['127.0.0.1/32'] });
  });
  after(async () => {
    await proxy.close();
    await up.close();
    await guard.close();
    await guard.store.close();
  });

  const lostPassword = (account: string, source: string, query = '?action=lostpassword') =>
    request(`${proxy.url}/wp-login.php${query}`, { method: 'POST', headers: { ...FORM, 'x-forwarded-for': source }, body: `user_login=${encodeURIComponent(account)}&redirect_to=&wp-submit=Get+New+Password` });

  it('cuts a flood of 100 reset requests for one account, from 100 sources, to the per-account limit', async () => {
    const before = up.seen.length;
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await lostPassword('admin', `198.51.100.${i + 1}`);
      statuses.push(r.status);
      if (r.status === 200) {
        // The site's answer carries the fields, after the site's own.
        assert.deepEqual(r.headers['ratelimit-policy'], '"site";q=100;w=60, "wp-lostpassword";q=5;w=900, "wp-lostpassword.account";q=3;w=3600');
        assert.equal(r.headers['ratelimit'], '"site";r=99, "wp-lostpassword";r=4;t=900');
      } else {
        assert.equal(r.status, 429);
        assert.ok(Number(r.headers['retry-after']) > 0);
        assert.equal(r.headers['ratelimit-policy'], '"wp-lostpassword";q=5;w=900, "wp-lostpassword.account";q=3;w=3600');
        assert.equal(r.headers['ratelimit'], `"wp-lostpassword";r=4;t=900, "wp-lostpassword.account";r=0;t=${r.headers['retry-after']}`);
      }
    }
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.ok(statuses.slice(3).every((s) => s === 429));
    assert.equal(up.seen.length - before, 3, 'three reset mails, not a hundred');
    const events = await guard.store.events.query({ action: 'rate-limited' });
    assert.equal(events.length, 1, 'one event for the account and window');
    assert.equal(events[0]!['user.id'], guard.login.userHash('admin'));
  });

  it('cuts a flood from one source, whatever the accounts and however it names the action, to the per-source limit', async () => {
    const before = up.seen.length;
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      // Half of them put the action in the body only (PHP reads $_REQUEST), the rest in the query.
      const r = i % 2 ? await lostPassword(`user${i}`, '203.0.113.50') : await request(`${proxy.url}/wp-login.php`, { method: 'POST', headers: { ...FORM, 'x-forwarded-for': '203.0.113.50' }, body: `action=retrievepassword&user_login=user${i}` });
      statuses.push(r.status);
    }
    assert.equal(statuses.filter((s) => s === 200).length, 5);
    assert.ok(statuses.slice(5).every((s) => s === 429));
    assert.equal(up.seen.length - before, 5);
  });

  it('leaves logins and other actions on the same path alone', async () => {
    const before = up.seen.length;
    for (let i = 0; i < 20; i++) {
      const r = await request(`${proxy.url}/wp-login.php`, { method: 'POST', headers: { ...FORM, 'x-forwarded-for': '203.0.113.60' }, body: 'log=admin&pwd=x' });
      assert.equal(r.status, 200);
      assert.equal(r.headers['ratelimit'], '"site";r=99', 'only the site\'s own field');
    }
    assert.equal(up.seen.length - before, 20);
  });

  it('limits a route without a body before reading anything, with the fields on the site\'s answer', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await request(`${proxy.url}/search?q=${i}`, { headers: { 'x-forwarded-for': '203.0.113.70' } });
      statuses.push(r.status);
      if (r.status === 200) assert.match(String(r.headers['ratelimit']), /^"site";r=99, "search";r=[01];t=\d+$/);
    }
    assert.deepEqual(statuses, [200, 200, 429, 429]);
  });
});
