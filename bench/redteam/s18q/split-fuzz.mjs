#!/usr/bin/env node
// phpTagPast fed whole vs in two parts at every split point: the regions (at, bytes, plain, long)
// and overflow must be the same. Snippets from the diff.mjs fragments. Usage: node split-fuzz.mjs [N] [SEED]
import { phpTagPast } from '../../../packages/host/dist/scan/php-regions.js';
const N = Number(process.argv[2] ?? 3000);
let seed = Number(process.argv[3] ?? 3) >>> 0;
const rnd = (n) => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
const F = ['<?php ', '<?=', '<?', '$a=', '"', "'", '`', '\\', '{$', '${', '}', '{', '<<<A\n', '<<<A\r\n', "<<<'A'\n", '\nA;', ' A;', '\x01', '#', '#[', '//', '/*', '*/', '/', '*', '\n', '\r', '?>', '?', '>', '<', '__halt_compiler', '__halt_', 'compiler', 'x', ';', ' ', '$b', 'A', '->'];
const sum = (t) => JSON.stringify({ r: t.regions.map((r) => [r.at, r.bytes.toString('latin1'), r.plain, r.long]), o: t.overflow });
let bad = 0;
for (let k = 0; k < N; k++) {
  let s = '';
  const n = 2 + rnd(12);
  for (let j = 0; j < n; j++) s += F[rnd(F.length)];
  const b = Buffer.from(s, 'latin1');
  const w = phpTagPast(0); w.feed(b, 0); w.end();
  const whole = sum(w);
  for (let cut = 1; cut < b.length; cut++) {
    const t = phpTagPast(0); t.feed(b.subarray(0, cut), 0); t.feed(b.subarray(cut), cut); t.end();
    const got = sum(t);
    if (got !== whole) { if (bad++ < 15) console.log(JSON.stringify(s), 'cut', cut, '\n  whole', whole, '\n  split', got); break; }
  }
}
console.log(`${N} snippets, ${bad} differ when split`);
