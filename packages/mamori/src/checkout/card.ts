/**
 * Card numbers, read the way a checkout must before it pays for an authorization: the digits,
 * the Luhn check digit, whether a known brand issues numbers of that prefix and length, and an
 * expiry date that can still be used. Everything here is local arithmetic; nothing is stored.
 *
 * What the rest of mamori keeps of a card is a `CardRef`: a keyed hash of the number (the card's
 * identity in counters, under a key that is not kept with the data: see checkout.ts), the first
 * six digits and the last four: the most PCI DSS allows to be shown. (Eight-digit BINs exist
 * since 2022, but first eight and last four leave only a thousand candidates for a 16-digit
 * number: with the hashes beside them, too few.) The full number and the security code never leave this module, except
 * for the sequence detector's window in memory (`checkout.ts`).
 */
import { createHmac } from 'node:crypto';

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'jcb' | 'diners' | 'discover' | 'unionpay' | 'maestro' | 'mir';

interface BrandRule {
  brand: CardBrand;
  /** Inclusive prefix ranges, as digit strings of equal length each. */
  ranges: readonly (readonly [string, string])[];
  lengths: readonly number[];
  cvcLength: number;
}

const ALL_12_19 = [12, 13, 14, 15, 16, 17, 18, 19];
const LEN_16_19 = [16, 17, 18, 19];

/**
 * The brands' issuer prefixes and lengths, from the card schemes' published ranges. Ordered so
 * that a narrower range (Discover's share of 622126-622925) is tried before a wider one (62).
 */
const BRANDS: readonly BrandRule[] = [
  { brand: 'amex', ranges: [['34', '34'], ['37', '37']], lengths: [15], cvcLength: 4 },
  { brand: 'diners', ranges: [['300', '305'], ['3095', '3095'], ['36', '36'], ['38', '39']], lengths: [14, 15, 16, 17, 18, 19], cvcLength: 3 },
  { brand: 'jcb', ranges: [['3528', '3589']], lengths: LEN_16_19, cvcLength: 3 },
  { brand: 'visa', ranges: [['4', '4']], lengths: [13, 16, 19], cvcLength: 3 },
  { brand: 'mir', ranges: [['2200', '2204']], lengths: LEN_16_19, cvcLength: 3 },
  { brand: 'mastercard', ranges: [['51', '55'], ['2221', '2720']], lengths: [16], cvcLength: 3 },
  { brand: 'maestro', ranges: [['5018', '5018'], ['5020', '5020'], ['5038', '5038'], ['5893', '5893'], ['6304', '6304'], ['6759', '6759'], ['6761', '6763']], lengths: ALL_12_19, cvcLength: 3 },
  { brand: 'discover', ranges: [['6011', '6011'], ['622126', '622925'], ['644', '649'], ['65', '65']], lengths: LEN_16_19, cvcLength: 3 },
  { brand: 'unionpay', ranges: [['62', '62'], ['81', '81']], lengths: LEN_16_19, cvcLength: 3 },
];

/** The brand whose prefixes hold `digits` (a whole number or its start), whatever the length. */
function brandRule(digits: string): BrandRule | undefined {
  for (const b of BRANDS) {
    for (const [lo, hi] of b.ranges) {
      if (digits.length < lo.length) continue;
      const p = digits.slice(0, lo.length);
      if (p >= lo && p <= hi) return b;
    }
  }
  return undefined;
}

/** Whether the digits pass the Luhn (mod 10) check, ISO/IEC 7812-1 Annex B. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** `prefix` padded with zeros to `length - 1` digits, then the Luhn check digit: a number of the right shape (tests, the simulator). */
export function withCheckDigit(prefix: string, length = 16): string {
  const body = prefix.padEnd(length - 1, '0');
  for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
  throw new RangeError('no check digit: the prefix holds something other than digits');
}

/** Why a card is refused without asking the gateway. */
export type CardProblem = 'format' | 'luhn' | 'brand' | 'length' | 'expiry-format' | 'expired' | 'expiry-too-far' | 'cvc-format' | 'brand-not-accepted';

export interface CardInput {
  /** As typed: spaces and hyphens between digit groups are allowed. */
  number: string;
  /** 1 to 12. */
  expMonth: number | string;
  /** Two or four digits. */
  expYear: number | string;
  /** Checked for its form only (3 digits, 4 for American Express); never kept. */
  cvc?: string;
}

export interface CardRef {
  brand: CardBrand;
  /** The first 6 digits. */
  bin: string;
  last4: string;
  /** The card's identity: a keyed hash of the number (base64url, 22 characters). */
  id: string;
  /** The expiry as YYYY-MM. */
  expiry: string;
}

