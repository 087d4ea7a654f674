/**
 * Checkout parser differential: the same payment bytes read by mamori (readCheckoutFields, as
 * `mamori up` reads them for the demo's `checkouts` entry) and by the demo shop's own handler
 * code (readCheckoutRequest). For every body, either mamori refuses it, or, whenever the shop
 * would send a card to its gateway, mamori judged that very card: same number, expiry and amount.
 * Bodies: hand-written tricks, then thousands of random mutations of a valid payment.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readCheckoutRequest } from '@mamori/demo-shop';
import { defaultConfig, readCheckoutFields, SeededRandom } from 'mamori/internal';

const endpoint = defaultConfig({ checkouts: [{ name: 'shop-checkout', path: '/api/checkout', currency: 'JPY' }] }).checkouts[0]!;

type Shop = { number: string; expMonth: number; expYear: number; amount: number } | undefined;

function shopReads(ct: string | undefined, body: Buffer): Shop {
  try {
    const r = readCheckoutRequest(ct, body);
    return { number: r.card.number, expMonth: r.card.exp_month, expYear: r.card.exp_year, amount: r.amount };
  } catch {
    return undefined;
  }
}

/** Compares one body; returns what happened, for the tallies. */
function compare(ct: string | undefined, body: Buffer): 'refused' | 'same' | 'neither' {
  const shop = shopReads(ct, body);
  const m = readCheckoutFields(endpoint, ct, body);
  if ('problem' in m) return 'refused';
  const where = `${ct} ${JSON.stringify(body.toString('latin1').slice(0, 200))}`;
  if ('notCheckout' in m) {
    assert.equal(shop, undefined, `mamori saw no card where the shop reads one: ${where}`);
    return 'neither';
  }
  if (shop === undefined) return 'neither';
  // The shop strips spaces and hyphens; mamori reads the number whole, then as digits.
  assert.equal(m.fields.card.number.replace(/[ -]/g, ''), shop.number, `number: ${where}`);
  assert.equal(Number(m.fields.card.expMonth), shop.expMonth, `month: ${where}`);
  assert.equal(Number(m.fields.card.expYear), shop.expYear, `year: ${where}`);
  assert.equal(m.fields.amount, shop.amount, `amount: ${where}`);
  return 'same';
}

const JSON_CT = 'application/json';
const valid = { card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' }, amount: 1200 };

const TRICKS: [string | undefined, string | Buffer][] = [
  [JSON_CT, JSON.stringify(valid)],
  [undefined, JSON.stringify(valid)],
  ['', JSON.stringify(valid)],
  ['application/json; charset=utf-8', JSON.stringify(valid)],
  ['Application/JSON', JSON.stringify(valid)],
  ['application/json; charset=latin1', JSON.stringify(valid)],
  [JSON_CT, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(valid))])],
  [JSON_CT, '{"card":{"number":"4242424242424242","number":"4111111111111111","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1200}'],
  [JSON_CT, '{"card":{"number":"4111111111111111","exp_month":12,"exp_year":2030,"cvc":"123"},"card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1200}'],
  [JSON_CT, '{"card":{"numb\\u0065r":"4111111111111111","number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1200}'],
  [JSON_CT, '{"__proto__":{"number":"4111111111111111"},"card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1200}'],
  [JSON_CT, '{"card":{"number":"4242 4242 4242 4242","exp_month":"12","exp_year":"2030","cvc":"123"},"amount":1200}'],
  [JSON_CT, '{"card":{"number":"4242-4242-4242-4242","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1200}'],
  [JSON_CT, '{"card":{"number":"4242--4242 4242-4242","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1200}'],
  [JSON_CT, '{"card":{"number":4242424242424242,"exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1200}'],
  [JSON_CT, '{"card":{"number":"4242424242424242","exp_month":12.0,"exp_year":2030,"cvc":123},"amount":1200}'],
  [JSON_CT, '{"card":{"number":"4242424242424242","exp_month":"012","exp_year":2030,"cvc":"123"},"amount":1200}'],
  [JSON_CT, '{"card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":"1200"}'],
  [JSON_CT, '{"card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1.2e3}'],
  [JSON_CT, '{"card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1200,"amount":1}'],
  [JSON_CT, '[{"card":{"number":"4242424242424242"}}]'],
  [JSON_CT, '{"card":null,"amount":1200}'],
  [JSON_CT, '{"cart":[1,2,3]}'],
  ['application/x-www-form-urlencoded', 'card.number=4242424242424242&amount=1200'],
  ['text/plain', JSON.stringify(valid)],
  [JSON_CT, '{"card":{"number":"\\u0034242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1200}'],
  [JSON_CT, '{"card":{"number":"４２４２４２４２４２４２４２４２","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1200}'],
  [JSON_CT, Buffer.from('{"card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"},"amount":1200}\xff', 'latin1')],
];

const PIECES = ['"', '\\', '\\u0030', ' ', '-', '0', '1', '9', '.', 'e', ',', ':', '{', '}', '[', ']', 'null', 'true', '"number"', '"card"', '"amount"', '"exp_month"', '４', '\u00a0', '\u0000'];

describe('checkout parser differential: mamori against the demo shop', () => {
  it('hand-written tricks: refused, or the same card', () => {
    const tally = { refused: 0, same: 0, neither: 0 };
    for (const [ct, body] of TRICKS) tally[compare(ct, Buffer.isBuffer(body) ? body : Buffer.from(body))]++;
    assert.equal(tally.refused + tally.same + tally.neither, TRICKS.length);
    console.log(`checkout differential, tricks: ${JSON.stringify(tally)}`);
    assert.ok(tally.same >= 5, `the ordinary forms are read alike: ${JSON.stringify(tally)}`);
    assert.ok(tally.refused >= 8, `the ambiguous ones are refused: ${JSON.stringify(tally)}`);
  });

  it('20,000 random mutations of a valid payment: refused, or the same card', () => {
    // Deterministic, so a failure names a case that can be run again.
    const seeded = new SeededRandom(20261203);
    const rand = (): number => seeded.float();
    const base = JSON.stringify(valid);
    const tally = { refused: 0, same: 0, neither: 0 };
    const N = 20_000;
    for (let i = 0; i < N; i++) {
      let text = base;
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * (text.length + 1));
        const op = rand();
        const piece = PIECES[Math.floor(rand() * PIECES.length)]!;
        if (op < 0.4) text = text.slice(0, at) + piece + text.slice(at);
        else if (op < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 3));
        else text = text.slice(0, at) + piece + text.slice(at + piece.length);
      }
      tally[compare(rand() < 0.9 ? JSON_CT : undefined, Buffer.from(text))]++;
    }
    assert.equal(tally.refused + tally.same + tally.neither, N);
    console.log(`checkout differential, random: ${JSON.stringify(tally)}`);
    assert.ok(tally.same > 500, `enough mutations stay valid to compare: ${JSON.stringify(tally)}`);
  });
});
