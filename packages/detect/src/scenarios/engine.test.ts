import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMamoriError } from 'mamori';
import type { FieldValue, LogEvent } from '../model.js';
import { ScenarioEngine } from './engine.js';
import { loadBuiltinScenarios, parseScenarioTexts } from './load.js';

const T0 = Date.parse('2026-02-01T00:00:00Z');
const event = (sec: number, fields: Record<string, FieldValue>): LogEvent => ({ time: T0 + sec * 1000, fields, line: { text: '', input: 't', receivedAt: 0 } });

const BF = `id: bf
title: brute force
severity: high
filter: event.outcome == "failure"
group_by: source.ip
bucket: { kind: leaky, capacity: 3, leak: 10s }
blackout: 1m
remedy: { action: block, scope: ip, ttl: 1h }
`;

function load(text: string, file = 's.yaml') {
  return parseScenarioTexts([{ file, text }]).scenarios;
}

function errorOf(text: string): string {
  try {
    load(text);
  } catch (err) {
    assert.ok(isMamoriError(err, 'MAMORI_ERR_DETECT_SCENARIO'), String(err));
    return (err as Error).message;
  }
  assert.fail('no error');
}

describe('scenario files', () => {
  it('name the file, line and column of what is wrong', () => {
    assert.match(errorOf(`${BF}colour: red\n`), /^s\.yaml:9:1: unknown key "colour"/);
    assert.match(errorOf(BF.replace('leaky', 'bucketful')), /^s\.yaml:6:17: kind: a bucket kind is one of trigger, leaky, counter, distinct, sequence, travel/);
    assert.match(errorOf(BF.replace('title: brute force\n', '')), /^s\.yaml:1:1: "title" is missing/);
    assert.match(errorOf(BF.replace('capacity: 3', 'capacity: -3')), /^s\.yaml:6:34: capacity: expected a whole number/);
    assert.match(errorOf(BF.replace('leak: 10s', 'leak: soon')), /leak: .*not a duration/);
    assert.match(errorOf(BF.replace('filter: event.outcome == "failure"', 'filter: event.outcome = "failure"')), /^s\.yaml:4:23: unexpected character "="/);
    assert.match(errorOf(BF.replace('filter: event.outcome == "failure"', 'filter: |\n  event.outcome == "failure"\n  and user.name contains @nope')), /^s\.yaml:6:26: no list is named "nope"/);
    assert.match(errorOf(BF.replace('filter: event.outcome == "failure"', 'filter: "event.outcome == (1"')), /^s\.yaml:4:27: expected a value .*found "\("/);
    assert.match(errorOf(`${BF}---\n${BF}`), /^s\.yaml:10:1: a second scenario with id "bf"/);
    assert.match(errorOf('id: [unclosed'), /^s\.yaml:1:\d+: not valid YAML/);
    assert.match(errorOf(BF.replace('scope: ip', 'scope: planet')), /remedy scope is ip or range/);
    assert.match(errorOf(BF.replace('id: bf', 'id: Brute Force')), /kebab-case/);
    assert.match(errorOf(`a: &x 1\nb: *x\n${BF}`), /unknown key "a"/);
  });

  it('lists may be defined in another file', () => {
    const set = parseScenarioTexts([
      { file: 'a.yaml', text: BF.replace('event.outcome == "failure"', 'url.path contains @p') },
      { file: 'b.yaml', text: 'list: p\nvalues: [/x]\n' },
    ]);
    assert.equal(set.scenarios.length, 1);
    assert.equal(set.lists.get('p')?.size, 1);
  });

  it('the built-in set loads: 20 scenarios over 9 lists', () => {
    const set = loadBuiltinScenarios();
    assert.equal(set.scenarios.length, 20);
    assert.equal(set.lists.size, 9);
  });
});

