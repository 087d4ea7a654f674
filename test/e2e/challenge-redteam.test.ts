/**
 * Red-team regressions (issue 8) through the proxy in front of the demo shop: what any web page
 * a visitor opens can make mamori do to the visitor's address. (Over HTTPS, where browsers mark
 * such posts Sec-Fetch-Site: cross-site; over plain HTTP to a name that is not loopback they do
 * not, and a page can still do it: see helper-notes/redteam-8.md.)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startStack, type Stack } from './harness.js';

describe('e2e: cross-site login posts', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(async () => {
    await s.close();
  });

  it(
    "a page on another site cannot get its visitors' address blocked from the shop",
    async () => {
      const visitor = '192.0.2.150';
      // What chromium sends for fetch(shop + '/login', { method: 'POST', mode: 'no-cors', body }) from http://evil.example.
      const crossSite = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', origin: 'http://evil.example', 'x-forwarded-for': visitor };
      for (let i = 0; i < 26; i++) {
        const res = await fetch(`${s.proxy.url}/login`, {
          method: 'POST',
          headers: { ...crossSite, 'content-type': 'application/x-www-form-urlencoded' },
          body: `email=nobody%40example.com&password=x${i}`,
          redirect: 'manual',
        });
        await res.arrayBuffer();
      }
      const home = await fetch(`${s.proxy.url}/`, { headers: { 'x-forwarded-for': visitor, accept: 'text/html' } });
      await home.arrayBuffer();
      assert.equal(home.status, 200, 'the visitor, opening the shop afterwards, is not blocked');
      // The same posts from the shop's own form (or a script not claiming otherwise) are challenged, and counted.
      const own = await fetch(`${s.proxy.url}/login`, {
        method: 'POST',
        headers: { 'sec-fetch-site': 'same-origin', 'x-forwarded-for': visitor, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: 'email=nobody%40example.com&password=y',
      });
      assert.equal(own.headers.get('x-mamori-action'), 'challenge');
      await own.arrayBuffer();
      assert.deepEqual((await s.guard.store.decisions.list({})).map((d) => d.reason), []);
    },
  );
});
