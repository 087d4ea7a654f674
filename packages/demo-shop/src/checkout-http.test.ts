import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GATEWAY_FEE_JPY, TEST_CARDS, startDemoShop, type DemoShop } from './index.js';
import { get, postJson } from './test-support.js';

const card = (number: string) => ({ number, exp_month: 12, exp_year: 2030, cvc: '123' });

describe('checkout through the fake gateway', () => {
  let shop: DemoShop;
  let checkout: string;
  before(async () => {
    shop = await startDemoShop({ port: 0 });
    checkout = `${shop.url}/api/checkout`;
  });
  after(() => shop.close());

  test('test cards are approved with an authorization id', async () => {
    for (const c of TEST_CARDS) {
      const res = await postJson(checkout, { card: card(c.number), amount: 1200 });
      assert.equal(res.status, 200, c.brand);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await res.json()) as { status: string; authorization_id: string };
      assert.equal(body.status, 'approved');
      assert.match(body.authorization_id, /^auth_[0-9a-f]{24}$/);
    }
  });

  test('other cards are declined with 402', async () => {
    const res = await postJson(checkout, { card: card('4000000000000002'), amount: 1200 });
    assert.equal(res.status, 402);
    assert.deepEqual(await res.json(), { status: 'declined', reason: 'card_declined' });
  });

  test('malformed JSON and missing fields are 400 and never reach the gateway', async () => {
    const before = shop.gatewayStats().authorizations;
    const bad: unknown[] = [
      '{"card": ',
      'null',
      { amount: 100 },
      { card: card('4242424242424242') },
      { card: { number: '4242424242424242' }, amount: 100 },
      { card: { ...card('4242424242424242'), cvc: 'abc' }, amount: 100 },
    ];
    for (const b of bad) {
      const res = await postJson(checkout, b);
      assert.equal(res.status, 400, JSON.stringify(b));
      assert.equal(((await res.json()) as { status: string }).status, 'error');
    }
    const wrongType = await fetch(checkout, { method: 'POST', body: 'card=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(wrongType.status, 415);
    await wrongType.arrayBuffer();
    assert.equal(shop.gatewayStats().authorizations, before);
  });

  test('stats count every authorization and its fee, over HTTP and in process', async () => {
    const start = shop.gatewayStats();
    await (await postJson(checkout, { card: card('5555555555554444'), amount: 10 })).arrayBuffer();
    await (await postJson(checkout, { card: card('5555555555554445'), amount: 10 })).arrayBuffer();
    await (await postJson(checkout, { card: card('6011000000000004'), amount: 10 })).arrayBuffer();
    const expected = {
      authorizations: start.authorizations + 3,
      approved: start.approved + 1,
      declined: start.declined + 2,
      fees_jpy: start.fees_jpy + 3 * GATEWAY_FEE_JPY,
      three_ds: start.three_ds,
      three_ds_failed: start.three_ds_failed,
    };
    assert.deepEqual(shop.gatewayStats(), expected);
    const res = await get(`${shop.url}/api/gateway/stats`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), expected);
  });

  test('a second shop in the same process has its own gateway', async () => {
    const other = await startDemoShop({ port: 0 });
    try {
      assert.equal(other.gatewayStats().authorizations, 0);
      assert.ok(shop.gatewayStats().authorizations > 0);
    } finally {
      await other.close();
    }
  });
});
