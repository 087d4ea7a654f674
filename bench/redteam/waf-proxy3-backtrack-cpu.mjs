// Third pass, (a): CPU through the backtracking matcher of CRS 3 (Debian's 3.3.4), by `mamori up`.
//
// 1. PL1: a GET whose head stays under 4 KiB (a "plain page view": inspected even past the source's
//    waf.cpu_budget, and never shed) carrying ~100 Accept header lines, each of which sends 920600's
//    pattern down an exponential path (`a/b;;;;...; =1`: every split of the semicolons is tried).
//    Each line costs its whole per-call allowance (100,000 + 100 per char), so one request spends
//    the transaction's 10,000,000 steps. Refused 403 (out of steps counts as a match).
// 2. The same from one source with block_sources at its default (10 refusals, then a block decision).
// 3. PL2: a GET under 4 KiB whose query values make 942130 work just under its per-call allowance
//    (a word, `=`, a word, then ~195 spaces: the lazy [\s'"`()]*? is tried from every space) and so
//    never match: 200, and never counted against the budget because the head is small.
// CPU is mamori's own (user + system from /proc). node bench/redteam/waf-proxy3-backtrack-cpu.mjs
import { CRS3, cpuMs } from './waf-proxy3-lib.mjs';
import { startUpstream, startMamori, raw, rawReq, report, results, sleep } from './waf-proxy-lib.mjs';

const ACCEPT_BOMB = `a/b${';'.repeat(22)}; =1`;
const SPACES = 195;
const PL2_VALUE = `x+%3D+1${'+'.repeat(SPACES)}y`; // "x = 1" + spaces + "y" once decoded

function acceptBombHead(lines) {
  const headers = [['Host', 'shop.example'], ['User-Agent', 'Mozilla/5.0'], ...Array.from({ length: lines }, () => ['Accept', ACCEPT_BOMB])];
  return headers;
}
/** Bytes of a head as mamori counts them for its 4 KiB "light" threshold (target + name + value + 4 per field). */
const headBytes = (target, headers) => target.length + headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0);

async function timed(m, fn) {
  const c0 = cpuMs(m.proc.pid);
  const t0 = performance.now();
  const out = await fn();
  return { out, cpu: cpuMs(m.proc.pid) - c0, wall: performance.now() - t0 };
}

function tally(statuses) {
  const t = {};
  for (const s of statuses.flat()) t[s] = (t[s] ?? 0) + 1;
  return JSON.stringify(t);
}

const up = await startUpstream();
const send = (m, req) => raw(m.port, req, { timeoutMs: 20_000 }).then((r) => r.statuses);

// --- PL1, block_sources off: cost of one request.
{
  const m = await startMamori(up.url, { waf: { crs: CRS3, paranoia: 1, block_sources: { after: 0 } } });
  try {
    const plain = rawReq({ headers: { 'X-Forwarded-For': '198.51.100.1' } });
    for (let i = 0; i < 20; i++) await send(m, plain); // warm up
    const base = await timed(m, async () => { const s = []; for (let i = 0; i < 100; i++) s.push(await send(m, plain)); return s; });
    console.log(`INFO    plain GET, CRS 3 PL1: ${(base.cpu / 100).toFixed(2)} ms of mamori CPU each (${tally(base.out)})`);

    let lines = 1;
    while (lines < 95 && headBytes('/', acceptBombHead(lines + 1)) <= 4096) lines++; // the proxy answers 431 past 100 fields
    const headers = acceptBombHead(lines);
    const req = rawReq({ headers: headers.map(([k, v]) => [k, v]).concat([['X-Forwarded-For', '198.51.100.2']]), close: true });
    const N = 20;
    // Control: as many Accept lines, each a valid media type of the same length (the other rules' share).
    const valid = `application/x-${"a".repeat(ACCEPT_BOMB.length - 14)}`;
    const ctl = rawReq({ headers: headers.map(([k, v]) => [k, k === 'Accept' ? valid : v]).concat([['X-Forwarded-For', '198.51.100.3']]) });
    const control = await timed(m, async () => { const s = []; for (let i = 0; i < N; i++) s.push(await send(m, ctl)); return s; });
    console.log(`INFO    control, ${lines} valid Accept lines of the same length: ${(control.cpu / N).toFixed(0)} ms of mamori CPU each (${tally(control.out)})`);
    const bomb = await timed(m, async () => { const s = []; for (let i = 0; i < N; i++) s.push(await send(m, req)); return s; });
    const per = bomb.cpu / N;
    console.log(`INFO    GET with ${lines} Accept lines "${ACCEPT_BOMB}" (head ${headBytes('/', headers)} bytes, under the 4,096 of a light request): ${per.toFixed(0)} ms of mamori CPU each, ${(per / (base.cpu / 100)).toFixed(0)}x a plain GET (${tally(bomb.out)})`);
    report(per < 50, 'a light GET (head under 4 KiB, no body) costs the rules at most ~50 ms', `${per.toFixed(0)} ms each, ${N} requests in a row from one source: ${tally(bomb.out)}; light requests skip waf.cpu_budget and the 750 ms/s shed`);

    // Many sources at once (as many addresses would): the shed never applies to light requests.
    const P = 4, PER = 10;
    const victim = [];
    let stop = false;
    const probe = (async () => {
      while (!stop) {
        const t0 = performance.now();
        await send(m, rawReq({ headers: { 'X-Forwarded-For': '203.0.113.200' } }));
        victim.push(performance.now() - t0);
        await sleep(100);
      }
    })();
    const many = await timed(m, () => Promise.all(Array.from({ length: P }, async (_, w) => {
      const s = [];
      for (let i = 0; i < PER; i++) s.push(await send(m, rawReq({ headers: headers.concat([['X-Forwarded-For', `192.0.2.${w * PER + i + 1}`]]) })));
      return s;
    })));
    stop = true;
    await probe;
    victim.sort((a, b) => a - b);
    const shed = many.out.flat().filter((s) => s === 503 || s === 429).length;
    console.log(`INFO    ${P * PER} such GETs from ${P * PER} sources, ${P} at a time: ${many.cpu} ms CPU in ${many.wall.toFixed(0)} ms wall (${(many.cpu / many.wall * 100).toFixed(0)}% of a core), ${tally(many.out)}; another client's plain GETs meanwhile: median ${victim[victim.length >> 1]?.toFixed(0)} ms, worst ${victim[victim.length - 1]?.toFixed(0)} ms`);
    report(shed > 0 || many.cpu / many.wall < 0.75, 'light requests are shed past 750 ms of rule time a second', `${shed} of ${P * PER} shed while the rules ran ${(many.cpu / many.wall * 1000).toFixed(0)} ms a second`);
  } finally {
    await m.stop();
  }
}

