// Red team (issue 10): failed logins a flood needs before every never-seen account is challenged
// (floor >= challenge_after) or refused (closed). Floods in rounds on one table and probes
// 200 fresh accounts 2 h after each round (the site-wide window over).
// Usage: node bench/redteam/floor-cost.mjs <tableBytes> <shape> <roundAttempts> <rounds> [sqlite]
import { ManualClock } from '../../packages/mamori/dist/core/clock.js';
import { MemoryStore } from '../../packages/mamori/dist/core/memory-store.js';
import { SeededRandom } from '../../packages/mamori/dist/core/random.js';
import { LOGIN_DEFAULTS } from '../../packages/mamori/dist/config/config.js';
import { LoginGuard } from '../../packages/mamori/dist/guard/login.js';
import { runFlood } from '../../packages/mamori/dist/sim/flood.js';
import { SqliteStore } from '../../packages/store-sqlite/dist/index.js';
const [bytes, shape, per, rounds, kind] = process.argv.slice(2);
const clock = new ManualClock(Date.UTC(2026, 11, 1));
const dbPath = `/tmp/rt10-floor-${process.pid}.db`;
const store = kind === 'sqlite'
  ? SqliteStore.open({ path: dbPath, secret: Buffer.alloc(32, 2), clock, maxCounterBytes: Number(bytes), maxDecisions: 100000 })
  : new MemoryStore({ maxCounterBytes: Number(bytes), maxDecisions: 100000, clock, random: new SeededRandom(3) });
const slots = Number(bytes) / 16;
const guard = new LoginGuard(LOGIN_DEFAULTS, { store, clock, random: new SeededRandom(4), secret: Buffer.alloc(40, 7), events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
let total = 0;
for (let r = 1; r <= Number(rounds); r++) {
  await runFlood({ guard, clock, shape, attempts: Number(per), bursts: 1, guessesPerBurst: 1 });
  total += Number(per);
  clock.advance(2 * 3600_000);
  const rules = {};
  let sample = '';
  for (let i = 0; i < 200; i++) {
    const a = { ip: `2001:db8f:${r}:${i.toString(16)}::1`, username: `innocent-${r}-${i}@example.com`, password: 'probe' };
    const v = await guard.check(a);
    await guard.release(a);
    rules[`${v.action}:${v.ruleId}`] = (rules[`${v.action}:${v.ruleId}`] ?? 0) + 1;
    if (v.ruleId === 'login.user') sample = v.reason;
  }
  console.log(JSON.stringify({ slots: slots, shape, total, perSlot: +(total / slots).toFixed(1), rules, sample }));
}
if (kind === 'sqlite') {
  await store.close();
  const { rmSync } = await import('node:fs');
  for (const f of [dbPath, dbPath + '-wal', dbPath + '-shm']) rmSync(f, { force: true });
}
