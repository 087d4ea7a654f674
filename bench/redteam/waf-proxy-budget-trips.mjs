// waf.cpu_budget turned against a shared address: past the budget every request from the source is
// answered 429 by the WAF (WafExchange.head sets an interruption with ruleId 0), and WafGuard.finish
// treats that interruption as a refused attack: a `waf-blocked` event, an audit line, and a trip
// towards waf.block_sources (default 10 in 10 min), which then blocks the address for an hour.
// So the benign requests of everyone behind one NAT after a heavy client (or an attacker spending
// about 20 large forms) turn into a one-hour block decision "kept tripping WAF rules".
// Here the budget is 1 ms to make the first request spend it; the default is 10 s, about 20 of the
// largest forms (see waf-proxy-cpu.mjs).
//
//   node bench/redteam/waf-proxy-budget-trips.mjs
import { startUpstream, startMamori, raw, rawReq, report, results } from './waf-proxy-lib.mjs';

const up = await startUpstream();
const m = await startMamori(up.url, { waf: { cpu_budget: { per_source: '1ms', window: '1m' }, block_sources: { after: 10, window: '10m', block_for: '1h' } } });
const NAT = { 'X-Forwarded-For': '198.51.100.200' };
try {
  const heavy = await raw(m.port, rawReq({ method: 'POST', target: '/upload', headers: { ...NAT, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `t=${'lorem ipsum '.repeat(5000)}` }));
  console.log(`        one heavy benign form: ${heavy.statuses[0]}`);
  const codes = [];
  for (let i = 0; i < 12; i++) codes.push((await raw(m.port, rawReq({ target: `/products?page=${i}`, headers: NAT }))).statuses[0]);
  console.log(`        then 12 benign page views from the same address: ${JSON.stringify(codes)}`);
  // The budget window is one minute; a block decision answers 403 (the budget 429).
  const blocked = codes.includes(403);
  report(!blocked, 'benign requests refused for the budget are not counted as WAF trips', blocked ? 'the address got a block decision (403) from requests refused only for the budget' : 'no block decision');
} finally {
  await m.stop();
  await up.close();
}
console.log(`${results.findings} finding(s)`);
