#!/usr/bin/env node
/**
 * CrowdSec beside mamori on the same log files, in the same run (issue 14 §7): each tool replays
 * each file `--runs` times (interleaved), CPU and peak RSS as the kernel counts them for the child
 * (GNU time), alerts per run (are they the same every time?).
 *
 * The files are those bench/detect-replay.mjs writes (`access.log`: nginx combined lines, a million
 * distinct sources at 1M lines, scanners, probes, brute force, card testing, sqlmap; `auth.log`: sshd
 * syslog lines, brute force, enumeration, accepted keys): taken from --dir when detect-replay.mjs
 * has written them there with the same --lines (its `FILE.N` marker), otherwise written here from
 * the same generator shapes and seed.
 *
 * mamori: `node packages/cli/bin/mamori.js replay FILE` (every built-in scenario, the parsers picked
 * line by line). CrowdSec: bench/peers/crowdsec.mjs (Debian's 1.4.6, `-dsn file://... -no-api`,
 * Debian's default parsers and scenarios).
 * Each tool also replays a one-line file of the same kind: its start-up CPU (loading rules), given
 * apart and taken off in the "after start-up" column.
 *
 *   node bench/peers/crowdsec-run.mjs [--lines 100000] [--runs 2] [--kinds sshd,access]
 *       [--dir /tmp/mamori-detect-bench] [--config DIR] [--timeout-min 0] [--rss-cap-mib 0] [--json FILE]
 *   --timeout-min, --rss-cap-mib: stop a CrowdSec run past that time or resident size (0: never);
 *   its figures are then marked partial and its lines/CPU s left out.
 */
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { num, printTable } from '../lib.mjs';
import { countLines, measured, run as crowdsecRun } from './crowdsec.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAMORI = join(ROOT, 'packages/cli/bin/mamori.js');

const { values: o } = parseArgs({
  options: {
    lines: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '2' },
    kinds: { type: 'string', default: 'sshd,access' },
    dir: { type: 'string', default: '/tmp/mamori-detect-bench' },
    config: { type: 'string' },
    'timeout-min': { type: 'string', default: '0' },
    'rss-cap-mib': { type: 'string', default: '0' },
    json: { type: 'string' },
  },
});
const LINES = Number(o.lines);
const RUNS = Number(o.runs);
const KINDS = o.kinds.split(',').map((k) => k.trim());
for (const k of KINDS) if (k !== 'sshd' && k !== 'access') throw new Error(`--kinds: sshd or access, not ${k}`);
if (!(LINES > 0) || !(RUNS > 0)) throw new Error('--lines and --runs must be positive');

