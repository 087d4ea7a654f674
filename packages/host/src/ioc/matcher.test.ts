import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IocMatcherBuilder } from './matcher.js';

function matcher() {
  const b = new IocMatcherBuilder();
  b.add('ip', '198.51.100.7', 'feed-a');
  b.add('cidr', '198.51.100.0/24', 'feed-b');
  b.add('cidr', '10.0.0.0/8', 'feed-b');
  b.add('ip', '2001:db8::1', 'feed-a');
  b.add('cidr', '2001:db8::/32', 'feed-b');
  b.add('domain', 'Evil.Example.', 'feed-a');
  b.add('domain', 'evil.example', 'feed-b');
  b.add('domain', 'xn--bcher-kva.example', 'feed-a');
  b.add('url', 'http://good.example/bad/gate.php', 'feed-a');
  b.add('sha256', 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', 'feed-a');
  b.add('md5', '44d88612fea8a8f36de82e1278abb02f', 'feed-b');
  b.add('file-name', 'Proxy.exe', 'feed-a');
  b.add('file-path', '/tmp/.x/proxy', 'feed-a');
  assert.equal(b.add('ip', 'not-an-ip', 'feed-a'), false);
  return b.build();
}

describe('IocMatcher', () => {
  const m = matcher();
  it('counts distinct entries', () => assert.equal(m.size, 13));
  it('IPs: exact and every CIDR that holds the address, most specific first', () => {
    assert.deepEqual(m.matchIp('198.51.100.7'), [
      { indicator: '198.51.100.7', kind: 'ip', source: 'feed-a' },
      { indicator: '198.51.100.0/24', kind: 'cidr', source: 'feed-b' },
    ]);
    assert.deepEqual(m.matchIp('::ffff:198.51.100.8'), [{ indicator: '198.51.100.0/24', kind: 'cidr', source: 'feed-b' }]);
    assert.deepEqual(m.matchIp('10.255.1.2').map((h) => h.indicator), ['10.0.0.0/8']);
    assert.deepEqual(m.matchIp('2001:DB8:0::1').map((h) => h.indicator), ['2001:db8::1', '2001:db8::/32']);
    assert.deepEqual(m.matchIp('2001:db9::1'), []);
    assert.deepEqual(m.matchIp('11.0.0.1'), []);
    assert.deepEqual(m.matchIp('garbage'), []);
    assert.deepEqual(m.ipProbes, { v4: 3, v6: 2 });
  });
  it('domains: the name and its parents, any case, trailing dot, IDNA; IP literals as IPs', () => {
    assert.deepEqual(m.matchDomain('a.b.EVIL.example.'), [
      { indicator: 'evil.example', kind: 'domain', source: 'feed-a' },
      { indicator: 'evil.example', kind: 'domain', source: 'feed-b' },
    ]);
    assert.deepEqual(m.matchDomain('notevil.example'), []);
    assert.deepEqual(m.matchDomain('example'), []);
    assert.equal(m.matchDomain('www.bücher.example').length, 1);
    assert.equal(m.matchDomain('198.51.100.7').length, 2);
    assert.equal(m.matchDomain('[2001:db8::1]').length, 2);
    assert.deepEqual(m.matchDomain('x'.repeat(2000)), []);
    assert.deepEqual(m.matchDomain(`${'a.'.repeat(200)}evil.example`), []); // longer than 253: no name
  });
  it('URLs: canonical form, then the host', () => {
    assert.deepEqual(m.matchUrl('HTTP://good.example:80/bad/./gate.php#top'), [{ indicator: 'http://good.example/bad/gate.php', kind: 'url', source: 'feed-a' }]);
    assert.deepEqual(m.matchUrl('http://good.example/bad/gate.php?x=1'), []);
    assert.deepEqual(m.matchUrl('https://cdn.evil.example/x').map((h) => `${h.kind} ${h.indicator}`), ['domain evil.example', 'domain evil.example']);
    assert.deepEqual(m.matchUrl('http://10.1.2.3:8080/').map((h) => h.indicator), ['10.0.0.0/8']);
    assert.deepEqual(m.matchUrl('not a url'), []);
  });
  it('files: hashes, name in any case, path', () => {
    assert.deepEqual(m.matchFile({ path: '/srv/a/PROXY.EXE', name: 'PROXY.EXE', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', md5: '44D88612FEA8A8F36DE82E1278ABB02F' }), [
      { indicator: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', kind: 'sha256', source: 'feed-a' },
      { indicator: '44d88612fea8a8f36de82e1278abb02f', kind: 'md5', source: 'feed-b' },
      { indicator: 'proxy.exe', kind: 'file-name', source: 'feed-a' },
    ]);
    assert.deepEqual(m.matchFile({ path: '/tmp/.x/proxy', name: 'proxy', sha256: '0'.repeat(64) }), [{ indicator: '/tmp/.x/proxy', kind: 'file-path', source: 'feed-a' }]);
    assert.deepEqual(m.matchFile({ path: '/tmp/.X/proxy', name: 'proxy', sha256: '' }), []);
    assert.equal(m.matchHash('44D88612FEA8A8F36DE82E1278ABB02F').length, 1);
    assert.equal(m.matchName('proxy.EXE').length, 1);
  });
  it('an empty matcher finds nothing, and a spent builder refuses more', () => {
    const b = new IocMatcherBuilder();
    const e = b.build();
    assert.deepEqual([e.matchIp('1.2.3.4'), e.matchDomain('a.example'), e.matchUrl('http://a.example/'), e.matchFile({ path: '/a', name: 'a', sha256: 'x' })], [[], [], [], []]);
    assert.throws(() => b.add('ip', '1.2.3.4', 's'), /build\(\) was called/);
  });
  it('the same value twice from one source is one entry', () => {
    const b = new IocMatcherBuilder();
    b.add('ip', '192.0.2.1', 's');
    b.add('ip', '::ffff:192.0.2.1', 's');
    b.add('domain', 'a.example', 's');
    b.add('domain', 'A.EXAMPLE.', 's');
    const x = b.build();
    assert.equal(x.size, 2);
    assert.equal(x.matchIp('192.0.2.1').length, 1);
  });
});
