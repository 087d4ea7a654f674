/**
 * The synthetic logs of bench/detect-replay.mjs and bench/peers/crowdsec-run.mjs: nginx access lines
 * (a million distinct sources at 1M lines, scanners, probes, brute force, card testing, sqlmap) and
 * sshd syslog lines (brute force, enumeration, accepted keys), the same line i for the same seed.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const T0 = Date.parse('2026-03-01T00:00:00Z');

export function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}
export const distinctIp = (i) => `${11 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.7`;
export const poolIp = (pool, k) => `203.0.${113 + (pool % 4)}.${k % 250}`;
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const clf = (t) => {
  const d = new Date(t);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};
export const syslogTime = (t) => {
  const d = new Date(t);
  const p = (n) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
};

export const PAGES = ['/', '/products', '/products/42', '/products/7?ref=home', '/cart', '/css/site.css', '/js/app.js', '/img/logo.png', '/about', '/blog/2026/02/hello', '/search?q=shoes', '/api/v1/items?page=2'];
export const UAS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'];
export const ATTACKS = ['/.env', '/.git/config', '/wp-config.php.bak', '/backup.sql', '/remote/fgt_lang?lang=/../../../..//////////dev/cmdb/sslvpn_websession', '/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id)', '/download?file=../../../../etc/passwd', '/vpn/../vpns/cfg/smb.conf', '/api/v1/totp/user-backup-code/../../license/keys-status/x'];

/** One access-log request: [time, ip, method, target, status, bytes, ua]. */
export function accessRequest(i, r) {
  const t = T0 + i * 30;
  const x = r();
  if (x < 0.85) return [t, distinctIp(i), 'GET', PAGES[i % PAGES.length], r() < 0.1 ? 304 : 200, 1000 + (i % 5000), UAS[i % 3]];
  if (x < 0.87) return [t, distinctIp(i), 'GET', `/missing/${i % 97}.png`, 404, 153, UAS[i % 3]];
  if (x < 0.92) return [t, poolIp(1, i % 200), 'GET', `/admin${i % 1000}/login.php`, 404, 153, 'Mozilla/5.0 (compatible; scanner)'];
  if (x < 0.95) return [t, poolIp(2, i % 500), 'POST', '/wp-login.php', 200, 4200, UAS[0]];
  if (x < 0.97) return [t, poolIp(3, i % 1000), 'POST', '/checkout', r() < 0.7 ? 402 : 200, 310, UAS[1]];
  if (x < 0.99) return [t, poolIp(0, i % 300), 'GET', ATTACKS[i % ATTACKS.length], 404, 153, 'curl/8.5.0'];
  return [t, poolIp(0, i % 50), 'GET', '/item?id=1', 200, 900, 'sqlmap/1.7.2#stable (https://sqlmap.org)'];
}

export function accessJson([t, ip, method, target, status, bytes, ua]) {
  const q = target.indexOf('?');
  const url = q < 0 ? { original: target, path: target } : { original: target, path: target.slice(0, q), query: target.slice(q + 1) };
  return JSON.stringify({ '@timestamp': new Date(t).toISOString(), event: { dataset: 'nginx.access', category: 'web', action: 'web-request' }, source: { ip }, http: { request: { method }, response: { status_code: status, body: { bytes } } }, url, user_agent: { original: ua } });
}
export const accessRaw = ([t, ip, method, target, status, bytes, ua]) => `${ip} - - [${clf(t)}] "${method} ${target} HTTP/1.1" ${status} ${bytes} "-" "${ua}"`;

export const USERS = ['root', 'admin', 'ubuntu', 'test', 'oracle', 'postgres', 'git', 'deploy', 'user', 'guest'];
/** One sshd line: [time, kind, ip, user, port]. */
export function sshdEvent(i, r) {
  const t = T0 + i * 10;
  const x = r();
  const port = 30000 + (i % 30000);
  if (x < 0.45) return [t, 'failed', poolIp(i % 4, i % 5000), USERS[i % 2], port];
  if (x < 0.75) return [t, 'invalid', distinctIp(i), USERS[i % USERS.length], port];
  if (x < 0.9) return [t, 'invalid', poolIp(2, i % 3000), `${USERS[i % USERS.length]}${i % 50}`, port];
  return [t, 'accepted', `198.51.100.${i % 50}`, 'deploy', port];
}
export function sshdJson([t, kind, ip, user, port]) {
  const outcome = kind === 'accepted' ? 'success' : 'failure';
  const ev = { dataset: 'sshd', category: 'authentication', action: 'ssh-login', outcome, ...(kind === 'invalid' ? { reason: 'invalid user' } : kind === 'failed' ? { reason: 'wrong password' } : {}) };
  return JSON.stringify({ '@timestamp': new Date(t).toISOString(), event: ev, source: { ip, port }, user: { name: user }, process: { name: 'sshd', pid: 1000 + (port % 9000) }, host: { hostname: 'web01' } });
}
export const sshdRaw = ([t, kind, ip, user, port]) =>
  `${syslogTime(t)} web01 sshd[${1000 + (port % 9000)}]: ${kind === 'accepted' ? `Accepted publickey for ${user} from ${ip} port ${port} ssh2: ED25519 SHA256:4o0f7bYQzRkq1d3Vt6cWm2y0Y5bq3Pj9cXhL2mZs8aE` : kind === 'invalid' ? `Failed password for invalid user ${user} from ${ip} port ${port} ssh2` : `Failed password for ${user} from ${ip} port ${port} ssh2`}`;

/** An sshd line from a source seen nowhere else in the file: the i-th of up to 2^24 addresses. */
export function distinctSshdEvent(i, r) {
  const t = T0 + i * 10;
  const port = 30000 + (i % 30000);
  const ip = `${11 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.${1 + (i % 7)}`;
  return [t, r() < 0.5 ? 'invalid' : 'failed', ip, USERS[i % USERS.length], port];
}

export async function writeLines(path, n, gen, fmt) {
  const out = createWriteStream(path);
  const r = rng(42);
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += `${fmt(gen(i, r))}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

