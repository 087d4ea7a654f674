/**
 * The log-replay benchmarks' peer: CrowdSec (Debian's `crowdsec` package, 1.4.6) in its file replay
 * ("time machine") mode, `crowdsec -c CONFIG -dsn file:///PATH -type syslog|nginx -no-api -no-capi`,
 * with the parsers and scenarios Debian enables by default (see crowdsec-setup.md for the config dir
 * and what is left out).
 *
 * The agent, even with `-no-api`, logs in to a local API and posts its alerts there; it stops at once
 * when it cannot. So `run` answers those calls itself, on 127.0.0.1 at a port of its own: a login that
 * hands out a token, `POST /v1/alerts` that counts the alerts (per scenario) and stores nothing, and the
 * heartbeat. The agent's process thus does what it does in production with the local API in another
 * process (the Debian service), and its CPU and memory are those of parsing and buckets alone. Nothing
 * listens outside 127.0.0.1 and nothing leaves the machine: no central API, console or prometheus
 * endpoint is configured, and the agent is told `-no-capi` too.
 *
 * CPU (user + system) and peak RSS are the agent's as the kernel counts them for the process,
 * read by GNU time (`/usr/bin/time`, wait4's rusage), or, without it, polled from /proc/PID.
 *
 *   node bench/peers/crowdsec.mjs FILE access|sshd [--config DIR]
 *     runs one replay and prints the result as JSON.
 */
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const CROWDSEC = '/usr/bin/crowdsec';
export const GNU_TIME = '/usr/bin/time';
export const DEFAULT_CONFIG = '/var/cache/mamori-bench/crowdsec/config';
const TOOL = 'crowdsec';
const TICK_S = 1 / (Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100);
const INSTALL_HINT =
  'build it with `node bench/peers/crowdsec-setup.mjs` (from the hub Debian ships in /usr/share/crowdsec/hub, offline; ' +
  'see bench/peers/crowdsec-setup.md), or, online, install the same set with ' +
  '`cscli collections install crowdsecurity/linux crowdsecurity/sshd crowdsecurity/nginx` and point opts.configDir / MAMORI_CROWDSEC_CONFIG at that config dir';

/** The files a replay of each kind needs under the config dir. */
const NEEDED = {
  common: ['HUB/.index.json', 'patterns/linux-syslog', 'parsers/s00-raw/syslog-logs.yaml', 'parsers/s02-enrich/dateparse-enrich.yaml'],
  sshd: ['parsers/s01-parse/sshd-logs.yaml', 'scenarios/ssh-bf.yaml', 'scenarios/ssh-slow-bf.yaml'],
  access: ['parsers/s01-parse/nginx-logs.yaml', 'parsers/s02-enrich/http-logs.yaml', 'scenarios/http-probing.yaml', 'DATA/bad_user_agents.regex.txt', 'DATA/sensitive_data.txt', 'DATA/backdoors.txt'],
};
/** Where CrowdSec's package keeps the hub and the data files when cscli installed the items. */
const PACKAGE_HUB = '/var/lib/crowdsec/hub';
const PACKAGE_DATA = '/var/lib/crowdsec/data';

export function configDirOf(opts = {}) {
  return resolve(opts.configDir || process.env.MAMORI_CROWDSEC_CONFIG || DEFAULT_CONFIG);
}

/**
 * The hub and data dirs that go with a config dir: its own `hub/` and `data/` (crowdsec-setup.mjs
 * lays it out so), else the package's (a config dir that cscli filled, such as /etc/crowdsec).
 */
export function layoutOf(configDir, opts = {}) {
  const hubDir = opts.hubDir ?? (existsSync(join(configDir, 'hub/.index.json')) ? join(configDir, 'hub') : PACKAGE_HUB);
  const dataDir = opts.dataDir ?? (existsSync(join(configDir, 'data')) ? join(configDir, 'data') : PACKAGE_DATA);
  return { configDir, hubDir, dataDir };
}

