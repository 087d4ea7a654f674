/**
 * Country lookup from an MMDB (MaxMind DB format) file.
 *
 * `openCountryDatabase()` opens the database shipped by the npm package
 * `@ip-location-db/geo-whois-asn-country-mmdb` (see docs/third-party.md);
 * `openCountryDatabase(path)` opens any MMDB country file. Record shapes
 * understood:
 *   - ip-location-db:            `{ country_code: 'JP' }`
 *   - MaxMind GeoLite2/GeoIP2:   `{ country: { iso_code }, registered_country: { iso_code } }`
 *   - DB-IP lite country:        `{ country: { iso_code } }`
 *
 * `country(ip)` returns an upper-case ISO 3166-1 alpha-2 code, or undefined
 * for an address that is not one, is not globally routable (private,
 * loopback, link-local, documentation, multicast...), or is not in the file.
 * It never throws. Non-global ranges are answered before the file is asked:
 * some free databases map them to a country by mistake (the shipped one
 * maps 192.168.0.0/16 to AU), and a policy must not trust that.
 *
 * Example:
 *   const geo = openCountryDatabase();
 *   geo.country('133.1.1.1'); // 'JP'
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Reader, type Response } from 'mmdb-lib';
import { MamoriError } from '../core/errors.js';
import { CidrList, cidrContains, formatIp, parseCidr, tryParseIp, type IpAddress } from '../core/net.js';
import { BoundedCache } from '../core/lru.js';

export interface CountryLookup {
  /** Upper-case ISO alpha-2 code, or undefined when unknown; never throws. */
  country(ip: string): string | undefined;
  /** What answers: for logs and events. */
  readonly source: string;
}

export interface CountryDatabaseOptions {
  /** Entries in the lookup cache (least recently used goes first). Default 10,000. */
  cacheSize?: number;
}

const SHIPPED_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';
const SHIPPED_FILE = 'geo-whois-asn-country.mmdb';

/** Path of the country database that ships with mamori's dependencies. */
export function defaultCountryDatabasePath(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve(`${SHIPPED_PACKAGE}/package.json`);
  } catch (cause) {
    throw new MamoriError('MAMORI_ERR_GEO_DATABASE', `the package ${SHIPPED_PACKAGE} is not installed: run npm install, or give the path of an MMDB country file`, { cause });
  }
  return join(dirname(pkg), SHIPPED_FILE);
}

/**
 * IPv4 ranges that are never a client's public address (IANA special-purpose
 * registry, plus multicast and the reserved 240/4).
 */
const NON_GLOBAL_V4 = new CidrList([
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
]);

/** Global unicast IPv6 is 2000::/3, less these special-purpose blocks. */
const GLOBAL_V6 = parseCidr('2000::/3');
const NON_GLOBAL_V6 = new CidrList(['2001::/23', '2001:db8::/32', '2002::/16', '3fff::/20']);

/** True when the address can be a client's public address (and so can have a country). */
export function isGlobalAddress(ip: IpAddress): boolean {
  if (ip.version === 4) return !NON_GLOBAL_V4.contains(ip);
  return cidrContains(GLOBAL_V6, ip) && !NON_GLOBAL_V6.contains(ip);
}

const ISO_ALPHA2 = /^[A-Z]{2}$/;

function code(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const c = value.toUpperCase();
  // 'ZZ' is the user-assigned "unknown" some databases use.
  return ISO_ALPHA2.test(c) && c !== 'ZZ' ? c : undefined;
}

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

/** The country in one MMDB record, whichever of the known shapes it has. */
export function countryFromRecord(record: unknown): string | undefined {
  return (
    code(field(record, 'country_code')) ??
    code(field(field(record, 'country'), 'iso_code')) ??
    code(field(field(record, 'registered_country'), 'iso_code'))
  );
}

