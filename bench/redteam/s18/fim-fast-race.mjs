// S17F-2 in a fast check, with real processes: root records a baseline of a web root that
// `nobody` owns, nobody changes www/d/config.php (so a fast check rehashes it), then toggles
// www/d between its real directory and a symlink to a root-only directory holding a file of the
// same name while root runs fast checks. Counts the reports that give that file's hash, owner or
// (diff: true) content under www/d/config.php.
//   node bench/redteam/s18/fim-fast-race.mjs [REPO_ROOT] [ROUNDS]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? '.');
const rounds = Number(process.argv[3] ?? 60);
const m = (p) => import(pathToFileURL(join(root, 'packages/host/dist/fim', p)).href);
const { FimDb } = await m('baseline-db.js');
const { checkBaseline, initBaseline } = await m('check.js');
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

const rules = new RuleSet({ paths: [{ path: www, diff: true }] });
const { key } = ensureKey(join(base, 'data', 'fim.key'));
const db = FimDb.open(join(base, 'data', 'fim.db'));
await initBaseline(db, key, 'default', rules, { who: 'race' });
writeFileSync(join(d, 'config.php'), 'mine, changed\n');
// the attacker: bounded (30 s at most), killed at the end by its pid
const racer = `const f=require('fs');const d=${JSON.stringify(d)},s=${JSON.stringify(secret)};const end=Date.now()+30000;
const spin=()=>{const t=process.hrtime.bigint()+BigInt(Math.floor(Math.random()*100000));while(process.hrtime.bigint()<t);};
while(Date.now()<end){try{f.renameSync(d,d+'.real');f.symlinkSync(s,d);spin();f.unlinkSync(d);f.renameSync(d+'.real',d);spin();}catch{}}`;
const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, '-e', racer], { stdio: 'inherit' });
await new Promise((r) => setTimeout(r, 300));


let hashLeaks = 0;
let contentLeaks = 0;
let attrLeaks = 0;
for (let i = 0; i < rounds; i++) {
  const r = await checkBaseline(db, key, 'default', { mode: 'fast' });
  const text = JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
  if (text.includes(secretSha)) hashLeaks++;
  if (text.includes('hunter2')) contentLeaks++;
  for (const c of r.changed) if (c.path.startsWith(d) && c.changes.some((x) => x.attr === 'uid' && x.new === '0')) attrLeaks++;
}
db.close?.();
try { process.kill(child.pid); } catch {}
await new Promise((r) => child.once('exit', r));
rmSync(base, { recursive: true, force: true });
console.log(`${root}: ${rounds} fast checks, the secret's hash reported ${hashLeaks}x, its content ${contentLeaks}x, a root owner under www/d ${attrLeaks}x`);
