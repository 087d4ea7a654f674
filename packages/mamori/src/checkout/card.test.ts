import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { binOf, cardId, luhnValid, maskCard, readCard, withCheckDigit } from './card.js';

const KEY = Buffer.alloc(32, 7);
const NOW = Date.UTC(2026, 11, 3, 12);

const card = (number: string, more: Partial<{ expMonth: number | string; expYear: number | string; cvc: string }> = {}) => ({ number, expMonth: 12, expYear: 2028, ...more });

describe('card numbers', () => {
  it("knows the brands' public test numbers", () => {
    const cases: [string, string][] = [
      ['4111111111111111', 'visa'],
      ['4242424242424242', 'visa'],
      ['5555555555554444', 'mastercard'],
      ['2223003122003222', 'mastercard'],
      ['378282246310005', 'amex'],
      ['6011111111111117', 'discover'],
      ['3530111333300000', 'jcb'],
      ['3566002020360505', 'jcb'],
      ['30569309025904', 'diners'],
      ['6200000000000005', 'unionpay'],
    ];
    for (const [n, brand] of cases) {
      const r = readCard(card(n, { cvc: brand === 'amex' ? '1234' : '123' }), KEY, NOW);
      assert.ok(r.ok, `${n}: ${r.ok ? '' : r.detail}`);
      assert.equal(r.card.brand, brand, n);
    }
    assert.equal(cases.length, 10);
  });

  it('rejects what no issuer could have made, saying why', () => {
    const problem = (c: ReturnType<typeof card>): string => {
      const r = readCard(c, KEY, NOW);
      return r.ok ? 'ok' : r.problem;
    };
    assert.equal(problem(card('4111111111111112')), 'luhn');
    assert.equal(problem(card(withCheckDigit('9', 16))), 'brand', 'no brand issues 9...');
    assert.equal(problem(card(withCheckDigit('1', 16))), 'brand');
    assert.equal(problem(card(withCheckDigit('37', 16))), 'length', 'American Express numbers are 15 digits');
    assert.equal(problem(card(withCheckDigit('51', 19))), 'length', 'Mastercard numbers are 16 digits');
    assert.equal(problem(card(withCheckDigit('4', 15))), 'length', 'Visa: 13, 16 or 19');
    assert.equal(problem(card('4111 1111 1111 1111')), 'ok', 'groups of digits');
    assert.equal(problem(card('4111-1111-1111-1111')), 'ok');
    for (const bad of ['4111111111111111x', '', ' ', '4111  1111 1111 1111', 'four', '1'.repeat(41), '４１１１１１１１１１１１１１１１', '41111111111']) {
      assert.equal(problem(card(bad)), 'format', JSON.stringify(bad));
    }
    assert.equal(problem({ number: 4111111111111111 as unknown as string, expMonth: 1, expYear: 2030 }), 'format', 'not text');
  });

  it('reads expiry dates: the card is good to the end of its month, with a day of grace', () => {
    const problem = (m: number | string, y: number | string, now = NOW): string => {
      const r = readCard(card('4111111111111111', { expMonth: m, expYear: y }), KEY, now);
      return r.ok ? 'ok' : r.problem;
    };
    assert.equal(problem(12, 2026), 'ok');
    assert.equal(problem(12, 26), 'ok', 'two-digit year');
    assert.equal(problem('12', '2026'), 'ok', 'as form fields send them');
    assert.equal(problem(11, 2026), 'expired');
    assert.equal(problem(11, 2026, Date.UTC(2026, 11, 1, 5)), 'ok', 'on the 1st, last month is still good somewhere');
    assert.equal(problem(13, 2027), 'expiry-format');
    assert.equal(problem(0, 2027), 'expiry-format');
    assert.equal(problem(1, 227), 'expiry-format');
    assert.equal(problem(1, 2047), 'expiry-too-far');
    assert.equal(problem(12, 2046), 'ok');
  });

  it('checks the security code for its form only: 4 digits for American Express, 3 for the others', () => {
    assert.equal(readCard(card('378282246310005', { cvc: '123' }), KEY, NOW).ok, false);
    assert.equal(readCard(card('4111111111111111', { cvc: '1234' }), KEY, NOW).ok, false);
    assert.equal(readCard(card('4111111111111111', { cvc: '12a' }), KEY, NOW).ok, false);
    assert.equal(readCard(card('4111111111111111', { cvc: '123' }), KEY, NOW).ok, true);
  });

  it('keeps BIN and last four only, and a keyed hash that does not depend on how the number was typed', () => {
    const a = readCard(card('4111 1111 1111 1111'), KEY, NOW);
    const b = readCard(card('4111111111111111', { expMonth: 1, expYear: 2030 }), KEY, NOW);
    assert.ok(a.ok && b.ok);
    assert.equal(a.card.id, b.card.id, 'one card, whatever its expiry or spacing');
    assert.deepEqual({ bin: a.card.bin, last4: a.card.last4 }, { bin: '411111', last4: '1111' });
    assert.notEqual(cardId(Buffer.alloc(32, 8), '4111111111111111'), a.card.id, 'another key, another id');
    assert.ok(!JSON.stringify(a.card).includes('4111111111111111'));
    assert.equal(binOf('378282246310005'), '378282');
    assert.equal(binOf('4111111111111111'), '411111', 'six digits whatever the length: first six and last four is what PCI DSS allows shown');
    assert.equal(maskCard('4111111111111111'), '411111******1111');
    assert.equal(maskCard('378282246310005'), '378282*****0005');
  });

  it('refuses brands the shop does not take', () => {
    const r = readCard(card('378282246310005'), KEY, NOW, ['visa', 'mastercard', 'jcb']);
    assert.equal(!r.ok && r.problem, 'brand-not-accepted');
  });

  it('Luhn: every single-digit change and every swap of two different neighbours is caught', () => {
    const n = '4242424242424242';
    let checked = 0;
    for (let i = 0; i < n.length; i++) {
      for (let d = 0; d < 10; d++) {
        if (String(d) === n[i]) continue;
        assert.equal(luhnValid(n.slice(0, i) + d + n.slice(i + 1)), false);
        checked++;
      }
    }
    for (let i = 0; i + 1 < n.length; i++) {
      if (n[i] === n[i + 1]) continue;
      assert.equal(luhnValid(n.slice(0, i) + n[i + 1] + n[i] + n.slice(i + 2)), false, `swap at ${i}`);
      checked++;
    }
    assert.equal(checked, 144 + 15);
    assert.equal(luhnValid('79927398713'), true, 'the classic example');
    assert.equal(luhnValid(''), false);
  });
});
