// Red team s16 (bench/redteam/README-host-s16.md): per-source allow_private_redirects, what held.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addressClass } from 'mamori/internal';
import { IocStore } from './store.js';
import { refreshSources } from './fetch.js';

async function listen(handler: (url: string) => { status: number; location?: string; body?: string }): Promise<{ server: Server; port: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const a = handler(req.url ?? '/');
    res.writeHead(a.status, a.location ? { location: a.location } : {});
    res.end(a.body ?? '');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: String((server.address() as AddressInfo).port), hits: () => hits };
}

describe('S16H: a private feed URL redirecting further (every server on 127.0.0.1, a classifier says which is "public")', () => {
  it('private first URL → a public hop → back inside: the hop after the public address is refused, the flag aside', async () => {
    const inside = await listen(() => ({ status: 200, body: '198.51.100.7\n' }));
    const outside = await listen(() => ({ status: 302, location: `http://127.0.0.1:${inside.port}/latest/meta-data` }));
    const mirror = await listen(() => ({ status: 302, location: `http://127.0.0.1:${outside.port}/feed.txt` }));
    const classify = (address: string, url: URL) => (url.port === outside.port ? 'public' : addressClass(address));
    const s = IocStore.open(':memory:');
    try {
      s.setSource({ name: 'mirror', url: `http://127.0.0.1:${mirror.port}/feed.txt`, format: 'auto', refreshMs: 60_000 });
      const r = await refreshSources(s, { now: () => 1_000, force: true, addresses: { classify } });
      assert.equal(r[0]!.status, 'failed');
      assert.match(r[0]!.error!, /a redirect from a public address leads to 127\.0\.0\.1/);
      assert.equal(inside.hits(), 0, 'no request reached the inside server');
      // The source's own flag lets it through (the user said so for this source).
      s.setSource({ name: 'mirror', allowPrivateRedirects: true });
      const ok = await refreshSources(s, { now: () => 2_000, force: true, addresses: { classify } });
      assert.equal(ok[0]!.status, 'updated');
      assert.equal(inside.hits(), 1);
    } finally {
      s.close();
      for (const x of [inside, outside, mirror]) x.server.close();
    }
  });
});
