// MFA gate: code reuse (sequential and concurrent), recovery code race, parallel brute force,
// cookie forwarding with a real session. Needs the proxy of rt/mamori.yaml on 8091 and rt/enrol.json.
// Usage: node mfa.mjs [PORT]
import http from 'node:http';
import fs from 'node:fs';
import { totp, parseOtpauthUri } from '../../packages/mamori/dist/mfa/otp.js';
const port = Number(process.argv[2] ?? 8091);
const enrol = JSON.parse(fs.readFileSync(new URL('./rt/enrol.json', import.meta.url)));
const { secret } = parseOtpauthUri(enrol.otpauth);
const PW = 'correct horse battery staple';
const req = (path, method, headers = {}, body) => new Promise((res) => { const r = http.request({ host: '127.0.0.1', port, path, method, headers }, (x) => { let b = ''; x.on('data', (c) => (b += c)); x.on('end', () => res({ s: x.statusCode, h: x.headers, b })); }); r.on('error', (e) => res({ s: 'ERR', b: e.message })); r.end(body); });
let ipc = Math.floor(Math.random()*200);
const signin = (user, password, code, extra = { 'x-forwarded-for': `203.0.${ipc++ % 250}.${1 + Math.floor(Math.random() * 250)}` }) => req('/.mamori/signin', 'POST', { 'content-type': 'application/x-www-form-urlencoded', ...extra }, new URLSearchParams({ user, password, code, next: '/admin' }).toString());
const cookieOf = (r) => String(r.h?.['set-cookie'] ?? '').split(';')[0];
const tally = (rs) => rs.reduce((a, r) => ((a[r.s] = (a[r.s] ?? 0) + 1), a), {});
const step = () => Math.floor(Date.now() / 30000);
// wait for the start of a fresh step so a run does not straddle two
const waitStep = async () => { const s = step(); while (step() === s) await new Promise((r) => setTimeout(r, 200)); };
const arg = process.argv[3] ?? 'all';
if (arg === 'all' || arg === 'reuse') {
  await waitStep();
  const code = totp(secret, Date.now());
  const rs = await Promise.all(Array.from({ length: 6 }, () => signin('admin', PW, code)));
  console.log(`same TOTP code, 6 concurrent sign-ins: ${JSON.stringify(tally(rs))} (303 = signed in)`);
  const again = await signin('admin', PW, code);
  console.log(`same code again afterwards: ${again.s}`);
  const ok = rs.find((r) => r.s === 303);
  if (ok) {
    const c = cookieOf(ok);
    fs.writeFileSync(new URL('./rt/session.txt', import.meta.url), c);
    const a = await req('/admin/x', 'GET', { cookie: `${c}; other=1` });
    console.log(`/admin/x with the session: ${a.s}`);
  }
}
if (arg === 'all' || arg === 'recovery') {
  const rc = enrol.recoveryCodes[Number(process.argv[4] ?? 0)];
  const rs = await Promise.all(Array.from({ length: 6 }, (_, i) => signin('admin', PW, i % 2 ? rc.toLowerCase().replace('-', ' ') : rc)));
  console.log(`same recovery code, 6 concurrent sign-ins: ${JSON.stringify(tally(rs))}`);
}
if (arg === 'brute') {
  const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => signin('admin', PW, String(100000 + i))));
  console.log(`30 parallel wrong codes with the right password: ${JSON.stringify(tally(rs))}`);
  const good = await signin('admin', PW, totp(secret, Date.now()));
  console.log(`then the right code: ${good.s} ${good.b.match(/class="e">([^<]*)/)?.[1] ?? ''}`);
}
if (arg === 'enum') {
  const t = { admin: [], 'nobody-here': [] }; const st = {};
  for (let i = 0; i < 24; i++) {
    const u = i % 2 ? 'admin' : 'nobody-here';
    const t0 = process.hrtime.bigint();
    const r = await signin(u, 'wrong password 123', '123456');
    t[u].push(Number(process.hrtime.bigint() - t0) / 1e6); st[`${u} ${r.s} ${r.b.length}`] = (st[`${u} ${r.s} ${r.b.length}`] ?? 0) + 1;
  }
  const med = (a) => a.sort((x, y) => x - y)[a.length >> 1].toFixed(1);
  console.log(`median ms: admin ${med(t.admin)}, unknown ${med(t['nobody-here'])}; answers ${JSON.stringify(st)}`);
}
