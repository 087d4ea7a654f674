// Third pass: second-pass finding B (SQLi/XSS written with JSON escapes, \u0027, in a value the app
// JSON-decodes) after the rule pack's 36107020/36107030. Their first link is
// `REQUEST_COOKIES|ARGS "@rx \x5cu00[0-9a-fA-F]{2}"` with t:none: ARGS are already percent-decoded,
// cookies are not (ModSecurity and mamori keep cookie values as sent), while Express's cookie-parser
// (the `cookie` module) percent-decodes every value before it reads `j:` as JSON. So a `j:` cookie
// written percent-encoded, as browsers' document.cookie code and res.cookie() itself write it, holds
// `%5Cu0027` and is not read. node bench/redteam/waf-proxy3-json-cookie.mjs
import { CRS3 } from './waf-proxy3-lib.mjs';
import { CRS, startUpstream, startMamori, raw, rawReq, report, results, reached } from './waf-proxy-lib.mjs';

const sqli = '1\\u0027 OR \\u00271\\u0027=\\u00271'; // JSON.parse: 1' OR '1'='1
const xss = '\\u003cscript\\u003ealert(document.cookie)\\u003c/script\\u003e';
const cases = [
  ['j: cookie, SQLi with \\u0027, as written (control)', `prefs=j:{"id":"${sqli}"}`, true],
  ['j: cookie, SQLi with \\u0027, percent-encoded (res.cookie writes it so)', `prefs=${encodeURIComponent(`j:{"id":"${sqli}"}`)}`, false],
  ['j: cookie, only the backslashes percent-encoded', `prefs=j:{"id":"${sqli.replace(/\\/g, '%5C')}"}`, false],
  ['j: cookie, XSS with \\u003c, percent-encoded', `prefs=${encodeURIComponent(`j:{"name":"${xss}"}`)}`, false],
];
const up = await startUpstream();
for (const [name, crs] of [['CRS 4', CRS], ['CRS 3', CRS3]]) {
  const m = await startMamori(up.url, { waf: { crs, paranoia: 1, block_sources: { after: 0 } } });
  try {
    for (const [label, cookie] of cases) {
      const since = up.seen.length;
      const st = (await raw(m.port, rawReq({ target: '/account', headers: { Cookie: cookie } }))).statuses[0];
      const through = reached(up, 'u0027', since) || reached(up, 'u003c', since);
      report(!through, `${name}: ${label} is refused`, `status ${st}, reached the upstream: ${through}`);
    }
  } finally {
    await m.stop();
  }
}
await up.close();
console.log(`\n${results.findings} finding(s)`);
