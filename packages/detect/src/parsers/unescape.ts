/**
 * Undoes the escaping web servers apply to what they log between quotes:
 *   - nginx writes `"`, `\`, control bytes and bytes >= 0x7F as `\xHH` (escape=default);
 *   - Apache writes `\"`, `\\`, `\n`, `\t` and other non-printable bytes as `\xhh`.
 * The bytes are decoded as UTF-8; bytes that are not UTF-8 (an attacker's raw 0xFF)
 * become U+FFFD, as a Buffer's toString would.
 */
const utf8 = new TextDecoder('utf-8', { fatal: false });

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

export function unescapeLog(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  const src = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b !== 92 || i + 1 >= src.length) {
      out[o++] = b;
      continue;
    }
    const n = src[i + 1]!;
    if (n === 120 && i + 3 < src.length) {
      const h = hex(src[i + 2]!);
      const l = hex(src[i + 3]!);
      if (h >= 0 && l >= 0) {
        out[o++] = h * 16 + l;
        i += 3;
        continue;
      }
    }
    if (n === 34 || n === 92) out[o++] = n;
    else if (n === 110) out[o++] = 10;
    else if (n === 116) out[o++] = 9;
    else if (n === 114) out[o++] = 13;
    else {
      out[o++] = b;
      continue;
    }
    i++;
  }
  return utf8.decode(out.subarray(0, o));
}
