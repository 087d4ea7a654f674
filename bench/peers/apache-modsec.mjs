/**
 * The WAF benchmarks' peer: Apache httpd with ModSecurity v2 (Debian's apache2 and
 * libapache2-mod-security2) and the OWASP CRS, reverse-proxying (mod_proxy_http, keep-alive) to an
 * upstream, on 127.0.0.1 with its own ServerRoot, PidFile, logs and temp dirs, started in the
 * foreground from a config of our own (Debian's service scripts are not used) and stopped by pid.
 *
 * The CRS it loads, `crs`:
 * - 'shared' (the default): the CRS release in /work/shared/data/crs (v4.28.0, or $CRS_DIR), under
 *   the very setup text mamori runs it with (`crsSetup` from mamori/waf: engine On, bodies read,
 *   JSON and XML processors by Content-Type, 910000 left out, the paranoia level), so both engines
 *   run the same rules under the same settings. ModSecurity 2.9.7 loads CRS 4.x.
 * - 'debian': the CRS Debian ships (modsecurity-crs, 3.3.x) with Debian's crs-setup.conf, the
 *   same engine lines, and CRS 3's paranoia variable.
 * Anomaly thresholds are CRS's defaults (inbound 5, outbound 4) on both. `settings` (CRS `tx.` values)
 * and `before` (SecLang lines before CRS's rules) are passed on as crsSetup takes them.
 *
 * One server process with a thread pool (mpm_event, `ThreadsPerChild`, one child): its CPU is the
 * parent's and the child's, read from /proc.
 *
 *   node bench/peers/apache-modsec.mjs [--crs shared|debian] [--paranoia 1]
 *     prints the versions, starts Apache in front of a tiny upstream, sends a benign request and an
 *     attack, prints the statuses, stops it.
 */
import http from 'node:http';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crsSetup } from 'mamori/waf';
import { stopChild } from '../lib.mjs';

export const APACHE = '/usr/sbin/apache2';
export const MODULES = '/usr/lib/apache2/modules';
export const SHARED_CRS = process.env.CRS_DIR ?? '/work/shared/data/crs';
export const DEBIAN_CRS = '/usr/share/modsecurity-crs';
export const DEBIAN_CRS_SETUP = '/etc/modsecurity/crs/crs-setup.conf';
const TICK_US = 1e6 / (Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100);

/** Why the peer cannot run here, or undefined when it can. */
export function apacheMissing() {
  if (!existsSync(APACHE)) return `no Apache at ${APACHE} (apt-get install apache2 libapache2-mod-security2)`;
  if (!existsSync(join(MODULES, 'mod_security2.so'))) return `no ModSecurity v2 at ${MODULES}/mod_security2.so (apt-get install libapache2-mod-security2)`;
  if (!existsSync(join(MODULES, 'mod_proxy_http.so'))) return `no mod_proxy_http at ${MODULES}`;
  return undefined;
}

function debVersion(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The CRS version a rules directory declares (REQUEST-901's `ver:'OWASP_CRS/x.y.z'`). */
export function crsVersionOf(rulesDir) {
  try {
    const m = /ver:'OWASP_CRS\/([0-9.]+)'/.exec(readFileSync(join(rulesDir, 'REQUEST-901-INITIALIZATION.conf'), 'utf8'));
    return m?.[1];
  } catch {
    return undefined;
  }
}

/** What is installed: Apache, ModSecurity, Debian's CRS and the shared CRS. */
export function versions() {
  const v = spawnSync(APACHE, ['-v'], { encoding: 'utf8' });
  return {
    apache: /Apache\/([0-9.]+)/.exec(v.stdout ?? '')?.[1],
    apachePackage: debVersion('apache2'),
    modsecurityPackage: debVersion('libapache2-mod-security2'),
    debianCrs: crsVersionOf(join(DEBIAN_CRS, 'rules')),
    debianCrsPackage: debVersion('modsecurity-crs'),
    sharedCrs: crsVersionOf(join(SHARED_CRS, 'rules')),
  };
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

async function waitListening(port, child, ms = 15_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) return false;
    const up = await new Promise((r) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        r(true);
      });
      c.on('error', () => r(false));
    });
    if (up) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** The ModSecurity and CRS lines for the chosen CRS. */
