// Secrets in what the WAF writes: <data_dir>/waf-audit.jsonl and the events (`mamori events --json`).
// Each request carries a secret (a password, a token, a card number) beside something that trips a
// rule; a FINDING is the secret, in clear, in the audit log or an event.
// The config has one login endpoint whose password field is `pw` (so mamori knows that name).
//
//   node bench/redteam/waf-proxy-secrets.mjs
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startUpstream, startMamori, raw, rawReq, report, results, CLI, sleep } from './waf-proxy-lib.mjs';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const JSONCT = { 'Content-Type': 'application/json' };
const XMLCT = { 'Content-Type': 'application/xml' };
let n = 0;
const secret = () => `Zq${++n}x7SECRETvalue`;

/** name, request (given the secret), the secret to look for */
const cases = [
  ['password in a field named passwd, the password trips a rule', (s) => rawReq({ method: 'POST', target: '/account', headers: FORM, body: `user=bob&passwd=${s}%27%20OR%20%271%27%3D%271` }), 'passwd'],
  ['password in user[password]', (s) => rawReq({ method: 'POST', target: '/account', headers: FORM, body: `user[password]=${s}%27%20OR%20%271%27%3D%271` })],
  ['password in a field named pwd', (s) => rawReq({ method: 'POST', target: '/account', headers: FORM, body: `pwd=${s}%27%20OR%20%271%27%3D%271` })],
  ['password in a field named kennwort (German)', (s) => rawReq({ method: 'POST', target: '/konto', headers: FORM, body: `kennwort=${s}%27%20OR%20%271%27%3D%271` })],
  ['password in a field named senha (Portuguese)', (s) => rawReq({ method: 'POST', target: '/conta', headers: FORM, body: `senha=${s}%27%20OR%20%271%27%3D%271` })],
  ['password in a field named pw on another route than the login', (s) => rawReq({ method: 'POST', target: '/settings', headers: FORM, body: `pw=${s}%27%20OR%20%271%27%3D%271` })],
  ['JSON: {"credentials":{"secret"...}} ok, but {"auth":{"p":...}}', (s) => rawReq({ method: 'POST', target: '/api/login', headers: JSONCT, body: `{"login":{"user":"bob","p":"${s}' OR '1'='1"}}` })],
  ['JSON body (REQUEST_BODY target): password beside a request-line-shaped value', (s) => rawReq({ method: 'POST', target: '/api/login', headers: JSONCT, body: `{"password":"${s}","note":"get /admin http/1.1"}` })],
  ['form body (REQUEST_BODY target): password beside a request-line-shaped value', (s) => rawReq({ method: 'POST', target: '/login', headers: FORM, body: `user=bob&password=${s}&note=get+%2Fadmin+http%2F1.1` })],
  ['XML body (XML:/* target): password element beside an SQLi', (s) => rawReq({ method: 'POST', target: '/soap', headers: XMLCT, body: `<login><password>${s}</password><q>1' UNION SELECT username,password FROM users--</q></login>` })],
  ['login form field pw (known to mamori) via REQUEST_BODY', (s) => rawReq({ method: 'POST', target: '/login', headers: FORM, body: `user=bob&pw=${s}&note=get+%2Fadmin+http%2F1.1` })],
  ['X-Api-Key header with an odd value', (s) => rawReq({ headers: { 'X-Api-Key': `${s}<script>alert(1)</script>` } })],
  ['aUtHoRiZaTiOn header', (s) => rawReq({ headers: { aUtHoRiZaTiOn: `Bearer ${s}<script>alert(1)</script>` } })],
  ['session cookie PHPSESSID', (s) => rawReq({ headers: { Cookie: `PHPSESSID=${s}<script>alert(1)</script>` } })],
  ['session cookie connect.sid', (s) => rawReq({ headers: { Cookie: `connect.sid=${s}%27%20OR%201%3D1--` } })],
  ['X-Access-Key header', (s) => rawReq({ headers: { 'X-Access-Key': `${s}<script>alert(1)</script>` } })],
  ['password in the query string under pw', (s) => rawReq({ target: `/x?pw=${s}&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E` })],
  ['password in the query under p, tripping a rule itself', (s) => rawReq({ target: `/x?user=bob&p=${s}%3Cscript%3Ealert(1)%3C%2Fscript%3E` })],
];
const cards = [
  ['card with + for spaces in the query (a GET form)', '/pay?n=4111+1111+1111+1111&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', '4111+1111+1111+1111'],
  ['card with %20 in the query', '/pay?n=4111%201111%201111%201111&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', '4111%201111%201111%201111'],
  ['card with dots', '/pay?n=4111.1111.1111.1111&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', '4111.1111.1111.1111'],
  ['card with two spaces between groups', '/pay?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E4111%20%201111%20%201111%20%201111', '4111  1111  1111  1111'],
  ['card in the path', '/pay/4111-1111-1111-1111/%3Cscript%3E', '4111-1111-1111-1111'],
  ['card as the matched value (tripping a rule)', '/pay?n=4111111111111111%3Cscript%3Ealert(1)%3C%2Fscript%3E', '4111111111111111'],
];

const up = await startUpstream();
const m = await startMamori(up.url, {
  extra: { logins: [{ name: 'login', path: '/login', username: { form: 'user' }, password: { form: 'pw' }, failure: { status: [401] }, success: { status: [302] } }] },
});
const sent = [];
try {
  let ip = 10;
  for (const [name, make] of cases) {
    const s = secret();
    const r = await raw(m.port, make(s).toString('latin1').replace('Connection: close', `X-Forwarded-For: 203.0.113.${ip++}\r\nConnection: close`));
    sent.push({ name, needle: s, status: r.statuses[0] });
  }
  for (const [name, target, needle] of cards) {
    const r = await raw(m.port, rawReq({ target, headers: { 'X-Forwarded-For': `203.0.113.${ip++}` } }));
    sent.push({ name, needle, status: r.statuses[0] });
  }
  await sleep(1500);
} finally {
  await m.stop({ keep: true });
  await up.close();
}
const auditPath = join(m.dataDir, 'waf-audit.jsonl');
const audit = existsSync(auditPath) ? readFileSync(auditPath, 'utf8') : '';
const ev = spawnSync(process.execPath, [CLI, 'events', '--json', '-c', join(m.dir, 'mamori.yaml'), '--limit', '1000'], { cwd: m.dir, encoding: 'utf8' });
const events = ev.stdout + ev.stderr;
for (const s of sent) {
  const inAudit = audit.includes(s.needle);
  const inEvents = events.includes(s.needle);
  report(!inAudit && !inEvents, s.name, `status ${s.status}; in audit log: ${inAudit}; in events: ${inEvents}${inAudit ? `; audit: ${JSON.stringify(audit.split('\n').find((l) => l.includes(s.needle)).slice(Math.max(0, audit.split('\n').find((l) => l.includes(s.needle)).indexOf(s.needle) - 120), audit.split('\n').find((l) => l.includes(s.needle)).indexOf(s.needle) + 60))}` : ''}`);
}
console.log(`(audit log ${audit.length} bytes, events output ${events.length} bytes; kept in ${m.dir})`);
console.log(`${results.findings} finding(s)`);
