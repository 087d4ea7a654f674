/**
 * Login protection on Redis (issue 13 §4): mamori's library form (`guard.checkCredentials`,
 * then `guard.reportCredentials`) on `createGuard(defaultConfig())` with @mamori/store-redis,
 * against rate-limiter-flexible's documented login-protection pattern on RateLimiterRedis
 * (wiki "Login endpoint protection": `get` both limiters before the password is checked,
 * `consume` both on a failure, `delete` the username_ip key on a success), both on one ioredis
 * client each to the same Redis (127.0.0.1:6379, or $MAMORI_REDIS_URL), in the same run,
 * each under a fresh key prefix removed afterwards.
 *
 * Sides: mamori, rate-limiter-flexible (the default), mamori-memory (the guard on its in-process
 * memory store: its own CPU, no Redis), mamori-baseline (--baseline: another build of the store).
 *
 * Workloads (every attempt a failure unless said):
 *   distinct  every attempt a new (user, IP) pair
 *   attack    one account hammered from 5,000 sources, a stuffing list from 300 sources and a
 *             password spray from 100, interleaved
 *   mix       returning users (20 accounts a source, about 5 logins each over three hours), 90%
 *             right the first time, the rest a typo then the right password
 *
 * Each at concurrency 1 (one attempt at a time: latency-bound) and at --concurrency (that many
 * attempts in flight, as a busy server has). Per side: attempts per second (wall clock), CPU per
 * attempt of this process and of redis-server (INFO cpu, as the OS counts it), Redis commands
 * per attempt (every command the client sends, MULTI/EXEC included), and round trips per
 * attempt: the turns of the event loop in which the client sent anything (at concurrency 1, the
 * times an attempt waited for Redis). Median of interleaved rounds (A B B A ...).
 *
 *   node bench/login-redis.mjs [--attempts 20000] [--rounds 3] [--concurrency 32] [--only distinct,attack,mix] [--store-clock sim|redis]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createGuard, defaultConfig, MemoryStore } from 'mamori';
import { RedisStore } from '@mamori/store-redis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { Redis } from 'ioredis';
import { ipv4, median, num, printTable, rng, verdictLine, writeResult } from './lib.mjs';

const { values: opt } = parseArgs({
  options: {
    attempts: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '32' },
    only: { type: 'string', default: 'distinct,attack,mix' },
    // One side alone (profiling: node --cpu-prof bench/login-redis.mjs --sides mamori --only attack).
    sides: { type: 'string', default: 'mamori,rate-limiter-flexible' },
    // Another build of @mamori/store-redis (its dist/index.js), measured as a third side "mamori-baseline": before/after in one run.
    baseline: { type: 'string' },
    // The clock the Redis store counts expiries by: 'sim' (the default: the driver's simulated clock,
    // given to the store, which then keeps its entries' expiries itself) or 'redis' (the store gets no
    // clock and counts in Redis's real time, as a production store does and as the peer always does;
    // the guard keeps the simulated clock for its windows), or 'both': 'sim' for the side mamori and
    // a side mamori-redis-clock, in the same run. See bench/README.md.
    'store-clock': { type: 'string', default: 'sim' },
  },
});
const ATTEMPTS = Number(opt.attempts);
const ROUNDS = Number(opt.rounds);
const CONCURRENCY = [1, Number(opt.concurrency)];
const ONLY = opt.only.split(',');
if (!['sim', 'redis', 'both'].includes(opt['store-clock'])) throw new Error(`--store-clock is sim or redis, not ${opt['store-clock']}`);
const STORE_CLOCK = opt['store-clock'];
const URL_ = process.env.MAMORI_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = randomBytes(32);

// ---------------------------------------------------------------------------------------------
// Workloads: lists of (ip, user, password, right?) built fresh each round.
// ---------------------------------------------------------------------------------------------


const WORKLOADS = {
  distinct: {
    stepMs: 250,
    build(n) {
      const w = { ips: [], users: [], passwords: [], ok: [] };
      for (let i = 0; i < n; i++) {
        w.ips.push(ipv4(11, i));
        w.users.push(`user${i}@example.com`);
        w.passwords.push(`wrong-${i}-password`);
        w.ok.push(0);
      }
      return w;
    },
  },
  attack: {
    stepMs: 10,
    build(n) {
      const w = { ips: [], users: [], passwords: [], ok: [] };
      const streams = [
        (i) => [ipv4(198, i % 5000), 'victim@example.com', `guess-${i}`],
        (i) => [ipv4(203, i % 300), `leaked${i}@example.net`, `leaked-password-${i}`],
        (i) => [ipv4(185, i % 100), `staff${i}@example.com`, 'Winter2026!'],
      ];
      for (let i = 0; i < n; i++) {
        const [ip, user, password] = streams[i % 3](Math.floor(i / 3));
        w.ips.push(ip);
        w.users.push(user);
        w.passwords.push(password);
        w.ok.push(0);
      }
      return w;
    },
  },
  mix: {
    // A round spans three hours at any size (as bench/login-check.mjs's mix), so each source sees its logins at the same rate.
    get stepMs() {
      return (3 * 3600 * 1000) / ATTEMPTS;
    },
    build(n) {
      const rand = rng(0x5eed);
      const users = Math.max(1, Math.floor(n / 5.5));
      const sources = Math.max(1, Math.floor(users / 20));
      const w = { ips: [], users: [], passwords: [], ok: [] };
      while (w.ips.length < n) {
        const u = Math.floor(rand() * users);
        const ip = ipv4(10, u % sources);
        if (rand() < 0.1) {
          w.ips.push(ip);
          w.users.push(`member${u}@example.com`);
          w.passwords.push(`correct horse ${u}x`);
          w.ok.push(0);
        }
        w.ips.push(ip);
        w.users.push(`member${u}@example.com`);
        w.passwords.push(`correct horse ${u}`);
        w.ok.push(1);
      }
      for (const k of Object.keys(w)) w[k].length = n;
      return w;
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Counting what each client sends.
// ---------------------------------------------------------------------------------------------

/** Wraps a client's sendCommand: commands, and the event-loop turns in which any was sent. */
function counted(client) {
  const c = { commands: 0, turns: 0, bytesOut: 0, bytesIn: 0 };
  const stream = client.stream;
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    c.bytesOut += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return write(chunk, ...rest);
  };
  stream.on('data', (d) => {
    c.bytesIn += d.length;
  });
  let inTurn = false;
  const send = client.sendCommand.bind(client);
  client.sendCommand = (cmd, ...rest) => {
    c.commands++;
    if (!inTurn) {
      inTurn = true;
      c.turns++;
      setImmediate(() => {
        inTurn = false;
      });
    }
    return send(cmd, ...rest);
  };
  return c;
}

