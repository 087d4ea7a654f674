/** What the scan tests of large files share (past-scan.test.ts, past-scan-redteam.test.ts): not a test itself. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScanner, type FileResult } from './scanner.js';
import { createTimedScanner } from './timed.js';

export const MIB = 1024 * 1024;

export const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** `n` bytes of a seeded xorshift stream: picture data, without a picture's structure. */
export function xorshiftBytes(n: number, seed = 2463534242): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** `data` written as `name` in `dir`, scanned with a 1 MiB bound in this process and through the timed scanner's child. */
export async function scanBoth(dir: string, name: string, data: Buffer): Promise<FileResult[]> {
  const f = join(dir, name);
  writeFileSync(f, data);
  const here = createScanner({ maxFileBytes: MIB }).scanFile(f);
  const timed = createTimedScanner({ fileTimeoutMs: 20_000, maxFileBytes: MIB, inProcessBytes: 1000 });
  try {
    return [here, await timed.scanFile(f)];
  } finally {
    timed.close();
  }
}
