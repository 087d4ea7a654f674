// Budgets of trusted devices under random interleavings (4 cookies of one account, parallel bursts, re-checks,
// releases, successes, a store answering after 0-3 turns of the event loop): the most trusted failures
// let through for one device and for the account. node bench/redteam/rt24-trusted-fuzz.mjs ROOT SEEDS
const ROOT = process.argv[2] ?? '/work/wt-rt24';
const { ManualClock } = await import(ROOT + '/packages/mamori/dist/core/clock.js');
const { SeededRandom } = await import(ROOT + '/packages/mamori/dist/core/random.js');
const { MemoryStore } = await import(ROOT + '/packages/mamori/dist/core/memory-store.js');
const { LOGIN_DEFAULTS } = await import(ROOT + '/packages/mamori/dist/config/config.js');
const { LoginGuard } = await import(ROOT + '/packages/mamori/dist/guard/login.js');
let worst = { dev: 0, acct: 0 };
for (let seed = 1; seed <= +(process.argv[3] ?? 30); seed++) {
  let s = seed * 2654435761 >>> 0; const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const clock = new ManualClock();
  const store = new MemoryStore({ clock, random: new SeededRandom(seed), maxCounterBytes: 1 << 24 });
  const wrap = (name) => { const f = store[name].bind(store); store[name] = async (...a) => { const n = Math.floor(rnd() * 4); for (let i = 0; i < n; i++) await new Promise(r => setImmediate(r)); return f(...a); }; };
  for (const m of ['increment', 'read', 'addDistinct', 'removeDistinct']) if (store[m]) wrap(m);
  const cfg = { ...LOGIN_DEFAULTS, user: { ...LOGIN_DEFAULTS.user, challengeAfter: 1e9, closeAfter: 1e9 }, userSource: { ...LOGIN_DEFAULTS.userSource, challengeAfter: 1e9, blockAfter: 1e9 } };
  const g = new LoginGuard(cfg, { store, clock, random: new SeededRandom(9), secret: Buffer.from('x'.repeat(40)), events: { emit() {} }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
  const U = 'o@example.com';
  const toks = []; for (let i = 0; i < 4; i++) toks.push((await g.report({ ip: `192.0.2.${i+1}`, username: U }, true)).deviceToken);
  const per = new Map(); let k = 0;
  for (let round = 0; round < 12; round++) {
    const n = 1 + Math.floor(rnd() * 60);
    const as = Array.from({ length: n }, () => ({ ip: `10.3.${(k >> 8) & 255}.${k++ & 255}`, username: U, deviceToken: toks[Math.floor(rnd() * toks.length)], challengePassed: true }));
    await Promise.all(as.map(async (a) => {
      let v = await g.check(a);
      if (v.action === 'allow' && rnd() < 0.3) v = await g.check(a);
      if (v.action !== 'allow') return;
      const r = rnd();
      if (r < 0.15) return g.release(a);
      if (r < 0.2) return g.report(a, true);
      if (v.trustedDevice) per.set(a.deviceToken, (per.get(a.deviceToken) ?? 0) + 1);
      return g.report(a, false);
    }));
    await g.settle();
    clock.advance(Math.floor(rnd() * 3_600_000));
  }
  const dev = Math.max(0, ...per.values()); const acct = [...per.values()].reduce((x, y) => x + y, 0);
  worst = { dev: Math.max(worst.dev, dev), acct: Math.max(worst.acct, acct) };
  if (dev > 20 || acct > 50) console.log('OVER', seed, dev, acct);
}
console.log(ROOT, 'worst', worst);
