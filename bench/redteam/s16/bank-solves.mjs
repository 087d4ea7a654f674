import { loginStack } from '../../../packages/mamori/dist/guard/testdata/login-stack.js';
import { solveChallenge } from '../../../packages/mamori/dist/guard/challenge.js';
const s = loginStack(Buffer.from('challenge-level-redteam-secret-0123456789'), { login_protection: { challenged: { block_after_ignored: 6 } } });
const bot = '203.0.113.70';
const r = (ip) => ({ ip, path: '/login', method: 'POST', headers: { accept: 'application/json' } });
// bank: tokens for page challenges (as an access-policy challenge gives), solved at base difficulty
let ok = 0;
for (let i = 0; i < 100; i++) {
  const token = s.guard.challenger.issue({ ip: bot, scope: 'site', risk: 0, difficulty: 8 }).token;
  const a = await s.guard.handleChallengeSubmit(r(bot), Buffer.from(JSON.stringify({ token, solution: solveChallenge(token, 8) })));
  if (a.status === 200) ok++;
}
console.log('solved', ok);
const acts = {};
for (let i = 0; i < 60; i++) { const x = await s.attempt(bot, `user${i}@example.com`, 'guess'); acts[x.action] = (acts[x.action] ?? 0) + 1; }
console.log(acts, (await s.store.decisions.list({})).length);
