/**
 * QR codes (ISO/IEC 18004), enough to enrol an authenticator app: byte mode, versions 1 to 40,
 * the four error-correction levels, the mask chosen by the standard's penalty rules. Output as
 * SVG (for a page) or as a module matrix (for tests and other renderers).
 *
 * Written from the standard's rules; the per-version block tables below are the standard's
 * figures. Checked by decoding what it draws with zbar (`qr.test.ts`).
 */

export type QrLevel = 'L' | 'M' | 'Q' | 'H';

/** EC codewords per block, by level then version (index 0 unused). */
const EC_PER_BLOCK: Record<QrLevel, readonly number[]> = {
  L: [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  M: [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  Q: [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  H: [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
};

/** Error-correction blocks, by level then version. */
const BLOCKS: Record<QrLevel, readonly number[]> = {
  L: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  M: [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  Q: [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  H: [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
};

/** The two format-information bits of each level. */
const LEVEL_BITS: Record<QrLevel, number> = { L: 1, M: 0, Q: 3, H: 2 };

export interface QrCode {
  version: number;
  level: QrLevel;
  mask: number;
  size: number;
  /** Row-major, `size * size`: 1 dark, 0 light. */
  modules: Uint8Array;
}

/** Modules of a version's symbol that carry data and error correction (all but the function patterns). */
function rawDataModules(v: number): number {
  let n = (16 * v + 128) * v + 64;
  if (v >= 2) {
    const align = Math.floor(v / 7) + 2;
    n -= (25 * align - 10) * align - 55;
    if (v >= 7) n -= 36;
  }
  return n;
}

/** Data codewords a version holds at a level. */
function dataCodewords(v: number, level: QrLevel): number {
  return Math.floor(rawDataModules(v) / 8) - EC_PER_BLOCK[level][v]! * BLOCKS[level][v]!;
}

/** Centres of the alignment patterns along one axis (the same list for rows and columns). */
function alignmentCentres(v: number): number[] {
  if (v === 1) return [];
  const count = Math.floor(v / 7) + 2;
  const size = v * 4 + 17;
  // Spread evenly from 6 to size - 7, the step even, the odd remainder taken at the first gap.
  const step = v === 32 ? 26 : Math.ceil((size - 13) / (count - 1) / 2) * 2;
  const out = [6];
  for (let pos = size - 7; out.length < count; pos -= step) out.splice(1, 0, pos);
  return out;
}

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

function gfMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

/** The generator polynomial of degree n, highest coefficient (1) left out: (x - a^0)...(x - a^(n-1)). */
function generator(n: number): Uint8Array {
  const g = new Uint8Array(n);
  g[n - 1] = 1;
  let root = 1;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      g[j] = gfMul(g[j]!, root) ^ (j + 1 < n ? g[j + 1]! : 0);
    }
    root = gfMul(root, 2);
  }
  return g;
}

/** The Reed-Solomon remainder of `data` by the degree-n generator: the block's EC codewords. */
function reedSolomon(data: Uint8Array, gen: Uint8Array): Uint8Array {
  const n = gen.length;
  const rem = new Uint8Array(n);
  for (const b of data) {
    const factor = b ^ rem[0]!;
    rem.copyWithin(0, 1);
    rem[n - 1] = 0;
    for (let i = 0; i < n; i++) rem[i] = rem[i]! ^ gfMul(gen[i]!, factor);
  }
  return rem;
}

/** A BCH code's remainder: `value` shifted by the generator's degree, reduced by `poly`. */
function bch(value: number, poly: number, degree: number): number {
  let r = value << degree;
  for (let i = 31 - Math.clz32(r); i >= degree; i--) if ((r >>> i) & 1) r ^= poly << (i - degree);
  return (value << degree) | r;
}

const MASKS: readonly ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

class Grid {
  readonly size: number;
  readonly dark: Uint8Array;
  readonly fixed: Uint8Array;
  constructor(size: number) {
    this.size = size;
    this.dark = new Uint8Array(size * size);
    this.fixed = new Uint8Array(size * size);
  }
  set(x: number, y: number, dark: boolean): void {
    const i = y * this.size + x;
    this.dark[i] = dark ? 1 : 0;
    this.fixed[i] = 1;
  }
}

function drawFunctionPatterns(g: Grid, v: number): void {
  const size = g.size;
  // Timing patterns.
  for (let i = 0; i < size; i++) {
    g.set(6, i, i % 2 === 0);
    g.set(i, 6, i % 2 === 0);
  }
  // Finder patterns with their separators.
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]] as const) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || y < 0 || x >= size || y >= size) continue;
        const d = Math.max(Math.abs(dx), Math.abs(dy));
        g.set(x, y, d !== 2 && d !== 4);
      }
    }
  }
  // Alignment patterns, except where they would overlap a finder.
  const c = alignmentCentres(v);
  for (let i = 0; i < c.length; i++) {
    for (let j = 0; j < c.length; j++) {
      if ((i === 0 && j === 0) || (i === 0 && j === c.length - 1) || (i === c.length - 1 && j === 0)) continue;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) g.set(c[i]! + dx, c[j]! + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
    }
  }
  // Format areas reserved (written after masking), and the dark module.
  drawFormat(g, 0, 'L');
  g.set(8, size - 8, true);
  // Version information (version 7 and up): 18 bits, twice.
  if (v >= 7) {
    const bits = bch(v, 0x1f25, 12);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      g.set(a, b, dark);
      g.set(b, a, dark);
    }
  }
}

