#!/usr/bin/env node
// S18Q cost files: 16 "<?" regions opened in the first bytes that never end and never grow what
// they keep (comments are not kept, so a region in a comment is never `long`): every later byte
// of the file is stepped through by all 16 regions. Usage: node cost.mjs CASE OUT [MIB]
//   block:  16 x "<?/*", then pseudo-random bytes with no "*/" and no "<?"
//   line:   16 x "<?#",  then bytes with no \n, \r, "?>" and no "<?"
//   none:   the same bytes with no head (the cost of a plain 1 GiB file)
import { openSync, writeSync, closeSync } from 'node:fs';
const [, , which, out, mibArg] = process.argv;
const MIB = Number(mibArg ?? 1024);
const fd = openSync(out, 'w');
const head = which === 'none' ? Buffer.alloc(0) : Buffer.from((which === 'line' ? '<?#' : '<?/*').repeat(16), 'latin1');
writeSync(fd, head);
const chunk = Buffer.alloc(1 << 20);
let x = 2463534242;
for (let m = 0; m < MIB; m++) {
  for (let i = 0; i < chunk.length; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; chunk[i] = x & 0xff; }
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk[i];
    if (c === 0x3c || c === 0x2a) chunk[i] = 0x41; // no "<?" and no "*/"
    if (which === 'line' && (c === 0x0a || c === 0x0d || c === 0x3f)) chunk[i] = 0x42;
  }
  if (m === 0) chunk.set([0xff, 0xd8, 0xff, 0xe0], 0);
  writeSync(fd, chunk);
}
closeSync(fd);
