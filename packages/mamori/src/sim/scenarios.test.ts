import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CidrList, sourceKey, tryParseIp } from '../core/net.js';
import { SIM_SCENARIOS, SPRAY_PASSWORDS, sprayedAccounts } from './scenarios/builtins.js';
import { SIM_USER_IP, ipv4Source, ipv6Source, mixedSource } from './sources.js';
import type { SimAttempt, SimScenario } from './types.js';

const ctx = { attempts: 200, victim: { username: 'alice@example.com', password: 'alice-demo-password' } };
const DOC_RANGES = new CidrList(['198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32']);

function all(s: SimScenario, n = ctx.attempts): SimAttempt[] {
  return Array.from({ length: n }, (_, i) => s.attempt(i, { ...ctx, attempts: n }));
}

function perSource(list: SimAttempt[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of list) m.set(sourceKey(a.ip), (m.get(sourceKey(a.ip)) ?? 0) + 1);
  return m;
}

describe('sources', () => {
  it('every attacker address is a documentation address, and the user is apart from them', () => {
    for (let i = 0; i < 2000; i++) {
      for (const ip of [ipv4Source(i), ipv6Source(i), mixedSource(i)]) assert.ok(DOC_RANGES.contains(ip), ip);
    }
    assert.ok(!DOC_RANGES.contains(SIM_USER_IP));
    assert.ok(new CidrList(['192.0.2.0/24']).contains(SIM_USER_IP));
  });

  it('IPv6 sources rotate through distinct /64s', () => {
    const keys = new Set(Array.from({ length: 1000 }, (_, i) => sourceKey(ipv6Source(i))));
    assert.equal(keys.size, 1000);
    for (const k of keys) assert.match(k, /^2001:db8:1[0-9a-f]{2}(:[0-9a-f]{1,4})?::\/64$/);
  });

  it('IPv4 sources are distinct for the first 508', () => {
    assert.equal(new Set(Array.from({ length: 508 }, (_, i) => ipv4Source(i))).size, 508);
  });
});

describe('scenarios', () => {
  it('all use only documentation addresses and parseable sources', () => {
    for (const s of SIM_SCENARIOS.values()) {
      for (const a of all(s)) {
        assert.ok(tryParseIp(a.ip), `${s.name}: ${a.ip}`);
        assert.ok(DOC_RANGES.contains(a.ip), `${s.name}: ${a.ip}`);
      }
    }
  });

  it('brute-force: one source, one account, distinct guesses, the real password only last', () => {
    const list = all(SIM_SCENARIOS.get('brute-force'));
    assert.equal(new Set(list.map((a) => a.ip)).size, 1);
    assert.ok(list.every((a) => a.username === ctx.victim.username));
    assert.equal(new Set(list.map((a) => a.password)).size, list.length);
    assert.deepEqual(list.map((a, i) => (a.password === ctx.victim.password ? i : -1)).filter((i) => i >= 0), [list.length - 1]);
  });

  it('distributed: one account, one or two attempts per source, IPv4 and IPv6', () => {
    const list = all(SIM_SCENARIOS.get('distributed'));
    assert.ok(list.every((a) => a.username === ctx.victim.username));
    const counts = perSource(list);
    assert.ok([...counts.values()].every((n) => n === 1 || n === 2));
    assert.ok([...counts.values()].includes(1) && [...counts.values()].includes(2));
    assert.ok(counts.size >= list.length / 2);
    assert.ok(list.some((a) => a.ip.includes(':')) && list.some((a) => !a.ip.includes(':')));
    assert.equal(list.at(-1)!.password, ctx.victim.password);
    assert.equal(list.filter((a) => a.password === ctx.victim.password).length, 1);
  });

  it('stuffing: a handful of sources, each account tried once, the real pair last', () => {
    const list = all(SIM_SCENARIOS.get('stuffing'), 300);
    assert.ok(perSource(list).size <= 5);
    assert.equal(new Set(list.map((a) => a.username)).size, 300);
    assert.ok(list.slice(0, -1).every((a) => /@example\.(com|net)$/.test(a.username) && a.username !== ctx.victim.username));
    assert.ok(list.some((a) => a.username.endsWith('.net')));
    assert.deepEqual(list.at(-1), { ip: list.at(-1)!.ip, ...ctx.victim });
  });

  it('spraying: a few common passwords, many accounts (the user\'s among them), a new source per try', () => {
    const list = all(SIM_SCENARIOS.get('spraying'));
    const passwords = new Set(list.map((a) => a.password));
    assert.ok(passwords.size <= 3, [...passwords].join());
    assert.ok([...passwords].every((p) => SPRAY_PASSWORDS.includes(p)));
    assert.equal(new Set(list.map((a) => a.username)).size, sprayedAccounts(200));
    assert.ok(list.some((a) => a.username === ctx.victim.username));
    assert.ok(!list.some((a) => a.password === ctx.victim.password));
    assert.ok([...perSource(list).values()].every((n) => n === 1));
  });
});
