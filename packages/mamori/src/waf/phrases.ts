/**
 * Finding any of many phrases in a value in one pass (@pm, and the regular expressions' prefilter).
 */
/** ASCII lower case of each byte (what @pm ignores); other bytes as they are. */
const LOWER = Uint8Array.from({ length: 256 }, (_, c) => (c >= 65 && c <= 90 ? c + 32 : c));
const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/**
 * The first of some phrases found in a value, without regard to ASCII case (as @pm matches, and
 * as the regular expressions' literal prefilter asks): the phrase starting earliest (the first
 * listed among those starting there), or undefined.
 * One pass over the value with a rolling hash of a window as long as the shortest phrase
 * (8 bytes at most): only where a window's hash is that of some phrase's start are phrases
 * compared, so a value costs a few operations a byte however many phrases there are.
 */
export function anyPhrase(phrases: readonly string[]): (value: string) => string | undefined {
  const list = [...new Set(phrases.filter((p) => p !== '').map(asciiLower))];
  if (list.length === 0) return () => undefined;
  let width = 8;
  for (const p of list) if (p.length < width) width = p.length;
  const code = (s: string, i: number) => {
    const c = s.charCodeAt(i);
    return c < 256 ? LOWER[c]! : c;
  };
  const hashOf = (s: string) => {
    let h = 0;
    for (let i = 0; i < width; i++) h = (Math.imul(h, 31) + code(s, i)) | 0;
    return h;
  };
  let pow = 1;
  for (let i = 1; i < width; i++) pow = Math.imul(pow, 31);
  const buckets = new Map<number, string[]>();
  const bits = new Uint32Array(2048);
  for (const p of list) {
    const h = hashOf(p);
    bits[(h >>> 5) & 2047]! |= 1 << (h & 31);
    const b = buckets.get(h);
    if (b) b.push(p);
    else buckets.set(h, [p]);
  }
  const at = (v: string, i: number, p: string) => {
    if (i + p.length > v.length) return false;
    for (let k = 0; k < p.length; k++) if (code(v, i + k) !== p.charCodeAt(k)) return false;
    return true;
  };
  return (value) => {
    const n = value.length;
    if (n < width) return undefined;
    let h = hashOf(value);
    for (let i = 0; ; i++) {
      if (bits[(h >>> 5) & 2047]! & (1 << (h & 31))) {
        const cands = buckets.get(h);
        if (cands) for (const p of cands) if (at(value, i, p)) return p;
      }
      if (i + width >= n) return undefined;
      h = (Math.imul((h - Math.imul(code(value, i), pow)) | 0, 31) + code(value, i + width)) | 0;
    }
  };
}

