import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readIndicatorFile, parseIndicators, detectFormat } from './read.js';
import { parseStixPattern } from './stix.js';
import { detectKind, parseTextList, splitCsvLine } from './csv.js';
import { parseBoundedJson } from './parse-common.js';
import { normalizeIndicator } from './indicator.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../src/ioc/testdata/${name}`, import.meta.url));
const pairs = (r: { indicators: { kind: string; value: string }[] }) => r.indicators.map((i) => `${i.kind} ${i.value}`);

describe('normalizeIndicator', () => {
  it('puts each kind in one form', () => {
    assert.deepEqual(normalizeIndicator('domain', 'WWW.Example.COM.'), { kind: 'domain', value: 'www.example.com' });
    assert.deepEqual(normalizeIndicator('domain', 'bücher.example'), { kind: 'domain', value: 'xn--bcher-kva.example' });
    assert.deepEqual(normalizeIndicator('ip', '::ffff:192.0.2.1'), { kind: 'ip', value: '192.0.2.1' });
    assert.deepEqual(normalizeIndicator('ip', '192.0.2.77/24'), { kind: 'cidr', value: '192.0.2.0/24' });
    assert.deepEqual(normalizeIndicator('cidr', '2001:DB8::1/128'), { kind: 'ip', value: '2001:db8::1' });
    assert.deepEqual(normalizeIndicator('url', 'HTTP://Evil.Example:80/a/../b#frag'), { kind: 'url', value: 'http://evil.example/b' });
    assert.deepEqual(normalizeIndicator('url', 'evil.example/gate.php'), { kind: 'url', value: 'http://evil.example/gate.php' });
    assert.deepEqual(normalizeIndicator('md5', '44D88612FEA8A8F36DE82E1278ABB02F'), { kind: 'md5', value: '44d88612fea8a8f36de82e1278abb02f' });
    assert.deepEqual(normalizeIndicator('file-name', 'Proxy.EXE'), { kind: 'file-name', value: 'proxy.exe' });
  });
  it('refuses what is not of the kind', () => {
    for (const [k, v] of [['md5', 'abc'], ['sha256', 'z'.repeat(64)], ['ip', '1.2.3.256'], ['domain', 'a b.example'], ['domain', '1.2.3.4'], ['domain', '-bad.example'], ['url', 'mailto:x@y'], ['file-name', 'a/b'], ['url', 'x'.repeat(5000)]] as const) {
      assert.ok('error' in normalizeIndicator(k, v), `${k} ${v.slice(0, 20)}`);
    }
  });
});

