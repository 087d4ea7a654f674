// S24R-2: a stolen cookie's flood of N checks (challenged, so refunded) in flight, and the owner's check with the same cookie: how long it waits.
// node bench/redteam/rt24-owner-wait.mjs ROOT N   (ROOT: a built worktree, e.g. this one or a build of 000849d); the store answers in 2 ms.
const ROOT = process.argv[2];
const { ManualClock } = await import(ROOT + '/packages/mamori/dist/core/clock.js');
const { SeededRandom } = await import(ROOT + '/packages/mamori/dist/core/random.js');
const { MemoryStore } = await import(ROOT + '/packages/mamori/dist/core/memory-store.js');
const { LOGIN_DEFAULTS } = await import(ROOT + '/packages/mamori/dist/config/config.js');
const { LoginGuard } = await import(ROOT + '/packages/mamori/dist/guard/login.js');
const clock = new ManualClock();
const store = new MemoryStore({ clock, random: new SeededRandom(24), maxCounterBytes: 1 << 24 });
const inc = store.increment.bind(store);
// a networked store: 2 ms a call, calls in parallel
store.increment = (ops) => new Promise(r => setTimeout(r, 2)).then(() => inc(ops));
const g = new LoginGuard({ ...LOGIN_DEFAULTS }, { store, clock, random: new SeededRandom(9), secret: Buffer.from('x'.repeat(40)), events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
const U='o@example.com';
const tok = (await g.report({ ip: '192.0.2.10', username: U }, true)).deviceToken;
const N = +process.argv[3] || 1000;
const as = Array.from({ length: N }, (_, i) => ({ ip: `10.1.${(i >> 8) & 255}.${i & 255}`, username: U, deviceToken: tok }));
const ps = as.map(a => g.check(a));
const t0 = performance.now();
const v = await g.check({ ip: '192.0.2.10', username: U, deviceToken: tok });
console.log(ROOT, N, 'owner waited', (performance.now()-t0).toFixed(0), 'ms', v.action, v.trustedDevice);
await Promise.all(ps);