/** The 15 format bits (level and mask, BCH-protected, XORed with 101010000010010), in both places. */
function drawFormat(g: Grid, mask: number, level: QrLevel): void {
  const size = g.size;
  const bits = bch((LEVEL_BITS[level] << 3) | mask, 0x537, 10) ^ 0x5412;
  const bit = (i: number): boolean => ((bits >>> i) & 1) === 1;
  // Around the top-left finder.
  for (let i = 0; i <= 5; i++) g.set(8, i, bit(i));
  g.set(8, 7, bit(6));
  g.set(8, 8, bit(7));
  g.set(7, 8, bit(8));
  for (let i = 9; i < 15; i++) g.set(14 - i, 8, bit(i));
  // Under the top-right finder and beside the bottom-left one.
  for (let i = 0; i < 8; i++) g.set(size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) g.set(8, size - 15 + i, bit(i));
}

/** The codewords, EC added and the blocks interleaved, for a version and level. */
function codewords(data: Uint8Array, v: number, level: QrLevel): Uint8Array {
  const blocks = BLOCKS[level][v]!;
  const ecLen = EC_PER_BLOCK[level][v]!;
  const raw = Math.floor(rawDataModules(v) / 8);
  const shortBlocks = blocks - (raw % blocks);
  const shortLen = Math.floor(raw / blocks);
  const gen = generator(ecLen);
  const dataBlocks: Uint8Array[] = [];
  const ecBlocks: Uint8Array[] = [];
  let k = 0;
  for (let b = 0; b < blocks; b++) {
    const len = shortLen - ecLen + (b < shortBlocks ? 0 : 1);
    const d = data.subarray(k, k + len);
    k += len;
    dataBlocks.push(d);
    ecBlocks.push(reedSolomon(d, gen));
  }
  const out = new Uint8Array(raw);
  let o = 0;
  for (let i = 0; i <= shortLen - ecLen; i++) for (const d of dataBlocks) if (i < d.length) out[o++] = d[i]!;
  for (let i = 0; i < ecLen; i++) for (const e of ecBlocks) out[o++] = e[i]!;
  return out;
}

/** Lays the codewords out in the zigzag order, over the modules no function pattern holds. */
function placeData(g: Grid, words: Uint8Array): void {
  const size = g.size;
  let i = 0;
  const total = words.length * 8;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let vert = 0; vert < size; vert++) {
      const y = upward ? size - 1 - vert : vert;
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const at = y * size + x;
        if (g.fixed[at]) continue;
        // Remainder bits past the last codeword stay light.
        g.dark[at] = i < total ? (words[i >>> 3]! >>> (7 - (i & 7))) & 1 : 0;
        i++;
      }
    }
  }
}

function applyMask(g: Grid, mask: number): void {
  const f = MASKS[mask]!;
  for (let y = 0; y < g.size; y++) {
    for (let x = 0; x < g.size; x++) {
      const at = y * g.size + x;
      if (!g.fixed[at] && f(x, y)) g.dark[at] = g.dark[at]! ^ 1;
    }
  }
}

