import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { defaultDataDir } from '../config-file.js';

const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-cli-fim-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'mamori.yaml'), 'data_dir: ./data\n');
  mkdirSync(join(dir, 'www', 'wp-content'), { recursive: true });
  writeFileSync(join(dir, 'www', 'index.php'), '<?php\nrequire "wp-blog-header.php";\n');
  writeFileSync(join(dir, 'www', 'wp-content', 'a.log'), 'log');
  const mamori = (...args: string[]) => {
    const env = { ...process.env };
    delete env.MAMORI_CONFIG;
    delete env.MAMORI_SECRET;
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  return { dir, mamori };
}

describe('mamori fim', () => {
  it('with no config file, keeps its data in ./.mamori, where the defaults put them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-cli-fim-noconf-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'www'));
    writeFileSync(join(dir, 'www', 'a.php'), '<?php echo 1;');
    const env = { ...process.env };
    delete env.MAMORI_CONFIG;
    const r = spawnSync(process.execPath, [BIN, 'fim', 'init', 'www', '--no-events'], { cwd: dir, encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(statSync(join(dir, '.mamori', 'fim.db')).isFile());
    assert.ok(statSync(join(dir, '.mamori', 'fim.key')).isFile());
    // the command finds that directory without loading mamori: it must stay the defaults' own
    const { defaultConfig } = await import('mamori');
    assert.equal(defaultDataDir(), defaultConfig().dataDir);
  });

  it('init, check (table and JSON), accept with who and why, history; exit codes 0 and 1', () => {
    const { dir, mamori } = project();
    const init = mamori('fim', 'init', 'www', '--exclude', '*.log', '--diff');
    assert.equal(init.code, 0, init.err);
    assert.match(init.out, /baseline "default": 3 paths, 1 files hashed .* signed with .*data\/fim\.key \(a new key/);
    assert.equal(statSync(join(dir, 'data', 'fim.key')).mode & 0o777, 0o600);
    assert.equal(mamori('fim', 'init', 'www').code, 2, 'a second init needs --force');

    const clean = mamori('fim', 'check', '--fast');
    assert.equal(clean.code, 0, clean.err);
    assert.match(clean.out, /^fast check of "default": 0 added, 0 removed, 0 changed, 0 not checked .*signature valid/);

    writeFileSync(join(dir, 'www', 'index.php'), '<?php\neval($_POST["x"]);\n');
    const changed = mamori('fim', 'check', '--json');
    assert.equal(changed.code, 1, changed.err);
    const j = JSON.parse(changed.out) as Record<string, unknown> & { changed: { path: string; changes: { attr: string; old: string; new: string }[]; diff?: string }[] };
    assert.deepEqual(Object.keys(j), ['baseline', 'mode', 'signature', 'startedAt', 'durationMs', 'scanned', 'hashed', 'hashedBytes', 'summary', 'added', 'removed', 'changed', 'problems']);
    assert.equal(j.mode, 'full');
    assert.equal(j.signature, 'valid');
    assert.deepEqual(j.summary, { added: 0, removed: 0, changed: 1, problems: 0 });
    assert.equal(j.changed[0]!.path, join(dir, 'www', 'index.php'));
    assert.deepEqual(j.changed[0]!.changes.map((c) => c.attr), ['size', 'mtime', 'ctime', 'sha256']);
    assert.equal(j.changed[0]!.diff, '@@ -2 +2 @@\n  <?php\n- require "wp-blog-header.php";\n+ eval($_POST["x"]);\n  ');

    const table = mamori('fim', 'check');
    assert.equal(table.code, 1);
    assert.match(table.out, /changed +\S+index\.php +size mtime ctime sha256/);
    assert.match(table.out, /\+ eval\(\$_POST\["x"\]\);/);

    const events = JSON.parse(mamori('events', '--json', '--action', 'fim-file-changed').out) as { 'file.path': string; 'event.module': string }[];
    assert.equal(events.length, 2, 'one event from each of the two checks');
    assert.equal(events[0]!['file.path'], join(dir, 'www', 'index.php'));

    assert.equal(mamori('fim', 'accept', '--all').code, 2, 'accept needs a reason');
    const acc = mamori('fim', 'accept', 'www/index.php', '--reason', 'release 2.0', '--by', 'alice');
    assert.equal(acc.code, 0, acc.err);
    assert.match(acc.out, /^1 changes accepted into "default" by alice:/);
    assert.equal(mamori('fim', 'check').code, 0);
    const h = JSON.parse(mamori('fim', 'history', '--json').out) as { action: string; who: string; why: string }[];
    assert.deepEqual(h.map((x) => [x.action, x.who, x.why]).slice(1), [['accept', 'alice', 'release 2.0']]);
    assert.equal(JSON.parse(mamori('events', '--json', '--action', 'fim-changes-accepted').out).length, 1);
    assert.equal(mamori('fim', 'init', 'www', '--force', '--by', 'bob', '--reason', 'new rules').code, 0);
    const h2 = JSON.parse(mamori('fim', 'history', '--json').out) as { action: string; who: string; why: string }[];
    assert.deepEqual(h2.map((x) => [x.action, x.who, x.why]).slice(1), [['accept', 'alice', 'release 2.0'], ['init', 'bob', 'new rules']]);
  });

  it('a tampered baseline fails loudly with exit code 3 and an event; a missing key too', () => {
    const { dir, mamori } = project();
    assert.equal(mamori('fim', 'init', 'www').code, 0);
    writeFileSync(join(dir, 'www', 'index.php'), 'backdoor');
    const raw = new Database(join(dir, 'data', 'fim.db'));
    const row = raw.prepare('SELECT seq, data FROM records').get() as { seq: number; data: Buffer };
    const text = row.data.toString('utf8').replace(/(index\.php\0file\0)\d+\0/, '$18\0');
    assert.notEqual(text, row.data.toString('utf8'));
    raw.prepare('UPDATE records SET data = ? WHERE seq = ?').run(Buffer.from(text), row.seq);
    raw.close();
    const r = mamori('fim', 'check');
    assert.equal(r.code, 3);
    assert.match(r.err, /MAMORI_ERR_FIM_SIGNATURE: the baseline "default" .* does not match its signature/);
    const ev = JSON.parse(mamori('events', '--json', '--action', 'fim-baseline-invalid').out) as { 'event.severity': number }[];
    assert.equal(ev[0]?.['event.severity'], 99);
    rmSync(join(dir, 'data', 'fim.key'));
    const nokey = mamori('fim', 'check');
    assert.equal(nokey.code, 2);
    assert.match(nokey.err, /MAMORI_ERR_FIM_KEY: cannot read the baseline key/);
  });

  it('an older signed baseline put back is refused (exit 3, fim-baseline-rollback); init --force records anew; a missing record is said', () => {
    const { dir, mamori } = project();
    assert.equal(mamori('fim', 'init', 'www').code, 0);
    assert.equal(statSync(join(dir, 'data', 'fim.key.generations')).mode & 0o777, 0o600);
    mamori('fim', 'check');
    copyFileSync(join(dir, 'data', 'fim.db'), join(dir, 'old.db'));
    writeFileSync(join(dir, 'www', 'index.php'), '<?php echo 2;');
    assert.equal(mamori('fim', 'accept', '--all', '--reason', 'release 2').code, 0);
    mamori('fim', 'check');
    copyFileSync(join(dir, 'old.db'), join(dir, 'data', 'fim.db'));
    const r = mamori('fim', 'check');
    assert.equal(r.code, 3);
    assert.match(r.err, /is generation 1, older than generation 2 recorded in .*fim\.key\.generations/);
    const ev = JSON.parse(mamori('events', '--json', '--action', 'fim-baseline-rollback').out) as { 'event.severity': number }[];
    assert.equal(ev[0]?.['event.severity'], 99);
    const again = mamori('fim', 'init', 'www', '--force');
    assert.equal(again.code, 0);
    assert.match(again.err, /previous baseline "default" does not verify .*older than generation 2/);
    assert.equal(mamori('fim', 'check').code, 0);
    rmSync(join(dir, 'data', 'fim.key.generations'));
    const first = mamori('fim', 'check');
    assert.equal(first.code, 0);
    assert.match(first.err, /notice: no generation recorded for the baseline "default" .* recording generation 3 now/);
    assert.doesNotMatch(mamori('fim', 'check').err, /notice/);
  });

  it('usage errors exit 2; a key inside the monitored tree is refused', () => {
    const { mamori } = project();
    assert.equal(mamori('fim').code, 2);
    assert.equal(mamori('fim', 'check', '--fast', '--full').code, 2);
    assert.equal(mamori('fim', 'init').code, 2);
    const inside = mamori('fim', 'init', 'www', '--key', 'www/fim.key');
    assert.equal(inside.code, 2);
    assert.match(inside.err, /MAMORI_ERR_FIM_KEY: .* is inside a monitored path/);
    assert.equal(mamori('fim', 'check').code, 2, 'no baseline yet');
  });
});

describe('mamori fim: alerts', () => {
  it('check sends its events to the webhooks that list them', async () => {
    const got: { type: string; event: Record<string, unknown> }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        got.push(JSON.parse(body) as { type: string; event: Record<string, unknown> });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { dir } = project();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      writeFileSync(join(dir, 'mamori.yaml'), `data_dir: ./data\nwebhooks:\n  - url: ${url}\n    secret: 3f6c1e0b9a8d7c6b5a4f3e2d1c0b9a8f\n    events: [fim-check-changes, fim-file-added]\n`);
      assert.equal((await mamoriAsync(dir, 'fim', 'init', 'www')).code, 0);
      writeFileSync(join(dir, 'www', 'planted.php'), '<?php');
      const r = await mamoriAsync(dir, 'fim', 'check');
      assert.equal(r.code, 1, r.err);
      assert.deepEqual(got.map((g) => g.type).sort(), ['fim-check-changes', 'fim-file-added']);
      assert.equal(got.find((g) => g.type === 'fim-file-added')!.event['file.path'], join(dir, 'www', 'planted.php'));
    } finally {
      server.close();
    }
  });

  it('watch reports a change as it happens and stops on SIGTERM', async () => {
    const { dir, mamori } = project();
    assert.equal(mamori('fim', 'init', 'www').code, 0);
    const env = { ...process.env };
    delete env.MAMORI_CONFIG;
    delete env.MAMORI_SECRET;
    const child = spawn(process.execPath, [BIN, 'fim', 'watch', '--json', '--debounce', '100ms'], { cwd: dir, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    const until = (what: string, ok: () => boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} within 15 s: ${err} ${out}`)), 15_000);
        const look = (): void => {
          if (ok()) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', look);
        child.stderr.on('data', look);
        look();
      });
    child.stderr.on('data', (d: Buffer) => (err += d));
    try {
      await until('start-up line', () => /watching "default": 2 directories/.test(err));
      writeFileSync(join(dir, 'www', 'index.php'), '<?php system($_GET[1]);');
      await until('report of the change', () => out.includes(join(dir, 'www', 'index.php')));
      const line = out.split('\n').find((l) => l.includes('index.php'))!;
      const report = JSON.parse(line) as { mode: string; changed: { path: string; changes: { attr: string }[] }[] };
      assert.deepEqual(report.changed.map((c) => c.path), [join(dir, 'www', 'index.php')]);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 0, err);
    const events = JSON.parse(mamori('events', '--json', '--action', 'fim-file-changed').out) as { 'file.path': string }[];
    assert.deepEqual(events.map((e) => e['file.path']), [join(dir, 'www', 'index.php')]);
  });
});

/** The CLI without blocking this process (a server in it must answer). */
function mamoriAsync(dir: string, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.MAMORI_CONFIG;
    delete env.MAMORI_SECRET;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}
