#!/usr/bin/env node
// CPU of phpTagPast (the look for PHP past the scanned part) on 64 MiB of a pattern, fed in 1 MiB
// parts as hashFrom feeds it, against sha256 of the same bytes. Usage: node taglook-cost.mjs [PATTERN] [MiB]
import { createHash } from 'node:crypto';
import { phpTagPast } from '../../../packages/host/dist/scan/scanner.js';
const pattern = process.argv[2] ?? '<?';
const mib = Number(process.argv[3] ?? 64);
const chunk = Buffer.alloc(1 << 20, pattern);
let t = process.cpuUsage();
const h = createHash('sha256');
for (let i = 0; i < mib; i++) h.update(chunk);
h.digest();
const hashUs = process.cpuUsage(t).user;
t = process.cpuUsage();
const p = phpTagPast(0);
for (let i = 0; i < mib; i++) p.feed(chunk, i << 20);
p.end();
const lookUs = process.cpuUsage(t).user;
console.log(JSON.stringify({ pattern: pattern.slice(0, 24), mib, sha256_cpu_s: hashUs / 1e6, taglook_cpu_s: lookUs / 1e6, per_GiB_s: (lookUs / 1e6) * (1024 / mib), at: p.at, windows: p.windows.length, overflow: p.overflow }));
