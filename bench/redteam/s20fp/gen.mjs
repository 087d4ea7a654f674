import fs from 'node:fs';
const w = (n, s) => fs.writeFileSync(`./${n}.php`, s);
const big = (unit, bytes) => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
const M16 = 16 * 1024 * 1024 - 4096, K32 = 32 * 1024 - 200;
// H1: hides (\x41\x41) + $f( so the fold runs at any size; 4096 assignments of $a then millions of uses
w('h1-uses-16m', `<?php $f = "\\x41\\x42"; $f(1);\n` + big('$a=1;', 4096 * 5) + big('$a;', M16 - 4096 * 5));
// H2: flow ASSIGN rescans: $a=)$a=)... then ; (request input for worthFlow)
w('h2-assign-16m', `<?php $x = $_GET['a'];\n` + big(big('$a=)', 1996) + ';\n', M16));
// H3: same at 32K
w('h3-assign-32k', `<?php $x = $_GET['a'];\n` + big(big('$a=)', 1996) + ';\n', K32));
// H4: uses interleaved within 32K, fold gate
w('h4-uses-32k', `<?php $$b; $f(1);\n` + big('$a=1;', 4096 * 5) + big('$a;', K32 - 4096 * 5));
// H5: whitespace in expression for indexed regex
w('h5-ws-32k', `<?php $$b; $f(1);\n` + big(`$a = (x${' '.repeat(1980)}y);\n`, K32));
// H6: deep parens / calls
w('h6-deep-32k', `<?php $$b; $f(1);\n` + big(`$a = ${'strrev('.repeat(300)}'x'${')'.repeat(300)};\n`, K32));
// H7: many sink calls with folded args
w('h7-sinks-16m', `<?php $f = "\\x41\\x42"; $f(1); $p='sys';\n` + big('eval($p.$p);', M16));
w('h8-mail-16m', `<?php $x = $_GET['a'];\n` + big('mail(', M16));
w('h9-fwrite-16m', `<?php $x = $_GET['a'];\n` + big('fwrite(', M16));
w('h10-params-32k', `<?php $x = $_GET['a'];\n` + big('function f(' + '$a,'.repeat(99) + '$a) {}\n', 32000));
w('h11-newinst-16m', `<?php $x = $_GET['a'];\nclass K { function __construct($f) { system($f); } }\n` + big('->newInstance(', M16));
w('h12-obstart-16m', `<?php $x = $_GET['a'];\n` + big('ob_start(', M16));
w('h13-udiff-16m', `<?php $x = $_GET['a'];\n` + big('array_udiff(', M16));
w('h14-session-16m', `<?php $x = $_GET['a'];\n` + big('$_SESSION[1]=$_GET[1];', M16));
w('h15-copy-8k', `<?php $x = $_GET['a'];\n` + big('copy(', 8000));
w('h16-fold-16m-assign', `<?php $f = "\\x41\\x42"; $f(1);\n` + big('$a=', M16));
w('h17-fold-16m-strs', `<?php $f = "\\x41\\x42"; $f(1);\n$a='eval';` + big("$a'x'", M16));
