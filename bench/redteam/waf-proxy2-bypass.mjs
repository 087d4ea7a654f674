// Second pass, new bypass attempts through `mamori up` (paranoia 1, blocking, CRS 4.28.0,
// libinjection, the pack): values a Node app decodes a second time after the WAF read them, in the
// places a real app reads. A FINDING is a payload that reaches the upstream with a 200; what the app
// makes of it (per the library named) is in the label. INFO lines are for readers the app may not use.
//
//   node bench/redteam/waf-proxy2-bypass.mjs [filter]
import { startUpstream, startMamori, raw, rawReq, report, results } from './waf-proxy-lib.mjs';

const filter = process.argv[2] ?? '';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const J = { 'Content-Type': 'application/json' };
const X = { 'Content-Type': 'application/xml' };
const u16 = (s) => Buffer.from(s, 'utf16le');
const b64 = (s) => Buffer.from(s).toString('base64');
const mpart = (b, parts) => Buffer.concat([...parts.map(([head, content]) => Buffer.concat([Buffer.from(`--${b}\r\n${head}\r\n\r\n`, 'latin1'), Buffer.isBuffer(content) ? content : Buffer.from(content, 'latin1'), Buffer.from('\r\n')])), Buffer.from(`--${b}--\r\n`)]);
const MP = (b) => ({ 'Content-Type': `multipart/form-data; boundary=${b}` });
// The SQLi with its quotes as JSON escapes: what JSON.parse turns into 1' OR '1'='1.
const jsonSqli = "1\\u0027 OR \\u00271\\u0027=\\u00271";
const tautology = "1' OR '1'='1";

