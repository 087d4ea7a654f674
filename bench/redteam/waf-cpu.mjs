// CPU per transaction (process.cpuUsage) for large or many-piece requests, CRS PL1 blocking.
// node bench/redteam/waf-cpu.mjs [filter]
import { run, form, req } from './waf-lib.mjs';
for (let i = 0; i < 50; i++) run(form('a=hello&b=world'));
const K = 1024, rep = (s, n) => s.repeat(n);
const ct = (t, body) => req({ headers: { 'Content-Type': t }, body });
const cases = {
  'benign form': () => form('a=hello'),
  'form 1 value 64K': () => form('a=' + rep('x', 64 * K)),
  'form 1 value 1M': () => form('a=' + rep('x', 1000 * K)),
  'form 1 value 1M spaces': () => form('a=' + rep('x+', 500 * K)),
  'form 100k args': () => form(Array.from({ length: 100000 }, (_, i) => `a${i}=1`).join('&')),
  'form 1000 args': () => form(Array.from({ length: 1000 }, (_, i) => `a${i}=1`).join('&')),
  'query 2000 x "a&" (4K)': () => req({ method: 'GET', path: '/?' + rep('a&', 2000) }),
  'form 10k args (the cap)': () => form(Array.from({ length: 10000 }, (_, i) => `a${i}=1`).join('&')),
  'form name 1M': () => form(rep('x', 1000 * K) + '=1'),
  'query 15k args (58K)': () => req({ method: 'GET', path: '/?' + rep('a=1&', 15000) }),
  'json 80k keys': () => ct('application/json', '{' + Array.from({ length: 80000 }, (_, i) => `"k${i}":1`).join(',') + '}'),
  'json 400k array': () => ct('application/json', '[' + rep('1,', 400 * K) + '1]'),
  'json key 1M': () => ct('application/json', '{"' + rep('a', 1000 * K) + '":1}'),
  'json \\u0041 x170k': () => ct('application/json', '{"a":"' + rep('\\u0041', 170 * K) + '"}'),
  'xml 60k attributes': () => ct('text/xml', '<a ' + Array.from({ length: 60000 }, (_, i) => `b${i}="x"`).join(' ') + '/>'),
  'xml 120k text nodes': () => ct('text/xml', '<r>' + rep('<a>x</a>', 120 * K) + '</r>'),
  'multipart filename 64K': () => ct('multipart/form-data; boundary=XX', `--XX\r\nContent-Disposition: form-data; name="f"; filename="${rep('a', 64 * K)}"\r\n\r\nx\r\n--XX--\r\n`),
  'multipart 1000 parts': () => ct('multipart/form-data; boundary=XX', rep(`--XX\r\nContent-Disposition: form-data; name="b"\r\n\r\n${rep('x', 900)}\r\n`, 1000) + '--XX--\r\n'),
  'cookie 6000 pairs': () => req({ method: 'GET', headers: { Cookie: Array.from({ length: 6000 }, (_, i) => `c${i}=v`).join('; ') } }),
  'Range 60K (920190)': () => req({ method: 'GET', headers: { Range: 'bytes=' + rep('1-2,', 15 * K) } }),
  'User-Agent 60K "a;"': () => req({ method: 'GET', headers: { 'User-Agent': rep('a;', 30 * K) } }),
  'Cookie 1 value 60K "$("': () => req({ method: 'GET', headers: { Cookie: 'a=' + rep('$(', 30 * K) } }),
  'form 64K "`" (942370 PL2 shape)': () => form('a=' + rep('%60', 21 * K)),
  'form 64K "<a "': () => form('a=' + rep('%3Ca+', 13 * K)),
  'form 64K "&#"': () => form('a=' + rep('%26%23', 11 * K)),
  'host 60K': () => req({ method: 'GET', headers: { Host: rep('a', 60 * K) } }),
  'path 62K a/': () => req({ method: 'GET', path: '/' + rep('a/', 31 * K) }),
  'chunked 170k 1-byte chunks': () => `POST / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: x\r\nAccept: */*\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n` + rep('1\r\na\r\n', 170 * K) + '0\r\n\r\n',
};
const f = process.argv[2];
for (const [name, mk] of Object.entries(cases)) {
  if (f && !name.includes(f)) continue;
  const raw = mk();
  // First run (lazy DFA states built on the way), then the same request again (warm).
  const r = run(raw);
  const warm = run(raw);
  console.log(name.padEnd(28), `${(raw.length / K).toFixed(0)}K`.padStart(6), String(r.status), 'cpu', r.cpuMs.toFixed(0).padStart(5), 'ms, again', warm.cpuMs.toFixed(0).padStart(5), 'ms', r.error ? 'THREW ' + String(r.error).slice(0, 120) : '', r.problem ?? '', r.ids.slice(0, 6).join(','));
}
