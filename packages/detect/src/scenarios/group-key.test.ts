import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMamoriError } from 'mamori';
import type { Alert, FieldValue, LogEvent } from '../model.js';
import { ScenarioEngine } from './engine.js';
import { compileGroupPart, type GroupPart } from './group-key.js';
import { parseScenarioTexts } from './load.js';

const part = (spec: string): GroupPart => {
  const p = compileGroupPart(spec);
  assert.notEqual(typeof p, 'string', String(p));
  return p as GroupPart;
};

const T0 = Date.parse('2026-02-01T00:00:00Z');
const event = (sec: number, fields: Record<string, FieldValue>): LogEvent => ({ time: T0 + sec * 1000, fields, line: { text: '', input: 't', receivedAt: 0 } });

const BF = `id: bf
title: brute force
filter: event.outcome == "failure"
group_by: net(source.ip)
bucket: { kind: leaky, capacity: 3, leak: 10s }
blackout: 1m
remedy: { action: block, scope: ip, ttl: 1h }
`;

describe('group_by key functions', () => {
  it('net(): IPv4 per address, IPv6 per /64; other lengths when named', () => {
    const net = part('net(source.ip)');
    assert.equal(net.field, 'source.ip');
    assert.equal(net.value({ 'source.ip': '203.0.113.9' }), '203.0.113.9');
    assert.equal(net.value({ 'source.ip': '2001:db8:1:2:aaaa::1' }), '2001:db8:1:2::/64');
    assert.equal(net.value({ 'source.ip': '2001:db8:1:2:ffff:ffff:ffff:ffff' }), '2001:db8:1:2::/64');
    assert.equal(net.value({ 'source.ip': '2001:db8:1:3::1' }), '2001:db8:1:3::/64');
    assert.equal(net.value({ 'source.address': 'host.example' }), undefined, 'no field: no key');
    assert.equal(net.value({ 'source.ip': 'host.example' }), 'host.example', 'not an address: as it is');
    const wide = part('net(source.ip, 24, 48)');
    assert.equal(wide.value({ 'source.ip': '203.0.113.9' }), '203.0.113.0/24');
    assert.equal(wide.value({ 'source.ip': '2001:db8:1:2::1' }), '2001:db8:1::/48');
    assert.equal(part('user.name').value({ 'user.name': 'root' }), 'root');
  });

  it('a group_by entry that is neither a field nor net() is refused with its place', () => {
    for (const bad of ['net(source.ip, 4, 64)', 'net(source.ip, 24, 200)', 'prefix(source.ip)', 'net()', 'net(a b)']) {
      try {
        parseScenarioTexts([{ file: 's.yaml', text: BF.replace('net(source.ip)', bad) }]);
        assert.fail(`${bad} loaded`);
      } catch (err) {
        assert.ok(isMamoriError(err, 'MAMORI_ERR_DETECT_SCENARIO'), String(err));
        assert.match((err as Error).message, /^s\.yaml:4:\d+: /, bad);
      }
    }
  });

  it('a /64 group fires on failures spread over its addresses, and asks for the /64', () => {
    const e = new ScenarioEngine(parseScenarioTexts([{ file: 's.yaml', text: BF }]).scenarios);
    const alerts: Alert[] = [];
    for (let i = 0; i < 4; i++) alerts.push(...e.onEvent(event(i, { 'event.outcome': 'failure', 'source.ip': `2001:db8:5:6::${i + 1}` })));
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.group['source.ip'], '2001:db8:5:6::/64');
    assert.deepEqual(alerts[0]!.remedy, { action: 'block', scope: 'range', value: '2001:db8:5:6::/64', ttlMs: 3_600_000 });
    // IPv4: four addresses of one /24 are four groups, and an alert names its address.
    const v4: Alert[] = [];
    for (let i = 0; i < 4; i++) v4.push(...e.onEvent(event(10 + i, { 'event.outcome': 'failure', 'source.ip': `198.51.100.${i + 1}` })));
    assert.equal(v4.length, 0);
    for (let i = 0; i < 3; i++) v4.push(...e.onEvent(event(14 + i, { 'event.outcome': 'failure', 'source.ip': '198.51.100.1' })));
    assert.equal(v4.length, 1);
    assert.equal(v4[0]!.group['source.ip'], '198.51.100.1');
    assert.deepEqual(v4[0]!.remedy, { action: 'block', scope: 'ip', value: '198.51.100.1', ttlMs: 3_600_000 });
  });

  it('scenarios sharing a group table keep their own bounds and states', () => {
    const two = `${BF}max_groups: 2\n---\n${BF.replace('id: bf', 'id: bf2').replace('capacity: 3', 'capacity: 1')}`;
    const e = new ScenarioEngine(parseScenarioTexts([{ file: 's.yaml', text: two }]).scenarios);
    const fired: string[] = [];
    for (let i = 0; i < 6; i++) for (const a of e.onEvent(event(i, { 'event.outcome': 'failure', 'source.ip': `192.0.2.${i % 3}` }))) fired.push(`${a.detector} ${String(a.group['source.ip'])}`);
    const st = e.stats();
    const bf = st.scenarios.find((s) => s.id === 'bf')!;
    const bf2 = st.scenarios.find((s) => s.id === 'bf2')!;
    assert.ok(bf.groups <= 2, 'bf holds at most its max_groups');
    assert.ok(bf.evicted > 0, 'bf evicted groups');
    assert.equal(bf2.evicted, 0, "bf2's groups are not bf's");
    assert.deepEqual(fired, ['bf2 192.0.2.0', 'bf2 192.0.2.1', 'bf2 192.0.2.2'], 'bf2 fires on each second failure; bf never reaches 4 for an address it keeps evicting');
  });
});
