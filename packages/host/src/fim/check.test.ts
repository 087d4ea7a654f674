import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, readFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isMamoriError, type SecurityEvent } from 'mamori';
import { FimDb } from './baseline-db.js';
import { READ_BUFFER, hashFile } from './hash-file.js';
import { acceptChanges, checkBaseline, initBaseline, scan } from './check.js';
import { checkEvents } from './events.js';
import { hashFiles } from './hasher.js';
import { Walker, msOfNs } from './walker.js';
import { assertKeyOutside, ensureKey } from './key.js';
import { RuleSet, loadRules, parseAttributes, type FimRuleInput } from './rules.js';
import { fileURLToPath } from 'node:url';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A tree, a database and a key, apart. */
function setup(files: Record<string, string>, rule: Omit<FimRuleInput, 'path'> = {}) {
  const base = mkdtempSync(join(tmpdir(), 'mamori-fim-'));
  roots.push(base);
  const tree = join(base, 'tree');
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(tree, p, '..'), { recursive: true });
    writeFileSync(join(tree, p), content);
  }
  mkdirSync(tree, { recursive: true });
  const db = FimDb.open(join(base, 'data', 'fim.db'));
  const { key } = ensureKey(join(base, 'data', 'fim.key'));
  const rules = new RuleSet({ paths: [{ path: tree, ...rule }] });
  return { base, tree, db, key, rules, dbFile: join(base, 'data', 'fim.db') };
}

const paths = (list: readonly { path: string }[], tree: string): string[] => list.map((e) => e.path.slice(tree.length) || '/');

