#!/usr/bin/env node
/**
 * mamori scan against Debian's YARA, same rules, same tree, same run.
 *
 *   node bench/scan.mjs [--tree DIR] [--rules FILE...] [--synthetic N] [--rounds 3] [--threads N]
 *
 * The tree defaults to Debian's MediaWiki (the package, unpacked with dpkg-deb -x,
 * found under MAMORI_SCAN_TREES/mediawiki or /var/cache/mamori-ci/mediawiki, else
 * fetched with apt-get download into a temp directory). The rules are mamori's own
 * (written out as one .yar file for YARA) plus any --rules files, given to both.
 * Every side runs as a child process under GNU time: CPU (user + sys, as the OS
 * counts it, every thread and child) and peak RSS. `mamori scan` is the command users run
 * (`node packages/cli/dist/bin.js scan --json TREE`: its per-file time bound, which scans files
 * over 1 MB in a child process of its own, and its output); `library` is `createScanner().scanFile`
 * in a process of its own (what an application embedding @mamori/host runs). Both run the whole
 * scan (YARA-X, the deobfuscator and the PHP flow pass, hashing, verdicts); YARA only matches.
 * Rounds rotate the order of the sides; medians are printed. The targets are judged on `mamori scan`.
 * `--synthetic N` adds N generated rules (three strings each: text, regex, hex; seeded, so
 * every run has the same), to see how both engines scale with the size of a rule set.
 * Targets (issue 12, §4): at least 3,000 files per CPU-second, under 200 MB.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { median, num, printTable, verdictLine, writeResult } from './lib.mjs';

const { values } = parseArgs({
  options: {
    tree: { type: 'string' },
    rules: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string' },
    synthetic: { type: 'string' },
    worker: { type: 'boolean' },
  },
});

if (values.worker) {
  // The mamori side, in a process of its own: scan the tree, print one JSON line.
  const { createScanner } = await import('@mamori/host');
  const scanner = createScanner({ rules: values.rules ?? [] });
  const { files } = scanner.walk([values.tree]);
  const counts = { clean: 0, suspicious: 0, malicious: 0 };
  let bytes = 0;
  let matched = 0;
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    const r = scanner.scanFile(f);
    counts[r.verdict]++;
    bytes += r.size;
    if (r.findings.some((x) => x.source !== 'mamori')) matched++;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ files: files.length, bytes, wall, counts, matched, problems: scanner.problems.length })}\n`);
  process.exit(0);
}

const SELF = fileURLToPath(import.meta.url);
const rounds = Math.max(1, Number(values.rounds));

function findTree() {
  if (values.tree) return values.tree;
  for (const base of [process.env.MAMORI_SCAN_TREES, '/var/cache/mamori-ci'].filter(Boolean)) {
    const p = join(base, 'mediawiki', 'usr/share/mediawiki');
    if (existsSync(p)) return p;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-scan-'));
  console.log(`fetching Debian's mediawiki into ${dir} (apt-get download, dpkg-deb -x)`);
  execFileSync('apt-get', ['download', 'mediawiki'], { cwd: dir, stdio: 'inherit' });
  const deb = readdirSync(dir).find((n) => n.startsWith('mediawiki_') && n.endsWith('.deb'));
  if (!deb) throw new Error('apt-get download mediawiki gave no .deb');
  execFileSync('dpkg-deb', ['-x', join(dir, deb), join(dir, 'tree')]);
  return join(dir, 'tree', 'usr/share/mediawiki');
}

for (const tool of ['/usr/bin/time', 'yara']) {
  const r = spawnSync(tool === 'yara' ? 'yara' : tool, ['--version'], { encoding: 'utf8' });
  if (r.error) {
    console.error(`${tool} is missing: apt-get install -y ${tool === 'yara' ? 'yara' : 'time'}`);
    process.exit(1);
  }
}
const yaraVersion = spawnSync('yara', ['--version'], { encoding: 'utf8' }).stdout.trim();
const tree = findTree();

// The same rules for both: ours, written out, and the user's.
const { BUILTIN_RULES } = await import('../packages/host/dist/scan/rules/index.js');
const work = mkdtempSync(join(tmpdir(), 'mamori-bench-scan-rules-'));
const ours = join(work, 'mamori.yar');
writeFileSync(ours, BUILTIN_RULES.map((r) => r.source).join('\n'));
const extra = [...(values.rules ?? [])];
if (values.synthetic) {
  // A seeded generator (xorshift32): the same rules on every run.
  let seed = 0x9e3779b9;
  const next = () => {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed;
  };
  const hex = (n) => Array.from({ length: n }, () => (next() & 255).toString(16).padStart(2, '0')).join('');
  const lines = [];
  for (let i = 0; i < Number(values.synthetic); i++) {
    lines.push(`rule synthetic_${i} { meta: description = "generated rule ${i}" strings: $a = "${hex(6)}" nocase $b = /${hex(5)}[a-z]{2,8}\\(/ $c = { ${hex(5).match(/../g).join(' ')} } condition: 2 of them }`);
  }
  const file = join(work, 'synthetic.yar');
  writeFileSync(file, `${lines.join('\n')}\n`);
  extra.push(file);
}

// Files and bytes as both sides see them (regular files, symlinks not followed).
let files = 0;
let bytes = 0;
(function walk(d) {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    const st = lstatSync(p);
    if (st.isDirectory()) walk(p);
    else if (st.isFile()) {
      files++;
      bytes += st.size;
    }
  }
})(tree);
console.log(`tree: ${tree}: ${num(files)} files, ${num(bytes / 1e6, 1)} MB; rules: mamori's ${BUILTIN_RULES.length} files${extra.length ? ` + ${extra.join(', ')}` : ''}${values.synthetic ? ` (${values.synthetic} generated rules)` : ''}; ${yaraVersion === '' ? 'yara' : `YARA ${yaraVersion}`}`);

/** Runs argv under GNU time: { cpu (s), maxRssMB, wall, stdout }. */
function timed(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'MAMORI-TIME %U %S %M', ...argv], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /MAMORI-TIME ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (!m || (r.status !== 0 && r.status !== 1)) throw new Error(`${argv[0]} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { cpu: Number(m[1]) + Number(m[2]), maxRssMB: (Number(m[3]) * 1024) / 1e6, wall, stdout: r.stdout };
}

const defines = ['filename', 'filepath', 'extension', 'filetype'].flatMap((k) => ['-d', `${k}=`]);
const yaraArgs = ['yara', '-r', '-w', ...(values.threads ? ['-p', values.threads] : []), ...defines, ours, ...extra, tree];
if (extra.length > 0) {
  // yara takes several rule files as [namespace:]file before the target.
  yaraArgs.splice(yaraArgs.indexOf(ours), 1 + extra.length, ...[ours, ...extra].map((f, i) => `ns${i}:${f}`));
}
const mamoriArgs = [process.execPath, SELF, '--worker', '--tree', tree, ...extra.flatMap((r) => ['--rules', r])];
const CLI = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const cliArgs = [process.execPath, CLI, 'scan', '--json', ...extra.flatMap((r) => ['--rules', r]), tree];

const runs = { mamori: [], yara: [], library: [] };
let mamoriOut;
let cliSummary;
let yaraMatched = 0;
const SIDES = ['mamori', 'yara', 'library'];
for (let i = 0; i < rounds; i++) {
  const order = [...SIDES.slice(i % 3), ...SIDES.slice(0, i % 3)];
  if (i % 2 === 1) order.reverse();
  for (const side of order) {
    process.stderr.write(`round ${i + 1}/${rounds}: ${side}...\n`);
    if (side === 'library') {
      const r = timed(mamoriArgs);
      mamoriOut = JSON.parse(r.stdout.trim().split('\n').pop());
      runs.library.push(r);
    } else if (side === 'mamori') {
      const r = timed(cliArgs);
      cliSummary = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((o) => o.type === 'summary');
      runs.mamori.push(r);
    } else {
      const r = timed(yaraArgs);
      yaraMatched = new Set(r.stdout.split('\n').filter(Boolean).map((l) => l.slice(l.indexOf(' ') + 1))).size;
      runs.yara.push(r);
    }
  }
}

const med = (side, k) => median(runs[side].map((r) => r[k]));
const row = (side) => {
  const cpu = med(side, 'cpu');
  return [side === 'mamori' ? 'mamori scan' : side === 'library' ? '(library, scanFile)' : `yara ${yaraVersion}`, num(cpu, 2), num(files / cpu), num(bytes / 1e6 / cpu, 1), num(med(side, 'wall'), 2), num(med(side, 'maxRssMB'), 0)];
};
printTable(['', 'CPU s', 'files/CPU-s', 'MB/CPU-s', 'wall s', 'peak RSS MB'], [row('mamori'), row('yara'), row('library')]);
const mCpu = med('mamori', 'cpu');
const yCpu = med('yara', 'cpu');
console.log(`ratio: mamori uses ${num(mCpu / yCpu, 2)}x YARA's CPU and ${num(med('mamori', 'maxRssMB') / med('yara', 'maxRssMB'), 2)}x its memory`);
console.log(`verdicts (mamori scan): ${num(cliSummary.malicious)} malicious, ${num(cliSummary.suspicious)} suspicious, ${num(cliSummary.clean)} clean of ${num(cliSummary.files)}; (library): ${num(mamoriOut.counts.malicious)} malicious, ${num(mamoriOut.counts.suspicious)} suspicious, ${num(mamoriOut.counts.clean)} clean; files any YARA rule matched: yara ${num(yaraMatched)}, mamori ${num(mamoriOut.matched)} (mamori drops matches inside PHP comments, and sets filename/extension per file)`);
const fps = files / mCpu;
verdictLine(fps >= 3000, 'at least 3,000 files per CPU-second', `${num(fps)}`);
verdictLine(med('mamori', 'maxRssMB') < 200, 'under 200 MB of memory', `${num(med('mamori', 'maxRssMB'), 0)} MB peak RSS`);
writeResult('scan', { tree, files, bytes, rounds, yara: yaraVersion, runs, mamori: cliSummary, library: mamoriOut, yaraMatched });
