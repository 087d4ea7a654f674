#!/usr/bin/env node
/**
 * Two builds of the scanner over one tree in one process, in interleaved chunks of files: the CPU of
 * each, as a ratio. These machines are shared and their speed drifts by a tenth within minutes; runs
 * of bench/scan.mjs minutes apart could not tell a change of 5% from the drift, chunks a few hundred
 * milliseconds apart can (session 33).
 *
 *   node bench/scan-ab.mjs --base DIR [--tree DIR] [--ext .php] [--rounds 3] [--chunk 250]
 *
 * --base: a checkout of the build to compare with, built (`git worktree add DIR REV`, then
 * `npm install` there). This checkout's build is the other side. The tree defaults to Debian's
 * MediaWiki as bench/scan.mjs finds it. Every file is scanned once by each side first (rule sets
 * compiled, code optimised), then in chunks, the order of the sides alternating chunk by chunk.
 * CPU is process.cpuUsage (every thread of the process, as the OS counts it).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const { values } = parseArgs({ options: { base: { type: 'string' }, tree: { type: 'string' }, ext: { type: 'string', default: '' }, rounds: { type: 'string', default: '3' }, chunk: { type: 'string', default: '250' } } });
const entry = (root) => join(root, 'packages/host/dist/index.js');
if (!values.base || !existsSync(entry(values.base))) {
  console.error('--base DIR: a built checkout of the other side (packages/host/dist/index.js under it)');
  process.exit(1);
}
const tree = values.tree ?? [process.env.MAMORI_SCAN_TREES, '/var/cache/mamori-ci'].filter(Boolean).map((b) => join(b, 'mediawiki', 'usr/share/mediawiki')).find((p) => existsSync(p));
if (!tree) {
  console.error('no tree: give --tree DIR');
  process.exit(1);
}
const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
const base = await import(pathToFileURL(entry(resolve(values.base))).href);
const ours = await import(pathToFileURL(entry(here)).href);
const sides = [
  { name: 'base', scanner: base.createScanner({}), cpu: 0 },
  { name: 'this', scanner: ours.createScanner({}), cpu: 0 },
];
const files = sides[0].scanner.walk([tree]).files.filter((f) => f.endsWith(values.ext));
for (const f of files) for (const s of sides) s.scanner.scanFile(f);
const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const chunk = Number(values.chunk);
const rounds = Number(values.rounds);
for (let r = 0; r < rounds; r++) {
  for (let i = 0, k = 0; i < files.length; i += chunk, k++) {
    const part = files.slice(i, i + chunk);
    for (const s of (k + r) % 2 === 0 ? sides : [...sides].reverse()) {
      const t0 = cpu();
      for (const f of part) s.scanner.scanFile(f);
      s.cpu += cpu() - t0;
    }
  }
}
const [b, t] = sides;
console.log(`${files.length} files${values.ext ? ` (*${values.ext})` : ''} of ${tree}, ${rounds} rounds: base ${(b.cpu / 1e6).toFixed(2)} CPU s, this ${(t.cpu / 1e6).toFixed(2)} CPU s: this/base ${(t.cpu / b.cpu).toFixed(3)}`);
