import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCheckout } from './checkout.js';

const valid = { card: { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2030, cvc: '123' }, amount: 1500 };

test('a well-formed request is accepted and normalized', () => {
  const r = parseCheckout(valid);
  assert.deepEqual(r, {
    ok: true,
    value: { card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' }, amount: 1500 },
  });
  const strings = parseCheckout({ card: { number: '5555555555554444', exp_month: '01', exp_year: '2031', cvc: 42 }, amount: 1 });
  assert.ok(strings.ok);
  assert.deepEqual(strings.value.card, { number: '5555555555554444', exp_month: 1, exp_year: 2031, cvc: '042' });
});

test('missing or malformed fields are refused', () => {
  const bad: unknown[] = [
    null,
    [],
    'text',
    {},
    { amount: 100 },
    { card: valid.card },
    { ...valid, amount: 0 },
    { ...valid, amount: 10.5 },
    { ...valid, amount: '100' },
    { ...valid, amount: 10_000_001 },
    { ...valid, card: { ...valid.card, number: 4242424242424242 } },
    { ...valid, card: { ...valid.card, number: '4242' } },
    { ...valid, card: { ...valid.card, number: '4242x24242424242' } },
    { ...valid, card: { ...valid.card, number: '4'.repeat(20) } },
    { ...valid, card: { ...valid.card, exp_month: 13 } },
    { ...valid, card: { ...valid.card, exp_month: undefined } },
    { ...valid, card: { ...valid.card, exp_year: 30 } },
    { ...valid, card: { ...valid.card, cvc: '12' } },
    { ...valid, card: { ...valid.card, cvc: '12345' } },
    { ...valid, card: { number: valid.card.number, exp_month: 12, exp_year: 2030 } },
  ];
  for (const b of bad) assert.equal(parseCheckout(b).ok, false, JSON.stringify(b));
});
