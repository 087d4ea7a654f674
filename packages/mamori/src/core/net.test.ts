import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CidrList, cidrContains, cidrOf, formatCidr, formatIp, isLoopback, parseCidr, parseIp, sourceKey, tryParseIp } from './net.js';
import { isMamoriError } from './errors.js';

const canon = (s: string): string | undefined => {
  const ip = tryParseIp(s);
  return ip ? formatIp(ip) : undefined;
};

describe('net: parsing', () => {
  it('parses IPv4', () => {
    assert.deepEqual(tryParseIp('192.0.2.1'), { version: 4, words: [0, 0, 0, 0xc0000201] });
    assert.equal(canon('0.0.0.0'), '0.0.0.0');
    assert.equal(canon('255.255.255.255'), '255.255.255.255');
  });

  it('parses IPv6, brackets and zone ids', () => {
    assert.deepEqual(tryParseIp('2001:db8::1'), { version: 6, words: [0x20010db8, 0, 0, 1] });
    assert.equal(canon('::'), '::');
    assert.equal(canon('::1'), '::1');
    assert.equal(canon('[2001:db8::1]'), '2001:db8::1');
    assert.equal(canon('fe80::1%eth0'), 'fe80::1');
    assert.equal(canon('1:2:3:4:5:6:7:8'), '1:2:3:4:5:6:7:8');
    assert.equal(canon('1:2:3:4:5:6:7::'), '1:2:3:4:5:6:7:0');
    assert.equal(canon('64:ff9b::192.0.2.33'), '64:ff9b::c000:221');
  });

  it('treats IPv4-mapped IPv6 as the IPv4 address', () => {
    assert.deepEqual(tryParseIp('::ffff:1.2.3.4'), { version: 4, words: [0, 0, 0, 0x01020304] });
    assert.equal(canon('::FFFF:192.0.2.1'), '192.0.2.1');
    assert.equal(canon('::ffff:c000:201'), '192.0.2.1');
  });

  it('rejects what is not an address', () => {
    const bad = [
      '', '1.2.3', '1.2.3.4.5', '1.2.3.04', '01.2.3.4', '256.1.1.1', '1.2.3.-1', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.4:80',
      ':::', '1::2::3', ':1::2', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '12345::', 'g::1', '::1.2.3', '::1.2.3.4:5',
      '1:2:3:4:5:6:7:1.2.3.4', '::ffff:1.2.3.04', 'localhost', '%eth0', '[::1', 'x'.repeat(1_000_000), `1.2.3.4${' '.repeat(1_000_000)}`,
    ];
    for (const s of bad) assert.equal(tryParseIp(s), undefined, JSON.stringify(s.slice(0, 40)));
    assert.equal(tryParseIp(undefined as unknown as string), undefined);
    assert.throws(() => parseIp('1.2.3.04'), (e) => isMamoriError(e, 'MAMORI_ERR_NET_ADDRESS'));
  });

  it('rejects a megabyte string quickly and quotes only a bit of it', () => {
    const huge = '1'.repeat(1_000_000);
    assert.throws(() => parseIp(huge), (e) => isMamoriError(e, 'MAMORI_ERR_NET_ADDRESS') && e.message.length < 200);
    assert.throws(() => parseCidr(`${huge}/24`), (e) => isMamoriError(e, 'MAMORI_ERR_NET_ADDRESS') && e.message.length < 200);
  });
});

