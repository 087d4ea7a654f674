/**
 * `checkouts` through `mamori up`: invalid cards never reach the shop, card testing is stopped
 * before the gateway, 3-D Secure is asked for with a header only mamori sets, and the shop's
 * answers are counted.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { MemoryStore } from '../core/memory-store.js';
import { defaultConfig } from '../config/config.js';
import { createGuard, type Guard } from '../guard/guard.js';
import { withCheckDigit } from '../checkout/card.js';
import { startMamoriProxy } from './mamori-proxy.js';
import type { RunningProxy } from './http-proxy.js';
import { listen, request, type TestServer } from './test-harness.js';

const SECRET = Buffer.alloc(32, 9);
const GOOD = new Set(['4242424242424242', '5555555555554444']);

/** A shop whose gateway approves two cards: every payment it takes is an authorization (a fee). */
async function fakeShop(): Promise<TestServer & { authorizations: number; stepUps: number; seen: { body: string; stepUp?: string }[] }> {
  const state = { authorizations: 0, stepUps: 0, seen: [] as { body: string; stepUp?: string }[] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const stepUp = req.headers['x-mamori-step-up'] as string | undefined;
      state.seen.push({ body, ...(stepUp ? { stepUp } : {}) });
      if (req.url !== '/api/checkout') {
        res.writeHead(200).end('ok');
        return;
      }
      const number = (JSON.parse(body) as { card?: { number?: string } }).card?.number ?? '';
      if (stepUp === '3ds') {
        state.stepUps++;
        // 3-D Secure: only the cardholder passes; the others never reach an authorization.
        if (!GOOD.has(number)) {
          res.writeHead(402, { 'content-type': 'application/json' }).end('{"status":"declined","reason":"authentication_failed"}');
          return;
        }
      }
      state.authorizations++;
      if (GOOD.has(number)) res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"approved"}');
      else res.writeHead(402, { 'content-type': 'application/json' }).end('{"status":"declined","reason":"card_declined"}');
    });
  });
  const s = await listen(server);
  return Object.assign(s, {
    get authorizations() {
      return state.authorizations;
    },
    get stepUps() {
      return state.stepUps;
    },
    seen: state.seen,
  });
}

