// Red team (issue 10): does the account floor a flood raised on the SQLite store survive a
// restart (so a restart does not end the DoS)? Floods 12 failed logins per slot, closes, reopens,
// and probes 200 never-seen accounts 2 h later. Usage: node bench/redteam/floor-restart.mjs [tableBytes]
import { ManualClock } from '../../packages/mamori/dist/core/clock.js';
import { SeededRandom } from '../../packages/mamori/dist/core/random.js';
import { LOGIN_DEFAULTS } from '../../packages/mamori/dist/config/config.js';
import { LoginGuard } from '../../packages/mamori/dist/guard/login.js';
import { runFlood } from '../../packages/mamori/dist/sim/flood.js';
import { SqliteStore } from '../../packages/store-sqlite/dist/index.js';
import { rmSync } from 'node:fs';
const bytes = Number(process.argv[2] ?? 65536);
const path = `/tmp/rt10-restart-${process.pid}.db`;
const clock = new ManualClock(Date.UTC(2026, 11, 1));
const make = () => {
  const store = SqliteStore.open({ path, secret: Buffer.alloc(32, 2), clock, maxCounterBytes: bytes });
  const guard = new LoginGuard(LOGIN_DEFAULTS, { store, clock, random: new SeededRandom(4), secret: Buffer.alloc(40, 7), events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
  return { store, guard };
};
let { store, guard } = make();
await runFlood({ guard, clock, shape: 'ones', attempts: 12 * (bytes / 16), bursts: 1, guessesPerBurst: 1 });
const probe = async (tag) => {
  const rules = {};
  for (let i = 0; i < 200; i++) {
    const a = { ip: `2001:db8f:${tag}:${i.toString(16)}::1`, username: `innocent-${tag}-${i}@example.com`, password: 'probe' };
    const v = await guard.check(a);
    await guard.release(a);
    rules[`${v.action}:${v.ruleId}`] = (rules[`${v.action}:${v.ruleId}`] ?? 0) + 1;
  }
  return rules;
};
clock.advance(2 * 3600_000);
console.log('before the restart', JSON.stringify(await probe(1)));
await store.close();
({ store, guard } = make());
console.log('after the restart', JSON.stringify(await probe(2)));
await store.close();
for (const f of [path, path + '-wal', path + '-shm']) rmSync(f, { force: true });