/** redis-server's CPU time so far (µs), user + system, from INFO cpu. */
async function redisCpu(admin) {
  const info = await admin.info('cpu');
  const get = (k) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (get('used_cpu_user') + get('used_cpu_sys')) * 1e6;
}

async function sweep(admin, prefix) {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await admin.unlink(...keys);
  } while (cursor !== '0');
}

/** Runs attempts 0..n-1 in `lanes` lanes, each one attempt at a time. */
async function drive(n, lanes, attempt) {
  const lane = async (j) => {
    for (let i = j; i < n; i += lanes) await attempt(i);
  };
  await Promise.all(Array.from({ length: lanes }, (_, j) => lane(j)));
}

// ---------------------------------------------------------------------------------------------
// The two sides.
// ---------------------------------------------------------------------------------------------

/** A clock the driver moves (see bench/login-check.mjs: hours of logins replayed in seconds, every threshold at its default). */
function simClock() {
  const c = { t: Date.now(), now: () => c.t };
  return c;
}

async function mamoriSide(prefix, Store = RedisStore, storeClock = STORE_CLOCK === 'redis' ? 'redis' : 'sim') {
  const clock = simClock();
  const store = Store === MemoryStore ? new MemoryStore({ clock }) : await Store.open({ url: URL_, secret: SECRET, prefix, ...(storeClock === 'sim' ? { clock } : {}) });
  const count = store.client ? counted(store.client) : { commands: 0, turns: 0, bytesOut: 0, bytesIn: 0 };
  const guard = createGuard(defaultConfig(), { store, secret: SECRET, clock });
  return {
    count,
    tally: { allowed: 0, refused: 0 },
    async run(w, stepMs, lanes) {
      const t0 = clock.t;
      // A returning browser sends back the trusted-device cookie its last success set (as in
      // bench/login-check.mjs): mamori's product default, which the peer has no use for.
      const cookies = new Map();
      await drive(w.ips.length, lanes, async (i) => {
        clock.t = Math.max(clock.t, t0 + i * stepMs);
        const browser = `${w.ips[i]}|${w.users[i]}`;
        const cookie = cookies.get(browser);
        const req = { ip: w.ips[i], method: 'POST', path: '/login', headers: cookie === undefined ? { 'user-agent': 'bench' } : { 'user-agent': 'bench', cookie } };
        const p = await guard.checkCredentials(req, { username: w.users[i], password: w.passwords[i] });
        if (guard.enforced(p.verdict)) {
          guard.respond(p.verdict, req);
          this.tally.refused++;
          return;
        }
        this.tally.allowed++;
        const { setCookie } = await guard.reportCredentials(p, w.ok[i] === 1);
        if (setCookie !== undefined) cookies.set(browser, setCookie.slice(0, setCookie.indexOf(';')));
      });
      await store.events.flush();
    },
    async close() {
      await guard.close();
      await store.close();
    },
  };
}

