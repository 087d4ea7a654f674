import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GATEWAY_FEE_JPY, TEST_CARDS, createFakeGateway } from './gateway.js';

const card = (number: string) => ({ number, exp_month: 12, exp_year: 2030, cvc: '123' });

test('the documented test cards are approved', () => {
  assert.deepEqual(
    TEST_CARDS.map((c) => c.number),
    ['4242424242424242', '5555555555554444', '3530111333300000'],
  );
  const gw = createFakeGateway();
  for (const c of TEST_CARDS) {
    const r = gw.authorize(card(c.number), 1000);
    assert.equal(r.status, 'approved', c.brand);
    assert.ok(r.status === 'approved' && /^auth_[0-9a-f]{24}$/.test(r.authorization_id));
  }
});

test('every other number is declined, Luhn-valid or not', () => {
  const gw = createFakeGateway();
  for (const n of ['4000000000000002', '4111111111111111', '4242424242424241', '1234567890123']) {
    assert.deepEqual(gw.authorize(card(n), 500), { status: 'declined', reason: 'card_declined' }, n);
  }
});

test('every authorization is counted and billed, approved or declined', () => {
  const gw = createFakeGateway();
  assert.deepEqual(gw.stats(), { authorizations: 0, approved: 0, declined: 0, fees_jpy: 0, three_ds: 0, three_ds_failed: 0 });
  gw.authorize(card('4242424242424242'), 100);
  gw.authorize(card('4000000000000002'), 100);
  gw.authorize(card('4000000000000010'), 100);
  assert.equal(GATEWAY_FEE_JPY, 30);
  assert.deepEqual(gw.stats(), { authorizations: 3, approved: 1, declined: 2, fees_jpy: 90, three_ds: 0, three_ds_failed: 0 });
  // The snapshot is a copy.
  const s = gw.stats();
  s.fees_jpy = 0;
  assert.equal(gw.stats().fees_jpy, 90);
});

test('3-D Secure: the holder of a test card passes and is authorized; any other number fails it and is not billed', () => {
  const gw = createFakeGateway();
  assert.equal(gw.authorize(card('4242424242424242'), 100, { threeDS: true }).status, 'approved');
  assert.deepEqual(gw.authorize(card('4111111111111111'), 100, { threeDS: true }), { status: 'declined', reason: 'authentication_failed' });
  assert.deepEqual(gw.stats(), { authorizations: 1, approved: 1, declined: 0, fees_jpy: GATEWAY_FEE_JPY, three_ds: 2, three_ds_failed: 1 });
});

test('two gateways do not share counters', () => {
  const a = createFakeGateway();
  const b = createFakeGateway();
  a.authorize(card('4242424242424242'), 1);
  assert.equal(b.stats().authorizations, 0);
});
