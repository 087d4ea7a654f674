// Red team s17 (bench/redteam/README-fim-inline-s17.md): the inline hashing of init and full
// checks (one thread) against a tree whose directories are swapped under the walk.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FimDb } from './baseline-db.js';
import { checkBaseline, initBaseline } from './check.js';
import { ensureKey } from './key.js';
import { RuleSet } from './rules.js';
import { withFs } from '../sparse-test-kit.js';

const base = mkdtempSync(join(tmpdir(), 'mamori-fim-inline-rt-'));
after(() => rmSync(base, { recursive: true, force: true }));
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('S17F: inline hashing and directory swaps', () => {
  it('S17F-1: a directory swapped for a symlink between its listing and the open, and back, does not put a file from outside the tree (hash, attributes, kept content) in the baseline', async () => {
    const tree = join(base, 'tree');
    const d = join(tree, 'd');
    const secret = join(base, 'secret');
    mkdirSync(d, { recursive: true });
    mkdirSync(secret);
    for (const n of ['a.txt', 'b.txt']) {
      writeFileSync(join(d, n), `mine ${n}\n`);
      writeFileSync(join(secret, n), `password=hunter2 ${n}\n`);
    }
    const db = FimDb.open(join(base, 'data', 'fim.db'));
    const { key } = ensureKey(join(base, 'data', 'fim.key'));
    const rules = new RuleSet({ paths: [{ path: tree, diff: true }] });
    // The attacker's two moves, timed by the hook: the first file of d is opened through a
    // symlink to `secret`, and d is put back before its listing ends (so the walk's check that
    // d is still the directory it saw passes).
    let calls = 0;
    const beforeHash = (p: string): void => {
      if (!p.startsWith(`${d}/`)) return;
      calls++;
      if (calls === 1) {
        renameSync(d, `${d}.real`);
        symlinkSync(secret, d);
      } else if (calls === 2) {
        unlinkSync(d);
        renameSync(`${d}.real`, d);
      }
    };
    await initBaseline(db, key, 'default', rules, { who: 'test', beforeHash });
    assert.ok(calls >= 2);
    const b = db.load('default', key);
    for (const n of ['a.txt', 'b.txt']) {
      const e = b.entries.get(join(d, n));
      if (e) assert.notEqual(e.sha256, sha(`password=hunter2 ${n}\n`), `${n}: the hash of a file outside the tree`);
      const kept = db.content('default', join(d, n));
      assert.ok(!kept || !kept.toString().includes('hunter2'), `${n}: the content of a file outside the tree kept for diffs`);
    }
    // and a check after it (inline too) is clean or reports the paths, never shows the secret
    const r = await checkBaseline(db, key, 'default', {});
    assert.ok(!JSON.stringify(r.changed.map((c) => c.diff ?? '')).includes('hunter2'));
  });

  it('S17F-3: a name that is not valid UTF-8 beside its twin named with U+FFFD is reported, not hidden behind the twin', async () => {
    const tree = join(base, 'twin');
    mkdirSync(tree);
    writeFileSync(join(tree, 'shell\uFFFD.php'), 'decoy');
    const bad = Buffer.concat([Buffer.from(`${tree}/shell`), Buffer.from([0xff]), Buffer.from('.php')]);
    writeFileSync(bad, '<?php system($_GET[c]);');
    const db = FimDb.open(join(base, 'twin-data', 'fim.db'));
    const { key } = ensureKey(join(base, 'twin-data', 'fim.key'));
    const rules = new RuleSet({ paths: [{ path: tree }] });
    for (const threads of [1, 2]) {
      const init = await initBaseline(db, key, 'default', rules, { who: 'test', threads, history: [] });
      assert.deepEqual(init.problems.map((p) => p.reason), ['a name that is not valid UTF-8: not checked'], `threads ${threads}`);
    }
    writeFileSync(bad, '<?php eval($_POST[x]);');
    for (const mode of ['full', 'fast'] as const) {
      const r = await checkBaseline(db, key, 'default', { mode });
      assert.deepEqual(r.problems.map((p) => p.reason), ['a name that is not valid UTF-8: not checked'], mode);
      assert.equal(r.scanned, 2, mode); // the tree and the twin, once each
    }
  });
});

describe('S17F-2: a fast check is pinned too', () => {
  it('a directory swapped for a symlink around each lstat of its names and again before the rehash does not bring a file from outside into the report', async () => {
    const tree = join(base, 'fast-tree');
    const d = join(tree, 'd');
    const secret = join(base, 'fast-secret');
    mkdirSync(d, { recursive: true });
    mkdirSync(secret);
    writeFileSync(join(d, 'a.txt'), 'mine\n');
    writeFileSync(join(secret, 'a.txt'), 'password=hunter2, and more\n');
    const db = FimDb.open(join(base, 'data', 'fast.db'));
    const { key } = ensureKey(join(base, 'data', 'fast.key'));
    await initBaseline(db, key, 'default', new RuleSet({ paths: [{ path: tree, diff: true }] }), { who: 'test' });
    const toLink = (): void => {
      renameSync(d, `${d}.real`);
      symlinkSync(secret, d);
    };
    const back = (): void => {
      unlinkSync(d);
      renameSync(`${d}.real`, d);
    };
    // The attacker's moves, timed by hooks: d is a symlink to `secret` while the walk looks at
    // d/a.txt (by its path or through d held open), and again when the changed file is rehashed.
    let swaps = 0;
    let linked = false;
    const r = await withFs('lstatSync', (real) => (...args: Parameters<typeof real>) => {
      const p = String(args[0]);
      if (!p.endsWith('/a.txt') || linked) return real(...args);
      toLink();
      swaps++;
      try {
        return real(...args);
      } finally {
        back();
      }
    }, () => checkBaseline(db, key, 'default', {
      mode: 'fast',
      beforeHash: (p) => {
        if (p === join(d, 'a.txt') && !linked) {
          toLink();
          linked = true;
        }
      },
    }));
    if (linked) back();
    assert.ok(swaps >= 1, 'the walk looked at d/a.txt');
    const text = JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    assert.ok(!text.includes('hunter2'), 'the content of a file outside the tree in the report');
    assert.ok(!text.includes(sha('password=hunter2, and more\n')), 'the hash of a file outside the tree in the report');
  });
});
