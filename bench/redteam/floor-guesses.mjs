// Red team (issue 10): the account floor's ratchet lets more than close_after guesses through in
// the hour. The attacker guesses the victim 19 times (below the challenge), then floods fresh
// one-failure accounts (runFlood 'ones') until the floor passes close_after: the victim's count,
// now the lowest in its window, is evicted, and comes back at the floor + 1, past close_after
// without crossing it, so no closure; only NIST's 100 stops the guesses.
// Usage: node bench/redteam/floor-guesses.mjs <tableBytes> <attempts>
import { ManualClock } from '../../packages/mamori/dist/core/clock.js';
import { MemoryStore } from '../../packages/mamori/dist/core/memory-store.js';
import { SeededRandom } from '../../packages/mamori/dist/core/random.js';
import { LOGIN_DEFAULTS } from '../../packages/mamori/dist/config/config.js';
import { LoginGuard } from '../../packages/mamori/dist/guard/login.js';
import { runFlood } from '../../packages/mamori/dist/sim/flood.js';
const [bytes, attempts] = process.argv.slice(2);
const clock = new ManualClock(Date.UTC(2026, 11, 1));
const store = new MemoryStore({ maxCounterBytes: Number(bytes), maxDecisions: 100000, clock, random: new SeededRandom(3) });
const guard = new LoginGuard(LOGIN_DEFAULTS, { store, clock, random: new SeededRandom(4), secret: Buffer.alloc(40, 7), events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
const r = await runFlood({ guard, clock, shape: 'ones', attempts: Number(attempts), bursts: 1, guessesPerBurst: 19 });
console.log(JSON.stringify({ slots: store.table.capacity, ...r }));