// ---- the generator of bench/detect-replay.mjs (same shapes, same seed, same line i) -------------
// That script runs its benchmark when imported, so its shapes are repeated here; the files it writes
// are used as they are when present (see fileFor).
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
const p2 = (n) => String(n).padStart(2, '0');
const clf = (t) => {
  const d = new Date(t);
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
};
const syslogTime = (t) => {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
};
const PAGES = ['/', '/products', '/products/42', '/products/7?ref=home', '/cart', '/css/site.css', '/js/app.js', '/img/logo.png', '/about', '/blog/2026/02/hello', '/search?q=shoes', '/api/v1/items?page=2'];
const UAS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'];
const ATTACKS = ['/.env', '/.git/config', '/wp-config.php.bak', '/backup.sql', '/remote/fgt_lang?lang=/../../../..//////////dev/cmdb/sslvpn_websession', '/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id)', '/download?file=../../../../etc/passwd', '/vpn/../vpns/cfg/smb.conf', '/api/v1/totp/user-backup-code/../../license/keys-status/x'];
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
const accessRaw = ([t, ip, method, target, status, bytes, ua]) => `${ip} - - [${clf(t)}] "${method} ${target} HTTP/1.1" ${status} ${bytes} "-" "${ua}"`;
const USERS = ['root', 'admin', 'ubuntu', 'test', 'oracle', 'postgres', 'git', 'deploy', 'user', 'guest'];
function sshdEvent(i, r) {
  const t = T0 + i * 10;
  const x = r();
  const port = 30000 + (i % 30000);
  if (x < 0.45) return [t, 'failed', poolIp(i % 4, i % 5000), USERS[i % 2], port];
  if (x < 0.75) return [t, 'invalid', distinctIp(i), USERS[i % USERS.length], port];
  if (x < 0.9) return [t, 'invalid', poolIp(2, i % 3000), `${USERS[i % USERS.length]}${i % 50}`, port];
  return [t, 'accepted', `198.51.100.${i % 50}`, 'deploy', port];
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

const NAMES = { access: 'access.log', sshd: 'auth.log' };
const GEN = { access: [accessRequest, accessRaw], sshd: [sshdEvent, sshdRaw] };
/** The file of `kind` with n lines: detect-replay.mjs's when it wrote one of that size, else ours. */
async function fileFor(kind, n) {
  const theirs = join(o.dir, NAMES[kind]);
  if (existsSync(theirs) && existsSync(`${theirs}.${n}`) && statSync(theirs).size > 0) return { path: theirs, by: 'bench/detect-replay.mjs' };
  const dir = join(o.dir, 'crowdsec-run');
  mkdirSync(dir, { recursive: true });
  const ours = join(dir, `${kind}-${n}.log`);
  if (!(existsSync(ours) && existsSync(`${ours}.done`))) {
    await writeLines(ours, n, ...GEN[kind]);
    writeFileSync(`${ours}.done`, '');
  }
  return { path: ours, by: 'this script (detect-replay.mjs shapes)' };
}

/** mamori replay under GNU time; alerts from its summary line. */
async function mamoriRun(file, lines) {
  let alerts = null;
  let summary = '';
  const m = await measured(process.execPath, [MAMORI, 'replay', file], {
    onLine: (l) => {
      const a = / through \d+ scenarios: ([\d,]+) alerts?/.exec(l);
      if (a) {
        alerts = Number(a[1].replace(/,/g, ''));
        summary = l;
      }
    },
  });
  const cpuSeconds = m.user + m.system;
  // exit 0: no alert, 1: alerts, 2: an error
  const ok = m.status === 0 || m.status === 1;
  return { tool: 'mamori', lines, cpuSeconds, linesPerCpuSecond: ok ? lines / cpuSeconds : null, alerts, peakRssMiB: m.peakKiB / 1024, note: ok ? summary : `exit ${m.status}` };
}

const rate = (r, startup) => (r.linesPerCpuSecond == null ? 'n/a' : num(r.lines / Math.max(1e-9, r.cpuSeconds - startup)));

const results = [];
const rows = [];
console.log(`# ${num(LINES)} lines per file, ${RUNS} run(s) of each tool per file, interleaved; CPU = user + system of the child (GNU time)`);
for (const kind of KINDS) {
  const { path, by } = await fileFor(kind, LINES);
  const lines = await countLines(path);
  const one = join(o.dir, 'crowdsec-run', `${kind}-1.log`);
  mkdirSync(dirname(one), { recursive: true });
  await writeLines(one, 1, ...GEN[kind]);
  const start = { mamori: (await mamoriRun(one, 1)).cpuSeconds, crowdsec: (await crowdsecRun(one, kind, { configDir: o.config, lines: 1 })).cpuSeconds };
  console.log(`# ${kind}: ${path} (${num(lines)} lines, written by ${by}); start-up CPU on a one-line file: mamori ${start.mamori.toFixed(2)} s, CrowdSec ${start.crowdsec?.toFixed(2)} s`);
  for (let i = 1; i <= RUNS; i++) {
    for (const tool of ['crowdsec', 'mamori']) {
      const r =
        tool === 'mamori'
          ? await mamoriRun(path, lines)
          : await crowdsecRun(path, kind, { configDir: o.config, lines, timeoutMs: Number(o['timeout-min']) * 60e3, rssCapMiB: Number(o['rss-cap-mib']) });
      results.push({ kind, run: i, file: path, startupCpuSeconds: start[tool], ...r });
      rows.push([kind, tool, i, num(lines), r.cpuSeconds?.toFixed(2) ?? 'n/a', r.linesPerCpuSecond == null ? 'n/a' : num(r.linesPerCpuSecond), rate(r, start[tool] ?? 0), r.peakRssMiB == null ? 'n/a' : num(r.peakRssMiB), r.alerts ?? 'n/a']);
      console.log(`#   ${kind} ${tool} run ${i}: ${JSON.stringify(r)}`);
    }
  }
}
console.log('');
printTable(['log', 'tool', 'run', 'lines', 'CPU s', 'lines/CPU s', 'after start-up', 'peak RSS MiB', 'alerts'], rows);
for (const kind of KINDS) {
  const by = (t) => results.filter((r) => r.kind === kind && r.tool === t);
  const med = (xs) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const cs = by('crowdsec').map((r) => r.linesPerCpuSecond).filter((x) => x != null);
  const mm = by('mamori').map((r) => r.linesPerCpuSecond).filter((x) => x != null);
  // the same alerts: the same count and, where the tool tells, the same count for each scenario
  const same = (t) => new Set(by(t).map((r) => JSON.stringify([r.alerts, r.alertsByScenario ?? null]))).size === 1;
  if (cs.length && mm.length) console.log(`${kind}: mamori / CrowdSec lines per CPU second (medians; of two runs, the lower) ${(med(mm) / med(cs)).toFixed(1)}x; alerts the same on every run: mamori ${same('mamori') ? 'yes' : 'NO'}, CrowdSec ${same('crowdsec') ? 'yes' : 'NO'}`);
}
if (o.json) writeFileSync(o.json, `${JSON.stringify({ lines: LINES, runs: RUNS, results }, null, 2)}\n`);
