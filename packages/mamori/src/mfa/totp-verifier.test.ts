import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import { totp } from './otp.js';
import { TotpVerifier } from './totp-verifier.js';

const secret = Buffer.from('a secret of twenty b', 'ascii');
const s = { secret };

function setup(policy = {}) {
  // Mid-step, so a step either way is a whole period away.
  const clock = new ManualClock(Date.UTC(2026, 11, 3, 12, 0, 15));
  const store = new MemoryStore({ clock, maxCounterBytes: 1 << 20 });
  return { clock, store, v: new TotpVerifier({ store, clock }, policy) };
}

describe('TotpVerifier', () => {
  it("accepts the current code and the codes of one step either way, not two", async () => {
    const { clock, v } = setup();
    const now = clock.now();
    assert.deepEqual(await v.verify('a1', s, totp(secret, now)), { ok: true, step: Math.floor(now / 30_000), drift: 0 });
    const back = await v.verify('a2', s, totp(secret, now - 30_000));
    assert.equal(back.ok && back.drift, -1);
    const ahead = await v.verify('a3', s, totp(secret, now + 30_000));
    assert.equal(ahead.ok && ahead.drift, 1);
    assert.deepEqual(await v.verify('a4', s, totp(secret, now - 60_000)), { ok: false, reason: 'invalid' });
    assert.deepEqual(await v.verify('a5', s, totp(secret, now + 60_000)), { ok: false, reason: 'invalid' });
  });

  it('accepts a code once: the same code again is a replay, and so is an earlier code still in the window', async () => {
    const { clock, v } = setup();
    const earlier = totp(secret, clock.now() - 30_000);
    const current = totp(secret, clock.now());
    assert.equal((await v.verify('acct', s, current)).ok, true);
    assert.deepEqual(await v.verify('acct', s, current), { ok: false, reason: 'replayed' });
    assert.deepEqual(await v.verify('acct', s, earlier), { ok: false, reason: 'replayed' }, 'a code seen a moment earlier is burnt by the later login');
    // Another account's codes are its own.
    assert.equal((await v.verify('other', s, current)).ok, true);
    // The next step's code still works.
    clock.advance(30_000);
    assert.equal((await v.verify('acct', s, totp(secret, clock.now()))).ok, true);
  });

  it('does not count a malformed code, and reads spaces and hyphens as people type them', async () => {
    const { clock, v } = setup({ maxFailures: 1 });
    assert.deepEqual(await v.verify('acct', s, '12345'), { ok: false, reason: 'malformed' });
    assert.deepEqual(await v.verify('acct', s, 'abcdef'), { ok: false, reason: 'malformed' });
    const code = totp(secret, clock.now());
    assert.equal((await v.verify('acct', s, `${code.slice(0, 3)} ${code.slice(3)}`)).ok, true);
  });

  it('locks the account after maxFailures wrong codes in the window, right code or not, until the window ends', async () => {
    const { clock, v } = setup({ maxFailures: 3, windowMs: 60_000 });
    const right = totp(secret, clock.now());
    const wrong = right === '000000' ? '000001' : '000000';
    for (let i = 0; i < 3; i++) assert.deepEqual(await v.verify('acct', s, wrong), { ok: false, reason: 'invalid' });
    const locked = await v.verify('acct', s, right);
    assert.equal(!locked.ok && locked.reason, 'locked');
    clock.advance(61_000);
    assert.equal((await v.verify('acct', s, totp(secret, clock.now()))).ok, true, 'a new window');
  });

  it('a right code starts the window again, but the day cap counts every wrong code', async () => {
    const { clock, v } = setup({ maxFailures: 3, windowMs: 60_000, maxFailuresPerDay: 4 });
    const wrongFor = (t: number): string => (totp(secret, t) === '000000' ? '000001' : '000000');
    for (let i = 0; i < 2; i++) assert.equal((await v.verify('acct', s, wrongFor(clock.now()))).ok, false);
    assert.equal((await v.verify('acct', s, totp(secret, clock.now()))).ok, true);
    clock.advance(30_000);
    for (let i = 0; i < 2; i++) assert.deepEqual(await v.verify('acct', s, wrongFor(clock.now())), { ok: false, reason: 'invalid' });
    clock.advance(30_000);
    const r = await v.verify('acct', s, totp(secret, clock.now()));
    assert.equal(!r.ok && r.reason, 'locked', 'four wrong codes today');
    assert.equal(!r.ok && r.retryAfterMs, 86_400_000);
  });

  it('holds parallel guesses to the limit: each is counted before it is checked', async () => {
    const { clock, v } = setup({ maxFailures: 5 });
    const right = totp(secret, clock.now());
    const guesses = Array.from({ length: 200 }, (_, i) => String(i).padStart(6, '0')).filter((g) => g !== right);
    const results = await Promise.all(guesses.map((g) => v.verify('acct', s, g)));
    assert.equal(results.filter((r) => !r.ok && r.reason === 'invalid').length, 5, 'five checked');
    assert.equal(results.filter((r) => !r.ok && r.reason === 'locked').length, guesses.length - 5);
  });

  it('reset clears the tries (an operator reset the factor)', async () => {
    const { clock, v } = setup({ maxFailures: 1 });
    const right = totp(secret, clock.now());
    assert.equal((await v.verify('acct', s, right === '000000' ? '111111' : '000000')).ok, false);
    assert.equal((await v.verify('acct', s, right)).ok, false);
    await v.reset('acct');
    assert.equal((await v.verify('acct', s, right)).ok, true);
  });

  it('checks 8-digit SHA-512 enrolments with a 60-second period', async () => {
    const { clock, v } = setup();
    const e = { secret, digits: 8, algorithm: 'sha512' as const, period: 60 };
    const code = totp(secret, clock.now(), e);
    assert.equal(code.length, 8);
    assert.equal((await v.verify('acct', e, code)).ok, true);
    assert.deepEqual(await v.verify('acct2', e, totp(secret, clock.now())), { ok: false, reason: 'malformed' }, 'six digits where eight are due');
  });
});
