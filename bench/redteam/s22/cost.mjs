import { both } from './harness.mjs';
const M = (1 << 20) - 64;
const fill = (unit) => unit.repeat(Math.floor(M / unit.length));
const cases = {
  'points dense $x($_GET)': '<?php\n' + fill('$x($_GET[1]);\n'),
  'points eval spaced 4K': '<?php\n' + fill(`eval($a);$s='${'y'.repeat(4000)}';\n`),
  'near in funcs 2K': '<?php\n' + fill(`function f(){ $g($_POST['k']); $s='${'y'.repeat(2000)}'; }\n`),
  'tiny statements': '<?php $_GET[1];' + fill(';') + '$x($_GET[1]);',
  'deep nesting': '<?php $a=$_GET[1];' + '{'.repeat(M/2) + '$x($_GET[1]);',
  'unbalanced closes': '<?php ' + fill('}$x($_GET[1]);'),
  'php switches': fill('<?php $x($_GET[1]); ?>a'),
  'php switches eval': fill('<?php eval($a) ?>'),
  'strong in comments': '<?php ' + fill('//eval( $_GET\n'),
  'long one statement': '<?php $a = [' + fill('$x($_GET[1]),') + '];',
  'callbacks array_map': '<?php\n' + fill('array_map($f, $_GET);\n'),
  'nested small blocks': '<?php\n' + fill('if($a){if($b){$x($_GET[1]);}}\n'),
  'base64 chunks + points': '<?php\n' + fill(`$x($_GET['a']); $d = base64_decode('${Buffer.from('echo 1;'.repeat(300)).toString('base64')}');\n`),
};
for (const [name, text] of Object.entries(cases)) {
  if (process.argv[2] && !name.includes(process.argv[2])) continue;
  const r = both(text);
  console.log(`${name.padEnd(28)} ${(text.length/1024|0)}K base=${r.base} cur=${r.cur} ${r.tb}ms/${r.tc}ms`);
}
