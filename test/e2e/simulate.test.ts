/**
 * The attack simulator against the real thing: the demo shop behind mamori's
 * proxy, configured by the CLI's config/demo.yaml, in-process on loopback
 * port 0, one fresh stack per scenario. Each run stays under 150 requests
 * (every login the shop checks costs a scrypt).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemoryStore, createGuard, loadConfig, runSimulation, startMamoriProxy, type SimOptions, type SimReport } from 'mamori';
import { startDemoShop } from '@mamori/demo-shop';

const SECRET = Buffer.from('simulate-e2e-secret-simulate-e2e-secret');
const DEMO_CONFIG = fileURLToPath(new URL('../../../packages/cli/config/demo.yaml', import.meta.url));
const CLI = fileURLToPath(new URL('../../../packages/cli/dist/bin.js', import.meta.url));

/** Runs `fn` with the demo shop behind mamori (demo config, memory store), then stops both. */
async function withDemo<T>(fn: (target: string) => Promise<T>, cheapChallenges = false): Promise<T> {
  let config = loadConfig(DEMO_CONFIG);
  // Where the attackers solve every challenge, what is tested is what mamori does with solved
  // challenges, not their cost: cheaper puzzles keep the run short.
  if (cheapChallenges) config = { ...config, challenge: { ...config.challenge, baseDifficulty: 8, maxDifficulty: 13 } };
  assert.equal(config.demo.trustLoopbackForwardedFor, true, 'the demo config trusts X-Forwarded-For from loopback');
  const shop = await startDemoShop({ port: 0 });
  const store = new MemoryStore();
  const guard = createGuard(config, { store, secret: SECRET });
  const proxy = await startMamoriProxy({ guard, upstream: shop.url, port: 0 });
  try {
    return await fn(proxy.url);
  } finally {
    await proxy.close();
    await guard.close();
    await store.close();
    await shop.close();
  }
}

function simulate(scenario: string, opts: Omit<SimOptions, 'target'>): Promise<SimReport> {
  return withDemo((target) => runSimulation(scenario, { target, ...opts }), opts.attackersSolve === true);
}

/** The `mamori` command in a child process (asynchronously: the proxy it talks to runs in this one). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000, env: { ...process.env, MAMORI_SIM_PASSWORD: '' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** What must hold in every scenario: the attacker is stopped and never gets in; the owner always does, unhindered. */
function assertProtected(r: SimReport, attempts: number): void {
  assert.equal(r.attacker.attempts, attempts);
  assert.equal(r.attacker.errors, 0, 'every attacker request got an answer');
  assert.equal(r.attacker.succeeded, 0, `attacker logins succeeded: ${JSON.stringify(r.attackerSuccesses)}`);
  assert.deepEqual(r.attackerSuccesses, []);
  assert.ok(r.attacker.challenged + r.attacker.blocked > 0, 'the attack was noticed');
  assert.ok(r.user.attempts >= 2);
  assert.equal(r.user.succeeded, r.user.attempts, `the real user got in every time: ${JSON.stringify(r.user)}`);
  assert.equal(r.user.blocked, 0);
  assert.equal(r.user.errors, 0);
  assert.equal(r.stoppedEarly, undefined);
}