// --- PL1, block_sources at its default: how much one source gets before its block decision.
{
  const m = await startMamori(up.url, { waf: { crs: CRS3, paranoia: 1 } });
  try {
    let lines = 1;
    while (lines < 95 && headBytes('/', acceptBombHead(lines + 1)) <= 4096) lines++; // the proxy answers 431 past 100 fields
    const req = rawReq({ headers: acceptBombHead(lines).concat([['X-Forwarded-For', '198.51.100.9']]) });
    const each = [];
    for (let i = 0; i < 20; i++) each.push(await timed(m, () => send(m, req)));
    console.log(`INFO    one source, block_sources at its default (10 refusals, then a block), 20 such GETs: ${each.map((e) => `${e.out[0]}:${e.cpu}ms`).join(' ')}; ${each.reduce((a, e) => a + e.cpu, 0)} ms of mamori CPU in all`);
  } finally {
    await m.stop();
  }
}

// --- PL2: 200 answers that each cost ~20 ms, never charged against the budget.
{
  const m = await startMamori(up.url, { waf: { crs: CRS3, paranoia: 2, cpu_budget: { per_source: '2s', window: '1m' } } });
  try {
    let n = 1;
    const target = (k) => `/search?${Array.from({ length: k }, (_, i) => `f${i}=${PL2_VALUE}`).join('&')}`;
    while (headBytes(target(n + 1), [['Host', 'shop.example'], ['User-Agent', 'Mozilla/5.0']]) <= 4000) n++;
    const t = target(n);
    const plain = rawReq({ target: '/search?q=shoes&page=2', headers: { 'X-Forwarded-For': '198.51.100.20' } });
    for (let i = 0; i < 20; i++) await send(m, plain);
    const base = await timed(m, async () => { const s = []; for (let i = 0; i < 100; i++) s.push(await send(m, plain)); return s; });
    const req = rawReq({ target: t, headers: [['Host', 'shop.example'], ['User-Agent', 'Mozilla/5.0'], ['Accept', '*/*'], ['Accept-Language', null], ['X-Forwarded-For', '198.51.100.21']] });
    const N = 150;
    const r = await timed(m, async () => { const s = []; for (let i = 0; i < N; i++) s.push(await send(m, req)); return s; });
    const passed = up.seen.filter((x) => x.url.startsWith('/search?f0=')).length;
    console.log(`INFO    PL2: plain GET ${(base.cpu / 100).toFixed(2)} ms CPU; GET with ${n} values "x = 1" + ${SPACES} spaces + "y" (target ${t.length} bytes): ${(r.cpu / N).toFixed(1)} ms CPU each (${tally(r.out)}, ${passed} reached the upstream)`);
    report(r.cpu <= 2000 * 1.5, 'one source held to waf.cpu_budget (2 s a minute) with light GETs at PL2', `${N} GETs from one source in ${(r.wall / 1000).toFixed(1)} s: ${r.cpu} ms of mamori CPU, ${tally(r.out)}`);
  } finally {
    await m.stop();
  }
}

await up.close();
console.log(`\n${results.findings} finding(s)`);
