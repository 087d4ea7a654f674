/**
 * Red team, session 23: a stolen trusted-device cookie after "a trusted device's check counts its
 * pair and its day budgets only" (no op on the account's and the site's counts, no spray keys).
 * No weakening was found: these hold the budgets as they were before the change (the same
 * figures, bench/redteam/rt23-trusted-budget.mjs and rt23-trusted-multi.mjs, before and after).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { SeededRandom } from '../core/random.js';
import { MemoryStore } from '../core/memory-store.js';
import { LOGIN_DEFAULTS, type LoginProtectionConfig } from '../config/config.js';
import { LoginGuard, type LoginAttempt } from './login.js';

const SECRET = Buffer.from('test-secret-test-secret-test-secret!');

function setup(detect = false) {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock, random: new SeededRandom(7), maxCounterBytes: 1 << 22 });
  const actions: string[] = [];
  const config: LoginProtectionConfig = detect ? { ...LOGIN_DEFAULTS, mode: 'detect' } : LOGIN_DEFAULTS;
  const guard = new LoginGuard(config, { store, clock, random: new SeededRandom(9), secret: SECRET, events: { emit: (e) => actions.push(String(e['event.action'])) }, grouping: { ipv4Prefix: 32, ipv6Prefix: 64 } });
  return { clock, guard, actions };
}

async function token(guard: LoginGuard, username: string): Promise<string> {
  const { deviceToken } = await guard.report({ ip: '192.0.2.10', username }, true);
  assert.ok(deviceToken);
  return deviceToken;
}

/** Guesses with stolen cookies (`tokens`, taken in turn), `par` at a time, each from its own address, every challenge solved. */
async function attack(env: ReturnType<typeof setup>, tokens: string[], n: number, par: number, ownerEvery = 0) {
  let trusted = 0;
  let untrusted = 0;
  for (let i = 0; i < n; i += par) {
    if (ownerEvery && (i / par) % ownerEvery === 0) {
      const o: LoginAttempt = { ip: '192.0.2.10', username: 'victim', deviceToken: tokens[0] };
      await env.guard.check(o);
      await env.guard.report(o, true, { deviceToken: false });
    }
    const wave: Promise<void>[] = [];
    for (let j = 0; j < par && i + j < n; j++) {
      const x = i + j;
      const a: LoginAttempt = { ip: `198.51.${(x >> 8) & 255}.${x & 255}`, username: 'victim', password: `guess-${x}`, deviceToken: tokens[x % tokens.length], challengePassed: true };
      wave.push(
        env.guard.check(a).then(async (v) => {
          if (v.action !== 'allow' && !v.detectOnly) return;
          if (v.trustedDevice) trusted++;
          else untrusted++;
          await env.guard.report(a, false);
        }),
      );
    }
    await Promise.all(wave);
    env.clock.advance(30_000);
  }
  return { trusted, untrusted };
}

describe('red team S23: a stolen trusted-device cookie within a day', () => {
  const t = LOGIN_DEFAULTS.trustedDevice;
  for (const [name, cookies, par, owner] of [
    ['one cookie, one at a time', 1, 1, 0],
    ['one cookie, the owner logging in between', 1, 1, 7],
    ['one cookie, 16 in parallel', 1, 16, 0],
    ['five cookies, the owner logging in between', 5, 1, 7],
    ['five cookies, 16 in parallel', 5, 16, 3],
  ] as const) {
    it(`${name}: at most max_failures_per_device guesses per cookie and per_account in all pass as trusted; the account closes to the rest`, async () => {
      const env = setup();
      const tokens: string[] = [];
      for (let i = 0; i < cookies; i++) tokens.push(await token(env.guard, 'victim'));
      const r = await attack(env, tokens, 600, par, owner);
      assert.ok(r.trusted <= Math.min(cookies * t.maxFailuresPerDevice, t.maxFailuresPerAccount), JSON.stringify(r));
      // (untrusted: the account's close_after, then NIST's 100 at most, in the day)
      assert.ok(r.untrusted <= 100, JSON.stringify(r));
      if (r.untrusted >= LOGIN_DEFAULTS.user.closeAfter) assert.ok(env.actions.includes('account-closed'), env.actions.join(' '));
    });
  }

  it('detect mode: the cookie is reported as capped, and the account as closed, at the same counts', async () => {
    const env = setup(true);
    const r = await attack(env, [await token(env.guard, 'victim')], 200, 1);
    assert.equal(r.trusted, t.maxFailuresPerDevice, JSON.stringify(r));
    assert.ok(env.actions.includes('device-capped'));
    assert.ok(env.actions.includes('account-closed'));
  });
});
