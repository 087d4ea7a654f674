import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from 'mamori';
import { ManualClock } from 'mamori/internal';
import { AlertCenter } from './sink.js';
import { validateAlertsConfig } from './config.js';
import { NotifierHub } from './notify/hub.js';
import { Grouper } from './notify/grouper.js';
import { Outbox, type Transport } from './notify/outbox.js';
import type { Notice } from './notify/notice.js';
import { NftFirewall } from './firewall/nftables.js';
import { alert } from './fixtures.case.js';

const hash = (n: string): string => `hash-${n.length}`;
const T0 = Date.UTC(2026, 0, 1);

function setup(opts: { config?: unknown; transport?: Transport; firewall?: NftFirewall } = {}) {
  const clock = new ManualClock(T0);
  const store = new MemoryStore({ clock });
  const errors: unknown[] = [];
  const sent: Notice[] = [];
  const transport: Transport = opts.transport ?? { name: 'test', send: async (n) => void sent.push(n) };
  const hub = new NotifierHub([
    { name: 'test', grouper: new Grouper({ windowMs: 300_000, burst: 3, maxPerHour: 20, minSeverity: 'low', simulated: true, clock, listLink: 'https://console.example/alerts' }), outbox: new Outbox(transport, { maxQueue: 10, retries: 0, onError: (e) => void errors.push(e) }) },
  ]);
  const sink = AlertCenter.open({ store, userHash: hash, clock, config: validateAlertsConfig(opts.config ?? { console_url: 'https://console.example/' }), notifiers: hub, timer: false, onError: (e) => void errors.push(e), firewall: opts.firewall });
  return { clock, store, sink, sent, errors };
}

