import { both, WP } from './harness.mjs';
const s = `$call = function ($f, $a) { return $f($a); }; $call('system', $_GET['c']);`;
for (const n of [100, 300]) {
  const t = WP + '\n' + Array.from({ length: n }, (_, i) => `function dec_${i}($v) { return call_user_func('trim', $_GET['k${i}']); }\n$big_${i} = '${'x'.repeat(4100)}';\n`).join('') + `\n${s}\n`;
  const r = both(t); console.log(n, (t.length/1024)|0, 'K', r.base, r.main, r.cur, r.tb, r.tc, r.rules.slice(0,3).join(' '));
}
