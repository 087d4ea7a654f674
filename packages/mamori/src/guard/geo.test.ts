import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMamoriError } from '../core/errors.js';
import { tryParseIp } from '../core/net.js';
import { countryFromRecord, defaultCountryDatabasePath, isGlobalAddress, openCountryDatabase, staticCountryLookup, type CountryLookup } from './geo.js';
import { writeMmdb } from './testdata/mmdb-writer.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mamori-geo-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('shipped database (ip-location-db geo-whois-asn-country)', () => {
  let geo: CountryLookup;
  before(() => {
    geo = openCountryDatabase();
  });

  test('resolves long-standing allocations', () => {
    assert.equal(geo.country('133.1.1.1'), 'JP'); // 133.0.0.0/8, JPNIC
    assert.equal(geo.country('202.12.27.33'), 'JP'); // M-root, WIDE
    assert.equal(geo.country('8.8.8.8'), 'US');
    assert.equal(geo.country('193.0.6.139'), 'NL'); // RIPE NCC
    assert.equal(geo.country('2001:240::1'), 'JP'); // IIJ
    assert.equal(geo.country('2001:4860:4860::8888'), 'US');
  });

  test('an IPv4-mapped IPv6 address is looked up as its IPv4 address', () => {
    assert.equal(geo.country('::ffff:133.1.1.1'), 'JP');
    assert.equal(geo.country('[::ffff:8.8.8.8]'), 'US');
  });

  test('an IPv6 address that carries an IPv4 client (NAT64, 6to4, Teredo) is looked up as that client', () => {
    assert.equal(geo.country('64:ff9b::8501:101'), 'JP'); // 133.1.1.1 through a NAT64 translator
    assert.equal(geo.country('2002:808:808::1'), 'US'); // 6to4 for 8.8.8.8
    assert.equal(geo.country('2001:0:4136:e378:8000:63bf:7afe:fefe'), 'JP'); // Teredo: 133.1.1.1 inverted
    assert.equal(geo.country('64:ff9b::c0a8:101'), undefined, 'a private client is still not global');
  });

  test('non-global addresses have no country, even where the file claims one', () => {
    // The shipped file maps 192.168.0.0/16, 172.16.0.0/12 and 2001:db8::/32 to countries.
    for (const ip of ['192.168.1.1', '172.16.0.1', '10.0.0.1', '127.0.0.1', '100.64.0.1', '169.254.1.1', '198.51.100.7', '203.0.113.9', '224.0.0.1', '::1', 'fe80::1', 'fd12::1', '2001:db8::1', '2002:c000:201::1']) {
      assert.equal(geo.country(ip), undefined, ip);
    }
  });

  test('invalid input answers undefined and never throws', () => {
    for (const bad of ['', 'abc', '1.2.3', '1.2.3.4.5', '999.1.1.1', '01.2.3.4', '::::', 'x'.repeat(10_000), '133.1.1.1 ']) {
      assert.equal(geo.country(bad), undefined, bad.slice(0, 20));
    }
    assert.equal(geo.country(undefined as unknown as string), undefined);
    assert.equal(geo.country(42 as unknown as string), undefined);
  });

  test('repeated lookups (from the cache) give the same answer', () => {
    const small = openCountryDatabase(undefined, { cacheSize: 2 });
    const ips = ['133.1.1.1', '8.8.8.8', '193.0.6.139', '133.1.1.1', '203.0.113.9', '8.8.8.8'];
    assert.deepEqual(ips.map((ip) => small.country(ip)), ['JP', 'US', 'NL', 'JP', undefined, 'US']);
  });

  test('source names the file', () => {
    assert.match(geo.source, /geo-whois-asn-country\.mmdb/);
    assert.equal(defaultCountryDatabasePath().endsWith('geo-whois-asn-country.mmdb'), true);
  });
});

