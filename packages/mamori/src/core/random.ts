import { randomBytes } from 'node:crypto';

/** Randomness is injected so that tests can be repeatable. */
export interface Random {
  bytes(n: number): Buffer;
}

export const cryptoRandom: Random = { bytes: (n) => randomBytes(n) };

/** A deterministic source for tests (xorshift; never for secrets in production). */
export class SeededRandom implements Random {
  #s: number;
  constructor(seed = 0x9e3779b9) {
    this.#s = seed >>> 0 || 1;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      let x = this.#s;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.#s = x >>> 0;
      b[i] = this.#s & 0xff;
    }
    return b;
  }
}
