#!/usr/bin/env node
// Builds 1 GiB files for the cost of the past-scan look (S18R cost rows). Usage:
//   node cost.mjs KIND OUT [MiB]
// random: pseudo-random bytes (a picture or a backup); lt: "<?" repeated (every one looked at, none counted);
// ltq: "<?=/*" then 8 KiB of "<?x" inside the comment (every tag lexed 8 KiB); lts: "<? " + 21 x "a" repeated.
import { openSync, writeSync, closeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
const [, , kind, out, mibArg] = process.argv;
const MIB = 1024 * 1024;
const total = Number(mibArg ?? 1024);
const chunk = Buffer.alloc(MIB);
if (kind === 'lt') chunk.fill('<?');
else if (kind === 'ltx') chunk.fill('<?x');
else if (kind === 'lts') chunk.fill('<? ' + 'a'.repeat(21));
else if (kind === 'ltq') chunk.fill('<?=/*' + '<?x'.repeat(3000));
const fd = openSync(out, 'w');
for (let i = 0; i < total; i++) {
  if (kind === 'random') randomFillSync(chunk);
  writeSync(fd, chunk);
}
closeSync(fd);
