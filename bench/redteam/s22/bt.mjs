import { both } from './harness.mjs';
for (const s of ["<?php echo `ls '' . $_GET[c] . ''`;", "<?php echo `ls {$_GET['d']}`;", "<?php $o = `\" . $_GET['c'] . \"`; echo $o;", "<?php echo `$_GET[c]`;"]) { const r = both(s); console.log(JSON.stringify(s), r.base, r.cur, r.rules.join(' ')); }
