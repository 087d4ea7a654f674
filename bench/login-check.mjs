/**
 * Login protection as users run it: mamori's library form (`guard.checkCredentials`, then
 * `guard.respond` on a refusal or `guard.reportCredentials` with the password's outcome) on
 * `createGuard(defaultConfig())` at product defaults, against rate-limiter-flexible's
 * documented login-protection pattern (two RateLimiterMemory limiters; `get` both before,
 * `consume` both on a failure, `delete` the username_ip key on a success), on three workloads
 * (bench/README.md says exactly what each is):
 *
 *   distinct  every attempt a new (user, IP) pair, all failures
 *   mix       returning users: 1,000 sources, 20,000 accounts, 5 logins each, 90% right (--typo)
 *             first time, the rest a typo then the right password
 *   attack    one account hammered from 5,000 sources, a stuffing list from 300 sources
 *             and a password spray, interleaved
 *
 * Per workload: CPU per attempt as the OS counts it (user + system time of the process, which
 * includes the collector's threads) and wall-clock attempts per second, median of interleaved
 * rounds (A B B A ...), each round on a fresh instance with fresh strings. Memory per tracked
 * key: in child processes, mamori's default 64 MiB counter table filled until it is full, the
 * peer given as many keys.
 *
 *   node bench/login-check.mjs [--rounds 5] [--only distinct,mix,attack] [--store memory|sqlite]
 *                              [--scale 1] [--typo 0.1] [--no-memory] [--profile]
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGuard, defaultConfig, MemoryStore } from 'mamori';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ensureExposeGc, inclusiveCpuTimes, ipv4, liveMemory, median, num, printTable, RESULTS_DIR, rng, runJsonChild, runNode, settle, summarizeCpuProfiles, verdictLine, writeResult } from './lib.mjs';

if (await ensureExposeGc(import.meta.url)) process.exit();

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    only: { type: 'string', default: 'distinct,mix,attack' },
    store: { type: 'string', default: 'memory' },
    scale: { type: 'string', default: '1' },
    /** The mix's share of logins that start with a typo (0: every attempt a successful login). */
    typo: { type: 'string', default: '0.1' },
    'no-memory': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    child: { type: 'string' },
    workload: { type: 'string' },
    keys: { type: 'string' },
  },
});
const ROUNDS = Number(opt.rounds);
const STORE = opt.store;
if (STORE !== 'memory' && STORE !== 'sqlite') throw new Error('--store is memory or sqlite');
/** Multiplies every workload's size (0.2 for a quick look; the README's figures are at 1). */
const SCALE = Number(opt.scale);
const ONLY = opt.only.split(',');
const TYPO = Number(opt.typo);

// ---------------------------------------------------------------------------------------------
// Workloads. Each is a list of attempts (ip, username, password, whether the password is right)
// and a clock step: the simulated time between two attempts. Both sides see the same list.
//
// Why simulated time for mamori: a round replays hours of a site's logins in a second or two,
// and mamori's detectors count per window of time (the site-wide one: 300 failures a minute).
// Run on the wall clock, any workload with failures would be, to mamori, a flood of them within
// a second, and the site-wide detector would (rightly) challenge it. The clock is a dependency
// of createGuard (GuardDeps.clock) and of the store, not a setting; every threshold stays at
// its default. The peer's windows (a day, 24 days) are longer than any round, so its wall clock
// changes nothing for it.
// ---------------------------------------------------------------------------------------------

const sz = (n) => Math.max(1, Math.round(n * SCALE));

/**
 * Every workload as a function of its settings, building fresh strings on each call (as a
 * server parses them fresh from each request). Returns { ips, users, passwords, ok, pair, stepMs }:
 * `pair` numbers the (user, source) pair, for the browser's trusted-device cookie.
 */
