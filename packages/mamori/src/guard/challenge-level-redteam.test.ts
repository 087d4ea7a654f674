/**
 * Red team of the one-round challenge (bench/redteam/README-s16.md): the challenge's level read
 * with the check, the ignored count written behind the answer. A bot ignoring challenges in
 * parallel, a store that fails the write behind, and escalation with and without a pass.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loginStack } from './testdata/login-stack.js';
import { LoginKeys } from './login-keys.js';
import { SeededRandom } from '../core/random.js';

const SECRET = Buffer.from('challenge-level-redteam-secret-0123456789');

function stack(raw: Record<string, unknown> = {}) {
  const s = loginStack(SECRET, raw);
  const attempt = (ip: string, username: string, pass?: string) => s.attempt(ip, username, `guess-for-${username}`, pass);
  return { ...s, attempt };
}

describe('the one-round challenge under attack (red team s16)', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown): void => void unhandled.push(err);
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => process.off('unhandledRejection', onUnhandled));

  it('50 logins at once from a bot that ignores its challenges: one decision past block_after_ignored, then blocked', async () => {
    const { attempt, store, guard } = stack({ login_protection: { challenged: { block_after_ignored: 6 } } });
    const bot = '203.0.113.61';
    // Credential stuffing: a new account each time (one account's guesses at once meet its pair lock first).
    for (let i = 0; i < 5; i++) assert.equal((await attempt(bot, `user${i}@example.com`)).action, 'allow');
    const all = await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(bot, `user${100 + i}@example.com`)));
    assert.ok(all.every((r) => !r.reached), 'none reached the site');
    assert.ok(all.filter((r) => r.action === 'challenge').length >= 6, 'challenged past block_after_ignored');
    await guard.login.settle();
    const decisions = await store.decisions.list({});
    assert.equal(decisions.length, 1, 'exactly one decision');
    assert.equal(decisions[0]!.value, bot);
    assert.match(decisions[0]!.reason, /login challenges this source did not solve/);
    assert.equal((await attempt(bot, 'user999@example.com')).action, 'block');
    assert.deepEqual(unhandled, []);
  });

  it('a store that fails the write behind the answer: the challenge is answered, the error reported, nothing unhandled', async () => {
    const { attempt, store, guard } = stack();
    const ip = '203.0.113.62';
    for (let i = 0; i < 5; i++) await attempt(ip, `bob${i}@example.com`);
    const inner = store.increment.bind(store);
    let failed = 0;
    // Every write of one op (the ignored count is written alone) fails, as a store gone away does.
    store.increment = async (ops) => {
      if (ops.length === 1 && ops[0]!.by === 1) {
        failed++;
        throw new Error('ECONNRESET: the store went away');
      }
      return inner(ops);
    };
    const warned: string[] = [];
    const warn = console.warn;
    console.warn = (...a: unknown[]) => void warned.push(a.join(' '));
    try {
      const r = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(ip, `bob${10 + i}@example.com`)));
      assert.ok(r.every((x) => x.action === 'challenge' && !x.reached), r.map((x) => x.action).join());
      await guard.login.settle();
    } finally {
      console.warn = warn;
    }
    // Reported once (at most once a minute), as what it is: not "a successful login" (S16-4).
    assert.equal(warned.length, 1, warned.join('\n'));
    assert.match(warned[0]!, /^mamori: a login count could not be written: ECONNRESET/);
    assert.ok(failed >= 10, `the background writes were tried (${failed})`);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  });

  it('an insufficient pass never gets a cheaper puzzle than no pass at the same level, one at a time or ten at once', async () => {
    const { attempt, solve, guard } = stack({ login_protection: { challenged: { block_after_failures: 20 }, user_source: { challenge_after: 1, block_after: 50 } } });
    const ip = '198.51.100.63';
    const victim = 'carol@example.com';
    await attempt(ip, victim);
    let last = 0;
    for (let level = 0; level < 4; level++) {
      const plain = await attempt(ip, victim);
      assert.equal(plain.action, 'challenge');
      const d0 = plain.verdict.difficulty!;
      assert.ok(d0 >= last, `level ${level}: ${d0} after ${last}`);
      last = d0;
      // A pass solved at the base difficulty (too cheap once the source has failed behind one).
      const cheap = await attempt(ip, victim, await solve(ip, plain.verdict, 8));
      if (level > 0) {
        assert.equal(cheap.action, 'challenge', `level ${level}: a cheap pass does not pay`);
        assert.equal(cheap.verdict.difficulty, d0, `level ${level}: the same puzzle as without the pass`);
        // Ten at once, each with a cheap pass of its own: none is asked less than d0.
        const passes = await Promise.all(Array.from({ length: 10 }, () => solve(ip, plain.verdict, 8)));
        const many = await Promise.all(passes.map((p) => attempt(ip, victim, p)));
        for (const m of many) {
          assert.equal(m.reached, false);
          assert.ok(m.verdict.difficulty! >= d0, `level ${level}: ${m.verdict.difficulty} < ${d0}`);
        }
        await guard.login.settle();
        assert.equal((await attempt(ip, victim)).verdict.difficulty, d0, 'the reservations were all given back');
      }
      // A fair pass, and a wrong password behind it: the level goes up by one.
      const again = await attempt(ip, victim);
      const through = await attempt(ip, victim, await solve(ip, again.verdict));
      assert.equal(through.reached, true, `level ${level}`);
    }
    assert.deepEqual(unhandled, []);
  });

  it("a trusted device's attempt reads the level of its address, in the guard's namespace (enforce and detect)", () => {
    for (const detect of [false, true]) {
      const keys = new LoginKeys({ secret: SECRET, random: new SeededRandom(1), grouping: { ipv4Prefix: 32, ipv6Prefix: 64 }, detect, siteWindowMs: 60_000, sprayWindowMs: 60_000 });
      for (const ip of ['198.51.100.64', '2001:db8::1']) {
        const a = { ip, username: 'dave@example.com', password: 'x' };
        const device = { deviceId: 'device-1', userHash: keys.deviceUserHash('dave@example.com')!, expiresAt: 1e13 };
        const want = keys.sourceCount(ip, 'solved-failures');
        assert.equal(keys.attempt(a, 1, 2, undefined).solvedFailures, want, `${ip} detect=${detect}`);
        assert.equal(keys.attempt(a, 1, 2, device).solvedFailures, want, `${ip} detect=${detect}, a trusted device`);
        assert.notEqual(keys.attempt(a, 1, 2, device).source, keys.attempt(a, 1, 2, undefined).source, 'a device is its own source otherwise');
      }
    }
  });
});
