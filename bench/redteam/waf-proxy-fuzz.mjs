// Hostile bytes in every field through `mamori up` with the WAF: method, target, header names and
// values, cookies, and bodies of each content type (form, multipart, JSON, XML) built from fragments
// that parsers trip on. A FINDING is mamori exiting, answering 500 (an exception inside the WAF or
// the proxy), or printing an internal error. Seeded: the same run each time.
//
//   node bench/redteam/waf-proxy-fuzz.mjs [count=1500] [seed=1]
import { startUpstream, startMamori, raw, report, results } from './waf-proxy-lib.mjs';

const COUNT = Number(process.argv[2] ?? 1500);
let seed = Number(process.argv[3] ?? 1);
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const bytes = (n) => String.fromCharCode(...Array.from({ length: n }, () => Math.floor(rnd() * 256)));
const frag = [
  '%', '%0', '%zz', '%00', '%c0%ae', '%u', '%uD800', '%ud83d%ude00', '\\', '\\u0000', '\\ud800', '"', "'", '&', '=', '&&==', ';', '[', ']', '[]', '[[', '{', '}', ':', ',', '<', '>', '<!--', ']]>', '<![CDATA[', '&#', '&#x;', '&amp', '\r\n', '\n', '\r', '\r\n\r\n', '--', '--b', '--b--', 'Content-Disposition: form-data; name="', 'filename="', 'name*=', "utf-8''%ff", '\xff\xfe', '\xef\xbb\xbf', '\x00', '\x7f', '\x80', '\xc0\xaf', 'json.', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'A'.repeat(300), '9'.repeat(400), '1e999', '-0', 'true', 'null', '${', '%{', '{{', '$(', '`', '/**/', 'UNION', 'SELECT',
];
const junk = (n) => Array.from({ length: n }, () => (rnd() < 0.2 ? bytes(1 + Math.floor(rnd() * 4)) : pick(frag))).join('');
const tchar = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const token = (n) => Array.from({ length: n }, () => tchar[Math.floor(rnd() * tchar.length)]).join('');
const urlSafe = (s) => s.replace(/[^\x21-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/#/g, '%23');
const hdrSafe = (s) => s.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ');

function build() {
  const method = rnd() < 0.8 ? pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']) : token(1 + Math.floor(rnd() * 10));
  const target = `/${urlSafe(junk(1 + Math.floor(rnd() * 6)))}${rnd() < 0.7 ? `?${urlSafe(junk(1 + Math.floor(rnd() * 10)))}` : ''}`;
  const headers = [['Host', 'shop.example'], ['User-Agent', rnd() < 0.8 ? 'Mozilla/5.0' : hdrSafe(junk(5))], ['Accept', '*/*']];
  for (let i = Math.floor(rnd() * 6); i > 0; i--) headers.push([`X-${token(1 + Math.floor(rnd() * 12))}`, hdrSafe(junk(1 + Math.floor(rnd() * 8)))]);
  if (rnd() < 0.5) headers.push(['Cookie', hdrSafe(junk(1 + Math.floor(rnd() * 8)))]);
  let body = '';
  if (method !== 'GET' && method !== 'HEAD' && rnd() < 0.85) {
    const kind = pick(['form', 'multipart', 'json', 'xml', 'other']);
    if (kind === 'form') {
      headers.push(['Content-Type', pick(['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'APPLICATION/X-WWW-FORM-URLENCODED;;'])]);
      body = junk(1 + Math.floor(rnd() * 30));
    } else if (kind === 'multipart') {
      const b = pick(['b', 'xYz', '----WebKitFormBoundaryabc', '"q"', "'x'"]);
      headers.push(['Content-Type', `multipart/form-data; boundary=${b}${rnd() < 0.2 ? `; boundary=${junk(1)}` : ''}`]);
      const bb = b.replace(/^["']|["']$/g, '');
      body = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => `--${bb}\r\n${rnd() < 0.7 ? `Content-Disposition: form-data; name="${junk(1)}"${rnd() < 0.4 ? `; filename="${junk(1)}"` : ''}` : junk(3)}\r\n${rnd() < 0.3 ? `Content-Type: ${junk(1)}\r\n` : ''}\r\n${junk(1 + Math.floor(rnd() * 6))}\r\n`).join('') + (rnd() < 0.8 ? `--${bb}--\r\n` : junk(2));
    } else if (kind === 'json') {
      headers.push(['Content-Type', pick(['application/json', 'application/json; charset=utf-8', 'application/ld+json'])]);
      body = rnd() < 0.5 ? junk(1 + Math.floor(rnd() * 20)) : JSON.stringify({ [junk(1)]: [junk(2), { [junk(1)]: junk(3) }], a: Number(rnd() * 1e20) }).replace(/"/g, () => (rnd() < 0.05 ? junk(1) : '"'));
    } else if (kind === 'xml') {
      headers.push(['Content-Type', pick(['application/xml', 'text/xml', 'application/soap+xml'])]);
      body = `<${rnd() < 0.5 ? 'a' : junk(1)}>${junk(1 + Math.floor(rnd() * 15))}</a>`;
    } else {
      headers.push(['Content-Type', hdrSafe(junk(2))]);
      body = junk(1 + Math.floor(rnd() * 10));
    }
  }
  const b = Buffer.from(body, 'latin1');
  if (method === 'POST' || b.length) headers.push(['Content-Length', String(b.length)]);
  headers.push(['Connection', 'close']);
  return Buffer.concat([Buffer.from(`${method} ${target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`, 'latin1'), b]);
}

const up = await startUpstream();
// Detect mode: every phase and every body parser runs (in enforce mode most requests stop at the first refusal).
const m = await startMamori(up.url, { waf: { mode: process.env.FUZZ_MODE ?? 'detect', cpu_budget: { per_source: '0ms' } } });
const statuses = {};
const fives = [];
try {
  for (let i = 0; i < COUNT; i++) {
    const req = build();
    const r = await raw(m.port, req, { timeoutMs: 5000 });
    const s = r.statuses[0] ?? 0;
    statuses[s] = (statuses[s] ?? 0) + 1;
    if (s === 500 || (s === 0 && !r.closed)) fives.push(req.toString('latin1').slice(0, 300));
    if (m.exited()) break;
  }
} finally {
  console.log(`        ${COUNT} requests, statuses ${JSON.stringify(statuses)}`);
  const errs = m.out().split('\n').filter((l) => /mamori proxy:|mamori:/.test(l) && !/warning/.test(l));
  report(!m.exited(), 'mamori up still running', JSON.stringify(m.exited()));
  report(fives.length === 0, 'no 500 or hang', fives.length ? `${fives.length}, first: ${JSON.stringify(fives[0])}` : '');
  report(errs.length === 0, 'no internal errors printed', errs.slice(0, 3).join(' | '));
  await m.stop();
  await up.close();
}
console.log(`${results.findings} finding(s)`);