const WORKLOADS = {
  distinct: {
    title: 'distinct (user, IP) pairs, all failures',
    settings: () => ({ attempts: sz(50_000), stepMs: 250 }),
    build() {
      const { attempts, stepMs } = this.settings();
      const ips = new Array(attempts);
      const users = new Array(attempts);
      const passwords = new Array(attempts);
      const ok = new Uint8Array(attempts);
      const pair = new Int32Array(attempts).fill(-1);
      for (let i = 0; i < attempts; i++) {
        ips[i] = ipv4(11, i);
        users[i] = `user${i}@example.com`;
        // Each a different wrong password: one password across every account would be a spray.
        passwords[i] = `wrong-${i}-password`;
      }
      return { ips, users, passwords, ok, pair, stepMs, pairs: attempts };
    },
  },
  mix: {
    title: `returning users, ${Math.round(100 - 100 * TYPO)}% right first time, the rest a typo then success`,
    // stepMs / SCALE: a round spans the same simulated time (about 3 h) at any scale, so each
    // source sees its logins at the same rate.
    settings: () => ({ sources: sz(1_000), users: sz(20_000), loginsPerUser: 5, typo: TYPO, secondSource: 0.1, stepMs: 100 / SCALE }),
    build() {
      const s = this.settings();
      const rand = rng(0x5eed);
      // Each account logs in from its home source (20 accounts a source: an office, a household
      // behind one address); one in ten also from a second source (a phone, another office).
      const home = new Int32Array(s.users);
      const second = new Int32Array(s.users).fill(-1);
      for (let u = 0; u < s.users; u++) {
        home[u] = u % s.sources;
        if (rand() < s.secondSource) second[u] = Math.floor(rand() * s.sources);
      }
      // Logins in random order: each is (account, source, typo?).
      const logins = [];
      for (let u = 0; u < s.users; u++) for (let k = 0; k < s.loginsPerUser; k++) logins.push(u);
      for (let i = logins.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [logins[i], logins[j]] = [logins[j], logins[i]];
      }
      const ips = [];
      const users = [];
      const passwords = [];
      const okList = [];
      const pairList = [];
      for (const u of logins) {
        const src = second[u] >= 0 && rand() < 0.5 ? second[u] : home[u];
        const pairId = second[u] === src && src !== home[u] ? s.users + u : u;
        if (rand() < s.typo) {
          ips.push(ipv4(10, src));
          users.push(`member${u}@example.com`);
          passwords.push(`correct horse ${u}x`);
          okList.push(0);
          pairList.push(pairId);
        }
        ips.push(ipv4(10, src));
        users.push(`member${u}@example.com`);
        passwords.push(`correct horse ${u}`);
        okList.push(1);
        pairList.push(pairId);
      }
      return { ips, users, passwords, ok: Uint8Array.from(okList), pair: Int32Array.from(pairList), stepMs: s.stepMs, pairs: 2 * s.users };
    },
  },
  attack: {
    title: 'attack: one account hammered, stuffing, spraying',
    settings: () => ({ hammer: sz(20_000), hammerSources: sz(5_000), stuffing: sz(20_000), stuffingSources: 300, spray: sz(20_000), spraySources: 100, stepMs: 10 }),
    build() {
      const s = this.settings();
      const n = s.hammer + s.stuffing + s.spray;
      const ips = new Array(n);
      const users = new Array(n);
      const passwords = new Array(n);
      const streams = [
        { left: s.hammer, i: 0, make: (i) => [ipv4(198, i % s.hammerSources), 'victim@example.com', `guess-${i}`] },
        { left: s.stuffing, i: 0, make: (i) => [ipv4(203, i % s.stuffingSources), `leaked${i}@example.net`, `leaked-password-${i}`] },
        { left: s.spray, i: 0, make: (i) => [ipv4(185, i % s.spraySources), `staff${i}@example.com`, 'Winter2026!'] },
      ];
      // Interleaved: one attempt of each stream in turn while it has any left.
      for (let k = 0; k < n; ) {
        for (const st of streams) {
          if (st.i >= st.left) continue;
          [ips[k], users[k], passwords[k]] = st.make(st.i++);
          k++;
        }
      }
      return { ips, users, passwords, ok: new Uint8Array(n), pair: new Int32Array(n).fill(-1), stepMs: s.stepMs, pairs: n };
    },
  },
};

