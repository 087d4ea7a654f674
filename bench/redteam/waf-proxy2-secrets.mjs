// Second pass on secrets in what the WAF writes (<data_dir>/waf-audit.jsonl, `mamori events --json`),
// after the masking fixes (guard/waf-mask.ts: SECRET_NAME widened, cards with + %20 . separators).
// Masking is still by the target's name: these are secrets under names or in shapes it does not know.
// Each request carries a secret beside (or inside) something that trips a rule; a FINDING is the
// secret, in clear, in the audit log or an event.
//
//   node bench/redteam/waf-proxy2-secrets.mjs
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startUpstream, startMamori, raw, rawReq, report, results, CLI, sleep } from './waf-proxy-lib.mjs';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const JSONCT = { 'Content-Type': 'application/json' };
const XMLCT = { 'Content-Type': 'application/xml' };
const XSS = '%3Cscript%3Ealert(1)%3C%2Fscript%3E';
let n = 0;
const secret = () => `Zq${++n}x7SECRETvalue`;
const mp = (name, value) => {
  const b = '----rt2b';
  return { headers: { 'Content-Type': `multipart/form-data; boundary=${b}` }, body: `--${b}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n--${b}--\r\n` };
};

/** name, request given the secret */
const cases = [
  // Cookies mamori's names miss: WordPress's own auth cookies (a preset!), Laravel's remember-me, a bare jwt.
  ['WordPress auth cookie wordpress_logged_in_<hash> (user|expiry|token|hmac)', (s) => rawReq({ target: '/wp-admin/', headers: { Cookie: `wordpress_logged_in_0123abcd=admin%7C1767225600%7C${s}%7C%3Cscript%3Ealert(1)%3C%2Fscript%3E` } })],
  ['WordPress cookie wordpress_sec_<hash>', (s) => rawReq({ target: '/wp-admin/', headers: { Cookie: `wordpress_sec_0123abcd=admin%7C${s}' OR '1'='1` } })],
  ['Laravel remember_web_<hash> cookie', (s) => rawReq({ headers: { Cookie: `remember_web_59ba36addc2b2f94=${s}<script>alert(1)</script>` } })],
  ['cookie named jwt', (s) => rawReq({ headers: { Cookie: `jwt=eyJ${s}<script>alert(1)</script>` } })],
  ['cookie named refresh', (s) => rawReq({ headers: { Cookie: `refresh=${s}<script>alert(1)</script>` } })],
  // Headers mamori's names miss.
  ['X-Goog-IAP-JWT-Assertion header', (s) => rawReq({ headers: { 'X-Goog-IAP-JWT-Assertion': `eyJ${s}<script>alert(1)</script>` } })],
  ['DPoP header (a signed JWT proof)', (s) => rawReq({ headers: { DPoP: `eyJ${s}<script>alert(1)</script>` } })],
  ['X-Signature header', (s) => rawReq({ headers: { 'X-Signature': `${s}<script>alert(1)</script>` } })],
  // The uri written whole: query values under names that are secrets by their use.
  ['OAuth callback ?code= (an authorization code) beside an XSS', (s) => rawReq({ target: `/oauth/callback?code=${s}&state=${XSS}` })],
  ['S3 presigned URL X-Amz-Signature / X-Amz-Credential', (s) => rawReq({ target: `/bucket/o?X-Amz-Credential=AKIA${s}&X-Amz-Signature=${s}&q=${XSS}` })],
  ['Azure SAS sig=', (s) => rawReq({ target: `/container/blob?sv=2022-11-02&sig=${s}&q=${XSS}` })],
  ['Java ;jsessionid= in the path', (s) => rawReq({ target: `/shop/cart;jsessionid=${s}?q=${XSS}` })],
  ['a secret after ; in the query (a=1;password=...)', (s) => rawReq({ target: `/x?a=1;password=${s}&q=${XSS}` })],
  ['password reset token in the path (/reset/<token>)', (s) => rawReq({ target: `/reset-password/${s}?next=${XSS}` })],
  // Bodies: arrays, names the secret list misses, multipart, XML.
  ['JSON array under "credentials" (["user","pass"])', (s) => rawReq({ method: 'POST', target: '/api/login', headers: JSONCT, body: `{"credentials":["bob","${s}' OR '1'='1"]}` })],
  ['JSON {"login":{"p":...}} (first pass, still open)', (s) => rawReq({ method: 'POST', target: '/api/login', headers: JSONCT, body: `{"login":{"user":"bob","p":"${s}' OR '1'='1"}}` })],
  ['JSON password inside an array of objects', (s) => rawReq({ method: 'POST', target: '/api/users', headers: JSONCT, body: `{"users":[{"name":"bob","password":"${s}' OR '1'='1"}]}` })],
  ['multipart field named password', (s) => rawReq({ method: 'POST', target: '/account', ...mp('password', `${s}' OR '1'='1`) })],
  ['multipart field named passphrase_confirmation', (s) => rawReq({ method: 'POST', target: '/account', ...mp('new_passphrase_confirmation', `${s}' OR '1'='1`) })],
  ['XML <password> element that trips a rule itself (XML:/* target)', (s) => rawReq({ method: 'POST', target: '/soap', headers: XMLCT, body: `<login><user>bob</user><password>${s}' OR '1'='1</password></login>` })],
  ['SOAP WS-Security <wsse:Password>', (s) => rawReq({ method: 'POST', target: '/soap', headers: XMLCT, body: `<Envelope><Header><Security><UsernameToken><Username>bob</Username><Password>${s}<script>alert(1)</script></Password></UsernameToken></Security></Header></Envelope>` })],
  ['form field named p (still open from the first pass)', (s) => rawReq({ method: 'POST', target: '/x', headers: FORM, body: `user=bob&p=${s}%27%20OR%20%271%27%3D%271` })],
  ['Basic auth in the URL userinfo-like query (?u=bob:pass@)', (s) => rawReq({ target: `/proxy?url=http://bob:${s}@internal/${XSS}` })],
];

const up = await startUpstream();
const m = await startMamori(up.url, { waf: { block_sources: { after: 0 } } });
const sent = [];
try {
  let ip = 10;
  for (const [name, make] of cases) {
    const s = secret();
    const r = await raw(m.port, make(s).toString('latin1').replace('Connection: close', `X-Forwarded-For: 203.0.113.${ip++}\r\nConnection: close`));
    sent.push({ name, needle: s, status: r.statuses[0] });
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
  let where = '';
  if (inAudit) {
    const line = audit.split('\n').find((l) => l.includes(s.needle));
    const at = line.indexOf(s.needle);
    const field = line.lastIndexOf('"', line.lastIndexOf('":', at) - 1);
    where = `; audit: ${JSON.stringify(line.slice(Math.max(0, field), at + s.needle.length + 10))}`;
  }
  report(!inAudit && !inEvents || s.status === 200 && !inAudit && !inEvents, s.name, `status ${s.status}; in audit log: ${inAudit}; in events: ${inEvents}${where}`);
}
console.log(`(audit log ${audit.length} bytes; kept in ${m.dir})`);
console.log(`${results.findings} finding(s)`);
