/**
 * A shop's checkout as mamori reads it: where the card fields are in the request body, and how
 * the shop's answer says approved or declined. The reading is strict, because what mamori judges
 * must be what the shop gets: a body mamori cannot read exactly as the shop will (two values for
 * one field, another charset, a byte-order mark, a JSON key twice, a field of the wrong type) is
 * refused rather than guessed at.
 */
import { duplicateJsonKey } from '../core/json.js';
import type { CheckoutEndpointConfig } from '../config/config.js';
import type { CardInput } from '../checkout/card.js';
import { normalizePolicyPath, policyPathViews } from './access-policy.js';
import type { RenderedResponse } from './verdict.js';

/** The request header mamori adds to a payment the shop must run with 3-D Secure (value `3ds`). */
export const STEP_UP_HEADER = 'x-mamori-step-up';

export interface CheckoutFields {
  card: CardInput;
  amount: number;
  currency: string;
}

export type CheckoutReading = { fields: CheckoutFields } | { notCheckout: true } | { problem: string };

/** Answer to a checkout mamori cannot read as the shop would. */
export const UNREADABLE_CHECKOUT: RenderedResponse = Object.freeze({
  status: 400,
  headers: Object.freeze({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }) as Record<string, string>,
  body: '{"error":"checkout_unreadable","message":"the payment request could not be read unambiguously"}',
});

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const MAX_FIELD = 64;

/** Each endpoint's path in the form its readings are compared in. */
const bases = new WeakMap<CheckoutEndpointConfig, string>();

/**
 * The checkout endpoints a request's method and URL fall under. The path is compared in every
 * reading the access policy knows (case, escapes, `..`, a trailing slash): frameworks route
 * `/API/checkout/` to the `/api/checkout` handler, so it is the checkout too.
 */
export function findCheckoutEndpoints(endpoints: readonly CheckoutEndpointConfig[], method: string, url: string): CheckoutEndpointConfig[] {
  const m = method.toUpperCase();
  const candidates = endpoints.filter((e) => e.method === m);
  // (Per request: the path's readings are worked out only for a request of a checkout's method.)
  if (candidates.length === 0) return candidates;
  const views = policyPathViews(url);
  return candidates.filter((e) => {
    let base = bases.get(e);
    if (base === undefined) bases.set(e, (base = normalizePolicyPath(e.path)));
    return views.includes(base);
  });
}

/**
 * A field name as the parsers of the field tell names apart, loosely: case folded, `a[b]` (PHP,
 * Rails, qs) read as `a.b`, and `.`, `_`, `-` and spaces one (PHP turns `a.b` into `a_b`;
 * case-insensitive binders ignore the rest). Two names of one loose form are ambiguous.
 */
function loose(name: string): string {
  return name
    .toLowerCase()
    .replace(/\[([^\]]*)\]/g, '.$1')
    .replace(/\.$/, '')
    .replace(/[._\s-]+/g, '_');
}

/** The value at a dotted path, each step matched loosely; a step two keys could fill is ambiguous. */
function jsonLoose(obj: unknown, path: string): { v?: unknown; problem?: string } {
  let cur = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return {};
    const want = loose(part);
    const keys = Object.keys(cur).filter((k) => loose(k) === want);
    if (keys.length > 1) return { problem: `"${keys.slice(0, 2).join('" and "').slice(0, 80)}" may both be read as "${part.slice(0, 40)}"` };
    if (keys.length === 0) return {};
    cur = (cur as Record<string, unknown>)[keys[0]!];
  }
  return { v: cur };
}

/**
 * One field's value: a string, or (JSON only, where `numeric`) a whole number. A card number or
 * security code sent as a JSON number is refused: its leading zeros are gone, and shops disagree
 * on how to put them back. Names are matched loosely (see `loose`): a field sent under two names
 * a parser could read as one is refused.
 */
function value(form: URLSearchParams | undefined, json: unknown, name: string, numeric = true): { v?: string; problem?: string } {
  if (form) {
    const want = loose(name);
    const names = new Set<string>();
    const values: string[] = [];
    for (const [k, v] of form) {
      if (loose(k) !== want) continue;
      names.add(k);
      values.push(v);
    }
    if (values.length > 1) return { problem: `field "${[...names].join('", "').slice(0, 80)}" appears ${values.length} times` };
    if (values[0] === undefined) return {};
    if (values[0].length > MAX_FIELD) return { problem: `field "${name.slice(0, 40)}" is longer than ${MAX_FIELD} characters` };
    return { v: values[0] };
  }
  const r = jsonLoose(json, name);
  if (r.problem) return { problem: r.problem };
  const x = r.v;
  if (x === undefined) return {};
  if (typeof x === 'string') return x.length > MAX_FIELD ? { problem: `"${name.slice(0, 40)}" is longer than ${MAX_FIELD} characters` } : { v: x };
  if (numeric && typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) return { v: String(x) };
  return { problem: `"${name.slice(0, 40)}" is ${numeric ? 'neither text nor a whole number' : 'not text'}` };
}

