/**
 * Helpers shared by the benchmarks: statistics, formatting, results files,
 * child processes with --expose-gc, and CPU-profile summaries.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, totalmem } from 'node:os';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = join(BENCH_DIR, 'results');

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const MiB = 1024 * 1024;

/** 1234567 -> "1,234,567" */
export function num(x, digits = 0) {
  return Number(x).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function mib(bytes, digits = 1) {
  return `${num(bytes / MiB, digits)} MiB`;
}

/** Prints rows (arrays of strings) as an aligned text table. */
export function printTable(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

export function verdictLine(met, target, detail) {
  console.log(`target: ${target} -> ${met ? 'MET' : 'NOT MET'}${detail ? ` (${detail})` : ''}`);
}

export function machine() {
  const c = cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: BENCH_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Not a git checkout.
  }
  return { node: process.version, cpus: c.length, cpu: c[0]?.model ?? 'unknown', totalMemMiB: Math.round(totalmem() / MiB), date: new Date().toISOString(), commit };
}

export function writeResult(name, data) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify({ benchmark: name, machine: machine(), ...data }, null, 2) + '\n');
  console.log(`results written to ${file}`);
}

/** Live memory after a full collection (needs --expose-gc). */
export function liveMemory() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external, rss: m.rss, live: m.heapUsed + m.arrayBuffers };
}

/**
 * Brings the heap to rest before a timed part: a full collection, then a pause
 * for the collector's background work (sweeping, freeing pages) to finish, so
 * that it does not run on the other core during the next side's timing (with
 * two cores, it would compete with it). Needs --expose-gc.
 */
export async function settle(ms = 50) {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, ms));
  globalThis.gc?.();
}

/**
 * Re-runs the current script under `node --expose-gc` (plus extra flags) when
 * it was started without it; returns true in the parent, which should then stop.
 */
export async function ensureExposeGc(scriptUrl, extraFlags = []) {
  if (typeof globalThis.gc === 'function') return false;
  const code = await runNode([...extraFlags, '--expose-gc', fileURLToPath(scriptUrl), ...process.argv.slice(2)], { inherit: true });
  process.exitCode = code;
  return true;
}

/** Spawns node with args; resolves with the exit code (inherit) or { code, stdout }. */
export function runNode(args, { inherit = false, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'inherit'], env: env ?? process.env });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve(inherit ? code ?? 1 : { code: code ?? 1, stdout: out }));
  });
}

/** Runs a child that prints one JSON line last; returns it parsed. */
export async function runJsonChild(args) {
  const { code, stdout } = await runNode(args);
  const last = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`child ${args.join(' ')} exited ${code}: ${stdout}`);
  return JSON.parse(last);
}

/**
 * Self time per function from the .cpuprofile files in dir, largest first:
 * [{ fn, where, ms, pct }], pct of busy (non-idle) time.
 */
export function summarizeCpuProfiles(dir, top = 15) {
  const self = new Map();
  let total = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const dt = p.timeDeltas;
    for (let i = 0; i < p.samples.length; i++) {
      const n = byId.get(p.samples[i]);
      const us = dt[i] ?? 0;
      const cf = n.callFrame;
      // Waiting for I/O is not work: percentages are of busy time.
      if (cf.functionName === '(idle)') continue;
      total += us;
      const url = cf.url ? cf.url.replace(/^file:\/\/.*?\/(node_modules|packages|bench)\//, '$1/') : '';
      const key = `${cf.functionName || '(anonymous)'}\t${url ? `${url}:${cf.lineNumber + 1}` : ''}`;
      self.set(key, (self.get(key) ?? 0) + us);
    }
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => {
      const [fn, where] = k.split('\t');
      return { fn, where, ms: Math.round(us / 1000), pct: Math.round((us / total) * 1000) / 10 };
    });
}

/** A progress line, only when stdout is a terminal. */
export function progress(text) {
  if (process.stdout.isTTY) process.stdout.write(`\r${text}\x1b[K`);
}
export function progressDone() {
  if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
}

/**
 * Inclusive (self + callees) time of the functions whose "name file:line"
 * matches `pattern`, from the .cpuprofile files in dir: [{ fn, ms, pct }],
 * pct of busy (non-idle) time.
 */
export function inclusiveCpuTimes(dir, pattern, top = 20) {
  const incl = new Map();
  let total = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    for (let i = 0; i < p.samples.length; i++) {
      const us = p.timeDeltas[i] ?? 0;
      if (byId.get(p.samples[i]).callFrame.functionName === '(idle)') continue;
      total += us;
      const seen = new Set();
      for (let cur = p.samples[i]; cur !== undefined; cur = parent.get(cur)) {
        const cf = byId.get(cur).callFrame;
        const key = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
        if (seen.has(key) || !pattern.test(key)) continue;
        seen.add(key);
        incl.set(key, (incl.get(key) ?? 0) + us);
      }
    }
  }
  return [...incl.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, ms: Math.round(us / 1000), pct: Math.round((us / total) * 1000) / 10 }));
}

/** Stops a child server process (SIGTERM: Apache's "stop now"; graceful would wait for keep-alive connections) and removes its temp folder. */
export function stopChild(child, dir) {
  return new Promise((done) => {
    const finish = () => {
      rmSync(dir, { recursive: true, force: true });
      done();
    };
    if (child.exitCode !== null) return finish();
    child.once('exit', finish);
    child.kill('SIGTERM');
  });
}

/** A small seeded generator (mulberry32): the same workload every round and every run. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The i-th address of a /8 (i < 2^24), as a string made now. */
export function ipv4(first, i) {
  return `${first}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}
