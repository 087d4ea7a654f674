/**
 * Flood, macro: --count distinct source addresses (alternately IPv4
 * addresses and rotating IPv6 /64s), each one login attempt on a fresh
 * account (check, then a failed report), through mamori's LoginGuard on a
 * MemoryStore with a memory cap.
 *
 * Shows: live memory (heapUsed + arrayBuffers after a collection, sampled
 * through the flood) stays under the cap plus a fixed overhead; throughput;
 * an attacker's (user, source) counters set before the flood read the same
 * after it and the attacker is still blocked.
 *
 * Peer, same workload for --peer-count sources: rate-limiter-flexible's
 * login pattern on RateLimiterMemory, which has no cap; its memory per pair,
 * extrapolated to --count.
 *
 *   node bench/flood.mjs [--count 10000000] [--cap-mib 32] [--overhead-mib 32] [--peer-count 1000000]
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_GROUPING, FLOOD_SHAPES, LOGIN_DEFAULTS, LoginGuard, ManualClock, MemoryStore, cryptoRandom, runFlood, systemClock } from 'mamori/internal';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ensureExposeGc, liveMemory, mib, MiB, num, printTable, progress, progressDone, runJsonChild, verdictLine, writeResult } from './lib.mjs';

if (await ensureExposeGc(import.meta.url)) process.exit();

const { values: opt } = parseArgs({
  options: {
    count: { type: 'string', default: '10000000' },
    'cap-mib': { type: 'string', default: '32' },
    'overhead-mib': { type: 'string', default: '32' },
    'peer-count': { type: 'string', default: '1000000' },
    samples: { type: 'string', default: '20' },
    'shape-attempts': { type: 'string', default: '10000000' },
    'shape-cap-mib': { type: 'string', default: '64' },
    shapes: { type: 'string', default: FLOOD_SHAPES.join(',') },
    child: { type: 'string' },
  },
});
const COUNT = Number(opt.count);
const CAP = Number(opt['cap-mib']) * MiB;
const OVERHEAD = Number(opt['overhead-mib']) * MiB;
const PEER_COUNT = Math.min(Number(opt['peer-count']), COUNT);
const SAMPLE_EVERY = Math.max(1, Math.floor(COUNT / Number(opt.samples)));

/** The i-th flood source: even i an IPv4 address, odd i a host in its own IPv6 /64. */
function source(i) {
  const j = i >>> 1;
  if ((i & 1) === 0) {
    const a = 16 * 2 ** 24 + j;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
  return `2001:db8:${((j >>> 16) & 0xffff).toString(16)}:${(j & 0xffff).toString(16)}::${((Math.imul(j, 0x9e3779b1) >>> 16) | 1).toString(16)}`;
}

const ATTACKER = { ip: '203.0.113.7', username: 'victim@example.com' };
const ATTACKER_FAILURES = 30;

async function peerChild() {
  // The same two limiters as in login-check.mjs (24 days: the longest a RateLimiterMemory timer can hold).
  const byIp = new RateLimiterMemory({ keyPrefix: 'login_fail_ip_per_day', points: 100, duration: 86_400, blockDuration: 86_400 });
  const consecutive = new RateLimiterMemory({ keyPrefix: 'login_fail_consecutive_username_and_ip', points: 10, duration: 24 * 86_400, blockDuration: 3600 });
  const before = liveMemory();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < PEER_COUNT; i++) {
    const ip = source(i);
    const key = `u${i}@example.com_${ip}`;
    await Promise.all([consecutive.get(key), byIp.get(ip)]);
    try {
      await Promise.all([byIp.consume(ip), consecutive.consume(key)]);
    } catch (rejected) {
      if (rejected instanceof Error) throw rejected;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const after = liveMemory();
  const live = after.live - before.live;
  console.log(JSON.stringify({ count: PEER_COUNT, seconds, perSec: PEER_COUNT / seconds, liveDelta: live, bytesPerPair: live / PEER_COUNT, rss: after.rss, maxRss: process.resourceUsage().maxRSS * 1024 }));
}

if (opt.child === 'peer') {
  await peerChild();
  process.exit();
}

console.log(`flood: ${num(COUNT)} distinct sources (IPv4 and IPv6 /64s, half each), one failed login each on a fresh account; memory cap ${mib(CAP, 0)}`);
const baseline = liveMemory();
const store = new MemoryStore({ maxCounterBytes: CAP });
let events = 0;
const guard = new LoginGuard(LOGIN_DEFAULTS, {
  store,
  clock: systemClock,
  random: cryptoRandom,
  secret: randomBytes(32),
  events: { emit: () => void events++ },
  grouping: DEFAULT_GROUPING,
});

// The attacker: many consecutive failures on one account from one source before the flood.
for (let i = 0; i < ATTACKER_FAILURES; i++) await guard.report(ATTACKER, false);
// The counter keys LoginGuard uses for the attacker.
const ak = guard.counterKeys(ATTACKER);
const attackerKeys = [ak.userSource, ak.backoff, ak.user];
const readAttacker = async () => {
  const [userSource, backoffUntil, user] = await store.read(attackerKeys);
  const v = await guard.check(ATTACKER);
  return { userSource, backoffUntil, user, verdict: { action: v.action, ruleId: v.ruleId, reason: v.reason } };
};
const attackerBefore = await readAttacker();

const samples = [];
const sample = (done) => {
  const m = liveMemory();
  samples.push({ done, live: m.live - baseline.live, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, rss: m.rss });
};
sample(0);
const t0 = process.hrtime.bigint();
let gcMs = 0;
for (let i = 0; i < COUNT; i++) {
  const a = { ip: source(i), username: `u${i}@example.com` };
  await guard.check(a);
  await guard.report(a, false);
  if ((i + 1) % SAMPLE_EVERY === 0) {
    const g0 = process.hrtime.bigint();
    sample(i + 1);
    gcMs += Number(process.hrtime.bigint() - g0) / 1e6;
    const s = (Number(process.hrtime.bigint() - t0) / 1e6 - gcMs) / 1000;
    progress(`${num(i + 1)} / ${num(COUNT)}  ${num((i + 1) / s)} attempts/s  live +${mib(samples.at(-1).live)}`);
  }
}
const seconds = (Number(process.hrtime.bigint() - t0) / 1e6 - gcMs) / 1000;
progressDone();
sample(COUNT);
const attackerAfter = await readAttacker();
const maxRss = process.resourceUsage().maxRSS * 1024;
const peakLive = Math.max(...samples.map((s) => s.live));
const t = store.table;

const peer = await runJsonChild(['--expose-gc', fileURLToPath(import.meta.url), '--child', 'peer', '--count', String(COUNT), '--peer-count', String(PEER_COUNT)]);
const peerExtrapolated = peer.bytesPerPair * COUNT;

console.log();
printTable(
  ['measure', 'mamori', 'rate-limiter-flexible'],
  [
    ['sources in the run', num(COUNT), num(PEER_COUNT)],
    ['attempts/s (check + failed report)', num(COUNT / seconds), `${num(peer.perSec)} (not interleaved: see login-check)`],
    ['peak live memory over baseline (heap + ArrayBuffers)', mib(peakLive), mib(peer.liveDelta)],
    [`  for ${num(COUNT)} sources`, mib(peakLive), `~${mib(peerExtrapolated, 0)} (extrapolated: ${num(peer.bytesPerPair)} B/pair, no cap)`],
    ['peak RSS', mib(maxRss), mib(peer.maxRss)],
  ],
);
console.log(`mamori table: ${mib(t.bytes)} (${num(t.capacity)} slots), ${num(t.size)} occupied, ${num(t.evictions)} evictions; ${num(events)} events emitted`);
console.log(`attacker ${ATTACKER.username} from ${ATTACKER.ip}:`);
printTable(
  ['', '(user, source) count', 'account count', 'back-off until', 'verdict'],
  [
    ['before the flood', String(attackerBefore.userSource), String(attackerBefore.user), new Date(attackerBefore.backoffUntil * 1000).toISOString(), `${attackerBefore.verdict.action} (${attackerBefore.verdict.ruleId})`],
    ['after the flood', String(attackerAfter.userSource), String(attackerAfter.user), new Date(attackerAfter.backoffUntil * 1000).toISOString(), `${attackerAfter.verdict.action} (${attackerAfter.verdict.ruleId})`],
  ],
);
const memMet = peakLive <= CAP + OVERHEAD;
const kept =
  attackerAfter.userSource === attackerBefore.userSource &&
  attackerAfter.user === attackerBefore.user &&
  attackerAfter.backoffUntil === attackerBefore.backoffUntil &&
  attackerBefore.userSource >= LOGIN_DEFAULTS.userSource.blockAfter;
const blocked = attackerBefore.verdict.action === 'block' && attackerAfter.verdict.action === 'block';
verdictLine(memMet, `live memory <= cap ${mib(CAP, 0)} + overhead ${mib(OVERHEAD, 0)}`, `peak +${mib(peakLive)}`);
verdictLine(kept, 'attacker counters unchanged by the flood');
verdictLine(blocked, 'attacker still blocked after the flood');

writeResult('flood', {
  command: `node bench/flood.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  workload: { count: COUNT, capBytes: CAP, overheadBytes: OVERHEAD, peerCount: PEER_COUNT },
  mamori: {
    seconds,
    attemptsPerSec: COUNT / seconds,
    peakLiveDelta: peakLive,
    maxRss,
    table: { bytes: t.bytes, capacity: t.capacity, occupied: t.size, evictions: t.evictions },
    events,
    samples,
  },
  peer: { name: 'rate-limiter-flexible RateLimiterMemory, two limiters', ...peer, extrapolatedBytes: peerExtrapolated },
  attacker: { before: attackerBefore, after: attackerAfter },
  targets: { memory: { target: 'peak live <= cap + overhead', met: memMet }, countersKept: kept, stillBlocked: blocked },
});

// Part 2: the attacker chooses the counts. An hour of guesses on one account, spread below its
// challenge, with bursts of flood between them (sim/flood.ts), at the default cap.
const SHAPE_ATTEMPTS = Number(opt['shape-attempts']);
const SHAPE_CAP = Number(opt['shape-cap-mib']) * MiB;
const shapes = opt.shapes.split(',').filter(Boolean);
console.log(`\nadversarial floods: per shape ${num(SHAPE_ATTEMPTS)} failed logins in 20 bursts over one simulated hour, the attacker guessing ${LOGIN_DEFAULTS.user.challengeAfter - 1} times on one account before each burst (solving every challenge); table ${mib(SHAPE_CAP, 0)}`);
const shapeRows = [];
const shapeResults = {};
let shapesMet = true;
for (const shape of shapes) {
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  const st = new MemoryStore({ maxCounterBytes: SHAPE_CAP, clock });
  const g = new LoginGuard(LOGIN_DEFAULTS, { store: st, clock, random: cryptoRandom, secret: randomBytes(32), events: { emit() {} }, grouping: DEFAULT_GROUPING });
  const s0 = process.hrtime.bigint();
  const r = await runFlood({ guard: g, clock, shape, attempts: SHAPE_ATTEMPTS, bursts: 20, progress: (n) => progress(`${shape}: ${num(n)} / ${num(SHAPE_ATTEMPTS)}`) });
  progressDone();
  const secs = Number(process.hrtime.bigint() - s0) / 1e9;
  const met = r.guesses <= r.limit && r.closedAtEnd;
  shapesMet &&= met;
  shapeResults[shape] = { ...r, seconds: secs, evictions: st.table.evictions, decisions: st.decisions.size };
  shapeRows.push([shape, num(r.floodAttempts), num(st.table.evictions), `${r.guesses} / ${r.limit}`, r.closedAtEnd ? 'yes' : 'NO', `${r.innocentsHeld} / 1000`, num(st.decisions.size), `${secs.toFixed(0)} s`]);
  // (Each shape as it ends: a full run takes long.)
  console.log(`  ${shape}: ${r.guesses} / ${r.limit} guesses, ${r.closedAtEnd ? 'still closed' : 'NOT closed'}, ${r.innocentsHeld} / 1000 fresh accounts held, ${num(st.table.evictions)} evictions, ${secs.toFixed(0)} s`);
}
printTable(['shape', 'flood logins', 'evictions', 'guesses on the account / limit', 'still closed', 'fresh accounts held', 'decisions', 'time'], shapeRows);
verdictLine(shapesMet, 'every shape: guesses per hour <= the account-wide limit, and the account stays closed');
writeResult('flood-shapes', { command: `node bench/flood.mjs ${process.argv.slice(2).join(' ')}`.trim(), attempts: SHAPE_ATTEMPTS, capBytes: SHAPE_CAP, results: shapeResults, met: shapesMet });
if (!memMet || !kept || !blocked || !shapesMet) process.exitCode = 1;
