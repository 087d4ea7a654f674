// S23R: a stolen trusted-device cookie against login protection after "a trusted device's check
// counts its pair and its day budgets only" (46e3f49). Counts the guesses let through in a day,
// sequential and parallel, from many sources, solving every challenge; and the account's state after.
// node bench/redteam/rt23-trusted-budget.mjs
import { ManualClock } from '../../packages/mamori/dist/core/clock.js';
import { SeededRandom } from '../../packages/mamori/dist/core/random.js';
import { MemoryStore } from '../../packages/mamori/dist/core/memory-store.js';
import { LOGIN_DEFAULTS } from '../../packages/mamori/dist/config/config.js';
import { LoginGuard } from '../../packages/mamori/dist/guard/login.js';

const SECRET = Buffer.from('test-secret-test-secret-test-secret!');
export function setup(config = LOGIN_DEFAULTS, detect = false) {
  if (detect) config = { ...config, mode: "detect" };
  const clock = new ManualClock();
  const store = new MemoryStore({ clock, random: new SeededRandom(7), maxCounterBytes: 1 << 22 });
  const events = [];
  const guard = new LoginGuard(config, { store, clock, random: new SeededRandom(9), secret: SECRET, events: { emit: (e) => events.push(e) }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
  return { clock, store, guard, events };
}

export async function stolen(guard, username) {
  const { deviceToken } = await guard.report({ ip: '192.0.2.10', username }, true);
  return deviceToken;
}

/** n guesses with the cookie, `par` at a time, each from its own address, every challenge solved; the clock steps `stepMs` between waves. */
export async function attack(env, { n = 400, par = 1, stepMs = 60_000, username = 'victim' } = {}) {
  const token = await stolen(env.guard, username);
  let trusted = 0, untrusted = 0, refused = 0;
  for (let i = 0; i < n; i += par) {
    const wave = [];
    for (let j = 0; j < par && i + j < n; j++) {
      const a = { ip: `198.51.${(i + j) >> 8 & 255}.${(i + j) & 255}`, username, password: `guess-${i + j}`, deviceToken: token, challengePassed: true };
      wave.push(env.guard.check(a).then(async (v) => {
        if (v.action !== 'allow') { refused++; return; }
        if (v.trustedDevice) trusted++; else untrusted++;
        await env.guard.report(a, false);
      }));
    }
    await Promise.all(wave);
    env.clock.advance(stepMs);
  }
  return { trusted, untrusted, refused };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t = LOGIN_DEFAULTS.trustedDevice;
  console.log(`max_failures_per_device ${t.maxFailuresPerDevice}, per_account ${t.maxFailuresPerAccount}, close_after ${LOGIN_DEFAULTS.user.closeAfter}`);
  for (const [name, opts] of [['sequential', { par: 1 }], ['parallel 16', { par: 16 }], ['parallel 64', { par: 64, n: 640 }]]) {
    const env = setup();
    const r = await attack(env, opts);
    const closed = env.events.filter((e) => e['event.action'] === 'account-closed').length;
    console.log(`${name}: let through as trusted ${r.trusted}, as untrusted ${r.untrusted}, refused ${r.refused}; account closures ${closed}`);
  }
}
