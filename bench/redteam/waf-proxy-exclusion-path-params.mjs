// A waf.exclusions entry on a prefix (`/editor/*`: XSS rules off for ARGS:content) borrowed by a
// path that a Java upstream (Tomcat, Jetty, Spring) routes elsewhere: `..;` is a dot segment with a
// path parameter, which those servers strip before resolving `..`. mamori's framing check
// (hasDotSegment) and the exclusion's own guard (`(?:^|/)\.\.?(?:/|$)|//|\x5c` on REQUEST_FILENAME)
// both look for `..` alone, so `/editor/..;/comments` keeps the exclusion and is forwarded as sent.
// The Node upstream here records the raw target; on Tomcat it is /comments.
//
//   node bench/redteam/waf-proxy-exclusion-path-params.mjs
import { startUpstream, startMamori, raw, rawReq, report, results } from './waf-proxy-lib.mjs';

const up = await startUpstream();
const m = await startMamori(up.url, {
  waf: { exclusions: [{ name: 'editor', paths: ['/editor/*'], methods: ['POST'], tags: ['attack-xss'], targets: ['ARGS:content'] }] },
});
const body = 'content=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
try {
  const control = await raw(m.port, rawReq({ method: 'POST', target: '/comments', headers: FORM, body }));
  report(control.statuses[0] === 403, 'control: the XSS posted to /comments', `mamori answered ${control.statuses[0]}`);
  const ok = await raw(m.port, rawReq({ method: 'POST', target: '/editor/save', headers: FORM, body }));
  report(ok.statuses[0] === 200, 'control: the exclusion lets it through on /editor/save', `mamori answered ${ok.statuses[0]}`);
  for (const target of ['/editor/..;/comments', '/editor/%2e%2e;/comments', '/editor/x/..;/..;/comments', '/editor/..%3b/comments', '/editor/.;/..;/comments']) {
    const before = up.seen.length;
    const r = await raw(m.port, rawReq({ method: 'POST', target, headers: FORM, body }));
    const got = up.seen.slice(before).find((s) => s.body.toString().includes('%3Cscript'));
    report(!(r.statuses[0] === 200 && got), `XSS under the /editor/* exclusion at ${target} (Tomcat/Jetty/Spring resolve it to /comments)`, `mamori answered ${r.statuses[0]}${got ? `, upstream got ${got.method} ${got.url}` : ''}`);
  }
} finally {
  await m.stop();
  await up.close();
}
console.log(`${results.findings} finding(s)`);
