import { createGuard, defaultConfig } from 'mamori';
import { solveChallenge } from 'mamori/internal';
import { RedisStore } from '../../../packages/store-redis/dist/redis-store.js';
const SECRET = 'test-secret-of-at-least-32-bytes!!';
const prefix = `mamori-test:rts16-${Date.now()}:`;
const store = await RedisStore.open({ url: 'redis://127.0.0.1:6379', secret: SECRET, prefix });
const config = defaultConfig({ logins: [{ name: 'shop', path: '/login', username: { form: 'email' }, password: { form: 'password' }, failure: { status: [401] }, success: { status: [302] } }], challenge: { base_difficulty: 8 }, login_protection: { challenged: { block_after_ignored: 6 } } });
const g = createGuard(config, { store, secret: Buffer.from(SECRET) });
const bot = '203.0.113.90';
const req = { ip: bot, path: '/login', method: 'POST', headers: { accept: 'application/json' } };
for (let i = 0; i < 100; i++) { const token = g.challenger.issue({ ip: bot, scope: 'site', risk: 0, difficulty: 8 }).token; await g.handleChallengeSubmit(req, Buffer.from(JSON.stringify({ token, solution: solveChallenge(token, 8) }))); }
console.log('100 challenges solved before any login');
const acts = {};
for (let i = 0; i < 60; i++) { const p = await g.checkLogin(config.logins[0], req, { username: `u${i}@x.com`, password: 'g' }); const v = (await g.inspect(req)); const a = g.enforced(v) ? 'decision' : p.verdict.action; acts[a] = (acts[a] ?? 0) + 1; if (!g.enforced(p.verdict)) await g.reportLogin(p, { status: 401, setCookies: [] }); await g.login.settle(); }
console.log(acts, (await store.decisions.list({})).map((d) => d.reason));
await g.close(); await store.close();
const { Redis } = await import('ioredis'); const r = new Redis(); const ks = await r.keys(prefix + '*'); if (ks.length) await r.del(...ks); r.disconnect();