function openReader(path: string): Reader<Response> {
  const bad = (why: string, cause?: unknown): MamoriError =>
    new MamoriError('MAMORI_ERR_GEO_DATABASE', `cannot use the country database ${path}: ${why}`, { cause });
  let db: Buffer;
  try {
    db = readFileSync(path);
  } catch (cause) {
    throw bad(`it could not be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, cause);
  }
  let reader: Reader<Response>;
  try {
    reader = new Reader<Response>(db);
  } catch (cause) {
    throw bad('it is not an MMDB file', cause);
  }
  const m = reader.metadata;
  const sane =
    Number.isSafeInteger(m.nodeCount) &&
    m.nodeCount > 0 &&
    (m.ipVersion === 4 || m.ipVersion === 6) &&
    m.searchTreeSize + 16 <= db.length;
  if (!sane) throw bad('its MMDB metadata is inconsistent');
  return reader;
}

/**
 * The IPv4 client inside an IPv6 address that carries one: NAT64 (64:ff9b::/96, RFC 6052),
 * 6to4 (2002::/16, RFC 3056) and Teredo (2001::/32, RFC 4380, the client's address inverted).
 * An IPv6-only site behind a translator sees every IPv4 client so; its country is the IPv4 one's.
 */
export function embeddedIpv4(addr: IpAddress): IpAddress | undefined {
  if (addr.version !== 6) return undefined;
  const [a, b, c, d] = addr.words;
  let v4: number | undefined;
  if (a === 0x0064ff9b && b === 0 && c === 0) v4 = d;
  else if (a >>> 16 === 0x2002) v4 = (((a & 0xffff) << 16) | (b >>> 16)) >>> 0;
  else if (a === 0x20010000) v4 = ~d >>> 0;
  return v4 === undefined ? undefined : { version: 4, words: [0, 0, 0, v4] };
}

/** Opens an MMDB country database; with no path, the one shipped with mamori. */
export function openCountryDatabase(path?: string, options: CountryDatabaseOptions = {}): CountryLookup {
  const file = path ?? defaultCountryDatabasePath();
  const reader = openReader(file);
  const ipv6 = reader.metadata.ipVersion === 6;
  const cache = new BoundedCache<string>(options.cacheSize ?? 10_000);
  const NONE = '';
  const built = reader.metadata.buildEpoch;
  const date = Number.isFinite(built.getTime()) ? built.toISOString().slice(0, 10) : 'unknown date';
  const source = `mmdb ${String(reader.metadata.databaseType)} (${date}) ${file}`;

  return {
    source,
    country(ip: string): string | undefined {
      const parsed = tryParseIp(ip);
      const addr = parsed && (embeddedIpv4(parsed) ?? parsed);
      if (!addr || !isGlobalAddress(addr)) return undefined;
      if (addr.version === 6 && !ipv6) return undefined;
      const key = formatIp(addr);
      const hit = cache.get(key);
      if (hit !== undefined) return hit === NONE ? undefined : hit;
      let found: string | undefined;
      try {
        found = countryFromRecord(reader.get(key));
      } catch {
        found = undefined; // a damaged file answers "unknown", never an exception
      }
      cache.set(key, found ?? NONE);
      return found;
    },
  };
}

/**
 * A country lookup from a fixed table of ranges, first match wins: for tests
 * and for small deployments that know their own networks.
 * Example: `staticCountryLookup({ '192.0.2.0/24': 'JP' })`.
 */
export function staticCountryLookup(table: Readonly<Record<string, string>>): CountryLookup {
  const entries = Object.entries(table).map(([range, country]) => {
    const c = code(country);
    if (!c) throw new MamoriError('MAMORI_ERR_CONFIG_INVALID', `"${String(country).slice(0, 16)}" is not a two-letter country code`);
    return { range: parseCidr(range), country: c };
  });
  return {
    source: 'static table',
    country(ip: string): string | undefined {
      const addr = tryParseIp(ip);
      if (!addr) return undefined;
      for (const e of entries) if (cidrContains(e.range, addr)) return e.country;
      return undefined;
    },
  };
}
