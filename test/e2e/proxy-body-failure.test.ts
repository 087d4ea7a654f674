import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { createGuard, defaultConfig, startMamoriProxy, MemoryStore } from 'mamori';
import { ManualClock } from 'mamori/testing';

it('a login whose failure shows only in the body is counted, even when the site compresses', async () => {
  // A PHP-CMS-like login: always 200, the failure is a sentence in the page; gzip when asked.
  const seenEncodings: (string | undefined)[] = [];
  const site = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seenEncodings.push(req.headers['accept-encoding'] as string | undefined);
      const ok = new URLSearchParams(body).get('pwd') === 'right';
      const page = Buffer.from(`<html><body>${ok ? 'Welcome back' : '<div id="login_error">Invalid password</div>'}</body></html>`);
      if (/gzip/.test(String(req.headers['accept-encoding']))) {
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        res.end(gzipSync(page));
      } else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(page);
      }
    });
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  const clock = new ManualClock();
  const guard = createGuard(
    defaultConfig({ logins: [{ path: '/wp-login.php', username: { form: 'log' }, password: { form: 'pwd' }, failure: { body_contains: 'login_error' }, success: { set_cookie: 'wordpress_logged_in_' } }] }),
    { store: new MemoryStore({ clock }), secret: Buffer.alloc(32, 3), clock },
  );
  const proxy = await startMamoriProxy({ guard, upstream: `http://127.0.0.1:${(site.address() as AddressInfo).port}`, port: 0 });
  try {
    const attempt = (pwd: string) =>
      fetch(`${proxy.url}/wp-login.php`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-encoding': 'gzip', accept: 'application/json' },
        body: `log=editor&pwd=${pwd}`,
      });
    for (let i = 0; i < 5; i++) {
      const r = await attempt(`wrong${i}`);
      assert.equal(r.status, 200);
      assert.match(await r.text(), /Invalid password/);
    }
    assert.deepEqual(seenEncodings, [undefined, undefined, undefined, undefined, undefined], 'mamori asked for an uncompressed answer');
    const r = await attempt('right');
    assert.equal(r.status, 429, 'five failures seen in the page body lead to a challenge');
    const events = await guard.store.events.query({ action: 'login-failure' });
    assert.equal(events.length, 5);
  } finally {
    await proxy.close();
    site.close();
  }
});
