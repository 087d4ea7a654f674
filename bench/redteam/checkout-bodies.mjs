// Bodies the shop reads as a card and mamori calls "not a checkout" (or reads as another card).
// Each case: 12 distinct Luhn-valid cards + 1 Luhn-invalid card from ONE source (X-Forwarded-For,
// demo.trust_loopback_forwarded_for). Counts how many reached the shop's handler (authorizations).
// Usage: node checkout-bodies.mjs [PORT] [SHOP_PORT]
import http from 'node:http';
const port = Number(process.argv[2] ?? 8092), shop = Number(process.argv[3] ?? 3902);
function luhn(p15) { let s = 0; for (let i = 0; i < 15; i++) { let d = +p15[14 - i]; if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; } s += d; } return p15 + ((10 - (s % 10)) % 10); }
const req = (p, method, headers, body) => new Promise((res) => { const r = http.request({ host: '127.0.0.1', port: p.port, path: p.path, method, headers }, (x) => { let b = ''; x.on('data', (c) => (b += c)); x.on('end', () => res([x.statusCode, b])); }); r.on('error', (e) => res(['ERR', e.message])); r.end(body); });
const stats = async () => JSON.parse((await req({ port: shop, path: '/api/gateway/stats' }, 'GET', {}))[1]).authorizations;
const cases = {
  'form card[number] (qs/PHP nesting)': (n) => ['application/x-www-form-urlencoded', `card[number]=${n}&card[exp_month]=12&card[exp_year]=2031&card[cvc]=123&amount=4980`],
  'JSON Card.Number (case-insensitive binders: Go, ASP.NET Core)': (n) => ['application/json', JSON.stringify({ Card: { Number: n, exp_month: 12, exp_year: 2031, cvc: '123' }, amount: 4980 })],
  'baseline JSON card.number': (n) => ['application/json', JSON.stringify({ card: { number: n, exp_month: 12, exp_year: 2031, cvc: '123' }, amount: 4980 })],
};
let ipn = 10 + Math.floor(Math.random() * 200);
for (const [name, mk] of Object.entries(cases)) {
  const ip = `198.51.${ipn++}.7`;
  const before = await stats();
  const answers = {};
  const seed = Math.floor(Math.random() * 1e8);
  for (let i = 0; i <= 12; i++) {
    const n = i < 12 ? luhn(`4${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}${String(seed + i * 7919).padStart(9, '0')}`) : '4242424242424241';
    const [ct, body] = mk(n);
    const [s] = await req({ port, path: '/api/checkout' }, 'POST', { 'content-type': ct, 'x-forwarded-for': ip }, body);
    answers[s] = (answers[s] ?? 0) + 1;
  }
  console.log(`${name}: shop authorizations +${(await stats()) - before} of 13 (answers ${JSON.stringify(answers)})`);
}
