// The Express middleware (mamoriExpress) with a checkout at /api/checkout: a Luhn-invalid card is
// answered by mamori at /api/checkout, but reaches the handler at /api/checkout/ and /API/checkout
// (Express routes are case-insensitive and ignore a trailing slash by default).
import express from 'express';
import { createGuard, defaultConfig, MemoryStore } from 'mamori';
import { mamoriExpress } from '@mamori/express';
const guard = createGuard(defaultConfig({ checkouts: [{ name: 'shop', path: '/api/checkout' }] }), { store: new MemoryStore(), secret: Buffer.from('x'.repeat(40)) });
const app = express();
app.use(express.json());
app.use(mamoriExpress(guard));
let reached = 0;
app.post('/api/checkout', (req, res) => { reached++; res.status(402).json({ status: 'declined' }); });
const srv = app.listen(0, '127.0.0.1', async () => {
  const port = srv.address().port;
  for (const path of ['/api/checkout', '/api/checkout/', '/API/checkout']) {
    const before = reached;
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ card: { number: '4242424242424241', exp_month: 12, exp_year: 2031, cvc: '123' }, amount: 4980 }) });
    console.log(`${path}: ${r.status} ${(await r.text()).slice(0, 50)} handler reached: ${reached > before}`);
  }
  srv.close();
});