describe('e2e: mamori simulate against the demo shop behind mamori', { concurrency: 3 }, () => {
  it('brute-force: one source is challenged after 5 failures, and blocked after ignoring 20 challenges; the planted password never gets through', async () => {
    const r = await simulate('brute-force', { attempts: 60, userEvery: 20, concurrency: 1 });
    assertProtected(r, 60);
    assert.equal(r.attacker.allowed, 5, 'the first five guesses reach the shop');
    assert.equal(r.attacker.challenged, 20);
    assert.equal(r.attacker.blocked, 35, 'then a decision on the source');
    assert.equal(r.user.attempts, 1 + 2 + 1);
    assert.equal(r.user.challenged, 0, 'her trusted device is not challenged');
    assert.equal(r.requests, 60 + 4);
  });

  it('brute-force by an attacker that solves challenges: blocked after 10 failures', async () => {
    const r = await simulate('brute-force', { attempts: 30, userEvery: 10, concurrency: 1, attackersSolve: true });
    assertProtected(r, 30);
    assert.equal(r.attacker.allowed, 10, 'five guesses, then five more each paid for with a challenge, then the block');
    assert.equal(r.attacker.solved, 5, 'on the login, a solved challenge buys one guess');
    assert.equal(r.attacker.blocked, 20);
  });

  it('distributed by a botnet that solves every challenge (--solve): one account is reached close_after (50) times, then closed', async () => {
    const r = await simulate('distributed', { attempts: 90, userEvery: 30, concurrency: 1, attackersSolve: true });
    assertProtected(r, 90);
    assert.deepEqual(r.mostGuessedAccount, { username: 'alice@example.com', reached: 50 }, 'the account-wide bound, whatever was solved');
    assert.equal(r.attacker.solved, 30, 'challenged from the 20th failure on, each solved');
    assert.equal(r.attacker.blocked, 40);
    assert.equal(r.user.challenged, 0, 'her trusted device is not challenged');
  });

  it('distributed: one account from many sources is challenged after 20 failures', async () => {
    const r = await simulate('distributed', { attempts: 40, userEvery: 0, concurrency: 1 });
    assertProtected(r, 40);
    assert.equal(r.attacker.allowed, 20);
    assert.equal(r.attacker.challenged, 20);
  });

  it(
    'distributed with the owner signing in during the attack: her logins do not forgive the attackers\' failures',
    async () => {
      const r = await simulate('distributed', { attempts: 30, userEvery: 10, concurrency: 1 });
      assertProtected(r, 30);
      assert.equal(r.attacker.allowed, 20);
    },
  );

  it('stuffing: each of a handful of sources is challenged after 5 accounts fail', async () => {
    const r = await simulate('stuffing', { attempts: 60, userEvery: 30, concurrency: 1 });
    assertProtected(r, 60);
    // Five sources, five failing accounts each, then challenged.
    assert.equal(r.attacker.allowed, 25);
    assert.equal(r.attacker.challenged, 35);
  });

  it('spraying: a password failing for 5 accounts is challenged from every source', async () => {
    const r = await simulate('spraying', { attempts: 60, userEvery: 30, concurrency: 1 });
    assertProtected(r, 60);
    // 20 accounts per password: five failures for each of the three passwords reach the shop.
    assert.equal(r.attacker.allowed, 15);
    assert.equal(r.attacker.challenged, 45);
  });
});

describe('e2e: the mamori simulate command', () => {
  it('refuses a target off this machine with exit code 2, sending nothing', async () => {
    const r = await cli(['simulate', 'brute-force', '--target', 'http://198.51.100.1:8080', '--attempts', '5']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /MAMORI_ERR_SIM_TARGET/);
    assert.match(r.stderr, /--i-own-the-target/);
    assert.equal(r.stdout, '');
  });

  it('refuses unknown scenarios and a missing target as usage errors', async () => {
    const unknown = await cli(['simulate', 'ddos', '--target', 'http://127.0.0.1:9']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /MAMORI_ERR_CLI_USAGE.*unknown scenario "ddos"/);
    const missing = await cli(['simulate', 'brute-force']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /--target is required/);
  });

  it('prints the report as JSON and as a table', async () => {
    await withDemo(async (target) => {
      const json = await cli(['simulate', 'brute-force', '--target', target, '--attempts', '8', '--user-every', '0', '--concurrency', '1', '--json']);
      assert.equal(json.code, 0, json.stderr);
      const r = JSON.parse(json.stdout) as SimReport;
      assert.equal(r.scenario, 'brute-force');
      assert.equal(r.target, target);
      assert.deepEqual(r.attacker, { attempts: 8, allowed: 5, challenged: 3, blocked: 0, succeeded: 0, errors: 0, solved: 0 });
      assert.equal(r.user.succeeded, 2);
      assert.equal(r.requests, 10);
      // The same source again: every attempt is now challenged.
      const text = await cli(['simulate', 'brute-force', '--target', target, '--attempts', '3', '--user-every', '0']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^attacker\s+3\s+0\s+3\s+0\s+0\s+0\s+0$/m);
      assert.match(text.stdout, /^real user \(alice@example\.com\)\s+2\s+2\s+0\s+0\s+0\s+2\s+0$/m);
      assert.match(text.stdout, /Attacker logins that succeeded: none\./);
      assert.match(text.stdout, /Real user's successful logins: 2 of 2\./);
      assert.match(text.stdout, /Requests sent: 5 in /);
    });
  });
});
