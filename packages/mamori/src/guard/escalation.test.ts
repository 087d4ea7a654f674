import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { loginStack } from './testdata/login-stack.js';

const SECRET = Buffer.from('escalation-test-secret-escalation-test');

/** The shared login stack (testdata/login-stack.ts), every guess a wrong password. */
function stack(raw: Record<string, unknown> = {}) {
  const s = loginStack(SECRET, raw);
  const attempt = (ip: string, username: string, pass?: string) => s.attempt(ip, username, `guess-for-${username}`, pass);
  return { ...s, attempt };
}

describe('challenges that escalate', () => {
  it('a pass solved at a lower difficulty does not answer a harder challenge', async () => {
    const { attempt, solve } = stack();
    const ip = '198.51.100.40';
    // Five accounts failing from one source: credential stuffing, a high-risk challenge.
    for (let i = 0; i < 5; i++) assert.equal((await attempt(ip, `user${i}@example.com`)).action, 'allow');
    const challenged = await attempt(ip, 'user9@example.com');
    assert.equal(challenged.action, 'challenge');
    assert.equal(challenged.verdict.ruleId, 'login.stuffing');
    const asked = challenged.verdict.difficulty!;
    assert.ok(asked > 8, `asked ${asked}`);
    const cheap = await solve(ip, challenged.verdict, 8);
    const refused = await attempt(ip, 'user9@example.com', cheap);
    assert.equal(refused.action, 'challenge', 'a cheap pass collected in advance does not pay for a harder puzzle');
    const fair = await solve(ip, refused.verdict);
    const through = await attempt(ip, 'user9@example.com', fair);
    assert.equal(through.action, 'allow');
    assert.equal(through.reached, true);
  });

  it('each failure after a solved challenge makes the next one harder; past the limit the source is blocked by a decision', async () => {
    const { attempt, solve, store, guard } = stack({ login_protection: { challenged: { block_after_failures: 4 }, user_source: { challenge_after: 1, block_after: 50 } } });
    const ip = '198.51.100.41';
    const victim = 'alice@example.com';
    assert.equal((await attempt(ip, victim)).reached, true);
    const asked: number[] = [];
    let r = await attempt(ip, victim);
    for (let i = 0; i < 4; i++) {
      assert.equal(r.action, 'challenge', `round ${i}`);
      asked.push(r.verdict.difficulty!);
      const through = await attempt(ip, victim, await solve(ip, r.verdict));
      assert.equal(through.reached, true, `round ${i}: the solved challenge buys one guess`);
      r = await attempt(ip, victim);
    }
    assert.deepEqual(asked, [asked[0], asked[0]! + 1, asked[0]! + 2, asked[0]! + 3]);
    assert.equal(r.action, 'block', 'after 4 failures behind solved challenges');
    const decisions = await store.decisions.list({});
    assert.equal(decisions.length, 1);
    assert.deepEqual([decisions[0]!.scope, decisions[0]!.value, decisions[0]!.action, decisions[0]!.reason], ['ip', ip, 'block', '4 failed logins after solving challenges from this source']);
    // Pages too: the decision is on the source.
    assert.equal((await guard.inspect({ ip, path: '/', method: 'GET', headers: {} })).action, 'block');
    // Deleting it lifts the escalation as well: the next challenge is back at its base.
    assert.equal(await guard.deleteDecisions({ id: decisions[0]!.id }), 1);
    const again = await attempt(ip, victim);
    assert.equal(again.action, 'challenge');
    assert.equal(again.verdict.difficulty, asked[0]);
  });

  it('a source that ignores its challenges is blocked by a decision; one that solves them is not', async () => {
    const { attempt, solve, store } = stack({ login_protection: { challenged: { block_after_ignored: 6 } } });
    const bot = '203.0.113.42';
    const actions: string[] = [];
    for (let i = 0; i < 15; i++) actions.push((await attempt(bot, 'alice@example.com')).action);
    assert.deepEqual(actions, [...Array(5).fill('allow'), ...Array(6).fill('challenge'), ...Array(4).fill('block')]);
    const [d] = await store.decisions.list({});
    assert.equal(d?.value, bot);
    assert.equal(d?.reason, '6 login challenges this source did not solve');
    // A person who solves each challenge she is given is never counted as ignoring them.
    const person = '192.0.2.43';
    for (let i = 0; i < 5; i++) await attempt(person, 'bob@example.com');
    for (let i = 0; i < 8; i++) {
      const r = await attempt(person, 'bob@example.com');
      assert.equal(r.action, 'challenge', `round ${i}`);
      await solve(person, r.verdict);
    }
    assert.equal((await store.decisions.list({})).length, 1, 'only the bot was blocked');
  });

  it('a challenge is given after one store round: its level comes with the check, the ignored count is written behind the answer', async () => {
    const { attempt, store, guard, endpoint, req, solve } = stack({ login_protection: { challenged: { block_after_failures: 9 }, user_source: { challenge_after: 1, block_after: 50 } } });
    const ip = '198.51.100.45';
    const victim = 'carol@example.com';
    await attempt(ip, victim);
    // Two failures behind solved challenges: the source's level is 2.
    for (let i = 0; i < 2; i++) {
      const r = await attempt(ip, victim);
      assert.equal((await attempt(ip, victim, await solve(ip, r.verdict))).reached, true);
    }
    await attempt('198.51.100.46', victim);
    const base = (await attempt('198.51.100.46', victim)).verdict;
    assert.equal(base.action, 'challenge');
    // Every store call waits until the test lets the calls waiting go, as a networked store's round trip does.
    const waiting: (() => void)[] = [];
    const gate = <T extends object>(target: T, names: readonly string[]): void => {
      for (const name of names) {
        const rec = target as Record<string, unknown>;
        const inner = (rec[name] as (...a: unknown[]) => Promise<unknown>).bind(target);
        rec[name] = (...args: unknown[]) => new Promise((resolve, reject) => waiting.push(() => void inner(...args).then(resolve, reject)));
      }
    };
    gate(store, ['increment', 'read', 'reset', 'addDistinct', 'removeDistinct', 'claim']);
    gate(store.decisions, ['match', 'add', 'list', 'delete', 'deleteWhere']);
    let done = false;
    const checked = guard.checkLogin(endpoint, req(ip), { username: victim, password: 'guess' }).finally(() => (done = true));
    let rounds = 0;
    while (!done) {
      await new Promise((r) => setImmediate(r));
      if (waiting.length > 0 && !done) {
        rounds++;
        for (const go of waiting.splice(0)) go();
      }
    }
    const p = await checked;
    assert.equal(p.verdict.action, 'challenge');
    assert.equal(rounds, 1, 'the check is the only round the answer waits for');
    assert.equal(p.verdict.difficulty, base.difficulty! + 2, 'at the level read with the check');
    // The ignored count is written behind it (the test above shows what it leads to).
    assert.ok(waiting.length > 0, 'the writes behind the answer are waiting');
    while (waiting.length > 0) {
      for (const go of waiting.splice(0)) go();
      await new Promise((r) => setImmediate(r));
    }
    await guard.login.settle();
  });

  it("a trusted device is not held by a decision the escalation made on its address", async () => {
    const { attempt, store, guard, clock } = stack({ login_protection: { challenged: { block_after_ignored: 3 } } });
    const ip = '203.0.113.44';
    for (let i = 0; i < 9; i++) await attempt(ip, 'mallory@example.com');
    assert.equal((await store.decisions.list({})).length, 1);
    clock.advance(1000);
    // The owner behind the same address, with her trusted device: her login goes through.
    const owner = await guard.login.check({ ip: '198.51.100.1', username: 'owner@example.com' });
    assert.equal(owner.action, 'allow');
    const { deviceToken } = await guard.login.report({ ip: '198.51.100.1', username: 'owner@example.com' }, true);
    const cookie = `mamori_device=${deviceToken}`;
    assert.equal((await guard.inspect({ ip, path: '/login', method: 'POST', headers: { cookie } })).action, 'allow');
  });
});

