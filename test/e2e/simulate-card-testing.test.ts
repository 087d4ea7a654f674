/**
 * `mamori simulate card-testing`, as users run it: two copies of the demo shop, one alone and one
 * behind mamori, the same enumeration attack on both while real customers pay.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './cli-harness.js';

interface Report {
  attacker: { attempts: number; reachedShop: number; challenged: number; solved: number; blocked: number; errors: number };
  customers: { checkouts: number; approved: number; challenged: number };
  attackAuthorizations: number;
  attackFeesJpy: number;
}

function simulate(args: string[]): { without: Report; with: Report } {
  const cwd = mkdtempSync(join(tmpdir(), 'mamori-card-sim-'));
  try {
    const r = spawnSync(process.execPath, [BIN, 'simulate', 'card-testing', '--json', ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { without: Report; with: Report };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('e2e: mamori simulate card-testing', () => {
  it('without mamori every attempt is billed; with it, 99% or more stop before the gateway and every customer pays', () => {
    const r = simulate(['--attempts', '600', '--no-solve', '--concurrency', '4']);
    assert.equal(r.without.attacker.attempts, 600);
    assert.equal(r.without.attackAuthorizations, 600, 'alone, the shop sends every number to its gateway');
    assert.equal(r.without.attackFeesJpy, 600 * 30);
    assert.ok(r.with.attackAuthorizations <= 6, `${r.with.attackAuthorizations} authorizations got through`);
    assert.equal(r.with.customers.approved, r.with.customers.checkouts, 'every real customer paid');
    assert.equal(r.with.customers.challenged, 0, 'and none of them was challenged');
    assert.equal(r.with.attacker.errors, 0);
  });

  it('a bot that solves the challenges still gets almost nothing to the gateway', () => {
    const r = simulate(['--attempts', '80', '--concurrency', '2']);
    assert.ok(r.with.attacker.solved > 0, 'challenges were solved');
    assert.ok(r.with.attackAuthorizations <= Math.ceil(r.without.attackAuthorizations * 0.1), `${r.with.attackAuthorizations} of ${r.without.attackAuthorizations}`);
    assert.equal(r.with.customers.approved, r.with.customers.checkouts);
  });
});
