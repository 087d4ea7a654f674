#!/usr/bin/env node
/**
 * Log replay through mamori's built-in detection scenarios (issue 14):
 * 1M access-log events (nginx combined shape, a million distinct sources) and
 * 1M sshd events, written to /tmp as ECS JSON lines (what `mamori replay`
 * reads until the format parsers are plugged in) and as raw log lines (for
 * those parsers: pass --parser MODULE, whose default export is
 * `(raw) => LogEvent | null`, to replay the raw files instead).
 *
 * Each measurement runs in its own process, so its peak RSS is its own:
 *   engine-access / engine-sshd: events built in memory, the scenario engine alone;
 *   replay-access / replay-sshd: file -> lines -> parser -> pipeline -> scenarios, end to end.
 * Events/s per core = events / (user + system CPU seconds).
 * Targets: >= 20,000 access-log and >= 50,000 sshd lines/s per core end to end;
 * under 256 MB resident with a million distinct sources.
 *
 *   node bench/detect-replay.mjs [--lines 1000000] [--parser ./parser.mjs]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { num, printTable } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const LINES = Number(opt('lines', '1000000'));
const DIR = opt('dir', '/tmp/mamori-detect-bench');
const PARSER = opt('parser', undefined);
const T0 = Date.parse('2026-03-01T00:00:00Z');

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}
const distinctIp = (i) => `${11 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.7`;
const poolIp = (pool, k) => `203.0.${113 + (pool % 4)}.${k % 250}`;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const clf = (t) => {
  const d = new Date(t);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};
const syslogTime = (t) => {
  const d = new Date(t);
  const p = (n) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
};

const PAGES = ['/', '/products', '/products/42', '/products/7?ref=home', '/cart', '/css/site.css', '/js/app.js', '/img/logo.png', '/about', '/blog/2026/02/hello', '/search?q=shoes', '/api/v1/items?page=2'];
const UAS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'];
const ATTACKS = ['/.env', '/.git/config', '/wp-config.php.bak', '/backup.sql', '/remote/fgt_lang?lang=/../../../..//////////dev/cmdb/sslvpn_websession', '/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id)', '/download?file=../../../../etc/passwd', '/vpn/../vpns/cfg/smb.conf', '/api/v1/totp/user-backup-code/../../license/keys-status/x'];

/** One access-log request: [time, ip, method, target, status, bytes, ua]. */
function accessRequest(i, r) {
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

function accessJson([t, ip, method, target, status, bytes, ua]) {
  const q = target.indexOf('?');
  const url = q < 0 ? { original: target, path: target } : { original: target, path: target.slice(0, q), query: target.slice(q + 1) };
  return JSON.stringify({ '@timestamp': new Date(t).toISOString(), event: { dataset: 'nginx.access', category: 'web', action: 'web-request' }, source: { ip }, http: { request: { method }, response: { status_code: status, body: { bytes } } }, url, user_agent: { original: ua } });
}
const accessRaw = ([t, ip, method, target, status, bytes, ua]) => `${ip} - - [${clf(t)}] "${method} ${target} HTTP/1.1" ${status} ${bytes} "-" "${ua}"`;

const USERS = ['root', 'admin', 'ubuntu', 'test', 'oracle', 'postgres', 'git', 'deploy', 'user', 'guest'];
/** One sshd line: [time, kind, ip, user, port]. */
function sshdEvent(i, r) {
  const t = T0 + i * 10;
  const x = r();
  const port = 30000 + (i % 30000);
  if (x < 0.45) return [t, 'failed', poolIp(i % 4, i % 5000), USERS[i % 2], port];
  if (x < 0.75) return [t, 'invalid', distinctIp(i), USERS[i % USERS.length], port];
  if (x < 0.9) return [t, 'invalid', poolIp(2, i % 3000), `${USERS[i % USERS.length]}${i % 50}`, port];
  return [t, 'accepted', `198.51.100.${i % 50}`, 'deploy', port];
}
function sshdJson([t, kind, ip, user, port]) {
  const outcome = kind === 'accepted' ? 'success' : 'failure';
  const ev = { dataset: 'sshd', category: 'authentication', action: 'ssh-login', outcome, ...(kind === 'invalid' ? { reason: 'invalid user' } : kind === 'failed' ? { reason: 'wrong password' } : {}) };
  return JSON.stringify({ '@timestamp': new Date(t).toISOString(), event: ev, source: { ip, port }, user: { name: user }, process: { name: 'sshd', pid: 1000 + (port % 9000) }, host: { hostname: 'web01' } });
}
const sshdRaw = ([t, kind, ip, user, port]) =>
  `${syslogTime(t)} web01 sshd[${1000 + (port % 9000)}]: ${kind === 'accepted' ? `Accepted publickey for ${user} from ${ip} port ${port} ssh2: ED25519 SHA256:4o0f7bYQzRkq1d3Vt6cWm2y0Y5bq3Pj9cXhL2mZs8aE` : kind === 'invalid' ? `Failed password for invalid user ${user} from ${ip} port ${port} ssh2` : `Failed password for ${user} from ${ip} port ${port} ssh2`}`;

async function writeLines(path, n, gen, fmt) {
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

async function generate() {
  mkdirSync(DIR, { recursive: true });
  const files = [
    ['access.jsonl', accessRequest, accessJson],
    ['access.log', accessRequest, accessRaw],
    ['sshd.jsonl', sshdEvent, sshdJson],
    ['auth.log', sshdEvent, sshdRaw],
  ];
  for (const [name, gen, fmt] of files) {
    const p = `${DIR}/${name}`;
    if (existsSync(p) && statSync(p).size > 0 && existsSync(`${p}.${LINES}`)) continue;
    await writeLines(p, LINES, gen, fmt);
    await writeLines(`${p}.${LINES}`, 0, gen, fmt); // a marker: generated with this many lines
  }
}

async function phase(name) {
  const detect = await import(pathToFileURL(resolve(fileURLToPath(new URL('../packages/detect/dist/index.js', import.meta.url)))).href);
  const { scenarios } = detect.loadBuiltinScenarios();
  const engine = new detect.ScenarioEngine(scenarios);
  const kind = name.endsWith('access') ? 'access' : 'sshd';
  let events = 0;
  let alerts = 0;
  let cpu;
  if (name.startsWith('engine')) {
    // The engine alone: events parsed in batches of 10,000 (not measured), then run (measured).
    const r = rng(42);
    const line = { text: '', input: 'bench', receivedAt: 0 };
    cpu = { user: 0, system: 0 };
    for (let i = 0; i < LINES; ) {
      const list = [];
      for (const end = Math.min(LINES, i + 10_000); i < end; i++) {
        const raw = (kind === 'access' ? accessJson : sshdJson)((kind === 'access' ? accessRequest : sshdEvent)(i, r));
        list.push(detect.parseJsonLine({ ...line, text: raw }));
      }
      const c0 = process.cpuUsage();
      for (const e of list) alerts += engine.onEvent(e).length;
      const c = process.cpuUsage(c0);
      cpu.user += c.user;
      cpu.system += c.system;
      events += list.length;
    }
  } else {
    let parse = detect.parseJsonLine;
    let file = `${DIR}/${kind}.jsonl`;
    if (PARSER) {
      parse = (await import(pathToFileURL(resolve(PARSER)).href)).default;
      file = `${DIR}/${kind === 'access' ? 'access.log' : 'auth.log'}`;
    }
    const c0 = process.cpuUsage();
    const s = await detect.replayFiles([file], { parse, detectors: [engine] });
    cpu = process.cpuUsage(c0);
    events = s.events;
    alerts = s.alertsTotal;
  }
  const st = engine.stats();
  const cpuS = (cpu.user + cpu.system) / 1e6;
  if (globalThis.gc) { globalThis.gc(); process.stderr.write(`heapUsed after gc: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MiB, rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB\n`); }
  process.stdout.write(`${JSON.stringify({ name, events, alerts, cpuS, perCore: events / cpuS, maxRssMiB: process.resourceUsage().maxRSS / 1024, groups: st.groups, evicted: st.evicted })}\n`);
}

if (args.includes('--phase')) await phase(opt('phase'));
else {
  const g0 = Date.now();
  await generate();
  console.log(`# ${num(LINES)} access-log and ${num(LINES)} sshd events in ${DIR} (${((Date.now() - g0) / 1000).toFixed(1)} s to write)${PARSER ? `; raw lines through ${PARSER}` : '; ECS JSON lines through the built-in JSON-lines parser'}`);
  const rows = [];
  for (const name of ['engine-access', 'engine-sshd', 'replay-access', 'replay-sshd']) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--phase', name, '--lines', String(LINES), '--dir', DIR, ...(PARSER ? ['--parser', PARSER] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    const j = JSON.parse(r.stdout.trim().split('\n').pop());
    rows.push([j.name, num(j.events), num(j.alerts), j.cpuS.toFixed(2), num(j.perCore), num(j.maxRssMiB), num(j.groups), num(j.evicted)]);
  }
  printTable(['phase', 'events', 'alerts', 'CPU s', 'events/s/core', 'peak RSS MiB', 'groups at end', 'evicted'], rows);
  console.log('\ntargets: replay-access >= 20,000/s/core, replay-sshd >= 50,000/s/core, peak RSS < 256 MiB with 1M distinct sources (replay-access)');
}
