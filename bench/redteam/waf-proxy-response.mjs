// Response-phase tricks with waf.response_body on (CRS's outbound rules: SQL error messages, stack
// traces, directory listings in the answer). The upstream leaks a MySQL error; a FINDING is the leak
// reaching the client:
//  - padded past the proxy's sniff limit (maxResponseSniffBytes, 256 KiB) but within the WAF's own
//    SecResponseBodyLimit (512 KiB, action Reject: "answers 500" per docs/waf.md): streamed unseen;
//  - compressed although mamori removed Accept-Encoding (an upstream or CDN that compresses anyway);
//  - under a type outside SecResponseBodyMimeType (application/xhtml+xml, text/html with odd case).
//
//   node bench/redteam/waf-proxy-response.mjs
import { gzipSync } from 'node:zlib';
import { startUpstream, startMamori, raw, rawReq, report, results } from './waf-proxy-lib.mjs';

const LEAK = "<p>You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''' at line 1</p>";
const up = await startUpstream((req, res) => {
  const u = new URL(req.url, 'http://x');
  const kind = u.searchParams.get('k');
  let body = Buffer.from(`<html><body>${LEAK}</body></html>`);
  const headers = { 'content-type': 'text/html; charset=utf-8' };
  if (kind === 'padded') body = Buffer.from(`<html><body>${'<p>filler</p>'.repeat(23_000)}${LEAK}</body></html>`);
  if (kind === 'gzip') {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  if (kind === 'xhtml') headers['content-type'] = 'application/xhtml+xml';
  if (kind === 'chunked-padded') {
    res.writeHead(200, headers);
    res.write(`<html><body>${'<p>filler</p>'.repeat(23_000)}`);
    res.end(`${LEAK}</body></html>`);
    return;
  }
  res.writeHead(200, headers);
  res.end(body);
});
const m = await startMamori(up.url, { waf: { response_body: true, block_sources: { after: 0 } } });
try {
  for (const k of ['plain', 'padded', 'chunked-padded', 'gzip', 'xhtml']) {
    const r = await raw(m.port, rawReq({ target: `/page?k=${k}`, headers: { 'Accept-Encoding': 'gzip' } }), { timeoutMs: 5000 });
    const leaked = r.statuses[0] === 200;
    const size = r.text.length;
    if (k === 'plain') report(!leaked, 'control: the SQL error page', `mamori answered ${r.statuses[0]}`);
    else report(!leaked, `the SQL error page, ${k} (${(size / 1024).toFixed(0)} KiB)`, `mamori answered ${r.statuses[0]}`);
  }
} finally {
  await m.stop();
  await up.close();
}
console.log(`${results.findings} finding(s)`);