describe('an attacker that solves every challenge natively', () => {
  it('reaches one account at most close_after times an hour and 100 times a day, from as many sources as it likes', async () => {
    const { guard, clock } = stack();
    const c = guard.config.loginProtection;
    const perHour: number[] = [];
    let source = 0;
    for (let hour = 0; hour < 30; hour++) {
      let reached = 0;
      // 200 guesses an hour, each from a fresh address, each with a solved challenge.
      for (let i = 0; i < 200; i++) {
        source++;
        const a = { ip: `10.${(source >> 16) & 255}.${(source >> 8) & 255}.${source & 255}`, username: 'alice@example.com', password: `guess-${source}`, challengePassed: true };
        const v = await guard.login.check(a);
        if (v.action === 'allow') {
          reached++;
          await guard.login.report(a, false);
        }
        clock.advance(3_600_000 / 200);
      }
      perHour.push(reached);
    }
    console.log(`# guesses on one account that reached the site, hour by hour: ${perHour.join(' ')}`);
    assert.ok(Math.max(...perHour) <= c.user.closeAfter, `per hour: ${perHour.join(' ')}`);
    assert.equal(perHour[0], c.user.closeAfter, 'the first hour reaches the account-wide limit exactly');
    const day = perHour.slice(0, 24).reduce((x, y) => x + y, 0);
    assert.ok(day <= 100, `in a day: ${day} (${perHour.join(' ')})`);
  });
});

