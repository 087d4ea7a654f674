/** `store.kind: redis` in mamori.yaml: loadMamori opens this store, and two loaded mamoris on one Redis count as one. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, loadMamori } from 'mamori';
import { Prefixes, REDIS_URL, redisSkip } from './test-kit.js';

const skip = await redisSkip();
const prefixes = new Prefixes();
after(() => prefixes.sweep());

describe('store.kind: redis', { skip }, () => {
  it('opens the Redis store from the config, and two processes on it share the login counts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-redis-config-'));
    const prefix = prefixes.fresh();
    const raw = { data_dir: dir, secret: 'redis-config-test-secret-0123456789abcdef', store: { kind: 'redis' as const, url: REDIS_URL, prefix } };
    const a = await loadMamori(defaultConfig(raw));
    const b = await loadMamori(defaultConfig(raw));
    try {
      assert.equal(a.store.name, 'redis');
      const req = (n: number) => ({ ip: '198.51.100.4', method: 'POST', path: '/login', headers: { 'user-agent': `t${n}` } });
      // Failures alternate between the two; the lockout comes at the same attempt as with one.
      const actions: string[] = [];
      for (let i = 0; i < 12; i++) {
        const m = i % 2 ? a : b;
        const p = await m.guard.checkCredentials(req(i), { username: 'alice', password: `guess${i}` });
        actions.push(p.verdict.action);
        if (!m.guard.enforced(p.verdict)) await m.guard.reportCredentials(p, false);
      }
      assert.deepEqual(actions.slice(0, 5), ['allow', 'allow', 'allow', 'allow', 'allow']);
      assert.ok(actions.slice(10).every((x) => x !== 'allow'), JSON.stringify(actions));
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
