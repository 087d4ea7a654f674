/** Validation of `POST /api/checkout` bodies; anything rejected here never reaches the gateway. */
import type { CardDetails } from './gateway.js';
import { HttpError, parseJson } from './http-io.js';

export interface CheckoutRequest {
  card: CardDetails;
  amount: number;
}

/** Largest single order the shop accepts, in yen. */
export const MAX_AMOUNT_JPY = 10_000_000;

export type CheckoutParse = { ok: true; value: CheckoutRequest } | { ok: false; message: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An integer given as a JSON number or a string of digits. */
function intField(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^[0-9]{1,9}$/.test(v)) return Number(v);
  return undefined;
}

export function parseCheckout(body: unknown): CheckoutParse {
  if (!isRecord(body)) return { ok: false, message: 'body must be a JSON object' };
  const card = body['card'];
  if (!isRecord(card)) return { ok: false, message: 'card is required' };

  const rawNumber = card['number'];
  if (typeof rawNumber !== 'string') return { ok: false, message: 'card.number must be a string' };
  const number = rawNumber.replace(/[ -]/g, '');
  if (!/^[0-9]{12,19}$/.test(number)) return { ok: false, message: 'card.number must be 12 to 19 digits' };

  const expMonth = intField(card['exp_month']);
  if (expMonth === undefined || expMonth < 1 || expMonth > 12) return { ok: false, message: 'card.exp_month must be 1 to 12' };
  const expYear = intField(card['exp_year']);
  if (expYear === undefined || expYear < 2000 || expYear > 2100) return { ok: false, message: 'card.exp_year must be a four-digit year' };

  const cvc = card['cvc'];
  const cvcText = typeof cvc === 'number' && Number.isSafeInteger(cvc) && cvc >= 0 ? String(cvc).padStart(3, '0') : cvc;
  if (typeof cvcText !== 'string' || !/^[0-9]{3,4}$/.test(cvcText)) return { ok: false, message: 'card.cvc must be 3 or 4 digits' };

  const amount = body['amount'];
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1 || amount > MAX_AMOUNT_JPY) {
    return { ok: false, message: `amount must be a whole number of yen from 1 to ${MAX_AMOUNT_JPY}` };
  }
  return { ok: true, value: { card: { number, exp_month: expMonth, exp_year: expYear, cvc: cvcText }, amount } };
}

/**
 * A `POST /api/checkout` request as the shop reads it: the media type (JSON, or none), the body
 * as UTF-8 JSON, then the fields. Throws HttpError 415 or 400 as the handler answers. Exported so
 * mamori's tests can compare its own reading of the same bytes with the shop's.
 */
export function readCheckoutRequest(contentType: string | undefined, body: Buffer): CheckoutRequest {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && type !== '') throw new HttpError(415, 'send application/json');
  const parsed = parseCheckout(parseJson(body));
  if (!parsed.ok) throw new HttpError(400, parsed.message);
  return parsed.value;
}