describe('fim: init and check', () => {
  it('an unchanged tree checks clean, in both modes, and says which ran', async () => {
    const t = setup({ 'index.php': '<?php echo 1;', 'sub/a.txt': 'a' });
    const r0 = await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    assert.equal(r0.count, 4); // tree, index.php, sub, sub/a.txt
    assert.equal(statSync(t.dbFile).mode & 0o777, 0o600);
    for (const mode of ['full', 'fast'] as const) {
      const r = await checkBaseline(t.db, t.key, 'default', { mode });
      assert.equal(r.mode, mode);
      assert.equal(r.signature, 'valid');
      assert.deepEqual([r.added.length, r.removed.length, r.changed.length, r.problems.length], [0, 0, 0, 0]);
      assert.equal(r.hashed, mode === 'full' ? 2 : 0);
    }
  });

  it('fast mode: stored times compare as Node computes them, and what changed in place is caught', async () => {
    const t = setup({ 'a.php': 'a', 'sub/b.php': 'b', 'sub/c.php': 'c', 'd/e.php': 'e', 'link': 'x' });
    for (const p of [t.tree, join(t.tree, 'a.php'), join(t.tree, 'sub')]) {
      const n = lstatSync(p);
      const b = lstatSync(p, { bigint: true });
      assert.equal(msOfNs(String(b.mtimeNs)), n.mtimeMs);
      assert.equal(msOfNs(String(b.ctimeNs)), n.ctimeMs);
    }
    assert.equal(msOfNs('123'), 0.000123);
    assert.ok(Number.isNaN(msOfNs('-5')) && Number.isNaN(msOfNs('')));
    rmSync(join(t.tree, 'link'));
    symlinkSync('a.php', join(t.tree, 'link'));
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    const clean = await checkBaseline(t.db, t.key, 'default', { mode: 'fast' });
    assert.deepEqual([clean.scanned, clean.hashed, clean.changed.length, clean.added.length, clean.removed.length], [8, 0, 0, 0, 0]);
    // a mode change, a directory swapped for a symlink, a symlink re-aimed, a file removed and one added
    chmodSync(join(t.tree, 'a.php'), 0o600);
    renameSync(join(t.tree, 'd'), join(t.tree, 'd.old'));
    symlinkSync('sub', join(t.tree, 'd'));
    rmSync(join(t.tree, 'link'));
    symlinkSync('sub', join(t.tree, 'link'));
    rmSync(join(t.tree, 'sub', 'c.php'));
    writeFileSync(join(t.tree, 'sub', 'new.php'), 'n');
    const r = await checkBaseline(t.db, t.key, 'default', { mode: 'fast' });
    const changed = Object.fromEntries(r.changed.map((c) => [c.path.slice(t.tree.length), c.changes.map((x) => x.attr)]));
    assert.deepEqual(changed['/a.php'], ['mode', 'ctime']);
    assert.ok(changed['/d']?.includes('type'), 'the directory swapped for a symlink is reported');
    assert.ok(changed['/link']?.includes('target'), 'the re-aimed symlink is reported');
    assert.deepEqual(paths(r.removed, t.tree).sort(), ['/d/e.php', '/sub/c.php']);
    assert.deepEqual(paths(r.added, t.tree).sort(), ['/d.old', '/d.old/e.php', '/sub/new.php']);
    assert.equal(r.hashed, 3); // a.php (its ctime moved) and the two new paths; nothing else was read
  });

  it('catches a same-size one-byte change whose mtime was put back: full by the hash, fast by the ctime', async () => {
    const t = setup({ 'index.php': '<?php echo "hello";\n', 'ref': '' });
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    const f = join(t.tree, 'index.php');
    const before = lstatSync(f, { bigint: true });
    const ref = join(t.base, 'times');
    execFileSync('touch', ['-r', f, ref]);
    const fd = openSync(f, 'r+');
    writeSync(fd, 'J', 14); // "hello" -> "Jello"
    closeSync(fd);
    execFileSync('touch', ['-r', ref, f]);
    const now = lstatSync(f, { bigint: true });
    assert.equal(now.size, before.size);
    assert.equal(now.mtimeNs, before.mtimeNs, 'the mtime is back to the recorded one');
    const full = await checkBaseline(t.db, t.key, 'default', { mode: 'full' });
    assert.deepEqual(paths(full.changed, t.tree), ['/index.php']);
    assert.deepEqual(full.changed[0]!.changes.map((c) => c.attr), ['ctime', 'sha256']);
    const fast = await checkBaseline(t.db, t.key, 'default', { mode: 'fast' });
    assert.deepEqual(fast.changed[0]!.changes.map((c) => c.attr), ['ctime', 'sha256']);
    assert.equal(fast.hashed, 1);
  });

  it('fast mode rehashes on a ctime change even when the rule does not compare times', async () => {
    const t = setup({ 'a.php': 'aaaa' }, { attributes: 'R-m-c' });
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    const f = join(t.tree, 'a.php');
    const ref = join(t.base, 'times');
    execFileSync('touch', ['-r', f, ref]);
    writeFileSync(f, 'bbbb');
    execFileSync('touch', ['-r', ref, f]);
    const fast = await checkBaseline(t.db, t.key, 'default', { mode: 'fast' });
    assert.deepEqual(fast.changed.map((c) => c.changes.map((x) => x.attr)), [['sha256']]);
  });

  it('reports added, removed and changed paths with exactly which attributes changed, and a diff of small text files', async () => {
    const t = setup({ 'a.php': 'line 1\nline 2\nline 3\n', 'b.txt': 'b', 'c.txt': 'c' }, { diff: true });
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    writeFileSync(join(t.tree, 'a.php'), 'line 1\n<?php system($_GET["c"]); ?>\nline 3\n');
    unlinkSync(join(t.tree, 'b.txt'));
    chmodSync(join(t.tree, 'c.txt'), 0o4755);
    writeFileSync(join(t.tree, 'shell.php'), '<?php');
    const r = await checkBaseline(t.db, t.key, 'default');
    assert.deepEqual(paths(r.added, t.tree), ['/shell.php']);
    assert.deepEqual(paths(r.removed, t.tree), ['/b.txt']);
    assert.deepEqual(paths(r.changed, t.tree), ['/', '/a.php', '/c.txt']);
    const a = r.changed[1]!;
    assert.deepEqual(a.changes.map((c) => c.attr), ['size', 'mtime', 'ctime', 'sha256']);
    assert.equal(a.diff, '@@ -2 +2 @@\n  line 1\n- line 2\n+ <?php system($_GET["c"]); ?>\n  line 3');
    const c = r.changed[2]!;
    assert.deepEqual(c.changes.map((x) => [x.attr, x.old, x.new]).filter(([k]) => k === 'mode'), [['mode', '0644', '4755']]);
    assert.equal(c.diff, undefined);
  });

  it('records a symlink as a link with its target, never following it out of the tree', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'mamori-fim-outside-'));
    roots.push(outside);
    writeFileSync(join(outside, 'secret.txt'), 'x');
    const t = setup({ 'a.txt': 'a' });
    symlinkSync(outside, join(t.tree, 'out-dir'));
    symlinkSync(join(outside, 'secret.txt'), join(t.tree, 'out-file'));
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    const b = t.db.load('default', t.key);
    assert.equal(b.entries.get(join(t.tree, 'out-dir'))?.type, 'symlink');
    assert.equal(b.entries.get(join(t.tree, 'out-dir'))?.target, outside);
    assert.equal(b.entries.get(join(t.tree, 'out-file'))?.sha256, null);
    assert.ok([...b.entries.keys()].every((p) => p.startsWith(t.tree)), 'nothing outside the tree is recorded');
    writeFileSync(join(outside, 'secret.txt'), 'changed outside');
    assert.equal((await checkBaseline(t.db, t.key, 'default')).changed.length, 0);
    unlinkSync(join(t.tree, 'out-file'));
    symlinkSync('/etc/passwd', join(t.tree, 'out-file'));
    const r = await checkBaseline(t.db, t.key, 'default');
    const link = r.changed.find((c) => c.path.endsWith('out-file'))!;
    assert.ok(link.changes.some((c) => c.attr === 'target' && c.new === '/etc/passwd'));
  });

  it('records special files as what they are, and reports files that vanish or are swapped mid-scan instead of failing', async () => {
    const swap = (p: string): void => {
      if (p.endsWith('gone.txt')) unlinkSync(p);
      if (p.endsWith('swap-fifo.txt')) {
        unlinkSync(p);
        execFileSync('mkfifo', [p]);
      }
      if (p.endsWith('swap-link.txt')) {
        unlinkSync(p);
        symlinkSync('/etc/shadow', p);
      }
    };
    const files = { 'gone.txt': 'g', 'swap-fifo.txt': 's', 'swap-link.txt': 'l', 'ok.txt': 'ok' };
    // Hashed after the walk (worker threads asked for): a path swapped between the walk's lstat
    // and the read is reported as not checked.
    const t = setup(files);
    execFileSync('mkfifo', [join(t.tree, 'pipe')]);
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    assert.equal(t.db.load('default', t.key).entries.get(join(t.tree, 'pipe'))?.type, 'fifo');
    const r = await checkBaseline(t.db, t.key, 'default', { threads: 2, beforeHash: swap });
    const why = Object.fromEntries(r.problems.map((p) => [p.path.slice(t.tree.length + 1), p.reason]));
    assert.deepEqual(why, {
      'gone.txt': 'vanished during the scan',
      'swap-fifo.txt': 'not a regular file any more (replaced during the scan)',
      'swap-link.txt': 'replaced by a symlink during the scan',
    });
    assert.equal(r.changed.some((c) => c.path.endsWith('ok.txt')), false);
    // Hashed as the walk comes to it (one thread, the default): the path is opened before
    // anything is recorded of it, so what is there then is what is recorded, and reported as
    // the change it is (a FIFO is not waited on, a symlink not followed).
    const u = setup(files);
    await initBaseline(u.db, u.key, 'default', u.rules, { who: 'test' });
    const one = await checkBaseline(u.db, u.key, 'default', { threads: 0, beforeHash: swap });
    assert.deepEqual(Object.fromEntries(one.problems.map((p) => [p.path.slice(u.tree.length + 1), p.reason])), { 'gone.txt': 'vanished during the scan' });
    assert.deepEqual(one.removed.map((e) => e.path.slice(u.tree.length + 1)), ['gone.txt']);
    const types = Object.fromEntries(one.changed.map((c) => [c.path.slice(u.tree.length + 1), c.changes.find((x) => x.attr === 'type')?.new]));
    assert.deepEqual(types, { 'swap-fifo.txt': 'fifo', 'swap-link.txt': 'symlink' });
    assert.equal(one.changed.find((c) => c.path.endsWith('swap-link.txt'))!.new.target, '/etc/shadow');
  });

  it('reports a name that is not valid UTF-8 instead of skipping it silently', async () => {
    const t = setup({ 'ok.php': 'ok' });
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    writeFileSync(Buffer.concat([Buffer.from(`${t.tree}/shell`), Buffer.from([0xff, 0xfe]), Buffer.from('.php')]), '<?php');
    for (const mode of ['full', 'fast'] as const) {
      const r = await checkBaseline(t.db, t.key, 'default', { mode });
      assert.deepEqual(r.problems.map((p) => p.reason), ['a name that is not valid UTF-8: not checked']);
      assert.match(r.problems[0]!.path, /shell\uFFFD+\.php$/);
    }
  });

  it('never walks out of the tree through a directory swapped for a symlink during the walk', () => {
    const outside = mkdtempSync(join(tmpdir(), 'mamori-fim-outside-'));
    roots.push(outside);
    // what tree/a/b resolves to once tree/a is a link to `outside`
    mkdirSync(join(outside, 'b', 'deeper'), { recursive: true });
    for (let i = 0; i < 5; i++) writeFileSync(join(outside, 'b', `secret${i}`), 'x');
    const t = setup({ 'a/b/file': '1', 'a/other': '2', 'keep.txt': '3' });
    let swapped = false;
    const w = new Walker(t.rules, new Set(), undefined, (dir) => {
      if (dir === join(t.tree, 'a', 'b') && !swapped) {
        swapped = true;
        renameSync(join(t.tree, 'a'), join(t.base, 'a-moved'));
        symlinkSync(outside, join(t.tree, 'a'));
      }
    }).walkAll();
    assert.ok(swapped);
    const seen = w.out.map((x) => x.entry.path);
    assert.ok(!seen.some((p) => /secret|deeper/.test(p)), seen.join(' '));
    assert.ok(w.problems.some((p) => p.path === join(t.tree, 'a', 'b') && /replaced during the scan/.test(p.reason)), JSON.stringify(w.problems));
  });

  it('streams large directories and reads small ones whole, with the same result', () => {
    const t = setup(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`d/f${i}`, String(i)])));
    const whole = new Walker(t.rules).walkAll().out.map((w) => w.entry.path).sort();
    const streamed = new Walker(t.rules, new Set(), 0).walkAll().out.map((w) => w.entry.path).sort();
    assert.equal(whole.length, 302);
    assert.deepEqual(streamed, whole);
  });

  it('follows include and exclude globs and per-rule attribute sets', async () => {
    const t = setup(
      { 'index.php': '1', 'readme.txt': '2', 'cache/x.php': '3', 'logs/a.log': '4', 'uploads/u.php': '5', 'uploads/p.jpg': '6' },
      { include: ['*.php', '*.jpg'], exclude: ['/cache', '*.log'], overrides: [{ match: 'uploads/**', attributes: 'perms' }] },
    );
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    const b = t.db.load('default', t.key);
    assert.deepEqual([...b.entries.keys()].map((p) => p.slice(t.tree.length)).sort(), ['', '/index.php', '/uploads/p.jpg', '/uploads/u.php']);
    writeFileSync(join(t.tree, 'uploads/p.jpg'), 'another picture');
    writeFileSync(join(t.tree, 'cache/y.php'), 'ignored');
    chmodSync(join(t.tree, 'uploads/u.php'), 0o777);
    const r = await checkBaseline(t.db, t.key, 'default');
    assert.deepEqual(r.changed.map((c) => [c.path.slice(t.tree.length), c.changes.map((x) => x.attr)]), [['/uploads/u.php', ['mode']]]);
    assert.equal(r.added.length, 0);
  });

  it('reads rules from YAML, with file and line in errors', () => {
    const t = setup({});
    const f = join(t.base, 'rules.yaml');
    writeFileSync(f, `paths:\n  - path: ${t.tree}\n    exclude: ['cache/**']\n    attributes: R-m\n`);
    assert.equal(loadRules(f).rules[0]!.root, t.tree);
    writeFileSync(f, `paths:\n  - path: ${t.tree}\n    attributes: R+xattrs\n`);
    assert.throws(() => loadRules(f), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_RULES') && (e as Error).message.includes(`${f}:2`) && /xattrs/.test((e as Error).message));
    writeFileSync(f, `paths:\n  - path: ${t.tree}\n    exlcude: []\n`);
    assert.throws(() => loadRules(f), new RegExp(`${f}:3: paths\\[0\\] has an unknown key "exlcude"`));
    writeFileSync(f, 'paths: [\n');
    assert.throws(() => loadRules(f), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_RULES') && (e as Error).message.startsWith(`${f}:`));
  });

  it("docs/fim.md's rules example loads as written", () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../../docs/fim.md', import.meta.url)), 'utf8');
    const blocks = [...doc.matchAll(/^```yaml fim-rules\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
    assert.equal(blocks.length, 1);
    const t = setup({});
    const f = join(t.base, 'doc-rules.yaml');
    writeFileSync(f, blocks[0]!);
    const rs = loadRules(f);
    assert.deepEqual(rs.rules.map((r) => r.root).sort(), ['/etc', '/var/www/shop']);
    const shop = rs.ruleFor('/var/www/shop/wp-content/uploads/2026/a.jpg')!;
    assert.equal(rs.attrsFor(shop, 'wp-content/uploads/2026/a.jpg'), parseAttributes('perms'));
    assert.equal(rs.covers('/var/www/shop/wp-content/cache/x.html'), false);
  });

  it('refuses a root that is missing or a symlink', async () => {
    const t = setup({});
    symlinkSync(t.tree, join(t.base, 'link'));
    await assert.rejects(initBaseline(t.db, t.key, 'x', new RuleSet({ paths: [{ path: join(t.base, 'link') }] }), { who: 't' }), /is a symlink to .*tree: links are recorded, never followed/);
    await assert.rejects(initBaseline(t.db, t.key, 'x', new RuleSet({ paths: [{ path: join(t.base, 'nothing') }] }), { who: 't' }), /does not exist/);
  });

  it('refuses a key inside a monitored tree unless the rules exclude it', () => {
    const t = setup({});
    assert.throws(() => assertKeyOutside(join(t.tree, 'fim.key'), t.rules), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_KEY'));
    assert.doesNotThrow(() => assertKeyOutside(join(t.base, 'data', 'fim.key'), t.rules));
    const excl = new RuleSet({ paths: [{ path: t.tree, exclude: ['/keys'] }] });
    assert.doesNotThrow(() => assertKeyOutside(join(t.tree, 'keys', 'fim.key'), excl));
  });
});

describe('fim: the signature', () => {
  /** Rewrites the stored records as text (fields and records NUL-terminated), as an intruder with the database could. */
  function editRecords(dbFile: string, edit: (text: string) => string): void {
    const raw = new Database(dbFile);
    const rows = raw.prepare('SELECT baseline, seq, data FROM records').all() as { baseline: string; seq: number; data: Buffer }[];
    let changed = 0;
    for (const r of rows) {
      const text = r.data.toString('utf8');
      const next = edit(text);
      if (next !== text) changed++;
      raw.prepare('UPDATE records SET data = ? WHERE baseline = ? AND seq = ?').run(Buffer.from(next), r.baseline, r.seq);
    }
    raw.close();
    assert.equal(changed, 1, 'the edit changed the stored records');
  }

  it('a record edited in fim.db (the attacker hides a changed file) fails the check', async () => {
    const t = setup({ 'index.php': 'good' });
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    writeFileSync(join(t.tree, 'index.php'), 'evil');
    const st = statSync(join(t.tree, 'index.php'), { bigint: true });
    const old = t.db.load('default', t.key).entries.get(join(t.tree, 'index.php'))!;
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    assert.equal(old.sha256, sha('good'));
    editRecords(t.dbFile, (text) => text.replace(sha('good'), sha('evil')).replace(`\0${old.mtime}\0${old.ctime}\0`, `\0${st.mtimeNs}\0${st.ctimeNs}\0`));
    await assert.rejects(checkBaseline(t.db, t.key, 'default'), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_SIGNATURE'));
  });

  it('so do a deleted record, an edited rule set, an edited history, a changed count, and another key', async () => {
    const edits: ((dbFile: string, tree: string) => void)[] = [
      (dbFile, tree) => editRecords(dbFile, (text) => text.replace(new RegExp(`${tree}/a\0(?:[^\0]*\0){14}`), '')),
      (dbFile, tree) => editRecords(dbFile, (text) => text.replace(`${tree}/a\0file\x001\x00420\0`, `${tree}/a\0file\x001\x00511\0`)),
      (dbFile) => void new Database(dbFile).prepare("UPDATE baselines SET rules = replace(rules, '\"paths\"', '\"paths\" ')").run(),
      (dbFile) => void new Database(dbFile).prepare("UPDATE baselines SET history = replace(history, 'test', 'someone else')").run(),
      (dbFile) => void new Database(dbFile).prepare('UPDATE baselines SET count = count - 1').run(),
    ];
    for (const edit of edits) {
      const t = setup({ a: 'a', b: 'b' });
      await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
      edit(t.dbFile, t.tree);
      await assert.rejects(checkBaseline(t.db, t.key, 'default'), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_SIGNATURE'), edit.toString());
      // what `fim init --force` carries over is verified the same way, records included
      assert.throws(() => t.db.loadMeta('default', t.key), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_SIGNATURE'), edit.toString());
    }
    const t = setup({ a: 'a' });
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    await assert.rejects(checkBaseline(t.db, randomBytes(32), 'default'), (e: unknown) => isMamoriError(e, 'MAMORI_ERR_FIM_SIGNATURE'));
  });
});

describe('fim: accept', () => {
  it('takes a path, or all, into the baseline, recording who and why', async () => {
    const t = setup({ 'a.php': 'a', 'sub/b.php': 'b', 'c.php': 'c' }, { diff: true });
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'setup', now: () => Date.parse('2026-12-01T00:00:00Z') });
    writeFileSync(join(t.tree, 'sub/b.php'), 'b2');
    writeFileSync(join(t.tree, 'sub/new.php'), 'n');
    unlinkSync(join(t.tree, 'c.php'));
    const one = await acceptChanges(t.db, t.key, 'default', { who: 'alice', why: 'deploy 1.2.3', paths: [join(t.tree, 'sub')] });
    assert.deepEqual(one.accepted.map((p) => p.slice(t.tree.length)), ['/sub', '/sub/b.php', '/sub/new.php']);
    const r = await checkBaseline(t.db, t.key, 'default');
    assert.deepEqual([paths(r.added, t.tree), paths(r.removed, t.tree), paths(r.changed, t.tree)], [[], ['/c.php'], ['/']]);
    // the kept copy follows the accepted content, so the next diff is against b2
    writeFileSync(join(t.tree, 'sub/b.php'), 'b3');
    assert.equal((await checkBaseline(t.db, t.key, 'default')).changed.find((c) => c.path.endsWith('b.php'))?.diff, '@@ -1 +1 @@\n- b2\n+ b3');
    const all = await acceptChanges(t.db, t.key, 'default', { who: 'bob', why: 'reviewed', now: () => Date.parse('2026-12-02T00:00:00Z') });
    assert.equal(all.accepted.length, 3);
    const clean = await checkBaseline(t.db, t.key, 'default');
    assert.equal(clean.added.length + clean.removed.length + clean.changed.length, 0);
    const h = t.db.load('default', t.key).history;
    assert.deepEqual(h.map((x) => [x.action, x.who, x.why, x.count]), [['init', 'setup', 'initial baseline', 5], ['accept', 'alice', 'deploy 1.2.3', 3], ['accept', 'bob', 'reviewed', 3]]);
    assert.equal(h[2]!.at, '2026-12-02T00:00:00.000Z');
    await assert.rejects(acceptChanges(t.db, t.key, 'default', { who: 'x', why: ' ' }), /who accepts them and why/);
  });
});

describe('fim: hashing', () => {
  it('workers and this thread agree, on files larger than the read buffer too', async () => {
    const t = setup({});
    const files: string[] = [];
    for (let i = 0; i < 40; i++) {
      const f = join(t.tree, `f${i}`);
      writeFileSync(f, randomBytes(i === 0 ? 3 * (1 << 20) + 17 : i * 1000));
      files.push(f);
    }
    const jobs = files.map((path) => {
      const st = lstatSync(path, { bigint: true });
      return { path, dev: st.dev, ino: st.ino, keep: 0, hashSparse: false };
    });
    const sizes = files.map((f) => statSync(f).size);
    const inline = await hashFiles(jobs, sizes, { threads: 0 });
    const pooled = await hashFiles(jobs, sizes, { threads: 2, inlineBelow: 0 });
    assert.deepEqual(pooled, inline);
    assert.deepEqual(inline[0], { ok: true, size: 3 * (1 << 20) + 17, sha256: createHash('sha256').update(readFileSync(files[0]!)).digest('hex'), content: undefined });
    renameSync(files[1]!, `${files[1]}.moved`);
    const [moved] = await hashFiles([jobs[1]!], [sizes[1]!], { threads: 2, inlineBelow: 0 });
    assert.deepEqual(moved, { ok: false, error: 'vanished during the scan' });
  });

  it('hashes empty files, one-read files, files of exactly one read buffer and longer ones, keeping small contents', async () => {
    const t = setup({});
    const sizes = [0, 1, 5000, READ_BUFFER - 1, READ_BUFFER, READ_BUFFER + 1, 2 * READ_BUFFER, 3 * READ_BUFFER + 5];
    const buf = Buffer.allocUnsafe(READ_BUFFER);
    for (const size of sizes) {
      const f = join(t.tree, `s${size}`);
      const data = randomBytes(size);
      writeFileSync(f, data);
      const st = lstatSync(f, { bigint: true });
      for (const keep of [0, 4096, 10 * READ_BUFFER]) {
        const r = hashFile({ path: f, dev: st.dev, ino: st.ino, keep, hashSparse: false }, buf);
        const kept = keep > 0 && size <= keep ? new Uint8Array(data) : undefined;
        assert.deepEqual(r, { ok: true, size, sha256: createHash('sha256').update(data).digest('hex'), content: kept }, `${size} bytes, keep ${keep}`);
      }
    }
  });

  it('a scan of the same tree gives the same records as the baseline', async () => {
    const t = setup({ a: 'a', 'd/b': 'b' });
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    const s = await scan(t.rules, 'all');
    assert.deepEqual(s.entries, new Map(t.db.load('default', t.key).entries));
  });
});

describe('fim: events', () => {
  it('one event per path (at most the cap) and one summary, ECS-shaped', async () => {
    const t = setup({ 'a.php': 'a', 'b.php': 'b' });
    await initBaseline(t.db, t.key, 'default', t.rules, { who: 'test' });
    writeFileSync(join(t.tree, 'a.php'), 'A');
    unlinkSync(join(t.tree, 'b.php'));
    for (let i = 0; i < 5; i++) writeFileSync(join(t.tree, `n${i}.php`), 'n');
    const r = await checkBaseline(t.db, t.key, 'default');
    const ev: SecurityEvent[] = checkEvents(r, '2026-12-03T00:00:00.000Z', 3);
    assert.deepEqual(ev.map((e) => e['event.action']), ['fim-file-added', 'fim-file-added', 'fim-file-added', 'fim-check-changes']);
    const all = checkEvents(r, '2026-12-03T00:00:00.000Z');
    const changed = all.find((e) => e['file.path'] === join(t.tree, 'a.php'))!;
    assert.equal(changed['event.action'], 'fim-file-changed');
    assert.equal(changed['event.category'], 'file');
    assert.equal(changed['event.module'], 'fim');
    assert.equal(changed['event.severity'], 73);
    assert.equal(changed['mamori.fim.changed'], 'mtime ctime sha256');
    assert.equal(changed['file.hash.sha256'], createHash('sha256').update('A').digest('hex'));
    assert.equal(all.find((e) => e['event.action'] === 'fim-file-removed')?.['file.path'], join(t.tree, 'b.php'));
    const summary = all.at(-1)!;
    assert.equal(summary['mamori.count'], 8); // the tree itself changed too (mtime, ctime)
    assert.match(summary['event.reason']!, /^full check of "default": 5 added, 1 removed, 2 changed, 0 not checked$/);
  });
});
