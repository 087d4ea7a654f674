import { createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time equality for secrets of any length (length itself is not hidden). */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  // Two strings (MACs as text, the common case) are compared code unit by code unit, every unit
  // whatever the ones before it: no copy into buffers.
  if (typeof a === 'string' && typeof b === 'string') {
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
    return diff === 0;
  }
  const x = typeof a === 'string' ? Buffer.from(a) : a;
  const y = typeof b === 'string' ? Buffer.from(b) : b;
  if (x.length !== y.length) {
    // Compare against itself so the time does not depend on where they differ.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

export function hmac(key: Buffer | string, ...parts: (string | Buffer)[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest();
}

/** How an account name is compared: case-folded, trimmed and NFKC-normalised, so `Alice@Example.com ` and `alice@example.com` are one account. */
export function normalizeIdentifier(value: string): string {
  // Printable ASCII is already in NFKC form: skip the normaliser for it (the common case, on every login).
  return (ASCII.test(value) ? value : value.normalize('NFKC')).trim().toLowerCase();
}

const ASCII = /^[\x20-\x7e]*$/;
