import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { SeededRandom } from '../core/random.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import { createGuard, type Guard } from './guard.js';
import type { RequestInfo } from './verdict.js';

const SECRET = Buffer.from('detect-secret-detect-secret-detect!!');
const LOGIN = {
  name: 'admin-login',
  method: 'POST',
  path: '/login',
  username: { form: 'user' },
  password: { form: 'pass' },
  failure: { status: [401] },
  success: { status: [302] },
};
const ATTACKER = '203.0.113.66';

function guardOn(store: MemoryStore, clock: ManualClock, raw: Record<string, unknown>): Guard {
  return createGuard(defaultConfig({ logins: [LOGIN], ...raw }), { store, secret: SECRET, clock, random: new SeededRandom(3) });
}

const req = (ip: string): RequestInfo => ({ ip, method: 'POST', path: '/login', headers: {} });

/** One login through the guard: its verdict, and the site's answer reported when the guard let it through. */
async function login(g: Guard, ip: string, user: string, pass: string, ok = false) {
  const p = await g.checkLogin(g.config.logins[0]!, req(ip), { username: user, password: pass });
  if (!g.enforced(p.verdict)) await g.reportLogin(p, { status: ok ? 302 : 401 });
  return p.verdict;
}

/** An attack on `admin` in detect mode: past every threshold (lock, closure, NIST's limit, stuffing, spraying). */
async function attack(g: Guard, clock: ManualClock): Promise<void> {
  for (let i = 0; i < 110; i++) {
    await login(g, i < 30 ? ATTACKER : `198.51.100.${i}`, 'admin', 'Summer2026!');
    clock.advance(100);
  }
  for (let i = 0; i < 25; i++) await login(g, ATTACKER, `user${i}`, 'Summer2026!');
}

for (const raw of [{ mode: 'detect' }, { login_protection: { mode: 'detect' } }]) {
  describe(`detect mode records, never enforces later (${JSON.stringify(raw)})`, () => {
    it('after a switch to enforce on the same store, the admin gets in at once and nothing detect mode decided applies', async () => {
      const clock = new ManualClock();
      const store = new MemoryStore({ clock, random: new SeededRandom(1), maxCounterBytes: 1 << 20 });
      const detect = guardOn(store, clock, raw);
      await attack(detect, clock);

      // What detect mode recorded: decisions on the account and the source, marked, and marked events.
      const decisions = await store.decisions.list();
      assert.deepEqual(decisions.map((d) => d.scope).sort(), ['ip', 'user']);
      assert.ok(decisions.every((d) => d.detectOnly === true && d.origin === 'guard.login'));
      const events = await store.events.query({ limit: 10_000 });
      const actions = new Set(events.map((e) => e['event.action']));
      for (const a of ['login-failure', 'login-blocked', 'lockout', 'account-closed', 'credential-stuffing', 'password-spraying']) assert.ok(actions.has(a), a);
      assert.ok(events.every((e) => e['mamori.detect_only'] === true), 'every login event from detect mode carries the mark');
      // In detect mode the guard still says what it would have done, and does not do it.
      const would = await detect.checkLogin(detect.config.logins[0]!, req(ATTACKER), { username: 'admin', password: 'x' });
      assert.equal(would.verdict.action, 'block');
      assert.equal(would.verdict.detectOnly, true);
      assert.equal(detect.enforced(would.verdict), false);
      await detect.releaseLogin(would);

      // The same store, now enforcing.
      const enforce = guardOn(store, clock, {});
      for (const ip of ['192.0.2.10', ATTACKER]) {
        const v = await login(enforce, ip, 'admin', 'correct horse', true);
        assert.equal(v.action, 'allow', `the admin from ${ip}: ${v.reason}`);
      }
      assert.equal((await login(enforce, ATTACKER, 'user3', 'Summer2026!')).action, 'allow', 'the source is not held by what detect mode counted');
      assert.equal((await login(enforce, '192.0.2.11', 'user9', 'Summer2026!')).action, 'allow', 'nor the password');
      assert.equal((await enforce.inspect({ ip: ATTACKER, method: 'GET', path: '/', headers: {} })).action, 'allow', 'the detect-mode IP decision is not enforced');
      assert.equal((await store.decisions.list()).length, 2, 'and it is still listed');
      // Enforcing counts afresh: the admin's own pair is challenged after its own five failures.
      for (let i = 0; i < 5; i++) assert.equal((await login(enforce, '192.0.2.12', 'admin', 'typo')).action, 'allow');
      assert.equal((await login(enforce, '192.0.2.12', 'admin', 'typo')).action, 'challenge');
    });
  });
}

describe('detect mode, the other way round', () => {
  it('a guard in detect mode sees what enforce mode decided only as what it would do', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, random: new SeededRandom(1), maxCounterBytes: 1 << 20 });
    await store.decisions.add({ action: 'block', scope: 'ip', value: ATTACKER, expiresAt: clock.now() + 60_000, origin: 'cli', reason: 'operator' });
    const detect = guardOn(store, clock, { mode: 'detect' });
    const v = await detect.inspect({ ip: ATTACKER, method: 'GET', path: '/', headers: {} });
    assert.equal(v.action, 'block');
    assert.equal(detect.enforced(v), false);
    const enforce = guardOn(store, clock, {});
    assert.equal(enforce.enforced(await enforce.inspect({ ip: ATTACKER, method: 'GET', path: '/', headers: {} })), true);
  });
});

describe('Guard.deleteDecisions', () => {
  it('deletes a login decision and lifts the closure its counts kept up', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, random: new SeededRandom(1), maxCounterBytes: 1 << 20 });
    // Closed at the 50th failure, with no challenge before it (which a script would not pass).
    const g = guardOn(store, clock, { login_protection: { user: { challenge_after: 50, close_after: 50 } } });
    for (let i = 0; i < 50; i++) assert.equal((await login(g, `198.51.100.${i}`, 'admin', 'guess')).action, 'allow');
    assert.equal((await login(g, '192.0.2.10', 'admin', 'correct horse', true)).action, 'block');
    await store.decisions.add({ action: 'block', scope: 'ip', value: '192.0.2.99', expiresAt: clock.now() + 60_000, origin: 'cli', reason: 'kept' });
    assert.equal(await g.deleteDecisions({ scope: 'user' }), 1);
    assert.equal((await login(g, '192.0.2.10', 'admin', 'correct horse', true)).action, 'allow');
    assert.equal((await store.decisions.list()).length, 1, 'only what the filter matched');
    assert.equal(await g.deleteDecisions({ id: 'no-such-id' }), 0);
  });
});
