/**
 * What a crash can lose: `mamori up` on its default store (SQLite) is killed with SIGKILL in
 * the middle of a brute force. Counters and decisions are committed before mamori answers,
 * so none of the failures counted before the kill is forgotten and a lockout holds across
 * the restart (docs/login-protection.md, "What a crash loses").
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUp } from './cli-harness.js';

const ENV = { ...process.env, MAMORI_SECRET: 'crash-test-secret-crash-test-secret-0123' };

describe('e2e: SIGKILL in the middle of a brute force', () => {
  let upstream: Server;
  let checks = 0;
  let dir: string;
  before(async () => {
    upstream = createServer((req, res) => {
      if (req.method === 'POST') checks++;
      req.resume();
      req.on('end', () => {
        res.statusCode = req.method === 'POST' ? 401 : 200;
        res.end('upstream');
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'mamori-crash-'));
    const port = (upstream.address() as AddressInfo).port;
    writeFileSync(
      join(dir, 'mamori.yaml'),
      `data_dir: state\nproxy:\n  listen: 127.0.0.1:0\n  upstream: http://127.0.0.1:${port}\nlogins:\n  - path: /login\n    username: { form: user }\n    password: { form: pass }\n    failure: { status: [401] }\n    success: { status: [302] }\nlogin_protection:\n  user_source: { challenge_after: 10, block_after: 10 }\n`,
    );
  });
  after(() => upstream.close());

  it('forgets none of the counted failures, and the lockout holds after the restart', async () => {
    const post = (url: string, i: number) =>
      fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: `user=carol&pass=guess-${i}` });
    let p = await startUp([], dir, ENV);
    for (let i = 0; i < 6; i++) assert.equal((await post(p.url, i)).status, 401);
    p.child.kill('SIGKILL');
    await new Promise((r) => p.child.once('exit', r));
    p = await startUp([], dir, ENV);
    // Four more reach the site (10 in all), then the lock: nothing counted before the kill was lost.
    const after: number[] = [];
    for (let i = 6; i < 12; i++) after.push((await post(p.url, i)).status);
    assert.deepEqual(after, [401, 401, 401, 401, 429, 429]);
    assert.equal(checks, 10);
    p.child.kill('SIGKILL');
    await new Promise((r) => p.child.once('exit', r));
    p = await startUp([], dir, ENV);
    try {
      const locked = await post(p.url, 99);
      assert.equal(locked.status, 429, 'the lockout holds across a second crash');
      assert.equal(locked.headers.get('x-mamori-action'), 'block');
      assert.equal(checks, 10, 'the site was not asked again');
    } finally {
      await p.stop();
    }
  });
});
