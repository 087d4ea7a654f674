// What one request costs `mamori up` in CPU (read from /proc/<pid>/stat of the mamori process), and
// whether waf.cpu_budget (default 10 s of rule time per source a minute) bounds one source:
//  1. single requests of each body shape within the default limits (8 MiB body, 128 KiB without files);
//  2. the budget is checked once, in phase 1, before the body is read: a source that opens N requests
//     at once passes N checks before any time is charged, then every body is inspected.
//
//   node bench/redteam/waf-proxy-cpu.mjs
import { readFileSync } from 'node:fs';
import { startUpstream, startMamori, raw, rawReq, report, results } from './waf-proxy-lib.mjs';

const TICK = 100; // USER_HZ
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICK;
}
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const mp = (b, parts) => parts.map(([head, content]) => `--${b}\r\n${head}\r\n\r\n${content}\r\n`).join('') + `--${b}--\r\n`;
const KB = 1024;

const shapes = [
  ['form: one 120 KiB value of words', rawReq({ method: 'POST', headers: FORM, body: `t=${'lorem ipsum dolor sit amet '.repeat(4500)}`.slice(0, 120 * KB) })],
  ['form: 1000 args of 120 bytes', rawReq({ method: 'POST', headers: FORM, body: Array.from({ length: 1000 }, (_, i) => `a${i}=${'x'.repeat(115)}`).join('&').slice(0, 127 * KB) })],
  ['form: 120 KiB of %-escapes', rawReq({ method: 'POST', headers: FORM, body: `t=${'%41%42'.repeat(10_000)}`.slice(0, 120 * KB) })],
  ['form: 120 KiB of SQL-ish punctuation', rawReq({ method: 'POST', headers: FORM, body: `t=${"'(-- /*".repeat(17_000)}`.slice(0, 120 * KB) })],
  ['JSON: 120 KiB, 4000 short strings', rawReq({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(Array.from({ length: 4000 }, (_, i) => `v${i} abcdefghijklmnopqrstu`)).slice(0, 120 * KB).replace(/,[^,]*$/, ']') })],
  ['multipart: an 8 MiB file of text', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain', 'get a http/1 '.repeat(Math.floor((8 * KB * KB - 400) / 13))]]) })],
  ['multipart: an 8 MiB file of "java.lang.runtime"', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', [['Content-Disposition: form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain', 'java.lang.runtime '.repeat(Math.floor((8 * KB * KB - 400) / 18))]]) })],
  ['multipart: 999 tiny file parts', rawReq({ method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYz' }, body: mp('xYz', Array.from({ length: 999 }, (_, i) => [`Content-Disposition: form-data; name="f${i}"; filename="a${i}.txt"\r\nContent-Type: text/plain`, 'x'.repeat(100)])) })],
  ['headers: 5000 empty cookies (a 16 KiB GET; SecArgumentsLimit does not count cookies)', rawReq({ headers: { Cookie: 'a=;'.repeat(5000) } })],
  ['headers: 100 headers of 150 bytes', rawReq({ headers: Array.from({ length: 90 }, (_, i) => [`X-H${i}`, "'(-- /*".repeat(20)]) })],
];

const up = await startUpstream();
const m = await startMamori(up.url);
const pid = m.proc.pid;
let worst = 0;
try {
  for (const [name, bytes] of shapes) {
    const c0 = cpuMs(pid);
    const t0 = performance.now();
    const r = await raw(m.port, bytes, { timeoutMs: 60_000 });
    const wall = performance.now() - t0;
    const cpu = cpuMs(pid) - c0;
    worst = Math.max(worst, cpu);
    console.log(`        ${name}: ${(bytes.length / KB).toFixed(0)} KiB, status ${r.statuses[0]}, mamori CPU ${cpu.toFixed(0)} ms, wall ${wall.toFixed(0)} ms`);
  }
  report(worst < 1000, 'one request costs under 1 s of CPU', `worst ${worst.toFixed(0)} ms`);

  // 2. One source, many requests at once, against a budget of 2 s a minute: heads first (each
  // checked against the budget before any time is charged), then the bodies.
  const m2 = await startMamori(up.url, { waf: { cpu_budget: { per_source: '2s', window: '1m' } } });
  try {
    const N = 40;
    const body = `t=${'lorem ipsum dolor sit amet '.repeat(4500)}`.slice(0, 120 * KB);
    const head = rawReq({ method: 'POST', headers: { ...FORM, 'Content-Length': String(body.length), 'X-Forwarded-For': '198.51.100.99' } });
    const c0 = cpuMs(m2.proc.pid);
    const t0 = performance.now();
    const all = await Promise.all(Array.from({ length: N }, () => raw(m2.port, [head, Buffer.from(body)], { gapMs: 1500, timeoutMs: 120_000 })));
    const cpu = cpuMs(m2.proc.pid) - c0;
    const codes = {};
    for (const r of all) codes[r.statuses.at(-1) ?? 0] = (codes[r.statuses.at(-1) ?? 0] ?? 0) + 1;
    console.log(`        ${N} requests at once from one source: statuses ${JSON.stringify(codes)}, mamori CPU ${cpu.toFixed(0)} ms in ${(performance.now() - t0).toFixed(0)} ms`);
    const after = await raw(m2.port, rawReq({ headers: { 'X-Forwarded-For': '198.51.100.99' } }));
    console.log(`        the next request from that source: ${after.statuses[0]}`);
    report(cpu < 2 * 2000, 'a source held to waf.cpu_budget (2 s) when it sends its bodies after its heads', `CPU ${(cpu / 1000).toFixed(1)} s, ${codes[200] ?? 0} of ${N} inspected and forwarded, ${codes[429] ?? 0} refused 429`);
  } finally {
    await m2.stop();
  }
} finally {
  await m.stop();
  await up.close();
}
console.log(`${results.findings} finding(s)`);