export type CardReading = { ok: true; card: CardRef; digits: string } | { ok: false; problem: CardProblem; detail: string; card?: Partial<CardRef> };

const MAX_YEARS_AHEAD = 20;

/**
 * Reads a card as a checkout receives it. `key`: the site's key for card hashes (derived from
 * the instance secret); `now`: for the expiry; `accept`: the brands the shop takes (default all).
 * The result carries the digits for the caller's sequence window; everything else that leaves
 * it is a `CardRef`.
 */
export function readCard(input: CardInput, key: Uint8Array, now: number, accept?: readonly CardBrand[]): CardReading {
  const raw = typeof input.number === 'string' ? input.number : '';
  if (raw.length > 40 || !/^[0-9]+(?:[ -][0-9]+)*$/.test(raw.trim())) return { ok: false, problem: 'format', detail: 'a card number is 12 to 19 digits, in groups separated by spaces or hyphens at most' };
  const digits = raw.replace(/[ -]/g, '');
  if (digits.length < 12 || digits.length > 19) return { ok: false, problem: 'format', detail: `a card number is 12 to 19 digits, not ${digits.length}` };
  const partial: Partial<CardRef> = { bin: binOf(digits), last4: digits.slice(-4) };
  if (!luhnValid(digits)) return { ok: false, problem: 'luhn', detail: 'the check digit is wrong (Luhn)', card: partial };
  const rule = brandRule(digits);
  if (!rule) return { ok: false, problem: 'brand', detail: 'no card brand issues numbers with this prefix', card: partial };
  partial.brand = rule.brand;
  if (!rule.lengths.includes(digits.length)) return { ok: false, problem: 'length', detail: `${rule.brand} numbers are ${rule.lengths.join(', ')} digits long, not ${digits.length}`, card: partial };
  if (accept && !accept.includes(rule.brand)) return { ok: false, problem: 'brand-not-accepted', detail: `the shop does not take ${rule.brand}`, card: partial };
  const month = Number(input.expMonth);
  let year = Number(input.expYear);
  const yearText = String(input.expYear).trim();
  if (!Number.isInteger(month) || month < 1 || month > 12 || !/^(\d{2}|\d{4})$/.test(yearText) || !Number.isInteger(year)) {
    return { ok: false, problem: 'expiry-format', detail: 'the expiry is a month 1 to 12 and a year of two or four digits', card: partial };
  }
  if (yearText.length === 2) year += 2000;
  const d = new Date(now);
  const nowMonths = d.getUTCFullYear() * 12 + d.getUTCMonth();
  const expMonths = year * 12 + (month - 1);
  // A card is good to the end of its month; a day's grace covers every time zone.
  if (expMonths < nowMonths && !(expMonths === nowMonths - 1 && d.getUTCDate() === 1)) {
    return { ok: false, problem: 'expired', detail: 'the card has expired', card: partial };
  }
  if (expMonths > nowMonths + MAX_YEARS_AHEAD * 12) return { ok: false, problem: 'expiry-too-far', detail: `no card is valid for more than ${MAX_YEARS_AHEAD} years`, card: partial };
  if (input.cvc !== undefined && input.cvc !== '') {
    const cvc = String(input.cvc);
    if (cvc.length !== rule.cvcLength || !/^[0-9]+$/.test(cvc)) return { ok: false, problem: 'cvc-format', detail: `a ${rule.brand} security code is ${rule.cvcLength} digits`, card: partial };
  }
  const card: CardRef = {
    brand: rule.brand,
    bin: partial.bin!,
    last4: partial.last4!,
    id: cardId(key, digits),
    expiry: `${year}-${String(month).padStart(2, '0')}`,
  };
  return { ok: true, card, digits };
}

/** The BIN kept of a number: its first 6 digits. */
export function binOf(digits: string): string {
  return digits.slice(0, 6);
}

/** A card's identity in counters: HMAC-SHA256 of the number under the site's card key, 128 bits. */
export function cardId(key: Uint8Array, digits: string): string {
  return createHmac('sha256', key).update('mamori card\0').update(digits).digest().subarray(0, 16).toString('base64url');
}

/** A number as it may be shown or logged: BIN, then masked digits, then the last four. */
export function maskCard(digits: string): string {
  const bin = binOf(digits);
  return `${bin}${'*'.repeat(Math.max(0, digits.length - bin.length - 4))}${digits.slice(-4)}`;
}