describe('the alert sink', () => {
  it('an alert makes one decision on its source, with its origin and reason; a replay of it makes nothing', async () => {
    const { sink, store, clock } = setup();
    clock.set(T0 + 5000);
    assert.equal(sink.record(alert()), 'new');
    assert.equal(sink.record(alert()), 'duplicate');
    await sink.settled();
    const ds = await store.decisions.list();
    assert.equal(ds.length, 1);
    assert.equal(ds[0]!.action, 'block');
    assert.equal(ds[0]!.scope, 'ip');
    assert.equal(ds[0]!.value, '203.0.113.9');
    assert.equal(ds[0]!.origin, 'watch.ssh-bruteforce');
    assert.match(ds[0]!.reason, /^alert ssh-bf-203\.0\.113\.9-\d+: SSH brute force \(12 events\)$/);
    assert.equal(ds[0]!.expiresAt, T0 + 4 * 3_600_000, 'the TTL runs from the event that fired');
    assert.equal((await store.decisions.match({ ip: '203.0.113.9' })).length, 1);
    const stored = sink.db.list()[0]!;
    assert.deepEqual(stored.decision, { state: 'added', id: ds[0]!.id, action: 'block', scope: 'ip', value: '203.0.113.9', expiresAt: T0 + 4 * 3_600_000 });
    await store.events.flush();
    const ev = await store.events.query({ action: 'log-alert' });
    assert.equal(ev.length, 1);
    assert.equal(ev[0]!['mamori.decision.id'], ds[0]!.id);
    assert.equal(ev[0]!['rule.id'], 'ssh-bruteforce');
    assert.equal(sink.stats().decisionsAdded, 1);
    assert.equal(sink.stats().duplicates, 1);
    await sink.close();
  });

  it('simulated alerts, replays of old logs, loopback and over-wide ranges make no decision (said why)', async () => {
    const { sink, store, clock } = setup({ config: { decisions: { never: ['192.0.2.0/24'] } } });
    clock.set(T0 + 10 * 86_400_000);
    sink.record(alert({ id: 'sim', simulated: true, time: clock.now() }));
    sink.record(alert({ id: 'old' }));
    sink.record(alert({ id: 'lo', ip: '127.0.0.1', time: clock.now() }));
    sink.record(alert({ id: 'mine', ip: '192.0.2.7', time: clock.now() }));
    sink.record(alert({ id: 'wide', time: clock.now(), remedy: { action: 'block', scope: 'range', value: '10.0.0.0/8', ttlMs: 60_000 } }));
    sink.record(alert({ id: 'bad', time: clock.now(), remedy: { action: 'block', scope: 'ip', value: '1.2.3.4; rm -rf /', ttlMs: 60_000 } }));
    sink.record(alert({ id: 'ok-range', time: clock.now(), remedy: { action: 'challenge', scope: 'range', value: '198.51.100.77/24', ttlMs: 60_000 } }));
    sink.record(alert({ id: 'wide6', time: clock.now(), remedy: { action: 'block', scope: 'range', value: '2001:db8::/16', ttlMs: 60_000 } }));
    sink.record(alert({ id: 'v6', ip: '2001:DB8::0:1', time: clock.now() }));
    await sink.settled();
    const ds = await store.decisions.list();
    assert.deepEqual(ds.map((d) => `${d.action} ${d.scope} ${d.value}`).sort(), ['block ip 2001:db8::1', 'challenge range 198.51.100.0/24']);
    const why = Object.fromEntries(sink.db.list({ limit: 10 }).map((a) => [a.id, a.decision && 'reason' in a.decision ? a.decision.reason : a.decision?.state]));
    assert.match(why.sim!, /simulated/);
    assert.match(why.old!, /expired already/);
    assert.match(why.lo!, /127\.0\.0\.1 is in alerts\.decisions\.never/);
    assert.match(why.mine!, /192\.0\.2\.7 is in alerts\.decisions\.never/);
    assert.match(why.wide!, /wider than \/16/);
    assert.match(why.bad!, /is not an IP address/);
    assert.equal(why['ok-range'], 'added');
    assert.match(why.wide6!, /2001::\/16 is wider than \/32/);
    await sink.close();
  });

  it('a receiver that never answers does not hold detection: the queue drops, counted', async () => {
    const never: Transport = { name: 'black hole', send: () => new Promise(() => {}) };
    const { sink } = setup({ transport: never });
    for (let i = 0; i < 2000; i++) assert.equal(sink.record(alert({ id: `x${i}`, ip: `198.51.${i >> 8}.${i & 255}` })), 'new');
    const s = sink.stats().notifiers[0]!;
    assert.equal(s.sentAlone, 3);
    assert.ok(s.queued <= 10);
    await sink.close(50);
    const after = sink.stats().notifiers[0]!;
    assert.ok(after.dropped + after.failed >= 1, JSON.stringify(after));
  });

  it('a block goes to the firewall (dry run prints the nft script)', async () => {
    const printed: string[] = [];
    const firewall = new NftFirewall({ dryRun: true, print: (s) => void printed.push(s) });
    const { sink, clock } = setup({ firewall });
    clock.set(T0);
    sink.record(alert());
    sink.record(alert({ id: 'c', ip: '198.51.100.5', remedy: { action: 'challenge', scope: 'ip', value: '198.51.100.5', ttlMs: 60_000 } }));
    await sink.settled();
    const text = printed.join('');
    assert.match(text, /add element inet mamori blocked_ip4 \{ 203\.0\.113\.9 timeout 14400s \}/);
    assert.ok(!text.includes('198.51.100.5'), 'a challenge is not a firewall block');
    assert.equal(sink.stats().firewall!.added, 1);
    await sink.close();
  });

  it('at start, the active blocks of log detection go to the firewall again', async () => {
    const printed: string[] = [];
    const { sink, store, clock } = setup({ firewall: new NftFirewall({ dryRun: true, print: (s) => void printed.push(s) }) });
    const exp = clock.now() + 600_000;
    await store.decisions.add({ action: 'block', scope: 'ip', value: '192.0.2.5', expiresAt: exp, origin: 'watch.ssh-bruteforce', reason: 'r' });
    await store.decisions.add({ action: 'block', scope: 'range', value: '198.51.100.0/24', expiresAt: exp, origin: 'watch.http-probing', reason: 'r' });
    await store.decisions.add({ action: 'block', scope: 'ip', value: '192.0.2.6', expiresAt: exp, origin: 'guard.login', reason: 'r' });
    await store.decisions.add({ action: 'challenge', scope: 'ip', value: '192.0.2.7', expiresAt: exp, origin: 'watch.x', reason: 'r' });
    assert.equal(await sink.syncFirewall(), 2);
    const text = printed.join('');
    assert.match(text, /blocked_ip4 \{ 192\.0\.2\.5 timeout 600s \}/);
    assert.match(text, /blocked_net4 \{ 198\.51\.100\.0\/24 timeout 600s \}/);
    assert.ok(!text.includes('192.0.2.6') && !text.includes('192.0.2.7'));
    await sink.close();
  });

  it('a block decision deleted before its time is taken out of the firewall; one another process made is put in', async () => {
    const printed: string[] = [];
    const { sink, store, clock } = setup({ firewall: new NftFirewall({ dryRun: true, print: (s) => void printed.push(s) }) });
    clock.set(T0);
    sink.record(alert()); // blocks 203.0.113.9 through a decision
    await sink.settled();
    const exp = clock.now() + 600_000;
    await store.decisions.add({ action: 'block', scope: 'range', value: '198.51.100.0/24', expiresAt: exp, origin: 'watch.http-probing', reason: 'another watcher' });
    assert.equal(await sink.syncFirewall(), 1, 'the other process\'s block');
    assert.equal(await sink.syncFirewall(), 0, 'nothing new: nothing pushed again');
    printed.length = 0;
    // An operator lifts both (mamori decisions delete).
    await store.decisions.deleteWhere({ value: '203.0.113.9' });
    await store.decisions.deleteWhere({ value: '198.51.100.0/24' });
    assert.equal(await sink.syncFirewall(), 0);
    const text = printed.join('');
    assert.match(text, /add element inet mamori blocked_ip4 \{ 203\.0\.113\.9 timeout 1s \}\ndelete element inet mamori blocked_ip4 \{ 203\.0\.113\.9 \}\n/);
    assert.match(text, /delete element inet mamori blocked_net4 \{ 198\.51\.100\.0\/24 \}\n/);
    assert.ok(!/timeout 14400s|timeout 600s/.test(text), 'not put back');
    assert.equal(sink.stats().firewall!.removed, 2);
    printed.length = 0;
    assert.equal(await sink.syncFirewall(), 0);
    assert.equal(printed.join(''), '', 'taken out once');
    await sink.close();
  });

  it('onAlert (the pipeline\'s entry) returns a promise while decisions back up, and none otherwise', async () => {
    const { sink, store } = setup();
    assert.equal(sink.onAlert(alert({ id: 'one' })), undefined);
    await sink.settled();
    let waited = 0;
    for (let i = 0; i < 1500; i++) {
      const r = sink.onAlert(alert({ id: `b${i}`, ip: `198.51.${i >> 8}.${i & 255}` }));
      if (r) {
        waited++;
        await r;
      }
    }
    assert.ok(waited >= 1, 'the pipeline was asked to wait');
    await sink.settled();
    assert.equal((await store.decisions.list({ limit: 10_000 })).length, 1501);
    assert.equal(sink.stats().decisionsDropped, 0);
    await sink.close();
  });

  it('an invalid alert is counted and reported, not thrown', async () => {
    const { sink, errors } = setup();
    assert.equal(sink.record({ ...alert(), id: '' }), 'invalid');
    assert.equal(sink.stats().invalid, 1);
    assert.equal(errors.length, 1);
    await sink.close();
  });
});

