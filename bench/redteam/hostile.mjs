// Hostile checkout bodies: nesting, many keys, long strings, escapes; times each and checks the proxy still answers.
// Usage: node hostile.mjs [PORT]
import http from 'node:http';
const port = Number(process.argv[2] ?? 8092);
let ipc = 1;
const post = (ct, body) => new Promise((res) => { const t = Date.now(); const r = http.request({ host: '127.0.0.1', port, path: '/api/checkout', method: 'POST', headers: { 'content-type': ct, 'x-forwarded-for': `100.64.${ipc++}.1` } }, (x) => { let b = ''; x.on('data', (c) => (b += c)); x.on('end', () => res(`${x.statusCode} ${Date.now() - t}ms ${b.slice(0, 70)}`)); }); r.on('error', (e) => res(`ERR ${e.message} ${Date.now() - t}ms`)); r.setTimeout(20000, () => { r.destroy(); res('TIMEOUT'); }); r.end(body); });
const card = '"card":{"number":"4242424242424242","exp_month":12,"exp_year":2031,"cvc":"123"},"amount":4980';
const cases = {
  'nested arrays 500k': ['application/json', `{${card},"x":${'['.repeat(14000)}${']'.repeat(14000)}}`],
  'nested objects 200k': ['application/json', `{${card},"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`],
  'unclosed nesting 900k': ['application/json', `{${card},"x":${'['.repeat(30000)}`],
  '200k distinct keys': ['application/json', `{${card},${Array.from({ length: 5000 }, (_, i) => `"k${i}":1`).join(',')}}`],
  '100k escaped keys': ['application/json', `{${card},${Array.from({ length: 4000 }, (_, i) => `"\\u006b${i}":1`).join(',')}}`],
  'form 300k fields': ['application/x-www-form-urlencoded', `card.number=4242424242424242&${'a=1&'.repeat(14000)}amount=4980`],
  'form 1MB percent escapes': ['application/x-www-form-urlencoded', `card.number=4242424242424242&x=${'%41'.repeat(18000)}&amount=4980`],
  'number with 1MB of spaces': ['application/json', `{"card":{"number":"4242${' '.repeat(50000)}424242424242","exp_month":12,"exp_year":2031,"cvc":"123"},"amount":4980}`],
  'charset param 100k': [`application/json; ${'charset=utf-8;'.repeat(8000)}`, `{${card}}`],
};
for (const [name, [ct, body]] of Object.entries(cases)) console.log(`${name} (${(body.length / 1e6).toFixed(2)} MB): ${await post(ct, body)}`);
console.log('still alive:', await post('application/json', '{}'));
