/**
 * docs/examples/solve-challenge.mjs, as documented in docs/challenge.md, run as its own process
 * against the mamori proxy in front of the demo shop: challenged on the login, it solves the
 * proof of work and signs in.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startStack, login, type Stack } from './harness.js';

const example = fileURLToPath(new URL('../../../docs/examples/solve-challenge.mjs', import.meta.url));
const run = promisify(execFile);

describe('e2e: the documented challenge client', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(async () => {
    await s.close();
  });

  it('is challenged on the login, solves it, and signs in (302 to /account)', async () => {
    // Five failures of alice's account from this machine's address (the example sends no X-Forwarded-For).
    for (let i = 0; i < 5; i++) assert.equal((await login(s.proxy.url, 'alice@example.com', `wrong-${i}`)).status, 401);
    const challenged = await login(s.proxy.url, 'alice@example.com', 'alice-demo-password', { accept: 'application/json' });
    assert.equal(challenged.headers.get('x-mamori-action'), 'challenge', 'the next login from here is challenged');
    const { stdout } = await run(process.execPath, [example, s.proxy.url, 'alice@example.com', 'alice-demo-password']);
    assert.match(stdout, /^challenged: difficulty \d+/m);
    assert.match(stdout, /^solved: \d+ after \d+ tries/m);
    assert.match(stdout, /^login answered 302 -> \/account$/m);
  });

  it('a wrong password after solving is the shop\'s 401, and exits 1', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login(s.proxy.url, 'bob@example.com', `wrong-${i}`)).status, 401);
    const r = await run(process.execPath, [example, s.proxy.url, 'bob@example.com', 'wrong-again']).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^challenged: /m);
    assert.match(r.stdout, /^login answered 401$/m);
  });
});
