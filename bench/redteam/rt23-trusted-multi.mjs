// S23R: several stolen cookies of one account, interleaved with the owner's logins; detect mode. Counts let through in a day.
// node bench/redteam/rt23-trusted-multi.mjs [packages dir]
const base = process.argv[2] ?? new URL('../../packages/', import.meta.url).pathname;
const { setup, stolen } = await import(base.replace(/packages\/?$/, '') + 'bench/redteam/rt23-trusted-budget.mjs').catch(() => import('./rt23-trusted-budget.mjs'));
const { LOGIN_DEFAULTS } = await import(base + '/mamori/dist/config/config.js');

async function run(detect, cookies, ownerEvery) {
  const env = setup(LOGIN_DEFAULTS, detect);
  const tokens = [];
  for (let i = 0; i < cookies; i++) tokens.push(await stolen(env.guard, 'victim'));
  let trusted = 0, untrusted = 0, refused = 0, detectOnly = 0;
  for (let i = 0; i < 600; i++) {
    if (ownerEvery && i % ownerEvery === 0) {
      const o = { ip: '192.0.2.10', username: 'victim', deviceToken: tokens[0] };
      await env.guard.check(o);
      await env.guard.report(o, true, { deviceToken: false });
    }
    const a = { ip: `198.51.${i >> 8}.${i & 255}`, username: 'victim', password: `g${i}`, deviceToken: tokens[i % cookies], challengePassed: true };
    const v = await env.guard.check(a);
    if (v.detectOnly) detectOnly++;
    if (v.action !== 'allow' && !v.detectOnly) { refused++; continue; }
    if (v.trustedDevice) trusted++; else untrusted++;
    await env.guard.report(a, false);
    env.clock.advance(30_000);
  }
  const closed = env.events.filter((e) => e['event.action'] === 'account-closed').length;
  const capped = env.events.filter((e) => e['event.action'] === 'device-capped').length;
  return `trusted ${trusted} untrusted ${untrusted} refused ${refused} detectOnly ${detectOnly} closures ${closed} device-capped ${capped}`;
}
for (const detect of [false, true]) for (const cookies of [1, 3, 5]) for (const ownerEvery of [0, 7]) console.log(`detect ${detect} cookies ${cookies} owner every ${ownerEvery}: ${await run(detect, cookies, ownerEvery)}`);
