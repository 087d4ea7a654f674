/**
 * What the transformations share: their inputs and outputs are byte strings (one UTF-16 code
 * unit per byte, 0 to 255, as `Buffer#toString('latin1')` gives them), since ModSecurity's
 * transformations, and the rules written for them, work on the request's bytes.
 */

/** A transformation: a byte string in, a byte string out; linear in the input, never throws. */
export type Transformation = (input: string) => string;

/** The value of a hexadecimal digit's code, or -1. */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** Whether C's isspace() (the "C" locale) holds for a byte: space, \t \n \v \f \r. */
export function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** isspace, or the non-breaking space (0xA0), which ModSecurity's whitespace transformations also take. */
export function isSpaceOrNbsp(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0;
}

/**
 * The byte a %uHHHH (or \uHHHH) escape decodes to, from its four hex digit values: the low
 * byte, except that the full-width forms of ASCII (U+FF01 to U+FF5E) become the ASCII they
 * stand for. (ModSecurity without a unicode map: its documented behaviour.)
 */
export function unicodeEscapeByte(h1: number, h2: number, h3: number, h4: number): number {
  const low = (h3 << 4) | h4;
  if (h1 === 15 && h2 === 15 && low > 0 && low < 0x5f) return low + 0x20;
  return low;
}

/** The byte two hex digits at s[at], s[at + 1] stand for, or -1. */
export function hexPairAt(s: string, at: number): number {
  if (at + 1 >= s.length) return -1;
  const hi = hexValue(s.charCodeAt(at));
  const lo = hi >= 0 ? hexValue(s.charCodeAt(at + 1)) : -1;
  return lo >= 0 ? (hi << 4) | lo : -1;
}

/** The byte four hex digits at s[at..at + 3] decode to as a %uHHHH or \uHHHH escape (unicodeEscapeByte), or -1. */
export function unicodeEscapeAt(s: string, at: number): number {
  if (at + 3 >= s.length) return -1;
  const h1 = hexValue(s.charCodeAt(at));
  const h2 = hexValue(s.charCodeAt(at + 1));
  const h3 = hexValue(s.charCodeAt(at + 2));
  const h4 = hexValue(s.charCodeAt(at + 3));
  return h1 >= 0 && h2 >= 0 && h3 >= 0 && h4 >= 0 ? unicodeEscapeByte(h1, h2, h3, h4) : -1;
}

/** Builds a byte string from parts without quadratic concatenation costs (V8's ropes already avoid them; kept for clarity). */
export class ByteWriter {
  #parts: string[] = [];
  #run: number[] = [];

  byte(c: number): void {
    this.#run.push(c);
    if (this.#run.length >= 4096) this.#flush();
  }

  text(s: string): void {
    this.#flush();
    this.#parts.push(s);
  }

  #flush(): void {
    if (this.#run.length === 0) return;
    this.#parts.push(String.fromCharCode.apply(null, this.#run));
    this.#run = [];
  }

  toString(): string {
    this.#flush();
    return this.#parts.join('');
  }
}
