/**
 * File integrity, macro: `mamori fim init`, a full `fim check` and a fast `fim check` of an
 * unchanged tree (--files files, --mb MiB in all, 50 a directory, most small and a few large),
 * against AIDE (Debian's `aide`, configured for the same attributes with SHA-256 as its only
 * hash) on the same tree in the same run. CPU is what the OS counts for each child process
 * (bash's `times`, user + system, every thread); files per second are per wall second.
 * Then: one directory of --big-dir/4 and of --big-dir entries (AIDE's cost grows with the
 * square of a directory's size; ours should grow with its size), --big-dir entries in one
 * directory against as many in directories of 50 (the same cost when it is linear), and the hashing's
 * throughput per core against `openssl speed -evp sha256` on this machine.
 *
 *   node bench/fim.mjs [--files 50000] [--mb 1024] [--big-dir 20000] [--rounds 1] [--quick] [--keep] [--tree DIR]
 *
 * --tree DIR: make the tree there once and use it again in later runs (it is not removed).
 * --rounds N: each measurement N times, mamori and AIDE interleaved, the median (default 1;
 * 3 with --quick). The full tree costs AIDE about 30 s a round.
 * --quick: 3000 files, 48 MiB, a directory of 4000: seconds, for a check that it runs.
 * Targets (issue 12 §4): init 3x AIDE, full check 4x, fast check 20x (CPU), linear cost in
 * directory size, hashing within 70% of openssl's SHA-256.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, median, num, printTable, verdictLine, writeResult } from './lib.mjs';

const { values: opt } = parseArgs({
  options: {
    files: { type: 'string', default: '50000' },
    mb: { type: 'string', default: '1024' },
    'big-dir': { type: 'string', default: '20000' },
    quick: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    tree: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const FILES = opt.quick ? 3000 : Number(opt.files);
const BYTES = (opt.quick ? 48 : Number(opt.mb)) * 1024 * 1024;
const BIG = opt.quick ? 4000 : Number(opt['big-dir']);
const ROUNDS = Number(opt.rounds ?? (opt.quick ? 3 : 1));
const BIN = join(BENCH_DIR, '..', 'packages', 'cli', 'dist', 'bin.js');
const AIDE = ['/usr/bin/aide', '/usr/sbin/aide'].find((p) => existsSync(p));
const work = mkdtempSync(join(tmpdir(), 'mamori-bench-fim-'));

/**
 * A tree: 50 files a directory, two levels. 90% of the files are 0-8 KiB; of what is left,
 * 9% of the files share 40% and 1% share 60% (a web root's few archives and images).
 */
function makeTree(root, files, bytes) {
  const pool = randomBytes(1 << 20);
  const small = Math.floor(files * 0.9);
  const large = Math.max(1, Math.floor(files * 0.01));
  const medium = files - small - large;
  const sizes = [];
  let left = bytes;
  for (let i = 0; i < small; i++) {
    sizes.push((i * 2654435761) % 8192);
    left -= sizes[i];
  }
  const share = (count, part, i) => Math.max(16, Math.floor((left * part) / count) + (((i * 7919) % 2001) - 1000) * 16);
  for (let i = 0; i < medium; i++) sizes.push(share(medium, 0.4, i));
  for (let i = 0; i < large; i++) sizes.push(share(large, 0.6, i));
  let total = 0;
  for (let i = 0; i < files; i++) {
    const dir = join(root, `d${Math.floor(i / 2500)}`, `e${Math.floor(i / 50)}`);
    if (i % 50 === 0) mkdirSync(dir, { recursive: true });
    const header = Buffer.from(`file ${i}\n`);
    const body = Buffer.alloc(Math.max(0, sizes[i] - header.length));
    for (let at = 0; at < body.length; at += pool.length) pool.copy(body, at, (i * 4099) % 4096, Math.min(pool.length, (i * 4099) % 4096 + body.length - at));
    const data = Buffer.concat([header, body]).subarray(0, Math.max(sizes[i], 0) || header.length);
    writeFileSync(join(dir, `f${i}.php`), data);
    total += data.length;
  }
  return total;
}

/** One directory of n small files. */
function makeFlat(root, n) {
  mkdirSync(root, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(root, `entry-${i}.txt`), `entry ${i}\n`);
}

