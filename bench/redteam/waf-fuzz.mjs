// Random small requests (a seed, so a find can be replayed) through CRS PL1: reports throws
// and transactions over 50 ms of CPU. node bench/redteam/waf-fuzz.mjs [iterations] [seed]
import { run, req, form } from './waf-lib.mjs';
let seed = Number(process.argv[3] ?? 1);
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const atoms = ['<', '>', '"', "'", '\\', '%', '%u', '%c0%af', '&#', '&#x', ';', '&', '=', '[', ']', '{', '}', ':', ',', '\r\n', '\n', '--', '/*', '*/', '${', '$(', '`', '|', '..', '/', '<!--', '<![CDATA[', ']]>', '<!DOCTYPE a [<!ENTITY x "y">]>', '<?xml ?>', '\\u0000', '\\ud800', '\x00', '\xff', '\xc0', '\xe2\x80', 'a', 'select', 'script', 'union', 'on', 'x=', '+', ' ', '\t', 'boundary=', 'Content-Disposition: form-data; name="', 'filename="', '0x', 'char(', '#', '@', '!', '?'];
const cts = ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=B', 'application/json', 'text/xml', 'text/plain', 'application/soap+xml'];
const N = Number(process.argv[2] ?? 3000);
for (let i = 0; i < 20; i++) run(form('a=b'));
let slow = 0, threw = 0;
for (let i = 0; i < N; i++) {
  const s0 = seed;
  const n = 1 + Math.floor(rnd() * 400);
  let body = '';
  for (let k = 0; k < n; k++) body += pick(atoms).repeat(rnd() < 0.05 ? 200 : 1);
  const ct = pick(cts);
  if (ct.startsWith('multipart') && rnd() < 0.7) body = `--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n${body}\r\n--B--\r\n`;
  const raw = req({ path: '/?q=' + encodeURIComponent(body.slice(0, 100)), headers: { 'Content-Type': ct, Cookie: 'c=' + body.slice(0, 50).replace(/[\r\n]/g, '') }, body });
  const r = run(raw);
  if (r.error) { threw++; console.log('THREW seed', s0, ct, String(r.error).slice(0, 200)); }
  else if (r.cpuMs > 50) { slow++; if (slow <= 10) console.log('slow', r.cpuMs.toFixed(0), 'ms, bytes', raw.length, 'seed', s0, ct); }
}
console.log(`${N} requests: ${threw} threw, ${slow} over 50 ms`);
