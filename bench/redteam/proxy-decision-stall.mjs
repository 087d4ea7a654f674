// Red team (issue 10), through the real `mamori up` (default SQLite store): the decision store at
// its cap (100,000, pre-filled), an attacker gets sources blocked (20 failed accounts each, from
// IPv6 /64s named by X-Forwarded-For from a trusted proxy), while a client GETs a page: the
// slowest GET shows how long each new decision holds the proxy's event loop.
// Usage: node bench/redteam/proxy-decision-stall.mjs [decisions] [blocks]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
const N = Number(process.argv[2] ?? 100000);
const BLOCKS = Number(process.argv[3] ?? 10);
const BIN = new URL('../../packages/cli/dist/bin.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rt10-stall-'));
const upstream = createServer((req, res) => { res.writeHead(req.url.startsWith('/login') ? 401 : 200); res.end('x'); });
await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
writeFileSync(join(dir, 'mamori.yaml'), `data_dir: state\nproxy:\n  listen: 127.0.0.1:0\n  upstream: http://127.0.0.1:${upstream.address().port}\nnetwork:\n  trusted_proxies: [127.0.0.1/32]\nlogins:\n  - path: /login\n    username: { form: user }\n    password: { form: pass }\n    failure: { status: [401] }\n    success: { status: [302] }\nlogin_protection:\n  source: { challenge_after_users: 20, block_after_users: 20 }\n  spraying: { challenge_after_users: 1000, block_after_users: 1000 }\n`);
const env = { ...process.env, MAMORI_SECRET: 'rt10-stall-secret-0123456789abcdef-0123' };
async function up() {
  const child = spawn(process.execPath, [BIN, 'up'], { cwd: dir, env });
  child.stderr.on('data', (d) => process.stderr.write(d));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out); if (m) resolve(m[1]); });
    child.on('exit', (c) => reject(new Error(`mamori up exited ${c}`)));
  });
  return { url, child };
}
let p = await up();
await fetch(`${p.url}/`);
p.child.kill('SIGTERM'); await new Promise((r) => p.child.once('exit', r));
const db = new Database(join(dir, 'state', 'mamori.db'));
db.exec(`BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ${N}) INSERT INTO decisions (id, action, scope, value, created_at, expires_at, origin, reason, detect_only) SELECT 'pre-'||i, 'block', 'ip', '10.'||(i/65536)||'.'||((i/256)%256)||'.'||(i%256), ${Date.now()}, ${Date.now() + 3600_000}+i, 'guard.login', 'prefilled', 0 FROM n; COMMIT;`);
db.close();
p = await up();
await fetch(`${p.url}/`); // the mirror's first load
let worst = 0, gets = 0, stop = false;
const getter = (async () => { while (!stop) { const s = performance.now(); await fetch(`${p.url}/`); worst = Math.max(worst, performance.now() - s); gets++; } })();
await new Promise((r) => setTimeout(r, 500));
const before = worst; worst = 0;
let blocked = 0;
for (let b = 0; b < BLOCKS; b++) {
  const ip = `2001:db8:${b.toString(16)}:1::1`;
  for (let u = 0; u < 21; u++) {
    const r = await fetch(`${p.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-forwarded-for': ip }, body: `user=u${b}-${u}&pass=x` });
    if (u === 20 && r.status !== 401) blocked++;
  }
}
await new Promise((r) => setTimeout(r, 300));
stop = true; await getter;
console.log(JSON.stringify({ decisions: N, sourcesBlocked: blocked, gets, slowestGetBeforeMs: +before.toFixed(1), slowestGetDuringBlocksMs: +worst.toFixed(1) }));
p.child.kill('SIGTERM'); await new Promise((r) => p.child.once('exit', r));
upstream.close();
rmSync(dir, { recursive: true, force: true });