/** The same n small files, 50 a directory. */
function makeNested(root, n) {
  for (let i = 0; i < n; i++) {
    const dir = join(root, `d${Math.floor(i / 50)}`);
    if (i % 50 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `entry-${i}.txt`), `entry ${i}\n`);
  }
}

/** Runs a command under bash and returns its children's CPU (user + system, s) and wall time. */
function timed(cmd, args, { cwd = work, okCodes = [0] } = {}) {
  return new Promise((resolve, reject) => {
    const log = join(work, 'last.log');
    const t0 = performance.now();
    const child = spawn('bash', ['-c', '"$@" >"$BENCH_LOG" 2>&1; rc=$?; times >&2; exit $rc', 'bash', cmd, ...args], { cwd, env: { ...process.env, BENCH_LOG: log }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const wall = (performance.now() - t0) / 1000;
      const lines = err.trim().split('\n');
      const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines.at(-1) ?? '');
      if (!okCodes.includes(code) || !m) {
        reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${readFileSync(log, 'utf8').slice(-2000)}`));
        return;
      }
      resolve({ cpu: Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]), wall });
    });
  });
}

function mamori(args, okCodes) {
  return timed(process.execPath, [BIN, 'fim', ...args, '--db', join(work, 'fim.db'), '--key', join(work, 'fim.key'), '--no-events'], { okCodes });
}

function aideConf(tree, name) {
  const conf = join(work, `${name}.conf`);
  writeFileSync(
    conf,
    [
      `database_in=file:${join(work, `${name}.db`)}`,
      `database_out=file:${join(work, `${name}.db.new`)}`,
      'gzip_dbout=no',
      'report_url=stdout',
      'FIM = p+i+n+u+g+s+m+c+l+ftype+sha256',
      `${tree} FIM`,
      '',
    ].join('\n'),
  );
  return conf;
}

async function aideInit(conf, name) {
  const r = await timed(AIDE, ['--init', `--config=${conf}`]);
  renameSync(join(work, `${name}.db.new`), join(work, `${name}.db`));
  return r;
}

/** Reads every file once so that every run finds the tree in the page cache. */
function warm(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) readFileSync(join(e.parentPath ?? e.path, e.name));
}

function opensslSha256() {
  const out = execFileSync('openssl', ['speed', '-seconds', opt.quick ? '1' : '3', '-evp', 'sha256'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const line = out.split('\n').find((l) => /^sha256\s/i.test(l.trim()));
  const cols = line.trim().split(/\s+/);
  return Number(cols.at(-1).replace(/k$/, '')) * 1000; // bytes per second, 16 KiB blocks
}

/**
 * Our hashing as `fim` runs it (open, fstat, 128 KiB reads, SHA-256), on this thread, in bytes per
 * CPU second: over the tree's files of 512 KiB and more (where the hash is the work), over all of
 * them (the cost of each open counts too), and createHash alone on 1 MiB buffers.
 */
async function ourHashing(tree) {
  const { hashFiles } = await import(join(BENCH_DIR, '..', 'packages', 'host', 'dist', 'fim', 'hasher.js'));
  const all = [];
  for (const e of readdirSync(tree, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath ?? e.path, e.name);
    const st = statSync(p, { bigint: true });
    all.push({ job: { path: p, dev: st.dev, ino: st.ino, keep: 0 }, size: Number(st.size) });
  }
  const rate = async (list) => {
    const c0 = process.cpuUsage();
    const res = await hashFiles(list.map((x) => x.job), list.map((x) => x.size), { threads: 0 });
    const c = process.cpuUsage(c0);
    return res.reduce((n, r) => n + (r.ok ? r.size : 0), 0) / ((c.user + c.system) / 1e6);
  };
  const large = await rate(all.filter((x) => x.size >= 512 << 10));
  const every = await rate(all);
  const big = Buffer.alloc(1 << 20, 7);
  const p0 = process.cpuUsage();
  for (let i = 0; i < 512; i++) createHash('sha256').update(big).digest();
  const p = process.cpuUsage(p0);
  return { large, all: every, memory: (512 << 20) / ((p.user + p.system) / 1e6) };
}

const rows = [];
const result = { files: FILES, bytes: 0, aide: AIDE ? execFileSync(AIDE, ['-v'], { encoding: 'utf8' }).split('\n')[0] : null };
try {
  const tree = opt.tree ?? join(work, 'tree');
  if (opt.tree && existsSync(join(tree, '.complete'))) {
    result.bytes = Number(readFileSync(join(tree, '.complete'), 'utf8'));
    console.log(`using the tree in ${tree}`);
  } else {
    process.stdout.write(`making a tree of ${num(FILES)} files, ${num(BYTES / 1048576)} MiB in ${tree} ... `);
    rmSync(tree, { recursive: true, force: true });
    result.bytes = makeTree(tree, FILES, BYTES);
    writeFileSync(join(tree, '.complete'), String(result.bytes));
    console.log('done');
  }
  warm(tree);
  const n = FILES + Math.ceil(FILES / 50) + Math.ceil(FILES / 2500) + 2; // files, directories, the root, .complete
  const m = {};
  // What every mamori run pays before it looks at a file: Node, mamori's modules, the database.
  m.startup = await timed(process.execPath, [BIN, 'fim', 'list', '--db', join(work, 'startup.db'), '--key', join(work, 'fim.key')]);
  // Rounds interleaved (mamori first in odd rounds, AIDE first in even ones); the median of each.
  const runs = { init: [], full: [], fast: [] };
  const peer = { init: [], full: [] };
  const conf = AIDE ? aideConf(tree, 'aide') : undefined;
  if (!AIDE) console.log('# skipping AIDE: not installed (apt-get install -y aide)');
  for (let round = 0; round < ROUNDS; round++) {
    const ours = async () => {
      runs.init.push(await mamori(['init', tree, '--force']));
      runs.full.push(await mamori(['check', '--full']));
      runs.fast.push(await mamori(['check', '--fast']));
    };
    const theirs = async () => {
      if (!AIDE) return;
      peer.init.push(await aideInit(conf, 'aide'));
      peer.full.push(await timed(AIDE, ['--check', `--config=${conf}`]));
    };
    if (round % 2 === 0) {
      await ours();
      await theirs();
    } else {
      await theirs();
      await ours();
    }
  }
  const mid = (list) => ({ cpu: median(list.map((x) => x.cpu)), wall: median(list.map((x) => x.wall)) });
  m.init = mid(runs.init);
  m.full = mid(runs.full);
  m.fast = mid(runs.fast);
  const a = AIDE ? { init: mid(peer.init), full: mid(peer.full) } : {};
  const line = (what, ours, peer, target) => {
    rows.push([what, 'mamori', num(ours.cpu, 2), num(ours.wall, 2), num(n / ours.wall), peer ? `${num(peer.cpu / ours.cpu, 1)}x` : '-', target]);
    if (peer) rows.push(['', 'AIDE', num(peer.cpu, 2), num(peer.wall, 2), num(n / peer.wall), '', '']);
  };
  line('init', m.init, a.init, '3x');
  line('check, full', m.full, a.full, '4x');
  line('check, fast', m.fast, a.full, '20x (AIDE: its only check)');
  console.log(`\n${num(n)} paths, ${num(result.bytes / 1048576)} MiB; CPU seconds (user + system, all threads), paths per wall second`);
  printTable(['', 'tool', 'CPU s', 'wall s', 'paths/s', 'AIDE CPU / ours', 'target'], rows);
  if (ROUNDS > 1) console.log(`medians of ${ROUNDS} rounds`);
  console.log(`each mamori run includes ${num(m.startup.cpu, 2)} s CPU of start-up (\`mamori fim list\`: Node, mamori's modules, the database)`);
  result.mamori = m;
  result.aide_runs = a;
  if (AIDE) {
    verdictLine(a.init.cpu / m.init.cpu >= 3, 'init at least 3x AIDE (CPU)', `${num(a.init.cpu / m.init.cpu, 1)}x`);
    verdictLine(a.full.cpu / m.full.cpu >= 4, 'full check at least 4x AIDE (CPU)', `${num(a.full.cpu / m.full.cpu, 1)}x`);
    verdictLine(a.full.cpu / m.fast.cpu >= 20, 'fast check at least 20x AIDE (CPU)', `${num(a.full.cpu / m.fast.cpu, 1)}x`);
  }

  // One large directory, at two sizes.
  const flat = {};
  for (const size of [BIG / 4, BIG]) {
    const dir = join(work, `flat-${size}`);
    makeFlat(dir, size);
    const ours = await timed(process.execPath, [BIN, 'fim', 'init', dir, '--name', `flat-${size}`, '--db', join(work, 'flat.db'), '--key', join(work, 'fim.key'), '--no-events']);
    const peer = AIDE ? await aideInit(aideConf(dir, `flat-${size}`), `flat-${size}`) : undefined;
    flat[size] = { mamori: ours.cpu, aide: peer?.cpu };
  }
  const [s1, s2] = [BIG / 4, BIG];
  console.log(`\none directory: init CPU s at ${num(s1)} and ${num(s2)} entries (4x the entries: linear cost is 4x, quadratic 16x)`);
  printTable(['tool', `${num(s1)} entries`, `${num(s2)} entries`, 'growth'], [
    ['mamori', num(flat[s1].mamori, 2), num(flat[s2].mamori, 2), `${num(flat[s2].mamori / flat[s1].mamori, 1)}x`],
    ...(AIDE ? [['AIDE', num(flat[s1].aide, 2), num(flat[s2].aide, 2), `${num(flat[s2].aide / flat[s1].aide, 1)}x`]] : []),
  ]);
  // Start-up is a fixed cost in both runs: the growth of what is left is the walk's.
  const startup = m.startup.cpu;
  const growth = (flat[s2].mamori - startup) / Math.max(0.001, flat[s1].mamori - startup);
  verdictLine(growth < 6, 'linear cost in directory size', `${num(growth, 1)}x the CPU for 4x the entries, after ${num(startup, 2)} s of start-up`);
  result.flat = flat;

  // The same number of files in one directory and in directories of 50: linear cost means the
  // one directory costs about what the nested tree does.
  const nestedDir = join(work, `nested-${BIG}`);
  makeNested(nestedDir, BIG);
  const nestedOurs = await timed(process.execPath, [BIN, 'fim', 'init', nestedDir, '--name', `nested-${BIG}`, '--db', join(work, 'flat.db'), '--key', join(work, 'fim.key'), '--no-events']);
  const nestedPeer = AIDE ? await aideInit(aideConf(nestedDir, `nested-${BIG}`), `nested-${BIG}`) : undefined;
  const nested = { mamori: nestedOurs.cpu, aide: nestedPeer?.cpu };
  console.log(`\n${num(BIG)} files: init CPU s in one directory and in directories of 50`);
  printTable(['tool', 'one directory', 'nested', 'one / nested'], [
    ['mamori', num(flat[s2].mamori, 2), num(nested.mamori, 2), `${num(flat[s2].mamori / nested.mamori, 2)}x`],
    ...(AIDE ? [['AIDE', num(flat[s2].aide, 2), num(nested.aide, 2), `${num(flat[s2].aide / nested.aide, 1)}x`]] : []),
  ]);
  verdictLine(flat[s2].mamori / nested.mamori < 1.5, 'one directory costs what a nested tree of as many files does', `${num(flat[s2].mamori / nested.mamori, 2)}x`);
  result.nested = nested;

  const ssl = opensslSha256();
  const ours = await ourHashing(tree);
  console.log(`\nSHA-256, MB per CPU second: openssl speed -evp sha256 (16 KiB blocks) ${num(ssl / 1e6)}; Node's createHash on 1 MiB buffers ${num(ours.memory / 1e6)}; fim's hashing (open, fstat, read, hash) of the files of 512 KiB and more ${num(ours.large / 1e6)}, of every file ${num(ours.all / 1e6)}`);
  verdictLine(ours.large >= 0.7 * ssl, 'hashing within 70% of openssl', `${num((100 * ours.large) / ssl)}% on files of 512 KiB and more; ${num((100 * ours.all) / ssl)}% over every file, small ones included`);
  result.sha256 = { openssl: ssl, createHash: ours.memory, fimLarge: ours.large, fimAll: ours.all };
  writeResult(opt.quick ? 'fim-quick' : 'fim', result);
} finally {
  if (!opt.keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
