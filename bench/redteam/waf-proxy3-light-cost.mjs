// Third pass: what a "light" request (no body, head under 4 KiB: inspected even past the source's
// waf.cpu_budget and never shed) can cost the rules, with CRS 4 and with CRS 3, PL1. Each shape is
// sent 30 times from one source; mamori's CPU per request is printed. A FINDING when a shape costs
// more than 10x a plain browser GET (then one source alone, never budgeted, takes a core at a few
// dozen requests a second). node bench/redteam/waf-proxy3-light-cost.mjs
import { CRS3, cpuMs } from './waf-proxy3-lib.mjs';
import { CRS, startUpstream, startMamori, raw, rawReq, report, results } from './waf-proxy-lib.mjs';

const fill = (unit, budget) => unit.repeat(Math.floor(budget / unit.length));
const SHAPES = [
  ['plain browser GET', { target: '/products?page=2' }],
  ['~1,200 empty cookies', { target: '/', headers: { Cookie: fill('a=;', 3700) } }],
  ['~900 query args a=1', { target: `/?${fill('a=1&', 3700)}` }],
  ['~1,800 path segments /a', { target: fill('/a', 3700) }],
  ['~1,200 %-escapes in the query', { target: `/?q=${fill('%41', 3700)}` }],
  ['query of 3,700 spaces around one word', { target: `/?q=${fill('+', 1850)}x${fill('+', 1850)}` }],
  ['query of 3,700 "{"', { target: `/?q=${fill('%7B', 3700)}` }],
  ['90 short headers', { headers: Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`X-H${i}`, 'a'.repeat(25)])) }],
];

const up = await startUpstream();
for (const [name, crs] of [['CRS 4', CRS], ['CRS 3', CRS3]]) {
  const m = await startMamori(up.url, { waf: { crs, paranoia: 1, block_sources: { after: 0 } } });
  try {
    let plain = 0;
    for (let i = 0; i < 60; i++) await raw(m.port, rawReq({ target: '/products?page=2' })); // JIT warm-up
    for (const [label, spec] of SHAPES) {
      const req = rawReq({ ...spec, headers: { ...(spec.headers ?? {}), 'X-Forwarded-For': '198.51.100.77' } });
      for (let i = 0; i < 5; i++) await raw(m.port, req);
      const c0 = cpuMs(m.proc.pid);
      const st = {};
      for (let i = 0; i < 30; i++) {
        const s = (await raw(m.port, req, { timeoutMs: 10_000 })).statuses[0];
        st[s] = (st[s] ?? 0) + 1;
      }
      const per = (cpuMs(m.proc.pid) - c0) / 30;
      if (label === 'plain browser GET') plain = per;
      const ratio = plain > 0 ? per / plain : 1;
      if (label === 'plain browser GET') console.log(`INFO    ${name}: ${label}: ${per.toFixed(1)} ms CPU (${JSON.stringify(st)}), head ${req.indexOf('\r\n\r\n')} bytes`);
      else report(ratio <= 10, `${name}: a light GET with ${label} costs at most 10x a plain GET`, `${per.toFixed(1)} ms CPU each (${ratio.toFixed(0)}x), ${JSON.stringify(st)}, head ${req.indexOf('\r\n\r\n')} bytes`);
    }
  } finally {
    await m.stop();
  }
}
await up.close();
console.log(`\n${results.findings} finding(s)`);