describe('STIX patterns', () => {
  const ok = (p: string) => {
    const r = parseStixPattern(p);
    assert.ok('terms' in r, `${p}: ${'skip' in r ? r.skip : ''}`);
    return r.terms.map((t) => `${t.kind} ${t.value}`);
  };
  const skip = (p: string) => {
    const r = parseStixPattern(p);
    assert.ok('skip' in r, p);
    return r.skip;
  };
  it('takes equality, IN, OR within and across observations, AND of one file\'s hashes', () => {
    assert.deepEqual(ok("[ipv4-addr:value = '1.2.3.4']"), ['ip 1.2.3.4']);
    assert.deepEqual(ok("[domain-name:value = 'a.example' OR url:value = 'http://a.example/x'] OR ([ipv6-addr:value = '::1'])"), ['domain a.example', 'url http://a.example/x', 'ip ::1']);
    assert.deepEqual(ok("[file:hashes.'SHA-256' = 'ab' AND file:hashes.MD5 = 'cd']"), ['sha256 ab', 'md5 cd']);
    assert.deepEqual(ok("[file:name IN ('a.exe', 'b\\'c.exe')]"), ['file-name a.exe', "file-name b'c.exe"]);
    assert.deepEqual(ok("[network-traffic:dst_ref.value = '192.0.2.1' OR network-traffic:dst_ref.value = 'c2.example']"), ['ip 192.0.2.1', 'domain c2.example']);
  });
  it('skips, with the reason, what one value cannot say', () => {
    assert.equal(skip("[url:value MATCHES 'x']"), 'operator MATCHES');
    assert.equal(skip("[url:value LIKE 'x%']"), 'operator LIKE');
    assert.equal(skip("[ipv4-addr:value != '1.2.3.4']"), 'operator !=');
    assert.equal(skip("[ipv4-addr:value NOT = '1.2.3.4']"), 'operator NOT =');
    assert.equal(skip("[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'x.example']"), 'AND across observations');
    assert.equal(skip("[ipv4-addr:value = '1.2.3.4' AND domain-name:value = 'x.example']"), 'AND of different properties');
    assert.equal(skip("[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '1.2.3.5']"), 'FOLLOWEDBY');
    assert.equal(skip("[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES"), 'qualifier REPEATS');
    assert.equal(skip("[ipv4-addr:value = '1.2.3.4'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'"), 'qualifier START');
    assert.equal(skip("[email-addr:value = 'a@b.example']"), 'object path email-addr:value');
    assert.equal(skip("[file:hashes.'SHA-512' = 'ab']"), 'hash type sha-512');
    assert.match(skip("[ipv4-addr:value = '1.2.3.4"), /unterminated string/);
    assert.match(skip('['.repeat(100)), /syntax|deep/);
    assert.match(skip(`${'('.repeat(100)}[ipv4-addr:value = '1.2.3.4']${')'.repeat(100)}`), /too deep/);
  });
});

describe('STIX bundles', () => {
  it('reads the fixture: what it holds, and why each skip', () => {
    const r = parseIndicators(readIndicatorFile(fixture('bundle.json')), 'bundle.json');
    assert.equal(r.format, 'stix');
    assert.deepEqual(pairs(r), [
      'ip 198.51.100.7',
      'domain evil.example',
      'url http://evil.example/gate.php',
      'sha256 aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f',
      'md5 44d88612fea8a8f36de82e1278abb02f',
      'cidr 2001:db8::/32',
      'ip 2001:db8::1',
      'file-name proxy.exe',
      'cidr 192.0.2.0/24',
    ]);
    assert.deepEqual(r.skippedByReason, { 'operator MATCHES': 1, 'AND across observations': 1, 'qualifier WITHIN': 1, revoked: 1, 'pattern_type snort': 1 });
    assert.equal(r.skipped.length, 5);
    assert.match(r.skipped[0]!.where, /^bundle\.json: objects\[5\] \(indicator--5\)$/);
    const first = r.indicators[0]!;
    assert.equal(first.firstSeen, Date.parse('2026-01-02T00:00:00Z'));
    assert.equal(first.expires, Date.parse('2026-06-30T00:00:00Z'));
    assert.equal(first.note, 'C2 address');
  });
  it('names the file and line of broken or hostile JSON', () => {
    assert.throws(() => parseIndicators('{\n"type": "bundle",\n "objects": [ }', 'b.json', 'stix'), (e: Error & { code?: string }) => e.code === 'MAMORI_ERR_IOC_PARSE' && /^b\.json:3: not valid JSON/.test(e.message));
    assert.throws(() => parseBoundedJson(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'deep.json'), /deep\.json:1: JSON nested deeper than 64/);
    assert.throws(() => parseIndicators('{"foo": 1}', 'o.json', 'stix'), /o\.json: not a STIX 2\.1 bundle/);
    assert.equal(parseIndicators('{"type": "malware", "id": "malware--1"}', 'm.json', 'stix').indicators.length, 0);
  });
});

