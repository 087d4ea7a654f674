// Second pass on waf.cpu_budget (guard/waf-guard.ts withinBudget/charge: rule time per source key,
// IPv4 /32 and IPv6 /64 by default, in a fixed window; checked before phase 1 and again before
// phase 2 since the first pass). Budget here: 1 s a minute. The heavy request is a 127 KiB form of
// 1,000 arguments (about 0.4 s of rules each on this machine).
//  1. One /64, rotating the interface id: held to the budget (OK expected).
//  2. Rotating /64s inside one /56 (what a home line or a VPS gets): each /64 is a new source with a
//     full budget, and there is no ceiling over all sources: 16 heavy requests from 16 /64s are all
//     inspected, about 16x one source's budget; with 4 such streams in parallel, an ordinary GET
//     from someone else waits behind them.
//  3. A shared address (office NAT, CGNAT, a university): one heavy user spends the address's budget
//     and every other user there gets 429 on every request, GET included, for the rest of the minute.
//
//   node bench/redteam/waf-proxy2-cpu-sources.mjs
import { readFileSync } from 'node:fs';
import { startUpstream, startMamori, raw, rawReq, report, results, sleep } from './waf-proxy-lib.mjs';

const TICK = 100;
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICK;
};
const heavyBody = Array.from({ length: 1000 }, (_, i) => `a${i}=${'x'.repeat(115)}`).join('&').slice(0, 127 * 1024);
const heavy = (ip) => rawReq({ method: 'POST', target: '/search', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': ip }, body: heavyBody });
const hex = (n) => n.toString(16);

const up = await startUpstream();
const m = await startMamori(up.url, { waf: { cpu_budget: { per_source: '1s', window: '1m' }, block_sources: { after: 0 } } });
const pid = m.proc.pid;
try {
  // 1. One /64.
  let c0 = cpuMs(pid);
  const one = [];
  for (let i = 0; i < 12; i++) one.push((await raw(m.port, heavy(`2001:db8:1:1::${hex(i + 1)}`), { timeoutMs: 20_000 })).statuses[0]);
  const cpuOne = cpuMs(pid) - c0;
  report(one.filter((s) => s === 200).length <= 4, 'one /64 rotating its interface id is held to its budget', `statuses ${JSON.stringify(one)}, CPU ${(cpuOne / 1000).toFixed(1)} s`);

  // 2. Rotating /64s within a /56.
  c0 = cpuMs(pid);
  const many = [];
  for (let i = 0; i < 16; i++) many.push((await raw(m.port, heavy(`2001:db8:2:${hex(0x100 + i)}::1`), { timeoutMs: 20_000 })).statuses[0]);
  const cpuMany = cpuMs(pid) - c0;
  const through = many.filter((s) => s === 200).length;
  report(through <= 4, 'sources rotating /64s inside one /56 are held to one budget (or a ceiling over all sources)', `${through} of 16 inspected and forwarded, CPU ${(cpuMany / 1000).toFixed(1)} s (one source's budget: 1 s)`);

  // 2b. Four streams of fresh /64s in parallel, and a GET from someone else meanwhile.
  let next = 0x200;
  let stop = false;
  const stream = async () => {
    while (!stop) await raw(m.port, heavy(`2001:db8:3:${hex(next++)}::1`), { timeoutMs: 20_000 });
  };
  const tStreams = performance.now();
  const streams = [stream(), stream(), stream(), stream()];
  await sleep(1000);
  const waits = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await raw(m.port, rawReq({ target: '/', headers: { 'X-Forwarded-For': `192.0.2.${50 + i}` } }), { timeoutMs: 20_000 });
    waits.push(`${r.statuses[0]}:${Math.round(performance.now() - t0)}ms`);
    await sleep(300);
  }
  stop = true;
  await Promise.all(streams);
  const secs = ((performance.now() - tStreams) / 1000).toFixed(1);
  const base = performance.now();
  await raw(m.port, rawReq({ target: '/', headers: { 'X-Forwarded-For': '192.0.2.99' } }));
  const idle = Math.round(performance.now() - base);
  console.log(`        4 streams of heavy forms, each request from a fresh /64 (${next - 0x200} requests): another client's GETs ${JSON.stringify(waits)}; idle GET ${idle} ms`);
  report(false, 'no ceiling on rule time over all sources (INFO: how slow others get, above)', `${next - 0x200} heavy requests from ${next - 0x200} /64s in ${secs} s, none refused for the budget`);

  // 3. A shared address.
  const spend = [];
  for (let i = 0; i < 6; i++) spend.push((await raw(m.port, heavy('198.51.100.77'), { timeoutMs: 20_000 })).statuses[0]);
  const other = [];
  for (const target of ['/', '/products?page=2', '/login']) other.push((await raw(m.port, rawReq({ target, headers: { 'X-Forwarded-For': '198.51.100.77' } }))).statuses[0]);
  report(!other.includes(429), 'another user behind the same address (NAT) is not refused once one user spent its budget', `the heavy user's forms ${JSON.stringify(spend)}; then another user's GETs ${JSON.stringify(other)} (429 for the rest of the minute)`);
} finally {
  await m.stop();
  await up.close();
}
console.log(`${results.findings} finding(s)`);
