import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { IocStore, iocStorePath, loadIocMatcher } from './store.js';
import { refreshSources, fetchFeed, isDue, watchSources, type SourceRefresh } from './fetch.js';
import type { ParsedIndicator } from './indicator.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-ioc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ind = (kind: ParsedIndicator['kind'], value: string, extra: Partial<ParsedIndicator> = {}): ParsedIndicator => ({ kind, value, ...extra });

describe('IocStore', () => {
  it('keeps indicators per source with first seen, last seen and expiry; WAL on disk', () => {
    const path = join(dir, 'a', 'ioc.db');
    const s = IocStore.open(path);
    const r1 = s.importIndicators('feed-a', [ind('ip', '192.0.2.1', { firstSeen: 1000 }), ind('domain', 'a.example', { expires: 5000, note: 'c2' })], { now: 2000 });
    assert.deepEqual(r1, { source: 'feed-a', added: 2, updated: 0, removed: 0, total: 2 });
    const r2 = s.importIndicators('feed-a', [ind('ip', '192.0.2.1', { firstSeen: 1500 }), ind('sha256', 'a'.repeat(64))], { now: 3000 });
    assert.deepEqual(r2, { source: 'feed-a', added: 1, updated: 1, removed: 0, total: 3 });
    s.importIndicators('feed-b', [ind('ip', '192.0.2.1')], { now: 3000 });
    const ip = s.list({ now: 3000, source: 'feed-a', kind: 'ip' })[0]!;
    assert.equal(ip.firstSeen, 1000); // kept: the earliest
    assert.equal(ip.lastSeen, 3000);
    assert.equal(s.list({ now: 6000 }).length, 3); // a.example expired at 5000
    assert.equal(s.list({ now: 6000, includeExpired: true }).length, 4);
    const st = s.stats(6000);
    assert.equal(st.total, 4);
    assert.equal(st.expired, 1);
    const m = s.matcher(3000);
    assert.deepEqual(m.matchIp('192.0.2.1').map((h) => h.source), ['feed-a', 'feed-b']);
    assert.equal(m.matchDomain('x.a.example').length, 1);
    assert.equal(s.matcher(6000).matchDomain('x.a.example').length, 0);
    assert.equal(s.remove('feed-b'), 1);
    assert.equal(s.removeExpired(6000), 1);
    s.close();
    const raw = new Database(path, { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(raw.prepare('SELECT count(*) FROM indicators').pluck().get(), 2);
    raw.close();
  });
  it('replace drops what the new import does not carry, even within one millisecond', () => {
    const s = IocStore.open(':memory:');
    s.importIndicators('f', [ind('ip', '192.0.2.1'), ind('ip', '192.0.2.2')], { now: 1000 });
    const r = s.importIndicators('f', [ind('ip', '192.0.2.2'), ind('ip', '192.0.2.3')], { now: 1000, replace: true });
    assert.deepEqual(r, { source: 'f', added: 1, updated: 1, removed: 1, total: 2 });
    assert.deepEqual(s.list({ now: 1000 }).map((i) => i.value), ['192.0.2.2', '192.0.2.3']);
    s.close();
  });
  it('a store made before allow_private_redirects gets the column, off for its sources', () => {
    const path = join(dir, 'v1.db');
    const raw = new Database(path);
    raw.exec(`CREATE TABLE sources (name TEXT PRIMARY KEY, url TEXT, format TEXT NOT NULL DEFAULT 'auto', refresh_ms INTEGER, last_fetch INTEGER, etag TEXT, last_modified TEXT, last_status TEXT);
      CREATE TABLE indicators (kind TEXT NOT NULL, value TEXT NOT NULL, source TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires INTEGER, meta TEXT, PRIMARY KEY (kind, value, source)) WITHOUT ROWID;
      CREATE INDEX indicators_source ON indicators (source, last_seen);
      INSERT INTO sources (name, url, refresh_ms) VALUES ('old', 'https://feeds.example/x.txt', 3600000);`);
    raw.pragma('user_version = 1');
    raw.close();
    const s = IocStore.open(path);
    try {
      assert.equal(s.source('old')?.allowPrivateRedirects, false);
      assert.equal(s.setSource({ name: 'old', allowPrivateRedirects: true }).url, 'https://feeds.example/x.txt');
      assert.equal(s.source('old')?.allowPrivateRedirects, true);
    } finally {
      s.close();
    }
  });

  it('refuses bad source names and a newer schema', () => {
    const s = IocStore.open(':memory:');
    assert.throws(() => s.importIndicators('../x', [], { now: 1 }), /source name/);
    s.close();
    const path = join(dir, 'new.db');
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    assert.throws(() => IocStore.open(path), (e: Error & { code?: string }) => e.code === 'MAMORI_ERR_STORE_OPEN' && /schema 99/.test(e.message));
  });
});

describe('loadIocMatcher', () => {
  it("is the store's unexpired indicators and the proxyware set; a data dir without a store gets no file", () => {
    const empty = join(dir, 'empty-data');
    const m0 = loadIocMatcher({ dataDir: empty, now: 1 });
    assert.equal(existsSync(iocStorePath(empty)), false);
    assert.equal(m0.matchDomain('honeygain.com').length, 1);
    assert.equal(loadIocMatcher({ dataDir: empty, now: 1, proxyware: false }).size, 0);
    const data = join(dir, 'data');
    const s = IocStore.open(iocStorePath(data));
    s.importIndicators('f', [ind('domain', 'honeygain.com'), ind('ip', '192.0.2.9', { expires: 100 })], { now: 1 });
    s.close();
    const m = loadIocMatcher({ dataDir: data, now: 50 });
    assert.deepEqual(m.matchDomain('x.honeygain.com').map((h) => h.source), ['mamori:proxyware', 'f']);
    assert.equal(m.matchIp('192.0.2.9').length, 1);
    assert.equal(loadIocMatcher({ dataDir: data, now: 100 }).matchIp('192.0.2.9').length, 0);
  });
});

describe('feeds', () => {
  let server: Server;
  let requests: { url: string; inm: string | undefined }[] = [];
  let body = '198.51.100.1\n198.51.100.2\n';
  let etag = '"v1"';
  const start = () =>
    new Promise<number>((done) => {
      server = createServer((req, res) => {
        requests.push({ url: req.url!, inm: req.headers['if-none-match'] });
        if (req.url === '/redirect') return res.writeHead(302, { location: '/list.txt' }).end();
        if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
        if (req.url === '/big') return res.writeHead(200).end('1.2.3.4\n'.repeat(1000));
        if (req.url === '/missing') return res.writeHead(404).end();
        if (req.url === '/garbage') return res.writeHead(200).end('not\nan\nindicator\n');
        if (req.headers['if-none-match'] === etag) return res.writeHead(304).end();
        res.writeHead(200, { etag, 'content-type': 'text/plain' }).end(body);
      }).listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port));
    });
  after(() => server?.close());

  it('fetch, 304 with the ETag, replace on change, errors recorded per source', async () => {
    const port = await start();
    const base = `http://127.0.0.1:${port}`;
    const s = IocStore.open(':memory:');
    let now = 1_000_000;
    s.setSource({ name: 'list', url: `${base}/redirect`, format: 'csv', refreshMs: 3_600_000 });
    s.setSource({ name: 'broken', url: `${base}/missing`, refreshMs: 3_600_000 });
    s.setSource({ name: 'manual', url: `${base}/list.txt` }); // no interval: only when asked
    let r = await refreshSources(s, { now: () => now });
    assert.deepEqual(r.map((x) => `${x.source} ${x.status}`), ['broken failed', 'list updated', 'manual not-due']);
    assert.match(r[0]!.error!, /answered 404/);
    assert.equal(r[1]!.import!.total, 2);
    assert.equal(s.source('list')!.etag, '"v1"');
    assert.match(s.source('broken')!.lastStatus!, /^failed: .*404/);
    now += 60_000;
    assert.equal(isDue(s.source('list')!, now), false);
    now += 3_600_000;
    requests = [];
    r = await refreshSources(s, { now: () => now, only: 'list' });
    assert.equal(r[0]!.status, 'not-modified');
    assert.equal(requests.at(-1)!.inm, '"v1"');
    body = '198.51.100.2\n198.51.100.3\n';
    etag = '"v2"';
    r = await refreshSources(s, { now: () => now, only: 'list' });
    assert.deepEqual(r[0]!.import, { source: 'list', added: 1, updated: 1, removed: 1, total: 2 });
    assert.deepEqual(s.list({ now, source: 'list' }).map((i) => i.value), ['198.51.100.2', '198.51.100.3']);
    // A body of nothing readable keeps what the source had.
    s.setSource({ name: 'list', url: `${base}/garbage` });
    r = await refreshSources(s, { now: () => now, only: 'list' });
    assert.equal(r[0]!.status, 'failed');
    assert.equal(s.list({ now, source: 'list' }).length, 2);
    s.close();
    await assert.rejects(fetchFeed(`${base}/big`, { limits: { maxBytes: 100 } }), /more than the 100/);
    await assert.rejects(fetchFeed(`${base}/loop`), /more than 5 redirects/);
    await assert.rejects(fetchFeed('http://example.com/list.txt'), /only https:\/\/ feeds/);
    await assert.rejects(fetchFeed('https://user:pw@example.com/list.txt'), /user name or password/);
  });
});