// rate-limiter-flexible's wiki ("Login endpoint protection"): 100 fails per IP per day (block a
// day); 10 consecutive fails per username+IP, counted for 90 days (block an hour).
const MAX_WRONG_BY_IP_PER_DAY = 100;
const MAX_CONSECUTIVE_FAILS = 10;

async function peerSide(prefix) {
  const client = new Redis(URL_, { enableOfflineQueue: false, lazyConnect: true });
  await client.connect();
  const count = counted(client);
  const limiterSlowBruteByIP = new RateLimiterRedis({ storeClient: client, keyPrefix: `${prefix}login_fail_ip_per_day`, points: MAX_WRONG_BY_IP_PER_DAY, duration: 60 * 60 * 24, blockDuration: 60 * 60 * 24 });
  const limiterConsecutiveFailsByUsernameAndIP = new RateLimiterRedis({
    storeClient: client,
    keyPrefix: `${prefix}login_fail_consecutive_username_and_ip`,
    points: MAX_CONSECUTIVE_FAILS,
    duration: 60 * 60 * 24 * 90,
    blockDuration: 60 * 60,
  });
  return {
    count,
    tally: { allowed: 0, refused: 0 },
    async run(w, _stepMs, lanes) {
      await drive(w.ips.length, lanes, async (i) => {
        const ipAddr = w.ips[i];
        const usernameIPkey = `${w.users[i]}_${ipAddr}`;
        const [resUsernameAndIP, resSlowByIP] = await Promise.all([limiterConsecutiveFailsByUsernameAndIP.get(usernameIPkey), limiterSlowBruteByIP.get(ipAddr)]);
        let retrySecs = 0;
        if (resSlowByIP !== null && resSlowByIP.consumedPoints > MAX_WRONG_BY_IP_PER_DAY) retrySecs = Math.round(resSlowByIP.msBeforeNext / 1000) || 1;
        else if (resUsernameAndIP !== null && resUsernameAndIP.consumedPoints > MAX_CONSECUTIVE_FAILS) retrySecs = Math.round(resUsernameAndIP.msBeforeNext / 1000) || 1;
        if (retrySecs > 0) {
          String(retrySecs); // 429 with Retry-After
          this.tally.refused++;
          return;
        }
        this.tally.allowed++;
        if (w.ok[i] !== 1) {
          try {
            await Promise.all([limiterSlowBruteByIP.consume(ipAddr), limiterConsecutiveFailsByUsernameAndIP.consume(usernameIPkey)]);
          } catch (rlRejected) {
            if (rlRejected instanceof Error) throw rlRejected;
            String(Math.round(rlRejected.msBeforeNext / 1000) || 1);
          }
        } else if (resUsernameAndIP !== null && resUsernameAndIP.consumedPoints > 0) {
          await limiterConsecutiveFailsByUsernameAndIP.delete(usernameIPkey);
        }
      });
    },
    async close() {
      await client.quit();
    },
  };
}

// ---------------------------------------------------------------------------------------------

const SIDES = {
  mamori: mamoriSide,
  'rate-limiter-flexible': peerSide,
  // The same guard on the in-process memory store (--sides mamori,mamori-memory,...): the guard's own CPU, without Redis.
  'mamori-memory': (prefix) => mamoriSide(prefix, MemoryStore),
};
if (STORE_CLOCK === 'both') SIDES['mamori-redis-clock'] = (prefix) => mamoriSide(prefix, RedisStore, 'redis');
if (opt.baseline) {
  const { RedisStore: Baseline } = await import(pathToFileURL(resolve(opt.baseline)).href);
  SIDES['mamori-baseline'] = (prefix) => mamoriSide(prefix, Baseline);
}

async function measure(admin, name, workload, lanes) {
  const prefix = `mamori-bench:${randomBytes(4).toString('hex')}:`;
  const side = await SIDES[name](prefix);
  const w = WORKLOADS[workload].build(ATTEMPTS);
  try {
    const c0 = { ...side.count };
    const r0 = await redisCpu(admin);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await side.run(w, WORKLOADS[workload].stepMs, lanes);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const r1 = await redisCpu(admin);
    const n = w.ips.length;
    return {
      opsPerSec: n / s,
      nodeCpuUs: (cpu.user + cpu.system) / n,
      redisCpuUs: (r1 - r0) / n,
      commands: (side.count.commands - c0.commands) / n,
      roundTrips: (side.count.turns - c0.turns) / n,
      bytesOut: (side.count.bytesOut - c0.bytesOut) / n,
      bytesIn: (side.count.bytesIn - c0.bytesIn) / n,
      refused: side.tally.refused,
    };
  } finally {
    await side.close();
    await sweep(admin, prefix);
  }
}