/** Why the peer cannot run for `kind`, or undefined when it can. */
export function crowdsecMissing(configDir, kind, opts = {}) {
  if (!existsSync(CROWDSEC)) return `no CrowdSec at ${CROWDSEC} (apt-get install crowdsec)`;
  const { hubDir, dataDir } = layoutOf(configDir, opts);
  const at = (f) => (f.startsWith('HUB/') ? join(hubDir, f.slice(4)) : f.startsWith('DATA/') ? join(dataDir, f.slice(5)) : join(configDir, f));
  const missing = [...NEEDED.common, ...NEEDED[kind]].map(at).filter((f) => !existsSync(f));
  if (missing.length) return `CrowdSec's hub items are not in ${configDir} (missing ${missing.join(', ')}): ${INSTALL_HINT}`;
  return undefined;
}

let versionCache;
/** `1.4.6-6~deb12u1+b1` as `crowdsec -version` prints it (to stderr), or the package's version. */
export function crowdsecVersion() {
  if (versionCache !== undefined) return versionCache;
  const r = spawnSync(CROWDSEC, ['-version'], { encoding: 'utf8' });
  const m = /version: v?(\S+)/.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  versionCache = m ? m[1].replace(/-(linux|debian).*$/, '') : undefined;
  if (!versionCache) {
    const d = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'crowdsec'], { encoding: 'utf8' });
    versionCache = d.status === 0 ? d.stdout.trim() : null;
  }
  return versionCache;
}

/** Lines in a file (newlines, plus a last line without one). */
export async function countLines(file) {
  let n = 0;
  let last = 10;
  for await (const chunk of createReadStream(file)) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
    last = chunk[chunk.length - 1];
  }
  return last === 10 ? n : n + 1;
}

/**
 * A stand-in for CrowdSec's local API, on 127.0.0.1: what the agent calls in a replay. Alerts are
 * counted by scenario and dropped. Request bodies are capped (the agent posts alerts in batches).
 */
