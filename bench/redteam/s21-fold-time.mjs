// Times foldVariables (php-fold) on hostile inputs of up to 32 KiB (the size the scanner folds).
import { foldVariables } from '../../packages/host/dist/scan/php-fold.js';
const K = 32 * 1024 - 200;
const fill = (u, n) => u.repeat(Math.ceil(n / u.length)).slice(0, n);
const cases = {
  fnsChain: '<?php ' + Array.from({ length: 64 }, (_, i) => `function f${i}($x){return ${Array(30).fill(`f${i + 1}($x)`).join('.')};}`).join('\n') + '\n' + fill('system(f0("s"));', K - 25000) + '$g($_GET[1]);',
  fnsWide: '<?php function b($x){return strrev(strrev(strrev($x)));}\nfunction a($x){return ' + Array(200).fill('b($x)').join('.') + ';}\n' + fill('eval(a("s"));', K - 2000) + '$g($_GET[1]);',
  fnsGroups: '<?php function b($x){return strrev(strrev(strrev($x)));}\nfunction a($x){return ' + Array(200).fill('b($x)').join('.') + ';}\n' + fill('(a(s).a(s))(', K - 2000) + '$g($_GET[1]);',
  sinkArgs: '<?php function b($x){return str_repeat($x, 4000);}\n$v = "s";' + fill('system(b($v),b($v),b($v),b($v),b($v),b($v),b($v),b($v));', K) + '$g($_GET[1]);',
  calledBare: '<?php $v="x";' + fill('(sy.(st).(em).(sy.(st).(em)).sy.(st).(em))(', K),
  keyedBig: '<?php $a = [' + Array.from({ length: 256 }, (_, i) => `'k${i}'=>'${'s'.repeat(60)}'`).join(',') + '];\n' + fill("$a['z'] = 'system';", K - 20000) + '$a["z"]($_GET[1]);',
  extractBig: '<?php ' + fill('extract([' + Array.from({ length: 250 }, (_, i) => `'v${i}'=>'system'`).join(',') + ']);', K) + '$v1($_GET[1]);',
  foreachNest: '<?php $s="";' + fill('foreach ([' + Array(256).fill("'systemsystem'").join(',') + '] as $n) $s .= str_repeat($n, 1);', K) + '$s($_GET[1]);',
  membersMany: '<?php define("A","system");' + fill('A::B A ', K) + 'A($_GET[1]);',
  propsMany: '<?php class K {' + Array.from({ length: 2000 }, (_, i) => `var $p${i}='system';`).join('').slice(0, K - 2000) + '} $this->p1($_GET[1]);' + fill('$this->p1 ', 1500),
  thisMany: '<?php ' + Array.from({ length: 3000 }, (_, i) => `$this->p${i}='system';`).join('').slice(0, K) + '($this->p1)($_GET[1]);',
  heredocMany: '<?php ' + fill('$a = <<<A\n\\$x\nA;\n', K) + 'eval($a);',
  callsBare: '<?php ' + fill('$a = x.y.z.w;', K) + '$a($_GET[1]);',
};
for (const [name, src] of Object.entries(cases)) {
  const t = performance.now();
  const out = foldVariables(src);
  console.log(name.padEnd(14), String(src.length).padStart(6), (performance.now() - t).toFixed(0).padStart(6) + 'ms', out === undefined ? '-' : out.length);
}
