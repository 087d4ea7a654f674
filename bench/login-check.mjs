/**
 * Login protection, micro: `check` + `report(failure)` per login attempt,
 * mamori's LoginGuard on the in-memory store versus rate-limiter-flexible's
 * documented login-protection pattern (two RateLimiterMemory limiters:
 * consecutive fails by username+IP, fails by IP per day; `get` both before,
 * `consume` both on failure).
 *
 * Workload, the same for both: N distinct (user, IP) pairs, each one attempt
 * (a check, then a failed report). Attempts per second: median of interleaved
 * rounds, each round on a fresh instance. Memory per pair: heap (plus
 * ArrayBuffers) after inserting --mem-pairs pairs, minus the baseline, in a
 * fresh child process per side.
 *
 *   node bench/login-check.mjs [--pairs 100000] [--rounds 15] [--mem-pairs 200000] [--load 0.5] [--password] [--profile]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BYTES_PER_SLOT, DEFAULT_GROUPING, LOGIN_DEFAULTS, LoginGuard, MemoryStore, cryptoRandom, systemClock } from 'mamori/internal';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ensureExposeGc, liveMemory, median, num, printTable, RESULTS_DIR, runJsonChild, runNode, settle, summarizeCpuProfiles, verdictLine, writeResult } from './lib.mjs';

if (await ensureExposeGc(import.meta.url)) process.exit();

const { values: opt } = parseArgs({
  options: {
    pairs: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '15' },
    'mem-pairs': { type: 'string', default: '200000' },
    load: { type: 'string', default: '0.5' },
    password: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});
const PAIRS = Number(opt.pairs);
const ROUNDS = Number(opt.rounds);
const MEM_PAIRS = Number(opt['mem-pairs']);
const LOAD = Number(opt.load);
const WITH_PASSWORD = opt.password;

/**
 * Counter-table slots one failing (user, IP) pair occupies in mamori: the
 * (user, source) count, the account count, the source's distinct-user count
 * and its member marker; with a password, the spray count and its member.
 * Plus a few shared site-wide counters.
 */
const SLOTS_PER_PAIR = WITH_PASSWORD ? 6 : 4;
const SHARED_SLOTS = 16;

/** Bytes for a table at the given load for `pairs` pairs (0.5: about 0.2% of inserts displace a count-1 entry, a pair and its marker sharing a window). */
function tableBytesFor(pairs) {
  return Math.ceil((pairs * SLOTS_PER_PAIR + SHARED_SLOTS) / LOAD) * BYTES_PER_SLOT;
}

