// CPU of init-like full scans and of fast / --threads 2 checks (no start-up) on TREE: another
// checkout's build (default /work/main) against this one's, alternating ROUNDS times, medians.
//   node bench/redteam/s17/fim-pin-cost.mjs TREE [ROUNDS] [OTHER_REPO]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const [tree, roundsArg, otherArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 6);
const tmp = mkdtempSync(join(tmpdir(), 's17-fim-pin-'));
const load = async (root, name) => {
  const m = (p) => import(pathToFileURL(join(resolve(root), 'packages/host/dist/fim', p)).href);
  const [check, rules, db, key] = [await m('check.js'), await m('rules.js'), await m('baseline-db.js'), await m('key.js')];
  const r = new rules.RuleSet({ paths: [{ path: resolve(tree) }] });
  const fdb = db.FimDb.open(join(tmp, `${name}.db`));
  const k = key.ensureKey(join(tmp, `${name}.key`)).key;
  await check.initBaseline(fdb, k, 'default', r, { who: 'bench' });
  return { check, r, fdb, k };
};
const sides = { other: await load(otherArg ?? '/work/main', 'other'), this: await load('.', 'this') };
const cpu = async (f) => { const t = process.cpuUsage(); await f(); const u = process.cpuUsage(t); return (u.user + u.system) / 1e6; };
const res = {};
const add = (k, v) => (res[k] ??= []).push(v);
for (let i = 0; i < rounds; i++) {
  for (const [name, s] of Object.entries(sides)) {
    add(`${name} full scan (1 thread)`, await cpu(() => s.check.scan(s.r, 'all', {})));
    add(`${name} fast check`, await cpu(() => s.check.checkBaseline(s.fdb, s.k, 'default', { mode: 'fast' })));
    add(`${name} full check --threads 2 (this thread)`, await cpu(() => s.check.checkBaseline(s.fdb, s.k, 'default', { mode: 'full', threads: 2 })));
  }
}
rmSync(tmp, { recursive: true, force: true });
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
for (const [k, v] of Object.entries(res).sort()) console.log(`${k}: median ${med(v).toFixed(3)} s CPU (${v.map((x) => x.toFixed(2)).join(' ')})`);
