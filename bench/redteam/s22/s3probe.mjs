import { WP } from './harness.mjs';
import { phpExcerpts } from '/work/wt-rt22/packages/host/dist/scan/php-excerpts.js';
const s = `$a = ['x' => 'system']; $a['x']($_GET['c']);`;
const t = WP + '\n/*' + ' '.repeat((1 << 20) - WP.length) + '*/\n' + s + '\n';
const ex = phpExcerpts(t, 32768); console.log(t.length, ex.length, ex.map(e=>[e.start,e.end, JSON.stringify(t.slice(e.start, e.start+80))]));