describe('MISP events', () => {
  it('reads the fixture: attributes and object attributes, to_ids, and skips', () => {
    const r = parseIndicators(readIndicatorFile(fixture('event.json')), 'event.json');
    assert.equal(r.format, 'misp');
    assert.deepEqual(pairs(r), [
      'ip 198.51.100.20',
      'cidr 203.0.113.0/25',
      'domain c2.evil.example',
      'url https://evil.example/a/b?c=d',
      'file-name dropper.exe',
      'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'file-path /tmp/.x/proxy',
      'sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709',
    ]);
    assert.deepEqual(r.skippedByReason, { 'to_ids is false': 1, 'type text': 1, 'type email-src': 1, 'md5: not a MD5 (32 hex digits)': 1, deleted: 1 });
    assert.equal(r.indicators[2]!.note, 'command and control');
    assert.equal(r.indicators[0]!.note, 'Test event: proxyware dropper');
    assert.equal(r.indicators[0]!.firstSeen, 1769904000_000);
    assert.equal(r.indicators[7]!.firstSeen, Date.parse('2026-01-15T10:00:00Z'));
    assert.equal(r.skipped.find((s) => s.reason === 'type email-src')!.where, 'event.json: Event.Attribute[7]');
  });
  it('reads a REST search answer of several events', () => {
    const doc = { response: [{ Event: { Attribute: [{ type: 'domain', value: 'a.example', to_ids: true }] } }, { Event: { Attribute: [{ type: 'ip-dst', value: '192.0.2.9', to_ids: '1' }] } }] };
    assert.deepEqual(pairs(parseIndicators(JSON.stringify(doc), 'r.json')), ['domain a.example', 'ip 192.0.2.9']);
  });
});

describe('CSV and plain lists', () => {
  it('reads a plain list, the kind told per line', () => {
    const r = parseIndicators(readIndicatorFile(fixture('list.txt')), 'list.txt');
    assert.equal(r.format, 'csv');
    assert.deepEqual(pairs(r), [
      'ip 198.51.100.7',
      'cidr 198.51.100.0/24',
      'domain evil.example',
      'url http://evil.example/x.php?id=1',
      'file-path /var/www/html/wp-content/uploads/x.php',
      'file-name shell.php',
      'md5 44d88612fea8a8f36de82e1278abb02f',
      'sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709',
      'ip 2001:db8::7',
    ]);
    assert.deepEqual(r.skipped, [{ where: 'list.txt:10', reason: 'value of no known kind' }]);
  });
  it('reads a CSV with a header: type, quotes, note, times', () => {
    const r = parseTextList(readIndicatorFile(fixture('list.csv')), 'list.csv');
    assert.deepEqual(pairs(r), ['ip 203.0.113.5', 'domain bad.example', 'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'url http://bad.example/%22q%22']);
    assert.equal(r.indicators[0]!.note, 'scanner, seen twice');
    assert.equal(r.indicators[0]!.firstSeen, Date.parse('2026-01-01'));
    assert.equal(r.indicators[0]!.expires, Date.parse('2026-12-31'));
    assert.deepEqual(r.skipped, [
      { where: 'list.csv:6', reason: 'CSV: type email' },
      { where: 'list.csv:8', reason: 'ip: not an IP address' },
    ]);
  });
  it('bounds lines and tells kinds', () => {
    const r = parseTextList(`1.2.3.4\n${'a'.repeat(70_000)}\n5.6.7.8\n`, 'big.txt');
    assert.deepEqual(pairs(r), ['ip 1.2.3.4', 'ip 5.6.7.8']);
    assert.equal(r.skipped[0]!.where, 'big.txt:2');
    assert.equal(detectKind('invoice.pdf.exe'), 'file-name');
    assert.equal(detectKind('evil.example/x'), 'url');
    assert.equal(detectKind('C:\\Users\\x\\a.exe'), 'file-path');
    assert.equal(detectKind('localhost'), undefined);
    assert.deepEqual(splitCsvLine('a,"b,""c""",d'), ['a', 'b,"c"', 'd']);
    assert.equal(splitCsvLine('a,"b'), undefined);
    assert.equal(detectFormat('[{"type":"indicator"}]'), 'stix');
  });
});