describe('bad files', () => {
  test('a missing file is MAMORI_ERR_GEO_DATABASE naming the path', () => {
    const p = join(dir, 'nope.mmdb');
    assert.throws(() => openCountryDatabase(p), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_GEO_DATABASE') && e.message.includes(p));
  });
  test('a text file, an empty file and a directory are refused', () => {
    const text = join(dir, 'text.mmdb');
    writeFileSync(text, 'this is not a database\n'.repeat(100));
    const empty = join(dir, 'empty.mmdb');
    writeFileSync(empty, '');
    for (const p of [text, empty, dir]) {
      assert.throws(() => openCountryDatabase(p), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_GEO_DATABASE') && e.message.includes(p), p);
    }
  });
});

describe('record shapes, from a file written here', () => {
  let geo: CountryLookup;
  before(() => {
    const file = join(dir, 'fixture.mmdb');
    writeFileSync(
      file,
      writeMmdb('GeoLite2-Country', [
        { network: '81.2.69.0/24', record: { continent: { code: 'EU' }, country: { iso_code: 'GB', names: { en: 'United Kingdom' } }, registered_country: { iso_code: 'GB' } } },
        { network: '89.160.20.0/24', record: { registered_country: { iso_code: 'SE', geoname_id: 2661886 } } },
        { network: '175.16.199.0/24', record: { country: { iso_code: 'CN' } } }, // DB-IP lite shape
        { network: '1.0.0.0/24', record: { country_code: 'au' } }, // ip-location-db shape, lower-case
        { network: '5.5.5.0/24', record: { country: { iso_code: 'ZZ' } } },
        { network: '6.6.6.0/24', record: { country: { iso_code: 'Japan' } } },
        { network: '2a02:cf40::/29', record: { country: { iso_code: 'NO' }, is_in_european_union: false } },
      ]),
    );
    geo = openCountryDatabase(file);
  });

  test('MaxMind country.iso_code, falling back to registered_country', () => {
    assert.equal(geo.country('81.2.69.142'), 'GB');
    assert.equal(geo.country('89.160.20.112'), 'SE');
  });
  test('DB-IP and ip-location-db shapes, upper-cased', () => {
    assert.equal(geo.country('175.16.199.1'), 'CN');
    assert.equal(geo.country('1.0.0.1'), 'AU');
  });
  test('IPv6 networks', () => {
    assert.equal(geo.country('2a02:cf40::1'), 'NO');
    assert.equal(geo.country('2a02:cf48::1'), undefined);
  });
  test('unknown, non-ISO and absent entries answer undefined', () => {
    assert.equal(geo.country('5.5.5.5'), undefined);
    assert.equal(geo.country('6.6.6.6'), undefined);
    assert.equal(geo.country('81.2.70.1'), undefined);
  });
  test('source tells the database type', () => {
    assert.match(geo.source, /GeoLite2-Country/);
  });
});

test('countryFromRecord tolerates anything', () => {
  for (const r of [null, undefined, 1, 'JP', [], { country: 'JP' }, { country_code: 7 }, { country: { iso_code: null } }]) {
    assert.equal(countryFromRecord(r), undefined);
  }
  assert.equal(countryFromRecord({ country: { iso_code: 'de' }, registered_country: { iso_code: 'FR' } }), 'DE');
});

test('isGlobalAddress', () => {
  const g = (s: string): boolean => isGlobalAddress(tryParseIp(s)!);
  assert.equal(g('8.8.8.8'), true);
  assert.equal(g('2400:4050::1'), true);
  assert.equal(g('192.168.0.1'), false);
  assert.equal(g('ff02::1'), false);
  assert.equal(g('::'), false);
});

test('staticCountryLookup', () => {
  const geo = staticCountryLookup({ '192.0.2.0/25': 'jp', '192.0.2.0/24': 'US', '2001:db8::/32': 'DE' });
  assert.equal(geo.country('192.0.2.1'), 'JP');
  assert.equal(geo.country('192.0.2.200'), 'US');
  assert.equal(geo.country('2001:db8::5'), 'DE');
  assert.equal(geo.country('198.51.100.1'), undefined);
  assert.equal(geo.country('junk'), undefined);
  assert.throws(() => staticCountryLookup({ '192.0.2.0/24': 'USA' }), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_CONFIG_INVALID'));
  assert.throws(() => staticCountryLookup({ '192.0.2.0/33': 'US' }), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_NET_ADDRESS'));
});