/** [label, request bytes, kind: 'finding' (a reader the app most likely uses) or 'info'] */
const cases = [
  // JSON inside a string the WAF reads as plain text.
  ['control: the same SQLi in a plain cookie', rawReq({ target: '/account', headers: { Cookie: `id=${encodeURIComponent(tautology)}` } })],
  ['control: the same SQLi, quotes written, in a j: cookie', rawReq({ target: '/account', headers: { Cookie: `prefs=j:${encodeURIComponent(`{"id":"${tautology}"}`)}` } })],
  ['cookie-parser j: JSON cookie (Express req.cookies.prefs.id)', rawReq({ target: '/account', headers: { Cookie: `prefs=j:${encodeURIComponent(`{"id":"${jsonSqli}"}`)}` } })],
  ['JSON filter in the query (LoopBack ?filter=, JSON.parse(req.query.filter))', rawReq({ target: `/api/items?filter=${encodeURIComponent(`{"where":{"name":"${jsonSqli}"}}`)}` })],
  ['GraphQL multipart request: operations field (graphql-upload JSON.parses it)', rawReq({ method: 'POST', target: '/graphql', headers: MP('gq1'), body: mpart('gq1', [['Content-Disposition: form-data; name="operations"', `{"query":"query($id:String){item(id:$id){name}}","variables":{"id":"${jsonSqli}"}}`], ['Content-Disposition: form-data; name="map"', '{}']]) })],
  ['JSON string inside a JSON body (a "payload" field the app JSON.parses again)', rawReq({ method: 'POST', target: '/api/hook', headers: J, body: JSON.stringify({ payload: `{"id":"${jsonSqli}"}` }) })],
  ['JSON in a header (X-Filter, JSON.parse(req.headers["x-filter"]))', rawReq({ target: '/api/items', headers: { 'X-Filter': `{"name":"${jsonSqli}"}` } })],
  // XML readers that decode more than the WAF.
  ['XML numeric character references (&#x27; decoded by every XML reader)', rawReq({ method: 'POST', target: '/soap', headers: X, body: `<r><id>1&#x27; OR &#x27;1&#x27;=&#x27;1</id></r>` })],
  ['XML internal DTD entity (fast-xml-parser expands it by default; libxml2 with NOENT)', rawReq({ method: 'POST', target: '/soap', headers: X, body: `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY t "${tautology}">]><r><id>&t;</id></r>` })],
  ['XML: the payload split across two internal entities', rawReq({ method: 'POST', target: '/soap', headers: X, body: `<!DOCTYPE r [<!ENTITY a "1' OR '1"><!ENTITY b "'='1">]><r><id>&a;&b;</id></r>` })],
  // Multipart part charsets (busboy, under multer and @fastify/multipart, decodes a field by its part's charset).
  ['multipart field with charset=utf-16le (busboy decodes)', rawReq({ method: 'POST', target: '/search', headers: MP('c16'), body: mpart('c16', [['Content-Disposition: form-data; name="q"\r\nContent-Type: text/plain; charset=utf-16le', u16(tautology)]]) })],
  ['multipart field with charset=base64 (busboy: a base64 decoder)', rawReq({ method: 'POST', target: '/search', headers: MP('c64'), body: mpart('c64', [['Content-Disposition: form-data; name="q"\r\nContent-Type: text/plain; charset=base64', b64(tautology)]]) })],
  ['multipart field with charset=iso-2022-jp (TextDecoder)', rawReq({ method: 'POST', target: '/search', headers: MP('cjp'), body: mpart('cjp', [['Content-Disposition: form-data; name="q"\r\nContent-Type: text/plain; charset=iso-2022-jp', "1' \x1b(BOR\x1b(B '1'='1"]]) })],
  ['multipart name*= RFC 5987 field name (busboy reads name*)', rawReq({ method: 'POST', target: '/search', headers: MP('n5'), body: mpart('n5', [[`Content-Disposition: form-data; name="x"; name*=utf-8''q`, tautology]]) })],
  // Bodies in another charset, declared.
  ['JSON body declared charset=utf-16le (body-parser json decodes utf-16)', rawReq({ method: 'POST', target: '/api/items', headers: { 'Content-Type': 'application/json; charset=utf-16le' }, body: u16(`{"id":"${tautology}"}`) })],
  ['form body declared charset=utf-16le', rawReq({ method: 'POST', target: '/search', headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-16le' }, body: u16(`q=${tautology}`) })],
  // Query and form readers.
  ['qs: a key with brackets hides nothing (control)', rawReq({ target: `/search?q[a]=${encodeURIComponent(tautology)}` })],
  ['query parameter in a %-encoded & (qs splits after decoding? no: control)', rawReq({ target: `/search?x=1%26q=${encodeURIComponent(tautology)}` })],
  ['form with the payload %u-encoded (qs: %u stays as is) (control)', rawReq({ method: 'POST', target: '/search', headers: FORM, body: 'q=1%u0027%20OR%20%u00271%u0027=%u00271' })],
  // Headers apps read.
  ['X-Original-URL payload (Symfony and IIS route on it; Node frameworks do not)', rawReq({ target: '/', headers: { 'X-Original-URL': `/item/${encodeURIComponent(tautology)}` } }), 'info'],
  ['Referer carrying the SQLi (apps log and query by it)', rawReq({ target: '/', headers: { Referer: `https://shop.example/?id=${encodeURIComponent(tautology)}` } })],
];

const up = await startUpstream();
const m = await startMamori(up.url, { waf: { block_sources: { after: 0 } } });
let n = 0;
try {
  for (const [label, bytes, kind = 'finding'] of cases) {
    if (filter && !label.includes(filter)) continue;
    n++;
    const before = up.seen.length;
    const r = await raw(m.port, bytes);
    const through = r.statuses[0] === 200 && up.seen.length > before;
    if (!through) report(true, label, `statuses ${JSON.stringify(r.statuses)}`);
    else if (kind === 'info') console.log(`INFO    ${label} -- statuses [200]`);
    else report(false, label, 'mamori answered 200, the upstream received it');
  }
} finally {
  await m.stop();
  await up.close();
}
console.log(`${n} cases, ${results.findings} finding(s)`);
