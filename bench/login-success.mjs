/**
 * Successful logins, the path users run most, through the public API at product defaults:
 * mamori's `guard.checkCredentials` + `reportCredentials(true)` on `createGuard(defaultConfig())`
 * (a trusted-device cookie made for each, a login-success event kept by the memory store,
 * every detector live, a password given) versus rate-limiter-flexible's documented login
 * pattern on a success (`get` both limiters before the check, `delete` the username+IP key
 * after it, as its wiki says).
 *
 * Workload, the same for both: returning users (20,000 accounts) from 1,000 sources, every
 * login right. CPU per login as the OS counts it (user + system time of this process), median
 * of interleaved rounds, each round on a fresh instance.
 *
 *   node bench/login-success.mjs [--logins 50000] [--rounds 7]
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createGuard, defaultConfig, MemoryStore } from 'mamori';
import { median, num, printTable, verdictLine, writeResult, machine } from './lib.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const LOGINS = arg('logins', 50_000);
const ROUNDS = arg('rounds', 7);
const USERS = 20_000;
const SOURCES = 1_000;

const users = Array.from({ length: LOGINS }, (_, i) => `user${(i * 7919) % USERS}@example.com`);
const ips = Array.from({ length: LOGINS }, (_, i) => `10.${(i % SOURCES) >> 8}.${i % SOURCES & 255}.${(i * 31) % 250}`);

async function mamori() {
  const guard = createGuard(defaultConfig(), { store: new MemoryStore(), secret: Buffer.alloc(32, 7) });
  const t = process.cpuUsage();
  for (let i = 0; i < LOGINS; i++) {
    const req = { ip: ips[i], method: 'POST', path: '/login', headers: { 'user-agent': 'bench' } };
    const p = await guard.checkCredentials(req, { username: users[i], password: 'right-password' });
    if (guard.enforced(p.verdict)) throw new Error(`refused: ${p.verdict.reason}`);
    const { setCookie } = await guard.reportCredentials(p, true);
    if (!setCookie) throw new Error('no trusted-device cookie');
  }
  const u = process.cpuUsage(t);
  await guard.close();
  return (u.user + u.system) / LOGINS;
}

async function peer() {
  const byIp = new RateLimiterMemory({ keyPrefix: 'login_fail_ip_per_day', points: 100, duration: 60 * 60 * 24, blockDuration: 60 * 60 * 24 });
  const byUserIp = new RateLimiterMemory({ keyPrefix: 'login_fail_consecutive_username_and_ip', points: 10, duration: 60 * 60 * 24 * 24, blockDuration: 60 * 60 });
  const t = process.cpuUsage();
  for (let i = 0; i < LOGINS; i++) {
    const key = `${users[i]}_${ips[i]}`;
    const [a, b] = await Promise.all([byUserIp.get(key), byIp.get(ips[i])]);
    if ((a !== null && a.consumedPoints > 10) || (b !== null && b.consumedPoints > 100)) throw new Error('refused');
    // The password was right: the wiki's pattern deletes the username+IP count.
    await byUserIp.delete(key);
  }
  const u = process.cpuUsage(t);
  return (u.user + u.system) / LOGINS;
}

const m = [];
const p = [];
for (let r = 0; r < ROUNDS; r++) {
  m.push(await mamori());
  p.push(await peer());
  globalThis.gc?.();
}
const mm = median(m);
const pm = median(p);
console.log(`login-success: ${num(LOGINS)} successful logins per round (${num(USERS)} accounts, ${num(SOURCES)} sources), ${ROUNDS} interleaved rounds per side\n`);
printTable(
  ['measure', 'mamori', 'rate-limiter-flexible', 'ratio'],
  [
    ['CPU per successful login, median', `${mm.toFixed(2)} us`, `${pm.toFixed(2)} us`, `${(mm / pm).toFixed(2)}x`],
    ['  rounds', m.map((x) => x.toFixed(1)).join(' '), p.map((x) => x.toFixed(1)).join(' '), ''],
    ['successful logins per CPU second', num(1e6 / mm), num(1e6 / pm), `${(pm / mm).toFixed(2)}x`],
  ],
);
console.log('(mamori does more on each: a trusted-device token, an event, five detectors; the peer deletes one key)');
writeResult('login-success', { machine: machine(), logins: LOGINS, rounds: ROUNDS, mamoriUsPerLogin: m, peerUsPerLogin: p, ratio: pm / mm });
