/**
 * A guard on a memory store in front of a login, driven as the proxy and the adapters drive it:
 * for the tests of challenges (escalation, and the red team's regressions).
 */
import assert from 'node:assert/strict';
import { ManualClock } from '../../core/clock.js';
import { SeededRandom } from '../../core/random.js';
import { MemoryStore } from '../../core/memory-store.js';
import { defaultConfig } from '../../config/config.js';
import { createGuard } from '../guard.js';
import { solveChallenge } from '../challenge.js';
import type { RequestInfo, Verdict } from '../verdict.js';

/** The right password: every other one fails at the site. */
export const RIGHT_PASSWORD = 'right-password';

export function loginStack(secret: Buffer, raw: Record<string, unknown> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 11, 2));
  const store = new MemoryStore({ clock, random: new SeededRandom(3) });
  const config = defaultConfig({
    logins: [{ name: 'shop', path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }],
    challenge: { base_difficulty: 8, max_difficulty: 14 },
    ...raw,
  });
  const guard = createGuard(config, { store, secret, clock, random: new SeededRandom(5) });
  const endpoint = config.logins[0]!;
  const req = (ip: string, pass?: string): RequestInfo => ({ ip, path: '/login', method: 'POST', headers: { accept: 'application/json', ...(pass ? { cookie: `mamori_pass=${pass}` } : {}) } });
  /**
   * One login: inspect, the rate limits, the login check, the site's answer (a success only for
   * RIGHT_PASSWORD). `reached`: the site saw it; `action`: what mamori did with it.
   */
  const attempt = async (ip: string, username: string, password: string, pass?: string) => {
    const r = req(ip, pass);
    const refused = (verdict: Verdict) => ({ action: verdict.action, verdict, reached: false, success: false });
    const inspected = await guard.inspect(r);
    if (guard.enforced(inspected)) return refused(inspected);
    const limits = guard.rateLimits.match('POST', '/login');
    if (limits.length) {
      const rl = await guard.checkRateLimits(r, '/login', limits, { form: new URLSearchParams({ email: username }) });
      if (guard.enforced(rl.verdict)) return refused(rl.verdict);
    }
    const p = await guard.checkLogin(endpoint, r, { username, password });
    if (guard.enforced(p.verdict)) return refused(p.verdict);
    const success = password === RIGHT_PASSWORD;
    await guard.reportLogin(p, { status: success ? 302 : 401, setCookies: [] });
    return { action: 'allow' as Verdict['action'], verdict: p.verdict as Verdict, reached: true, success };
  };
  /** Solves the challenge a refused request was answered with, as the page does (at `bits` when given: a cheaper pass than asked); the pass. */
  const solve = async (ip: string, verdict: Verdict, bits?: number): Promise<string> => {
    const page = JSON.parse(String(guard.respond(verdict, req(ip)).body)) as { challenge: { token: string; difficulty: number } };
    let token = page.challenge.token;
    if (bits !== undefined) token = guard.challenger.issue({ ip, scope: 'site', risk: 0, difficulty: bits }).token;
    const d = bits ?? page.challenge.difficulty;
    const answer = await guard.handleChallengeSubmit(req(ip), Buffer.from(JSON.stringify({ token, solution: solveChallenge(token, d) })));
    assert.equal(answer.status, 200);
    return (JSON.parse(String(answer.body)) as { pass: string }).pass;
  };
  return { clock, store, guard, endpoint, req, attempt, solve };
}