export async function startAlertSink() {
  const counts = new Map();
  let alerts = 0;
  let posts = 0;
  const MAX_BODY = 256 << 20;
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const send = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && path === '/v1/watchers/login') {
        send(200, { code: 200, expire: new Date(Date.now() + 24 * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'), token: 'mamori-bench-replay' });
      } else if (req.method === 'POST' && path === '/v1/alerts') {
        let list;
        try {
          list = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          send(400, { message: 'bad json' });
          return;
        }
        if (!Array.isArray(list)) {
          send(400, { message: 'expected an array of alerts' });
          return;
        }
        posts++;
        const ids = [];
        for (const a of list) {
          alerts++;
          const s = typeof a?.scenario === 'string' ? a.scenario : '?';
          counts.set(s, (counts.get(s) ?? 0) + 1);
          ids.push(String(alerts));
        }
        send(201, ids);
      } else if (req.method === 'GET' && path === '/v1/heartbeat') {
        send(200, {});
      } else {
        send(404, { message: `not served by the bench's stand-in: ${req.method} ${path}` });
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((ok, ko) => {
    server.once('listening', ok);
    server.once('error', ko);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    get alerts() {
      return alerts;
    },
    get posts() {
      return posts;
    },
    byScenario: () => Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

const y = (s) => JSON.stringify(s); // a JSON string is a YAML flow scalar

/** The agent's config for one run: hub items from configDir, everything it writes in workDir. */
function agentConfig({ configDir, hubDir, dataDir }, workDir, lapiUrl, parserRoutines) {
  writeFileSync(join(workDir, 'local_api_credentials.yaml'), `url: ${y(lapiUrl)}\nlogin: mamori-bench\npassword: mamori-bench-replay\n`);
  writeFileSync(join(workDir, 'acquis.yaml'), 'filenames: []\nlabels:\n  type: syslog\n');
  const simulation = existsSync(join(configDir, 'simulation.yaml')) ? join(configDir, 'simulation.yaml') : join(workDir, 'simulation.yaml');
  if (!existsSync(simulation)) writeFileSync(simulation, 'simulation: off\n');
  const text = [
    'common:',
    '  daemonize: false',
    '  log_media: stdout',
    '  log_level: info',
    `  working_dir: ${y(workDir)}`,
    'config_paths:',
    `  config_dir: ${y(`${configDir}/`)}`,
    `  data_dir: ${y(`${dataDir}/`)}`,
    `  simulation_path: ${y(simulation)}`,
    `  hub_dir: ${y(`${hubDir}/`)}`,
    `  index_path: ${y(`${hubDir}/.index.json`)}`,
    `  notification_dir: ${y(`${workDir}/notifications/`)}`,
    '  plugin_dir: /usr/lib/crowdsec/plugins/',
    'crowdsec_service:',
    `  acquisition_path: ${y(join(workDir, 'acquis.yaml'))}`,
    `  parser_routines: ${parserRoutines}`,
    'api:',
    '  client:',
    '    insecure_skip_verify: false',
    `    credentials_path: ${y(join(workDir, 'local_api_credentials.yaml'))}`,
    'prometheus:',
    '  enabled: false',
    '',
  ].join('\n');
  const path = join(workDir, 'config.yaml');
  writeFileSync(path, text);
  return path;
}

/** utime+stime (s) and VmHWM (KiB) of a live process, or undefined once it is gone. */
function procSample(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) * TICK_S;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpu, hwmKiB: hwm ? Number(hwm[1]) : 0 };
  } catch {
    return undefined;
  }
}

/** The process GNU time runs (its only child), once it has started. */
function childOf(pid) {
  try {
    const c = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return c ? Number(c) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a command to its end and returns its CPU (user, system, s), peak RSS (KiB), exit status and
 * the lines it wrote (stdout and stderr, each passed to onLine). GNU time when present, else /proc.
 * The command is stopped (SIGTERM to it, not to GNU time) after timeoutMs, or once its resident
 * memory passes rssCapMiB (a run that would take the shared machine's memory); `last` is then the
 * last /proc sample (CPU, peak RSS).
 */
export async function measured(cmd, args, { onLine = () => {}, timeoutMs = 0, rssCapMiB = 0, env } = {}) {
  const useTime = existsSync(GNU_TIME);
  const dir = mkdtempSync(join(tmpdir(), 'mamori-measure-'));
  const out = join(dir, 'time.txt');
  const child = useTime
    ? spawn(GNU_TIME, ['-f', '%U %S %M %x', '-o', out, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
    : spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const target = () => (useTime ? childOf(child.pid) : child.pid);
  const stop = () => {
    const pid = target();
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {}
    }
  };
  let last = { cpu: 0, hwmKiB: 0 };
  let timedOut = false;
  let capped = false;
  const poll = setInterval(() => {
    const pid = target();
    const s = pid ? procSample(pid) : undefined;
    if (!s) return;
    last = s;
    if (rssCapMiB > 0 && !capped && s.hwmKiB > rssCapMiB * 1024) {
      capped = true;
      stop();
    }
  }, 250);
  const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), stop()), timeoutMs) : undefined;
  const feed = (stream) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (s) => {
      rest += s;
      let i;
      while ((i = rest.indexOf('\n')) >= 0) {
        onLine(rest.slice(0, i));
        rest = rest.slice(i + 1);
      }
      if (rest.length > 1 << 20) rest = rest.slice(-4096); // a runaway line is not kept whole
    });
    stream.on('end', () => rest && onLine(rest));
  };
  feed(child.stdout);
  feed(child.stderr);
  const [code, signal] = await new Promise((ok) => child.once('close', (c, s) => ok([c, s])));
  clearInterval(poll);
  clearTimeout(timer);
  let user;
  let system;
  let peakKiB;
  let status = code;
  if (useTime) {
    const m = /(\d+\.\d+) (\d+\.\d+) (\d+) (-?\d+)\s*$/.exec(existsSync(out) ? readFileSync(out, 'utf8') : '');
    if (m) [user, system, peakKiB, status] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  } else {
    [user, system, peakKiB] = [last.cpu, 0, last.hwmKiB];
  }
  rmSync(dir, { recursive: true, force: true });
  return { user, system, peakKiB, status, signal, timedOut, capped, last, polled: !useTime };
}

/**
 * One replay of `file` ('access': nginx combined lines, `-type nginx`; 'sshd': syslog lines, `-type
 * syslog`). opts: configDir (hubDir, dataDir: see layoutOf), parserRoutines (1, Debian's setting),
 * timeoutMs, rssCapMiB (stop past that resident size), lines (skips counting them), onLine (each log
 * line of the agent).
 */
export async function run(file, kind, opts = {}) {
  if (kind !== 'access' && kind !== 'sshd') throw new TypeError(`kind must be 'access' or 'sshd', not ${kind}`);
  const configDir = configDirOf(opts);
  const version = existsSync(CROWDSEC) ? crowdsecVersion() : null;
  const empty = { tool: TOOL, version, lines: null, cpuSeconds: null, linesPerCpuSecond: null, alerts: null, peakRssMiB: null };
  const why = crowdsecMissing(configDir, kind, opts);
  if (why) return { ...empty, note: why };
  const abs = resolve(file);
  const lines = opts.lines ?? (await countLines(abs));
  const sink = await startAlertSink();
  const work = mkdtempSync(join(tmpdir(), 'mamori-crowdsec-'));
  let performed = 0;
  let finished = false; // CrowdSec logs "Acquisition is finished" at the end of the file (it exits 0 on SIGTERM too)
  let fatal;
  try {
    const config = agentConfig(layoutOf(configDir, opts), work, sink.url, opts.parserRoutines ?? 1);
    const args = ['-c', config, '-dsn', pathToFileURL(abs).href, '-type', kind === 'access' ? 'nginx' : 'syslog', '-no-api', '-no-capi'];
    const m = await measured(CROWDSEC, args, {
      timeoutMs: opts.timeoutMs ?? 0,
      rssCapMiB: opts.rssCapMiB ?? 0,
      onLine: (l) => {
        if (l.includes(' performed ')) performed++;
        else if (l.includes('Acquisition is finished')) finished = true;
        else if (!fatal && /level=fatal/.test(l)) fatal = l.replace(/^.*msg="?/, '').replace(/"$/, '');
        opts.onLine?.(l);
      },
    });
    const cpuSeconds = m.user + m.system;
    const failed = m.timedOut || m.capped || fatal || m.status !== 0 || !finished;
    // (how far it got is not known: the file reader runs ahead of the parsers, so bytes read say little)
    const readShare = () => `after ${(m.last.cpu ?? 0).toFixed(1)} CPU s`;
    const notes = [
      `crowdsec ${args.map((a) => (a === config ? 'CONFIG' : a)).join(' ')}; config dir ${configDir}; alerts posted to the bench's stand-in local API`,
      m.polled ? 'CPU and RSS polled from /proc every 100 ms (no /usr/bin/time)' : 'CPU and RSS by /usr/bin/time',
      `${performed} "performed" log lines`,
    ];
    if (m.timedOut) notes.push(`stopped after ${opts.timeoutMs} ms, ${readShare()}: figures cover part of the file`);
    if (m.capped) notes.push(`stopped when its resident memory passed ${opts.rssCapMiB} MiB, ${readShare()}: figures cover part of the file`);
    if (!finished && !m.timedOut && !m.capped) notes.push('did not log the end of its acquisition (stopped from outside?): figures cover part of the file');
    if (fatal) notes.push(`fatal: ${fatal}`);
    else if (m.status !== 0) notes.push(`exit status ${m.status}${m.signal ? ` (${m.signal})` : ''}`);
    return {
      tool: TOOL,
      version,
      lines,
      cpuSeconds,
      linesPerCpuSecond: failed || !(cpuSeconds > 0) ? null : lines / cpuSeconds,
      alerts: sink.alerts,
      peakRssMiB: m.peakKiB / 1024,
      alertsByScenario: sink.byScenario(),
      note: notes.join('; '),
    };
  } finally {
    await sink.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { config: { type: 'string' } } });
  if (positionals.length !== 2) {
    console.error('usage: node bench/peers/crowdsec.mjs FILE access|sshd [--config DIR]');
    process.exit(2);
  }
  console.log(JSON.stringify(await run(positionals[0], positionals[1], { configDir: values.config }), null, 2));
}
