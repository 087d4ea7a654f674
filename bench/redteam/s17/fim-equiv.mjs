// S17F: the records of an unchanged tree, inline (one thread) against --threads 2 and fast mode,
// byte for byte; then init inline -> full / threads 2 / fast checks must all be clean.
// node bench/redteam/s17/fim-equiv.mjs   (run as root from the repo root, after npx tsc -b)
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, linkSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FimDb } from '../../../packages/host/dist/fim/baseline-db.js';
import { checkBaseline, initBaseline, scan } from '../../../packages/host/dist/fim/check.js';
import { ensureKey } from '../../../packages/host/dist/fim/key.js';
import { RuleSet } from '../../../packages/host/dist/fim/rules.js';

const base = mkdtempSync(join(tmpdir(), 's17-fim-equiv-'));
const tree = join(base, 'tree');
const w = (p, c) => { mkdirSync(join(tree, p, '..'), { recursive: true }); writeFileSync(join(tree, p), c); };
w('index.php', '<?php echo 1;');
w('empty', '');
w('exact128k.bin', Buffer.alloc(128 << 10, 7));
w('exact128k+1.bin', Buffer.alloc((128 << 10) + 1, 7));
w('exact256k.bin', Buffer.alloc(256 << 10, 9));
w('text64k.txt', 'a\n'.repeat(32 << 10));
w('text64k+1.txt', 'a\n'.repeat(32 << 10) + 'b');
w('bin.dat', Buffer.from([0, 1, 2, 255]));
w('new\nline.php', 'nl');
w('uploads/a.jpg', 'jpg');
w('uploads/deep/b.php', 'b');
w('x.log', 'log');
w('logs.log/inner.php', 'hidden dir named like an excluded file');
w('cache/c.php', 'cached');
w('noread.php', 'secret'); chmodSync(join(tree, 'noread.php'), 0o000);
w('locked/in.php', 'l'); chmodSync(join(tree, 'locked'), 0o000);
w('noexec/in.php', 'n'); chmodSync(join(tree, 'noexec'), 0o644);
w('wonly/in.php', 'w'); chmodSync(join(tree, 'wonly'), 0o311);
w('suid', 'x'); chmodSync(join(tree, 'suid'), 0o4755);
linkSync(join(tree, 'index.php'), join(tree, 'hardlink.php'));
symlinkSync('/etc/passwd', join(tree, 'out-link'));
symlinkSync('index.php', join(tree, 'in-link'));
execFileSync('mkfifo', [join(tree, 'fifo')]);
const fd = openSync(join(tree, 'sparse'), 'w'); writeSync(fd, 'x', 0); closeSync(fd); truncateSync(join(tree, 'sparse'), 200 << 20);
try { execFileSync('bash', ['-c', `touch "${tree}"/$'bad\\xff.php'`]); } catch {}
w('db/fim.db', 'pretend db');
// S17_BIND=1 (as root, inside `unshare -m --propagation private`): mounts in the tree, from
// another device: a directory, a file over a file, and /dev/null over a file (its listing says file)
if (process.env.S17_BIND === '1') {
  const other = mkdtempSync('/dev/shm/s17-fim-bind-');
  mkdirSync(join(other, 'dir')); writeFileSync(join(other, 'dir', 'in.php'), 'on shm'); writeFileSync(join(other, 'file'), 'shm file');
  w('mnt/placeholder', ''); w('over.php', 'under');  w('null.php', 'under null');
  execFileSync('mount', ['--bind', join(other, 'dir'), join(tree, 'mnt')]);
  execFileSync('mount', ['--bind', join(other, 'file'), join(tree, 'over.php')]);
  execFileSync('mount', ['--bind', '/dev/null', join(tree, 'null.php')]);
  process.on('exit', () => { for (const m of ['mnt', 'over.php', 'null.php']) try { execFileSync('umount', [join(tree, m)]); } catch {} rmSync(other, { recursive: true, force: true }); });
}

const ruleSets = {
  plain: { paths: [{ path: tree }] },
  diff: { paths: [{ path: tree, diff: true }] },
  rules: { paths: [{ path: tree, exclude: ['*.log', 'cache'], diff: true, overrides: [{ match: 'uploads/**', attributes: 'perms' }] }] },
  include: { paths: [{ path: tree, include: ['*.php', '*.txt'] }] },
  content: { paths: [{ path: tree, attributes: 'content' }] },
  hashSparse: { paths: [{ path: tree, hash_sparse: true }] },
  nested: { paths: [{ path: tree }, { path: join(tree, 'uploads'), attributes: 'perms' }] },
};
const ignore = new Set([join(tree, 'db/fim.db')]);
const ser = (m) => JSON.stringify([...m].map(([p, e]) => [p, e]), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
const serP = (ps) => JSON.stringify(ps.map((p) => `${p.path}: ${p.reason}`).sort());
let bad = 0;
for (const [name, input] of Object.entries(ruleSets)) {
  const rules = new RuleSet(input);
  const a = await scan(rules, 'all', { ignore, keepContents: true });
  const b = await scan(rules, 'all', { ignore, keepContents: true, threads: 2 });
  const sortM = (m) => new Map([...m].sort(([x], [y]) => (x < y ? -1 : 1)));
  const ok = ser(sortM(a.entries)) === ser(sortM(b.entries)) && serP(a.problems) === serP(b.problems) && ser(sortM(a.contents)) === ser(sortM(b.contents)) && a.hashed === b.hashed && a.hashedBytes === b.hashedBytes;
  if (!ok) {
    bad++;
    console.log(`${name}: inline and threads 2 DIFFER`);
    for (const [p, e] of a.entries) { const f = b.entries.get(p); if (ser(new Map([[p, e]])) !== ser(new Map([[p, f]]))) console.log('  ', JSON.stringify(p), ser(new Map([[p, e]])), '\n    vs', ser(new Map([[p, f]]))); }
    for (const p of b.entries.keys()) if (!a.entries.has(p)) console.log('   only threads2:', p);
    if (serP(a.problems) !== serP(b.problems)) console.log('   problems', serP(a.problems), '\n    vs', serP(b.problems));
    if (a.hashed !== b.hashed || a.hashedBytes !== b.hashedBytes) console.log('   hashed', a.hashed, a.hashedBytes, 'vs', b.hashed, b.hashedBytes);
    if (ser(sortM(a.contents)) !== ser(sortM(b.contents))) console.log('   contents', [...a.contents.keys()], [...b.contents.keys()]);
  } else console.log(`${name}: inline == threads 2 (${a.entries.size} records, ${a.problems.length} problems, ${a.contents.size} kept)`);
  // init inline, then checks: each must report no change
  const dbf = join(base, `${name}.db`);
  const db = FimDb.open(dbf);
  const { key } = ensureKey(join(base, `${name}.key`));
  await initBaseline(db, key, 'default', rules, { who: 't', ignore });
  for (const opts of [{ mode: 'full' }, { mode: 'full', threads: 2 }, { mode: 'fast' }]) {
    const r = await checkBaseline(db, key, 'default', { ...opts, ignore });
    const n = r.added.length + r.removed.length + r.changed.length;
    if (n) { bad++; console.log(`  ${name} ${JSON.stringify(opts)}: ${n} spurious changes`, JSON.stringify(r.changed.map((c) => [c.path, c.changes]))); }
  }
  db.close?.();
}
for (const d of ['locked', 'noexec', 'wonly']) chmodSync(join(tree, d), 0o755);
if (process.env.S17_BIND !== '1') rmSync(base, { recursive: true, force: true });
console.log(bad ? `${bad} differences` : 'all the same');
process.exitCode = bad ? 1 : 0;