function workload(n, salt) {
  const users = new Array(n);
  const ips = new Array(n);
  for (let i = 0; i < n; i++) {
    users[i] = `user${salt}-${i}@example.com`;
    // Distinct IPv4 addresses from 11.0.0.0 up.
    const a = 11 * 2 ** 24 + i;
    ips[i] = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
  return { users, ips, password: 'Winter2026!' };
}

function makeMamori(pairs) {
  const store = new MemoryStore({ maxCounterBytes: tableBytesFor(pairs) });
  // The site-wide signal would challenge this flood of failures after 300 a minute (that is its
  // job); it is raised here so that every attempt takes the full check + failed-report path, as
  // every attempt does on the peer's side. The other detectors run at their defaults.
  const guard = new LoginGuard({ ...LOGIN_DEFAULTS, site: { ...LOGIN_DEFAULTS.site, challengeAboveFailures: 1e9 } }, {
    store,
    clock: systemClock,
    random: cryptoRandom,
    secret: randomBytes(32),
    events: { emit() {} },
    grouping: DEFAULT_GROUPING,
  });
  return {
    store,
    async run(w, n) {
      const { users, ips } = w;
      // A different password per attempt: one password across 100k accounts is spraying, and is challenged.
      const password = WITH_PASSWORD ? w.password : undefined;
      for (let i = 0; i < n; i++) {
        const a = { ip: ips[i], username: users[i], password: password && `${password}-${i}` };
        const v = await guard.check(a);
        if (v.action !== 'allow') throw new Error(`unexpected ${v.action} (${v.ruleId}): every pair is distinct`);
        await guard.report(a, false);
      }
    },
    cleanup() {},
  };
}

// rate-limiter-flexible's wiki ("Login endpoint protection"): 100 fails per IP per day;
// 10 consecutive fails per username+IP, counted for 90 days. RateLimiterMemory keeps one
// setTimeout per key and Node clamps delays above 2^31-1 ms (24.8 days) to 1 ms, so the
// wiki's 90 days would drop every count at once: 24 days is the longest that works here.
const MAX_FAILS_BY_IP_PER_DAY = 100;
const MAX_CONSECUTIVE_FAILS = 10;

function makeRlf() {
  const limiterSlowBruteByIP = new RateLimiterMemory({ keyPrefix: 'login_fail_ip_per_day', points: MAX_FAILS_BY_IP_PER_DAY, duration: 60 * 60 * 24, blockDuration: 60 * 60 * 24 });
  const limiterConsecutiveFailsByUsernameAndIP = new RateLimiterMemory({
    keyPrefix: 'login_fail_consecutive_username_and_ip',
    points: MAX_CONSECUTIVE_FAILS,
    duration: 60 * 60 * 24 * 24,
    blockDuration: 60 * 60,
  });
  return {
    limiters: [limiterSlowBruteByIP, limiterConsecutiveFailsByUsernameAndIP],
    async run(w, n) {
      const { users, ips } = w;
      for (let i = 0; i < n; i++) {
        const ip = ips[i];
        const key = `${users[i]}_${ip}`;
        const [resUsernameAndIP, resSlowByIP] = await Promise.all([limiterConsecutiveFailsByUsernameAndIP.get(key), limiterSlowBruteByIP.get(ip)]);
        const blocked =
          (resSlowByIP !== null && resSlowByIP.consumedPoints > MAX_FAILS_BY_IP_PER_DAY) ||
          (resUsernameAndIP !== null && resUsernameAndIP.consumedPoints > MAX_CONSECUTIVE_FAILS);
        if (blocked) throw new Error('unexpected block: every pair is distinct');
        try {
          await Promise.all([limiterSlowBruteByIP.consume(ip), limiterConsecutiveFailsByUsernameAndIP.consume(key)]);
        } catch (rejected) {
          if (rejected instanceof Error) throw rejected;
        }
      }
    },
    /** Clears the per-key timers, so a finished round's records can be collected. */
    async cleanup(w, n) {
      for (let i = 0; i < n; i++) {
        await limiterSlowBruteByIP.delete(w.ips[i]);
        await limiterConsecutiveFailsByUsernameAndIP.delete(`${w.users[i]}_${w.ips[i]}`);
      }
    },
  };
}

/**
 * The first instance of each side, kept alive for the whole run. In a server one guard (one
 * limiter) lives as long as the process. Here every round builds a fresh one; were the old ones
 * all collected, the engine's maps for their classes would die with them, and the code optimised
 * for those maps would be thrown away at each round ("weak objects" in --trace-deopt), for both
 * sides: rounds would measure re-optimisation, and after a few such rounds mamori's hot functions
 * stayed at about half speed (measured). Keeping one instance of each side keeps the maps.
 */
const firstOfSide = {};

async function timed(side, n) {
  // Fresh strings each round, as a server parses them fresh from each request: strings that
  // have lived through the other side's collections may have been moved apart in the heap.
  const w = workload(n, 'r');
  const impl = side === 'mamori' ? makeMamori(n) : makeRlf();
  firstOfSide[side] ??= impl;
  await settle();
  const t0 = process.hrtime.bigint();
  await impl.run(w, n);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  await impl.cleanup(w, n);
  return n / s;
}

async function memoryChild(side) {
  const w = workload(MEM_PAIRS, 'm');
  const before = liveMemory();
  const impl = side === 'mamori' ? makeMamori(MEM_PAIRS) : makeRlf();
  await impl.run(w, MEM_PAIRS);
  const after = liveMemory();
  const out = { side, pairs: MEM_PAIRS, heapDelta: after.heapUsed - before.heapUsed, arrayBuffersDelta: after.arrayBuffers - before.arrayBuffers };
  out.liveDelta = out.heapDelta + out.arrayBuffersDelta;
  out.bytesPerPair = out.liveDelta / MEM_PAIRS;
  if (side === 'mamori') {
    const t = impl.store.table;
    Object.assign(out, { tableBytes: t.bytes, capacity: t.capacity, occupied: t.size, evictions: t.evictions, load: t.size / t.capacity, tableBytesPerOccupiedSlot: t.bytes / t.size, tableBytesPerPair: t.bytes / MEM_PAIRS, slotsPerPair: t.size / MEM_PAIRS });
  } else {
    out.entries = impl.limiters.reduce((s, l) => s + l._memoryStorage._storage.size, 0);
    out.bytesPerEntry = out.liveDelta / out.entries;
  }
  console.log(JSON.stringify(out));
}

/** Buckets self time by what the code is for. */
function groupProfile(entries) {
  const rules = [
    ['account and spray hashes (SipHash-2-4, HMAC key derivation, normalisation)', (e) => /crypto\/hash|siphash/.test(e.where) || /^(Hmac|digest|update|hmac|normalizeIdentifier|base64urlSlice|createHmac|normalize|sipHash24)$/.test(e.fn)],
    ['counter table (murmur hash, probing)', (e) => /counter-table/.test(e.where)],
    ['memory store wrappers', (e) => /memory-store/.test(e.where)],
    ['event objects (#emit, toISOString)', (e) => /#emit|toISOString|emit$/.test(e.fn)],
    ['IP parsing and source key', (e) => /core\/net/.test(e.where)],
    ['LoginGuard logic (check, #failure, #keys, verdict)', (e) => /guard\/login/.test(e.where)],
    ['garbage collector', (e) => e.fn === '(garbage collector)'],
    ['promises, microtasks', (e) => /Promise|processTicksAndRejections|runMicrotasks|(^await)/.test(e.fn)],
    ['benchmark loop, startup, other', () => true],
  ];
  const total = entries.reduce((s, e) => s + e.ms, 0);
  const sums = new Map(rules.map(([name]) => [name, 0]));
  for (const e of entries) {
    const [name] = rules.find(([, test]) => test(e));
    sums.set(name, sums.get(name) + e.ms);
  }
  return [...sums.entries()].map(([group, ms]) => ({ group, ms, pct: Math.round((ms / total) * 1000) / 10 })).sort((a, b) => b.ms - a.ms);
}

async function profileChild() {
  const w = workload(PAIRS, 'p');
  const rounds = [0, 1, 2].map(() => makeMamori(PAIRS)); // all kept alive (see firstOfSide)
  for (const m of rounds) await m.run(w, PAIRS);
}

if (opt.child === 'mem-mamori' || opt.child === 'mem-rlf') {
  await memoryChild(opt.child.slice(4));
  process.exit();
}
if (opt.child === 'profile') {
  await profileChild();
  process.exit();
}

const self = fileURLToPath(import.meta.url);
const passArgs = ['--pairs', String(PAIRS), '--mem-pairs', String(MEM_PAIRS), '--load', String(LOAD), ...(WITH_PASSWORD ? ['--password'] : [])];

console.log(`login-check: ${num(PAIRS)} distinct (user, IP) pairs per round, ${ROUNDS} interleaved rounds per side; check + failed report per pair${WITH_PASSWORD ? ' (with a password: spraying detection on)' : ''}`);
// Warm-up (JIT), not counted.
await timed('mamori', Math.min(PAIRS, 20_000));
await timed('rlf', Math.min(PAIRS, 20_000));
const ops = { mamori: [], rlf: [] };
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? ['rlf', 'mamori'] : ['mamori', 'rlf'];
  for (const side of order) ops[side].push(await timed(side, PAIRS));
}
const opsMamori = median(ops.mamori);
const opsRlf = median(ops.rlf);

const memM = await runJsonChild(['--expose-gc', self, '--child', 'mem-mamori', ...passArgs]);
const memR = await runJsonChild(['--expose-gc', self, '--child', 'mem-rlf', ...passArgs]);

console.log();
printTable(
  ['measure', 'mamori', 'rate-limiter-flexible', 'ratio'],
  [
    ['attempts/s (check + failed report), median', num(opsMamori), num(opsRlf), `${(opsMamori / opsRlf).toFixed(2)}x`],
    ['  rounds', ops.mamori.map((x) => num(x / 1000) + 'k').join(' '), ops.rlf.map((x) => num(x / 1000) + 'k').join(' '), ''],
    [`live heap+ArrayBuffers per pair (${num(MEM_PAIRS)} pairs)`, `${num(memM.bytesPerPair)} B`, `${num(memR.bytesPerPair)} B`, `${(memM.bytesPerPair / memR.bytesPerPair).toFixed(3)}x`],
    ['  stored entries per pair', `${memM.slotsPerPair.toFixed(2)} slots`, `${(memR.entries / MEM_PAIRS).toFixed(2)} keys`, ''],
    ['  bytes per stored entry', `${num(memM.tableBytesPerOccupiedSlot)} B (table at load ${memM.load.toFixed(2)})`, `${num(memR.bytesPerEntry)} B`, ''],
    ['  fixed table (preallocated)', `${num(memM.tableBytes / 1048576, 1)} MiB, ${num(memM.tableBytesPerPair)} B/pair`, 'none (grows)', ''],
  ],
);
console.log(`mamori table: ${num(memM.capacity)} slots of ${BYTES_PER_SLOT} B, ${num(memM.occupied)} occupied, ${num(memM.evictions)} evictions of count-1 entries`);
const opsMet = opsMamori >= 2 * opsRlf;
const memMet = memM.bytesPerPair <= memR.bytesPerPair / 4;
verdictLine(opsMet, '>= 2x the peer\'s attempts/s', `${(opsMamori / opsRlf).toFixed(2)}x`);
verdictLine(memMet, '<= 1/4 of the peer\'s memory per pair', `${(memM.bytesPerPair / memR.bytesPerPair).toFixed(3)}x`);

let profile;
if (opt.profile || !opsMet) {
  const dir = join(RESULTS_DIR, 'login-check-prof');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await runNode(['--expose-gc', '--cpu-prof', '--cpu-prof-dir', dir, self, '--child', 'profile', ...passArgs]);
  const all = summarizeCpuProfiles(dir, Infinity);
  profile = { top: all.slice(0, 20), groups: groupProfile(all) };
  console.log('\nwhere mamori\'s time goes (self time, --cpu-prof of 3 rounds), by kind of work:');
  printTable(['kind of work', 'ms', '%'], profile.groups.map((g) => [g.group, num(g.ms), g.pct.toFixed(1)]));
  console.log('\ntop functions:');
  printTable(['function', 'where', 'ms', '%'], profile.top.map((p) => [p.fn, p.where, num(p.ms), p.pct.toFixed(1)]));
}

writeResult('login-check', {
  command: `node bench/login-check.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  workload: { pairs: PAIRS, rounds: ROUNDS, memPairs: MEM_PAIRS, load: LOAD, password: WITH_PASSWORD },
  peer: 'rate-limiter-flexible RateLimiterMemory, two limiters (wiki login protection)',
  attemptsPerSec: { mamori: opsMamori, peer: opsRlf, ratio: opsMamori / opsRlf, rounds: ops },
  memory: { mamori: memM, peer: memR, ratio: memM.bytesPerPair / memR.bytesPerPair },
  targets: { ops: { target: '>= 2x', met: opsMet }, memory: { target: '<= 0.25x', met: memMet } },
  ...(profile ? { profile } : {}),
});