const admin = new Redis(URL_, { lazyConnect: true, enableOfflineQueue: false, connectTimeout: 2000, maxRetriesPerRequest: 0 });
admin.on('error', () => {});
try {
  await admin.connect();
} catch (err) {
  console.error(`no Redis at ${URL_}: ${err.message} (start one: redis-server --port 6379 --save '' --appendonly no)`);
  process.exit(1);
}

const results = {};
const rows = [];
let met = true;
const order = [...opt.sides.split(','), ...(STORE_CLOCK === 'both' ? ['mamori-redis-clock'] : []), ...(opt.baseline ? ['mamori-baseline'] : [])].filter((s) => s in SIDES);
for (const workload of ONLY) {
  for (const lanes of CONCURRENCY) {
    const runs = Object.fromEntries(order.map((name) => [name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const name of r % 2 ? [...order].reverse() : order) runs[name].push(await measure(admin, name, workload, lanes));
    }
    const key = `${workload}@${lanes}`;
    results[key] = {};
    for (const name of order) {
      const m = (f) => median(runs[name].map((x) => x[f]));
      const agg = { opsPerSec: m('opsPerSec'), nodeCpuUs: m('nodeCpuUs'), redisCpuUs: m('redisCpuUs'), commands: m('commands'), roundTrips: m('roundTrips'), bytesOut: m('bytesOut'), bytesIn: m('bytesIn'), refused: m('refused') };
      results[key][name] = agg;
      rows.push([key, name, num(agg.opsPerSec), num(agg.nodeCpuUs, 1), num(agg.redisCpuUs, 1), num(agg.commands, 2), num(agg.roundTrips, 2), num(agg.bytesOut), num(agg.bytesIn), num(agg.refused)]);
    }
    const a = results[key].mamori;
    const b = results[key]['rate-limiter-flexible'];
    const base = results[key]['mamori-baseline'];
    const ratio = (x, y) => ({ opsPerSec: x.opsPerSec / y.opsPerSec, nodeCpuUs: x.nodeCpuUs / y.nodeCpuUs, redisCpuUs: x.redisCpuUs / y.redisCpuUs, roundTrips: x.roundTrips / y.roundTrips, commands: x.commands / y.commands });
    if (a && base) results[key].vsBaseline = ratio(a, base);
    const rc = results[key]['mamori-redis-clock'];
    if (rc && b) results[key].redisClockVsPeer = ratio(rc, b);
    if (!a || !b) continue;
    results[key].ratio = ratio(a, b);
    if (!(a.opsPerSec >= b.opsPerSec && a.roundTrips < b.roundTrips)) met = false;
  }
}
admin.disconnect();

console.log(`\n${ATTEMPTS} attempts per round, ${ROUNDS} rounds (median), Redis at ${new URL(URL_).host}, the store on ${{ sim: 'the simulated clock', redis: "Redis's clock", both: "the simulated clock (mamori) and Redis's (mamori-redis-clock)" }[STORE_CLOCK]}`);
printTable(['workload@in flight', 'side', 'attempts/s', 'node CPU µs', 'redis CPU µs', 'commands', 'round trips', 'bytes out', 'bytes in', 'refused'], rows);
console.log('');
for (const [key, r] of Object.entries(results)) {
  const line = (x) => `attempts per second ${num(x.opsPerSec, 2)}x, node CPU ${num(x.nodeCpuUs, 2)}x, redis CPU ${num(x.redisCpuUs, 2)}x, round trips ${num(x.roundTrips, 2)}x, commands ${num(x.commands, 2)}x`;
  if (r.ratio) console.log(`${key}: mamori/peer ${line(r.ratio)}`);
  if (r.redisClockVsPeer) console.log(`${key}: mamori-redis-clock/peer ${line(r.redisClockVsPeer)}`);
  if (r.vsBaseline) console.log(`${key}: mamori/baseline ${line(r.vsBaseline)}`);
}
if (order.includes('mamori') && order.includes('rate-limiter-flexible')) verdictLine(met, 'at least as many attempts per second as RateLimiterRedis, with fewer round trips per attempt, on every workload', '');
writeResult('login-redis', { attempts: ATTEMPTS, rounds: ROUNDS, storeClock: STORE_CLOCK, results });
