// Red team (issue 10): how many failed logins raise the account kind's floor so that innocent,
// never-seen accounts are challenged/refused. Usage: node bench/redteam/floor-dos.mjs <tableBytes> <attempts> <shape> [count]
import { ManualClock } from '../../packages/mamori/dist/core/clock.js';
import { MemoryStore } from '../../packages/mamori/dist/core/memory-store.js';
import { SeededRandom } from '../../packages/mamori/dist/core/random.js';
import { LOGIN_DEFAULTS } from '../../packages/mamori/dist/config/config.js';
import { LoginGuard } from '../../packages/mamori/dist/guard/login.js';
import { runFlood } from '../../packages/mamori/dist/sim/flood.js';
const [bytes, attempts, shape, count] = process.argv.slice(2);
const clock = new ManualClock(Date.UTC(2026, 11, 1));
const store = new MemoryStore({ maxCounterBytes: Number(bytes), maxDecisions: 100000, clock, random: new SeededRandom(3) });
const guard = new LoginGuard(LOGIN_DEFAULTS, { store, clock, random: new SeededRandom(4), secret: Buffer.alloc(40, 7), events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
const r = await runFlood({ guard, clock, shape, attempts: Number(attempts), bursts: 10, ...(count ? { count: Number(count) } : {}) });
console.log(JSON.stringify({ slots: store.table.capacity, ...r, evictions: store.table.evictions }));
async function probeAll(tag) {
  const rules = {};
  for (let i = 0; i < 1000; i++) {
    const a = { ip: `2001:db8f:${tag}:${i.toString(16)}::1`, username: `innocent-${tag}-${i}@example.com`, password: 'probe' };
    const v = await guard.check(a);
    await guard.release(a);
    const k = `${v.action}:${v.ruleId}`;
    rules[k] = (rules[k] ?? 0) + 1;
  }
  return rules;
}
console.log('right after', JSON.stringify(await probeAll(1)));
clock.advance(2 * 3600_000);
console.log('+2h (site window over)', JSON.stringify(await probeAll(2)), 'floor-spilled', store.table.spilled);
clock.advance(21 * 3600_000);
console.log('+23h', JSON.stringify(await probeAll(3)));
clock.advance(2 * 3600_000);
console.log('+25h', JSON.stringify(await probeAll(4)));
