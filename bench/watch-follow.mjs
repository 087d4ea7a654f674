#!/usr/bin/env node
/**
 * How fast `mamori watch` follows a file: a writer process appends lines at a set rate
 * (default 50,000 a second for 5 s, in 1 ms steps), each stamped with its write time; the
 * follower (FileSource, fs.watch plus polling) counts every line and measures the time from
 * write to delivery. The peer figure is `tail -F` reading the same file.
 *
 * Then the whole of `mamori watch` (the CLI, as users run it: parsers, every built-in scenario,
 * alerts.db, decisions) follows an nginx access log written at the same rate, into which a new
 * source probes for `.env` twice every half second (the built-in sensitive-file-probe fires on
 * the second); the time from that second line's write to its alert's row in alerts.db, which
 * this process polls every 2 ms, is the write-to-alert latency. Every probe must give its
 * alert, the last one written in the final milliseconds too.
 *
 *   node bench/watch-follow.mjs [--rate 50000] [--seconds 5] [--skip-source]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../packages/detect/dist/index.js';
import { num } from './lib.mjs';
import Database from 'better-sqlite3';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const RATE = arg('rate', 50_000);
const SECONDS = arg('seconds', 5);
const N = RATE * SECONDS;
const now = () => performance.timeOrigin + performance.now();

const WRITER = `
import { openSync, writeSync } from 'node:fs';
const [path, rate, n] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const fd = openSync(path, 'a');
const t0 = performance.timeOrigin + performance.now();
let written = 0;
function step() {
  const t = performance.timeOrigin + performance.now();
  const due = Math.min(n, Math.floor(((t - t0) / 1000) * rate));
  let s = '';
  for (; written < due; ) s += 'line ' + (++written) + ' ' + t.toFixed(3) + ' 203.0.113.9 - - "GET /index.html HTTP/1.1" 200 512\\n';
  if (s) writeSync(fd, s);
  if (written < n) setTimeout(step, 1);
}
step();
`;

function quantiles(xs) {
  xs.sort((a, b) => a - b);
  const q = (p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(1);
  return `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`;
}

async function ours(path) {
  const lat = [];
  let count = 0;
  let expect = 1;
  let disorder = 0;
  const s = new FileSource({ path, startAt: 'start', pollMs: 250 });
  let resolveAll;
  const all = new Promise((r) => (resolveAll = r));
  await s.start((batch) => {
    const t = now();
    for (const l of batch) {
      const parts = l.text.split(' ', 3);
      const i = Number(parts[1]);
      if (i !== expect) disorder++;
      expect = i + 1;
      lat.push(t - Number(parts[2]));
    }
    count += batch.length;
    if (count >= N) resolveAll();
  });
  const t0 = now();
  const w = spawn(process.execPath, ['--input-type=module', '-e', WRITER, path, String(RATE), String(N)], { stdio: 'inherit' });
  await all;
  const secs = (now() - t0) / 1000;
  await s.stop();
  await new Promise((r) => (w.exitCode !== null ? r() : w.once('exit', r)));
  return { count, disorder, lat, secs, counters: s.counters };
}

async function tailF(path) {
  const lat = [];
  let count = 0;
  let rest = '';
  const t = spawn('tail', ['-F', '-n', '+1', path], { stdio: ['ignore', 'pipe', 'ignore'] });
  const done = new Promise((resolve) => {
    t.stdout.on('data', (c) => {
      const at = now();
      const lines = (rest + c.toString()).split('\n');
      rest = lines.pop();
      for (const l of lines) {
        const p = l.split(' ', 3);
        lat.push(at - Number(p[2]));
      }
      count += lines.length;
      if (count >= N) resolve();
    });
  });
  const w = spawn(process.execPath, ['--input-type=module', '-e', WRITER, path, String(RATE), String(N)], { stdio: 'inherit' });
  await done;
  t.kill();
  await new Promise((r) => (w.exitCode !== null ? r() : w.once('exit', r)));
  return { count, lat };
}

// The access-log writer: benign lines at the rate, and every half second two probes from a new
// source; prints each probe's write time (of its second line) as JSON lines on stdout.
const ACCESS_WRITER = `
import { openSync, writeSync } from 'node:fs';
const [path, rate, n] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const fd = openSync(path, 'a');
const t0 = performance.timeOrigin + performance.now();
const pad = (x) => String(x).padStart(2, '0');
const stamp = (ms) => { const d = new Date(ms); return pad(d.getUTCDate()) + '/' + ['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'][d.getUTCMonth()] + '/' + d.getUTCFullYear() + ':' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds()) + ' +0000'; };
let written = 0;
let probes = 0;
function step() {
  const t = performance.timeOrigin + performance.now();
  const due = Math.min(n, Math.floor(((t - t0) / 1000) * rate));
  const ts = stamp(Date.now());
  let s = '';
  for (; written < due; written++) s += '10.' + ((written >> 16) & 255) + '.' + ((written >> 8) & 255) + '.' + (written & 255) + ' - - [' + ts + '] "GET /products/' + (written % 500) + ' HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64)"\\n';
  const final = written >= n;
  let probe;
  if (probes < Math.floor((t - t0) / 500) || final) {
    const ip = '198.51.100.' + (++probes);
    s += ip + ' - - [' + ts + '] "GET /.env HTTP/1.1" 404 12 "-" "curl/8.0"\\n' + ip + ' - - [' + ts + '] "GET /.git/config HTTP/1.1" 404 12 "-" "curl/8.0"\\n';
    probe = ip;
  }
  if (s) writeSync(fd, s);
  if (probe) process.stdout.write(JSON.stringify({ ip: probe, at: performance.timeOrigin + performance.now(), last: final }) + '\\n');
  if (!final) setTimeout(step, 1);
}
step();
`;

async function watchAlerts(dir) {
  const log = join(dir, 'access.log');
  writeFileSync(log, '');
  const config = join(dir, 'mamori.yaml');
  writeFileSync(config, `data_dir: ${JSON.stringify(join(dir, 'data'))}\nwatch:\n  inputs:\n    - file: ${JSON.stringify(log)}\n      start_at: start\n`);
  const bin = new URL('../packages/cli/bin/mamori.js', import.meta.url).pathname;
  const env = { ...process.env, MAMORI_SECRET: 'watch-follow-bench-secret-0123456789' };
  const w = spawn(process.execPath, [bin, 'watch', '--config', config, '--status-every', '0'], { env, stdio: ['ignore', 'inherit', 'pipe'] });
  let said = '';
  w.stderr.on('data', (c) => (said += c.toString()));
  await new Promise((resolve, reject) => {
    w.stderr.once('data', resolve);
    w.once('exit', (c) => reject(new Error(`mamori watch exited (${c}) before it started`)));
  });
  const dbPath = join(dir, 'data', 'alerts.db');
  for (let i = 0; i < 500 && !existsSync(dbPath); i++) await new Promise((r) => setTimeout(r, 10));
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const seen = new Map();
  const written = new Map();
  let last;
  const q = db.prepare("SELECT source_ip FROM alerts WHERE detector = 'sensitive-file-probe'");
  const poll = setInterval(() => {
    let rows;
    try {
      rows = q.all();
    } catch {
      return; // the table is being created
    }
    const at = now();
    for (const r of rows) if (!seen.has(r.source_ip)) seen.set(r.source_ip, at);
  }, 2);
  const t0 = now();
  const writer = spawn(process.execPath, ['--input-type=module', '-e', ACCESS_WRITER, log, String(RATE), String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let rest = '';
  writer.stdout.on('data', (c) => {
    const lines = (rest + c.toString()).split('\n');
    rest = lines.pop();
    for (const l of lines) {
      const p = JSON.parse(l);
      written.set(p.ip, p.at);
      if (p.last) last = p.ip;
    }
  });
  await new Promise((r) => writer.once('exit', r));
  const writeSecs = (now() - t0) / 1000;
  // up to 10 s for the last probe's alert
  for (let i = 0; i < 5000 && !(last && seen.has(last)); i++) await new Promise((r) => setTimeout(r, 2));
  clearInterval(poll);
  db.close();
  w.kill('SIGTERM');
  const code = await new Promise((r) => (w.exitCode !== null ? r(w.exitCode) : w.once('exit', (c) => r(c))));
  if (process.argv.includes('--verbose')) process.stderr.write(said);
  const lat = [];
  for (const [ip, at] of written) if (seen.has(ip)) lat.push(seen.get(ip) - at);
  return { probes: written.size, alerted: lat.length, lastAlerted: last !== undefined && seen.has(last), lat, writeSecs, code };
}

const dir = mkdtempSync(join(tmpdir(), 'watch-follow-'));
if (!process.argv.includes('--skip-source')) {
  const a = join(dir, 'ours.log');
  writeFileSync(a, '');
  const r = await ours(a);
  console.log(`mamori FileSource: ${num(r.count)} of ${num(N)} lines at ${num(RATE)}/s, ${r.disorder} out of order, ${num(r.counters.bytes / 1048576, 1)} MiB; write-to-delivery ${quantiles(r.lat)}`);
  const b = join(dir, 'tail.log');
  writeFileSync(b, '');
  const t = await tailF(b);
  console.log(`peer tail -F:      ${num(t.count)} of ${num(N)} lines; write-to-read ${quantiles(t.lat)}`);
}
const wa = await watchAlerts(dir);
console.log(
  `mamori watch (CLI, every built-in scenario): ${num(N)} access-log lines at ${num(RATE)}/s written in ${wa.writeSecs.toFixed(1)} s; ` +
    `${wa.alerted} of ${wa.probes} probes alerted (the last, written at the end: ${wa.lastAlerted ? 'alerted' : 'MISSING'}); ` +
    `write-to-alert ${wa.lat.length ? quantiles(wa.lat) : 'n/a'}; exit ${wa.code} on SIGTERM`,
);