describe('watchSources', () => {
  it('refreshes each source when it is due, waiting in between on the injected clock, until stopped', async () => {
    let n = 0;
    const server = createServer((req, res) => {
      n++;
      res.writeHead(200, { etag: `"${n}"` }).end(`192.0.2.${n}\n`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    after(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/feed`;
    const s = IocStore.open(':memory:');
    s.setSource({ name: 'hourly', url, format: 'csv', refreshMs: 3_600_000 });
    s.setSource({ name: 'daily', url, format: 'csv', refreshMs: 86_400_000 });
    let now = 0;
    const waits: number[] = [];
    const results: SourceRefresh[] = [];
    const w = watchSources(s, {
      now: () => now,
      onResult: (r) => results.push(r),
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
        if (waits.length === 25) void w.stop();
      },
    });
    await w.done;
    // The first round fetches both; then one wait of an hour each; the daily one again after 24 of them.
    assert.deepEqual(waits.slice(0, 3), [3_600_000, 3_600_000, 3_600_000]);
    assert.equal(results.filter((r) => r.source === 'hourly').length, 25);
    assert.equal(results.filter((r) => r.source === 'daily').length, 2);
    assert.ok(results.every((r) => r.status === 'updated'));
    assert.equal(n, 27);
    // A feed replaces its source's indicators: the hourly source holds what its last fetch (the last request) carried.
    assert.deepEqual(s.list({ now, source: 'hourly' }).map((i) => i.value), ['192.0.2.27']);
    s.close();
  });
});
