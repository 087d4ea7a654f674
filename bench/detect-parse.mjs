/**
 * Log parsing speed of @mamori/detect's parsers alone (issue 14): lines per CPU-second,
 * one core, for nginx combined, nginx JSON, sshd/PAM auth.log, FortiGate key=value and
 * the auto-detector on a mixed file. Targets for the parsers alone: >= 200,000 nginx
 * combined lines/s and >= 300,000 sshd lines/s (the end-to-end targets with all
 * rules on are 20,000 and 50,000; the parsers must leave the rules most of the budget).
 *
 * Peer: the floor of a hand-written regex per line, the same combined-log regex with
 * only exec() and no field building, normalisation or time parsing: what any parser
 * pays at least.
 *
 * The lines are synthetic (seeded): addresses from a /8, paths, agents and user names
 * varied, every event kind in the sshd mix. Usage: node bench/detect-parse.mjs [--lines N]
 */
import { parseArgs } from 'node:util';
import { createParsers, Enricher } from '../packages/detect/dist/index.js';
import { openCountryDatabase } from '../packages/mamori/dist/index.js';
import { ipv4, num, printTable, rng, verdictLine, writeResult } from './lib.mjs';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } } });
const N = Number(values.lines);
const ROUNDS = Number(values.rounds);
const rand = rng(14);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const PATHS = ['/', '/index.html', '/wp-login.php', '/api/v1/items?id=42&sort=desc', '/static/app.3f9a.js', '/search?q=%E6%9D%B1%E4%BA%AC', '/.env', '/login'];
const AGENTS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36', 'curl/8.5.0', 'python-requests/2.31.0', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'];
const USERS = ['root', 'admin', 'oracle', 'ubuntu', 'test', 'deploy', 'git'];

function gen(kind, i) {
  const ip = ipv4(203, Math.floor(rand() * 65536));
  const sec = String(i % 60).padStart(2, '0');
  switch (kind) {
    case 'combined':
      return `${ip} - - [03/Dec/2026:14:00:${sec} +0000] "${pick(['GET', 'GET', 'POST'])} ${pick(PATHS)} HTTP/1.1" ${pick([200, 200, 304, 404, 403])} ${Math.floor(rand() * 50000)} "https://example.com/" "${pick(AGENTS)}"`;
    case 'json':
      return JSON.stringify({ time_local: `03/Dec/2026:14:00:${sec} +0000`, remote_addr: ip, remote_user: '', request: `GET ${pick(PATHS)} HTTP/1.1`, status: '200', body_bytes_sent: '612', http_referer: '', http_user_agent: pick(AGENTS) });
    case 'sshd': {
      const u = pick(USERS);
      const port = 30000 + Math.floor(rand() * 30000);
      const msgs = [
        `Failed password for ${u} from ${ip} port ${port} ssh2`,
        `Failed password for invalid user ${u}x from ${ip} port ${port} ssh2`,
        `Invalid user ${u}x from ${ip} port ${port}`,
        `Connection closed by authenticating user ${u} ${ip} port ${port} [preauth]`,
        `Disconnected from invalid user ${u}x ${ip} port ${port} [preauth]`,
        `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${u}`,
        `Accepted publickey for ${u} from ${ip} port ${port} ssh2: ED25519 SHA256:abcdefghijklmnop`,
        `Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`,
      ];
      return `Dec  3 14:00:${sec} web1 sshd[${1000 + (i % 5000)}]: ${pick(msgs)}`;
    }
    case 'fortigate':
      return `date=2026-12-03 time=14:00:${sec} devname="FGT" devid="FGT60F" eventtime=1796306400000000000 tz="+0900" logid="0101039426" type="event" subtype="vpn" level="alert" vd="root" logdesc="SSL VPN login fail" action="ssl-login-fail" tunneltype="ssl-web" remip=${ip} user="${pick(USERS)}" group="N/A" reason="sslvpn_login_unknown_user" msg="SSL user failed to logged in"`;
    default:
      throw new Error(kind);
  }
}

const COMBINED_PEER = /^(\S+) \S+ (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\S+)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median lines per CPU-second over ROUNDS passes (after a warm-up pass). */
function measure(lines, fn) {
  const rates = [];
  let parsed = 0;
  for (let r = 0; r <= ROUNDS; r++) {
    const t0 = cpuMs();
    let ok = 0;
    for (let i = 0; i < lines.length; i++) if (fn(lines[i]) !== null) ok++;
    const ms = cpuMs() - t0;
    if (r > 0) rates.push((lines.length / ms) * 1000);
    parsed = ok;
  }
  rates.sort((a, b) => a - b);
  return { rate: rates[rates.length >> 1], parsed };
}

const parsers = createParsers({ timeZone: 'utc' });
const receivedAt = Date.parse('2026-12-03T15:00:00Z');
const raw = (text) => ({ text, input: 'bench', receivedAt });
const sets = {};
for (const k of ['combined', 'json', 'sshd', 'fortigate']) sets[k] = Array.from({ length: N }, (_, i) => raw(gen(k, i)));
const mixed = [];
for (let i = 0; i < N; i++) mixed.push(sets[['combined', 'sshd', 'json', 'fortigate'][Math.floor(i / 1000) % 4]][i]);

const rows = [];
const results = {};
const run = (label, lines, parser) => {
  const p = parsers.get(parser);
  const r = measure(lines, (l) => p.parse(l));
  results[label] = r;
  rows.push([label, parser, num(r.rate), `${num((r.parsed / lines.length) * 100, 1)}%`]);
  return r;
};
const combined = run('nginx combined', sets.combined, 'nginx.access');
run('nginx JSON (escape=json)', sets.json, 'nginx.json');
const sshd = run('sshd/PAM auth.log', sets.sshd, 'sshd');
run('FortiGate key=value', sets.fortigate, 'fortigate');
run('mixed file (blocks of 1,000)', mixed, 'auto');
// With enrichment: the country from mamori's shipped database, cache of 10,000 addresses; the
// lines above come from 65,536 addresses (mostly misses), a second set from 1,000 (hits).
const few = sets.combined.map((l, i) => raw(l.text.replace(/^\S+/, ipv4(198, i % 1000))));
const geo = openCountryDatabase();
for (const [label, lines] of [['nginx combined + country (65,536 sources)', sets.combined], ['nginx combined + country (1,000 sources)', few]]) {
  const enrich = new Enricher({ country: geo });
  const p = parsers.get('nginx.access');
  const r = measure(lines, (l) => {
    const e = p.parse(l);
    return e === null ? null : enrich.enrichSync(e);
  });
  results[label] = r;
  rows.push([label, 'nginx.access', num(r.rate), `${num((r.parsed / N) * 100, 1)}%`]);
}
const peer = measure(sets.combined, (l) => COMBINED_PEER.exec(l.text));
rows.push(['peer: combined regex exec only', '-', num(peer.rate), `${num((peer.parsed / N) * 100, 1)}%`]);

console.log(`${num(N)} lines per set, median of ${ROUNDS} passes, one core (CPU time)\n`);
printTable(['input', 'parser', 'lines/CPU-s', 'parsed'], rows);
console.log('');
verdictLine(combined.rate >= 200_000, '>= 200,000 nginx combined lines/s (parser alone)', `${num(combined.rate)}`);
verdictLine(sshd.rate >= 300_000, '>= 300,000 sshd lines/s (parser alone)', `${num(sshd.rate)}`);
writeResult('detect-parse', { lines: N, rounds: ROUNDS, results, peer });