describe('notifications of an attack', () => {
  it('1,000,000 alerts from 5,000 sources give a handful of messages, every alert counted in one', async () => {
    const clock = new ManualClock(T0);
    const sent: Notice[] = [];
    const hub = new NotifierHub([
      {
        name: 'slack',
        grouper: new Grouper({ windowMs: 300_000, burst: 3, maxPerHour: 10, minSeverity: 'low', simulated: true, clock }),
        outbox: new Outbox({ name: 'count', send: async (n) => void sent.push(n) }, { maxQueue: 1000 }),
      },
    ]);
    const N = 1_000_000;
    for (let i = 0; i < N; i++) {
      // Twenty minutes of attack: windows close and digests go out along the way.
      if (i % 1000 === 0) clock.advance(1200);
      const src = i % 5000;
      hub.offer({ id: `a${i}`, detector: i % 3 ? 'ssh-bruteforce' : 'http-probing', title: 'attack', severity: 'high', time: clock.now(), count: 5, sourceIp: `10.${src >> 8}.${src & 255}.1`, simulated: false });
    }
    await hub.close();
    const alone = sent.filter((n) => n.kind === 'alert').length;
    const digests = sent.filter((n): n is Extract<Notice, { kind: 'digest' }> => n.kind === 'digest');
    const counted = alone + digests.reduce((s, d) => s + d.alerts, 0);
    assert.equal(counted, N, 'every alert is in exactly one message');
    // At most the cap (10) plus what the bucket refills in 20 minutes (3) plus the closing digest.
    assert.ok(sent.length <= 14, `${sent.length} messages`);
    assert.ok(sent.length >= 5, `${sent.length} messages`);
    assert.ok(digests.every((d) => d.groups.length <= 10 && d.groups.reduce((s, g) => s + g.alerts, 0) + d.moreAlerts === d.alerts));
    const st = hub.stats()[0]!;
    assert.equal(st.offered, N);
    console.log(`# 1M alerts -> ${sent.length} messages (${alone} alone, ${digests.length} digests)`);
  });

  it('the rate cap holds a digest back to the next window, still counting', () => {
    const clock = new ManualClock(T0);
    const g = new Grouper({ windowMs: 60_000, burst: 1, maxPerHour: 2, minSeverity: 'medium', simulated: false, clock });
    const a = (id: string, sev: 'low' | 'high' = 'high', simulated = false) => ({ id, detector: 'd', title: 't', severity: sev, time: 0, count: 1, sourceIp: '192.0.2.1', simulated });
    assert.equal(g.offer(a('1')).length, 1);
    assert.equal(g.offer(a('2')).length, 0);
    assert.equal(g.offer(a('low', 'low')).length, 0);
    assert.equal(g.offer(a('sim', 'high', true)).length, 0);
    clock.advance(60_000);
    const d = g.offer(a('3'));
    assert.equal(d.length, 1, 'the digest of window 1 (second token)');
    assert.equal(d[0]!.kind, 'digest');
    clock.advance(60_000);
    assert.deepEqual(g.tick(), [], 'no token left: held');
    clock.advance(30 * 60_000);
    const later = g.tick();
    assert.equal(later.length, 1);
    assert.equal(later[0]!.kind === 'digest' && later[0]!.alerts, 1);
    assert.equal(g.offered, 3);
  });
});

