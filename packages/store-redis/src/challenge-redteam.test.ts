/**
 * Red team of the one-round challenge on Redis (bench/redteam/README-s16.md): two guards on one
 * Redis, a bot that ignores its challenges sending 50 logins at once through both, and the
 * challenge's level read with the check on one guard after failures counted on the other.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, defaultConfig, type Guard, type RequestInfo, type Verdict } from 'mamori';
import { solveChallenge } from 'mamori/internal';
import { ManualClock, SeededRandom } from 'mamori/testing';
import { RedisStore } from './redis-store.js';
import { Prefixes, REDIS_URL, SECRET, redisSkip } from './test-kit.js';

const skip = await redisSkip();
const prefixes = new Prefixes();
after(() => prefixes.sweep());

async function twoGuards(raw: Record<string, unknown>) {
  const clock = new ManualClock(Date.UTC(2026, 11, 2));
  const prefix = prefixes.fresh();
  const stores = [await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix, clock }), await RedisStore.open({ url: REDIS_URL, secret: SECRET, prefix, clock })];
  const config = defaultConfig({
    logins: [{ name: 'shop', path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }],
    challenge: { base_difficulty: 8, max_difficulty: 14 },
    ...raw,
  });
  const guards = stores.map((store, i) => createGuard(config, { store, secret: Buffer.from(SECRET), clock, random: new SeededRandom(5 + i) }));
  const endpoint = config.logins[0]!;
  const req = (ip: string, pass?: string): RequestInfo => ({ ip, path: '/login', method: 'POST', headers: { accept: 'application/json', ...(pass ? { cookie: `mamori_pass=${pass}` } : {}) } });
  /** A wrong password through `g`: what mamori did, and whether the site saw it. */
  const attempt = async (g: Guard, ip: string, username: string, pass?: string) => {
    const r = req(ip, pass);
    const inspected = await g.inspect(r);
    if (g.enforced(inspected)) return { action: inspected.action, verdict: inspected as Verdict, reached: false };
    const p = await g.checkLogin(endpoint, r, { username, password: 'guess' });
    if (g.enforced(p.verdict)) return { action: p.verdict.action, verdict: p.verdict as Verdict, reached: false };
    await g.reportLogin(p, { status: 401, setCookies: [] });
    return { action: 'allow' as Verdict['action'], verdict: p.verdict as Verdict, reached: true };
  };
  /** Solves the challenge `verdict` asks through `g` (at `bits` when given: a cheaper pass); the pass. */
  const solve = async (g: Guard, ip: string, verdict: Verdict, bits?: number): Promise<string> => {
    const page = JSON.parse(String(g.respond(verdict, req(ip)).body)) as { challenge: { token: string; difficulty: number } };
    const token = bits === undefined ? page.challenge.token : g.challenger.issue({ ip, scope: 'site', risk: 0, difficulty: bits }).token;
    const answer = await g.handleChallengeSubmit(req(ip), Buffer.from(JSON.stringify({ token, solution: solveChallenge(token, bits ?? page.challenge.difficulty) })));
    assert.equal(answer.status, 200);
    return (JSON.parse(String(answer.body)) as { pass: string }).pass;
  };
  const close = async (): Promise<void> => {
    for (const g of guards) await g.close();
    for (const s of stores) await s.close();
  };
  return { guards, stores, attempt, solve, close };
}

describe('the one-round challenge, two guards on one Redis (red team s16)', { skip }, () => {
  it('50 logins at once from a bot that ignores its challenges, through both: exactly one decision, then blocked on both', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown): void => void unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    const { guards, stores, attempt, close } = await twoGuards({ login_protection: { challenged: { block_after_ignored: 6 } } });
    try {
      const bot = '203.0.113.81';
      for (let i = 0; i < 5; i++) assert.equal((await attempt(guards[i % 2]!, bot, `user${i}@example.com`)).action, 'allow');
      const all = await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(guards[i % 2]!, bot, `user${100 + i}@example.com`)));
      assert.ok(all.every((r) => !r.reached));
      assert.ok(all.filter((r) => r.action === 'challenge').length >= 6, all.map((r) => r.action).join());
      for (const g of guards) await g.login.settle();
      const decisions = await stores[0]!.decisions.list({});
      assert.equal(decisions.length, 1, decisions.map((d) => d.reason).join('; '));
      assert.match(decisions[0]!.reason, /login challenges this source did not solve/);
      for (const g of guards) assert.equal((await attempt(g, bot, 'user999@example.com')).action, 'block');
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await close();
    }
  });

  it('failures behind solved challenges on one guard make the other ask more; a cheap pass there is asked the same', async () => {
    const { guards, attempt, solve, close } = await twoGuards({ login_protection: { challenged: { block_after_failures: 20 }, user_source: { challenge_after: 1, block_after: 50 } } });
    try {
      const ip = '198.51.100.82';
      const victim = 'erin@example.com';
      const [a, b] = guards as [Guard, Guard];
      await attempt(a, ip, victim);
      const asked: number[] = [];
      for (let level = 0; level < 3; level++) {
        const onB = await attempt(b, ip, victim);
        assert.equal(onB.action, 'challenge');
        asked.push(onB.verdict.difficulty!);
        if (level > 0) {
          const cheap = await Promise.all(Array.from({ length: 6 }, async (_, i) => attempt(guards[i % 2]!, ip, victim, await solve(b, ip, onB.verdict, 8))));
          for (const c of cheap) {
            assert.equal(c.reached, false);
            assert.ok(c.verdict.difficulty! >= onB.verdict.difficulty!, `${c.verdict.difficulty} < ${onB.verdict.difficulty}`);
          }
        }
        const onA = await attempt(a, ip, victim);
        assert.equal((await attempt(a, ip, victim, await solve(a, ip, onA.verdict))).reached, true, `level ${level}`);
      }
      assert.deepEqual(asked, [asked[0], asked[0]! + 1, asked[0]! + 2]);
    } finally {
      await close();
    }
  });
});