export function wafLines({ crs = 'shared', paranoia = 1, engine = 'On', settings = [], before = [] } = {}) {
  if (crs === 'shared') return crsSetup(SHARED_CRS, { engine, paranoia, settings, before });
  if (crs !== 'debian') throw new Error(`crs is 'shared' or 'debian', not ${JSON.stringify(crs)}`);
  // CRS 3.3: one paranoia variable (tx.paranoia_level) and its executing level.
  return [
    `SecRuleEngine ${engine}`,
    'SecRequestBodyAccess On',
    'SecResponseBodyAccess On',
    'SecResponseBodyMimeType text/plain text/html text/xml application/json',
    'SecRule REQUEST_HEADERS:Content-Type "@rx ^(?:application(?:/soap\\+|/)|text/)xml" "id:9000001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"',
    'SecRule REQUEST_HEADERS:Content-Type "@rx ^application/(?:.+\\+)?json" "id:9000002,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"',
    `Include "${DEBIAN_CRS_SETUP}"`,
    `SecAction "id:9000003,phase:1,pass,nolog,${[`tx.paranoia_level=${paranoia}`, `tx.executing_paranoia_level=${paranoia}`, ...settings].map((x) => `setvar:${x}`).join(',')}"`,
    ...before,
    `Include "${DEBIAN_CRS}/rules/*.conf"`,
    '',
  ].join('\n');
}

/**
 * Starts Apache + ModSecurity + CRS in front of `upstream` (http://127.0.0.1:port). Resolves with
 * { url, pid, crs, crsVersion, cpu() (µs, the server's processes so far), errorLog, stop() };
 * rejects with Apache's own message when it does not start.
 */
export async function startApacheModsec({ upstream, crs = 'shared', paranoia = 1, engine = 'On', settings = [], before = [], threads = 64, port, withWaf = true, configTestOnly = false } = {}) {
  const missing = apacheMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-apache-'));
  // The worker runs as www-data when we are root: it must reach its temp and data dirs.
  chmodSync(dir, 0o755);
  const scratch = join(dir, 'tmp');
  mkdirSync(scratch);
  chmodSync(scratch, 0o1777);
  port ??= await freePort();
  const target = new URL(upstream);
  const root = process.getuid?.() === 0;
  const conf = [
    `ServerRoot ${dir}`,
    `DefaultRuntimeDir ${dir}`,
    `PidFile ${dir}/httpd.pid`,
    `ErrorLog ${dir}/error.log`,
    'LogLevel warn',
    `Listen 127.0.0.1:${port}`,
    'ServerName localhost',
    ...(root ? ['User www-data', 'Group www-data'] : []),
    ...['mpm_event', 'authz_core', 'unique_id', 'proxy', 'proxy_http', 'security2'].map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
    // One server process, a thread per connection: the load generator's connections all fit.
    'StartServers 1',
    'ServerLimit 1',
    `ThreadsPerChild ${threads}`,
    `ThreadLimit ${threads}`,
    `MaxRequestWorkers ${threads}`,
    'MinSpareThreads 1',
    `MaxSpareThreads ${threads}`,
    'MaxConnectionsPerChild 0',
    'KeepAliveTimeout 60',
    'MaxKeepAliveRequests 0',
    `SecDataDir ${scratch}`,
    `SecTmpDir ${scratch}`,
    `SecUploadDir ${scratch}`,
    'SecAuditEngine Off',
    withWaf ? wafLines({ crs, paranoia, engine, settings, before }) : '',
    `ProxyPass / http://${target.host}/ keepalive=On`,
    `ProxyPassReverse / http://${target.host}/`,
    'ProxyPreserveHost On',
    '',
  ].join('\n');
  const confFile = join(dir, 'httpd.conf');
  writeFileSync(confFile, conf);
  if (configTestOnly) {
    // `apache2 -t` reads the whole config (ModSecurity parses and compiles every rule) and exits.
    const t0 = performance.now();
    const r = spawnSync(APACHE, ['-t', '-f', confFile], { encoding: 'utf8' });
    const ms = performance.now() - t0;
    rmSync(dir, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`apache2 -t failed: ${r.stderr}`);
    return { configTestMs: ms };
  }
  const child = spawn(APACHE, ['-f', confFile, '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Apache is not left running when the script that started it ends without stopping it (a crash).
  const onExit = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  child.once('exit', () => process.off('exit', onExit));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const errorLog = join(dir, 'error.log');
  if (!(await waitListening(port, child))) {
    child.kill('SIGKILL');
    const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8').slice(-2000) : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Apache did not start: ${stderr.trim()} ${log.trim()}`.trim());
  }
  const stat = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    } catch {
      return undefined;
    }
  };
  /** The server's CPU time so far (µs): the parent's own and its waited-for children's, and each live child's. */
  const cpu = async () => {
    const f = stat(child.pid);
    let ticks = f ? Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) : 0;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const g = stat(name);
      if (g && Number(g[1]) === child.pid) ticks += Number(g[11]) + Number(g[12]);
    }
    return ticks * TICK_US;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    crs,
    crsVersion: crsVersionOf(join(crs === 'shared' ? SHARED_CRS : DEBIAN_CRS, 'rules')),
    errorLog,
    cpu,
    stop: () => stopChild(child, dir),
  };
}

