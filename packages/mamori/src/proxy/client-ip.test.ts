import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CidrList } from '../core/net.js';
import { normalizeIp, resolveClientIp, resolveForwarding } from './client-ip.js';

const none = new CidrList([]);
const lb = new CidrList(['10.0.0.0/8', '2001:db8:ffff::/48']);

describe('resolveClientIp', () => {
  it('uses the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    assert.equal(resolveClientIp('192.0.2.7', '203.0.113.1', none), '192.0.2.7');
  });

  it('normalises IPv4-mapped IPv6 peers', () => {
    assert.equal(resolveClientIp('::ffff:127.0.0.1', undefined, none), '127.0.0.1');
    assert.equal(normalizeIp('2001:DB8:0:0::1'), '2001:db8::1');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    assert.equal(resolveClientIp('192.0.2.7', '203.0.113.1', lb), '192.0.2.7');
  });

  it('takes the right-most address that is not a trusted proxy', () => {
    const f = resolveForwarding('10.0.0.1', '198.51.100.1, 203.0.113.5, 10.0.0.2', lb);
    assert.equal(f.clientIp, '203.0.113.5');
    assert.deepEqual(f.chain, ['203.0.113.5', '10.0.0.2', '10.0.0.1']);
    assert.equal(f.peerTrusted, true);
  });

  it('falls back to the peer when the trusted part of the chain holds an invalid entry', () => {
    assert.equal(resolveClientIp('10.0.0.1', '203.0.113.5, not-an-ip', lb), '10.0.0.1');
    assert.equal(resolveClientIp('10.0.0.1', '203.0.113.5, , 10.0.0.3', lb), '10.0.0.1');
  });

  it('reads entries a proxy wrote with the client port (Azure Application Gateway, IIS ARR)', () => {
    // Counted as the proxy, every client would share one address: one attacker could block the site.
    assert.equal(resolveClientIp('10.0.0.1', '203.0.113.5:4444', lb), '203.0.113.5');
    assert.equal(resolveClientIp('10.0.0.1', '[2001:db8::5]:443', lb), '2001:db8::5');
    assert.equal(resolveClientIp('10.0.0.1', '198.51.100.7:1, 10.0.0.2:8080', lb), '198.51.100.7');
    assert.deepEqual(resolveForwarding('10.0.0.1', '203.0.113.5:4444', lb).chain, ['203.0.113.5', '10.0.0.1'], 'forwarded without the port');
    for (const bad of ['203.0.113.5:', '203.0.113.5:123456', '[2001:db8::5]', '2001:db8::5:443x', '203.0.113.5:80:80']) {
      const ip = resolveClientIp('10.0.0.1', bad, lb);
      assert.ok(ip === '10.0.0.1' || ip === '2001:db8::5', `${bad} -> ${ip}`);
    }
  });

  it('ignores what the client wrote left of its own address', () => {
    const f = resolveForwarding('10.0.0.1', 'garbage, 1.1.1.1, 203.0.113.5', lb);
    assert.equal(f.clientIp, '203.0.113.5');
    assert.deepEqual(f.chain, ['203.0.113.5', '10.0.0.1']);
  });

  it('takes the left-most entry when every hop is a trusted proxy', () => {
    assert.equal(resolveClientIp('10.0.0.1', '10.1.2.3, 10.0.0.2', lb), '10.1.2.3');
  });

  it('reads IPv6 entries, bracketed or not, and IPv4-mapped ones', () => {
    assert.equal(resolveClientIp('10.0.0.1', '[2001:db8::5]', lb), '2001:db8::5');
    assert.equal(resolveClientIp('10.0.0.1', '2001:db8::5, 2001:db8:ffff::1', lb), '2001:db8::5');
    assert.equal(resolveClientIp('::ffff:10.0.0.1', '::ffff:203.0.113.9', lb), '203.0.113.9');
  });

  it('uses the peer for a missing or empty header', () => {
    assert.equal(resolveClientIp('10.0.0.1', undefined, lb), '10.0.0.1');
    assert.equal(resolveClientIp('10.0.0.1', '  ', lb), '10.0.0.1');
  });
});
