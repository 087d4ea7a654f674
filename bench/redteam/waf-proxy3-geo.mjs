// Third pass, (d): CRS 3's @geoLookup (910100, with crs_settings.high_risk_country_codes) through
// `mamori up`, and CRS 3's features that keep state per client address (IP collection: 910000's
// reputation block, 912's DoS protection).
//
// The address 910100 looks up is TX:REAL_IP = REMOTE_ADDR, the client address mamori resolved:
// X-Forwarded-For is read only from network.trusted_proxies, right to left, to the first untrusted
// entry. Tried: spoofing from an untrusted peer, a client-supplied entry left of the trusted proxy's
// one, two header lines, ports, brackets, IPv4-mapped IPv6, and addresses that embed an IPv4 one
// (NAT64/SIIT 64:ff9b::/96, 6to4 2002::/16, Teredo 2001::/32), which have no country.
// node bench/redteam/waf-proxy3-geo.mjs
import { CRS3 } from './waf-proxy3-lib.mjs';
import { startUpstream, startMamori, raw, rawReq, report, results } from './waf-proxy-lib.mjs';

const CN = '223.5.5.5'; // CN in the shipped database
const CN6 = '2400:3200::1'; // CN
const US = '8.8.8.8'; // US
const up = await startUpstream();
const settings = { high_risk_country_codes: 'CN RU' };
const get = async (m, headers, target = '/') => (await raw(m.port, rawReq({ target, headers }))).statuses[0];

// Behind a trusted proxy (127.0.0.1, as the harness's peer).
{
  const m = await startMamori(up.url, { waf: { crs: CRS3, paranoia: 1, block_sources: { after: 0 }, crs_settings: settings } });
  try {
    const cases = [
      // [label, headers, expected status, why]
      ['XFF: CN address', [['X-Forwarded-For', CN]], 403],
      ['XFF: US address', [['X-Forwarded-For', US]], 200],
      ['XFF: IPv6 CN address', [['X-Forwarded-For', CN6]], 403],
      ['XFF: IPv4-mapped CN ::ffff:a.b.c.d', [['X-Forwarded-For', `::ffff:${CN}`]], 403],
      ['XFF: CN with a port (Azure Application Gateway style)', [['X-Forwarded-For', `${CN}:4444`]], 403],
      ['XFF: [CN v6]:443', [['X-Forwarded-For', `[${CN6}]:443`]], 403],
      ['XFF: client-supplied US entry left of the proxy\'s CN entry', [['X-Forwarded-For', `${US}, ${CN}`]], 403],
      ['XFF: two lines, client-supplied US first, proxy\'s CN second', [['X-Forwarded-For', US], ['X-Forwarded-For', CN]], 403],
      ['XFF: garbage entry left of CN', [['X-Forwarded-For', `unknown, ${CN}`]], 403],
      ['XFF: CN entry with a zone id', [['X-Forwarded-For', `${CN6}%eth0`]], 403],
      ['XFF: US, and a CN Forwarded: for= / X-Real-IP (ignored)', [['X-Forwarded-For', US], ['Forwarded', `for=${CN}`], ['X-Real-IP', CN]], 200],
    ];
    for (const [label, headers, want] of cases) {
      const got = await get(m, headers);
      report(got === want, `high-risk country: ${label}`, `status ${got} (expected ${want})`);
    }
    // Addresses that embed an IPv4 one: no country at all (isGlobalAddress drops them).
    const embedded = [
      ['NAT64 / SIIT-DC 64:ff9b::/96 (an IPv6-only site behind a stateless translator sees every IPv4 client so)', '64:ff9b::df05:505'],
      ['6to4 2002:df05:505::1', '2002:df05:505::1'],
      ['Teredo 2001:0:...', '2001:0:4136:e378:8000:63bf:20fa:fafa'],
    ];
    for (const [label, ip] of embedded) {
      const got = await get(m, [['X-Forwarded-For', ip]]);
      console.log(`INFO    ${label} holding ${CN}: status ${got} (no country: the embedded IPv4 address is not looked up)`);
    }
  } finally {
    await m.stop();
  }
}

// An untrusted peer's X-Forwarded-For changes nothing.
{
  const m = await startMamori(up.url, { extra: { network: { trusted_proxies: [] } }, waf: { crs: CRS3, paranoia: 1, block_sources: { after: 0 }, crs_settings: settings } });
  try {
    const a = await get(m, [['X-Forwarded-For', CN]]);
    report(a === 200, 'untrusted peer: a CN X-Forwarded-For does not make the client CN', `status ${a}`);
  } finally {
    await m.stop();
  }
}

// State per client address (initcol:ip): CRS 3's DoS protection (912, from PL1 when its three settings are set).
{
  const m = await startMamori(up.url, { waf: { crs: CRS3, paranoia: 2, block_sources: { after: 0 }, crs_settings: { dos_burst_time_slice: 60, dos_counter_threshold: 5, dos_block_timeout: 600 } } });
  try {
    const warned = /912|initcol|persistent|collection/i.test(m.out());
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push(await get(m, [['X-Forwarded-For', US]], `/search?page=${i}`));
    const refused = statuses.filter((s) => s !== 200).length;
    report(refused > 0 || warned, 'CRS 3 DoS protection (dos_burst_time_slice 60, dos_counter_threshold 5, dos_block_timeout 600, PL2) blocks 40 quick requests, or mamori says it cannot', `${refused} of 40 refused; a warning at start: ${warned ? 'yes' : 'no'} (initcol is read as inert: the IP collection lives one transaction, so ip.dos_counter never passes 1)`);
  } finally {
    await m.stop();
  }
}

await up.close();
console.log(`\n${results.findings} finding(s)`);
