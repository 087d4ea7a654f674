// Card testing through request paths mamori does not treat as the checkout (findCheckoutEndpoints
// compares the raw path; logins are normalised). Usage: node checkout-paths.mjs PORT PATH N
// Sends N distinct Luhn-valid Visa numbers (plus a Luhn-invalid one) from one source and prints the answers.
import http from 'node:http';
const [port, path, n] = [Number(process.argv[2] ?? 8092), process.argv[3] ?? '/api/checkout/', Number(process.argv[4] ?? 20)];
function luhn(prefix15) { let s = 0; for (let i = 0; i < 15; i++) { let d = +prefix15[14 - i]; if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; } s += d; } return prefix15 + ((10 - (s % 10)) % 10); }
const post = (p, body) => new Promise((res) => { const r = http.request({ host: '127.0.0.1', port, path: p, method: 'POST', headers: { 'content-type': 'application/json' } }, (x) => { let b = ''; x.on('data', (c) => (b += c)); x.on('end', () => res([x.statusCode, b.slice(0, 80)])); }); r.on('error', (e) => res(['ERR', e.message])); r.end(body); });
const tally = {};
const seed = Date.now() % 1e6; // fresh account digits per run, so no cross-run sequence signal
for (let i = 0; i < n; i++) {
  const number = luhn(`4${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}${String(seed * 31 + i * 7919).padStart(9, '0').slice(-9)}`);
  const [s, b] = await post(path, JSON.stringify({ card: { number, exp_month: 12, exp_year: 2031, cvc: String(100 + i) }, amount: 4980 }));
  const k = `${s} ${b.includes('card_invalid') ? 'card_invalid(mamori)' : b.includes('threeDS":true') ? 'declined-by-shop(3ds)' : b.includes('declined') ? 'declined-by-shop' : b.slice(0, 40)}`;
  tally[k] = (tally[k] ?? 0) + 1;
}
const [s, b] = await post(path, JSON.stringify({ card: { number: '4242424242424241', exp_month: 12, exp_year: 2031, cvc: '123' }, amount: 4980 }));
console.log(`${path}: ${JSON.stringify(tally)}; Luhn-invalid card -> ${s} ${b.slice(0, 60)}`);