describe('notifiers from the config', () => {
  it('a webhook and a UDP syslog receiver named in alerts.notifiers get the alert, with its link', async () => {
    const { createServer } = await import('node:http');
    const dgram = await import('node:dgram');
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        bodies.push(b);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const udp = dgram.createSocket('udp4');
    const grams: string[] = [];
    udp.on('message', (m) => grams.push(m.toString()));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const config = validateAlertsConfig({
        console_url: 'https://console.example/mamori/',
        notifiers: [
          { kind: 'webhook', url: `http://127.0.0.1:${port}/hook`, secret: 'sixteen-characters' },
          { kind: 'syslog', host: '127.0.0.1', port: udp.address().port, min_severity: 'critical' },
          { kind: 'syslog', name: 'siem', host: '127.0.0.1', port: udp.address().port },
        ],
      });
      const sink = AlertCenter.open({ userHash: hash, config, timer: false });
      sink.record(alert());
      await sink.close();
      assert.equal(bodies.length, 1);
      const j = JSON.parse(bodies[0]!) as { type: string; alert: { id: string; link: string; remedy: string } };
      assert.equal(j.type, 'alert');
      assert.equal(j.alert.link, `https://console.example/mamori/alerts/${encodeURIComponent(j.alert.id)}`);
      assert.equal(j.alert.remedy, 'block ip 203.0.113.9 for 240m');
      for (let i = 0; i < 200 && grams.length < 1; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(grams.length, 1, 'the critical-only receiver got nothing');
      assert.match(grams[0]!, /CEF:0\|mamori\|mamori\|0\.1\.0\|ssh-bruteforce\|SSH brute force\|8\|/);
      assert.deepEqual(sink.stats().notifiers.map((n) => [n.name, n.offered, n.delivered]), [['webhook 1', 1, 1], ['syslog 2', 0, 0], ['siem', 1, 1]]);
    } finally {
      server.close();
      udp.close();
    }
  });
});
