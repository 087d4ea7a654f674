#!/usr/bin/env node
// Differential fuzz of phpTagPast: the same bytes fed whole and in random parts (sizes 1 .. 3 MiB)
// must give the same plain tag, windows and overflow. Usage: node chunk-fuzz.mjs [ROUNDS]
import { phpTagPast } from '../../../packages/host/dist/scan/scanner.js';
const rounds = Number(process.argv[2] ?? 300);
let seed = 12345;
const rnd = (n) => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
const pieces = ['<?php a();', '<?="\0";b();?>', '<?= 1 ?>', '<?=/*x', '<? $x=1;', '<?', '<', '?', '<?=', '<?="', "<?='", '<?=#', '<?=<<<X\n', '?>', '*/', '"', '\n'];
const summary = (t) => JSON.stringify({ at: t.at, w: t.windows.map((w) => [w.at, w.bytes.toString('hex')]), o: t.overflow });
let bad = 0;
for (let r = 0; r < rounds; r++) {
  const len = 1000 + rnd(40000);
  const parts = [];
  let n = 0;
  while (n < len) {
    const p = rnd(3) === 0 ? Buffer.from(pieces[rnd(pieces.length)], 'latin1') : Buffer.from(Array.from({ length: 1 + rnd(200) }, () => 0x20 + rnd(95)));
    parts.push(p);
    n += p.length;
  }
  const data = Buffer.concat(parts);
  const from = rnd(2000);
  const whole = phpTagPast(from);
  whole.feed(data, 0);
  whole.end();
  const expect = summary(whole);
  for (let k = 0; k < 4; k++) {
    const t = phpTagPast(from);
    for (let at = 0; at < data.length; ) {
      const size = [1, 2, 3, 25, 26, 27, 8193, 8194, 8195][rnd(9)] + (rnd(2) ? rnd(9000) : 0);
      t.feed(data.subarray(at, at + size), at);
      at += size;
    }
    t.end();
    if (summary(t) !== expect) {
      bad++;
      if (bad < 4) console.log('MISMATCH round', r, 'from', from, '\nwhole', expect.slice(0, 300), '\nparts', summary(t).slice(0, 300));
    }
  }
}
console.log(`${rounds} rounds, ${bad} mismatches`);
