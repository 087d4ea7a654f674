/**
 * The published WAF parsing-differential techniques, as requests: each hides a real attack
 * payload with the technique, beside a benign control (the same shape with a harmless value,
 * or, where the shape itself is what mamori refuses, its well-formed neighbour). The catalogue
 * docs/waf-parsing-differentials.md lists the same ids, with sources; a test keeps both in step.
 *
 * `expect` is what mamori does with the attack under CRS blocking at `paranoia` (default 1):
 * `refused` (the request reader answers 400, as a server does, before any rule), `detected` (a
 * rule refuses it: the WAF inspected what the upstream reads) or `flagged`
 * (mamori refuses a request whose reading it cannot be sure of: REQBODY_ERROR or
 * MULTIPART_STRICT_ERROR). `php`: the body is also given to PHP, and every value PHP reads must
 * be among what the WAF inspected, or the request flagged.
 */
import { gzipSync } from 'node:zlib';
import { FORM, enc, field, multipart, request } from './harness.js';

export interface Technique {
  readonly id: string;
  readonly name: string;
  readonly attack: string;
  readonly control: string;
  readonly expect: 'refused' | 'detected' | 'flagged';
  readonly paranoia?: number;
  readonly php?: boolean;
}

export const SQLI = "1' UNION SELECT password FROM users-- -";
export const XSS = '<script>alert(document.cookie)</script>';
export const RCE = ';cat /etc/passwd';
export const BENIGN = 'hello world';
/** Two values that each pass CRS at paranoia level 1, and that ASP.NET joins into `1 union,select pass from users`. */
export const UE01 = 'q=1+union&q=select+pass+from+users';

const B = '----mamoriBoundary7MA4YWxk';
const MP = `multipart/form-data; boundary=${B}`;
const mpReq = (body: string, ct = MP, extra: Record<string, string> = {}) => request({ headers: { 'Content-Type': ct, ...extra }, body });
const form = (body: string, ct: string | null = FORM, extra: Record<string, string | null> = {}) => request({ headers: { 'Content-Type': ct, ...extra }, body });
const json = (body: string, ct: string | null = 'application/json') => request({ headers: { 'Content-Type': ct }, body });
const xml = (body: string, ct = 'application/xml') => request({ headers: { 'Content-Type': ct }, body });
const utf16 = (s: string) => Buffer.from(s, 'utf16le').toString('latin1');
const upload = (field: string, filename: string, content: string, disposition?: string) =>
  `Content-Disposition: ${disposition ?? `form-data; name="${field}"; filename="${filename}"`}\r\nContent-Type: application/octet-stream\r\n\r\n${content}`;

function chunked(body: string, te: string): string {
  const chunks = body.match(/.{1,5}/gs) ?? [];
  return request({ method: 'POST', headers: { 'Content-Type': FORM, 'Transfer-Encoding': te } }) + chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('') + '0\r\n\r\n';
}

function gzipped(s: string): string {
  return gzipSync(Buffer.from(s)).toString('latin1');
}

/** ASCII to EBCDIC (code page 037), the letters, digits and the punctuation the payload uses. */
const EBCDIC: Record<number, number> = (() => {
  const m: Record<number, number> = { 0x20: 0x40, 0x27: 0x7d, 0x2d: 0x60, 0x3d: 0x7e, 0x2c: 0x6b, 0x2e: 0x4b };
  const span = (from: string, to: string, at: number) => {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) m[c] = at + c - from.charCodeAt(0);
  };
  span('a', 'i', 0x81);
  span('j', 'r', 0x91);
  span('s', 'z', 0xa2);
  span('A', 'I', 0xc1);
  span('J', 'R', 0xd1);
  span('S', 'Z', 0xe2);
  span('0', '9', 0xf0);
  return m;
})();

