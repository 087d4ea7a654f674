/**
 * What a crash can lose: `mamori up` on its default store (SQLite) is killed with SIGKILL in
 * the middle of a brute force. Counters are kept in memory and written behind every 100 ms
 * (counter_flush_ms); decisions are committed before mamori answers. So a crash forgets at
 * most the failures counted in the last 100 ms (here: the 2 sent just before the kill, if
 * their flush had not run), and a lockout that was written holds across the restart
 * (docs/login-protection.md, "What a crash loses").
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

  it('forgets at most the last flush interval of failures, and the lockout holds after the restart', async () => {
    const post = (url: string, i: number) =>
      fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: `user=carol&pass=guess-${i}` });
    const flushed = () => new Promise((r) => setTimeout(r, 400)); // > counter_flush_ms (100 ms), with room for a loaded machine
    const kill = async (p: Awaited<ReturnType<typeof startUp>>) => {
      p.child.kill('SIGKILL');
      await new Promise((r) => p.child.once('exit', r));
    };
    let p = await startUp([], dir, ENV);
    for (let i = 0; i < 6; i++) assert.equal((await post(p.url, i)).status, 401);
    await flushed();
    // Two more, and the kill right after them: these two are all a crash may forget.
    for (let i = 6; i < 8; i++) assert.equal((await post(p.url, i)).status, 401);
    await kill(p);
    p = await startUp([], dir, ENV);
    // The site hears failures until the lock (10 counted); none of the 6 flushed ones was forgotten.
    const statuses: number[] = [];
    for (let i = 8; i < 20; i++) statuses.push((await post(p.url, i)).status);
    const reached = statuses.filter((s) => s === 401).length;
    assert.ok(checks >= 10 && checks <= 12, `the site heard ${checks} guesses: 10, plus at most the 2 of the last flush interval`);
    assert.deepEqual(statuses.slice(reached), Array(12 - reached).fill(429), 'locked once the count reached 10');
    assert.ok(reached >= 2 && reached <= 4);
    await flushed();
    await kill(p);
    const heard = checks;
    p = await startUp([], dir, ENV);
    try {
      const locked = await post(p.url, 99);
      assert.equal(locked.status, 429, 'the lockout holds across a second crash');
      assert.equal(locked.headers.get('x-mamori-action'), 'block');
      assert.equal(checks, heard, 'the site was not asked again');
    } finally {
      await p.stop();
    }
  });
});
