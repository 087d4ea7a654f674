#!/usr/bin/env python3
"""Write the S19 timing shapes to perf/ (time them with: NO_OLD=1 node check.mjs perf/FILE.php)."""
import os
MB = 1 << 20
os.makedirs('perf', exist_ok=True)
head = '<?php $z = $_GET["c"];\n'
def w(name, text):
    open(os.path.join('perf', name), 'w').write(text)
# S19R-2: closures nested d deep, none returning input (c705f7d: d=20 4.5 s, d=22 19 s, d=24 49 s, for 596 bytes)
for d in (16, 20, 22, 24):
    w(f'S19R-2-nest-iife-{d}.php', '<?php $x = ' + '(function(){return ' * d + "'$_GET'" + ';})()' * d + ';\n')
# S19R-13: lines of "// a" (every build before: 128 KiB 6 s, 256 KiB 24 s, 512 KiB 153 s)
for kb in (128, 512):
    w(f'S19R-13-comment-lines-{kb}k.php', head + '// a\n' * (kb * 1024 // 5))
# S19R-14 (open, every build): 512 KiB of '"{$f(' or of 'system(' (3 to 4 s)
w('S19R-14-interp-512k.php', head + '"{$f(' * (512 * 1024 // 5) + '\n')
w('S19R-14-sys-512k.php', head + 'system(' * (512 * 1024 // 7) + '\n')
# the fix's own shapes: 250 closures nested and assigned, around 4 MiB (1.5 s); 1 MiB of closures in assignments
body = ''.join('$a%d = function () {\n' % i for i in range(250))
w('nested-closure-assign-4m.php', head + body + '$q = 1;\n' * ((4 * MB - len(body)) // 8) + '};\n' * 250)
u = '$f = function () { return isset($_GET["a"]) . "' + 'x' * 40 + '"; };\n'
w('many-closure-returns-1m.php', head + u * (MB // len(u)))
