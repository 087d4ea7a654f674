#!/usr/bin/env node
// Differential harness: random snippets from PHP-lexer-relevant fragments, as "<?php S zz();?>",
// through PHP 8.2 (token_get_all with TOKEN_PARSE: parses or not; is "zz" a name in code) and
// through phpTagPast (DEAD: no region; hidden: the region kept has no "zz").
// A mismatch = PHP runs zz() but the lexer drops or cuts the region. Usage: node diff.mjs [N] [SEED]
import { execFileSync } from 'node:child_process';
import { phpTagPast } from '../../../packages/host/dist/scan/php-regions.js';
const N = Number(process.argv[2] ?? 3000);
let seed = Number(process.argv[3] ?? 1) >>> 0;
const rnd = (n) => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };
const F = ['$a=', '"', "'", '`', '\\', '{$', '${', '}', '{', '<<<A\n', '<<<A\r', '<<<A\r\n', "<<<'A'\n", '<<<"A"\n', '\nA;', '\rA;', '\r\nA;', ' A;', '\n  A,',
  '\x01', '\x0c', '\x7f', '\xe9', '#', '#[', '//', '/*', '*/', '\n', '\r', '?>', '?->', '->', '::', '__halt_compiler', 'x', ';', ' ', '(', ')', '[', ']', '$b', 'A', '$a->__halt_compiler;', '/**/', '\nA#', '\\\n', '<<<B\n', '\nB;', '\nB}', '${<<<B\n'].filter((f) => !(process.env.SKIP ?? '').split(',').some((s) => s && f.includes(s)));
const cases = [];
for (let k = 0; k < N; k++) { let s = ''; const n = 2 + rnd(8); for (let j = 0; j < n; j++) s += F[rnd(F.length)]; cases.push('<?php ' + s + ' zz();?>'); }
const php = `$o=[];foreach(json_decode(stream_get_contents(STDIN)) as $s){$s=base64_decode($s);try{$t=token_get_all($s,TOKEN_PARSE);$z=false;foreach($t as $x)if(is_array($x)&&$x[0]==T_STRING&&$x[1]==='zz')$z=true;$o[]=$z?1:0;}catch(Throwable $e){$o[]=-1;}}echo json_encode($o);`;
const res = JSON.parse(execFileSync('php', ['-r', php], { input: JSON.stringify(cases.map((c) => Buffer.from(c, 'latin1').toString('base64'))), maxBuffer: 1 << 28 }).toString());
let bad = 0;
const seen = new Set();
for (let k = 0; k < N; k++) {
  if (res[k] !== 1) continue; // PHP does not run zz()
  const t = phpTagPast(0); t.feed(Buffer.from(cases[k], 'latin1'), 0); t.end();
  const kept = Buffer.concat(t.regions.map((r) => r.bytes)).toString('latin1');
  const why = t.regions.length === 0 ? 'DEAD' : !kept.includes('zz();') ? 'CUT' : '';
  if (why) { bad++; if (seen.size < 40 && !seen.has(cases[k])) { seen.add(cases[k]); console.log(why, JSON.stringify(cases[k])); } }
}
console.log(`${N} snippets, ${res.filter((x) => x === 1).length} run zz() in PHP, ${bad} hidden from the lexer`);
