/**
 * The example apps under examples/ (one per adapter), started as a user would start them:
 * a brute force on their login reaches the app five times, then mamori answers. (The owner
 * from another address is covered by the adapter conformance suite.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function start(adapter: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [`examples/${adapter}/app.mjs`], { cwd: root, env: { ...process.env, PORT: '0', MAMORI_SECRET: 'examples-test-secret-0123456789abcdef' } });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`examples/${adapter}/app.mjs exited ${code}: ${err}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

describe('e2e: the example apps', { concurrency: 3 }, () => {
  for (const adapter of ['express', 'fastify', 'hono']) {
    it(`${adapter}: five guesses reach the app, then mamori answers 429`, async () => {
      const app = await start(adapter);
      try {
        const login = (password: string) =>
          fetch(`${app.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: `email=alice%40example.com&password=${password}` });
        const statuses: number[] = [];
        for (let i = 0; i < 8; i++) statuses.push((await login(`guess-${i}`)).status);
        assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
        const owner = await login('alice-password');
        assert.equal(owner.status, 429, 'from the guessing address the owner is challenged too (no trusted device yet)');
      } finally {
        await app.stop();
      }
    });
  }
});