export const TECHNIQUES: readonly Technique[] = [
  // --- multipart/form-data ---
  { id: 'MP-01', name: 'single-quoted parameter value', php: true, expect: 'flagged', attack: mpReq(multipart(B, [`Content-Disposition: form-data; name='q'\r\n\r\n${SQLI}`])), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-02', name: 'a quote inside an unquoted value', php: true, expect: 'flagged', attack: mpReq(multipart(B, [`Content-Disposition: form-data; name=q'x; filename='a.txt'\r\n\r\n${SQLI}`])), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-03', name: 'a part head without its blank line (PHP keeps the name)', php: true, expect: 'flagged', attack: mpReq(`--${B}\r\nContent-Disposition: form-data; name="q"\r\n--${B}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n${SQLI}\r\n--${B}--\r\n`), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-04', name: 'parts after the closing delimiter', php: true, expect: 'flagged', attack: mpReq(multipart(B, [field('a', 'x')]) + multipart(B, [field('q', SQLI)])), control: mpReq(multipart(B, [field('a', 'x'), field('q', BENIGN)])) },
  { id: 'MP-05', name: 'a part hidden in the preamble', php: true, expect: 'flagged', attack: mpReq(`Content-Disposition: form-data; name="q"\r\n\r\n${SQLI}\r\n${multipart(B, [field('a', 'x')])}`), control: mpReq(multipart(B, [field('a', 'x')])) },
  { id: 'MP-06', name: 'LF line ends instead of CRLF', php: true, expect: 'flagged', attack: mpReq(multipart(B, [field('q', SQLI)]).replace(/\r\n/g, '\n')), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-07', name: 'a bare LF before a delimiter inside a value', php: true, expect: 'flagged', attack: mpReq(multipart(B, [field('note', `a\n--${B}\r\nContent-Disposition: form-data; name="q"\r\n\r\n${SQLI}`)])), control: mpReq(multipart(B, [field('note', 'a'), field('q', BENIGN)])) },
  { id: 'MP-08', name: 'a folded Content-Disposition header', php: true, expect: 'flagged', attack: mpReq(multipart(B, [`Content-Disposition: form-data; name="x"\r\n ; name="q"\r\n\r\n${SQLI}`])), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-09', name: 'the name parameter twice', php: true, expect: 'flagged', attack: mpReq(multipart(B, [`Content-Disposition: form-data; name="x"; name="q"\r\n\r\n${SQLI}`])), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-10', name: 'two Content-Disposition headers in one part', php: true, expect: 'flagged', attack: mpReq(multipart(B, [`Content-Disposition: form-data; name="x"\r\nContent-Disposition: form-data; name="q"\r\n\r\n${SQLI}`])), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-11', name: 'filename* (RFC 2231) beside a decoy filename', php: true, expect: 'flagged', attack: mpReq(multipart(B, [upload('f', '', '<?php system($_GET["c"]); ?>', `form-data; name="f"; filename="notes.txt"; filename*=UTF-8''shell.php`)])), control: mpReq(multipart(B, [upload('f', 'notes.txt', BENIGN)])) },
  { id: 'MP-12', name: 'a backslash-escaped quote in a filename', php: true, expect: 'flagged', attack: mpReq(multipart(B, [upload('f', '', 'x', `form-data; name="f"; filename="a\\".php"`)])), control: mpReq(multipart(B, [upload('f', 'a.txt', 'x')])) },
  { id: 'MP-13', name: 'no semicolon after form-data', php: true, expect: 'flagged', attack: mpReq(multipart(B, [`Content-Disposition: form-data name="q"\r\n\r\n${SQLI}`])), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-14', name: 'a quoted boundary with spaces around =', php: true, expect: 'flagged', attack: mpReq(multipart(B, [field('q', SQLI)]), `multipart/form-data; boundary = "${B}"`), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-15', name: 'two boundary parameters', php: true, expect: 'flagged', attack: mpReq(multipart('A', [field('q', SQLI)]) + multipart(B, [field('q', BENIGN)]), `multipart/form-data; boundary=${B}; boundary=A`), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-16', name: 'a line that extends the delimiter', php: true, expect: 'flagged', attack: mpReq(`--${B}\r\n${field('a', 'x')}\r\n--${B}x\r\n${field('q', SQLI)}\r\n--${B}--\r\n`), control: mpReq(multipart(B, [field('a', 'x'), field('q', BENIGN)])) },
  { id: 'MP-17', name: 'spaces after a delimiter (transport padding)', php: true, expect: 'flagged', attack: mpReq(`--${B}  \r\n${field('q', SQLI)}\r\n--${B}--\r\n`), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-18', name: 'a bodyless part: the delimiter right after the part head', php: true, expect: 'flagged', attack: mpReq(`--${B}\r\n${field('a', '')}--${B}\r\n${upload('f', 'a.txt', SQLI)}\r\n--${B}--\r\n`), control: mpReq(multipart(B, [field('a', ''), upload('f', 'a.txt', BENIGN)])) },
  { id: 'MP-19', name: 'a part charset the WAF does not decode (utf-7)', php: true, expect: 'flagged', attack: mpReq(multipart(B, [field('q', '+ADw-script+AD4-alert(1)+ADw-/script+AD4-', '\r\nContent-Type: text/plain; charset=utf-7')])), control: mpReq(multipart(B, [field('q', BENIGN, '\r\nContent-Type: text/plain; charset=utf-8')])) },
  { id: 'MP-20', name: 'Content-Transfer-Encoding: base64 in a part', php: true, expect: 'flagged', attack: mpReq(multipart(B, [field('q', Buffer.from(SQLI).toString('base64'), '\r\nContent-Transfer-Encoding: base64')])), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-21', name: 'a _charset_ field naming the form charset', php: true, expect: 'detected', attack: mpReq(multipart(B, [field('_charset_', 'utf-16le'), field('q', utf16(SQLI))])), control: mpReq(multipart(B, [field('_charset_', 'utf-8'), field('q', BENIGN)])) },
  { id: 'MP-22', name: 'a charset only in a later part', php: true, expect: 'flagged', attack: mpReq(multipart(B, [field('a', 'x', '\r\nContent-Type: text/plain'), field('q', utf16(SQLI), '\r\nContent-Type: text/plain; charset=utf-16le')])), control: mpReq(multipart(B, [field('a', 'x', '\r\nContent-Type: text/plain'), field('q', BENIGN, '\r\nContent-Type: text/plain')])) },
  { id: 'MP-23', name: 'a NUL byte before the payload', php: true, expect: 'detected', attack: mpReq(multipart(B, [field('q', `\0${SQLI}`)])), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  { id: 'MP-24', name: 'a payload that needs its line break', php: true, expect: 'detected', attack: mpReq(multipart(B, [field('q', '<svg\r\nonload=alert(1)>')])), control: mpReq(multipart(B, [field('q', 'first line\r\nsecond line')])) },
  { id: 'MP-25', name: 'an upper-case disposition and parameter', php: true, expect: 'detected', attack: mpReq(multipart(B, [`CONTENT-DISPOSITION: FORM-DATA; NAME="q"\r\n\r\n${SQLI}`])), control: mpReq(multipart(B, [`CONTENT-DISPOSITION: FORM-DATA; NAME="q"\r\n\r\n${BENIGN}`])) },
  { id: 'MP-26', name: 'names PHP rewrites (a.b, a[b, a space)', php: true, expect: 'detected', attack: mpReq(multipart(B, [field('q.x', SQLI), field('r[x', XSS), field(' s', RCE)])), control: mpReq(multipart(B, [field('q.x', BENIGN), field('r[x', BENIGN), field(' s', BENIGN)])) },
  { id: 'MP-27', name: 'a PHP file uploaded under a field that looks like a value', php: true, expect: 'detected', attack: mpReq(multipart(B, [upload('q', 'shell.php', '<?php system($_GET["c"]); ?>')])), control: mpReq(multipart(B, [upload('q', 'notes.txt', BENIGN)])) },
  { id: 'MP-28', name: 'the media type written without its semicolon', php: true, expect: 'detected', attack: mpReq(multipart(B, [field('q', SQLI)]), `multipart/form-data boundary=${B}`), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  // --- urlencoded forms and queries ---
  { id: 'UE-01', name: 'a payload split over a repeated parameter (ASP.NET joins them)', paranoia: 3, php: true, expect: 'detected', attack: form(UE01), control: form(`q=${enc(BENIGN)}`) },
  { id: 'UE-02', name: 'a repeated parameter, payload in the one PHP keeps', php: true, expect: 'detected', attack: form(`q=1&q=${enc(SQLI)}`), control: form(`q=1&q=${enc(BENIGN)}`) },
  { id: 'UE-03', name: 'a payload after 10,000 query arguments', expect: 'flagged', attack: request({ target: `/?${'p=1&'.repeat(10_000)}q=${enc(SQLI)}` }), control: request({ target: `/?${'p=1&'.repeat(100)}q=${enc(BENIGN)}` }) },
  { id: 'UE-04', name: 'a payload after 10,000 body arguments', php: true, expect: 'flagged', attack: form(`${'p=1&'.repeat(10_000)}q=${enc(SQLI)}`), control: form(`${'p=1&'.repeat(100)}q=${enc(BENIGN)}`) },
  { id: 'UE-05', name: 'a semicolon as the separator', php: true, expect: 'detected', attack: form(`a=1;q=${enc(SQLI)}`), control: form(`a=1;q=${enc(BENIGN)}`) },
  { id: 'UE-06', name: 'names PHP rewrites (a.b, a[b, leading space)', php: true, expect: 'detected', attack: form(`q.x=${enc(SQLI)}&r[x=${enc(XSS)}&+s=${enc(RCE)}`), control: form(`q.x=${enc(BENIGN)}&r[x=1&+s=2`) },
  { id: 'UE-07', name: 'IIS %u escapes', expect: 'detected', attack: form(`q=${[...SQLI].map((c) => `%u00${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')}`), control: form('q=%u0068ello') },
  { id: 'UE-08', name: 'double percent-encoding', php: true, expect: 'detected', attack: form(`q=${enc(enc(XSS))}`), control: form(`q=${enc(enc(BENIGN))}`) },
  { id: 'UE-09', name: 'invalid % escapes around the payload', php: true, expect: 'detected', attack: form(`q=%zz${enc(SQLI)}%`), control: form(`q=%zz${enc(BENIGN)}`) },
  { id: 'UE-10', name: 'a NUL byte in a name', php: true, expect: 'detected', attack: form(`q%00x=${enc(SQLI)}`), control: form(`q=${enc(BENIGN)}`) },
  { id: 'UE-11', name: 'a form without Content-Type (read as the upstream may)', expect: 'detected', attack: form(`q=${enc(SQLI)}`, null), control: form(`q=${enc(BENIGN)}`) },
  // --- JSON ---
  { id: 'JS-01', name: 'a key twice in one object', expect: 'flagged', attack: json(`{"q":${JSON.stringify(SQLI)},"q":"x"}`), control: json(`{"q":"x"}`) },
  { id: 'JS-02', name: 'a key twice, once written with \\u escapes', expect: 'flagged', attack: json(`{"q":${JSON.stringify(SQLI)},"\\u0071":"x"}`), control: json(`{"\\u0071":"x"}`) },
  { id: 'JS-03', name: 'the payload written with \\u escapes', expect: 'detected', attack: json(`{"q":"${[...SQLI].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"}`), control: json(`{"q":"\\u0068ello"}`) },
  { id: 'JS-04', name: 'a __proto__ key', expect: 'detected', attack: json(`{"__proto__":{"q":${JSON.stringify(SQLI)}}}`), control: json(`{"q":"x"}`) },
  { id: 'JS-05', name: 'comments and trailing commas (JSON5 readers)', expect: 'flagged', attack: json(`{"q":${JSON.stringify(SQLI)},/*x*/}`), control: json(`{"q":"x"}`) },
  { id: 'JS-06', name: 'a byte-order mark first', expect: 'detected', attack: json(`\xef\xbb\xbf{"q":${JSON.stringify(SQLI)}}`), control: json(`\xef\xbb\xbf{"q":"x"}`) },
  { id: 'JS-07', name: 'a UTF-16 JSON body', expect: 'flagged', attack: json(`\xff\xfe${utf16(`{"q":${JSON.stringify(SQLI)}}`)}`), control: json(`{"q":"x"}`) },
  { id: 'JS-08', name: 'JSON sent as a urlencoded form', expect: 'flagged', attack: form(`{"q":"1\\u0027 UNION SELECT password FROM users-- -"}`), control: form('q=x') },
  { id: 'JS-09', name: 'JSON sent as text/plain', expect: 'detected', attack: json(`{"q":${JSON.stringify(SQLI)}}`, 'text/plain'), control: json(`{"q":"x"}`) },
  { id: 'JS-10', name: 'JSON sent without Content-Type', expect: 'detected', attack: json(`{"q":"1\\u0027 UNION SELECT password FROM users-- -"}`, null), control: json(`{"q":"x"}`) },
  { id: 'JS-11', name: 'nesting deeper than the WAF reads', expect: 'flagged', attack: json(`${'['.repeat(600)}${JSON.stringify(SQLI)}${']'.repeat(600)}`), control: json(`${'['.repeat(20)}"x"${']'.repeat(20)}`) },
  { id: 'JS-12', name: 'a JSON type named in a form type parameter', expect: 'detected', attack: form(`q=${enc(BENIGN)}`, `${FORM};boundary="application/json"`), control: form(`q=${enc(BENIGN)}`) },
  // --- XML ---
  { id: 'XM-01', name: 'an external entity (XXE)', expect: 'flagged', attack: xml('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'), control: xml('<?xml version="1.0"?><a>x</a>') },
  { id: 'XM-02', name: 'a payload split by a comment and CDATA', expect: 'detected', attack: xml(`<a>1' UNI<!--x-->ON SEL<![CDATA[ECT password FROM users-- -]]></a>`), control: xml('<a>hel<!--x-->lo<![CDATA[ world]]></a>') },
  { id: 'XM-03', name: 'a UTF-16 XML body', expect: 'flagged', attack: xml(`\xff\xfe${utf16(`<?xml version="1.0" encoding="UTF-16"?><a>${XSS.replace(/</g, '&lt;')}</a>`)}`), control: xml('<a>x</a>') },
  { id: 'XM-04', name: 'an XML body under a JSON type', expect: 'flagged', attack: json(`<a>${SQLI}</a>`), control: json('{"a":"x"}') },
  { id: 'XM-05', name: 'a JSON body under an XML type', expect: 'flagged', attack: xml(`{"q":"1\\u0027 UNION SELECT password FROM users-- -"}`), control: xml('<a>x</a>') },
  { id: 'XM-06', name: 'the payload in an attribute', expect: 'detected', attack: xml(`<a q="${XSS.replace(/</g, '&lt;')}"/>`), control: xml('<a q="x"/>') },
  { id: 'XM-07', name: 'an external DTD (SYSTEM identifier), fetched by readers that load DTDs', expect: 'flagged', attack: xml('<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://203.0.113.7/x.dtd"><a>x</a>'), control: xml('<?xml version="1.0"?><!DOCTYPE a [<!ELEMENT a (#PCDATA)>]><a>x</a>') },
  { id: 'XM-08', name: 'an XML declaration naming another encoding (UTF-7)', expect: 'flagged', attack: xml('<?xml version="1.0" encoding="UTF-7"?><a>+ADw-script+AD4-alert(1)+ADw-/script+AD4-</a>'), control: xml('<?xml version="1.0" encoding="UTF-8"?><a>x</a>') },
  // --- Content-Type and charset ---
  { id: 'CT-01', name: 'two Content-Type headers', php: true, expect: 'flagged', attack: request({ headers: [['Content-Type', 'application/json'], ['Content-Type', FORM]], body: `q=${enc(SQLI)}&x={}` }), control: form(`q=${enc(BENIGN)}`) },
  { id: 'CT-02', name: 'two media types in one Content-Type', php: true, expect: 'detected', attack: form(`q=${enc(SQLI)}`, `${FORM}, text/plain`), control: form(`q=${enc(BENIGN)}`) },
  { id: 'CT-03', name: 'text after the media type (PHP cuts at a space)', php: true, expect: 'detected', attack: form(`q=${enc(SQLI)}`, `${FORM} x`), control: form(`q=${enc(BENIGN)}`) },
  { id: 'CT-04', name: 'an upper-case media type', php: true, expect: 'detected', attack: form(`q=${enc(SQLI)}`, FORM.toUpperCase()), control: form(`q=${enc(BENIGN)}`, FORM.toUpperCase()) },
  { id: 'CT-05', name: 'an EBCDIC charset (ibm037)', expect: 'flagged', attack: form(Buffer.from([...Buffer.from(`q=${SQLI}`)].map((b) => EBCDIC[b] ?? 0x40)).toString('latin1'), `${FORM}; charset=ibm037`), control: form(`q=${enc(BENIGN)}`, `${FORM}; charset=utf-8`) },
  { id: 'CT-06', name: 'two charsets', expect: 'flagged', attack: form(`q=${enc(BENIGN)}`, `${FORM}; charset=utf-8; charset=utf-7`), control: form(`q=${enc(BENIGN)}`, `${FORM}; charset=utf-8`) },
  { id: 'CT-07', name: 'a UTF-16 form body', expect: 'flagged', attack: form(utf16(`q=${SQLI}`), `${FORM}; charset=utf-16le`), control: form(`q=${enc(BENIGN)}`) },
  { id: 'CT-08', name: 'a UTF-16 form body without a charset', expect: 'flagged', attack: form(`\xff\xfe${utf16(`q=${SQLI}`)}`), control: form(`q=${enc(BENIGN)}`) },
  { id: 'CT-09', name: 'a gzip-encoded body', expect: 'flagged', attack: form(gzipped(`q=${enc(SQLI)}`), FORM, { 'Content-Encoding': 'gzip' }), control: form(`q=${enc(BENIGN)}`) },
  { id: 'CT-10', name: 'a charset the WAF reads as UTF-8 in a JSON type (utf-7)', expect: 'flagged', attack: json('{"q":"+ADw-script+AD4-alert(1)+ADw-/script+AD4-"}', 'application/json; charset=utf-7'), control: json('{"q":"x"}', 'application/json; charset=utf-8') },
  { id: 'CT-11', name: 'a form body under a multipart type', php: true, expect: 'flagged', attack: form(`q=${enc(SQLI)}`, MP), control: mpReq(multipart(B, [field('q', BENIGN)])) },
  // --- the request line and framing ---
  { id: 'RQ-01', name: 'a path starting with //', expect: 'detected', attack: request({ target: '//.git/config' }), control: request({ target: '//assets/app.js' }) },
  { id: 'RQ-02', name: 'an encoded ? in the path', expect: 'detected', attack: request({ target: '/index.php%3F/../.git/config' }), control: request({ target: '/index.php%3Fx' }) },
  { id: 'RQ-03', name: 'an absolute-form target', expect: 'detected', attack: request({ target: 'http://shop.example/.git/config' }), control: request({ target: 'http://shop.example/assets/app.js' }) },
  { id: 'RQ-04', name: 'dot segments the upstream resolves', expect: 'detected', attack: request({ target: '/assets/../.git/config' }), control: request({ target: '/assets/index.html' }) },
  { id: 'RQ-05', name: 'Transfer-Encoding: Chunked in another case', php: true, expect: 'detected', attack: chunked(`q=${enc(SQLI)}`, 'Chunked'), control: chunked(`q=${enc(BENIGN)}`, 'Chunked') },
  { id: 'RQ-06', name: 'a payload after a fragment mark', expect: 'refused', attack: request({ target: `/?a=1#&q=${enc(SQLI)}` }), control: request({ target: '/?a=1' }) },
  { id: 'RQ-07', name: 'a path parameter that Java containers strip', expect: 'flagged', attack: request({ target: '/.git;x=1/config' }), control: request({ target: '/cart;jsessionid=A1B2' }) },
  { id: 'RQ-08', name: 'Content-Length and Transfer-Encoding both (request smuggling)', expect: 'refused', attack: request({ method: 'POST', headers: [['Content-Type', FORM], ['Content-Length', '4'], ['Transfer-Encoding', 'chunked']] }) + `0\r\n\r\nPOST /admin HTTP/1.1\r\nHost: shop.example\r\n\r\n`, control: chunked(`q=${enc(BENIGN)}`, 'chunked') },
  // --- cookies ---
  { id: 'CK-01', name: 'a second = in a cookie value', expect: 'detected', attack: request({ headers: { Cookie: `session=x=${SQLI.replace(/;/g, '')}` } }), control: request({ headers: { Cookie: 'session=x=abc' } }) },
  { id: 'CK-02', name: 'a cookie without =', expect: 'detected', attack: request({ headers: { Cookie: `a=1; ${XSS}` } }), control: request({ headers: { Cookie: 'a=1; flag' } }) },
  { id: 'CK-03', name: 'a percent-encoded cookie value (PHP and cookie parsers decode it)', expect: 'detected', attack: request({ headers: { Cookie: `q=${enc(SQLI)}` } }), control: request({ headers: { Cookie: `q=${enc(BENIGN)}` } }) },
  { id: 'CK-04', name: 'a double-quoted cookie value (RFC 6265; the cookie package unquotes it)', expect: 'detected', attack: request({ headers: { Cookie: `q="${XSS}"` } }), control: request({ headers: { Cookie: 'q="abc"' } }) },
  { id: 'CK-05', name: 'two Cookie headers', expect: 'detected', attack: request({ headers: [['Cookie', 'a=1'], ['Cookie', `q=${enc(SQLI)}`]] }), control: request({ headers: [['Cookie', 'a=1'], ['Cookie', 'q=2']] }) },
];
