// Checkout protection in the Express middleware: the same checks as `mamori up`, on the body
// Express parsed, with the step-up as a request header the app reads and the app's answer counted.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGuard, defaultConfig, MemoryStore, type Guard } from 'mamori';
import { withCheckDigit } from 'mamori/internal';
import { mamoriExpress } from './index.js';

const SECRET = Buffer.from('express-checkout-test-secret-0123456789');
const GOOD = new Set(['4242424242424242']);

describe('mamoriExpress: checkout protection', () => {
  let server: Server;
  let url: string;
  let guard: Guard;
  const seen: { number: string; stepUp: string | undefined }[] = [];
  before(async () => {
    guard = createGuard(defaultConfig({ checkouts: [{ name: 'shop', path: '/api/checkout' }], network: { trusted_proxies: ['127.0.0.1/32'] } }), { store: new MemoryStore(), secret: SECRET });
    const app = express();
    app.use(express.json());
    app.use(mamoriExpress(guard));
    app.post('/api/checkout', (req, res) => {
      const number = String(req.body?.card?.number ?? '');
      seen.push({ number, stepUp: req.get('x-mamori-step-up') });
      if (GOOD.has(number)) res.json({ status: 'approved' });
      else res.status(402).json({ status: 'declined' });
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await guard.close();
    await guard.store.close();
  });

  const pay = (number: string, source: string, more: { amount?: number; headers?: Record<string, string>; cardExtra?: object } = {}) =>
    fetch(`${url}/api/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': source, ...more.headers },
      body: JSON.stringify({ card: { number, exp_month: 12, exp_year: 2030, cvc: '123', ...more.cardExtra }, amount: more.amount ?? 4000 }),
    });

  it('answers an invalid card itself; the app never sees it', async () => {
    const before = seen.length;
    const r = await pay('4242424242424241', '192.0.2.1');
    assert.equal(r.status, 402);
    assert.equal(((await r.json()) as { reason: string }).reason, 'card_invalid');
    assert.equal(seen.length, before);
  });

  it('lets a customer pay again and again, and stops a tester after a few cards', async () => {
    for (let i = 0; i < 12; i++) assert.equal((await pay('4242424242424242', '192.0.2.2')).status, 200, `purchase ${i + 1}`);
    const before = seen.length;
    const statuses: number[] = [];
    for (let i = 1; i <= 30; i++) statuses.push((await pay(withCheckDigit(`4532${String(i * 7919).padStart(8, '0')}`), '198.51.100.9')).status);
    assert.ok(seen.length - before <= 3, `${seen.length - before} of 30 reached the app`);
    assert.ok(statuses.slice(-20).every((s) => s === 429 || s === 403), JSON.stringify(statuses));
  });

  it("sets the step-up header for the app, and removes a client's own", async () => {
    assert.equal((await pay('4242424242424242', '203.0.113.8', { amount: 50 })).status, 200);
    assert.equal(seen.at(-1)?.stepUp, '3ds');
    assert.equal((await pay('4242424242424242', '203.0.113.9', { headers: { 'x-mamori-step-up': '3ds' } })).status, 200);
    assert.equal(seen.at(-1)?.stepUp, undefined);
  });

  it('refuses a card number sent as a JSON number (its leading zeros are gone)', async () => {
    const r = await fetch(`${url}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.3' }, body: '{"card":{"number":4242424242424242,"exp_month":12,"exp_year":2030},"amount":100}' });
    assert.equal(r.status, 400);
  });
});