// ---------------------------------------------------------------------------------------------
// The two sides.
// ---------------------------------------------------------------------------------------------

const SECRET = Buffer.alloc(32, 7);
const DAY = 86_400_000;

/** A clock whose time the driver sets before each attempt (see the workloads' comment). */
function simClock() {
  const c = { t: Date.now(), now: () => c.t };
  return c;
}

/** Decisions an operator has in the store (on other addresses and accounts: they never match here). */
async function addDecisions(guard, now) {
  const d = guard.store.decisions;
  await d.add({ action: 'block', scope: 'ip', value: '192.0.2.66', expiresAt: now + DAY, origin: 'cli', reason: 'bench: an operator blocked an address' });
  await d.add({ action: 'challenge', scope: 'range', value: '198.18.0.0/15', expiresAt: now + DAY, origin: 'cli', reason: 'bench: an operator challenged a range' });
  await d.add({ action: 'block', scope: 'user', value: guard.accountDecisionValues('former-employee@example.com')[0], expiresAt: now + DAY, origin: 'cli', reason: 'bench: an account closed' });
}

async function makeStore(clock) {
  if (STORE === 'memory') return { store: new MemoryStore({ clock }), dispose() {} };
  const { SqliteStore } = await import('@mamori/store-sqlite');
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-'));
  const store = SqliteStore.open({ path: join(dir, 'mamori.db'), secret: SECRET, clock });
  return {
    store,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function makeMamori() {
  const clock = simClock();
  const { store, dispose } = await makeStore(clock);
  // Product defaults: every detector live at its default threshold, trusted devices on, events
  // to the store as createGuard subscribes it (what `mamori up` keeps), the store's default cap.
  const guard = createGuard(defaultConfig(), { store, secret: SECRET, clock });
  await addDecisions(guard, clock.t);
  return {
    guard,
    store,
    tally: { allowed: 0, refused: 0, rules: {} },
    async run(w) {
      const { ips, users, passwords, ok, pair, stepMs } = w;
      const rules = this.tally.rules;
      // A returning browser sends back the trusted-device cookie its last success set.
      const cookies = new Array(w.pairs);
      const t0 = clock.t;
      let allowed = 0;
      let refused = 0;
      for (let i = 0; i < ips.length; i++) {
        clock.t = t0 + i * stepMs;
        const p = pair[i];
        const cookie = p >= 0 ? cookies[p] : undefined;
        const req = {
          ip: ips[i],
          method: 'POST',
          path: '/login',
          headers: cookie === undefined ? { 'user-agent': UA, accept: ACCEPT } : { 'user-agent': UA, accept: ACCEPT, cookie },
        };
        const pending = await guard.checkCredentials(req, { username: users[i], password: passwords[i] });
        if (guard.enforced(pending.verdict)) {
          // The handler answers with mamori's page (a challenge or a block), as its docs show.
          guard.respond(pending.verdict, req);
          refused++;
          // (Decisions by their kind, not their id.)
          const id = pending.verdict.ruleId ?? '';
          const rule = `${pending.verdict.action} ${id.startsWith('decision:') ? 'decision' : id}${ok[i] === 1 ? ', right password' : ''}`;
          rules[rule] = (rules[rule] ?? 0) + 1;
          continue;
        }
        allowed++;
        // (The site checks the password here.)
        const { setCookie } = await guard.reportCredentials(pending, ok[i] === 1);
        if (setCookie !== undefined && p >= 0) cookies[p] = setCookie.slice(0, setCookie.indexOf(';'));
      }
      this.tally.allowed += allowed;
      this.tally.refused += refused;
    },
    async close() {
      await guard.close();
      await dispose();
    },
  };
}

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

// rate-limiter-flexible's wiki ("Login endpoint protection"): 100 fails per IP per day (block a
// day); 10 consecutive fails per username+IP, counted for 90 days (block an hour).
// RateLimiterMemory keeps one setTimeout per key and Node clamps delays above 2^31-1 ms (24.8
// days) to 1 ms, so with 90 days every count would vanish a millisecond later: 24 days here.
const MAX_WRONG_BY_IP_PER_DAY = 100;
const MAX_CONSECUTIVE_FAILS = 10;

function makePeer() {
  const limiterSlowBruteByIP = new RateLimiterMemory({ keyPrefix: 'login_fail_ip_per_day', points: MAX_WRONG_BY_IP_PER_DAY, duration: 60 * 60 * 24, blockDuration: 60 * 60 * 24 });
  const limiterConsecutiveFailsByUsernameAndIP = new RateLimiterMemory({
    keyPrefix: 'login_fail_consecutive_username_and_ip',
    points: MAX_CONSECUTIVE_FAILS,
    duration: 60 * 60 * 24 * 24,
    blockDuration: 60 * 60,
  });
  return {
    limiters: [limiterSlowBruteByIP, limiterConsecutiveFailsByUsernameAndIP],
    tally: { allowed: 0, refused: 0 },
    async run(w) {
      const { ips, users, ok } = w;
      let allowed = 0;
      let refused = 0;
      for (let i = 0; i < ips.length; i++) {
        const ipAddr = ips[i];
        const usernameIPkey = `${users[i]}_${ipAddr}`;
        const [resUsernameAndIP, resSlowByIP] = await Promise.all([limiterConsecutiveFailsByUsernameAndIP.get(usernameIPkey), limiterSlowBruteByIP.get(ipAddr)]);
        let retrySecs = 0;
        if (resSlowByIP !== null && resSlowByIP.consumedPoints > MAX_WRONG_BY_IP_PER_DAY) retrySecs = Math.round(resSlowByIP.msBeforeNext / 1000) || 1;
        else if (resUsernameAndIP !== null && resUsernameAndIP.consumedPoints > MAX_CONSECUTIVE_FAILS) retrySecs = Math.round(resUsernameAndIP.msBeforeNext / 1000) || 1;
        if (retrySecs > 0) {
          // 429 with Retry-After.
          String(retrySecs);
          refused++;
          continue;
        }
        allowed++;
        if (ok[i] !== 1) {
          try {
            await Promise.all([limiterSlowBruteByIP.consume(ipAddr), limiterConsecutiveFailsByUsernameAndIP.consume(usernameIPkey)]);
          } catch (rlRejected) {
            if (rlRejected instanceof Error) throw rlRejected;
            // Over a limit with this failure: the wiki answers 429 with Retry-After.
            String(Math.round(rlRejected.msBeforeNext / 1000) || 1);
          }
        } else if (resUsernameAndIP !== null && resUsernameAndIP.consumedPoints > 0) {
          // Reset on a successful login.
          await limiterConsecutiveFailsByUsernameAndIP.delete(usernameIPkey);
        }
      }
      this.tally.allowed += allowed;
      this.tally.refused += refused;
    },
    /** Clears the per-key timers, so a finished round's records can be collected. */
    async close(w) {
      for (let i = 0; i < w.ips.length; i++) {
        await limiterSlowBruteByIP.delete(w.ips[i]);
        await limiterConsecutiveFailsByUsernameAndIP.delete(`${w.users[i]}_${w.ips[i]}`);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Timing.
// ---------------------------------------------------------------------------------------------

/**
 * The first instance of each side for each workload, kept alive for the whole run. A server
 * keeps its guard (its limiters) as long as the process. Were every round's instance collected,
 * the engine's maps for their classes would die with them and the code optimised on those maps
 * would be thrown away each round ("weak objects" in --trace-deopt), for both sides: the rounds
 * would measure re-optimisation (measured before: mamori's hot path at half speed from the
 * sixth round on).
 */
const firstOfSide = new Map();

async function timed(side, name) {
  // Fresh strings each round (a server parses them fresh from each request).
  const w = WORKLOADS[name].build();
  const impl = side === 'mamori' ? await makeMamori() : makePeer();
  const keep = `${side}:${name}`;
  if (!firstOfSide.has(keep)) firstOfSide.set(keep, impl);
  await settle();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await impl.run(w);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  if (firstOfSide.get(keep) !== impl) await impl.close(w);
  const n = w.ips.length;
  return { attempts: n, cpuUsPerAttempt: (c.user + c.system) / n, perWallSec: n / wall, allowed: impl.tally.allowed, refused: impl.tally.refused, ...(impl.tally.rules ? { rules: impl.tally.rules } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Memory per tracked key (child processes).
// ---------------------------------------------------------------------------------------------

/**
 * mamori: the default 64 MiB table, filled with failing (user, IP) pairs through the public API
 * until it is full: until a batch of new pairs adds less than a tenth of the entries the first
 * batch added (nine of ten new entries then displace an old one). The site-wide detector is
 * raised to its most (1,000,000 failures a minute) for the fill only, and the simulated clock
 * moves 0.1 ms an attempt (600,000 a minute; the fill spans a few simulated minutes, so nothing
 * expires): at its default it would challenge the fill after 300 failures, and a challenged
 * attempt stores no pair. Its count is one key; the table's layout does not depend on it.
 * Live memory (heap + ArrayBuffers after a full collection) minus the same before the store
 * was made, per occupied slot.
 */
async function memoryMamori() {
  const before = liveMemory();
  const clock = simClock();
  const store = new MemoryStore({ clock });
  const guard = createGuard(defaultConfig({ login_protection: { site: { challenge_above_failures: 1_000_000 } } }), { store, secret: SECRET, clock });
  await addDecisions(guard, clock.t);
  const t0 = clock.t;
  const t = store.table;
  const BATCH = 20_000;
  let firstGrowth = 0;
  let pairs = 0;
  for (;;) {
    const size0 = t.size;
    for (let i = 0; i < BATCH; i++, pairs++) {
      clock.t = t0 + pairs / 10;
      const req = { ip: ipv4(11, pairs % 2 ** 24), method: 'POST', path: '/login', headers: { 'user-agent': UA } };
      const p = await guard.checkCredentials(req, { username: `user${pairs}@example.com`, password: `wrong-${pairs}` });
      if (guard.enforced(p.verdict)) throw new Error(`the fill was refused: ${p.verdict.ruleId}`);
      await guard.reportCredentials(p, false);
    }
    const growth = t.size - size0;
    firstGrowth ||= growth;
    if (growth < firstGrowth / 10 || pairs >= 2 ** 24) break;
  }
  const after = liveMemory();
  const live = after.live - before.live;
  return { side: 'mamori', keys: t.size, capacity: t.capacity, load: t.size / t.capacity, evictions: t.evictions, pairsInserted: pairs, tableBytes: t.bytes, live, bytesPerKey: live / t.size };
}

/** The peer: distinct failing pairs until its two limiters hold `keys` keys (two per pair). */
async function memoryPeer(keys) {
  const before = liveMemory();
  const peer = makePeer();
  const pairs = Math.ceil(keys / 2);
  // In chunks, so that the workload's own strings are not in the measure.
  for (let done = 0; done < pairs; ) {
    const n = Math.min(100_000, pairs - done);
    const ips = Array.from({ length: n }, (_, i) => ipv4(11, done + i));
    const users = Array.from({ length: n }, (_, i) => `user${done + i}@example.com`);
    await peer.run({ ips, users, ok: new Uint8Array(n) });
    done += n;
  }
  const held = peer.limiters.reduce((s, l) => s + l._memoryStorage._storage.size, 0);
  const after = liveMemory();
  const live = after.live - before.live;
  return { side: 'peer', keys: held, pairs, live, bytesPerKey: live / held };
}

// ---------------------------------------------------------------------------------------------
// Parallel guesses: what counting at check time buys (not timed).
// ---------------------------------------------------------------------------------------------

/**
 * An attacker who sends many guesses at one account from one source at once (a proxy with
 * many connections does): every guess is checked before the site has answered any. mamori
 * counts an attempt as a failure when it checks it, so each check sees the ones before it; the
 * peer's documented pattern reads its counts before and consumes after the password check, so
 * every check sees none. Per side: how many of `n` such guesses reached the password check, in
 * waves of `n` (all checked, then all answered wrong), with the peer's limit (10 consecutive
 * failures per pair) and mamori's block_after (its default) as the bound each claims.
 */
async function parallelGuesses(n, waves) {
  const out = {};
  {
    const clock = simClock();
    const store = new MemoryStore({ clock });
    const guard = createGuard(defaultConfig(), { store, secret: SECRET, clock });
    let through = 0;
    for (let w = 0; w < waves; w++) {
      clock.t += 1000;
      const pending = await Promise.all(
        Array.from({ length: n }, (_, i) => guard.checkCredentials({ ip: '203.0.113.9', method: 'POST', path: '/login', headers: { 'user-agent': UA } }, { username: 'victim@example.com', password: `guess-${w}-${i}` })),
      );
      const passed = pending.filter((p) => !guard.enforced(p.verdict));
      through += passed.length;
      await Promise.all(passed.map((p) => guard.reportCredentials(p, false)));
    }
    out.mamori = { through, limit: guard.config.loginProtection.userSource.blockAfter };
    await guard.close();
  }
  {
    const peer = makePeer();
    const [byIp, byPair] = peer.limiters;
    let through = 0;
    for (let w = 0; w < waves; w++) {
      const key = 'victim@example.com_203.0.113.9';
      const checks = await Promise.all(Array.from({ length: n }, () => Promise.all([byPair.get(key), byIp.get('203.0.113.9')])));
      const passed = checks.filter(([pair, ip]) => !(ip !== null && ip.consumedPoints > MAX_WRONG_BY_IP_PER_DAY) && !(pair !== null && pair.consumedPoints > MAX_CONSECUTIVE_FAILS));
      through += passed.length;
      await Promise.all(passed.map(() => Promise.all([byIp.consume('203.0.113.9'), byPair.consume(key)]).catch((e) => (e instanceof Error ? Promise.reject(e) : undefined))));
    }
    out.peer = { through, limit: MAX_CONSECUTIVE_FAILS };
    await byIp.delete('203.0.113.9');
    await byPair.delete('victim@example.com_203.0.113.9');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Profile: mamori alone on one workload, under --cpu-prof.
// ---------------------------------------------------------------------------------------------

async function profileChild(name) {
  const kept = [];
  for (let r = 0; r < 3; r++) {
    const m = await makeMamori();
    kept.push(m); // all kept alive (see firstOfSide)
    await m.run(WORKLOADS[name].build());
  }
  for (const m of kept) await m.close();
}

// ---------------------------------------------------------------------------------------------
// Main.
// ---------------------------------------------------------------------------------------------

if (opt.child === 'mem-mamori') {
  console.log(JSON.stringify(await memoryMamori()));
  process.exit();
}
if (opt.child === 'mem-peer') {
  console.log(JSON.stringify(await memoryPeer(Number(opt.keys))));
  process.exit();
}
if (opt.child === 'profile') {
  await profileChild(opt.workload);
  process.exit();
}

const self = fileURLToPath(import.meta.url);
const passArgs = ['--store', STORE, '--scale', String(SCALE), '--typo', String(TYPO)];
const results = {};

console.log(`login-check: mamori (createGuard(defaultConfig()), ${STORE} store) against rate-limiter-flexible (RateLimiterMemory, the wiki's pattern); ${ROUNDS} interleaved rounds per side per workload\n`);
for (const name of ONLY) {
  if (!WORKLOADS[name]) throw new Error(`unknown workload ${name}`);
  // Warm-up (the JIT), not counted.
  await timed('mamori', name);
  await timed('peer', name);
  const rounds = { mamori: [], peer: [] };
  for (let r = 0; r < ROUNDS; r++) {
    // A B, B A, A B, ...
    const order = r % 2 ? ['peer', 'mamori'] : ['mamori', 'peer'];
    for (const side of order) rounds[side].push(await timed(side, name));
  }
  const m = { cpu: median(rounds.mamori.map((x) => x.cpuUsPerAttempt)), wall: median(rounds.mamori.map((x) => x.perWallSec)) };
  const p = { cpu: median(rounds.peer.map((x) => x.cpuUsPerAttempt)), wall: median(rounds.peer.map((x) => x.perWallSec)) };
  const last = { mamori: rounds.mamori.at(-1), peer: rounds.peer.at(-1) };
  const ratioCpu = p.cpu / m.cpu;
  const ratioWall = m.wall / p.wall;
  results[name] = { settings: WORKLOADS[name].settings(), attempts: last.mamori.attempts, mamori: m, peer: p, ratioCpu, ratioWall, rounds, met: ratioCpu >= 1.5 };
  console.log(`${name}: ${WORKLOADS[name].title}; ${num(last.mamori.attempts)} attempts a round, ${JSON.stringify(WORKLOADS[name].settings())}`);
  printTable(
    ['measure', 'mamori', 'rate-limiter-flexible', 'mamori/peer'],
    [
      ['attempts per CPU second (user+system), median', num(1e6 / m.cpu), num(1e6 / p.cpu), `${ratioCpu.toFixed(2)}x`],
      ['  CPU us per attempt, rounds', rounds.mamori.map((x) => x.cpuUsPerAttempt.toFixed(1)).join(' '), rounds.peer.map((x) => x.cpuUsPerAttempt.toFixed(2)).join(' '), ''],
      ['attempts per wall second, median', num(m.wall), num(p.wall), `${ratioWall.toFixed(2)}x`],
      ['refused of each round (rest let through)', `${num(last.mamori.refused)} (${((100 * last.mamori.refused) / last.mamori.attempts).toFixed(1)}%)`, `${num(last.peer.refused)} (${((100 * last.peer.refused) / last.peer.attempts).toFixed(1)}%)`, ''],
    ],
  );
  console.log(`mamori's refusals in a round: ${JSON.stringify(last.mamori.rules)}`);
  verdictLine(ratioCpu >= 1.5, ">= 1.5x the peer's attempts (per CPU second)", `${ratioCpu.toFixed(2)}x; per wall second ${ratioWall.toFixed(2)}x`);
  console.log();
}

const PARALLEL = 100;
const parallel = await parallelGuesses(PARALLEL, 3);
console.log(`parallel guesses: ${PARALLEL} wrong guesses at one account from one source sent at once, 3 times (each wave checked before the site answers any); what the CPU above buys`);
printTable(
  ['measure', 'mamori', 'rate-limiter-flexible'],
  [
    ['guesses that reached the password check', num(parallel.mamori.through), num(parallel.peer.through)],
    ["the side's own limit for the pair", `${parallel.mamori.limit} (user_source.block_after)`, `${parallel.peer.limit} (consecutive fails)`],
  ],
);
console.log();

let memory;
if (!opt['no-memory']) {
  const mm = await runJsonChild(['--expose-gc', self, '--child', 'mem-mamori', ...passArgs]);
  const mp = await runJsonChild(['--expose-gc', '--max-old-space-size=8192', self, '--child', 'mem-peer', '--keys', String(mm.keys), ...passArgs]);
  const ratio = mm.bytesPerKey / mp.bytesPerKey;
  memory = { mamori: mm, peer: mp, ratio, met: ratio <= 0.25 };
  console.log(`memory per tracked key: mamori's default table (${num(mm.capacity)} slots, ${num(mm.tableBytes / 2 ** 20)} MiB) filled until full (${num(mm.pairsInserted)} failing pairs, load ${mm.load.toFixed(3)}, ${num(mm.evictions)} evictions); the peer given as many keys`);
  printTable(
    ['measure', 'mamori', 'rate-limiter-flexible', 'mamori/peer'],
    [
      ['tracked keys', num(mm.keys), num(mp.keys), ''],
      ['live heap + ArrayBuffers', `${num(mm.live / 2 ** 20, 1)} MiB`, `${num(mp.live / 2 ** 20, 1)} MiB`, ''],
      ['bytes per tracked key', num(mm.bytesPerKey, 1), num(mp.bytesPerKey, 1), `${ratio.toFixed(3)}x`],
    ],
  );
  verdictLine(ratio <= 0.25, "<= 1/4 of the peer's memory per key", `${ratio.toFixed(3)}x`);
  console.log();
}

console.log('summary');
printTable(
  ['workload', 'mamori att/CPU-s', 'peer att/CPU-s', 'ratio', '>= 1.5x', 'ratio (wall)'],
  Object.entries(results).map(([k, r]) => [k, num(1e6 / r.mamori.cpu), num(1e6 / r.peer.cpu), `${r.ratioCpu.toFixed(2)}x`, r.met ? 'met' : 'NOT MET', `${r.ratioWall.toFixed(2)}x`]),
);
if (memory) console.log(`memory per key: ${num(memory.mamori.bytesPerKey, 1)} B against ${num(memory.peer.bytesPerKey, 1)} B, ${memory.ratio.toFixed(3)}x (<= 0.25x: ${memory.met ? 'met' : 'NOT MET'})`);

/** The steps of a login whose inclusive time is worth seeing (guard, login guard, store, events, tokens, pages). */
const INCLUSIVE = /^(checkCredentials|checkLogin|reportCredentials|#conclude|#settle|report|check|#checkSync|#failure\w*|#success\w*|respond|renderChallenge|renderBlockPage|issue|verify|append|emit|#emit|incrementReadSync|incrementSync|addDistinctSync|matchSync|readCookie|userHash|deviceUserHash|noteChallenge|challengeLevel|sqliteTransaction|\(garbage collector\)) /;
const profiles = {};
const missed = Object.entries(results).filter(([, r]) => !r.met).map(([k]) => k);
const toProfile = opt.profile ? Object.keys(results) : missed;
for (const name of toProfile) {
  const dir = join(RESULTS_DIR, `login-check-prof-${name}-${STORE}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await runNode(['--expose-gc', '--cpu-prof', '--cpu-prof-dir', dir, self, '--child', 'profile', '--workload', name, ...passArgs]);
  profiles[name] = { self: summarizeCpuProfiles(dir, 15), inclusive: inclusiveCpuTimes(dir, INCLUSIVE, 16) };
  console.log(`\nwhere mamori's time goes on ${name} (self time, --cpu-prof of 3 rounds, % of busy time):`);
  printTable(['function', 'where', 'ms', '%'], profiles[name].self.map((x) => [x.fn, x.where, num(x.ms), x.pct.toFixed(1)]));
  console.log(`\nthe same, inclusive (self + callees) of the steps of a login:`);
  printTable(['function', 'ms', '%'], profiles[name].inclusive.map((x) => [x.fn, num(x.ms), x.pct.toFixed(1)]));
}

// The kept instances: their stores closed (and the SQLite files removed).
for (const [key, impl] of firstOfSide) if (key.startsWith('mamori:')) await impl.close();

writeResult(`login-check-${STORE}`, {
  command: `node bench/login-check.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  store: STORE,
  rounds: ROUNDS,
  scale: SCALE,
  peer: "rate-limiter-flexible RateLimiterMemory, two limiters (the wiki's login protection)",
  workloads: results,
  parallel,
  ...(memory ? { memory } : {}),
  ...(Object.keys(profiles).length ? { profiles } : {}),
});