describe('the scenario engine', () => {
  const fail = (sec: number, ip = '203.0.113.1', extra: Record<string, FieldValue> = {}) => event(sec, { 'event.outcome': 'failure', 'source.ip': ip, ...extra });

  it('leaky bucket: fires past its capacity, asks for a block of the source, then keeps quiet for the blackout', () => {
    const e = new ScenarioEngine(load(BF));
    const out = [0, 1, 2, 3, 4, 5].flatMap((s) => [...e.onEvent(fail(s))]);
    assert.equal(out.length, 1);
    const a = out[0]!;
    assert.equal(a.detector, 'bf');
    assert.equal(a.count, 4);
    assert.equal(a.firstTime, T0);
    assert.equal(a.time, T0 + 3000);
    assert.deepEqual(a.group, { 'source.ip': '203.0.113.1' });
    assert.deepEqual(a.remedy, { action: 'block', scope: 'ip', value: '203.0.113.1', ttlMs: 3_600_000 });
    assert.equal(a.simulated, undefined);
    assert.equal(a.samples.length, 3, 'the events since the bucket was half full');
    assert.equal(a.samples[2]!.time, a.time);
    // After the blackout (1m) the group starts again from empty.
    assert.equal([64, 65, 66].flatMap((s) => [...e.onEvent(fail(s))]).length, 0);
    assert.equal(e.onEvent(fail(67)).length, 1);
  });

  it('a range remedy names the /24 or the /64', () => {
    const e = new ScenarioEngine(load(BF.replace('scope: ip', 'scope: range')));
    const v4 = [0, 1, 2, 3].flatMap((s) => [...e.onEvent(fail(s, '198.51.100.77'))]);
    const v6 = [0, 1, 2, 3].flatMap((s) => [...e.onEvent(fail(s, '2001:db8:1:2:3::9'))]);
    assert.equal(v4[0]!.remedy!.value, '198.51.100.0/24');
    assert.equal(v6[0]!.remedy!.value, '2001:db8:1:2::/64');
  });

  it('detect-only: per scenario, for all, or for those named; the alert says so and asks for nothing', () => {
    for (const [scen, opts] of [[load(BF.replace('blackout', 'simulation: true\nblackout')), {}], [load(BF), { simulate: true }], [load(BF), { simulate: ['bf'] }]] as const) {
      const e = new ScenarioEngine(scen, opts);
      const a = [0, 1, 2, 3].flatMap((s) => [...e.onEvent(fail(s))])[0]!;
      assert.equal(a.simulated, true);
      assert.equal(a.remedy, undefined);
    }
  });

  it('allowlists: the scenario\'s own (IPs, CIDRs, users) and the engine\'s', () => {
    const own = load(BF.replace('blackout', 'allow: { ips: [203.0.113.0/24], users: [monitor] }\nblackout'));
    const e1 = new ScenarioEngine(own);
    assert.equal([0, 1, 2, 3, 4].flatMap((s) => [...e1.onEvent(fail(s))]).length, 0);
    assert.equal([0, 1, 2, 3, 4].flatMap((s) => [...e1.onEvent(fail(s, '198.51.100.1', { 'user.name': 'monitor' }))]).length, 0);
    assert.equal([0, 1, 2, 3, 4].flatMap((s) => [...e1.onEvent(fail(s, '198.51.100.1'))]).length, 1);
    const e2 = new ScenarioEngine(load(BF), { allow: { ips: ['198.51.100.0/24'] } });
    assert.equal([0, 1, 2, 3, 4].flatMap((s) => [...e2.onEvent(fail(s, '198.51.100.1'))]).length, 0);
    assert.equal(e2.stats().scenarios[0]!.matched, 0);
  });

  it('hostile values: a megabyte group value is keyed by its first 256 characters, and distinct values are bounded too', () => {
    const e = new ScenarioEngine(load(BF));
    const big = 'a'.repeat(1 << 20);
    const out = [0, 1, 2, 3].flatMap((s) => [...e.onEvent(fail(s, `${big}${s}`))]);
    assert.equal(out.length, 1, 'values equal in their first 256 characters share a group');
    const d = new ScenarioEngine(load(`id: d\ntitle: d\nfilter: k exists\ngroup_by: k\nbucket: { kind: distinct, field: v, threshold: 1000, window: 1h }\n`));
    for (let i = 0; i < 5000; i++) d.onEvent(event(i / 100, { k: 'x', v: `${big.slice(0, 300)}${i}` }));
    assert.equal(d.stats().scenarios[0]!.alerts, 0, 'the values share their first 256 characters: one distinct value');
  });

  it('an event without a group field is not counted', () => {
    const e = new ScenarioEngine(load(BF));
    assert.equal([0, 1, 2, 3, 4].flatMap((s) => [...e.onEvent(event(s, { 'event.outcome': 'failure' }))]).length, 0);
  });

  it('groups are bounded: past max_groups the least recently touched is evicted and counted', () => {
    const e = new ScenarioEngine(load(BF.replace('blackout', 'max_groups: 100\nblackout')));
    for (let i = 0; i < 10_000; i++) e.onEvent(fail(i / 1000, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
    const s = e.stats().scenarios[0]!;
    assert.equal(s.groups, 100);
    assert.equal(s.evicted, 9_900);
    // The busy source keeps its group: touching it moves it to the back.
    const e2 = new ScenarioEngine(load(BF.replace('blackout', 'max_groups: 10\nblackout')));
    const alerts = [];
    for (let i = 0; i < 40; i++) {
      alerts.push(...e2.onEvent(fail(i * 0.01, '192.0.2.1')));
      alerts.push(...e2.onEvent(fail(i * 0.01, `10.0.0.${i}`)));
    }
    assert.equal(alerts.length, 1);
  });

  it('groups whose bucket has drained expire as event time moves on, and on advance()', () => {
    const e = new ScenarioEngine(load(BF));
    for (let i = 0; i < 1000; i++) e.onEvent(fail(i, `10.0.${i >> 8}.${i & 255}`));
    // leak 10s x capacity 3: a group idle 30s is empty; some 31 are live at any time, and the
    // sweep runs every 8 events.
    assert.ok(e.stats().groups <= 40, String(e.stats().groups));
    e.advance(T0 + 10_000_000);
    assert.equal(e.stats().groups, 0);
    assert.ok(e.stats().scenarios[0]!.expired >= 968);
  });

  it('counter, distinct, trigger and sequence buckets', () => {
    const scen = load(`id: c
title: c
filter: k == "c"
group_by: g
bucket: { kind: counter, threshold: 3, window: 10s }
---
id: d
title: d
filter: k == "d"
group_by: g
bucket: { kind: distinct, field: v, threshold: 3, window: 10s }
---
id: t
title: t
filter: k == "t"
group_by: [g, v]
bucket: { kind: trigger }
blackout: 5s
---
id: s
title: s
filter: k == "s"
group_by: g
bucket: { kind: sequence, first: ok == false, count: 2, then: ok == true, window: 10s }
`);
    const e = new ScenarioEngine(scen);
    const run = (evs: [number, Record<string, FieldValue>][]) => evs.flatMap(([s, f]) => e.onEvent(event(s, { g: 'x', ...f })).map((a) => `${a.detector}@${s}`));
    assert.deepEqual(run([[0, { k: 'c' }], [5, { k: 'c' }], [11, { k: 'c' }], [12, { k: 'c' }]]), ['c@12']);
    assert.deepEqual(run([[100, { k: 'd', v: 1 }], [101, { k: 'd', v: 1 }], [102, { k: 'd', v: 2 }], [113, { k: 'd', v: 3 }], [114, { k: 'd', v: 4 }], [115, { k: 'd', v: 3 }], [116, { k: 'd', v: 5 }]]), ['d@116']);
    assert.deepEqual(run([[200, { k: 't', v: 1 }], [201, { k: 't', v: 1 }], [201, { k: 't', v: 2 }], [206, { k: 't', v: 1 }]]), ['t@200', 't@201', 't@206']);
    assert.deepEqual(run([[300, { k: 's', ok: false }], [301, { k: 's', ok: true }], [302, { k: 's', ok: false }], [303, { k: 's', ok: false }], [304, { k: 's', ok: true }]]), ['s@304']);
  });

  it('is deterministic: the same events give the same alerts and ids, run after run', () => {
    const { scenarios } = loadBuiltinScenarios();
    const evs: LogEvent[] = [];
    for (let i = 0; i < 3000; i++) {
      evs.push(event(i * 0.5, { 'event.dataset': 'sshd', 'event.outcome': 'failure', 'source.ip': `203.0.113.${i % 7}`, 'user.name': `u${i % 13}`, 'event.reason': 'invalid user', 'event.category': 'authentication' }));
      evs.push(event(i * 0.5, { 'event.dataset': 'nginx.access', 'source.ip': `198.51.100.${i % 5}`, 'url.path': `/x${i}`, 'url.original': `/x${i}`, 'http.response.status_code': 404, 'http.request.method': 'GET' }));
    }
    const runOnce = () => {
      const e = new ScenarioEngine(scenarios);
      return evs.flatMap((x) => e.onEvent(x).map((a) => `${a.id} ${a.detector} ${JSON.stringify(a.group)} ${a.count} ${a.time}`));
    };
    const a = runOnce();
    assert.ok(a.length > 10, String(a.length));
    assert.deepEqual(runOnce(), a);
    assert.equal(new Set(a.map((l) => l.split(' ')[0])).size, a.length, 'ids are unique');
  });
});
