import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SecurityEvent } from 'mamori';
import { FimDb } from './baseline-db.js';
import { initBaseline } from './check.js';
import type { FimEvent } from './events.js';
import { ensureKey } from './key.js';
import { RuleSet } from './rules.js';
import { FimWatcher } from './watch.js';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** Collects events; `next(pred)` resolves with the first (already seen or coming) that matches, or fails after 10 s. */
function collector() {
  const events: FimEvent[] = [];
  const waiters: { pred: (e: FimEvent) => boolean; resolve: (e: FimEvent) => void }[] = [];
  return {
    events,
    sink: {
      emit(e: SecurityEvent) {
        events.push(e);
        for (const w of waiters.splice(0)) {
          if (w.pred(e)) w.resolve(e);
          else waiters.push(w);
        }
      },
    },
    next(pred: (e: FimEvent) => boolean, what: string): Promise<FimEvent> {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} within 10 s; got ${events.map((e) => e['event.reason']).join(' | ')}`)), 10_000);
        waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}

describe('fim watch', () => {
  it('reports a change once after the writes settle, new directories and their files, removals, and a tampered baseline', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mamori-fim-watch-'));
    roots.push(base);
    const tree = join(base, 'tree');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'index.php'), 'v1');
    writeFileSync(join(tree, 'sub', 'old.php'), 'old');
    const db = FimDb.open(join(base, 'fim.db'));
    const { key } = ensureKey(join(base, 'fim.key'));
    await initBaseline(db, key, 'default', new RuleSet({ paths: [{ path: tree }] }), { who: 'test' });
    const c = collector();
    const reports: string[] = [];
    const w = await FimWatcher.start({ db, key, name: 'default', sink: c.sink, debounceMs: 150, fullEveryMs: 0, threads: 0, onReport: (r, why) => reports.push(why) });
    try {
      assert.deepEqual(reports, ['start']);
      assert.equal(c.events.length, 0, 'an unchanged tree raises nothing at start');
      assert.equal(w.watching.dirs, 2);

      const index = join(tree, 'index.php');
      for (let i = 2; i <= 6; i++) writeFileSync(index, `v${i} <?php eval($_POST[1]);`);
      const e = await c.next((x) => x['event.action'] === 'fim-file-changed' && x['file.path'] === index, 'change of index.php');
      assert.match(e['mamori.fim.changed']!, /sha256/);
      await w.idle();
      assert.equal(c.events.filter((x) => x['file.path'] === index).length, 1, 'five writes, one event');

      mkdirSync(join(tree, 'new'));
      writeFileSync(join(tree, 'new', 'shell.php'), '<?php');
      await c.next((x) => x['event.action'] === 'fim-file-added' && x['file.path'] === join(tree, 'new', 'shell.php'), 'the file in a new directory');
      // the new directory is watched from now on
      writeFileSync(join(tree, 'new', 'second.php'), '<?php');
      await c.next((x) => x['file.path'] === join(tree, 'new', 'second.php'), 'a file added to the new directory');

      unlinkSync(join(tree, 'sub', 'old.php'));
      await c.next((x) => x['event.action'] === 'fim-file-removed' && x['file.path'] === join(tree, 'sub', 'old.php'), 'the removal');

      const raw = new Database(join(base, 'fim.db'));
      raw.prepare("UPDATE baselines SET updated_at = '2030-01-01T00:00:00.000Z'").run();
      raw.close();
      writeFileSync(join(tree, 'sub', 'trigger.txt'), 'x');
      const t = await c.next((x) => x['event.action'] === 'fim-baseline-invalid', 'the tampered baseline');
      assert.equal(t['event.severity'], 99);
      // and watching goes on against the copy verified last
      await c.next((x) => x['file.path'] === join(tree, 'sub', 'trigger.txt'), 'the file that revealed the tampering');
    } finally {
      await w.close();
      db.close();
    }
  });

  it('reports a file whose name is not valid UTF-8 at once, as not checked (red-team H12)', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mamori-fim-watch-'));
    roots.push(base);
    const tree = join(base, 'tree');
    mkdirSync(join(tree, 'up'), { recursive: true });
    writeFileSync(join(tree, 'index.php'), 'v1');
    const db = FimDb.open(join(base, 'fim.db'));
    const { key } = ensureKey(join(base, 'fim.key'));
    await initBaseline(db, key, 'default', new RuleSet({ paths: [{ path: tree }] }), { who: 'test' });
    const c = collector();
    const w = await FimWatcher.start({ db, key, name: 'default', sink: c.sink, debounceMs: 150, fullEveryMs: 0, threads: 0 });
    try {
      writeFileSync(Buffer.concat([Buffer.from(`${tree}/up/`), Buffer.from([0xff, 0xfe]), Buffer.from('.php')]), "<?php system($_GET['c']);");
      const e = await c.next((x) => x['event.action'] === 'fim-check-changes' && /[1-9]\d* not checked/.test(String(x['event.reason'])), 'a check listing the file as not checked');
      assert.match(String(e['event.reason']), /not checked/);
    } finally {
      await w.close();
      db.close();
    }
  });
});
