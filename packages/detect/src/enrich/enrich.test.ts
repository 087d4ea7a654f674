import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, openCountryDatabase, staticCountryLookup } from 'mamori';
import type { LogEvent } from '../model.js';
import { BoundedCache, decidedFromStore, Enricher, type IocLookup } from './enrich.js';

const ev = (fields: Record<string, string | number | boolean>): LogEvent => ({ time: 0, fields: { 'event.dataset': 'sshd', ...fields }, line: { text: '', input: 't', receivedAt: 0 } });

/** An IoC matcher over a fixed list, counting its lookups (what the cache must save). */
function fakeIoc(ips: Record<string, string>, domains: Record<string, string> = {}): IocLookup & { calls: number } {
  const m = {
    calls: 0,
    matchIp(ip: string) {
      m.calls++;
      return ips[ip] ? [{ indicator: ip, kind: 'ip', source: ips[ip]! }] : [];
    },
    matchDomain(host: string) {
      m.calls++;
      const hit = Object.keys(domains).find((d) => host === d || host.endsWith(`.${d}`));
      return hit ? [{ indicator: hit, kind: 'domain', source: domains[hit]! }] : [];
    },
  };
  return m;
}

describe('enrich', () => {
  it('adds the country from a country lookup', () => {
    const e = new Enricher({ country: staticCountryLookup({ '203.0.113.0/24': 'JP' }) });
    assert.equal(e.enrichSync(ev({ 'source.ip': '203.0.113.9' })).fields['source.geo.country_iso_code'], 'JP');
    assert.equal(e.enrichSync(ev({ 'source.ip': '198.51.100.1' })).fields['source.geo.country_iso_code'], undefined);
    const plain = ev({ 'user.name': 'x' });
    assert.equal(e.enrichSync(plain), plain, 'an event without an address is returned as it is');
  });

  it('with mamori\'s shipped country database: a global address gets a country, a documentation one none', (t) => {
    let geo;
    try {
      geo = openCountryDatabase();
    } catch (err) {
      t.skip(`the shipped country database is not installed: ${(err as Error).message}`);
      return;
    }
    const e = new Enricher({ country: geo });
    assert.match(String(e.enrichSync(ev({ 'source.ip': '8.8.8.8' })).fields['source.geo.country_iso_code']), /^[A-Z]{2}$/);
    assert.equal(e.enrichSync(ev({ 'source.ip': '192.0.2.1' })).fields['source.geo.country_iso_code'], undefined);
  });

  it('marks IoC matches by address and by host name, caching answers', () => {
    const ioc = fakeIoc({ '203.0.113.9': 'feed-a' }, { 'evil.example': 'feed-b' });
    const e = new Enricher({ ioc });
    const a = e.enrichSync(ev({ 'source.ip': '203.0.113.9' }));
    assert.equal(a.fields['mamori.ioc'], '203.0.113.9');
    assert.equal(a.fields['mamori.ioc.source'], 'feed-a');
    e.enrichSync(ev({ 'source.ip': '203.0.113.9' }));
    assert.equal(ioc.calls, 1, 'the second event is answered from the cache');
    const b = e.enrichSync(ev({ 'source.address': 'scan.evil.example' }));
    assert.equal(b.fields['mamori.ioc'], 'evil.example');
    assert.equal(b.fields['mamori.ioc.kind'], 'domain');
  });

  it("@mamori/host's IocMatcher fits IocLookup (loaded at run time: detect does not depend on host)", async (t) => {
    const spec = '@mamori/host';
    let host: { IocMatcherBuilder: new () => { add(kind: string, value: string, source: string): boolean; build(): IocLookup } };
    try {
      host = (await import(spec)) as typeof host;
    } catch (err) {
      t.skip(`@mamori/host is not built or installed here: ${(err as Error).message.split('\n')[0]}`);
      return;
    }
    const builder = new host.IocMatcherBuilder();
    builder.add('cidr', '203.0.113.0/24', 'feed-x');
    builder.add('domain', 'evil.example', 'feed-y');
    const e = new Enricher({ ioc: builder.build() });
    const a = e.enrichSync(ev({ 'source.ip': '203.0.113.77' }));
    assert.equal(a.fields['mamori.ioc'], '203.0.113.0/24');
    assert.equal(a.fields['mamori.ioc.kind'], 'cidr');
    assert.equal(a.fields['mamori.ioc.source'], 'feed-x');
    assert.equal(e.enrichSync(ev({ 'url.domain': 'a.b.evil.example' })).fields['mamori.ioc'], 'evil.example');
    assert.equal(e.enrichSync(ev({ 'source.ip': '198.51.100.1' })).fields['mamori.ioc'], undefined);
  });

  it('the caches stay bounded when addresses rotate', () => {
    const ioc = fakeIoc({});
    const e = new Enricher({ ioc, cacheSize: 100 });
    for (let i = 0; i < 1000; i++) e.enrichSync(ev({ 'source.ip': `10.0.${i >> 8}.${i & 255}` }));
    assert.equal(ioc.calls, 1000);
    e.enrichSync(ev({ 'source.ip': '10.0.0.0' }));
    assert.equal(ioc.calls, 1001, 'the oldest entry was evicted');
    const c = new BoundedCache<number>(3);
    for (let i = 0; i < 10; i++) c.set(String(i), i);
    assert.equal(c.size, 3);
  });

  it('marks sources under a decision, from a store, and sees a decision added later once the answer expires', async () => {
    const store = new MemoryStore();
    let now = 1_000_000;
    const e = new Enricher({ decided: decidedFromStore(store.decisions), decidedTtlMs: 5000, now: () => now });
    await store.decisions.add({ action: 'block', scope: 'ip', value: '203.0.113.9', expiresAt: Date.now() + 60_000, origin: 'test', reason: 'test' });
    assert.equal((await e.enrich(ev({ 'source.ip': '203.0.113.9' }))).fields['mamori.decided'], true);
    assert.equal((await e.enrich(ev({ 'source.ip': '198.51.100.1' }))).fields['mamori.decided'], undefined);
    await store.decisions.add({ action: 'block', scope: 'ip', value: '198.51.100.1', expiresAt: Date.now() + 60_000, origin: 'test', reason: 'test' });
    assert.equal((await e.enrich(ev({ 'source.ip': '198.51.100.1' }))).fields['mamori.decided'], undefined, 'cached answer still trusted');
    now += 6000;
    assert.equal((await e.enrich(ev({ 'source.ip': '198.51.100.1' }))).fields['mamori.decided'], true);
  });

  it('enrichSync never waits: the first event of an address starts the lookup, the next one gets the answer', async () => {
    let calls = 0;
    const e = new Enricher({ decided: async (ip) => { calls++; return ip === '203.0.113.9'; } });
    assert.equal(e.enrichSync(ev({ 'source.ip': '203.0.113.9' })).fields['mamori.decided'], undefined);
    e.enrichSync(ev({ 'source.ip': '203.0.113.9' }));
    await new Promise((r) => setImmediate(r));
    assert.equal(e.enrichSync(ev({ 'source.ip': '203.0.113.9' })).fields['mamori.decided'], true);
    assert.equal(calls, 1, 'one lookup for the burst');
  });

  it('a failing decision lookup is counted, never thrown', async () => {
    const e = new Enricher({ decided: () => Promise.reject(new Error('store down')) });
    const out = await e.enrich(ev({ 'source.ip': '203.0.113.9' }));
    assert.equal(out.fields['mamori.decided'], undefined);
    assert.equal(e.lookupErrors, 1);
  });
});
