// A route with a per-source rate limit (no per_account, no query filter) makes `mamori up` stream the
// request body straight upstream: mamoriHooks.onRequest overwrites `buffer = wafBody` with
// rateLimits.needsBody(...), so onBody never runs and the WAF's phase 2 (every CRS attack rule on
// ARGS, and CRS's blocking evaluation 949110) never runs for any request that announces a body.
// Payloads in the body AND in the query reach the upstream; mamori answers the upstream's 200.
//
//   node bench/redteam/waf-proxy-rate-limit-bypass.mjs
import { startUpstream, startMamori, raw, rawReq, report, reached, results } from './waf-proxy-lib.mjs';

const up = await startUpstream();
const m = await startMamori(up.url, {
  extra: {
    rate_limits: [
      { name: 'api', paths: ['/api/*'], per_source: { limit: 1000, window: '1m' } },
      // As the README's example: lost-password requests of WordPress, named in the query.
      { name: 'lostpassword', paths: ['/wp-login.php'], query: { action: ['lostpassword'] }, per_source: { limit: 1000, window: '1h' } },
    ],
  },
});
try {
  const sqli = "1' UNION SELECT username,password FROM users--";
  const cases = [
    { name: 'SQLi in a form body on a rate-limited route', target: '/api/search', body: `q=${encodeURIComponent(sqli)}`, ct: 'application/x-www-form-urlencoded', needle: 'UNION%20SELECT' },
    { name: 'XSS in a JSON body on a rate-limited route', target: '/api/comment', body: '{"text":"<script>alert(document.cookie)</script>"}', ct: 'application/json', needle: '<script>' },
    { name: 'command injection in a JSON body', target: '/api/ping', body: '{"host":"127.0.0.1; cat /etc/passwd"}', ct: 'application/json', needle: 'cat /etc/passwd' },
    { name: 'SQLi in the query of a request with a 1-byte body', target: `/api/item?id=${encodeURIComponent(sqli)}`, body: 'x', ct: 'application/x-www-form-urlencoded', needle: 'UNION%20SELECT' },
    { name: 'XSS in the form of a query-filtered route (/wp-login.php?action=lostpassword)', target: '/wp-login.php?action=lostpassword', body: `user_login=${encodeURIComponent('<script>alert(document.cookie)</script>')}`, ct: 'application/x-www-form-urlencoded', needle: '%3Cscript%3E' },
    { name: 'path traversal in the query of a POST', target: '/api/download?file=../../../../etc/passwd', body: 'a=1', ct: 'application/x-www-form-urlencoded', needle: '../../../../etc/passwd' },
  ];
  for (const c of cases) {
    const before = up.seen.length;
    const r = await raw(m.port, rawReq({ method: 'POST', target: c.target, headers: { 'Content-Type': c.ct }, body: c.body }));
    const got = reached(up, c.needle, before);
    report(!(got && r.statuses[0] === 200), c.name, `mamori answered ${r.statuses[0]}, upstream received it: ${got}`);
  }
  // Control: the same route without a body is inspected (phase 2 runs with no body).
  const before = up.seen.length;
  const r = await raw(m.port, rawReq({ target: `/api/item?id=${encodeURIComponent(sqli)}` }));
  report(r.statuses[0] === 403 && !reached(up, 'UNION', before), 'control: the same SQLi in a GET query on that route', `mamori answered ${r.statuses[0]}`);
  // Control: a route without a rate limit refuses the body payload.
  const c2 = await raw(m.port, rawReq({ method: 'POST', target: '/search', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `q=${encodeURIComponent(sqli)}` }));
  report(c2.statuses[0] === 403, 'control: the same form body on a route without a rate limit', `mamori answered ${c2.statuses[0]}`);
} finally {
  await m.stop();
  await up.close();
}
console.log(`${results.findings} finding(s)`);
