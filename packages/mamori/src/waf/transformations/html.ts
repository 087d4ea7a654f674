/**
 * t:htmlEntityDecode: HTML character references to the bytes they stand for.
 *
 *   SecRule ARGS "@rx <script" "t:htmlEntityDecode,t:lowercase"
 *
 * `&#DDD;` and `&#xHH;` (the `;` optional, as browsers read them) become one byte: the
 * number's low byte, 0xFF for a number past what a 64-bit long holds; `&quot;` `&amp;` `&lt;`
 * `&gt;` `&nbsp;` (any case, `;` optional) become `"` `&` `<` `>` and 0xA0. Anything else,
 * other named references included, is kept as written.
 */
import { ByteWriter, hexValue, type Transformation } from './bytes.js';

const NAMED: Readonly<Record<string, number>> = { quot: 34, amp: 38, lt: 60, gt: 62, nbsp: 0xa0 };
const LONG_MAX = 2n ** 63n - 1n;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlnum = (c: number): boolean => isDigit(c) || ((c | 0x20) >= 97 && (c | 0x20) <= 122);

/** The byte for digits s[from, to) in `base`, as a C strtol then a cast to unsigned char would make it. */
function entityByte(s: string, from: number, to: number, base: number): number {
  let v = 0n;
  const b = BigInt(base);
  for (let k = from; k < to; k++) {
    v = v * b + BigInt(base === 16 ? hexValue(s.charCodeAt(k)) : s.charCodeAt(k) - 48);
    if (v > LONG_MAX) return 0xff;
  }
  return Number(v & 0xffn);
}

export const htmlEntityDecode: Transformation = (input) => {
  if (input.indexOf('&') < 0) return input;
  const out = new ByteWriter();
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c !== 38 || i + 1 >= n) {
      out.byte(c);
      i++;
      continue;
    }
    if (input.charCodeAt(i + 1) === 35) {
      const hex = i + 2 < n && (input.charCodeAt(i + 2) | 0x20) === 120;
      const k = i + (hex ? 3 : 2);
      let j = k;
      while (j < n && (hex ? hexValue(input.charCodeAt(j)) >= 0 : isDigit(input.charCodeAt(j)))) j++;
      if (j > k) {
        out.byte(entityByte(input, k, j, hex ? 16 : 10));
        i = j < n && input.charCodeAt(j) === 59 ? j + 1 : j;
        continue;
      }
      out.text(input.slice(i, k));
      i = k;
      continue;
    }
    let j = i + 1;
    while (j < n && isAlnum(input.charCodeAt(j))) j++;
    const b = j > i + 1 ? NAMED[input.slice(i + 1, j).toLowerCase()] : undefined;
    if (b !== undefined) {
      out.byte(b);
      i = j < n && input.charCodeAt(j) === 59 ? j + 1 : j;
      continue;
    }
    out.text(input.slice(i, j));
    i = j;
  }
  return out.toString();
};
