import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { isMamoriError } from '../core/errors.js';
import { MemoryStore } from '../core/memory-store.js';
import { SeededRandom } from '../core/random.js';
import { createChallenger } from '../guard/challenge.js';
import { renderChallenge } from '../guard/challenge-page.js';
import { readCookie } from '../guard/cookies.js';
import { runSimulation } from './runner.js';
import { SIM_USER_IP } from './sources.js';
import type { SimScenario, SimFetch, SimRequestInit } from './types.js';

const TARGET = 'http://127.0.0.1:8080';
const USER = { username: 'victim@example.com', password: 'right-password' };
const ATTACKER_IP = '203.0.113.9';

interface Call {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A scenario whose i-th attempt is recognisable by its password `guess-<i>`. */
const scripted: SimScenario = {
  name: 'scripted',
  summary: 'test',
  defaultAttempts: 10,
  attempt: (i) => ({ ip: ATTACKER_IP, username: USER.username, password: `guess-${i}` }),
};

function fakeSite(answer: (c: Call) => Response | Promise<Response>): { calls: Call[]; fetch: SimFetch } {
  const calls: Call[] = [];
  const fetch: SimFetch = async (url: string, init: SimRequestInit) => {
    const c = { url, headers: init.headers, body: init.body };
    calls.push(c);
    return answer(c);
  };
  return { calls, fetch };
}

const form = (c: Call) => new URLSearchParams(c.body);
const isUser = (c: Call) => c.headers['x-forwarded-for'] === SIM_USER_IP;
const guessIndex = (c: Call) => Number(form(c).get('password')!.slice('guess-'.length));
const mamori = (status: number, action: 'block' | 'challenge', body = '{}') => new Response(body, { status, headers: { 'x-mamori-action': action, 'retry-after': '30', 'content-type': 'application/json' } });
const userSuccess = (c: Call) =>
  form(c).get('password') === USER.password
    ? new Response(null, { status: 302, headers: [['location', '/account'], ['set-cookie', 'sid=s1; Path=/; HttpOnly'], ['set-cookie', 'mamori_device=dev1; Max-Age=2592000; Path=/']] })
    : new Response('no', { status: 401 });

describe('runSimulation counting', () => {
  it('classifies every answer and keeps the attacker and the real user apart', async () => {
    const site = fakeSite((c) => {
      if (isUser(c)) return userSuccess(c);
      const i = guessIndex(c);
      if (i < 5) return new Response('Invalid email or password', { status: 401 });
      if (i < 10) return mamori(429, 'challenge', JSON.stringify({ error: 'challenge_required', challenge: { token: 't.x', difficulty: 1, submit: '/.mamori/challenge' } }));
      if (i < 14) return mamori(429, 'block');
      if (i === 14) return mamori(403, 'block');
      if (i === 15) return new Response('bad gateway', { status: 502 });
      if (i === 16) throw new TypeError('fetch failed');
      return new Response(null, { status: 302, headers: { location: '/account' } });
    });
    const r = await runSimulation(scripted, { target: TARGET, attempts: 20, concurrency: 1, userEvery: 10, user: USER, fetch: site.fetch });
    assert.deepEqual(r.attacker, { attempts: 20, allowed: 8, challenged: 5, blocked: 5, succeeded: 3, errors: 2, solved: 0 });
    assert.deepEqual(r.attackerSuccesses, [18, 19, 20].map((attempt) => ({ attempt, ip: ATTACKER_IP, username: USER.username })));
    // Before the attack, at attempt 10, after the attack.
    assert.deepEqual(r.user, { attempts: 3, allowed: 3, challenged: 0, blocked: 0, succeeded: 3, errors: 0, solved: 0 });
    assert.equal(r.requests, 23);
    assert.equal(site.calls.length, 23);
    assert.equal(r.scenario, 'scripted');
    assert.equal(r.target, TARGET);
    assert.ok(site.calls.every((c) => c.url === `${TARGET}/login`));
    assert.ok(site.calls.every((c) => c.headers['content-type'] === 'application/x-www-form-urlencoded'));
  });

  it('the real user returns with her trusted-device cookie; attackers send no cookies', async () => {
    const site = fakeSite((c) => (isUser(c) ? userSuccess(c) : new Response(null, { status: 401 })));
    await runSimulation(scripted, { target: TARGET, attempts: 9, concurrency: 2, userEvery: 3, user: USER, fetch: site.fetch });
    const userCalls = site.calls.filter(isUser);
    assert.equal(userCalls.length, 1 + 2 + 1);
    assert.equal(userCalls[0]!.headers['cookie'], undefined);
    for (const c of userCalls.slice(1)) assert.equal(readCookie(c.headers['cookie'], 'mamori_device'), 'dev1');
    assert.ok(site.calls.filter((c) => !isUser(c)).every((c) => c.headers['cookie'] === undefined && c.headers['x-forwarded-for'] === ATTACKER_IP));
    assert.equal(userCalls.filter((c) => form(c).get('email') === USER.username && form(c).get('password') === USER.password).length, 4);
  });

  it('userEvery 0 means the user logs in only before and after', async () => {
    const site = fakeSite((c) => (isUser(c) ? userSuccess(c) : new Response(null, { status: 401 })));
    const r = await runSimulation(scripted, { target: TARGET, attempts: 30, userEvery: 0, user: USER, fetch: site.fetch });
    assert.equal(r.user.attempts, 2);
    assert.equal(r.attacker.attempts, 30);
  });

  it('keeps at most `concurrency` attacker requests in flight', async () => {
    let inflight = 0;
    let peak = 0;
    const site = fakeSite(async (c) => {
      if (isUser(c)) return userSuccess(c);
      inflight++;
      peak = Math.max(peak, inflight);
      await new Promise((r) => setImmediate(r));
      inflight--;
      return new Response(null, { status: 401 });
    });
    const r = await runSimulation(scripted, { target: TARGET, attempts: 40, concurrency: 3, user: USER, fetch: site.fetch });
    assert.equal(peak, 3);
    assert.equal(r.attacker.attempts, 40);
  });
});

describe('runSimulation challenges', () => {
  const secret = Buffer.alloc(32, 7);
  function challengingSite() {
    const clock = new ManualClock();
    const challenger = createChallenger({ secret, store: new MemoryStore({ clock }), clock, random: new SeededRandom(3), baseDifficulty: 4, maxDifficulty: 4 });
    return fakeSite(async (c) => {
      const ip = c.headers['x-forwarded-for']!;
      if (c.url === `${TARGET}/.mamori/challenge`) {
        const { token, solution } = JSON.parse(c.body) as { token: string; solution: string };
        const v = await challenger.verify(token, solution, { ip, scope: 'site' });
        if (!v.ok) return new Response(JSON.stringify({ error: v.reason }), { status: 403 });
        return new Response('{"ok":true}', { status: 200, headers: { 'set-cookie': `mamori_pass=${v.pass}; Max-Age=600; Path=/` } });
      }
      const pass = readCookie(c.headers['cookie'], 'mamori_pass');
      if (pass && challenger.verifyPass(pass, { ip, scope: 'site' })) return isUser(c) ? userSuccess(c) : new Response(null, { status: 401 });
      const page = renderChallenge(challenger.issue({ ip, scope: 'site', risk: 0 }), { wantsJson: !(c.headers['accept'] ?? '').includes('text/html'), retryAfter: 1 });
      return new Response(page.body, { status: page.status, headers: page.headers });
    });
  }

  it('the real user solves the challenge (HTML page) and gets in; attackers do not try', async () => {
    const site = challengingSite();
    const r = await runSimulation(scripted, { target: TARGET, attempts: 6, concurrency: 1, userEvery: 3, user: USER, fetch: site.fetch });
    // Her first login is challenged and solved; the pass then carries her later logins.
    assert.deepEqual(r.user, { attempts: 3, allowed: 3, challenged: 1, blocked: 0, succeeded: 3, errors: 0, solved: 1 });
    assert.deepEqual(r.attacker, { attempts: 6, allowed: 0, challenged: 6, blocked: 0, succeeded: 0, errors: 0, solved: 0 });
    const submits = site.calls.filter((c) => c.url.endsWith('/.mamori/challenge'));
    assert.equal(submits.length, 1);
    assert.ok(submits.every(isUser));
    assert.ok(site.calls.filter(isUser)[0]!.headers['accept']!.includes('text/html'));
    assert.equal(r.requests, site.calls.length);
  });

  it('with attackersSolve, attackers solve once per source and then reach the site', async () => {
    const site = challengingSite();
    const r = await runSimulation(scripted, { target: TARGET, attempts: 6, concurrency: 1, userEvery: 0, user: USER, attackersSolve: true, fetch: site.fetch });
    assert.deepEqual(r.attacker, { attempts: 6, allowed: 6, challenged: 1, blocked: 0, succeeded: 0, errors: 0, solved: 1 });
    assert.equal(site.calls.filter((c) => c.url.endsWith('/.mamori/challenge')).length, 2);
  });

  it('does not follow a submit URL off the target, nor solve beyond maxSolveDifficulty', async () => {
    for (const challenge of [
      { token: 't.x', difficulty: 1, submit: 'http://198.51.100.1/steal' },
      { token: 't.x', difficulty: 1, submit: '//evil.example/x' },
      { token: 't.x', difficulty: 30, submit: '/.mamori/challenge' },
    ]) {
      const site = fakeSite(() => mamori(429, 'challenge', JSON.stringify({ error: 'challenge_required', challenge })));
      const r = await runSimulation(scripted, { target: TARGET, attempts: 2, user: USER, fetch: site.fetch, maxSolveDifficulty: 20 });
      assert.ok(site.calls.every((c) => c.url === `${TARGET}/login`), JSON.stringify(site.calls.map((c) => c.url)));
      assert.equal(r.user.challenged, 2);
      assert.equal(r.user.solved, 0);
      assert.equal(r.user.succeeded, 0);
    }
  });
});

describe('runSimulation bounds', () => {
  it('stops starting attempts when the time limit is reached', async () => {
    const clock = new ManualClock();
    const site = fakeSite((c) => {
      clock.advance(1000);
      return isUser(c) ? userSuccess(c) : new Response(null, { status: 401 });
    });
    const r = await runSimulation(scripted, { target: TARGET, attempts: 100, concurrency: 1, userEvery: 0, maxDurationMs: 5000, user: USER, fetch: site.fetch, clock });
    assert.equal(r.stoppedEarly, 'time');
    assert.equal(r.attacker.attempts, 4);
    assert.equal(r.elapsedMs, 6000);
    assert.equal(r.user.succeeded, 2);
  });

  it('paces attempts to the rate with the injected sleep', async () => {
    const clock = new ManualClock();
    const startedAt = new Map<number, number>();
    const site = fakeSite((c) => {
      if (!isUser(c)) startedAt.set(guessIndex(c), clock.now());
      return isUser(c) ? userSuccess(c) : new Response(null, { status: 401 });
    });
    let slept = 0;
    const sleep = async (ms: number) => {
      slept += ms;
      clock.advance(ms);
    };
    const t0 = clock.now();
    const r = await runSimulation(scripted, { target: TARGET, attempts: 20, concurrency: 4, rate: 10, user: USER, fetch: site.fetch, clock, sleep });
    assert.equal(startedAt.size, 20);
    for (const [i, t] of startedAt) assert.ok(t - t0 >= i * 100, `attempt ${i} started at ${t - t0} ms`);
    assert.equal(slept, 1900);
    assert.equal(r.elapsedMs, 1900);
  });

  it('refuses out-of-range options and unknown scenarios before sending anything', async () => {
    const site = fakeSite(() => new Response(null, { status: 401 }));
    const bad = [
      { attempts: 0 },
      { attempts: 10_001 },
      { attempts: 1.5 },
      { concurrency: 0 },
      { concurrency: 65 },
      { rate: 0 },
      { rate: -1 },
      { rate: Number.NaN },
      { userEvery: -1 },
      { maxDurationMs: 0 },
      { login: { path: 'http://198.51.100.1/login' } },
    ];
    for (const o of bad) {
      await assert.rejects(runSimulation('brute-force', { target: TARGET, fetch: site.fetch, ...o }), (e) => isMamoriError(e, 'MAMORI_ERR_SIM_OPTIONS'), JSON.stringify(o));
    }
    await assert.rejects(runSimulation('nope', { target: TARGET, fetch: site.fetch }), (e) => isMamoriError(e, 'MAMORI_ERR_SIM_OPTIONS'));
    await assert.rejects(runSimulation('constructor', { target: TARGET, fetch: site.fetch }), (e) => isMamoriError(e, 'MAMORI_ERR_SIM_OPTIONS'));
    assert.equal(site.calls.length, 0);
  });

  it('uses the scenario\'s default attempt count', async () => {
    const site = fakeSite((c) => (isUser(c) ? userSuccess(c) : new Response(null, { status: 401 })));
    const r = await runSimulation(scripted, { target: TARGET, user: USER, fetch: site.fetch });
    assert.equal(r.attacker.attempts, 10);
  });
});