/** Reads a checkout body (`application/json` or a urlencoded form, UTF-8) as the endpoint describes. */
export function readCheckoutFields(e: CheckoutEndpointConfig, contentType: string | undefined, body: Buffer): CheckoutReading {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const charset = /;\s*charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && !['utf-8', 'utf8', 'us-ascii'].includes(charset)) return { problem: `charset "${charset.slice(0, 40)}"` };
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { problem: 'a byte-order mark' };
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return { problem: 'invalid UTF-8' };
  }
  let form: URLSearchParams | undefined;
  let json: unknown;
  if (ct === 'application/x-www-form-urlencoded') form = new URLSearchParams(text);
  else if (ct === 'application/json' || ct.endsWith('+json') || (ct === '' && /^\s*\{/.test(text))) {
    try {
      json = JSON.parse(text);
    } catch {
      return { problem: 'malformed JSON' };
    }
    const dup = duplicateJsonKey(text);
    if (dup !== undefined) return { problem: `the JSON key "${dup.slice(0, 40)}" appears twice` };
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return { problem: 'the JSON body is not an object' };
  } else if (body.length === 0) return { notCheckout: true };
  else return { problem: `a content type mamori does not read ("${ct.slice(0, 60)}")` };

  return fieldsOf(e, form, json);
}

/** The payment's fields from a form or a JSON object, as the endpoint names them. */
function fieldsOf(e: CheckoutEndpointConfig, form: URLSearchParams | undefined, json: unknown): CheckoutReading {
  const f = e.fields;
  const number = value(form, json, f.number, false);
  if (number.problem) return { problem: number.problem };
  // A request to the checkout path with no card number is something else (a saved card, a cart update).
  if (number.v === undefined) return { notCheckout: true };
  const read: Record<string, string> = {};
  for (const [key, name] of [['expMonth', f.expMonth], ['expYear', f.expYear], ['cvc', f.cvc], ['amount', f.amount], ['currency', f.currency]] as const) {
    if (name === undefined) continue;
    const r = value(form, json, name, key !== 'cvc');
    if (r.problem) return { problem: r.problem };
    if (r.v !== undefined) read[key] = r.v;
  }
  const amountText = read.amount;
  if (amountText === undefined || !/^[0-9]{1,12}$/.test(amountText)) return { problem: `the amount ("${f.amount}") is missing or not a whole number` };
  const currency = (read.currency ?? e.currency).toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) return { problem: 'the currency is not an ISO 4217 code' };
  return {
    fields: {
      card: { number: number.v, expMonth: read.expMonth ?? '', expYear: read.expYear ?? '', ...(read.cvc !== undefined ? { cvc: read.cvc } : {}) },
      amount: Number(amountText),
      currency,
    },
  };
}

/**
 * The same for a body a framework already parsed (the adapters): what the app's handler will
 * read is this very object, so no other parser can disagree. A form field that came twice
 * (an array) or a value that is neither text nor a whole number is refused.
 */
export function readParsedCheckoutFields(e: CheckoutEndpointConfig, parsed: unknown): CheckoutReading {
  if (parsed === undefined || parsed === null || (typeof parsed === 'object' && Object.keys(parsed).length === 0)) return { notCheckout: true };
  if (typeof parsed !== 'object' || Array.isArray(parsed) || Buffer.isBuffer(parsed)) return { problem: 'the body was not parsed into an object (JSON or a form)' };
  // A urlencoded form parsed flat (`extended: false`) has the field names as keys, dots and all.
  const flat = Object.keys(parsed).some((k) => loose(k) === loose(e.fields.number));
  if (flat) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (Array.isArray(v)) return { problem: `field "${k.slice(0, 40)}" appears ${v.length} times` };
      if (typeof v === 'string') form.append(k, v);
      else if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && k !== e.fields.number && k !== e.fields.cvc) form.append(k, String(v));
      else if (v !== undefined) return { problem: `field "${k.slice(0, 40)}" is not text` };
    }
    return fieldsOf(e, form, undefined);
  }
  return fieldsOf(e, undefined, parsed);
}

/** The shop's answer to a payment: approved, declined, or neither (an error, a redirect to 3-D Secure). */
export function classifyCheckoutAnswer(e: CheckoutEndpointConfig, status: number): 'approved' | 'declined' | 'unknown' {
  if (e.approved.status.includes(status)) return 'approved';
  if (e.declined.status.includes(status)) return 'declined';
  return 'unknown';
}

/** The answer to a card mamori rejected before the gateway: the endpoint's decline status, in JSON. */
export function rejectedCardAnswer(e: CheckoutEndpointConfig, problem: string): RenderedResponse {
  return {
    status: e.declined.status[0] ?? 402,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ status: 'declined', reason: 'card_invalid', problem }),
  };
}
