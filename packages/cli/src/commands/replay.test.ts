import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const SAMPLES = fileURLToPath(new URL('../../../detect/src/scenarios/testdata/', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-cli-replay-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'mamori.yaml'), 'data_dir: ./data\n');
  const mamori = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, MAMORI_SECRET: 'replay-test-secret-0123456789abcdef' };
    delete env.MAMORI_CONFIG;
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  return { dir, mamori };
}

describe('mamori replay', () => {
  it('replays ECS JSON lines (plain and gzip): a timeline per source and account, exit 1 on alerts', () => {
    const { dir, mamori } = project();
    writeFileSync(join(dir, 'events.jsonl.gz'), gzipSync(readFileSync(join(SAMPLES, 'events.jsonl'))));
    const r = mamori('replay', 'events.jsonl.gz');
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /events\.jsonl\.gz: 67 lines, 67 events, 0 not parsed/);
    assert.match(r.out, /through 20 scenarios: 10 alerts/);
    assert.match(r.out, /Sources \(7\)\n {2}203\.0\.113\.5 .*\n {4}accounts tried: root\n.*ssh-bruteforce: SSH brute force \(7 events since .*\) -> block 203\.0\.113\.5 for 4h/);
    assert.match(r.out, /SUCCEEDED ssh-login as root/);
    assert.match(r.out, /Accounts \(1\)\n {2}root/);
  });

  it("replays raw logs through the real parsers, each file's format recognised: the same story from auth.log and an nginx access log", () => {
    const { mamori } = project();
    const r = mamori('replay', join(SAMPLES, 'auth.log'), join(SAMPLES, 'nginx-access.log'), '--json');
    assert.equal(r.code, 1, r.err);
    const out = JSON.parse(r.out) as { files: { lines: number; events: number; skipped: number }[]; alerts: { detector: string; group: Record<string, string> }[] };
    assert.deepEqual(out.files.map((f) => [f.lines, f.events, f.skipped]), [[21, 21, 0], [52, 52, 0]]);
    const got = out.alerts.map((a) => `${a.detector} ${a.group['source.ip'] ?? a.group['user.name'] ?? ''}`).sort();
    // The JSON story's ten, and (each enumeration attempt being two sshd lines, both failures)
    // a brute force from the enumerating source too: testdata/README.md.
    assert.deepEqual(got, [
      'card-testing 203.0.113.200',
      'http-scanning 198.51.100.23',
      'login-success-after-failures root',
      'path-traversal 203.0.113.61',
      'scanner-user-agent 198.51.100.23',
      'sensitive-file-probe 192.0.2.77',
      'ssh-bruteforce 192.0.2.44',
      'ssh-bruteforce 203.0.113.5',
      'ssh-user-enumeration 192.0.2.44',
      'vpn-appliance-exploit 203.0.113.61',
      'web-login-bruteforce 198.51.100.99',
    ]);
  });

  it('--json, --only, --simulate, --allow and scenario files of your own using the built-in lists', () => {
    const { dir, mamori } = project();
    writeFileSync(join(dir, 'mine.yaml'), 'id: env-once\ntitle: one .env probe\nfilter: url.path contains @sensitive-files\ngroup_by: source.ip\nbucket: { kind: trigger }\nremedy: { action: challenge, ttl: 10m }\n');
    const j = mamori('replay', join(SAMPLES, 'events.jsonl'), '--scenarios', 'mine.yaml', '--only', 'env-once', '--only', 'ssh-bruteforce', '--allow', '203.0.113.0/24', '--json');
    assert.equal(j.code, 1, j.err);
    const out = JSON.parse(j.out) as { scenarios: number; alertsTotal: number; alerts: { detector: string; remedy?: { action: string; value: string }; samples: { line: string }[] }[] };
    assert.equal(out.scenarios, 2);
    // ssh-bruteforce's source is allowed; the own scenario fires on each of the two probes.
    assert.deepEqual(out.alerts.map((a) => a.detector), ['env-once', 'env-once']);
    assert.deepEqual(out.alerts[0]!.remedy, { action: 'challenge', scope: 'ip', value: '192.0.2.77', ttlMs: 600_000 });
    assert.match(out.alerts[0]!.samples[0]!.line, /"\/\.env"/);
    const sim = JSON.parse(mamori('replay', join(SAMPLES, 'events.jsonl'), '--simulate', '--json').out) as typeof out;
    assert.equal(sim.alertsTotal, 10);
    assert.ok(sim.alerts.every((a) => a.remedy === undefined && (a as { simulated?: boolean }).simulated === true));
    const none = mamori('replay', join(SAMPLES, 'events.jsonl'), '--only', 'impossible-travel');
    assert.equal(none.code, 0, none.err);
    assert.match(none.out, /0 alerts/);
  });

  it('--store records the alerts in alerts.db (account names hashed) and as log-alert events; no decision unless --decide', () => {
    const { dir, mamori } = project();
    const r = mamori('replay', join(SAMPLES, 'events.jsonl'), '--store');
    assert.equal(r.code, 1, r.err);
    const alerts = new Database(join(dir, 'data', 'alerts.db'), { readonly: true });
    try {
      const rows = alerts.prepare('SELECT * FROM alerts').all() as Record<string, unknown>[];
      assert.equal(rows.length, 10);
      const text = JSON.stringify(rows);
      assert.match(text, /login-success-after-failures/);
      assert.doesNotMatch(text, /"root"|\broot\b/, 'no account name in alerts.db');
    } finally {
      alerts.close();
    }
    const db = new Database(join(dir, 'data', 'mamori.db'), { readonly: true });
    try {
      assert.ok((db.prepare("SELECT COUNT(*) AS n FROM events WHERE action = 'log-alert'").get() as { n: number }).n > 0);
      assert.doesNotMatch(JSON.stringify(db.prepare('SELECT * FROM events').all()), /\broot\b/);
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM decisions').get() as { n: number }).n, 0, 'an investigation decides nothing by itself');
    } finally {
      db.close();
    }
    const again = mamori('replay', join(SAMPLES, 'events.jsonl'), '--store', '--json');
    assert.equal(JSON.parse(again.out).alertsTotal, 10);
    const alerts2 = new Database(join(dir, 'data', 'alerts.db'), { readonly: true });
    try {
      assert.equal((alerts2.prepare('SELECT COUNT(*) AS n FROM alerts').get() as { n: number }).n, 10, 'the same logs replayed again record no alert twice');
    } finally {
      alerts2.close();
    }
    assert.equal(mamori('replay', join(SAMPLES, 'events.jsonl'), '--decide').code, 1, '--decide without --store is a usage error');
  });

  it('errors: a malformed scenario file names its line and a missing file its name (exit 2); usage', () => {
    const { dir, mamori } = project();
    writeFileSync(join(dir, 'bad.yaml'), 'id: x\ntitle: t\nfilter: a ==\ngroup_by: source.ip\nbucket: { kind: trigger }\n');
    const bad = mamori('replay', join(SAMPLES, 'events.jsonl'), '--scenarios', 'bad.yaml');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /MAMORI_ERR_DETECT_SCENARIO: bad\.yaml:3:13: expected a value/);
    const missing = mamori('replay', 'nope.log');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope\.log/);
    // Usage errors exit 1 with the usage, as every mamori command does.
    const usage = mamori('replay');
    assert.equal(usage.code, 1);
    assert.match(usage.err, /MAMORI_ERR_CLI_USAGE: give the log files/);
    assert.match(mamori('replay', 'x', '--only', 'no-such').err, /no scenario "no-such" \(there are password-spraying, /);
  });
  it('one input that cannot be read to its end does not stop the others: their report, its error on stderr, exit 2', () => {
    const { dir, mamori } = project();
    const events = readFileSync(join(SAMPLES, 'events.jsonl'));
    writeFileSync(join(dir, 'good.jsonl.gz'), gzipSync(events));
    writeFileSync(join(dir, 'rotated.jsonl.3.gz'), gzipSync(events).subarray(0, 40));
    const all = mamori('replay', 'good.jsonl.gz', 'rotated.jsonl.3.gz', 'gone.log', join(SAMPLES, 'events.jsonl'));
    const alone = mamori('replay', 'good.jsonl.gz', join(SAMPLES, 'events.jsonl'));
    assert.equal(alone.code, 1, alone.err);
    assert.equal(all.code, 2);
    assert.match(all.out, /^rotated\.jsonl\.3\.gz: 0 lines, 0 events, 0 not parsed; not read to its end/m);
    assert.match(all.out, /^gone\.log: 0 lines, .*not read to its end/m);
    // The inputs that could be read gave the same alerts as without the bad ones.
    const tail = (out: string) => out.split('\n').filter((l) => !/^(rotated|gone)/.test(l)).join('\n');
    assert.equal(tail(all.out), tail(alone.out));
    assert.deepEqual(all.err.trim().split('\n'), ['mamori: rotated.jsonl.3.gz: Z_BUF_ERROR: unexpected end of file', "mamori: ENOENT: no such file or directory, open 'gone.log'"]);
    const json = JSON.parse(mamori('replay', '--json', 'good.jsonl.gz', 'rotated.jsonl.3.gz').out) as { files: { path: string; error?: string }[] };
    assert.deepEqual(json.files.map((f) => [f.path, f.error]), [['good.jsonl.gz', undefined], ['rotated.jsonl.3.gz', 'rotated.jsonl.3.gz: Z_BUF_ERROR: unexpected end of file']]);
  });

  it('a reader that goes away early (`| head`) ends the command quietly with 141, no stack trace', async () => {
    const { dir } = project();
    // 5,000 sources failing twenty times each within minutes: megabytes of output, far more than a pipe holds.
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const s = i % 5000;
      lines.push(`Dec  3 10:${String(Math.floor(i / 6000) % 60).padStart(2, '0')}:${String(Math.floor(i / 100) % 60).padStart(2, '0')} host sshd[1]: Failed password for root from 10.0.${s >> 8}.${s & 255} port 22 ssh2`);
    }
    writeFileSync(join(dir, 'auth.log'), lines.join('\n') + '\n');
    const env: NodeJS.ProcessEnv = { ...process.env, MAMORI_SECRET: 'replay-test-secret-0123456789abcdef' };
    delete env.MAMORI_CONFIG;
    const child = spawn(process.execPath, [BIN, 'replay', '--json', 'auth.log'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    // Read the first chunk, then close our end of the pipe, as head does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 141, err);
    assert.doesNotMatch(err, /EPIPE|Unhandled|at /);
  });
});
