/**
 * Microseconds per detectSqli call (waf/sqli) and per detectXss call
 * (waf/xss) on benign values and on attacks, and milliseconds on long hostile
 * inputs that keep every scanner busy. Times are CPU time of this process.
 * Needs the libinjection data directory ($MAMORI_LIBINJECTION_DIR, default
 * ../shared/data/libinjection beside the repository) and a build (`npx tsc -b`).
 *
 *   node bench/waf-sqli.mjs
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { median, num, printTable } from './lib.mjs';

const mod = await import('../packages/mamori/dist/waf/sqli/sqli.js').catch(() => {
  console.error('packages/mamori/dist/waf/sqli/sqli.js not found: run `npx tsc -b` first');
  process.exit(2);
});
const dir = mod.defaultSqliDataDir();
if (!existsSync(join(dir, 'src', 'sqlparse_data.json'))) {
  console.error(`libinjection data not found at ${dir}: set ${mod.DATA_DIR_ENV}`);
  process.exit(2);
}
const xss = await import('../packages/mamori/dist/waf/xss/xss.js');
const t0 = performance.now();
const data = mod.loadSqliData(dir);
const loadMs = performance.now() - t0;

const prose =
  "Hello, I'd like to ask about my order #12345 placed on 2026-11-30. The package (2 items: a 30-cm frying pan and a lid) " +
  "hasn't arrived yet - the tracking page says \"in transit\" since Monday. Could you check whether it was sent to the right " +
  'address? It should be 3-2-1 Kasumigaseki, Chiyoda-ku, Tokyo 100-0013. If it is lost, please send a replacement or refund ' +
  "the amount (JPY 8,800 incl. tax). I'm available by phone at +81 3-1234-5678 between 10:00 and 18:00, or by e-mail. " +
  'Thanks in advance & best regards, Taro Yamada. P.S. Last time the box was left outside in the rain; please ask the ' +
  'courier to ring the bell. Order notes: select the faster shipping option if possible, and wrap items separately. ';
const form1k = prose.repeat(Math.ceil(1024 / prose.length)).slice(0, 1024);
// The same with some markup and '=' in it, so detectXss takes its full path (it skips text with neither).
const markup = prose.replace('frying pan', '<b>frying pan</b>').replace('incl. tax', 'total = price * 1.1').replace('Monday', '<i class="day">Monday</i>');
const form1kMarkup = markup.repeat(Math.ceil(1024 / markup.length)).slice(0, 1024);

const cases = [
  ['benign: 1 KB form value', form1k],
  ['benign: 1 KB with <b>, =', form1kMarkup],
  ['benign: e-mail', 'taro.yamada+orders@example.co.jp'],
  ['benign: JSON string', JSON.stringify({ user: { name: "Alice O'Brien", email: 'alice@example.com', tags: ['a', 'b'], age: 34, note: 'Meet at 10:30 -- bring the "report"' } })],
  ['benign: word', 'tokyo'],
  ['attack: tautology', "1' OR '1'='1"],
  ['attack: union', "-1' UNION ALL SELECT username, password, NULL FROM users--"],
  ['attack: comment', "admin'--"],
  ['attack: stacked', '1; DROP TABLE users--'],
  ['attack: blind', "1' AND SLEEP(5) AND 'a'='a"],
  ['attack: mysql comment', '1/*!50000UNION*/SELECT 1,2,3'],
  ['attack: xss script tag', '<script>alert(document.cookie)</script>'],
  ['attack: xss attribute', '"><img src=x onerror=alert(1)>'],
  ['attack: xss url', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
];

/** CPU time of this process in ms: steadier than wall time when other work shares the machine. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function timeCall(fn, input) {
  // Enough calls for about 200 ms per sample; five samples, the median reported (CPU time).
  let n = 1;
  for (;;) {
    const s = cpuMs();
    for (let i = 0; i < n; i++) fn(input);
    const el = cpuMs() - s;
    if (el > 50) {
      n = Math.max(1, Math.round((n * 200) / el));
      break;
    }
    n *= 2;
  }
  const samples = [];
  for (let k = 0; k < 5; k++) {
    const s = cpuMs();
    for (let i = 0; i < n; i++) fn(input);
    samples.push(((cpuMs() - s) * 1000) / n);
  }
  return median(samples);
}
const sqli = (input) => mod.detectSqli(input, data);

console.log(`node ${process.version}; data loaded from ${dir} in ${num(loadMs, 1)} ms (${data.keywords.size} keywords, ${data.fingerprints.size} fingerprints)\n`);
const rows = [];
for (const [name, input] of cases) {
  const r = mod.detectSqli(input, data);
  const x = xss.detectXss(input);
  rows.push([name, num(input.length), r.sqli ? `sqli ${r.fingerprint}` : 'clean', num(timeCall(sqli, input), 2), x ? 'xss' : 'clean', num(timeCall(xss.detectXss, input), 2)]);
}
printTable(['input', 'bytes', 'detectSqli', 'µs/call', 'detectXss', 'µs/call'], rows);

// Long hostile inputs: each repeats a unit that makes a scanner or the folder work on every byte.
console.log('');
const SIZE = 64 * 1024;
const worst = [];
for (const unit of ["'", '"', '/*', '\\', '$a$', '1+', '--x\n', '#', 'e\'', ')', ', -1', 'N\'', '1 OR ', 'a ', '<', '<a ', 'x=', '<!--', '<%', '<a b=c ', "a='", ' b="&#1']) {
  const input = unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
  const us = timeCall(sqli, input);
  const xus = timeCall(xss.detectXss, input);
  worst.push([JSON.stringify(unit), num(input.length), num(us / 1000, 2), num((us * 1000) / input.length, 0), num(xus / 1000, 2), num((xus * 1000) / input.length, 0)]);
}
printTable(['64 KiB of', 'bytes', 'sqli ms', 'ns/byte', 'xss ms', 'ns/byte'], worst);