/**
 * How long Apache takes to read its config with ModSecurity + CRS, against the same config
 * without them (`apache2 -t`, wall ms, median of `runs`): the difference is CRS's load.
 */
export async function configLoadMs({ crs = 'shared', paranoia = 1, settings = [], runs = 3 } = {}) {
  const time = async (withWaf) => {
    const xs = [];
    for (let i = 0; i < runs; i++) xs.push((await startApacheModsec({ upstream: 'http://127.0.0.1:9', crs, paranoia, settings, withWaf, configTestOnly: true })).configTestMs);
    return xs.sort((a, b) => a - b)[xs.length >> 1];
  };
  const withCrs = await time(true);
  const without = await time(false);
  return { withCrsMs: withCrs, withoutMs: without, crsMs: withCrs - without };
}

/** A tiny upstream: any request read whole, then 200 `ok`. */
export function startTinyUpstream() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
        res.end('ok');
      });
    });
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }) }));
  });
}

async function main() {
  const { values: opt } = parseArgs({ options: { crs: { type: 'string', default: 'shared' }, paranoia: { type: 'string', default: '1' } } });
  const v = versions();
  console.log(`Apache ${v.apache ?? 'absent'} (Debian ${v.apachePackage ?? '-'}), ModSecurity v2 (Debian libapache2-mod-security2 ${v.modsecurityPackage ?? '-'})`);
  console.log(`CRS Debian ships: ${v.debianCrs ?? 'absent'} (modsecurity-crs ${v.debianCrsPackage ?? '-'}); shared CRS (${SHARED_CRS}): ${v.sharedCrs ?? 'absent'}`);
  const missing = apacheMissing();
  if (missing) {
    console.log(`skipped: ${missing}`);
    return;
  }
  const up = await startTinyUpstream();
  const ap = await startApacheModsec({ upstream: up.url, crs: opt.crs, paranoia: Number(opt.paranoia) });
  console.log(`started at ${ap.url} (pid ${ap.pid}), CRS ${ap.crsVersion} (${opt.crs}), paranoia ${opt.paranoia}, blocking`);
  const get = (path) =>
    new Promise((resolve, reject) => {
      http.get(`${ap.url}${path}`, { headers: { host: 'localhost', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0', accept: 'text/html' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
  console.log(`GET /search?q=blue+shoes -> ${await get('/search?q=blue+shoes')}`);
  console.log(`GET /search?q=1' OR '1'='1 -> ${await get(`/search?q=${encodeURIComponent("1' OR '1'='1")}`)}`);
  console.log(`CPU so far: ${Math.round((await ap.cpu()) / 1000)} ms`);
  await ap.stop();
  await up.close();
  console.log('stopped');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
