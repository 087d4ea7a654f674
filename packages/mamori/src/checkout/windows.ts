/**
 * The two checkout signals that need more of a card than its keyed hash, kept in this process's
 * memory for their window only, never in a store (PCI DSS: no security code is kept after the
 * authorization; no more of a number than BIN and last four):
 *
 * - variants: how many different expiry/security-code pairs one card was tried with (guessing
 *   them is the second stage of card testing). A pair is remembered only as a keyed hash under
 *   a key drawn when the process starts and never written anywhere.
 * - sequences: how many numbers close to this one were tried in the same BIN (enumeration walks
 *   the account digits). The account digits are remembered as a number, for the window.
 *
 * Both are bounded: at most `maxKeys` cards or BINs (the oldest dropped first) and `perKey`
 * entries each, so a flood of numbers costs a fixed amount of memory.
 */
import { createHmac, randomBytes } from 'node:crypto';

interface Entry<T> {
  /** Newest last; each with the time it was seen. */
  items: { v: T; at: number }[];
}

class BoundedWindows<T> {
  readonly #map = new Map<string, Entry<T>>();
  readonly #maxKeys: number;
  readonly #perKey: number;
  readonly #windowMs: number;

  constructor(windowMs: number, maxKeys: number, perKey: number) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
    this.#perKey = perKey;
  }

  /** The key's items still in the window, after adding `v` (kept once per distinct value, the newest time). */
  add(key: string, v: T, now: number, same: (a: T, b: T) => boolean): readonly T[] {
    let e = this.#map.get(key);
    if (e) this.#map.delete(key); // re-inserted below: the map's order is oldest use first
    else e = { items: [] };
    const from = now - this.#windowMs;
    e.items = e.items.filter((x) => x.at > from && !same(x.v, v));
    e.items.push({ v, at: now });
    if (e.items.length > this.#perKey) e.items.splice(0, e.items.length - this.#perKey);
    this.#map.set(key, e);
    while (this.#map.size > this.#maxKeys) this.#map.delete(this.#map.keys().next().value!);
    return e.items.map((x) => x.v);
  }

  get size(): number {
    return this.#map.size;
  }
}

export class CheckoutWindows {
  readonly #variants: BoundedWindows<string>;
  readonly #numbers: BoundedWindows<number>;
  readonly #key = randomBytes(32);

  constructor(opts: { windowMs: number; maxCards?: number; maxBins?: number; perBin?: number }) {
    // At most 50,000 cards of 8 pairs and 4,000 BINs of 64 numbers: about 30 MB at the worst.
    this.#variants = new BoundedWindows(opts.windowMs, opts.maxCards ?? 50_000, 8);
    this.#numbers = new BoundedWindows(opts.windowMs, opts.maxBins ?? 4_000, opts.perBin ?? 64);
  }

  /** Distinct expiry/code pairs tried with the card `cardId` in the window, this one included. */
  variants(cardId: string, expiry: string, cvc: string | undefined, now: number): number {
    const fp = createHmac('sha256', this.#key).update(`${expiry}\0${cvc ?? ''}`).digest('base64url').slice(0, 16);
    return this.#variants.add(cardId, fp, now, (a, b) => a === b).length;
  }

  /**
   * Numbers of the same BIN and length tried in the window whose account digits are within
   * `maxGap` of this one's (other numbers only: the same number again is not a sequence).
   */
  neighbours(bin: string, digits: string, now: number, maxGap: number): number {
    // The account digits: after the BIN, before the check digit (at most 10 of them: exact as a number).
    const body = Number(digits.slice(bin.length, -1) || '0');
    const seen = this.#numbers.add(`${bin}:${digits.length}`, body, now, (a, b) => a === b);
    let n = 0;
    for (const v of seen) if (v !== body && Math.abs(v - body) <= maxGap) n++;
    return n;
  }

  /** Cards and BINs held (for tests and status). */
  get size(): { cards: number; bins: number } {
    return { cards: this.#variants.size, bins: this.#numbers.size };
  }
}