describe('net: formatting (RFC 5952)', () => {
  it('lowercases, drops leading zeros and compresses the longest, first zero run', () => {
    assert.equal(canon('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(canon('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canon('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1');
    assert.equal(canon('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1', 'a single zero group is not compressed');
    assert.equal(canon('0:0:0:0:0:0:0:0'), '::');
    assert.equal(canon('1:0:0:0:0:0:0:0'), '1::');
  });
});

describe('net: CIDR', () => {
  it('parses and canonicalises ranges', () => {
    assert.equal(formatCidr(parseCidr('10.1.2.3/8')), '10.0.0.0/8');
    assert.equal(formatCidr(parseCidr('192.0.2.1')), '192.0.2.1/32');
    assert.equal(formatCidr(parseCidr('2001:DB8::1/32')), '2001:db8::/32');
    assert.equal(formatCidr(parseCidr('::/0')), '::/0');
    assert.equal(formatCidr(parseCidr('0.0.0.0/0')), '0.0.0.0/0');
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', 'x/8', '10.0.0.0/ab', '/8']) {
      assert.throws(() => parseCidr(bad), (e) => isMamoriError(e, 'MAMORI_ERR_NET_ADDRESS'), bad);
    }
  });

  it('tests containment at every edge', () => {
    const r = parseCidr('192.0.2.0/24');
    assert.equal(cidrContains(r, parseIp('192.0.2.0')), true);
    assert.equal(cidrContains(r, parseIp('192.0.2.255')), true);
    assert.equal(cidrContains(r, parseIp('192.0.3.0')), false);
    assert.equal(cidrContains(r, parseIp('192.0.1.255')), false);
    assert.equal(cidrContains(r, parseIp('::ffff:192.0.2.9')), true);
    assert.equal(cidrContains(r, parseIp('2001:db8::1')), false, 'versions never mix');
    assert.equal(cidrContains(parseCidr('0.0.0.0/0'), parseIp('203.0.113.1')), true);
    assert.equal(cidrContains(parseCidr('0.0.0.0/0'), parseIp('::1')), false);
    const r6 = parseCidr('2001:db8:abcd:12::/63');
    assert.equal(cidrContains(r6, parseIp('2001:db8:abcd:13:ffff::1')), true);
    assert.equal(cidrContains(r6, parseIp('2001:db8:abcd:14::')), false);
    assert.equal(cidrContains(parseCidr('10.0.0.1/31'), parseIp('10.0.0.0')), true);
    assert.equal(cidrContains(parseCidr('10.0.0.1/32'), parseIp('10.0.0.0')), false);
  });

  it('cidrOf gives the network holding an address', () => {
    assert.equal(formatCidr(cidrOf(parseIp('192.0.2.77'), 24)), '192.0.2.0/24');
    assert.equal(formatCidr(cidrOf(parseIp('192.0.2.77'), 0)), '0.0.0.0/0');
    assert.equal(formatCidr(cidrOf(parseIp('2001:db8:1:2:3::9'), 48)), '2001:db8:1::/48');
    assert.equal(formatCidr(cidrOf(parseIp('192.0.2.77'), 99)), '192.0.2.77/32', 'the prefix is clamped');
  });

  it('CidrList matches any of its ranges', () => {
    const l = new CidrList(['10.0.0.0/8', '2001:db8::/32']);
    assert.equal(l.size, 2);
    assert.equal(l.contains('10.9.9.9'), true);
    assert.equal(l.contains('2001:db8::5'), true);
    assert.equal(l.contains('11.0.0.1'), false);
    assert.equal(l.contains('nonsense'), false);
  });
});

describe('net: sourceKey and isLoopback', () => {
  it('groups IPv6 by /64 and IPv4 per address by default', () => {
    assert.equal(sourceKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(sourceKey('2001:db8:1:2:bbbb::2'), sourceKey('2001:db8:1:2:aaaa::1'));
    assert.notEqual(sourceKey('2001:db8:1:3::1'), sourceKey('2001:db8:1:2::1'));
    assert.equal(sourceKey('192.0.2.1'), '192.0.2.1');
    assert.equal(sourceKey('::ffff:192.0.2.1'), '192.0.2.1');
  });

  it('aggregates IPv4 when asked, and IPv6 per address with /128', () => {
    assert.equal(sourceKey('192.0.2.99', { ipv4Prefix: 24, ipv6Prefix: 64 }), '192.0.2.0/24');
    assert.equal(sourceKey('2001:db8::1', { ipv4Prefix: 32, ipv6Prefix: 128 }), '2001:db8::1');
  });

  it('puts every unparseable source under one key', () => {
    assert.equal(sourceKey('garbage'), 'invalid');
    assert.equal(sourceKey('x'.repeat(100_000)), 'invalid');
  });

  it('knows loopback addresses', () => {
    for (const ip of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '[::1]']) assert.equal(isLoopback(ip), true, ip);
    for (const ip of ['128.0.0.1', '::2', '::', '10.0.0.1', 'localhost', '']) assert.equal(isLoopback(ip), false, ip);
  });
});