describe('mamori proxy: checkout protection', () => {
  let shop: Awaited<ReturnType<typeof fakeShop>>;
  let proxy: RunningProxy;
  let guard: Guard;
  before(async () => {
    shop = await fakeShop();
    const clock = new ManualClock();
    guard = createGuard(defaultConfig({ checkouts: [{ name: 'shop', path: '/api/checkout' }] }), { store: new MemoryStore({ clock }), secret: SECRET, clock });
    proxy = await startMamoriProxy({ guard, upstream: shop.url, trustedProxies: ['127.0.0.1/32'] });
  });
  after(async () => {
    await proxy.close();
    await shop.close();
    await guard.close();
    await guard.store.close();
  });

  const pay = (number: string, source: string, more: { exp?: [number | string, number | string]; cvc?: string; amount?: number; headers?: Record<string, string>; raw?: string } = {}) =>
    request(`${proxy.url}/api/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': source, ...more.headers },
      body: more.raw ?? JSON.stringify({ card: { number, exp_month: more.exp?.[0] ?? 12, exp_year: more.exp?.[1] ?? 2030, cvc: more.cvc ?? '123' }, amount: more.amount ?? 3000 }),
    });

  it('answers an invalid card itself, as a decline: the shop and its gateway never see it', async () => {
    const before = shop.seen.length;
    for (const [n, exp] of [['4242424242424241', [12, 2030]], [withCheckDigit('9'), [12, 2030]], ['4242424242424242', [1, 2020]]] as const) {
      const r = await pay(n, '192.0.2.10', { exp: exp as unknown as [number, number] });
      assert.equal(r.status, 402, n);
      assert.equal(JSON.parse(r.body.toString()).reason, 'card_invalid');
    }
    assert.equal(shop.seen.length, before);
  });

  it('lets a customer pay, and stops a tester from one source after a few cards, before the gateway', async () => {
    const good = await pay('4242424242424242', '192.0.2.20');
    assert.equal(good.status, 200);
    const authBefore = shop.authorizations;
    const statuses: number[] = [];
    for (let i = 1; i <= 50; i++) statuses.push((await pay(withCheckDigit(`45320000${String(i * 7919).padStart(6, '0')}`), '198.51.100.66')).status);
    const reachedGateway = shop.authorizations - authBefore;
    assert.ok(reachedGateway <= 3, `${reachedGateway} authorizations for 50 tested cards`);
    // Refused by mamori: challenged or blocked (429), then blocked by the decision on the source (403).
    assert.ok(statuses.filter((s) => s === 429 || s === 403).length >= 47, JSON.stringify(statuses));
    assert.ok(statuses.slice(-40).every((s) => s === 403), 'the decision holds the rest');
    // The source is blocked on every page now, by a decision.
    assert.equal((await request(`${proxy.url}/`, { headers: { 'x-forwarded-for': '198.51.100.66', accept: 'application/json' } })).status, 403);
  });

  it("asks for 3-D Secure with a header only mamori sets: a client's own copy is removed", async () => {
    const r = await pay('5555555555554444', '203.0.113.30', { amount: 50 });
    assert.equal(r.status, 200, 'the cardholder passed 3-D Secure');
    assert.equal(shop.seen.at(-1)?.stepUp, '3ds', 'a guest paying a tiny amount is stepped up');
    const forged = await pay('4242424242424242', '203.0.113.31', { headers: { 'x-mamori-step-up': 'none' } });
    assert.equal(forged.status, 200);
    assert.equal(shop.seen.at(-1)?.stepUp, undefined);
  });

  it('checks the checkout under every spelling of its path a framework routes to it', async () => {
    const before = shop.seen.length;
    for (const path of ['/api/checkout/', '/API/checkout', '/api/Checkout', '/api/./checkout', '/api/%63heckout']) {
      const r = await request(`${proxy.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.60' }, body: JSON.stringify({ card: { number: '4242424242424241', exp_month: 12, exp_year: 2030 }, amount: 100 }) });
      assert.equal(r.status, 402, path);
      assert.equal(JSON.parse(r.body.toString()).reason, 'card_invalid', path);
    }
    assert.equal(shop.seen.length, before);
  });

  it('reads a card in a form as PHP and Express read it (card[number]), and refuses names a parser could fold together', async () => {
    const before = shop.seen.length;
    const form = (body: string) => request(`${proxy.url}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '192.0.2.61' }, body });
    const bracket = await form('card[number]=4242424242424241&card[exp_month]=12&card[exp_year]=2030&amount=100');
    assert.equal(bracket.status, 402);
    assert.equal(JSON.parse(bracket.body.toString()).reason, 'card_invalid');
    assert.equal((await form('card[number]=4242424242424241&card.number=4242424242424242&amount=100')).status, 400);
    assert.equal((await form('card_number=4242424242424241&card[number]=4242424242424242&amount=100')).status, 400);
    const cased = await pay('', '192.0.2.62', { raw: '{"card":{"number":"4242424242424242","Number":"4111111111111111","exp_month":12,"exp_year":2030},"amount":100}' });
    assert.equal(cased.status, 400, 'a case-insensitive parser could charge the other number');
    const upper = await pay('', '192.0.2.63', { raw: '{"Card":{"Number":"4242424242424241","exp_month":12,"exp_year":2030},"amount":100}' });
    assert.equal(upper.status, 402, 'read as the card it is');
    assert.equal(shop.seen.length, before);
  });

  it('refuses a payment it cannot read as the shop will, and passes a request without a card', async () => {
    const before = shop.seen.length;
    const dup = await pay('', '192.0.2.40', { raw: '{"card":{"number":"4242424242424242","number":"4111111111111111","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":100}' });
    assert.equal(dup.status, 400);
    const numeric = await pay('', '192.0.2.40', { raw: '{"card":{"number":4242424242424242,"exp_month":12,"exp_year":2030,"cvc":"123"},"amount":100}' });
    assert.equal(numeric.status, 400);
    const latin1 = await pay('4242424242424242', '192.0.2.40', { headers: { 'content-type': 'application/json; charset=iso-8859-1' } });
    assert.equal(latin1.status, 400);
    assert.equal(shop.seen.length, before, 'none of them reached the shop');
    const cart = await request(`${proxy.url}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.41' }, body: '{"cart":[1,2]}' });
    assert.equal(cart.status, 402, 'no card: passed to the shop (whose gateway declines it)');
  });
});
