/**
 * Which three-character pieces a text holds, as a bitmap: a word one of whose pieces is missing is not in
 * the text, said without a search of it. The analysers look for some ninety words a file, most absent.
 */
/** The symbol of a character for trigrams(): a-z, 0-9, "_", ".", "$" each their own, the rest one. */
const TRI_SYMBOL = (() => {
  const t = new Uint8Array(256).fill(40);
  for (let c = 97; c <= 122; c++) t[c] = c - 96;
  for (let c = 48; c <= 57; c++) t[c] = c - 21;
  t[95] = 37;
  t[46] = 38;
  t[36] = 39;
  return t;
})();
const TRI_SIDE = 41;

/** Which three-symbol pieces a lower-cased text holds (a bit each of 41^3), for mayHold. */
export function trigrams(low: string): Uint8Array {
  const bits = new Uint8Array(((TRI_SIDE * TRI_SIDE * TRI_SIDE) >> 3) + 1);
  const n = low.length;
  if (n < 3) return bits;
  let a = TRI_SYMBOL[low.charCodeAt(0) & 0xff]!;
  let b = TRI_SYMBOL[low.charCodeAt(1) & 0xff]!;
  for (let i = 2; i < n; i++) {
    const c = TRI_SYMBOL[low.charCodeAt(i) & 0xff]!;
    const k = (a * TRI_SIDE + b) * TRI_SIDE + c;
    bits[k >> 3]! |= 1 << (k & 7);
    a = b;
    b = c;
  }
  return bits;
}

/** False when some three-symbol piece of `w` is not in the text whose trigrams() these are (then `w` is not in it either). */
export function mayHold(bits: Uint8Array, w: string): boolean {
  for (let i = 2; i < w.length; i++) {
    const k = (TRI_SYMBOL[w.charCodeAt(i - 2) & 0xff]! * TRI_SIDE + TRI_SYMBOL[w.charCodeAt(i - 1) & 0xff]!) * TRI_SIDE + TRI_SYMBOL[w.charCodeAt(i) & 0xff]!;
    if ((bits[k >> 3]! & (1 << (k & 7))) === 0) return false;
  }
  return true;
}

/** Whether the lower-cased text holds `w`: its three-symbol pieces looked up first, in `pieces` (its trigrams()) when given. */
export function holds(low: string, pieces: Uint8Array | undefined, w: string): boolean {
  return (pieces === undefined || mayHold(pieces, w)) && low.includes(w);
}
