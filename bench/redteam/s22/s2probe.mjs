import { both, WP } from './harness.mjs';
import { phpExcerpts } from '/work/wt-rt22/packages/host/dist/scan/php-excerpts.js';
const s = `$a = ['x' => 'system']; $a['x']($_GET['c']);`;
for (const n of [10, 20, 30, 40, 60]) {
  const t = WP + '\n' + Array.from({ length: n }, (_, i) => `function dec_${i}() { /* eval( */ return ${i}; }\n` + `$big_${i} = '${'x'.repeat(4100)}';\n`).join('') + `\n${s}\n`;
  const ex = phpExcerpts(t, 32768); const at = t.lastIndexOf('$a = [');
  const r = both(t);
  console.log(n, ex.length, ex.some(e => e.start <= at && at < e.end), r.cur, r.rules.join(' '));
}
const ex = phpExcerpts(WP, 32768); console.log('wp excerpts', ex.length);