describe('a challenge too hard for a browser', () => {
  it('is answered to a browser as a block that says why; an API client still gets the puzzle', () => {
    const { guard } = stack({ challenge: { base_difficulty: 15, max_difficulty: 24 } });
    const v = { action: 'challenge' as const, ruleId: 'login.stuffing', reason: 'x', difficulty: 24 };
    const html = guard.respond(v, { ip: '198.51.100.7', path: '/login', method: 'POST', headers: { accept: 'text/html', 'accept-language': 'ja,en;q=0.5' } });
    assert.equal(html.status, 429);
    assert.equal(html.headers['x-mamori-action'], 'block');
    assert.match(String(html.body), /ブラウザでは時間がかかりすぎる/);
    assert.equal(html.headers['retry-after'], String(guard.config.loginProtection.source.windowMs / 1000));
    const en = guard.respond(v, { ip: '198.51.100.7', path: '/login', method: 'POST', headers: { accept: 'text/html' } });
    assert.match(String(en.body), /would take your browser too long/);
    const api = guard.respond(v, { ip: '198.51.100.7', path: '/login', method: 'POST', headers: { accept: 'application/json' } });
    assert.equal(api.headers['x-mamori-action'], 'challenge');
    assert.equal((JSON.parse(String(api.body)) as { challenge: { difficulty: number } }).challenge.difficulty, 24);
    // At 22 bits a browser still gets its page.
    assert.equal(guard.respond({ ...v, difficulty: 22 }, { ip: '198.51.100.7', path: '/login', method: 'POST', headers: { accept: 'text/html' } }).headers['x-mamori-action'], 'challenge');
  });
});

describe('the block page after a decision of the login protection', () => {
  it('tells a person that a browser that signed in before still gets in', async () => {
    const { guard, attempt } = stack({ login_protection: { user: { challenge_after: 3, close_after: 3 } } });
    for (let i = 0; i < 3; i++) await attempt(`203.0.113.${70 + i}`, 'erin@example.com');
    const r = await attempt('203.0.113.80', 'erin@example.com');
    assert.equal(r.action, 'block');
    assert.match(String(r.verdict.ruleId), /^decision:/);
    const page = guard.respond(r.verdict, { ip: '203.0.113.80', path: '/login', method: 'POST', headers: { accept: 'text/html' } });
    assert.match(String(page.body), /If you have signed in to this site from this browser before, you can still sign in/);
  });
});

describe('mamori behind a proxy that strips a path prefix', () => {
  it('the page and the JSON say to post answers where the browser reaches mamori (challenge.submit_path)', () => {
    const { guard } = stack({ challenge: { base_difficulty: 8, max_difficulty: 10, submit_path: '/shop/.mamori/challenge' } });
    const v = { action: 'challenge' as const, ruleId: 'login.user', reason: 'x' };
    const json = guard.respond(v, { ip: '198.51.100.7', path: '/login', method: 'POST', headers: { accept: 'application/json' } });
    assert.equal((JSON.parse(String(json.body)) as { challenge: { submit: string } }).challenge.submit, '/shop/.mamori/challenge');
    const html = guard.respond(v, { ip: '198.51.100.7', path: '/login', method: 'POST', headers: { accept: 'text/html' } });
    assert.match(String(html.body), /data-submit="\/shop\/\.mamori\/challenge"/);
  });
});
