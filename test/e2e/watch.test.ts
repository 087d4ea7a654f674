/**
 * `mamori watch` as a server runs it: following an auth.log, an SSH brute force becomes an
 * alert and a block decision in the store the proxy reads; killed with SIGKILL and started
 * again, it goes on where it stopped and raises no alert twice.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN, mamoriCli } from './cli-harness.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** sshd lines as Debian's rsyslog writes them now (RFC 3339 times), at the present moment. */
function failures(ip: string, n: number, firstPort: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += `${new Date().toISOString()} web01 sshd[4242]: Failed password for root from ${ip} port ${firstPort + i} ssh2\n`;
  return out;
}

/** What the last watcher started wrote on stderr up to "following". */
let started = '';

function start(cwd: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'watch', '--status-every', '0'], { cwd, env });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      started = err;
      if (/following 1 input/.test(err)) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`mamori watch exited ${code}: ${err}`)));
  });
}

function alertsFor(dataDir: string, ip: string): number {
  const file = join(dataDir, 'alerts.db');
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM alerts WHERE detector = 'ssh-bruteforce' AND source_ip = ?").get(ip) as { n: number }).n;
  } finally {
    db.close();
  }
}

async function until(what: string, cond: () => boolean, limitMs = 30_000): Promise<void> {
  // A bound so a broken watcher fails the test instead of hanging it; not a timing assertion.
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('e2e: mamori watch', () => {
  it('an SSH brute force in a followed auth.log is an alert and a block; after kill -9 it goes on, no alert twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-watch-e2e-'));
    dirs.push(dir);
    const log = join(dir, 'auth.log');
    const dataDir = join(dir, 'data');
    writeFileSync(log, failures('203.0.113.5', 3, 40000));
    writeFileSync(join(dir, 'mamori.yaml'), `data_dir: ${dataDir}\nwatch:\n  inputs:\n    - file: ${log}\n      start_at: start\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, MAMORI_SECRET: 'watch-e2e-secret-0123456789abcdef' };
    delete env.MAMORI_CONFIG;
    let child = await start(dir, env);
    // sshd from a file: said at start (red team finding 6, docs/detect.md)
    assert.ok(started.includes(`mamori watch: ${log}: sshd and PAM lines are read from a file, which does not record who wrote each line`), started);
    try {
      appendFileSync(log, failures('203.0.113.5', 5, 40003));
      await until('the brute force alert', () => alertsFor(dataDir, '203.0.113.5') === 1);
      const decisions = JSON.parse(mamoriCli(['decisions', 'list', '--json'], dir, env).out) as { value: string; action: string; origin: string }[];
      assert.ok(
        decisions.some((d) => d.value === '203.0.113.5' && d.action === 'block' && d.origin === 'watch.ssh-bruteforce'),
        `a block decision the proxy enforces: ${JSON.stringify(decisions)}`,
      );
      // Killed without a chance to tidy up; lines written while it is down are read after.
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      appendFileSync(log, failures('198.51.100.7', 8, 50000));
      child = await start(dir, env);
      await until('the second source', () => alertsFor(dataDir, '198.51.100.7') === 1);
      assert.equal(alertsFor(dataDir, '203.0.113.5'), 1, 'the first alert is not raised again');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
    }
    assert.equal(child.exitCode, 0, 'SIGTERM stops it cleanly');
  });
});
