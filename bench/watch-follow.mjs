#!/usr/bin/env node
/**
 * How fast `mamori watch` follows a file: a writer process appends lines at a set rate
 * (default 50,000 a second for 5 s, in 1 ms steps), each stamped with its write time; the
 * follower (FileSource, fs.watch plus polling) counts every line and measures the time from
 * write to delivery. The peer figure is `tail -F` reading the same file.
 *
 *   node bench/watch-follow.mjs [--rate 50000] [--seconds 5]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../packages/detect/dist/index.js';
import { num } from './lib.mjs';

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

const dir = mkdtempSync(join(tmpdir(), 'watch-follow-'));
const a = join(dir, 'ours.log');
writeFileSync(a, '');
const r = await ours(a);
console.log(`mamori FileSource: ${num(r.count)} of ${num(N)} lines at ${num(RATE)}/s, ${r.disorder} out of order, ${num(r.counters.bytes / 1048576, 1)} MiB; write-to-delivery ${quantiles(r.lat)}`);
const b = join(dir, 'tail.log');
writeFileSync(b, '');
const t = await tailF(b);
console.log(`peer tail -F:      ${num(t.count)} of ${num(N)} lines; write-to-read ${quantiles(t.lat)}`);