/** The standard's penalty (rules N1 to N4) of a finished symbol: lower is easier to read. */
function penalty(g: Grid): number {
  const n = g.size;
  const d = g.dark;
  let score = 0;
  // N1 (runs of 5 or more in a row or column) and N3 (1:1:3:1:1 finder look-alikes beside 4 light).
  const FINDER_A = [1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0];
  const FINDER_B = [0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1];
  for (let pass = 0; pass < 2; pass++) {
    for (let a = 0; a < n; a++) {
      let run = 1;
      for (let b = 0; b < n; b++) {
        const at = (p: number): number => (pass === 0 ? d[a * n + p]! : d[p * n + a]!);
        if (b > 0) {
          if (at(b) === at(b - 1)) run++;
          else {
            if (run >= 5) score += 3 + (run - 5);
            run = 1;
          }
        }
        if (b + 11 <= n) {
          let ma = true;
          let mb = true;
          for (let k = 0; k < 11; k++) {
            if (at(b + k) !== FINDER_A[k]) ma = false;
            if (at(b + k) !== FINDER_B[k]) mb = false;
          }
          if (ma) score += 40;
          if (mb) score += 40;
        }
      }
      if (run >= 5) score += 3 + (run - 5);
    }
  }
  // N2: 2x2 blocks of one colour.
  for (let y = 0; y + 1 < n; y++) {
    for (let x = 0; x + 1 < n; x++) {
      const c = d[y * n + x];
      if (c === d[y * n + x + 1] && c === d[(y + 1) * n + x] && c === d[(y + 1) * n + x + 1]) score += 3;
    }
  }
  // N4: how far the share of dark modules is from half, in steps of 5%.
  let dark = 0;
  for (const m of d) dark += m;
  score += 10 * Math.floor(Math.abs((dark * 100) / (n * n) - 50) / 5);
  return score;
}

/** The most bytes a version holds at a level, in byte mode. */
export function qrCapacity(version: number, level: QrLevel): number {
  if (!Number.isInteger(version) || version < 1 || version > 40) throw new RangeError('QR versions are 1 to 40');
  const countBits = version <= 9 ? 8 : 16;
  return Math.floor((dataCodewords(version, level) * 8 - 4 - countBits) / 8);
}

/**
 * Encodes `data` (text as UTF-8, or bytes) in the smallest version that holds it at `level`
 * (default M: 15% of the symbol may be lost). More than version 40 holds is a RangeError.
 */
export function encodeQr(data: string | Uint8Array, level: QrLevel = 'M'): QrCode {
  if (!(level in BLOCKS)) throw new RangeError(`QR error-correction level is L, M, Q or H, not ${String(level)}`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let v = 1;
  while (v <= 40 && qrCapacity(v, level) < bytes.length) v++;
  if (v > 40) throw new RangeError(`${bytes.length} bytes do not fit a QR code at level ${level}`);
  const capacity = dataCodewords(v, level);
  // Byte mode: mode 0100, the count, the bytes, a terminator of up to 4 zero bits, pad bytes.
  const bits: number[] = [];
  const put = (value: number, len: number): void => {
    for (let i = len - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, v <= 9 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  put(0, Math.min(4, capacity * 8 - bits.length));
  while (bits.length % 8 !== 0) bits.push(0);
  const words = new Uint8Array(capacity);
  for (let i = 0; i < bits.length; i += 8) {
    let b = 0;
    for (let j = 0; j < 8; j++) b = (b << 1) | bits[i + j]!;
    words[i / 8] = b;
  }
  for (let i = bits.length / 8, pad = 0xec; i < capacity; i++, pad ^= 0xec ^ 0x11) words[i] = pad;

  const size = v * 4 + 17;
  const all = codewords(words, v, level);
  let best: Grid | undefined;
  let bestMask = 0;
  let bestScore = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    const g = new Grid(size);
    drawFunctionPatterns(g, v);
    placeData(g, all);
    applyMask(g, mask);
    drawFormat(g, mask, level);
    const s = penalty(g);
    if (s < bestScore) {
      best = g;
      bestMask = mask;
      bestScore = s;
    }
  }
  return { version: v, level, mask: bestMask, size, modules: best!.dark };
}

/**
 * The symbol as SVG: one path of dark modules, a quiet zone of `margin` modules (default 4,
 * what the standard asks), scaled by the viewer. `title` is for screen readers.
 */
export function qrSvg(qr: QrCode, opts: { margin?: number; title?: string; moduleSize?: number } = {}): string {
  const margin = opts.margin ?? 4;
  const full = qr.size + margin * 2;
  const px = full * (opts.moduleSize ?? 4);
  let path = '';
  for (let y = 0; y < qr.size; y++) {
    let x = 0;
    while (x < qr.size) {
      if (!qr.modules[y * qr.size + x]) {
        x++;
        continue;
      }
      let end = x;
      while (end < qr.size && qr.modules[y * qr.size + end]) end++;
      path += `M${x + margin} ${y + margin}h${end - x}v1h${x - end}z`;
      x = end;
    }
  }
  const title = opts.title ? `<title>${escapeXml(opts.title)}</title>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" width="${px}" height="${px}" shape-rendering="crispEdges" role="img">${title}<rect width="${full}" height="${full}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
