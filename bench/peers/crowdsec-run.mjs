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
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { num, printTable } from '../lib.mjs';
import { countLines, measured, run as crowdsecRun } from './crowdsec.mjs';
import { accessRaw, accessRequest, sshdEvent, sshdRaw, writeLines } from '../detect-lines.mjs';

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

// The generator of bench/detect-replay.mjs (same shapes, same seed, same line i): bench/detect-lines.mjs.

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
